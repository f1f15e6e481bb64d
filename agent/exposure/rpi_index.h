// Index of stored RPIs for matching: for every diagnosis-key RPI we must answer "was this
// RPI heard, and when" at a few nanoseconds per probe, because one run probes ~144 million
// RPIs (1 M keys x 144 intervals) against ~100 k stored ones.
//
// Layout: stored records are split by UTC day of sighting. Each day has two structures:
// - a blocked filter (>= 16 bits per stored RPI; each RPI sets 2 bits of one 64-bit word,
//   about 2 KiB per 1000 RPIs, so two weeks of a busy venue stay in L2). One load rejects
//   ~79 of 80 absent RPIs, without a branch, so the matcher's bulk pass is cheap;
// - an open-addressed table of 64-byte buckets holding 32 x 16-bit fingerprints (one cache
//   line, compared in one SIMD pass), checked only for the RPIs that pass the filter.
// Bucket, fingerprint and filter bits come from hashes keyed by a random seed, so a hostile
// advertiser cannot aim RPIs at one bucket or word. A fingerprint hit is confirmed by
// comparing all 16 bytes, so there are no false positives; every stored RPI is inserted,
// so there are no false negatives. A probe names the days it may be sighted on (the RPI's
// interval +- 2 h), so it only touches those days' small tables.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "agent/exposure/match_types.h"

namespace jejak {

class RpiIndex {
public:
    static constexpr int kSlotsPerBucket = 32;

    // Indexes the records (which must outlive the index). seed keys the hash; use a random
    // value in production (tests may fix it). tag_mask narrows the fingerprints; only tests
    // set it, to force fingerprint collisions that the full compare must reject.
    RpiIndex(std::span<const SightingRecord> records, uint64_t seed,
             uint32_t tag_mask = UINT32_MAX);

    bool empty() const { return entries_.empty(); }
    // Interval range covered by the records' first_seen (valid only if !empty()).
    EnIntervalNumber first_interval() const { return first_interval_; }
    EnIntervalNumber last_interval() const { return last_interval_; }
    size_t distinct_rpis() const { return entries_.size(); }
    size_t memory_bytes() const;

    // Record indices (into the span given to the constructor) of every sighting of `rpi` on
    // UTC days day_lo..day_hi, appended to `out`. Returns the number appended.
    size_t Find(const Rpi& rpi, uint32_t day_lo, uint32_t day_hi, std::vector<uint32_t>& out) const;

    // Fast negative test for one day: false when `rpi` was certainly not heard that day.
    // When true, Find confirms. Inline so the matcher's hot loop stays in registers.
    bool MayContain(const Rpi& rpi, uint32_t day) const {
        const int64_t t = TableOf(day);
        if (t < 0) return false;
        const DayTable& table = tables_[static_cast<size_t>(t)];
        const Hash h = HashOf(rpi);
        uint32_t b = h.bucket & table.mask;
        for (uint32_t probes = 0; probes <= table.mask; ++probes, b = (b + 1) & table.mask) {
            const uint16_t* tags = buckets_[table.first_bucket + b].tags;
            if (MatchMask(tags, h.tag) != 0) return true;
            if (tags[kSlotsPerBucket - 1] == 0) return false;  // slots fill in order
        }
        return false;
    }

