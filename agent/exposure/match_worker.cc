// Matcher workers: chunked batch derivation and two-pass index probing, and the thread pool.
#include "agent/exposure/match_worker.h"

#include <algorithm>
#include <system_error>

namespace jejak {
namespace {

constexpr uint32_t kDrift = kClockDriftIntervals;

uint64_t SubClamp64(uint64_t a, uint64_t b) { return a >= b ? a - b : 0; }

}  // namespace

Matcher::Worker::Worker(const RpiIndex& index, const KeyScheduleBackend& backend)
    : index_(index),
      deriver_(backend),
      chunk_teks_(kChunkKeys),
      chunk_first_(kChunkKeys),
      rpis_(kChunkKeys * kTekRollingPeriod),
      candidates_(kChunkKeys * kTekRollingPeriod + 1) {}

Matcher::Worker::~Worker() {
    for (auto& rpi : rpis_) SecureZero(rpi.data(), rpi.size());
}

void Matcher::Worker::Run(const Batch& batch, std::vector<KeyHits>& out) {
    for (size_t i = 0; i < batch.size; i += kChunkKeys) {
        const size_t n = std::min(kChunkKeys, batch.size - i);
        RunChunk(std::span(batch.keys.data() + i, n), std::span(batch.sequence.data() + i, n),
                 out);
    }
}

void Matcher::Worker::RunChunk(std::span<const DiagnosisKey> keys, std::span<const uint64_t> sequence,
                               std::vector<KeyHits>& out) {
    chunk_keys_ = keys;
    chunk_sequence_ = sequence;
    for (size_t i = 0; i < keys.size(); ++i) {
        chunk_teks_[i] = keys[i].key;
        chunk_first_[i] = keys[i].rolling_start_interval_number;
    }
    std::span<Rpi> rpis(rpis_.data(), keys.size() * kTekRollingPeriod);
    // Preconditions were checked in Matcher::Add; what can still fail is the AES primitive
    // itself. A chunk whose RPIs could not be derived is not probed (its output is zeroed,
    // never RPIs), and the failure is reported by Matcher::status().
    Status s = deriver_.DeriveMany(std::span(chunk_teks_.data(), keys.size()),
                                   std::span(chunk_first_.data(), keys.size()), kTekRollingPeriod,
                                   rpis);
    if (!s.ok()) {
        if (counts_.error.ok()) counts_.error = s;
        return;
    }
    // Pass 1 filters every RPI of the chunk without branching; the few that pass go through
    // the buckets in batches, their cache lines fetched before any is compared.
    size_t passed = 0;
    for (size_t i = 0; i < keys.size(); ++i) passed += FilterKey(i, candidates_.data() + passed);
    for (size_t c = 0; c < passed; c += kCheckBatch) {
        CheckCandidates(std::span(candidates_.data() + c, std::min(kCheckBatch, passed - c)), out);
    }
}

size_t Matcher::Worker::FilterKey(size_t slot, uint32_t* out) {
    const EnIntervalNumber start = chunk_first_[slot];
    // Only intervals whose drift window reaches the stored time range can match.
    uint64_t lo = std::max<uint64_t>(start, SubClamp64(index_.first_interval(), kDrift));
    const uint64_t hi = std::min<uint64_t>(uint64_t{start} + chunk_keys_[slot].rolling_period - 1,
                                           uint64_t{index_.last_interval()} + kDrift);
    if (lo > hi) return 0;
    counts_.probes += hi - lo + 1;
    const Rpi* rpis = rpis_.data() + slot * kTekRollingPeriod;
    const auto first_id = static_cast<uint32_t>(slot * kTekRollingPeriod);
    size_t n = 0;
    // Runs of intervals whose drift windows reach the same day pair: at most 3 per key.
    while (lo <= hi) {
        const DayPair days = DaysOf(lo);
        const uint64_t end = std::min({hi, (uint64_t{days.lo} + 1) * kTekRollingPeriod + kDrift - 1,
                                       (uint64_t{days.hi} + 1) * kTekRollingPeriod - kDrift - 1});
        const Rpi* run = rpis + (lo - start);
        const uint32_t id = first_id + static_cast<uint32_t>(lo - start);
        if (days.hi == days.lo) {
            n += index_.FilterRun(index_.View(days.lo), run, end - lo + 1, id, out + n);
        } else {
            n += index_.FilterRun(index_.View(days.lo), index_.View(days.hi), run, end - lo + 1,
                                  id, out + n);
        }
        lo = end + 1;
    }
    return n;
}

void Matcher::Worker::CheckCandidates(std::span<const uint32_t> ids, std::vector<KeyHits>& out) {
    RpiIndex::Probe probes[2 * kCheckBatch];
    for (size_t c = 0; c < ids.size(); ++c) {
        const Rpi& rpi = rpis_[ids[c]];
        const DayPair days = DaysOf(IntervalOf(ids[c]));
        probes[2 * c] = index_.Prepare(index_.View(days.lo), rpi);
        probes[2 * c + 1] = days.hi != days.lo ? index_.Prepare(index_.View(days.hi), rpi)
                                               : RpiIndex::Probe{};
    }
    for (size_t c = 0; c < ids.size(); ++c) {
        const Rpi& rpi = rpis_[ids[c]];
        if (!index_.Check(probes[2 * c], rpi) && !index_.Check(probes[2 * c + 1], rpi)) continue;
        const EnIntervalNumber interval = IntervalOf(ids[c]);
        const DayPair days = DaysOf(interval);
        RecordHit(ids[c] / kTekRollingPeriod, rpi, interval, days.lo, days.hi, out);
    }
}

EnIntervalNumber Matcher::Worker::IntervalOf(uint32_t id) const {
    return chunk_first_[id / kTekRollingPeriod] + id % kTekRollingPeriod;
}

Matcher::Worker::DayPair Matcher::Worker::DaysOf(uint64_t interval) {
    return {static_cast<uint32_t>(SubClamp64(interval, kDrift) / kTekRollingPeriod),
            static_cast<uint32_t>((interval + kDrift) / kTekRollingPeriod)};
}

void Matcher::Worker::RecordHit(size_t slot, const Rpi& rpi, EnIntervalNumber interval,
                                uint32_t day_lo, uint32_t day_hi, std::vector<KeyHits>& out) {
    scratch_.clear();
    if (index_.Find(rpi, day_lo, day_hi, scratch_) == 0) return;  // fingerprint collision
    if (out.empty() || out.back().sequence != chunk_sequence_[slot]) {
        KeyHits& hits = out.emplace_back();
        hits.key = chunk_keys_[slot];
        hits.sequence = chunk_sequence_[slot];
        ++counts_.matched_keys;
    }
    for (uint32_t record : scratch_) out.back().hits.push_back({record, interval});
}

Matcher::Pool::Pool(const RpiIndex& index, const KeyScheduleBackend& backend, unsigned threads,
                    std::atomic<uint64_t>& keys_done)
    : keys_done_(keys_done) {
    for (unsigned i = 0; i < threads; ++i) {
        workers_.push_back(std::make_unique<Worker>(index, backend));
        try {
            threads_.emplace_back([this, w = workers_.back().get()] { Loop(*w); });
        } catch (const std::system_error&) {
            workers_.pop_back();  // out of threads: run with those already started
            break;
        }
    }
}

Matcher::Pool::~Pool() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
        queue_.clear();
    }
    work_cv_.notify_all();
    for (std::thread& t : threads_) t.join();
}

