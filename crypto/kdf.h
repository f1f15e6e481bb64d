// Key derivation from a parent key or from a passphrase (libsodium):
//   DeriveSubkey: crypto_kdf, BLAKE2b keyed with the parent under a subkey id and an 8-byte
//     context, so a subkey reveals nothing about its parent or its siblings;
//   DeriveKeyFromPassphrase: Argon2id (crypto_pwhash) with bounded, checked limits.
// HKDF-SHA256, which GAEN specifies, is hkdf.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/guarded.h"
#include "platform/base/status.h"

namespace jejak {

// The context of DeriveSubkey: exactly 8 bytes (e.g. "JJRATCHT").
inline constexpr size_t kSubkeyContextSize = 8;

// Subkey `id` of `parent` in `context` (8 bytes; InvalidArgument otherwise).
Result<GuardedKey> DeriveSubkey(const GuardedKey& parent, uint64_t id, std::string_view context);

inline constexpr size_t kPwhashSaltSize = 16;

struct PwhashParams {
    uint64_t opslimit = 0;
    uint64_t memlimit_bytes = 0;

    // libsodium's "interactive" Argon2id limits (2 passes, 64 MiB): about a second on a
    // Raspberry Pi 4.
    static PwhashParams Interactive();
    // InvalidArgument outside 1..64 passes or 8 KiB..4 GiB (values may come from files).
    Status Check() const;
};

// Argon2id(passphrase, salt) as a 32-byte key. InvalidArgument for an empty passphrase or
// bad params; Internal if the memory limit cannot be allocated.
Result<GuardedKey> DeriveKeyFromPassphrase(std::string_view passphrase,
                                           std::span<const uint8_t, kPwhashSaltSize> salt,
                                           const PwhashParams& params);

}  // namespace jejak
