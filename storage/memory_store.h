// MemoryStore: the Store contract kept in process memory, for tests and the simulator.
//
// Same day model, retention, write-behind buffering and replacement rules as the SQLite
// store, but nothing is encrypted and nothing survives the object. It never reports
// corruption (there is nothing to tamper with).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "platform/base/clock.h"
#include "storage/store.h"

namespace jejak {

class MemoryStore final : public Store {
public:
    // InvalidArgument for bad options. The clock must outlive the store.
    static Result<std::unique_ptr<MemoryStore>> Open(const Clock& clock, StoreOptions options);

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
    MemoryStore(const Clock& clock, StoreOptions options);
    UtcDay Today() const;
    void FlushLocked();
    void ExpireLocked();
    void HousekeepLocked();

    const Clock& clock_;
    const StoreOptions options_;
    std::mutex mu_;
    bool closed_ = false;
    std::vector<Sighting> pending_;
    std::map<UtcDay, std::vector<Sighting>> sightings_;
    std::map<UtcDay, std::vector<StoredTek>> teks_;
    std::map<UtcDay, std::vector<std::pair<int64_t, ExposureCheckResult>>> checks_;
    std::map<UtcDay, std::vector<std::pair<int64_t, LedgerRecord>>> ledger_;
    std::map<std::string, std::string> state_;
    int64_t next_check_id_ = 1;
    UtcDay oldest_retained_ = 0;
    int64_t last_flush_mono_ = 0;
    int64_t last_flush_unix_s_ = 0;
    int64_t last_retention_mono_ = 0;
    uint64_t dropped_out_of_window_ = 0;
};

}  // namespace jejak
