// Legacy (API v1) exposure risk score, docs/PROTOCOL.md 6.3: the product of four 0..8
// scores picked by bucketing a matched key's attenuation, days since the exposure, exposure
// duration and the key's transmission risk level, zeroed below a minimum. Kept as an optional
// second opinion next to the v2 daily summaries (risk_score.h) for health authorities that
// still publish v1 configurations. Also the v1 "attenuation durations": exposure time split
// into three bins by two attenuation thresholds.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "gaen/risk/window.h"
#include "platform/base/status.h"

namespace jejak {

// v1 ExposureConfiguration (the parts scoring uses). Every score is 0..8.
struct LegacyRiskConfig {
    int minimum_risk_score = 0;  // 0..4096; a product below it scores 0
    std::array<int, 8> attenuation_scores{};
    std::array<int, 8> days_since_last_exposure_scores{};
    std::array<int, 8> duration_scores{};
    std::array<int, 8> transmission_risk_scores{};  // index TR - 1
    std::array<int, 2> duration_at_attenuation_thresholds{50, 70};  // dB, low <= high

    // InvalidArgument naming the first field out of range.
    Status Validate() const;
};

// What v1 scoring needs about one matched key.
struct LegacyExposure {
    int attenuation_db = 0;
    int days_since_exposure = 0;  // whole days before "today"
    int duration_minutes = 0;
    int transmission_risk_level = 0;  // 1..8; anything else is "invalid" and scores 1
};

// Bucket index (0..7) into the corresponding score list.
// Attenuation: >73, >63, >51, >33, >27, >15, >10, <=10 dB.
int LegacyAttenuationBucket(int attenuation_db);
// Duration: ==0, <=5, <=10, <=15, <=20, <=25, <=30, >30 minutes (negative counts as 0).
int LegacyDurationBucket(int minutes);
// Days since: >=14, >=12, >=10, >=8, >=6, >=4, >=2, else.
int LegacyDaysBucket(int days);

// attenuation x days x duration x transmission scores (0..4096), or 0 below the minimum.
// The config must have passed Validate().
int LegacyRiskScore(const LegacyExposure& exposure, const LegacyRiskConfig& config);

// Seconds of the scans (seconds_since_last_scan each) whose typical attenuation is below the
// low threshold, from low up to below high, and at or above high.
std::array<int64_t, 3> LegacyAttenuationDurations(std::span<const ScanInstance> scans,
                                                  const LegacyRiskConfig& config);

// The "risk.legacy" config section: {"minimum_risk_score": N, "attenuation_scores": [8],
// "days_since_last_exposure_scores": [8], "duration_scores": [8],
// "transmission_risk_scores": [8], "duration_at_attenuation_thresholds": [2]}; the four score
// lists are required, the rest default (0; [50, 70]). InvalidArgument naming the bad field.
Result<LegacyRiskConfig> ParseLegacyRiskConfig(const nlohmann::json& section);

// One matched key's windows as v1 saw an exposure: the lowest typical attenuation, whole
// minutes of scan time, days from the most recent window to `today`, the key's TR.
LegacyExposure LegacyExposureOf(std::span<const ExposureWindow> windows, uint32_t today);

// v1 scores of every exposed key of a check.
struct LegacySummary {
    int maximum_risk_score = 0;
    std::vector<int> scores;  // one per exposed key, in input order
    std::array<int64_t, 3> attenuation_durations_s{};  // summed over the keys
};

}  // namespace jejak
