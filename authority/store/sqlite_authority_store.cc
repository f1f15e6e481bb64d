// SQLite AuthorityStore. Optional integers use a sentinel at the SQL boundary (NULLIF on
// bind, IFNULL on read) because the shared statement wrapper binds only values.
#include "authority/store/sqlite_authority_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <iterator>
#include <mutex>

#include "storage/sqlite_db.h"

namespace jejak::authority {
namespace {

constexpr int64_t kNone = -2147483648LL;  // stands for SQL NULL in optional integer columns
// Migration N (1-based) takes PRAGMA user_version from N-1 to N; never edit a released one,
// append a new one.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE codes(hash BLOB PRIMARY KEY, test_type TEXT NOT NULL, symptom_date TEXT NOT NULL,
    test_date TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER) WITHOUT ROWID;
CREATE TABLE tokens(hash BLOB PRIMARY KEY, test_type TEXT NOT NULL, symptom_date TEXT NOT NULL,
    test_date TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER) WITHOUT ROWID;
CREATE TABLE exposures(key BLOB PRIMARY KEY, rolling_start INTEGER NOT NULL,
    rolling_period INTEGER NOT NULL, transmission_risk INTEGER NOT NULL,
    report_type INTEGER NOT NULL, days_since_onset INTEGER, created_at INTEGER NOT NULL,
    available_at INTEGER NOT NULL, revision BLOB NOT NULL, batch_id INTEGER,
    revised_report_type INTEGER, revised_days_since_onset INTEGER,
    revised_available_at INTEGER, revised_batch_id INTEGER);
CREATE INDEX exposures_unexported ON exposures(batch_id, available_at);
CREATE INDEX exposures_unexported_revisions ON exposures(revised_batch_id, revised_available_at);
CREATE TABLE batches(id INTEGER PRIMARY KEY, path TEXT NOT NULL, start_ts INTEGER NOT NULL,
    end_ts INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0);
)sql",
    // 2: the staff console (console_store.h).
    R"sql(
