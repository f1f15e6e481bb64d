// `jejak config check|show` (cli_config.cc): the configuration file checked and shown.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "agent/cli/cli.h"
#include "gaen/risk/risk_config.h"

namespace jejak {

void RegisterConfigCommands(CLI::App& app, CliEnv& env);

// A risk configuration's values as the "risk" section's keys spell them (what `config show`
// prints for a preset): attenuation_bucket_thresholds_db, attenuation_bucket_weights,
// report_type_weights, infectiousness_weights, days_since_onset_to_infectiousness,
// infectiousness_when_days_since_onset_missing, report_type_when_missing,
// days_since_exposure_threshold, minimum_window_score, allow_recursive, notify_threshold,
// calibration.
nlohmann::json RiskConfigToJson(const RiskConfig& config);

}  // namespace jejak
