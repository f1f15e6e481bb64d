// The SQLite store's schema, its `PRAGMA user_version` migrations and connection settings.
//
// Version 1:
//   meta(name TEXT PRIMARY KEY, value BLOB)  store_id (8 random bytes), generation; no
//                                            encounter data, no time finer than a day
//   teks / sightings / exposure_checks / device_state(id INTEGER PRIMARY KEY, payload BLOB)
// The id is RowKey(day, sequence) (row_codec.h): the rowid b-tree is clustered by day, so
// reading or expiring a day touches only its pages, and inserts append.
// Version 2: the same tables; sighting payloads are written in format 2 (scan regime and
// credit bin, row_codec.h) while format-1 rows keep reading. Migrating 1 -> 2 touches no
// row; the version bump makes a build that only knows version 1 refuse the store instead of
// reporting every new sighting as corrupt.
// Version 3: adds exposure_ledger(id INTEGER PRIMARY KEY, payload BLOB), keyed and sealed
// like the other day tables (what exposure checks found, kept until its day expires).
// Migrating 1 or 2 -> 3 creates the empty table; no row is touched.
#pragma once

#include <cstdint>

#include "storage/row_codec.h"
#include "storage/sqlite_db.h"

namespace jejak {

inline constexpr int kSchemaVersion = 3;

struct DbIdentity {
    StoreId store_id{};
    int64_t generation = 0;
};

// Pragmas for every connection: WAL with synchronous=FULL when `durable_commits` (each
// commit is durable: one fsync per flush) else NORMAL (synced at checkpoints only; never
// corrupts, may lose recent commits), secure_delete, in-memory temp storage, bounded WAL
// size, and incremental auto-vacuum (effective for new databases).
Status ConfigureDatabase(SqliteDb& db, bool durable_commits);
// Brings the schema to kSchemaVersion. FailedPrecondition for a newer version.
Status MigrateSchema(SqliteDb& db);
// The store id, or all zeros when the database has none yet (no row was ever written).
// Corruption if malformed.
Result<StoreId> ReadStoreId(SqliteDb& db);
// Creates the store id on first use, increments the open generation, and commits it with
// synchronous=FULL (whatever the connection's setting) so it survives power loss before
// any row uses it.
Result<DbIdentity> BumpGeneration(SqliteDb& db);

}  // namespace jejak
