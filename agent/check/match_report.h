// The result of one exposure check as JSON: what `jejak match --json` prints, what the
// notification hook reads on stdin, what is sealed into the store's exposure-check results
// and what the status file in the state directory holds. It carries counts, daily scores and
// the decision, never key material or RPIs. It is kept only sealed in the store (an
// exposure-check row of the check's day, expiring with that day): nothing about the decision
// is written in clear.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/exposure/match.h"
#include "agent/exposure/match_resolve.h"
#include "agent/risk/risk_score.h"

namespace jejak {

struct CheckReport {
    int64_t checked_at = 0;  // Unix seconds
    size_t files = 0;
    MatchStats match;
    WindowStats windows;
    size_t exposed_keys = 0;
    size_t exposure_windows = 0;
    // The smallest attenuation of any scan in those windows (the closest the exposure came);
    // absent without windows.
    std::optional<int> closest_attenuation_db;
    std::vector<DailySummary> daily;
    Classification classification;
    std::optional<LegacySummary> legacy;  // when the config has "risk.legacy"
    // Published keys that matched our sightings, kept sealed across runs (never in the JSON):
    std::vector<Tek> revoked_keys;   // ended REVOKED (this run or an earlier one)
    std::vector<Tek> notified_keys;  // behind a notification not (yet) retracted
    // Keys of the last notifying check that are now revoked: that notification is retracted.
    size_t retracted_keys = 0;
};

// "YYYY-MM-DD" of a UTC day number.
std::string UtcDate(uint32_t day);

nlohmann::json CheckReportJson(const CheckReport& report, const RiskConfig& config);

}  // namespace jejak
