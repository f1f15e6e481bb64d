// GAEN v2's exposure-window value types (docs/PROTOCOL.md 1.6, 6.2; the ExposureWindow,
// ScanInstance and DiagnosisKeysDataMapping of the Exposure Notification API), what the
// device's matcher produces and the daily summaries score, and the two rules that give a
// window its report type and infectiousness. Plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "gaen/export/export_file.h"
#include "gaen/keys/interval.h"

namespace jejak {

// Number of ReportType values defined by the export format (0..5, export_file.h).
inline constexpr int kReportTypeCount = 6;

// Infectiousness of a window (DiagnosisKeysDataMapping): NONE drops the window.
enum class Infectiousness : int { kNone = 0, kStandard = 1, kHigh = 2 };

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

// DiagnosisKeysDataMapping plus the receiver's RSSI correction.
struct WindowConfig {
    // Entry d + 14 for days since onset d in -14..14.
    std::array<Infectiousness, 29> days_since_onset_to_infectiousness;
    Infectiousness infectiousness_when_missing = Infectiousness::kStandard;
    ReportType report_type_when_missing = ReportType::kConfirmedTest;
    int rssi_correction_db = 0;
    // How far (seconds) a sighting's first second may lie before the first or after the last
    // second of its RPI's interval; at most kClockDriftIntervals intervals (the matcher
    // probes no further).
    int64_t max_time_skew_s = int64_t{kClockDriftIntervals} * kIntervalSeconds;

    WindowConfig() { days_since_onset_to_infectiousness.fill(Infectiousness::kStandard); }
};

// Absent or UNKNOWN -> report_type_when_missing; 1..5 unchanged; else nullopt (invalid).
std::optional<ReportType> ResolveReportType(std::optional<ReportType> raw, ReportType when_missing);
// Infectiousness for a key's days since onset (|d| > 14 or absent -> the missing value).
Infectiousness InfectiousnessFor(std::optional<int> days_since_onset, const WindowConfig& config);

// Report types whose windows count in scoring: CONFIRMED_TEST, CONFIRMED_CLINICAL_DIAGNOSIS,
// SELF_REPORT, and RECURSIVE when allowed.
bool IsScoredReportType(ReportType type, bool allow_recursive);

}  // namespace jejak
