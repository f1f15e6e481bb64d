// ECDSA P-256 / SHA-256 signing, for the device's own signed export (`jejak keys export`,
// field tests and demos: the health-authority side a real deployment gets from its key
// server). Verification lives in ecdsa_p256.h. OpenSSL stays inside ecdsa_sign.cc and the
// PEM reader it shares with verification (pem.h).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform/base/status.h"

namespace jejak {

// A P-256 private key. Move-only; the OpenSSL key is freed (and cleansed by OpenSSL) on
// destruction.
class EcdsaP256PrivateKey {
public:
    // PEM "EC PRIVATE KEY" (openssl ecparam -genkey) or "PRIVATE KEY" (PKCS#8), unencrypted.
    // InvalidArgument when the text is not such a key or the curve is not P-256.
    static Result<EcdsaP256PrivateKey> FromPem(std::string_view pem);
    // A fresh key from OpenSSL's CSPRNG (the health authority's export and certificate keys).
    static Result<EcdsaP256PrivateKey> Generate();

    // The private key as unencrypted PKCS#8 PEM, for a 0600 key file. The caller zeroes the
    // string (SecureZero) once written; nothing may print it.
    Result<std::string> PrivateKeyPem() const;
    // The public half as PEM "PUBLIC KEY" (SubjectPublicKeyInfo), safe to publish.
    Result<std::string> PublicKeyPem() const;

    // DER (X9.62 SEQUENCE of r and s) ECDSA signature of SHA-256(message).
    Result<std::vector<uint8_t>> Sign(std::span<const uint8_t> message) const;

    struct Impl;
    EcdsaP256PrivateKey(EcdsaP256PrivateKey&&) noexcept;
    EcdsaP256PrivateKey& operator=(EcdsaP256PrivateKey&&) noexcept;
    ~EcdsaP256PrivateKey();

private:
    explicit EcdsaP256PrivateKey(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace jejak
