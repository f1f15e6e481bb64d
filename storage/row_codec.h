// How a store row's payload is laid out and sealed. Pure functions, no I/O.
//
// Every payload is XChaCha20-Poly1305(plaintext) under the key of the row's UTC day (the
// state key for device_state), with
//   associated data = "JJv1" || table id || day (u32 LE) || row id (u64 LE)
//   nonce           = table id || day (u32 LE) || store id (8) || 0 0 0 || row id (u64 LE)
// so a payload opens only in the table, day and row it was sealed for. Row ids are never
// reused within a store (see sqlite_store.h), which makes the nonce unique per key.
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

enum class TableId : uint8_t { kTeks = 1, kSightings = 2, kExposureChecks = 3, kDeviceState = 4 };

std::string_view TableName(TableId table);

struct RowAddress {
    TableId table = TableId::kSightings;
    UtcDay day = 0;
    int64_t row_id = 0;
};

inline constexpr size_t kRowAdSize = 17;
using StoreId = std::array<uint8_t, 8>;

std::array<uint8_t, kRowAdSize> RowAd(const RowAddress& row);
AeadNonce RowNonce(const RowAddress& row, const StoreId& store_id);

inline constexpr size_t kSightingPlainSize = 47;
inline constexpr size_t kTekPlainSize = 25;

void EncodeSighting(const Sighting& s, std::span<uint8_t, kSightingPlainSize> out);
// Corruption for a wrong length or format byte.
Result<Sighting> DecodeSighting(std::span<const uint8_t> plain);

void EncodeTek(const StoredTek& tek, std::span<uint8_t, kTekPlainSize> out);
Result<StoredTek> DecodeTek(std::span<const uint8_t> plain);

std::vector<uint8_t> EncodeExposureCheck(const ExposureCheckResult& r);
Result<ExposureCheckResult> DecodeExposureCheck(std::span<const uint8_t> plain);

// InvalidArgument when the name is longer than 65535 bytes.
Result<std::vector<uint8_t>> EncodeState(const DeviceState& state);
Result<DeviceState> DecodeState(std::span<const uint8_t> plain);

}  // namespace jejak
