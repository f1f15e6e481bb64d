// Backend selection for the authority's `database` setting.
#include "authority/store/open_authority_store.h"

#include <cctype>

#include "authority/store/postgres_authority_store.h"
#include "authority/store/postgres_connection.h"
#include "authority/store/sqlite_authority_store.h"

namespace jejak::authority {

namespace {

// "host=db dbname=jejak ...": the first word is a bare keyword followed by '='.
bool IsKeyValueConnectionString(std::string_view database) {
    const size_t start = database.find_first_not_of(" \t");
    if (start == std::string_view::npos) return false;
    size_t end = start;
    while (end < database.size() && (std::islower(static_cast<unsigned char>(database[end])) ||
                                     database[end] == '_')) {
        ++end;
    }
    if (end == start) return false;
    const size_t eq = database.find_first_not_of(" \t", end);
    return eq != std::string_view::npos && database[eq] == '=';
}

}  // namespace

DatabaseBackend BackendOf(std::string_view database) {
    return database.rfind("postgresql://", 0) == 0 || database.rfind("postgres://", 0) == 0 ||
                   IsKeyValueConnectionString(database)
               ? DatabaseBackend::kPostgres
               : DatabaseBackend::kSqlite;
}

const char* BackendName(DatabaseBackend backend) {
    return backend == DatabaseBackend::kPostgres ? "postgresql" : "sqlite";
}

std::string DescribeDatabase(std::string_view database) {
    return BackendOf(database) == DatabaseBackend::kPostgres ? DescribePgSettings(database)
                                                             : std::string(database);
}

Status CheckDatabaseSetting(std::string_view database) {
    if (database.empty()) return Status::InvalidArgument("database: empty setting");
    if (BackendOf(database) == DatabaseBackend::kSqlite) return Status::Ok();
    return ParsePgSettings(database).status();
}

Result<std::unique_ptr<AuthorityStore>> OpenAuthorityStore(const std::string& database, bool create,
                                                           size_t connections) {
    JEJAK_RETURN_IF_ERROR(CheckDatabaseSetting(database));
    if (BackendOf(database) == DatabaseBackend::kPostgres) {
        return OpenPostgresAuthorityStore(database, connections);
    }
    return OpenSqliteAuthorityStore(database, create);
}

Result<std::unique_ptr<ConsoleStore>> OpenConsoleStore(const std::string& database,
                                                       size_t connections) {
    JEJAK_RETURN_IF_ERROR(CheckDatabaseSetting(database));
    if (BackendOf(database) == DatabaseBackend::kPostgres) {
        return OpenPostgresConsoleStore(database, connections);
    }
    return OpenSqliteConsoleStore(database);
}

}  // namespace jejak::authority
