// The store on a full or failing disk (FaultyVfs: SQLITE_FULL, I/O errors part-way through a
// transaction): a failed write commits nothing of itself, keeps its buffer for the next try,
// loses nothing committed before, leaves no stray rows behind, and the store verifies clean
// once the disk works again, before and after reopening.
#include <doctest/doctest.h>

#include "tests/fakes/faulty_vfs.h"
#include "tests/storage/store_test_util.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::FaultyVfs;
using testing::SampleSighting;

std::vector<int64_t> StoredOffsets(Store& store) {
    std::vector<int64_t> out;
    REQUIRE(store.ForEachSighting(DayRange::All(), [&](const Sighting& s) {
        out.push_back(s.first_seen_unix_s - testing::kDay0Unix);
    }).ok());
    return out;
}

std::vector<int64_t> Range(int64_t from, int64_t to) {
    std::vector<int64_t> v;
    for (int64_t i = from; i < to; ++i) v.push_back(i);
    return v;
}

void AddRange(Store& store, uint32_t from, uint32_t to) {
    std::vector<Sighting> batch;
    for (uint32_t i = from; i < to; ++i) batch.push_back(SampleSighting(i, testing::kDay0Unix + i));
    REQUIRE(store.AddSightings(batch).ok());
}

void CheckVerifiesClean(Store& store) {
    auto report = store.Verify();
    REQUIRE(report.ok());
    for (const auto& p : report->problems) CAPTURE(p.what);
    CHECK(report->problems.empty());
}

int64_t CountRows(const testing::ScratchDir& dir, const std::string& table) {
    auto db = SqliteDb::Open(SqliteStore::DatabasePath(dir.str()), false);
    REQUIRE(db.ok());
    auto n = db->QueryInt("SELECT count(*) FROM " + table);
    REQUIRE(n.ok());
    return *n;
}

TEST_CASE("sqlite store on a full disk: the flush fails, its buffer waits, nothing committed is lost") {
    FaultyVfs vfs;
    testing::ScratchDir dir;
    ManualClock clock(testing::Micros(testing::kDay0Unix + 3600));
    SqliteStoreOptions o = testing::SqliteOptions(dir);
    o.flush_interval_s = 86400;  // only explicit flushes
    {
        auto store = SqliteStore::Open(clock, o);
        REQUIRE(store.ok());
        AddRange(**store, 0, 20);
        REQUIRE((*store)->Flush().ok());

        vfs.Set(FaultyVfs::Fault::kFull);
        AddRange(**store, 20, 40);
        for (int attempt = 0; attempt < 3; ++attempt) {
            Status s = (*store)->Flush();
            CAPTURE(s.ToString());
            CHECK(s.IsIOError());
            CHECK(s.message().find("full") != std::string::npos);
        }
        CHECK(vfs.failed_writes() > 0);
        auto stats = (*store)->Stats();
        REQUIRE(stats.ok());
        CHECK(stats->pending_sightings == 20);
        CHECK(stats->dropped_buffer_full == 0);
        // Reading needs no space: what was committed is all there.
        CHECK(StoredOffsets(**store) == Range(0, 20));
        // Keys and device state fail the same way, and leave nothing half-written.
        CHECK(!(*store)->PutTek(testing::SampleTek(1, testing::kDay0)).ok());
        CHECK(!(*store)->PutState({"probe", "1"}).ok());

        vfs.Clear();
        REQUIRE((*store)->Flush().ok());
        CHECK(StoredOffsets(**store) == Range(0, 40));
        REQUIRE((*store)->PutTek(testing::SampleTek(1, testing::kDay0)).ok());
        REQUIRE((*store)->PutState({"probe", "1"}).ok());
        CheckVerifiesClean(**store);
        REQUIRE((*store)->Close().ok());
    }
    auto store = SqliteStore::Open(clock, o);
    REQUIRE(store.ok());
    CHECK(StoredOffsets(**store) == Range(0, 40));
    CHECK(*(*store)->GetState("probe") == "1");
    CheckVerifiesClean(**store);
}

TEST_CASE("sqlite store: an I/O error part-way through a flush commits none of it") {
    FaultyVfs vfs;
    testing::ScratchDir dir;
    ManualClock clock(testing::Micros(testing::kDay0Unix + 3600));
    SqliteStoreOptions o = testing::SqliteOptions(dir);
    o.flush_interval_s = 86400;
    // Each strike lets a different number of pages through before the error.
    for (uint64_t grace : {0, 1, 3, 7, 20}) {
        CAPTURE(grace);
        {
            auto store = SqliteStore::Open(clock, o);
            REQUIRE(store.ok());
            const auto before = StoredOffsets(**store);
            AddRange(**store, 1000, 3000);  // many pages
            vfs.Set(FaultyVfs::Fault::kIoError, grace);
            Status s = (*store)->Flush();
            vfs.Clear();
            CAPTURE(s.ToString());
            if (s.ok()) {
                // The grace outlasted the transaction: then every row is there.
                CHECK(StoredOffsets(**store).size() == before.size() + 2000);
            } else {
                CHECK(s.IsIOError());
                CHECK(StoredOffsets(**store) == before);
                CHECK((*store)->Stats()->pending_sightings == 2000);
            }
            // The disk works again: closing flushes whatever the failure left buffered.
            REQUIRE((*store)->Close().ok());
        }
        vfs.Clear();
        auto store = SqliteStore::Open(clock, o);
        REQUIRE(store.ok());
        CheckVerifiesClean(**store);
        const size_t n = StoredOffsets(**store).size();
        CHECK(n % 2000 == 0);  // whole flushes or nothing
        REQUIRE((*store)->Close().ok());
    }
}

TEST_CASE("sqlite store: a flush that failed at commit leaves no stray device-state row") {
    // The flush records its time as device state (one row per name); a failed commit must
    // not make the store forget which row holds the name, or every failure leaves one more.
    FaultyVfs vfs;
    testing::ScratchDir dir;
    ManualClock clock(testing::Micros(testing::kDay0Unix + 3600));
    SqliteStoreOptions o = testing::SqliteOptions(dir);
    o.flush_interval_s = 86400;
    auto store = SqliteStore::Open(clock, o);
    REQUIRE(store.ok());
    AddRange(**store, 0, 5);
    REQUIRE((*store)->Flush().ok());
    REQUIRE((*store)->PutState({"probe", "a"}).ok());
    const int64_t state_rows = CountRows(dir, "device_state");
    for (int i = 0; i < 5; ++i) {
        AddRange(**store, 10 + i, 11 + i);
        vfs.Set(FaultyVfs::Fault::kFull);
        CHECK(!(*store)->Flush().ok());
        CHECK(!(*store)->PutState({"probe", "b"}).ok());
        vfs.Clear();
        REQUIRE((*store)->Flush().ok());
        clock.Advance(testing::Micros(1));
    }
    CHECK(*(*store)->GetState("probe") == "a");
    CHECK(CountRows(dir, "device_state") == state_rows);
    REQUIRE((*store)->Close().ok());
}

}  // namespace
}  // namespace jejak
