// PostgreSQL ConsoleStore: the same contract as the SQLite one on the shared database, so
// every instance behind a load balancer sees the same users, sessions and codes. A revoke
// locks its issued-code row (FOR UPDATE) so a revoke and a redemption cannot both win.
#include <algorithm>

#include "authority/store/console_store.h"
#include "authority/store/postgres_connection.h"

namespace jejak::authority {
namespace {

constexpr int64_t kDay = 86400;

Result<std::optional<int64_t>> OptionalTime(const PgRows& r, int row, int col) {
    if (r.IsNull(row, col)) return std::optional<int64_t>();
    JEJAK_ASSIGN_OR_RETURN(int64_t v, r.Int(row, col));
    return std::optional<int64_t>(v);
}

Result<StaffUser> ReadUser(const PgRows& r, int i) {
    StaffUser u;
    JEJAK_ASSIGN_OR_RETURN(u.id, r.Int(i, 0));
    u.name = r.Text(i, 1);
    u.role = r.Text(i, 2);
    u.password_hash = r.Text(i, 3);
    JEJAK_ASSIGN_OR_RETURN(u.disabled, r.Bool(i, 4));
    JEJAK_ASSIGN_OR_RETURN(u.created_at, r.Int(i, 5));
    return u;
}

class PostgresConsoleStore final : public ConsoleStore {
public:
    PostgresConsoleStore(std::string uri, size_t pool_size) : pool_(std::move(uri), pool_size) {}

    Status Check() {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        return c->Exec("SELECT 1 FROM staff_users LIMIT 1", "find console tables").status();
    }

    Status AddUser(const std::string& name, const std::string& role,
                   const std::string& password_hash, int64_t now) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        JEJAK_ASSIGN_OR_RETURN(PgRows r, c->Exec(
            "INSERT INTO staff_users(name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (name) DO NOTHING",
            {PgParam::Text(name), PgParam::Text(role), PgParam::Text(password_hash),
             PgParam::Int(now)}, "add user"));
        if (r.affected() == 0) return Status::FailedPrecondition("user " + name + " already exists");
        return Status::Ok();
    }

    Result<std::optional<StaffUser>> FindUser(const std::string& name) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        JEJAK_ASSIGN_OR_RETURN(PgRows r, c->Exec(
            "SELECT id, name, role, password_hash, disabled, created_at FROM staff_users "
            "WHERE name = $1", {PgParam::Text(name)}, "find user"));
        if (r.rows() == 0) return std::optional<StaffUser>();
        JEJAK_ASSIGN_OR_RETURN(StaffUser u, ReadUser(r, 0));
        return std::optional<StaffUser>(std::move(u));
    }

