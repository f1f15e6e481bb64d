// The efficacy harness's run: every stream of every dataset, in modes P (phone duty cycle,
// seeded schedules), C (continuous scanning, 60-s bins) and R (per reading), under every
// preset rule and a threshold sweep, scored against the ground truth of
// data/datasets/README.md. Results are rows, one per (file, mode, rule).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/eval/eval_data.h"
#include "agent/eval/eval_metrics.h"
#include "agent/eval/eval_plan.h"
#include "agent/eval/eval_replay.h"

namespace jejak::eval {

struct EvalOptions {
    int schedules = 200;  // mode P: seeds 1..schedules
    bool grid = false;    // also replay GridRules()
    // Called after each stream (done, total, file); may print progress.
    std::function<void(size_t, size_t, const std::string&)> progress;
};

struct DistanceCount {
    uint64_t notified = 0;
    uint64_t episodes = 0;
};

struct EvalRow {
    std::string file;        // relative to its dataset folder
    std::string source;      // the dataset's first path component (e.g. herald-analysis)
    std::string group;       // calibration group
    char mode = 'C';         // 'P', 'C' or 'R'
    std::string rule;        // a preset name, "<preset>@10min" or "sweep"
    uint64_t schedules = 1;  // mode P: counts are summed over this many schedules
    uint64_t episodes = 0;   // decisions made (mode R: readings), summed over schedules
    Confusion counts;
    Continuity continuity;  // mode P: scan instances; C and R: readings; summed
    std::map<int, DistanceCount> by_distance;
    // Mode P: 2.5 / 97.5 percentiles over schedules of TPR and FPR.
    std::optional<double> tpr_lo, tpr_hi, fpr_lo, fpr_hi;
    // Sweep rows: ROC over thresholds, its AUC, and the counts at the threshold with the best
    // balanced accuracy (chosen on this file itself: in-sample).
    std::vector<RocPoint> roc;
    std::optional<double> auc;
    std::optional<int> best_threshold_db;
    Calibration calibration;  // the group's in-sample reference (the sweep's)
    // The fixed rules' out-of-sample corrections, per distance in the file (eval_plan.h).
    std::map<int, int> held_out_correction_db;
};

// Per stream facts printed beside the rows.
struct StreamSummary {
    std::string file, source, group;
    StreamFormat format = StreamFormat::kHerald;
    uint64_t readings = 0, dropped = 0, episodes = 0;
    Calibration calibration;
    GapStats gaps;            // between readings, within contact events
    Continuity continuity_c;  // mode C definition (the self-check anchors)
};

struct EvalResult {
    std::vector<StreamSummary> streams;
    std::vector<EvalRow> rows;
};

EvalResult RunEval(const std::vector<Dataset>& datasets, const EvalOptions& options);

// Mode C decisions (and daily scores) of each episode of one stream under one rule and one
// calibration (for tests). Episodes are moved by whole minutes onto 2021-01-01 from 01:00,
// so a reading's second within the minute, which decides its 60-s bin, is kept.
std::vector<Decision> ContinuousDecisions(const Stream& stream, const Calibration& calibration,
                                          const RiskConfig& rule);

}  // namespace jejak::eval
