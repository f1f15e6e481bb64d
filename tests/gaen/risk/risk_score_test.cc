// Risk configuration presets, the ENX infectiousness hex map (decoding vectors from the
// reference app's tests), the calibration table, and daily-summary scoring rules computed by
// hand from the published formulas (PROTOCOL.md 6.2).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "gaen/risk/calibration.h"
#include "gaen/risk/risk_config.h"
#include "gaen/risk/risk_score.h"
#include "tests/support/test_data.h"

namespace jejak {
namespace {

ExposureWindow Window(uint32_t day, ReportType type, Infectiousness inf,
                      std::vector<std::pair<int, int>> scans /* typical att, seconds */) {
    ExposureWindow w;
    w.day = day;
    w.start = int64_t{day} * 86400;
    w.report_type = type;
    w.infectiousness = inf;
    for (auto [att, secs] : scans) w.scans.push_back({att, att, secs, w.start});
    return w;
}

TEST_CASE("enx-sample preset carries the reference app's sample configuration") {
    auto c = RiskPreset("enx-sample");
    REQUIRE(c.ok());
    CHECK(c->daily.attenuation_thresholds_db == std::array<int, 3>{30, 50, 60});
    CHECK(c->daily.attenuation_weights == std::array<double, 4>{1.5, 1.0, 0.5, 0.0});
    CHECK(c->daily.report_type_weights[1] == 1.0);
    CHECK(c->daily.report_type_weights[2] == 1.0);
    CHECK(c->daily.report_type_weights[3] == 1.0);
    CHECK(c->daily.infectiousness_weights[1] == 1.0);
    CHECK(c->daily.infectiousness_weights[2] == 1.0);
    CHECK(c->daily.days_since_exposure_threshold == 14);
    CHECK(c->window.report_type_when_missing == ReportType::kConfirmedClinicalDiagnosis);
    for (auto v : c->window.days_since_onset_to_infectiousness) CHECK(v == Infectiousness::kStandard);
    CHECK(c->window.infectiousness_when_missing == Infectiousness::kStandard);
    CHECK(c->notify_score_sum == 2700);
    CHECK(c->notify_report_type == ReportType::kConfirmedTest);
}

TEST_CASE("presets without published values fail clearly instead of inventing numbers") {
    for (const char* name : {"lfph-narrow-net", "lfph-wide-net", "swisscovid"}) {
        auto c = RiskPreset(name);
        REQUIRE_FALSE(c.ok());
        CHECK(c.status().IsInvalidArgument());
        CHECK(c.status().message().find("not in the project's protocol digest") != std::string::npos);
    }
    CHECK_FALSE(RiskPreset("no-such-preset").ok());
}

TEST_CASE("risk config fields override the preset and bad values are rejected") {
    nlohmann::json s = {{"attenuation_bucket_thresholds_db", {40, 55, 70}},
                        {"attenuation_bucket_weights", {2.0, 1.0, 0.25, 0.0}},
                        {"report_type_weights", {{"self_report", 0.5}}},
                        {"infectiousness_weights", {{"high", 2.0}}},
                        {"days_since_onset_to_infectiousness", "0x0aaaaaaaaaaaaaaa"},
                        {"minimum_window_score", 60},
                        {"notify_threshold", {{"score_sum", 900}, {"report_type", "any"}}},
                        {"calibration", {{"rssi_correction_db", 5}}}};
    auto c = ParseRiskConfig(s);
    REQUIRE(c.ok());
    CHECK(c->daily.attenuation_thresholds_db == std::array<int, 3>{40, 55, 70});
    CHECK(c->daily.report_type_weights[3] == 0.5);
    CHECK(c->daily.report_type_weights[1] == 1.0);  // kept from the preset
    CHECK(c->daily.infectiousness_weights[2] == 2.0);
    CHECK(c->window.days_since_onset_to_infectiousness[0] == Infectiousness::kHigh);
    CHECK(c->daily.minimum_window_score == 60);
    CHECK(c->notify_score_sum == 900);
    CHECK_FALSE(c->notify_report_type.has_value());
    CHECK(c->window.rssi_correction_db == 5);
    CHECK(c->calibration_source == "config");

    for (const char* bad : {
             R"({"attenuation_bucket_thresholds_db": [50, 40, 60]})",
             R"({"attenuation_bucket_weights": [1, 1, 1]})",
             R"({"attenuation_bucket_weights": [3, 1, 1, 1]})",
             R"({"report_type_weights": {"revoked_typo": 1}})",
             R"({"days_since_onset_to_infectiousness": "0xzz"})",
             R"({"days_since_onset_to_infectiousness": "0x0000000000000003"})",
             R"({"minimum_window_score": -1})",
             R"({"notify_threshold": {"report_type": "confirmed_test"}})",
             R"({"calibration": {"rssi_correction_db": "4"}})",
             R"({"preset": 3})"}) {
        CAPTURE(bad);
        CHECK(ParseRiskConfig(nlohmann::json::parse(bad)).status().IsInvalidArgument());
    }
}

TEST_CASE("ENX infectiousness hex map decodes like the reference app's test vectors") {
    std::ifstream in(testing::TestDataPath("calibration/enx_symptom_onset_infectiousness_map.json"));
    REQUIRE(in);
    const nlohmann::json vectors = nlohmann::json::parse(in);
    REQUIRE(vectors["cases"].size() == 5);
    for (const auto& c : vectors["cases"]) {
        CAPTURE(c["input"].get<std::string>());
        auto map = DecodeEnxInfectiousnessMap(c["input"].get<std::string>());
        REQUIRE(map.ok());
        for (int d = -14; d <= 14; ++d) {
            CHECK(static_cast<int>(map->first[static_cast<size_t>(d + 14)]) ==
                  c["days_since_onset_to_infectiousness"][std::to_string(d)].get<int>());
        }
        CHECK(static_cast<int>(map->second) == c["infectiousness_when_missing"].get<int>());
    }
    for (const auto& e : vectors["equivalences"]) {
        auto a = DecodeEnxInfectiousnessMap(e["short"].get<std::string>());
        auto b = DecodeEnxInfectiousnessMap(e["full"].get<std::string>());
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        CHECK(a->first == b->first);
        CHECK(a->second == b->second);
    }
}

TEST_CASE("daily summaries follow the published formulas") {
    auto config = RiskPreset("enx-sample");
    REQUIRE(config.ok());
    config->daily.infectiousness_weights = {0, 1.0, 2.0};
    config->daily.report_type_weights = {0, 1.0, 0.5, 0.25, 0, 0};
    const uint32_t today = 20000;
    const std::vector<ExposureWindow> windows = {
        // (300 x 1.5 [<=30] + 120 x 1.0 [<=50]) x 1.0 x 1.0 = 570
        Window(today - 1, ReportType::kConfirmedTest, Infectiousness::kStandard, {{30, 300}, {31, 120}}),
        // (300 x 0.5 [<=60] + 300 x 0 [61]) x 0.5 x 2.0 = 150
        Window(today - 1, ReportType::kConfirmedClinicalDiagnosis, Infectiousness::kHigh, {{60, 300}, {61, 300}}),
        // 240 x 1.0 x 0.25 x 1.0 = 60, on another day
        Window(today - 3, ReportType::kSelfReport, Infectiousness::kStandard, {{45, 240}}),
        // never scored: infectiousness NONE, REVOKED, and a window 15 days old (threshold 14)
        Window(today - 1, ReportType::kConfirmedTest, Infectiousness::kNone, {{10, 300}}),
        Window(today - 1, ReportType::kRevoked, Infectiousness::kStandard, {{10, 300}}),
        Window(today - 15, ReportType::kConfirmedTest, Infectiousness::kStandard, {{10, 300}}),
    };
    auto days = ComputeDailySummaries(windows, *config, today);
    REQUIRE(days.size() == 2);
    CHECK(days[0].day == today - 3);
    CHECK(days[0].total.score_sum == doctest::Approx(60));
    CHECK(days[0].total.weighted_duration_sum == doctest::Approx(240));
    CHECK(days[1].day == today - 1);
    CHECK(days[1].windows == 2);
    CHECK(days[1].total.score_sum == doctest::Approx(720));
    CHECK(days[1].total.maximum_score == doctest::Approx(570));
    CHECK(days[1].total.weighted_duration_sum == doctest::Approx(570 + 150));
    CHECK(days[1].by_report_type[1].score_sum == doctest::Approx(570));
    CHECK(days[1].by_report_type[2].score_sum == doctest::Approx(75 * 2));

    // minimumWindowScore drops windows below it (the 60 and the 150).
    config->daily.minimum_window_score = 151;
    days = ComputeDailySummaries(windows, *config, today);
    REQUIRE(days.size() == 1);
    CHECK(days[0].total.score_sum == doctest::Approx(570));

    // daysSinceExposureThreshold 0 keeps the old window too.
    config->daily.minimum_window_score = 0;
    config->daily.days_since_exposure_threshold = 0;
    CHECK(ComputeDailySummaries(windows, *config, today).size() == 3);
}

TEST_CASE("classification notifies at the threshold for the configured report type") {
    auto config = RiskPreset("enx-sample");
    REQUIRE(config.ok());
    // 2700 confirmed-test weighted seconds on one day: 9 scans x 300 s x 1.0 (near).
    std::vector<std::pair<int, int>> scans(9, {40, 300});
    std::vector<ExposureWindow> windows = {
        Window(100, ReportType::kConfirmedTest, Infectiousness::kStandard, scans)};
    auto days = ComputeDailySummaries(windows, *config, 101);
    Classification c = Classify(days, *config);
    CHECK(c.notify);
    CHECK(c.day == 100u);
    CHECK(c.score == doctest::Approx(2700));
    // One scan less stays below 2700.
    windows[0].scans.pop_back();
    CHECK_FALSE(Classify(ComputeDailySummaries(windows, *config, 101), *config).notify);
    // The same exposure as SELF_REPORT does not count for a CONFIRMED_TEST threshold...
    windows[0].scans.push_back(windows[0].scans.back());
    windows[0].report_type = ReportType::kSelfReport;
    CHECK_FALSE(Classify(ComputeDailySummaries(windows, *config, 101), *config).notify);
    // ...but does for "any".
    config->notify_report_type.reset();
    CHECK(Classify(ComputeDailySummaries(windows, *config, 101), *config).notify);
}

TEST_CASE("calibration table: lookup by model or device, fleet mean, receiver resolution") {
    const std::string path =
        testing::RuntimeDataPath("calibration/en_calibration_2020-12-14_via_microg.csv");
    auto table = CalibrationTable::Load(path);
    REQUIRE(table.ok());
    CHECK(table->rows().size() == 551);
    const CalibrationRow* pixel = table->Find("Pixel 4");
    REQUIRE(pixel != nullptr);
    CHECK(pixel->rssi_correction == 8);
    CHECK(pixel->tx == -30);
    REQUIRE(table->Find("flame") == pixel);
    CHECK(table->Find("No Such Phone") == nullptr);
    CHECK(table->FleetMeanRssiCorrection() == 4);  // PROTOCOL.md 6.1: mean 3.61

    auto by_model = ResolveReceiverCalibration({{"model", "Pixel 4"}, {"table", path}});
    REQUIRE(by_model.ok());
    CHECK(by_model->rssi_correction_db == 8);
    auto mean = ResolveReceiverCalibration({{"table", path}});
    REQUIRE(mean.ok());
    CHECK(mean->rssi_correction_db == 4);
    CHECK(mean->source == "fleet-mean");
    CHECK(ResolveReceiverCalibration({{"model", "No Such Phone"}, {"table", path}})
              .status()
              .IsInvalidArgument());
    CHECK_FALSE(CalibrationTable::Parse("# only a comment\nheader\n").ok());
    CHECK(CalibrationTable::Parse("h\ngoogle,flame,Pixel 4,x,-30,3\n").status().IsCorruption());
    // attenuation = tx - (rssi + correction), floored at 0
    CHECK(AttenuationDb(-25, -60, 4) == 31);
    CHECK(AttenuationDb(-25, -10, 4) == 0);
}

}  // namespace
}  // namespace jejak
