// Daemon tests on a simulated ether with a ManualClock: two daemons see each other's RPIs,
// rotation changes address and payload together at interval boundaries, TEKs follow the UTC
// day, and the log never carries key material.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "agent/check/match_check.h"
#include "agent/daemon/daemon.h"
#include "agent/exposure/match.h"
#include "agent/exposure/match_resolve.h"
#include "gaen/risk/risk_score.h"
#include "gaen/keys/key_schedule.h"
#include "platform/codec/gaen_advert.h"
#include "platform/base/hex.h"
#include "platform/sim/sim_radio.h"
#include "storage/memory_store.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

constexpr int64_t kSecond = 1'000'000;
// 2026-11-27 10:05:00 UTC: five minutes into an interval.
constexpr int64_t kStartMicros = int64_t{1'795'773'900} * kSecond;

// One device: the shared daemon rig (SimRadio, MemoryStore, FakeRandom, Daemon) on the
// test's ManualClock, its radio set to -12 dBm and radiating -20 dBm.
struct Device : testing::DaemonRig {
    Device(const std::string& ether, double x, uint64_t seed, const Clock& clock,
           DaemonOptions o = {})
        : DaemonRig(seed) {
        SimRadioConfig c;
        c.ether_dir = ether;
        c.x_m = x;
        c.seed = seed;
        REQUIRE(OpenSimRadio(c, clock).ok());
        REQUIRE(OpenMemoryStore(clock).ok());
        o.tx_power_dbm = -12;             // the radio setting
        o.calibrated_tx_power_dbm = -20;  // what it radiates: the metadata's TX power
        StartDaemon(clock, o);
    }

    std::vector<StoredTek> Teks() {
        Result<std::vector<StoredTek>> teks = ReadTeks();
        REQUIRE(teks.ok());
        return std::move(teks).value();
    }

    std::vector<Sighting> Sightings() {
        Result<std::vector<Sighting>> all = ReadSightings();
        REQUIRE(all.ok());
        return std::move(all).value();
    }
};

// Every RPI the device's TEKs give, mapped to the TEK's AEMK index.
std::map<Rpi, size_t> RpisOf(const std::vector<StoredTek>& teks) {
    std::map<Rpi, size_t> rpis;
    for (size_t i = 0; i < teks.size(); ++i) {
        const Rpik rpik = DeriveRpik(teks[i].tek);
        for (uint32_t k = 0; k < teks[i].rolling_period; ++k) {
            rpis[*DeriveRpi(rpik, teks[i].rolling_start + k)] = i;
        }
    }
    return rpis;
}

void RunFor(ManualClock& clock, int seconds, std::vector<testing::DaemonRig*> devices,
            SimRadio* observer = nullptr) {
    const Status s = testing::RunDaemons(clock, seconds, devices, observer);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
}

// What `jejak match` would make of the receiver's store against the sender's TEKs (as
// confirmed-test diagnosis keys), scored with enx-sample.
struct ContactScore {
    int credited_s = 0;
    double score = 0;
    bool notify = false;
    int scans = 0;
};

ContactScore ScoreContact(Device& sender, Device& receiver) {
    std::vector<SightingRecord> records;
    for (const Sighting& s : receiver.Sightings()) records.push_back(ToSightingRecord(s));
    std::vector<DiagnosisKey> keys;
    for (const StoredTek& t : sender.Teks()) {
        DiagnosisKey k;
        k.key = t.tek;
        k.rolling_start_interval_number = t.rolling_start;
        k.rolling_period = t.rolling_period;
        k.report_type = ReportType::kConfirmedTest;
        keys.push_back(k);
    }
    const RpiIndex index(records, 3);
    Matcher matcher(index);
    matcher.Add(keys);
    const auto config = RiskPreset("enx-sample");
    REQUIRE(config.ok());
    ContactScore out;
    const auto exposures = ResolveKeyExposures(matcher.Finish(), records, config->window, false, nullptr);
    std::vector<ExposureWindow> windows;
    for (const KeyExposure& e : exposures) windows.insert(windows.end(), e.windows.begin(), e.windows.end());
    for (const ExposureWindow& w : windows) {
        for (const ScanInstance& s : w.scans) {
            out.credited_s += s.seconds_since_last_scan;
            ++out.scans;
        }
    }
    const auto days = ComputeDailySummaries(windows, *config, static_cast<uint32_t>(kStartMicros / kSecond / 86400));
    for (const DailySummary& d : days) out.score += d.total.score_sum;
    out.notify = Classify(days, *config).notify;
    return out;
}

}  // namespace

