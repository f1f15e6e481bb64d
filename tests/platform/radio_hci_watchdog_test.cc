// HciRadio's watchdog against the scripted controller: a healthy controller is only probed;
// one that stops answering, reports a hardware error, sends garbage or stops reporting
// adverts is reset, re-initialised byte-exactly and given back the advertising and scanning
// the caller asked for.
#include <doctest/doctest.h>

#include "radio_hci_fixture.h"

namespace jejak {
namespace {

using namespace testing;  // NOLINT: the fixture's vocabulary

TEST_CASE("hci radio watchdog probes a healthy controller and changes nothing") {
    Fixture f;
    f.ctrl.ExpectOk(kReadVersion, kVersionRet);
    CHECK(f.radio->CheckWatchdog().ok());
    CheckScriptFollowed(f.ctrl);
    CHECK(f.radio->GetStatus().controller_resets == 0);
}

TEST_CASE("hci radio watchdog resets a silent controller and restores adv and scan") {
    Fixture f(TestOptions(100));
    const AdvertisingSet a = MakeSet(0x10);
    f.StartAdvertising(a);
    f.StartScanning([](const ReceivedAdvert&) {});
    f.ctrl.ExpectSilence(kScanOff);
    CHECK(f.radio->StopScanning().IsTimeout());
    ExpectInit(f.ctrl);
    f.ctrl.ExpectOk(SetAddressCmd(a));
    f.ctrl.ExpectOk(kAdvParams);
    f.ctrl.ExpectOk(SetDataCmd(a));
    f.ctrl.ExpectOk(kAdvOn);
    REQUIRE(f.radio->CheckWatchdog().ok());
    CheckScriptFollowed(f.ctrl);
    const RadioStatus s = f.radio->GetStatus();
    CHECK(s.controller_resets == 1);
    CHECK(s.advertising);
    CHECK_FALSE(s.scanning);  // the caller had asked to stop scanning
    f.ExpectTeardown(true, false);
}

TEST_CASE("hci radio watchdog resets a controller that stopped reporting adverts") {
    HciRadioOptions o = TestOptions();
    o.report_silence_ms = 60'000;
    Fixture f(o);
    f.StartScanning([](const ReceivedAdvert&) {});
    f.ctrl.ExpectOk(kReadVersion, kVersionRet);
    CHECK(f.radio->CheckWatchdog().ok());  // 0 s of silence: fine
    f.clock.Advance(61'000'000);
    f.ctrl.ExpectOk(kReadVersion, kVersionRet);
    ExpectInit(f.ctrl);
    f.ctrl.ExpectOk(kScanParams);
    f.ctrl.ExpectOk(kScanOn);
    REQUIRE(f.radio->CheckWatchdog().ok());
    CheckScriptFollowed(f.ctrl);
    CHECK(f.radio->GetStatus().controller_resets == 1);
    CHECK(f.radio->GetStatus().scanning);
    f.ExpectTeardown(false, true);
}

TEST_CASE("hci radio watchdog resets after garbage on the link") {
    Fixture f;
    // The probe's answer arrives after garbage; the reader handles bytes in order, so the
    // garbage is counted by the time the probe completes, and the next pass resets.
    f.ctrl.Expect(kReadVersion, {HexBytes("ee ee ee"), CommandCompletePacket(0x1001, 0,
                                                                             kVersionRet)});
    CHECK(f.radio->CheckWatchdog().ok());
    CHECK(f.radio->GetStatus().controller_resets == 0);
    ExpectInit(f.ctrl);
    CHECK(f.radio->CheckWatchdog().ok());
    CheckScriptFollowed(f.ctrl);
    CHECK(f.radio->GetStatus().controller_resets == 1);
}

TEST_CASE("hci radio watchdog resets a controller that reported a hardware error") {
    Fixture f;
    f.ctrl.Expect(kReadVersion, {HexBytes("04 10 01 00"), CommandCompletePacket(0x1001, 0,
                                                                               kVersionRet)});
    CHECK(f.radio->CheckWatchdog().ok());
    ExpectInit(f.ctrl);
    CHECK(f.radio->CheckWatchdog().ok());
    CheckScriptFollowed(f.ctrl);
    CHECK(f.radio->GetStatus().controller_resets == 1);
}

TEST_CASE("hci radio treats a failing Command Status as the command's answer") {
    Fixture f;
    f.ctrl.Expect(SetAddressCmd(MakeSet(0x10)), {testing::CommandStatusPacket(0x2005, 0x01)});
    const Status unknown = f.radio->StartAdvertising(MakeSet(0x10), {});
    CHECK(unknown.IsUnavailable());  // 0x01 Unknown HCI Command, kept with its opcode
    CHECK(unknown.message().find("0x2005") != std::string::npos);
    CheckScriptFollowed(f.ctrl);
    CHECK_FALSE(f.radio->GetStatus().advertising);
}

}  // namespace
}  // namespace jejak
