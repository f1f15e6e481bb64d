// From a matched key's raw RPI hits to GAEN exposure windows (docs/PROTOCOL.md 1.6, 6.2;
// Google's ExposureMatchingTracer, KeyExposureEvaluator and ExposureWindowUtils):
//  1. drift: a sighting counts only if it lies within max_time_skew_s of its RPI's interval
//     (default 7,200 s: +- 12 intervals, the spec's +-2 h; `exposure.max_time_skew_minutes`);
//  2. replay guard: per RPI, sightings more than 20 minutes after its first valid sighting
//     are dropped (a legitimate sender never broadcasts one RPI that long);
//  3. metadata: the AEM is decrypted with the key's AEMK; undecodable metadata or a TX power
//     outside [-50, +20] dBm rejects the sighting;
//  4. attenuation = TX power - (RSSI + receiver correction), floored at 0;
//  5. time-ordered sightings become windows of at most 30 minutes, cut into scan instances
//     whose typical attenuation is the rounded mean and minimum the smallest, credited by
//     the receiver's scan regime (docs/scan-regimes.md):
//     - duty-cycled or unrecorded: sightings <= 25.5 s apart (1.5 x the 17 s longest scan)
//       are one scan instance; secondsSinceLastScan = 60 x min(5, minutes since the
//       previous scan ended), 120 s when unknown (GAEN's rule);
//     - continuous: the sightings of one bin of bin_seconds (from the Unix epoch, so 60-s
//       bins are UTC minutes) are one scan instance, credited the seconds of that bin in
//       which the key was heard: from a first to a last advert, across silences shorter
//       than a bin (so a contact is credited the time it was heard, whatever its alignment
//       to the bins); empty bins are credited nothing. Windows of continuous sightings
//       start at a bin start, so a bin never straddles two windows.
// Stored records are already one per RPI and scan, so a record contributes `count`
// advertisements at its mean RSSI and its strongest one to the minimum.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "agent/exposure/match.h"
#include "agent/exposure/match_types.h"

namespace jejak {

inline constexpr int kTxPowerMinDbm = -50;
inline constexpr int kTxPowerMaxDbm = 20;
inline constexpr int64_t kReplayGuardSeconds = 20 * 60;
inline constexpr int64_t kMaxWindowSeconds = 30 * 60;
inline constexpr double kSameScanSeconds = 1.5 * (4 + 13);
inline constexpr int kMaxMinutesSinceLastScan = 5;
inline constexpr int kDefaultMinutesSinceLastScan = 2;

// What happened to the hits, for `jejak match` output and tests.
struct WindowStats {
    uint64_t drift_rejected = 0;        // outside max_time_skew_s of the RPI's interval:
    uint64_t drift_rejected_early = 0;  //   heard before it (the device clock is behind)
    uint64_t drift_rejected_late = 0;   //   heard after it (the device clock is ahead)
    uint64_t replay_rejected = 0;
    uint64_t metadata_rejected = 0;  // AEM missing/undecodable
    uint64_t tx_power_rejected = 0;
    uint64_t accepted = 0;
};

// A systematic clock offset rather than stray replays: at least kSystematicOffsetMinimum
// sightings of matched keys fell outside the window, no fewer than were accepted, and at
// least 90 % of them on the same side of their RPI's interval.
inline constexpr uint64_t kSystematicOffsetMinimum = 3;
bool SystematicOffset(const WindowStats& stats);

// Windows of one matched key, time-ordered. Windows get the key's resolved report type (or
// CONFIRMED_TEST if invalid; the revision step drops those) and infectiousness.
std::vector<ExposureWindow> BuildExposureWindows(const KeyHits& match,
                                                 std::span<const SightingRecord> records,
                                                 const WindowConfig& config, WindowStats* stats);

}  // namespace jejak
