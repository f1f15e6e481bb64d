// SqliteStore: opening, writing, write-behind flushing and retention.
#include "storage/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "platform/base/atomic_file.h"
#include "storage/sqlite_schema.h"

namespace jejak {
namespace {

constexpr int64_t kMicros = 1000000;
constexpr const char* kLastFlushState = "store.last_flush_unix_s";
// Tables whose rows belong to a UTC day and expire with it.
constexpr const char* kDayTables[] = {"teks", "sightings", "exposure_checks", "exposure_ledger"};

bool FileExists(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0;
}

Status EnsureStateDir(const std::string& dir, bool create) {
    struct stat st {};
    if (stat(dir.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(dir + " is not a directory");
        return CheckOwnedPrivately(dir, "state directory", 022);
    }
    if (errno != ENOENT || !create) return Status::FromErrno(errno, "state directory " + dir);
    if (mkdir(dir.c_str(), 0700) != 0) return Status::FromErrno(errno, "cannot create " + dir);
    return Status::Ok();
}

}  // namespace

std::string SqliteStore::DatabasePath(const std::string& dir) { return dir + "/store.db"; }
std::string SqliteStore::KeyringPath(const std::string& dir) { return dir + "/store.keys"; }
std::string SqliteStore::DefaultMasterKeyPath(const std::string& dir) { return dir + "/master.key"; }

bool SqliteStore::Exists(const std::string& dir) {
    return FileExists(DatabasePath(dir)) || FileExists(KeyringPath(dir));
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const Clock& clock,
                                                       SqliteStoreOptions options) {
    JEJAK_RETURN_IF_ERROR(options.Check());
    JEJAK_RETURN_IF_ERROR(EnsureStateDir(options.state_dir, options.create_if_missing));
    if (options.master.key_file.empty()) {
        options.master.key_file = DefaultMasterKeyPath(options.state_dir);
    }
    const std::string db_path = DatabasePath(options.state_dir);
    const bool db_exists = FileExists(db_path);
    const UtcDay today = UtcDayOfUnixSeconds(clock.NowUnixMicros() / kMicros);
    JEJAK_ASSIGN_OR_RETURN(
        StoreKeys keys, StoreKeys::Open(KeyringPath(options.state_dir), options.master,
                                        options.create_if_missing, db_exists,
                                        OldestRetainedDay(today, options.retention_days)));
    if (!db_exists && options.create_if_missing) {
        // Created here so the database (and SQLite's -wal/-shm, which copy its mode) is 0600.
        const int fd = open(db_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) return Status::FromErrno(errno, "cannot create " + db_path);
        close(fd);
    }
    JEJAK_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(db_path, options.create_if_missing));
    std::unique_ptr<SqliteStore> store(
        new SqliteStore(clock, std::move(options), std::move(keys), std::move(db)));
    JEJAK_RETURN_IF_ERROR(store->Init().WithContext("cannot open store"));
    return store;
}

SqliteStore::SqliteStore(const Clock& clock, SqliteStoreOptions options, StoreKeys keys,
                         SqliteDb db)
    : clock_(clock), options_(std::move(options)), keys_(std::move(keys)), db_(std::move(db)) {}

SqliteStore::~SqliteStore() {
    if (!closed_) (void)Close();
}

Status SqliteStore::Init() {
    JEJAK_RETURN_IF_ERROR(ConfigureDatabase(db_, options_.durable_commits));
    JEJAK_RETURN_IF_ERROR(MigrateSchema(db_));
    // No generation yet: read-only sessions (status, verify) never consume one; the first
    // write starts it (ReserveSeqs).
    JEJAK_ASSIGN_OR_RETURN(store_id_, ReadStoreId(db_));
    for (TableId t : {TableId::kTeks, TableId::kSightings, TableId::kExposureChecks,
                      TableId::kDeviceState, TableId::kExposureLedger}) {
        JEJAK_ASSIGN_OR_RETURN(insert_[static_cast<size_t>(t)],
                               db_.Prepare("INSERT INTO " + std::string(TableName(t)) +
                                           "(id, payload) VALUES(?, ?)"));
    }
    JEJAK_ASSIGN_OR_RETURN(delete_state_, db_.Prepare("DELETE FROM device_state WHERE id=?"));
    if (keys_.needs_repair()) JEJAK_RETURN_IF_ERROR(keys_.Repair());
    std::lock_guard lock(mu_);
    ReadReport ignored;  // corrupt state rows are skipped here and reported by Verify
    JEJAK_RETURN_IF_ERROR(LoadStateLocked(&ignored));
    if (auto it = state_.find(kLastFlushState); it != state_.end()) {
        last_flush_unix_s_ = std::strtoll(it->second.value.c_str(), nullptr, 10);
    }
    last_flush_mono_ = clock_.MonotonicMicros();
    return ExpireLocked();
}

UtcDay SqliteStore::Today() const { return UtcDayOfUnixSeconds(clock_.NowUnixMicros() / kMicros); }

Status SqliteStore::CheckOpen() const {
    return closed_ ? Status::FailedPrecondition("store is closed") : Status::Ok();
}

Status SqliteStore::NewGeneration() {
    JEJAK_ASSIGN_OR_RETURN(DbIdentity identity, BumpGeneration(db_));
    store_id_ = identity.store_id;
    sealers_.clear();
    next_seq_ = identity.generation << kRowCounterBits;
    seq_limit_ = next_seq_ + (int64_t{1} << kRowCounterBits);
    return Status::Ok();
}

Status SqliteStore::ReserveSeqs(size_t n) {
    if (next_seq_ + static_cast<int64_t>(n) < seq_limit_) return Status::Ok();
    return NewGeneration();  // the counter is exhausted: continue in a fresh generation
}

Status SqliteStore::InTransaction(const std::function<Status()>& body) {
    JEJAK_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE", "begin transaction"));
    Status s = body();
    if (s.ok()) s = db_.Exec("COMMIT", "commit");
    if (!s.ok()) (void)db_.Exec("ROLLBACK", "rollback");
    return s;
}

Result<const AeadPrefixSealer*> SqliteStore::Sealer(TableId table, UtcDay day) {
    auto it = sealers_.find({table, day});
    if (it != sealers_.end()) return &it->second;
    const GuardedKey* key = &keys_.state_key();
    if (table != TableId::kDeviceState) {
        JEJAK_ASSIGN_OR_RETURN(key, keys_.DayKey(day));
    }
    const AeadNonce nonce = RowNonce({table, day, 0}, store_id_);
    JEJAK_ASSIGN_OR_RETURN(
        AeadPrefixSealer sealer,
        AeadPrefixSealer::Make(*key, std::span(nonce).first<kAeadNoncePrefixSize>()));
    return &sealers_.emplace(std::make_pair(table, day), std::move(sealer)).first->second;
}

Status SqliteStore::InsertSealed(TableId table, UtcDay day, std::span<const uint8_t> plain,
                                 int64_t* id) {
    if (day > kMaxRowDay) return Status::InvalidArgument("dates after 2149 are not supported");
    JEJAK_ASSIGN_OR_RETURN(const AeadPrefixSealer* sealer, Sealer(table, day));
    const RowAddress row{table, day, RowKey(day, next_seq_++)};
    const AeadNonce nonce = RowNonce(row, store_id_);
    seal_buffer_.resize(plain.size() + kAeadTagSize);
    sealer->Seal(std::span(nonce).last<kAeadNonceSize - kAeadNoncePrefixSize>(), RowAd(row), plain,
                 seal_buffer_);
    SqliteStmt& stmt = insert_[static_cast<size_t>(table)];
    stmt.BindInt(1, row.row_id);
    stmt.BindBlob(2, seal_buffer_);
    if (id != nullptr) *id = row.row_id;
    return stmt.Run("insert row");
}

Status SqliteStore::AddSightings(std::span<const Sighting> sightings) {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    for (const Sighting& s : sightings) JEJAK_RETURN_IF_ERROR(CheckSighting(s));
    pending_.insert(pending_.end(), sightings.begin(), sightings.end());
    if (pending_.size() > options_.max_pending_sightings) {
        const size_t excess = pending_.size() - options_.max_pending_sightings;
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(excess));
        dropped_buffer_full_ += excess;
    }
    return HousekeepLocked();
}

