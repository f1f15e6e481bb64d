// One exposure check, start to finish: stored sightings -> index; export files -> verified,
// streamed keys -> matcher; windows -> daily summaries -> decision; then the result is sealed
// into the store, the status file rewritten and, when the decision says so, the notification
// hook run. Used by `jejak match` and meant for the daemon's periodic check.
#pragma once

#include <string>
#include <vector>

#include "agent/diagnosis/export_verify.h"
#include "agent/check/match_report.h"
#include "agent/check/notify.h"
#include "agent/risk/risk_config.h"
#include "platform/base/progress.h"
#include "storage/store.h"

namespace jejak {

// One stored sighting as a matching record: the time since the previous scan becomes that
// scan's end, the scan regime and bin travel as they are.
SightingRecord ToSightingRecord(const Sighting& sighting);

// Store sightings as matching records (the stored RSSI is taken as measured; the receiver
// correction is applied by matching). Corrupt rows are skipped and counted in `report`.
Result<std::vector<SightingRecord>> LoadSightingRecords(Store& store, ReadReport* report);

struct CheckInputs {
    std::vector<std::string> files;     // export.zip or bare export.bin paths
    const ExportKeyRing* ring = nullptr;  // required: every file must verify
    int64_t now = 0;                    // Unix seconds: "today" for the days threshold
    uint64_t index_seed = 0;            // random in production
    unsigned threads = 0;               // matcher workers; 0: one per online CPU
    ProgressReporter* progress = nullptr;  // optional: keys checked / keys in the files read
};

// Runs the check. Errors: the first file that cannot be read, parsed or verified
// (PermissionDenied for a bad signature) stops the check before anything is recorded.
Result<CheckReport> RunExposureCheck(const CheckInputs& inputs, std::span<const SightingRecord> records,
                                     const RiskConfig& config);

// Seals the JSON into the store's exposure-check results, runs the hook when
// report.classification.notify and writes the clear status file (StatusFileJson: decision
// and row id only). Returns the full JSON (report + "hook"). Failing to run the hook is
// recorded, not an error.
Result<nlohmann::json> RecordExposureCheck(const CheckReport& report, const RiskConfig& config,
                                           const NotifyConfig& notify, Store& store,
                                           const std::string& state_dir);

// The full result a status file points at: the sealed report of row status["store_row"]
// with the status file's "hook" added. NotFound when the row is gone (expired with its day
// or another store), Corruption when the status file or the row cannot be decoded.
Result<nlohmann::json> LoadCheckResult(Store& store, const nlohmann::json& status);

}  // namespace jejak
