// The CPU instructions the fast paths may use, read once per process: cpuid and XCR0 (what
// the OS saves on a context switch) on x86-64, getauxval(AT_HWCAP) on aarch64. Built without
// instruction-set flags, so it runs on any CPU of the architecture.
// JEJAK_CRYPTO_FORCE_PORTABLE=1 in the environment at the first call reports none, so the
// portable paths run on a CPU that has the instructions: how a Pi 4 (BCM2711: no ARMv8
// crypto extensions) is tested on a Pi 5 or under qemu, whose CPUs have them.
#pragma once

namespace jejak {

struct CpuFeatures {
    bool x86_sha_aes = false;  // SHA, AES-NI, SSSE3, SSE4.1
    bool x86_vaes256 = false;  // and VAES, AVX2, ymm state enabled by the OS
    bool x86_vaes512 = false;  // and VAES, AVX512F, AVX512VL, zmm state enabled by the OS
    bool arm64_aes_sha2 = false;  // ARMv8 AES and SHA2 crypto extensions
};

const CpuFeatures& DetectedCpuFeatures();

}  // namespace jejak