TEST_CASE("two continuously scanning daemons 20 cm apart for 30 minutes: credited 30 minutes, notify") {
    // Sim path loss at 0.2 m: 40.05 + 20 log10(0.2) = 26.07 dB; the simulated radio sends at
    // its configured -15 dBm, so the receiver hears RSSI round(-15 - 26.07) = -41, and the
    // attenuation from the -12 dBm in the metadata is 29 dB: immediate (<= 30, x1.5), with no
    // noise or loss. On air together from 10:05:00 for 1,800 s (ticks 10:05:01..10:35:00): the
    // receiver is credited the time it heard the sender (docs/scan-regimes.md), from the first
    // to the last advert stamped, in whole seconds: 1,800 s, one bin per UTC minute
    // 10:05..10:34 in one 30-minute window (and a second, if any, in 10:35's).
    // Score 1,800 x 1.5 = 2,700 >= 2,700: notify. Both directions.
    // (Regression: ticks to 10:34:59 only, 1,799 s, were credited 1,800 s because
    // every touched minute counted whole; now they are credited 1,799 s and do not notify.)
    testing::ScratchDir ether("daemon-contact30");
    ManualClock clock(kStartMicros);
    Device a(ether.path().string(), 0.0, 11, clock);
    Device b(ether.path().string(), 0.2, 12, clock);
    REQUIRE(a.daemon->Start().ok());
    REQUIRE(b.daemon->Start().ok());
    RunFor(clock, 1800, {&a, &b});
    REQUIRE(a.daemon->Stop().ok());
    REQUIRE(b.daemon->Stop().ok());
    for (auto [sender, receiver] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
        int64_t first = INT64_MAX, last = INT64_MIN;
        for (const Sighting& s : receiver->Sightings()) {
            CHECK(s.scan_regime == ScanRegime::kContinuous);
            CHECK(s.bin_seconds == 60);
            CHECK(s.max_rssi == -41);
            CHECK(s.min_rssi == -41);
            first = std::min(first, s.first_seen_unix_s);
            last = std::max(last, s.last_seen_unix_s);
        }
        const ContactScore c = ScoreContact(*sender, *receiver);
        CAPTURE(first);
        CAPTURE(last);
        CHECK(c.scans >= 30);
        CHECK(c.scans <= 31);
        CHECK(c.credited_s == last - first + 1);
        CHECK(c.credited_s == 1800);
        CHECK(c.score == doctest::Approx(2700));
        CHECK(c.notify);
    }
}

TEST_CASE("two continuously scanning daemons for 5 minutes: credited 5 minutes, no notification") {
    // On air from 10:05:00 for 300 s: credited the 300 s heard, x1.5 = 450 < 2,700.
    testing::ScratchDir ether("daemon-contact5");
    ManualClock clock(kStartMicros);
    Device a(ether.path().string(), 0.0, 13, clock);
    Device b(ether.path().string(), 0.2, 14, clock);
    REQUIRE(a.daemon->Start().ok());
    REQUIRE(b.daemon->Start().ok());
    RunFor(clock, 300, {&a, &b});
    REQUIRE(a.daemon->Stop().ok());
    REQUIRE(b.daemon->Stop().ok());
    const ContactScore c = ScoreContact(a, b);
    CHECK(c.credited_s == 300);
    CHECK(c.score == doctest::Approx(450));
    CHECK_FALSE(c.notify);
}

