// The AuthorityStore conformance suite: one set of contract checks, run against the embedded
// SQLite store and the PostgreSQL store (single-use secrets also under concurrent
// redemption, publish transactions and racing uploads of one key, revisions, batch claiming,
// the export lease, schema migration on reopen).
//
// The PostgreSQL cases (test suite "postgresql") need JEJAK_TEST_PG_URI, which
// scripts/pg-cluster sets; CTest runs them under it (jejak_authority_pg_tests). Run directly
// without the variable they print that they were not run.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <atomic>
#include <thread>

#include "authority/store/open_authority_store.h"
#include "authority/store/postgres_authority_store.h"
#include "authority/store/postgres_connection.h"
#include "authority/store/sqlite_authority_store.h"
#include "authority_test_util.h"
#include "storage/sqlite_db.h"
#include "tests/support/scratch_dir.h"

namespace jejak::testing {
namespace {

using namespace jejak::authority;

// A fresh, empty store of one backend; Reopen gives a second handle on the same database (as
// a second server instance would have).
class StoreFixture {
public:
    explicit StoreFixture(DatabaseBackend backend) : backend_(backend) {
        if (backend_ == DatabaseBackend::kPostgres) {
            const char* uri = std::getenv("JEJAK_TEST_PG_URI");
            if (uri == nullptr) return;
            database_ = uri;
            REQUIRE(DropPostgresAuthoritySchema(database_).ok());
        } else {
            database_ = dir_.str() + "/a.db";
        }
        store_ = Reopen();
    }
    // False (with a message) when the PostgreSQL case runs outside scripts/pg-cluster.
    bool available() const {
        if (!database_.empty()) return true;
        MESSAGE("not run: JEJAK_TEST_PG_URI is unset (scripts/pg-cluster run -- ... sets it)");
        return false;
    }
    std::unique_ptr<AuthorityStore> Reopen() {
        auto store = OpenAuthorityStore(database_, true, 8);
        REQUIRE_MESSAGE(store.ok(), store.status().ToString());
        return std::move(*store);
    }
    AuthorityStore& store() { return *store_; }
    // Marks the schema as written by a future Jejak (version 99), through the backend's
    // own access path.
    void StampFutureSchema() {
        store_.reset();
        if (backend_ == DatabaseBackend::kPostgres) {
            auto conn = PgConnection::Connect(database_);
            REQUIRE(conn.ok());
            REQUIRE((*conn)->Exec("INSERT INTO jejak_schema_migrations(version) VALUES (99)",
                                  "stamp").ok());
        } else {
            auto db = SqliteDb::Open(database_, false);
            REQUIRE(db.ok());
            REQUIRE(db->Exec("PRAGMA user_version=99", "stamp").ok());
        }
    }
    Status OpenStatus() { return OpenAuthorityStore(database_, true, 2).status(); }

private:
    DatabaseBackend backend_;
    ScratchDir dir_;
    std::string database_;
    std::unique_ptr<AuthorityStore> store_;
};

// Each conformance case runs once per backend.
#define STORE_CONFORMANCE(name, body)                                                    \
    TEST_CASE("store conformance [sqlite]: " name) {                                      \
        StoreFixture fixture(DatabaseBackend::kSqlite);                                   \
        body(fixture);                                                                    \
    }                                                                                     \
    TEST_CASE("store conformance [postgresql]: " name * doctest::test_suite("postgresql")) { \
        StoreFixture fixture(DatabaseBackend::kPostgres);                                 \
        if (fixture.available()) body(fixture);                                           \
    }

SecretHash Hash(uint8_t fill) {
    SecretHash h;
    h.fill(fill);
    return h;
}

StoredExposure Exposure(uint8_t fill, int64_t available_at) {
    StoredExposure e;
    for (auto& b : e.key.mutable_bytes()) b = fill;
    e.rolling_start = 2700000;
    e.available_at = available_at;
    e.report_type = 1;
    return e;
}

Result<size_t> Insert(AuthorityStore& store, std::vector<StoredExposure> rows) {
    std::vector<Tek> keys;
    for (const auto& r : rows) keys.push_back(r.key);
    return store.Publish(keys, [&](const std::vector<StoredExposure>& existing) -> Result<PublishPlan> {
        if (!existing.empty()) return Status::FailedPrecondition("exists");
        PublishPlan plan;
        plan.inserts = rows;
        plan.new_revision = Hash(9);
        return plan;
    });
}

std::string Name(int64_t s, int64_t e, int64_t id) {
    return std::to_string(s) + "-" + std::to_string(e) + "-" + std::to_string(id);
}

void RedeemOnce(StoreFixture& f) {
    AuthorityStore& store = f.store();
    REQUIRE(store.InsertCode(Hash(1), {"confirmed", "2027-01-10", ""}, 100).ok());
    CHECK(store.InsertCode(Hash(1), {"likely", "", ""}, 100).code() == StatusCode::kFailedPrecondition);
    REQUIRE(store.InsertCode(Hash(2), {"likely", "", "2027-01-09"}, 100).ok());
    auto first = store.RedeemCode(Hash(1), 50);
    REQUIRE(first.ok());
    CHECK(first->outcome == Redeem::kOk);
    CHECK(first->claims.test_type == "confirmed");
    CHECK(first->claims.symptom_date == "2027-01-10");
    CHECK(first->claims.test_date == "");
    CHECK(store.RedeemCode(Hash(1), 51)->outcome == Redeem::kUsed);
    CHECK(store.RedeemCode(Hash(3), 51)->outcome == Redeem::kUnknown);
    CHECK(store.RedeemCode(Hash(2), 100)->outcome == Redeem::kExpired);
    CHECK(store.RedeemToken(Hash(2), 10)->outcome == Redeem::kUnknown);  // separate tables
    REQUIRE(store.InsertToken(Hash(2), {"negative", "", ""}, 100).ok());
    auto token = store.RedeemToken(Hash(2), 10);
    CHECK(token->outcome == Redeem::kOk);
    CHECK(token->claims.test_type == "negative");
}
STORE_CONFORMANCE("a code is redeemed once, then reported used; unknown and expired are told apart",
                  RedeemOnce)

// Two handles (two instances) and four threads each race for every token.
void ConcurrentRedeem(StoreFixture& f) {
    auto second = f.Reopen();
    for (uint8_t i = 0; i < 40; ++i) REQUIRE(f.store().InsertToken(Hash(i), {"confirmed", "", ""}, 100).ok());
    std::atomic<int> successes{0}, failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        AuthorityStore& store = t % 2 == 0 ? f.store() : *second;
        threads.emplace_back([&] {
            for (uint8_t i = 0; i < 40; ++i) {
                auto r = store.RedeemToken(Hash(i), 10);
                if (!r.ok()) ++failures;
                else if (r->outcome == Redeem::kOk) ++successes;
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(successes == 40);
    CHECK(failures == 0);
}
STORE_CONFORMANCE("concurrent redemption of one token on two handles succeeds exactly once",
                  ConcurrentRedeem)

void RefusedPlan(StoreFixture& f) {
    AuthorityStore& store = f.store();
    REQUIRE(Insert(store, {Exposure(1, 0), Exposure(2, 0)}).ok());
    CHECK(*store.CountExposures() == 2);
    CHECK(Insert(store, {Exposure(3, 0), Exposure(2, 0)}).status().code() ==
          StatusCode::kFailedPrecondition);
    CHECK(*store.CountExposures() == 2);
}
STORE_CONFORMANCE("a refused publish plan writes nothing", RefusedPlan)

// Racing first uploads of one key: the planner of every loser sees the winner's row.
void RacingUpload(StoreFixture& f) {
    auto second = f.Reopen();
    std::atomic<int> inserted{0}, refused{0}, errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        AuthorityStore& store = t % 2 == 0 ? f.store() : *second;
        threads.emplace_back([&] {
            for (uint8_t k = 10; k < 20; ++k) {
                auto r = Insert(store, {Exposure(k, 0), Exposure(static_cast<uint8_t>(k + 100), 0)});
                if (r.ok()) ++inserted;
                else if (r.status().code() == StatusCode::kFailedPrecondition) ++refused;
                else ++errors;
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(inserted == 10);
    CHECK(refused == 70);
    CHECK(errors == 0);
    CHECK(*f.store().CountExposures() == 20);
}
STORE_CONFORMANCE("racing uploads of the same keys insert them once", RacingUpload)

void ClaimOnce(StoreFixture& f) {
    AuthorityStore& store = f.store();
    REQUIRE(Insert(store, {Exposure(1, 100), Exposure(2, 100), Exposure(3, 500)}).ok());
    auto lease = store.LockExports();
    REQUIRE(lease.ok());
    CHECK(store.LockExports().status().IsUnavailable());
    CHECK(f.Reopen()->LockExports().status().IsUnavailable());  // another instance, too
    CHECK_FALSE(store.ClaimBatch(99, 10, Name)->has_value());
    auto b1 = store.ClaimBatch(200, 1, Name);
    REQUIRE(b1.ok());
    REQUIRE(b1->has_value());
    CHECK((*b1)->entries.size() == 1);
    CHECK((*b1)->path == "-86200-200-1");
    auto b2 = store.ClaimBatch(200, 10, Name);
    REQUIRE(b2->has_value());
    CHECK((*b2)->entries.size() == 1);
    CHECK((*b2)->start_timestamp == 200);
    CHECK((*b1)->entries[0].exposure.key != (*b2)->entries[0].exposure.key);
    CHECK_FALSE(store.ClaimBatch(200, 10, Name)->has_value());
    CHECK(store.PendingBatches()->size() == 2);
    REQUIRE(store.CompleteBatch((*b1)->id).ok());
    auto pending = store.PendingBatches();
    REQUIRE(pending->size() == 1);
    CHECK(pending->at(0).entries.size() == 1);
    CHECK(pending->at(0).path == (*b2)->path);
    CHECK(*store.CompletedBatchPaths() == std::vector<std::string>{"-86200-200-1"});
    auto b3 = store.ClaimBatch(600, 10, Name);
    REQUIRE(b3->has_value());
    CHECK((*b3)->entries.size() == 1);
    CHECK((*b3)->id == 3);
    lease->reset();
    CHECK(f.Reopen()->LockExports().ok());
}
STORE_CONFORMANCE("batches claim only keys past their embargo, each key once; one lease holder",
                  ClaimOnce)

// Revisions: an unexported key changes in place, an exported one goes out as a revised entry.
void Revisions(StoreFixture& f) {
    AuthorityStore& store = f.store();
    StoredExposure a = Exposure(1, 100);
    a.days_since_onset = -2;
    StoredExposure b = Exposure(2, 100);
    REQUIRE(Insert(store, {a, b}).ok());
    auto b1 = store.ClaimBatch(200, 1, Name);  // exports key 1 only
    REQUIRE(b1->has_value());
    REQUIRE((*b1)->entries.size() == 1);
    CHECK((*b1)->entries[0].exposure.days_since_onset == std::optional<int32_t>(-2));
    CHECK_FALSE((*b1)->entries[0].revised);
    const std::vector<Tek> keys = {a.key, b.key};
    auto written = store.Publish(keys, [&](const std::vector<StoredExposure>& existing) -> Result<PublishPlan> {
        REQUIRE(existing.size() == 2);
        for (const StoredExposure& e : existing) {
            CHECK(e.revision == Hash(9));
            CHECK(e.exported == (e.key == a.key));
        }
        PublishPlan plan;
        plan.revisions = {{a.key, 2, 3, 300}, {b.key, 2, std::nullopt, 300}};
        plan.new_revision = Hash(10);
        return plan;
    });
    REQUIRE(written.ok());
    CHECK(*written == 2);
    auto b2 = store.ClaimBatch(400, 10, Name);
    REQUIRE(b2->has_value());
    REQUIRE((*b2)->entries.size() == 2);
    for (const ExportEntry& e : (*b2)->entries) {
        CHECK(e.exposure.report_type == 2);
        CHECK(e.exposure.revision == Hash(10));
        if (e.exposure.key == a.key) {
            CHECK(e.revised);
            CHECK(e.exposure.days_since_onset == std::optional<int32_t>(3));
        } else {
            CHECK_FALSE(e.revised);
            CHECK_FALSE(e.exposure.days_since_onset.has_value());
        }
    }
    CHECK_FALSE(store.ClaimBatch(500, 10, Name)->has_value());
}
STORE_CONFORMANCE("revisions: unexported keys change in place, exported keys get revised entries",
                  Revisions)

void Reopen(StoreFixture& f) {
    REQUIRE(Insert(f.store(), {Exposure(1, 0)}).ok());
    auto again = f.Reopen();  // migrations already applied: a no-op
    CHECK(*again->CountExposures() == 1);
}
STORE_CONFORMANCE("reopening a migrated database keeps its rows", Reopen)

void FutureSchema(StoreFixture& f) {
    f.StampFutureSchema();
    const Status s = f.OpenStatus();
    CHECK(s.IsCorruption());
    CHECK(s.ToString().find("newer than this Jejak understands") != std::string::npos);
}
STORE_CONFORMANCE("a database migrated by a newer Jejak is refused, not rewritten", FutureSchema)

TEST_CASE("store: the database setting picks the backend; messages never show a password") {
    CHECK(BackendOf("authority.db") == DatabaseBackend::kSqlite);
    CHECK(BackendOf("/var/lib/jejak-authority/authority.db") == DatabaseBackend::kSqlite);
    CHECK(BackendOf("/tmp/a=b.db") == DatabaseBackend::kSqlite);
    CHECK(BackendOf("postgresql://db.example/jejak") == DatabaseBackend::kPostgres);
    CHECK(BackendOf("postgres://u@/jejak?host=/run/postgresql") == DatabaseBackend::kPostgres);
    CHECK(BackendOf("host=db dbname=jejak") == DatabaseBackend::kPostgres);
    CHECK(BackendOf(" dbname = jejak") == DatabaseBackend::kPostgres);
    CHECK(std::string(BackendName(DatabaseBackend::kPostgres)) == "postgresql");
    CHECK(DescribeDatabase("postgresql://jejak@db:5432/jejak?sslmode=verify-full") ==
          "postgresql host=db port=5432 dbname=jejak user=jejak");
    CHECK(DescribeDatabase("host=/run/postgresql dbname=jejak") ==
          "postgresql host=/run/postgresql dbname=jejak");
    CHECK(DescribeDatabase("postgresql://db/jejak?password=s3cret") ==
          "a PostgreSQL connection string (not shown)");
    CHECK(DescribeDatabase("/tmp/pass:word@x.db") == "/tmp/pass:word@x.db");  // a file name
    CHECK(CheckDatabaseSetting("postgresql://jejak@db/jejak?sslmode=verify-full").ok());
    CHECK(CheckDatabaseSetting("authority.db").ok());
    // A refused connection names the database, not the string.
    auto refused = OpenAuthorityStore("postgresql://jejak@/nodb?host=/nonexistent-dir", true);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().IsUnavailable());
    CHECK(refused.status().ToString().find("host=/nonexistent-dir dbname=nodb") != std::string::npos);
}

// Issue 22: a percent-encoded password keyword was neither refused nor redacted. libpq's own
// parser reads every spelling; each is refused before any connection and never printed.
TEST_CASE("store: a database setting with a password is refused in every spelling, unprinted") {
    for (const char* database : {
             "postgresql://jejak:Zs3cret@db/jejak",
             "postgresql://jejak:Zs3cr%65t@db/jejak",
             "postgresql://db/jejak?password=Zs3cret",
             "postgresql://db/jejak?%70assword=Zs3cret",
             "postgres://db/jejak?pass%77ord=Zs3cret&sslmode=require",
             "postgresql://db/jejak?sslpassword=Zs3cret",
             "host=db dbname=jejak password=Zs3cret",
             "host=db password = 'Zs3cret' dbname=jejak",
             "dbname=jejak sslpassword=Zs3cret",
         }) {
        const Status checked = CheckDatabaseSetting(database);
        CHECK_MESSAGE(checked.IsInvalidArgument(), database);
        CHECK_MESSAGE(checked.message().find("holds a password (not shown)") != std::string::npos,
                      checked.message());
        auto store = OpenAuthorityStore(database, true);
        REQUIRE_FALSE(store.ok());
        CHECK(store.status().IsInvalidArgument());
        for (const std::string& text : {checked.ToString(), store.status().ToString(),
                                        DescribeDatabase(database)}) {
            CHECK_MESSAGE(text.find("s3cr") == std::string::npos, text);
        }
    }
    // A string libpq cannot parse is refused too, without quoting it.
    for (const char* database : {"postgresql://db/jejak?password=Zs3cret%zz",
                                 "postgresql://db/jejak?Zs3cret", "host=db Zs3cret"}) {
        const Status checked = CheckDatabaseSetting(database);
        CHECK_MESSAGE(checked.IsInvalidArgument(), database);
        CHECK_MESSAGE(checked.message().find("libpq cannot parse") != std::string::npos,
                      checked.message());
        CHECK_MESSAGE(checked.message().find("s3cr") == std::string::npos, checked.message());
    }
}

}  // namespace
}  // namespace jejak::testing
