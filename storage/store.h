// Store: the seam through which everything Jejak keeps on the device is written and read.
//
// The device is the only place encounter data exists, so the real implementation
// (sqlite_store.h) seals every row with a per-UTC-day key and crypto-shreds a day when it
// leaves the retention window; the in-memory implementation (memory_store.h) keeps the same
// contract for tests and simulation. One conformance suite runs against both.
//
// Days: every row belongs to one UTC day (days since the Unix epoch). A sighting belongs to
// the day of its first_seen, a TEK to the day of its rolling start, an exposure-check result
// to the day it was made. Days older than `today - retention_days + 1` are expired: their
// rows are deleted and can never be read again. Writes for an expired day, or for a day more
// than one day after today, are dropped and counted (StoreStats::dropped_out_of_window),
// never an error: a clock step must not stop the radio. An exposure-ledger record belongs to
// the day of the exposure it holds.
//
// Threads: every method is thread-safe (one internal mutex). ForEach* callbacks run with
// that mutex held and must not call back into the store.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gaen/keys/interval.h"
#include "gaen/keys/key_schedule.h"
#include "crypto/secret.h"
#include "platform/base/civil_date.h"
#include "platform/base/status.h"

namespace jejak {

inline constexpr int kMinRetentionDays = 1;
inline constexpr int kMaxRetentionDays = 25;
inline constexpr int kDefaultRetentionDays = 14;
inline constexpr int64_t kDefaultFlushIntervalSeconds = 30;
// Retention is enforced at least this often (and whenever the UTC day changes).
inline constexpr int64_t kRetentionCheckSeconds = 3600;

// The oldest day still held when `today` is the current UTC day: today holds `retention`
// days including itself, so with 14 days, day 1 is gone on day 15.
inline constexpr UtcDay OldestRetainedDay(UtcDay today, int retention_days) {
    const auto keep = static_cast<UtcDay>(retention_days - 1);
    return today >= keep ? today - keep : 0;
}

// Settings shared by every implementation.
struct StoreOptions {
    int retention_days = kDefaultRetentionDays;     // kMinRetentionDays..kMaxRetentionDays
    int64_t flush_interval_s = kDefaultFlushIntervalSeconds;  // 0: flush on every add

    // InvalidArgument naming the field when out of range.
    Status Check() const;
};

// One of the device's own Temporary Exposure Keys.
struct StoredTek {
    Tek tek;
    EnIntervalNumber rolling_start = 0;
    uint32_t rolling_period = kTekRollingPeriod;

    UtcDay Day() const { return DayOfInterval(rolling_start); }
    friend bool operator==(const StoredTek&, const StoredTek&) = default;
};

// How the receiver was scanning when it heard a sighting. Scoring credits time differently
// for each (docs/scan-regimes.md):
//  - duty-cycled (a phone, a token): short scans minutes apart; each scan is credited
//    GAEN's secondsSinceLastScan from the end of the previous scan (PROTOCOL.md 6.2);
//  - continuous (a venue box): always listening; what was heard of a key in one bin of
//    `bin_seconds` is one scan instance credited bin_seconds, empty bins credit nothing.
// Rows written before the regime was recorded read back as kUnrecorded and are scored
// like duty-cycled ones, as they always were.
enum class ScanRegime : uint8_t { kUnrecorded = 0, kDutyCycled = 1, kContinuous = 2 };
inline constexpr uint16_t kDefaultBinSeconds = 60;
inline constexpr uint16_t kMaxBinSeconds = 3600;

// One RPI seen during one scan, aggregated over that scan's advertisements.
struct Sighting {
    Rpi rpi{};
    Aem aem{};
    int64_t first_seen_unix_s = 0;  // decides the row's UTC day
    int64_t last_seen_unix_s = 0;   // >= first_seen_unix_s
    uint32_t count = 1;             // advertisements aggregated (>= 1)
    // RSSI exactly as this device's radio reported it, dBm. The receiver's calibration
    // correction is applied once, at matching time (risk.calibration), so a corrected
    // table never needs the stored rows rewritten.
    int8_t min_rssi = 0;            // weakest reading
    int8_t max_rssi = 0;            // strongest reading: gives the minimum attenuation
    float mean_rssi = 0;            // mean over `count` readings
    // Seconds between the end of the previous scan and this sighting (GAEN
    // secondsSinceLastScan input); -1 when unknown.
    int32_t seconds_since_previous_scan = -1;
    ScanRegime scan_regime = ScanRegime::kUnrecorded;
    uint16_t bin_seconds = 0;  // continuous: 1..kMaxBinSeconds; otherwise 0

