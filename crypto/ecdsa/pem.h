// Internal to crypto/: how ECDSA P-256 keys are read, shared by verification
// (ecdsa_p256.cc) and signing (ecdsa_sign.cc) so both accept and reject keys alike.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string_view>

#include "platform/base/status.h"

namespace jejak::internal {

struct PkeyFree {
    void operator()(EVP_PKEY* key) const;  // EVP_PKEY_free, which cleanses private keys
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

enum class PemKey {
    kPublic,   // "PUBLIC KEY" (SubjectPublicKeyInfo)
    kPrivate,  // "EC PRIVATE KEY" or PKCS#8 "PRIVATE KEY", unencrypted
};

// Reads the first PEM key of `kind` from the text and requires an ECDSA P-256 key.
// InvalidArgument "<what>: ..." when the text is over 64 KiB, holds no such key or the key
// is not on P-256; Internal when OpenSSL is out of memory. The text is read in place through
// a read-only memory BIO, never copied, so the caller's buffer is the only one to zero;
// OpenSSL decodes private keys in buffers it cleanses itself. The error queue is cleared.
Result<PkeyPtr> ReadP256Pem(std::string_view pem, PemKey kind, std::string_view what);

// InvalidArgument "<what>: not an ECDSA P-256 key" unless `key` is an EC key on P-256
// ("prime256v1"). Also used for DER keys.
Status CheckP256(const EVP_PKEY& key, std::string_view what);

}  // namespace jejak::internal
