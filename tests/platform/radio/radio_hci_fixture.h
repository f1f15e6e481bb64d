// Shared fixture for the HciRadio byte-exact suites (radio_hci_test.cc,
// radio_hci_watchdog_test.cc): the exact command bytes HciRadio must send, and a radio
// opened on a scripted controller that has already answered the init sequence.
#pragma once

#include <doctest/doctest.h>

#include "platform/codec/gaen_advert.h"
#include "platform/radio/hci_radio.h"
#include "tests/fakes/scripted_controller.h"

namespace jejak::testing {

inline const Bytes kReset = HexBytes("01 03 0c 00");
inline const Bytes kReadVersion = HexBytes("01 01 10 00");
inline const Bytes kLeFeatures = HexBytes("01 03 20 00");
inline const Bytes kEventMask = HexBytes("01 01 0c 08 ff ff ff ff ff 1f 00 20");
inline const Bytes kLeEventMask = HexBytes("01 01 20 08 1f 10 00 00 00 00 00 00");
inline const Bytes kVersionRet = HexBytes("09 0000 09 f105 0000");  // HCI 5.0, manufacturer 0x05F1
inline const Bytes kAdvParams = HexBytes("01 06 20 0f 4001 b001 03 01 00 000000000000 07 00");
inline const Bytes kAdvOn = HexBytes("01 0a 20 01 01");
inline const Bytes kAdvOff = HexBytes("01 0a 20 01 00");
inline const Bytes kScanParams = HexBytes("01 0b 20 07 00 e001 a000 00 00");  // 300 ms / 100 ms
inline const Bytes kScanOn = HexBytes("01 0c 20 02 01 00");                   // no duplicate filter
inline const Bytes kScanOff = HexBytes("01 0c 20 02 00 00");

inline AdvertisingSet MakeSet(uint8_t seed) {
    AdvertisingSet set;
    set.address.bytes = {seed, 0x22, 0x33, 0x44, 0x55, 0x15};  // NRPA: top bits 00
    GaenPayload p;
    for (size_t i = 0; i < 16; ++i) p.rpi[i] = static_cast<uint8_t>(seed + i);
    p.aem = {0x40, 0xF1, 0x00, 0x00};
    set.payload = BuildGaenAdvert(p);
    return set;
}

inline Bytes SetAddressCmd(const AdvertisingSet& s) {
    Bytes c = HexBytes("01 05 20 06");
    c.insert(c.end(), s.address.bytes.begin(), s.address.bytes.end());
    return c;
}

inline Bytes SetDataCmd(const AdvertisingSet& s) {
    Bytes c = HexBytes("01 08 20 20");
    c.push_back(static_cast<uint8_t>(s.payload.size()));
    c.insert(c.end(), s.payload.begin(), s.payload.end());
    c.resize(4 + 32, 0x00);
    return c;
}

inline void ExpectInit(ScriptedController& ctrl, const Bytes& features = HexBytes("0b00000000000000")) {
    ctrl.ExpectOk(kReset);
    ctrl.ExpectOk(kReadVersion, kVersionRet);
    ctrl.ExpectOk(kLeFeatures, features);
    ctrl.ExpectOk(kEventMask);
    ctrl.ExpectOk(kLeEventMask);
}

inline HciRadioOptions TestOptions(int timeout_ms = 2000) {
    HciRadioOptions o;
    o.command_timeout_ms = timeout_ms;
    o.reset_timeout_ms = timeout_ms;
    o.watchdog_period_ms = 0;  // tests run the watchdog by hand
    o.report_silence_ms = 0;
    return o;
}

inline void CheckScriptFollowed(ScriptedController& ctrl) {
    CHECK(ctrl.WaitDone(2000));
    CHECK(ctrl.failures().empty());
    for (const auto& f : ctrl.failures()) MESSAGE(f);
}

struct Fixture {
    ManualClock clock{1'600'000'000'000'000};
    ScriptedController ctrl;
    std::unique_ptr<HciRadio> radio;

    explicit Fixture(HciRadioOptions options = TestOptions()) {
        ExpectInit(ctrl);
        auto r = HciRadio::Open(ctrl.TakeHostTransport(), clock, options);
        REQUIRE(r.ok());
        radio = std::move(r).value();
    }
    void StartAdvertising(const AdvertisingSet& set) {
        ctrl.ExpectOk(SetAddressCmd(set));
        ctrl.ExpectOk(kAdvParams);
        ctrl.ExpectOk(SetDataCmd(set));
        ctrl.ExpectOk(kAdvOn);
        REQUIRE(radio->StartAdvertising(set, {}).ok());
    }
    void StartScanning(Radio::AdvertCallback cb) {
        ctrl.ExpectOk(kScanParams);
        ctrl.ExpectOk(kScanOn);
        REQUIRE(radio->StartScanning({}, std::move(cb)).ok());
    }
    // The radio disables what is still on when destroyed.
    void ExpectTeardown(bool adv, bool scan) {
        if (adv) ctrl.ExpectOk(kAdvOff);
        if (scan) ctrl.ExpectOk(kScanOff);
    }
};

}  // namespace jejak::testing