CREATE TABLE staff_users(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, role TEXT NOT NULL,
    password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE TABLE staff_sessions(hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL
    REFERENCES staff_users(id), created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE TABLE issued_codes(id INTEGER PRIMARY KEY, code_hash BLOB NOT NULL, issuer TEXT NOT NULL,
    test_type TEXT NOT NULL, test_date TEXT NOT NULL, symptom_date TEXT NOT NULL,
    issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE INDEX issued_codes_issuer ON issued_codes(issuer, id);
CREATE TABLE audit_log(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,
    action TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE daily_counts(day INTEGER NOT NULL, name TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY(day, name)) WITHOUT ROWID;
)sql",
};
constexpr int64_t kSchemaVersion = std::size(kMigrations);

constexpr char kExposureColumns[] =
    "key, rolling_start, rolling_period, transmission_risk, report_type, "
    "IFNULL(days_since_onset, -2147483648), created_at, available_at, revision, "
    "batch_id IS NOT NULL, IFNULL(revised_report_type, -2147483648), "
    "IFNULL(revised_days_since_onset, -2147483648)";

std::optional<int32_t> Optional(int64_t v) {
    return v == kNone ? std::nullopt : std::optional<int32_t>(static_cast<int32_t>(v));
}
int64_t OrNone(const std::optional<int32_t>& v) { return v ? *v : kNone; }

Result<StoredExposure> ReadExposure(const SqliteStmt& s) {
    StoredExposure e;
    const auto key = s.ColumnBlob(0);
    const auto revision = s.ColumnBlob(8);
    if (key.size() != Tek::kSize || revision.size() != e.revision.size()) {
        return Status::Corruption("authority database: malformed exposure row");
    }
    std::copy(key.begin(), key.end(), e.key.data());
    std::copy(revision.begin(), revision.end(), e.revision.begin());
    e.rolling_start = static_cast<uint32_t>(s.ColumnInt(1));
    e.rolling_period = static_cast<uint32_t>(s.ColumnInt(2));
    e.transmission_risk = static_cast<int32_t>(s.ColumnInt(3));
    e.report_type = static_cast<int32_t>(s.ColumnInt(4));
    e.days_since_onset = Optional(s.ColumnInt(5));
    e.created_at = s.ColumnInt(6);
    e.available_at = s.ColumnInt(7);
    e.exported = s.ColumnInt(9) != 0;
    e.revised_report_type = Optional(s.ColumnInt(10));
    return e;
}

class FileLease final : public ExportLease {
public:
    explicit FileLease(int fd) : fd_(fd) {}
    ~FileLease() override { ::close(fd_); }  // closing releases the flock

private:
    int fd_;
};

class SqliteAuthorityStore final : public AuthorityStore {
public:
    SqliteAuthorityStore(SqliteDb db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}

    Status Migrate() {
        JEJAK_RETURN_IF_ERROR(db_.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                       "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;",
                                       "configure authority database"));
        JEJAK_ASSIGN_OR_RETURN(int64_t version, db_.QueryInt("PRAGMA user_version"));
        if (version > kSchemaVersion) {
            return Status::Corruption(path_ + ": schema version " + std::to_string(version) +
                                      " is newer than this Jejak understands");
        }
        for (int64_t next = version + 1; next <= kSchemaVersion; ++next) {
            // BEGIN IMMEDIATE: a second process opening the file at the same moment waits,
            // then sees the new user_version and skips the step.
            JEJAK_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE", "begin migration"));
            Result<int64_t> now_at = db_.QueryInt("PRAGMA user_version");
            Status s = now_at.ok() ? Status::Ok() : now_at.status();
            if (s.ok() && *now_at < next) {
                s = db_.Exec(std::string(kMigrations[next - 1]) + "PRAGMA user_version=" +
                                 std::to_string(next) + ";",
                             "migrate schema");
            }
            if (!s.ok()) {
                (void)db_.Exec("ROLLBACK", "rollback migration");
                return s;
            }
            JEJAK_RETURN_IF_ERROR(db_.Exec("COMMIT", "commit migration"));
        }
        return Status::Ok();
    }

    Status InsertCode(const SecretHash& code, const CodeClaims& claims, int64_t expires_at) override {
        return InsertSecret("codes", code, claims, expires_at);
    }
    Result<Redeemed> RedeemCode(const SecretHash& code, int64_t now) override {
        return RedeemSecret("codes", code, now);
    }
    Status InsertToken(const SecretHash& token, const CodeClaims& claims, int64_t expires_at) override {
        return InsertSecret("tokens", token, claims, expires_at);
    }
    Result<Redeemed> RedeemToken(const SecretHash& token, int64_t now) override {
        return RedeemSecret("tokens", token, now);
    }

    Result<size_t> Publish(std::span<const Tek> keys, const PublishPlanner& plan) override {
        std::lock_guard lock(mu_);
        JEJAK_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE", "begin publish"));
        Result<size_t> written = PublishLocked(keys, plan);
        const Status end = db_.Exec(written.ok() ? "COMMIT" : "ROLLBACK", "end publish");
        if (!written.ok()) return written;
        if (!end.ok()) return end;
        return written;
    }

    Result<std::unique_ptr<ExportLease>> LockExports() override {
        const std::string lock_path = path_ + ".export-lock";
        const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) return Status::FromErrno(errno, lock_path);
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int e = errno;
            ::close(fd);
            if (e == EWOULDBLOCK) return Status::Unavailable("another export worker is running");
            return Status::FromErrno(e, lock_path);
        }
        return std::unique_ptr<ExportLease>(std::make_unique<FileLease>(fd));
    }

    Result<std::vector<ExportBatch>> PendingBatches() override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "SELECT id, path, start_ts, end_ts FROM batches WHERE done = 0 ORDER BY id"));
        std::vector<ExportBatch> out;
        for (;;) {
            JEJAK_ASSIGN_OR_RETURN(bool row, s.Step("list pending batches"));
            if (!row) break;
            ExportBatch b;
            b.id = s.ColumnInt(0);
            b.path = s.ColumnText(1);
            b.start_timestamp = s.ColumnInt(2);
            b.end_timestamp = s.ColumnInt(3);
            out.push_back(std::move(b));
        }
        for (ExportBatch& b : out) JEJAK_RETURN_IF_ERROR(LoadEntries(b));
        return out;
    }

    Result<std::optional<ExportBatch>> ClaimBatch(
        int64_t now, size_t max_keys,
        const std::function<std::string(int64_t, int64_t, int64_t)>& name) override {
        std::lock_guard lock(mu_);
        JEJAK_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE", "begin claim"));
        Result<std::optional<ExportBatch>> out = ClaimLocked(now, max_keys, name);
        const Status end = db_.Exec(out.ok() ? "COMMIT" : "ROLLBACK", "end claim");
        if (!out.ok()) return out;
        if (!end.ok()) return end;
        return out;
    }

    Status CompleteBatch(int64_t id) override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare("UPDATE batches SET done = 1 WHERE id = ?"));
        s.BindInt(1, id);
        return s.Run("complete batch");
    }

    Result<std::vector<std::string>> CompletedBatchPaths() override {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s,
                               db_.Prepare("SELECT path FROM batches WHERE done = 1 ORDER BY id"));
        std::vector<std::string> out;
        for (;;) {
            JEJAK_ASSIGN_OR_RETURN(bool row, s.Step("list batches"));
            if (!row) break;
            out.push_back(s.ColumnText(0));
        }
        return out;
    }

    Result<int64_t> CountExposures() override {
        std::lock_guard lock(mu_);
        return db_.QueryInt("SELECT COUNT(*) FROM exposures");
    }