    UtcDay Day() const { return UtcDayOfUnixSeconds(first_seen_unix_s); }
    friend bool operator==(const Sighting&, const Sighting&) = default;
};

// The result of one exposure check (matching). The payload is opaque to the store
// (JSON is fine); it is sealed like every other row.
struct ExposureCheckResult {
    int64_t checked_at_unix_s = 0;  // decides the row's UTC day
    std::string payload;

    UtcDay Day() const { return UtcDayOfUnixSeconds(checked_at_unix_s); }
    friend bool operator==(const ExposureCheckResult&, const ExposureCheckResult&) = default;
};

// One record of the exposure ledger (agent/check/exposure_ledger.h): what checks found of
// one matched key on one UTC day, or the notification of a day. The payload is opaque to the
// store (JSON is fine); it is sealed under the key of `day` and expires with that day, like
// the sightings it was computed from.
struct LedgerRecord {
    UtcDay day = 0;
    std::string payload;

    UtcDay Day() const { return day; }
    friend bool operator==(const LedgerRecord&, const LedgerRecord&) = default;
};

// Small named values about the device (last TEK rotation, clock state, ...). Not tied to a
// day and never expired; sealed under a key derived from the master key.
struct DeviceState {
    std::string name;
    std::string value;
    friend bool operator==(const DeviceState&, const DeviceState&) = default;
};

// Early release (a same-day diagnosis upload): the released key is stored again with its
// rolling period cut to end where the upload ended it, and a new key of the same day starts
// after it. Rows are never rewritten, so the key's truth is its row with the shortest period.
// Collapses `rows` to one StoredTek per key (shortest period), ordered by rolling start.
std::vector<StoredTek> EffectiveTeks(std::span<const StoredTek> rows);
// The key valid during `interval` among the day's effective keys: the latest-starting key
// whose [rolling_start, rolling_start + rolling_period) holds it; nullopt when none does.
std::optional<StoredTek> TekValidAt(std::span<const StoredTek> effective,
                                    EnIntervalNumber interval);

// Inclusive range of UTC days.
struct DayRange {
    UtcDay first = 0;
    UtcDay last = UINT32_MAX;

    static DayRange One(UtcDay day) { return {day, day}; }
    static DayRange All() { return {}; }
    bool Contains(UtcDay day) const { return day >= first && day <= last; }
};

// A row that failed to decrypt or decode: reported, skipped, never fatal.
struct RowProblem {
    std::string table;  // "sightings", "teks", "exposure_checks", "exposure_ledger",
                        // "device_state"
    UtcDay day = 0;
    int64_t row_id = 0;
    std::string what;   // e.g. "authentication failed (tampered, truncated or swapped)"
};

// What a read saw: rows delivered to the callback and rows skipped as corrupt.
struct ReadReport {
    uint64_t rows_ok = 0;
    std::vector<RowProblem> problems;
    bool clean() const { return problems.empty(); }
};

struct DayCount {
    UtcDay day = 0;
    uint64_t sightings = 0;
    uint64_t teks = 0;
    uint64_t exposure_checks = 0;
    uint64_t ledger_records = 0;
};

struct StoreStats {
    std::vector<DayCount> days;      // days holding at least one row, ascending
    uint64_t pending_sightings = 0;  // buffered, not yet flushed
    uint64_t bytes_on_disk = 0;      // database + WAL + key files (0 for memory)
    int retention_days = kDefaultRetentionDays;
    UtcDay oldest_retained_day = 0;  // rows of earlier days are gone
    int64_t last_flush_unix_s = 0;   // 0: never flushed since open
    uint64_t dropped_out_of_window = 0;  // writes dropped since open: day outside the window
    uint64_t dropped_day_cap = 0;        // since open: the day already held its row cap
    uint64_t dropped_buffer_full = 0;    // since open: oldest buffered rows dropped while
                                         // flushes failed and the buffer was full
};

// InvalidArgument unless last_seen >= first_seen (at most a day apart), count >= 1,
// min_rssi <= max_rssi, and bin_seconds is 1..kMaxBinSeconds for a continuous regime and 0
// otherwise.
Status CheckSighting(const Sighting& sighting);
// InvalidArgument for a rolling period outside 1..144.
Status CheckTek(const StoredTek& tek);
// True when rows of `day` may be written while `today` is the current day.
inline constexpr bool DayWritable(UtcDay day, UtcDay oldest_retained, UtcDay today) {
    return day >= oldest_retained && day <= today + 1;
}

using SightingFn = std::function<void(const Sighting&)>;
using TekFn = std::function<void(const StoredTek&)>;
using ExposureCheckFn = std::function<void(int64_t row_id, const ExposureCheckResult&)>;
using LedgerFn = std::function<void(int64_t row_id, const LedgerRecord&)>;

class Store {
public:
    virtual ~Store() = default;

