// PostgreSQL AuthorityStore: the same contract and column meanings as the SQLite store, in
// PostgreSQL's types (bytea, bigint, boolean), with row locks and advisory locks where the
// SQLite store relies on its single writer.
#include "authority/store/postgres_authority_store.h"

#include <algorithm>

#include "authority/store/postgres_connection.h"

namespace jejak::authority {
namespace {

// Advisory lock keys (any 64-bit values unlikely to clash with other users of the database).
constexpr int64_t kMigrationLock = 0x4a656a616b000001;  // "Jejak", 1
constexpr int64_t kExportLeaseLock = 0x4a656a616b000002;
constexpr int64_t kClaimLock = 0x4a656a616b000003;

// Migration N (1-based) is kMigrations[N-1]; never edit a released one, append a new one.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE codes(hash bytea PRIMARY KEY, test_type text NOT NULL, symptom_date text NOT NULL,
    test_date text NOT NULL, expires_at bigint NOT NULL, used_at bigint);
CREATE TABLE tokens(hash bytea PRIMARY KEY, test_type text NOT NULL, symptom_date text NOT NULL,
    test_date text NOT NULL, expires_at bigint NOT NULL, used_at bigint);
CREATE TABLE exposures(seq bigserial UNIQUE NOT NULL, key bytea PRIMARY KEY,
    rolling_start bigint NOT NULL, rolling_period integer NOT NULL,
    transmission_risk integer NOT NULL, report_type integer NOT NULL, days_since_onset integer,
    created_at bigint NOT NULL, available_at bigint NOT NULL, revision bytea NOT NULL,
    batch_id bigint, revised_report_type integer, revised_days_since_onset integer,
    revised_available_at bigint, revised_batch_id bigint);
CREATE INDEX exposures_unexported ON exposures(available_at, seq) WHERE batch_id IS NULL;
CREATE INDEX exposures_unexported_revisions ON exposures(revised_available_at, seq)
    WHERE revised_report_type IS NOT NULL AND revised_batch_id IS NULL;
CREATE INDEX exposures_batch ON exposures(batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX exposures_revised_batch ON exposures(revised_batch_id)
    WHERE revised_batch_id IS NOT NULL;
CREATE TABLE batches(id bigint PRIMARY KEY, path text NOT NULL, start_ts bigint NOT NULL,
    end_ts bigint NOT NULL, done boolean NOT NULL DEFAULT false);
)sql",
    // 2: the staff console (console_store.h).
    R"sql(
CREATE TABLE staff_users(id bigserial PRIMARY KEY, name text UNIQUE NOT NULL, role text NOT NULL,
    password_hash text NOT NULL, disabled boolean NOT NULL DEFAULT false,
    created_at bigint NOT NULL);
CREATE TABLE staff_sessions(hash bytea PRIMARY KEY, user_id bigint NOT NULL
    REFERENCES staff_users(id), created_at bigint NOT NULL, last_seen bigint NOT NULL);
CREATE TABLE issued_codes(id bigserial PRIMARY KEY, code_hash bytea NOT NULL, issuer text NOT NULL,
    test_type text NOT NULL, test_date text NOT NULL, symptom_date text NOT NULL,
    issued_at bigint NOT NULL, expires_at bigint NOT NULL, revoked_at bigint);
CREATE INDEX issued_codes_issuer ON issued_codes(issuer, id);
CREATE TABLE audit_log(id bigserial PRIMARY KEY, at bigint NOT NULL, actor text NOT NULL,
    action text NOT NULL, detail text NOT NULL);
CREATE TABLE daily_counts(day bigint NOT NULL, name text NOT NULL, n bigint NOT NULL,
    PRIMARY KEY(day, name));
)sql",
};
constexpr int64_t kSchemaVersion = std::size(kMigrations);

constexpr char kExposureColumns[] =
    "key, rolling_start, rolling_period, transmission_risk, report_type, days_since_onset, "
    "created_at, available_at, revision, batch_id IS NOT NULL, revised_report_type, "
    "revised_days_since_onset";