Status SqliteStore::Flush() {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    JEJAK_RETURN_IF_ERROR(HousekeepLocked());
    return FlushLocked();
}

Status SqliteStore::HousekeepLocked() {
    const int64_t now = clock_.MonotonicMicros();
    if (now - last_retention_mono_ >= kRetentionCheckSeconds * kMicros ||
        OldestRetainedDay(Today(), options_.retention_days) > keys_.oldest_day()) {
        JEJAK_RETURN_IF_ERROR(ExpireLocked());
    }
    if (now - last_flush_mono_ >= options_.flush_interval_s * kMicros) return FlushLocked();
    return Status::Ok();
}

Status SqliteStore::FlushLocked() {
    if (pending_.empty()) {
        last_flush_mono_ = clock_.MonotonicMicros();
        return Status::Ok();
    }
    JEJAK_RETURN_IF_ERROR(ReserveSeqs(pending_.size() + 1));
    const UtcDay today = Today();
    const int64_t now_s = clock_.NowUnixMicros() / kMicros;
    uint64_t dropped = 0;
    uint64_t capped = 0;
    std::map<UtcDay, int64_t> added;
    const auto state_before = state_;  // which row holds each name, should the commit fail
    Status s = InTransaction([&]() -> Status {
        std::array<uint8_t, kSightingPlainSize> plain;
        for (const Sighting& sighting : pending_) {
            if (!DayWritable(sighting.Day(), keys_.oldest_day(), today) ||
                sighting.Day() > kMaxRowDay) {
                ++dropped;
                continue;
            }
            JEJAK_ASSIGN_OR_RETURN(int64_t* held, DaySightings(sighting.Day()));
            if (*held + added[sighting.Day()] >= options_.max_sightings_per_day) {
                ++capped;
                continue;
            }
            ++added[sighting.Day()];
            EncodeSighting(sighting, plain);
            JEJAK_RETURN_IF_ERROR(InsertSealed(TableId::kSightings, sighting.Day(), plain, nullptr));
        }
        SecureZero(plain.data(), plain.size());
        return PutStateLocked({kLastFlushState, std::to_string(now_s)});
    });
    if (!s.ok()) {
        // The buffer is kept for the next try, which waits a flush interval (a full disk is
        // not retried at every write).
        state_ = state_before;
        last_flush_mono_ = clock_.MonotonicMicros();
        return s.WithContext("flush sightings");
    }
    pending_.clear();
    dropped_out_of_window_ += dropped;
    dropped_day_cap_ += capped;
    for (const auto& [day, n] : added) day_sightings_[day] += n;
    last_flush_mono_ = clock_.MonotonicMicros();
    last_flush_unix_s_ = now_s;
    return Status::Ok();
}

