// Schema creation, migrations and pragmas for the SQLite store.
#include "storage/sqlite_schema.h"

#include <cstring>

#include "crypto/random.h"

namespace jejak {
namespace {

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta(name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE teks(id INTEGER PRIMARY KEY, payload BLOB NOT NULL);
CREATE TABLE sightings(id INTEGER PRIMARY KEY, payload BLOB NOT NULL);
CREATE TABLE exposure_checks(id INTEGER PRIMARY KEY, payload BLOB NOT NULL);
CREATE TABLE device_state(id INTEGER PRIMARY KEY, payload BLOB NOT NULL);
)sql";

constexpr const char* kLedgerTable =
    "CREATE TABLE exposure_ledger(id INTEGER PRIMARY KEY, payload BLOB NOT NULL);";

}  // namespace

// The page cache is held to 256 KiB (SQLite's default is 2 MiB per connection): the daemon
// appends rows and rarely reads back, a token has little memory, and a larger transaction
// spills its dirty pages into the WAL rather than growing the heap.
Status ConfigureDatabase(SqliteDb& db, bool durable_commits) {
    return db.Exec(
        std::string("PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL; PRAGMA synchronous=") +
        (durable_commits ? "FULL;" : "NORMAL;") +
        "PRAGMA secure_delete=ON; PRAGMA temp_store=MEMORY; PRAGMA journal_size_limit=1048576;"
        "PRAGMA busy_timeout=5000; PRAGMA cache_size=-256;",
        "configure store database");
}

Status MigrateSchema(SqliteDb& db) {
    JEJAK_ASSIGN_OR_RETURN(int64_t version, db.QueryInt("PRAGMA user_version"));
    if (version > kSchemaVersion) {
        return Status::FailedPrecondition("store schema version " + std::to_string(version) +
                                          " is newer than this build supports (" +
                                          std::to_string(kSchemaVersion) + ")");
    }
    if (version == kSchemaVersion) return Status::Ok();
    const std::string to_current = "PRAGMA user_version=" + std::to_string(kSchemaVersion) + ";";
    if (version == 0) {  // a new database
        return db.Exec(
            std::string("BEGIN IMMEDIATE;") + kSchemaV1 + kLedgerTable + to_current + "COMMIT;",
            "create store schema");
    }
    // 1 -> 2: no table changes (sighting payload format 2 is read beside format 1).
    // 2 -> 3: the exposure ledger's table. One transaction: a crash leaves the old version.
    return db.Exec(std::string("BEGIN IMMEDIATE;") + kLedgerTable + to_current + "COMMIT;",
                   "migrate store schema " + std::to_string(version) + " -> " +
                       std::to_string(kSchemaVersion));
}

Result<StoreId> ReadStoreId(SqliteDb& db) {
    StoreId id{};
    JEJAK_ASSIGN_OR_RETURN(SqliteStmt get, db.Prepare("SELECT value FROM meta WHERE name='store_id'"));
    JEJAK_ASSIGN_OR_RETURN(bool has_id, get.Step("read store id"));
    if (!has_id) return id;
    if (get.ColumnBlob(0).size() != id.size()) {
        return Status::Corruption("store database: malformed store id");
    }
    std::memcpy(id.data(), get.ColumnBlob(0).data(), id.size());
    return id;
}

Result<DbIdentity> BumpGeneration(SqliteDb& db) {
    DbIdentity id;
    JEJAK_ASSIGN_OR_RETURN(int64_t sync, db.QueryInt("PRAGMA synchronous"));
    JEJAK_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL; BEGIN IMMEDIATE;", "bump generation"));
    const std::string restore = "PRAGMA synchronous=" + std::to_string(sync) + ";";
    auto body = [&]() -> Status {
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt get, db.Prepare("SELECT value FROM meta WHERE name=?"));
        get.BindText(1, "store_id");
        JEJAK_ASSIGN_OR_RETURN(bool has_id, get.Step("read store id"));
        if (has_id && get.ColumnBlob(0).size() == id.store_id.size()) {
            std::memcpy(id.store_id.data(), get.ColumnBlob(0).data(), id.store_id.size());
        } else if (has_id) {
            return Status::Corruption("store database: malformed store id");
        } else {
            SystemRandom().Fill(id.store_id);
        }
        get.Reset();
        get.BindText(1, "generation");
        JEJAK_ASSIGN_OR_RETURN(bool has_gen, get.Step("read generation"));
        id.generation = (has_gen ? get.ColumnInt(0) : 0) + 1;
        get.Reset();
        if (id.generation < 1 || id.generation > kMaxGeneration) {
            return Status::Corruption("store database: generation out of range");
        }
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt put,
                               db.Prepare("INSERT OR REPLACE INTO meta(name, value) VALUES(?, ?)"));
        put.BindText(1, "store_id");
        put.BindBlob(2, id.store_id, true);
        JEJAK_RETURN_IF_ERROR(put.Run("write store id"));
        put.BindText(1, "generation");
        put.BindInt(2, id.generation);
        return put.Run("write generation");
    };
    Status s = body();
    if (!s.ok()) {
        (void)db.Exec("ROLLBACK;" + restore, "rollback");
        return s;
    }
    JEJAK_RETURN_IF_ERROR(db.Exec("COMMIT;" + restore, "bump generation"));
    return id;
}

}  // namespace jejak
