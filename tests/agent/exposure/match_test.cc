// Matching end to end on keys of a real, signed export file (tests/data/exports/
// internals_sample_diagnosis_key_file.zip, verified with its partner key): sightings planted
// from a key's RPIs produce the exposure windows and daily-summary scores computed by hand
// from the published formulas (PROTOCOL.md 1.6, 6.1, 6.2); the +-2 h validity edges; the
// 20-minute replay guard; TX power bounds; report types and revisions.
#include <doctest/doctest.h>

#include <vector>

#include "gaen/export/export_verify.h"
#include "agent/exposure/match.h"
#include "agent/exposure/match_resolve.h"
#include "gaen/risk/risk_score.h"
#include "crypto/aes.h"
#include "gaen/keys/rpi_batch.h"
#include "tests/support/test_data.h"

namespace jejak {
namespace {

using testing::TestDataPath;

// The sample file's first key: 0003d60b...463b, rolling start 2653920 (2020-06-16 00:00 UTC,
// day 18430), period 144 (field absent), TR 3, no report type, no days since onset.
DiagnosisKey SampleKey() {
    ExportKeyRing ring;
    REQUIRE(ring.AddPemFile("310", "v1", TestDataPath("exports/internals_partner_key_310-v1.pem")).ok());
    ExportReadOptions options;
    options.ring = &ring;
    options.require_valid_signature = true;
    auto loaded = LoadExport(TestDataPath("exports/internals_sample_diagnosis_key_file.zip"), options);
    REQUIRE(loaded.ok());
    REQUIRE(loaded->file.keys.size() == 140);
    DiagnosisKey key = loaded->file.keys[0];
    REQUIRE(key.rolling_start_interval_number == 2653920);
    REQUIRE(key.rolling_period == 144);
    REQUIRE_FALSE(key.report_type.has_value());
    return key;
}

constexpr EnIntervalNumber kStart = 2653920;
constexpr int64_t kDayStart = int64_t{kStart} * 600;

// A scan record of the key's RPI for `interval`, heard at time t.
SightingRecord Sight(const DiagnosisKey& key, EnIntervalNumber interval, int64_t t, int tx,
                     double mean_rssi, int max_rssi, std::optional<int64_t> prev_end,
                     uint32_t count = 1, uint8_t confidence = 2) {
    SightingRecord r;
    r.rpi = *DeriveRpi(DeriveRpik(key.key), interval);
    auto metadata = EncodeMetadata(Metadata::V11(static_cast<int8_t>(tx), confidence));
    REQUIRE(metadata.ok());
    r.aem = *CryptMetadata(DeriveAemk(key.key), r.rpi, *metadata);
    r.first_seen = t;
    r.last_seen = t + 3;
    r.count = count;
    r.mean_rssi = mean_rssi;
    r.max_rssi = max_rssi;
    r.previous_scan_end = prev_end;
    return r;
}

struct Run {
    std::vector<KeyHits> matches;
    std::vector<KeyExposure> exposures;
    WindowStats stats;
};

Run Match(const std::vector<DiagnosisKey>& keys, const std::vector<SightingRecord>& records,
          const RiskConfig& config) {
    const RpiIndex index(records, 42);
    Matcher matcher(index);
    matcher.Add(keys);
    Run run;
    run.matches = matcher.Finish();
    run.exposures = ResolveKeyExposures(run.matches, records, config.window,
                                        config.allow_recursive, &run.stats);
    return run;
}

RiskConfig EnxWithCorrection(int correction) {
    auto config = RiskPreset("enx-sample");
    REQUIRE(config.ok());
    config->window.rssi_correction_db = correction;
    return *config;
}

TEST_CASE("planted sightings of a real export key give the hand-computed windows and score") {
    const DiagnosisKey key = SampleKey();
    const int64_t t0 = kDayStart + 36000;  // 10:00 UTC, interval kStart + 60
    // TX -25 dBm, receiver correction +4 dB: attenuation = -25 - (rssi + 4).
    const std::vector<SightingRecord> records = {
        // A: typical -25-(-60+4)=31, min -25-(-55+4)=26; previous scan ended 200 s before:
        //    floor(t0/60) - floor((t0-200)/60) = 4 minutes -> 240 s.
        Sight(key, kStart + 60, t0, -25, -60, -55, t0 - 200, 3),
        // B: typical 43, min 41; previous scan 290 s before -> 5 minutes (cap 5) -> 300 s.
        Sight(key, kStart + 60, t0 + 300, -25, -72, -70, t0 + 10, 2),
        // C: next RPI, typical 56, min 51; previous scan unknown -> 120 s.
        Sight(key, kStart + 61, t0 + 600, -25, -85, -80, std::nullopt),
        // D: 1900 s after the window start (>= 30 min) -> second window; typical 61, min 59;
        //    previous scan 1000 s before -> capped at 300 s.
        Sight(key, kStart + 63, t0 + 1900, -25, -90, -88, t0 + 900),
        // Noise: an RPI of another key.
        Sight(SampleKey(), kStart + 200, t0, -25, -60, -60, std::nullopt),
    };
    const RiskConfig config = EnxWithCorrection(4);
    const Run run = Match({key}, records, config);
    REQUIRE(run.exposures.size() == 1);
    const KeyExposure& e = run.exposures[0];
    // No report type in the file -> ENX reportTypeWhenMissing = CONFIRMED_CLINICAL_DIAGNOSIS.
    CHECK(e.report_type == ReportType::kConfirmedClinicalDiagnosis);
    REQUIRE(e.windows.size() == 2);
    const ExposureWindow& w1 = e.windows[0];
    CHECK(w1.start == t0);
    CHECK(w1.day == 18430);
    CHECK(w1.infectiousness == Infectiousness::kStandard);
    CHECK(w1.calibration_confidence == 2);
    CHECK(w1.transmission_risk_level == 3);
    REQUIRE(w1.scans.size() == 3);
    CHECK(w1.scans[0].typical_attenuation_db == 31);
    CHECK(w1.scans[0].min_attenuation_db == 26);
    CHECK(w1.scans[0].seconds_since_last_scan == 240);
    CHECK(w1.scans[1].typical_attenuation_db == 43);
    CHECK(w1.scans[1].min_attenuation_db == 41);
    CHECK(w1.scans[1].seconds_since_last_scan == 300);
    CHECK(w1.scans[2].typical_attenuation_db == 56);
    CHECK(w1.scans[2].min_attenuation_db == 51);
    CHECK(w1.scans[2].seconds_since_last_scan == 120);
    const ExposureWindow& w2 = e.windows[1];
    REQUIRE(w2.scans.size() == 1);
    CHECK(w2.scans[0].typical_attenuation_db == 61);
    CHECK(w2.scans[0].min_attenuation_db == 59);
    CHECK(w2.scans[0].seconds_since_last_scan == 300);

    // ENX sample: thresholds 30/50/60, bucket weights 1.5/1.0/0.5/0.
    // W1: 31 and 43 are "near" (<= 50, x1.0), 56 "medium" (<= 60, x0.5):
    //     240 + 300 + 120 x 0.5 = 600; x report weight 1.0 x infectiousness 1.0 = 600.
    // W2: 61 is "other" (x0): 0.
    CHECK(WindowWeightedDuration(w1, config.daily) == doctest::Approx(600));
    CHECK(WindowScore(w2, config.daily) == doctest::Approx(0));
    const auto summaries = ComputeDailySummaries(e.windows, config, 18431);
    REQUIRE(summaries.size() == 1);
    CHECK(summaries[0].day == 18430);
    CHECK(summaries[0].total.score_sum == doctest::Approx(600));
    CHECK(summaries[0].total.maximum_score == doctest::Approx(600));
    CHECK(summaries[0].total.weighted_duration_sum == doctest::Approx(600));
    CHECK(summaries[0].by_report_type[2].score_sum == doctest::Approx(600));
    CHECK(summaries[0].by_report_type[1].score_sum == doctest::Approx(0));
    // ENX notifies on >= 2700 of CONFIRMED_TEST per day: not reached.
    CHECK_FALSE(Classify(summaries, config).notify);
}

TEST_CASE("sightings just inside the +-2 h validity window match and just outside do not") {
    const DiagnosisKey key = SampleKey();
    const RiskConfig config = EnxWithCorrection(0);
    const EnIntervalNumber last = kStart + 143;
    // A sighting of another key's RPI keeps the stored time range around the key's day, so
    // the edge cases below reach the per-sighting drift check.
    auto run_one = [&](EnIntervalNumber rpi_interval, int64_t t) {
        DiagnosisKey unrelated = key;
        unrelated.key.mutable_bytes()[15] ^= 1;
        return Match({key}, {Sight(key, rpi_interval, t, -20, -60, -60, std::nullopt),
                             Sight(unrelated, kStart + 70, kDayStart + 42000, -20, -60, -60,
                                   std::nullopt)},
                     config);
    };
    // First RPI: 12 intervals before it is the earliest accepted sighting time.
    CHECK(run_one(kStart, int64_t{kStart - 12} * 600).exposures.size() == 1);
    Run early = run_one(kStart, int64_t{kStart - 12} * 600 - 1);
    CHECK(early.exposures.empty());
    CHECK(early.stats.drift_rejected == 1);
    // Last RPI: heard up to the end of interval last + 12.
    CHECK(run_one(last, int64_t{last + 12} * 600 + 599).exposures.size() == 1);
    Run late = run_one(last, int64_t{last + 13} * 600);
    CHECK(late.exposures.empty());
    CHECK(late.stats.drift_rejected == 1);
    // A sighting of the key's RPI three hours off its interval, inside the day: rejected.
    CHECK(run_one(kStart + 70, int64_t{kStart + 88} * 600).exposures.empty());
}

TEST_CASE("an RPI replayed for three hours counts only its first 20 minutes") {
    const DiagnosisKey key = SampleKey();
    const RiskConfig config = EnxWithCorrection(0);
    const int64_t t0 = kDayStart + 36000;
    std::vector<SightingRecord> records;
    // One scan every 5 minutes for 3 hours (37 scans), all of the RPI of kStart + 60,
    // attenuation -20 - (-60) = 40 ("near", weight 1.0), previous scan ended 280 s before
    // each (-> 5 minutes -> 300 s).
    for (int k = 0; k <= 36; ++k) {
        const int64_t t = t0 + 300 * k;
        records.push_back(Sight(key, kStart + 60, t, -20, -60, -60, t - 280));
    }
    const Run run = Match({key}, records, config);
    // Scan k is in interval kStart + 60 + floor(k / 2): k = 26..36 are more than 12
    // intervals after the RPI's own and fail the drift check first (11); of the 26 left,
    // only first_seen - t0 <= 1200 s, i.e. k = 0..4, survive the replay guard (21 dropped).
    CHECK(run.stats.drift_rejected == 11);
    CHECK(run.stats.replay_rejected == 21);
    CHECK(run.stats.accepted == 5);
    REQUIRE(run.exposures.size() == 1);
    REQUIRE(run.exposures[0].windows.size() == 1);
    const ExposureWindow& w = run.exposures[0].windows[0];
    REQUIRE(w.scans.size() == 5);
    // 5 scans x 300 s x 1.0 = 1500 weighted seconds (not 37 x 300 = 11100).
    CHECK(WindowWeightedDuration(w, config.daily) == doctest::Approx(1500));
}

TEST_CASE("TX power outside [-50, +20] dBm is rejected as malicious") {
    const DiagnosisKey key = SampleKey();
    const RiskConfig config = EnxWithCorrection(0);
    const int64_t t = kDayStart + 36000;
    const std::vector<SightingRecord> records = {
        Sight(key, kStart + 60, t, -51, -60, -60, std::nullopt),
        Sight(key, kStart + 61, t + 600, 21, -60, -60, std::nullopt),
        Sight(key, kStart + 62, t + 1200, -50, -60, -60, std::nullopt),
        Sight(key, kStart + 63, t + 1300, 20, -60, -60, std::nullopt),
    };
    const Run run = Match({key}, records, config);
    CHECK(run.stats.tx_power_rejected == 2);
    CHECK(run.stats.accepted == 2);
    REQUIRE(run.exposures.size() == 1);
    // Bounds are inclusive; attenuation floors at 0: -50-(-60) = 10, 20-(-60) = 80.
    REQUIRE(run.exposures[0].windows[0].scans.size() == 2);
    CHECK(run.exposures[0].windows[0].scans[0].typical_attenuation_db == 10);
    CHECK(run.exposures[0].windows[0].scans[1].typical_attenuation_db == 80);
}

TEST_CASE("a corrupted AEM is rejected, the rest of the key still matches") {
    const DiagnosisKey key = SampleKey();
    const int64_t t = kDayStart + 36000;
    std::vector<SightingRecord> records = {
        Sight(key, kStart + 60, t, -20, -60, -60, std::nullopt),
        Sight(key, kStart + 61, t + 600, -20, -60, -60, std::nullopt),
    };
    records[0].aem[0] ^= 0xC0;  // major version no longer 1
    records[1].aem_valid = false;
    const Run run = Match({key}, records, EnxWithCorrection(0));
    CHECK(run.stats.metadata_rejected == 2);
    CHECK(run.exposures.empty());
}

DiagnosisKey WithType(const DiagnosisKey& key, std::optional<int> type) {
    DiagnosisKey k = key;
    if (type) k.report_type = static_cast<ReportType>(*type);
    return k;
}

TEST_CASE("report types: revoked and invalid keys never expose, revisions follow transitions") {
    const DiagnosisKey key = SampleKey();
    const RiskConfig config = EnxWithCorrection(0);
    const int64_t t = kDayStart + 36000;
    const std::vector<SightingRecord> records = {
        Sight(key, kStart + 60, t, -20, -60, -60, t - 300)};
    auto final_type = [&](std::vector<std::optional<int>> types) -> std::optional<ReportType> {
        std::vector<DiagnosisKey> keys;
        for (auto type : types) keys.push_back(WithType(key, type));
        const Run run = Match(keys, records, config);
        if (run.exposures.empty()) return std::nullopt;
        return run.exposures[0].report_type;
    };
    CHECK_FALSE(final_type({5}));  // REVOKED
    CHECK_FALSE(final_type({9}));  // not a report type
    CHECK_FALSE(final_type({4}));  // RECURSIVE, not allowed by default
    CHECK(final_type({3}) == ReportType::kSelfReport);
    CHECK(final_type({3, 1}) == ReportType::kConfirmedTest);
    CHECK(final_type({2, 5}) == ReportType::kRevoked);
    CHECK(final_type({1, 3}) == ReportType::kConfirmedTest);  // not a valid transition
    // REVOKED is final whatever the order (a revocation listed before the key's first
    // publication used to be skipped, leaving the key scored).
    CHECK(final_type({5, 1}) == ReportType::kRevoked);
    CHECK(final_type({3, 5, 1}) == ReportType::kRevoked);
    CHECK(final_type({std::nullopt}) == ReportType::kConfirmedClinicalDiagnosis);

    // A key revised to REVOKED keeps its windows but they never score.
    std::vector<DiagnosisKey> keys{WithType(key, 2), WithType(key, 5)};
    const Run run = Match(keys, records, config);
    REQUIRE(run.exposures.size() == 1);
    CHECK(run.exposures[0].windows[0].report_type == ReportType::kRevoked);
    CHECK(ComputeDailySummaries(run.exposures[0].windows, config, 18431).empty());
}

TEST_CASE("matcher streams keys in chunks and skips keys outside the stored time range") {
    const DiagnosisKey key = SampleKey();
    const std::vector<SightingRecord> records = {
        Sight(key, kStart + 60, kDayStart + 36000, -20, -60, -60, std::nullopt)};
    const RpiIndex index(records, 5);
    Matcher matcher(index);
    std::vector<DiagnosisKey> keys(Matcher::kChunkKeys * 3 + 5, key);
    for (size_t i = 0; i < keys.size(); ++i) {
        keys[i].key.mutable_bytes()[0] = static_cast<uint8_t>(i);
        keys[i].key.mutable_bytes()[1] = static_cast<uint8_t>(i >> 8);
    }
    keys[70] = key;
    keys[1].rolling_start_interval_number = kStart - 144 * 3;  // days before any sighting
    keys[2].rolling_period = 0;                                   // invalid
    keys[3].rolling_start_interval_number = UINT32_MAX - 10;      // would overflow
    for (size_t i = 0; i < keys.size(); i += 7) {
        matcher.Add(std::span(keys).subspan(i, std::min<size_t>(7, keys.size() - i)));
    }
    const auto matches = matcher.Finish();
    REQUIRE(matches.size() == 1);
    CHECK(matches[0].sequence == 70);
    CHECK(matcher.stats().keys == keys.size());
    CHECK(matcher.stats().invalid_keys == 2);
    CHECK(matcher.stats().skipped_keys >= 1);
}

}  // namespace
}  // namespace jejak

