// Internal to gaen/keys: the hardware-accelerated batch backends (AES and SHA-256 CPU
// instructions). Each kernel is compiled in its own file with the instruction-set flags it
// needs; rpi_batch_hw.cc (built without such flags) checks the running CPU once and lists
// only the backends it can run.
//
// Kernel files include only this header, the sha256_* headers (declarations and constexpr
// data), rpi_chunk_driver.h (templates in an anonymous namespace), <immintrin.h>/<arm_neon.h>
// and secret.h (SecureZero), and keep their helpers in anonymous namespaces, so no inline
// function with external linkage is compiled with wider instructions (the linker could
// otherwise pick that copy for the whole program).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace jejak {
struct KeyScheduleBackend;
}

namespace jejak::internal {

// Backends this CPU can run, slowest first (the last one is the default); none when the
// environment variable JEJAK_CRYPTO_FORCE_PORTABLE is "1" at the first call.
std::span<const KeyScheduleBackend* const> HardwareBackends();

// Kernels with the KeyScheduleBackend::derive_rpis contract (rpi_batch.h), except that they
// return nothing: they use no library and cannot fail (rpi_batch_hw.cc adds the Status).
#if defined(JEJAK_HAVE_X86_KERNELS)
// SHA-NI + AES-NI (needs SHA, AES, SSSE3, SSE4.1).
void DeriveRpisX86ShaNiAesNi(const uint8_t* teks, const uint32_t* first_enin, size_t n,
                             uint32_t count, uint8_t* out);
// SHA-NI + VAES on 256-bit registers (also needs AVX2 and OS ymm state).
void DeriveRpisX86ShaNiVaes256(const uint8_t* teks, const uint32_t* first_enin, size_t n,
                               uint32_t count, uint8_t* out);
// SHA-NI + VAES on 512-bit registers (also needs AVX512F, AVX512VL and OS zmm state).
void DeriveRpisX86ShaNiVaes512(const uint8_t* teks, const uint32_t* first_enin, size_t n,
                               uint32_t count, uint8_t* out);
// AES-128 key schedules of n keys with AES-NI: 11 round keys (176 bytes) per key.
void ExpandAes128KeysNi(const uint8_t* keys, size_t n, uint8_t* round_keys);
#endif
#if defined(JEJAK_HAVE_ARM64_KERNELS)
// ARMv8 AES + SHA2 crypto extensions.
void DeriveRpisArm64Ce(const uint8_t* teks, const uint32_t* first_enin, size_t n, uint32_t count,
                       uint8_t* out);
#endif

}  // namespace jejak::internal
