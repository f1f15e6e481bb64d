// SqliteStore: streaming reads, verification and statistics. A row that does not open or
// decode is reported with its table, day and id and skipped; only a failure of SQLite
// itself stops a read.
#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "storage/sqlite_store.h"

namespace jejak {
namespace {

RowProblem Problem(const RowAddress& row, const Status& status) {
    return {std::string(TableName(row.table)), row.day, row.row_id, status.message()};
}

uint64_t FileSize(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

Result<ReadReport> SqliteStore::ReadRows(TableId table, DayRange days, const RowFn& fn) {
    const bool dayless = table == TableId::kDeviceState;
    ReadReport report;
    if (days.first > days.last || days.first > kMaxRowDay) return report;
    // The full range has no WHERE, so rows with damaged (e.g. negative) keys are reported too.
    const bool all = dayless || (days.first == 0 && days.last == UINT32_MAX);
    const std::string sql = "SELECT id, payload FROM " + std::string(TableName(table)) +
                            (all ? "" : " WHERE id BETWEEN ? AND ?") + " ORDER BY id";
    JEJAK_ASSIGN_OR_RETURN(SqliteStmt stmt, db_.Prepare(sql));
    if (!all) {
        stmt.BindInt(1, FirstKeyOfDay(days.first));
        stmt.BindInt(2, days.last >= kMaxRowDay ? INT64_MAX : FirstKeyOfDay(days.last + 1) - 1);
    }
    std::vector<uint8_t> plain;
    for (;;) {
        JEJAK_ASSIGN_OR_RETURN(bool has_row, stmt.Step("read " + std::string(TableName(table))));
        if (!has_row) break;
        const int64_t id = stmt.ColumnInt(0);
        const int64_t day = DayOfRowKey(id);
        const RowAddress row{table, static_cast<UtcDay>(std::max<int64_t>(day, 0)), id};
        const auto sealed = stmt.ColumnBlob(1);
        Status s;
        const GuardedKey* key = &keys_.state_key();
        if (day < 0 || (dayless && day != 0)) {
            s = Status::Corruption("malformed row id");
        } else if (!dayless) {
            auto day_key = keys_.DayKey(row.day);
            if (day_key.ok()) key = *day_key;
            s = day_key.status();
        }
        if (s.ok() && (!stmt.ColumnIsBlob(1) || sealed.size() < kAeadTagSize)) {
            s = Status::Corruption("malformed payload (not a sealed blob)");
        }
        if (s.ok()) {
            plain.resize(sealed.size() - kAeadTagSize);
            s = AeadOpen(*key, RowNonce(row, store_id_), RowAd(row), sealed, plain);
        }
        if (s.ok()) s = fn(row, plain);
        SecureZero(plain.data(), plain.size());
        if (s.ok()) {
            ++report.rows_ok;
        } else {
            report.problems.push_back(Problem(row, s));
        }
    }
    return report;
}

Result<ReadReport> SqliteStore::ForEachSighting(DayRange days, const SightingFn& fn) {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    return ReadRows(TableId::kSightings, days, [&](const RowAddress&, std::span<const uint8_t> p) {
        JEJAK_ASSIGN_OR_RETURN(Sighting s, DecodeSighting(p));
        fn(s);
        return Status::Ok();
    });
}

Result<ReadReport> SqliteStore::ForEachTek(DayRange days, const TekFn& fn) {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    return ReadRows(TableId::kTeks, days, [&](const RowAddress&, std::span<const uint8_t> p) {
        JEJAK_ASSIGN_OR_RETURN(StoredTek tek, DecodeTek(p));
        fn(tek);
        return Status::Ok();
    });
}

Result<ReadReport> SqliteStore::ForEachExposureCheck(DayRange days, const ExposureCheckFn& fn) {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    return ReadRows(TableId::kExposureChecks, days,
                    [&](const RowAddress& row, std::span<const uint8_t> p) {
                        JEJAK_ASSIGN_OR_RETURN(ExposureCheckResult r, DecodeExposureCheck(p));
                        fn(row.row_id, r);
                        return Status::Ok();
                    });
}

Status SqliteStore::LoadStateLocked(ReadReport* report) {
    state_.clear();
    JEJAK_ASSIGN_OR_RETURN(
        *report, ReadRows(TableId::kDeviceState, DayRange::All(),
                          [&](const RowAddress& row, std::span<const uint8_t> p) {
                              JEJAK_ASSIGN_OR_RETURN(DeviceState st, DecodeState(p));
                              // Rows come in id order: a later row of a name replaces it.
                              state_[st.name] = {row.row_id, std::move(st.value)};
                              return Status::Ok();
                          }));
    return Status::Ok();
}

Result<ReadReport> SqliteStore::Verify() {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    ReadReport total;
    auto merge = [&total](const ReadReport& r) {
        total.rows_ok += r.rows_ok;
        total.problems.insert(total.problems.end(), r.problems.begin(), r.problems.end());
    };
    JEJAK_ASSIGN_OR_RETURN(SqliteStmt check, db_.Prepare("PRAGMA integrity_check"));
    for (;;) {
        JEJAK_ASSIGN_OR_RETURN(bool row, check.Step("integrity check"));
        if (!row) break;
        if (check.ColumnText(0) != "ok") total.problems.push_back({"database", 0, 0, check.ColumnText(0)});
    }
    JEJAK_ASSIGN_OR_RETURN(ReadReport teks, ReadRows(TableId::kTeks, DayRange::All(), [](auto&, auto p) {
                               return DecodeTek(p).status();
                           }));
    merge(teks);
    JEJAK_ASSIGN_OR_RETURN(ReadReport sightings, ReadRows(TableId::kSightings, DayRange::All(),
                                                          [](auto&, auto p) {
                                                              return DecodeSighting(p).status();
                                                          }));
    merge(sightings);
    JEJAK_ASSIGN_OR_RETURN(ReadReport checks, ReadRows(TableId::kExposureChecks, DayRange::All(),
                                                       [](auto&, auto p) {
                                                           return DecodeExposureCheck(p).status();
                                                       }));
    merge(checks);
    JEJAK_ASSIGN_OR_RETURN(
        ReadReport ledger,
        ReadRows(TableId::kExposureLedger, DayRange::All(), [](const RowAddress& row, auto p) {
            return DecodeLedgerRecord(p, row.day).status();
        }));
    merge(ledger);
    JEJAK_ASSIGN_OR_RETURN(ReadReport state, ReadRows(TableId::kDeviceState, DayRange::All(),
                                                      [](auto&, auto p) {
                                                          return DecodeState(p).status();
                                                      }));
    merge(state);
    return total;
}

Result<StoreStats> SqliteStore::Stats() {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    std::map<UtcDay, DayCount> days;
    // Sightings per day from the counts the day cap keeps (each day counted once, by a range
    // of row keys), not by scanning the table: the daemon publishes these figures every few
    // seconds, and a venue's 14 days hold millions of rows (a scan of all of them every 5 s
    // was the daemon's largest CPU cost in the soak). Keys outside the plausible range
    // (damage) fall back to the scan.
    JEJAK_ASSIGN_OR_RETURN(int64_t lo, db_.QueryInt("SELECT coalesce(min(id), 0) FROM sightings"));
    JEJAK_ASSIGN_OR_RETURN(int64_t hi, db_.QueryInt("SELECT coalesce(max(id), -1) FROM sightings"));
    const bool counted = lo >= 0 && hi < FirstKeyOfDay(kMaxRowDay + 1) &&
                         DayOfRowKey(hi) - DayOfRowKey(lo) <= 4 * kMaxRetentionDays;
    if (counted && hi >= 0) {
        for (int64_t d = DayOfRowKey(lo); d <= DayOfRowKey(hi); ++d) {
            JEJAK_ASSIGN_OR_RETURN(int64_t* held, DaySightings(static_cast<UtcDay>(d)));
            if (*held > 0) days[static_cast<UtcDay>(d)].sightings = static_cast<uint64_t>(*held);
        }
    }
    for (TableId t : {TableId::kTeks, TableId::kSightings, TableId::kExposureChecks,
                      TableId::kExposureLedger}) {
        if (t == TableId::kSightings && counted) continue;
        JEJAK_ASSIGN_OR_RETURN(SqliteStmt stmt,
                               db_.Prepare("SELECT id >> " + std::to_string(kRowSeqBits) +
                                           ", count(*) FROM " + std::string(TableName(t)) +
                                           " GROUP BY 1"));
        for (;;) {
            JEJAK_ASSIGN_OR_RETURN(bool row, stmt.Step("count rows"));
            if (!row) break;
            DayCount& c = days[static_cast<UtcDay>(std::clamp<int64_t>(stmt.ColumnInt(0), 0, UINT32_MAX))];
            const auto n = static_cast<uint64_t>(stmt.ColumnInt(1));
            switch (t) {
                case TableId::kTeks:
                    c.teks = n;
                    break;
                case TableId::kSightings:
                    c.sightings = n;
                    break;
                case TableId::kExposureChecks:
                    c.exposure_checks = n;
                    break;
                default:
                    c.ledger_records = n;
                    break;
            }
        }
    }
    StoreStats stats;
    for (auto& [day, count] : days) {
        count.day = day;
        stats.days.push_back(count);
    }
    const std::string db = DatabasePath(options_.state_dir);
    stats.bytes_on_disk = FileSize(db) + FileSize(db + "-wal") + FileSize(db + "-shm") +
                          FileSize(KeyringPath(options_.state_dir));
    stats.pending_sightings = pending_.size();
    stats.retention_days = options_.retention_days;
    stats.oldest_retained_day = keys_.oldest_day();
    stats.last_flush_unix_s = last_flush_unix_s_;
    stats.dropped_out_of_window = dropped_out_of_window_;
    stats.dropped_day_cap = dropped_day_cap_;
    stats.dropped_buffer_full = dropped_buffer_full_;
    return stats;
}

}  // namespace jejak
