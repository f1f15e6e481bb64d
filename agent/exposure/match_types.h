// The stored sighting record as the matching pipeline reads it (the exposure window and scan
// instance it produces are GAEN's types, gaen/risk/window.h; keys are the export reader's
// DiagnosisKey). Adapters from the export reader and the
// store fill these; matching itself never touches files or the database.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "gaen/export/export_file.h"
#include "gaen/risk/window.h"
#include "gaen/keys/interval.h"
#include "gaen/keys/key_schedule.h"
#include "crypto/secret.h"
#include "storage/store.h"

namespace jejak {

// One RPI heard during one scan, aggregated over that scan's advertisements.
struct SightingRecord {
    Rpi rpi{};
    Aem aem{};
    bool aem_valid = true;  // false when the advert did not carry exactly 4 AEM bytes
    int64_t first_seen = 0;  // Unix seconds
    int64_t last_seen = 0;
    uint32_t count = 1;      // advertisements aggregated (>= 1)
    double mean_rssi = 0;    // raw dBm, before the receiver correction
    int max_rssi = 0;        // strongest advertisement: gives the minimum attenuation
    // End of the previous scan (Unix seconds); absent when unknown.
    std::optional<int64_t> previous_scan_end;
    // How the receiver scanned (docs/scan-regimes.md): continuous scanning is credited per
    // bin of bin_seconds, anything else by GAEN's secondsSinceLastScan.
    ScanRegime scan_regime = ScanRegime::kUnrecorded;
    uint16_t bin_seconds = 0;
};

}  // namespace jejak
