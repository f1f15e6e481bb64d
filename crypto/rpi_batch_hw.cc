// Hardware backend registry. Backends are added by the files that implement them.
#include "crypto/rpi_batch_hw.h"

namespace jejak::internal {

std::span<const KeyScheduleBackend* const> HardwareBackends() { return {}; }

}  // namespace jejak::internal