Result<StoredExposure> ReadExposure(const PgRows& r, int row) {
    StoredExposure e;
    JEJAK_RETURN_IF_ERROR(r.Bytes(row, 0, e.key.mutable_bytes()));
    JEJAK_RETURN_IF_ERROR(r.Bytes(row, 8, e.revision));
    JEJAK_ASSIGN_OR_RETURN(int64_t start, r.Int(row, 1));
    JEJAK_ASSIGN_OR_RETURN(int64_t period, r.Int(row, 2));
    JEJAK_ASSIGN_OR_RETURN(int64_t risk, r.Int(row, 3));
    JEJAK_ASSIGN_OR_RETURN(int64_t type, r.Int(row, 4));
    if (start < 0 || start > UINT32_MAX || period < 0 || period > UINT32_MAX || risk < INT32_MIN ||
        risk > INT32_MAX || type < INT32_MIN || type > INT32_MAX) {
        return Status::Corruption("authority database: exposure value out of range");
    }
    e.rolling_start = static_cast<uint32_t>(start);
    e.rolling_period = static_cast<uint32_t>(period);
    e.transmission_risk = static_cast<int32_t>(risk);
    e.report_type = static_cast<int32_t>(type);
    JEJAK_ASSIGN_OR_RETURN(e.days_since_onset, r.OptionalInt(row, 5));
    JEJAK_ASSIGN_OR_RETURN(e.created_at, r.Int(row, 6));
    JEJAK_ASSIGN_OR_RETURN(e.available_at, r.Int(row, 7));
    JEJAK_ASSIGN_OR_RETURN(e.exported, r.Bool(row, 9));
    JEJAK_ASSIGN_OR_RETURN(e.revised_report_type, r.OptionalInt(row, 10));
    return e;
}

// "$first, $first+1, ..., $first+n-1".
std::string Placeholders(size_t first, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        if (i > 0) out += ", ";
        out += "$" + std::to_string(first + i);
    }
    return out;
}

class AdvisoryLease final : public ExportLease {
public:
    explicit AdvisoryLease(std::unique_ptr<PgConnection> conn) : conn_(std::move(conn)) {}
    ~AdvisoryLease() override {
        // Closing the session releases the lock even if the unlock does not get through.
        (void)conn_->Exec("SELECT pg_advisory_unlock($1)", {PgParam::Int(kExportLeaseLock)},
                          "release export lease");
    }

private:
    std::unique_ptr<PgConnection> conn_;
};

class PostgresAuthorityStore final : public AuthorityStore {
public:
    PostgresAuthorityStore(std::string uri, size_t pool_size) : pool_(std::move(uri), pool_size) {}

    Status Migrate() {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
        return conn->Transaction(
            [](PgConnection& c) -> Status {
                JEJAK_RETURN_IF_ERROR(c.Exec("SELECT pg_advisory_xact_lock($1)",
                                             {PgParam::Int(kMigrationLock)}, "lock migrations")
                                          .status());
                JEJAK_RETURN_IF_ERROR(c.Exec("CREATE TABLE IF NOT EXISTS "
                                             "jejak_schema_migrations(version integer PRIMARY KEY, "
                                             "applied_at timestamptz NOT NULL DEFAULT now())",
                                             "create migrations table")
                                          .status());
                JEJAK_ASSIGN_OR_RETURN(
                    PgRows v,
                    c.Exec("SELECT COALESCE(MAX(version), 0) FROM jejak_schema_migrations",
                           "read schema version"));
                JEJAK_ASSIGN_OR_RETURN(int64_t version, v.Int(0, 0));
                if (version > kSchemaVersion) {
                    return Status::Corruption("authority database: schema version " +
                                              std::to_string(version) +
                                              " is newer than this Jejak understands");
                }
                for (int64_t next = version + 1; next <= kSchemaVersion; ++next) {
                    JEJAK_RETURN_IF_ERROR(c.ExecScript(kMigrations[next - 1], "migrate schema"));
                    JEJAK_RETURN_IF_ERROR(
                        c.Exec("INSERT INTO jejak_schema_migrations(version) VALUES ($1)",
                               {PgParam::Int(next)}, "record migration")
                            .status());
                }
                return Status::Ok();
            },
            "migration");
    }

