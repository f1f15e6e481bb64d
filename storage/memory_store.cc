// In-memory Store: the reference behaviour the SQLite store is checked against.
#include "storage/memory_store.h"

#include <algorithm>

namespace jejak {
namespace {

constexpr int64_t kMicros = 1000000;

template <typename Map>
void EraseBefore(Map& map, UtcDay day) {
    map.erase(map.begin(), map.lower_bound(day));
}

}  // namespace

Result<std::unique_ptr<MemoryStore>> MemoryStore::Open(const Clock& clock, StoreOptions options) {
    JEJAK_RETURN_IF_ERROR(options.Check());
    std::unique_ptr<MemoryStore> store(new MemoryStore(clock, options));
    std::lock_guard lock(store->mu_);
    store->ExpireLocked();
    return store;
}

MemoryStore::MemoryStore(const Clock& clock, StoreOptions options)
    : clock_(clock), options_(options) {
    last_flush_mono_ = clock_.MonotonicMicros();
    last_retention_mono_ = last_flush_mono_;
}

UtcDay MemoryStore::Today() const {
    return UtcDayOfUnixSeconds(clock_.NowUnixMicros() / kMicros);
}

void MemoryStore::ExpireLocked() {
    oldest_retained_ = std::max(oldest_retained_, OldestRetainedDay(Today(), options_.retention_days));
    EraseBefore(sightings_, oldest_retained_);
    EraseBefore(teks_, oldest_retained_);
    EraseBefore(checks_, oldest_retained_);
    EraseBefore(ledger_, oldest_retained_);
    last_retention_mono_ = clock_.MonotonicMicros();
}

void MemoryStore::HousekeepLocked() {
    const int64_t now = clock_.MonotonicMicros();
    if (now - last_retention_mono_ >= kRetentionCheckSeconds * kMicros ||
        OldestRetainedDay(Today(), options_.retention_days) > oldest_retained_) {
        ExpireLocked();
    }
    if (now - last_flush_mono_ >= options_.flush_interval_s * kMicros) FlushLocked();
}

void MemoryStore::FlushLocked() {
    for (const Sighting& s : pending_) {
        if (!DayWritable(s.Day(), oldest_retained_, Today())) {
            ++dropped_out_of_window_;
            continue;
        }
        sightings_[s.Day()].push_back(s);
    }
    pending_.clear();
    last_flush_mono_ = clock_.MonotonicMicros();
    last_flush_unix_s_ = clock_.NowUnixMicros() / kMicros;
}

Status MemoryStore::AddSightings(std::span<const Sighting> sightings) {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    for (const Sighting& s : sightings) JEJAK_RETURN_IF_ERROR(CheckSighting(s));
    pending_.insert(pending_.end(), sightings.begin(), sightings.end());
    HousekeepLocked();
    return Status::Ok();
}

Status MemoryStore::Flush() {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    HousekeepLocked();
    FlushLocked();
    return Status::Ok();
}

Result<ReadReport> MemoryStore::ForEachSighting(DayRange days, const SightingFn& fn) {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    ReadReport report;
    for (auto it = sightings_.lower_bound(days.first); it != sightings_.end(); ++it) {
        if (!days.Contains(it->first)) break;
        for (const Sighting& s : it->second) fn(s);
        report.rows_ok += it->second.size();
    }
    return report;
}

Status MemoryStore::PutTek(const StoredTek& tek) {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    JEJAK_RETURN_IF_ERROR(CheckTek(tek));
    if (!DayWritable(tek.Day(), oldest_retained_, Today())) {
        ++dropped_out_of_window_;
        return Status::Ok();
    }
    teks_[tek.Day()].push_back(tek);
    return Status::Ok();
}

Result<ReadReport> MemoryStore::ForEachTek(DayRange days, const TekFn& fn) {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    ReadReport report;
    for (auto it = teks_.lower_bound(days.first); it != teks_.end(); ++it) {
        if (!days.Contains(it->first)) break;
        for (const StoredTek& t : it->second) fn(t);
        report.rows_ok += it->second.size();
    }
    return report;
}

Result<int64_t> MemoryStore::AddExposureCheck(const ExposureCheckResult& result) {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    if (!DayWritable(result.Day(), oldest_retained_, Today())) {
        ++dropped_out_of_window_;
        return int64_t{0};
    }
    const int64_t id = next_check_id_++;
    checks_[result.Day()].emplace_back(id, result);
    return id;
}

Result<ReadReport> MemoryStore::ForEachExposureCheck(DayRange days, const ExposureCheckFn& fn) {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    ReadReport report;
    for (auto it = checks_.lower_bound(days.first); it != checks_.end(); ++it) {
        if (!days.Contains(it->first)) break;
        for (const auto& [id, r] : it->second) fn(id, r);
        report.rows_ok += it->second.size();
    }
    return report;
}

Status MemoryStore::AddLedgerRecords(std::span<const LedgerRecord> records) {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    if (OldestRetainedDay(Today(), options_.retention_days) > oldest_retained_) ExpireLocked();
    for (const LedgerRecord& record : records) {
        if (!DayWritable(record.day, oldest_retained_, Today())) {
            ++dropped_out_of_window_;
            continue;
        }
        ledger_[record.day].emplace_back(next_check_id_++, record);
    }
    return Status::Ok();
}

Result<ReadReport> MemoryStore::ForEachLedgerRecord(DayRange days, const LedgerFn& fn) {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    ReadReport report;
    for (auto it = ledger_.lower_bound(days.first); it != ledger_.end(); ++it) {
        if (!days.Contains(it->first)) break;
        for (const auto& [id, r] : it->second) fn(id, r);
        report.rows_ok += it->second.size();
    }
    return report;
}

Status MemoryStore::PutState(const DeviceState& state) {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    state_[state.name] = state.value;
    return Status::Ok();
}

Result<std::string> MemoryStore::GetState(const std::string& name) {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    auto it = state_.find(name);
    if (it == state_.end()) return Status::NotFound("no device state named " + name);
    return it->second;
}

Status MemoryStore::EnforceRetention() {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    ExpireLocked();
    return Status::Ok();
}

Result<ReadReport> MemoryStore::Verify() {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    ReadReport report;
    for (const auto& [day, rows] : sightings_) report.rows_ok += rows.size();
    for (const auto& [day, rows] : teks_) report.rows_ok += rows.size();
    for (const auto& [day, rows] : checks_) report.rows_ok += rows.size();
    for (const auto& [day, rows] : ledger_) report.rows_ok += rows.size();
    report.rows_ok += state_.size();
    return report;
}

Result<StoreStats> MemoryStore::Stats() {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    std::map<UtcDay, DayCount> days;
    for (const auto& [day, rows] : sightings_) days[day].sightings = rows.size();
    for (const auto& [day, rows] : teks_) days[day].teks = rows.size();
    for (const auto& [day, rows] : checks_) days[day].exposure_checks = rows.size();
    for (const auto& [day, rows] : ledger_) days[day].ledger_records = rows.size();
    StoreStats stats;
    for (auto& [day, count] : days) {
        count.day = day;
        stats.days.push_back(count);
    }
    stats.pending_sightings = pending_.size();
    stats.retention_days = options_.retention_days;
    stats.oldest_retained_day = oldest_retained_;
    stats.last_flush_unix_s = last_flush_unix_s_;
    stats.dropped_out_of_window = dropped_out_of_window_;
    return stats;
}

Status MemoryStore::Close() {
    std::lock_guard lock(mu_);
    if (closed_) return Status::FailedPrecondition("store is closed");
    FlushLocked();
    closed_ = true;
    return Status::Ok();
}

}  // namespace jejak
