// Subkeys (crypto_kdf) and passphrase keys (Argon2id), libsodium.
#include "crypto/kdf.h"

#include <sodium.h>

#include <algorithm>
#include <string>

namespace jejak {

static_assert(GuardedKey::kSize == crypto_kdf_KEYBYTES);
static_assert(kSubkeyContextSize == crypto_kdf_CONTEXTBYTES);
static_assert(kPwhashSaltSize == crypto_pwhash_SALTBYTES);

Result<GuardedKey> DeriveSubkey(const GuardedKey& parent, uint64_t id, std::string_view context) {
    if (context.size() != kSubkeyContextSize) {
        return Status::InvalidArgument("a subkey context is exactly 8 bytes");
    }
    const std::string ctx(context);  // crypto_kdf reads 8 bytes from a char pointer
    return GuardedKey::Make([&](std::span<uint8_t, GuardedKey::kSize> out) {
        if (crypto_kdf_derive_from_key(out.data(), out.size(), id, ctx.c_str(), parent.data()) != 0) {
            return Status::Internal("key derivation failed");
        }
        return Status::Ok();
    });
}

PwhashParams PwhashParams::Interactive() {
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Status PwhashParams::Check() const {
    // Upper bounds keep a tampered store header from stalling the device for hours.
    if (opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > 64 ||
        memlimit_bytes < crypto_pwhash_MEMLIMIT_MIN || memlimit_bytes > (uint64_t{1} << 32)) {
        return Status::InvalidArgument("Argon2id limits out of range");
    }
    return Status::Ok();
}

Result<GuardedKey> DeriveKeyFromPassphrase(std::string_view passphrase,
                                           std::span<const uint8_t, kPwhashSaltSize> salt,
                                           const PwhashParams& params) {
    if (passphrase.empty()) return Status::InvalidArgument("the store passphrase is empty");
    JEJAK_RETURN_IF_ERROR(params.Check());
    return GuardedKey::Make([&](std::span<uint8_t, GuardedKey::kSize> out) {
        if (crypto_pwhash(out.data(), out.size(), passphrase.data(), passphrase.size(),
                          salt.data(), params.opslimit, static_cast<size_t>(params.memlimit_bytes),
                          crypto_pwhash_ALG_ARGON2ID13) != 0) {
            return Status::Internal("Argon2id could not allocate its memory limit");
        }
        return Status::Ok();
    });
}

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
