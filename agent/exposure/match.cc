// Streaming matcher: batching and validity checks on the caller's thread; chunked batch
// derivation and index probing in the workers (match_worker.cc).
#include "agent/exposure/match.h"

#include <unistd.h>

#include "agent/exposure/match_worker.h"

namespace jejak {
namespace {

constexpr uint32_t kDrift = kClockDriftIntervals;

EnIntervalNumber SubClamp(EnIntervalNumber a, uint32_t b) { return a >= b ? a - b : 0; }

unsigned ResolveThreads(unsigned requested) {
    return requested == 0 ? OnlineCpuCount() : requested;
}

}  // namespace

unsigned OnlineCpuCount() {
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<unsigned>(n) : 1u;
}

Matcher::Matcher(const RpiIndex& index, MatchOptions options, const KeyScheduleBackend& backend)
    : index_(index), threads_(ResolveThreads(options.threads)) {
    if (threads_ > 1) {
        pool_ = std::make_unique<Pool>(index, backend, threads_, keys_done_);
        threads_ = pool_->threads();
        if (threads_ <= 1) pool_.reset();
    }
    if (!pool_) {
        threads_ = 1;
        inline_ = std::make_unique<Worker>(index, backend);
    }
    batch_ = pool_ ? pool_->FreeBatch() : std::make_unique<Batch>();
}

Matcher::~Matcher() = default;

void Matcher::Add(std::span<const DiagnosisKey> keys) {
    uint64_t done = 0;
    for (const DiagnosisKey& key : keys) {
        const uint64_t sequence = stats_.keys++;
        const TekValidity validity{key.rolling_start_interval_number, key.rolling_period};
        // Derivation always runs 144 intervals, so that run must not overflow either.
        if (!validity.Check().ok() ||
            key.rolling_start_interval_number > UINT32_MAX - kTekRollingPeriod) {
            ++stats_.invalid_keys;
            ++done;
            continue;
        }
        if (index_.empty() ||
            uint64_t{validity.Last()} + kDrift < index_.first_interval() ||
            SubClamp(key.rolling_start_interval_number, kDrift) > index_.last_interval()) {
            ++stats_.skipped_keys;
            ++done;
            continue;
        }
        batch_->Push(key, sequence);
        if (batch_->size == kBatchKeys) Submit();
    }
    keys_done_.fetch_add(done, std::memory_order_relaxed);
}

void Matcher::Submit() {
    if (batch_->size == 0) return;
    batch_->number = next_batch_++;
    if (pool_) {
        pool_->Submit(std::move(batch_));
        batch_ = pool_->FreeBatch();
        return;
    }
    inline_->Run(*batch_, matches_);
    keys_done_.fetch_add(batch_->size, std::memory_order_relaxed);
    batch_->Clear();
}

std::vector<KeyHits> Matcher::Finish() {
    Submit();
    if (pool_) pool_->Drain(matches_);
    const Worker::Counts counts = pool_ ? pool_->counts() : inline_->counts();
    stats_.probes = counts.probes;
    stats_.matched_keys = counts.matched_keys;
    status_ = counts.error;
    return std::move(matches_);
}

}  // namespace jejak
