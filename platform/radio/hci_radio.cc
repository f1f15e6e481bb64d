// HciRadio life cycle: controller initialisation, events, watchdog and status.
#include "platform/radio/hci_radio.h"

#include <cstdio>

#include "platform/codec/hci.h"

namespace jejak {

Result<std::unique_ptr<HciRadio>> HciRadio::Open(std::unique_ptr<HciTransport> transport,
                                                 const Clock& clock, HciRadioOptions options) {
    std::unique_ptr<HciRadio> radio(new HciRadio(std::move(transport), clock, options));
    {
        std::lock_guard<std::mutex> lock(radio->op_mu_);
        JEJAK_RETURN_IF_ERROR(radio->Note(radio->Initialize()));
    }
    if (options.watchdog_period_ms > 0) {
        radio->watchdog_ = std::thread([r = radio.get()] { r->WatchdogLoop(); });
    }
    return radio;
}

HciRadio::HciRadio(std::unique_ptr<HciTransport> transport, const Clock& clock,
                   HciRadioOptions o)
    : clock_(clock), options_(std::move(o)) {
    Attach(std::move(transport));
}

// Replaces the channel (the old reader thread has already stopped when the link is down).
void HciRadio::Attach(std::unique_ptr<HciTransport> transport) {
    const bool shared = transport->SharedWithHost();
    channel_.reset();
    channel_ = std::make_unique<HciRadioChannel>(
        std::move(transport), [this](std::span<const uint8_t> event) { OnEvent(event); });
    std::lock_guard<std::mutex> lock(info_mu_);
    description_ = channel_->Describe();
    shared_with_host_ = shared;
}

HciRadio::~HciRadio() {
    {
        std::lock_guard<std::mutex> lock(wd_mu_);
        stopping_ = true;
    }
    wd_cv_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
    {
        std::lock_guard<std::mutex> lock(op_mu_);
        if (!channel_->link_down()) {
            if (advertising_) (void)Disable(true);
            if (scanning_) (void)Disable(false);
        }
    }
    channel_.reset();  // joins the reader thread before the members it calls into go away
}

Status HciRadio::Note(Status st) {
    if (!st.ok()) {
        std::lock_guard<std::mutex> lock(info_mu_);
        last_error_ = st;
    }
    return st;
}

Result<std::vector<uint8_t>> HciRadio::Query(std::span<const uint8_t> command) {
    Result<std::vector<uint8_t>> r = channel_->Execute(command, options_.command_timeout_ms);
    if (!r.ok() && r.status().IsTimeout()) unhealthy_ = true;
    return r;
}

Status HciRadio::Run(std::span<const uint8_t> command) { return Query(command).status(); }

Status HciRadio::Initialize() {
    advertising_ = false;
    scanning_ = false;
    channel_->RestoreCredit();
    Result<std::vector<uint8_t>> reset =
        channel_->Execute(EncodeReset(), options_.reset_timeout_ms);
    if (!reset.ok()) return reset.status().WithContext("controller init");
    JEJAK_ASSIGN_OR_RETURN(std::vector<uint8_t> ver, Query(EncodeReadLocalVersion()));
    JEJAK_ASSIGN_OR_RETURN(LocalVersion version,
                           DecodeReadLocalVersion({1, kHciReadLocalVersion, 0, ver}));
    if (version.hci_version < 6) {
        return Status::Unavailable("controller speaks HCI version " +
                                   std::to_string(version.hci_version) +
                                   ", older than Bluetooth 4.0: no LE");
    }
    Result<std::vector<uint8_t>> feat = Query(EncodeLeReadLocalFeatures());
    if (!feat.ok() && feat.status().IsUnavailable()) {
        return feat.status().WithContext("controller does not support Bluetooth LE");
    }
    if (!feat.ok()) return feat.status();
    JEJAK_ASSIGN_OR_RETURN(uint64_t features,
                           DecodeLeReadLocalFeatures({1, kHciLeReadLocalFeatures, 0, *feat}));
    JEJAK_RETURN_IF_ERROR(Run(EncodeSetEventMask(kHciDefaultEventMask)));
    JEJAK_RETURN_IF_ERROR(Run(EncodeLeSetEventMask(kHciDefaultLeEventMask)));
    std::lock_guard<std::mutex> lock(info_mu_);
    info_ = {version.hci_version, version.manufacturer, features,
             (features & kLeFeatureExtendedAdvertising) != 0};
    return Status::Ok();
}

void HciRadio::OnEvent(std::span<const uint8_t> event_bytes) {
    Result<HciEvent> event = ParseHciEvent(event_bytes);
    if (!event.ok() || event->code != kHciEvtLeMeta) return;
    std::lock_guard<std::mutex> lock(cb_mu_);
    if (!callback_) return;
    // Malformed report events yield nothing (the decoder validates the whole event first);
    // they are counted, never fatal.
    Result<size_t> decoded = DecodeLeAdvertisingReports(*event, [this](const AdvReport& r) {
        if (r.DataStatus() != 0) return;  // incomplete extended data: not reassembled
        ReceivedAdvert advert;
        advert.address.bytes = r.addr.bytes;
        advert.address_type = r.addr_type;
        advert.pdu_type = static_cast<uint8_t>(r.event_type);
        if (r.extended) {
            const uint16_t p = r.event_type;
            advert.pdu_type = (p & 0x08) ? 4 : (p & 0x01) ? 0 : (p & 0x02) ? 2 : 3;
        }
        advert.rssi_dbm = r.rssi;
        advert.payload.assign(r.data.begin(), r.data.end());
        advert.unix_micros = clock_.NowUnixMicros();
        ++adverts_;
        last_report_mono_ = clock_.MonotonicMicros();
        callback_(advert);
    });
    if (!decoded.ok()) ++malformed_reports_;
}

Status HciRadio::CheckWatchdog() {
    std::lock_guard<std::mutex> lock(op_mu_);
    if (channel_->link_down()) return Note(Reconnect());
    bool sick = unhealthy_ || channel_->garbage_runs() != seen_garbage_ ||
                channel_->hardware_errors() != seen_hw_errors_ ||
                channel_->unsolicited_resets() != seen_resets_;
    if (!sick && Query(EncodeReadLocalVersion()).status().IsTimeout()) sick = true;
    if (!sick && scanning_ && options_.report_silence_ms > 0 &&
        clock_.MonotonicMicros() - last_report_mono_ >
            int64_t{options_.report_silence_ms} * 1000) {
        sick = true;
    }
    if (!sick) return Status::Ok();
    return Note(Recover().WithContext("watchdog recovery"));
}

Status HciRadio::Reconnect() {
    const std::string what = channel_->Describe() + ": link to controller lost";
    if (!options_.reopen) return Status::Unavailable(what);
    Result<std::unique_ptr<HciTransport>> transport = options_.reopen();
    if (!transport.ok()) return transport.status().WithContext(what + "; reopening");
    Attach(std::move(transport).value());
    return Recover().WithContext("watchdog recovery after reconnect");
}

Status HciRadio::Recover() {
    seen_garbage_ = channel_->garbage_runs();
    seen_hw_errors_ = channel_->hardware_errors();
    JEJAK_RETURN_IF_ERROR(Initialize());
    seen_resets_ = channel_->unsolicited_resets();  // after our own Reset's completion
    if (want_adv_) JEJAK_RETURN_IF_ERROR(ProgramAdvertising(*want_adv_, true));
    if (want_scan_) JEJAK_RETURN_IF_ERROR(StartScanLocked(*want_scan_));
    unhealthy_ = false;
    last_report_mono_ = clock_.MonotonicMicros();
    std::lock_guard<std::mutex> lock(info_mu_);
    ++resets_;
    return Status::Ok();
}

void HciRadio::WatchdogLoop() {
    std::unique_lock<std::mutex> lock(wd_mu_);
    while (!stopping_) {
        if (wd_cv_.wait_for(lock, std::chrono::milliseconds(options_.watchdog_period_ms),
                            [this] { return stopping_; })) {
            break;
        }
        lock.unlock();
        (void)CheckWatchdog();
        lock.lock();
    }
}

ControllerInfo HciRadio::controller_info() const {
    std::lock_guard<std::mutex> lock(info_mu_);
    return info_;
}

RadioStatus HciRadio::GetStatus() const {
    RadioStatus s;
    std::lock_guard<std::mutex> lock(info_mu_);
    char version[64];
    std::snprintf(version, sizeof version, " (HCI version %u, manufacturer 0x%04x)",
                  info_.hci_version, info_.manufacturer);
    s.description = "hci " + description_ + version;
    s.advertising = advertising_;
    s.scanning = scanning_;
    s.extended_advertising_supported = info_.extended_advertising;
    s.advertised_address = advertised_address_;
    s.adverts_received = adverts_;
    s.malformed_reports = malformed_reports_;
    s.controller_resets = resets_;
    s.last_error = last_error_;
    return s;
}

}  // namespace jejak
