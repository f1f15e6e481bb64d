// The harness's loops: streams x modes x rules, through the agent's scoring (eval_replay.h).
#include "agent/eval/eval_run.h"

#include <algorithm>
#include <cmath>

#include "agent/eval/eval_replay.h"
#include "gaen/risk/calibration.h"
#include "gaen/risk/risk_score.h"

namespace jejak::eval {
namespace {

// Every episode is replayed on one UTC day (2021-01-01) from 01:00, so a recording that
// crosses midnight is not split across two daily sums. Both timed modes move an episode by
// whole minutes, so its readings keep their second within the minute: mode C's 60-s bins
// and 5-s scan windows follow the wall clock as the daemon's do (not the episode start),
// and GAEN's minute arithmetic in mode P sees the recorded times.
constexpr uint32_t kReplayDay = 18628;
constexpr int64_t kReplayBase = int64_t{kReplayDay} * 86400 + 3600;
constexpr int64_t kDaemonWindowSeconds = 5;  // DaemonOptions::scan_window_s default
constexpr uint16_t kBinSeconds = 60;

struct RuleAcc {
    Confusion total;
    std::vector<Confusion> per_schedule;
    std::map<int, DistanceCount> by_distance;

    void Add(bool truth, bool decision, int distance_cm, size_t schedule) {
        total.Add(truth, decision);
        if (per_schedule.size() <= schedule) per_schedule.resize(schedule + 1);
        per_schedule[schedule].Add(truth, decision);
        DistanceCount& d = by_distance[distance_cm];
        ++d.episodes;
        d.notified += decision ? 1 : 0;
    }
};

struct Accumulators {
    std::vector<RuleAcc> presets;
    std::vector<RuleAcc> sweep;  // index threshold - kSweepMinDb
    Continuity continuity;
    uint64_t decisions = 0;
};

const std::vector<RiskConfig>& SweepRules() {
    static const std::vector<RiskConfig> rules = [] {
        std::vector<RiskConfig> r;
        for (int t = kSweepMinDb; t <= kSweepMaxDb; ++t) r.push_back(SweepRule(t));
        return r;
    }();
    return rules;
}

WindowConfig WindowConfigFor(const Calibration& c) {
    WindowConfig w;
    w.rssi_correction_db = c.rssi_correction_db;
    return w;
}

// A stream's calibrations: the group's in-sample reference (the sweep) and the held-out
// one of each distance in the stream (the fixed rules).
struct StreamCalibration {
    Calibration reference;
    std::map<int, Calibration> held_out;

