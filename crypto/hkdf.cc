// HKDF-SHA256 on libsodium's HMAC-SHA256 (Debian 12's libsodium 1.0.18 has no HKDF).
#include "crypto/hkdf.h"

#include <sodium.h>

#include <algorithm>

#include "crypto/secret.h"

namespace jejak {

void HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> msg,
                std::span<uint8_t, kSha256Size> out) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key.data(), key.size());
    crypto_auth_hmacsha256_update(&st, msg.data(), msg.size());
    crypto_auth_hmacsha256_final(&st, out.data());
    sodium_memzero(&st, sizeof st);
}

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

Result<std::string> HashPassword(std::string_view password, uint64_t opslimit,
                                 size_t memlimit_bytes) {
    if (password.empty()) return Status::InvalidArgument("empty password");
    if (opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
        opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
        memlimit_bytes < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
        password.size() > crypto_pwhash_argon2id_PASSWD_MAX) {
        return Status::InvalidArgument("password hash limits out of range");
    }
    char out[crypto_pwhash_argon2id_STRBYTES] = {};
    if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), opslimit,
                                   memlimit_bytes) != 0) {
        return Status::Internal("password hash: out of memory");
    }
    return std::string(out);
}

bool VerifyPassword(std::string_view stored_hash, std::string_view password) {
    if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_argon2id_STRBYTES ||
        stored_hash.substr(0, 10) != "$argon2id$") {
        return false;
    }
    char buf[crypto_pwhash_argon2id_STRBYTES] = {};
    std::copy(stored_hash.begin(), stored_hash.end(), buf);
    return crypto_pwhash_argon2id_str_verify(buf, password.data(), password.size()) == 0;
}

}  // namespace jejak
