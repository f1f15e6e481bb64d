// HMAC-SHA256 (RFC 2104) with a key of any length: the building block of HKDF (hkdf.h) and
// of the verification APIs' ekeyhmac (gaen/api/ekeyhmac.h). The state is zeroed afterwards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace jejak {

inline constexpr size_t kSha256Size = 32;

// HMAC-SHA256 of msg under key (any key length).
void HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> msg,
                std::span<uint8_t, kSha256Size> out);

}  // namespace jejak
