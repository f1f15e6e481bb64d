// HKDF-SHA256 on libsodium's HMAC-SHA256 (Debian 12's libsodium 1.0.18 has no HKDF).
#include "crypto/hkdf.h"

#include <sodium.h>

#include <algorithm>

#include "crypto/hmac.h"
#include "crypto/secret.h"

namespace jejak {

Status HkdfSha256(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                  std::span<const uint8_t> info, std::span<uint8_t> out) {
    if (out.size() > 255 * kSha256Size) {
        return Status::InvalidArgument("HKDF output longer than 255 * 32 bytes");
    }
    internal::HkdfSha256Unchecked(ikm, salt, info, out);
    return Status::Ok();
}

namespace internal {

void HkdfSha256Unchecked(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                         std::span<const uint8_t> info, std::span<uint8_t> out) {
    static constexpr uint8_t kZeroSalt[kSha256Size] = {};
    if (salt.empty()) salt = kZeroSalt;

    uint8_t prk[kSha256Size];
    HmacSha256(salt, ikm, prk);

    uint8_t block[kSha256Size];
    size_t done = 0;
    for (uint8_t counter = 1; done < out.size(); ++counter) {
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, prk, sizeof prk);
        if (counter > 1) crypto_auth_hmacsha256_update(&st, block, sizeof block);
        crypto_auth_hmacsha256_update(&st, info.data(), info.size());
        crypto_auth_hmacsha256_update(&st, &counter, 1);
        crypto_auth_hmacsha256_final(&st, block);
        sodium_memzero(&st, sizeof st);
        const size_t n = std::min(kSha256Size, out.size() - done);
        std::copy_n(block, n, out.begin() + static_cast<std::ptrdiff_t>(done));
        done += n;
    }
    sodium_memzero(block, sizeof block);
    sodium_memzero(prk, sizeof prk);
}

}  // namespace internal

}  // namespace jejak
