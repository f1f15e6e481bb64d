// HKDF-SHA256 (RFC 5869). A null or empty salt means 32 zero bytes, as GAEN specifies.
// This is the general, readable implementation; the key schedule's hot path has its own
// precomputed form (rpi_batch.h) that is tested against this one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/hmac.h"
#include "platform/base/status.h"

namespace jejak {

// Writes out.size() bytes of OKM. InvalidArgument when out.size() > 255 * 32.
// Intermediate PRK and HMAC states are zeroed before returning.
Status HkdfSha256(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                  std::span<const uint8_t> info, std::span<uint8_t> out);

namespace internal {
// HkdfSha256 without the length check. Precondition: out.size() <= 255 * 32.
void HkdfSha256Unchecked(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                         std::span<const uint8_t> info, std::span<uint8_t> out);
}  // namespace internal

// The same for an output length fixed at compile time, which the constraint keeps valid:
// it cannot fail, so there is no Status to check (the key schedule's RPIK and AEMK).
template <size_t N>
    requires(N <= 255 * kSha256Size)
void HkdfSha256Fixed(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                     std::span<const uint8_t> info, std::span<uint8_t, N> out) {
    internal::HkdfSha256Unchecked(ikm, salt, info, out);
}

}  // namespace jejak
