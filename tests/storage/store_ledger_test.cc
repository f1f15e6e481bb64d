// The exposure ledger's records in the Store contract (both implementations): appended in
// one transaction, read back per day in insertion order, dropped outside the writable
// window, expired with their day; sealed and bound to their day on disk; and the schema
// migration that adds their table to stores of versions 1 and 2.
#include <doctest/doctest.h>

#include "storage/row_codec.h"
#include "storage/sqlite_schema.h"
#include "store_test_util.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using namespace jejak::testing;

#define STORE_TYPES MemoryFactory, SqliteFactory

std::unique_ptr<Store> MustOpenLedger(auto& factory, const Clock& clock, StoreOptions o = {}) {
    auto store = factory.Open(clock, o);
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    return std::move(store).value();
}

std::vector<std::pair<int64_t, LedgerRecord>> AllRecords(Store& store,
                                                         DayRange days = DayRange::All()) {
    std::vector<std::pair<int64_t, LedgerRecord>> out;
    auto report = store.ForEachLedgerRecord(
        days, [&](int64_t id, const LedgerRecord& r) { out.emplace_back(id, r); });
    REQUIRE(report.ok());
    CHECK(report->clean());
    return out;
}

}  // namespace

TEST_CASE_TEMPLATE("store keeps ledger records per day in insertion order", F, STORE_TYPES) {
    F factory;
    ManualClock clock(Micros(kDay0Unix + 3600));
    auto store = MustOpenLedger(factory, clock);
    const std::vector<LedgerRecord> first = {{kDay0, "today-a"}, {kDay0 - 3, "three-days-ago"}};
    const std::vector<LedgerRecord> second = {{kDay0, "today-b"}};
    REQUIRE(store->AddLedgerRecords(first).ok());
    REQUIRE(store->AddLedgerRecords(second).ok());
    REQUIRE(store->AddLedgerRecords({}).ok());
    const auto all = AllRecords(*store);
    REQUIRE(all.size() == 3);
    CHECK(all[0].second == first[1]);  // ordered by day first
    CHECK(all[1].second == first[0]);
    CHECK(all[2].second == second[0]);
    CHECK(all[1].first < all[2].first);  // later insertion, larger id
    const auto today = AllRecords(*store, DayRange::One(kDay0));
    REQUIRE(today.size() == 2);
    CHECK(today[1].second.payload == "today-b");
    auto stats = store->Stats();
    REQUIRE(stats.ok());
    REQUIRE(stats->days.size() == 2);
    CHECK(stats->days[1].ledger_records == 2);
    CHECK(stats->days[0].ledger_records == 1);
}

TEST_CASE_TEMPLATE("ledger records outside the window are dropped; held ones expire with their day",
                   F, STORE_TYPES) {
    F factory;
    ManualClock clock(Micros(kDay0Unix + 60));
    auto store = MustOpenLedger(factory, clock, {.retention_days = 3, .flush_interval_s = 30});
    const std::vector<LedgerRecord> records = {{kDay0 - 3, "expired already"},
                                               {kDay0 - 2, "oldest held"},
                                               {kDay0, "today"},
                                               {kDay0 + 2, "too far ahead"}};
    REQUIRE(store->AddLedgerRecords(records).ok());
    auto held = AllRecords(*store);
    REQUIRE(held.size() == 2);
    CHECK(held[0].second.payload == "oldest held");
    CHECK(store->Stats()->dropped_out_of_window == 2);

    clock.Advance(Micros(86400));  // kDay0 - 2 leaves the window
    REQUIRE(store->EnforceRetention().ok());
    held = AllRecords(*store);
    REQUIRE(held.size() == 1);
    CHECK(held[0].second.payload == "today");
    if constexpr (F::kPersistent) {
        store.reset();
        auto reopened = MustOpenLedger(factory, clock, {.retention_days = 3, .flush_interval_s = 30});
        held = AllRecords(*reopened);
        REQUIRE(held.size() == 1);
        CHECK(held[0].second.payload == "today");
        auto verified = reopened->Verify();
        REQUIRE(verified.ok());
        CHECK(verified->clean());
    }
}

