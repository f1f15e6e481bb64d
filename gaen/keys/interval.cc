// ENIntervalNumber arithmetic.
#include "gaen/keys/interval.h"

#include <limits>
#include <string>

namespace jejak {

Result<EnIntervalNumber> IntervalFromUnixSeconds(int64_t unix_seconds) {
    if (unix_seconds < 0) {
        return Status::InvalidArgument("time before the Unix epoch: " +
                                       std::to_string(unix_seconds));
    }
    const int64_t enin = unix_seconds / kIntervalSeconds;
    if (enin > std::numeric_limits<EnIntervalNumber>::max()) {
        return Status::InvalidArgument("time past the last ENIntervalNumber: " +
                                       std::to_string(unix_seconds));
    }
    return static_cast<EnIntervalNumber>(enin);
}

Status TekValidity::Check() const {
    if (rolling_period < 1 || rolling_period > kTekRollingPeriod) {
        return Status::InvalidArgument("rolling period " + std::to_string(rolling_period) +
                                       " outside 1..144");
    }
    if (static_cast<uint64_t>(rolling_start) + rolling_period >
        std::numeric_limits<EnIntervalNumber>::max() + uint64_t{1}) {
        return Status::InvalidArgument("validity window past the last ENIntervalNumber");
    }
    return Status::Ok();
}

}  // namespace jejak
