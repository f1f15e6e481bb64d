// Internal to gaen/keys: GAEN RPIK derivation (HKDF-SHA256 with the all-zero salt and info
// "EN-RPIK") on the x86 SHA extensions. Compiled with -msha -msse4.1; call it only when the
// CPU reports SHA, SSSE3 and SSE4.1 (rpi_batch_hw.cc checks this once).
#pragma once

#include <cstddef>
#include <cstdint>

namespace jejak::internal {

// rpiks[16 * i .. 16 * i + 15] = HKDF-SHA256(teks[16 * i ..], 32 zero bytes, "EN-RPIK", 16)
// for i < n. Keys are processed two at a time. No key material is left in memory except
// the output, which the caller owns and zeroes.
void DeriveRpiksShaNi(const uint8_t* teks, size_t n, uint8_t* rpiks);

}  // namespace jejak::internal
