// SQLite ConsoleStore: its own connection to the authority's database file (WAL lets it
// work beside the AuthorityStore's), serialised by a mutex like that store's.
#include "authority/store/console_store.h"

#include <mutex>

#include "storage/sqlite_db.h"

namespace jejak::authority {
namespace {

constexpr int64_t kConsoleSchema = 2;  // sqlite_authority_store.cc's migration that adds us
constexpr int64_t kNull = -1;          // stands for SQL NULL in optional times read back
constexpr int64_t kDay = 86400;

std::optional<int64_t> Optional(int64_t v) {
    return v == kNull ? std::nullopt : std::optional<int64_t>(v);
}

class SqliteConsoleStore final : public ConsoleStore {
public:
    explicit SqliteConsoleStore(SqliteDb db) : db_(std::move(db)) {}

    Status Configure() {
        JEJAK_RETURN_IF_ERROR(db_.Exec("PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;",
                                       "configure console database"));
        JEJAK_ASSIGN_OR_RETURN(int64_t version, db_.QueryInt("PRAGMA user_version"));
        if (version < kConsoleSchema) {
            return Status::FailedPrecondition("authority database: no console tables (schema " +
                                              std::to_string(version) + ")");
        }
        return Status::Ok();
    }

    Status AddUser(const std::string& name, const std::string& role,
                   const std::string& password_hash, int64_t now) override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "INSERT OR IGNORE INTO staff_users(name, role, password_hash, created_at) "
            "VALUES (?, ?, ?, ?)"));
        s.BindText(1, name);
        s.BindText(2, role);
        s.BindText(3, password_hash);
        s.BindInt(4, now);
        JEJAK_RETURN_IF_ERROR(s.Run("add user"));
        if (Changes() == 0) return Status::FailedPrecondition("user " + name + " already exists");
        return Status::Ok();
    }

    Result<std::optional<StaffUser>> FindUser(const std::string& name) override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(std::vector<StaffUser> users, Users("WHERE name = ?", name));
        if (users.empty()) return std::optional<StaffUser>();
        return std::optional<StaffUser>(std::move(users.front()));
    }

    Result<std::vector<StaffUser>> ListUsers() override {
        std::lock_guard lock(mu_);
        return Users("ORDER BY name", "");
    }

    Status SetUserDisabled(const std::string& name, bool disabled) override {
        std::lock_guard lock(mu_);
        JEJAK_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE", "begin disable user"));
        Status s = SetDisabledLocked(name, disabled);
        const Status end = db_.Exec(s.ok() ? "COMMIT" : "ROLLBACK", "end disable user");
        return s.ok() ? end : s;
    }

    Status CreateSession(const SecretHash& session, int64_t user_id, int64_t now) override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "INSERT INTO staff_sessions(hash, user_id, created_at, last_seen) VALUES (?, ?, ?, ?)"));
        s.BindBlob(1, session);
        s.BindInt(2, user_id);
        s.BindInt(3, now);
        s.BindInt(4, now);
        return s.Run("create session");
    }

    Result<std::optional<SessionUser>> TouchSession(const SecretHash& session, int64_t now,
                                                    int64_t idle_s, int64_t absolute_s) override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "SELECT u.id, u.name, u.role, s.created_at, s.last_seen, u.disabled "
            "FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id WHERE s.hash = ?"));
        s.BindBlob(1, session);
        JEJAK_ASSIGN_OR_RETURN(bool row, s.Step("find session"));
        if (!row) return std::optional<SessionUser>();
        SessionUser user{s.ColumnInt(0), s.ColumnText(1), s.ColumnText(2), s.ColumnInt(3)};
        const int64_t last_seen = s.ColumnInt(4);
        const bool disabled = s.ColumnInt(5) != 0;
        s.Reset();
        if (disabled || now - last_seen >= idle_s || now - user.created_at >= absolute_s) {
            JEJAK_RETURN_IF_ERROR(DeleteLocked(session));
            return std::optional<SessionUser>();
        }
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt u, db_.Prepare(
            "UPDATE staff_sessions SET last_seen = ? WHERE hash = ?"));
        u.BindInt(1, now);
        u.BindBlob(2, session);
        JEJAK_RETURN_IF_ERROR(u.Run("touch session"));
        return std::optional<SessionUser>(std::move(user));
    }

    Status DeleteSession(const SecretHash& session) override {
        std::lock_guard lock(mu_);
        return DeleteLocked(session);
    }

    Result<int64_t> RecordIssuedCode(const SecretHash& code, const std::string& issuer,
                                     const CodeClaims& c, int64_t issued_at,
                                     int64_t expires_at) override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "INSERT INTO issued_codes(code_hash, issuer, test_type, test_date, symptom_date, "
            "issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"));
        s.BindBlob(1, code);
        s.BindText(2, issuer);
        s.BindText(3, c.test_type);
        s.BindText(4, c.test_date);
        s.BindText(5, c.symptom_date);
        s.BindInt(6, issued_at);
        s.BindInt(7, expires_at);
        JEJAK_ASSIGN_OR_RETURN(bool row, s.Step("record issued code"));
        if (!row) return Status::Internal("record issued code: no id");
        return s.ColumnInt(0);
    }

    Result<std::vector<IssuedCodeRecord>> RecentCodes(const std::string& issuer,
                                                      size_t limit) override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "SELECT i.id, i.issuer, i.test_type, i.test_date, i.symptom_date, i.issued_at, "
            "i.expires_at, IFNULL(c.used_at, -1), IFNULL(i.revoked_at, -1) FROM issued_codes i "
            "LEFT JOIN codes c ON c.hash = i.code_hash WHERE ?1 = '' OR i.issuer = ?1 "
            "ORDER BY i.id DESC LIMIT ?2"));
        s.BindText(1, issuer);
        s.BindInt(2, static_cast<int64_t>(limit));
        std::vector<IssuedCodeRecord> out;
        for (;;) {
            JEJAK_ASSIGN_OR_RETURN(bool row, s.Step("list issued codes"));
            if (!row) break;
            out.push_back({s.ColumnInt(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3),
                           s.ColumnText(4), s.ColumnInt(5), s.ColumnInt(6),
                           Optional(s.ColumnInt(7)), Optional(s.ColumnInt(8))});
        }
        return out;
    }

    Status RevokeCode(int64_t id, const std::string& issuer, int64_t now) override {
        std::lock_guard lock(mu_);
        JEJAK_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE", "begin revoke"));
        Status s = RevokeLocked(id, issuer, now);
        const Status end = db_.Exec(s.ok() ? "COMMIT" : "ROLLBACK", "end revoke");
        return s.ok() ? end : s;
    }

    Status Audit(const AuditEntry& e) override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "INSERT INTO audit_log(at, actor, action, detail) VALUES (?, ?, ?, ?)"));
        s.BindInt(1, e.at);
        s.BindText(2, e.actor);
        s.BindText(3, e.action);
        s.BindText(4, e.detail);
        return s.Run("write audit log");
    }

    Result<std::vector<AuditEntry>> RecentAudit(size_t limit) override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "SELECT at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?"));
        s.BindInt(1, static_cast<int64_t>(limit));
        std::vector<AuditEntry> out;
        for (;;) {
            JEJAK_ASSIGN_OR_RETURN(bool row, s.Step("read audit log"));
            if (!row) break;
            out.push_back({s.ColumnInt(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3)});
        }
        return out;
    }

    Status AddDailyCount(int64_t day_start, const std::string& name, int64_t delta) override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "INSERT INTO daily_counts(day, name, n) VALUES (?1, ?2, ?3) "
            "ON CONFLICT(day, name) DO UPDATE SET n = n + ?3"));
        s.BindInt(1, day_start);
        s.BindText(2, name);
        s.BindInt(3, delta);
        return s.Run("count daily figure");
    }

    Result<std::vector<DayFigures>> Figures(int64_t today_start, int days) override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "SELECT IFNULL((SELECT n FROM daily_counts WHERE day = ?1 AND name = 'issued'), 0), "
            "(SELECT COUNT(*) FROM codes WHERE used_at >= ?1 AND used_at < ?2), "
            "(SELECT COUNT(*) FROM exposures WHERE created_at >= ?1 AND created_at < ?2), "
            "(SELECT COUNT(*) FROM batches WHERE done = 1 AND end_ts >= ?1 AND end_ts < ?2), "
            "IFNULL((SELECT n FROM daily_counts WHERE day = ?1 AND name = 'refused_guesses'), 0)"));
        std::vector<DayFigures> out;
        for (int i = days - 1; i >= 0; --i) {
            const int64_t day = today_start - i * kDay;
            s.BindInt(1, day);
            s.BindInt(2, day + kDay);
            JEJAK_ASSIGN_OR_RETURN(bool row, s.Step("read daily figures"));
            if (!row) return Status::Internal("daily figures: no row");
            out.push_back({day, s.ColumnInt(0), s.ColumnInt(1), s.ColumnInt(2), s.ColumnInt(3),
                           s.ColumnInt(4)});
            s.Reset();
        }
        return out;
    }

