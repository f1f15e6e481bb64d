// Streaming matcher: diagnosis keys in, candidate matches out (docs/PROTOCOL.md 1.6).
//
// Keys are fed in any number of Add() calls. They are buffered in fixed chunks; each chunk's
// RPIs (RPIK + 144 AES blocks per key) are derived in one batch call and every RPI of the
// key's rolling period is probed in the index on the days it may have been heard (its own
// interval +- 12 intervals of clock drift). Probing is two passes per chunk: a branch-free
// filter pass over all RPIs (one load each, day pair resolved once per run of intervals),
// then bucket checks, prefetched in batches, for the ~1% that pass. Only keys with at least
// one hit are kept, so memory is bounded by the chunk size whatever the number of keys.
//
// Keys whose sighting window [rolling_start - 12, rolling_start + rolling_period + 12) does
// not overlap the stored sightings are skipped without deriving anything; keys with a rolling
// period outside 1..144 are counted as invalid. The per-sighting checks (drift, replay guard,
// metadata) are applied afterwards by BuildExposureWindows on the few matched keys.
//
// Keys are split across worker threads in batches of consecutive keys; each worker owns its
// derivation buffers and reads the index (immutable, so shared without locks). Results are
// put back in batch order, so the output does not depend on the number of threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "agent/exposure/match_types.h"
#include "agent/exposure/rpi_index.h"
#include "gaen/keys/rpi_batch.h"

namespace jejak {

// One stored sighting record whose RPI equals the key's RPI for `rpi_interval`.
struct RpiHit {
    uint32_t record = 0;
    EnIntervalNumber rpi_interval = 0;
};

// A key with at least one RPI hit. sequence is the key's position in the input (0-based), so
// later revisions of the same key can be told from earlier ones.
struct KeyHits {
    DiagnosisKey key;
    uint64_t sequence = 0;
    std::vector<RpiHit> hits;
};

struct MatchStats {
    uint64_t keys = 0;          // keys given to Add
    uint64_t invalid_keys = 0;  // rolling period outside 1..144 or interval overflow
    uint64_t skipped_keys = 0;  // no overlap with the stored sightings' time range
    uint64_t probes = 0;        // RPIs looked up
    uint64_t matched_keys = 0;
};

struct MatchOptions {
    // Worker threads deriving and probing; 0 means one per online CPU. With 1 everything
    // runs on the caller's thread.
    unsigned threads = 0;
};

// Number of online CPUs (at least 1).
unsigned OnlineCpuCount();

class Matcher {
public:
    static constexpr size_t kChunkKeys = 32;    // keys derived in one batch call
    static constexpr size_t kBatchKeys = 1024;  // keys a worker takes at once

    // Starts the worker threads (fewer if the system refuses more; at least the caller's).
    explicit Matcher(const RpiIndex& index, MatchOptions options = {},
                     const KeyScheduleBackend& backend = BestBackend());
    // Stops and joins the workers; buffered keys are dropped.
    ~Matcher();
    Matcher(const Matcher&) = delete;
    Matcher& operator=(const Matcher&) = delete;

    // Matches the keys (copies what it needs; the span may be reused after the call). Keys
    // are handed to the workers in batches of kBatchKeys; when every worker is busy and the
    // queue is full, Add waits, so memory stays bounded whatever the number of keys.
    // Called from one thread at a time.
    void Add(std::span<const DiagnosisKey> keys);
    // Processes any buffered keys, waits for the workers and returns the matches in input
    // order: the same list, hit for hit, whatever the number of threads.
    std::vector<KeyHits> Finish();
    // Complete after Finish (keys, invalid_keys and skipped_keys are current at any time).
    const MatchStats& stats() const { return stats_; }
    // After Finish: OK, or the first key-derivation failure (then the matches are incomplete
    // and must not be used to decide anything).
    const Status& status() const { return status_; }
    // Keys fully checked so far (skipped and invalid ones included). Any thread; for progress.
    uint64_t keys_done() const { return keys_done_.load(std::memory_order_relaxed); }
    unsigned threads() const { return threads_; }

private:
    struct Batch;
    class Worker;
    class Pool;

    void Submit();

    const RpiIndex& index_;
    unsigned threads_;
    MatchStats stats_;
    Status status_;
    std::atomic<uint64_t> keys_done_{0};  // before pool_: its workers update it
    std::unique_ptr<Batch> batch_;     // being filled by Add
    std::unique_ptr<Worker> inline_;   // threads_ == 1: runs on the caller's thread
    std::unique_ptr<Pool> pool_;       // threads_ > 1
    uint64_t next_batch_ = 0;
    std::vector<KeyHits> matches_;
};

}  // namespace jejak
