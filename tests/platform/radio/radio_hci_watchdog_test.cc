// HciRadio's watchdog against the scripted controller: a healthy controller is only probed;
// one that stops answering, reports a hardware error, sends garbage or stops reporting
// adverts is reset, re-initialised byte-exactly and given back the advertising and scanning
// the caller asked for.
#include <doctest/doctest.h>

#include <thread>

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

// Runs watchdog passes (bounded) until the radio has noticed the lost link and acted.
Status WatchdogUntilLinkHandled(HciRadio& radio) {
    Status st;
    for (int i = 0; i < 200; ++i) {
        st = radio.CheckWatchdog();
        if (!st.ok() || radio.GetStatus().controller_resets > 0) return st;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return st;
}

TEST_CASE("hci radio watchdog reopens a lost link and restores advertising") {
    ManualClock clock;
    auto first = std::make_unique<ScriptedController>();
    ScriptedController second;
    ExpectInit(*first);
    HciRadioOptions o = TestOptions();
    int reopened = 0;
    o.reopen = [&]() -> Result<std::unique_ptr<HciTransport>> {
        ++reopened;
        return second.TakeHostTransport();
    };
    auto radio = HciRadio::Open(first->TakeHostTransport(), clock, o);
    REQUIRE(radio.ok());
    const AdvertisingSet set = MakeSet(0x10);
    first->ExpectOk(SetAddressCmd(set));
    first->ExpectOk(kAdvParams);
    first->ExpectOk(SetDataCmd(set));
    first->ExpectOk(kAdvOn);
    REQUIRE((*radio)->StartAdvertising(set, {}).ok());
    first.reset();  // the controller goes away
    ExpectInit(second);
    second.ExpectOk(SetAddressCmd(set));
    second.ExpectOk(kAdvParams);
    second.ExpectOk(SetDataCmd(set));
    second.ExpectOk(kAdvOn);
    CHECK(WatchdogUntilLinkHandled(**radio).ok());
    CheckScriptFollowed(second);
    CHECK(reopened == 1);
    CHECK((*radio)->GetStatus().advertising);
    CHECK((*radio)->GetStatus().controller_resets == 1);
    second.ExpectOk(kAdvOff);
}

TEST_CASE("hci radio without a reopen function reports a lost link as unavailable") {
    ManualClock clock;
    auto ctrl = std::make_unique<ScriptedController>();
    ExpectInit(*ctrl);
    auto radio = HciRadio::Open(ctrl->TakeHostTransport(), clock, TestOptions());
    REQUIRE(radio.ok());
    ctrl.reset();
    const Status st = WatchdogUntilLinkHandled(**radio);
    CHECK(st.IsUnavailable());
    CHECK(st.message().find("link to controller lost") != std::string::npos);
    CHECK((*radio)->StartAdvertising(MakeSet(0x10), {}).IsUnavailable());
    CHECK((*radio)->GetStatus().last_error.IsUnavailable());
}

}  // namespace
}  // namespace jejak
