// Exposure windows and scan instances from a matched key's sighting records.
#include "agent/exposure/exposure_window.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "gaen/risk/calibration.h"

namespace jejak {
namespace {

// A sighting record that passed every check, with its decrypted metadata.
struct ValidSighting {
    const SightingRecord* record;
    int tx_power;
    int confidence;
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Seconds from the RPI's interval [start, start + 599] to the sighting's first second.
int64_t SkewSeconds(const SightingRecord& r, EnIntervalNumber rpi_interval) {
    const int64_t start = int64_t{rpi_interval} * kIntervalSeconds;
    const int64_t last = start + kIntervalSeconds - 1;
    return r.first_seen < start ? start - r.first_seen
                                : (r.first_seen > last ? r.first_seen - last : 0);
}

bool WithinDrift(const SightingRecord& r, EnIntervalNumber rpi_interval, int64_t max_skew_s) {
    return SkewSeconds(r, rpi_interval) <= max_skew_s;
}

int SecondsSinceLastScan(const SightingRecord& r) {
    if (!r.previous_scan_end || *r.previous_scan_end <= 0) return 60 * kDefaultMinutesSinceLastScan;
    const int64_t minutes = FloorDiv(r.first_seen, 60) - FloorDiv(*r.previous_scan_end, 60);
    return static_cast<int>(60 * std::clamp<int64_t>(minutes, 0, kMaxMinutesSinceLastScan));
}

// Credit bin of a continuous scanner's sighting; 0 for duty-cycled or unrecorded scanning.
int BinSeconds(const SightingRecord& r) {
    return r.scan_regime == ScanRegime::kContinuous ? r.bin_seconds : 0;
}

// Drift check and replay guard for the hits of one RPI (records sorted by time).
void FilterRpi(std::vector<const SightingRecord*>& records, EnIntervalNumber rpi_interval,
               int64_t max_skew_s, WindowStats& stats) {
    std::vector<const SightingRecord*> kept;
    for (const SightingRecord* r : records) {
        if (!WithinDrift(*r, rpi_interval, max_skew_s)) {
            ++stats.drift_rejected;
            ++(r->first_seen < int64_t{rpi_interval} * kIntervalSeconds ? stats.drift_rejected_early
                                                                         : stats.drift_rejected_late);
        } else if (!kept.empty() &&
                   r->first_seen - kept.front()->first_seen > kReplayGuardSeconds) {
            ++stats.replay_rejected;
        } else {
            kept.push_back(r);
        }
    }
    records.swap(kept);
}

std::vector<ValidSighting> ValidSightings(const KeyHits& match,
                                          std::span<const SightingRecord> records,
                                          int64_t max_skew_s, WindowStats& stats) {
    std::map<EnIntervalNumber, std::vector<const SightingRecord*>> by_rpi;
    for (const RpiHit& hit : match.hits) {
        if (hit.record < records.size()) by_rpi[hit.rpi_interval].push_back(&records[hit.record]);
    }
    const Aemk aemk = DeriveAemk(match.key.key);
    std::vector<ValidSighting> out;
    for (auto& [interval, list] : by_rpi) {
        std::sort(list.begin(), list.end(),
                  [](auto* a, auto* b) { return a->first_seen < b->first_seen; });
        FilterRpi(list, interval, max_skew_s, stats);
        for (const SightingRecord* r : list) {
            // An AEM that cannot be decrypted (AES failure) is rejected like a malformed one.
            auto plain = r->aem_valid ? DecryptMetadata(aemk, r->rpi, r->aem)
                                      : Result<MetadataBytes>(Status::Corruption("no AEM"));
            auto metadata = plain.ok() ? DecodeMetadata(*plain) : Result<Metadata>(plain.status());
            if (!metadata.ok()) {
                ++stats.metadata_rejected;
            } else if (metadata->tx_power_dbm < kTxPowerMinDbm ||
                       metadata->tx_power_dbm > kTxPowerMaxDbm) {
                ++stats.tx_power_rejected;
            } else {
                ++stats.accepted;
                out.push_back({r, metadata->tx_power_dbm, metadata->calibration_confidence});
            }
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const ValidSighting& a, const ValidSighting& b) {
        return a.record->first_seen < b.record->first_seen;
    });
    return out;
}

// A stretch of time a continuous receiver heard a key, [from, to) in Unix seconds.
struct HeardSpan {
    int64_t from;
    int64_t to;
};

// The time a continuous receiver heard the key: each sighting stands for the seconds from its
// first to its last advert, both included (times are whole seconds); two sightings less than
// one bin apart are one stretch (the silence between them is the sender's advertising
// interval, a lost advert or a rotation); a silence of a whole bin or more is not heard.
// `sightings` are sorted by first_seen; duty-cycled sightings take no part.
std::vector<HeardSpan> HeardSpans(const std::vector<ValidSighting>& sightings) {
    std::vector<HeardSpan> spans;
    for (const ValidSighting& s : sightings) {
        const int bin = BinSeconds(*s.record);
        if (bin == 0) continue;
        const int64_t from = s.record->first_seen;
        const int64_t to = std::max(from, s.record->last_seen) + 1;
        if (!spans.empty() && from - spans.back().to < bin) {
            spans.back().to = std::max(spans.back().to, to);
        } else {
            spans.push_back({from, to});
        }
    }
    return spans;
}

// Seconds of [from, to) covered by `spans` (sorted, disjoint).
int HeardWithin(const std::vector<HeardSpan>& spans, int64_t from, int64_t to) {
    auto it = std::lower_bound(spans.begin(), spans.end(), from,
                               [](const HeardSpan& s, int64_t t) { return s.to <= t; });
    int64_t heard = 0;
    for (; it != spans.end() && it->from < to; ++it) {
        heard += std::min(it->to, to) - std::max(it->from, from);
    }
    return static_cast<int>(heard);
}

// Accumulates one scan instance's advertisements.
struct ScanAccumulator {
    double attenuation_sum = 0;
    double weight = 0;
    int min_attenuation = INT32_MAX;

