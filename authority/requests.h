// Parsing the three request bodies the authority accepts (docs/PROTOCOL.md sections 4 and
// 5): bytes from the network in, typed values out. Nothing here trusts the input: bodies
// larger than kMaxRequestBytes, nested deeper than kMaxJsonDepth, not JSON objects, or with
// a field of the wrong type are InvalidArgument with a message naming the field. Unknown
// fields are ignored (clients may send more than this server reads). Fuzzed by
// tests/fuzz/fuzz_authority_requests.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gaen/api/ekeyhmac.h"
#include "platform/base/status.h"

namespace jejak::authority {

inline constexpr size_t kMaxRequestBytes = 64 * 1024;
inline constexpr size_t kMaxJsonDepth = 8;

// POST /api/verify: {"code", "accept": [..], "padding", "nonce"}.
struct VerifyRequest {
    std::string code;
    std::vector<std::string> accept;  // empty: the default ["confirmed"]
};

// POST /api/certificate: {"token", "ekeyhmac", "padding"}. ekeyhmac stays text: its
// decoding failure is its own API error (hmac_invalid), not a parse error.
struct CertificateRequest {
    std::string token;
    std::string ekeyhmac;
};

// POST /v1/publish (field names exactly as the published API).
struct PublishRequest {
    std::vector<ExposureKey> keys;            // temporaryExposureKeys
    std::string health_authority_id;          // healthAuthorityID
    std::string verification_payload;         // verificationPayload (certificate JWT)
    std::vector<uint8_t> hmac_key;            // hmacKey, decoded; zeroed by the destructor
    std::optional<int64_t> symptom_onset_interval;  // symptomOnsetInterval
    bool traveler = false;
    std::string revision_token;               // revisionToken, "" when absent

    PublishRequest() = default;
    PublishRequest(PublishRequest&&) noexcept = default;
    PublishRequest& operator=(PublishRequest&&) noexcept = default;
    ~PublishRequest();
};

// Rejects bodies over kMaxRequestBytes or nested deeper than kMaxJsonDepth before any
// parser sees them (a linear scan that respects strings and escapes).
Status CheckRequestShape(std::string_view body);

Result<VerifyRequest> ParseVerifyRequest(std::string_view body);
Result<CertificateRequest> ParseCertificateRequest(std::string_view body);
// Keys must be base64 of exactly 16 bytes, integers must be JSON integers in range
// (rollingStartNumber 0..2^32-1, rollingPeriod and transmissionRisk as int32); the rules of
// publish_rules.h judge the values. hmacKey must decode to 16..64 bytes.
Result<PublishRequest> ParsePublishRequest(std::string_view body);

}  // namespace jejak::authority
