// XChaCha20-Poly1305 through libsodium's combined-mode IETF AEAD.
#include "crypto/aead.h"

#include <sodium.h>

#include <cassert>
#include <cstring>

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

Result<AeadPrefixSealer> AeadPrefixSealer::Make(
    const GuardedKey& key, std::span<const uint8_t, kAeadNoncePrefixSize> prefix) {
    static_assert(kAeadNoncePrefixSize == crypto_core_hchacha20_INPUTBYTES);
    JEJAK_ASSIGN_OR_RETURN(GuardedKey subkey,
                           GuardedKey::Make([&](std::span<uint8_t, GuardedKey::kSize> out) {
                               crypto_core_hchacha20(out.data(), prefix.data(), key.data(), nullptr);
                               return Status::Ok();
                           }));
    return AeadPrefixSealer(std::move(subkey));
}

void AeadPrefixSealer::Seal(std::span<const uint8_t, kAeadNonceSize - kAeadNoncePrefixSize> suffix,
                            std::span<const uint8_t> ad, std::span<const uint8_t> plaintext,
                            std::span<uint8_t> out) const {
    assert(out.size() == plaintext.size() + kAeadTagSize);
    // The IETF ChaCha20-Poly1305 nonce XChaCha uses under the subkey: 4 zero bytes || suffix.
    uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {0, 0, 0, 0};
    std::memcpy(nonce + 4, suffix.data(), suffix.size());
    unsigned long long written = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &written, plaintext.data(),
                                              plaintext.size(), ad.data(), ad.size(), nullptr,
                                              nonce, subkey_.data());
}

}  // namespace jejak
