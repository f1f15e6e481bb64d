// Controller faults on the H4 socketpair fake controller, byte for byte: a controller that
// reset itself (a storm of HCI Reset completions nobody asked for) is re-initialised and
// given back the very address and payload it advertised and its scan; a hung command is
// recovered the same way; and after either recovery a rotation still changes address and
// payload together, inside one scan pause.
#include <doctest/doctest.h>

#include "tests/platform/radio/radio_hci_fixture.h"

namespace jejak::testing {
namespace {

void ExpectRestore(ScriptedController& ctrl, const AdvertisingSet& set) {
    ExpectInit(ctrl);
    ctrl.ExpectOk(SetAddressCmd(set));
    ctrl.ExpectOk(kAdvParams);
    ctrl.ExpectOk(SetDataCmd(set));
    ctrl.ExpectOk(kAdvOn);
    ctrl.ExpectOk(kScanParams);
    ctrl.ExpectOk(kScanOn);
}

// scan off, adv off, address, data, adv on, scan on (docs/BLE.md section 5).
void ExpectRotation(ScriptedController& ctrl, const AdvertisingSet& next) {
    ctrl.ExpectOk(kScanOff);
    ctrl.ExpectOk(kAdvOff);
    ctrl.ExpectOk(SetAddressCmd(next));
    ctrl.ExpectOk(SetDataCmd(next));
    ctrl.ExpectOk(kAdvOn);
    ctrl.ExpectOk(kScanOn);
}

TEST_CASE("hci radio re-initialises a controller that reset itself and restores the same set; rotation still pairs address and payload") {
    Fixture f;
    const AdvertisingSet a = MakeSet(0x20);
    f.StartAdvertising(a);
    f.StartScanning([](const ReceivedAdvert&) {});
    // The controller resets on its own: a storm of Reset completions (some granting no
    // credit), then it answers the probe. The reader counts them in order, before the probe.
    std::vector<Bytes> storm;
    for (int i = 0; i < 20; ++i) storm.push_back(CommandCompletePacket(0x0C03, 0x00, {}, static_cast<uint8_t>(i % 2)));
    storm.push_back(CommandCompletePacket(0x1001, 0x00, kVersionRet));
    f.ctrl.Expect(kReadVersion, storm);
    CHECK(f.radio->CheckWatchdog().ok());
    // The next pass resets and restores exactly what was on air: no new address, no new RPI.
    ExpectRestore(f.ctrl, a);
    REQUIRE(f.radio->CheckWatchdog().ok());
    CheckScriptFollowed(f.ctrl);
    const RadioStatus s = f.radio->GetStatus();
    CHECK(s.controller_resets == 1);
    CHECK(s.advertising);
    CHECK(s.scanning);
    CHECK(s.advertised_address == a.address);
    // Healthy again: the next pass only probes.
    f.ctrl.ExpectOk(kReadVersion, kVersionRet);
    CHECK(f.radio->CheckWatchdog().ok());
    CHECK(f.radio->GetStatus().controller_resets == 1);
    // A rotation after the recovery: both change, in one sequence.
    const AdvertisingSet b = MakeSet(0x30);
    ExpectRotation(f.ctrl, b);
    REQUIRE(f.radio->Rotate(b).ok());
    CheckScriptFollowed(f.ctrl);
    CHECK(f.radio->GetStatus().advertised_address == b.address);
    f.ExpectTeardown(true, true);
}

TEST_CASE("hci radio: a rotation whose command never completes leaves advertising off; after the reset the next set goes on air whole") {
    Fixture f(TestOptions(100));
    const AdvertisingSet a = MakeSet(0x40);
    f.StartAdvertising(a);
    f.StartScanning([](const ReceivedAdvert&) {});
    const AdvertisingSet b = MakeSet(0x50);
    f.ctrl.ExpectOk(kScanOff);
    f.ctrl.ExpectOk(kAdvOff);
    f.ctrl.ExpectSilence(SetAddressCmd(b));  // hangs: no Command Complete
    f.ctrl.ExpectSilence(kScanOn);           // resuming the scan: still hung
    CHECK(f.radio->Rotate(b).IsTimeout());
    CHECK(f.ctrl.WaitDone(2000));
    // The watchdog resets; the old identity is never brought back (the caller decides).
    ExpectInit(f.ctrl);
    f.ctrl.ExpectOk(kScanParams);
    f.ctrl.ExpectOk(kScanOn);
    REQUIRE(f.radio->CheckWatchdog().ok());
    CheckScriptFollowed(f.ctrl);
    CHECK_FALSE(f.radio->GetStatus().advertising);
    CHECK(f.radio->GetStatus().scanning);
    // The daemon's retry: the set it tried to rotate to, address and payload together.
    f.ctrl.ExpectOk(kScanOff);
    f.ctrl.ExpectOk(SetAddressCmd(b));
    f.ctrl.ExpectOk(kAdvParams);
    f.ctrl.ExpectOk(SetDataCmd(b));
    f.ctrl.ExpectOk(kAdvOn);
    f.ctrl.ExpectOk(kScanOn);
    REQUIRE(f.radio->StartAdvertising(b, {}).ok());
    CheckScriptFollowed(f.ctrl);
    CHECK(f.radio->GetStatus().advertised_address == b.address);
    f.ExpectTeardown(true, true);
}

}  // namespace
}  // namespace jejak::testing
