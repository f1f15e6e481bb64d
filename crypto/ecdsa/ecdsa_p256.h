// ECDSA P-256 / SHA-256 signature verification, for diagnosis key export files (export.sig
// signs the whole export.bin; docs/PROTOCOL.md 3.1). Public keys only (signing is
// ecdsa_sign.h). OpenSSL stays inside ecdsa_p256.cc and the PEM reader it shares with
// signing (pem.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "platform/base/status.h"

namespace jejak {

inline constexpr size_t kSha256DigestSize = 32;

// SHA-256 of `data`.
void Sha256(std::span<const uint8_t> data, std::span<uint8_t, kSha256DigestSize> out);

// A P-256 public key. Cheap to copy (the parsed key is shared and immutable); thread-safe
// for concurrent Verify calls.
class EcdsaP256PublicKey {
public:
    // PEM "PUBLIC KEY" (SubjectPublicKeyInfo). InvalidArgument when the text is not a PEM
    // public key or the key is not on the P-256 curve.
    static Result<EcdsaP256PublicKey> FromPem(std::string_view pem);
    // DER SubjectPublicKeyInfo (the form Android's partner-key list carries in base64).
    static Result<EcdsaP256PublicKey> FromSpkiDer(std::span<const uint8_t> der);

    // True when `der_signature` (X9.62 SEQUENCE of r and s) is a valid ECDSA signature of
    // SHA-256(message) under this key. Malformed signatures are simply not valid.
    bool Verify(std::span<const uint8_t> message, std::span<const uint8_t> der_signature) const;

    struct Impl;

private:
    explicit EcdsaP256PublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

}  // namespace jejak
