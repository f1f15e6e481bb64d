// Streaming matcher: chunked batch derivation and index probing.
#include "agent/exposure/match.h"

#include <algorithm>

namespace jejak {
namespace {

constexpr uint32_t kDrift = kClockDriftIntervals;

EnIntervalNumber SubClamp(EnIntervalNumber a, uint32_t b) { return a >= b ? a - b : 0; }
uint64_t SubClamp64(uint64_t a, uint64_t b) { return a >= b ? a - b : 0; }

}  // namespace

Matcher::Matcher(const RpiIndex& index, const KeyScheduleBackend& backend)
    : index_(index),
      deriver_(backend),
      chunk_keys_(kChunkKeys),
      chunk_sequence_(kChunkKeys),
      chunk_teks_(kChunkKeys),
      chunk_first_(kChunkKeys),
      rpis_(kChunkKeys * kTekRollingPeriod),
      candidates_(kChunkKeys * kTekRollingPeriod + 1) {}

Matcher::~Matcher() {
    for (auto& rpi : rpis_) SecureZero(rpi.data(), rpi.size());
}

void Matcher::Add(std::span<const MatchKey> keys) {
    for (const MatchKey& key : keys) {
        const uint64_t sequence = stats_.keys++;
        const TekValidity validity{key.rolling_start_interval_number, key.rolling_period};
        // Derivation always runs 144 intervals, so that run must not overflow either.
        if (!validity.Check().ok() ||
            key.rolling_start_interval_number > UINT32_MAX - kTekRollingPeriod) {
            ++stats_.invalid_keys;
            continue;
        }
        if (index_.empty() ||
            uint64_t{validity.Last()} + kDrift < index_.first_interval() ||
            SubClamp(key.rolling_start_interval_number, kDrift) > index_.last_interval()) {
            ++stats_.skipped_keys;
            continue;
        }
        chunk_keys_[pending_] = key;
        chunk_sequence_[pending_] = sequence;
        chunk_teks_[pending_] = key.key;
        chunk_first_[pending_] = key.rolling_start_interval_number;
        if (++pending_ == kChunkKeys) RunChunk();
    }
}

void Matcher::RunChunk() {
    if (pending_ == 0) return;
    std::span<Rpi> out(rpis_.data(), pending_ * kTekRollingPeriod);
    // Preconditions were checked in Add, so this cannot fail.
    Status s = deriver_.DeriveMany(std::span(chunk_teks_.data(), pending_),
                                   std::span(chunk_first_.data(), pending_), kTekRollingPeriod,
                                   out);
    (void)s;
    // Pass 1 filters every RPI of the chunk without branching; the few that pass go through
    // the buckets in batches, their cache lines fetched before any is compared.
    size_t passed = 0;
    for (size_t i = 0; i < pending_; ++i) passed += FilterKey(i, candidates_.data() + passed);
    for (size_t c = 0; c < passed; c += kCheckBatch) {
        CheckCandidates(std::span(candidates_.data() + c, std::min(kCheckBatch, passed - c)));
    }
    pending_ = 0;
}

size_t Matcher::FilterKey(size_t slot, uint32_t* out) {
    const EnIntervalNumber start = chunk_first_[slot];
    // Only intervals whose drift window reaches the stored time range can match.
    uint64_t lo = std::max<uint64_t>(start, SubClamp(index_.first_interval(), kDrift));
    const uint64_t hi = std::min<uint64_t>(uint64_t{start} + chunk_keys_[slot].rolling_period - 1,
                                           uint64_t{index_.last_interval()} + kDrift);
    if (lo > hi) return 0;
    stats_.probes += hi - lo + 1;
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

void Matcher::CheckCandidates(std::span<const uint32_t> ids) {
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
        RecordHit(ids[c] / kTekRollingPeriod, rpi, interval, days.lo, days.hi);
    }
}

EnIntervalNumber Matcher::IntervalOf(uint32_t id) const {
    return chunk_first_[id / kTekRollingPeriod] + id % kTekRollingPeriod;
}

Matcher::DayPair Matcher::DaysOf(uint64_t interval) {
    return {static_cast<uint32_t>(SubClamp64(interval, kDrift) / kTekRollingPeriod),
            static_cast<uint32_t>((interval + kDrift) / kTekRollingPeriod)};
}

void Matcher::RecordHit(size_t slot, const Rpi& rpi, EnIntervalNumber interval, uint32_t day_lo,
                        uint32_t day_hi) {
    scratch_.clear();
    if (index_.Find(rpi, day_lo, day_hi, scratch_) == 0) return;  // fingerprint collision
    if (matches_.empty() || matches_.back().sequence != chunk_sequence_[slot]) {
        KeyHits& hits = matches_.emplace_back();
        hits.key = chunk_keys_[slot];
        hits.sequence = chunk_sequence_[slot];
        ++stats_.matched_keys;
    }
    for (uint32_t record : scratch_) matches_.back().hits.push_back({record, interval});
}

std::vector<KeyHits> Matcher::Finish() {
    RunChunk();
    return std::move(matches_);
}

}  // namespace jejak
