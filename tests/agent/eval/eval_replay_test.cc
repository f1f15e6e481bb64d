// Mode C follows the wall clock as the daemon does, and the fixed rules' calibration is fitted
// out of sample: small hand-made streams whose answers are worked out in the comments.
#include <doctest/doctest.h>

#include <cmath>

#include "agent/eval/eval_plan.h"
#include "agent/eval/eval_run.h"

namespace jejak::eval {
namespace {

constexpr uint32_t kDay = 18628;                          // 2021-01-01, the replay's day
constexpr int64_t kOneAm = int64_t{kDay} * 86400 + 3600;  // the replay's base, 01:00:00

// One Herald-format contact at 100 cm and -50 dBm: a reading every 2 s for `seconds` from
// `first` (Unix seconds).
Stream Contact(int64_t first, int seconds) {
    Stream s;
    s.file = "g/contact.csv";
    s.group = "g";
    for (int t = 0; t <= seconds; t += 2) s.readings.push_back({double(first + t), -50, 100});
    return s;
}

// Counts every minute heard at <= 60 dB once and never notifies: the score is the credit.
RiskConfig CountingRule() {
    RiskConfig c = *RiskPreset(DefaultRiskPresetName());
    c.daily.attenuation_thresholds_db = {60, 60, 60};
    c.notify_score_sum = 1e9;
    return c;
}

// What the daemon credits for the same readings at the same wall-clock times: 5-s scan
// windows of the continuous regime, 60-s bins, through matching and the daily summary.
double DaemonCredit(const Stream& s) {
    Replayer replayer(0);
    std::vector<Heard> scan;
    int64_t window = -1;
    for (const Reading& r : s.readings) {
        const auto t = static_cast<int64_t>(r.t);
        if (t / 5 != window && !scan.empty()) {
            replayer.Scan(window * 5, scan, ScanRegime::kContinuous, 60);
            scan.clear();
        }
        window = t / 5;
        scan.push_back({t, r.rssi});
    }
    replayer.Scan(window * 5, scan, ScanRegime::kContinuous, 60);
    return Decide(replayer.TakeWindows(WindowConfig{}), CountingRule(), kDay).score;
}

}  // namespace

TEST_CASE("mode C bins follow the wall clock, not each episode's start") {
    // 590 s heard from 01:00:50: the wall clock's minutes 01:00..01:10 (11 bins), where bins
    // counted from the episode start would see 10. The eval must credit what the daemon
    // credits at those times, whatever the aggregation's rule is.
    const Calibration c{0, 0, true};
    for (int offset : {0, 20, 50, 59}) {
        CAPTURE(offset);
        const Stream s = Contact(kOneAm + offset, 590);
        const auto decisions = ContinuousDecisions(s, c, CountingRule());
        REQUIRE(decisions.size() == 1);
        CHECK(decisions[0].score == doctest::Approx(DaemonCredit(s)));
        // Moving the recording by whole minutes (to another hour, another day) changes nothing.
        const auto later =
            ContinuousDecisions(Contact(kOneAm + 86400 + 37 * 60 + offset, 590), c, CountingRule());
        CHECK(later[0].score == doctest::Approx(decisions[0].score));
    }
}

TEST_CASE("held-out calibration: a distance's correction is fitted without its own readings") {
    // RSSI -30, -50, -70 dBm at 10 cm, 1 m and 10 m: -50 - 20 log10(d / 1 m) exactly. At
    // 150 cm the recording reads -90 (an outlier). Left out, 150 cm gets the line through
    // the others: -50 - 20 log10(1.5) = -53.52 dBm expected, correction 0 - 55 + 53.52 =
    // -1.48 -> -1 dB. The in-sample calibration uses the outlier: 0 - 55 + 90 = 35 dB.
    Stream s;
    s.group = "g";
    for (int i = 0; i < 3; ++i) {
        s.readings.push_back({0, -30, 10});
        s.readings.push_back({0, -50, 100});
        s.readings.push_back({0, -70, 1000});
        s.readings.push_back({0, -90, 150});
        s.readings.push_back({0, -20, 0});  // 0 cm: no log-distance point, never fitted
    }
    const HeldOutCalibrations held = CalibrateHeldOut({&s});
    REQUIRE(held.at("g").size() == 5);
    CHECK(held.at("g").at(150).calibrated);
    CHECK(held.at("g").at(150).rssi_correction_db == -1);
    CHECK(CalibrateGroups({&s}).at("g").rssi_correction_db == 35);
    // 1 m left out: the line through 10 cm, 150 cm (the outlier) and 10 m is another one.
    CHECK(held.at("g").at(100).calibrated);
    CHECK(held.at("g").at(100).rssi_correction_db != -1);
    // 0 cm is calibrated from all four fitted distances.
    CHECK(held.at("g").at(0).calibrated);
}

TEST_CASE("held-out calibration: a distance with fewer than two others to fit is uncalibrated") {
    Stream s;
    s.group = "g";
    s.advertised_tx_dbm = 12;
    s.readings = {{0, -50, 100}, {0, -60, 300}, {0, -40, 0}};
    const HeldOutCalibrations held = CalibrateHeldOut({&s});
    CHECK_FALSE(held.at("g").at(100).calibrated);
    CHECK_FALSE(held.at("g").at(300).calibrated);
    // 0 cm: the line through 1 m and 3 m, -50 - 20.96 log10(1.5) = -53.69 dBm at 150 cm,
    // correction 12 - 55 + 53.69 = 10.69 -> 11 dB.
    CHECK(held.at("g").at(0).calibrated);
    CHECK(held.at("g").at(0).rssi_correction_db == 11);
    CHECK(held.at("g").at(0).tx_dbm == 12);
}

}  // namespace jejak::eval
