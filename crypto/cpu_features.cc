// CPU feature detection (cpuid/XCR0 on x86-64, AT_HWCAP on aarch64), once per process.
#include "crypto/cpu_features.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace jejak {
namespace {

#if defined(__x86_64__)
// XCR0 is only readable once the OS has set CR4.OSXSAVE (checked by the caller).
[[gnu::target("xsave")]] uint64_t ReadXcr0() { return _xgetbv(0); }

void DetectX86(CpuFeatures& f) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    const bool ssse3 = c & bit_SSSE3, sse41 = c & bit_SSE4_1, aes = c & bit_AES;
    const bool osxsave = c & bit_OSXSAVE, avx = c & bit_AVX;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return;
    const bool sha = b & bit_SHA, avx512f = b & bit_AVX512F, avx512vl = b & bit_AVX512VL;
    const bool vaes = c & bit_VAES, avx2 = b & bit_AVX2;
    f.x86_sha_aes = sha && aes && ssse3 && sse41;
    // XCR0 bits 1, 2 (xmm, ymm), 5, 6, 7 (opmask, upper zmm0-15, zmm16-31).
    constexpr uint64_t kYmmState = 0x06, kZmmState = 0xE6;
    const uint64_t xcr0 = osxsave ? ReadXcr0() : 0;
    const bool os_ymm = (xcr0 & kYmmState) == kYmmState;
    const bool os_zmm = (xcr0 & kZmmState) == kZmmState;
    f.x86_vaes256 = f.x86_sha_aes && vaes && avx && avx2 && os_ymm;
    f.x86_vaes512 = f.x86_sha_aes && vaes && avx512f && avx512vl && os_zmm;
}
#endif

CpuFeatures Detect() {
    CpuFeatures f;
    const char* force = std::getenv("JEJAK_CRYPTO_FORCE_PORTABLE");
    if (force != nullptr && std::string_view(force) == "1") return f;
#if defined(__x86_64__)
    DetectX86(f);
#endif
#if defined(__aarch64__)
    const unsigned long hwcap = getauxval(AT_HWCAP);
    f.arm64_aes_sha2 = (hwcap & HWCAP_AES) && (hwcap & HWCAP_SHA2);
#endif
    return f;
}

}  // namespace

const CpuFeatures& DetectedCpuFeatures() {
    static const CpuFeatures features = Detect();
    return features;
}

}  // namespace jejak
