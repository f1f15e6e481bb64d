// HciRadio advertising and scanning command sequences (docs/BLE.md sections 5 and 6).
#include <algorithm>

#include "platform/codec/hci.h"
#include "platform/radio/hci_radio.h"

namespace jejak {
namespace {

// Milliseconds to HCI units of 0.625 ms, rounded, clamped to the command's range.
uint16_t ToUnits(uint32_t ms, uint32_t lo, uint32_t hi) {
    const uint32_t units = (ms * 8 + 2) / 5;
    return static_cast<uint16_t>(std::clamp(units, lo, hi));
}

}  // namespace

Status HciRadio::Disable(bool advertising) {
    const std::vector<uint8_t> cmd =
        advertising ? EncodeLeSetAdvEnable(false) : EncodeLeSetScanEnable(false, false);
    Status st = Run(cmd);
    // Strict controllers answer 0x0C when it was already off: that is the state we want.
    if (st.code() == StatusCode::kFailedPrecondition) st = Status::Ok();
    if (st.ok()) (advertising ? advertising_ : scanning_) = false;
    return st;
}

Status HciRadio::EnableScan() {
    JEJAK_RETURN_IF_ERROR(Run(EncodeLeSetScanEnable(true, /*filter_duplicates=*/false)));
    scanning_ = true;
    return Status::Ok();
}

Status HciRadio::WithScanPaused(const std::function<Status()>& body) {
    if (!scanning_) return body();
    JEJAK_RETURN_IF_ERROR(Disable(false));
    const Status st = body();
    const Status resumed = EnableScan();
    return st.ok() ? resumed : st;
}

// Address, (parameters), data, enable: each waits for its Command Complete. Advertising must
// be off and scanning paused (Set Random Address is refused otherwise).
Status HciRadio::ProgramAdvertising(const AdvertisingSet& set, bool with_params) {
    BdAddr addr;
    addr.bytes = set.address.bytes;
    JEJAK_RETURN_IF_ERROR(Run(EncodeLeSetRandomAddress(addr)));
    if (with_params) {
        AdvParameters p;
        p.interval_min = ToUnits(adv_params_.min_interval_ms, 0x20, 0x4000);
        p.interval_max = ToUnits(adv_params_.max_interval_ms, 0x20, 0x4000);
        p.type = kAdvNonconnInd;
        p.own_addr_type = 0x01;  // random: the address just set
        JEJAK_RETURN_IF_ERROR(Run(EncodeLeSetAdvParameters(p)));
    }
    JEJAK_ASSIGN_OR_RETURN(std::vector<uint8_t> data, EncodeLeSetAdvData(set.payload));
    JEJAK_RETURN_IF_ERROR(Run(data));
    JEJAK_RETURN_IF_ERROR(Run(EncodeLeSetAdvEnable(true)));
    advertising_ = true;
    std::lock_guard<std::mutex> lock(info_mu_);
    advertised_address_ = set.address;
    return Status::Ok();
}

Status HciRadio::StartAdvertising(const AdvertisingSet& set, const AdvertisingParams& params) {
    JEJAK_RETURN_IF_ERROR(ValidateAdvertising(set, params));
    std::lock_guard<std::mutex> lock(op_mu_);
    bool shared = false;
    std::string link;
    {
        std::lock_guard<std::mutex> info(info_mu_);
        shared = shared_with_host_;
        link = description_;
    }
    if (shared && !options_.allow_shared_advertising) {
        return Note(Status::FailedPrecondition(
            "refusing to advertise over " + link +
            ": bluetoothd shares this controller and may advertise or page-scan with its "
            "public address (a stable identifier on air beside the rotating RPIs), and its "
            "command completions can be mistaken for ours. Give Jejak the exclusive user "
            "channel (stop bluetooth.service and bring the device down: `systemctl stop "
            "bluetooth && btmgmt --index 0 power off`), or accept the risk with "
            "radio.allow_shared_advertising in the config"));
    }
    if (want_adv_ || advertising_) {
        return Status::FailedPrecondition("already advertising: use Rotate to change it");
    }
    adv_params_ = params;
    const Status st = WithScanPaused([&] { return ProgramAdvertising(set, true); });
    if (st.ok()) want_adv_ = set;
    return Note(st.WithContext("start advertising"));
}

Status HciRadio::Rotate(const AdvertisingSet& set) {
    JEJAK_RETURN_IF_ERROR(ValidateAdvertising(set, adv_params_));
    std::lock_guard<std::mutex> lock(op_mu_);
    if (!want_adv_) return Status::FailedPrecondition("rotate: not advertising");
    // Never one without the other: once advertising is off, any failure keeps it off.
    const Status st = WithScanPaused([&] {
        JEJAK_RETURN_IF_ERROR(Disable(true));
        return ProgramAdvertising(set, false);
    });
    if (st.ok()) {
        want_adv_ = set;
    } else {
        want_adv_.reset();  // the watchdog must not bring the old identity back
    }
    return Note(st.WithContext("rotate advertising"));
}

Status HciRadio::StopAdvertising() {
    std::lock_guard<std::mutex> lock(op_mu_);
    want_adv_.reset();
    if (!advertising_) return Status::Ok();
    return Note(Disable(true).WithContext("stop advertising"));
}

Status HciRadio::StartScanLocked(const ScanParams& params) {
    if (scanning_) JEJAK_RETURN_IF_ERROR(Disable(false));
    ScanParameters p;
    p.type = 0x00;           // passive: transmits nothing
    p.own_addr_type = 0x00;  // public: passive scanning never uses it (docs/BLE.md section 5)
    p.interval = ToUnits(params.interval_ms, 0x0004, 0x4000);
    p.window = ToUnits(params.window_ms, 0x0004, 0x4000);
    JEJAK_RETURN_IF_ERROR(Run(EncodeLeSetScanParameters(p)));
    return EnableScan();
}

Status HciRadio::StartScanning(const ScanParams& params, AdvertCallback on_advert) {
    JEJAK_RETURN_IF_ERROR(ValidateScanning(params));
    std::lock_guard<std::mutex> lock(op_mu_);
    {
        std::lock_guard<std::mutex> cb(cb_mu_);
        callback_ = std::move(on_advert);
    }
    last_report_mono_ = clock_.MonotonicMicros();
    const Status st = StartScanLocked(params);
    if (st.ok()) {
        want_scan_ = params;
    } else {
        want_scan_.reset();
        std::lock_guard<std::mutex> cb(cb_mu_);
        callback_ = nullptr;
    }
    return Note(st.WithContext("start scanning"));
}

Status HciRadio::StopScanning() {
    std::lock_guard<std::mutex> lock(op_mu_);
    want_scan_.reset();
    const Status st = scanning_ ? Disable(false) : Status::Ok();
    std::lock_guard<std::mutex> cb(cb_mu_);
    callback_ = nullptr;
    return Note(st.WithContext("stop scanning"));
}

}  // namespace jejak
