// The authority's pure pieces: base64, ES256 JWTs, the verification HMAC (published
// vectors), request parsing and the publish rules, without a server.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "platform/base/base64.h"
#include "authority/jwt.h"
#include "authority/publish_rules.h"
#include "authority/requests.h"
#include "gaen/api/ekeyhmac.h"
#include "authority_test_util.h"
#include "tests/support/test_data.h"

namespace jejak::testing {
namespace {

using namespace jejak::authority;

std::span<const uint8_t> Bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST_CASE("base64 round-trips both alphabets and rejects non-canonical input") {
    const std::vector<uint8_t> data = {0xfb, 0xff, 0x00, 0x10, 0x7e};
    CHECK(Base64Encode(data) == "+/8AEH4=");
    CHECK(Base64Encode(data, Base64Alphabet::kUrl) == "-_8AEH4");
    CHECK(*Base64Decode("+/8AEH4=", Base64Alphabet::kStandard, "x") == data);
    CHECK(*Base64Decode("-_8AEH4", Base64Alphabet::kUrl, "x") == data);
    for (const char* bad : {"+/8AEH4", "+/8AEH5=", "+/8A EH4=", "-_8AEH4=", "====", "A==="}) {
        CHECK_FALSE(Base64Decode(bad, Base64Alphabet::kStandard, "x").ok());
    }
    CHECK_FALSE(Base64Decode("+/8AEH4", Base64Alphabet::kUrl, "x").ok());
    uint8_t out[4];
    CHECK(Base64DecodeExact("AAAAAA==", Base64Alphabet::kStandard, out, "k").ok());
    CHECK(Base64DecodeExact("AAAA", Base64Alphabet::kStandard, out, "k").message() ==
          "k: expected 4 bytes, got 3");
}

TEST_CASE("verification HMAC matches the published vectors") {
    std::ifstream in(TestDataPath("authority/verification_hmac.json"));
    const nlohmann::json doc = nlohmann::json::parse(in);
    std::vector<uint8_t> secret =
        *Base64Decode(doc["secret_base64"].get<std::string>(), Base64Alphabet::kStandard, "s");
    REQUIRE(doc["cases"].size() == 3);
    for (const auto& c : doc["cases"]) {
        std::vector<ExposureKey> keys;
        for (const auto& k : c["keys"]) {
            ExposureKey key;
            REQUIRE(Base64DecodeExact(k["key"].get<std::string>(), Base64Alphabet::kStandard,
                                      key.key.mutable_bytes(), "key").ok());
            key.rolling_start_number = k["rollingStartNumber"];
            key.rolling_period = k["rollingPeriod"];
            key.transmission_risk = k["transmissionRisk"];
            keys.push_back(key);
        }
        const EkeyHmacForm form = c["format"] == "key.rsn.rp" ? EkeyHmacForm::kThreeField
                                                             : EkeyHmacForm::kFourField;
        CHECK(EkeyHmacCleartext(keys, form) == c["expected_cleartext_DERIVED"]);
        const std::string expected = c["expected_hmac_sha256_base64"];
        CHECK(Base64Encode(ComputeEkeyHmac(secret, keys, form)) == expected);
        const auto mac = *Base64Decode(expected, Base64Alphabet::kStandard, "mac");
        CHECK(EkeyHmacMatches(secret, keys, mac));
        keys[0].rolling_period = 143;
        CHECK_FALSE(EkeyHmacMatches(secret, keys, mac));
    }
}

TEST_CASE("the 3-field HMAC form is accepted only when every transmission risk is 0") {
    SystemRandom random;
    auto keys = PastKeys(3, random);
    const std::vector<uint8_t> secret(16, 3);
    const EkeyHmac three = ComputeEkeyHmac(secret, keys, EkeyHmacForm::kThreeField);
    CHECK(EkeyHmacMatches(secret, keys, three));
    keys[1].transmission_risk = 4;
    CHECK_FALSE(EkeyHmacMatches(secret, keys, ComputeEkeyHmac(secret, keys, EkeyHmacForm::kThreeField)));
}

TEST_CASE("ES256 JWT: round trip and rejection") {
    auto key = EcdsaP256PrivateKey::Generate();
    auto other = EcdsaP256PrivateKey::Generate();
    REQUIRE(key.ok());
    REQUIRE(other.ok());
    auto pub = EcdsaP256PublicKey::FromPem(*key->PublicKeyPem());
    REQUIRE(pub.ok());
    const nlohmann::json claims = {{"iss", "a"}, {"tekmac", "x"}, {"exp", 5}};
    auto token = SignJwtEs256(claims, "v1", *key);
    REQUIRE(token.ok());
    auto back = VerifyJwtEs256(*token, *pub);
    REQUIRE(back.ok());
    CHECK(*back == claims);

    SUBCASE("signed by another key") {
        auto forged = SignJwtEs256(claims, "v1", *other);
        CHECK(VerifyJwtEs256(*forged, *pub).status().IsPermissionDenied());
    }
    SUBCASE("claims changed after signing") {
        const size_t dot1 = token->find('.'), dot2 = token->rfind('.');
        const std::string tampered = token->substr(0, dot1 + 1) +
            Base64Encode(Bytes(R"({"iss":"a","tekmac":"y","exp":5})"), Base64Alphabet::kUrl) +
            token->substr(dot2);
        CHECK(VerifyJwtEs256(tampered, *pub).status().IsPermissionDenied());
    }
    SUBCASE("alg none and malformed tokens") {
        const std::string none =
            Base64Encode(Bytes(R"({"alg":"none","typ":"JWT"})"), Base64Alphabet::kUrl) + "." +
            Base64Encode(Bytes(claims.dump()), Base64Alphabet::kUrl) + ".";
        CHECK(VerifyJwtEs256(none, *pub).status().IsInvalidArgument());
        for (const char* bad : {"", "a.b", "a.b.c.d", "...", "e30.e30.AAAA"}) {
            CHECK_FALSE(VerifyJwtEs256(bad, *pub).ok());
        }
        CHECK_FALSE(VerifyJwtEs256(std::string(5000, 'a'), *pub).ok());
    }
    SUBCASE("DER and raw signatures convert both ways") {
        auto der = key->Sign(Bytes("message"));
        REQUIRE(der.ok());
        auto raw = EcdsaDerToRaw(*der);
        REQUIRE(raw.ok());
        CHECK(EcdsaRawToDer(std::span<const uint8_t, 64>(raw->data(), 64)) == *der);
        std::vector<uint8_t> broken = *der;
        broken[0] = 0x31;
        CHECK_FALSE(EcdsaDerToRaw(broken).ok());
    }
}

TEST_CASE("request parsing rejects malformed bodies with the field's name") {
    CHECK(ParseVerifyRequest("{\"code\":\"123\",\"accept\":[\"confirmed\"]}").ok());
    CHECK(ParseVerifyRequest("{\"code\":5}").status().message() == "code must be a string");
    CHECK(ParseVerifyRequest("{}").status().message() == "code is missing");
    CHECK(ParseVerifyRequest("[1]").status().message() == "request body is not a JSON object");
    CHECK(ParseVerifyRequest("{\"code\":\"1\",\"accept\":\"x\"}").status().IsInvalidArgument());
    CHECK(ParseCertificateRequest("{\"token\":\"t\"}").ok());
    CHECK(CheckRequestShape(std::string(20, '[')).message() == "request body is nested too deeply");
    CHECK(CheckRequestShape("{\"a\":\"[[[[[[[[[[[[[[[[[[[\"}").ok());
    CHECK_FALSE(CheckRequestShape(std::string(kMaxRequestBytes + 1, ' ')).ok());

    const std::string key = "\"key\":\"AAAAAAAAAAAAAAAAAAAAAA==\"";
    const auto publish = [&](const std::string& k) {
        return ParsePublishRequest("{\"temporaryExposureKeys\":[{" + k + "}],"
                                   "\"healthAuthorityID\":\"h\",\"verificationPayload\":\"v\","
                                   "\"hmacKey\":\"AQIDBAUGBwgJCgsMDQ4PEA==\"}");
    };
    auto ok = publish(key + ",\"rollingStartNumber\":2650000,\"rollingPeriod\":144");
    REQUIRE(ok.ok());
    CHECK(ok->keys.size() == 1);
    CHECK(ok->keys[0].transmission_risk == 0);
    CHECK(ok->hmac_key.size() == 16);
    CHECK(publish("\"key\":\"AAAA\",\"rollingStartNumber\":1,\"rollingPeriod\":144").status().message() ==
          "temporaryExposureKeys[0].key: expected 16 bytes, got 3");
    CHECK(publish(key + ",\"rollingStartNumber\":1.5,\"rollingPeriod\":144").status().IsInvalidArgument());
    CHECK(publish(key + ",\"rollingStartNumber\":-1,\"rollingPeriod\":144").status().IsInvalidArgument());
    CHECK(publish(key + ",\"rollingStartNumber\":4294967296,\"rollingPeriod\":144").status().IsInvalidArgument());
    CHECK(publish(key + ",\"rollingPeriod\":144").status().message() ==
          "temporaryExposureKeys[0].rollingStartNumber is missing");
}

TEST_CASE("publish rules: per-key validation") {
    SystemRandom random;
    PublishLimits limits;
    auto keys = PastKeys(14, random);
    CHECK(ValidateUploadedKeys(keys, kTestNow, limits).ok());
    SUBCASE("empty") { CHECK_FALSE(ValidateUploadedKeys({}, kTestNow, limits).ok()); }
    SUBCASE("too many") {
        limits.max_keys = 13;
        CHECK(ValidateUploadedKeys(keys, kTestNow, limits).message() == "too many keys: 14 > 13");
    }
    SUBCASE("future") {
        keys[2].rolling_start_number = IntervalOf(kTestNow) + 1;
        CHECK(ValidateUploadedKeys(keys, kTestNow, limits).message() ==
              "key 2: rollingStartNumber is in the future");
    }
    SUBCASE("the current interval is not the future") {
        keys[2].rolling_start_number = IntervalOf(kTestNow);
        CHECK(ValidateUploadedKeys(keys, kTestNow, limits).ok());
    }
    SUBCASE("older than 15 days (UTC day start) is refused, exactly 15 days is not") {
        keys[0].rolling_start_number = DayStartInterval(kTestNow) - 144 * 15;
        CHECK(ValidateUploadedKeys(keys, kTestNow, limits).ok());
        keys[0].rolling_start_number -= 1;
        CHECK(ValidateUploadedKeys(keys, kTestNow, limits).message() ==
              "key 0: rollingStartNumber is older than 15 days");
    }
    SUBCASE("rolling period and risk ranges") {
        keys[1].rolling_period = 0;
        CHECK_FALSE(ValidateUploadedKeys(keys, kTestNow, limits).ok());
        keys[1].rolling_period = 145;
        CHECK_FALSE(ValidateUploadedKeys(keys, kTestNow, limits).ok());
        keys[1].rolling_period = 144;
        keys[1].transmission_risk = 9;
        CHECK(ValidateUploadedKeys(keys, kTestNow, limits).message() ==
              "key 1: transmissionRisk must be 0..8");
    }
    SUBCASE("duplicates and more than 3 keys per start interval") {
        keys[5].key = keys[4].key;
        CHECK(ValidateUploadedKeys(keys, kTestNow, limits).message() == "key 5: duplicates key 4");
        keys = PastKeys(4, random);
        for (auto& k : keys) k.rolling_start_number = keys[0].rolling_start_number;
        CHECK_FALSE(ValidateUploadedKeys(keys, kTestNow, limits).ok());
    }
}

TEST_CASE("publish rules: embargo, onset days, transitions, dates") {
    PublishLimits limits;
    const uint32_t today = DayStartInterval(kTestNow);
    const int64_t midnight = int64_t{today} * 600;
    // Yesterday's key: 2 h after its end, which is already past.
    CHECK(EmbargoUntil(today - 144, 144, kTestNow, limits) == midnight + 7200);
    // Today's key, still valid: 2 h after the end of the UTC day.
    CHECK(EmbargoUntil(today, 144, kTestNow, limits) == midnight + 86400 + 7200);
    // Today's key cut at the current interval (same-day release): 2 h after its end.
    const uint32_t now_interval = IntervalOf(kTestNow);
    CHECK(EmbargoUntil(today, now_interval - today, kTestNow, limits) ==
          int64_t{now_interval} * 600 + 7200);

    // Onset from the request, else the certificate, else 4 days ago.
    const int64_t three_days_ago = today - 3 * 144;
    CHECK(DaysSinceOnset(today - 144, three_days_ago, std::nullopt, kTestNow, limits) == 2);
    CHECK(DaysSinceOnset(today - 144, std::nullopt, three_days_ago, kTestNow, limits) == 2);
    CHECK(DaysSinceOnset(today - 144, std::nullopt, std::nullopt, kTestNow, limits) == 3);
    CHECK(DaysSinceOnset(today - 144, int64_t{today} + 1000, three_days_ago, kTestNow, limits) == 2);
    CHECK(DaysSinceOnset(today - 14 * 144, std::nullopt, int64_t{today}, kTestNow, limits) == -14);
    CHECK_FALSE(DaysSinceOnset(today - 15 * 144, std::nullopt, int64_t{today}, kTestNow, limits));

    CHECK(ValidReportTypeTransition(2, 1));
    CHECK(ValidReportTypeTransition(2, 5));
    CHECK(ValidReportTypeTransition(3, 2));
    CHECK_FALSE(ValidReportTypeTransition(1, 5));
    CHECK_FALSE(ValidReportTypeTransition(5, 1));
    CHECK(ExportReportType(VerificationType::kLikely) == 2);
    CHECK(DefaultTransmissionRisk(VerificationType::kConfirmed) == 2);

    CHECK(*ParseIsoDate("2027-01-15", "d") == (kTestNow - kTestNow % 86400) / 86400);
    CHECK(FormatIsoDate(*ParseIsoDate("2024-02-29", "d")) == "2024-02-29");
    for (const char* bad : {"2023-02-29", "2027-13-01", "2027-1-01", "27-01-01", "2027-01-32", ""}) {
        CHECK_FALSE(ParseIsoDate(bad, "d").ok());
    }
}

}  // namespace
}  // namespace jejak::testing
