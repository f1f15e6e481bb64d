// The simulated ether and SimRadio: path-loss RSSI, duty cycle, packet loss, determinism
// under a seed, rotation consistency, cross-process delivery and hostile ether files.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "platform/codec/gaen_advert.h"
#include "platform/radio_spec/radio_spec.h"
#include "platform/sim/sim_radio.h"
#include "tests/support/radio_conformance.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

AdvertisingSet MakeSet(uint8_t seed) {
    AdvertisingSet set;
    set.address.bytes = {seed, 0x22, 0x33, 0x44, 0x55, 0x15};
    GaenPayload p;
    p.rpi.fill(seed);
    p.aem = {0x40, 0xF1, 0, 0};
    set.payload = BuildGaenAdvert(p);
    return set;
}

SimRadioConfig At(const std::string& dir, double x, uint64_t seed = 1) {
    SimRadioConfig c;
    c.ether_dir = dir;
    c.x_m = x;
    c.seed = seed;
    return c;
}

std::unique_ptr<SimRadio> Open(const SimRadioConfig& c, const Clock& clock) {
    auto r = SimRadio::Open(c, clock);
    REQUIRE(r.ok());
    return std::move(r).value();
}

struct Heard {
    std::vector<ReceivedAdvert> adverts;
    Radio::AdvertCallback Sink() {
        return [this](const ReceivedAdvert& a) { adverts.push_back(a); };
    }
};

// Runs one advertiser at distance `x` and a scanner at 0 for `seconds`, polling every
// `poll_s`; returns what the scanner heard.
std::vector<ReceivedAdvert> Session(const SimRadioConfig& adv_cfg, const SimRadioConfig& scan_cfg,
                                    ScanParams scan, int seconds, int poll_s = 1) {
    ManualClock clock(1'700'000'000'000'000);
    auto adv = Open(adv_cfg, clock);
    auto scanner = Open(scan_cfg, clock);
    REQUIRE(adv->StartAdvertising(MakeSet(7), {}).ok());
    Heard heard;
    REQUIRE(scanner->StartScanning(scan, heard.Sink()).ok());
    for (int t = 0; t < seconds; t += poll_s) {
        clock.Advance(int64_t{poll_s} * 1'000'000);
        REQUIRE(scanner->Poll().ok());
    }
    return heard.adverts;
}

// Independent count of advertising events in (start, start + seconds] inside scan windows.
size_t ExpectedEvents(int64_t start, int seconds, int64_t interval_us, ScanParams scan) {
    SimAdvertiserState s;
    s.address = MakeSet(7).address;
    s.since_unix_micros = start;
    s.interval_micros = interval_us;
    size_t n = 0;
    for (int64_t k = 0;; ++k) {
        const int64_t t = SimAdvertisingEventTime(s, k);
        if (t > start + int64_t{seconds} * 1'000'000) break;
        const int64_t phase = (t - start) % (int64_t{scan.interval_ms} * 1000);
        if (t > start && phase < int64_t{scan.window_ms} * 1000) ++n;
    }
    return n;
}

TEST_CASE("sim path loss follows the log-distance model") {
    CHECK(SimPathLossDb(1.0, 2.0) == doctest::Approx(40.05));
    CHECK(SimPathLossDb(10.0, 2.0) == doctest::Approx(60.05));
    CHECK(SimPathLossDb(10.0, 3.0) == doctest::Approx(70.05));
    CHECK(SimPathLossDb(0.0, 2.0) == doctest::Approx(20.05));  // clamped to 0.1 m
}

TEST_CASE("sim radio hears every event at full duty with RSSI from the path-loss model") {
    testing::ScratchDir dir("sim");
    const ScanParams full{300, 300};
    for (double x : {1.0, 10.0}) {
        CAPTURE(x);
        const auto heard = Session(At(dir.str(), x), At(dir.str(), 0), full, 10);
        REQUIRE(heard.size() == ExpectedEvents(1'700'000'000'000'000, 10, 235'000, full));
        const long expected_rssi = std::lround(-15 - SimPathLossDb(x, 2.0));
        for (const auto& a : heard) {
            CHECK(a.rssi_dbm == expected_rssi);
            CHECK(a.payload == MakeSet(7).payload);
            CHECK(a.address == MakeSet(7).address);
            CHECK(a.pdu_type == 0x03);
        }
        CHECK(heard.front().unix_micros > 1'700'000'000'000'000);
        CHECK(heard.back().unix_micros <= 1'700'000'010'000'000);
    }
}

TEST_CASE("sim radio hears only the events inside its scan windows") {
    testing::ScratchDir dir("sim");
    const ScanParams third{300, 100};
    const auto heard = Session(At(dir.str(), 1), At(dir.str(), 0), third, 30);
    const size_t expected = ExpectedEvents(1'700'000'000'000'000, 30, 235'000, third);
    CHECK(heard.size() == expected);
    CHECK(expected < ExpectedEvents(1'700'000'000'000'000, 30, 235'000, {300, 300}) / 2);
}

TEST_CASE("sim radio drops adverts below its sensitivity floor") {
    testing::ScratchDir dir("sim");
    SimRadioConfig scanner = At(dir.str(), 0);
    scanner.floor_dbm = -90;  // at 100 m: -15 - 80.05 = -95 dBm
    CHECK(Session(At(dir.str(), 100), scanner, {300, 300}, 10).empty());
    CHECK_FALSE(Session(At(dir.str(), 30), scanner, {300, 300}, 10).empty());
}

TEST_CASE("sim radio is deterministic under a seed, whatever the polling rhythm") {
    testing::ScratchDir dir("sim");
    SimRadioConfig scanner = At(dir.str(), 0, 42);
    scanner.noise_db = 4;
    scanner.loss = 0.3;
    const auto a = Session(At(dir.str(), 3), scanner, {300, 300}, 60, 1);
    const auto b = Session(At(dir.str(), 3), scanner, {300, 300}, 60, 20);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].unix_micros == b[i].unix_micros);
        CHECK(a[i].rssi_dbm == b[i].rssi_dbm);
    }
    scanner.seed = 43;
    const auto c = Session(At(dir.str(), 3), scanner, {300, 300}, 60, 1);
    bool differs = c.size() != a.size();
    for (size_t i = 0; !differs && i < a.size(); ++i) differs = a[i].rssi_dbm != c[i].rssi_dbm;
    CHECK(differs);
}

