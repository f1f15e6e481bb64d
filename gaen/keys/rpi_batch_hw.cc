// Hardware backend registry: lists the kernels this CPU and OS can run (crypto/cpu_features.h,
// read once), slowest first. Built without instruction-set flags so it runs on any CPU of the
// architecture. JEJAK_CRYPTO_FORCE_PORTABLE=1 lists none (cpu_features.h).
#include "gaen/keys/rpi_batch_hw.h"

#include <cstdlib>
#include <string_view>
#include <vector>

#include "gaen/keys/rpi_batch.h"
#include "crypto/cpu_features.h"
#include "crypto/secret.h"


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

#endif

#if defined(JEJAK_HAVE_ARM64_KERNELS)
constexpr KeyScheduleBackend kArm64Ce{"arm64-ce", &Infallible<&DeriveRpisArm64Ce>};
#endif

std::vector<const KeyScheduleBackend*> Detect() {
    std::vector<const KeyScheduleBackend*> list;
    [[maybe_unused]] const CpuFeatures& cpu = DetectedCpuFeatures();
#if defined(JEJAK_HAVE_X86_KERNELS)
    if (cpu.x86_sha_aes) list.push_back(&kX86ShaNiAesNi);
    if (cpu.x86_vaes256) list.push_back(&kX86ShaNiVaes256);
    if (cpu.x86_vaes512) list.push_back(&kX86ShaNiVaes512);
#endif
#if defined(JEJAK_HAVE_ARM64_KERNELS)
    if (cpu.arm64_aes_sha2) list.push_back(&kArm64Ce);
#endif
    return list;
}

}  // namespace

std::span<const KeyScheduleBackend* const> HardwareBackends() {
    static const std::vector<const KeyScheduleBackend*> list = Detect();
    return list;
}

}  // namespace jejak::internal
