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
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "agent/exposure/match_types.h"
#include "agent/exposure/rpi_index.h"
#include "crypto/rpi_batch.h"

namespace jejak {

// One stored sighting record whose RPI equals the key's RPI for `rpi_interval`.
struct RpiHit {
    uint32_t record = 0;
    EnIntervalNumber rpi_interval = 0;
};

// A key with at least one RPI hit. sequence is the key's position in the input (0-based), so
// later revisions of the same key can be told from earlier ones.
struct KeyHits {
    MatchKey key;
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

class Matcher {
public:
    static constexpr size_t kChunkKeys = 32;

    explicit Matcher(const RpiIndex& index, const KeyScheduleBackend& backend = BestBackend());
    ~Matcher();
    Matcher(const Matcher&) = delete;
    Matcher& operator=(const Matcher&) = delete;

    // Matches the keys (copies what it needs; the span may be reused after the call).
    void Add(std::span<const MatchKey> keys);
    // Processes any buffered keys and returns the matches so far (in input order).
    std::vector<KeyHits> Finish();
    const MatchStats& stats() const { return stats_; }

private:
    static constexpr size_t kCheckBatch = 64;
    struct DayPair {
        uint32_t lo;  // day of the interval's earliest possible sighting
        uint32_t hi;  // day of its latest
    };

    void RunChunk();
    // Filter pass over one key's RPIs: ids (slot * 144 + offset) of those that may have
    // been heard go to out. Returns their number.
    size_t FilterKey(size_t slot, uint32_t* out);
    void CheckCandidates(std::span<const uint32_t> ids);
    EnIntervalNumber IntervalOf(uint32_t id) const;
    static DayPair DaysOf(uint64_t interval);
    void RecordHit(size_t slot, const Rpi& rpi, EnIntervalNumber interval, uint32_t day_lo,
                   uint32_t day_hi);

    const RpiIndex& index_;
    RpiDeriver deriver_;
    MatchStats stats_;
    size_t pending_ = 0;
    std::vector<MatchKey> chunk_keys_;
    std::vector<uint64_t> chunk_sequence_;
    std::vector<Tek> chunk_teks_;
    std::vector<EnIntervalNumber> chunk_first_;
    std::vector<Rpi> rpis_;
    std::vector<uint32_t> candidates_;
    std::vector<uint32_t> scratch_;
    std::vector<KeyHits> matches_;
};

}  // namespace jejak
