// The device master key: the root of everything the store seals.
//
// Two sources: a 32-byte random key file (created mode 0600 on first run, refused when
// group or others may read or write it), or a passphrase stretched with Argon2id
// (crypto_pwhash) for field kits that must not keep a key on the card. Errors never
// include key or passphrase bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "crypto/guarded.h"
#include "crypto/kdf.h"
#include "platform/base/status.h"

namespace jejak {

// NotFound if missing; PermissionDenied if not a regular file or if any group/other
// permission bit is set; Corruption if it is not exactly 32 bytes.
Result<GuardedKey> ReadMasterKeyFile(const std::string& path);

// Writes a fresh random key to a new file (O_EXCL, mode 0600, fsync'd, directory fsync'd).
// FailedPrecondition if the file already exists.
Result<GuardedKey> CreateMasterKeyFile(const std::string& path);

// Argon2id(passphrase, salt). InvalidArgument for an empty passphrase or bad params;
// Internal if the memory limit cannot be allocated.
Result<GuardedKey> DeriveMasterKeyFromPassphrase(std::string_view passphrase,
                                                 std::span<const uint8_t, kPwhashSaltSize> salt,
                                                 const PwhashParams& params);

}  // namespace jejak
