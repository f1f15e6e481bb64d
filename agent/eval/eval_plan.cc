// Episodes, scan schedules, calibration and rules of the efficacy harness.
#include "agent/eval/eval_plan.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "agent/eval/eval_metrics.h"

namespace jejak::eval {

std::vector<Episode> ContactEventsOf(const Stream& s) {
    std::vector<Episode> out;
    if (!s.timed || s.readings.empty()) return out;
    if (s.format == StreamFormat::kPi) {
        out.push_back({0, s.readings.size(), s.readings.front().t, s.readings.back().t,
                       s.readings.front().distance_cm});
        return out;
    }
    size_t begin = 0;
    for (size_t i = 1; i <= s.readings.size(); ++i) {
        if (i == s.readings.size() || s.readings[i].distance_cm != s.readings[begin].distance_cm) {
            out.push_back({begin, i, s.readings[begin].t, s.readings[i - 1].t,
                           s.readings[begin].distance_cm});
            begin = i;
        }
    }
    return out;
}

std::vector<Episode> EpisodesOf(const Stream& s) {
    if (s.format != StreamFormat::kPi) return ContactEventsOf(s);
    std::vector<Episode> out;
    if (s.readings.empty()) return out;
    const double first = s.readings.front().t;
    size_t i = 0;
    for (double start = first; start + kPiEpisodeSeconds <= s.readings.back().t + 1e-9;
         start += kPiEpisodeSeconds) {
        Episode e{i, i, start, start + kPiEpisodeSeconds, s.readings.front().distance_cm};
        while (e.end < s.readings.size() && s.readings[e.end].t < e.stop) ++e.end;
        i = e.end;
        out.push_back(e);
    }
    return out;
}

std::vector<double> PhoneSchedule(double first, double last, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> offset(0, 300), jitter(0, 90);
    std::vector<double> starts;
    for (double t = first + offset(rng); t <= last; t += 300 - jitter(rng)) starts.push_back(t);
    return starts;
}

std::map<std::string, Calibration> CalibrateGroups(const std::vector<const Stream*>& streams) {
    std::map<std::string, std::vector<double>> at150;
    std::map<std::string, int> tx;
    for (const Stream* s : streams) {
        tx[s->group] = s->advertised_tx_dbm;
        auto& v = at150[s->group];
        for (const Reading& r : s->readings) {
            if (r.distance_cm == kCalibrationDistanceCm) v.push_back(r.rssi);
        }
    }
    std::map<std::string, Calibration> out;
    for (const auto& [group, rssi] : at150) {
        Calibration c;
        c.tx_dbm = tx[group];
        if (!rssi.empty()) {
            // attenuation = tx - (rssi + correction) = 55 at the median RSSI.
            const double median = Percentile(rssi, 50);
            c.rssi_correction_db =
                static_cast<int>(std::lround(c.tx_dbm - kCalibrationAttenuationDb - median));
            c.calibrated = true;
        }
        out[group] = c;
    }
    return out;
}

std::vector<EvalRule> PresetRules() {
    std::vector<EvalRule> rules;
    for (std::string_view name : PublishedRiskPresetNames()) {
        auto c = RiskPreset(name);
        if (c.ok()) rules.push_back({std::string(name), *c});
    }
    for (const char* name : {"swiss-dp3t-2020-05", "cwa-fraunhofer-2020-06"}) {
        auto c = RiskPreset(name);
        if (!c.ok()) continue;
        c->notify_score_sum = 10 * 60;
        rules.push_back({std::string(name) + "@10min", *c});
    }
    return rules;
}

RiskConfig SweepRule(int threshold_db) {
    RiskConfig c;
    c.preset = "sweep";
    c.daily.attenuation_thresholds_db = {threshold_db, threshold_db, threshold_db};
    c.daily.attenuation_weights = {1.0, 0.0, 0.0, 0.0};
    c.notify_score_sum = 15 * 60;
    c.notify_report_type.reset();
    return c;
}

}  // namespace jejak::eval
