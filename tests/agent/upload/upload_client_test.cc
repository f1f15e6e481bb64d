// The verify -> certificate -> publish flow against a scripted poster: what each request
// carries (the certificate's HMAC is over exactly the published keys, under the published
// hmacKey), every published error code becomes one FailedPrecondition naming it and stops
// the flow, transport failures are never retried, and chaff has the real requests' shape.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "agent/upload/upload_client.h"
#include "agent/upload/upload_json.h"
#include "platform/base/base64.h"
#include "tests/fakes/http_fake.h"

namespace jejak {
namespace {

using nlohmann::json;

constexpr const char* kVerify = "https://verify.example.org/api/verify";
constexpr const char* kCert = "https://verify.example.org/api/certificate";
constexpr const char* kPublish = "https://keys.example.org/v1/publish";

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

void ScriptSuccess(ScriptedHttpPoster& http) {
    http.Reply(kVerify, 200,
               R"({"testtype":"confirmed","symptomDate":"2026-11-20","testDate":"2026-11-22",)"
               R"("token":"tok.en.jwt","padding":"AAAA"})");
    http.Reply(kCert, 200, R"({"certificate":"cert.jwt.sig","padding":""})");
    http.Reply(kPublish, 200, R"({"revisionToken":"rev-1","insertedExposures":3})");
}

// The body plus the header lines the client adds (its own and the poster's Content-Type and
// Accept): what PadToBucket fills to whole buckets.
size_t PaddedBytes(const HttpPostRequest& r) {
    std::vector<std::pair<std::string, std::string>> headers = r.headers;
    headers.emplace_back("Content-Type", "application/json");
    headers.emplace_back("Accept", "application/json");
    return HeaderLineBytes(headers) + r.body.size();
}

std::string HeaderOf(const HttpPostRequest& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
        if (n == name) return v;
    }
    return "";
}

}  // namespace

TEST_CASE("report binds the certificate to exactly the published keys and pads every body") {
    ScriptedHttpPoster http;
    ScriptSuccess(http);
    SystemRandom random;
    const UploadConfig config = Config();
    UploadClient client(config, http, random);
    const auto keys = Keys(3);
    auto outcome = client.Report("12345678", keys, "rev-0");
    REQUIRE(outcome.ok());
    CHECK(outcome->test_type == "confirmed");
    CHECK(outcome->keys_sent == 3);
    CHECK(outcome->inserted == 3);
    CHECK(outcome->revision_token == "rev-1");
    REQUIRE(http.requests().size() == 3);

    const json verify = json::parse(http.requests()[0].body);
    CHECK(http.requests()[0].url == kVerify);
    CHECK(verify["code"] == "12345678");
    CHECK(verify["accept"] == json::array({"confirmed", "likely"}));
    const json cert = json::parse(http.requests()[1].body);
    CHECK(cert["token"] == "tok.en.jwt");
    const json publish = json::parse(http.requests()[2].body);
    CHECK(publish["verificationPayload"] == "cert.jwt.sig");
    CHECK(publish["healthAuthorityID"] == "org.example.ha");
    CHECK(publish["revisionToken"] == "rev-0");
    // Onset: the symptom date (2026-11-20) as the ENIN of its midnight.
    CHECK(publish["symptomOnsetInterval"] == 20777u * 144u);
    for (int i = 0; i < 3; ++i) {
        const HttpPostRequest& r = http.requests()[static_cast<size_t>(i)];
        CHECK(HeaderOf(r, "X-Chaff").empty());
        CHECK(HeaderOf(r, "X-API-Key") == (i < 2 ? "device-api-key" : ""));
        const size_t pad = json::parse(r.body)["padding"].get<std::string>().size();
        CHECK(pad >= kMinPaddingChars);
        CHECK(PaddedBytes(r) % kRequestBucketBytes == 0);
    }

    // The keys sent are the device's keys with the test type's transmission risk, and the
    // ekeyhmac is their HMAC under the hmacKey sent alongside.
    std::vector<ExposureKey> sent;
    for (const json& k : publish["temporaryExposureKeys"]) {
        ExposureKey p;
        REQUIRE(Base64DecodeExact(k["key"].get<std::string>(), p.key.mutable_bytes(), "k").ok());
        p.rolling_start_number = k["rollingStartNumber"];
        p.rolling_period = k["rollingPeriod"];
        p.transmission_risk = k["transmissionRisk"];
        CHECK(p.transmission_risk == 2);
        sent.push_back(p);
    }
    REQUIRE(sent.size() == keys.size());
    for (size_t i = 0; i < keys.size(); ++i) CHECK(sent[i].key == keys[i].key);
    auto secret = Base64Decode(publish["hmacKey"].get<std::string>(), "hmacKey");
    REQUIRE(secret.ok());
    CHECK(secret->size() == 16);
    CHECK(cert["ekeyhmac"] == Base64Encode(ComputeEkeyHmac(*secret, sent)));
}