TEST_CASE("ledger payloads: day-bound, must-reject malformed") {
    const LedgerRecord record{kDay0, R"({"kind":"windows"})"};
    const std::vector<uint8_t> plain = EncodeLedgerRecord(record);
    auto back = DecodeLedgerRecord(plain, kDay0);
    REQUIRE(back.ok());
    CHECK(*back == record);
    CHECK(DecodeLedgerRecord(plain, kDay0 + 1).status().IsCorruption());  // moved to another day
    CHECK(DecodeLedgerRecord(std::span(plain).first(4), kDay0).status().IsCorruption());
    std::vector<uint8_t> bad = plain;
    bad[0] = 9;
    CHECK(DecodeLedgerRecord(bad, kDay0).status().IsCorruption());
    const LedgerRecord empty{kDay0, ""};
    auto none = DecodeLedgerRecord(EncodeLedgerRecord(empty), kDay0);
    REQUIRE(none.ok());
    CHECK(none->payload.empty());
}

TEST_CASE("the SQLite store seals ledger records: a flipped byte is reported, not read") {
    ScratchDir dir;
    ManualClock clock(Micros(kDay0Unix + 3600));
    {
        auto store = SqliteStore::Open(clock, SqliteOptions(dir));
        REQUIRE(store.ok());
        REQUIRE((*store)
                    ->AddLedgerRecords(std::vector<LedgerRecord>{{kDay0, "exposure-ledger-secret"}})
                    .ok());
    }
    const std::vector<uint8_t> db = ReadFile(dir.File("store.db"));
    const std::string text(db.begin(), db.end());
    CHECK(text.find("exposure-ledger-secret") == std::string::npos);
    {
        auto raw = SqliteDb::Open(dir.File("store.db"), false);
        REQUIRE(raw.ok());
        REQUIRE(raw->Exec("UPDATE exposure_ledger SET payload = "
                          "substr(payload, 1, 10) || x'ff' || substr(payload, 12)",
                          "tamper")
                    .ok());
    }
    auto store = SqliteStore::Open(clock, SqliteOptions(dir));
    REQUIRE(store.ok());
    int seen = 0;
    auto report = (*store)->ForEachLedgerRecord(DayRange::All(),
                                                [&](int64_t, const LedgerRecord&) { ++seen; });
    REQUIRE(report.ok());
    CHECK(seen == 0);
    REQUIRE(report->problems.size() == 1);
    CHECK(report->problems[0].table == "exposure_ledger");
}

TEST_CASE("a schema-2 store migrates to 3: the ledger table appears, rows stay") {
    ScratchDir dir;
    ManualClock clock(Micros(kDay0Unix + 3600));
    const Sighting kept = SampleSighting(4, kDay0Unix + 100);
    {
        auto store = SqliteStore::Open(clock, SqliteOptions(dir));
        REQUIRE(store.ok());
        REQUIRE((*store)->AddSightings({&kept, 1}).ok());
        REQUIRE((*store)->Close().ok());
        // Back to what a schema-2 build left: no ledger table, version 2.
        auto raw = SqliteDb::Open(dir.File("store.db"), false);
        REQUIRE(raw.ok());
        REQUIRE(raw->Exec("DROP TABLE exposure_ledger; PRAGMA user_version=2;", "downgrade").ok());
    }
    auto store = SqliteStore::Open(clock, SqliteOptions(dir));
    REQUIRE(store.ok());
    CHECK(AllSightings(**store) == std::vector<Sighting>{kept});
    REQUIRE((*store)->AddLedgerRecords(std::vector<LedgerRecord>{{kDay0, "after migration"}}).ok());
    CHECK(AllRecords(**store).size() == 1);
    REQUIRE((*store)->Close().ok());
    auto raw = SqliteDb::Open(dir.File("store.db"), false);
    REQUIRE(raw.ok());
    CHECK(raw->QueryInt("PRAGMA user_version").value() == kSchemaVersion);
    CHECK(kSchemaVersion == 3);

    // A version this build does not know is refused, nothing changed.
    REQUIRE(raw->Exec("PRAGMA user_version=4;", "pretend newer").ok());
    auto newer = SqliteStore::Open(clock, SqliteOptions(dir));
    CHECK_FALSE(newer.ok());
    CHECK(newer.status().message().find("newer than this build") != std::string::npos);
}

}  // namespace jejak
