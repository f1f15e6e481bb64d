// Risk-scoring configuration (GAEN v2 "daily summaries", docs/PROTOCOL.md 6.2) and its
// presets, read from the config file's "risk" section:
//   "risk": {
//     "preset": "jejak-close-contact",             // starting values, see below
//     "attenuation_bucket_thresholds_db": [30, 50, 60],
//     "attenuation_bucket_weights": [1.5, 1.0, 0.5, 0.0],
//     "report_type_weights": {"confirmed_test": 1, "confirmed_clinical_diagnosis": 1,
//                             "self_report": 1, "recursive": 0},
//     "infectiousness_weights": {"standard": 1, "high": 1},
//     "days_since_onset_to_infectiousness": "0x0555555555555555",  // ENX hex map, or 29 ints
//     "infectiousness_when_days_since_onset_missing": "standard",
//     "report_type_when_missing": "confirmed_clinical_diagnosis",
//     "days_since_exposure_threshold": 14, "minimum_window_score": 0,
//     "allow_recursive": false,
//     "notify_threshold": {"score_sum": 2700, "report_type": "confirmed_test"},  // or "any"
//     "calibration": {"rssi_correction_db": 4}      // see calibration.h
//   }
// Fields given override the preset. Presets:
//  - "jejak-close-contact", the default (used when the config names no preset): 15 minutes
//    within about 2 m, chosen with `jejak eval` for continuous boxes and duty-cycled tokens
//    (docs/efficacy.md gives its values, how they were chosen and its figures);
//  - "enx-sample": the reference app's sample configuration (google/exposure-notifications-
//    android app/configs/sample.json @ e44603b3, as digested in PROTOCOL.md 6.2);
//  - "nl-coronamelder": the Dutch national app's published v2 parameters (PROTOCOL.md 6.4):
//    thresholds 56/62/73 dB, weights 1.5/1.0/0.4/0, confirmed tests only, windows under 300
//    dropped, notification at a daily score sum of 900;
//  - "swiss-dp3t-2020-05" and "cwa-fraunhofer-2020-06": the duration rules the field studies
//    tested (data/datasets/README.md): <= 50 dB x1 / <= 55 dB x0.5 (DP-3T, May 2020)
//    and < 55 dB x1 / < 60 dB x0.5 (CWA as Fraunhofer IIS tested it), 15 weighted minutes;
//  - "lfph-narrow-net", "lfph-wide-net" (Linux Foundation Public Health) and "swisscovid"
//    (the later FOPH thresholds): PROTOCOL.md does not carry their values, so they are known
//    names that fail with a clear message asking for explicit values; nothing is made up.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gaen/risk/window.h"
#include "gaen/risk/risk_legacy.h"
#include "platform/base/status.h"

namespace jejak {

struct DailySummariesConfig {
    std::array<int, 3> attenuation_thresholds_db{30, 50, 60};       // immediate, near, medium
    std::array<double, 4> attenuation_weights{1.0, 1.0, 1.0, 1.0};  // + other
    std::array<double, kReportTypeCount> report_type_weights{0, 1, 1, 1, 0, 0};
    std::array<double, 3> infectiousness_weights{0, 1, 1};  // NONE (unused), STANDARD, HIGH
    int days_since_exposure_threshold = 0;                  // 0 = every day counts
    double minimum_window_score = 0;
};

struct RiskConfig {
    std::string preset;
    WindowConfig window;
    DailySummariesConfig daily;
    bool allow_recursive = false;
    // A day is an exposure when its score sum (for notify_report_type, or all report types
    // when absent) reaches notify_score_sum.
    double notify_score_sum = 0;
    std::optional<ReportType> notify_report_type;
    std::string calibration_source;          // how window.rssi_correction_db was found
    std::optional<LegacyRiskConfig> legacy;  // "risk.legacy": also report v1 scores
};

inline constexpr std::string_view kDefaultRiskPreset = "jejak-close-contact";

// Names of the presets, the ones with values first.
std::span<const std::string_view> RiskPresetNames();
// Only the presets with values: the default, then the published ones (RiskPreset succeeds
// for each).
std::span<const std::string_view> PublishedRiskPresetNames();
// The preset `jejak match` uses when the config's "risk" section names none.
std::string_view DefaultRiskPresetName();
// The preset's values; InvalidArgument for unknown names or presets without published values.
Result<RiskConfig> RiskPreset(std::string_view name);
// The whole "risk" section (an empty object gives the default preset).
Result<RiskConfig> ParseRiskConfig(const nlohmann::json& section);

// ENX "symptomOnsetToInfectiousnessMap" hex string (tests/data/README.md, calibration/): 2-bit
// entries read from the least-significant end; entries 0..28 are days -14..14, entry 29 the missing
// value. InvalidArgument for malformed strings or entries of value 3.
Result<std::pair<std::array<Infectiousness, 29>, Infectiousness>> DecodeEnxInfectiousnessMap(
    std::string_view hex);

std::string_view ReportTypeName(ReportType type);
std::string_view InfectiousnessName(Infectiousness value);

}  // namespace jejak
