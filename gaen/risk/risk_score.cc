// Daily summaries and classification.
#include "gaen/risk/risk_score.h"

#include <algorithm>
#include <map>


namespace jejak {

int AttenuationBucket(int typical_attenuation_db, const DailySummariesConfig& config) {
    for (int b = 0; b < 3; ++b) {
        if (typical_attenuation_db <= config.attenuation_thresholds_db[static_cast<size_t>(b)]) {
            return b;
        }
    }
    return 3;
}

double WindowWeightedDuration(const ExposureWindow& window, const DailySummariesConfig& config) {
    std::array<int64_t, 4> seconds{};
    for (const ScanInstance& scan : window.scans) {
        seconds[static_cast<size_t>(AttenuationBucket(scan.typical_attenuation_db, config))] +=
            scan.seconds_since_last_scan;
    }
    double total = 0;
    for (size_t b = 0; b < 4; ++b) total += static_cast<double>(seconds[b]) * config.attenuation_weights[b];
    return total;
}

double WindowScore(const ExposureWindow& window, const DailySummariesConfig& config) {
    const auto type = static_cast<size_t>(window.report_type);
    const auto inf = static_cast<size_t>(window.infectiousness);
    if (type >= config.report_type_weights.size() || inf >= config.infectiousness_weights.size()) {
        return 0;
    }
    return WindowWeightedDuration(window, config) * config.report_type_weights[type] *
           config.infectiousness_weights[inf];
}

std::vector<DailySummary> ComputeDailySummaries(std::span<const ExposureWindow> windows,
                                                const RiskConfig& config, uint32_t today) {
    const DailySummariesConfig& d = config.daily;
    std::map<uint32_t, DailySummary> days;
    for (const ExposureWindow& w : windows) {
        if (!IsScoredReportType(w.report_type, config.allow_recursive)) continue;
        if (w.infectiousness == Infectiousness::kNone) continue;
        if (d.days_since_exposure_threshold > 0 && today > w.day &&
            today - w.day > static_cast<uint32_t>(d.days_since_exposure_threshold)) {
            continue;
        }
        const double weighted = WindowWeightedDuration(w, d);
        const double score = WindowScore(w, d);
        if (score < d.minimum_window_score) continue;
        DailySummary& day = days[w.day];
        day.day = w.day;
        ++day.windows;
        for (ScoreSummary* s : {&day.total, &day.by_report_type[static_cast<size_t>(w.report_type)]}) {
            s->score_sum += score;
            s->maximum_score = std::max(s->maximum_score, score);
            s->weighted_duration_sum += weighted;
        }
    }
    std::vector<DailySummary> out;
    for (auto& [day, summary] : days) out.push_back(summary);
    return out;
}

Classification Classify(std::span<const DailySummary> summaries, const RiskConfig& config) {
    Classification c;
    for (const DailySummary& day : summaries) {
        const ScoreSummary& s =
            config.notify_report_type
                ? day.by_report_type[static_cast<size_t>(*config.notify_report_type)]
                : day.total;
        if (s.score_sum > 0 && s.score_sum >= config.notify_score_sum &&
            (!c.day || day.day > *c.day)) {
            c.notify = true;
            c.day = day.day;
            c.score = s.score_sum;
        }
    }
    return c;
}

}  // namespace jejak
