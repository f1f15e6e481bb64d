// Known-answer and must-reject tests of the GAEN key schedule: the 144 published v1.2
// vectors, RFC 5869 HKDF-SHA256, metadata coding and interval arithmetic.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/hkdf.h"
#include "gaen/keys/interval.h"
#include "gaen/keys/key_schedule.h"
#include "gaen/keys/rpi_batch.h"
#include "platform/base/hex.h"
#include "tests/support/test_data.h"

namespace jejak {
namespace {

std::vector<uint8_t> Hex(const std::string& s) {
    auto r = HexDecode(s);
    REQUIRE(r.ok());
    return *r;
}

template <typename T>
std::string HexOf(const T& bytes) {
    return HexEncode(std::span<const uint8_t>(bytes.data(), bytes.size()));
}

nlohmann::json LoadVectors() {
    std::ifstream in(testing::TestDataPath("crypto/gaen_crypto_v1.2.json"));
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

Tek TekFromHex(const std::string& hex) {
    Tek tek;
    REQUIRE(HexDecodeExact(hex, tek.mutable_bytes(), "tek").ok());
    return tek;
}

}  // namespace

TEST_CASE("published v1.2 vectors: RPIK, AEMK, 144 RPIs and AEMs") {
    const auto v = LoadVectors();
    const Tek tek = TekFromHex(v["tek_hex"]);
    const Rpik rpik = DeriveRpik(tek);
    const Aemk aemk = DeriveAemk(tek);
    CHECK(HexOf(rpik.bytes()) == v["rpik_hex"]);
    CHECK(HexOf(aemk.bytes()) == v["aemk_hex"]);

    MetadataBytes metadata{};
    REQUIRE(HexDecodeExact(v["metadata_hex"].get<std::string>(), metadata, "metadata").ok());
    const EnIntervalNumber start = v["rolling_start_interval_number"];
    CHECK(start == *IntervalFromUnixSeconds(v["key_generation_unix_seconds"].get<int64_t>()));

    const auto& rows = v["rows"];
    REQUIRE(rows.size() == 144);
    for (const auto& row : rows) {
        const EnIntervalNumber enin = row["enin"];
        CHECK(HexOf(RpiPaddedData(enin)) == row["padded_data_hex"]);
        const Result<Rpi> rpi = DeriveRpi(rpik, enin);
        REQUIRE(rpi.ok());
        CHECK(HexOf(*rpi) == row["rpi_hex"]);
        const Result<Aem> sealed = CryptMetadata(aemk, *rpi, metadata);
        REQUIRE(sealed.ok());
        CHECK(HexOf(*sealed) == row["aem_hex"]);
        Aem aem{};
        REQUIRE(HexDecodeExact(row["aem_hex"].get<std::string>(), aem, "aem").ok());
        CHECK(*DecryptMetadata(aemk, *rpi, aem) == metadata);
    }
}

TEST_CASE("every batch backend reproduces the published vectors") {
    const auto v = LoadVectors();
    const Tek tek = TekFromHex(v["tek_hex"]);
    for (const KeyScheduleBackend* backend : AvailableBackends()) {
        CAPTURE(backend->name);
        std::vector<Rpi> rpis(144);
        REQUIRE(RpiDeriver(*backend).Derive(tek, 2642976, rpis).ok());
        for (size_t j = 0; j < 144; ++j) CHECK(HexOf(rpis[j]) == v["rows"][j]["rpi_hex"]);
    }
}

TEST_CASE("RFC 5869 HKDF-SHA256 test cases 1-3") {
    struct Case {
        std::string ikm, salt, info, okm;
    };
    std::string ikm2, salt2, info2;
    for (int i = 0; i < 80; ++i) {
        const uint8_t b[3] = {static_cast<uint8_t>(i), static_cast<uint8_t>(0x60 + i),
                              static_cast<uint8_t>(0xb0 + i)};
        ikm2 += HexEncode(std::span<const uint8_t>(&b[0], 1));
        salt2 += HexEncode(std::span<const uint8_t>(&b[1], 1));
        info2 += HexEncode(std::span<const uint8_t>(&b[2], 1));
    }
    const Case cases[] = {
        {std::string(44, '0').replace(0, 44, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
         "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9",
         "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
        {ikm2, salt2, info2,
         "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c6"
         "5e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
        {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
         "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
    };
    for (const Case& c : cases) {
        std::vector<uint8_t> okm(c.okm.size() / 2);
        REQUIRE(HkdfSha256(Hex(c.ikm), Hex(c.salt), Hex(c.info), okm).ok());
        CHECK(HexEncode(okm) == c.okm);
    }
}

TEST_CASE("HKDF rejects an output longer than 255 blocks") {
    std::vector<uint8_t> okm(255 * 32 + 1);
    const uint8_t ikm[16] = {};
    CHECK(HkdfSha256(ikm, {}, {}, okm).IsInvalidArgument());
}

TEST_CASE("a zero-length salt and an all-zero 32-byte salt are the same HKDF") {
    const uint8_t ikm[16] = {1, 2, 3};
    const uint8_t zero_salt[32] = {};
    uint8_t a[16], b[16];
    REQUIRE(HkdfSha256(ikm, {}, {}, a).ok());
    REQUIRE(HkdfSha256(ikm, zero_salt, {}, b).ok());
    CHECK(std::equal(a, a + 16, b));
}

TEST_CASE("metadata v1.0 and v1.1 round-trip through encode and decode") {
    for (int tx = -127; tx <= 127; tx += 7) {
        for (const Metadata m : {Metadata::V10(static_cast<int8_t>(tx)),
                                 Metadata::V11(static_cast<int8_t>(tx), 0),
                                 Metadata::V11(static_cast<int8_t>(tx), 3)}) {
            auto bytes = EncodeMetadata(m);
            REQUIRE(bytes.ok());
            auto back = DecodeMetadata(*bytes);
            REQUIRE(back.ok());
            CHECK(*back == m);
        }
    }
    CHECK(HexOf(*EncodeMetadata(Metadata::V10(8))) == "40080000");
    CHECK(HexOf(*EncodeMetadata(Metadata::V11(-15, 3))) == "5cf10000");
}

TEST_CASE("metadata decoding rejects wrong lengths and unknown major versions") {
    const uint8_t three[3] = {0x40, 8, 0};
    const uint8_t five[5] = {0x40, 8, 0, 0, 0};
    const uint8_t major0[4] = {0x00, 8, 0, 0};
    const uint8_t major2[4] = {0x80, 8, 0, 0};
    CHECK(DecodeMetadata(three).status().IsCorruption());
    CHECK(DecodeMetadata(five).status().IsCorruption());
    CHECK(DecodeMetadata(major0).status().IsCorruption());
    CHECK(DecodeMetadata(major2).status().IsCorruption());
    // v1.0 has no confidence bits: whatever is there reads as lowest.
    const uint8_t v10_with_bits[4] = {0x4c, 8, 0, 0};
    CHECK(DecodeMetadata(v10_with_bits)->calibration_confidence == 0);
    CHECK(EncodeMetadata(Metadata{1, 0, 2, 0}).status().IsInvalidArgument());
    CHECK(EncodeMetadata(Metadata{4, 0, 0, 0}).status().IsInvalidArgument());
}

TEST_CASE("interval arithmetic: ENIN, rolling start, day and validity") {
    CHECK(*IntervalFromUnixSeconds(0) == 0);
    CHECK(*IntervalFromUnixSeconds(599) == 0);
    CHECK(*IntervalFromUnixSeconds(600) == 1);
    CHECK(*IntervalFromUnixSeconds(1585785600 + 599) == 2642976);
    CHECK(IntervalFromUnixSeconds(-1).status().IsInvalidArgument());
    CHECK(*IntervalFromUnixSeconds(int64_t{UINT32_MAX} * 600) == UINT32_MAX);
    CHECK(IntervalFromUnixSeconds(int64_t{UINT32_MAX} * 600 + 600).status().IsInvalidArgument());
    CHECK(RollingStartOf(2642976 + 143) == 2642976);
    CHECK(RollingStartOf(2642976 + 144) == 2642976 + 144);
    CHECK(DayOfInterval(2642976) == 18354);  // 2020-04-02

    TekValidity v{2642976, 144};
    CHECK(v.Check().ok());
    CHECK(v.Contains(2642976));
    CHECK(v.Contains(2642976 + 143));
    CHECK_FALSE(v.Contains(2642976 + 144));
    CHECK_FALSE(v.Contains(2642975));
    CHECK(v.Last() == 2642976 + 143);
    CHECK(TekValidity{0, 0}.Check().IsInvalidArgument());
    CHECK(TekValidity{0, 145}.Check().IsInvalidArgument());
    CHECK(TekValidity{UINT32_MAX, 2}.Check().IsInvalidArgument());
    CHECK(TekValidity{UINT32_MAX, 1}.Check().ok());
}

}  // namespace jejak
