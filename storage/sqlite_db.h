// A thin RAII layer over the SQLite C API: a connection, prepared statements, and the one
// function that turns SQLite result codes into Status. Nothing here knows about the store's
// schema or encryption. Only storage/sqlite_*.cc include sqlite3.h.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "platform/base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace jejak {

// The single translation of SQLite codes: CORRUPT/NOTADB -> Corruption, FULL/IOERR/CANTOPEN
// -> IOError, BUSY/LOCKED -> Unavailable, PERM/READONLY -> PermissionDenied, else Internal.
// The message is "<what>: <sqlite message>".
Status SqliteError(int rc, sqlite3* db, std::string_view what);

class SqliteStmt {
public:
    SqliteStmt() = default;
    SqliteStmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    SqliteStmt(SqliteStmt&& other) noexcept;
    SqliteStmt& operator=(SqliteStmt&& other) noexcept;
    SqliteStmt(const SqliteStmt&) = delete;
    SqliteStmt& operator=(const SqliteStmt&) = delete;
    ~SqliteStmt();

    // Parameter indexes start at 1, as in SQLite. Blobs and text are copied only if
    // `transient`; otherwise they must stay alive until the next Step/Reset.
    void BindInt(int index, int64_t value);
    void BindBlob(int index, std::span<const uint8_t> blob, bool transient = false);
    void BindText(int index, std::string_view text);
    // true: a row is available; false: done. Errors name `what`.
    Result<bool> Step(std::string_view what);
    // Steps a statement that returns no row (INSERT/DELETE), then resets it.
    Status Run(std::string_view what);
    void Reset();

    // Column indexes start at 0. Type mismatches convert as SQLite does (never crash).
    int64_t ColumnInt(int index) const;
    std::span<const uint8_t> ColumnBlob(int index) const;
    bool ColumnIsBlob(int index) const;
    std::string ColumnText(int index) const;

private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
public:
    SqliteDb() = default;
    SqliteDb(SqliteDb&& other) noexcept;
    SqliteDb& operator=(SqliteDb&& other) noexcept;
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;
    ~SqliteDb();

    // Opens read-write; creates the file only if `create`. NotFound if missing otherwise.
    static Result<SqliteDb> Open(const std::string& path, bool create);
    Status Exec(const std::string& sql, std::string_view what);
    Result<SqliteStmt> Prepare(std::string_view sql);
    // First column of the first row (0 if no row).
    Result<int64_t> QueryInt(std::string_view sql);
    Status Close();
    sqlite3* raw() const { return db_; }

private:
    explicit SqliteDb(sqlite3* db) : db_(db) {}
    sqlite3* db_ = nullptr;
};

}  // namespace jejak
