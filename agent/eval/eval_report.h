// How `jejak eval` shows its results: a text report (calibrations, per-stream facts, results
// summed per source, detection by distance, cross-source threshold transfer, and the
// published figures with their sources beside ours) or JSON, one object per
// (file, mode, rule) with the contract fields file, mode, rule, episodes, tp, fp, tn, fn,
// continuity_windows_hit and continuity_windows_total.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "agent/eval/eval_run.h"

namespace jejak::eval {

// A row's counts under another ground truth, from its per-distance counts: contact if the
// distance is <= contact_cm; distances in (skip_from_cm, skip_to_cm] are left out (the
// README's guard-band and 1.5 m variants).
Confusion ConfusionUnderTruth(const EvalRow& row, int contact_cm, int skip_from_cm, int skip_to_cm);

nlohmann::json RowJson(const EvalRow& row);
nlohmann::json ResultJson(const EvalResult& result);  // an array of RowJson
void PrintReport(const EvalResult& result, std::ostream& out);

// Rows summed per (source, mode, rule), in first-seen order; sweep rows pool their ROC
// counts per threshold and take the pooled best threshold.
std::vector<EvalRow> SumBySource(const std::vector<EvalRow>& rows);

}  // namespace jejak::eval
