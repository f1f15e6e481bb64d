// At-rest integrity of the SQLite store: every flipped byte, truncation, swap between rows,
// tables and days is reported as corruption with its row id and skipped; reads go on.
#include <doctest/doctest.h>

#include "storage/sqlite_db.h"
#include "store_test_util.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using namespace jejak::testing;

struct Fixture {
    ScratchDir dir;
    ManualClock clock{Micros(kDay0Unix + 600)};
    std::unique_ptr<SqliteStore> store;
    SqliteDb raw;  // a second connection that plays the attacker

    Fixture() {
        auto s = SqliteStore::Open(clock, SqliteOptions(dir));
        REQUIRE_MESSAGE(s.ok(), s.status().ToString());
        store = std::move(s).value();
        std::vector<Sighting> batch;
        for (uint32_t i = 0; i < 3; ++i) batch.push_back(SampleSighting(i, kDay0Unix + i));
        batch.push_back(SampleSighting(7, kDay0Unix - 86400));
        REQUIRE(store->AddSightings(batch).ok());
        REQUIRE(store->Flush().ok());
        REQUIRE(store->PutTek(SampleTek(1, kDay0)).ok());
        REQUIRE(store->AddExposureCheck({kDay0Unix + 5, "{\"windows\":[]}"}).ok());
        REQUIRE(store->PutState({"clock", "synced"}).ok());
        auto db = SqliteDb::Open(SqliteStore::DatabasePath(dir.str()), false);
        REQUIRE(db.ok());
        raw = std::move(db).value();
    }

    void Exec(const std::string& sql) { REQUIRE_MESSAGE(raw.Exec(sql, "test").ok(), sql); }
    int64_t Int(const std::string& sql) {
        auto v = raw.QueryInt(sql);
        REQUIRE(v.ok());
        return *v;
    }
    ReadReport Verify() {
        auto report = store->Verify();
        REQUIRE_MESSAGE(report.ok(), report.status().ToString());
        return std::move(report).value();
    }
    std::vector<uint8_t> Payload(const std::string& table, int64_t id) {
        auto stmt = raw.Prepare("SELECT payload FROM " + table + " WHERE id = ?");
        REQUIRE(stmt.ok());
        stmt->BindInt(1, id);
        auto row = stmt->Step("read payload");
        REQUIRE((row.ok() && *row));
        auto blob = stmt->ColumnBlob(0);
        return {blob.begin(), blob.end()};
    }
    void SetPayload(const std::string& table, int64_t id, const std::vector<uint8_t>& payload) {
        auto stmt = raw.Prepare("UPDATE " + table + " SET payload = ? WHERE id = ?");
        REQUIRE(stmt.ok());
        stmt->BindBlob(1, payload);
        stmt->BindInt(2, id);
        REQUIRE(stmt->Run("write payload").ok());
    }
    // The one problem a verify must report, naming `table` and `id`.
    void CheckOneProblem(const std::string& table, int64_t id) {
        const ReadReport report = Verify();
        REQUIRE(report.problems.size() == 1);
        CHECK(report.problems[0].table == table);
        CHECK(report.problems[0].row_id == id);
    }
};

// The smallest or largest sighting id of kDay0.
std::string DayFilter(const std::string& fn) {
    return "SELECT " + fn + "(id) FROM sightings WHERE id >> 47 = " + std::to_string(kDay0);
}

// (table, SQL selecting the id of one of its rows)
const std::vector<std::pair<std::string, std::string>> kRows = {
    {"sightings", "SELECT min(id) FROM sightings"},
    {"teks", "SELECT id FROM teks"},
    {"exposure_checks", "SELECT id FROM exposure_checks"},
    {"device_state", "SELECT min(id) FROM device_state"},
};

}  // namespace

TEST_CASE("store detects every single flipped byte of every table's payload") {
    Fixture f;
    REQUIRE(f.Verify().clean());
    for (const auto& [table, select_id] : kRows) {
        const int64_t id = f.Int(select_id);
        const std::vector<uint8_t> original = f.Payload(table, id);
        REQUIRE(original.size() > kAeadTagSize);
        for (size_t i = 0; i < original.size(); ++i) {
            CAPTURE(table);
            CAPTURE(i);
            for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}}) {
                std::vector<uint8_t> tampered = original;
                tampered[i] ^= mask;
                f.SetPayload(table, id, tampered);
                f.CheckOneProblem(table, id);
            }
        }
        f.SetPayload(table, id, original);
        CHECK(f.Verify().clean());
    }
}

