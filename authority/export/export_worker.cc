// Export batches: claim, write, complete, index.
#include "authority/export/export_worker.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "gaen/export/export_write.h"
#include "authority/files.h"
#include "platform/base/atomic_file.h"

namespace jejak::authority {
namespace {

DiagnosisKey ToDiagnosisKey(const StoredExposure& e) {
    DiagnosisKey k;
    k.key = e.key;
    k.rolling_start_interval_number = e.rolling_start;
    k.rolling_period = e.rolling_period;
    k.transmission_risk_level = e.transmission_risk;
    k.report_type = static_cast<ReportType>(e.report_type);
    k.days_since_onset_of_symptoms = e.days_since_onset;
    return k;
}

}  // namespace

std::string BatchFileName(int64_t start, int64_t end, int64_t id) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "%lld-%lld-%05lld.zip", static_cast<long long>(start),
                  static_cast<long long>(end), static_cast<long long>(id));
    return buf;
}

BatchKeys BuildBatchKeys(const std::vector<ExportEntry>& entries, size_t min_keys,
                         size_t padding_range, RandomSource& random) {
    BatchKeys out;
    for (const ExportEntry& e : entries) {
        (e.revised ? out.revised_keys : out.keys).push_back(ToDiagnosisKey(e.exposure));
    }
    const size_t real = out.keys.size();
    if (real > 0 && real < min_keys) {
        const size_t target = min_keys + static_cast<size_t>(UniformBelow(random, padding_range + 1));
        out.keys.reserve(target);
        for (size_t i = real; i < target; ++i) {
            DiagnosisKey pad = out.keys[static_cast<size_t>(UniformBelow(random, real))];
            random.Fill(pad.key.mutable_bytes());
            out.keys.push_back(std::move(pad));
        }
        out.padding = target - real;
    }
    for (size_t i = out.keys.size(); i > 1; --i) {  // Fisher-Yates: no order to learn from
        std::swap(out.keys[i - 1], out.keys[static_cast<size_t>(UniformBelow(random, i))]);
    }
    return out;
}

ExportWorker::ExportWorker(const AuthorityState& state, AuthorityStore& store,
                           RandomSource& random)
    : state_(state), store_(store), random_(random) {}

Status ExportWorker::WriteBatch(const ExportBatch& batch, ExportRunReport& report) {
    const AuthoritySettings& s = state_.settings();
    BatchKeys keys = BuildBatchKeys(batch.entries, s.export_min_keys, s.export_padding_range,
                                    random_);
    ExportWriteOptions options;
    options.region = s.region;
    options.key_id = s.export_key_id;
    options.key_version = s.export_key_version;
    options.start_timestamp = static_cast<uint64_t>(batch.start_timestamp);
    options.end_timestamp = static_cast<uint64_t>(batch.end_timestamp);
    const std::string path = state_.exports_dir() + "/" + batch.path;
    JEJAK_RETURN_IF_ERROR(
        WriteSignedExport(path, keys.keys, keys.revised_keys, state_.export_key(), options));
    if (::chmod(path.c_str(), 0600) != 0) return Status::FromErrno(errno, path);
    JEJAK_RETURN_IF_ERROR(SyncDirectory(state_.exports_dir()));
    JEJAK_RETURN_IF_ERROR(store_.CompleteBatch(batch.id));
    ++report.batches;
    report.keys += batch.entries.size();
    report.padding_keys += keys.padding;
    report.paths.push_back(batch.path);
    return Status::Ok();
}

Status ExportWorker::WriteIndex() {
    JEJAK_ASSIGN_OR_RETURN(std::vector<std::string> paths, store_.CompletedBatchPaths());
    std::string text;
    for (const std::string& p : paths) text += p + "\n";
    const std::string index = state_.exports_dir() + "/index.txt";
    Result<std::string> current = ReadSmallFile(index, 64u << 20);
    if (current.ok() && *current == text) return Status::Ok();
    return WriteFileDurably(index, text, 0600);
}

Result<ExportRunReport> ExportWorker::RunOnce(int64_t now) {
    JEJAK_RETURN_IF_ERROR(EnsureDirectory(state_.exports_dir()));
    JEJAK_ASSIGN_OR_RETURN(std::unique_ptr<ExportLease> lease, store_.LockExports());
    ExportRunReport report;
    JEJAK_ASSIGN_OR_RETURN(std::vector<ExportBatch> pending, store_.PendingBatches());
    for (const ExportBatch& batch : pending) {
        JEJAK_RETURN_IF_ERROR(WriteBatch(batch, report));
        ++report.resumed;
    }
    for (;;) {
        JEJAK_ASSIGN_OR_RETURN(std::optional<ExportBatch> batch,
                               store_.ClaimBatch(now, state_.settings().export_max_keys,
                                                 BatchFileName));
        if (!batch) break;
        if (after_claim_) after_claim_(*batch);
        JEJAK_RETURN_IF_ERROR(WriteBatch(*batch, report));
    }
    JEJAK_RETURN_IF_ERROR(WriteIndex());
    return report;
}

std::function<void(const ExportBatch&)> ExportPauseFromEnvironment() {
    const char* value = std::getenv("JEJAK_TEST_EXPORT_PAUSE_AFTER_CLAIM_S");
    if (value == nullptr) return {};
    char* end = nullptr;
    const long seconds = std::strtol(value, &end, 10);
    if (end == value || *end != '\0' || seconds < 1 || seconds > 600) return {};
    return [seconds](const ExportBatch& batch) {
        std::fprintf(stderr, "paused after claiming %s\n", batch.path.c_str());
        std::fflush(stderr);
        std::this_thread::sleep_for(std::chrono::seconds(seconds));
    };
}

}  // namespace jejak::authority
