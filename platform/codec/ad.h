// Advertising Data (AD) structures (Core Supplement Part A §1): parser and builder.
//
// AD is a sequence of `len | type | data[len-1]` structures taken from radio reports, so the
// parser treats it as untrusted: a structure running past the end is Corruption; a zero
// length byte ends the significant part (the rest is padding, as legacy 31-byte buffers
// are). The builder refuses to exceed the chosen limit (31 legacy, 251 per extended HCI
// command). The GAEN (0xFD6F) payload on top of this lives in platform/gaen_advert.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "platform/base/status.h"

namespace jejak {

inline constexpr uint8_t kAdFlags = 0x01;
inline constexpr uint8_t kAdIncomplete16BitUuids = 0x02;
inline constexpr uint8_t kAdComplete16BitUuids = 0x03;
inline constexpr uint8_t kAdShortName = 0x08;
inline constexpr uint8_t kAdCompleteName = 0x09;
inline constexpr uint8_t kAdTxPower = 0x0A;
inline constexpr uint8_t kAdServiceData16 = 0x16;
inline constexpr uint8_t kAdManufacturerData = 0xFF;

inline constexpr size_t kLegacyAdMax = 31;
inline constexpr size_t kExtAdPerCommandMax = 251;

struct AdStructure {
    uint8_t type = 0;
    std::span<const uint8_t> data;  // after the type byte; points into the parsed buffer
};

// Calls `fn` for every structure in order; stops early (OK) when fn returns false. Nothing
// is emitted past a malformed structure, which returns Corruption.
using AdStructureFn = std::function<bool(const AdStructure& ad)>;
Status ForEachAdStructure(std::span<const uint8_t> ad, const AdStructureFn& fn);

// All structures, or Corruption.
Result<std::vector<AdStructure>> ParseAd(std::span<const uint8_t> ad);

class AdBuilder {
public:
    explicit AdBuilder(size_t max_size = kLegacyAdMax) : max_size_(max_size) {}

    // Appends `len | type | data`. InvalidArgument if data is longer than 254 bytes or the
    // result would exceed the limit (the builder is then unchanged).
    Status Add(uint8_t type, std::span<const uint8_t> data);
    Status AddFlags(uint8_t flags);
    Status AddComplete16BitUuids(std::span<const uint16_t> uuids);
    Status AddServiceData16(uint16_t uuid, std::span<const uint8_t> data);

    const std::vector<uint8_t>& bytes() const { return bytes_; }
    size_t size() const { return bytes_.size(); }

private:
    size_t max_size_;
    std::vector<uint8_t> bytes_;
};

}  // namespace jejak
