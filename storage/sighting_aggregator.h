// SightingAggregator: folds the advertisements heard during one scan into one Sighting per
// RPI, the unit the store keeps (GAEN aggregates per RPI and scan; PROTOCOL.md section 2).
// Pure and single-threaded: the daemon (agent/daemon) feeds it live receptions and hands the
// result of EndScan to Store::AddSightings; the efficacy harness (agent/eval) feeds it
// replayed recordings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "storage/store.h"

namespace jejak {

struct Reception {
    Rpi rpi{};
    Aem aem{};
    int64_t unix_s = 0;
    int8_t rssi = 0;  // calibrated
};

// Distinct RPIs kept per scan window by default: far above any real crowd in radio range
// (GAEN devices rotate every 10-20 minutes), far below what a flood of fake advertisers
// changing RPI constantly produces.
inline constexpr size_t kDefaultMaxRpisPerWindow = 1024;

class SightingAggregator {
public:
    // Every sighting gets this regime and bin (Sighting::scan_regime, bin_seconds).
    // At most `max_rpis` distinct RPIs per scan. When full, the weakest-signal RPI is
    // evicted for a new one heard stronger than it, and a new one that is not stronger is
    // refused (a flood from afar cannot push out nearby devices); every reception lost
    // either way is counted in dropped_receptions().
    explicit SightingAggregator(ScanRegime regime = ScanRegime::kUnrecorded,
                                uint16_t bin_seconds = 0,
                                size_t max_rpis = kDefaultMaxRpisPerWindow)
        : regime_(regime), bin_seconds_(bin_seconds), max_rpis_(max_rpis) {}

    // Starts a scan. `previous_scan_end_unix_s` fills Sighting::seconds_since_previous_scan
    // (first_seen - previous end, floored at 0); unknown gives -1. Discards an unfinished scan.
    void BeginScan(std::optional<int64_t> previous_scan_end_unix_s);
    // Adds one advertisement. The first AEM heard for an RPI in the scan is kept.
    void Add(const Reception& reception);
    // One Sighting per RPI heard since BeginScan, in order of first reception; resets.
    std::vector<Sighting> EndScan();
    // Receptions lost to the per-scan cap since construction.
    uint64_t dropped_receptions() const { return dropped_; }

private:
    struct Acc {
        Sighting sighting;
        double rssi_sum = 0;
        size_t order = 0;
    };
    // False when the scan is full and `rssi` is not stronger than its weakest RPI; else
    // makes room (evicting that RPI when full).
    bool MakeRoom(int8_t rssi);

    ScanRegime regime_;
    uint16_t bin_seconds_;
    size_t max_rpis_;
    uint64_t dropped_ = 0;
    std::optional<int64_t> previous_end_;
    std::map<Rpi, Acc> by_rpi_;
    size_t next_order_ = 0;
};

}  // namespace jejak
