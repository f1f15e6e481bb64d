// The last measured offset of the device clock from a server's (the Date header of a reply
// to `jejak keys fetch` or `jejak report`), kept in the state dir (kClockOffsetFileName) for
// `jejak status`: {"offset_s": number (device minus server), "measured_unix": int,
// "source": str}. A clock more than kClockOffsetAttentionSeconds off needs attention: RPIs
// it stamps fall outside receivers' windows, and its sightings outside the keys'.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/base/status.h"

namespace jejak {

inline constexpr double kClockOffsetAttentionSeconds = 600;

struct ClockOffset {
    double offset_s = 0;        // device minus server, tenths of a second
    int64_t measured_unix = 0;  // device clock when measured
    std::string source;         // e.g. "keys fetch https://keys.example.org"
};

// Offset rounded to tenths (the Date header has whole seconds).
ClockOffset MakeClockOffset(double offset_s, int64_t measured_unix, std::string source);

Status SaveClockOffset(const std::string& state_dir, const ClockOffset& offset);
// nullopt when never measured; Corruption for a file that is not a measurement.
Result<std::optional<ClockOffset>> LoadClockOffset(const std::string& state_dir);

// The `status --json` object; every field null before any measurement.
nlohmann::json ClockOffsetJson(const std::optional<ClockOffset>& offset);
// The attention reason for an offset above the bound, e.g. "the clock is 900 s ahead of
// report http://... (measured 2026-...)"; nullopt within it.
std::optional<std::string> ClockOffsetAttention(const ClockOffset& offset);

}  // namespace jejak
