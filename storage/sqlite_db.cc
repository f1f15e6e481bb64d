// SQLite RAII wrappers and error translation.
#include "storage/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace jejak {

Status SqliteError(int rc, sqlite3* db, std::string_view what) {
    std::string msg(what);
    msg += ": ";
    msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xFF) {
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: return Status::Corruption(std::move(msg));
        case SQLITE_FULL:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN: return Status::IOError(std::move(msg));
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return Status::Unavailable(std::move(msg));
        case SQLITE_PERM:
        case SQLITE_READONLY:
        case SQLITE_AUTH: return Status::PermissionDenied(std::move(msg));
        default: return Status::Internal(std::move(msg));
    }
}

SqliteStmt::SqliteStmt(SqliteStmt&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

SqliteStmt& SqliteStmt::operator=(SqliteStmt&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(stmt_);
        db_ = other.db_;
        stmt_ = std::exchange(other.stmt_, nullptr);
    }
    return *this;
}

SqliteStmt::~SqliteStmt() { sqlite3_finalize(stmt_); }

void SqliteStmt::BindInt(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void SqliteStmt::BindBlob(int index, std::span<const uint8_t> blob, bool transient) {
    sqlite3_bind_blob(stmt_, index, blob.data(), static_cast<int>(blob.size()),
                      transient ? SQLITE_TRANSIENT : SQLITE_STATIC);
}

void SqliteStmt::BindText(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

Result<bool> SqliteStmt::Step(std::string_view what) {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Status s = SqliteError(rc, db_, what);
    sqlite3_reset(stmt_);
    return s;
}

Status SqliteStmt::Run(std::string_view what) {
    auto r = Step(what);
    Reset();
    return r.status();
}

void SqliteStmt::Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

int64_t SqliteStmt::ColumnInt(int index) const { return sqlite3_column_int64(stmt_, index); }

std::span<const uint8_t> SqliteStmt::ColumnBlob(int index) const {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, index));
    const int n = sqlite3_column_bytes(stmt_, index);
    if (p == nullptr || n <= 0) return {};
    return {p, static_cast<size_t>(n)};
}

bool SqliteStmt::ColumnIsBlob(int index) const {
    return sqlite3_column_type(stmt_, index) == SQLITE_BLOB;
}

std::string SqliteStmt::ColumnText(int index) const {
    const auto* p = sqlite3_column_text(stmt_, index);
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, index))};
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
    if (this != &other) {
        (void)Close();
        db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
}

SqliteDb::~SqliteDb() { (void)Close(); }

Result<SqliteDb> SqliteDb::Open(const std::string& path, bool create) {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    SqliteDb out(db);
    if (rc != SQLITE_OK) {
        if (!create && (rc & 0xFF) == SQLITE_CANTOPEN) return Status::NotFound(path + " is missing");
        return SqliteError(rc, db, "cannot open " + path);
    }
    sqlite3_extended_result_codes(db, 1);
    return out;
}

Status SqliteDb::Exec(const std::string& sql, std::string_view what) {
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : SqliteError(rc, db_, what);
}

Result<SqliteStmt> SqliteDb::Prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(rc, db_, "prepare " + std::string(sql));
    return SqliteStmt(db_, stmt);
}

Result<int64_t> SqliteDb::QueryInt(std::string_view sql) {
    JEJAK_ASSIGN_OR_RETURN(SqliteStmt stmt, Prepare(sql));
    JEJAK_ASSIGN_OR_RETURN(bool row, stmt.Step(sql));
    return row ? stmt.ColumnInt(0) : int64_t{0};
}

Status SqliteDb::Close() {
    if (db_ == nullptr) return Status::Ok();
    const int rc = sqlite3_close(db_);
    if (rc != SQLITE_OK) return SqliteError(rc, db_, "close database");
    db_ = nullptr;
    return Status::Ok();
}

}  // namespace jejak
