// Plain value types shared by the matching pipeline: a diagnosis key as matching
// needs it, one stored sighting record, and the exposure window / scan instance produced for
// a matched key (docs/PROTOCOL.md 1.6, 6.2). Adapters from the export reader and the
// store fill these; matching itself never touches files or the database.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "agent/diagnosis/export_file.h"
#include "crypto/interval.h"
#include "crypto/key_schedule.h"
#include "crypto/secret.h"
#include "storage/store.h"

namespace jejak {

// Number of ReportType values defined by the export format (0..5, export_file.h).
inline constexpr int kReportTypeCount = 6;

// Infectiousness of a window (DiagnosisKeysDataMapping): NONE drops the window.
enum class Infectiousness : int { kNone = 0, kStandard = 1, kHigh = 2 };

// A published diagnosis key as read by the export reader (export_file.h). Its report type
// may be absent or out of range in a hostile file; matching copes with both.
using MatchKey = DiagnosisKey;

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

// One scan's view of one key (ScanInstance).
struct ScanInstance {
    int typical_attenuation_db = 0;
    int min_attenuation_db = 0;
    int seconds_since_last_scan = 0;
    int64_t time = 0;  // first sighting of the scan, Unix seconds (not part of the GAEN API)
};

// At most 30 minutes of sightings of one key (ExposureWindow).
struct ExposureWindow {
    int64_t start = 0;      // first sighting, Unix seconds
    uint32_t day = 0;       // UTC days since the epoch of start
    ReportType report_type = ReportType::kConfirmedTest;
    Infectiousness infectiousness = Infectiousness::kStandard;
    int calibration_confidence = 0;  // of the transmitter, from its metadata (0..3)
    int transmission_risk_level = 0;
    std::vector<ScanInstance> scans;
};

}  // namespace jejak
