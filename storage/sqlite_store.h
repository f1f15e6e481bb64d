// SqliteStore: the encrypted encounter store on disk (system libsqlite3 + crypto/).
//
// Files in the state directory:
//   store.db (+ -wal, -shm)  rows: (day, row id, sealed payload); nothing else in clear
//   store.keys               the keyring: the sealed chain key of the oldest retained day
//   master.key               the 32-byte master key, unless configured elsewhere or a
//                            passphrase is used
// Each UTC day's rows are sealed under that day's data key from a one-way ratchet; when a
// day leaves the window, the keyring is advanced first (so nothing the store holds can
// derive that day's key any more), then its rows are deleted with secure_delete and their
// pages reclaimed by incremental vacuum. See row_codec.h for the payload format and
// THREAT_MODEL.md for what this does and does not protect against.
//
// Row ids: every row's key is RowKey(day, sequence) with the sequence from one counter,
// generation << 27 | n, where the generation is bumped and committed durably before the
// first write of every session (and when n runs out), before any row uses it. Sequences are never reused, even for rows
// of a transaction lost to a crash, so the counter nonce (row_codec.h) never repeats under
// a key.
//
// Durability: WAL mode with synchronous=FULL: never corrupts on power loss, and every
// completed Flush survives it (one fsync per flush, so at most the flush interval is lost).
#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "platform/base/clock.h"
#include "storage/row_codec.h"
#include "storage/sqlite_db.h"
#include "storage/store.h"
#include "storage/keys/store_keys.h"

namespace jejak {

struct SqliteStoreOptions : StoreOptions {
    std::string state_dir = "/var/lib/jejak";
    // Empty key_file means <state_dir>/master.key. The passphrase is zeroed by Open.
    MasterKeySource master;
    bool create_if_missing = true;
    // true: synchronous=FULL, every completed Flush survives power loss (one fsync per
    // flush). false: synchronous=NORMAL, fsyncs only at WAL checkpoints; never corrupts
    // but a power cut may roll back the commits since the last checkpoint.
    bool durable_commits = true;
    // Radio flooding (hundreds of advertisers changing RPI constantly) must not grow the
    // store or memory without bound. Sightings per UTC day: once a day holds this many
    // rows, further sightings of that day are dropped (oldest-first: the rows already
    // stored are kept) and counted in StoreStats::dropped_day_cap. A venue with 500
    // devices scanned once a minute writes about 720,000 a day.
    int64_t max_sightings_per_day = 1000000;
    // Sightings buffered between flushes. While flushes fail (full disk) the buffer keeps
    // at most this many: the oldest are dropped first and counted (dropped_buffer_full).
    size_t max_pending_sightings = 100000;
};

class SqliteStore final : public Store {
public:
    static std::string DatabasePath(const std::string& state_dir);
    static std::string KeyringPath(const std::string& state_dir);
    static std::string DefaultMasterKeyPath(const std::string& state_dir);
    // True when `state_dir` holds a store's database or keyring (what Wipe destroys).
    static bool Exists(const std::string& state_dir);

    // Opens (or creates) the store. On any error nothing on disk has changed; a wrong
    // master key or damaged keyring is PermissionDenied("cannot open store: wrong key or
    // damaged header"). Expires old days before returning. The clock must outlive the store.
    static Result<std::unique_ptr<SqliteStore>> Open(const Clock& clock, SqliteStoreOptions options);

    // Destroys the store: shreds the keyring and the master key file first (overwrite with
    // random bytes, sync, unlink), then removes the database files. The master key file is
    // only removed when `remove_master_key`.
    static Status Wipe(const SqliteStoreOptions& options, bool remove_master_key);

    ~SqliteStore() override;

    Status AddSightings(std::span<const Sighting> sightings) override;
    Status Flush() override;
    Result<ReadReport> ForEachSighting(DayRange days, const SightingFn& fn) override;
    Status PutTek(const StoredTek& tek) override;
    Result<ReadReport> ForEachTek(DayRange days, const TekFn& fn) override;
    Result<int64_t> AddExposureCheck(const ExposureCheckResult& result) override;
    Result<ReadReport> ForEachExposureCheck(DayRange days, const ExposureCheckFn& fn) override;
    Status AddLedgerRecords(std::span<const LedgerRecord> records) override;
    Result<ReadReport> ForEachLedgerRecord(DayRange days, const LedgerFn& fn) override;
    Status PutState(const DeviceState& state) override;
    Result<std::string> GetState(const std::string& name) override;
    Status EnforceRetention() override;
    Result<ReadReport> Verify() override;
    Result<StoreStats> Stats() override;
    Status Close() override;

private:
    using RowFn = std::function<Status(const RowAddress&, std::span<const uint8_t> plain)>;
    struct StateRow {
        int64_t row_id;
        std::string value;
    };

    SqliteStore(const Clock& clock, SqliteStoreOptions options, StoreKeys keys, SqliteDb db);
    Status Init();
    UtcDay Today() const;
    Status CheckOpen() const;
    Status NewGeneration();
    // Makes sure `n` more sequences are available, starting a new generation if not.
    Status ReserveSeqs(size_t n);
    Status HousekeepLocked();
    Status FlushLocked();
    Status ExpireLocked();
    Result<const AeadPrefixSealer*> Sealer(TableId table, UtcDay day);
    Status InsertSealed(TableId table, UtcDay day, std::span<const uint8_t> plain, int64_t* id);
    Status PutStateLocked(const DeviceState& state);
    Status LoadStateLocked(ReadReport* report);
    Status InTransaction(const std::function<Status()>& body);
    Result<ReadReport> ReadRows(TableId table, DayRange days, const RowFn& fn);

    const Clock& clock_;
    const SqliteStoreOptions options_;
    std::mutex mu_;
    bool closed_ = false;
    StoreKeys keys_;
    SqliteDb db_;  // declared before the statements so it closes after them
    std::array<SqliteStmt, 6> insert_;  // indexed by TableId
    SqliteStmt delete_state_;
    StoreId store_id_{};
    int64_t next_seq_ = 0;
    int64_t seq_limit_ = 0;
    std::vector<Sighting> pending_;
    std::map<std::string, StateRow> state_;
    std::vector<uint8_t> seal_buffer_;
    // Per (table, day): XChaCha subkeys for the shared nonce prefix. Emptied on expiry.
    std::map<std::pair<TableId, UtcDay>, AeadPrefixSealer> sealers_;
    int64_t last_flush_mono_ = 0;
    int64_t last_flush_unix_s_ = 0;
    int64_t last_retention_mono_ = 0;
    uint64_t dropped_out_of_window_ = 0;
    uint64_t dropped_day_cap_ = 0;
    uint64_t dropped_buffer_full_ = 0;
    std::map<UtcDay, int64_t> day_sightings_;  // rows stored per day (loaded on first use)
    Result<int64_t*> DaySightings(UtcDay day);
};

}  // namespace jejak
