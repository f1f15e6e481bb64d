// The exposure ledger: every exposure window any check has found, kept sealed in the store
// until its day leaves retention, so that each check makes its daily summaries and its
// decision over all of them. The verdict is then the same whether a contact's keys arrive in
// one batch or in fourteen (GAEN sums every window of every key provided over 14 days).
//
// The ledger is two kinds of store ledger records (storage/store.h), each sealed under the
// key of its UTC day and expiring with it; records are appended, never rewritten, and the
// newest record of a kind and identity supersedes the older ones:
//  - a key-day: the windows of one matched diagnosis key on one day, its report type, and for
//    each window the check that first found it. A key or window matched again (an export
//    downloaded twice, `match` run twice) replaces its record with an identical one, so it is
//    counted once; a revocation or a valid report-type change seen later re-types the key;
//  - a notified day: the day's notification (first time, current scores) or its retraction.
// Matching itself stays pure: MergeIntoLedger and UpdateNotifiedDays take values and return
// values; LoadExposureLedger and AppendLedger are the only functions that touch the store.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "agent/exposure/match_resolve.h"
#include "gaen/risk/risk_score.h"
#include "storage/store.h"

namespace jejak {

// Keys are held by a one-way id, never themselves: what the ledger needs of a key is to know
// it again (HMAC-SHA256 keyed by the TEK over a fixed label, first 16 bytes).
using LedgerKeyId = std::array<uint8_t, 16>;
LedgerKeyId LedgerKeyIdOf(const Tek& key);

// A check, as the ledger names it: its number on this device (1, 2, ...) and its time.
struct CheckRef {
    uint32_t check = 0;
    int64_t checked_at = 0;  // Unix seconds
    friend bool operator==(const CheckRef&, const CheckRef&) = default;
    friend auto operator<=>(const CheckRef&, const CheckRef&) = default;
};

struct LedgerWindow {
    ExposureWindow window;
    CheckRef found_by;  // the check that first found this window
};

// Everything the checks found of one key on one UTC day.
struct LedgerKeyDay {
    LedgerKeyId key{};
    uint32_t day = 0;
    ReportType report_type = ReportType::kConfirmedTest;
    std::vector<LedgerWindow> windows;  // ordered by start
};

// A day the device was notified of. Standing until retracted (a revocation or report-type
// change brought its score under the threshold) or until the day leaves retention.
struct NotifiedDay {
    uint32_t day = 0;
    int64_t first_notified_unix = 0;
    double score_sum = 0;
    double weighted_duration_sum = 0;
    int64_t retracted_unix = 0;  // 0: standing

    bool standing() const { return retracted_unix == 0; }
};

struct ExposureLedger {
    std::vector<LedgerKeyDay> key_days;  // newest record per (key, day)
    std::vector<NotifiedDay> days;       // newest record per day, ordered by day
};

// Reads every record the store holds (only retained days). Unreadable records are skipped
// and reported in `report`.
Result<ExposureLedger> LoadExposureLedger(Store& store, ReadReport* report);
// Appends the changed key-days and notified days in one store transaction.
Status AppendLedger(Store& store, std::span<const LedgerKeyDay> key_days,
                    std::span<const NotifiedDay> days);

struct LedgerMerge {
    ExposureLedger ledger;                    // after the merge
    std::vector<LedgerKeyDay> changed;        // records to append
    std::vector<LedgerKeyDay> newly_revoked;  // key-days this merge turned REVOKED (as before)
};

// Adds what check `by` found (ResolveKeyExposures' result) to `ledger`: windows of a
// (key, day) the ledger holds are united with it by start time (a window found again keeps
// its first finder; its scans are this check's), a report type changes only along a valid
// transition (match_resolve.h), and any key in `revoked` ends REVOKED. A key the ledger does
// not hold is added whatever its report type (a later change may make it count), unless it
// is REVOKED already.
LedgerMerge MergeIntoLedger(const ExposureLedger& ledger, std::span<const KeyExposure> found,
                            std::span<const Tek> revoked, CheckRef by);

// Every window of the ledger, for the daily summaries, and who found each (same order).
std::vector<ExposureWindow> LedgerWindows(const ExposureLedger& ledger,
                                          std::vector<CheckRef>* found_by = nullptr);

// Per day of `summaries`: the checks whose windows count in that day's summary.
std::vector<std::vector<CheckRef>> ContributingChecks(std::span<const DailySummary> summaries,
                                                      std::span<const ExposureWindow> windows,
                                                      std::span<const CheckRef> found_by,
                                                      const RiskConfig& config, uint32_t today);

struct NotificationUpdate {
    std::vector<NotifiedDay> records;   // to append
    std::vector<NotifiedDay> standing;  // every standing notified day afterwards, by day
    std::vector<uint32_t> newly_notified;
    std::vector<uint32_t> retracted;
};

// The notified days after a check at `now`. `summaries` are the ledger's daily summaries as of
// today; `ageless` the same computed without the days-since-exposure limit. A day at or above
// the threshold is notified (newly, unless it already stands; its scores are updated). A
// standing day below the threshold even in `ageless` is retracted, unless `may_retract` is
// false (the ledger could not be read whole: a lost record must not retract anything).
NotificationUpdate UpdateNotifiedDays(std::span<const NotifiedDay> previous,
                                      std::span<const DailySummary> summaries,
                                      std::span<const DailySummary> ageless,
                                      const RiskConfig& config, int64_t now, bool may_retract);

}  // namespace jejak
