// The SQLite store's schema, its `PRAGMA user_version` migrations and connection settings.
//
// Version 1:
//   meta(name TEXT PRIMARY KEY, value BLOB)  store_id (8 random bytes), generation; no
//                                            encounter data, no time finer than a day
//   teks / sightings / exposure_checks(day, id, payload) WITHOUT ROWID, PRIMARY KEY(day, id)
//   device_state(id INTEGER PRIMARY KEY, payload)
// Tables are clustered by (day, id): reading or expiring a day touches only its pages.
#pragma once

#include <cstdint>

#include "storage/row_codec.h"
#include "storage/sqlite_db.h"

namespace jejak {

inline constexpr int kSchemaVersion = 1;

struct DbIdentity {
    StoreId store_id{};
    int64_t generation = 0;
};

// Pragmas for every connection: WAL with synchronous=FULL (each commit is durable: one
// fsync per flush), secure_delete, in-memory temp storage, bounded WAL size, and
// incremental auto-vacuum (effective for new databases).
Status ConfigureDatabase(SqliteDb& db);
// Brings the schema to kSchemaVersion. FailedPrecondition for a newer version.
Status MigrateSchema(SqliteDb& db);
// Creates the store id on first use, increments the open generation, and commits it
// durably (synchronous=FULL) so it survives power loss before any row uses it.
Result<DbIdentity> BumpGeneration(SqliteDb& db);

}  // namespace jejak
