// JSON and text views of a parsed export, for `jejak export inspect` (and anything else that
// shows published diagnosis keys: they are public once published, so printing them is fine).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "gaen/export/export_verify.h"
#include "platform/base/base64.h"  // Base64Encode: the form key servers and vectors use

namespace jejak {

// {"key", "rolling_start_interval_number", "rolling_period", "transmission_risk_level",
//  "report_type"?, "days_since_onset_of_symptoms"?}
nlohmann::json DiagnosisKeyToJson(const DiagnosisKey& key);

// Header fields, signature infos and signatures, counts and the verdict; keys and
// revised_keys arrays when `file` is non-null.
nlohmann::json ExportToJson(const std::string& path, const ExportSummary& summary,
                            const ExportFile* file);

// Human-readable "name: value" lines.
void PrintExportSummary(std::ostream& out, const std::string& path, const ExportSummary& summary);

}  // namespace jejak
