// The store's view of time under `jejak run`.
#include "agent/clock/trusted_clock.h"

namespace jejak {

TrustedClock::TrustedClock(const Clock& wall, int64_t held_unix_micros)
    : wall_(wall), held_wall_(held_unix_micros), held_mono_(wall.MonotonicMicros()) {}

int64_t TrustedClock::NowUnixMicros() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (following_) return wall_.NowUnixMicros();
    return held_wall_ + (wall_.MonotonicMicros() - held_mono_);
}

void TrustedClock::Follow() {
    std::lock_guard<std::mutex> lock(mu_);
    following_ = true;
}

void TrustedClock::HoldFrom(int64_t unix_micros, int64_t mono_micros) {
    std::lock_guard<std::mutex> lock(mu_);
    following_ = false;
    held_wall_ = unix_micros;
    held_mono_ = mono_micros;
}

bool TrustedClock::following() const {
    std::lock_guard<std::mutex> lock(mu_);
    return following_;
}

}  // namespace jejak
