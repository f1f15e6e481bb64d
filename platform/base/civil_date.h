// Proleptic Gregorian calendar dates as day numbers (days since 1970-01-01), counted in
// 400-year eras of 146,097 days with the year starting in March, so that the leap day comes
// last. Pure arithmetic on any int64 range the callers use (years 1970..9999).
#pragma once

#include <cstdint>
#include <string>

namespace jejak {

// Days since the Unix epoch (UTC).
using UtcDay = uint32_t;

inline constexpr UtcDay UtcDayOfUnixSeconds(int64_t unix_seconds) {
    return unix_seconds <= 0 ? 0 : static_cast<UtcDay>(unix_seconds / 86400);
}

// Days from 1970-01-01 to year-month-day (month 1..12, day 1..31; not validated).
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day);

// Whether year-month-day exists (e.g. 2024-02-29 yes, 2023-02-29 no).
bool IsValidCivilDate(int64_t year, int64_t month, int64_t day);

// Unix seconds as ISO 8601 UTC to the second ("2026-01-15T10:03:00Z"), and its UTC date
// ("2026-01-15"): the one formatter of Jejak's times and dates in text and JSON. "?" for a
// time the C library cannot break down.
std::string IsoUtcSeconds(int64_t unix_s);
std::string IsoUtcDate(int64_t unix_s);

}  // namespace jejak
