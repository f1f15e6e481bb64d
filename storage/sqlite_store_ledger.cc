// SqliteStore: the exposure ledger's records (store.h), sealed and expiring like the other
// day tables. Kept apart from sqlite_store.cc, which holds the tables every build had.
#include "storage/sqlite_store.h"

namespace jejak {

Status SqliteStore::AddLedgerRecords(std::span<const LedgerRecord> records) {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    if (OldestRetainedDay(Today(), options_.retention_days) > keys_.oldest_day()) {
        JEJAK_RETURN_IF_ERROR(ExpireLocked());
    }
    if (records.empty()) return Status::Ok();
    JEJAK_RETURN_IF_ERROR(ReserveSeqs(records.size()));
    const UtcDay today = Today();
    uint64_t dropped = 0;
    Status s = InTransaction([&]() -> Status {
        for (const LedgerRecord& record : records) {
            if (!DayWritable(record.day, keys_.oldest_day(), today)) {
                ++dropped;
                continue;
            }
            std::vector<uint8_t> plain = EncodeLedgerRecord(record);
            Status inserted = InsertSealed(TableId::kExposureLedger, record.day, plain, nullptr);
            SecureZero(plain.data(), plain.size());
            JEJAK_RETURN_IF_ERROR(inserted);
        }
        return Status::Ok();
    });
    if (s.ok()) dropped_out_of_window_ += dropped;
    return s.WithContext("add exposure ledger records");
}

Result<ReadReport> SqliteStore::ForEachLedgerRecord(DayRange days, const LedgerFn& fn) {
    std::lock_guard lock(mu_);
    JEJAK_RETURN_IF_ERROR(CheckOpen());
    return ReadRows(TableId::kExposureLedger, days,
                    [&](const RowAddress& row, std::span<const uint8_t> p) {
                        JEJAK_ASSIGN_OR_RETURN(LedgerRecord r, DecodeLedgerRecord(p, row.day));
                        fn(row.row_id, r);
                        return Status::Ok();
                    });
}

}  // namespace jejak
