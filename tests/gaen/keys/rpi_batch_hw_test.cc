// Hardware batch backends: listed exactly when the CPU (read here independently of the
// registry) has their instructions and JEJAK_CRYPTO_FORCE_PORTABLE=1 is not set, bit-exact
// with the reference schedule on edge keys and on interval runs whose ENIN carries across
// byte boundaries, and never writing past the end of the output (their tails use masked or
// partial stores).
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

#include "gaen/keys/key_schedule.h"
#include "crypto/random.h"
#include "gaen/keys/rpi_batch.h"

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

bool Listed(std::string_view name) { return FindBackend(name) != nullptr; }

// scripts/cross-arm64 runs the suite twice under qemu, once with this set.
bool ForcedPortable() {
    const char* force = std::getenv("JEJAK_CRYPTO_FORCE_PORTABLE");
    return force != nullptr && std::string_view(force) == "1";
}

#if defined(__x86_64__)
[[gnu::target("xsave")]] uint64_t Xcr0() { return _xgetbv(0); }

struct CpuidBits {
    bool sha_aes = false;
    bool vaes256 = false;
    bool vaes512 = false;
};

CpuidBits ReadCpuid() {
    CpuidBits bits;
    unsigned a = 0, b = 0, c1 = 0, d = 0, b7 = 0, c7 = 0;
    if (!__get_cpuid(1, &a, &b, &c1, &d)) return bits;
    if (!__get_cpuid_count(7, 0, &a, &b7, &c7, &d)) return bits;
    const auto has = [](unsigned reg, int bit) { return ((reg >> bit) & 1u) != 0; };
    // Leaf 1 ECX: 9 SSSE3, 19 SSE4.1, 25 AES, 27 OSXSAVE, 28 AVX. Leaf 7 EBX: 5 AVX2,
    // 16 AVX512F, 29 SHA, 31 AVX512VL; ECX: 9 VAES. XCR0: 0x06 ymm state, 0xE6 zmm state.
    bits.sha_aes = has(c1, 9) && has(c1, 19) && has(c1, 25) && has(b7, 29);
    const uint64_t xcr0 = has(c1, 27) ? Xcr0() : 0;
    const bool ymm_state = (xcr0 & 0x06) == 0x06;
    const bool zmm_state = (xcr0 & 0xE6) == 0xE6;
    bits.vaes256 = bits.sha_aes && has(c7, 9) && has(c1, 28) && has(b7, 5) && ymm_state;
    bits.vaes512 = bits.sha_aes && has(c7, 9) && has(b7, 16) && has(b7, 31) && zmm_state;
    return bits;
}

TEST_CASE("x86 hardware backends are listed exactly when cpuid reports their instructions") {
    CpuidBits bits = ReadCpuid();
    if (ForcedPortable()) bits = CpuidBits{};
    CHECK(Listed("x86-shani-aesni") == bits.sha_aes);
    CHECK(Listed("x86-shani-vaes256") == bits.vaes256);
    CHECK(Listed("x86-shani-vaes512") == bits.vaes512);
    if (bits.vaes512) CHECK(BestBackend().name == "x86-shani-vaes512");
    if (!bits.sha_aes) CHECK(BestBackend().name == "portable");
    CHECK_FALSE(Listed("arm64-ce"));
}
#endif

#if defined(__aarch64__)
TEST_CASE("the arm64 backend is listed exactly when the CPU has the AES and SHA2 extensions") {
    const unsigned long hwcap = getauxval(AT_HWCAP);
    const bool ce = (hwcap & HWCAP_AES) && (hwcap & HWCAP_SHA2) && !ForcedPortable();
    CHECK(Listed("arm64-ce") == ce);
    CHECK(BestBackend().name == (ce ? "arm64-ce" : "portable"));
    CHECK_FALSE(Listed("x86-shani-aesni"));
}
#endif

TEST_CASE("the default backend is the last one listed") {
    CHECK(AvailableBackends().back() == &BestBackend());
}

TEST_CASE("JEJAK_CRYPTO_FORCE_PORTABLE=1 leaves the portable backend alone in the list") {
    if (!ForcedPortable()) return;
    CHECK(AvailableBackends().size() == 1);
    CHECK(BestBackend().name == "portable");
}

// Every RPI of every key against the reference functions, for each available backend.
void CheckAgainstReference(const std::vector<Tek>& teks,
                           const std::vector<EnIntervalNumber>& firsts, uint32_t count) {
    std::vector<Rpi> want(teks.size() * count);
    for (size_t i = 0; i < teks.size(); ++i) {
        const Rpik rpik = DeriveRpik(teks[i]);
        for (uint32_t j = 0; j < count; ++j) want[i * count + j] = *DeriveRpi(rpik, firsts[i] + j);
    }
    for (const KeyScheduleBackend* backend : AvailableBackends()) {
        CAPTURE(backend->name);
        std::vector<Rpi> got(want.size());
        REQUIRE(RpiDeriver(*backend).DeriveMany(teks, firsts, count, got).ok());
        size_t mismatches = 0;
        for (size_t k = 0; k < got.size(); ++k) mismatches += got[k] != want[k];
        CHECK(mismatches == 0);
    }
}