    Result<std::vector<StaffUser>> ListUsers() override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        JEJAK_ASSIGN_OR_RETURN(PgRows r, c->Exec(
            "SELECT id, name, role, password_hash, disabled, created_at FROM staff_users "
            "ORDER BY name", "list users"));
        std::vector<StaffUser> out;
        for (int i = 0; i < r.rows(); ++i) {
            JEJAK_ASSIGN_OR_RETURN(StaffUser u, ReadUser(r, i));
            out.push_back(std::move(u));
        }
        return out;
    }

    Status SetUserDisabled(const std::string& name, bool disabled) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
        return conn->Transaction(
            [&](PgConnection& c) -> Status {
                JEJAK_ASSIGN_OR_RETURN(PgRows r, c.Exec(
                    "UPDATE staff_users SET disabled = $1 WHERE name = $2 RETURNING id",
                    {PgParam::Text(disabled ? "true" : "false"), PgParam::Text(name)},
                    "disable user"));
                if (r.rows() == 0) return Status::NotFound("no user " + name);
                if (!disabled) return Status::Ok();
                JEJAK_ASSIGN_OR_RETURN(int64_t id, r.Int(0, 0));
                return c.Exec("DELETE FROM staff_sessions WHERE user_id = $1", {PgParam::Int(id)},
                              "end the user's sessions")
                    .status();
            },
            "disable user");
    }

    Status CreateSession(const SecretHash& session, int64_t user_id, int64_t now) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        return c->Exec(
                    "INSERT INTO staff_sessions(hash, user_id, created_at, last_seen) "
                    "VALUES ($1, $2, $3, $3)",
                    {PgParam::Bytes(session), PgParam::Int(user_id), PgParam::Int(now)},
                    "create session")
            .status();
    }

    Result<std::optional<SessionUser>> TouchSession(const SecretHash& session, int64_t now,
                                                    int64_t idle_s, int64_t absolute_s) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        // One statement: an expired session is deleted, a live one touched.
        JEJAK_ASSIGN_OR_RETURN(PgRows gone, c->Exec(
            "DELETE FROM staff_sessions s USING staff_users u WHERE s.hash = $1 AND "
            "u.id = s.user_id AND (u.disabled OR $2 - s.last_seen >= $3 OR "
            "$2 - s.created_at >= $4)",
            {PgParam::Bytes(session), PgParam::Int(now), PgParam::Int(idle_s),
             PgParam::Int(absolute_s)}, "expire session"));
        if (gone.affected() > 0) return std::optional<SessionUser>();
        JEJAK_ASSIGN_OR_RETURN(PgRows r, c->Exec(
            "UPDATE staff_sessions s SET last_seen = $2 FROM staff_users u WHERE s.hash = $1 AND "
            "u.id = s.user_id AND NOT u.disabled RETURNING u.id, u.name, u.role, s.created_at",
            {PgParam::Bytes(session), PgParam::Int(now)}, "touch session"));
        if (r.rows() == 0) return std::optional<SessionUser>();
        SessionUser user;
        JEJAK_ASSIGN_OR_RETURN(user.user_id, r.Int(0, 0));
        user.name = r.Text(0, 1);
        user.role = r.Text(0, 2);
        JEJAK_ASSIGN_OR_RETURN(user.created_at, r.Int(0, 3));
        return std::optional<SessionUser>(std::move(user));
    }

    Status DeleteSession(const SecretHash& session) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        return c->Exec("DELETE FROM staff_sessions WHERE hash = $1", {PgParam::Bytes(session)},
                       "delete session")
            .status();
    }

    Result<int64_t> RecordIssuedCode(const SecretHash& code, const std::string& issuer,
                                     const CodeClaims& cl, int64_t issued_at,
                                     int64_t expires_at) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        JEJAK_ASSIGN_OR_RETURN(PgRows r, c->Exec(
            "INSERT INTO issued_codes(code_hash, issuer, test_type, test_date, symptom_date, "
            "issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            {PgParam::Bytes(code), PgParam::Text(issuer), PgParam::Text(cl.test_type),
             PgParam::Text(cl.test_date), PgParam::Text(cl.symptom_date), PgParam::Int(issued_at),
             PgParam::Int(expires_at)}, "record issued code"));
        return r.Int(0, 0);
    }

    Result<std::vector<IssuedCodeRecord>> RecentCodes(const std::string& issuer,
                                                      size_t limit) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        JEJAK_ASSIGN_OR_RETURN(PgRows r, c->Exec(
            "SELECT i.id, i.issuer, i.test_type, i.test_date, i.symptom_date, i.issued_at, "
            "i.expires_at, c.used_at, i.revoked_at FROM issued_codes i "
            "LEFT JOIN codes c ON c.hash = i.code_hash WHERE $1 = '' OR i.issuer = $1 "
            "ORDER BY i.id DESC LIMIT $2",
            {PgParam::Text(issuer), PgParam::Int(static_cast<int64_t>(limit))},
            "list issued codes"));
        std::vector<IssuedCodeRecord> out;
        for (int i = 0; i < r.rows(); ++i) {
            IssuedCodeRecord rec;
            JEJAK_ASSIGN_OR_RETURN(rec.id, r.Int(i, 0));
            rec.issuer = r.Text(i, 1);
            rec.test_type = r.Text(i, 2);
            rec.test_date = r.Text(i, 3);
            rec.symptom_date = r.Text(i, 4);
            JEJAK_ASSIGN_OR_RETURN(rec.issued_at, r.Int(i, 5));
            JEJAK_ASSIGN_OR_RETURN(rec.expires_at, r.Int(i, 6));
            JEJAK_ASSIGN_OR_RETURN(rec.claimed_at, OptionalTime(r, i, 7));
            JEJAK_ASSIGN_OR_RETURN(rec.revoked_at, OptionalTime(r, i, 8));
            out.push_back(std::move(rec));
        }
        return out;
    }

    Status RevokeCode(int64_t id, const std::string& issuer, int64_t now) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
        return conn->Transaction(
            [&](PgConnection& c) -> Status {
                JEJAK_ASSIGN_OR_RETURN(PgRows r, c.Exec(
                    "SELECT i.revoked_at IS NOT NULL, c.used_at IS NOT NULL FROM issued_codes i "
                    "LEFT JOIN codes c ON c.hash = i.code_hash WHERE i.id = $1 AND "
                    "($2 = '' OR i.issuer = $2) FOR UPDATE OF i",
                    {PgParam::Int(id), PgParam::Text(issuer)}, "find issued code"));
                if (r.rows() == 0) return Status::NotFound("no such code");
                JEJAK_ASSIGN_OR_RETURN(bool revoked, r.Bool(0, 0));
                if (revoked) return Status::FailedPrecondition("the code is already revoked");
                // The conditional UPDATE decides a race with /api/verify's redemption.
                JEJAK_ASSIGN_OR_RETURN(PgRows u, c.Exec(
                    "UPDATE codes SET expires_at = LEAST(expires_at, $1) WHERE hash = "
                    "(SELECT code_hash FROM issued_codes WHERE id = $2) AND used_at IS NULL",
                    {PgParam::Int(now), PgParam::Int(id)}, "revoke code"));
                if (u.affected() == 0) return Status::FailedPrecondition("the code was already used");
                return c.Exec("UPDATE issued_codes SET revoked_at = $1 WHERE id = $2",
                              {PgParam::Int(now), PgParam::Int(id)}, "mark code revoked")
                    .status();
            },
            "revoke");
    }

    Status Audit(const AuditEntry& e) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        return c->Exec("INSERT INTO audit_log(at, actor, action, detail) VALUES ($1, $2, $3, $4)",
                       {PgParam::Int(e.at), PgParam::Text(e.actor), PgParam::Text(e.action),
                        PgParam::Text(e.detail)}, "write audit log")
            .status();
    }

    Result<std::vector<AuditEntry>> RecentAudit(size_t limit) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        JEJAK_ASSIGN_OR_RETURN(PgRows r, c->Exec(
            "SELECT at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT $1",
            {PgParam::Int(static_cast<int64_t>(limit))}, "read audit log"));
        std::vector<AuditEntry> out;
        for (int i = 0; i < r.rows(); ++i) {
            AuditEntry e;
            JEJAK_ASSIGN_OR_RETURN(e.at, r.Int(i, 0));
            e.actor = r.Text(i, 1);
            e.action = r.Text(i, 2);
            e.detail = r.Text(i, 3);
            out.push_back(std::move(e));
        }
        return out;
    }

    Status AddDailyCount(int64_t day_start, const std::string& name, int64_t delta) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        return c->Exec(
                    "INSERT INTO daily_counts(day, name, n) VALUES ($1, $2, $3) "
                    "ON CONFLICT (day, name) DO UPDATE SET n = daily_counts.n + $3",
                    {PgParam::Int(day_start), PgParam::Text(name), PgParam::Int(delta)},
                    "count daily figure")
            .status();
    }

    Result<std::vector<DayFigures>> Figures(int64_t today_start, int days) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease c, pool_.Acquire());
        std::vector<DayFigures> out;
        for (int i = days - 1; i >= 0; --i) {
            const int64_t day = today_start - i * kDay;
            JEJAK_ASSIGN_OR_RETURN(PgRows r, c->Exec(
                "SELECT COALESCE((SELECT n FROM daily_counts WHERE day = $1 AND name = 'issued'), 0), "
                "(SELECT COUNT(*) FROM codes WHERE used_at >= $1 AND used_at < $2), "
                "(SELECT COUNT(*) FROM exposures WHERE created_at >= $1 AND created_at < $2), "
                "(SELECT COUNT(*) FROM batches WHERE done AND end_ts >= $1 AND end_ts < $2), "
                "COALESCE((SELECT n FROM daily_counts WHERE day = $1 AND "
                "name = 'refused_guesses'), 0)",
                {PgParam::Int(day), PgParam::Int(day + kDay)}, "read daily figures"));
            DayFigures f;
            f.day_start = day;
            JEJAK_ASSIGN_OR_RETURN(f.issued, r.Int(0, 0));
            JEJAK_ASSIGN_OR_RETURN(f.claimed, r.Int(0, 1));
            JEJAK_ASSIGN_OR_RETURN(f.keys_published, r.Int(0, 2));
            JEJAK_ASSIGN_OR_RETURN(f.exports, r.Int(0, 3));
            JEJAK_ASSIGN_OR_RETURN(f.refused_guesses, r.Int(0, 4));
            out.push_back(f);
        }
        return out;
    }

private:
    PgPool pool_;
};

}  // namespace

Result<std::unique_ptr<ConsoleStore>> OpenPostgresConsoleStore(const std::string& uri,
                                                               size_t pool_size) {
    auto store = std::make_unique<PostgresConsoleStore>(uri, pool_size);
    if (Status s = store->Check(); !s.ok()) {
        return Status::FailedPrecondition("authority database: no console tables (" +
                                          s.message() + ")");
    }
    return std::unique_ptr<ConsoleStore>(std::move(store));
}

}  // namespace jejak::authority
