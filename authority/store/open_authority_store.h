// The authority's `database` setting, one string for both backends:
//   a file path                      embedded SQLite (the pilot default, authority.db)
//   postgresql://... or postgres://   a shared PostgreSQL database (libpq connection URI)
//   host=... dbname=...               the same as libpq key/value pairs (a string whose first
//                                     word is a lowercase keyword and '=')
// A PostgreSQL setting never holds a password (CheckDatabaseSetting).
// and the one place that picks the AuthorityStore implementation from it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "authority/store/authority_store.h"
#include "authority/store/console_store.h"

namespace jejak::authority {

enum class DatabaseBackend { kSqlite, kPostgres };

DatabaseBackend BackendOf(std::string_view database);
// "sqlite" or "postgresql".
const char* BackendName(DatabaseBackend backend);

// The setting as it may appear in messages: a file path as it is; a PostgreSQL setting as
// DescribePgSettings (postgres_connection.h) puts it, without the string itself.
std::string DescribeDatabase(std::string_view database);

// OK for a file path and for a PostgreSQL setting that libpq parses and that holds no
// password (ParsePgSettings); InvalidArgument otherwise (never repeating the setting).
Status CheckDatabaseSetting(std::string_view database);

// Opens the store `database` names and migrates its schema. For SQLite, `create` allows
// creating a missing file (NotFound otherwise); a PostgreSQL database must exist (the schema
// is created in it). `connections` bounds a PostgreSQL store's connection pool (e.g. the
// server's worker threads); SQLite uses one connection.
Result<std::unique_ptr<AuthorityStore>> OpenAuthorityStore(const std::string& database, bool create,
                                                           size_t connections = 8);

// The console's store in the same database (open the AuthorityStore first: its migrations
// create the console's tables).
Result<std::unique_ptr<ConsoleStore>> OpenConsoleStore(const std::string& database,
                                                       size_t connections = 4);

}  // namespace jejak::authority