namespace jejak {
namespace {

// Guards the matcher's error path: when the AES primitive fails while deriving a chunk's
// RPIs, the matcher must say so (status() not OK) instead of probing zeros or dropping the
// key silently, so an exposure check never decides on incomplete matches.
TEST_CASE("a failing AES primitive makes the matcher report an error, never a silent miss") {
    const DiagnosisKey key = SampleKey();
    const std::vector<SightingRecord> records = {
        Sight(key, kStart + 10, kDayStart + 6000, -10, -60, -58, std::nullopt)};
    const RpiIndex index(records, 42);
    {
        Matcher matcher(index, MatchOptions{1}, PortableBackend());
        matcher.Add(std::vector<DiagnosisKey>{key});
        const std::vector<KeyHits> ok_matches = matcher.Finish();
        REQUIRE(matcher.status().ok());
        CHECK(ok_matches.size() == 1);
    }
    {
        Matcher matcher(index, MatchOptions{1}, PortableBackend());
        internal::ScopedAesFailureForTesting fail;  // this thread: the matcher runs inline
        matcher.Add(std::vector<DiagnosisKey>{key});
        const std::vector<KeyHits> matches = matcher.Finish();
        CHECK_FALSE(matcher.status().ok());
        CHECK(matches.empty());
    }
}

}  // namespace
}  // namespace jejak