TEST_CASE("every published error code becomes one line naming it, and the flow stops there") {
    struct Case {
        const char* url;
        long status;
        const char* body;
        const char* code;
        size_t requests;
    };
    const Case cases[] = {
        {kVerify, 400, R"({"error":"bad","errorCode":"code_invalid"})", "code_invalid", 1},
        {kVerify, 400, R"({"error":"old","errorCode":"code_expired"})", "code_expired", 1},
        {kVerify, 429, R"({"error":"slow","errorCode":"rate_limited"})", "rate_limited", 1},
        {kVerify, 412, R"({"error":"x","errorCode":"unsupported_test_type"})",
         "unsupported_test_type", 1},
        {kVerify, 401, R"({"error":"x","errorCode":"unauthorized"})", "unauthorized", 1},
        {kCert, 400, R"({"error":"x","errorCode":"token_expired"})", "token_expired", 2},
        {kCert, 400, R"({"error":"x","errorCode":"hmac_invalid"})", "hmac_invalid", 2},
        {kPublish, 400,
         R"({"error":"x","code":"health_authority_verification_certificate_invalid"})",
         "health_authority_verification_certificate_invalid", 3},
        {kPublish, 400, R"({"error":"x","code":"invalid_revision_token"})",
         "invalid_revision_token", 3},
        {kPublish, 500, R"({"error":"x","code":"internal_error"})", "internal_error", 3},
    };
    for (const Case& c : cases) {
        CAPTURE(c.code);
        ScriptedHttpPoster http;
        if (std::string(c.url) != kVerify) {
            http.Reply(kVerify, 200, R"({"testtype":"likely","token":"t"})");
        }
        if (std::string(c.url) == kPublish) http.Reply(kCert, 200, R"({"certificate":"c"})");
        http.Reply(c.url, c.status, c.body);
        SystemRandom random;
        const UploadConfig config = Config();
        UploadClient client(config, http, random);
        auto outcome = client.Report("1", Keys(2), "");
        REQUIRE_FALSE(outcome.ok());
        CHECK(outcome.status().code() == StatusCode::kFailedPrecondition);
        const std::string msg = outcome.status().message();
        CHECK(msg.find(c.code) != std::string::npos);
        CHECK(msg.find('\n') == std::string::npos);
        CHECK(!ExplainApiError(c.code).empty());
        CHECK(msg.find(ExplainApiError(c.code)) != std::string::npos);
        CHECK((msg.find("used up") != std::string::npos) == (c.requests > 1));
        CHECK(http.requests().size() == c.requests);
    }
}

