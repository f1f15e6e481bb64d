// The device's one egress path for its own data: a confirmed diagnosis, verified, bound to
// exactly the keys sent, published (docs/PROTOCOL.md sections 4 and 5):
//   1. POST {verification_url}/api/verify       code -> token, test type, dates
//   2. ekeyhmac = HMAC(fresh random secret, canonical string of the keys)   (tek_hmac.h)
//   3. POST {verification_url}/api/certificate  token + ekeyhmac -> certificate
//   4. POST {publish_url}/v1/publish            keys, certificate, hmacKey, onset, revision
// Every request is padded, headers included, to a fixed size bucket. Chaff sends the same
// three requests with decoy values of the real ones' lengths and the header X-Chaff: 1.
//
// Errors: a server's published error code becomes FailedPrecondition with one line naming
// the code and what it means; an unexpected reply is Corruption; transport failures are
// Unavailable. Only an HTTP 503 is retried (UploadRetry: the server said it stored nothing,
// so the same request again cannot be accepted twice); a transport failure is never retried,
// because the request may have been accepted before the connection broke.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gaen/api/ekeyhmac.h"
#include "agent/upload/upload_config.h"
#include "gaen/keys/interval.h"
#include "crypto/random.h"
#include "platform/base/clock.h"
#include "platform/http/http_post.h"

namespace jejak {

struct ReportOutcome {
    std::string test_type;  // from /api/verify: "confirmed" or "likely"
    size_t keys_sent = 0;
    int64_t inserted = 0;        // insertedExposures
    std::string revision_token;  // to keep (sealed) for a later revision; may be empty
    std::vector<std::string> warnings;
    bool partial = false;  // the key server accepted only some keys (partial_failure)
};

// The transmission risk a key carries for a test type (the reference server's defaults:
// confirmed 2, likely 4, user-report 5, negative 6).
int32_t TransmissionRiskFor(const std::string& test_type);

// One clear sentence for a published API error code (empty for an unknown code).
std::string ExplainApiError(const std::string& code);

// The real poster for these settings (libcurl, HTTPS; see HttpClientOptions).
std::unique_ptr<HttpPoster> NewUploadPoster(const UploadConfig& config);

// Retrying a step the server answered 503 (its database down, restarting or full): the same
// request again after first_backoff_ms, doubling, at most max_attempts times in all. The
// clock sleeps between attempts (a ManualClock in tests); null: no retry.
struct UploadRetry {
    const Clock* clock = nullptr;
    int max_attempts = 4;
    int64_t first_backoff_ms = 2000;
};

class UploadClient {
public:
    // All references must outlive the client.
    UploadClient(const UploadConfig& config, HttpPoster& http, RandomSource& random,
                 UploadRetry retry = {});

    // Runs the whole flow for `keys` (their transmission risk is set from the test type the
    // code is for). `revision_token`: the one kept from an earlier upload, or empty.
    Result<ReportOutcome> Report(const std::string& code, std::vector<ExposureKey> keys,
                                 const std::string& revision_token);

    // One decoy sequence shaped like a report of `key_count` keys (1..30) made at interval
    // `now`, carrying a decoy revision token when the device keeps a real one. Each request
    // is the same size on the wire as its real twin (upload_json.h); the server's chaff
    // replies feed the next decoy step like real replies do. Only a transport failure is an
    // error.
    Status Chaff(size_t key_count, EnIntervalNumber now, bool with_revision_token = false);

private:
    // `unavailable` (if set) tells whether the server answered 503.
    Result<nlohmann::json> Send(const std::string& url, const nlohmann::json& body,
                                const char* who, bool with_api_key, bool chaff,
                                bool* unavailable = nullptr);
    // Send, again with backoff while the server answers 503 (UploadRetry).
    Result<nlohmann::json> SendRetrying(const std::string& url, const nlohmann::json& body,
                                        const char* who, bool with_api_key);

    const UploadConfig& config_;
    HttpPoster& http_;
    RandomSource& random_;
    UploadRetry retry_;
};

}  // namespace jejak
