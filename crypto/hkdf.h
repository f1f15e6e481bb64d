// HKDF-SHA256 (RFC 5869). A null or empty salt means 32 zero bytes, as GAEN specifies.
// This is the general, readable implementation; the key schedule's hot path has its own
// precomputed form (rpi_batch.h) that is tested against this one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "platform/base/status.h"

namespace jejak {

inline constexpr size_t kSha256Size = 32;

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

// HMAC-SHA256 of msg under key (any key length).
void HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> msg,
                std::span<uint8_t, kSha256Size> out);

// Staff passwords (the authority's console): Argon2id in libsodium's self-describing string
// form ("$argon2id$v=19$m=...,t=...,p=1$salt$hash", salt drawn inside), so the parameters
// travel with each hash. `opslimit`/`memlimit_bytes` default to libsodium's interactive
// limits (2 passes, 64 MiB), the device passphrase's floor. InvalidArgument for an empty
// password or limits outside Argon2id's range; Internal when the memory cannot be had.
Result<std::string> HashPassword(std::string_view password, uint64_t opslimit = 2,
                                 size_t memlimit_bytes = size_t{64} << 20);
// Constant-time check of `password` against a HashPassword string; false for a malformed
// or foreign hash (stored rows are untrusted input).
bool VerifyPassword(std::string_view stored_hash, std::string_view password);

}  // namespace jejak
