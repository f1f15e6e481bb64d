// RpiIndex: every stored RPI is found on its day (no false negatives over random data), RPIs
// never stored are not, and fingerprint collisions are rejected by the full 16-byte compare.
// The matcher's filter pass agrees with a brute-force scan on keys whose periods cross
// midnight at every offset.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "agent/exposure/match.h"
#include "agent/exposure/rpi_index.h"
#include "crypto/random.h"

namespace jejak {
namespace {

constexpr int64_t kDay0 = 18430;  // 2020-06-16

std::vector<SightingRecord> RandomRecords(size_t n, uint32_t days) {
    SystemRandom random;
    std::vector<uint8_t> bytes(20 * n);
    random.Fill(bytes);
    std::vector<SightingRecord> records(n);
    for (size_t i = 0; i < n; ++i) {
        std::copy_n(&bytes[20 * i], 16, records[i].rpi.begin());
        uint32_t offset = 0;
        std::copy_n(&bytes[20 * i + 16], 4, reinterpret_cast<uint8_t*>(&offset));
        records[i].first_seen = kDay0 * 86400 + offset % (days * 86400);
        records[i].last_seen = records[i].first_seen;
    }
    return records;
}

uint32_t DayOf(const SightingRecord& r) { return static_cast<uint32_t>(r.first_seen / 86400); }

TEST_CASE("rpi index finds every stored record on its day over random data") {
    const auto records = RandomRecords(50000, 14);
    const RpiIndex index(records, 12345);
    REQUIRE(index.distinct_rpis() == records.size());
    std::vector<uint32_t> found;
    for (uint32_t i = 0; i < records.size(); ++i) {
        const uint32_t day = DayOf(records[i]);
        REQUIRE(index.MayContain(records[i].rpi, day));
        found.clear();
        REQUIRE(index.Find(records[i].rpi, day, day, found) == 1);
        CHECK(found[0] == i);
    }
}

TEST_CASE("rpi index rejects RPIs that were never stored and stored ones on other days") {
    const auto records = RandomRecords(20000, 14);
    const auto others = RandomRecords(20000, 14);
    const RpiIndex index(records, 99);
    std::vector<uint32_t> found;
    size_t filter_hits = 0;
    for (const auto& r : others) {
        filter_hits += index.MayContain(r.rpi, DayOf(r)) ? 1 : 0;
        CHECK(index.Find(r.rpi, 0, UINT32_MAX - 1, found) == 0);
    }
    // 15-bit fingerprints over buckets at most ~70% full: roughly 1 in 1500 absent RPIs
    // passes the filter (a dozen or so here); the full compare above rejected all of them.
    CHECK(filter_hits < 200);
    const uint32_t day = DayOf(records[0]);
    CHECK(index.Find(records[0].rpi, day + 1, day + 3, found) == 0);
    CHECK_FALSE(index.MayContain(records[0].rpi, day + 100));
}

TEST_CASE("rpi index confirms fingerprint collisions with the full RPI compare") {
    // tag_mask 0 gives every RPI the same fingerprint: each probe of a used bucket is a
    // candidate, and only the 16-byte compare can tell stored from not stored.
    const auto records = RandomRecords(3000, 2);
    const auto others = RandomRecords(3000, 2);
    const RpiIndex index(records, 7, /*tag_mask=*/0);
    std::vector<uint32_t> found;
    size_t candidates = 0;
    for (const auto& r : others) {
        candidates += index.MayContain(r.rpi, DayOf(r)) ? 1 : 0;
        CHECK(index.Find(r.rpi, DayOf(r), DayOf(r), found) == 0);
    }
    CHECK(candidates > 0);
    for (uint32_t i = 0; i < records.size(); ++i) {
        found.clear();
        REQUIRE(index.Find(records[i].rpi, DayOf(records[i]), DayOf(records[i]), found) == 1);
        CHECK(found[0] == i);
    }
}

TEST_CASE("rpi index groups repeated sightings of one RPI in time order per day") {
    std::vector<SightingRecord> records(4);
    for (auto& r : records) r.rpi.fill(0xAB);
    records[0].first_seen = kDay0 * 86400 + 500;
    records[1].first_seen = kDay0 * 86400 + 100;
    records[2].first_seen = (kDay0 + 1) * 86400 + 10;  // next day
    records[3].first_seen = kDay0 * 86400 + 300;
    const RpiIndex index(records, 1);
    std::vector<uint32_t> found;
    REQUIRE(index.Find(records[0].rpi, kDay0, kDay0, found) == 3);
    CHECK(found == std::vector<uint32_t>{1, 3, 0});
    found.clear();
    CHECK(index.Find(records[0].rpi, kDay0, kDay0 + 1, found) == 4);
    CHECK(index.first_interval() == static_cast<uint32_t>((kDay0 * 86400 + 100) / 600));
    CHECK(index.last_interval() == static_cast<uint32_t>(((kDay0 + 1) * 86400 + 10) / 600));
}

TEST_CASE("rpi index over no records or only invalid times is empty") {
    std::vector<SightingRecord> none;
    CHECK(RpiIndex(none, 1).empty());
    std::vector<SightingRecord> negative(2);
    negative[0].first_seen = -5;
    negative[1].first_seen = -600;
    const RpiIndex index(negative, 1);
    CHECK(index.empty());
    CHECK_FALSE(index.MayContain(negative[0].rpi, 0));
}

// Every (key, interval, record) triple with equal RPIs and the record's day within the
// interval's +-12-interval drift window, found by scanning everything.
std::set<std::pair<uint64_t, uint32_t>> BruteForceHits(const std::vector<DiagnosisKey>& keys,
                                                       const std::vector<SightingRecord>& records) {
    std::set<std::pair<uint64_t, uint32_t>> hits;
    for (size_t k = 0; k < keys.size(); ++k) {
        std::vector<Rpi> rpis(keys[k].rolling_period);
        REQUIRE(RpiDeriver().Derive(keys[k].key, keys[k].rolling_start_interval_number, rpis).ok());
        for (uint32_t j = 0; j < rpis.size(); ++j) {
            const uint32_t interval = keys[k].rolling_start_interval_number + j;
            for (uint32_t r = 0; r < records.size(); ++r) {
                const uint32_t day = DayOf(records[r]);
                if (records[r].rpi == rpis[j] && day >= (interval - 12) / 144 &&
                    day <= (interval + 12) / 144) {
                    hits.insert({k * 1000 + interval - keys[k].rolling_start_interval_number, r});
                }
            }
        }
    }
    return hits;
}

TEST_CASE("matcher finds exactly the brute-force hits for unaligned periods across midnight") {
    SystemRandom random;
    std::vector<DiagnosisKey> keys(40);
    std::vector<SightingRecord> records = RandomRecords(2000, 4);
    const uint32_t day0_interval = static_cast<uint32_t>(kDay0 * 144);
    for (size_t k = 0; k < keys.size(); ++k) {
        random.Fill(keys[k].key.mutable_bytes());
        // Starts anywhere in the first three days, periods 1..144.
        keys[k].rolling_start_interval_number = day0_interval + static_cast<uint32_t>(k * 13 % 432);
        keys[k].rolling_period = static_cast<uint32_t>(1 + (k * 37) % 144);
        // Sightings of several of the key's RPIs, at the interval and up to 20 intervals off,
        // so some fall inside and some outside the drift window and the day pair.
        std::vector<Rpi> rpis(keys[k].rolling_period);
        REQUIRE(RpiDeriver().Derive(keys[k].key, keys[k].rolling_start_interval_number, rpis).ok());
        for (uint32_t j = 0; j < rpis.size(); j += 7) {
            SightingRecord& r = records[(k * 41 + j) % records.size()];
            r.rpi = rpis[j];
            const int64_t shift = static_cast<int64_t>((k + j) % 41) - 20;
            r.first_seen = int64_t{keys[k].rolling_start_interval_number + j + shift} * 600 + 5;
        }
    }
    const RpiIndex index(records, 77);
    Matcher matcher(index);
    matcher.Add(keys);
    std::set<std::pair<uint64_t, uint32_t>> got;
    for (const KeyHits& m : matcher.Finish()) {
        for (const RpiHit& h : m.hits) {
            got.insert({m.sequence * 1000 + h.rpi_interval - m.key.rolling_start_interval_number,
                        h.record});
        }
    }
    const auto want = BruteForceHits(keys, records);
    CHECK(want.size() > 20);
    CHECK(got == want);
}

}  // namespace
}  // namespace jejak

