// Internal to crypto/: the hardware-accelerated batch backends (AES and SHA-256 CPU
// instructions). Each is compiled in its own file with the instruction-set flags it needs
// and is only listed when the running CPU supports it.
#pragma once

#include <span>

#include "crypto/rpi_batch.h"

namespace jejak::internal {

// Backends this CPU can run, slowest first (the last one is the default).
std::span<const KeyScheduleBackend* const> HardwareBackends();

}  // namespace jejak::internal
