// AuthorityService: the verification and publish APIs as functions of (headers, body) ->
// (HTTP status, JSON reply), independent of the HTTP library so they are tested directly and
// through the real server alike (docs/PROTOCOL.md sections 4, 5 and 5.1).
//
// Every reply, success or error, is padded with random base64 to the same size (kReplyBytes)
// so that a network observer cannot tell outcomes, or chaff, apart by length. Chaff
// requests (header X-Chaff) get a reply of the same shape, and nothing is read or stored.
// Thread-safe: the HTTP server calls it from many threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "authority/authority_state.h"
#include "authority/publish_rules.h"
#include "authority/store/authority_store.h"
#include "crypto/random.h"
#include "platform/base/clock.h"

namespace jejak::authority {

// Replies are padded to at least this many bytes of JSON.
inline constexpr size_t kReplyBytes = 1024;

struct ApiReply {
    int status = 200;
    nlohmann::json body;  // padded; dump() is the HTTP body
};

// A verification code as `issue-code` prints it.
struct IssuedCode {
    std::string code;  // 10 decimal digits; shown once, stored only as its hash
    int64_t expires_at = 0;
    std::string type;
};

// Which API family an error belongs to: the verification API names the field "errorCode",
// the publish API "code".
enum class ApiFamily { kVerification, kPublish };

class AuthorityService {
public:
    AuthorityService(const AuthorityState& state, AuthorityStore& store, const Clock& clock,
                     RandomSource& random);

    // POST /api/verify. `api_key` is the X-API-Key header (nullopt when absent).
    ApiReply Verify(std::optional<std::string_view> api_key, std::string_view body, bool chaff);
    // POST /api/certificate.
    ApiReply Certificate(std::optional<std::string_view> api_key, std::string_view body,
                         bool chaff);
    // POST /v1/publish.
    ApiReply Publish(std::string_view body, bool chaff);

    // A reply for a request refused before it reached a handler (e.g. an oversized body).
    ApiReply Error(ApiFamily family, int status, std::string_view code, std::string_view message);

    // Creates a single-use code. `type` is confirmed, likely or negative; dates are
    // "YYYY-MM-DD" or empty and must not lie in the future; ttl_s > 0.
    Result<IssuedCode> IssueCode(std::string_view type, std::string_view onset_date,
                                 std::string_view test_date, int64_t ttl_s);

private:
    int64_t NowSeconds() const;
    std::string RandomToken();
    ApiReply Reply(int status, nlohmann::json body);
    ApiReply PublishChecked(std::string_view body);

    const AuthorityState& state_;
    AuthorityStore& store_;
    const Clock& clock_;
    RandomSource& random_;
};

}  // namespace jejak::authority
