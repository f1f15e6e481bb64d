// ScriptedController: a fake HCI controller on the far end of a socketpair, for byte-exact
// tests of everything a host sends (style rule 6: fakes are real, tested components).
//
// The test lists the exact H4 command packets it expects, in order, each with the bytes to
// answer (Command Complete, errors, adverts, garbage, or nothing to simulate a dead
// controller). A thread reads the host's bytes through the same H4 framer the host uses and
// answers in order. Anything unexpected is recorded as a failure string (checked with
// failures()), and never answered. Replies can be written one byte at a time to force
// fragmented reads on the host side.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/transport/hci_transport.h"

namespace jejak::testing {

using Bytes = std::vector<uint8_t>;

// Packet builders (H4, indicator first).
Bytes HexBytes(const std::string& hex);  // "01 03 0c 00" (spaces ignored); aborts if malformed
Bytes CommandCompletePacket(uint16_t opcode, uint8_t status, const Bytes& ret = {},
                            uint8_t ncmd = 1);
Bytes CommandStatusPacket(uint16_t opcode, uint8_t status, uint8_t ncmd = 1);
// One LE Advertising Report (subevent 0x02) carrying a single report.
Bytes AdvReportPacket(uint8_t evt_type, uint8_t addr_type, const Bytes& addr_le,
                      const Bytes& data, int8_t rssi);

class ScriptedController {
public:
    struct Step {
        Bytes expect;                 // exact H4 command
        std::vector<Bytes> replies;   // written in order once `expect` arrived
        bool fragment = false;        // write replies one byte per write
    };

    ScriptedController();
    ~ScriptedController();  // stops the thread

    // The host side of the link (call once).
    std::unique_ptr<HciTransport> TakeHostTransport();

    void Expect(Bytes command, std::vector<Bytes> replies, bool fragment = false);
    // Expects `command` and answers Command Complete with `status` (+ return params).
    void ExpectOk(const Bytes& command, const Bytes& ret = {});
    void ExpectStatus(const Bytes& command, uint8_t status);
    // Expects `command` and never answers it (a controller that stopped responding).
    void ExpectSilence(const Bytes& command);
    // Writes bytes to the host now, unsolicited (adverts, garbage).
    void Inject(const Bytes& bytes, bool fragment = false);

    // Waits (bounded by `timeout_ms`) until every expected command arrived. False on timeout.
    bool WaitDone(int timeout_ms);
    std::vector<std::string> failures() const;
    std::vector<Bytes> received() const;  // every command the host sent, in order
    size_t pending() const;

private:
    void Run();
    void Handle(const Bytes& packet);
    void Write(const Bytes& bytes, bool fragment);

    int host_fd_ = -1;
    std::unique_ptr<HciTransport> self_;  // controller end of the socketpair
    std::mutex write_mu_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Step> script_;
    std::vector<Bytes> received_;
    std::vector<std::string> failures_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace jejak::testing
