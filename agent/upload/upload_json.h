// The JSON bodies of the verification and publish APIs (docs/PROTOCOL.md sections 4 and 5),
// and the offline key file (the publish API's key shape). Building is exact; parsing treats
// every reply as untrusted: wrong types, missing fields and junk are errors, never crashes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/upload/tek_hmac.h"
#include "crypto/random.h"
#include "platform/base/status.h"

namespace jejak {

// Every request carries random padding of kMinPaddingChars..kMaxPaddingChars base64
// characters, so the size of a body says little about what it holds.
inline constexpr size_t kMinPaddingChars = 1024;
inline constexpr size_t kMaxPaddingChars = 2048;
// The test types a device accepts at /api/verify (a negative test has nothing to upload).
inline const std::vector<std::string> kAcceptedTestTypes = {"confirmed", "likely"};

// Sets body["padding"] to fresh random base64 of a random length in the range above and
// returns the serialized body.
std::string WithPadding(nlohmann::json body, RandomSource& random);

std::string VerifyRequestBody(std::string_view code, RandomSource& random);
std::string CertificateRequestBody(std::string_view token, const EkeyHmac& ekeyhmac,
                                   RandomSource& random);

struct PublishBody {
    std::vector<PublishKey> keys;
    std::string health_authority_id;
    std::string certificate;
    std::vector<uint8_t> hmac_key;
    std::optional<uint32_t> symptom_onset_interval;
    std::string revision_token;
};
std::string PublishRequestBody(const PublishBody& body, RandomSource& random);

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
std::string KeyFileText(std::span<const PublishKey> keys);
// InvalidArgument naming the entry for anything but that shape (keys of exactly 16 bytes,
// rolling period 1..144, transmission risk 0..8, at most kMaxKeysInFile keys).
inline constexpr size_t kMaxKeysInFile = 30;
Result<std::vector<PublishKey>> ParseKeyFile(std::string_view text);

}  // namespace jejak
