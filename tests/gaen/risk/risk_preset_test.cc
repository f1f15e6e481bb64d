// The presets with published values (PROTOCOL.md 6.4 for the Dutch app; the field-study rules
// of data/datasets/README.md) carry exactly those values and decide as worked out by hand.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "gaen/risk/risk_config.h"
#include "gaen/risk/risk_score.h"

namespace jejak {
namespace {

ExposureWindow WindowOf(uint32_t day, ReportType type, std::vector<std::pair<int, int>> scans) {
    ExposureWindow w;
    w.day = day;
    w.start = int64_t{day} * 86400;
    w.report_type = type;
    for (auto [att, secs] : scans) w.scans.push_back({att, att, secs, w.start});
    return w;
}

bool Notifies(const RiskConfig& c, std::vector<ExposureWindow> windows) {
    return Classify(ComputeDailySummaries(windows, c, 101), c).notify;
}

}  // namespace

TEST_CASE("nl-coronamelder carries the Dutch app's published v2 parameters") {
    auto c = RiskPreset("nl-coronamelder");
    REQUIRE(c.ok());
    CHECK(c->daily.attenuation_thresholds_db == std::array<int, 3>{56, 62, 73});
    CHECK(c->daily.attenuation_weights == std::array<double, 4>{1.5, 1.0, 0.4, 0.0});
    CHECK(c->daily.report_type_weights == std::array<double, 6>{0, 1, 0, 0, 0, 0});
    CHECK(c->daily.infectiousness_weights == std::array<double, 3>{0, 1, 1});
    CHECK(c->daily.minimum_window_score == 300);
    CHECK(c->daily.days_since_exposure_threshold == 14);
    CHECK(c->notify_score_sum == 900);
    CHECK_FALSE(c->notify_report_type.has_value());
    CHECK(c->window.report_type_when_missing == ReportType::kConfirmedTest);
    CHECK(c->window.infectiousness_when_missing == Infectiousness::kStandard);
    for (int d = -14; d <= 14; ++d) {
        CAPTURE(d);
        const bool standard = d >= -2 && d <= 11;
        CHECK(InfectiousnessFor(d, c->window) ==
              (standard ? Infectiousness::kStandard : Infectiousness::kNone));
    }
    // 10 minutes at 60 dB (near, x1.0) = 600 < 900; 10 more minutes in another window = 1200.
    // A 4-minute window at 70 dB (medium, x0.4) scores 96 < 300 and is dropped.
    std::vector<ExposureWindow> w = {
        WindowOf(100, ReportType::kConfirmedTest, {{60, 300}, {60, 300}})};
    CHECK_FALSE(Notifies(*c, w));
    w.push_back(WindowOf(100, ReportType::kConfirmedTest, {{60, 300}, {60, 300}}));
    CHECK(Notifies(*c, w));
    auto days = ComputeDailySummaries(
        std::vector{WindowOf(100, ReportType::kConfirmedTest, {{70, 240}})}, *c, 101);
    CHECK(days.empty());
    // Self reports weigh 0 under the Dutch parameters.
    CHECK_FALSE(Notifies(*c, {WindowOf(100, ReportType::kSelfReport,
                                       {{40, 300}, {40, 300}, {40, 300}, {40, 300}})}));
}

TEST_CASE(
    "the field-study duration rules: Swiss (DP-3T, May 2020) and CWA as Fraunhofer tested it") {
    auto swiss = RiskPreset("swiss-dp3t-2020-05");
    auto cwa = RiskPreset("cwa-fraunhofer-2020-06");
    REQUIRE(swiss.ok());
    REQUIRE(cwa.ok());
    CHECK(swiss->daily.attenuation_thresholds_db == std::array<int, 3>{50, 55, 55});
    CHECK(cwa->daily.attenuation_thresholds_db == std::array<int, 3>{54, 59, 59});
    for (const RiskConfig* c : {&*swiss, &*cwa}) {
        CHECK(c->daily.attenuation_weights == std::array<double, 4>{1.0, 0.5, 0.0, 0.0});
        CHECK(c->notify_score_sum == 900);
    }
    // 15 minutes at 50 dB: Swiss full weight (900, notifies); at 55 dB: half (450, no).
    const auto at = [](int att, int minutes) {
        return std::vector{
            WindowOf(100, ReportType::kConfirmedTest,
                     std::vector<std::pair<int, int>>(static_cast<size_t>(minutes), {att, 60}))};
    };
    CHECK(Notifies(*swiss, at(50, 15)));
    CHECK_FALSE(Notifies(*swiss, at(51, 15)));  // 15 x 60 x 0.5 = 450
    CHECK(Notifies(*swiss, at(55, 30)));        // 30 x 60 x 0.5 = 900
    CHECK_FALSE(Notifies(*swiss, at(56, 60)));  // weight 0
    // CWA: 54 dB is near (< 55), 55 dB is mid, 60 dB is far.
    CHECK(Notifies(*cwa, at(54, 15)));
    CHECK_FALSE(Notifies(*cwa, at(55, 15)));
    CHECK(Notifies(*cwa, at(59, 30)));
    CHECK_FALSE(Notifies(*cwa, at(60, 60)));
    CHECK_FALSE(Notifies(*cwa, at(54, 14)));  // 840 < 900
}

TEST_CASE("the default preset: 12 weighted minutes at <= 55 dB, used when the config names none") {
    auto empty = ParseRiskConfig(nlohmann::json::object());
    REQUIRE(empty.ok());
    CHECK(empty->preset == "jejak-close-contact");
    CHECK(DefaultRiskPresetName() == "jejak-close-contact");
    CHECK(PublishedRiskPresetNames().front() == DefaultRiskPresetName());
    auto enx = ParseRiskConfig({{"preset", "enx-sample"}});  // still a named preset
    REQUIRE(enx.ok());
    CHECK(enx->notify_score_sum == 2700);
    const RiskConfig& c = *empty;
    const auto at = [](int att, int minutes, ReportType type = ReportType::kConfirmedTest) {
        return std::vector{WindowOf(
            100, type, std::vector<std::pair<int, int>>(static_cast<size_t>(minutes), {att, 60}))};
    };
    CHECK(Notifies(c, at(55, 12)));         // 720 >= 720
    CHECK_FALSE(Notifies(c, at(55, 11)));   // 660
    CHECK_FALSE(Notifies(c, at(56, 600)));  // beyond the border: weight 0, however long
    CHECK(Notifies(c, at(20, 12)));         // no bonus for very close: weight 1 below 55 dB
    CHECK_FALSE(Notifies(c, at(20, 11)));
    CHECK(Notifies(c, at(50, 12, ReportType::kConfirmedClinicalDiagnosis)));
    CHECK(Notifies(c, at(50, 12, ReportType::kSelfReport)));
    CHECK_FALSE(Notifies(c, at(50, 60, ReportType::kRecursive)));
}

TEST_CASE("every preset named as published builds; the others still refuse") {
    for (std::string_view name : PublishedRiskPresetNames()) {
        CAPTURE(std::string(name));
        CHECK(RiskPreset(name).ok());
        CHECK(RiskPreset(name)->preset == name);
    }
    CHECK(PublishedRiskPresetNames().size() == 5);
    CHECK(RiskPresetNames().size() == 8);
    auto refused = RiskPreset("swisscovid");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().message().find("not in the project's protocol digest") !=
          std::string::npos);
}

}  // namespace jejak
