// HMAC-SHA256 on libsodium.
#include "crypto/hmac.h"

#include <sodium.h>

namespace jejak {

void HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> msg,
                std::span<uint8_t, kSha256Size> out) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key.data(), key.size());
    crypto_auth_hmacsha256_update(&st, msg.data(), msg.size());
    crypto_auth_hmacsha256_final(&st, out.data());
    sodium_memzero(&st, sizeof st);
}

}  // namespace jejak
