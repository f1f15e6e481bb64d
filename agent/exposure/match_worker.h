// Internals of the streaming matcher (match.h), shared by match.cc and match_worker.cc only:
// a batch of keys, the worker that derives and probes one batch, and the thread pool that
// runs workers and puts their results back in batch order.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "agent/exposure/match.h"

namespace jejak {

// Consecutive keys that passed the validity and time-range checks, with their input positions.
struct Matcher::Batch {
    uint64_t number = 0;  // position among batches: results are ordered by it
    size_t size = 0;
    std::vector<DiagnosisKey> keys = std::vector<DiagnosisKey>(kBatchKeys);
    std::vector<uint64_t> sequence = std::vector<uint64_t>(kBatchKeys);

    void Push(const DiagnosisKey& key, uint64_t seq) {
        keys[size] = key;
        sequence[size] = seq;
        ++size;
    }
    void Clear() { size = 0; }
};

// Derives and probes batches, kChunkKeys keys at a time. Owns its buffers; shares only the
// (read-only) index. One per thread.
class Matcher::Worker {
public:
    struct Counts {
        uint64_t probes = 0;
        uint64_t matched_keys = 0;
        Status error;  // the first key-derivation failure (its chunk was not probed)
    };

    Worker(const RpiIndex& index, const KeyScheduleBackend& backend);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Appends the batch's matches, in key order, to out.
    void Run(const Batch& batch, std::vector<KeyHits>& out);
    const Counts& counts() const { return counts_; }

private:
    static constexpr size_t kCheckBatch = 64;
    struct DayPair {
        uint32_t lo;  // day of the interval's earliest possible sighting
        uint32_t hi;  // day of its latest
    };

    void RunChunk(std::span<const DiagnosisKey> keys, std::span<const uint64_t> sequence,
                  std::vector<KeyHits>& out);
    // Filter pass over one key's RPIs: ids (slot * 144 + offset) of those that may have
    // been heard go to out. Returns their number.
    size_t FilterKey(size_t slot, uint32_t* out);
    void CheckCandidates(std::span<const uint32_t> ids, std::vector<KeyHits>& out);
    EnIntervalNumber IntervalOf(uint32_t id) const;
    static DayPair DaysOf(uint64_t interval);
    void RecordHit(size_t slot, const Rpi& rpi, EnIntervalNumber interval, uint32_t day_lo,
                   uint32_t day_hi, std::vector<KeyHits>& out);

    const RpiIndex& index_;
    RpiDeriver deriver_;
    Counts counts_;
    std::span<const DiagnosisKey> chunk_keys_;
    std::span<const uint64_t> chunk_sequence_;
    std::vector<Tek> chunk_teks_;
    std::vector<EnIntervalNumber> chunk_first_;
    std::vector<Rpi> rpis_;
    std::vector<uint32_t> candidates_;
    std::vector<uint32_t> scratch_;
};

// Worker threads fed from a bounded queue of batches. Results are kept per batch number and
// concatenated in that order by Drain.
class Matcher::Pool {
public:
    // Starts up to `threads` threads (fewer when the system refuses; threads() says how many).
    Pool(const RpiIndex& index, const KeyScheduleBackend& backend, unsigned threads,
         std::atomic<uint64_t>& keys_done);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    unsigned threads() const { return static_cast<unsigned>(threads_.size()); }
    // An empty batch to fill (recycled when one is free).
    std::unique_ptr<Batch> FreeBatch();
    // Queues a batch; waits while the queue holds kQueuedPerThread batches per thread (enough
    // for the workers to keep going while a busy machine keeps the caller off a CPU).
    void Submit(std::unique_ptr<Batch> batch);
    // Waits until every queued batch is done and appends all results in batch order.
    void Drain(std::vector<KeyHits>& out);
    // Sum over the workers (call after Drain).
    Worker::Counts counts() const;

private:
    static constexpr size_t kQueuedPerThread = 8;
    void Loop(Worker& worker);

    std::atomic<uint64_t>& keys_done_;
    std::mutex mu_;
    std::condition_variable work_cv_;   // a batch was queued, or stop
    std::condition_variable space_cv_;  // a batch finished
    std::deque<std::unique_ptr<Batch>> queue_;
    std::vector<std::unique_ptr<Batch>> free_;
    std::map<uint64_t, std::vector<KeyHits>> results_;  // only batches with matches
    size_t busy_ = 0;                                    // batches taken by a worker
    bool stop_ = false;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
};

}  // namespace jejak