TEST_CASE("store reports truncated, empty and non-blob payloads and keeps reading") {
    Fixture f;
    const int64_t id = f.Int("SELECT min(id) FROM sightings");
    const std::vector<uint8_t> original = f.Payload("sightings", id);
    for (size_t keep : {original.size() - 1, size_t{16}, size_t{3}, size_t{0}}) {
        CAPTURE(keep);
        if (keep == 0) {
            f.Exec("UPDATE sightings SET payload = x'' WHERE id = " + std::to_string(id));
        } else {
            f.SetPayload("sightings", id, {original.begin(), original.begin() + static_cast<long>(keep)});
        }
        f.CheckOneProblem("sightings", id);
        std::vector<Sighting> seen;
        auto report = f.store->ForEachSighting(DayRange::All(), [&](const Sighting& s) { seen.push_back(s); });
        REQUIRE(report.ok());
        CHECK(seen.size() == 3);  // the other rows are still delivered
        REQUIRE(report->problems.size() == 1);
        CHECK(report->problems[0].row_id == id);
    }
    f.Exec("UPDATE sightings SET payload = 'not a blob' WHERE id = " + std::to_string(id));
    f.CheckOneProblem("sightings", id);
    f.Exec("UPDATE sightings SET payload = 12345 WHERE id = " + std::to_string(id));
    f.CheckOneProblem("sightings", id);
}

TEST_CASE("store detects a payload moved to another row of the same day") {
    Fixture f;
    const int64_t a = f.Int(DayFilter("min"));
    const int64_t b = f.Int(DayFilter("max"));
    REQUIRE(a != b);
    const auto pa = f.Payload("sightings", a), pb = f.Payload("sightings", b);
    f.SetPayload("sightings", a, pb);
    f.SetPayload("sightings", b, pa);
    const ReadReport report = f.Verify();
    CHECK(report.problems.size() == 2);
}

TEST_CASE("store detects a row moved to another day") {
    Fixture f;
    const int64_t id = f.Int(DayFilter("min"));
    const int64_t day = int64_t{1} << kRowSeqBits;
    f.Exec("UPDATE sightings SET id = id - " + std::to_string(day) + " WHERE id = " + std::to_string(id));
    f.CheckOneProblem("sightings", id - day);
    f.Exec("UPDATE sightings SET id = id + " + std::to_string(day) + " WHERE id = " + std::to_string(id - day));
    CHECK(f.Verify().clean());
    f.Exec("UPDATE teks SET id = id + " + std::to_string(day));
    f.CheckOneProblem("teks", f.Int("SELECT id FROM teks"));
}

TEST_CASE("store detects a payload moved to another table under the same day and id") {
    Fixture f;
    const int64_t id = f.Int(DayFilter("min"));
    const auto payload = f.Payload("sightings", id);
    f.Exec("DELETE FROM exposure_checks");
    auto stmt = f.raw.Prepare("INSERT INTO exposure_checks(id, payload) VALUES(?, ?)");
    REQUIRE(stmt.ok());
    stmt->BindInt(1, id);
    stmt->BindBlob(2, payload);
    REQUIRE(stmt->Run("insert").ok());
    f.CheckOneProblem("exposure_checks", id);
    f.Exec("DELETE FROM exposure_checks");
    // A day-keyed payload copied into the day-less state table.
    auto state = f.raw.Prepare("INSERT INTO device_state(id, payload) VALUES(?, ?)");
    REQUIRE(state.ok());
    state->BindInt(1, id);
    state->BindBlob(2, payload);
    REQUIRE(state->Run("insert").ok());
    f.CheckOneProblem("device_state", id);
}

TEST_CASE("store reports a row whose day lies before the window, far ahead, or is negative") {
    Fixture f;
    const int64_t id = f.Int(DayFilter("min"));
    const int64_t seq = id & ((int64_t{1} << kRowSeqBits) - 1);
    for (int64_t key : {RowKey(60000, seq), RowKey(kDay0 - 20, seq), int64_t{-5}}) {
        CAPTURE(key);
        f.Exec("UPDATE sightings SET id = " + std::to_string(key) + " WHERE id = " + std::to_string(id));
        f.CheckOneProblem("sightings", key);
        f.Exec("UPDATE sightings SET id = " + std::to_string(id) + " WHERE id = " + std::to_string(key));
    }
    CHECK(f.Verify().clean());
}

TEST_CASE("a corrupt device state row is skipped at open and reported by verify") {
    Fixture f;
    const int64_t id = f.Int("SELECT max(id) FROM device_state");
    auto payload = f.Payload("device_state", id);
    payload[0] ^= 0x10;
    f.SetPayload("device_state", id, payload);
    REQUIRE(f.store->Close().ok());
    auto reopened = SqliteStore::Open(f.clock, SqliteOptions(f.dir));
    REQUIRE(reopened.ok());
    auto report = (*reopened)->Verify();
    REQUIRE(report.ok());
    CHECK(report->problems.size() == 1);
}

}  // namespace jejak