TEST_CASE("transport failures and junk replies are reported once, never retried") {
    SystemRandom random;
    const UploadConfig config = Config();
    {
        ScriptedHttpPoster http;
        http.FailNext(kVerify, Status::Unavailable("connect refused"));
        ScriptSuccess(http);
        UploadClient client(config, http, random);
        auto outcome = client.Report("1", Keys(1), "");
        CHECK(outcome.status().IsUnavailable());
        CHECK(http.requests().size() == 1);
    }
    {
        ScriptedHttpPoster http;
        http.Reply(kVerify, 200, R"({"testtype":"confirmed","token":"t"})");
        http.Reply(kCert, 200, R"({"certificate":"c"})");
        http.FailNext(kPublish, Status::Unavailable("reset"));
        UploadClient client(config, http, random);
        auto outcome = client.Report("1", Keys(1), "");
        CHECK(outcome.status().IsUnavailable());
        CHECK(outcome.status().message().find("used up") != std::string::npos);
        CHECK(http.requests().size() == 3);
    }
    for (const char* junk : {"<html>", "[1,2]", R"({"token":7,"testtype":"confirmed"})",
                             R"({"testtype":"confirmed"})", R"({"testtype":"x","token":"t"})"}) {
        CAPTURE(junk);
        ScriptedHttpPoster http;
        http.Reply(kVerify, 200, junk);
        UploadClient client(config, http, random);
        auto outcome = client.Report("1", Keys(1), "");
        CHECK(outcome.status().IsCorruption());
        CHECK(http.requests().size() == 1);
    }
    {
        ScriptedHttpPoster http;
        http.Reply(kVerify, 502, "Bad Gateway");
        UploadClient client(config, http, random);
        auto outcome = client.Report("1", Keys(1), "");
        CHECK(outcome.status().code() == StatusCode::kFailedPrecondition);
        CHECK(outcome.status().message().find("HTTP 502") != std::string::npos);
    }
}

TEST_CASE("a partial_failure publish is a success with a warning") {
    ScriptedHttpPoster http;
    http.Reply(kVerify, 200, R"({"testtype":"confirmed","token":"t"})");
    http.Reply(kCert, 200, R"({"certificate":"c"})");
    http.Reply(kPublish, 200,
               R"({"insertedExposures":1,"code":"partial_failure","warnings":["key 2 too old"]})");
    SystemRandom random;
    const UploadConfig config = Config();
    UploadClient client(config, http, random);
    auto outcome = client.Report("1", Keys(2), "");
    REQUIRE(outcome.ok());
    CHECK(outcome->partial);
    CHECK(outcome->warnings == std::vector<std::string>{"key 2 too old"});
}

TEST_CASE("chaff sends the same three requests with the same fields, padded alike, X-Chaff") {
    SystemRandom random;
    const UploadConfig config = Config();
    ScriptedHttpPoster real_http;
    ScriptSuccess(real_http);
    UploadClient real(config, real_http, random);
    REQUIRE(real.Report("12345678", Keys(5), "").ok());
    ScriptedHttpPoster chaff_http;  // answers as the authority's chaff path does
    ScriptSuccess(chaff_http);
    UploadClient chaff(config, chaff_http, random);
    REQUIRE(chaff.Chaff(5, 2940000).ok());
    {
        ScriptedHttpPoster not_found;  // 404 to everything: still only a transport error fails
        UploadClient lost(config, not_found, random);
        CHECK(lost.Chaff(5, 2940000).ok());
        CHECK(not_found.requests().size() == 3);
    }
    REQUIRE(chaff_http.requests().size() == 3);
    for (size_t i = 0; i < 3; ++i) {
        const HttpPostRequest& r = real_http.requests()[i];
        const HttpPostRequest& c = chaff_http.requests()[i];
        CAPTURE(i);
        CHECK(c.url == r.url);
        CHECK(HeaderOf(c, "X-Chaff") == "1");
        CHECK(HeaderOf(c, "X-API-Key") == HeaderOf(r, "X-API-Key"));
        const json rj = json::parse(r.body), cj = json::parse(c.body);
        std::vector<std::string> rk, ck;
        for (const auto& [k, v] : rj.items()) rk.push_back(k + ":" + v.type_name());
        for (const auto& [k, v] : cj.items()) ck.push_back(k + ":" + v.type_name());
        CHECK(rk == ck);
        CHECK(cj["padding"].get<std::string>().size() >= kMinPaddingChars);
        // Headers included, one size given the bucket (regression: 277 vs 287, 342 vs 675 and
        // 821 vs 916 bytes before).
        CHECK(PaddedBytes(c) % kRequestBucketBytes == 0);
        CHECK(PaddedBytes(c) == PaddedBytes(r));
    }
    const json publish = json::parse(chaff_http.requests()[2].body);
    CHECK(publish["temporaryExposureKeys"].size() == 5);
    CHECK(Base64Decode(publish["hmacKey"].get<std::string>(), "h")->size() == 16);
}

}  // namespace jejak
