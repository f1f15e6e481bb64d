// GAEN v2 daily summaries and the notification decision (docs/PROTOCOL.md 6.2; Google's
// DailySummaryUtils). Pure functions over exposure windows:
//   weightedDuration(w) = sum over scans of secondsSinceLastScan x bucketWeight(typical att.)
//   score(w) = weightedDuration(w) x reportTypeWeight x infectiousnessWeight
// Windows with a non-scored report type, infectiousness NONE, older than the days-since-
// exposure threshold, or scoring below minimumWindowScore are left out. Per UTC day the sum,
// the maximum and the weighted-duration sum are kept, overall and per report type.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "gaen/risk/window.h"
#include "gaen/risk/risk_config.h"

namespace jejak {

struct ScoreSummary {
    double score_sum = 0;
    double maximum_score = 0;
    double weighted_duration_sum = 0;
};

struct DailySummary {
    uint32_t day = 0;  // UTC days since the epoch
    ScoreSummary total;
    std::array<ScoreSummary, kReportTypeCount> by_report_type{};
    int windows = 0;
};

// Bucket 0 immediate (<= t0), 1 near (<= t1), 2 medium (<= t2), 3 other.
int AttenuationBucket(int typical_attenuation_db, const DailySummariesConfig& config);
double WindowWeightedDuration(const ExposureWindow& window, const DailySummariesConfig& config);
double WindowScore(const ExposureWindow& window, const DailySummariesConfig& config);

// Summaries ordered by day. `today` is the current UTC day number (time is an input).
std::vector<DailySummary> ComputeDailySummaries(std::span<const ExposureWindow> windows,
                                                const RiskConfig& config, uint32_t today);

struct Classification {
    bool notify = false;
    std::optional<uint32_t> day;  // the most recent day at or above the threshold
    double score = 0;             // that day's score sum (for the configured report type)
};
Classification Classify(std::span<const DailySummary> summaries, const RiskConfig& config);

}  // namespace jejak
