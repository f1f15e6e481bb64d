// AD structures and the GAEN advert: builder output is the spec's 31/28 bytes; the scanner
// accepts the phone payloads with or without Flags and rejects everything else.
#include <doctest/doctest.h>

#include <deque>

#include "platform/codec/ad.h"
#include "platform/codec/gaen_advert.h"
#include "platform/base/hex.h"

namespace jejak {
namespace {

// Parsed spans point into their input, so test inputs live until the program ends.
const std::vector<uint8_t>& Bytes(const std::string& hex) {
    static std::deque<std::vector<uint8_t>> keep;
    auto r = HexDecode(hex);
    REQUIRE(r.ok());
    keep.push_back(*r);
    return keep.back();
}

GaenPayload Payload(const char* rpi, const char* aem) {
    GaenPayload p;
    REQUIRE(HexDecodeExact(rpi, p.rpi, "rpi").ok());
    REQUIRE(HexDecodeExact(aem, p.aem, "aem").ok());
    return p;
}

}  // namespace

TEST_CASE("the GAEN advert is 31 bytes with Flags and 28 without") {
    const auto p = Payload("8be6cd371c5c891604bfbe49df845096", "72033874");
    CHECK(HexEncode(BuildGaenAdvert(p)) ==
          "02011a03036ffd17166ffd8be6cd371c5c891604bfbe49df84509672033874");
    CHECK(HexEncode(BuildGaenAdvert(p, false)) ==
          "03036ffd17166ffd8be6cd371c5c891604bfbe49df84509672033874");
    CHECK(ParseGaenAdvert(BuildGaenAdvert(p)) == p);
    CHECK(ParseGaenAdvert(BuildGaenAdvert(p, false)) == p);
}

TEST_CASE("a captured phone payload yields its RPI and AEM") {
    // PROTOCOL.md 2.1: SCAPY test payload captured from a phone.
    const auto ad = Bytes("02011a03036ffd17166ffde23f352fa09307a85d4194912443180d484dc151");
    const auto g = ParseGaenAdvert(ad);
    REQUIRE(g.has_value());
    CHECK(HexEncode(g->rpi) == "e23f352fa09307a85d4194912443180d");
    CHECK(HexEncode(g->aem) == "484dc151");
}

TEST_CASE("the scanner keys on FD6F service data of exactly 20 bytes") {
    const std::string sd = "8be6cd371c5c891604bfbe49df84509672033874";
    // Service data alone, other structures around it, zero padding after it: accepted.
    CHECK(ParseGaenAdvert(Bytes("17166ffd" + sd)).has_value());
    CHECK(ParseGaenAdvert(Bytes("020106"
                                "17166ffd" +
                                sd + "0000"))
              .has_value());
    CHECK(ParseGaenAdvert(Bytes("0909"
                                "4a656a616b313233"
                                "17166ffd" +
                                sd))
              .has_value());
    // Wrong UUID, wrong type, 19 or 21 bytes: not GAEN.
    CHECK_FALSE(ParseGaenAdvert(Bytes("17166efd" + sd)).has_value());
    CHECK_FALSE(ParseGaenAdvert(Bytes("1716fd6f" + sd)).has_value());
    CHECK_FALSE(ParseGaenAdvert(Bytes("17ff6ffd" + sd)).has_value());
    CHECK_FALSE(ParseGaenAdvert(Bytes("16166ffd" + sd.substr(0, 38))).has_value());
    CHECK_FALSE(ParseGaenAdvert(Bytes("18166ffd" + sd + "00")).has_value());
    // UUID list without service data: not GAEN.
    CHECK_FALSE(ParseGaenAdvert(Bytes("02011a03036ffd")).has_value());
    CHECK_FALSE(ParseGaenAdvert({}).has_value());
    // A structure running past the end anywhere makes the whole AD untrusted.
    CHECK_FALSE(ParseGaenAdvert(Bytes("17166ffd" + sd + "05ff01")).has_value());
    CHECK_FALSE(ParseGaenAdvert(Bytes("17166ffd" + sd.substr(0, 38))).has_value());
    // The first of two GAEN structures wins.
    const auto two = ParseGaenAdvert(Bytes("17166ffd" + sd + "17166ffd" + std::string(40, 'a')));
    REQUIRE(two.has_value());
    CHECK(HexEncode(two->aem) == "72033874");
}

TEST_CASE("AD parsing walks structures, stops at zero padding and rejects overruns") {
    auto ad =
        ParseAd(Bytes("02011a03036ffd"
                      "00"
                      "ffff"));
    REQUIRE(ad.ok());
    REQUIRE(ad->size() == 2);
    CHECK((*ad)[0].type == kAdFlags);
    CHECK(HexEncode((*ad)[0].data) == "1a");
    CHECK((*ad)[1].type == kAdComplete16BitUuids);
    CHECK(HexEncode((*ad)[1].data) == "6ffd");
    auto bad = ParseAd(Bytes("02011a0403"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().IsCorruption());
    CHECK(ParseAd(Bytes("01")).status().IsCorruption());
    auto type_only = ParseAd(Bytes("01ff"));
    REQUIRE(type_only.ok());
    CHECK((*type_only)[0].data.empty());
    size_t seen = 0;
    CHECK(ForEachAdStructure(Bytes("020106020106"), [&](const AdStructure&) {
              ++seen;
              return false;
          }).ok());
    CHECK(seen == 1);
}

TEST_CASE("the AD builder refuses to pass its limit and stays unchanged") {
    AdBuilder b;
    CHECK(b.AddFlags(0x06).ok());
    const std::vector<uint8_t> name(26, 'x');
    CHECK(b.Add(kAdCompleteName, name).ok());  // 3 + 28 = 31
    CHECK(b.size() == 31);
    const Status full = b.AddFlags(0x06);
    CHECK(full.IsInvalidArgument());
    CHECK(b.size() == 31);
    AdBuilder ext(kExtAdPerCommandMax);
    CHECK(ext.Add(kAdManufacturerData, std::vector<uint8_t>(249, 1)).ok());
    CHECK_FALSE(ext.Add(kAdManufacturerData, {}).ok());
    AdBuilder huge(1000);
    CHECK(huge.Add(kAdManufacturerData, std::vector<uint8_t>(255, 1)).IsInvalidArgument());
    const uint16_t uuids[] = {0xFD6F, 0x180F};
    AdBuilder u;
    CHECK(u.AddComplete16BitUuids(uuids).ok());
    CHECK(HexEncode(u.bytes()) == "05036ffd0f18");
}

}  // namespace jejak
