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

namespace {

// Median RSSI per distance (cm) of one group, and its advertised TX power.
struct GroupReadings {
    int tx_dbm = 0;
    std::map<int, std::vector<double>> rssi_by_distance;
};

std::optional<double> FitRssiAt150(const std::map<int, double>& medians, int held_out_cm) {
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const auto& [cm, median] : medians) {
        if (cm == held_out_cm || cm < kMinFitDistanceCm) continue;
        const double x = std::log10(cm / 100.0);
        n += 1, sx += x, sy += median, sxx += x * x, sxy += x * median;
    }
    const double denominator = n * sxx - sx * sx;
    if (n < 2 || denominator <= 0) return std::nullopt;
    const double slope = (n * sxy - sx * sy) / denominator;
    const double intercept = (sy - slope * sx) / n;
    return intercept + slope * std::log10(kCalibrationDistanceCm / 100.0);
}

}  // namespace

HeldOutCalibrations CalibrateHeldOut(const std::vector<const Stream*>& streams) {
    std::map<std::string, GroupReadings> groups;
    for (const Stream* s : streams) {
        GroupReadings& g = groups[s->group];
        g.tx_dbm = s->advertised_tx_dbm;
        for (const Reading& r : s->readings) g.rssi_by_distance[r.distance_cm].push_back(r.rssi);
    }
    HeldOutCalibrations out;
    for (const auto& [group, g] : groups) {
        std::map<int, double> medians;
        for (const auto& [cm, rssi] : g.rssi_by_distance) medians[cm] = Percentile(rssi, 50);
        for (const auto& [cm, median] : medians) {
            Calibration c;
            c.tx_dbm = g.tx_dbm;
            if (const auto at150 = FitRssiAt150(medians, cm)) {
                c.rssi_correction_db =
                    static_cast<int>(std::lround(c.tx_dbm - kCalibrationAttenuationDb - *at150));
                c.calibrated = true;
            }
            out[group][cm] = c;
        }
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

std::vector<EvalRule> GridRules() {
    std::vector<EvalRule> rules;
    const auto base = RiskPreset(DefaultRiskPresetName());
    if (!base.ok()) return rules;
    for (int border = kGridMinDb; border <= kGridMaxDb; ++border) {
        for (int minutes : kGridMinutes) {
            RiskConfig c = *base;
            c.daily.attenuation_thresholds_db = {border, border, border};
            c.notify_score_sum = minutes * 60;
            rules.push_back(
                {"grid:<=" + std::to_string(border) + "@" + std::to_string(minutes) + "min", c});
        }
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
