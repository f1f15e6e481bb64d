// The harness's metric code on small hand-made series whose answers are worked out in the
// comments: confusion ratios, ROC/AUC, continuity, gaps, percentiles, episodes, schedules.
#include <doctest/doctest.h>

#include "agent/eval/eval_metrics.h"
#include "agent/eval/eval_plan.h"
#include "agent/eval/eval_report.h"

namespace jejak::eval {

TEST_CASE("confusion ratios: hand-computed values and n/a on empty denominators") {
    Confusion c;
    for (int i = 0; i < 3; ++i) c.Add(true, true);    // TP 3
    c.Add(false, true);                                // FP 1
    for (int i = 0; i < 4; ++i) c.Add(false, false);  // TN 4
    for (int i = 0; i < 2; ++i) c.Add(true, false);   // FN 2
    CHECK(c.tp == 3);
    CHECK(c.fp == 1);
    CHECK(c.tn == 4);
    CHECK(c.fn == 2);
    CHECK(*c.Tpr() == doctest::Approx(0.6));         // 3/5
    CHECK(*c.Fpr() == doctest::Approx(0.2));         // 1/5
    CHECK(*c.Precision() == doctest::Approx(0.75));  // 3/4
    CHECK(*c.Accuracy() == doctest::Approx(0.7));    // 7/10
    CHECK(*c.BalancedAccuracy() == doctest::Approx(0.7));  // (0.6 + 0.8)/2
    CHECK(*c.F1() == doctest::Approx(6.0 / 9.0));    // 2*3 / (6 + 1 + 2)

    // Nothing notified: precision is n/a (the Swiss rule on the bus), recall 0.
    Confusion none;
    none.Add(true, false);
    none.Add(false, false);
    CHECK_FALSE(none.Precision().has_value());
    CHECK(*none.Tpr() == 0);
    CHECK(*none.BalancedAccuracy() == doctest::Approx(0.5));
    // Positives only (like the bus study): FPR and balanced accuracy are n/a.
    Confusion positives;
    positives.Add(true, true);
    CHECK_FALSE(positives.Fpr().has_value());
    CHECK_FALSE(positives.BalancedAccuracy().has_value());

    // The Fraunhofer counts recomputed: TP 19, FP 8, TN 95, FN 21 -> 70.4%, 47.5%, 79.7%.
    Confusion f;
    f.tp = 19;
    f.fp = 8;
    f.tn = 95;
    f.fn = 21;
    CHECK(*f.Precision() == doctest::Approx(0.7037).epsilon(1e-3));
    CHECK(*f.Tpr() == doctest::Approx(0.475));
    CHECK(*f.Accuracy() == doctest::Approx(114.0 / 143.0));
}

TEST_CASE("ROC AUC by trapezoids over the sorted points") {
    // Two positives, two negatives. Threshold A: TP 1 FN 1 FP 0 TN 2 -> (FPR 0, TPR 0.5);
    // B: TP 2 FN 0 FP 1 TN 1 -> (0.5, 1). With (0,0) and (1,1): 0 + 0.5 x (0.5 + 1)/2 +
    // 0.5 x (1 + 1)/2 = 0.875.
    RocPoint a{10, {1, 0, 2, 1}};
    RocPoint b{20, {2, 1, 1, 0}};
    std::vector<RocPoint> roc{b, a};
    CHECK(*RocAuc(roc) == doctest::Approx(0.875));
    // A perfect threshold (FPR 0, TPR 1) gives 1; the diagonal alone gives 0.5.
    std::vector<RocPoint> perfect{{5, {2, 0, 2, 0}}};
    CHECK(*RocAuc(perfect) == doctest::Approx(1.0));
    CHECK(*RocAuc(std::vector<RocPoint>{}) == doctest::Approx(0.5));
    // No negatives: undefined.
    std::vector<RocPoint> one_class{{5, {2, 0, 0, 0}}};
    CHECK_FALSE(RocAuc(one_class).has_value());
}

TEST_CASE("continuity: 30-s windows from the first time, last time in the last window") {
    // 0..100 s: n = ceil(100/30) = 4 windows [0,30) [30,60) [60,90) [90,100]; times 0 and 10
    // fill window 0, 65 window 2, 100 window 3 -> 3 of 4.
    const std::vector<double> t{0, 10, 65, 100};
    const Continuity c = ContinuityOf(t, 0, 100);
    CHECK(c.hit == 3);
    CHECK(c.total == 4);
    // Last time exactly on a boundary: 0..90 s is n = 3 and t = 90 goes to window 2, not 3.
    const std::vector<double> u{0, 90};
    const Continuity d = ContinuityOf(u, 0, 90);
    CHECK(d.total == 3);
    CHECK(d.hit == 2);
    // Times outside the event are ignored; a single reading is one window of one.
    const std::vector<double> v{-5, 200};
    CHECK(ContinuityOf(v, 0, 100).hit == 0);
    const std::vector<double> w{7};
    CHECK(ContinuityOf(w, 7, 7).hit == 1);
    CHECK(ContinuityOf(w, 7, 7).total == 1);
}

TEST_CASE("gaps and percentiles") {
    const std::vector<double> t{0, 2, 3, 10};  // gaps 2, 1, 7
    const GapStats g = GapsOf(t);
    CHECK(g.gaps == 3);
    CHECK(g.mean == doctest::Approx(10.0 / 3));
    CHECK(g.median == doctest::Approx(2));
    CHECK(g.max == doctest::Approx(7));
    CHECK(GapsOf(std::vector<double>{5}).gaps == 0);
    CHECK(Percentile({4, 1, 3, 2}, 50) == doctest::Approx(2.5));
    CHECK(Percentile({1, 2, 3, 4}, 2.5) == doctest::Approx(1.075));  // rank 0.075
    CHECK(Percentile({1, 2, 3, 4}, 100) == doctest::Approx(4));
    CHECK(Percentile({}, 50) == 0);
}

TEST_CASE("episodes: Herald segments by distance, Pi 30-minute slices with the remainder dropped") {
    Stream herald;
    herald.format = StreamFormat::kHerald;
    for (int i = 0; i < 10; ++i) herald.readings.push_back({100.0 + i, -50, i < 4 ? 10 : 250});
    const auto segments = EpisodesOf(herald);
    REQUIRE(segments.size() == 2);
    CHECK(segments[0].begin == 0);
    CHECK(segments[0].end == 4);
    CHECK(segments[0].start == 100);
    CHECK(segments[0].stop == 103);
    CHECK(IsContact(segments[0].distance_cm));
    CHECK_FALSE(IsContact(segments[1].distance_cm));

    // Readings every 10 s for 65 minutes: two full 30-minute episodes, 5 minutes dropped.
    Stream pi;
    pi.format = StreamFormat::kPi;
    for (int i = 0; i <= 390; ++i) pi.readings.push_back({1000.0 + 10 * i, -50, 200});
    const auto slices = EpisodesOf(pi);
    REQUIRE(slices.size() == 2);
    CHECK(slices[0].end - slices[0].begin == 180);  // t in [1000, 2800)
    CHECK(slices[1].start == 2800);
    CHECK(ContactEventsOf(pi).size() == 1);
}

TEST_CASE("phone schedules: first scan within 300 s, then every 210..300 s, fixed per seed") {
    for (uint64_t seed = 1; seed <= 200; ++seed) {
        const auto s = PhoneSchedule(1000, 5000, seed);
        REQUIRE(s.size() >= 13);  // 4000 s at most 300 s apart
        CHECK(s.front() >= 1000);
        CHECK(s.front() < 1300);
        for (size_t i = 1; i < s.size(); ++i) {
            CHECK(s[i] - s[i - 1] > 210 - 1e-9);
            CHECK(s[i] - s[i - 1] <= 300);
        }
        CHECK(s.back() <= 5000);
        CHECK(PhoneSchedule(1000, 5000, seed) == s);
    }
}

TEST_CASE("calibration puts the group's median attenuation at 150 cm at 55 dB") {
    Stream s;
    s.group = "g";
    s.advertised_tx_dbm = 12;
    for (int rssi : {-50, -52, -60}) s.readings.push_back({0, rssi, 150});
    s.readings.push_back({0, -40, 50});
    const auto c = CalibrateGroups({&s}).at("g");
    // Median RSSI at 150 cm: -52; correction = 12 - 55 - (-52) = 9; 12 - (-52 + 9) = 55.
    CHECK(c.calibrated);
    CHECK(c.rssi_correction_db == 9);
    s.readings.resize(1);
    s.readings[0].distance_cm = 100;
    CHECK_FALSE(CalibrateGroups({&s}).at("g").calibrated);
}

TEST_CASE("ground-truth variants from per-distance counts") {
    // Notified/episodes: 100 cm 3/4, 150 cm 2/4, 200 cm 1/4, 250 cm 1/4, 300 cm 0/4.
    EvalRow r;
    r.by_distance = {{100, {3, 4}}, {150, {2, 4}}, {200, {1, 4}}, {250, {1, 4}}, {300, {0, 4}}};
    // <= 2 m: TP 3+2+1 = 6, FN 6, FP 1, TN 7.
    const Confusion base = ConfusionUnderTruth(r, 200, 0, 0);
    CHECK(base.tp == 6);
    CHECK(base.fn == 6);
    CHECK(base.fp == 1);
    CHECK(base.tn == 7);
    // Guard band (150-250 left out): TP 3, FN 1, FP 0, TN 4.
    const Confusion guard = ConfusionUnderTruth(r, 200, 140, 250);
    CHECK(guard.tp == 3);
    CHECK(guard.fn == 1);
    CHECK(guard.fp == 0);
    CHECK(guard.tn == 4);
    // <= 1.5 m: TP 5, FN 3, FP 2, TN 10.
    const Confusion close = ConfusionUnderTruth(r, 150, 0, 0);
    CHECK(close.tp == 5);
    CHECK(close.fn == 3);
    CHECK(close.fp == 2);
    CHECK(close.tn == 10);
}

}  // namespace jejak::eval