private:
    int64_t Changes() {
        auto r = db_.QueryInt("SELECT changes()");
        return r.ok() ? *r : 0;
    }

    Result<std::vector<StaffUser>> Users(const std::string& where, const std::string& name) {
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "SELECT id, name, role, password_hash, disabled, created_at FROM staff_users " + where));
        if (!name.empty()) s.BindText(1, name);
        std::vector<StaffUser> out;
        for (;;) {
            JEJAK_ASSIGN_OR_RETURN(bool row, s.Step("read users"));
            if (!row) break;
            out.push_back({s.ColumnInt(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3),
                           s.ColumnInt(4) != 0, s.ColumnInt(5)});
        }
        return out;
    }

    Status SetDisabledLocked(const std::string& name, bool disabled) {
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "UPDATE staff_users SET disabled = ? WHERE name = ?"));
        s.BindInt(1, disabled ? 1 : 0);
        s.BindText(2, name);
        JEJAK_RETURN_IF_ERROR(s.Run("disable user"));
        if (Changes() == 0) return Status::NotFound("no user " + name);
        if (!disabled) return Status::Ok();
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt d, db_.Prepare(
            "DELETE FROM staff_sessions WHERE user_id = (SELECT id FROM staff_users WHERE name = ?)"));
        d.BindText(1, name);
        return d.Run("end the user's sessions");
    }

    Status DeleteLocked(const SecretHash& session) {
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare("DELETE FROM staff_sessions WHERE hash = ?"));
        s.BindBlob(1, session);
        return s.Run("delete session");
    }

    Status RevokeLocked(int64_t id, const std::string& issuer, int64_t now) {
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "SELECT i.code_hash, i.revoked_at IS NOT NULL, IFNULL(c.used_at, -1) "
            "FROM issued_codes i LEFT JOIN codes c ON c.hash = i.code_hash "
            "WHERE i.id = ?1 AND (?2 = '' OR i.issuer = ?2)"));
        s.BindInt(1, id);
        s.BindText(2, issuer);
        JEJAK_ASSIGN_OR_RETURN(bool row, s.Step("find issued code"));
        if (!row) return Status::NotFound("no such code");
        const auto blob = s.ColumnBlob(0);
        const std::vector<uint8_t> hash(blob.begin(), blob.end());
        if (s.ColumnInt(1) != 0) return Status::FailedPrecondition("the code is already revoked");
        if (s.ColumnInt(2) != kNull) return Status::FailedPrecondition("the code was already used");
        s.Reset();
        // A code whose expiry has passed is refused by /api/verify like any stale code.
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt c, db_.Prepare(
            "UPDATE codes SET expires_at = MIN(expires_at, ?) WHERE hash = ? AND used_at IS NULL"));
        c.BindInt(1, now);
        c.BindBlob(2, hash, true);
        JEJAK_RETURN_IF_ERROR(c.Run("revoke code"));
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt r, db_.Prepare(
            "UPDATE issued_codes SET revoked_at = ? WHERE id = ?"));
        r.BindInt(1, now);
        r.BindInt(2, id);
        return r.Run("mark code revoked");
    }

    std::mutex mu_;
    SqliteDb db_;
};

}  // namespace

Result<std::unique_ptr<ConsoleStore>> OpenSqliteConsoleStore(const std::string& path) {
    JEJAK_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path, false));
    auto store = std::make_unique<SqliteConsoleStore>(std::move(db));
    JEJAK_RETURN_IF_ERROR(store->Configure());
    return std::unique_ptr<ConsoleStore>(std::move(store));
}

}  // namespace jejak::authority
