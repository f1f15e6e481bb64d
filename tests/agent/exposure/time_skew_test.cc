// exposure.max_time_skew_minutes: how far a sighting may lie from its RPI's interval.
// The window edges at 120 minutes (the spec's +-2 h, the default) and at 15 minutes
// (a fleet with synchronised clocks), just inside and just outside, both directions; the
// early/late counts and the systematic-offset flag `jejak match --json` reports; the config
// key's parsing.
#include <doctest/doctest.h>

#include <vector>

#include "agent/config/exposure_config.h"
#include "agent/exposure/exposure_window.h"
#include "agent/exposure/match.h"
#include "gaen/keys/key_schedule.h"

namespace jejak {
namespace {

constexpr EnIntervalNumber kSkewDayStart = 2900016;  // 2025-02-21 00:00 UTC (a day boundary)
constexpr EnIntervalNumber kRpiInterval = kSkewDayStart + 70;  // 11:40 UTC
constexpr int64_t kRpiStart = int64_t{kRpiInterval} * kIntervalSeconds;
constexpr int64_t kRpiLast = kRpiStart + kIntervalSeconds - 1;  // its last second

DiagnosisKey SkewKey() {
    DiagnosisKey key;
    for (size_t i = 0; i < 16; ++i) key.key.mutable_bytes()[i] = static_cast<uint8_t>(0x40 + i);
    key.rolling_start_interval_number = kSkewDayStart;
    key.rolling_period = 144;
    return key;
}

SightingRecord Sight(const DiagnosisKey& key, int64_t t) {
    SightingRecord r;
    r.rpi = *DeriveRpi(DeriveRpik(key.key), kRpiInterval);
    r.aem = *CryptMetadata(DeriveAemk(key.key), r.rpi, *EncodeMetadata(Metadata::V10(-20)));
    r.first_seen = t;
    r.last_seen = t + 2;
    r.mean_rssi = r.max_rssi = -60;
    return r;
}

// The key's RPI of kRpiInterval heard at each time in `times`, under a window of `minutes`.
WindowStats Check(std::vector<int64_t> times, int minutes) {
    const DiagnosisKey key = SkewKey();
    std::vector<SightingRecord> records;
    for (int64_t t : times) records.push_back(Sight(key, t));
    // An unrelated RPI keeps the stored time range around the key's day, so every sighting
    // above reaches the per-sighting check.
    DiagnosisKey other = key;
    other.key.mutable_bytes()[0] ^= 1;
    records.push_back(Sight(other, kRpiStart));
    const RpiIndex index(records, 7);
    Matcher matcher(index);
    matcher.Add(std::vector<DiagnosisKey>{key});
    WindowConfig config;
    config.max_time_skew_s = int64_t{minutes} * 60;
    WindowStats stats;
    for (const KeyHits& hits : matcher.Finish()) BuildExposureWindows(hits, records, config, &stats);
    return stats;
}

bool Accepted(int64_t t, int minutes) { return Check({t}, minutes).accepted == 1; }

}  // namespace

TEST_CASE("the default window is the spec's 120 minutes and matches the old 12-interval rule") {
    CHECK(WindowConfig{}.max_time_skew_s == 7200);
    CHECK(ExposureConfig{}.max_time_skew_minutes == 120);
    // 12 intervals before the RPI's interval starts, and to the end of the 12th after it.
    CHECK(int64_t{kRpiInterval - 12} * kIntervalSeconds == kRpiStart - 7200);
    CHECK(int64_t{kRpiInterval + 13} * kIntervalSeconds - 1 == kRpiLast + 7200);
}

TEST_CASE("at 120 minutes a sighting 120 min off its RPI's interval counts and one more second does not") {
    CHECK(Accepted(kRpiStart - 7200, 120));       // early, just inside
    CHECK_FALSE(Accepted(kRpiStart - 7201, 120)); // early, just outside
    CHECK(Accepted(kRpiLast + 7200, 120));        // late, just inside
    CHECK_FALSE(Accepted(kRpiLast + 7201, 120));  // late, just outside
    CHECK(Accepted(kRpiStart, 120));
    CHECK(Accepted(kRpiLast, 120));
}

TEST_CASE("at 15 minutes a sighting 15 min off its RPI's interval counts and one more second does not") {
    CHECK(Accepted(kRpiStart - 900, 15));
    CHECK_FALSE(Accepted(kRpiStart - 901, 15));
    CHECK(Accepted(kRpiLast + 900, 15));
    CHECK_FALSE(Accepted(kRpiLast + 901, 15));
    // What 120 accepts, 15 refuses: a replay an hour after the interval.
    CHECK(Accepted(kRpiLast + 3600, 120));
    CHECK_FALSE(Accepted(kRpiLast + 3600, 15));
}

TEST_CASE("sightings outside the window are counted early or late by the side they fell on") {
    const WindowStats s = Check({kRpiStart - 1000, kRpiLast + 1000, kRpiLast + 2000}, 15);
    CHECK(s.drift_rejected == 3);
    CHECK(s.drift_rejected_early == 1);
    CHECK(s.drift_rejected_late == 2);
    CHECK(s.accepted == 0);
}

TEST_CASE("most sightings of a matched key on one side of the window flag a systematic offset") {
    // An RTC on local time in UTC+8: every sighting 8 hours late is off the key's window, so
    // only the in-range part of a day shows; here three sightings 30 min late under 15 min.
    const WindowStats ahead = Check({kRpiLast + 1800, kRpiLast + 1810, kRpiLast + 1820}, 15);
    CHECK(ahead.drift_rejected_late == 3);
    CHECK(SystematicOffset(ahead));
    // Stray replays among good sightings are not an offset.
    const WindowStats stray = Check({kRpiStart, kRpiStart + 5, kRpiStart + 10, kRpiLast + 1800}, 15);
    CHECK(stray.drift_rejected == 1);
    CHECK_FALSE(SystematicOffset(stray));
    // Rejections on both sides are not one offset either.
    const WindowStats mixed =
        Check({kRpiStart - 1800, kRpiStart - 1810, kRpiLast + 1800, kRpiLast + 1810}, 15);
    CHECK(mixed.drift_rejected == 4);
    CHECK_FALSE(SystematicOffset(mixed));
}

TEST_CASE("exposure.max_time_skew_minutes accepts 0 to 120 and refuses anything else") {
    CHECK(ParseExposureConfig(nlohmann::json::object())->max_time_skew_minutes == 120);
    CHECK(ParseExposureConfig({{"max_time_skew_minutes", 15}})->max_time_skew_minutes == 15);
    CHECK(ParseExposureConfig({{"max_time_skew_minutes", 0}})->max_time_skew_minutes == 0);
    for (const nlohmann::json& bad : {nlohmann::json(121), nlohmann::json(-1), nlohmann::json(1.5),
                                      nlohmann::json("15")}) {
        auto r = ParseExposureConfig({{"max_time_skew_minutes", bad}});
        REQUIRE_FALSE(r.ok());
        CHECK(r.status().message().find("exposure.max_time_skew_minutes") != std::string::npos);
    }
    CHECK_FALSE(ParseExposureConfig({{"max_skew", 15}}).ok());
}

}  // namespace jejak
