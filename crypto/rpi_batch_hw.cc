// Hardware backend registry: reads the CPU features once (cpuid and XCR0 on x86-64,
// getauxval(AT_HWCAP) on aarch64) and lists the kernels this CPU and OS can run, slowest
// first. Built without instruction-set flags so it runs on any CPU of the architecture.
// JEJAK_CRYPTO_FORCE_PORTABLE=1 in the environment lists none, so the portable path runs on
// a CPU that has the instructions: how the path of a Pi 4 (BCM2711: no ARMv8 crypto
// extensions) is tested on a Pi 5 or under qemu, whose CPUs have them.
#include "crypto/rpi_batch_hw.h"

#include <cstdlib>
#include <string_view>
#include <vector>

#include "crypto/rpi_batch.h"
#include "crypto/secret.h"

#if defined(JEJAK_HAVE_X86_KERNELS)
#include <cpuid.h>
#include <immintrin.h>
#endif
#if defined(JEJAK_HAVE_ARM64_KERNELS)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace jejak::internal {
namespace {

// The kernels use CPU instructions only and cannot fail; they stay free of Status (whose
// inline code must not be compiled with their instruction-set flags), so the backend entry
// points wrap them here.
using Kernel = void (*)(const uint8_t*, const uint32_t*, size_t, uint32_t, uint8_t*);

template <Kernel kKernel>
Status Infallible(const uint8_t* teks, const uint32_t* first_enin, size_t n, uint32_t count,
                  uint8_t* out) {
    kKernel(teks, first_enin, n, count, out);
    return Status::Ok();
}

#if defined(JEJAK_HAVE_X86_KERNELS)
constexpr KeyScheduleBackend kX86ShaNiAesNi{"x86-shani-aesni",
                                            &Infallible<&DeriveRpisX86ShaNiAesNi>};
constexpr KeyScheduleBackend kX86ShaNiVaes256{"x86-shani-vaes256",
                                              &Infallible<&DeriveRpisX86ShaNiVaes256>};
constexpr KeyScheduleBackend kX86ShaNiVaes512{"x86-shani-vaes512",
                                              &Infallible<&DeriveRpisX86ShaNiVaes512>};

struct X86Features {
    bool sha_aes = false;  // SHA, AES-NI, SSSE3, SSE4.1
    bool vaes256 = false;  // VAES, AVX2 and ymm state enabled by the OS
    bool vaes512 = false;  // VAES, AVX512F, AVX512VL and zmm state enabled by the OS
};

// XCR0 is only readable once the OS has set CR4.OSXSAVE (checked by the caller).
[[gnu::target("xsave")]] uint64_t ReadXcr0() { return _xgetbv(0); }

X86Features DetectX86() {
    X86Features f;
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool ssse3 = c & bit_SSSE3, sse41 = c & bit_SSE4_1, aes = c & bit_AES;
    const bool osxsave = c & bit_OSXSAVE, avx = c & bit_AVX;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
    const bool sha = b & bit_SHA, avx512f = b & bit_AVX512F, avx512vl = b & bit_AVX512VL;
    const bool vaes = c & bit_VAES, avx2 = b & bit_AVX2;
    f.sha_aes = sha && aes && ssse3 && sse41;
    // XCR0 bits 1, 2 (xmm, ymm), 5, 6, 7 (opmask, upper zmm0-15, zmm16-31).
    constexpr uint64_t kYmmState = 0x06, kZmmState = 0xE6;
    const uint64_t xcr0 = osxsave ? ReadXcr0() : 0;
    const bool os_ymm = (xcr0 & kYmmState) == kYmmState;
    const bool os_zmm = (xcr0 & kZmmState) == kZmmState;
    f.vaes256 = f.sha_aes && vaes && avx && avx2 && os_ymm;
    f.vaes512 = f.sha_aes && vaes && avx512f && avx512vl && os_zmm;
    return f;
}
#endif

#if defined(JEJAK_HAVE_ARM64_KERNELS)
constexpr KeyScheduleBackend kArm64Ce{"arm64-ce", &Infallible<&DeriveRpisArm64Ce>};
#endif

bool ForcedPortable() {
    const char* force = std::getenv("JEJAK_CRYPTO_FORCE_PORTABLE");
    return force != nullptr && std::string_view(force) == "1";
}

std::vector<const KeyScheduleBackend*> Detect() {
    std::vector<const KeyScheduleBackend*> list;
    if (ForcedPortable()) return list;
#if defined(JEJAK_HAVE_X86_KERNELS)
    const X86Features f = DetectX86();
    if (f.sha_aes) list.push_back(&kX86ShaNiAesNi);
    if (f.vaes256) list.push_back(&kX86ShaNiVaes256);
    if (f.vaes512) list.push_back(&kX86ShaNiVaes512);
#endif
#if defined(JEJAK_HAVE_ARM64_KERNELS)
    const unsigned long hwcap = getauxval(AT_HWCAP);
    if ((hwcap & HWCAP_AES) && (hwcap & HWCAP_SHA2)) list.push_back(&kArm64Ce);
#endif
    return list;
}

}  // namespace

[[gnu::noinline]] void ScrubStack() {
    uint8_t area[4096];
    SecureZero(area, sizeof area);
}

std::span<const KeyScheduleBackend* const> HardwareBackends() {
    static const std::vector<const KeyScheduleBackend*> list = Detect();
    return list;
}

}  // namespace jejak::internal
