// Streaming matcher: chunked batch derivation and index probing.
#include "agent/match.h"

#include <algorithm>

namespace jejak {
namespace {

constexpr uint32_t kDrift = kClockDriftIntervals;

EnIntervalNumber SubClamp(EnIntervalNumber a, uint32_t b) { return a >= b ? a - b : 0; }

}  // namespace

Matcher::Matcher(const RpiIndex& index, const KeyScheduleBackend& backend)
    : index_(index),
      deriver_(backend),
      chunk_keys_(kChunkKeys),
      chunk_sequence_(kChunkKeys),
      chunk_teks_(kChunkKeys),
      chunk_first_(kChunkKeys),
      rpis_(kChunkKeys * kTekRollingPeriod) {}

Matcher::~Matcher() {
    for (auto& rpi : rpis_) SecureZero(rpi.data(), rpi.size());
}

void Matcher::Add(std::span<const MatchKey> keys) {
    for (const MatchKey& key : keys) {
        const uint64_t sequence = stats_.keys++;
        const TekValidity validity{key.rolling_start_interval_number, key.rolling_period};
        // Derivation always runs 144 intervals, so that run must not overflow either.
        if (!validity.Check().ok() || key.rolling_start_interval_number > UINT32_MAX - kTekRollingPeriod) {
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
                                   std::span(chunk_first_.data(), pending_), kTekRollingPeriod, out);
    (void)s;
    for (size_t i = 0; i < pending_; ++i) ProbeKey(i, rpis_.data() + i * kTekRollingPeriod);
    pending_ = 0;
}

void Matcher::ProbeKey(size_t slot, const Rpi* rpis) {
    const MatchKey& key = chunk_keys_[slot];
    const EnIntervalNumber start = key.rolling_start_interval_number;
    // Only intervals whose drift window reaches the stored time range can match.
    const uint64_t lo = std::max<uint64_t>(start, SubClamp(index_.first_interval(), kDrift));
    const uint64_t hi = std::min<uint64_t>(uint64_t{start} + key.rolling_period - 1,
                                           uint64_t{index_.last_interval()} + kDrift);
    if (lo > hi) return;
    // Day tables are looked up once per key: its RPIs' drift windows span days d-1 .. d+2.
    // Each RPI is tested against the prefilter bitmap of the first day it may have been
    // heard on; the few that pass are checked in the buckets. RPIs whose window crosses
    // midnight (24 of 144) also try the next day.
    const uint32_t key_day = DayOfInterval(start);
    RpiIndex::DayView views[4];
    for (uint32_t v = 0; v < 4; ++v) views[v] = index_.View(key_day + v - 1);
    const size_t n = hi - lo + 1;
    stats_.probes += n;
    for (size_t k = 0; k < n; ++k) {
        const auto interval = static_cast<EnIntervalNumber>(lo + k);
        const Rpi& rpi = rpis[interval - start];
        const uint32_t day_lo = DayOfInterval(SubClamp(interval, kDrift));
        const uint32_t day_hi = DayOfInterval(static_cast<EnIntervalNumber>(
            std::min<uint64_t>(uint64_t{interval} + kDrift, UINT32_MAX)));
        const RpiIndex::DayView& first = views[day_lo + 1 - key_day];
        bool maybe = index_.MaybeInDay(first, rpi) && index_.Check(index_.Prepare(first, rpi), rpi);
        if (!maybe && day_hi != day_lo) {
            const RpiIndex::DayView& second = views[day_hi + 1 - key_day];
            maybe = index_.MaybeInDay(second, rpi) && index_.Check(index_.Prepare(second, rpi), rpi);
        }
        if (maybe) RecordHit(slot, rpi, interval, day_lo, day_hi);
    }
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
