// Clock plausibility and step detection.
#include "agent/daemon/clock_guard.h"

#include <sys/timex.h>

#include <ctime>

namespace jejak {
namespace {

std::string IsoDate(int64_t unix_s) {
    const time_t t = static_cast<time_t>(unix_s);
    struct tm tm_utc = {};
    gmtime_r(&t, &tm_utc);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
    return buf;
}

}  // namespace

const char* ClockStateName(ClockState state) {
    switch (state) {
        case ClockState::kPlausible: return "plausible";
        case ClockState::kBeforeBuildDate: return "before-build-date";
        case ClockState::kBeforeStoreSeen: return "before-store-seen";
        case ClockState::kNotSynchronised: return "not-synchronised";
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

bool KernelClockSynchronised() {
    struct timex tx = {};
    const int state = adjtimex(&tx);
    return state >= 0 && state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

}  // namespace jejak
