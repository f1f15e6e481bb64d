// The Store contract, run against both implementations (in-memory and SQLite).
#include <doctest/doctest.h>

#include "store_test_util.h"

namespace jejak {
namespace {

using namespace jejak::testing;

#define STORE_TYPES MemoryFactory, SqliteFactory

std::unique_ptr<Store> MustOpen(auto& factory, const Clock& clock, StoreOptions o = {}) {
    auto store = factory.Open(clock, o);
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    return std::move(store).value();
}

}  // namespace

TEST_CASE_TEMPLATE("store returns flushed sightings per day, in insertion order", F, STORE_TYPES) {
    F factory;
    ManualClock clock(Micros(kDay0Unix + 3600));
    auto store = MustOpen(factory, clock);
    std::vector<Sighting> today, yesterday;
    for (uint32_t i = 0; i < 5; ++i) today.push_back(SampleSighting(i, kDay0Unix + 100 + i));
    for (uint32_t i = 5; i < 8; ++i) yesterday.push_back(SampleSighting(i, kDay0Unix - 500 + i));
    REQUIRE(store->AddSightings(today).ok());
    REQUIRE(store->AddSightings(yesterday).ok());
    REQUIRE(store->Flush().ok());
    CHECK(AllSightings(*store, DayRange::One(kDay0)) == today);
    CHECK(AllSightings(*store, DayRange::One(kDay0 - 1)) == yesterday);
    auto all = AllSightings(*store);
    REQUIRE(all.size() == 8);
    CHECK(all.front() == yesterday.front());
    CHECK(AllSightings(*store, DayRange::One(kDay0 + 1)).empty());
}

TEST_CASE_TEMPLATE("store buffers sightings until the flush interval passes", F, STORE_TYPES) {
    F factory;
    ManualClock clock(Micros(kDay0Unix + 3600));
    auto store = MustOpen(factory, clock, {.retention_days = 14, .flush_interval_s = 30});
    const Sighting a = SampleSighting(1, kDay0Unix + 3600);
    REQUIRE(store->AddSightings({&a, 1}).ok());
    CHECK(AllSightings(*store).empty());
    CHECK(store->Stats()->pending_sightings == 1);
    clock.Advance(Micros(29));
    REQUIRE(store->AddSightings({&a, 1}).ok());
    CHECK(AllSightings(*store).empty());
    clock.Advance(Micros(1));
    REQUIRE(store->AddSightings({&a, 1}).ok());  // interval reached: flushes all three
    CHECK(AllSightings(*store).size() == 3);
    auto stats = store->Stats();
    CHECK(stats->pending_sightings == 0);
    CHECK(stats->last_flush_unix_s == kDay0Unix + 3630);
}

TEST_CASE_TEMPLATE("store expires days that leave the retention window", F, STORE_TYPES) {
    F factory;
    ManualClock clock(Micros(kDay0Unix + 60));  // day 1 of the scenario
    auto store = MustOpen(factory, clock);
    const Sighting day1 = SampleSighting(1, kDay0Unix + 60);
    REQUIRE(store->AddSightings({&day1, 1}).ok());
    REQUIRE(store->PutTek(SampleTek(1, kDay0)).ok());
    REQUIRE(store->AddExposureCheck({kDay0Unix + 70, "{}"}).ok());
    REQUIRE(store->Flush().ok());
    clock.Advance(Micros(86400));  // day 2
    const Sighting day2 = SampleSighting(2, kDay0Unix + 86400 + 5);
    REQUIRE(store->AddSightings({&day2, 1}).ok());
    REQUIRE(store->Flush().ok());

    clock.SetUnixMicros(Micros(kDay0Unix + 13 * 86400 + 10));  // day 14: both still held
    REQUIRE(store->EnforceRetention().ok());
    CHECK(AllSightings(*store).size() == 2);
    clock.SetUnixMicros(Micros(kDay0Unix + 14 * 86400 + 10));  // day 15: day 1 is gone
    REQUIRE(store->Flush().ok());  // housekeeping notices the new day by itself
    CHECK(AllSightings(*store) == std::vector<Sighting>{day2});
    int teks = 0;
    REQUIRE(store->ForEachTek(DayRange::All(), [&](const StoredTek&) { ++teks; }).ok());
    CHECK(teks == 0);
    int checks = 0;
    REQUIRE(store->ForEachExposureCheck(DayRange::All(), [&](int64_t, const auto&) { ++checks; }).ok());
    CHECK(checks == 0);
    CHECK(store->Stats()->oldest_retained_day == kDay0 + 1);
}

TEST_CASE_TEMPLATE("store drops writes for days outside the window and counts them", F,
                   STORE_TYPES) {
    F factory;
    ManualClock clock(Micros(kDay0Unix + 60));
    auto store = MustOpen(factory, clock, {.retention_days = 3, .flush_interval_s = 30});
    const Sighting old_one = SampleSighting(1, kDay0Unix - 3 * 86400);
    const Sighting tomorrow = SampleSighting(2, kDay0Unix + 86400 + 1);
    const Sighting far = SampleSighting(3, kDay0Unix + 2 * 86400 + 1);
    for (const Sighting* s : {&old_one, &tomorrow, &far}) REQUIRE(store->AddSightings({s, 1}).ok());
    REQUIRE(store->Flush().ok());
    REQUIRE(store->PutTek(SampleTek(1, kDay0 - 5)).ok());
    auto id = store->AddExposureCheck({kDay0Unix - 10 * 86400, "x"});
    REQUIRE(id.ok());
    CHECK(*id == 0);
    CHECK(AllSightings(*store) == std::vector<Sighting>{tomorrow});
    CHECK(store->Stats()->dropped_out_of_window == 4);
}

TEST_CASE_TEMPLATE("store keeps TEKs, exposure checks and device state", F, STORE_TYPES) {
    F factory;
    ManualClock clock(Micros(kDay0Unix + 60));
    auto store = MustOpen(factory, clock);
    const StoredTek a = SampleTek(1, kDay0 - 1), b = SampleTek(2, kDay0);
    REQUIRE(store->PutTek(b).ok());
    REQUIRE(store->PutTek(a).ok());
    std::vector<StoredTek> teks;
    REQUIRE(store->ForEachTek(DayRange::All(), [&](const StoredTek& t) { teks.push_back(t); }).ok());
    CHECK(teks == std::vector<StoredTek>{a, b});
    StoredTek bad = SampleTek(3, kDay0);
    bad.rolling_period = 0;
    CHECK(store->PutTek(bad).IsInvalidArgument());

    auto id1 = store->AddExposureCheck({kDay0Unix + 61, R"({"risk":1})"});
    auto id2 = store->AddExposureCheck({kDay0Unix + 62, std::string("\0bin", 4)});
    REQUIRE((id1.ok() && id2.ok()));
    CHECK(*id1 > 0);
    CHECK(*id2 > *id1);
    std::vector<std::pair<int64_t, ExposureCheckResult>> checks;
    REQUIRE(store->ForEachExposureCheck(DayRange::One(kDay0), [&](int64_t id, const auto& r) {
                      checks.emplace_back(id, r);
                  }).ok());
    REQUIRE(checks.size() == 2);
    CHECK(checks[0].first == *id1);
    CHECK(checks[1].second.payload == std::string("\0bin", 4));

    CHECK(store->GetState("clock").status().IsNotFound());
    REQUIRE(store->PutState({"clock", "synced"}).ok());
    REQUIRE(store->PutState({"clock", "drifting"}).ok());
    REQUIRE(store->PutState({"last_rotation", "123"}).ok());
    CHECK(*store->GetState("clock") == "drifting");
    CHECK(*store->GetState("last_rotation") == "123");
}

TEST_CASE_TEMPLATE("store rejects malformed sightings and buffers none of the batch", F,
                   STORE_TYPES) {
    F factory;
    ManualClock clock(Micros(kDay0Unix + 60));
    auto store = MustOpen(factory, clock);
    std::vector<Sighting> batch{SampleSighting(1, kDay0Unix), SampleSighting(2, kDay0Unix)};
    batch[1].last_seen_unix_s = batch[1].first_seen_unix_s - 1;
    CHECK(store->AddSightings(batch).IsInvalidArgument());
    batch[1] = SampleSighting(2, kDay0Unix);
    batch[1].count = 0;
    CHECK(store->AddSightings(batch).IsInvalidArgument());
    batch[1] = SampleSighting(2, kDay0Unix);
    batch[1].min_rssi = 10;
    CHECK(store->AddSightings(batch).IsInvalidArgument());
    CHECK(store->Stats()->pending_sightings == 0);
}

TEST_CASE_TEMPLATE("store stats count rows per day", F, STORE_TYPES) {
    F factory;
    ManualClock clock(Micros(kDay0Unix + 60));
    auto store = MustOpen(factory, clock, {.retention_days = 5, .flush_interval_s = 30});
    std::vector<Sighting> batch;
    for (uint32_t i = 0; i < 4; ++i) batch.push_back(SampleSighting(i, kDay0Unix - 86400 + i));
    batch.push_back(SampleSighting(9, kDay0Unix + 1));
    REQUIRE(store->AddSightings(batch).ok());
    REQUIRE(store->Flush().ok());
    REQUIRE(store->PutTek(SampleTek(1, kDay0)).ok());
    auto stats = store->Stats();
    REQUIRE(stats.ok());
    REQUIRE(stats->days.size() == 2);
    CHECK(stats->days[0].day == kDay0 - 1);
    CHECK(stats->days[0].sightings == 4);
    CHECK(stats->days[1].sightings == 1);
    CHECK(stats->days[1].teks == 1);
    CHECK(stats->retention_days == 5);
    CHECK(stats->oldest_retained_day == kDay0 - 4);
}

TEST_CASE_TEMPLATE("a closed store refuses calls; closing flushes the buffer", F, STORE_TYPES) {
    F factory;
    ManualClock clock(Micros(kDay0Unix + 60));
    auto store = MustOpen(factory, clock);
    const Sighting a = SampleSighting(1, kDay0Unix + 1);
    REQUIRE(store->AddSightings({&a, 1}).ok());
    REQUIRE(store->Close().ok());
    CHECK(store->Flush().code() == StatusCode::kFailedPrecondition);
    CHECK(store->Stats().status().code() == StatusCode::kFailedPrecondition);
    if constexpr (F::kPersistent) {
        auto reopened = MustOpen(factory, clock);
        CHECK(AllSightings(*reopened) == std::vector<Sighting>{a});
    }
}

TEST_CASE_TEMPLATE("store options are validated", F, STORE_TYPES) {
    F factory;
    ManualClock clock(Micros(kDay0Unix));
    CHECK(factory.Open(clock, {.retention_days = 0}).status().IsInvalidArgument());
    CHECK(factory.Open(clock, {.retention_days = 26}).status().IsInvalidArgument());
    CHECK(factory.Open(clock, {.retention_days = 14, .flush_interval_s = -1})
              .status()
              .IsInvalidArgument());
}

TEST_CASE("sqlite store keeps everything across reopen, including device state") {
    SqliteFactory factory;
    ManualClock clock(Micros(kDay0Unix + 60));
    std::vector<Sighting> batch;
    for (uint32_t i = 0; i < 50; ++i) batch.push_back(SampleSighting(i, kDay0Unix + i));
    {
        auto store = MustOpen(factory, clock);
        REQUIRE(store->AddSightings(batch).ok());
        REQUIRE(store->PutTek(SampleTek(4, kDay0)).ok());
        REQUIRE(store->PutState({"clock", "ok"}).ok());
        REQUIRE(store->Close().ok());
    }
    clock.Advance(Micros(3600));
    auto store = MustOpen(factory, clock);
    CHECK(AllSightings(*store) == batch);
    CHECK(*store->GetState("clock") == "ok");
    CHECK(store->Stats()->last_flush_unix_s == kDay0Unix + 60);
    auto verify = store->Verify();
    REQUIRE(verify.ok());
    CHECK(verify->clean());
    CHECK(verify->rows_ok == 50 + 1 + 2);  // sightings, TEK, two state rows (clock, last flush)
}

}  // namespace jejak