Result<int64_t*> SqliteStore::DaySightings(UtcDay day) {
    auto it = day_sightings_.find(day);
    if (it == day_sightings_.end()) {
        JEJAK_ASSIGN_OR_RETURN(int64_t n,
                               db_.QueryInt("SELECT count(*) FROM sightings WHERE id >= " +
                                            std::to_string(FirstKeyOfDay(day)) + " AND id < " +
                                            std::to_string(FirstKeyOfDay(day + 1))));
        it = day_sightings_.emplace(day, n).first;
    }
    return &it->second;
}

Status SqliteStore::ExpireLocked() {
    last_retention_mono_ = clock_.MonotonicMicros();
    // Keys first: once the keyring has moved on, expired rows are unreadable even if the
    // deletion below never happens.
    const UtcDay before = keys_.oldest_day();
    JEJAK_RETURN_IF_ERROR(keys_.AdvanceTo(OldestRetainedDay(Today(), options_.retention_days)));
    if (keys_.oldest_day() != before) {
        sealers_.clear();
        day_sightings_.erase(day_sightings_.begin(), day_sightings_.lower_bound(keys_.oldest_day()));
    }
    // Keys below the oldest day's first key: expired days, and damaged negative keys.
    const std::string below = " WHERE id < " + std::to_string(FirstKeyOfDay(keys_.oldest_day()));
    int64_t stale = 0;
    for (const char* t : kDayTables) {
        JEJAK_ASSIGN_OR_RETURN(int64_t n, db_.QueryInt("SELECT count(*) FROM " + std::string(t) + below));
        stale += n;
    }
    if (stale == 0) return Status::Ok();
    Status deleted = InTransaction([&]() -> Status {
        for (const char* t : kDayTables) {
            JEJAK_RETURN_IF_ERROR(db_.Exec("DELETE FROM " + std::string(t) + below, "expire old days"));
        }
        return Status::Ok();
    });
    JEJAK_RETURN_IF_ERROR(deleted);
    return db_.Exec("PRAGMA incremental_vacuum; PRAGMA wal_checkpoint(TRUNCATE);",
                    "reclaim expired pages");
}

