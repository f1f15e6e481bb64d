// HciRadio: the Radio on any HCI controller (kernel socket, UART, UNIX socket, btvirt).
//
// Uses the legacy LE advertising/scanning command family only (valid on every LE controller;
// never mixed with the extended family, which a 5.x controller would refuse until reset).
// Extended-advertising support is detected and reported, not used. Advertising is
// ADV_NONCONN_IND from a caller-given non-resolvable private address; rotation runs the exact
// sequence of docs/BLE.md section 5 (scan off, adv off, Set Random Address, Set Advertising Data,
// adv on, scan on), waiting for each Command Complete and leaving advertising OFF if any step
// fails. Scanning is passive with duplicate filtering off. A watchdog resets and
// re-initialises a controller that stops answering or stops reporting, then restores the
// advertising and scanning the caller asked for.
#pragma once

#include <atomic>
#include <functional>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "platform/base/clock.h"
#include "platform/radio/hci_radio_channel.h"
#include "platform/radio/radio.h"

namespace jejak {

struct HciRadioOptions {
    int command_timeout_ms = 2000;
    int reset_timeout_ms = 3000;
    // Period of the watchdog thread; 0 runs no thread (tests call CheckWatchdog directly).
    int watchdog_period_ms = 5000;
    // While scanning, no advert at all for this long counts as a stuck controller (0: off).
    int report_silence_ms = 600000;
    // Called by the watchdog after the link to the controller was lost (peer closed, device
    // unplugged): returns a fresh transport to the same controller, which is then
    // re-initialised and given back its advertising and scanning. Unset: a lost link stays
    // lost and every call returns Unavailable.
    std::function<Result<std::unique_ptr<HciTransport>>()> reopen;
    // Advertise even over a transport shared with the host stack (HciTransport::
    // SharedWithHost: the raw channel beside bluetoothd). Off: StartAdvertising refuses,
    // because bluetoothd may put the controller's public address on air beside our RPIs.
    bool allow_shared_advertising = false;
};

struct ControllerInfo {
    uint8_t hci_version = 0;
    uint16_t manufacturer = 0;
    uint64_t le_features = 0;
    bool extended_advertising = false;  // LE feature bit 12
};

class HciRadio final : public Radio {
public:
    // Takes the transport and initialises the controller (HCI Reset, Read Local Version,
    // LE Read Local Supported Features, Set Event Mask, LE Set Event Mask). Unavailable if
    // the controller has no LE; the controller's own error otherwise. `clock` stamps
    // adverts and must outlive the radio.
    static Result<std::unique_ptr<HciRadio>> Open(std::unique_ptr<HciTransport> transport,
                                                  const Clock& clock, HciRadioOptions options);
    ~HciRadio() override;

    Status StartAdvertising(const AdvertisingSet& set, const AdvertisingParams& params) override;
    Status Rotate(const AdvertisingSet& set) override;
    Status StopAdvertising() override;
    Status StartScanning(const ScanParams& params, AdvertCallback on_advert) override;
    Status StopScanning() override;
    RadioStatus GetStatus() const override;

    // One watchdog pass: probes the controller (Read Local Version) and, if it failed to
    // answer, reported a hardware error or garbage, reset itself (an HCI Reset completion
    // nobody asked for, e.g. a storm of them), or stayed silent too long while scanning,
    // resets it, re-initialises it and restores advertising/scanning. A lost link is reopened
    // first (options.reopen). OK when healthy or recovered; the recovery error otherwise.
    Status CheckWatchdog();
    ControllerInfo controller_info() const;

private:
    HciRadio(std::unique_ptr<HciTransport> transport, const Clock& clock, HciRadioOptions o);
    void Attach(std::unique_ptr<HciTransport> transport);
    Status Reconnect();
    Status Initialize();
    Status Recover();
    Status Run(std::span<const uint8_t> command);
    Result<std::vector<uint8_t>> Query(std::span<const uint8_t> command);
    Status Disable(bool advertising);  // tolerates 0x0C (already disabled)
    Status EnableScan();
    Status ProgramAdvertising(const AdvertisingSet& set, bool with_params);
    Status WithScanPaused(const std::function<Status()>& body);
    Status StartScanLocked(const ScanParams& params);
    Status Note(Status st);
    void OnEvent(std::span<const uint8_t> event);
    void WatchdogLoop();

    const Clock& clock_;
    const HciRadioOptions options_;
    std::unique_ptr<HciRadioChannel> channel_;

    std::mutex op_mu_;  // serialises whole command sequences (API calls and the watchdog)
    std::atomic<bool> advertising_{false};     // controller state as last confirmed
    std::atomic<bool> scanning_{false};
    std::optional<AdvertisingSet> want_adv_;   // what the caller asked for (restored on reset)
    AdvertisingParams adv_params_;
    std::optional<ScanParams> want_scan_;
    bool unhealthy_ = false;
    uint64_t seen_garbage_ = 0, seen_hw_errors_ = 0, seen_resets_ = 0;

    mutable std::mutex info_mu_;  // guards the status fields read by GetStatus
    ControllerInfo info_;
    std::string description_;  // the transport's, e.g. "unix:/tmp/bt-server-le"
    bool shared_with_host_ = false;  // the transport's SharedWithHost()
    RadioAddress advertised_address_;
    Status last_error_;
    uint64_t resets_ = 0;

    std::mutex cb_mu_;  // held while the callback runs; StopScanning takes it to fence
    AdvertCallback callback_;
    std::atomic<uint64_t> adverts_{0};
    std::atomic<uint64_t> malformed_reports_{0};
    std::atomic<int64_t> last_report_mono_{0};

    std::mutex wd_mu_;
    std::condition_variable wd_cv_;
    bool stopping_ = false;
    std::thread watchdog_;
};

}  // namespace jejak