TEST_CASE("sim radio loses packets at the configured rate and spreads RSSI by the noise") {
    testing::ScratchDir dir("sim");
    SimRadioConfig scanner = At(dir.str(), 0, 9);
    scanner.loss = 0.5;
    scanner.noise_db = 4;
    const ScanParams full{300, 300};
    const auto heard = Session(At(dir.str(), 1), scanner, full, 600, 10);
    const double sent = static_cast<double>(ExpectedEvents(1'700'000'000'000'000, 600, 235'000,
                                                           full));
    const double kept = static_cast<double>(heard.size()) / sent;
    CHECK(kept > 0.45);
    CHECK(kept < 0.55);
    double sum = 0, sum2 = 0;
    for (const auto& a : heard) {
        sum += a.rssi_dbm;
        sum2 += static_cast<double>(a.rssi_dbm) * a.rssi_dbm;
    }
    const double n = static_cast<double>(heard.size());
    const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
    CHECK(mean == doctest::Approx(-15 - 40.05).epsilon(0.01));
    CHECK(sd == doctest::Approx(4.0).epsilon(0.1));
}

TEST_CASE("sim radio rotation never pairs an address with another set's payload") {
    testing::ScratchDir dir("sim");
    ManualClock clock(1'700'000'000'000'000);
    auto adv = Open(At(dir.str(), 1), clock);
    auto scanner = Open(At(dir.str(), 0), clock);
    Heard heard;
    REQUIRE(scanner->StartScanning({300, 300}, heard.Sink()).ok());
    REQUIRE(adv->StartAdvertising(MakeSet(1), {}).ok());
    for (uint8_t i = 2; i <= 5; ++i) {
        clock.Advance(2'000'000);
        REQUIRE(scanner->Poll().ok());
        REQUIRE(adv->Rotate(MakeSet(i)).ok());
    }
    clock.Advance(2'000'000);
    REQUIRE(scanner->Poll().ok());
    std::set<uint8_t> seen;
    for (const auto& a : heard.adverts) {
        const uint8_t which = a.address.bytes[0];
        CHECK(a.payload == MakeSet(which).payload);
        seen.insert(which);
    }
    CHECK(seen == std::set<uint8_t>{1, 2, 3, 4, 5});
    CHECK(adv->GetStatus().advertised_address == MakeSet(5).address);
}

TEST_CASE("sim radio stops transmitting when advertising stops and does not hear itself") {
    testing::ScratchDir dir("sim");
    ManualClock clock(1'700'000'000'000'000);
    auto a = Open(At(dir.str(), 1), clock);
    Heard heard;
    REQUIRE(a->StartAdvertising(MakeSet(1), {}).ok());
    REQUIRE(a->StartScanning({300, 300}, heard.Sink()).ok());
    clock.Advance(5'000'000);
    REQUIRE(a->Poll().ok());
    CHECK(heard.adverts.empty());
    auto b = Open(At(dir.str(), 2), clock);
    REQUIRE(b->StartAdvertising(MakeSet(2), {}).ok());
    REQUIRE(b->StopAdvertising().ok());
    clock.Advance(5'000'000);
    REQUIRE(a->Poll().ok());
    CHECK(heard.adverts.empty());
}

TEST_CASE("sim radio applies the same request checks as the hardware radio") {
    testing::ScratchDir dir("sim");
    ManualClock clock;
    auto r = Open(At(dir.str(), 0), clock);
    AdvertisingSet bad = MakeSet(1);
    bad.address.bytes[5] = 0x80;
    CHECK(r->StartAdvertising(bad, {}).IsInvalidArgument());
    CHECK(r->Rotate(MakeSet(1)).code() == StatusCode::kFailedPrecondition);
    CHECK(r->StartScanning({100, 200}, nullptr).IsInvalidArgument());
    REQUIRE(r->StartAdvertising(MakeSet(1), {}).ok());
    CHECK(r->StartAdvertising(MakeSet(2), {}).code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("sim ether skips malformed files and files of dead processes") {
    testing::ScratchDir dir("sim");
    auto ether = SimEther::Open(dir.str());
    REQUIRE(ether.ok());
    std::ofstream(dir.str() + "/junk.adv") << "jejak-sim-advertiser 1\npid 1\naddress zz\n";
    SimAdvertiserState dead;
    dead.id = "dead";
    dead.pid = 0x3FFFFFF0;  // above pid_max: no such process
    dead.address = MakeSet(1).address;
    REQUIRE(ether->Publish(dead).ok());
    SimAdvertiserState live = dead;
    live.id = "live";
    live.pid = static_cast<int>(getpid());
    REQUIRE(ether->Publish(live).ok());
    auto snap = ether->Snapshot();
    REQUIRE(snap.ok());
    REQUIRE(snap->size() == 1);
    CHECK((*snap)[0].id == "live");
    CHECK(ether->skipped() == 1);
}

TEST_CASE("sim ether state files round-trip and reject tampering") {
    SimAdvertiserState s;
    s.id = "x";
    s.pid = 12;
    s.address = MakeSet(3).address;
    s.payload = MakeSet(3).payload;
    s.since_unix_micros = 123456789;
    s.x_m = 1.25;
    s.tx_power_dbm = -20;
    const std::string text = FormatSimAdvertiser(s);
    auto back = ParseSimAdvertiser("x", text);
    REQUIRE(back.ok());
    CHECK(back->payload == s.payload);
    CHECK(back->address == s.address);
    CHECK(back->x_m == 1.25);
    CHECK(back->tx_power_dbm == -20);
    std::string tampered = text;
    tampered.replace(tampered.find("tx -20"), 6, "tx 99");
    CHECK(ParseSimAdvertiser("x", tampered).status().IsCorruption());
    CHECK(ParseSimAdvertiser("x", text.substr(0, text.size() / 2)).status().IsCorruption());
}

TEST_CASE("sim radio delivers adverts across processes") {
    testing::ScratchDir dir("sim");
    int go[2];
    REQUIRE(pipe(go) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {  // advertiser process: advertise until the parent closes the pipe
        SystemClock clock;
        auto r = SimRadio::Open(At(dir.str(), 2), clock);
        if (!r.ok() || !(*r)->StartAdvertising(MakeSet(9), {}).ok()) _exit(2);
        char c;
        close(go[1]);
        (void)!read(go[0], &c, 1);
        _exit(0);
    }
    close(go[0]);
    SystemClock clock;
    auto scanner = Open(At(dir.str(), 0), clock);
    Heard heard;
    REQUIRE(scanner->StartScanning({100, 100}, heard.Sink()).ok());
    for (int i = 0; i < 500 && heard.adverts.empty(); ++i) {  // bounded: at most ~10 s
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        REQUIRE(scanner->Poll().ok());
    }
    close(go[1]);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    REQUIRE_FALSE(heard.adverts.empty());
    CHECK(heard.adverts[0].address == MakeSet(9).address);
    CHECK(heard.adverts[0].rssi_dbm == std::lround(-15 - SimPathLossDb(2, 2)));
}

TEST_CASE("sim radio opens from a spec string") {
    testing::ScratchDir dir("sim");
    SystemClock clock;
    auto radio = OpenRadio("sim:" + dir.str() + "?x=1&seed=3", clock);
    REQUIRE(radio.ok());
    CHECK((*radio)->GetStatus().description.find("sim " + dir.str()) == 0);
}

TEST_CASE("sim radio passes the radio conformance suite") {
    testing::ScratchDir dir("sim");
    ManualClock clock(1'700'000'000'000'000);
    auto a = Open(At(dir.str(), 1), clock);
    auto b = Open(At(dir.str(), 0), clock);
    testing::CheckRadioConformance(*a, *b, [&] {
        clock.Advance(250'000);
        REQUIRE(b->Poll().ok());
    });
}

}  // namespace
}  // namespace jejak
