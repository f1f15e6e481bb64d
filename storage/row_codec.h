// How a store row's payload is laid out and sealed. Pure functions, no I/O.
//
// Every payload is XChaCha20-Poly1305(plaintext) under the key of the row's UTC day (the
// state key for device_state), with
//   associated data = "JJv1" || table id || day (u32 LE) || row id (u64 LE)
//   nonce           = table id || day (u32 LE) || store id (8) || 0 0 0 || row id (u64 LE)
// so a payload opens only in the table, day and row it was sealed for. Row ids are never
// reused within a store (see sqlite_store.h), which makes the nonce unique per key.
// The row id is the row's SQLite key, which also carries the day (RowKey below).
// Plaintexts start with a format byte (1) so later versions can change them.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/aead.h"
#include "storage/store.h"

namespace jejak {

enum class TableId : uint8_t {
    kTeks = 1,
    kSightings = 2,
    kExposureChecks = 3,
    kDeviceState = 4,
    kExposureLedger = 5,
};

std::string_view TableName(TableId table);

// A row's SQLite key: day (16 bits) << 47 | sequence (47 bits), so one day's rows are one
// contiguous key range and appends go to the end of the b-tree. The sequence is
// generation (20 bits) << 27 | counter (27 bits) and never repeats within a store (see
// sqlite_store.h). Day-less rows (device_state) use day 0.
inline constexpr int kRowSeqBits = 47;
inline constexpr int kRowCounterBits = 27;
inline constexpr UtcDay kMaxRowDay = 0xFFFF;  // 2149-06-06
inline constexpr int64_t kMaxGeneration = (int64_t{1} << (kRowSeqBits - kRowCounterBits)) - 1;
inline constexpr int64_t RowKey(UtcDay day, int64_t seq) {
    return static_cast<int64_t>(day) << kRowSeqBits | seq;
}
inline constexpr int64_t FirstKeyOfDay(UtcDay day) { return RowKey(day, 0); }
// Negative for keys no writer produces.
inline constexpr int64_t DayOfRowKey(int64_t key) { return key < 0 ? -1 : key >> kRowSeqBits; }

struct RowAddress {
    TableId table = TableId::kSightings;
    UtcDay day = 0;
    int64_t row_id = 0;  // the full key, day included
};

inline constexpr size_t kRowAdSize = 17;
using StoreId = std::array<uint8_t, 8>;

std::array<uint8_t, kRowAdSize> RowAd(const RowAddress& row);
AeadNonce RowNonce(const RowAddress& row, const StoreId& store_id);

// Sighting payloads: format 2 (scan regime + bin, 50 bytes) is written; format 1 (47 bytes,
// rows of schema version 1 stores) still reads, as ScanRegime::kUnrecorded.
inline constexpr size_t kSightingPlainSize = 50;
inline constexpr size_t kSightingPlainSizeV1 = 47;
inline constexpr size_t kTekPlainSize = 25;

void EncodeSighting(const Sighting& s, std::span<uint8_t, kSightingPlainSize> out);
// Corruption for a wrong length or format byte, or an impossible regime/bin.
Result<Sighting> DecodeSighting(std::span<const uint8_t> plain);

void EncodeTek(const StoredTek& tek, std::span<uint8_t, kTekPlainSize> out);
Result<StoredTek> DecodeTek(std::span<const uint8_t> plain);

std::vector<uint8_t> EncodeExposureCheck(const ExposureCheckResult& r);
Result<ExposureCheckResult> DecodeExposureCheck(std::span<const uint8_t> plain);

// Ledger payloads: format byte, day (u32 LE), the opaque payload. Corruption when the day in
// the payload is not `row_day` (a record moved between days).
std::vector<uint8_t> EncodeLedgerRecord(const LedgerRecord& record);
Result<LedgerRecord> DecodeLedgerRecord(std::span<const uint8_t> plain, UtcDay row_day);

// InvalidArgument when the name is longer than 65535 bytes.
Result<std::vector<uint8_t>> EncodeState(const DeviceState& state);
Result<DeviceState> DecodeState(std::span<const uint8_t> plain);

}  // namespace jejak
