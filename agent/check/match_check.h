// One exposure check, start to finish: stored sightings -> index; export files -> verified,
// streamed keys -> matcher; windows -> daily summaries -> decision; then the result is sealed
// into the store and, when the decision says so, the notification hook run. Used by `jejak
// match`, which the scheduled check (systemd/jejak-check.service) runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/check/exposure_ledger.h"
#include "agent/check/match_report.h"
#include "agent/check/notify.h"
#include "gaen/export/export_verify.h"
#include "gaen/risk/risk_config.h"
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
    // Sealed across runs (LoadCheckHistory): keys revoked in earlier runs stay revoked; the
    // exposure ledger holds every window earlier checks found and the notified days.
    std::vector<Tek> revoked_keys;
    ExposureLedger ledger;
    bool ledger_whole = true;           // false when a ledger record could not be read
    uint32_t check = 1;                 // this check's number on the device
    unsigned threads = 0;               // matcher workers; 0: one per online CPU
    ProgressReporter* progress = nullptr;  // optional: keys checked / keys in the files read
};

// Fills inputs.revoked_keys, ledger, ledger_whole and check from the store. Unreadable
// ledger records are skipped and counted in `report` (optional).
Status LoadCheckHistory(Store& store, CheckInputs& inputs, ReadReport* report = nullptr);

// Runs the check. Occurrences of a key are resolved in the order of the exports' own
// timestamps (end, then start, then batch number; the order of `files` only breaks ties),
// and REVOKED is final (match_resolve.h). What it finds is merged into the ledger
// (MergeIntoLedger), and the daily summaries, the decision and the notified days are made
// over the whole ledger. Errors: the first file that cannot be read, parsed or verified
// (PermissionDenied for a bad signature) stops the check before anything is recorded.
Result<CheckReport> RunExposureCheck(const CheckInputs& inputs, std::span<const SightingRecord> records,
                                     const RiskConfig& config);

// Appends the check's ledger records, runs the hook once for the check when a day is newly
// notified or a notified day is retracted ("newly_notified_days", "retracted_days" in the
// JSON), or when the hook that was due last time failed (it is retried until it succeeds),
// then seals the JSON (report + "hook" outcome) into the store's exposure-check
// results, where it expires with the check's day. Nothing is written in clear; a status file
// left in `state_dir` by older versions is removed. The revoked keys and the check number
// are kept in sealed device state for the next run. Returns the full JSON. Failing to run
// the hook is recorded, not an error.
Result<nlohmann::json> RecordExposureCheck(const CheckReport& report, const RiskConfig& config,
                                           const NotifyConfig& notify, Store& store,
                                           const std::string& state_dir);

// A check that failed once it had the store open (an export that does not verify, a read
// error) is remembered, sealed, until a later check succeeds (RecordExposureCheck clears
// it): `jejak status` needs attention meanwhile. `message` must hold no key material.
Status RecordCheckFailure(Store& store, int64_t at, const std::string& message);
// {at, message} of the failure, or nullopt when the last check did not fail.
struct CheckFailure {
    int64_t at = 0;
    std::string message;
};
Result<std::optional<CheckFailure>> LastCheckFailure(Store& store);

// The standing notified days of the store's ledger, by day (status: "exposure").
Result<std::vector<NotifiedDay>> LoadStandingExposure(Store& store);

// The latest sealed check result (latest checked_at, then latest row). NotFound when the
// store holds none (no check yet, or every one expired with its day); corrupt rows are
// skipped.
Result<nlohmann::json> LoadLatestCheckResult(Store& store);

}  // namespace jejak
