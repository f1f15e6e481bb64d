// The JSON bodies of the verification and publish APIs (docs/PROTOCOL.md sections 4 and 5),
// and the offline key file (the publish API's key shape). Building is exact; parsing treats
// every reply as untrusted: wrong types, missing fields and junk are errors, never crashes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gaen/api/ekeyhmac.h"
#include "crypto/random.h"
#include "platform/base/status.h"

namespace jejak {

// Every request is padded so that its body plus the header lines the client adds itself
// ("Name: value\r\n": X-API-Key, X-Chaff, Content-Type, Accept) fill a whole number of
// kRequestBucketBytes. Whatever the transport adds besides (request line, Host, User-Agent,
// Content-Length) is the same for a real request and its decoy, so both are one size on the
// wire given the bucket, and only the bucket says anything about the content.
inline constexpr size_t kRequestBucketBytes = 4096;
inline constexpr size_t kMinPaddingChars = 16;
// The test types a device accepts at /api/verify (a negative test has nothing to upload).
inline const std::vector<std::string> kAcceptedTestTypes = {"confirmed", "likely"};

// Bytes the header lines take on the wire.
size_t HeaderLineBytes(std::span<const std::pair<std::string, std::string>> headers);
// Sets body["padding"] to random base64 characters (at least kMinPaddingChars) so that
// header_bytes + the serialized body is a multiple of kRequestBucketBytes, and returns the
// serialized body.
std::string PadToBucket(nlohmann::json body, size_t header_bytes, RandomSource& random);

nlohmann::json VerifyRequestJson(std::string_view code);
nlohmann::json CertificateRequestJson(std::string_view token, const EkeyHmac& ekeyhmac);

struct PublishBody {
    std::vector<ExposureKey> keys;
    std::string health_authority_id;
    std::string certificate;
    std::vector<uint8_t> hmac_key;
    std::optional<uint32_t> symptom_onset_interval;
    std::string revision_token;
};
nlohmann::json PublishRequestJson(const PublishBody& body);

// An error a server put in its JSON reply ({"error", "errorCode"} from the verification
// server, {"error", "code"} from the key server). Empty code: none.
struct ApiError {
    std::string code;
    std::string message;
};

struct VerifyReply {
    std::string token;
    std::string test_type;
    std::optional<uint32_t> symptom_day;  // UTC day of symptomDate
    std::optional<uint32_t> test_day;     // UTC day of testDate
};
struct PublishReply {
    std::string revision_token;
    int64_t inserted = 0;
    std::vector<std::string> warnings;
    std::string code;  // "partial_failure" on a 200 that dropped keys
};

// The reply as a JSON object: Corruption when it is not one.
Result<nlohmann::json> ParseReplyObject(std::span<const uint8_t> body, std::string_view who);
// The server's error in a parsed reply (either field name), if any.
std::optional<ApiError> FindApiError(const nlohmann::json& reply);
Result<VerifyReply> ParseVerifyReply(const nlohmann::json& reply);
Result<std::string> ParseCertificateReply(const nlohmann::json& reply);
Result<PublishReply> ParsePublishReply(const nlohmann::json& reply);

// "YYYY-MM-DD" <-> UTC day number.
std::string FormatUtcDay(uint32_t day);
std::optional<uint32_t> ParseUtcDay(std::string_view text);

// The offline key file: {"temporaryExposureKeys": [ {key, rollingStartNumber, rollingPeriod,
// transmissionRisk}, ... ]}. The text holds key material (base64): write it only to the
// file the owner consented to.
std::string KeyFileText(std::span<const ExposureKey> keys);
// InvalidArgument naming the entry for anything but that shape (keys of exactly 16 bytes,
// rolling period 1..144, transmission risk 0..8, at most kMaxKeysInFile keys).
inline constexpr size_t kMaxKeysInFile = 30;
Result<std::vector<ExposureKey>> ParseKeyFile(std::string_view text);

}  // namespace jejak
