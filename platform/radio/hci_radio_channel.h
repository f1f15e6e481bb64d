// HciRadioChannel: the command/event engine under HciRadio.
//
// Owns the transport and one reader thread. Execute() sends one HCI command and waits for
// the matching Command Complete (or a failing Command Status), honouring the controller's
// command credits (Num_HCI_Command_Packets). Every other event (adverts, hardware errors)
// goes to the event callback on the reader thread. Health signals (link down, garbage runs,
// hardware errors) are counted for HciRadio's watchdog.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "platform/transport/hci_transport.h"

namespace jejak {

class HciRadioChannel {
public:
    // Called on the reader thread with each event other than Command Complete/Status, without
    // the H4 indicator (`code | plen | params`, already length-checked).
    using EventFn = std::function<void(std::span<const uint8_t> event)>;

    // Starts the reader thread. `on_event` must stay callable until the channel is destroyed.
    HciRadioChannel(std::unique_ptr<HciTransport> transport, EventFn on_event);
    ~HciRadioChannel();  // shuts the transport down and joins the reader

    // Sends `command` (a complete H4 command packet) and waits up to `timeout_ms` for its
    // completion. Returns the return parameters after the status byte; HciStatusError for a
    // non-zero controller status; Timeout if no answer (or no command credit) in time;
    // Unavailable once the link is down. One caller at a time (HciRadio serialises).
    Result<std::vector<uint8_t>> Execute(std::span<const uint8_t> command, int timeout_ms);

    // After HCI Reset the controller grants one credit again, whatever was outstanding.
    void RestoreCredit();

    std::string Describe() const { return transport_->Describe(); }
    bool link_down() const { return link_down_; }
    uint64_t garbage_runs() const { return garbage_runs_; }
    uint64_t hardware_errors() const { return hardware_errors_; }
    // HCI Reset completions nobody asked for: the controller reset itself (firmware crash,
    // power glitch, another process on the device) and forgot what it was doing.
    uint64_t unsolicited_resets() const { return unsolicited_resets_; }

private:
    void ReadLoop();
    void Dispatch(std::span<const uint8_t> packet);
    void OnCommandDone(uint16_t opcode, uint8_t ncmd, uint8_t status,
                       std::span<const uint8_t> ret, bool is_status_event);

    std::unique_ptr<HciTransport> transport_;
    EventFn on_event_;
    std::mutex mu_;  // guards everything below up to the atomics
    std::condition_variable cv_;
    int credits_ = 1;
    std::optional<uint16_t> pending_opcode_;
    bool done_ = false;
    uint8_t done_status_ = 0;
    std::vector<uint8_t> done_return_;
    std::atomic<bool> link_down_{false};
    std::atomic<uint64_t> garbage_runs_{0};
    std::atomic<uint64_t> hardware_errors_{0};
    std::atomic<uint64_t> unsolicited_resets_{0};
    std::thread reader_;
};

}  // namespace jejak
