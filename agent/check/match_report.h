// The result of one exposure check as JSON: what `jejak match --json` prints, what the
// notification hook reads on stdin, what is sealed into the store's exposure-check results
// and what the status file in the state directory holds. It carries counts, daily scores and
// the decision, never key material or RPIs. It is kept only sealed in the store (an
// exposure-check row of the check's day, expiring with that day): nothing about the decision
// is written in clear.
//
// What this check read and matched (files, keys, *_keys, exposed_keys, exposure_windows,
// sightings) is this run's; the verdict (daily_summaries, notify, exposure_*,
// closest_attenuation_db, legacy_v1) is made over the whole exposure ledger
// (exposure_ledger.h), and each daily summary names the checks whose windows it counts.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/check/exposure_ledger.h"
#include "agent/exposure/match.h"
#include "agent/exposure/match_resolve.h"
#include "gaen/risk/risk_score.h"

namespace jejak {

struct CheckReport {
    int64_t checked_at = 0;  // Unix seconds
    uint32_t check = 0;      // this check's number on the device (1, 2, ...)
    size_t files = 0;
    MatchStats match;
    WindowStats windows;
    size_t exposed_keys = 0;
    size_t exposure_windows = 0;
    // The whole ledger after this check: keys (per day) and windows held.
    size_t ledger_key_days = 0;
    size_t ledger_windows = 0;
    // The smallest attenuation of any scan in the ledger's scored windows (the closest the
    // exposure came); absent without windows.
    std::optional<int> closest_attenuation_db;
    std::vector<DailySummary> daily;                  // over the ledger
    std::vector<std::vector<CheckRef>> daily_checks;  // per entry of `daily`: who counted
    Classification classification;
    std::optional<LegacySummary> legacy;  // when the config has "risk.legacy"
    // Published keys that ended REVOKED (this run or an earlier one), kept sealed across runs
    // (never in the JSON).
    std::vector<Tek> revoked_keys;
    // Ledger records this check appends: key-days that changed, notified days that changed.
    std::vector<LedgerKeyDay> ledger_changes;
    NotificationUpdate notification;
    // Keys newly revoked by this check that held windows of a day it retracts.
    size_t retracted_keys = 0;
};

// The "exposure" object of `jejak status --json` and `match --json`:
//   {"notified": bool, "days": [{"day": "YYYY-MM-DD", "score_sum": x,
//    "weighted_duration_sum": y, "first_notified_unix": t}]}   (standing days only)
nlohmann::json ExposureJson(std::span<const NotifiedDay> days);

// "YYYY-MM-DD" of a UTC day number.
std::string UtcDate(uint32_t day);

nlohmann::json CheckReportJson(const CheckReport& report, const RiskConfig& config);

}  // namespace jejak