private:
    Status InsertSecret(const char* table, const SecretHash& hash, const CodeClaims& c,
                        int64_t expires_at) {
        std::lock_guard lock(mu_);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            std::string("INSERT OR IGNORE INTO ") + table +
            "(hash, test_type, symptom_date, test_date, expires_at) VALUES (?, ?, ?, ?, ?)"));
        s.BindBlob(1, hash);
        s.BindText(2, c.test_type);
        s.BindText(3, c.symptom_date);
        s.BindText(4, c.test_date);
        s.BindInt(5, expires_at);
        JEJAK_RETURN_IF_ERROR(s.Run(std::string("insert into ") + table));
        if (sqlite_changes() == 0) return Status::FailedPrecondition("secret hash collision");
        return Status::Ok();
    }

    int64_t sqlite_changes() {
        auto r = db_.QueryInt("SELECT changes()");
        return r.ok() ? *r : 0;
    }

    Result<Redeemed> RedeemSecret(const char* table, const SecretHash& hash, int64_t now) {
        std::lock_guard lock(mu_);
        Redeemed out;
        {
            JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
                std::string("UPDATE ") + table +
                " SET used_at = ?1 WHERE hash = ?2 AND used_at IS NULL AND expires_at > ?1"
                " RETURNING test_type, symptom_date, test_date"));
            s.BindInt(1, now);
            s.BindBlob(2, hash);
            JEJAK_ASSIGN_OR_RETURN(bool row, s.Step(std::string("redeem from ") + table));
            if (row) {
                out.outcome = Redeem::kOk;
                out.claims = {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2)};
                // The redemption commits when the statement finishes: step it to the end, or
                // a commit that failed (a full or failing disk) would go unnoticed and the
                // secret stay redeemable, a second token or certificate from one code.
                JEJAK_RETURN_IF_ERROR(s.Step(std::string("redeem from ") + table).status());
                return out;
            }
        }
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt q, db_.Prepare(
            std::string("SELECT used_at IS NOT NULL FROM ") + table + " WHERE hash = ?"));
        q.BindBlob(1, hash);
        JEJAK_ASSIGN_OR_RETURN(bool row, q.Step(std::string("look up in ") + table));
        out.outcome = !row ? Redeem::kUnknown : q.ColumnInt(0) != 0 ? Redeem::kUsed : Redeem::kExpired;
        return out;
    }

    Result<std::vector<StoredExposure>> FindLocked(std::span<const Tek> keys) {
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            std::string("SELECT ") + kExposureColumns + " FROM exposures WHERE key = ?"));
        std::vector<StoredExposure> out;
        for (const Tek& k : keys) {
            s.BindBlob(1, k.bytes());
            JEJAK_ASSIGN_OR_RETURN(bool row, s.Step("find exposure"));
            if (row) {
                JEJAK_ASSIGN_OR_RETURN(StoredExposure e, ReadExposure(s));
                out.push_back(std::move(e));
            }
            s.Reset();
        }
        return out;
    }

    Result<size_t> PublishLocked(std::span<const Tek> keys, const PublishPlanner& planner) {
        JEJAK_ASSIGN_OR_RETURN(std::vector<StoredExposure> existing, FindLocked(keys));
        JEJAK_ASSIGN_OR_RETURN(PublishPlan plan, planner(existing));
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt ins, db_.Prepare(
            "INSERT INTO exposures(key, rolling_start, rolling_period, transmission_risk, "
            "report_type, days_since_onset, created_at, available_at, revision) "
            "VALUES (?, ?, ?, ?, ?, NULLIF(?, -2147483648), ?, ?, ?)"));
        for (const StoredExposure& e : plan.inserts) {
            ins.BindBlob(1, e.key.bytes());
            ins.BindInt(2, e.rolling_start);
            ins.BindInt(3, e.rolling_period);
            ins.BindInt(4, e.transmission_risk);
            ins.BindInt(5, e.report_type);
            ins.BindInt(6, OrNone(e.days_since_onset));
            ins.BindInt(7, e.created_at);
            ins.BindInt(8, e.available_at);
            ins.BindBlob(9, plan.new_revision);
            JEJAK_RETURN_IF_ERROR(ins.Run("insert exposure"));
        }
        if (plan.revisions.empty()) return plan.inserts.size();
        // An unexported key is corrected in place; an exported one gets a revised entry.
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt rev, db_.Prepare(
            "UPDATE exposures SET revision = ?1, "
            "report_type = CASE WHEN batch_id IS NULL THEN ?2 ELSE report_type END, "
            "days_since_onset = CASE WHEN batch_id IS NULL THEN NULLIF(?3, -2147483648) "
            "    ELSE days_since_onset END, "
            "revised_report_type = CASE WHEN batch_id IS NULL THEN NULL ELSE ?2 END, "
            "revised_days_since_onset = CASE WHEN batch_id IS NULL THEN NULL "
            "    ELSE NULLIF(?3, -2147483648) END, "
            "revised_available_at = CASE WHEN batch_id IS NULL THEN NULL ELSE ?4 END "
            "WHERE key = ?5"));
        for (const Revision& r : plan.revisions) {
            rev.BindBlob(1, plan.new_revision);
            rev.BindInt(2, r.report_type);
            rev.BindInt(3, OrNone(r.days_since_onset));
            rev.BindInt(4, r.available_at);
            rev.BindBlob(5, r.key.bytes());
            JEJAK_RETURN_IF_ERROR(rev.Run("revise exposure"));
        }
        return plan.inserts.size() + plan.revisions.size();
    }

    Result<std::optional<ExportBatch>> ClaimLocked(
        int64_t now, size_t max_keys,
        const std::function<std::string(int64_t, int64_t, int64_t)>& name) {
        JEJAK_ASSIGN_OR_RETURN(int64_t ready, CountReady(now));
        if (ready == 0) return std::optional<ExportBatch>();
        JEJAK_ASSIGN_OR_RETURN(int64_t last_end, db_.QueryInt("SELECT IFNULL(MAX(end_ts), 0) FROM batches"));
        JEJAK_ASSIGN_OR_RETURN(int64_t id, db_.QueryInt("SELECT IFNULL(MAX(id), 0) + 1 FROM batches"));
        ExportBatch b;
        b.id = id;
        b.start_timestamp = last_end > 0 ? last_end : now - 86400;
        b.end_timestamp = std::max(now, b.start_timestamp + 1);
        b.path = name(b.start_timestamp, b.end_timestamp, id);
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt ins, db_.Prepare(
            "INSERT INTO batches(id, path, start_ts, end_ts) VALUES (?, ?, ?, ?)"));
        ins.BindInt(1, id);
        ins.BindText(2, b.path);
        ins.BindInt(3, b.start_timestamp);
        ins.BindInt(4, b.end_timestamp);
        JEJAK_RETURN_IF_ERROR(ins.Run("insert batch"));
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt claim, db_.Prepare(
            "UPDATE exposures SET batch_id = ?1 WHERE rowid IN (SELECT rowid FROM exposures "
            "WHERE batch_id IS NULL AND available_at <= ?2 ORDER BY rowid LIMIT ?3)"));
        claim.BindInt(1, id);
        claim.BindInt(2, now);
        claim.BindInt(3, static_cast<int64_t>(max_keys));
        JEJAK_RETURN_IF_ERROR(claim.Run("claim keys"));
        const int64_t claimed = sqlite_changes();
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt claim_rev, db_.Prepare(
            "UPDATE exposures SET revised_batch_id = ?1 WHERE rowid IN (SELECT rowid FROM "
            "exposures WHERE revised_report_type IS NOT NULL AND revised_batch_id IS NULL AND "
            "batch_id IS NOT NULL AND batch_id != ?1 AND revised_available_at <= ?2 "
            "ORDER BY rowid LIMIT ?3)"));
        claim_rev.BindInt(1, id);
        claim_rev.BindInt(2, now);
        claim_rev.BindInt(3, static_cast<int64_t>(max_keys) - claimed);
        JEJAK_RETURN_IF_ERROR(claim_rev.Run("claim revisions"));
        JEJAK_RETURN_IF_ERROR(LoadEntries(b));
        return std::optional<ExportBatch>(std::move(b));
    }

    Result<int64_t> CountReady(int64_t now) {
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            "SELECT (SELECT COUNT(*) FROM exposures WHERE batch_id IS NULL AND available_at <= ?1)"
            " + (SELECT COUNT(*) FROM exposures WHERE revised_report_type IS NOT NULL AND "
            "revised_batch_id IS NULL AND batch_id IS NOT NULL AND revised_available_at <= ?1)"));
        s.BindInt(1, now);
        JEJAK_ASSIGN_OR_RETURN(bool row, s.Step("count ready keys"));
        return row ? s.ColumnInt(0) : 0;
    }

    Status LoadEntries(ExportBatch& b) {
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt s, db_.Prepare(
            std::string("SELECT ") + kExposureColumns + ", batch_id = ?1 FROM exposures "
            "WHERE batch_id = ?1 OR revised_batch_id = ?1 ORDER BY rowid"));
        s.BindInt(1, b.id);
        for (;;) {
            JEJAK_ASSIGN_OR_RETURN(bool row, s.Step("load batch"));
            if (!row) break;
            JEJAK_ASSIGN_OR_RETURN(StoredExposure e, ReadExposure(s));
            ExportEntry entry;
            entry.revised = s.ColumnInt(12) == 0;
            if (entry.revised) {
                e.report_type = e.revised_report_type.value_or(e.report_type);
                e.days_since_onset = Optional(s.ColumnInt(11));
            }
            entry.exposure = std::move(e);
            b.entries.push_back(std::move(entry));
        }
        return Status::Ok();
    }

    std::mutex mu_;
    SqliteDb db_;
    std::string path_;
};

}  // namespace

Result<std::unique_ptr<AuthorityStore>> OpenSqliteAuthorityStore(const std::string& path,
                                                                 bool create) {
    if (create) {
        // Created here, 0600 whatever the umask: SQLite would create it 0644, and its -wal and
        // -shm files copy the database's mode. An existing file is left as it is.
        const int fd =
            ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) {
            ::close(fd);
        } else if (errno != EEXIST) {
            return Status::FromErrno(errno, "cannot create " + path);
        }
    }
    JEJAK_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path, create));
    auto store = std::make_unique<SqliteAuthorityStore>(std::move(db), path);
    JEJAK_RETURN_IF_ERROR(store->Migrate());
    return std::unique_ptr<AuthorityStore>(std::move(store));
}

}  // namespace jejak::authority
