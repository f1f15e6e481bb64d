// HciRadio against the scripted controller: every command byte-exact, for init, advertising,
// rotation, scanning, controller errors (0x0C, 0x01, 0x12), timeouts, command credits,
// fragments and garbage (the watchdog has its own file). The rotation rule under test: the address never changes without the payload
// and vice versa, and a failed rotation leaves advertising off.
#include <doctest/doctest.h>

#include <condition_variable>

#include <mutex>
#include <thread>

#include "radio_hci_fixture.h"

namespace jejak {
namespace {

using namespace testing;  // NOLINT: the fixture's vocabulary

TEST_CASE("hci radio initialises the controller with the exact command sequence") {
    Fixture f;
    CheckScriptFollowed(f.ctrl);
    const ControllerInfo info = f.radio->controller_info();
    CHECK(info.hci_version == 9);
    CHECK(info.manufacturer == 0x05F1);
    CHECK_FALSE(info.extended_advertising);
    CHECK(f.radio->GetStatus().description.find("manufacturer 0x05f1") != std::string::npos);
}

TEST_CASE("hci radio detects extended advertising support from LE feature bit 12") {
    ManualClock clock;
    ScriptedController ctrl;
    ExpectInit(ctrl, HexBytes("0b10000000000000"));
    auto radio = HciRadio::Open(ctrl.TakeHostTransport(), clock, TestOptions());
    REQUIRE(radio.ok());
    CHECK((*radio)->controller_info().extended_advertising);
    CHECK((*radio)->GetStatus().extended_advertising_supported);
}

TEST_CASE("hci radio refuses a controller that answers Unknown Command to LE features") {
    ManualClock clock;
    ScriptedController ctrl;
    ctrl.ExpectOk(kReset);
    ctrl.ExpectOk(kReadVersion, kVersionRet);
    ctrl.ExpectStatus(kLeFeatures, 0x01);
    auto radio = HciRadio::Open(ctrl.TakeHostTransport(), clock, TestOptions());
    REQUIRE_FALSE(radio.ok());
    CHECK(radio.status().IsUnavailable());
    CHECK(radio.status().message().find("does not support Bluetooth LE") != std::string::npos);
    CHECK(radio.status().message().find("0x2003") != std::string::npos);
    CheckScriptFollowed(ctrl);
}

TEST_CASE("hci radio times out on a controller that never answers reset") {
    ManualClock clock;
    ScriptedController ctrl;
    ctrl.ExpectSilence(kReset);
    auto radio = HciRadio::Open(ctrl.TakeHostTransport(), clock, TestOptions(50));
    REQUIRE_FALSE(radio.ok());
    CHECK(radio.status().IsTimeout());
    CHECK(radio.status().message().find("Reset") != std::string::npos);
}

TEST_CASE("hci radio waits for a command credit when the controller grants none") {
    ManualClock clock;
    ScriptedController ctrl;
    ctrl.Expect(kReset, {CommandCompletePacket(0x0C03, 0x00, {}, /*ncmd=*/0)});
    auto radio = HciRadio::Open(ctrl.TakeHostTransport(), clock, TestOptions(50));
    REQUIRE_FALSE(radio.ok());
    CHECK(radio.status().IsTimeout());
    CHECK(radio.status().message().find("credit") != std::string::npos);
    CHECK(ctrl.received().size() == 1);  // Read Local Version was never sent
}

TEST_CASE("hci radio sends the next command once a no-op event returns the credit") {
    ManualClock clock;
    ScriptedController ctrl;
    ctrl.Expect(kReset, {CommandCompletePacket(0x0C03, 0x00, {}, /*ncmd=*/0),
                         HexBytes("04 0e 03 01 00 00")});  // Command Complete, opcode 0x0000
    ctrl.ExpectOk(kReadVersion, kVersionRet);
    ctrl.ExpectOk(kLeFeatures, HexBytes("0b00000000000000"));
    ctrl.ExpectOk(kEventMask);
    ctrl.ExpectOk(kLeEventMask);
    auto radio = HciRadio::Open(ctrl.TakeHostTransport(), clock, TestOptions());
    REQUIRE(radio.ok());
    CheckScriptFollowed(ctrl);
}

TEST_CASE("hci radio reads fragmented answers with garbage in between") {
    ManualClock clock;
    ScriptedController ctrl;
    ctrl.Expect(kReset, {HexBytes("ff 00 7e"), CommandCompletePacket(0x0C03, 0)}, true);
    ctrl.Expect(kReadVersion, {CommandCompletePacket(0x1001, 0, kVersionRet)}, true);
    ctrl.ExpectOk(kLeFeatures, HexBytes("0b00000000000000"));
    ctrl.ExpectOk(kEventMask);
    ctrl.ExpectOk(kLeEventMask);
    auto radio = HciRadio::Open(ctrl.TakeHostTransport(), clock, TestOptions());
    REQUIRE(radio.ok());
    CheckScriptFollowed(ctrl);
}

TEST_CASE("hci radio starts non-connectable advertising byte-exactly") {
    Fixture f;
    const AdvertisingSet set = MakeSet(0x10);
    f.StartAdvertising(set);
    CheckScriptFollowed(f.ctrl);
    const RadioStatus s = f.radio->GetStatus();
    CHECK(s.advertising);
    CHECK(s.advertised_address == set.address);
    CHECK(f.radio->StartAdvertising(set, {}).code() == StatusCode::kFailedPrecondition);
    f.ExpectTeardown(true, false);
}

TEST_CASE("hci radio refuses addresses that are not non-resolvable private") {
    Fixture f;
    AdvertisingSet set = MakeSet(0x10);
    set.address.bytes[5] = 0xC5;  // static random
    CHECK(f.radio->StartAdvertising(set, {}).IsInvalidArgument());
    set.address.bytes = {0, 0, 0, 0, 0, 0};
    CHECK(f.radio->StartAdvertising(set, {}).IsInvalidArgument());
    CHECK(f.ctrl.received().size() == 5);  // init only: nothing sent for bad requests
}

TEST_CASE("hci radio rotates address and payload together while scanning") {
    Fixture f;
    const AdvertisingSet a = MakeSet(0x10), b = MakeSet(0x20);
    f.StartAdvertising(a);
    f.StartScanning([](const ReceivedAdvert&) {});
    f.ctrl.ExpectOk(kScanOff);
    f.ctrl.ExpectOk(kAdvOff);
    f.ctrl.ExpectOk(SetAddressCmd(b));
    f.ctrl.ExpectOk(SetDataCmd(b));
    f.ctrl.ExpectOk(kAdvOn);
    f.ctrl.ExpectOk(kScanOn);
    REQUIRE(f.radio->Rotate(b).ok());
    CheckScriptFollowed(f.ctrl);
    CHECK(f.radio->GetStatus().advertised_address == b.address);
    CHECK(f.radio->GetStatus().scanning);
    f.ExpectTeardown(true, true);
}

// Between any two enables, the address and the data must both have been rewritten.
TEST_CASE("hci radio never changes address without payload in a recorded session") {
    Fixture f;
    f.StartAdvertising(MakeSet(1));
    for (uint8_t i = 2; i < 6; ++i) {
        const AdvertisingSet s = MakeSet(static_cast<uint8_t>(i * 16));
        f.ctrl.ExpectOk(kAdvOff);
        f.ctrl.ExpectOk(SetAddressCmd(s));
        f.ctrl.ExpectOk(SetDataCmd(s));
        f.ctrl.ExpectOk(kAdvOn);
        REQUIRE(f.radio->Rotate(s).ok());
    }
    CheckScriptFollowed(f.ctrl);
    bool addr = false, data = false, off = true;
    for (const Bytes& cmd : f.ctrl.received()) {
        const uint16_t op = static_cast<uint16_t>(cmd[1] | cmd[2] << 8);
        if (op == 0x2005) addr = true;
        if (op == 0x2008) data = true;
        if ((op == 0x2005 || op == 0x2008)) CHECK(off);  // only changed while off
        if (op == 0x200A && cmd[4] == 0x00) off = true;
        if (op == 0x200A && cmd[4] == 0x01) {
            CHECK(addr);
            CHECK(data);
            addr = data = off = false;
        }
    }
    f.ExpectTeardown(true, false);
}

TEST_CASE("hci radio leaves advertising off when the controller disallows the new address") {
    Fixture f;
    f.StartAdvertising(MakeSet(0x10));
    f.StartScanning([](const ReceivedAdvert&) {});
    const AdvertisingSet b = MakeSet(0x20);
    f.ctrl.ExpectOk(kScanOff);
    f.ctrl.ExpectOk(kAdvOff);
    f.ctrl.ExpectStatus(SetAddressCmd(b), 0x0C);  // Command Disallowed
    f.ctrl.ExpectOk(kScanOn);                     // scanning resumes; advertising stays off
    const Status st = f.radio->Rotate(b);
    CHECK(st.code() == StatusCode::kFailedPrecondition);
    CHECK(st.message().find("LE Set Random Address") != std::string::npos);
    CHECK(st.message().find("0x0C") != std::string::npos);
    CheckScriptFollowed(f.ctrl);
    const RadioStatus s = f.radio->GetStatus();
    CHECK_FALSE(s.advertising);
    CHECK(s.scanning);
    CHECK(s.last_error.message() == st.message());
    f.ExpectTeardown(false, true);
}

TEST_CASE("hci radio does not re-enable advertising when the new data is rejected") {
    Fixture f;
    f.StartAdvertising(MakeSet(0x10));
    const AdvertisingSet b = MakeSet(0x20);
    f.ctrl.ExpectOk(kAdvOff);
    f.ctrl.ExpectOk(SetAddressCmd(b));
    f.ctrl.ExpectStatus(SetDataCmd(b), 0x12);
    CHECK(f.radio->Rotate(b).IsInvalidArgument());
    CheckScriptFollowed(f.ctrl);
    CHECK_FALSE(f.radio->GetStatus().advertising);
    CHECK(f.radio->Rotate(b).code() == StatusCode::kFailedPrecondition);  // must restart
}

TEST_CASE("hci radio tolerates Command Disallowed when disabling what is already off") {
    Fixture f;
    f.StartAdvertising(MakeSet(0x10));
    f.ctrl.ExpectStatus(kAdvOff, 0x0C);
    CHECK(f.radio->StopAdvertising().ok());
    CHECK(f.radio->StopAdvertising().ok());  // nothing sent the second time
    CheckScriptFollowed(f.ctrl);
}

TEST_CASE("hci radio scans passively and delivers adverts with clock timestamps") {
    Fixture f;
    std::mutex mu;
    std::condition_variable arrived;
    std::vector<ReceivedAdvert> got;
    f.StartScanning([&](const ReceivedAdvert& a) {
        std::lock_guard<std::mutex> lock(mu);
        got.push_back(a);
        arrived.notify_all();
    });
    // Waits (bounded, on a condition, not a fixed sleep) until the reader thread has
    // delivered `n` adverts: the clock may only move once a report has been stamped.
    auto wait_for = [&](size_t n) {
        std::unique_lock<std::mutex> lock(mu);
        return arrived.wait_for(lock, std::chrono::seconds(10), [&] { return got.size() >= n; });
    };
    const AdvertisingSet peer = MakeSet(0x30);
    const Bytes addr(peer.address.bytes.begin(), peer.address.bytes.end());
    f.ctrl.Inject(AdvReportPacket(0x03, 0x01, addr, peer.payload, -61), /*fragment=*/true);
    f.ctrl.Inject(HexBytes("00 ff"));  // garbage between packets
    f.ctrl.Inject(HexBytes("04 3e 0c 02 01 03 01 010203040506 05 00 c4"));  // data_len lies
    REQUIRE(wait_for(1));
    f.clock.Advance(5'000'000);
    f.ctrl.Inject(AdvReportPacket(0x02, 0x01, addr, HexBytes("020106"), -70));
    f.ctrl.ExpectOk(kScanOff);
    REQUIRE(wait_for(2));
    REQUIRE(f.radio->StopScanning().ok());
    CheckScriptFollowed(f.ctrl);
    std::lock_guard<std::mutex> lock(mu);
    REQUIRE(got.size() == 2);
    CHECK(got[0].address == peer.address);
    CHECK(got[0].pdu_type == 0x03);
    CHECK(got[0].rssi_dbm == -61);
    CHECK(got[0].payload == peer.payload);
    CHECK(ParseGaenAdvert(got[0].payload).has_value());
    CHECK(got[0].unix_micros == 1'600'000'000'000'000);
    CHECK(got[1].pdu_type == 0x02);
    CHECK(got[1].unix_micros == 1'600'000'005'000'000);
    CHECK(f.radio->GetStatus().adverts_received == 2);
    CHECK(f.radio->GetStatus().malformed_reports == 1);  // the lying report, counted
}

}  // namespace
}  // namespace jejak