    void Add(const ValidSighting& s, int correction) {
        const double mean = std::max(0.0, s.tx_power - (s.record->mean_rssi + correction));
        const double n = std::max<uint32_t>(1, s.record->count);
        attenuation_sum += mean * n;
        weight += n;
        min_attenuation =
            std::min(min_attenuation, AttenuationDb(s.tx_power, s.record->max_rssi, correction));
    }
    int Typical() const { return static_cast<int>(std::floor(attenuation_sum / weight + 0.5)); }
};

}  // namespace

bool SystematicOffset(const WindowStats& stats) {
    const uint64_t n = stats.drift_rejected;
    const uint64_t side = std::max(stats.drift_rejected_early, stats.drift_rejected_late);
    return n >= kSystematicOffsetMinimum && n >= stats.accepted && side * 10 >= n * 9;
}

std::vector<ExposureWindow> BuildExposureWindows(const KeyHits& match,
                                                 std::span<const SightingRecord> records,
                                                 const WindowConfig& config, WindowStats* stats) {
    WindowStats local;
    WindowStats& st = stats != nullptr ? *stats : local;
    const std::vector<ValidSighting> sightings = ValidSightings(match, records, config.max_time_skew_s, st);
    const std::vector<HeardSpan> heard = HeardSpans(sightings);
    const ReportType type =
        ResolveReportType(match.key.report_type, config.report_type_when_missing)
            .value_or(ReportType::kConfirmedTest);
    const Infectiousness infectiousness =
        InfectiousnessFor(match.key.days_since_onset_of_symptoms, config);

    std::vector<ExposureWindow> windows;
    ScanAccumulator scan;
    int64_t previous_time = 0;
    int scan_bin = 0;     // bin length of the open scan instance (0: duty-cycled)
    int64_t scan_at = 0;  // its bin start
    auto close_scan = [&] {
        if (!windows.empty() && scan.weight > 0) {
            windows.back().scans.back().typical_attenuation_db = scan.Typical();
            windows.back().scans.back().min_attenuation_db = scan.min_attenuation;
        }
        scan = ScanAccumulator{};
    };
    for (const ValidSighting& s : sightings) {
        const int64_t t = s.record->first_seen;
        const int bin = BinSeconds(*s.record);
        const int64_t at = bin > 0 ? FloorDiv(t, bin) * bin : t;
        const bool new_window = windows.empty() || at - windows.back().start >= kMaxWindowSeconds;
        const bool same_scan =
            !new_window && scan.weight > 0 &&
            (bin > 0 ? scan_bin == bin && scan_at == at
                     : scan_bin == 0 && static_cast<double>(t - previous_time) <= kSameScanSeconds);
        if (!same_scan) close_scan();
        if (new_window) {
            ExposureWindow& w = windows.emplace_back();
            w.start = at;
            w.day = static_cast<uint32_t>(FloorDiv(at, 86400));
            w.report_type = type;
            w.infectiousness = infectiousness;
            w.calibration_confidence = s.confidence;
            w.transmission_risk_level = match.key.transmission_risk_level;
        }
        if (scan.weight == 0) {
            const int credit =
                bin > 0 ? HeardWithin(heard, at, at + bin) : SecondsSinceLastScan(*s.record);
            windows.back().scans.push_back({0, 0, credit, t});
        }
        scan.Add(s, config.rssi_correction_db);
        scan_bin = bin;
        scan_at = at;
        previous_time = std::max(t, s.record->last_seen);
    }
    close_scan();
    return windows;
}

}  // namespace jejak
