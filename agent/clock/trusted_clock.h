// The clock the store is given under `jejak run`: the wall clock while the daemon trusts it,
// otherwise the last trusted time moved on by the monotonic clock. The store ratchets its
// keyring (shredding the days it leaves) on the time it reads, so a wall clock that jumped
// to 2030 must not reach it before the jump is confirmed (agent/clock/clock_guard.h).
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>

#include "platform/base/clock.h"

namespace jejak {

class TrustedClock final : public Clock {
public:
    // Starts holding at `held_unix_micros` (the build date: a time no store has gone past,
    // so opening one ratchets nothing) until Follow or HoldFrom. `wall` must outlive this.
    TrustedClock(const Clock& wall, int64_t held_unix_micros);

    int64_t NowUnixMicros() const override;
    int64_t MonotonicMicros() const override { return wall_.MonotonicMicros(); }
    void SleepFor(int64_t micros) const override { wall_.SleepFor(micros); }

    // Reads the wall clock from now on.
    void Follow();
    // Reads `unix_micros` at monotonic time `mono_micros`, moving on with the monotonic clock.
    void HoldFrom(int64_t unix_micros, int64_t mono_micros);
    bool following() const;

private:
    const Clock& wall_;
    mutable std::mutex mu_;
    bool following_ = false;
    int64_t held_wall_ = 0;
    int64_t held_mono_ = 0;
};

}  // namespace jejak
