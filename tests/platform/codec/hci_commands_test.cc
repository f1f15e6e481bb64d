// HCI command encoders: byte-exact against the layouts of docs/BLE.md section 3 (Core Vol 4
// Part E) and the host->controller packets of the synthetic capture's frame list.
#include <doctest/doctest.h>

#include "platform/codec/gaen_advert.h"
#include "platform/codec/hci.h"
#include "platform/base/hex.h"

namespace jejak {
namespace {

std::string H(const std::vector<uint8_t>& v) { return HexEncode(v); }
std::string H(const Result<std::vector<uint8_t>>& r) {
    REQUIRE(r.ok());
    return HexEncode(*r);
}

BdAddr Addr(std::initializer_list<uint8_t> msb_first) {
    BdAddr a;
    size_t i = 6;
    for (uint8_t b : msb_first) a.bytes[--i] = b;
    return a;
}

}  // namespace

TEST_CASE("controller init commands match the documented bytes") {
    CHECK(H(EncodeReset()) == "01030c00");
    CHECK(H(EncodeReadLocalVersion()) == "01011000");
    CHECK(H(EncodeReadLocalSupportedCommands()) == "01021000");
    CHECK(H(EncodeReadBdAddr()) == "01091000");
    CHECK(H(EncodeLeReadBufferSize()) == "01022000");
    CHECK(H(EncodeLeReadLocalFeatures()) == "01032000");
    CHECK(H(EncodeLeRand()) == "01182000");
    CHECK(H(EncodeSetEventMask(kHciDefaultEventMask)) == "01010c08ffffffffff1f0020");
    CHECK(H(EncodeLeSetEventMask(kHciDefaultLeEventMask)) == "010120081f10000000000000");
}

TEST_CASE("enable commands for the legacy rotation sequence are byte-exact") {
    CHECK(H(EncodeLeSetScanEnable(false, false)) == "010c20020000");
    CHECK(H(EncodeLeSetScanEnable(true, false)) == "010c20020100");
    CHECK(H(EncodeLeSetScanEnable(true, true)) == "010c20020101");
    CHECK(H(EncodeLeSetAdvEnable(false)) == "010a200100");
    CHECK(H(EncodeLeSetAdvEnable(true)) == "010a200101");
}

TEST_CASE("addresses go on the wire least significant byte first") {
    const BdAddr a = Addr({0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x60});
    CHECK(a.ToString() == "1B:2C:3D:4E:5F:60");
    CHECK(H(EncodeLeSetRandomAddress(a)) == "01052006605f4e3d2c1b");
    CHECK(H(EncodeLeSetAdvSetRandomAddress(2, a)) == "0135200702605f4e3d2c1b");
}

TEST_CASE("advertising and scan parameters are 15 and 7 bytes in field order") {
    CHECK(H(EncodeLeSetAdvParameters(AdvParameters{})) == "0106200f4001b0010301000000000000000700");
    CHECK(H(EncodeLeSetScanParameters(ScanParameters{})) == "010b200700600030000000");
    AdvParameters p;
    p.type = kAdvScanInd;
    p.interval_min = 0x00A0;
    p.interval_max = 0x4000;
    p.peer_addr = Addr({1, 2, 3, 4, 5, 6});
    p.channel_map = 0x01;
    p.filter_policy = 0x03;
    CHECK(H(EncodeLeSetAdvParameters(p)) ==
          "0106200fa000004002010006050403020101"
          "03");
}

TEST_CASE("advertising data is always 1 + 31 bytes, zero padded") {
    GaenPayload g;
    REQUIRE(HexDecodeExact("8be6cd371c5c891604bfbe49df845096", g.rpi, "rpi").ok());
    REQUIRE(HexDecodeExact("72033874", g.aem, "aem").ok());
    CHECK(H(EncodeLeSetAdvData(BuildGaenAdvert(g))) ==
          "010820201f02011a03036ffd17166ffd8be6cd371c5c891604bfbe49df84509672033874");
    CHECK(H(EncodeLeSetAdvData({})) == "01082020" + std::string(64, '0'));
    const std::vector<uint8_t> three{0x02, 0x01, 0x06};
    CHECK(H(EncodeLeSetScanResponseData(three)) == "0109202003020106" + std::string(56, '0'));
    const std::vector<uint8_t> too_long(32, 0);
    const auto r = EncodeLeSetAdvData(too_long);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().IsInvalidArgument());
}

TEST_CASE("extended advertising commands match the Pixel 4 layouts") {
    ExtAdvParameters p;
    p.properties = kExtPropsLegacyScanInd;
    p.interval_min = 0x0190;
    p.interval_max = 0x01C2;
    p.tx_power = -15;
    CHECK(H(EncodeLeSetExtAdvParameters(p)) ==
          "01362019"
          "00"
          "1200"
          "900100"
          "c20100"
          "07"
          "01"
          "00"
          "000000000000"
          "00"
          "f1"
          "01"
          "00"
          "01"
          "00"
          "00");
    const std::vector<uint8_t> data{0x03, 0x03, 0x6F, 0xFD};
    CHECK(H(EncodeLeSetExtAdvData(1, data)) ==
          "0137200801030104"
          "03036ffd");
    CHECK(H(EncodeLeSetExtScanResponseData(1, {})) == "0138200401030100");
    CHECK_FALSE(EncodeLeSetExtAdvData(0, std::vector<uint8_t>(252, 0)).ok());
    const ExtAdvEnableSet sets[] = {{0, 0, 0}, {3, 0x0102, 5}};
    CHECK(H(EncodeLeSetExtAdvEnable(true, sets)) ==
          "0139200a0102"
          "00000000"
          "03020105");
    CHECK(H(EncodeLeSetExtAdvEnable(false, {})) ==
          "01392002"
          "0000");
    CHECK_FALSE(EncodeLeSetExtAdvEnable(true, {}).ok());
    CHECK(H(EncodeLeRemoveAdvSet(4)) == "013c200104");
    CHECK(H(EncodeLeClearAdvSets()) == "013d2000");
    CHECK(H(EncodeLeReadMaxAdvDataLength()) == "013a2000");
    CHECK(H(EncodeLeReadNumAdvSets()) == "013b2000");
}

TEST_CASE("extended scanning uses the 1M PHY block and the four enable fields") {
    ScanParameters s;
    s.interval = 0x0012;
    s.window = 0x0012;
    CHECK(H(EncodeLeSetExtScanParameters(s)) ==
          "01412008"
          "0000"
          "01"
          "00"
          "1200"
          "1200");
    CHECK(H(EncodeLeSetExtScanEnable(true, 2, 0x0064, 0x0001)) ==
          "014220060102"
          "6400"
          "0100");
}

TEST_CASE("controller status errors keep the opcode and the status") {
    const Status s = HciStatusError(kHciLeSetRandomAddress, kHciCommandDisallowed);
    CHECK(s.code() == StatusCode::kFailedPrecondition);
    CHECK(s.message() == "HCI LE Set Random Address (0x2005) failed: Command Disallowed (0x0C)");
    CHECK(HciStatusError(kHciLeSetAdvEnable, kHciInvalidParameters).IsInvalidArgument());
    CHECK(HciStatusError(kHciLeSetExtAdvParameters, kHciUnknownCommand).IsUnavailable());
    const Status other = HciStatusError(0xFC54, 0x3E);
    CHECK(other.IsIOError());
    CHECK(other.message().find("0xFC54") != std::string::npos);
    CHECK(other.message().find("0x3E") != std::string::npos);
}

}  // namespace jejak
