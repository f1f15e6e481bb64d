// AuthorityService: the verification and publish APIs as functions of (headers, body) ->
// (HTTP status, JSON reply), independent of the HTTP library so they are tested directly and
// through the real server alike (docs/PROTOCOL.md sections 4, 5 and 5.1).
//
// Every reply, success or error, is padded with random base64 so that the whole HTTP/1.1
// reply has one size whatever its status (the body makes up for the length of the status
// line's reason phrase): a network observer cannot tell outcomes, or chaff, apart by length.
// Chaff requests (header X-Chaff) get a reply of the same shape after comparable work (a
// database read, an ECDSA signature or check: service_chaff.cc), and nothing is stored.
// /api/verify and /api/certificate pass a RequestGuard first (rate_limit.h): 429
// "rate_limited" beyond a bucket, and no code is looked up while the global budget of failed
// verifications is spent. An unknown, used or expired code is one error, "code_invalid": the
// fleet-wide API key authenticates nobody, so a guesser learns nothing about stale codes.
// Thread-safe: the HTTP server calls it from many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "authority/authority_state.h"
#include "authority/counters.h"
#include "authority/publish_rules.h"
#include "authority/rate_limit.h"
#include "authority/store/authority_store.h"
#include "crypto/random.h"
#include "platform/base/clock.h"

namespace jejak::authority {

// Replies are padded to at least this many bytes of JSON (kReplyBytes plus the longest
// reason phrase, minus this status's: ReplyBodyBytes).
inline constexpr size_t kReplyBytes = 1024;

// The JSON body size of a padded reply with `status` whose content needs `unpadded` bytes:
// the same status line + body length for every status (one step of kReplyBytes more when
// the content does not fit).
size_t ReplyBodyBytes(int status, size_t unpadded);

struct ApiReply {
    int status = 200;
    nlohmann::json body;  // padded; dump() is the HTTP body
};

// A verification code as `issue-code` prints it.
struct IssuedCode {
    std::string code;  // decimal digits (CodeDigits); shown once, stored only as its hash
    int64_t expires_at = 0;
    std::string type;
};

// The two kinds of verification code. Short: 10 digits, living code_ttl_seconds (default
// 1 h), for a code a health worker reads out and the patient types at once. Long: 16
// digits, living long_code_ttl_seconds (default 24 h), for a code sent in an SMS link and
// redeemed when the patient gets to it; nobody types it, so its length costs nothing and
// buys 10^6 times the guessing work for its 24 times longer life. The reference
// verification server's short codes are 8 digits for 15 minutes: ours are 100 times harder
// to hit per guess for 4 times the life (docs/authority-deployment.md has the arithmetic at
// the default rate limits of rate_limit.h).
enum class CodeKind { kShort, kLong };
// 10 for kShort, 16 for kLong.
size_t CodeDigits(CodeKind kind);

// Which API family an error belongs to: the verification API names the field "errorCode",
// the publish API "code".
enum class ApiFamily { kVerification, kPublish };

class AuthorityService {
public:
    // `log` receives warning lines (the failed-verification budget); may be empty.
    AuthorityService(const AuthorityState& state, AuthorityStore& store, const Clock& clock,
                     RandomSource& random, RequestGuard::LogSink log = {});

    // POST /api/verify. `api_key` is the X-API-Key header (nullopt when absent); `peer` the
    // client's address as the HTTP front saw it (rate limits).
    ApiReply Verify(std::optional<std::string_view> api_key, std::string_view body, bool chaff,
                    std::string_view peer = {});
    // POST /api/certificate.
    ApiReply Certificate(std::optional<std::string_view> api_key, std::string_view body,
                         bool chaff, std::string_view peer = {});
    // POST /v1/publish.
    ApiReply Publish(std::string_view body, bool chaff);

    // A reply for a request refused before it reached a handler (e.g. an oversized body).
    ApiReply Error(ApiFamily family, int status, std::string_view code, std::string_view message);

    // Creates a single-use code. `type` is confirmed, likely or negative; dates are
    // "YYYY-MM-DD" or empty and must not lie in the future; 0 < ttl_s <= the kind's lifetime
    // (settings code_ttl_seconds / long_code_ttl_seconds); ttl_s 0 takes that lifetime.
    Result<IssuedCode> IssueCode(std::string_view type, std::string_view onset_date,
                                 std::string_view test_date, int64_t ttl_s,
                                 CodeKind kind = CodeKind::kShort);

    // Abuse, chaff and outcome counters (read by tests and /metrics).
    const AuthorityCounters& counters() const { return counters_; }
    AuthorityCounters& counters() { return counters_; }

    // Told of each code issued ("issued"), claimed ("claimed"), refused guess
    // ("refused_guesses") and key published ("keys_published", with the count), so the
    // console's per-day figures can be kept in the database (names: console_store.h's
    // kDaily*). Set before serving; called from the server's threads; may be empty.
    using EventSink = std::function<void(const char* name, int64_t count)>;
    void SetEventSink(EventSink sink) { events_ = std::move(sink); }

private:
    int64_t NowSeconds() const;
    std::string RandomToken();
    ApiReply Reply(int status, nlohmann::json body);
    ApiReply PublishChecked(std::string_view body);
    std::optional<std::string_view> ValidKeyId(std::optional<std::string_view> api_key) const;
    // The chaff twins (service_chaff.cc): comparable work, nothing stored.
    ApiReply VerifyChaff(std::string_view body);
    ApiReply CertificateChaff(std::string_view body);
    ApiReply PublishChaff(std::string_view body);

    const AuthorityState& state_;
    AuthorityStore& store_;
    const Clock& clock_;
    RandomSource& random_;
    void Event(const char* name, int64_t count = 1) const {
        if (events_) events_(name, count);
    }

    AuthorityCounters counters_;
    RequestGuard guard_;
    EventSink events_;
    // Signs decoy certificates, so chaff costs a signature like the real thing yet yields
    // nothing any key server accepts. Made fresh per process, never stored.
    std::optional<EcdsaP256PrivateKey> chaff_key_;
};

}  // namespace jejak::authority
