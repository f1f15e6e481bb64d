// XChaCha20-Poly1305 through libsodium's combined-mode IETF AEAD.
#include "crypto/aead.h"

#include <sodium.h>

#include <cassert>

namespace jejak {

static_assert(kAeadNonceSize == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kAeadTagSize == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(GuardedKey::kSize == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

void AeadSeal(const GuardedKey& key, const AeadNonce& nonce, std::span<const uint8_t> ad,
              std::span<const uint8_t> plaintext, std::span<uint8_t> out) {
    assert(key.valid() && out.size() == plaintext.size() + kAeadTagSize);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &written, plaintext.data(),
                                               plaintext.size(), ad.data(), ad.size(), nullptr,
                                               nonce.data(), key.data());
}

Status AeadOpen(const GuardedKey& key, const AeadNonce& nonce, std::span<const uint8_t> ad,
                std::span<const uint8_t> sealed, std::span<uint8_t> out) {
    if (sealed.size() < kAeadTagSize || out.size() != sealed.size() - kAeadTagSize) {
        return Status::Corruption("sealed payload has the wrong length");
    }
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &written, nullptr, sealed.data(),
                                                   sealed.size(), ad.data(), ad.size(),
                                                   nonce.data(), key.data()) != 0) {
        sodium_memzero(out.data(), out.size());
        return Status::Corruption("authentication failed (tampered, truncated or swapped)");
    }
    return Status::Ok();
}

}  // namespace jejak
