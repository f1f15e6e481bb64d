// Backend selection for the authority's `database` setting.
#include "authority/store/open_authority_store.h"

#include "authority/store/postgres_authority_store.h"
#include "authority/store/postgres_connection.h"
#include "authority/store/sqlite_authority_store.h"

namespace jejak::authority {

DatabaseBackend BackendOf(std::string_view database) {
    return database.rfind("postgresql://", 0) == 0 || database.rfind("postgres://", 0) == 0
               ? DatabaseBackend::kPostgres
               : DatabaseBackend::kSqlite;
}

const char* BackendName(DatabaseBackend backend) {
    return backend == DatabaseBackend::kPostgres ? "postgresql" : "sqlite";
}

std::string DescribeDatabase(std::string_view database) {
    return BackendOf(database) == DatabaseBackend::kPostgres ? RedactDatabaseUri(database)
                                                             : std::string(database);
}

Result<std::unique_ptr<AuthorityStore>> OpenAuthorityStore(const std::string& database, bool create,
                                                           size_t connections) {
    if (database.empty()) return Status::InvalidArgument("database: empty setting");
    if (BackendOf(database) == DatabaseBackend::kPostgres) {
        return OpenPostgresAuthorityStore(database, connections);
    }
    return OpenSqliteAuthorityStore(database, create);
}

}  // namespace jejak::authority
