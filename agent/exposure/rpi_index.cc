// Per-day fingerprint-bucket index of stored RPIs.
#include "agent/exposure/rpi_index.h"

#include <algorithm>
#include <bit>

namespace jejak {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
// Records older than this many days before the newest one are not indexed: they are far past
// the 14-day retention, and bounding the span keeps the day directory small whatever a
// damaged row claims.
constexpr uint32_t kMaxDaySpan = 1024;

uint32_t DayOf(int64_t unix_seconds) { return static_cast<uint32_t>(unix_seconds / kSecondsPerDay); }

}  // namespace

RpiIndex::RpiIndex(std::span<const SightingRecord> records, uint64_t seed, uint32_t tag_mask)
    : records_(records),
      seed_lo_(seed),
      seed_hi_(std::rotl(seed, 31) ^ 0x5851F42D4C957F2Dull),
      tag_mask_(tag_mask),
      filter_multiplier_((seed * 0xD6E8FEB86659FD93ull) | 1u) {
    // Times outside 0 .. the last ENIntervalNumber come from damaged rows: never indexed.
    auto usable = [](const SightingRecord& r) {
        return r.first_seen >= 0 && r.first_seen / kIntervalSeconds <= int64_t{UINT32_MAX};
    };
    int64_t newest = -1;
    for (const auto& r : records) {
        if (usable(r)) newest = std::max(newest, r.first_seen);
    }
    if (newest < 0) return;
    const uint32_t newest_day = DayOf(newest);
    first_day_ = newest_day >= kMaxDaySpan ? newest_day - kMaxDaySpan + 1 : 0;
    for (uint32_t i = 0; i < records.size(); ++i) {
        if (usable(records[i]) && DayOf(records[i].first_seen) >= first_day_) {
            order_.push_back(i);
        }
    }
    std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
        const SightingRecord& x = records[a];
        const SightingRecord& y = records[b];
        const uint32_t dx = DayOf(x.first_seen), dy = DayOf(y.first_seen);
        if (dx != dy) return dx < dy;
        if (x.rpi != y.rpi) return x.rpi < y.rpi;
        return x.first_seen < y.first_seen;
    });
    first_day_ = DayOf(records[order_.front()].first_seen);
    // order_ is sorted by RPI within a day, so its front is not the earliest sighting.
    int64_t oldest = newest;
    for (uint32_t i : order_) oldest = std::min(oldest, records[i].first_seen);
    first_interval_ = static_cast<EnIntervalNumber>(oldest / kIntervalSeconds);
    last_interval_ = static_cast<EnIntervalNumber>(newest / kIntervalSeconds);
    day_table_.assign(newest_day - first_day_ + 1, -1);

    std::vector<uint32_t> day_entries;
    for (uint32_t k = 0; k < order_.size();) {
        const SightingRecord& head = records[order_[k]];
        uint32_t end = k + 1;
        while (end < order_.size() && records[order_[end]].rpi == head.rpi &&
               DayOf(records[order_[end]].first_seen) == DayOf(head.first_seen)) {
            ++end;
        }
        entries_.push_back({head.rpi, k, end});
        day_entries.push_back(static_cast<uint32_t>(entries_.size() - 1));
        const bool day_ends =
            end == order_.size() || DayOf(records[order_[end]].first_seen) != DayOf(head.first_seen);
        if (day_ends) {
            day_table_[DayOf(head.first_seen) - first_day_] = static_cast<int32_t>(tables_.size());
            BuildDay(day_entries);
            day_entries.clear();
        }
        k = end;
    }
}

void RpiIndex::BuildDay(std::span<const uint32_t> entry_ids) {
    const size_t want = std::max<size_t>(1, (entry_ids.size() + 15) / 16);
    const size_t count = std::bit_ceil(want);
    DayTable table{buckets_.size(), static_cast<uint32_t>(count - 1), bits_.size(), 63};
    // >= 16 bits per RPI, whole 64-bit words, at least 2 words (the shift stays below 64).
    const size_t word_count = std::max<size_t>(2, std::bit_ceil(entry_ids.size() * 16) / 64);
    table.word_shift = static_cast<uint32_t>(64 - std::countr_zero(word_count));
    bits_.resize(bits_.size() + word_count, 0);
    buckets_.resize(buckets_.size() + count, Bucket{});
    slot_entry_.resize(buckets_.size() * kSlotsPerBucket, kNoEntry);
    for (uint32_t e : entry_ids) {
        const uint64_t fh = FilterHash(entries_[e].rpi);
        bits_[table.first_word + (fh >> table.word_shift)] |= FilterMask(fh);
        const Hash h = HashOf(entries_[e].rpi);
        for (uint32_t b = h.bucket & table.mask;; b = (b + 1) & table.mask) {
            const size_t bucket = table.first_bucket + b;
            uint16_t* tags = buckets_[bucket].tags;
            int slot = 0;
            while (slot < kSlotsPerBucket && tags[slot] != 0) ++slot;
            if (slot == kSlotsPerBucket) continue;  // full: linear probing to the next bucket
            tags[slot] = h.tag;
            slot_entry_[bucket * kSlotsPerBucket + static_cast<size_t>(slot)] = e;
            break;
        }
    }
    tables_.push_back(table);
}

uint32_t RpiIndex::Lookup(const DayTable& table, const Rpi& rpi) const {
    const Hash h = HashOf(rpi);
    uint32_t b = h.bucket & table.mask;
    for (uint32_t probes = 0; probes <= table.mask; ++probes, b = (b + 1) & table.mask) {
        const size_t bucket = table.first_bucket + b;
        const uint16_t* tags = buckets_[bucket].tags;
        for (uint32_t m = MatchMask(tags, h.tag); m != 0; m &= m - 1) {
            const uint32_t e = slot_entry_[bucket * kSlotsPerBucket +
                                           static_cast<size_t>(std::countr_zero(m))];
            if (entries_[e].rpi == rpi) return e;
        }
        if (tags[kSlotsPerBucket - 1] == 0) return kNoEntry;  // slots fill in order
    }
    return kNoEntry;
}

size_t RpiIndex::Find(const Rpi& rpi, uint32_t day_lo, uint32_t day_hi,
                      std::vector<uint32_t>& out) const {
    size_t added = 0;
    if (entries_.empty()) return 0;
    // Only days the index holds can answer.
    const uint64_t last_day = uint64_t{first_day_} + day_table_.size() - 1;
    for (uint64_t day = std::max(day_lo, first_day_); day <= std::min<uint64_t>(day_hi, last_day); ++day) {
        const int64_t t = TableOf(static_cast<uint32_t>(day));
        if (t < 0) continue;
        const uint32_t e = Lookup(tables_[static_cast<size_t>(t)], rpi);
        if (e == kNoEntry) continue;
        for (uint32_t k = entries_[e].begin; k < entries_[e].end; ++k) out.push_back(order_[k]);
        added += entries_[e].end - entries_[e].begin;
    }
    return added;
}

size_t RpiIndex::memory_bytes() const {
    return buckets_.size() * sizeof(Bucket) + slot_entry_.size() * sizeof(uint32_t) +
           entries_.size() * sizeof(Entry) + order_.size() * sizeof(uint32_t) +
           day_table_.size() * sizeof(int32_t) + tables_.size() * sizeof(DayTable) +
           bits_.size() * sizeof(uint64_t);
}

}  // namespace jejak
