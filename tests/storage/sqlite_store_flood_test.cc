// Radio flooding must not grow memory or the store without bound. Guards the hole seen by
// running 500 fake advertisers that change RPI constantly: 1,500 rows in 10 s with no cap at
// any layer, and a write-behind buffer that grew while flushes failed.
#include <doctest/doctest.h>

#include "storage/sighting_aggregator.h"
#include "tests/storage/store_test_util.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::SampleSighting;

Rpi RpiOf(uint32_t n) {
    Rpi r{};
    for (size_t i = 0; i < 4; ++i) r[i] = static_cast<uint8_t>(n >> (8 * i));
    return r;
}

TEST_CASE("a scan window keeps at most its cap of RPIs, evicting the weakest signal") {
    SightingAggregator agg(ScanRegime::kUnrecorded, 0, 3);
    agg.BeginScan(std::nullopt);
    agg.Add({RpiOf(1), {}, 100, -80});
    agg.Add({RpiOf(2), {}, 100, -70});
    agg.Add({RpiOf(2), {}, 101, -72});
    agg.Add({RpiOf(3), {}, 100, -60});
    // A flood from afar: refused, counted.
    for (uint32_t n = 1000; n < 1500; ++n) agg.Add({RpiOf(n), {}, 102, -95});
    CHECK(agg.dropped_receptions() == 500);
    // A nearby device still gets in, pushing out the weakest (RPI 1, one reception).
    agg.Add({RpiOf(4), {}, 103, -50});
    CHECK(agg.dropped_receptions() == 501);
    // Receptions of an RPI already kept are never refused.
    agg.Add({RpiOf(2), {}, 104, -71});
    const auto out = agg.EndScan();
    REQUIRE(out.size() == 3);
    CHECK(out[0].rpi == RpiOf(2));
    CHECK(out[0].count == 3);
    CHECK(out[1].rpi == RpiOf(3));
    CHECK(out[2].rpi == RpiOf(4));
}

TEST_CASE("sqlite store caps rows per day, across sessions, and counts what it dropped") {
    testing::ScratchDir dir;
    ManualClock clock(testing::Micros(testing::kDay0Unix + 3600));
    SqliteStoreOptions o = testing::SqliteOptions(dir);
    o.max_sightings_per_day = 10;
    o.flush_interval_s = 0;
    auto count_today = [&](Store& store) {
        auto stats = store.Stats();
        REQUIRE(stats.ok());
        for (const DayCount& d : stats->days) {
            if (d.day == testing::kDay0) return d.sightings;
        }
        return uint64_t{0};
    };
    {
        auto store = SqliteStore::Open(clock, o);
        REQUIRE(store.ok());
        std::vector<Sighting> batch;
        for (uint32_t i = 0; i < 25; ++i) batch.push_back(SampleSighting(i, testing::kDay0Unix + i));
        REQUIRE((*store)->AddSightings(batch).ok());
        REQUIRE((*store)->Flush().ok());
        CHECK(count_today(**store) == 10);
        CHECK((*store)->Stats()->dropped_day_cap == 15);
        REQUIRE((*store)->Close().ok());
    }
    auto store = SqliteStore::Open(clock, o);
    REQUIRE(store.ok());
    std::vector<Sighting> more;
    for (uint32_t i = 0; i < 5; ++i) more.push_back(SampleSighting(100 + i, testing::kDay0Unix + i));
    REQUIRE((*store)->AddSightings(more).ok());
    REQUIRE((*store)->Flush().ok());
    CHECK(count_today(**store) == 10);  // the count of the earlier session was remembered
    CHECK((*store)->Stats()->dropped_day_cap == 5);
    // Another day has its own budget.
    std::vector<Sighting> tomorrow{SampleSighting(7, testing::kDay0Unix + 86400 + 5)};
    clock.Advance(testing::Micros(86400));
    REQUIRE((*store)->AddSightings(tomorrow).ok());
    REQUIRE((*store)->Flush().ok());
    CHECK((*store)->Stats()->dropped_day_cap == 5);
}

TEST_CASE("sqlite store write-behind buffer stays bounded, dropping the oldest first") {
    testing::ScratchDir dir;
    ManualClock clock(testing::Micros(testing::kDay0Unix + 3600));
    SqliteStoreOptions o = testing::SqliteOptions(dir);
    o.max_pending_sightings = 4;
    o.flush_interval_s = 86400;  // nothing flushes on its own: as if every flush failed
    auto store = SqliteStore::Open(clock, o);
    REQUIRE(store.ok());
    for (uint32_t i = 0; i < 10; ++i) {
        const Sighting s = SampleSighting(i, testing::kDay0Unix + i);
        REQUIRE((*store)->AddSightings({&s, 1}).ok());
    }
    auto stats = (*store)->Stats();
    REQUIRE(stats.ok());
    CHECK(stats->pending_sightings == 4);
    CHECK(stats->dropped_buffer_full == 6);
    REQUIRE((*store)->Flush().ok());
    std::vector<int64_t> kept;
    REQUIRE((*store)->ForEachSighting(DayRange::All(), [&](const Sighting& s) {
        kept.push_back(s.first_seen_unix_s - testing::kDay0Unix);
    }).ok());
    CHECK(kept == std::vector<int64_t>{6, 7, 8, 9});
}

}  // namespace
}  // namespace jejak
