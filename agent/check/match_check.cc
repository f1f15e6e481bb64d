// Orchestration of an exposure check.
#include "agent/check/match_check.h"

#include <algorithm>
#include <optional>

#include "agent/exposure/match.h"

namespace jejak {
namespace {

constexpr size_t kFeedKeys = 4096;

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

Status MatchFile(const std::string& path, const ExportKeyRing& ring, Matcher& matcher,
                 MatchProgress& progress) {
    ExportReadOptions options;
    options.ring = &ring;
    options.require_valid_signature = true;
    options.on_key_count = [&progress](size_t keys) { progress.total += keys; };
    std::vector<DiagnosisKey> feed;
    feed.reserve(kFeedKeys);
    auto summary = VisitExport(path, options, [&](const DiagnosisKey& key, KeyList) {
        feed.push_back(key);
        if (feed.size() == kFeedKeys) {
            matcher.Add(feed);
            feed.clear();
            progress.Update(matcher);
        }
        return Status::Ok();
    });
    if (!summary.ok()) return summary.status().WithContext(path);
    matcher.Add(feed);
    return Status::Ok();
}

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
    for (size_t i = 0; i < inputs.files.size(); ++i) {
        progress.file = "file " + std::to_string(i + 1) + "/" + std::to_string(inputs.files.size());
        JEJAK_RETURN_IF_ERROR(MatchFile(inputs.files[i], *inputs.ring, matcher, progress));
    }
    CheckReport report;
    report.checked_at = inputs.now;
    report.files = inputs.files.size();
    const std::vector<KeyHits> matches = matcher.Finish();
    JEJAK_RETURN_IF_ERROR(matcher.status().WithContext("matching"));
    if (inputs.progress != nullptr) {
        inputs.progress->Finish(matcher.keys_done(), progress.total,
                                std::to_string(matcher.threads()) + " threads");
    }
    report.match = matcher.stats();
    const std::vector<KeyExposure> exposures =
        ResolveKeyExposures(matches, records, config.window, config.allow_recursive, &report.windows);
    const auto today = static_cast<uint32_t>(inputs.now / 86400);
    if (config.legacy) report.legacy.emplace();
    std::vector<ExposureWindow> windows;
    for (const KeyExposure& e : exposures) {
        if (!IsScoredReportType(e.report_type, config.allow_recursive)) continue;
        ++report.exposed_keys;
        windows.insert(windows.end(), e.windows.begin(), e.windows.end());
        if (report.legacy) AddLegacyScore(e.windows, *config.legacy, today, *report.legacy);
    }
    report.exposure_windows = windows.size();
    report.daily = ComputeDailySummaries(windows, config, today);
    report.classification = Classify(report.daily, config);
    return report;
}

Result<nlohmann::json> RecordExposureCheck(const CheckReport& report, const RiskConfig& config,
                                           const NotifyConfig& notify, Store& store,
                                           const std::string& state_dir) {
    nlohmann::json status = CheckReportJson(report, config);
    JEJAK_ASSIGN_OR_RETURN(int64_t row, store.AddExposureCheck({report.checked_at, status.dump()}));
    NotifyOutcome hook;
    if (report.classification.notify) {
        hook = RunNotifyHook(notify, status.dump());
    } else {
        hook.error = "not exposed: hook not run";
    }
    status["hook"] = hook.ToJson();
    JEJAK_RETURN_IF_ERROR(WriteStatusFile(
        state_dir, StatusFileJson(report.checked_at, report.classification.notify, row,
                                  status["hook"])));
    return status;
}

Result<nlohmann::json> LoadCheckResult(Store& store, const nlohmann::json& status) {
    const auto checked_at = status.find("checked_at");
    const auto row = status.find("store_row");
    if (checked_at == status.end() || !checked_at->is_number_integer() || row == status.end() ||
        !row->is_number_integer() || checked_at->get<int64_t>() < 0) {
        return Status::Corruption("status file: no checked_at/store_row");
    }
    const int64_t wanted = row->get<int64_t>();
    const UtcDay day = UtcDayOfUnixSeconds(checked_at->get<int64_t>());
    std::optional<std::string> payload;
    auto keep = [&](int64_t id, const ExposureCheckResult& r) {
        if (id == wanted) payload = r.payload;
    };
    JEJAK_ASSIGN_OR_RETURN(ReadReport read, store.ForEachExposureCheck(DayRange::One(day), keep));
    if (!payload) {
        if (!read.clean()) return Status::Corruption("the check's sealed result cannot be read");
        return Status::NotFound("the check's sealed result is no longer in the store");
    }
    nlohmann::json full = nlohmann::json::parse(*payload, nullptr, /*allow_exceptions=*/false);
    if (full.is_discarded() || !full.is_object()) {
        return Status::Corruption("sealed check result: not a JSON object");
    }
    full["hook"] = status.value("hook", nlohmann::json::object());
    return full;
}

}  // namespace jejak
