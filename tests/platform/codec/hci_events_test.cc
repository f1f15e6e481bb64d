// HCI event decoders: the synthetic capture's events decode to the documented values, and
// every lying length (plen, num_reports, data_len, trailing bytes) is rejected.
#include <doctest/doctest.h>

#include <deque>

#include "codec_test_util.h"
#include "platform/codec/gaen_advert.h"
#include "platform/codec/hci.h"

namespace jejak {
namespace {

// Decoded spans point into their input, so test inputs live until the program ends.
const std::vector<uint8_t>& EventBytes(const char* hex) {
    static std::deque<std::vector<uint8_t>> keep;
    auto r = HexDecode(hex);
    REQUIRE(r.ok());
    keep.push_back(*r);
    return keep.back();
}

// Strips the H4 indicator and parses the event; REQUIREs success.
HciEvent Event(const std::vector<uint8_t>& h4) {
    REQUIRE(!h4.empty());
    REQUIRE(h4[0] == 0x04);
    auto e = ParseHciEvent(std::span<const uint8_t>(h4).subspan(1));
    REQUIRE(e.ok());
    return *e;
}

std::vector<AdvReport> Reports(const HciEvent& e, Status* error = nullptr) {
    std::vector<AdvReport> out;
    auto n = DecodeLeAdvertisingReports(e, [&](const AdvReport& r) { out.push_back(r); });
    if (error) *error = n.status();
    if (n.ok()) CHECK(*n == out.size());
    return out;
}

Status ReportError(const char* hex_without_h4) {
    const auto bytes = EventBytes(hex_without_h4);
    auto e = ParseHciEvent(bytes);
    if (!e.ok()) return e.status();
    size_t emitted = 0;
    auto n = DecodeLeAdvertisingReports(*e, [&](const AdvReport&) { ++emitted; });
    CHECK(emitted == (n.ok() ? *n : 0));
    return n.status();
}

}  // namespace

TEST_CASE("command complete carries opcode, status and return parameters") {
    const auto frames = testing::SyntheticFrames();
    REQUIRE(frames.size() == 32);
    auto cc = DecodeCommandComplete(Event(frames[1].h4));
    REQUIRE(cc.ok());
    CHECK(cc->opcode == kHciReset);
    CHECK(cc->status == 0);
    CHECK(cc->num_hci_commands == 1);
    CHECK(cc->return_params.empty());
    auto disallowed = DecodeCommandComplete(Event(frames[19].h4));
    REQUIRE(disallowed.ok());
    CHECK(disallowed->opcode == kHciLeSetRandomAddress);
    CHECK(disallowed->status == kHciCommandDisallowed);
    CHECK(HciStatusError(disallowed->opcode, disallowed->status).message().find("0x2005") !=
          std::string::npos);
}

TEST_CASE("return parameters decode with their sizes checked") {
    auto cc =
        *DecodeCommandComplete(*ParseHciEvent(EventBytes("0e0c0101100009"
                                                    "0d0009f1050d00")));
    auto v = DecodeReadLocalVersion(cc);
    REQUIRE(v.ok());
    CHECK(v->hci_version == 0x09);
    CHECK(v->hci_revision == 0x000D);
    CHECK(v->lmp_version == 0x09);
    CHECK(v->manufacturer == 0x05F1);
    CHECK(v->lmp_subversion == 0x000D);
    auto addr =
        DecodeReadBdAddr(*DecodeCommandComplete(*ParseHciEvent(EventBytes("0e0a01091000"
                                                                     "42000001aa00"))));
    REQUIRE(addr.ok());
    CHECK(addr->ToString() == "00:AA:01:00:00:42");
    auto features = DecodeLeReadLocalFeatures(
        *DecodeCommandComplete(*ParseHciEvent(EventBytes("0e0c01032000"
                                                    "ff1f000000000000"))));
    REQUIRE(features.ok());
    CHECK(*features == 0x1FFF);
    CHECK((*features & kLeFeatureExtendedAdvertising) != 0);
    auto buf =
        DecodeLeReadBufferSize(*DecodeCommandComplete(*ParseHciEvent(EventBytes("0e07010220001b0010"))));
    REQUIRE(buf.ok());
    CHECK(buf->acl_data_length == 0x1B);
    CHECK(buf->acl_num_packets == 0x10);
    auto tx = DecodeLeSetExtAdvParametersTxPower(
        *DecodeCommandComplete(*ParseHciEvent(EventBytes("0e0501362000f0"))));
    REQUIRE(tx.ok());
    CHECK(*tx == -16);
    auto max_len = DecodeLeReadMaxAdvDataLength(
        *DecodeCommandComplete(*ParseHciEvent(EventBytes("0e06013a2000fb00"))));
    CHECK(*max_len == 251);
    auto sets =
        DecodeLeReadNumAdvSets(*DecodeCommandComplete(*ParseHciEvent(EventBytes("0e05013b200010"))));
    CHECK(*sets == 16);
    // Too short for what the opcode promises: Corruption, never a read past the end.
    auto short_cc = *DecodeCommandComplete(*ParseHciEvent(EventBytes("0e0701011000090d00")));
    CHECK(DecodeReadLocalVersion(short_cc).status().IsCorruption());
    CHECK(DecodeReadLocalSupportedCommands(cc).status().IsCorruption());
    CHECK(DecodeLeRand(short_cc).status().IsCorruption());
    CHECK(DecodeLeReadBufferSize(*DecodeCommandComplete(*ParseHciEvent(EventBytes("0e050102200000"))))
              .status()
              .IsCorruption());
}

TEST_CASE("malformed command events are rejected") {
    CHECK(ParseHciEvent(EventBytes("0e")).status().IsCorruption());
    CHECK(ParseHciEvent(EventBytes("0e0401030c")).status().IsCorruption());    // plen says 4, 3 given
    CHECK(ParseHciEvent(EventBytes("0e0201030c00")).status().IsCorruption());  // plen says 2, 4 given
    CHECK(DecodeCommandComplete(*ParseHciEvent(EventBytes("0e020103"))).status().IsCorruption());
    CHECK(DecodeCommandComplete(*ParseHciEvent(EventBytes("0e03010320"))).status().IsCorruption());
    auto credit = DecodeCommandComplete(*ParseHciEvent(EventBytes("0e03010000")));
    REQUIRE(credit.ok());  // opcode 0x0000: only returns command credits
    CHECK(credit->num_hci_commands == 1);
    auto cs =
        DecodeCommandStatus(*ParseHciEvent(EventBytes("0f04010136"
                                                 "20")));
    REQUIRE(cs.ok());
    CHECK(cs->status == kHciUnknownCommand);
    CHECK(cs->opcode == kHciLeSetExtAdvParameters);
    CHECK(DecodeCommandStatus(*ParseHciEvent(EventBytes("0f03000136"))).status().IsCorruption());
    CHECK(DecodeCommandStatus(*ParseHciEvent(EventBytes("0e0401010c00"))).status().IsCorruption());
    CHECK(*DecodeHardwareError(*ParseHciEvent(EventBytes("100142"))) == 0x42);
    CHECK(DecodeHardwareError(*ParseHciEvent(EventBytes("1000"))).status().IsCorruption());
}

TEST_CASE("legacy and extended reports of the synthetic capture decode field by field") {
    const auto frames = testing::SyntheticFrames();
    REQUIRE(frames.size() == 32);
    auto legacy = Reports(Event(frames[16].h4));
    REQUIRE(legacy.size() == 1);
    CHECK_FALSE(legacy[0].extended);
    CHECK(legacy[0].event_type == kAdvNonconnInd);
    CHECK(legacy[0].addr_type == 1);
    CHECK(legacy[0].addr.ToString() == "0D:1E:2F:30:41:52");
    CHECK(legacy[0].rssi == -60);
    CHECK(legacy[0].data.size() == 31);
    auto g = ParseGaenAdvert(legacy[0].data);
    REQUIRE(g.has_value());
    CHECK(HexEncode(g->rpi) == "3c9a1de5dd6b02afa7fded7b570b3e56");
    CHECK(HexEncode(g->aem) == "c29211b1");

    auto ext = Reports(Event(frames[17].h4));
    REQUIRE(ext.size() == 1);
    CHECK(ext[0].extended);
    CHECK(ext[0].event_type == kExtPropsLegacyNonconn);
    CHECK(ext[0].DataStatus() == 0);
    CHECK(ext[0].addr.ToString() == "0D:1E:2F:30:41:52");
    CHECK(ext[0].rssi == -72);
    CHECK(ext[0].tx_power == 127);
    CHECK(ext[0].sid == 0xFF);
    CHECK(ext[0].data.size() == 28);
    CHECK(ParseGaenAdvert(ext[0].data) == g);

    // Not an advertising report: NotFound, so callers can tell it from damage.
    auto other = *ParseHciEvent(EventBytes("3e0201ff"));
    CHECK(DecodeLeAdvertisingReports(other, [](const AdvReport&) {}).status().IsNotFound());
    CHECK(DecodeLeAdvertisingReports(Event(frames[1].h4), [](const AdvReport&) {})
              .status()
              .IsNotFound());
}

TEST_CASE("several reports in one event are parsed as contiguous records") {
    // Two legacy reports: an empty SCAN_RSP (RSSI -40) and a 3-byte ADV_IND (RSSI -50).
    auto e =
        *ParseHciEvent(EventBytes("3e190202"
                             "04"
                             "00"
                             "010203040506"
                             "00"
                             "d8"
                             "00"
                             "01"
                             "aabbccddeeff"
                             "03"
                             "020106"
                             "ce"));
    auto r = Reports(e);
    REQUIRE(r.size() == 2);
    CHECK(r[0].event_type == kAdvScanRsp);
    CHECK(r[0].data.empty());
    CHECK(r[0].rssi == -40);
    CHECK(r[0].addr.ToString() == "06:05:04:03:02:01");
    CHECK(r[1].event_type == kAdvInd);
    CHECK(r[1].addr.ToString() == "FF:EE:DD:CC:BB:AA");
    CHECK(r[1].data.size() == 3);
    CHECK(r[1].rssi == -50);
}

TEST_CASE("lying report counts and lengths are rejected without emitting anything") {
    // Base: one legacy report with 3 data bytes (plen 0x0f).
    CHECK(ReportError("3e0f0201"
                      "03"
                      "01"
                      "010203040506"
                      "03"
                      "020106"
                      "c4")
              .ok());
    // num_reports says 2, only one present.
    CHECK(ReportError("3e0f0202"
                      "03"
                      "01"
                      "010203040506"
                      "03"
                      "020106"
                      "c4")
              .IsCorruption());
    // num_reports 0.
    CHECK(ReportError("3e020200").IsCorruption());
    CHECK(ReportError("3e0102").IsCorruption());
    // data_len runs past the end (swallows the RSSI).
    CHECK(ReportError("3e0f0201"
                      "03"
                      "01"
                      "010203040506"
                      "04"
                      "020106"
                      "c4")
              .IsCorruption());
    CHECK(ReportError("3e0f0201"
                      "03"
                      "01"
                      "010203040506"
                      "ff"
                      "020106"
                      "c4")
              .IsCorruption());
    // data_len too short: a trailing byte is left over.
    CHECK(ReportError("3e0f0201"
                      "03"
                      "01"
                      "010203040506"
                      "02"
                      "020106"
                      "c4")
              .IsCorruption());
    // Truncated inside the address.
    CHECK(ReportError("3e060201"
                      "03"
                      "01"
                      "0102")
              .IsCorruption());
    // Extended: 24 fixed bytes required per report.
    CHECK(ReportError("3e1a0d01"
                      "1000"
                      "01"
                      "010203040506"
                      "01"
                      "00"
                      "ff"
                      "7f"
                      "b8"
                      "0000"
                      "00"
                      "000000000000"
                      "00")
              .ok());
    CHECK(ReportError("3e190d01"
                      "1000"
                      "01"
                      "010203040506"
                      "01"
                      "00"
                      "ff"
                      "7f"
                      "b8"
                      "0000"
                      "00"
                      "000000000000")
              .IsCorruption());
    CHECK(ReportError("3e1a0d01"
                      "1000"
                      "01"
                      "010203040506"
                      "01"
                      "00"
                      "ff"
                      "7f"
                      "b8"
                      "0000"
                      "00"
                      "000000000000"
                      "01")
              .IsCorruption());
    // The real report with its plen bumped: ParseHciEvent already refuses it.
    CHECK(ReportError("3e100201"
                      "03"
                      "01"
                      "010203040506"
                      "03"
                      "020106"
                      "c4")
              .IsCorruption());
}

TEST_CASE("extended data status is exposed for reassembly decisions") {
    AdvReport r;
    r.extended = true;
    r.event_type = 0x0020;
    CHECK(r.DataStatus() == 1);
    r.event_type = 0x0040;
    CHECK(r.DataStatus() == 2);
    r.extended = false;
    CHECK(r.DataStatus() == 0);
}

}  // namespace jejak