TEST_CASE("a duty-cycled daemon (4 s every 300 s) is credited by GAEN's rule") {
    // B scans 10:05:00-10:05:04, 10:10:00-04, ..., 10:30:00-04 (6 scans in 30 minutes) and
    // stops its radio in between. GAEN's secondsSinceLastScan: the first scan follows no
    // known scan -> 120 s; each later one 60 x min(5, floor(t/60) - floor(previous end/60))
    // = 60 x 5 = 300 s. Total 120 + 5 x 300 = 1,620 s (27 of the 30 minutes); x1.5 = 2,430
    // < 2,700, as a phone with the same duty cycle would score it.
    testing::ScratchDir ether("daemon-duty");
    ManualClock clock(kStartMicros);
    DaemonOptions duty;
    duty.scan_regime = ScanRegime::kDutyCycled;
    duty.scan_window_s = 4;
    duty.scan_period_s = 300;
    Device a(ether.path().string(), 0.0, 15, clock);
    Device b(ether.path().string(), 0.2, 16, clock, duty);
    REQUIRE(a.daemon->Start().ok());
    REQUIRE(b.daemon->Start().ok());
    RunFor(clock, 1799, {&a, &b});
    REQUIRE(a.daemon->Stop().ok());
    REQUIRE(b.daemon->Stop().ok());
    const std::vector<Sighting> seen = b.Sightings();
    std::set<int64_t> scan_minutes;
    for (const Sighting& s : seen) {
        CHECK(s.scan_regime == ScanRegime::kDutyCycled);
        CHECK(s.bin_seconds == 0);
        CHECK(s.first_seen_unix_s % 300 < 5);  // only inside the 4-s scans
        scan_minutes.insert(s.first_seen_unix_s / 60);
    }
    CHECK(scan_minutes.size() == 6);
    const ContactScore c = ScoreContact(a, b);
    CHECK(c.scans == 6);
    CHECK(c.credited_s == 1620);
    CHECK(c.score == doctest::Approx(2430));
    CHECK_FALSE(c.notify);
}

TEST_CASE("two daemons on one ether store sightings of each other's RPIs, every interval") {
    testing::ScratchDir ether("daemon-ether");
    ManualClock clock(kStartMicros);
    Device a(ether.path().string(), 0.0, 1, clock);
    Device b(ether.path().string(), 1.0, 2, clock);
    REQUIRE(a.daemon->Start().ok());
    REQUIRE(b.daemon->Start().ok());
    RunFor(clock, 1490, {&a, &b});  // 10:05 .. 10:29:50: intervals 10:00, 10:10, 10:20
    REQUIRE(a.daemon->Stop().ok());
    REQUIRE(b.daemon->Stop().ok());

    for (auto [self, other] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
        const std::vector<StoredTek> other_teks = other->Teks();
        REQUIRE(other_teks.size() == 1);
        const std::map<Rpi, size_t> other_rpis = RpisOf(other_teks);
        const std::map<Rpi, size_t> own_rpis = RpisOf(self->Teks());
        const std::vector<Sighting> seen = self->Sightings();
        REQUIRE_FALSE(seen.empty());
        std::set<Rpi> distinct;
        const Aemk aemk = DeriveAemk(other_teks[0].tek);
        for (const Sighting& s : seen) {
            CHECK(other_rpis.count(s.rpi) == 1);
            CHECK(own_rpis.count(s.rpi) == 0);
            auto metadata = DecodeMetadata(*DecryptMetadata(aemk, s.rpi, s.aem));
            REQUIRE(metadata.ok());
            // The calibrated power, not the radio's -12 dBm setting.
            CHECK(*metadata == Metadata::V10(-20));
            distinct.insert(s.rpi);
        }
        CHECK(distinct.size() == 3);  // one RPI per interval crossed
        const DaemonCounters c = self->daemon->Counters();
        CHECK(c.rotations == 2);
        CHECK(c.sightings_flushed == c.sightings_stored);
        CHECK(c.sightings_stored == seen.size());
    }
}

