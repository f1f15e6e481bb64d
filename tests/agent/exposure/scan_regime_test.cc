// Credited time per scan regime (docs/scan-regimes.md), end to end through the code the
// daemon and `jejak match` use: receptions -> SightingAggregator (5-s windows as the daemon
// writes them) -> ToSightingRecord -> RpiIndex/Matcher -> exposure windows -> daily summary
// and decision under enx-sample (thresholds 30/50/60 dB, weights 1.5/1.0/0.5/0, notify at
// 2,700 weighted confirmed-test seconds in a day). Every expected number is worked out in
// the comments.
#include <doctest/doctest.h>

#include <vector>

#include "agent/check/match_check.h"
#include "agent/exposure/match.h"
#include "agent/exposure/match_resolve.h"
#include "gaen/risk/risk_score.h"
#include "storage/sighting_aggregator.h"

namespace jejak {
namespace {

// 2026-11-27 10:00:00 UTC (a whole minute; day 20784).
constexpr int64_t kT0 = 1795773600;
constexpr int kTxDbm = -20;

DiagnosisKey SenderKey() {
    DiagnosisKey key;
    for (size_t i = 0; i < 16; ++i) key.key.mutable_bytes()[i] = static_cast<uint8_t>(0x30 + i);
    key.rolling_start_interval_number = RollingStartOf(static_cast<EnIntervalNumber>(kT0 / 600));
    key.report_type = ReportType::kConfirmedTest;
    return key;
}

Reception Heard(const DiagnosisKey& key, int64_t t, int rssi) {
    const auto interval = static_cast<EnIntervalNumber>(t / 600);
    Reception r;
    auto rpi = DeriveRpi(DeriveRpik(key.key), interval);
    REQUIRE(rpi.ok());
    r.rpi = *rpi;
    auto metadata = EncodeMetadata(Metadata::V10(static_cast<int8_t>(kTxDbm)));
    REQUIRE(metadata.ok());
    auto aem = CryptMetadata(DeriveAemk(key.key), r.rpi, *metadata);
    REQUIRE(aem.ok());
    r.aem = *aem;
    r.unix_s = t;
    r.rssi = static_cast<int8_t>(rssi);
    return r;
}

// A continuous receiver hearing the sender once a second from `start` for `seconds`,
// aggregated in 5-s windows aligned to multiples of 5 s, as the daemon does.
std::vector<Sighting> ContinuousStream(int64_t start, int seconds, int rssi, ScanRegime regime) {
    const DiagnosisKey key = SenderKey();
    SightingAggregator aggregator(regime, regime == ScanRegime::kContinuous ? 60 : 0);
    std::vector<Sighting> out;
    int64_t window = start / 5;
    aggregator.BeginScan(std::nullopt);
    for (int64_t t = start; t < start + seconds; ++t) {
        if (t / 5 != window) {
            for (const Sighting& s : aggregator.EndScan()) out.push_back(s);
            aggregator.BeginScan(t);
            window = t / 5;
        }
        aggregator.Add(Heard(key, t, rssi));
    }
    for (const Sighting& s : aggregator.EndScan()) out.push_back(s);
    return out;
}

struct Scored {
    std::vector<ExposureWindow> windows;
    int credited_s = 0;
    double score = 0;
    bool notify = false;
};

Scored Score(const std::vector<Sighting>& sightings) {
    std::vector<SightingRecord> records;
    for (const Sighting& s : sightings) records.push_back(ToSightingRecord(s));
    const RpiIndex index(records, 7);
    Matcher matcher(index);
    const DiagnosisKey key = SenderKey();
    matcher.Add(std::span(&key, 1));
    const auto config = RiskPreset("enx-sample");
    REQUIRE(config.ok());
    const auto exposures =
        ResolveKeyExposures(matcher.Finish(), records, config->window, false, nullptr);
    Scored out;
    if (exposures.empty()) return out;
    out.windows = exposures[0].windows;
    for (const ExposureWindow& w : out.windows) {
        for (const ScanInstance& s : w.scans) out.credited_s += s.seconds_since_last_scan;
    }
    const auto days =
        ComputeDailySummaries(out.windows, *config, static_cast<uint32_t>(kT0 / 86400));
    for (const DailySummary& d : days) out.score += d.total.score_sum;
    out.notify = Classify(days, *config).notify;
    return out;
}

}  // namespace

TEST_CASE(
    "continuous scanning: 30 minutes heard in the immediate bucket are 30 minutes and notify") {
    // RSSI -45 from TX -20: attenuation 25 dB <= 30 (immediate, x1.5). Heard every second
    // from 10:00:00 to 10:29:59: 30 one-minute bins (10:00..10:29), each one scan instance
    // credited 60 s -> 1,800 s = 30 minutes exactly, all in one 30-minute window (the last
    // bin starts 29 minutes after the first). Score 1,800 x 1.5 = 2,700 >= 2,700: notify.
    const Scored s = Score(ContinuousStream(kT0, 1800, -45, ScanRegime::kContinuous));
    REQUIRE(s.windows.size() == 1);
    CHECK(s.windows[0].start == kT0);
    REQUIRE(s.windows[0].scans.size() == 30);
    for (const ScanInstance& scan : s.windows[0].scans) {
        CHECK(scan.seconds_since_last_scan == 60);
        CHECK(scan.typical_attenuation_db == 25);
        CHECK(scan.min_attenuation_db == 25);
    }
    CHECK(s.credited_s == 1800);
    CHECK(s.score == doctest::Approx(2700));
    CHECK(s.notify);
}

TEST_CASE("continuous scanning: a contact not on a minute boundary is credited the time heard") {
    // From 10:00:17 for 1,800 s (adverts 10:00:17..10:30:16): bins 10:00..10:30 are 31 scan
    // instances (the old rule credited 31 x 60 = 1,860 s, +3.3%); each is credited the
    // seconds of it in which the key was heard: 43 + 29 x 60 + 17 = 1,800 s exactly.
    // Windows: bins 10:00..10:29 in the first, 10:30 opens the second (30 min after 10:00).
    const Scored s = Score(ContinuousStream(kT0 + 17, 1800, -45, ScanRegime::kContinuous));
    REQUIRE(s.windows.size() == 2);
    REQUIRE(s.windows[0].scans.size() == 30);
    CHECK(s.windows[0].scans.front().seconds_since_last_scan == 43);
    CHECK(s.windows[0].scans[1].seconds_since_last_scan == 60);
    REQUIRE(s.windows[1].scans.size() == 1);
    CHECK(s.windows[1].scans[0].seconds_since_last_scan == 17);
    CHECK(s.credited_s == 1800);
    CHECK(s.score == doctest::Approx(2700));  // 1,800 x 1.5
    CHECK(s.notify);
}

TEST_CASE("continuous scanning: the three contacts measured end to end are credited as heard") {
    // Regression: measured with two daemons, 10:40:59-10:56:05 (906 s) was
    // credited 1,020 s (17 bins), 10:00:59-10:11:05 (606 s) 720 s, and 20 s 120 s (2 bins).
    // Heard every second, the stream's first and last adverts are 906, 606 and 20 s apart.
    struct Measured {
        int64_t start;
        int adverts;
    };
    for (const Measured m :
         {Measured{kT0 + 40 * 60 + 59, 907}, Measured{kT0 + 59, 607}, Measured{kT0 + 59, 21}}) {
        const Scored s = Score(ContinuousStream(m.start, m.adverts, -45, ScanRegime::kContinuous));
        CAPTURE(m.adverts);
        CHECK(s.credited_s == m.adverts);  // last - first + 1 whole second
    }
}

TEST_CASE(
    "continuous scanning: the near bucket needs 45 minutes, a 5-minute contact never notifies") {
    // RSSI -60: attenuation 40 dB, near (<= 50, x1.0). 30 minutes: 1,800 < 2,700, no.
    const Scored thirty = Score(ContinuousStream(kT0, 1800, -60, ScanRegime::kContinuous));
    CHECK(thirty.credited_s == 1800);
    CHECK(thirty.score == doctest::Approx(1800));
    CHECK_FALSE(thirty.notify);
    // 45 minutes: 45 bins in two windows (30 + 15), 2,700 x 1.0 = 2,700: notify. Each RPI is
    // heard for its own 10 minutes only, so the 20-minute replay guard drops nothing.
    const Scored fortyfive = Score(ContinuousStream(kT0, 2700, -60, ScanRegime::kContinuous));
    REQUIRE(fortyfive.windows.size() == 2);
    CHECK(fortyfive.credited_s == 2700);
    CHECK(fortyfive.notify);
    // 5 minutes in the immediate bucket: 5 bins, 300 x 1.5 = 450 < 2,700.
    const Scored five = Score(ContinuousStream(kT0, 300, -45, ScanRegime::kContinuous));
    CHECK(five.credited_s == 300);
    CHECK(five.score == doctest::Approx(450));
    CHECK_FALSE(five.notify);
}

TEST_CASE("the same continuous stream scored by the phone rule credits almost nothing") {
    // What stores written before scan regimes (kUnrecorded) get, and the reason for the
    // continuous regime: back-to-back 5-s windows are <= 25.5 s apart, so each 30-minute
    // window is one scan instance, credited 60 x min(5, minutes since the previous window's
    // end) = 0 (the previous window ended in the same minute) or 120 s when unknown.
    const Scored s = Score(ContinuousStream(kT0, 1800, -45, ScanRegime::kUnrecorded));
    REQUIRE(s.windows.size() == 1);
    CHECK(s.windows[0].scans.size() == 1);
    CHECK(s.credited_s == 120);
    CHECK_FALSE(s.notify);
}

TEST_CASE(
    "duty-cycled scanning keeps GAEN's rule: one instance per scan, credited since the last scan") {
    // A phone-like scanner: 4-s scans at 10:00:00, 10:05:00, ..., 10:25:00, four adverts per
    // scan at RSSI -44, -45, -46, -47 (attenuations 24..27: typical round(25.5) = 26 (half
    // rounds up), minimum 24). Credit: first scan, previous scan unknown -> 120 s; later ones
    // 60 x min(5, floor(t/60) - floor(previous end/60)) = 60 x (5k - (5(k-1) + 0)) = 300 s
    // (previous end = 4 s into the previous scan's minute). Total 120 + 5 x 300 = 1,620 s;
    // immediate x1.5 = 2,430 < 2,700: GAEN itself would not notify this 30-minute contact.
    const DiagnosisKey key = SenderKey();
    SightingAggregator aggregator(ScanRegime::kDutyCycled);
    std::vector<Sighting> sightings;
    for (int k = 0; k < 6; ++k) {
        const int64_t start = kT0 + 300 * k;
        aggregator.BeginScan(k == 0 ? std::nullopt : std::optional<int64_t>(start - 296));
        for (int i = 0; i < 4; ++i) aggregator.Add(Heard(key, start + i, -44 - i));
        for (const Sighting& s : aggregator.EndScan()) sightings.push_back(s);
    }
    const Scored s = Score(sightings);
    REQUIRE(s.windows.size() == 1);
    REQUIRE(s.windows[0].scans.size() == 6);
    CHECK(s.windows[0].scans[0].seconds_since_last_scan == 120);
    for (size_t i = 1; i < 6; ++i) CHECK(s.windows[0].scans[i].seconds_since_last_scan == 300);
    for (const ScanInstance& scan : s.windows[0].scans) {
        CHECK(scan.typical_attenuation_db == 26);
        CHECK(scan.min_attenuation_db == 24);
    }
    CHECK(s.credited_s == 1620);
    CHECK(s.score == doctest::Approx(2430));
    CHECK_FALSE(s.notify);
}

}  // namespace jejak
