// The result of one exposure check as JSON: what `jejak match --json` prints, what the
// notification hook reads on stdin, what is sealed into the store's exposure-check results
// and what the status file in the state directory holds. It carries counts, daily scores and
// the decision, never key material or RPIs.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/match.h"
#include "agent/match_resolve.h"
#include "agent/risk_score.h"

namespace jejak {

struct CheckReport {
    int64_t checked_at = 0;  // Unix seconds
    size_t files = 0;
    MatchStats match;
    WindowStats windows;
    size_t exposed_keys = 0;
    size_t exposure_windows = 0;
    std::vector<DailySummary> daily;
    Classification classification;
};

// "YYYY-MM-DD" of a UTC day number.
std::string UtcDate(uint32_t day);

nlohmann::json CheckReportJson(const CheckReport& report, const RiskConfig& config);

// Status file: <state_dir>/exposure-status.json, written atomically (temp file + rename,
// mode 0600). ReadStatusFile: NotFound when no check has run yet, Corruption if unreadable.
inline constexpr char kStatusFileName[] = "exposure-status.json";
Status WriteStatusFile(const std::string& state_dir, const nlohmann::json& status);
Result<nlohmann::json> ReadStatusFile(const std::string& state_dir);

}  // namespace jejak
