// Authenticated encryption for data at rest: XChaCha20-Poly1305 (IETF), libsodium.
//
// Sealed form = ciphertext || 16-byte tag. The 24-byte nonce must never repeat under one
// key; callers choose the scheme (the store uses a structured counter nonce, see
// THREAT_MODEL.md). Opening fails, without revealing anything, if a single bit of the
// ciphertext, tag, nonce or associated data differs from what was sealed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "crypto/guarded.h"
#include "platform/base/status.h"

namespace jejak {

inline constexpr size_t kAeadNonceSize = 24;
inline constexpr size_t kAeadTagSize = 16;
using AeadNonce = std::array<uint8_t, kAeadNonceSize>;

// Precondition: out.size() == plaintext.size() + kAeadTagSize and key.valid().
void AeadSeal(const GuardedKey& key, const AeadNonce& nonce, std::span<const uint8_t> ad,
              std::span<const uint8_t> plaintext, std::span<uint8_t> out);

// Corruption if sealed is shorter than a tag, out has the wrong size
// (sealed.size() - kAeadTagSize), or authentication fails; `out` is zeroed on failure.
Status AeadOpen(const GuardedKey& key, const AeadNonce& nonce, std::span<const uint8_t> ad,
                std::span<const uint8_t> sealed, std::span<uint8_t> out);

inline constexpr size_t kAeadNoncePrefixSize = 16;  // the part HChaCha20 consumes

// XChaCha20-Poly1305 for many messages whose nonces share their first 16 bytes. XChaCha's
// subkey derivation (HChaCha20 over key and those 16 bytes) runs once, in Make, instead of
// once per message; Seal(suffix) then gives exactly AeadSeal(key, prefix || suffix, ...),
// so AeadOpen opens it. The subkey lives in guarded memory.
class AeadPrefixSealer {
public:
    static Result<AeadPrefixSealer> Make(const GuardedKey& key,
                                         std::span<const uint8_t, kAeadNoncePrefixSize> prefix);
    // Precondition: out.size() == plaintext.size() + kAeadTagSize.
    void Seal(std::span<const uint8_t, kAeadNonceSize - kAeadNoncePrefixSize> suffix,
              std::span<const uint8_t> ad, std::span<const uint8_t> plaintext,
              std::span<uint8_t> out) const;

private:
    explicit AeadPrefixSealer(GuardedKey subkey) : subkey_(std::move(subkey)) {}
    GuardedKey subkey_;
};

}  // namespace jejak