    // Two-step form of MayContain for batches: Prepare hashes the RPI and prefetches its
    // bucket (so many memory loads overlap), Check finishes. A probe of a day without a table
    // is prepared with tags == nullptr and checks false.
    struct Probe {
        const uint16_t* tags = nullptr;
        uint16_t tag = 0;
        uint32_t day = 0;
    };
    // One day's table, looked up once per run of probes rather than once per probe. A day
    // without records gets an all-zero filter, so filtering it needs no branch.
    struct DayView {
        const uint16_t* tags = nullptr;  // bucket b starts at tags + b * kSlotsPerBucket
        uint32_t mask = 0;
        uint32_t day = 0;
        const uint64_t* bits = kEmptyFilter;  // the day's prefilter words
        uint32_t word_shift = 63;             // 64 - log2(word count)
    };
    DayView View(uint32_t day) const {
        const int64_t t = TableOf(day);
        if (t < 0) return {nullptr, 0, day, kEmptyFilter, 63};
        const DayTable& table = tables_[static_cast<size_t>(t)];
        return {buckets_[table.first_bucket].tags, table.mask, day, &bits_[table.first_word],
                table.word_shift};
    }
    // First, cheapest stage of a probe: a per-day blocked filter of >= 16 bits per stored
    // RPI where each RPI sets 2 bits of one 64-bit word, so one L1/L2 load rejects all but
    // ~1 in 80 absent RPIs. A pass says nothing; Prepare/Check decide.
    bool MaybeInDay(const DayView& view, const Rpi& rpi) const {
        const uint64_t h = FilterHash(rpi);
        const uint64_t m = FilterMask(h);
        return (view.bits[h >> view.word_shift] & m) == m;
    }
    // Filter pass over a run of consecutive RPIs that may have been heard on day a or day b
    // (b may be a day without records): writes first_id + k for every k < count that passes
    // into out (which needs room for count + 1 ids) and returns how many did. Branch-free,
    // so the ~99% that fail cost no misprediction.
    size_t FilterRun(const DayView& a, const DayView& b, const Rpi* rpis, size_t count,
                     uint32_t first_id, uint32_t* out) const {
        size_t n = 0;
        for (size_t k = 0; k < count; ++k) {
            const uint64_t h = FilterHash(rpis[k]);
            const uint64_t m = FilterMask(h);
            const bool pass = ((a.bits[h >> a.word_shift] & m) == m) |
                              ((b.bits[h >> b.word_shift] & m) == m);
            out[n] = first_id + static_cast<uint32_t>(k);
            n += pass ? 1 : 0;
        }
        return n;
    }
    // The same for a run that can only have been heard on one day (most of a key's RPIs).
    size_t FilterRun(const DayView& a, const Rpi* rpis, size_t count, uint32_t first_id,
                     uint32_t* out) const {
        size_t n = 0;
        for (size_t k = 0; k < count; ++k) {
            const uint64_t h = FilterHash(rpis[k]);
            const uint64_t m = FilterMask(h);
            out[n] = first_id + static_cast<uint32_t>(k);
            n += (a.bits[h >> a.word_shift] & m) == m ? 1 : 0;
        }
        return n;
    }
    Probe Prepare(const DayView& view, const Rpi& rpi) const {
        if (view.tags == nullptr) return {};
        const Hash h = HashOf(rpi);
        const uint16_t* tags = view.tags + size_t{h.bucket & view.mask} * kSlotsPerBucket;
        __builtin_prefetch(tags);
        return {tags, h.tag, view.day};
    }
    Probe Prepare(const Rpi& rpi, uint32_t day) const {
        const int64_t t = TableOf(day);
        if (t < 0) return {};
        const DayTable& table = tables_[static_cast<size_t>(t)];
        const Hash h = HashOf(rpi);
        const uint16_t* tags = buckets_[table.first_bucket + (h.bucket & table.mask)].tags;
        __builtin_prefetch(tags);
        return {tags, h.tag, day};
    }
    bool Check(const Probe& probe, const Rpi& rpi) const {
        if (probe.tags == nullptr) return false;
        if (MatchMask(probe.tags, probe.tag) != 0) return true;
        if (probe.tags[kSlotsPerBucket - 1] == 0) return false;
        return MayContain(rpi, probe.day);  // full bucket: continue in the next ones
    }

private:
    static constexpr uint32_t kNoEntry = UINT32_MAX;
    static constexpr uint64_t kEmptyFilter[2] = {0, 0};
    struct alignas(64) Bucket {
        uint16_t tags[kSlotsPerBucket];
    };
    struct Entry {
        Rpi rpi;
        uint32_t begin;  // into order_
        uint32_t end;
    };
    struct DayTable {
        size_t first_bucket = 0;
        uint32_t mask = 0;  // bucket count - 1 (a power of two)
        size_t first_word = 0;  // into bits_
        uint32_t word_shift = 63;  // 64 - log2(word count)
    };
    struct Hash {
        uint32_t bucket;
        uint16_t tag;  // never 0 (0 marks an empty slot)
    };

