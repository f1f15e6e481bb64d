// The embedded AuthorityStore: one SQLite file (WAL) in the authority's state directory, one
// connection serialised by a mutex (the HTTP server's threads share it), and a lock file
// beside it for the export worker. Several processes (`serve` and a cron-run `export`) may
// open the same file: SQLite's locking and a busy timeout keep their transactions apart.
#pragma once

#include <memory>
#include <string>

#include "authority/store/authority_store.h"

namespace jejak::authority {

// Opens (creating when `create`, mode 0600) the database at `path` and migrates its schema
// to the current version. NotFound when the file is missing and !create; Corruption for a
// file from a newer Jejak or not a database.
Result<std::unique_ptr<AuthorityStore>> OpenSqliteAuthorityStore(const std::string& path,
                                                                 bool create);

}  // namespace jejak::authority
