// ENIntervalNumber arithmetic (GAEN crypto spec v1.2, docs/PROTOCOL.md 1.1).
// Pure functions: time is always an argument.
#pragma once

#include <cstdint>

#include "platform/base/status.h"

namespace jejak {

// 10-minute interval number since the Unix epoch, a 32-bit unsigned value.
using EnIntervalNumber = uint32_t;

inline constexpr int64_t kIntervalSeconds = 600;
// TEKRollingPeriod: 144 intervals = 24 hours.
inline constexpr uint32_t kTekRollingPeriod = 144;
// Matching tolerance for clock drift: 12 intervals (2 hours) either side.
inline constexpr uint32_t kClockDriftIntervals = 12;

// floor(unix_seconds / 600); InvalidArgument for times before the epoch or past the
// last representable interval.
Result<EnIntervalNumber> IntervalFromUnixSeconds(int64_t unix_seconds);
inline constexpr int64_t UnixSecondsOfInterval(EnIntervalNumber enin) {
    return static_cast<int64_t>(enin) * kIntervalSeconds;
}
// Start of the UTC day (the rolling start of that day's TEK): 144 * floor(enin / 144).
inline constexpr EnIntervalNumber RollingStartOf(EnIntervalNumber enin) {
    return enin - enin % kTekRollingPeriod;
}
// UTC day number (days since the epoch) holding the interval.
inline constexpr uint32_t DayOfInterval(EnIntervalNumber enin) { return enin / kTekRollingPeriod; }

// The intervals a TEK is valid for: [rolling_start, rolling_start + rolling_period).
struct TekValidity {
    EnIntervalNumber rolling_start = 0;
    uint32_t rolling_period = kTekRollingPeriod;

    // Rejects periods outside 1..144 and windows that overflow 32 bits.
    Status Check() const;
    bool Contains(EnIntervalNumber enin) const {
        return enin >= rolling_start && enin - rolling_start < rolling_period;
    }
    // The last valid interval.
    EnIntervalNumber Last() const { return rolling_start + rolling_period - 1; }
};

}  // namespace jejak
