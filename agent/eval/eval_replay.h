// The bridge from recorded readings to the agent's own scoring code: readings become GAEN
// receptions of one synthetic sender (a fixed TEK, its RPI of each 10-minute interval and
// the AEM carrying the sender's TX power), each scan is folded by the daemon's
// SightingAggregator, the sightings become matching records exactly as `jejak match` loads
// them from the store, exposure windows come from ResolveKeyExposures and the decision from
// ComputeDailySummaries + Classify. Nothing here re-implements a scoring rule.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "agent/exposure/match.h"
#include "gaen/risk/risk_config.h"
#include "storage/sighting_aggregator.h"

namespace jejak::eval {

// One advertisement as heard: integer Unix seconds (already on the replay's timeline) and dBm.
struct Heard {
    int64_t t = 0;
    int rssi = 0;
};

class Replayer {
public:
    // `tx_dbm` goes into the sender's metadata (must be within [-50, +20]).
    explicit Replayer(int tx_dbm);

    // One scan of the receiver under `regime` (bin_seconds for continuous scanning), started
    // after a previous scan that ended at `previous_end` (absent: unknown).
    void Scan(std::optional<int64_t> previous_end, std::span<const Heard> heard, ScanRegime regime,
              uint16_t bin_seconds);
    // Exposure windows of everything scanned since the last call; starts afresh.
    std::vector<ExposureWindow> TakeWindows(const WindowConfig& config);
    // The same under each of `configs` (e.g. two receiver calibrations), in their order.
    std::vector<std::vector<ExposureWindow>> TakeWindows(std::span<const WindowConfig> configs);

private:
    struct IntervalKeys {
        Rpi rpi;
        Aem aem;
    };
    const IntervalKeys& KeysOf(EnIntervalNumber interval);

    Tek tek_;
    int tx_dbm_;
    std::map<EnIntervalNumber, IntervalKeys> keys_;
    std::vector<SightingRecord> records_;
    std::vector<RpiHit> hits_;
};

// The rule's decision on windows of one UTC day `today` (the replay puts each episode in it).
struct Decision {
    bool notify = false;
    double score = 0;
};
Decision Decide(std::span<const ExposureWindow> windows, const RiskConfig& rule, uint32_t today);

}  // namespace jejak::eval
