// SightingAggregator: folds the advertisements heard during one scan into one Sighting per
// RPI, the unit the store keeps (GAEN aggregates per RPI and scan; PROTOCOL.md section 2).
// Pure and single-threaded: the radio side feeds receptions and hands the result of
// EndScan to Store::AddSightings.
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

class SightingAggregator {
public:
    // Every sighting gets this regime and bin (Sighting::scan_regime, bin_seconds).
    explicit SightingAggregator(ScanRegime regime = ScanRegime::kUnrecorded,
                                uint16_t bin_seconds = 0)
        : regime_(regime), bin_seconds_(bin_seconds) {}

    // Starts a scan. `previous_scan_end_unix_s` fills Sighting::seconds_since_previous_scan
    // (first_seen - previous end, floored at 0); unknown gives -1. Discards an unfinished scan.
    void BeginScan(std::optional<int64_t> previous_scan_end_unix_s);
    // Adds one advertisement. The first AEM heard for an RPI in the scan is kept.
    void Add(const Reception& reception);
    // One Sighting per RPI heard since BeginScan, in order of first reception; resets.
    std::vector<Sighting> EndScan();

private:
    struct Acc {
        Sighting sighting;
        double rssi_sum = 0;
        size_t order = 0;
    };
    ScanRegime regime_;
    uint16_t bin_seconds_;
    std::optional<int64_t> previous_end_;
    std::map<Rpi, Acc> by_rpi_;
};

}  // namespace jejak
