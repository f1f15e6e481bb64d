// libpq behind PgConnection / PgPool. Parameters go as text, except bytea (binary); results
// come back as text and are parsed here.
#include "authority/store/postgres_connection.h"

#include <dlfcn.h>
#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <cstring>
#include <string>

namespace jejak::authority {
namespace {

// libpq is loaded when the first PostgreSQL connection is made, not linked: an authority on
// SQLite and every other program of the project (the benchmarks, whose daemon benchmark
// measures resident memory) never map libpq and what it pulls in (GnuTLS, Kerberos, LDAP).
// Every libpq call below goes through this table.
struct LibPq {
    decltype(&::PQclear) PQclear;
    decltype(&::PQcmdTuples) PQcmdTuples;
    decltype(&::PQconnectdbParams) PQconnectdbParams;
    decltype(&::PQconninfoFree) PQconninfoFree;
    decltype(&::PQconninfoParse) PQconninfoParse;
    decltype(&::PQerrorMessage) PQerrorMessage;
    decltype(&::PQexec) PQexec;
    decltype(&::PQexecParams) PQexecParams;
    decltype(&::PQexecPrepared) PQexecPrepared;
    decltype(&::PQfinish) PQfinish;
    decltype(&::PQfreemem) PQfreemem;
    decltype(&::PQgetisnull) PQgetisnull;
    decltype(&::PQgetlength) PQgetlength;
    decltype(&::PQgetvalue) PQgetvalue;
    decltype(&::PQnfields) PQnfields;
    decltype(&::PQntuples) PQntuples;
    decltype(&::PQprepare) PQprepare;
    decltype(&::PQresultErrorField) PQresultErrorField;
    decltype(&::PQresultStatus) PQresultStatus;
    decltype(&::PQsocket) PQsocket;
    decltype(&::PQstatus) PQstatus;
};

template <typename F>
bool Resolve(void* lib, const char* name, F& out) {
    out = reinterpret_cast<F>(::dlsym(lib, name));
    return out != nullptr;
}

// The loaded table, or nullptr with `error` set. Loaded once, by the first caller; the
// library then stays for the life of the process.
const LibPq* LoadLibPq(std::string* error) {
    static std::string failure;
    static const LibPq* const loaded = []() -> const LibPq* {
        void* lib = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
        if (lib == nullptr) {
            const char* why = ::dlerror();
            failure = std::string("cannot load libpq.so.5 (install libpq5): ") +
                      (why != nullptr ? why : "unknown error");
            return nullptr;
        }
        static LibPq table_storage;
        LibPq* table = &table_storage;
        bool ok = true;
        ok = Resolve(lib, "PQclear", table->PQclear) && ok;
        ok = Resolve(lib, "PQcmdTuples", table->PQcmdTuples) && ok;
        ok = Resolve(lib, "PQconnectdbParams", table->PQconnectdbParams) && ok;
        ok = Resolve(lib, "PQconninfoFree", table->PQconninfoFree) && ok;
        ok = Resolve(lib, "PQconninfoParse", table->PQconninfoParse) && ok;
        ok = Resolve(lib, "PQerrorMessage", table->PQerrorMessage) && ok;
        ok = Resolve(lib, "PQexec", table->PQexec) && ok;
        ok = Resolve(lib, "PQexecParams", table->PQexecParams) && ok;
        ok = Resolve(lib, "PQexecPrepared", table->PQexecPrepared) && ok;
        ok = Resolve(lib, "PQfinish", table->PQfinish) && ok;
        ok = Resolve(lib, "PQfreemem", table->PQfreemem) && ok;
        ok = Resolve(lib, "PQgetisnull", table->PQgetisnull) && ok;
        ok = Resolve(lib, "PQgetlength", table->PQgetlength) && ok;
        ok = Resolve(lib, "PQgetvalue", table->PQgetvalue) && ok;
        ok = Resolve(lib, "PQnfields", table->PQnfields) && ok;
        ok = Resolve(lib, "PQntuples", table->PQntuples) && ok;
        ok = Resolve(lib, "PQprepare", table->PQprepare) && ok;
        ok = Resolve(lib, "PQresultErrorField", table->PQresultErrorField) && ok;
        ok = Resolve(lib, "PQresultStatus", table->PQresultStatus) && ok;
        ok = Resolve(lib, "PQsocket", table->PQsocket) && ok;
        ok = Resolve(lib, "PQstatus", table->PQstatus) && ok;
        if (!ok) {
            failure = "libpq.so.5 lacks a function this build uses";
            return nullptr;
        }
        return table;
    }();
    if (loaded == nullptr && error != nullptr) *error = failure;
    return loaded;
}

// Only called once a connection exists, so the library is loaded.
const LibPq& Pq() { return *LoadLibPq(nullptr); }

PGresult* Res(void* r) { return static_cast<PGresult*>(r); }
PGconn* Conn(void* c) { return static_cast<PGconn*>(c); }

// The one translation of libpq failures into Status values. Only the server's primary
// message and SQLSTATE are used: libpq's connection messages name the socket and user at
// most, never the password.
Status PgError(const PGresult* result, PGconn* conn, std::string_view what) {
    std::string message;
    std::string sqlstate;
    if (result != nullptr) {
        const char* primary = Pq().PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
        const char* state = Pq().PQresultErrorField(result, PG_DIAG_SQLSTATE);
        if (primary != nullptr) message = primary;
        if (state != nullptr) sqlstate = state;
    }
    if (message.empty() && conn != nullptr) message = Pq().PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    std::string text = "PostgreSQL: " + std::string(what) + ": " + message;
    if (!sqlstate.empty()) text += " (SQLSTATE " + sqlstate + ")";
    if (conn != nullptr && Pq().PQstatus(conn) != CONNECTION_OK) return Status::Unavailable(text);
    if (sqlstate == "23505") return Status::FailedPrecondition(text);  // unique violation
    if (sqlstate == "40001" || sqlstate == "40P01") return Status::Unavailable(text);  // retry
    if (sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0)
        return Status::Unavailable(text);
    if (sqlstate.rfind("53", 0) == 0) return Status::Unavailable(text);  // out of resources
    return Status::IOError(text);
}

bool Retryable(const std::string& sqlstate) {
    return sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "23505";
}

Status Malformed(int row, int col) {
    return Status::Corruption("authority database: malformed value in row " + std::to_string(row) +
                              ", column " + std::to_string(col));
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// libpq's parse errors quote the offending part of the string, which may be the password:
// every "quoted" run becomes "...".
std::string ScrubQuoted(std::string_view message) {
    std::string out;
    bool quoted = false;
    for (char c : message) {
        if (c == '"') {
            out += quoted ? "...\"" : "\"";
            quoted = !quoted;
        } else if (!quoted) {
            out += c;
        }
    }
    return out;
}

void SecureZeroString(char* text) {
    volatile char* p = text;
    while (*p != '\0') *p++ = '\0';
}

}  // namespace

PgRows::PgRows(void* result) : result_(result) {}
PgRows::~PgRows() {
    if (result_ != nullptr) Pq().PQclear(Res(result_));
}
PgRows::PgRows(PgRows&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
PgRows& PgRows::operator=(PgRows&& other) noexcept {
    if (this != &other) {
        if (result_ != nullptr) Pq().PQclear(Res(result_));
        result_ = other.result_;
        other.result_ = nullptr;
    }
    return *this;
}

int PgRows::rows() const { return result_ == nullptr ? 0 : Pq().PQntuples(Res(result_)); }

int64_t PgRows::affected() const {
    if (result_ == nullptr) return 0;
    const char* n = Pq().PQcmdTuples(Res(result_));
    int64_t v = 0;
    std::from_chars(n, n + std::strlen(n), v);
    return v;
}

bool PgRows::IsNull(int row, int col) const {
    return row >= rows() || col >= Pq().PQnfields(Res(result_)) || Pq().PQgetisnull(Res(result_), row, col);
}

std::string PgRows::Text(int row, int col) const {
    if (IsNull(row, col)) return "";
    return std::string(Pq().PQgetvalue(Res(result_), row, col),
                       static_cast<size_t>(Pq().PQgetlength(Res(result_), row, col)));
}

Result<int64_t> PgRows::Int(int row, int col) const {
    if (IsNull(row, col)) return Malformed(row, col);
    const char* v = Pq().PQgetvalue(Res(result_), row, col);
    const char* end = v + Pq().PQgetlength(Res(result_), row, col);
    int64_t out = 0;
    const auto [p, ec] = std::from_chars(v, end, out);
    if (ec != std::errc() || p != end) return Malformed(row, col);
    return out;
}

Result<std::optional<int32_t>> PgRows::OptionalInt(int row, int col) const {
    if (row < rows() && col < Pq().PQnfields(Res(result_)) && Pq().PQgetisnull(Res(result_), row, col)) {
        return std::optional<int32_t>();
    }
    JEJAK_ASSIGN_OR_RETURN(int64_t v, Int(row, col));
    if (v < INT32_MIN || v > INT32_MAX) return Malformed(row, col);
    return std::optional<int32_t>(static_cast<int32_t>(v));
}

Result<bool> PgRows::Bool(int row, int col) const {
    const std::string v = Text(row, col);
    if (v == "t") return true;
    if (v == "f") return false;
    return Malformed(row, col);
}

Status PgRows::Bytes(int row, int col, std::span<uint8_t> out) const {
    const std::string v = Text(row, col);  // bytea in hex output: "\x0a1b..."
    if (v.size() != 2 + 2 * out.size() || v[0] != '\\' || v[1] != 'x') return Malformed(row, col);
    for (size_t i = 0; i < out.size(); ++i) {
        const int hi = HexDigit(v[2 + 2 * i]);
        const int lo = HexDigit(v[3 + 2 * i]);
        if (hi < 0 || lo < 0) return Malformed(row, col);
        out[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return Status::Ok();
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& uri) {
    // Connects with exactly the parameters that were checked (no password among them), not
    // by handing libpq the string again: expand_dbname is 0.
    JEJAK_ASSIGN_OR_RETURN(PgSettings settings, ParsePgSettings(uri));
    bool has_timeout = false;
    for (const auto& [key, value] : settings) has_timeout = has_timeout || key == "connect_timeout";
    settings.emplace_back("fallback_application_name", "jejak-authority");
    if (!has_timeout) settings.emplace_back("connect_timeout", "10");
    std::vector<const char*> keys;
    std::vector<const char*> values;
    for (const auto& [key, value] : settings) {
        keys.push_back(key.c_str());
        values.push_back(value.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    PGconn* conn = Pq().PQconnectdbParams(keys.data(), values.data(), 0);
    if (conn == nullptr) return Status::Unavailable("PostgreSQL: out of memory connecting");
    if (Pq().PQstatus(conn) != CONNECTION_OK) {
        Status s = PgError(nullptr, conn, "connect to " + DescribePgSettings(uri));
        Pq().PQfinish(conn);
        return s;
    }
    // Custom plans for every execution: a generic plan made while a table was still empty
    // (a fresh deployment) would keep scanning it sequentially as it grows.
    PGresult* r = Pq().PQexec(conn,
                         "SET client_min_messages = warning; "
                         "SET plan_cache_mode = force_custom_plan");
    const bool ok = Pq().PQresultStatus(r) == PGRES_COMMAND_OK;
    Pq().PQclear(r);
    if (!ok) {
        Status s = PgError(nullptr, conn, "configure session");
        Pq().PQfinish(conn);
        return s;
    }
    return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { Pq().PQfinish(Conn(conn_)); }

bool PgConnection::healthy() const { return Pq().PQstatus(Conn(conn_)) == CONNECTION_OK; }

bool PgConnection::EndedWhileIdle() const {
    if (!healthy()) return true;
    pollfd p{};
    p.fd = Pq().PQsocket(Conn(conn_));
    if (p.fd < 0) return true;
    p.events = POLLIN;
    // Between statements the server sends nothing unasked; input (its FATAL message, end of
    // file) or a hang-up means it has ended the session.
    return ::poll(&p, 1, 0) != 0;
}

Result<PgRows> PgConnection::Exec(std::string_view sql, const std::vector<PgParam>& params,
                                  std::string_view what) {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    for (const PgParam& p : params) {
        values.push_back(p.null() ? nullptr : p.value().data());
        lengths.push_back(static_cast<int>(p.value().size()));
        formats.push_back(p.binary() ? 1 : 0);
    }
    constexpr size_t kMaxPrepared = 64;
    const std::string text(sql);
    const int n = static_cast<int>(params.size());
    auto it = prepared_.find(text);
    if (it == prepared_.end() && prepared_.size() < kMaxPrepared) {
        const std::string name = "jejak_" + std::to_string(prepared_.size());
        PGresult* p = Pq().PQprepare(Conn(conn_), name.c_str(), text.c_str(), n, nullptr);
        if (p != nullptr && Pq().PQresultStatus(p) == PGRES_COMMAND_OK) {
            it = prepared_.emplace(text, name).first;
        } else {
            const char* state = p == nullptr ? nullptr : Pq().PQresultErrorField(p, PG_DIAG_SQLSTATE);
            last_sqlstate_ = state != nullptr ? state : "";
            Status s = PgError(p, Conn(conn_), what);
            Pq().PQclear(p);
            return s;
        }
        Pq().PQclear(p);
    }
    PGresult* r = it != prepared_.end()
                      ? Pq().PQexecPrepared(Conn(conn_), it->second.c_str(), n, values.data(),
                                       lengths.data(), formats.data(), 0)
                      : Pq().PQexecParams(Conn(conn_), text.c_str(), n, nullptr, values.data(),
                                     lengths.data(), formats.data(), 0);
    const ExecStatusType st = r == nullptr ? PGRES_FATAL_ERROR : Pq().PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        last_sqlstate_.clear();
        return PgRows(r);
    }
    const char* state = r == nullptr ? nullptr : Pq().PQresultErrorField(r, PG_DIAG_SQLSTATE);
    last_sqlstate_ = state != nullptr ? state : "";
    Status s = PgError(r, Conn(conn_), what);
    Pq().PQclear(r);
    return s;
}

Status PgConnection::ExecScript(std::string_view sql, std::string_view what) {
    const std::string text(sql);
    PGresult* r = Pq().PQexec(Conn(conn_), text.c_str());
    const ExecStatusType st = r == nullptr ? PGRES_FATAL_ERROR : Pq().PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        Pq().PQclear(r);
        last_sqlstate_.clear();
        return Status::Ok();
    }
    const char* state = r == nullptr ? nullptr : Pq().PQresultErrorField(r, PG_DIAG_SQLSTATE);
    last_sqlstate_ = state != nullptr ? state : "";
    Status s = PgError(r, Conn(conn_), what);
    Pq().PQclear(r);
    return s;
}

Status PgConnection::Transaction(const std::function<Status(PgConnection&)>& body,
                                 std::string_view what) {
    constexpr int kAttempts = 8;
    Status last;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        // Simple-protocol commands: ROLLBACK must work even in an aborted transaction,
        // where preparing a statement would fail.
        JEJAK_RETURN_IF_ERROR(ExecScript("BEGIN", "begin " + std::string(what)));
        last_sqlstate_.clear();
        Status s = body(*this);
        if (s.ok()) {
            Status commit = ExecScript("COMMIT", "commit " + std::string(what));
            if (commit.ok()) return Status::Ok();
            s = commit;
        }
        const bool retry = !last_sqlstate_.empty() && Retryable(last_sqlstate_);
        if (healthy()) (void)ExecScript("ROLLBACK", "roll back " + std::string(what));
        if (!retry || !healthy()) return s;
        last = s;
    }
    return last;
}

PgPool::PgPool(std::string uri, size_t size) : uri_(std::move(uri)), size_(size == 0 ? 1 : size) {}
PgPool::~PgPool() = default;

Result<PgPool::Lease> PgPool::Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
    while (!idle_.empty()) {
        std::unique_ptr<PgConnection> conn = std::move(idle_.back());
        idle_.pop_back();
        if (!conn->EndedWhileIdle()) return Lease(this, std::move(conn));
        --open_;  // a session the server ended (restart, terminated): replaced below
    }
    ++open_;
    lock.unlock();
    Result<std::unique_ptr<PgConnection>> conn = PgConnection::Connect(uri_);
    if (!conn.ok()) {
        std::lock_guard relock(mu_);
        --open_;
        cv_.notify_one();
        return conn.status();
    }
    return Lease(this, std::move(*conn));
}

void PgPool::Return(std::unique_ptr<PgConnection> conn) {
    std::lock_guard lock(mu_);
    if (conn->healthy()) {
        idle_.push_back(std::move(conn));
    } else {
        --open_;  // dropped: the next Acquire opens a fresh one
    }
    cv_.notify_one();
}

Result<PgSettings> ParsePgSettings(std::string_view database) {
    std::string unavailable;
    if (LoadLibPq(&unavailable) == nullptr) return Status::Unavailable("PostgreSQL: " + unavailable);
    const std::string text(database);
    char* error = nullptr;
    PQconninfoOption* options = Pq().PQconninfoParse(text.c_str(), &error);
    if (options == nullptr) {
        std::string why = error != nullptr ? ScrubQuoted(error) : "out of memory";
        if (error != nullptr) Pq().PQfreemem(error);
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        return Status::InvalidArgument("database: libpq cannot parse the connection string: " + why);
    }
    PgSettings settings;
    bool password = false;
    for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        const std::string keyword = o->keyword;
        if (keyword == "password" || keyword == "sslpassword") {
            password = true;
            SecureZeroString(o->val);
            continue;
        }
        settings.emplace_back(keyword, o->val);
    }
    Pq().PQconninfoFree(options);
    if (password) {
        return Status::InvalidArgument(
            "database: the PostgreSQL connection string holds a password (not shown); remove it "
            "and let libpq read it from a password file (~/.pgpass of the service user or "
            "PGPASSFILE, mode 0600), or use peer authentication over the local socket");
    }
    return settings;
}

std::string DescribePgSettings(std::string_view database) {
    Result<PgSettings> settings = ParsePgSettings(database);
    if (!settings.ok()) return "a PostgreSQL connection string (not shown)";
    std::string out = "postgresql";
    for (const char* shown : {"host", "hostaddr", "port", "dbname", "user"}) {
        for (const auto& [key, value] : *settings) {
            if (key != shown) continue;
            // A value holding '=' (a dbname that reads as a connection string) is not shown.
            out += " " + key + "=" + (value.find('=') == std::string::npos ? value : "...");
        }
    }
    return out;
}

}  // namespace jejak::authority
