// Batch backend "x86-shani-vaes256": RPIKs with the SHA extensions (sha256_x86_shani.cc), RPIs
// with VAES on ymm registers, two AES blocks per instruction and eight registers in flight:
// for CPUs with VAES but without AVX-512 (AMD Zen 3, Intel Alder Lake and later cores).
// Compiled with -mvaes -mavx2 -maes -msse4.1; rpi_batch_hw.cc lists it only when the CPU has
// them and the OS saves the ymm state (XCR0).
//
// Lane 3 of each 128-bit block (the ENIN, little endian) is the only one that changes between
// intervals, so the two halves of a register start at first + {0, 1} and step by 2.
#include <immintrin.h>

#include "gaen/keys/kernels/rpi_chunk_driver.h"
#include "gaen/keys/rpi_batch_hw.h"

namespace jejak::internal {
namespace {

constexpr int kWideRegs = 8;    // registers per main-loop step: 16 blocks
constexpr int kNarrowRegs = 4;  // then 8 blocks

struct YmmKeys {
    __m256i k[11];
};

[[gnu::always_inline]] inline YmmKeys Broadcast(const uint8_t* round_keys) {
    YmmKeys y;
#pragma GCC unroll 16
    for (int r = 0; r < 11; ++r) {
        y.k[r] = _mm256_broadcastsi128_si256(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(round_keys + 16 * r)));
    }
    return y;
}

// R registers (2 R blocks) of consecutive intervals from ctr; with `half`, the last register
// stores only its low block.
template <int R>
[[gnu::always_inline]] inline void EncryptRegs(const YmmKeys& y, __m256i ctr, uint8_t* out,
                                               bool half = false) {
    const __m256i step = _mm256_setr_epi32(0, 0, 0, 2, 0, 0, 0, 2);
    __m256i b[R];
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
        b[i] = _mm256_xor_si256(ctr, y.k[0]);
        ctr = _mm256_add_epi32(ctr, step);
    }
#pragma GCC unroll 16
    for (int r = 1; r < 10; ++r) {
#pragma GCC unroll 16
        for (int i = 0; i < R; ++i) b[i] = _mm256_aesenc_epi128(b[i], y.k[r]);
    }
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) b[i] = _mm256_aesenclast_epi128(b[i], y.k[10]);
#pragma GCC unroll 16
    for (int i = 0; i + 1 < R; ++i) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32 * i), b[i]);
    }
    uint8_t* last = out + 32 * (R - 1);
    if (half) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(last), _mm256_castsi256_si128(b[R - 1]));
    } else {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(last), b[R - 1]);
    }
}

void EncryptIntervals(const uint8_t* round_keys, uint32_t first, uint32_t count, uint8_t* out) {
    const YmmKeys y = Broadcast(round_keys);
    const __m128i padded = _mm_setr_epi32(0x522D4E45, 0x00004950, 0, static_cast<int>(first));
    __m256i ctr = _mm256_add_epi32(_mm256_broadcastsi128_si256(padded),
                                   _mm256_setr_epi32(0, 0, 0, 0, 0, 0, 0, 1));
    const auto advance = [&ctr](int blocks) {
        ctr = _mm256_add_epi32(ctr, _mm256_setr_epi32(0, 0, 0, blocks, 0, 0, 0, blocks));
    };
    uint32_t j = 0;
    for (; j + 2 * kWideRegs <= count; j += 2 * kWideRegs) {
        EncryptRegs<kWideRegs>(y, ctr, out + 16 * size_t{j});
        advance(2 * kWideRegs);
    }
    if (j + 2 * kNarrowRegs <= count) {
        EncryptRegs<kNarrowRegs>(y, ctr, out + 16 * size_t{j});
        advance(2 * kNarrowRegs);
        j += 2 * kNarrowRegs;
    }
    for (; j < count; j += 2) {
        EncryptRegs<1>(y, ctr, out + 16 * size_t{j}, count - j == 1);
        advance(2);
    }
}

}  // namespace

void DeriveRpisX86ShaNiVaes256(const uint8_t* teks, const uint32_t* first_enin, size_t n,
                               uint32_t count, uint8_t* out) {
    DeriveRpisChunked<&EncryptIntervals>(teks, first_enin, n, count, out);
}

}  // namespace jejak::internal
