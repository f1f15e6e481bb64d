// Legacy v1 risk score (docs/PROTOCOL.md 6.3): bucket edges, the product of the four
// scores worked out by hand, the invalid-TR rule, the minimum, attenuation durations and
// config validation.
#include <doctest/doctest.h>

#include <vector>

#include "gaen/risk/risk_legacy.h"

namespace jejak {
namespace {

LegacyRiskConfig HandConfig() {
    LegacyRiskConfig c;
    c.attenuation_scores = {1, 2, 3, 4, 5, 6, 7, 8};
    c.days_since_last_exposure_scores = {8, 7, 6, 5, 4, 3, 2, 1};
    c.duration_scores = {0, 1, 2, 3, 4, 5, 6, 8};
    c.transmission_risk_scores = {1, 2, 3, 4, 5, 6, 7, 8};
    return c;
}

TEST_CASE("legacy buckets follow the v1 edges") {
    CHECK(LegacyAttenuationBucket(74) == 0);
    CHECK(LegacyAttenuationBucket(73) == 1);
    CHECK(LegacyAttenuationBucket(64) == 1);
    CHECK(LegacyAttenuationBucket(63) == 2);
    CHECK(LegacyAttenuationBucket(52) == 2);
    CHECK(LegacyAttenuationBucket(51) == 3);
    CHECK(LegacyAttenuationBucket(33) == 4);
    CHECK(LegacyAttenuationBucket(27) == 5);
    CHECK(LegacyAttenuationBucket(15) == 6);
    CHECK(LegacyAttenuationBucket(11) == 6);
    CHECK(LegacyAttenuationBucket(10) == 7);
    CHECK(LegacyAttenuationBucket(-5) == 7);

    CHECK(LegacyDurationBucket(-3) == 0);
    CHECK(LegacyDurationBucket(0) == 0);
    CHECK(LegacyDurationBucket(1) == 1);
    CHECK(LegacyDurationBucket(5) == 1);
    CHECK(LegacyDurationBucket(6) == 2);
    CHECK(LegacyDurationBucket(15) == 3);
    CHECK(LegacyDurationBucket(16) == 4);
    CHECK(LegacyDurationBucket(25) == 5);
    CHECK(LegacyDurationBucket(30) == 6);
    CHECK(LegacyDurationBucket(31) == 7);

    CHECK(LegacyDaysBucket(20) == 0);
    CHECK(LegacyDaysBucket(14) == 0);
    CHECK(LegacyDaysBucket(13) == 1);
    CHECK(LegacyDaysBucket(12) == 1);
    CHECK(LegacyDaysBucket(8) == 3);
    CHECK(LegacyDaysBucket(3) == 6);
    CHECK(LegacyDaysBucket(2) == 6);
    CHECK(LegacyDaysBucket(1) == 7);
    CHECK(LegacyDaysBucket(0) == 7);
}

TEST_CASE("legacy risk score is the product of the four bucket scores, worked by hand") {
    const LegacyRiskConfig c = HandConfig();
    REQUIRE(c.Validate().ok());
    // 40 dB -> bucket 3 (score 4); 3 days -> bucket 6 (2); 12 min -> bucket 3 (3); TR 5 -> 5.
    CHECK(LegacyRiskScore({40, 3, 12, 5}, c) == 4 * 2 * 3 * 5);
    // 74 dB -> 1; 14 days -> 8; 31 min -> 8; TR 8 -> 8.
    CHECK(LegacyRiskScore({74, 14, 31, 8}, c) == 512);
    // TR 0 and out-of-range TRs are invalid and score 1: 10 dB -> 8, 0 days -> 1, 45 min -> 8.
    CHECK(LegacyRiskScore({10, 0, 45, 0}, c) == 64);
    CHECK(LegacyRiskScore({10, 0, 45, 9}, c) == 64);
    CHECK(LegacyRiskScore({10, 0, 45, -1}, c) == 64);
    // A zero duration scores 0 whatever the rest.
    CHECK(LegacyRiskScore({10, 0, 0, 8}, c) == 0);
}

TEST_CASE("legacy risk score below the minimum is zero") {
    LegacyRiskConfig c = HandConfig();
    c.minimum_risk_score = 120;
    CHECK(LegacyRiskScore({40, 3, 12, 5}, c) == 120);
    c.minimum_risk_score = 121;
    CHECK(LegacyRiskScore({40, 3, 12, 5}, c) == 0);
}

TEST_CASE("legacy attenuation durations split scan time at the two thresholds") {
    const LegacyRiskConfig c = HandConfig();  // thresholds 50, 70
    std::vector<ScanInstance> scans(5);
    const int attenuation[] = {49, 50, 69, 70, 90};
    const int seconds[] = {300, 200, 100, 60, 30};
    for (size_t i = 0; i < scans.size(); ++i) {
        scans[i].typical_attenuation_db = attenuation[i];
        scans[i].seconds_since_last_scan = seconds[i];
    }
    const auto bins = LegacyAttenuationDurations(scans, c);
    CHECK(bins[0] == 300);
    CHECK(bins[1] == 300);
    CHECK(bins[2] == 90);
}

TEST_CASE("legacy config validation names the bad field") {
    LegacyRiskConfig c = HandConfig();
    c.duration_scores[3] = 9;
    Status s = c.Validate();
    CHECK(s.IsInvalidArgument());
    CHECK(s.message().find("duration_scores[3]") != std::string::npos);
    c = HandConfig();
    c.duration_at_attenuation_thresholds = {70, 50};
    CHECK(c.Validate().IsInvalidArgument());
    c = HandConfig();
    c.minimum_risk_score = 4097;
    CHECK(c.Validate().IsInvalidArgument());
    c.minimum_risk_score = -1;
    CHECK(c.Validate().IsInvalidArgument());
}

}  // namespace
}  // namespace jejak
