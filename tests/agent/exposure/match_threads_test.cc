// The matcher on several threads returns exactly what one thread returns: the same keys, in
// the same order, with the same hits and statistics, for 1, 2, 3 and 8 workers. Planted
// matches sit on chunk and batch boundaries (with invalid and skipped keys shifting those
// boundaries), on a key published twice in different batches, and on a key heard on two days.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "agent/exposure/match.h"
#include "crypto/random.h"

namespace jejak {
namespace {

constexpr int64_t kThreadsDay0 = 18430;  // 2020-06-16
constexpr uint32_t kDay0Interval = static_cast<uint32_t>(kThreadsDay0 * 144);

struct Workload {
    std::vector<DiagnosisKey> keys;
    std::vector<SightingRecord> records;
    size_t planted_keys = 0;
};

// Records a sighting of `key`'s RPI for interval start + offset, heard `shift` intervals off.
void Plant(Workload& w, const DiagnosisKey& key, uint32_t offset, int shift) {
    Rpi rpi;
    REQUIRE(RpiDeriver().Derive(key.key, key.rolling_start_interval_number + offset,
                                std::span(&rpi, 1))
                .ok());
    SightingRecord r;
    r.rpi = rpi;
    r.first_seen = (int64_t{key.rolling_start_interval_number} + offset + shift) * 600 + 17;
    r.last_seen = r.first_seen + 4;
    w.records.push_back(r);
}

Workload MakeWorkload() {
    SystemRandom random;
    Workload w;
    const size_t n = 3 * Matcher::kBatchKeys + 77;
    w.keys.resize(n);
    for (size_t i = 0; i < n; ++i) {
        random.Fill(w.keys[i].key.mutable_bytes());
        w.keys[i].rolling_start_interval_number = kDay0Interval + static_cast<uint32_t>(i % 3) * 144;
    }
    // Invalid and out-of-range keys early on, so valid keys' batch positions differ from
    // their input positions.
    w.keys[5].rolling_period = 0;
    w.keys[6].rolling_start_interval_number = kDay0Interval - 144 * 10;
    w.keys[7].rolling_start_interval_number = UINT32_MAX - 3;
    // Matches at chunk (32) and batch (1024) edges, counted in valid keys (3 dropped above).
    for (size_t k : {size_t{0}, size_t{34}, size_t{35}, size_t{1026}, size_t{1027}, size_t{1028},
                     size_t{2050}, size_t{2051}, n - 1}) {
        Plant(w, w.keys[k], static_cast<uint32_t>(k % 144), 0);
        Plant(w, w.keys[k], static_cast<uint32_t>((k + 50) % 144), -3);
        ++w.planted_keys;
    }
    // The last interval of a key heard just after midnight: a hit through the second day.
    const size_t late = 600;
    Plant(w, w.keys[late], 143, 2);
    Plant(w, w.keys[late], 10, 0);
    ++w.planted_keys;
    // The same key published again (a revision) two batches later.
    w.keys[2500] = w.keys[34];
    w.keys[2500].report_type = ReportType::kRevoked;
    ++w.planted_keys;
    // Noise: random RPIs over the same three days.
    std::vector<uint8_t> bytes(20 * 3000);
    random.Fill(bytes);
    for (size_t i = 0; i < 3000; ++i) {
        SightingRecord r;
        std::copy_n(&bytes[20 * i], 16, r.rpi.begin());
        uint32_t offset = 0;
        std::copy_n(&bytes[20 * i + 16], 4, reinterpret_cast<uint8_t*>(&offset));
        r.first_seen = kThreadsDay0 * 86400 + offset % (3 * 86400);
        r.last_seen = r.first_seen;
        w.records.push_back(r);
    }
    return w;
}

struct Outcome {
    std::vector<KeyHits> matches;
    MatchStats stats;
    uint64_t keys_done = 0;
    unsigned threads = 0;
};

Outcome RunWorkload(const Workload& w, const RpiIndex& index, unsigned threads) {
    Matcher matcher(index, MatchOptions{threads});
    // Uneven feeds, so Add calls straddle batches.
    for (size_t i = 0; i < w.keys.size(); i += 333) {
        matcher.Add(std::span(w.keys).subspan(i, std::min<size_t>(333, w.keys.size() - i)));
    }
    Outcome out;
    out.matches = matcher.Finish();
    out.stats = matcher.stats();
    out.keys_done = matcher.keys_done();
    out.threads = matcher.threads();
    return out;
}

TEST_CASE("matching on 1, 2, 3 and 8 threads gives identical matches in input order") {
    const Workload w = MakeWorkload();
    const RpiIndex index(w.records, 99);
    const Outcome one = RunWorkload(w, index, 1);
    CHECK(one.threads == 1);
    REQUIRE(one.matches.size() == w.planted_keys);
    CHECK(one.stats.keys == w.keys.size());
    CHECK(one.stats.invalid_keys == 2);
    CHECK(one.stats.skipped_keys == 1);
    CHECK(one.keys_done == w.keys.size());
    CHECK(one.matches[1].sequence == 34);
    CHECK(one.matches.back().sequence == w.keys.size() - 1);
    for (size_t i = 1; i < one.matches.size(); ++i) {
        CHECK(one.matches[i - 1].sequence < one.matches[i].sequence);
    }
    for (unsigned threads : {2u, 3u, 8u}) {
        CAPTURE(threads);
        const Outcome many = RunWorkload(w, index, threads);
        CHECK(many.threads == threads);
        CHECK(many.keys_done == w.keys.size());
        CHECK(many.stats.keys == one.stats.keys);
        CHECK(many.stats.invalid_keys == one.stats.invalid_keys);
        CHECK(many.stats.skipped_keys == one.stats.skipped_keys);
        CHECK(many.stats.probes == one.stats.probes);
        CHECK(many.stats.matched_keys == one.stats.matched_keys);
        REQUIRE(many.matches.size() == one.matches.size());
        for (size_t i = 0; i < one.matches.size(); ++i) {
            const KeyHits& a = one.matches[i];
            const KeyHits& b = many.matches[i];
            CHECK(a.sequence == b.sequence);
            CHECK(a.key.key == b.key.key);
            CHECK(a.key.report_type == b.key.report_type);
            REQUIRE(a.hits.size() == b.hits.size());
            for (size_t h = 0; h < a.hits.size(); ++h) {
                CHECK(a.hits[h].record == b.hits[h].record);
                CHECK(a.hits[h].rpi_interval == b.hits[h].rpi_interval);
            }
        }
    }
}

TEST_CASE("a matcher dropped before Finish stops its workers") {
    const Workload w = MakeWorkload();
    const RpiIndex index(w.records, 3);
    for (unsigned threads : {1u, 4u}) {
        Matcher matcher(index, MatchOptions{threads});
        matcher.Add(w.keys);
        CHECK(matcher.stats().keys == w.keys.size());
        CHECK(matcher.keys_done() <= w.keys.size());
    }  // the destructors join the workers (a hang here is the failure)
}

TEST_CASE("zero threads means one per online CPU") {
    const std::vector<SightingRecord> none;
    const RpiIndex index(none, 1);
    Matcher matcher(index, MatchOptions{0});
    CHECK(matcher.threads() == OnlineCpuCount());
    CHECK(matcher.Finish().empty());
}

}  // namespace
}  // namespace jejak
