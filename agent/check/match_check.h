// One exposure check, start to finish: stored sightings -> index; export files -> verified,
// streamed keys -> matcher; windows -> daily summaries -> decision; then the result is sealed
// into the store and, when the decision says so, the notification hook run. Used by `jejak match` and meant for the daemon's periodic check.
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
    // Sealed across runs (LoadCheckHistory): keys revoked in earlier runs stay revoked, and
    // the keys behind the last notification are watched for a later revocation.
    std::vector<Tek> revoked_keys;
    std::vector<Tek> notified_keys;
    unsigned threads = 0;               // matcher workers; 0: one per online CPU
    ProgressReporter* progress = nullptr;  // optional: keys checked / keys in the files read
};

// Fills inputs.revoked_keys / notified_keys from the store's sealed device state.
Status LoadCheckHistory(Store& store, CheckInputs& inputs);

// Runs the check. Occurrences of a key are resolved in the order of the exports' own
// timestamps (end, then start, then batch number; the order of `files` only breaks ties),
// and REVOKED is final (match_resolve.h). Errors: the first file that cannot be read, parsed or verified
// (PermissionDenied for a bad signature) stops the check before anything is recorded.
Result<CheckReport> RunExposureCheck(const CheckInputs& inputs, std::span<const SightingRecord> records,
                                     const RiskConfig& config);

// Runs the hook when report.classification.notify, or when an earlier notification is
// retracted (report.retracted_keys: the JSON says "retracted_keys"), then seals the JSON (report + "hook"
// outcome) into the store's exposure-check results, where it expires with the check's day.
// Nothing is written in clear; a status file left in `state_dir` by older versions is
// removed. The revoked and notifying keys are kept in sealed device state for the next
// run. Returns the full JSON. Failing to run the hook is recorded, not an error.
Result<nlohmann::json> RecordExposureCheck(const CheckReport& report, const RiskConfig& config,
                                           const NotifyConfig& notify, Store& store,
                                           const std::string& state_dir);

// The latest sealed check result (latest checked_at, then latest row). NotFound when the
// store holds none (no check yet, or every one expired with its day); corrupt rows are
// skipped.
Result<nlohmann::json> LoadLatestCheckResult(Store& store);

}  // namespace jejak
