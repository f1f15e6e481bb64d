// How every human-facing `jejak` output writes times, days and signal levels, so commands
// agree: ISO 8601 in UTC ("2026-01-15T10:03:00Z") unless the reader asked for local time
// (`--local`: "2026-01-15T18:03:00+08:00"); JSON carries Unix seconds in fields named *_unix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jejak {

// ISO 8601 of a Unix time in seconds, UTC ("...Z") or local with its offset.
std::string IsoTime(int64_t unix_s, bool local = false);
// The same with microseconds ("2020-05-20T12:00:00.016000Z"), for radio reports.
std::string IsoTimeMicros(int64_t unix_us, bool local = false);
// "YYYY-MM-DD" of the UTC day that holds `unix_s`.
std::string IsoDay(int64_t unix_s);
// Days since 1970-01-01 of a strict "YYYY-MM-DD"; nullopt when malformed or impossible.
std::optional<uint32_t> ParseIsoDay(std::string_view text);
// An RSSI in dBm as text; 127 (the HCI "not available" value) reads "n/a".
std::string RssiText(int rssi_dbm);

}  // namespace jejak
