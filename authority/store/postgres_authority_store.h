// The shared AuthorityStore: one PostgreSQL database (libpq) behind any number of
// `jejak authority serve` instances, each with a small pool of connections (one per server
// worker thread). What makes it correct across instances is the database, not a process:
//   - codes and tokens are spent by one conditional UPDATE ... RETURNING (exactly one
//     caller, on any instance, sees the row change);
//   - a publish reads its keys' rows FOR UPDATE, so revision tokens and key transitions are
//     decided on locked rows; two new uploads of one key race on the primary key and the
//     loser's transaction is retried, then sees the winner's row;
//   - the export worker's lease is a session-level advisory lock held on a dedicated
//     connection (released when the worker exits or dies), and each batch claim also takes
//     a transaction-level advisory lock, so batch ids and time ranges are never shared.
// The schema is versioned in table jejak_schema_migrations and migrated on open under an
// advisory lock, so instances started together migrate once.
#pragma once

#include <memory>
#include <string>

#include "authority/store/authority_store.h"

namespace jejak::authority {

// Connects to `uri` (postgresql://...) and migrates the schema to the current version.
// Unavailable when the server cannot be reached; Corruption when the database holds a
// newer schema than this Jejak knows. `pool_size` bounds the connections this store opens
// (plus one while an export lease is held).
Result<std::unique_ptr<AuthorityStore>> OpenPostgresAuthorityStore(const std::string& uri,
                                                                   size_t pool_size = 8);

// Drops every object the migrations created at `uri` (tests and throwaway set-ups only:
// nothing in `jejak` calls it).
Status DropPostgresAuthoritySchema(const std::string& uri);

}  // namespace jejak::authority
