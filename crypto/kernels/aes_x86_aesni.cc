// AES-128-ECB with AES-NI for aes.cc, compiled with -maes -msse2 only; aes.cc calls it only
// where cpu_features.h reports AES-NI. Helpers have internal linkage, so no code built with
// these flags is shared with the rest of the library.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "crypto/kernels/aes_x86_aesni.h"

namespace jejak::internal {
namespace {

template <int kRcon>
__m128i ExpandStep(__m128i key) {
    __m128i assist = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(key, kRcon), 0xff);
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    return _mm_xor_si128(key, assist);
}

[[gnu::noinline]] void EncryptBlocks(const uint8_t key[16], const uint8_t* in, uint8_t* out,
                                     size_t blocks) {
    __m128i rk[11];
    rk[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
    rk[1] = ExpandStep<0x01>(rk[0]);
    rk[2] = ExpandStep<0x02>(rk[1]);
    rk[3] = ExpandStep<0x04>(rk[2]);
    rk[4] = ExpandStep<0x08>(rk[3]);
    rk[5] = ExpandStep<0x10>(rk[4]);
    rk[6] = ExpandStep<0x20>(rk[5]);
    rk[7] = ExpandStep<0x40>(rk[6]);
    rk[8] = ExpandStep<0x80>(rk[7]);
    rk[9] = ExpandStep<0x1b>(rk[8]);
    rk[10] = ExpandStep<0x36>(rk[9]);
    // Eight blocks in flight: each block is a chain of ten dependent AES rounds, and the
    // rounds of independent blocks overlap in the pipeline (one at a time, the key schedule's
    // 144 blocks took as long as its two HMACs).
    constexpr size_t kInFlight = 8;
    size_t i = 0;
    for (; i + kInFlight <= blocks; i += kInFlight) {
        __m128i b[kInFlight];
#pragma GCC unroll 8
        for (size_t l = 0; l < kInFlight; ++l) {
            b[l] = _mm_xor_si128(
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16 * (i + l))), rk[0]);
        }
#pragma GCC unroll 9
        for (int r = 1; r < 10; ++r) {
#pragma GCC unroll 8
            for (size_t l = 0; l < kInFlight; ++l) b[l] = _mm_aesenc_si128(b[l], rk[r]);
        }
#pragma GCC unroll 8
        for (size_t l = 0; l < kInFlight; ++l) {
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * (i + l)),
                             _mm_aesenclast_si128(b[l], rk[10]));
        }
    }
    for (; i < blocks; ++i) {
        __m128i b = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16 * i)),
                                  rk[0]);
#pragma GCC unroll 9
        for (int r = 1; r < 10; ++r) b = _mm_aesenc_si128(b, rk[r]);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * i), _mm_aesenclast_si128(b, rk[10]));
    }
    // The round keys are wiped with volatile stores (no library call from this file).
    volatile __m128i* wipe = rk;
    for (int r = 0; r < 11; ++r) wipe[r] = _mm_setzero_si128();
}

}  // namespace

void EncryptBlocksAesNi(const uint8_t key[16], const uint8_t* in, uint8_t* out, size_t blocks) {
    EncryptBlocks(key, in, out, blocks);
}

}  // namespace jejak::internal