    const Calibration& For(int distance_cm) const { return held_out.at(distance_cm); }
    bool FixedRulesUsable() const {
        return !held_out.empty() &&
               std::all_of(held_out.begin(), held_out.end(),
                           [](const auto& kv) { return kv.second.calibrated; });
    }
};

// An episode's windows under the held-out calibration (fixed rules) and the reference.
struct EpisodeWindows {
    std::vector<ExposureWindow> fixed, sweep;
};

EpisodeWindows TakeEpisodeWindows(Replayer& replayer, const StreamCalibration& c, int distance_cm) {
    const WindowConfig configs[] = {WindowConfigFor(c.For(distance_cm)),
                                    WindowConfigFor(c.reference)};
    auto windows = replayer.TakeWindows(configs);
    return {std::move(windows[0]), std::move(windows[1])};
}

void Score(const EpisodeWindows& windows, const std::vector<EvalRule>& rules, const Episode& e,
           size_t schedule, Accumulators& acc) {
    const bool truth = IsContact(e.distance_cm);
    acc.presets.resize(rules.size());
    acc.sweep.resize(SweepRules().size());
    for (size_t i = 0; i < rules.size(); ++i) {
        acc.presets[i].Add(truth, Decide(windows.fixed, rules[i].config, kReplayDay).notify,
                           e.distance_cm, schedule);
    }
    for (size_t i = 0; i < SweepRules().size(); ++i) {
        acc.sweep[i].Add(truth, Decide(windows.sweep, SweepRules()[i], kReplayDay).notify,
                         e.distance_cm, schedule);
    }
    ++acc.decisions;
}

// Whole minutes that put the minute holding `start` at the replay base.
int64_t MinuteShift(double start) {
    return kReplayBase - 60 * static_cast<int64_t>(std::floor(start / 60));
}

// Mode C: the daemon's 5-s aggregation windows, continuous regime, 60-s credit bins, both
// on the wall clock (the recorded times moved by whole minutes).
void ScanContinuously(const Stream& s, const Episode& e, Replayer& replayer) {
    const int64_t shift = MinuteShift(e.start);
    std::vector<Heard> scan;
    int64_t scan_index = -1;
    auto flush = [&] {
        if (scan.empty()) return;
        replayer.Scan(scan_index * kDaemonWindowSeconds, scan, ScanRegime::kContinuous,
                      kBinSeconds);
        scan.clear();
    };
    for (size_t i = e.begin; i < e.end; ++i) {
        const int64_t t = static_cast<int64_t>(std::floor(s.readings[i].t)) + shift;
        if (t / kDaemonWindowSeconds != scan_index) {
            flush();
            scan_index = t / kDaemonWindowSeconds;
        }
        scan.push_back({t, s.readings[i].rssi});
    }
    flush();
}

// Readings a phone scan starting at `start` collects from readings [begin, end).
std::vector<Heard> Collect(const Stream& s, size_t begin, size_t end, double start, int64_t shift) {
    std::vector<Heard> heard;
    auto it = std::lower_bound(s.readings.begin() + static_cast<ptrdiff_t>(begin),
                               s.readings.begin() + static_cast<ptrdiff_t>(end), start,
                               [](const Reading& r, double t) { return r.t < t; });
    const bool first_only = s.format == StreamFormat::kPi;
    const double until = start + (first_only ? kPiScanCollectSeconds : kPhoneScanSeconds);
    for (; it != s.readings.begin() + static_cast<ptrdiff_t>(end) && it->t < until; ++it) {
        heard.push_back({static_cast<int64_t>(std::floor(it->t)) + shift, it->rssi});
        if (first_only) break;
    }
    return heard;
}

// Mode P: the scans of `starts` that begin inside the episode; secondsSinceLastScan counts
// from the previous scheduled scan's end, never from before the episode start.
void ScanLikeAPhone(const Stream& s, const Episode& e, std::span<const double> starts,
                    Replayer& replayer) {
    const int64_t shift = MinuteShift(e.start);
    auto it = std::lower_bound(starts.begin(), starts.end(), e.start);
    for (; it != starts.end() && *it <= e.stop; ++it) {
        const std::vector<Heard> heard = Collect(s, e.begin, e.end, *it, shift);
        if (heard.empty()) continue;
        const double prev =
            it == starts.begin() ? e.start : std::max(*(it - 1) + kPhoneScanSeconds, e.start);
        replayer.Scan(static_cast<int64_t>(std::floor(prev)) + shift, heard,
                      ScanRegime::kDutyCycled, 0);
    }
}

Continuity ReadingContinuity(const Stream& s) {
    Continuity total;
    for (const Episode& ev : ContactEventsOf(s)) {
        std::vector<double> times;
        for (size_t i = ev.begin; i < ev.end; ++i) times.push_back(s.readings[i].t);
        total += ContinuityOf(times, ev.start, ev.stop);
    }
    return total;
}

GapStats ReadingGaps(const Stream& s) {
    std::vector<double> gaps;
    for (const Episode& ev : ContactEventsOf(s)) {
        for (size_t i = ev.begin + 1; i < ev.end; ++i)
            gaps.push_back(s.readings[i].t - s.readings[i - 1].t);
    }
    // GapsOf takes times: rebuild a time line with the same gaps.
    std::vector<double> line{0};
    for (double g : gaps) line.push_back(line.back() + g);
    return GapsOf(line);
}

Continuity ScanContinuity(const Stream& s, std::span<const double> starts) {
    Continuity total;
    for (const Episode& ev : ContactEventsOf(s)) {
        std::vector<double> times;
        for (double start : starts) {
            const auto heard = Collect(s, ev.begin, ev.end, start, 0);
            if (!heard.empty()) times.push_back(static_cast<double>(heard.front().t));
        }
        total += ContinuityOf(times, ev.start, ev.stop);
    }
    return total;
}

void ReplayContinuous(const Stream& s, const StreamCalibration& c,
                      const std::vector<EvalRule>& rules, Accumulators& acc) {
    Replayer replayer(c.reference.tx_dbm);
    for (const Episode& e : EpisodesOf(s)) {
        ScanContinuously(s, e, replayer);
        Score(TakeEpisodeWindows(replayer, c, e.distance_cm), rules, e, 0, acc);
    }
    acc.continuity = ReadingContinuity(s);
}

void ReplayPhone(const Stream& s, const StreamCalibration& c, const std::vector<EvalRule>& rules,
                 int schedules, Accumulators& acc) {
    Replayer replayer(c.reference.tx_dbm);
    const std::vector<Episode> episodes = EpisodesOf(s);
    for (int k = 0; k < schedules; ++k) {
        const auto starts =
            PhoneSchedule(s.readings.front().t, s.readings.back().t, static_cast<uint64_t>(k + 1));
        for (const Episode& e : episodes) {
            ScanLikeAPhone(s, e, starts, replayer);
            Score(TakeEpisodeWindows(replayer, c, e.distance_cm), rules, e, static_cast<size_t>(k),
                  acc);
        }
        acc.continuity += ScanContinuity(s, starts);
    }
}

void ReplayReadings(const Stream& s, const StreamCalibration& c, const std::vector<EvalRule>& rules,
                    Accumulators& acc) {
    acc.presets.resize(rules.size());
    acc.sweep.resize(SweepRules().size());
    for (const Reading& r : s.readings) {
        const Calibration& ref = c.reference;
        const int att = AttenuationDb(ref.tx_dbm, r.rssi, ref.rssi_correction_db);
        const bool truth = IsContact(r.distance_cm);
        for (size_t i = 0; i < rules.size(); ++i) {
            const Calibration& held = c.For(r.distance_cm);
            const int fixed_att = AttenuationDb(held.tx_dbm, r.rssi, held.rssi_correction_db);
            const DailySummariesConfig& d = rules[i].config.daily;
            const bool counts =
                d.attenuation_weights[static_cast<size_t>(AttenuationBucket(fixed_att, d))] > 0;
            acc.presets[i].Add(truth, counts, r.distance_cm, 0);
        }
        for (size_t i = 0; i < acc.sweep.size(); ++i) {
            acc.sweep[i].Add(truth, att <= kSweepMinDb + static_cast<int>(i), r.distance_cm, 0);
        }
        ++acc.decisions;
    }
    if (s.timed) acc.continuity = ReadingContinuity(s);
}

std::pair<std::optional<double>, std::optional<double>> Band(const std::vector<Confusion>& per,
                                                             bool tpr) {
    std::vector<double> v;
    for (const Confusion& c : per) {
        if (auto x = tpr ? c.Tpr() : c.Fpr()) v.push_back(*x);
    }
    if (v.empty()) return {};
    return {Percentile(v, 2.5), Percentile(v, 97.5)};
}

void EmitRows(const EvalRow& base, const Accumulators& acc, const std::vector<EvalRule>& rules,
              std::vector<EvalRow>& out) {
    auto fill = [&](EvalRow row, const RuleAcc& a) {
        row.counts = a.total;
        row.by_distance = a.by_distance;
        if (row.mode == 'P') {
            std::tie(row.tpr_lo, row.tpr_hi) = Band(a.per_schedule, true);
            std::tie(row.fpr_lo, row.fpr_hi) = Band(a.per_schedule, false);
        }
        return row;
    };
    EvalRow row = base;
    row.episodes = acc.decisions;
    row.continuity = acc.continuity;
    for (size_t i = 0; i < rules.size() && i < acc.presets.size(); ++i) {
        row.rule = rules[i].name;
        out.push_back(fill(row, acc.presets[i]));
    }
    if (acc.sweep.empty()) return;
    row.rule = "sweep";
    size_t best = 0;
    for (size_t i = 0; i < acc.sweep.size(); ++i) {
        row.roc.push_back(
            {static_cast<double>(kSweepMinDb + static_cast<int>(i)), acc.sweep[i].total});
        if (acc.sweep[i].total.BalancedAccuracy().value_or(0) >
            acc.sweep[best].total.BalancedAccuracy().value_or(0)) {
            best = i;
        }
    }
    row.auc = RocAuc(row.roc);
    row.best_threshold_db = kSweepMinDb + static_cast<int>(best);
    out.push_back(fill(row, acc.sweep[best]));
}

std::string SourceOf(const std::string& file) {
    const auto slash = file.find('/');
    return slash == std::string::npos ? file : file.substr(0, slash);
}

}  // namespace

std::vector<Decision> ContinuousDecisions(const Stream& stream, const Calibration& calibration,
                                          const RiskConfig& rule) {
    Replayer replayer(calibration.tx_dbm);
    std::vector<Decision> out;
    for (const Episode& e : EpisodesOf(stream)) {
        ScanContinuously(stream, e, replayer);
        const auto windows = replayer.TakeWindows(WindowConfigFor(calibration));
        out.push_back(Decide(windows, rule, kReplayDay));
    }
    return out;
}

EvalResult RunEval(const std::vector<Dataset>& datasets, const EvalOptions& options) {
    EvalResult result;
    std::vector<const Stream*> streams;
    for (const Dataset& d : datasets) {
        for (const Stream& s : d.streams) streams.push_back(&s);
    }
    const auto calibrations = CalibrateGroups(streams);
    const HeldOutCalibrations held_out = CalibrateHeldOut(streams);
    std::vector<EvalRule> rules = PresetRules();
    if (options.grid) {
        for (EvalRule& r : GridRules()) rules.push_back(std::move(r));
    }
    for (size_t n = 0; n < streams.size(); ++n) {
        const Stream& s = *streams[n];
        const Calibration c = calibrations.at(s.group);
        StreamCalibration sc{c, {}};
        for (const Reading& r : s.readings) {
            sc.held_out.try_emplace(r.distance_cm, held_out.at(s.group).at(r.distance_cm));
        }
        StreamSummary summary{
            s.file,         SourceOf(s.file),     s.group, s.format, s.readings.size(),
            s.dropped_rows, EpisodesOf(s).size(), c,       {},       {}};
        if (s.timed) {
            summary.gaps = ReadingGaps(s);
            summary.continuity_c = ReadingContinuity(s);
        }
        result.streams.push_back(summary);
        EvalRow base;
        base.file = s.file;
        base.source = summary.source;
        base.group = s.group;
        base.calibration = c;
        for (const auto& [cm, held] : sc.held_out) {
            if (held.calibrated) base.held_out_correction_db[cm] = held.rssi_correction_db;
        }
        // Fixed rules need a calibration; the sweep does not.
        const std::vector<EvalRule> usable =
            sc.FixedRulesUsable() ? rules : std::vector<EvalRule>{};
        if (s.timed) {
            Accumulators p, cc;
            base.mode = 'P';
            base.schedules = static_cast<uint64_t>(options.schedules);
            ReplayPhone(s, sc, usable, options.schedules, p);
            EmitRows(base, p, usable, result.rows);
            base.mode = 'C';
            base.schedules = 1;
            ReplayContinuous(s, sc, usable, cc);
            EmitRows(base, cc, usable, result.rows);
        }
        Accumulators r;
        base.mode = 'R';
        base.schedules = 1;
        ReplayReadings(s, sc, usable, r);
        EmitRows(base, r, usable, result.rows);
        if (options.progress) options.progress(n + 1, streams.size(), s.file);
    }
    return result;
}

}  // namespace jejak::eval
