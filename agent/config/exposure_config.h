// The "exposure" section: how the matcher treats the time of a sighting. Every key optional:
//   exposure.max_time_skew_minutes  0..120 (default 120, the GAEN spec's +-2 h): how far a
//                                   sighting may lie from its RPI's 10-minute interval, in
//                                   either direction, and still count. A fleet whose clocks
//                                   are synchronised can set 15: replays and relays then get
//                                   a 15-minute window instead of two hours (THREAT_MODEL.md
//                                   "Replay and relay"). Above 120 is refused: the matcher
//                                   only looks that far.
// Unknown keys and values out of range are errors.
#pragma once

#include <nlohmann/json.hpp>

#include "agent/config/config.h"

namespace jejak {

inline constexpr int kMaxTimeSkewMinutesLimit = 120;

struct ExposureConfig {
    int max_time_skew_minutes = kMaxTimeSkewMinutesLimit;
};

Result<ExposureConfig> ParseExposureConfig(const nlohmann::json& section);
Result<ExposureConfig> LoadExposureConfig(const ProgramFiles& source);

}  // namespace jejak