std::unique_ptr<Matcher::Batch> Matcher::Pool::FreeBatch() {
    std::lock_guard lock(mu_);
    if (free_.empty()) return std::make_unique<Batch>();
    std::unique_ptr<Batch> batch = std::move(free_.back());
    free_.pop_back();
    return batch;
}

void Matcher::Pool::Submit(std::unique_ptr<Batch> batch) {
    std::unique_lock lock(mu_);
    space_cv_.wait(lock, [&] { return queue_.size() < kQueuedPerThread * threads_.size(); });
    queue_.push_back(std::move(batch));
    lock.unlock();
    work_cv_.notify_one();
}

void Matcher::Pool::Drain(std::vector<KeyHits>& out) {
    std::unique_lock lock(mu_);
    space_cv_.wait(lock, [&] { return queue_.empty() && busy_ == 0; });
    for (auto& [number, hits] : results_) {
        std::move(hits.begin(), hits.end(), std::back_inserter(out));
    }
    results_.clear();
}

Matcher::Worker::Counts Matcher::Pool::counts() const {
    Worker::Counts sum;
    for (const auto& w : workers_) {
        sum.probes += w->counts().probes;
        sum.matched_keys += w->counts().matched_keys;
        if (sum.error.ok()) sum.error = w->counts().error;
    }
    return sum;
}

void Matcher::Pool::Loop(Worker& worker) {
    std::vector<KeyHits> hits;
    for (;;) {
        std::unique_ptr<Batch> batch;
        {
            std::unique_lock lock(mu_);
            work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
            if (stop_) return;
            batch = std::move(queue_.front());
            queue_.pop_front();
            ++busy_;
        }
        space_cv_.notify_one();
        worker.Run(*batch, hits);
        keys_done_.fetch_add(batch->size, std::memory_order_relaxed);
        batch->Clear();
        {
            std::lock_guard lock(mu_);
            if (!hits.empty()) results_[batch->number] = std::move(hits);
            hits.clear();
            free_.push_back(std::move(batch));
            --busy_;
        }
        space_cv_.notify_all();
    }
}

}  // namespace jejak
