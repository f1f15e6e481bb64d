// What the efficacy harness replays (data/datasets/README.md, "How to score"):
// episodes and their ground truth, the phone scan schedules of mode P, the per-group
// attenuation calibration, and the rules (published presets, their 10-minute variants and
// a single-threshold sweep).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/eval/eval_data.h"
#include "gaen/risk/risk_config.h"

namespace jejak::eval {

// An episode is the unit that gets a yes/no decision: readings [begin, end) of a stream,
// covering [start, stop] seconds at one true distance.
struct Episode {
    size_t begin = 0, end = 0;
    double start = 0, stop = 0;
    int distance_cm = 0;
};
inline constexpr int kContactDistanceCm = 200;  // ground truth: contact if <= 2 m (>= 15 min)
inline constexpr double kPiEpisodeSeconds = 30 * 60;
inline bool IsContact(int distance_cm) { return distance_cm <= kContactDistanceCm; }

// Herald format: one episode per contiguous distance segment (first to last reading). Pi
// format: consecutive 30-minute episodes from the first reading, the remainder dropped.
// Untimed streams have none.
std::vector<Episode> EpisodesOf(const Stream& stream);
// Contact events for continuity: Herald segments, or the whole Pi file.
std::vector<Episode> ContactEventsOf(const Stream& stream);

// Mode P: Google Play services' duty cycle (PROTOCOL.md 2.3): first scan at U[0, 300) s
// after the stream's first reading, each next one 300 s - U[0, 90) s later, 4 s long.
inline constexpr double kPhoneScanSeconds = 4;
inline constexpr double kPiScanCollectSeconds = 10;  // Pi rows are themselves ~10 s apart
std::vector<double> PhoneSchedule(double first, double last, uint64_t seed);

// Attenuation calibration of a group of streams: the RSSI correction that puts the group's
// median attenuation at 150 cm at 55 dB (the CWA lower bucket border that the Fraunhofer
// slides tie to 1.5 m). A one-point field calibration made on the same recordings
// (in-sample): the threshold sweep uses it (one constant offset per group, which its ROC
// and AUC do not depend on); the fixed rules need a calibration because the senders here
// advertise no calibrated TX power, and use the out-of-sample one below.
inline constexpr int kCalibrationDistanceCm = 150;
inline constexpr int kCalibrationAttenuationDb = 55;
inline constexpr int kMinFitDistanceCm = 10;  // a log-distance fit has no 0 cm
struct Calibration {
    int tx_dbm = 0;              // put in the replayed metadata (the advertised value if known)
    int rssi_correction_db = 0;  // applied by matching
    bool calibrated = false;     // false: no 150 cm readings in the group
};
std::map<std::string, Calibration> CalibrateGroups(const std::vector<const Stream*>& streams);

// Out-of-sample calibration, what the fixed rules are scored with: for each group and each
// distance recorded in it, the correction fitted without any reading at that distance. A
// least-squares line of the median RSSI at every other distance (>= 10 cm, each distance
// weighing once) against log10(distance) gives the RSSI expected at 150 cm, which is put at
// 55 dB as above. For a Pi file (one distance per recording) this leaves the whole recording
// out; for a Herald recording (all distances in one file) it leaves the scored segment out.
// A distance with fewer than two others to fit is uncalibrated.
using HeldOutCalibrations = std::map<std::string, std::map<int, Calibration>>;
HeldOutCalibrations CalibrateHeldOut(const std::vector<const Stream*>& streams);

// The rules replayed on every episode.
struct EvalRule {
    std::string name;
    RiskConfig config;
};
// The published presets, then "<rule>@10min" for the two field-study duration rules (Leith
// and Farrell report 15 and 10 minutes).
std::vector<EvalRule> PresetRules();
// The grid the default rule was chosen from (docs/efficacy.md): the default preset with its
// border moved over kGridMinDb..kGridMaxDb and its time over kGridMinutes, named
// "grid:<=B@Mmin".
inline constexpr int kGridMinDb = 50;
inline constexpr int kGridMaxDb = 60;
inline constexpr int kGridMinutes[] = {8, 10, 12, 15};
std::vector<EvalRule> GridRules();
// One threshold: weight 1 at typical attenuation <= threshold_db, else 0; notify at 15
// weighted minutes in a day.
RiskConfig SweepRule(int threshold_db);
inline constexpr int kSweepMinDb = 20;
inline constexpr int kSweepMaxDb = 100;

}  // namespace jejak::eval
