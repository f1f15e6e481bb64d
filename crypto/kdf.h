// Key derivation from a parent key or from a passphrase (libsodium):
//   DeriveSubkey: crypto_kdf, BLAKE2b keyed with the parent under a subkey id and an 8-byte
//     context, so a subkey reveals nothing about its parent or its siblings;
//   DeriveKeyFromPassphrase: Argon2id (crypto_pwhash) with bounded, checked limits.
// HKDF-SHA256, which GAEN specifies, is hkdf.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
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
