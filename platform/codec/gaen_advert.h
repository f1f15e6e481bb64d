// The Exposure Notification (GAEN v1.2) advertising payload: building and recognising it.
//
// Legacy layout, 31 bytes (EN Bluetooth Spec v1.2, PROTOCOL.md 2.1):
//   02 01 1A | 03 03 6F FD | 17 16 6F FD RPI[16] AEM[4]
// Android omits the Flags structure (28 bytes). The scanner keys only on the Service Data
// structure for UUID 0xFD6F and, like Apple's reference scanner, accepts it only when it
// carries exactly 16 + 4 = 20 bytes; Google's scanner takes >= 16 bytes but then drops
// sightings whose metadata is not 4 bytes, so the accepted set is the same. Flags and the
// UUID list are optional on receipt. RPI and AEM are public broadcast values, not secrets.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "platform/codec/ad.h"

namespace jejak {

inline constexpr uint16_t kGaenServiceUuid = 0xFD6F;
inline constexpr uint8_t kGaenFlags = 0x1A;  // what phones send (bit 1 general discoverable)
inline constexpr size_t kGaenServiceDataLength = 20;

struct GaenPayload {
    std::array<uint8_t, 16> rpi{};
    std::array<uint8_t, 4> aem{};
    friend bool operator==(const GaenPayload&, const GaenPayload&) = default;
};

// 31 bytes with Flags (0x1A), 28 without: Flags, UUID list {0xFD6F}, Service Data.
std::vector<uint8_t> BuildGaenAdvert(const GaenPayload& payload, bool with_flags = true);

// The payload of the first 0xFD6F Service Data structure with exactly 20 data bytes;
// nullopt if there is none or the AD as a whole is malformed (a structure running past the
// end: the report cannot be trusted).
std::optional<GaenPayload> ParseGaenAdvert(std::span<const uint8_t> ad);

}  // namespace jejak
