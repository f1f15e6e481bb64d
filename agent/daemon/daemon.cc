// Daemon: TEK upkeep, advert rotation, scan-window aggregation and write-behind storage.
#include "agent/daemon/daemon.h"

#include <algorithm>
#include <string>
#include <utility>

#include "gaen/keys/key_schedule.h"
#include "platform/codec/gaen_advert.h"

namespace jejak {

Daemon::Daemon(Radio& radio, const Clock& clock, Store& store, RandomSource& random,
               DaemonOptions options, std::ostream& log)
    : radio_(radio),
      clock_(clock),
      store_(store),
      random_(random),
      options_(options),
      log_(log),
      steps_(options.clock.step_threshold_micros),
      gate_(options.trust, options.clock.not_before_unix_s, options.clock.step_threshold_micros),
      aggregator_(options.scan_regime,
                  options.scan_regime == ScanRegime::kContinuous ? options.bin_seconds : 0,
                  options.max_rpis_per_window) {}

Daemon::~Daemon() { (void)Stop(); }

DaemonCounters Daemon::Counters() const {
    std::lock_guard<std::mutex> lock(mu_);
    return counters_;
}

// Keeps the key valid at `interval`: the stored key of the interval's day that holds it,
// read again at every rotation so a key released early by an upload (possibly from another
// process) stops being broadcast at the next interval boundary, where its successor starts.
// A fresh key starts at the day's start, or at `interval` when the day already had a key.
//
// While the store cannot be written (full or failing disk) a fresh key still goes on air: it
// is held in memory, used for the rest of its day like a stored one, and written by the next
// flush that succeeds (StoreHeldKeys). A key held when the process ends is lost with it.
Status Daemon::EnsureTek(EnIntervalNumber interval) {
    const EnIntervalNumber start = RollingStartOf(interval);
    std::vector<StoredTek> rows;
    auto read = store_.ForEachTek(DayRange::One(DayOfInterval(start)),
                                  [&](const StoredTek& t) { rows.push_back(t); });
    if (!read.ok()) {
        // A disk that cannot be read either: the key on air stays while it is valid.
        const StoredTek current[] = {tek_.value_or(StoredTek{})};
        if (tek_ && TekValidAt(current, interval)) return NoteStoreFailure(read.status());
        return read.status();
    }
    for (const StoredTek& held : unstored_teks_) {
        if (DayOfInterval(held.rolling_start) == DayOfInterval(start)) rows.push_back(held);
    }
    std::optional<StoredTek> found = TekValidAt(EffectiveTeks(rows), interval);
    if (found && tek_ && *found == *tek_) return Status::Ok();
    if (!found) {
        const EnIntervalNumber from = rows.empty() ? start : interval;
        StoredTek fresh{GenerateTek(random_), from, kTekRollingPeriod - (from - start)};
        Status put = store_.PutTek(fresh);
        if (!put.ok()) {
            JEJAK_RETURN_IF_ERROR(NoteStoreFailure(put));
            unstored_teks_.push_back(fresh);
            log_ << "tek: new key for day " << DayOfInterval(start)
                 << " held in memory until the store can be written\n";
        } else if (NoteRefusals("key of day " + std::to_string(DayOfInterval(start))) == 0) {
            std::lock_guard<std::mutex> lock(mu_);
            ++counters_.teks_generated;
            log_ << "tek: new key for day " << DayOfInterval(start) << "\n";
        }
        found = std::move(fresh);
    } else {
        log_ << "tek: reusing the stored key of day " << DayOfInterval(start) << "\n";
    }
    tek_ = std::move(found);
    return Status::Ok();
}

// RPI of `interval` + AEM of metadata v1.0 under a fresh non-resolvable private address.
Result<AdvertisingSet> Daemon::BuildSet(EnIntervalNumber interval) {
    JEJAK_RETURN_IF_ERROR(EnsureTek(interval));
    JEJAK_ASSIGN_OR_RETURN(MetadataBytes metadata,
                           EncodeMetadata(Metadata::V10(options_.calibrated_tx_power_dbm)));
    GaenPayload payload;
    {
        const Rpik rpik = DeriveRpik(tek_->tek);
        JEJAK_ASSIGN_OR_RETURN(payload.rpi, DeriveRpi(rpik, interval));
    }
    {
        const Aemk aemk = DeriveAemk(tek_->tek);
        JEJAK_ASSIGN_OR_RETURN(payload.aem, CryptMetadata(aemk, payload.rpi, metadata));
    }
    std::array<uint8_t, 6> random{};
    random_.Fill(random);
    AdvertisingSet set{MakeNonResolvablePrivateAddress(random), BuildGaenAdvert(payload)};
    std::lock_guard<std::mutex> lock(mu_);
    own_rpis_.push_back(payload.rpi);
    if (own_rpis_.size() > 2) own_rpis_.erase(own_rpis_.begin());
    return set;
}

Status Daemon::Start() {
    if (running_) return Status::FailedPrecondition("daemon already running");
    JEJAK_ASSIGN_OR_RETURN(StoreStats stats, store_.Stats());
    options_.clock.store_seen_unix_s = stats.last_flush_unix_s;
    refusals_seen_ = {stats.dropped_out_of_window, stats.dropped_day_cap, stats.dropped_buffer_full};
    running_ = true;
    gate_.Prime(stats.last_flush_unix_s, clock_.MonotonicMicros());
    JEJAK_RETURN_IF_ERROR(ObserveClock());
    last_summary_s_ = NowS();
    if (verdict_.plausible()) return GoOnAir();
    log_ << "waiting: not on air until the clock is plausible: " << verdict_.reason << "\n";
    log_.flush();
    return Status::Ok();
}

// Advertising and scanning begin: the clock was found plausible.
Status Daemon::GoOnAir() {
    JEJAK_ASSIGN_OR_RETURN(EnIntervalNumber now, IntervalFromUnixSeconds(NowS()));
    if (now <= highest_interval_) {  // back on air after the clock went back: wait it out
        interval_ = now;
        advertising_paused_ = true;
    } else {
        interval_ = highest_interval_ = now;
        JEJAK_ASSIGN_OR_RETURN(current_, BuildSet(interval_));
        AdvertisingParams params = options_.advertising;
        params.tx_power_dbm = options_.tx_power_dbm;
        JEJAK_RETURN_IF_ERROR(radio_.StartAdvertising(current_, params));
        advertising_paused_ = false;
    }
    recording_paused_ = false;
    window_start_s_ = last_flush_s_ = NowS();
    {
        std::lock_guard<std::mutex> lock(mu_);
        aggregator_.BeginScan(std::nullopt);
    }
    Status s =
        radio_.StartScanning(options_.scan, [this](const ReceivedAdvert& a) { OnAdvert(a); });
    if (!s.ok()) {
        (void)radio_.StopAdvertising();
        return s;
    }
    on_air_ = true;
    scanning_ = true;
    next_scan_s_ = window_start_s_ + options_.scan_period_s;
    log_ << "started: advertising at " << static_cast<int>(options_.tx_power_dbm)
         << " dBm (metadata: calibrated " << static_cast<int>(options_.calibrated_tx_power_dbm)
         << " dBm), scanning " << options_.scan.window_ms << "/" << options_.scan.interval_ms
         << " ms, windows of " << options_.scan_window_s << " s, "
         << (options_.scan_regime == ScanRegime::kDutyCycled
                 ? "duty-cycled every " + std::to_string(options_.scan_period_s) + " s"
                 : "continuous, " + std::to_string(options_.bin_seconds) + "-s bins")
         << "\n";
    log_.flush();
    return Status::Ok();
}

// Stops scanning and advertising and stores the open window and everything buffered. Every
// step runs even after one fails; the first failure (window, flush, scan, advertising) is
// returned.
Status Daemon::LeaveAir(bool final) {
    on_air_ = false;
    recording_paused_ = false;
    Status scan = scanning_ ? radio_.StopScanning() : Status::Ok();
    scanning_ = false;
    Status adv = radio_.StopAdvertising();
    const int64_t now_s = NowS();
    Status window = CloseWindow(now_s);
    // Leaving for good, a write the store cannot take is lost: that is an error. Going off
    // air while still running, the buffer waits for the disk like any other flush.
    Status flush = FlushIfDue(now_s, true);
    if (final && flush.ok() && (!store_fault_.empty() || !unstored_teks_.empty())) {
        flush = Status::IOError("the store could not be written before stopping (" +
                                store_fault_ + "): " + std::to_string(unflushed_) +
                                " sightings and " + std::to_string(unstored_teks_.size()) +
                                " key(s) held in memory are lost");
    }
    for (const Status& st : {window, flush, scan, adv}) {
        if (!st.ok()) return st;
    }
    return Status::Ok();
}

// The clock became implausible while on air: store what was heard, then stay silent.
Status Daemon::GoOffAir(const std::string& why) {
    Status left = LeaveAir(false);
    log_ << "waiting: off air until the clock is plausible: " << why << "\n";
    log_.flush();
    return left;
}

void Daemon::OnAdvert(const ReceivedAdvert& advert) {
    const auto payload = ParseGaenAdvert(advert.payload);
    if (!payload || advert.rssi_dbm == 127) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (std::find(own_rpis_.begin(), own_rpis_.end(), payload->rpi) != own_rpis_.end()) return;
    ++counters_.adverts_heard;
    if (options_.summary_interval_s > 0) summary_rpis_.insert(payload->rpi);
    aggregator_.Add(
        Reception{payload->rpi, payload->aem, advert.unix_micros / 1000000, advert.rssi_dbm});
}

// Intervals only move forward on air: after a step back, the intervals up to the highest
// one used are never advertised again (their RPIs were on air already).
Status Daemon::RotateIfDue() {
    JEJAK_ASSIGN_OR_RETURN(EnIntervalNumber now, IntervalFromUnixSeconds(NowS()));
    if (now == interval_) return Status::Ok();
    interval_ = now;
    if (now <= highest_interval_) {
        if (!advertising_paused_) {
            JEJAK_RETURN_IF_ERROR(radio_.StopAdvertising());
            advertising_paused_ = true;
            log_ << "paused: advertising until the clock passes interval " << highest_interval_
                 << " again\n";
            log_.flush();
        }
        return Status::Ok();
    }
    JEJAK_ASSIGN_OR_RETURN(AdvertisingSet next, BuildSet(now));
    if (adv_lost_) {
        // The radio is down: the new set waits for RestoreRadioIfDue, address and RPI together.
        advertising_paused_ = false;
    } else if (advertising_paused_) {
        AdvertisingParams params = options_.advertising;
        params.tx_power_dbm = options_.tx_power_dbm;
        Status started = radio_.StartAdvertising(next, params);
        advertising_paused_ = false;
        if (!started.ok()) JEJAK_RETURN_IF_ERROR(NoteRadioFailure(started, true));
    } else if (Status rotated = radio_.Rotate(next); !rotated.ok()) {
        // Advertising is off now (Radio::Rotate); this set, never on air under another
        // address, is the one to bring back.
        JEJAK_RETURN_IF_ERROR(NoteRadioFailure(rotated, true));
    }
    current_ = std::move(next);
    highest_interval_ = now;
    last_rotation_s_ = NowS();
    {
        std::lock_guard<std::mutex> lock(mu_);
        ++counters_.rotations;
    }
    log_ << "rotated: address and payload for interval " << now << "\n";
    log_.flush();
    return Status::Ok();
}

Status Daemon::CloseWindow(int64_t now_s) {
    std::vector<Sighting> sightings;
    uint64_t dropped = 0;
    {
        std::lock_guard<std::mutex> lock(mu_);
        sightings = aggregator_.EndScan();
        aggregator_.BeginScan(now_s);
        dropped = aggregator_.dropped_receptions() - counters_.receptions_dropped;
        counters_.receptions_dropped += dropped;
    }
    if (dropped > 0) {
        log_ << "scan window full (" << options_.max_rpis_per_window << " RPIs): dropped "
             << dropped << " receptions, weakest signals first\n";
    }
    window_start_s_ = now_s;
    // A reception delivered across a clock step can make a window the store refuses (its
    // first and last times too far apart): drop that one, never the whole window.
    const size_t before = sightings.size();
    std::erase_if(sightings, [](const Sighting& x) { return !CheckSighting(x).ok(); });
    const size_t malformed = before - sightings.size();
    if (!sightings.empty()) {
        // Buffered even when the store's own flush then failed (Store::AddSightings).
        Status added = store_.AddSightings(sightings);
        if (!added.ok()) JEJAK_RETURN_IF_ERROR(NoteStoreFailure(added));
    }
    // What the store refuses (at its flushes) is counted at the daemon's next flush.
    unflushed_ += sightings.size();
    std::lock_guard<std::mutex> lock(mu_);
    counters_.sightings_dropped += malformed;
    return Status::Ok();
}

Status Daemon::FlushIfDue(int64_t now_s, bool force) {
    if (!force && ((unflushed_ == 0 && unstored_teks_.empty()) ||
                   now_s - last_flush_s_ < options_.flush_interval_s)) {
        return Status::Ok();
    }
    // A failed attempt waits a whole flush interval too: no busy retrying of a full disk.
    last_flush_s_ = now_s;
    if (Status held = StoreHeldKeys(); !held.ok()) return NoteStoreFailure(held);
    if (Status flushed = store_.Flush(); !flushed.ok()) return NoteStoreFailure(flushed);
    NoteStoreWritable();
    unflushed_ -= std::min(NoteRefusals("sightings"), unflushed_);
    if (unflushed_ > 0) {
        log_ << "flushed " << unflushed_ << " sightings\n";
        log_.flush();
    }
    std::lock_guard<std::mutex> lock(mu_);
    counters_.sightings_flushed += unflushed_;
    counters_.sightings_stored += unflushed_;
    unflushed_ = 0;
    return Status::Ok();
}

Status Daemon::NoteRadioFailure(const Status& failure, bool advertising) {
    if (failure.IsInvalidArgument()) return failure;  // our own bug, not the controller's
    (advertising ? adv_lost_ : scan_lost_) = true;
    // An HCI radio pauses scanning around advertising commands: bring both back.
    if (advertising && scanning_ && options_.scan_regime == ScanRegime::kContinuous) {
        scan_lost_ = true;
    }
    const bool first = radio_fault_.empty();
    const int64_t now_s = NowS();
    radio_backoff_s_ = first ? 2 : std::min<int64_t>(64, radio_backoff_s_ * 2);
    radio_retry_at_s_ = now_s + radio_backoff_s_;
    {
        std::lock_guard<std::mutex> lock(mu_);
        ++counters_.radio_failures;
        radio_fault_ = failure.ToString();
        if (first) radio_fault_since_s_ = now_s;
    }
    if (first) {
        log_ << "radio: " << failure.ToString() << ": off air; keys and intervals move on, "
             << "retrying with backoff\n";
        log_.flush();
    }
    return Status::Ok();
}

Status Daemon::RestoreRadioIfDue(int64_t now_s) {
    if (!adv_lost_ && !scan_lost_) return Status::Ok();
    if (now_s < radio_retry_at_s_) return Status::Ok();
    if (adv_lost_ && !advertising_paused_) {
        // Whatever the radio kept (a controller reset restores only what it last confirmed)
        // goes, then the set of this interval goes on air: address and RPI together.
        (void)radio_.StopAdvertising();
        AdvertisingParams params = options_.advertising;
        params.tx_power_dbm = options_.tx_power_dbm;
        if (Status s = radio_.StartAdvertising(current_, params); !s.ok()) {
            return NoteRadioFailure(s, true);
        }
    }
    adv_lost_ = false;
    if (scan_lost_ && scanning_) {
        Status s =
            radio_.StartScanning(options_.scan, [this](const ReceivedAdvert& a) { OnAdvert(a); });
        if (!s.ok()) return NoteRadioFailure(s, false);
    }
    scan_lost_ = false;
    NoteRadioWorking(now_s);
    return Status::Ok();
}

void Daemon::NoteRadioWorking(int64_t now_s) {
    if (radio_fault_.empty() || adv_lost_ || scan_lost_) return;
    const int64_t since = radio_fault_since_s_;
    {
        std::lock_guard<std::mutex> lock(mu_);
        ++counters_.radio_recoveries;
        radio_fault_.clear();
        radio_fault_since_s_ = 0;
    }
    radio_backoff_s_ = 0;
    log_ << "radio: back on air after " << now_s - since << " s\n";
    log_.flush();
}

Status Daemon::StoreHeldKeys() {
    while (!unstored_teks_.empty()) {
        const StoredTek& held = unstored_teks_.front();
        JEJAK_RETURN_IF_ERROR(store_.PutTek(held));
        const UtcDay day = DayOfInterval(held.rolling_start);
        if (NoteRefusals("key of day " + std::to_string(day)) == 0) {
            std::lock_guard<std::mutex> lock(mu_);
            ++counters_.teks_generated;
            log_ << "tek: stored the key of day " << day << " held while the store failed\n";
        }
        unstored_teks_.erase(unstored_teks_.begin());
    }
    return Status::Ok();
}

Status Daemon::NoteStoreFailure(const Status& failure) {
    if (!failure.IsIOError() && !failure.IsPermissionDenied() && !failure.IsUnavailable()) {
        return failure;
    }
    const bool first = store_fault_.empty();
    {
        std::lock_guard<std::mutex> lock(mu_);
        ++counters_.store_write_failures;
        store_fault_ = failure.ToString();
        if (first) store_fault_since_s_ = NowS();
    }
    if (first) {
        log_ << "store: cannot write (" << failure.ToString()
             << "): still on air, holding sightings in memory and retrying every "
             << options_.flush_interval_s << " s\n";
        log_.flush();
    }
    return Status::Ok();
}

void Daemon::NoteStoreWritable() {
    if (store_fault_.empty()) return;
    const int64_t since = store_fault_since_s_;
    {
        std::lock_guard<std::mutex> lock(mu_);
        store_fault_.clear();
        store_fault_since_s_ = 0;
    }
    log_ << "store: writing again after " << NowS() - since << " s; held sightings committed\n";
    log_.flush();
}

// Duty-cycled: ends a scan after scan_window_s (storing it, stopping the radio's scan) and
// starts the next one scan_period_s after the previous start.
Status Daemon::DutyCycle(int64_t now_s) {
    if (scanning_ && now_s - window_start_s_ >= options_.scan_window_s) {
        JEJAK_RETURN_IF_ERROR(CloseWindow(now_s));
        scanning_ = false;
        if (Status stopped = radio_.StopScanning(); !stopped.ok()) {
            JEJAK_RETURN_IF_ERROR(NoteRadioFailure(stopped, false));
            scan_lost_ = false;  // stopping was the point: the next scan starts it afresh
        }
    }
    if (!scanning_ && now_s >= next_scan_s_) {
        Status started =
            radio_.StartScanning(options_.scan, [this](const ReceivedAdvert& a) { OnAdvert(a); });
        if (!started.ok()) {
            // This scan is skipped; the next one is tried at its time.
            JEJAK_RETURN_IF_ERROR(NoteRadioFailure(started, false));
            scan_lost_ = false;
            next_scan_s_ = now_s + options_.scan_period_s;
            return Status::Ok();
        }
        NoteRadioWorking(now_s);
        scanning_ = true;
        window_start_s_ = now_s;
        next_scan_s_ = now_s + options_.scan_period_s;
    }
    return Status::Ok();
}

Status Daemon::Tick() {
    if (!running_) return Status::FailedPrecondition("daemon not running");
    JEJAK_RETURN_IF_ERROR(ObserveClock());
    // An unconfirmed jump keeps a device on air (advertising on trusted time), not recording.
    const bool unconfirmed = verdict_.state == ClockState::kUnconfirmedStep;
    if (!verdict_.plausible() && !(unconfirmed && on_air_)) {
        return on_air_ ? GoOffAir(verdict_.reason) : Status::Ok();
    }
    if (!on_air_) return GoOnAir();
    JEJAK_RETURN_IF_ERROR(unconfirmed ? PauseRecording() : ResumeRecording());
    JEJAK_RETURN_IF_ERROR(RotateIfDue());
    const int64_t now_s = NowS();
    JEJAK_RETURN_IF_ERROR(RestoreRadioIfDue(now_s));
    if (!recording_paused_) JEJAK_RETURN_IF_ERROR(ScanIfDue(now_s));
    LogSummaryIfDue(now_s);
    return FlushIfDue(now_s, false);
}

Status Daemon::ScanIfDue(int64_t now_s) {
    if (options_.scan_regime == ScanRegime::kDutyCycled) return DutyCycle(now_s);
    // Windows end on multiples of scan_window_s (or when the clock went back).
    const int64_t w = std::max<int64_t>(1, options_.scan_window_s);
    if (now_s >= (window_start_s_ / w + 1) * w || now_s < window_start_s_) {
        return CloseWindow(now_s);
    }
    return Status::Ok();
}

// One line a field tester can grep: what the last summary period heard and stored.
void Daemon::LogSummaryIfDue(int64_t now_s) {
    if (options_.summary_interval_s <= 0) return;
    if (now_s - last_summary_s_ < options_.summary_interval_s && now_s >= last_summary_s_) return;
    last_summary_s_ = now_s;
    const DaemonCounters c = Counters();
    size_t distinct = 0;
    {
        std::lock_guard<std::mutex> lock(mu_);
        distinct = summary_rpis_.size();
        summary_rpis_.clear();
    }
    log_ << "summary: adverts_heard=" << c.adverts_heard << " distinct_rpis=" << distinct
         << " sightings_stored=" << c.sightings_stored << " rotations=" << c.rotations
         << " controller_resets=" << radio_.GetStatus().controller_resets << "\n";
    log_.flush();
}

Status Daemon::Reload(const DaemonReload& reload) {
    JEJAK_RETURN_IF_ERROR(ValidateScanning(reload.scan));
    AdvertisingParams params = reload.advertising;
    params.tx_power_dbm = reload.tx_power_dbm;
    if (params.min_interval_ms < 20 || params.max_interval_ms > 10240 ||
        params.min_interval_ms > params.max_interval_ms) {
        return Status::InvalidArgument("advertising interval must satisfy 20 <= min <= max <= "
                                       "10240 ms");
    }
    options_.scan = reload.scan;
    options_.advertising = reload.advertising;
    options_.tx_power_dbm = reload.tx_power_dbm;
    if (on_air_ && scanning_) {
        JEJAK_RETURN_IF_ERROR(radio_.StartScanning(
            options_.scan, [this](const ReceivedAdvert& a) { OnAdvert(a); }));
        if (!advertising_paused_) {
            JEJAK_RETURN_IF_ERROR(radio_.StopAdvertising());
            JEJAK_RETURN_IF_ERROR(radio_.StartAdvertising(current_, params));
        }
    }
    log_ << "reloaded: advertising at " << static_cast<int>(options_.tx_power_dbm)
         << " dBm, scanning " << options_.scan.window_ms << "/" << options_.scan.interval_ms
         << " ms\n";
    log_.flush();
    return Status::Ok();
}

DaemonSnapshot Daemon::Snapshot() const {
    DaemonSnapshot snap;
    snap.running = running_;
    snap.on_air = on_air_;
    snap.advertising_paused = advertising_paused_;
    snap.recording_paused = recording_paused_;
    snap.clock = verdict_;
    snap.ntp_synchronised = ntp_synchronised_;
    if (unsync_since_mono_ >= 0) {
        snap.unsynchronised_for_s = (clock_.MonotonicMicros() - unsync_since_mono_) / 1000000;
    }
    snap.interval = on_air_ ? interval_ : 0;
    snap.last_rotation_unix_s = last_rotation_s_;
    snap.scan = options_.scan;
    snap.tx_power_dbm = options_.tx_power_dbm;
    std::lock_guard<std::mutex> lock(mu_);
    snap.counters = counters_;
    snap.last_refusal = last_refusal_;
    snap.last_refusal_unix_s = last_refusal_s_;
    snap.store_fault = store_fault_;
    snap.store_fault_since_unix_s = store_fault_since_s_;
    snap.unstored_keys = unstored_teks_.size();
    snap.radio_fault = radio_fault_;
    snap.radio_fault_since_unix_s = radio_fault_since_s_;
    return snap;
}

Status Daemon::Stop() {
    if (!running_) return Status::Ok();
    running_ = false;
    if (!on_air_) {
        log_ << "stopped: never on air (" << verdict_.reason << ")\n";
        log_.flush();
        return Status::Ok();
    }
    Status left = LeaveAir(true);
    const DaemonCounters c = Counters();
    log_ << "stopped: heard " << c.adverts_heard << " GAEN adverts, stored " << c.sightings_stored
         << " sightings, " << c.rotations << " rotations\n";
    log_.flush();
    return left;
}

}  // namespace jejak
