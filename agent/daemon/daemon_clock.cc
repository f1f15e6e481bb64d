// Daemon: how far the wall clock is trusted (agent/clock/clock_guard.h), the store's view
// of time (agent/clock/trusted_clock.h), and counting what the store refused.
#include <algorithm>
#include <ctime>
#include <string>

#include "agent/daemon/daemon.h"
#include "platform/base/civil_date.h"

namespace jejak {
namespace {

std::string Iso(int64_t unix_s) { return IsoUtcSeconds(unix_s); }

}  // namespace

int64_t Daemon::NowS() const {
    return gate_.TrustedMicros(clock_.NowUnixMicros(), clock_.MonotonicMicros()) / 1000000;
}

// Reads both clocks and the kernel's flag once: the step, the trust and the verdict. The
// store's clock follows the wall only while the verdict is plausible.
Status Daemon::ObserveClock() {
    const int64_t wall = clock_.NowUnixMicros(), mono = clock_.MonotonicMicros();
    const int64_t step = steps_.Observe(wall, mono);
    ntp_synchronised_ = options_.ntp_synchronised ? options_.ntp_synchronised() : false;
    if (ntp_synchronised_) unsync_since_mono_ = -1;
    else if (unsync_since_mono_ < 0) unsync_since_mono_ = mono;
    const bool was_trusted = gate_.trusted();
    const bool trusted = gate_.Observe(wall, mono, ntp_synchronised_);
    verdict_ = trusted ? CheckClock(options_.clock, wall / 1000000, ntp_synchronised_)
                       : ClockVerdict{ClockState::kUnconfirmedStep, gate_.Reason(wall, mono)};
    if (was_trusted && !trusted) log_ << "clock: not trusted: " << verdict_.reason << "\n";
    if (verdict_.plausible()) {
        const int64_t before_s = good_ ? (good_wall_ + (mono - good_mono_)) / 1000000 : 0;
        if (good_ && (step > 0 || !was_trusted)) WarnIfShredding(before_s, wall / 1000000);
        if (!was_trusted) log_ << "clock: trusted again at " << Iso(wall / 1000000) << "\n";
        good_ = true;
        good_wall_ = wall;
        good_mono_ = mono;
    }
    SteerStoreClock(mono);
    log_.flush();
    return step != 0 ? OnClockStep(step) : Status::Ok();
}

void Daemon::SteerStoreClock(int64_t mono) {
    if (options_.store_clock == nullptr) return;
    if (verdict_.plausible()) {
        if (!options_.store_clock->following()) options_.store_clock->Follow();
    } else if (options_.store_clock->following() && good_) {
        options_.store_clock->HoldFrom(good_wall_ + (mono - good_mono_), mono);
    }
}

// A trusted step that moves the retention window past days the store holds: those days are
// shredded at the store's next write. Says so, with both times.
void Daemon::WarnIfShredding(int64_t from_s, int64_t to_s) {
    auto stats = store_.Stats();
    if (!stats.ok()) return;
    const UtcDay oldest = OldestRetainedDay(UtcDayOfUnixSeconds(to_s), stats->retention_days);
    if (OldestRetainedDay(UtcDayOfUnixSeconds(from_s), stats->retention_days) >= oldest) return;
    const auto n = std::count_if(stats->days.begin(), stats->days.end(),
                                 [&](const DayCount& d) { return d.day < oldest; });
    if (n == 0) return;
    log_ << "clock: the step from " << Iso(from_s) << " to " << Iso(to_s) << " shreds " << n
         << " day(s) of the store (every day before " << Iso(int64_t{oldest} * 86400).substr(0, 10)
         << ", at most the retention's " << stats->retention_days << ")\n";
}

// An unconfirmed jump while on air: store what was heard, stop scanning, keep advertising.
Status Daemon::PauseRecording() {
    if (recording_paused_) return Status::Ok();
    recording_paused_ = true;
    Status scan = scanning_ ? radio_.StopScanning() : Status::Ok();
    scanning_ = false;
    Status window = CloseWindow(NowS());
    Status flush = FlushIfDue(NowS(), true);
    log_ << "paused: recording until the clock is confirmed; advertising on the trusted time "
         << Iso(NowS()) << "\n";
    log_.flush();
    for (const Status& st : {window, flush, scan}) {
        if (!st.ok()) return st;
    }
    return Status::Ok();
}

Status Daemon::ResumeRecording() {
    if (!recording_paused_) return Status::Ok();
    recording_paused_ = false;
    window_start_s_ = NowS();
    {
        std::lock_guard<std::mutex> lock(mu_);
        aggregator_.BeginScan(std::nullopt);
    }
    JEJAK_RETURN_IF_ERROR(
        radio_.StartScanning(options_.scan, [this](const ReceivedAdvert& a) { OnAdvert(a); }));
    scanning_ = true;
    next_scan_s_ = window_start_s_ + options_.scan_period_s;
    log_ << "resumed: recording, the clock is trusted\n";
    log_.flush();
    return Status::Ok();
}

// A step closes the window so every sighting keeps the day it was heard on.
Status Daemon::OnClockStep(int64_t step_micros) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        ++counters_.clock_steps;
    }
    log_ << "clock: wall time stepped " << (step_micros > 0 ? "forward " : "back ")
         << (step_micros > 0 ? step_micros : -step_micros) / 1000000 << " s\n";
    log_.flush();
    if (!on_air_ || recording_paused_) return Status::Ok();
    // Duty-cycled: the next scan is due within one period of the new time.
    next_scan_s_ = std::min(next_scan_s_, NowS() + options_.scan_period_s);
    return CloseWindow(NowS());
}

// Counts the writes the store refused since the last look, with their cause; returns how many.
// Called at each flush and after writing a key (Stats reads row counts: not per window).
uint64_t Daemon::NoteRefusals(const std::string& what) {
    auto stats = store_.Stats();
    if (!stats.ok()) return 0;
    const StoreRefusals now{stats->dropped_out_of_window, stats->dropped_day_cap,
                            stats->dropped_buffer_full};
    const StoreRefusals was = refusals_seen_;
    refusals_seen_ = now;
    const uint64_t n = now.total() - std::min(was.total(), now.total());
    if (n == 0) return 0;
    const std::string cause =
        now.out_of_window > was.out_of_window
            ? "its day is outside the store's window (expired, or more than a day ahead)"
        : now.day_cap > was.day_cap ? "the day already holds store.max_sightings_per_day rows"
                                    : "the write buffer was full while flushes failed";
    {
        std::lock_guard<std::mutex> lock(mu_);
        counters_.store_refused += n;
        last_refusal_ = "refused " + what + ": " + cause;
        last_refusal_s_ = NowS();
    }
    log_ << "store: refused " << n << " write(s) of " << what << ": " << cause << "\n";
    log_.flush();
    return n;
}

}  // namespace jejak
