// Batch backend "x86-shani-aesni": RPIKs with the SHA extensions (sha256_x86_shani.cc), RPIs
// with AES-NI, eight blocks in flight to cover the aesenc latency. Compiled with
// -msha -maes -mssse3 -msse4.1 only; rpi_batch_hw.cc lists it only on CPUs that have them.
//
// The padded data of consecutive intervals differ only in their last four bytes, the ENIN
// little endian, which is lane 3 of the block read as 32-bit words: counters are vector adds.
#include <immintrin.h>

#include "gaen/keys/kernels/rpi_chunk_driver.h"
#include "gaen/keys/rpi_batch_hw.h"
#include "crypto/secret.h"

namespace jejak::internal {
namespace {

constexpr int kBlocksInFlight = 8;

// One AES-128 key-schedule step. SubWord(RotWord(w3)) comes from aesenclast on a block whose
// four columns all hold RotWord(w3): ShiftRows then moves nothing, and the "round key" adds
// the round constant. This runs at aesenclast throughput, unlike aeskeygenassist.
[[gnu::always_inline]] inline __m128i NextRoundKey(__m128i prev, int rcon) {
    const __m128i rot_w3 =
        _mm_setr_epi8(13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12);
    const __m128i t = _mm_aesenclast_si128(_mm_shuffle_epi8(prev, rot_w3), _mm_set1_epi32(rcon));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 8));
    return _mm_xor_si128(prev, t);
}

// "EN-RPI" || 00 * 6 || enin little endian.
inline __m128i PaddedData(uint32_t enin) {
    return _mm_setr_epi32(0x522D4E45, 0x00004950, 0, static_cast<int>(enin));
}

// Encrypts W consecutive intervals starting at ctr into out.
template <int W>
[[gnu::always_inline]] inline void EncryptRun(const __m128i* rk, __m128i ctr, uint8_t* out) {
    __m128i b[W];
#pragma GCC unroll 16
    for (int i = 0; i < W; ++i) {
        b[i] = _mm_xor_si128(_mm_add_epi32(ctr, _mm_setr_epi32(0, 0, 0, i)), rk[0]);
    }
#pragma GCC unroll 16
    for (int r = 1; r < 10; ++r) {
        const __m128i k = rk[r];
#pragma GCC unroll 16
        for (int i = 0; i < W; ++i) b[i] = _mm_aesenc_si128(b[i], k);
    }
#pragma GCC unroll 16
    for (int i = 0; i < W; ++i) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * i),
                         _mm_aesenclast_si128(b[i], rk[10]));
    }
}

void EncryptIntervals(const uint8_t* round_keys, uint32_t first, uint32_t count, uint8_t* out) {
    const auto* rk = reinterpret_cast<const __m128i*>(round_keys);
    __m128i ctr = PaddedData(first);
    const __m128i step = _mm_setr_epi32(0, 0, 0, kBlocksInFlight);
    uint32_t j = 0;
    for (; j + kBlocksInFlight <= count; j += kBlocksInFlight) {
        EncryptRun<kBlocksInFlight>(rk, ctr, out + 16 * size_t{j});
        ctr = _mm_add_epi32(ctr, step);
    }
    for (; j < count; ++j) {
        EncryptRun<1>(rk, ctr, out + 16 * size_t{j});
        ctr = _mm_add_epi32(ctr, _mm_setr_epi32(0, 0, 0, 1));
    }
}

// L independent key schedules in lock step (one alone is a long latency chain).
template <int L>
[[gnu::always_inline]] inline void ExpandLanes(const uint8_t* keys, uint8_t* round_keys) {
    constexpr int kRcon[10] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1B, 0x36};
    __m128i k[L];
#pragma GCC unroll 16
    for (int l = 0; l < L; ++l) {
        k[l] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(keys + 16 * l));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(round_keys + 176 * l), k[l]);
    }
#pragma GCC unroll 16
    for (int r = 1; r < 11; ++r) {
#pragma GCC unroll 16
        for (int l = 0; l < L; ++l) {
            k[l] = NextRoundKey(k[l], kRcon[r - 1]);
            _mm_storeu_si128(reinterpret_cast<__m128i*>(round_keys + 176 * l + 16 * r), k[l]);
        }
    }
}

}  // namespace

void ExpandAes128KeysNi(const uint8_t* keys, size_t n, uint8_t* round_keys) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) ExpandLanes<4>(keys + 16 * i, round_keys + 176 * i);
    for (; i < n; ++i) ExpandLanes<1>(keys + 16 * i, round_keys + 176 * i);
}

void DeriveRpisX86ShaNiAesNi(const uint8_t* teks, const uint32_t* first_enin, size_t n,
                             uint32_t count, uint8_t* out) {
    DeriveRpisChunked<&EncryptIntervals>(teks, first_enin, n, count, out);
}

}  // namespace jejak::internal
