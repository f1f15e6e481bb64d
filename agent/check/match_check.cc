// Orchestration of an exposure check.
#include "agent/check/match_check.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <optional>
#include <tuple>

#include "agent/check/export_feed.h"
#include "agent/config/agent_files.h"
#include "agent/exposure/match.h"
#include "platform/base/hex.h"

namespace jejak {
namespace {

constexpr char kRevokedState[] = "check.revoked_keys";
constexpr char kCheckCountState[] = "check.count";
constexpr char kFailureState[] = "check.last_failure";  // "<unix> <message>", "" when none
// "1" while a hook that was due failed: the next check runs it again, notified or not.
constexpr char kHookPendingState[] = "check.hook_pending";
// Revoked keys kept across runs, newest last; a key is 16 bytes, so this is 64 KiB at most.
constexpr size_t kMaxRevokedKeys = 4096;

// One matched export file: its keys are sequences [first, end) of the run.
struct FileSpan {
    ExportHeader header;
    uint64_t first = 0;
    uint64_t end = 0;
    size_t input = 0;
};

// Renumbers each key's sequence so that files come in the order of their own timestamps
// and batch numbers (within a file, its own order), whatever order they were given in.
std::vector<KeyHits> InExportOrder(std::vector<KeyHits> hits, std::vector<FileSpan> files) {
    std::stable_sort(files.begin(), files.end(), [](const FileSpan& a, const FileSpan& b) {
        const auto& x = a.header;
        const auto& y = b.header;
        return std::tie(x.end_timestamp, x.start_timestamp, x.batch_num) <
               std::tie(y.end_timestamp, y.start_timestamp, y.batch_num);
    });
    for (KeyHits& h : hits) {
        for (size_t rank = 0; rank < files.size(); ++rank) {
            if (h.sequence >= files[rank].first && h.sequence < files[rank].end) {
                h.sequence = (uint64_t{rank} << 40) | (h.sequence - files[rank].first);
                break;
            }
        }
    }
    return hits;
}

bool Holds(std::span<const Tek> keys, const Tek& key) {
    return std::any_of(keys.begin(), keys.end(), [&](const Tek& k) { return k == key; });
}

std::string KeysToState(std::span<const Tek> keys) {
    std::string out;
    for (const Tek& k : keys) out += HexEncode(k.bytes()) + "\n";
    return out;
}

Result<std::vector<Tek>> KeysFromState(Store& store, const std::string& name) {
    auto text = store.GetState(name);
    if (text.status().IsNotFound()) return std::vector<Tek>{};
    if (!text.ok()) return text.status();
    std::vector<Tek> keys;
    size_t pos = 0;
    while (pos < text->size()) {
        size_t nl = text->find('\n', pos);
        if (nl == std::string::npos) nl = text->size();
        Tek key;
        JEJAK_RETURN_IF_ERROR(HexDecodeExact(std::string_view(*text).substr(pos, nl - pos),
                                             key.mutable_bytes(), name));
        keys.push_back(key);
        pos = nl + 1;
    }
    return keys;
}

}  // namespace

SightingRecord ToSightingRecord(const Sighting& s) {
    SightingRecord r;
    r.rpi = s.rpi;
    r.aem = s.aem;
    r.first_seen = s.first_seen_unix_s;
    r.last_seen = s.last_seen_unix_s;
    r.count = s.count;
    r.mean_rssi = s.mean_rssi;
    r.max_rssi = s.max_rssi;
    if (s.seconds_since_previous_scan >= 0) {
        r.previous_scan_end = s.first_seen_unix_s - s.seconds_since_previous_scan;
    }
    r.scan_regime = s.scan_regime;
    r.bin_seconds = s.bin_seconds;
    return r;
}

namespace {

// Keys checked against keys in the files read so far, and which file is being read.
struct MatchProgress {
    ProgressReporter* reporter = nullptr;
    uint64_t total = 0;
    std::string file;  // "file 2/5"