namespace jejak {
namespace {

// Regression: the index took its first interval from the lowest RPI of the first day rather
// than the earliest sighting, so the matcher's time-range filter dropped a key heard early on
// that day whenever a record with a smaller RPI came later the same day.
TEST_CASE("a key heard first thing on the first stored day matches whatever RPIs come later") {
    DiagnosisKey key;
    key.key.mutable_bytes()[0] = 7;
    key.rolling_start_interval_number = static_cast<uint32_t>(kDay0 * 144);
    Rpi first;
    REQUIRE(RpiDeriver().Derive(key.key, key.rolling_start_interval_number, std::span(&first, 1)).ok());
    std::vector<SightingRecord> records(2);
    records[0].rpi = first;
    records[0].first_seen = kDay0 * 86400 + 30;  // 00:00:30, interval 0 of the day
    records[1].rpi = Rpi{};                      // all zero: the smallest RPI there is
    records[1].first_seen = kDay0 * 86400 + 20 * 3600;  // 20:00 the same day
    REQUIRE(records[0].rpi != records[1].rpi);
    const RpiIndex index(records, 11);
    CHECK(index.first_interval() == key.rolling_start_interval_number);
    CHECK(index.last_interval() == key.rolling_start_interval_number + 120);
    Matcher matcher(index, MatchOptions{1});
    matcher.Add(std::span(&key, 1));
    const std::vector<KeyHits> matches = matcher.Finish();
    REQUIRE(matches.size() == 1);
    REQUIRE(matches[0].hits.size() == 1);
    CHECK(matches[0].hits[0].record == 0);
}

}  // namespace
}  // namespace jejak