Tek FilledTek(uint8_t byte) {
    Tek tek;
    for (uint8_t& b : tek.mutable_bytes()) b = byte;
    return tek;
}

TEST_CASE("every backend matches the reference on all-0x00 and all-0xFF keys") {
    const std::vector<Tek> teks{FilledTek(0x00), FilledTek(0xFF), FilledTek(0x00), FilledTek(0xFF),
                                FilledTek(0x80)};
    const std::vector<EnIntervalNumber> firsts{0, 0, UINT32_MAX - 255, UINT32_MAX - 255, 2642976};
    CheckAgainstReference(teks, firsts, kMaxBatchIntervals);
}

TEST_CASE("every backend carries the ENIN across byte boundaries within one run") {
    // Runs crossing 0xFF -> 0x100, 0xFFFF -> 0x10000, 0xFFFFFF -> 0x1000000 at different
    // offsets inside the backends' groups of blocks, and the last possible run.
    const std::vector<EnIntervalNumber> firsts{0x000000F0, 0x0000FFF1,       0x00FFFFF2,
                                               0x00FFFF83, 0x01FFFFFF,       0x7FFFFFFE,
                                               0xFEFFFF00, UINT32_MAX - 255, 0x000000FF};
    SystemRandom random;
    std::vector<Tek> teks(firsts.size());
    for (Tek& t : teks) random.Fill(t.mutable_bytes());
    CheckAgainstReference(teks, firsts, kMaxBatchIntervals);
    CheckAgainstReference(teks, firsts, 17);
}

TEST_CASE("every backend writes exactly n * count RPIs and nothing past them") {
    SystemRandom random;
    std::vector<uint8_t> teks(16 * 11);
    random.Fill(teks);
    const std::vector<uint32_t> firsts(11, 0x00FFFFF0);
    constexpr uint8_t kGuard = 0xA5;
    for (const KeyScheduleBackend* backend : AvailableBackends()) {
        CAPTURE(backend->name);
        for (uint32_t count : {1u, 2u, 3u, 5u, 6u, 7u, 13u, 31u, 33u, 47u, 49u, 255u}) {
            for (size_t n : {size_t{1}, size_t{3}, size_t{9}, size_t{11}}) {
                CAPTURE(count);
                CAPTURE(n);
                const size_t used = 16 * n * count;
                std::vector<uint8_t> out(used + 64, kGuard);
                const Status s = backend->derive_rpis(teks.data(), firsts.data(), n, count,
                                                      out.data());
                REQUIRE(s.ok());
                size_t touched = 0;
                for (size_t k = used; k < out.size(); ++k) touched += out[k] != kGuard;
                CHECK(touched == 0);
            }
        }
    }
}

TEST_CASE("every backend gives the same RPIs when several threads call it at once") {
    // The contract says thread-safe with no shared state: four threads, disjoint outputs.
    constexpr size_t kThreads = 4, kKeysPerThread = 300;
    constexpr uint32_t kCount = kTekRollingPeriod;
    SystemRandom random;
    std::vector<uint8_t> teks(16 * kThreads * kKeysPerThread);
    random.Fill(teks);
    std::vector<uint32_t> firsts(kThreads * kKeysPerThread);
    for (size_t i = 0; i < firsts.size(); ++i) firsts[i] = 0x00FFFF00 + static_cast<uint32_t>(i);
    std::vector<uint8_t> want(16 * kCount * firsts.size());
    REQUIRE(PortableBackend()
                .derive_rpis(teks.data(), firsts.data(), firsts.size(), kCount, want.data())
                .ok());
    for (const KeyScheduleBackend* backend : AvailableBackends()) {
        CAPTURE(backend->name);
        std::vector<uint8_t> got(want.size());
        std::vector<std::thread> threads;
        std::vector<Status> statuses(kThreads);
        for (size_t t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                const size_t first_key = t * kKeysPerThread;
                statuses[t] = backend->derive_rpis(
                    teks.data() + 16 * first_key, firsts.data() + first_key, kKeysPerThread,
                    kCount, got.data() + size_t{16} * kCount * first_key);
            });
        }
        for (std::thread& th : threads) th.join();
        for (const Status& st : statuses) CHECK(st.ok());
        CHECK(got == want);
    }
}

}  // namespace
}  // namespace jejak
