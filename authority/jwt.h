// Compact JSON Web Tokens signed with ES256 (ECDSA P-256 / SHA-256, RFC 7515 and 7518): the
// verification certificate a device carries from /api/certificate to /v1/publish
// (docs/PROTOCOL.md section 5). Only ES256 is produced or accepted; "none" and every other
// algorithm are refused, so a token cannot choose how it is checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/ecdsa/ecdsa_p256.h"
#include "crypto/ecdsa/ecdsa_sign.h"
#include "platform/base/status.h"

namespace jejak::authority {

// Longest token VerifyJwtEs256 looks at; a certificate is a few hundred bytes.
inline constexpr size_t kMaxJwtBytes = 4096;

// header {"alg":"ES256","kid":kid,"typ":"JWT"}, payload `claims` (a JSON object), signature
// r||s (64 bytes) in URL-safe base64.
Result<std::string> SignJwtEs256(const nlohmann::json& claims, std::string_view kid,
                                 const EcdsaP256PrivateKey& key);

// Checks the form (three URL-safe base64 segments, JSON object header and payload, alg
// ES256, typ JWT when present) and the signature; returns the payload. InvalidArgument for
// a malformed token, PermissionDenied for a well-formed token whose signature fails. Claims
// are the caller's to judge.
Result<nlohmann::json> VerifyJwtEs256(std::string_view token, const EcdsaP256PublicKey& key);

// JWS signatures are r||s with each half 32 bytes big-endian; OpenSSL speaks DER.
Result<std::vector<uint8_t>> EcdsaDerToRaw(std::span<const uint8_t> der);
std::vector<uint8_t> EcdsaRawToDer(std::span<const uint8_t, 64> raw);

}  // namespace jejak::authority