    void Update(const Matcher& matcher) {
        if (reporter != nullptr) reporter->Update(matcher.keys_done(), total, file);
    }
};

void AddLegacyScore(std::span<const ExposureWindow> windows, const LegacyRiskConfig& config,
                    uint32_t today, LegacySummary& out) {
    if (windows.empty()) return;
    const int score = LegacyRiskScore(LegacyExposureOf(windows, today), config);
    out.scores.push_back(score);
    out.maximum_risk_score = std::max(out.maximum_risk_score, score);
    for (const ExposureWindow& w : windows) {
        const auto bins = LegacyAttenuationDurations(w.scans, config);
        for (size_t i = 0; i < bins.size(); ++i) out.attenuation_durations_s[i] += bins[i];
    }
}

// Legacy v1 scores per key over the ledger's scored windows (a key's days together).
void AddLedgerLegacy(const ExposureLedger& ledger, const RiskConfig& config, uint32_t today,
                     LegacySummary& out) {
    std::map<LedgerKeyId, std::vector<ExposureWindow>> by_key;
    for (const LedgerKeyDay& kd : ledger.key_days) {
        if (!IsScoredReportType(kd.report_type, config.allow_recursive)) continue;
        for (const LedgerWindow& lw : kd.windows) by_key[kd.key].push_back(lw.window);
    }
    for (const auto& [key, windows] : by_key) AddLegacyScore(windows, *config.legacy, today, out);
}

// Merges this run's exposures into the ledger and makes the verdict over all of it.
void ScoreLedger(const CheckInputs& inputs, std::span<const KeyExposure> exposures,
                 const RiskConfig& config, uint32_t today, CheckReport& report) {
    report.check = inputs.check;
    LedgerMerge merged =
        MergeIntoLedger(inputs.ledger, exposures, report.revoked_keys, {inputs.check, inputs.now});
    std::vector<CheckRef> found_by;
    const std::vector<ExposureWindow> windows = LedgerWindows(merged.ledger, &found_by);
    report.ledger_key_days = merged.ledger.key_days.size();
    report.ledger_windows = windows.size();
    for (const ExposureWindow& w : windows) {
        if (!IsScoredReportType(w.report_type, config.allow_recursive)) continue;
        for (const ScanInstance& scan : w.scans) {
            report.closest_attenuation_db =
                std::min(report.closest_attenuation_db.value_or(scan.min_attenuation_db),
                         scan.min_attenuation_db);
        }
    }
    report.daily = ComputeDailySummaries(windows, config, today);
    report.daily_checks = ContributingChecks(report.daily, windows, found_by, config, today);
    report.classification = Classify(report.daily, config);
    if (config.legacy) {
        report.legacy.emplace();
        AddLedgerLegacy(merged.ledger, config, today, *report.legacy);
    }
    const std::vector<DailySummary> ageless = ComputeDailySummaries(windows, config, 0);
    report.notification = UpdateNotifiedDays(inputs.ledger.days, report.daily, ageless, config,
                                             inputs.now, inputs.ledger_whole);
    std::vector<LedgerKeyId> retracted;
    for (const LedgerKeyDay& kd : merged.newly_revoked) {
        const auto& days = report.notification.retracted;
        if (std::find(days.begin(), days.end(), kd.day) != days.end() &&
            std::find(retracted.begin(), retracted.end(), kd.key) == retracted.end()) {
            retracted.push_back(kd.key);
        }
    }
    report.retracted_keys = retracted.size();
    report.ledger_changes = std::move(merged.changed);
}

}  // namespace

Result<std::vector<SightingRecord>> LoadSightingRecords(Store& store, ReadReport* report) {
    std::vector<SightingRecord> records;
    JEJAK_ASSIGN_OR_RETURN(ReadReport read, store.ForEachSighting(DayRange::All(), [&](const Sighting& s) {
        records.push_back(ToSightingRecord(s));
    }));
    if (report != nullptr) *report = std::move(read);
    return records;
}

Result<CheckReport> RunExposureCheck(const CheckInputs& inputs,
                                     std::span<const SightingRecord> records,
                                     const RiskConfig& config) {
    if (inputs.ring == nullptr || inputs.ring->empty()) {
        return Status::InvalidArgument("no public keys configured to verify export files");
    }
    const RpiIndex index(records, inputs.index_seed);
    Matcher matcher(index, MatchOptions{inputs.threads});
    MatchProgress progress{inputs.progress, 0, {}};
    ExportFeedOptions feed;
    feed.read.ring = inputs.ring;
    feed.read.require_valid_signature = true;
    const std::string of_files = "/" + std::to_string(inputs.files.size());
    feed.on_file_keys = [&](size_t file, size_t keys) {
        progress.total += keys;
        progress.file = "file " + std::to_string(file + 1) + of_files;
    };
    feed.on_batch = [&](size_t) { progress.Update(matcher); };
    JEJAK_ASSIGN_OR_RETURN(std::vector<FedExport> fed, FeedExportFiles(inputs.files, feed, matcher));
    std::vector<FileSpan> spans(fed.size());
    for (size_t i = 0; i < fed.size(); ++i) {
        spans[i] = FileSpan{std::move(fed[i].header), fed[i].first_key, fed[i].end_key, i};
    }
    CheckReport report;
    report.checked_at = inputs.now;
    report.files = inputs.files.size();
    const std::vector<KeyHits> matches = InExportOrder(matcher.Finish(), std::move(spans));
    JEJAK_RETURN_IF_ERROR(matcher.status().WithContext("matching"));
    if (inputs.progress != nullptr) {
        inputs.progress->Finish(matcher.keys_done(), progress.total,
                                std::to_string(matcher.threads()) + " threads");
    }
    report.match = matcher.stats();
    const std::vector<KeyExposure> exposures =
        ResolveKeyExposures(matches, records, config.window, config.allow_recursive,
                            &report.windows, inputs.revoked_keys);
    report.revoked_keys = inputs.revoked_keys;
    // Every matched key published as REVOKED, even one that gave no windows in this run:
    // it may be the key behind an earlier notification.
    for (const KeyHits& m : matches) {
        const auto type = ResolveReportType(m.key.report_type, config.window.report_type_when_missing);
        if (type == ReportType::kRevoked && !Holds(report.revoked_keys, m.key.key)) {
            report.revoked_keys.push_back(m.key.key);
        }
    }
    for (const KeyExposure& e : exposures) {
        if (e.report_type == ReportType::kRevoked && !Holds(report.revoked_keys, e.key)) {
            report.revoked_keys.push_back(e.key);
        }
    }
    const auto today = static_cast<uint32_t>(inputs.now / 86400);
    for (const KeyExposure& e : exposures) {
        if (!IsScoredReportType(e.report_type, config.allow_recursive)) continue;
        ++report.exposed_keys;
        report.exposure_windows += e.windows.size();
    }
    ScoreLedger(inputs, exposures, config, today, report);
    return report;
}

Result<nlohmann::json> RecordExposureCheck(const CheckReport& report, const RiskConfig& config,
                                           const NotifyConfig& notify, Store& store,
                                           const std::string& state_dir) {
    nlohmann::json result = CheckReportJson(report, config);
    // The ledger first: once it holds the notified day, no later check notifies it again,
    // even if this process dies while the hook runs.
    JEJAK_RETURN_IF_ERROR(AppendLedger(store, report.ledger_changes, report.notification.records));
    auto pending = store.GetState(kHookPendingState);
    if (!pending.ok() && !pending.status().IsNotFound()) return pending.status();
    const bool due = !report.notification.newly_notified.empty() ||
                     !report.notification.retracted.empty() || (pending.ok() && *pending == "1");
    NotifyOutcome hook;
    if (due) {
        hook = RunNotifyHook(notify, result.dump());
    } else if (report.classification.notify) {
        hook.not_run = "no newly notified day";
    } else {
        hook.not_run = "not exposed";
    }
    result["hook"] = hook.ToJson();
    JEJAK_RETURN_IF_ERROR(store.AddExposureCheck({report.checked_at, result.dump()}).status());
    std::span<const Tek> revoked = report.revoked_keys;
    if (revoked.size() > kMaxRevokedKeys) revoked = revoked.last(kMaxRevokedKeys);
    JEJAK_RETURN_IF_ERROR(store.PutState({kRevokedState, KeysToState(revoked)}));
    JEJAK_RETURN_IF_ERROR(store.PutState({kCheckCountState, std::to_string(report.check)}));
    JEJAK_RETURN_IF_ERROR(store.PutState({kFailureState, ""}));
    const bool failed = due && !notify.command.empty() && !hook.ok();
    JEJAK_RETURN_IF_ERROR(store.PutState({kHookPendingState, failed ? "1" : ""}));
    const std::string legacy = state_dir + "/" + kLegacyStatusFileName;
    if (::unlink(legacy.c_str()) != 0 && errno != ENOENT) {
        return Status::FromErrno(errno, "cannot remove " + legacy);
    }
    return result;
}

Status LoadCheckHistory(Store& store, CheckInputs& inputs, ReadReport* report) {
    JEJAK_ASSIGN_OR_RETURN(inputs.revoked_keys, KeysFromState(store, kRevokedState));
    ReadReport read;
    JEJAK_ASSIGN_OR_RETURN(inputs.ledger, LoadExposureLedger(store, &read));
    inputs.ledger_whole = read.clean();
    if (report != nullptr) *report = std::move(read);
    auto count = store.GetState(kCheckCountState);
    if (!count.ok() && !count.status().IsNotFound()) return count.status();
    const unsigned long long done = count.ok() ? std::strtoull(count->c_str(), nullptr, 10) : 0;
    inputs.check = static_cast<uint32_t>(std::min<unsigned long long>(done, UINT32_MAX - 1) + 1);
    return Status::Ok();
}

Status RecordCheckFailure(Store& store, int64_t at, const std::string& message) {
    return store.PutState({kFailureState, std::to_string(at) + " " + message});
}

Result<std::optional<CheckFailure>> LastCheckFailure(Store& store) {
    auto text = store.GetState(kFailureState);
    if (text.status().IsNotFound()) return std::optional<CheckFailure>();
    if (!text.ok()) return text.status();
    if (text->empty()) return std::optional<CheckFailure>();
    CheckFailure failure;
    const size_t space = text->find(' ');
    failure.at = std::strtoll(text->c_str(), nullptr, 10);
    failure.message = space == std::string::npos ? "?" : text->substr(space + 1);
    return std::optional<CheckFailure>(std::move(failure));
}

Result<std::vector<NotifiedDay>> LoadStandingExposure(Store& store) {
    JEJAK_ASSIGN_OR_RETURN(ExposureLedger ledger, LoadExposureLedger(store, nullptr));
    std::vector<NotifiedDay> standing;
    for (const NotifiedDay& d : ledger.days) {
        if (d.standing()) standing.push_back(d);
    }
    return standing;
}

Result<nlohmann::json> LoadLatestCheckResult(Store& store) {
    std::optional<std::string> payload;
    int64_t best_at = 0;
    int64_t best_row = 0;
    auto keep = [&](int64_t id, const ExposureCheckResult& r) {
        if (!payload || r.checked_at_unix_s > best_at ||
            (r.checked_at_unix_s == best_at && id > best_row)) {
            payload = r.payload;
            best_at = r.checked_at_unix_s;
            best_row = id;
        }
    };
    JEJAK_ASSIGN_OR_RETURN(ReadReport read, store.ForEachExposureCheck(DayRange::All(), keep));
    if (!payload) {
        if (!read.clean()) return Status::Corruption("no sealed check result can be read");
        return Status::NotFound("no exposure check has run yet (or its day has expired)");
    }
    nlohmann::json full = nlohmann::json::parse(*payload, nullptr, /*allow_exceptions=*/false);
    if (full.is_discarded() || !full.is_object()) {
        return Status::Corruption("sealed check result: not a JSON object");
    }
    return full;
}

}  // namespace jejak