    // --- Sightings (write-behind) ---
    // InvalidArgument (nothing buffered) if any sighting is malformed (see CheckSighting).
    // Buffers sightings in memory; they reach storage at the next Flush, which happens by
    // itself once flush_interval has passed since the last one (checked on each call), and
    // on Close. Power loss loses at most the buffer. Errors: IOError if an automatic flush
    // fails (the buffer is kept and retried).
    virtual Status AddSightings(std::span<const Sighting> sightings) = 0;
    // Commits the buffer in one transaction. After OK, the sightings survive power loss
    // (modulo the synchronous trade-off documented in THREAT_MODEL.md).
    virtual Status Flush() = 0;
    // Streams the flushed sightings of `days`, ordered by day then insertion. Buffered
    // sightings are not included: call Flush first for a complete view. A corrupt row is
    // reported in the ReadReport and skipped; the Status is non-OK only if the store itself
    // cannot be read.
    virtual Result<ReadReport> ForEachSighting(DayRange days, const SightingFn& fn) = 0;

    // --- The device's own TEKs (written immediately) ---
    virtual Status PutTek(const StoredTek& tek) = 0;
    virtual Result<ReadReport> ForEachTek(DayRange days, const TekFn& fn) = 0;

    // --- Exposure-check results (written immediately) ---
    // Returns the row id (> 0, unique in this store, increasing; 0 when dropped).
    virtual Result<int64_t> AddExposureCheck(const ExposureCheckResult& result) = 0;
    virtual Result<ReadReport> ForEachExposureCheck(DayRange days, const ExposureCheckFn& fn) = 0;

    // --- The exposure ledger (written immediately) ---
    // Appends `records` in one transaction: all of them or, on error, none. A record of a day
    // outside the writable window is dropped and counted (dropped_out_of_window), like a
    // sighting. Row ids increase, so among records of one day the later id is the newer.
    virtual Status AddLedgerRecords(std::span<const LedgerRecord> records) = 0;
    // Streams the records of `days`, ordered by day then insertion (row id).
    virtual Result<ReadReport> ForEachLedgerRecord(DayRange days, const LedgerFn& fn) = 0;

    // --- Device state (written immediately; a Put replaces the value of that name) ---
    virtual Status PutState(const DeviceState& state) = 0;
    // NotFound when no value exists under that name.
    virtual Result<std::string> GetState(const std::string& name) = 0;

    // --- Housekeeping ---
    // Expires days that left the retention window (clock read now). Runs at open and by
    // itself at least hourly from AddSightings/Flush; a daemon may call it on a timer too.
    virtual Status EnforceRetention() = 0;
    // Decrypts every stored row; problems are reported, not fatal.
    virtual Result<ReadReport> Verify() = 0;
    virtual Result<StoreStats> Stats() = 0;
    // Flushes and releases the store; further calls return FailedPrecondition. Also done
    // (ignoring errors) by the destructor.
    virtual Status Close() = 0;
};

}  // namespace jejak