    Hash HashOf(const Rpi& rpi) const {
        uint64_t lo, hi;
        std::memcpy(&lo, rpi.data(), 8);
        std::memcpy(&hi, rpi.data() + 8, 8);
        uint64_t h = (lo ^ seed_lo_) ^ std::rotl(hi ^ seed_hi_, 29);
        h *= 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 32;
        return {static_cast<uint32_t>(h >> 32),
                static_cast<uint16_t>((static_cast<uint32_t>(h) & tag_mask_) | 1u)};
    }
    // Bits 32.. pick the filter word (word_shift >= 32 while a day has < 2^32 words), bits
    // 20..31 the two bits in it. RPIs are AES outputs and the seed is secret, so one
    // multiply mixes enough.
    uint64_t FilterHash(const Rpi& rpi) const {
        uint64_t lo, hi;
        std::memcpy(&lo, rpi.data(), 8);
        std::memcpy(&hi, rpi.data() + 8, 8);
        return (lo ^ hi ^ seed_lo_) * filter_multiplier_;
    }
    static uint64_t FilterMask(uint64_t h) {
        return (uint64_t{1} << ((h >> 20) & 63)) | (uint64_t{1} << ((h >> 26) & 63));
    }

    // Bit i set when tags[i] == tag.
    static uint32_t MatchMask(const uint16_t* tags, uint16_t tag) {
#if defined(__SSE2__)
        const __m128i t = _mm_set1_epi16(static_cast<short>(tag));
        const __m128i* p = reinterpret_cast<const __m128i*>(tags);
        const __m128i a = _mm_packs_epi16(_mm_cmpeq_epi16(_mm_load_si128(p), t),
                                          _mm_cmpeq_epi16(_mm_load_si128(p + 1), t));
        const __m128i b = _mm_packs_epi16(_mm_cmpeq_epi16(_mm_load_si128(p + 2), t),
                                          _mm_cmpeq_epi16(_mm_load_si128(p + 3), t));
        return static_cast<uint32_t>(_mm_movemask_epi8(a)) |
               static_cast<uint32_t>(_mm_movemask_epi8(b)) << 16;
#else
        uint32_t m = 0;
        for (int k = 0; k < kSlotsPerBucket; ++k) m |= uint32_t{tags[k] == tag} << k;
        return m;
#endif
    }
    int64_t TableOf(uint32_t day) const {
        if (day < first_day_ || day - first_day_ >= day_table_.size()) return -1;
        return day_table_[day - first_day_];
    }
    uint32_t Lookup(const DayTable& table, const Rpi& rpi) const;
    void BuildDay(std::span<const uint32_t> entry_ids);

    std::span<const SightingRecord> records_;
    uint64_t seed_lo_;
    uint64_t seed_hi_;
    uint32_t tag_mask_;
    uint64_t filter_multiplier_;  // odd, derived from the seed
    std::vector<uint64_t> bits_;
    uint32_t first_day_ = 0;
    EnIntervalNumber first_interval_ = 0;
    EnIntervalNumber last_interval_ = 0;
    std::vector<int32_t> day_table_;  // day - first_day_ -> index into tables_, or -1
    std::vector<DayTable> tables_;
    std::vector<Bucket> buckets_;
    std::vector<uint32_t> slot_entry_;  // kSlotsPerBucket per bucket
    std::vector<Entry> entries_;
    std::vector<uint32_t> order_;  // record indices grouped by (day, rpi), time-ordered
};

}  // namespace jejak