    Status InsertCode(const SecretHash& code, const CodeClaims& claims,
                      int64_t expires_at) override {
        return InsertSecret("codes", code, claims, expires_at);
    }
    Result<Redeemed> RedeemCode(const SecretHash& code, int64_t now) override {
        return RedeemSecret("codes", code, now);
    }
    Status InsertToken(const SecretHash& token, const CodeClaims& claims,
                       int64_t expires_at) override {
        return InsertSecret("tokens", token, claims, expires_at);
    }
    Result<Redeemed> RedeemToken(const SecretHash& token, int64_t now) override {
        return RedeemSecret("tokens", token, now);
    }

    Result<size_t> Publish(std::span<const Tek> keys, const PublishPlanner& planner) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
        size_t written = 0;
        const Status done = conn->Transaction(
            [&](PgConnection& c) -> Status {
                JEJAK_ASSIGN_OR_RETURN(std::vector<StoredExposure> existing,
                                       FindForUpdate(c, keys));
                JEJAK_ASSIGN_OR_RETURN(PublishPlan plan, planner(existing));
                JEJAK_RETURN_IF_ERROR(InsertExposures(c, plan));
                JEJAK_RETURN_IF_ERROR(ReviseExposures(c, plan));
                written = plan.inserts.size() + plan.revisions.size();
                return Status::Ok();
            },
            "publish");
        if (!done.ok()) return done;
        return written;
    }

    Result<std::unique_ptr<ExportLease>> LockExports() override {
        JEJAK_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn,
                               PgConnection::Connect(pool_.uri()));
        JEJAK_ASSIGN_OR_RETURN(PgRows r,
                               conn->Exec("SELECT pg_try_advisory_lock($1)",
                                          {PgParam::Int(kExportLeaseLock)}, "take export lease"));
        JEJAK_ASSIGN_OR_RETURN(bool locked, r.Bool(0, 0));
        if (!locked) return Status::Unavailable("another export worker is running");
        return std::unique_ptr<ExportLease>(std::make_unique<AdvisoryLease>(std::move(conn)));
    }

    Result<std::vector<ExportBatch>> PendingBatches() override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
        JEJAK_ASSIGN_OR_RETURN(
            PgRows r,
            conn->Exec("SELECT id, path, start_ts, end_ts FROM batches WHERE NOT done ORDER BY id",
                       "list pending batches"));
        std::vector<ExportBatch> out;
        for (int i = 0; i < r.rows(); ++i) {
            ExportBatch b;
            JEJAK_ASSIGN_OR_RETURN(b.id, r.Int(i, 0));
            b.path = r.Text(i, 1);
            JEJAK_ASSIGN_OR_RETURN(b.start_timestamp, r.Int(i, 2));
            JEJAK_ASSIGN_OR_RETURN(b.end_timestamp, r.Int(i, 3));
            JEJAK_RETURN_IF_ERROR(LoadEntries(*conn, b));
            out.push_back(std::move(b));
        }
        return out;
    }

    Result<std::optional<ExportBatch>> ClaimBatch(
        int64_t now, size_t max_keys,
        const std::function<std::string(int64_t, int64_t, int64_t)>& name) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
        std::optional<ExportBatch> out;
        const Status done = conn->Transaction(
            [&](PgConnection& c) -> Status {
                out.reset();
                JEJAK_ASSIGN_OR_RETURN(std::optional<ExportBatch> b,
                                       ClaimLocked(c, now, max_keys, name));
                out = std::move(b);
                return Status::Ok();
            },
            "claim batch");
        if (!done.ok()) return done;
        return out;
    }

    Status CompleteBatch(int64_t id) override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
        return conn
            ->Exec("UPDATE batches SET done = true WHERE id = $1", {PgParam::Int(id)},
                   "complete batch")
            .status();
    }

    Result<std::vector<std::string>> CompletedBatchPaths() override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
        JEJAK_ASSIGN_OR_RETURN(
            PgRows r,
            conn->Exec("SELECT path FROM batches WHERE done ORDER BY id", "list batches"));
        std::vector<std::string> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(r.Text(i, 0));
        return out;
    }

    Result<int64_t> CountExposures() override {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
        JEJAK_ASSIGN_OR_RETURN(PgRows r,
                               conn->Exec("SELECT COUNT(*) FROM exposures", "count exposures"));
        return r.Int(0, 0);
    }

