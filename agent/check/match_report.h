// The result of one exposure check as JSON: what `jejak match --json` prints, what the
// notification hook reads on stdin, what is sealed into the store's exposure-check results
// and what the status file in the state directory holds. It carries counts, daily scores and
// the decision, never key material or RPIs. Only the store copy keeps the scores: the clear
// status file holds the decision and where to find the sealed result.
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
    std::vector<DailySummary> daily;
    Classification classification;
    std::optional<LegacySummary> legacy;  // when the config has "risk.legacy"
};

// "YYYY-MM-DD" of a UTC day number.
std::string UtcDate(uint32_t day);

nlohmann::json CheckReportJson(const CheckReport& report, const RiskConfig& config);

// What the clear status file holds, for a local UI that cannot open the store: when the
// check ran, the decision, the sealed result's row id in the store and whether the hook ran
// and succeeded. No scores, dates, windows or counts: everything else stays encrypted.
nlohmann::json StatusFileJson(int64_t checked_at, bool notify, int64_t store_row,
                              const nlohmann::json& hook);

// Status file: <state_dir>/exposure-status.json, written atomically (temp file + rename,
// mode 0600). ReadStatusFile: NotFound when no check has run yet, Corruption if unreadable.
inline constexpr char kStatusFileName[] = "exposure-status.json";
Status WriteStatusFile(const std::string& state_dir, const nlohmann::json& status);
Result<nlohmann::json> ReadStatusFile(const std::string& state_dir);

}  // namespace jejak