Status SqliteStore::PutTek(const StoredTek& tek) {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    JEJAK_RETURN_IF_ERROR(CheckTek(tek));
    // The clock may have stepped far ahead since the last housekeeping: ratchet first, or
    // the new day would lie beyond the keyring's plausibility window.
    if (OldestRetainedDay(Today(), options_.retention_days) > keys_.oldest_day()) {
        JEJAK_RETURN_IF_ERROR(ExpireLocked());
    }
    if (!DayWritable(tek.Day(), keys_.oldest_day(), Today())) {
        ++dropped_out_of_window_;
        return Status::Ok();
    }
    JEJAK_RETURN_IF_ERROR(ReserveSeqs(1));
    std::array<uint8_t, kTekPlainSize> plain;
    EncodeTek(tek, plain);
    Status s = InTransaction([&] { return InsertSealed(TableId::kTeks, tek.Day(), plain, nullptr); });
    SecureZero(plain.data(), plain.size());
    return s;
}

Result<int64_t> SqliteStore::AddExposureCheck(const ExposureCheckResult& result) {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    if (OldestRetainedDay(Today(), options_.retention_days) > keys_.oldest_day()) {
        JEJAK_RETURN_IF_ERROR(ExpireLocked());
    }
    if (!DayWritable(result.Day(), keys_.oldest_day(), Today())) {
        ++dropped_out_of_window_;
        return int64_t{0};
    }
    JEJAK_RETURN_IF_ERROR(ReserveSeqs(1));
    std::vector<uint8_t> plain = EncodeExposureCheck(result);
    int64_t id = 0;
    Status s = InTransaction(
        [&] { return InsertSealed(TableId::kExposureChecks, result.Day(), plain, &id); });
    SecureZero(plain.data(), plain.size());
    if (!s.ok()) return s;
    return id;
}

Status SqliteStore::PutStateLocked(const DeviceState& state) {
    JEJAK_ASSIGN_OR_RETURN(std::vector<uint8_t> plain, EncodeState(state));
    int64_t id = 0;
    Status s = InsertSealed(TableId::kDeviceState, 0, plain, &id);
    SecureZero(plain.data(), plain.size());
    JEJAK_RETURN_IF_ERROR(s);
    auto it = state_.find(state.name);
    if (it != state_.end()) {
        delete_state_.BindInt(1, it->second.row_id);
        JEJAK_RETURN_IF_ERROR(delete_state_.Run("replace device state"));
    }
    state_[state.name] = {id, state.value};
    return Status::Ok();
}

Status SqliteStore::PutState(const DeviceState& state) {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    JEJAK_RETURN_IF_ERROR(ReserveSeqs(1));
    const auto state_before = state_;
    Status s = InTransaction([&] { return PutStateLocked(state); });
    if (!s.ok()) state_ = state_before;  // the rows as they were: nothing was committed
    return s;
}

Result<std::string> SqliteStore::GetState(const std::string& name) {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    auto it = state_.find(name);
    if (it == state_.end()) return Status::NotFound("no device state named " + name);
    return it->second.value;
}

Status SqliteStore::EnforceRetention() {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    return ExpireLocked();
}

Status SqliteStore::Close() {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    Status s = pending_.empty() ? Status::Ok() : FlushLocked();
    closed_ = true;
    sealers_.clear();
    for (auto& stmt : insert_) stmt = SqliteStmt();
    delete_state_ = SqliteStmt();
    Status c = db_.Close();
    return s.ok() ? c : s;
}

Status SqliteStore::Wipe(const SqliteStoreOptions& options, bool remove_master_key) {
    // Keys first: once they are gone the remaining files are noise.
    Status s = Keyring::Shred(KeyringPath(options.state_dir));
    if (!s.ok() && !s.IsNotFound()) return s;
    if (remove_master_key) {
        const std::string key_file = options.master.key_file.empty()
                                         ? DefaultMasterKeyPath(options.state_dir)
                                         : options.master.key_file;
        s = Keyring::Shred(key_file);
        if (!s.ok() && !s.IsNotFound()) return s;
    }
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        const std::string path = DatabasePath(options.state_dir) + suffix;
        if (unlink(path.c_str()) != 0 && errno != ENOENT) {
            return Status::FromErrno(errno, "cannot remove " + path);
        }
    }
    return Status::Ok();
}

}  // namespace jejak
