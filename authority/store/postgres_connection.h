// A thin libpq layer for the PostgreSQL AuthorityStore: one connection with parameterised
// statements and results read as checked values, and a small blocking pool of them (one
// connection per server worker thread is the intended size). libpq-fe.h is included only by
// postgres_connection.cc. Every libpq error becomes a Status in one place (PgError), with the
// server's primary message and SQLSTATE but never the connection string itself (one with a
// password is refused before any connection: ParsePgSettings).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "platform/base/status.h"

namespace jejak::authority {

// One statement parameter: SQL NULL, an integer, text, or bytes (bytea, sent in binary).
class PgParam {
public:
    static PgParam Null() { return PgParam(Kind::kNull, {}); }
    static PgParam Int(int64_t v) { return PgParam(Kind::kText, std::to_string(v)); }
    static PgParam Int(const std::optional<int32_t>& v) { return v ? Int(*v) : Null(); }
    static PgParam Text(std::string v) { return PgParam(Kind::kText, std::move(v)); }
    static PgParam Bytes(std::span<const uint8_t> v) {
        return PgParam(Kind::kBytes,
                       std::string(reinterpret_cast<const char*>(v.data()), v.size()));
    }

    bool null() const { return kind_ == Kind::kNull; }
    bool binary() const { return kind_ == Kind::kBytes; }
    const std::string& value() const { return value_; }

private:
    enum class Kind { kNull, kText, kBytes };
    PgParam(Kind kind, std::string value) : kind_(kind), value_(std::move(value)) {}
    Kind kind_;
    std::string value_;
};

// The rows of one statement (text format). Accessors check types: a value that does not
// parse is Corruption (database rows are untrusted input too).
class PgRows {
public:
    PgRows() = default;
    explicit PgRows(void* result);  // takes ownership of a PGresult
    ~PgRows();
    PgRows(PgRows&& other) noexcept;
    PgRows& operator=(PgRows&& other) noexcept;

    int rows() const;
    // Number of rows an INSERT/UPDATE/DELETE touched.
    int64_t affected() const;
    bool IsNull(int row, int col) const;
    std::string Text(int row, int col) const;
    Result<int64_t> Int(int row, int col) const;
    Result<std::optional<int32_t>> OptionalInt(int row, int col) const;
    Result<bool> Bool(int row, int col) const;
    // A bytea column of exactly out.size() bytes.
    Status Bytes(int row, int col, std::span<uint8_t> out) const;

private:
    void* result_ = nullptr;
};

class PgConnection {
public:
    // Connects to `uri` (ParsePgSettings: InvalidArgument for a password or a malformed
    // string). Unavailable when the server cannot be reached or refuses.
    static Result<std::unique_ptr<PgConnection>> Connect(const std::string& uri);
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    // Runs one statement ($1.. placeholders), prepared on this connection the first time
    // (up to 64 distinct statements; more run unprepared). `what` names it in errors.
    Result<PgRows> Exec(std::string_view sql, const std::vector<PgParam>& params,
                        std::string_view what);
    Result<PgRows> Exec(std::string_view sql, std::string_view what) { return Exec(sql, {}, what); }
    // Several statements without parameters (a migration script).
    Status ExecScript(std::string_view sql, std::string_view what);

    // BEGIN; body; COMMIT, retried (up to 8 times) when the database reports a conflict
    // that a fresh attempt resolves: serialization failure, deadlock, or a unique key taken
    // by a concurrent transaction. A body error that did not come from the database (e.g. a
    // refused publish plan) is returned unchanged after ROLLBACK.
    Status Transaction(const std::function<Status(PgConnection&)>& body, std::string_view what);

    // False once the connection is lost; the pool then replaces it.
    bool healthy() const;
    // For an idle connection (no statement running): true when the server has ended the
    // session since the last statement (a restart or shutdown, pg_terminate_backend, an idle
    // timeout), which libpq notices only at the next statement, failing it. Checks the
    // socket without blocking; any unrequested input counts as ended (a needless reconnect
    // at worst).
    bool EndedWhileIdle() const;

private:
    explicit PgConnection(void* conn) : conn_(conn) {}
    void* conn_;
    std::string last_sqlstate_;
    // SQL text -> name of the session's prepared statement (parsed and planned once).
    std::unordered_map<std::string, std::string>
        prepared_;  // of the last failed statement, "" when it did not fail
};

// Up to `size` connections to one URI, opened on demand. Acquire blocks while all are lent
// out; it never lends a connection the server ended while it sat idle (EndedWhileIdle), so
// the first requests after a database restart get fresh sessions instead of failing.
// Thread-safe; the pool must outlive every lease.
class PgPool {
public:
    PgPool(std::string uri, size_t size);
    ~PgPool();

    class Lease {
    public:
        Lease(PgPool* pool, std::unique_ptr<PgConnection> conn)
            : pool_(pool), conn_(std::move(conn)) {}
        Lease(Lease&&) = default;
        ~Lease() {
            if (conn_) pool_->Return(std::move(conn_));
        }
        PgConnection& operator*() { return *conn_; }
        PgConnection* operator->() { return conn_.get(); }

    private:
        PgPool* pool_;
        std::unique_ptr<PgConnection> conn_;
    };

    Result<Lease> Acquire();
    const std::string& uri() const { return uri_; }

private:
    void Return(std::unique_ptr<PgConnection> conn);

    std::string uri_;
    size_t size_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<PgConnection>> idle_;
    size_t open_ = 0;  // idle + lent out
};

// A PostgreSQL `database` setting (a postgresql:// URI or a key/value connection string)
// as libpq's own parser (PQconninfoParse) reads it: the keywords given and their values,
// percent-encoding undone. InvalidArgument when it does not parse, or when it holds a
// password (`password` or `sslpassword`, however spelled: user:password@, a query parameter,
// percent-encoded keywords, key/value form); passwords come from libpq's password file
// (PGPASSFILE, ~/.pgpass) or peer authentication instead. No message repeats the setting
// or any part libpq quoted. Unavailable when libpq cannot be loaded.
using PgSettings = std::vector<std::pair<std::string, std::string>>;
Result<PgSettings> ParsePgSettings(std::string_view database);

// The setting as messages may name it: "postgresql host=db port=5432 dbname=jejak user=j"
// from the parsed values (never a password); "a PostgreSQL connection string (not shown)"
// when it does not parse.
std::string DescribePgSettings(std::string_view database);

}  // namespace jejak::authority