private:
    Status InsertSecret(const char* table, const SecretHash& hash, const CodeClaims& c,
                        int64_t expires_at) {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
        JEJAK_ASSIGN_OR_RETURN(
            PgRows r, conn->Exec(std::string("INSERT INTO ") + table +
                                     "(hash, test_type, symptom_date, test_date, expires_at) "
                                     "VALUES ($1, $2, $3, $4, $5) "
                                     "ON CONFLICT (hash) DO NOTHING",
                                 {PgParam::Bytes(hash), PgParam::Text(c.test_type),
                                  PgParam::Text(c.symptom_date), PgParam::Text(c.test_date),
                                  PgParam::Int(expires_at)},
                                 std::string("insert into ") + table));
        if (r.affected() == 0) return Status::FailedPrecondition("secret hash collision");
        return Status::Ok();
    }

    // One statement: of several concurrent callers (any instance), the first to lock the row
    // changes it; the others re-check the condition on the new row version and match nothing.
    Result<Redeemed> RedeemSecret(const char* table, const SecretHash& hash, int64_t now) {
        JEJAK_ASSIGN_OR_RETURN(PgPool::Lease conn, pool_.Acquire());
        Redeemed out;
        JEJAK_ASSIGN_OR_RETURN(
            PgRows r,
            conn->Exec(
                std::string("UPDATE ") + table +
                    " SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND expires_at > $1"
                    " RETURNING test_type, symptom_date, test_date",
                {PgParam::Int(now), PgParam::Bytes(hash)}, std::string("redeem from ") + table));
        if (r.rows() == 1) {
            out.outcome = Redeem::kOk;
            out.claims = {r.Text(0, 0), r.Text(0, 1), r.Text(0, 2)};
            return out;
        }
        JEJAK_ASSIGN_OR_RETURN(
            PgRows q,
            conn->Exec(std::string("SELECT used_at IS NOT NULL FROM ") + table + " WHERE hash = $1",
                       {PgParam::Bytes(hash)}, std::string("look up in ") + table));
        if (q.rows() == 0) return out;
        JEJAK_ASSIGN_OR_RETURN(bool used, q.Bool(0, 0));
        out.outcome = used ? Redeem::kUsed : Redeem::kExpired;
        return out;
    }

    Result<std::vector<StoredExposure>> FindForUpdate(PgConnection& c, std::span<const Tek> keys) {
        std::vector<StoredExposure> out;
        if (keys.empty()) return out;
        std::vector<PgParam> params;
        for (const Tek& k : keys) params.push_back(PgParam::Bytes(k.bytes()));
        JEJAK_ASSIGN_OR_RETURN(
            PgRows r,
            c.Exec(std::string("SELECT ") + kExposureColumns + " FROM exposures WHERE key IN (" +
                       Placeholders(1, keys.size()) + ") ORDER BY key FOR UPDATE",
                   params, "find exposures"));
        for (int i = 0; i < r.rows(); ++i) {
            JEJAK_ASSIGN_OR_RETURN(StoredExposure e, ReadExposure(r, i));
            out.push_back(std::move(e));
        }
        return out;
    }

    Status InsertExposures(PgConnection& c, const PublishPlan& plan) {
        if (plan.inserts.empty()) return Status::Ok();
        constexpr size_t kColumns = 9;
        std::string sql =
            "INSERT INTO exposures(key, rolling_start, rolling_period, transmission_risk, "
            "report_type, days_since_onset, created_at, available_at, revision) VALUES ";
        std::vector<PgParam> params;
        for (size_t i = 0; i < plan.inserts.size(); ++i) {
            const StoredExposure& e = plan.inserts[i];
            sql += (i > 0 ? ", (" : "(") + Placeholders(1 + i * kColumns, kColumns) + ")";
            params.push_back(PgParam::Bytes(e.key.bytes()));
            params.push_back(PgParam::Int(e.rolling_start));
            params.push_back(PgParam::Int(e.rolling_period));
            params.push_back(PgParam::Int(e.transmission_risk));
            params.push_back(PgParam::Int(e.report_type));
            params.push_back(PgParam::Int(e.days_since_onset));
            params.push_back(PgParam::Int(e.created_at));
            params.push_back(PgParam::Int(e.available_at));
            params.push_back(PgParam::Bytes(plan.new_revision));
        }
        return c.Exec(sql, params, "insert exposures").status();
    }

    // An unexported key is corrected in place; an exported one gets a revised entry.
    Status ReviseExposures(PgConnection& c, const PublishPlan& plan) {
        for (const Revision& r : plan.revisions) {
            JEJAK_RETURN_IF_ERROR(
                c.Exec("UPDATE exposures SET revision = $1, "
                       "report_type = CASE WHEN batch_id IS NULL THEN $2::integer ELSE report_type "
                       "END, "
                       "days_since_onset = CASE WHEN batch_id IS NULL THEN $3::integer "
                       "    ELSE days_since_onset END, "
                       "revised_report_type = CASE WHEN batch_id IS NULL THEN NULL ELSE "
                       "$2::integer END, "
                       "revised_days_since_onset = CASE WHEN batch_id IS NULL THEN NULL "
                       "    ELSE $3::integer END, "
                       "revised_available_at = CASE WHEN batch_id IS NULL THEN NULL ELSE "
                       "$4::bigint END "
                       "WHERE key = $5",
                       {PgParam::Bytes(plan.new_revision), PgParam::Int(r.report_type),
                        PgParam::Int(r.days_since_onset), PgParam::Int(r.available_at),
                        PgParam::Bytes(r.key.bytes())},
                       "revise exposure")
                    .status());
        }
        return Status::Ok();
    }

    Result<std::optional<ExportBatch>> ClaimLocked(
        PgConnection& c, int64_t now, size_t max_keys,
        const std::function<std::string(int64_t, int64_t, int64_t)>& name) {
        JEJAK_RETURN_IF_ERROR(c.Exec("SELECT pg_advisory_xact_lock($1)", {PgParam::Int(kClaimLock)},
                                     "lock batch claims")
                                  .status());
        JEJAK_ASSIGN_OR_RETURN(
            PgRows last,
            c.Exec("SELECT COALESCE(MAX(end_ts), 0), COALESCE(MAX(id), 0) + 1 FROM batches",
                   "next batch"));
        JEJAK_ASSIGN_OR_RETURN(int64_t last_end, last.Int(0, 0));
        JEJAK_ASSIGN_OR_RETURN(int64_t id, last.Int(0, 1));
        ExportBatch b;
        b.id = id;
        b.start_timestamp = last_end > 0 ? last_end : now - 86400;
        b.end_timestamp = std::max(now, b.start_timestamp + 1);
        b.path = name(b.start_timestamp, b.end_timestamp, id);
        JEJAK_RETURN_IF_ERROR(
            c.Exec("INSERT INTO batches(id, path, start_ts, end_ts) VALUES ($1, $2, $3, $4)",
                   {PgParam::Int(id), PgParam::Text(b.path), PgParam::Int(b.start_timestamp),
                    PgParam::Int(b.end_timestamp)},
                   "insert batch")
                .status());
        JEJAK_ASSIGN_OR_RETURN(
            PgRows keys,
            c.Exec(
                "UPDATE exposures SET batch_id = $1 WHERE seq IN (SELECT seq FROM exposures "
                "WHERE batch_id IS NULL AND available_at <= $2 ORDER BY seq LIMIT $3 FOR UPDATE)",
                {PgParam::Int(id), PgParam::Int(now), PgParam::Int(static_cast<int64_t>(max_keys))},
                "claim keys"));
        const int64_t room = static_cast<int64_t>(max_keys) - keys.affected();
        JEJAK_ASSIGN_OR_RETURN(
            PgRows revised,
            c.Exec("UPDATE exposures SET revised_batch_id = $1 WHERE seq IN (SELECT seq FROM "
                   "exposures "
                   "WHERE revised_report_type IS NOT NULL AND revised_batch_id IS NULL AND "
                   "batch_id IS NOT NULL AND batch_id != $1 AND revised_available_at <= $2 "
                   "ORDER BY seq LIMIT $3 FOR UPDATE)",
                   {PgParam::Int(id), PgParam::Int(now), PgParam::Int(std::max<int64_t>(room, 0))},
                   "claim revisions"));
        if (keys.affected() + revised.affected() == 0) {
            // Nothing to publish: undo the batch row (the transaction is still open).
            JEJAK_RETURN_IF_ERROR(
                c.Exec("DELETE FROM batches WHERE id = $1", {PgParam::Int(id)}, "drop empty batch")
                    .status());
            return std::optional<ExportBatch>();
        }
        JEJAK_RETURN_IF_ERROR(LoadEntries(c, b));
        return std::optional<ExportBatch>(std::move(b));
    }

    Status LoadEntries(PgConnection& c, ExportBatch& b) {
        JEJAK_ASSIGN_OR_RETURN(
            PgRows r,
            c.Exec(std::string("SELECT ") + kExposureColumns +
                       ", batch_id IS NOT DISTINCT FROM $1 "
                       "FROM exposures WHERE batch_id = $1 OR revised_batch_id = $1 ORDER BY seq",
                   {PgParam::Int(b.id)}, "load batch"));
        for (int i = 0; i < r.rows(); ++i) {
            JEJAK_ASSIGN_OR_RETURN(StoredExposure e, ReadExposure(r, i));
            JEJAK_ASSIGN_OR_RETURN(bool in_keys, r.Bool(i, 12));
            ExportEntry entry;
            entry.revised = !in_keys;
            if (entry.revised) {
                e.report_type = e.revised_report_type.value_or(e.report_type);
                JEJAK_ASSIGN_OR_RETURN(e.days_since_onset, r.OptionalInt(i, 11));
            }
            entry.exposure = std::move(e);
            b.entries.push_back(std::move(entry));
        }
        return Status::Ok();
    }

    PgPool pool_;
};

}  // namespace

Result<std::unique_ptr<AuthorityStore>> OpenPostgresAuthorityStore(const std::string& uri,
                                                                   size_t pool_size) {
    auto store = std::make_unique<PostgresAuthorityStore>(uri, pool_size);
    JEJAK_RETURN_IF_ERROR(store->Migrate());
    return std::unique_ptr<AuthorityStore>(std::move(store));
}

Status DropPostgresAuthoritySchema(const std::string& uri) {
    JEJAK_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(uri));
    return conn
        ->Exec(
            "DROP TABLE IF EXISTS codes, tokens, exposures, batches, staff_sessions, staff_users, "
            "issued_codes, audit_log, daily_counts, "
            "jejak_schema_migrations CASCADE",
            "drop schema")
        .status();
}

}  // namespace jejak::authority
