// `report` against a key server whose database is down (HTTP 503: nothing stored): the same
// request is sent again with backoff on the injected clock (2, 4, 8 s), and a step the server
// accepted (200) is never sent again; a transport failure, which may hide an accepted
// request, is never retried.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "agent/upload/upload_client.h"
#include "crypto/random.h"
#include "platform/base/clock.h"
#include "tests/fakes/http_fake.h"

namespace jejak {
namespace {

constexpr const char* kVerify = "https://verify.example.org/api/verify";
constexpr const char* kCert = "https://verify.example.org/api/certificate";
constexpr const char* kPublish = "https://keys.example.org/v1/publish";
constexpr const char* k503 =
    R"({"error":"the key server could not store the keys: nothing was stored, try again in a few minutes","code":"internal_error"})";

UploadConfig Config() {
    UploadConfig c;
    c.verification_url = "https://verify.example.org";
    c.publish_url = "https://keys.example.org";
    c.api_key = "device-api-key";
    c.health_authority_id = "org.example.ha";
    return c;
}

std::vector<ExposureKey> Keys(size_t n) {
    SystemRandom random;
    std::vector<ExposureKey> keys;
    for (size_t i = 0; i < n; ++i) {
        ExposureKey k;
        random.Fill(k.key.mutable_bytes());
        k.rolling_start_number = 2940000 - static_cast<uint32_t>(i) * 144;
        k.rolling_period = 144;
        keys.push_back(k);
    }
    return keys;
}

// The request bodies sent to `url`, without their padding.
std::vector<nlohmann::json> BodiesTo(const ScriptedHttpPoster& http, const std::string& url) {
    std::vector<nlohmann::json> out;
    for (const HttpPostRequest& r : http.requests()) {
        if (r.url != url) continue;
        nlohmann::json j = nlohmann::json::parse(r.body);
        j.erase("padding");
        out.push_back(j);
    }
    return out;
}

TEST_CASE("report retries a 503 with backoff and sends the accepted request only once") {
    ScriptedHttpPoster http;
    http.Reply(kVerify, 503, R"({"error":"db restarting","errorCode":"internal_server_error"})");
    http.Reply(kVerify, 200, R"({"testtype":"confirmed","token":"tok"})");
    http.Reply(kCert, 200, R"({"certificate":"cert.jwt.sig"})");
    http.Reply(kPublish, 503, k503);
    http.Reply(kPublish, 503, k503);
    http.Reply(kPublish, 200, R"({"revisionToken":"rev-1","insertedExposures":3})");
    http.Reply(kPublish, 200, R"({"revisionToken":"rev-2","insertedExposures":3})");  // never asked
    ManualClock clock(int64_t{1'800'000'000} * 1'000'000);
    const int64_t start = clock.MonotonicMicros();
    SystemRandom random;
    const UploadConfig config = Config();
    UploadClient client(config, http, random, UploadRetry{&clock});
    auto outcome = client.Report("1234567890", Keys(3), "");
    REQUIRE_MESSAGE(outcome.ok(), outcome.status().ToString());
    CHECK(outcome->revision_token == "rev-1");
    CHECK(outcome->inserted == 3);
    CHECK(http.requests().size() == 6);  // verify x2, certificate, publish x3
    const auto published = BodiesTo(http, kPublish);
    REQUIRE(published.size() == 3);
    CHECK(published[1] == published[0]);  // the very same keys, certificate and hmacKey
    CHECK(published[2] == published[0]);
    // Backoff on the injected clock: verify 2 s; publish 2 s then 4 s.
    CHECK(clock.MonotonicMicros() - start == 8'000'000);
}

TEST_CASE("report gives up after its attempts with one retryable line; a transport failure is not retried") {
    SystemRandom random;
    const UploadConfig config = Config();
    {
        ScriptedHttpPoster http;
        http.Reply(kVerify, 200, R"({"testtype":"confirmed","token":"tok"})");
        http.Reply(kCert, 200, R"({"certificate":"c"})");
        for (int i = 0; i < 4; ++i) http.Reply(kPublish, 503, k503);
        ManualClock clock(0);
        UploadClient client(config, http, random, UploadRetry{&clock});
        auto outcome = client.Report("1", Keys(1), "");
        CHECK(outcome.status().IsUnavailable());
        const std::string msg = outcome.status().message();
        CHECK(msg.find("HTTP 503") != std::string::npos);
        CHECK(msg.find("nothing was stored") != std::string::npos);
        CHECK(msg.find('\n') == std::string::npos);
        CHECK(BodiesTo(http, kPublish).size() == 4);
        CHECK(clock.MonotonicMicros() == (2 + 4 + 8) * 1'000'000);
    }
    {
        ScriptedHttpPoster http;
        http.Reply(kVerify, 200, R"({"testtype":"confirmed","token":"tok"})");
        http.Reply(kCert, 200, R"({"certificate":"c"})");
        http.FailNext(kPublish, Status::Unavailable("connection reset after sending"));
        http.Reply(kPublish, 200, R"({"revisionToken":"rev-1","insertedExposures":1})");
        ManualClock clock(0);
        UploadClient client(config, http, random, UploadRetry{&clock});
        auto outcome = client.Report("1", Keys(1), "");
        CHECK(outcome.status().IsUnavailable());
        CHECK(BodiesTo(http, kPublish).size() == 1);
        CHECK(clock.MonotonicMicros() == 0);
    }
}

}  // namespace
}  // namespace jejak
