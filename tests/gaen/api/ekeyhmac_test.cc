// The ekeyhmac canonical string and HMAC against the reference key server's vectors, plus
// the properties the protocol relies on (order independence, every field covered).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "gaen/api/ekeyhmac.h"
#include "platform/base/base64.h"
#include "platform/base/hex.h"
#include "tests/support/test_data.h"

namespace jejak {
namespace {

nlohmann::json Vectors() {
    std::ifstream in(testing::TestDataPath("verification/verification_hmac.json"));
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

std::vector<ExposureKey> KeysOf(const nlohmann::json& c) {
    std::vector<ExposureKey> keys;
    for (const auto& k : c["keys"]) {
        ExposureKey p;
        REQUIRE(Base64DecodeExact(k["key"].get<std::string>(), p.key.mutable_bytes(), "key").ok());
        p.rolling_start_number = k["rollingStartNumber"].get<uint32_t>();
        p.rolling_period = k["rollingPeriod"].get<uint32_t>();
        p.transmission_risk = k["transmissionRisk"].get<int32_t>();
        keys.push_back(p);
    }
    return keys;
}

std::vector<uint8_t> VectorSecret(const nlohmann::json& v) {
    std::vector<uint8_t> secret(16);
    REQUIRE(HexDecodeExact(v["secret_hex"].get<std::string>(), secret, "secret").ok());
    return secret;
}

}  // namespace

TEST_CASE("ekeyhmac reproduces every published verification HMAC vector") {
    const auto v = Vectors();
    const auto secret = VectorSecret(v);
    REQUIRE(v["cases"].size() == 3);
    for (const auto& c : v["cases"]) {
        CAPTURE(c["name"].get<std::string>());
        const EkeyHmacForm four = c["format"] == "key.rsn.rp.tr" ? EkeyHmacForm::kFourField
                                                                 : EkeyHmacForm::kThreeField;
        const auto keys = KeysOf(c);
        CHECK(EkeyHmacCleartext(keys, four) == c["expected_cleartext_DERIVED"].get<std::string>());
        CHECK(Base64Encode(ComputeEkeyHmac(secret, keys, four)) ==
              c["expected_hmac_sha256_base64"].get<std::string>());
    }
}

TEST_CASE("ekeyhmac does not depend on key order and covers every field") {
    const auto v = Vectors();
    const auto secret = VectorSecret(v);
    auto keys = KeysOf(v["cases"][0]);
    const EkeyHmac mac = ComputeEkeyHmac(secret, keys);
    std::swap(keys[0], keys[1]);
    CHECK(ComputeEkeyHmac(secret, keys) == mac);
    for (int field = 0; field < 4; ++field) {
        auto changed = keys;
        if (field == 0) changed[0].key.mutable_bytes()[0] ^= 1;
        if (field == 1) changed[0].rolling_start_number += 1;
        if (field == 2) changed[0].rolling_period -= 1;
        if (field == 3) changed[0].transmission_risk += 1;
        CAPTURE(field);
        CHECK(ComputeEkeyHmac(secret, changed) != mac);
    }
    auto other_secret = secret;
    other_secret[0] ^= 0x80;
    CHECK(ComputeEkeyHmac(other_secret, keys) != mac);
}

TEST_CASE("base64 decoding rejects non-canonical text") {
    CHECK(Base64Decode("AQIDBAUGBwgJCgsMDQ4PEA==", "x").ok());
    for (const char* bad : {"AQI", "AQ=D", "A===", "AR==", "AQ I", "AQ*=", "====", "AQIDBA=="}) {
        CAPTURE(bad);
        if (std::string(bad) == "AQIDBA==") {
            CHECK(Base64Decode(bad, "x").ok());  // canonical: 4 bytes
            continue;
        }
        CHECK(Base64Decode(bad, "x").status().IsInvalidArgument());
    }
    std::array<uint8_t, 16> out{};
    CHECK_FALSE(Base64DecodeExact("AQIDBA==", out, "key").ok());
}

}  // namespace jejak
