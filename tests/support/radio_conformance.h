// One conformance suite for every Radio (style rule 6): the same behaviours are checked on
// the simulated radio (sim_radio_test.cc) and on HciRadio against BlueZ's emulator
// (btvirt/btvirt_radio_test.cc). Two radios are needed: `a` advertises, `b` scans. `pump`
// lets time pass (advance a manual clock and poll, or sleep briefly); waits are bounded by a
// number of pumps, never by wall-clock assertions.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "platform/radio/radio.h"

namespace jejak::testing {

inline AdvertisingSet ConformanceSet(uint8_t tag) {
    AdvertisingSet set;
    set.address.bytes = {tag, 0x5A, 0x5B, 0x5C, 0x5D, 0x2E};
    // Minimal valid AD: Flags + 16-bit Service Data for 0xFD6F with 20 tagged bytes.
    set.payload = {0x02, 0x01, 0x1A, 0x17, 0x16, 0x6F, 0xFD};
    for (uint8_t i = 0; i < 20; ++i) set.payload.push_back(static_cast<uint8_t>(tag ^ i));
    return set;
}

class ConformanceLog {
public:
    Radio::AdvertCallback Sink() {
        return [this](const ReceivedAdvert& a) {
            std::lock_guard<std::mutex> lock(mu_);
            seen_[a.address.bytes].push_back(a.payload);
            ++total_;
        };
    }
    bool Heard(const AdvertisingSet& set) {
        std::lock_guard<std::mutex> lock(mu_);
        for (const auto& p : seen_[set.address.bytes]) {
            if (p == set.payload) return true;
        }
        return false;
    }
    size_t total() {
        std::lock_guard<std::mutex> lock(mu_);
        return total_;
    }
    std::vector<std::vector<uint8_t>> From(const AdvertisingSet& set) {
        std::lock_guard<std::mutex> lock(mu_);
        return seen_[set.address.bytes];
    }

private:
    std::mutex mu_;
    std::map<std::array<uint8_t, 6>, std::vector<std::vector<uint8_t>>> seen_;
    size_t total_ = 0;
};

inline bool PumpUntil(const std::function<void()>& pump, const std::function<bool()>& done) {
    for (int i = 0; i < 200 && !done(); ++i) pump();
    return done();
}

// Requests every radio must refuse, without touching the air.
inline void CheckRadioRefusals(Radio& a) {
    AdvertisingSet bad = ConformanceSet(1);
    bad.address.bytes[5] = 0xC0;  // static random, not an NRPA
    CHECK(a.StartAdvertising(bad, {}).IsInvalidArgument());
    bad = ConformanceSet(1);
    bad.payload.resize(32);
    CHECK(a.StartAdvertising(bad, {}).IsInvalidArgument());
    CHECK(a.StartAdvertising(ConformanceSet(1), {300, 200, -15}).IsInvalidArgument());
    CHECK(a.Rotate(ConformanceSet(1)).code() == StatusCode::kFailedPrecondition);
    CHECK(a.StartScanning({100, 200}, nullptr).IsInvalidArgument());
    CHECK(a.StopAdvertising().ok());  // stopping what is not running is fine
    CHECK(a.StopScanning().ok());
    CHECK_FALSE(a.GetStatus().advertising);
    CHECK_FALSE(a.GetStatus().scanning);
}

// Advertise, be heard, rotate, be heard with the new pair only, stop.
inline void CheckRadioConformance(Radio& a, Radio& b, const std::function<void()>& pump) {
    CheckRadioRefusals(a);
    const AdvertisingSet first = ConformanceSet(0x11), second = ConformanceSet(0x22);
    ConformanceLog log;
    REQUIRE(b.StartScanning({100, 100}, log.Sink()).ok());
    CHECK(b.GetStatus().scanning);
    REQUIRE(a.StartAdvertising(first, {}).ok());
    CHECK(a.StartAdvertising(second, {}).code() == StatusCode::kFailedPrecondition);
    CHECK(a.GetStatus().advertising);
    CHECK(a.GetStatus().advertised_address == first.address);
    CHECK(PumpUntil(pump, [&] { return log.Heard(first); }));
    REQUIRE(a.Rotate(second).ok());
    CHECK(a.GetStatus().advertised_address == second.address);
    CHECK(PumpUntil(pump, [&] { return log.Heard(second); }));
    for (const auto& p : log.From(first)) CHECK(p == first.payload);
    for (const auto& p : log.From(second)) CHECK(p == second.payload);
    CHECK(b.GetStatus().adverts_received >= 2);
    REQUIRE(a.StopAdvertising().ok());
    CHECK_FALSE(a.GetStatus().advertising);
    REQUIRE(b.StopScanning().ok());
    const size_t after_stop = log.total();
    for (int i = 0; i < 5; ++i) pump();
    CHECK(log.total() == after_stop);  // no callback after StopScanning returned
    CHECK_FALSE(b.GetStatus().scanning);
}

}  // namespace jejak::testing
