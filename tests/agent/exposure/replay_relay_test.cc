// The figures of THREAT_MODEL.md "Replay and relay", measured through the matcher and the
// window builder a `jejak match` runs: what one replayed RPI earns a receiver, what a relay
// that replays every RPI of a sender with a delay earns under each exposure window setting,
// and what a continuous box credits per replayed advert.
#include <doctest/doctest.h>

#include <vector>

#include "agent/exposure/exposure_window.h"
#include "agent/exposure/match.h"
#include "gaen/keys/key_schedule.h"

namespace jejak {
namespace {

constexpr EnIntervalNumber kRelayDayStart = 2900016;            // 2025-02-21 00:00 UTC
constexpr EnIntervalNumber kFirst = kRelayDayStart + 60;        // 10:00 UTC
constexpr int64_t kFirstStart = int64_t{kFirst} * kIntervalSeconds;

DiagnosisKey Key() {
    DiagnosisKey key;
    for (size_t i = 0; i < 16; ++i) key.key.mutable_bytes()[i] = static_cast<uint8_t>(0x90 + i);
    key.rolling_start_interval_number = kRelayDayStart;
    return key;
}

// One stored sighting of a continuous receiver (60-s credit bins): the RPI of `interval`
// heard from t to t + span - 1.
SightingRecord Heard(const DiagnosisKey& key, EnIntervalNumber interval, int64_t t, int span) {
    SightingRecord r;
    r.rpi = *DeriveRpi(DeriveRpik(key.key), interval);
    r.aem = *CryptMetadata(DeriveAemk(key.key), r.rpi, *EncodeMetadata(Metadata::V10(-15)));
    r.first_seen = t;
    r.last_seen = t + span - 1;
    r.count = static_cast<uint32_t>(span);
    r.mean_rssi = r.max_rssi = -60;
    r.scan_regime = ScanRegime::kContinuous;
    r.bin_seconds = 60;
    return r;
}

// Seconds credited to the key (the sum of every scan instance's duration).
int64_t Credited(const std::vector<SightingRecord>& records, int skew_minutes) {
    const DiagnosisKey key = Key();
    const RpiIndex index(records, 3);
    Matcher matcher(index);
    matcher.Add(std::vector<DiagnosisKey>{key});
    WindowConfig config;
    config.max_time_skew_s = int64_t{skew_minutes} * 60;
    int64_t seconds = 0;
    for (const KeyHits& hits : matcher.Finish()) {
        for (const ExposureWindow& w : BuildExposureWindows(hits, records, config, nullptr)) {
            for (const ScanInstance& s : w.scans) seconds += s.seconds_since_last_scan;
        }
    }
    return seconds;
}

// A relay that replays each of `rpis` successive RPIs (an hour of a sender's) `delay` seconds
// after its interval began, for the interval's ten minutes, one 5-s sighting every 5 s.
std::vector<SightingRecord> Relayed(int rpis, int64_t delay) {
    std::vector<SightingRecord> records;
    for (int k = 0; k < rpis; ++k) {
        const int64_t start = kFirstStart + int64_t{k} * kIntervalSeconds + delay;
        for (int64_t t = start; t < start + kIntervalSeconds; t += 5) {
            records.push_back(Heard(Key(), kFirst + static_cast<EnIntervalNumber>(k), t, 5));
        }
    }
    return records;
}

}  // namespace

TEST_CASE("a relay delaying every RPI inside the window is credited the whole contact") {
    // 6 RPIs (an hour) relayed live, 14 minutes late, 119 minutes late: a full hour each time
    // the delay is inside the window, nothing outside it.
    CHECK(Credited(Relayed(6, 0), 120) == 3600);
    CHECK(Credited(Relayed(6, 119 * 60), 120) == 3600);
    CHECK(Credited(Relayed(6, 14 * 60), 15) == 3600);
    // A sighting's first second more than the window after its interval's last second.
    CHECK(Credited(Relayed(6, 16 * 60 + 600), 15) == 0);
    CHECK(Credited(Relayed(6, 121 * 60 + 600), 120) == 0);
    // 24 RPIs (four hours) relayed 100 minutes late: unlimited by the window.
    CHECK(Credited(Relayed(24, 100 * 60), 120) == 4 * 3600);
}

TEST_CASE("one RPI replayed for an hour earns a receiver at most 20 minutes") {
    std::vector<SightingRecord> records;
    for (int64_t t = kFirstStart; t < kFirstStart + 3600; t += 5) records.push_back(Heard(Key(), kFirst, t, 5));
    // The replay guard keeps sightings up to 1,200 s after the first: 1,205 s of adverts.
    CHECK(Credited(records, 120) == 1205);
}

TEST_CASE("a continuous box credits a whole 60-s bin per replayed advert once a minute") {
    // One replayed advert (one 1-s sighting) every 59 s for ten minutes: silences under a
    // bin join the adverts into one stretch, so the box credits as if it heard the key all
    // the time.
    std::vector<SightingRecord> once_a_minute;
    for (int64_t t = kFirstStart; t < kFirstStart + 590; t += 59) {
        once_a_minute.push_back(Heard(Key(), kFirst, t, 1));
    }
    REQUIRE(once_a_minute.size() == 10);
    CHECK(Credited(once_a_minute, 120) == 9 * 59 + 1);
    // A silence of a whole bin (adverts 61 s apart): each advert is its own one-second stretch.
    std::vector<SightingRecord> sparse;
    for (int64_t t = kFirstStart; t < kFirstStart + 600; t += 61) sparse.push_back(Heard(Key(), kFirst, t, 1));
    CHECK(Credited(sparse, 120) == 10);
}

}  // namespace jejak
