// Clock plausibility and step detection.
#include "agent/clock/clock_guard.h"

#include <sys/timex.h>

#include <ctime>

#include "platform/base/civil_date.h"

namespace jejak {
namespace {

std::string IsoDate(int64_t unix_s) { return IsoUtcSeconds(unix_s); }

}  // namespace

const char* ClockStateName(ClockState state) {
    switch (state) {
        case ClockState::kPlausible: return "plausible";
        case ClockState::kBeforeBuildDate: return "before-build-date";
        case ClockState::kBeforeStoreSeen: return "before-store-seen";
        case ClockState::kNotSynchronised: return "not-synchronised";
        case ClockState::kUnconfirmedStep: return "unconfirmed-forward-step";
    }
    return "unknown";
}

ClockVerdict CheckClock(const ClockPolicy& policy, int64_t now_unix_s, bool ntp_synchronised) {
    if (now_unix_s < policy.not_before_unix_s) {
        return {ClockState::kBeforeBuildDate, "wall clock " + IsoDate(now_unix_s) +
                                                  " is before the build date " +
                                                  IsoDate(policy.not_before_unix_s)};
    }
    if (policy.store_seen_unix_s > 0 &&
        now_unix_s + kStoreSeenSlackSeconds < policy.store_seen_unix_s) {
        return {ClockState::kBeforeStoreSeen, "wall clock " + IsoDate(now_unix_s) +
                                                  " is before the store's latest time " +
                                                  IsoDate(policy.store_seen_unix_s)};
    }
    if (policy.require_ntp_sync && !ntp_synchronised) {
        return {ClockState::kNotSynchronised,
                "the kernel reports the clock unsynchronised (clock.require_ntp_sync)"};
    }
    return {};
}

int64_t ClockStepDetector::Observe(int64_t wall_micros, int64_t mono_micros) {
    int64_t step = 0;
    if (primed_) {
        const int64_t drift = (wall_micros - wall_) - (mono_micros - mono_);
        if (drift > threshold_micros_ || drift < -threshold_micros_) step = drift;
    }
    primed_ = true;
    wall_ = wall_micros;
    mono_ = mono_micros;
    return step;
}

void ForwardStepGate::Prime(int64_t reference_unix_s, int64_t mono_micros) {
    trusted_ = true;
    have_ref_ = reference_unix_s * 1000000 >= floor_micros_ && reference_unix_s > 0;
    ref_wall_ = reference_unix_s * 1000000;
    ref_mono_ = mono_micros;
}

bool ForwardStepGate::Observe(int64_t wall, int64_t mono, bool ntp_synchronised) {
    if (wall < floor_micros_) return trusted_;  // never a reference; CheckClock keeps it off air
    const int64_t ahead = wall - (ref_wall_ + (mono - ref_mono_));
    const bool within = !have_ref_ || ahead <= policy_.max_forward_step_s * 1000000;
    if (!trusted_) {
        const int64_t drift = (wall - run_wall_) - (mono - run_mono_);
        if (drift > jitter_micros_ || drift < -jitter_micros_) run_wall_ = wall, run_mono_ = mono;
        const bool steady = mono - run_mono_ >= policy_.confirm_after_s * 1000000;
        if (!(within || ntp_synchronised || steady)) return false;
    } else if (!within && !ntp_synchronised) {
        trusted_ = false;
        run_wall_ = wall, run_mono_ = mono;
        return false;
    }
    // The reference never moves back: a clock that went back and returns is not a jump.
    if (!have_ref_ || ahead >= 0) ref_wall_ = wall, ref_mono_ = mono;
    trusted_ = have_ref_ = true;
    return true;
}

int64_t ForwardStepGate::TrustedMicros(int64_t wall, int64_t mono) const {
    if (trusted_) return wall;
    return ref_wall_ + (mono - ref_mono_);
}

std::string ForwardStepGate::Reason(int64_t wall, int64_t mono) const {
    if (trusted_) return {};
    const int64_t trusted_s = TrustedMicros(wall, mono) / 1000000;
    return "wall clock " + IsoDate(wall / 1000000) + " jumped more than " +
           std::to_string(policy_.max_forward_step_s) + " s ahead of the last trusted time (now " +
           IsoDate(trusted_s) + "): not trusted until NTP synchronises or it runs steadily for " +
           std::to_string(policy_.confirm_after_s) + " s (clock.confirm_after_s)";
}

bool KernelClockSynchronised() {
    struct timex tx = {};
    const int state = adjtimex(&tx);
    return state >= 0 && state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

}  // namespace jejak