TEST_CASE("rotation at an interval boundary changes address and payload together") {
    testing::ScratchDir ether("daemon-rotate");
    ManualClock clock(kStartMicros);
    Device a(ether.path().string(), 0.0, 3, clock);
    SimRadioConfig oc;
    oc.ether_dir = ether.path().string();
    oc.x_m = 2.0;
    oc.seed = 9;
    auto observer = SimRadio::Open(oc, clock);
    REQUIRE(observer.ok());
    std::map<std::string, std::set<std::string>> payloads_by_address;
    std::map<std::string, std::set<std::string>> addresses_by_payload;
    REQUIRE((*observer)
                ->StartScanning(ScanParams{},
                                [&](const ReceivedAdvert& ad) {
                                    const std::string address = HexEncode(ad.address.bytes);
                                    const std::string payload = HexEncode(ad.payload);
                                    payloads_by_address[address].insert(payload);
                                    addresses_by_payload[payload].insert(address);
                                })
                .ok());
    REQUIRE(a.daemon->Start().ok());
    const AdvertisingSet first = a.daemon->CurrentAdvertisingSet();
    CHECK(IsNonResolvablePrivateAddress(first.address));
    RunFor(clock, 299, {&a}, observer->get());  // up to 10:09:59
    CHECK(a.daemon->CurrentAdvertisingSet().address == first.address);
    CHECK(a.daemon->CurrentAdvertisingSet().payload == first.payload);
    RunFor(clock, 2, {&a}, observer->get());  // crosses 10:10:00
    const AdvertisingSet second = a.daemon->CurrentAdvertisingSet();
    CHECK(IsNonResolvablePrivateAddress(second.address));
    CHECK_FALSE(second.address == first.address);
    CHECK(second.payload != first.payload);
    RunFor(clock, 60, {&a}, observer->get());
    REQUIRE(a.daemon->Stop().ok());
    // What went on air: two addresses, two payloads, each address only ever with one payload.
    CHECK(payloads_by_address.size() == 2);
    CHECK(addresses_by_payload.size() == 2);
    for (const auto& [address, payloads] : payloads_by_address) CHECK(payloads.size() == 1);
    for (const auto& [payload, addresses] : addresses_by_payload) CHECK(addresses.size() == 1);
    CHECK(a.log.str().find("rotated") != std::string::npos);
}

TEST_CASE("a new TEK at the UTC day boundary; a restart on the same day reuses the stored one") {
    testing::ScratchDir ether("daemon-day");
    // 2026-11-27 23:55:00 UTC.
    ManualClock clock(int64_t{1'795'823'700} * kSecond);
    Device a(ether.path().string(), 0.0, 4, clock);
    REQUIRE(a.daemon->Start().ok());
    RunFor(clock, 600, {&a});
    REQUIRE(a.daemon->Stop().ok());
    std::vector<StoredTek> teks = a.Teks();
    REQUIRE(teks.size() == 2);
    CHECK(teks[1].rolling_start == teks[0].rolling_start + kTekRollingPeriod);
    CHECK(teks[0].rolling_period == kTekRollingPeriod);
    CHECK_FALSE(teks[0].tek == teks[1].tek);

    Daemon again(*a.radio, clock, *a.store, a.random, DaemonOptions{}, a.log);
    REQUIRE(again.Start().ok());
    RunFor(clock, 10, {});
    REQUIRE(again.Stop().ok());
    CHECK(a.Teks().size() == 2);
    CHECK(again.Counters().teks_generated == 0);
}

TEST_CASE("the daemon's log carries counts, never key material or RPIs") {
    testing::ScratchDir ether("daemon-log");
    ManualClock clock(kStartMicros);
    Device a(ether.path().string(), 0.0, 5, clock);
    Device b(ether.path().string(), 0.5, 6, clock);
    REQUIRE(a.daemon->Start().ok());
    REQUIRE(b.daemon->Start().ok());
    RunFor(clock, 700, {&a, &b});
    REQUIRE(a.daemon->Stop().ok());
    REQUIRE(b.daemon->Stop().ok());
    for (Device* d : {&a, &b}) {
        const std::string log = d->log.str();
        CHECK(log.find("flushed ") != std::string::npos);
        std::vector<std::string> secrets;
        for (const StoredTek& t : d->Teks()) {
            secrets.push_back(HexEncode(t.tek.bytes()));
            secrets.push_back(HexEncode(DeriveRpik(t.tek).bytes()));
            secrets.push_back(HexEncode(DeriveAemk(t.tek).bytes()));
            secrets.emplace_back(t.tek.bytes().begin(), t.tek.bytes().end());
        }
        for (const auto& [rpi, unused] : RpisOf(d->Teks())) secrets.push_back(HexEncode(rpi));
        for (std::string s : secrets) {
            CHECK(log.find(s) == std::string::npos);
            std::transform(s.begin(), s.end(), s.begin(), ::toupper);
            CHECK(log.find(s) == std::string::npos);
        }
    }
}

}  // namespace jejak
