// Batch backend "x86-shani-vaes512": RPIKs with the SHA extensions (sha256_x86_shani.cc), RPIs
// with VAES on zmm registers, four AES blocks per instruction and eight registers in flight.
// Compiled with -mvaes -mavx512f -mavx512vl -maes -msse4.1; rpi_batch_hw.cc lists it only when
// the CPU has them and the OS saves the AVX-512 state (XCR0).
//
// Lane 3 of each 128-bit block (the ENIN, little endian) is the only one that changes between
// intervals, so the four lanes of a register start at first + {0, 1, 2, 3} and step by 4.
#include <immintrin.h>

#include "gaen/keys/kernels/rpi_chunk_driver.h"
#include "gaen/keys/rpi_batch_hw.h"

namespace jejak::internal {
namespace {

constexpr int kWideRegs = 8;    // registers per main-loop step: 32 blocks
constexpr int kNarrowRegs = 4;  // then 16 blocks

// _mm512_broadcast_i32x4 starts from an "undefined" register that GCC 12 reports as maybe
// uninitialized; the zero-masked form is the same instruction without that warning.
[[gnu::always_inline]] inline __m512i Broadcast128(__m128i v) {
    return _mm512_maskz_broadcast_i32x4(0xFFFF, v);
}

struct ZmmKeys {
    __m512i k[11];
};

[[gnu::always_inline]] inline ZmmKeys Broadcast(const uint8_t* round_keys) {
    ZmmKeys z;
#pragma GCC unroll 16
    for (int r = 0; r < 11; ++r) {
        z.k[r] =
            Broadcast128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(round_keys + 16 * r)));
    }
    return z;
}

// R registers (4 R blocks) of consecutive intervals from ctr; the last register stores only
// the lanes in last_mask (64-bit lanes, two per block).
template <int R>
[[gnu::always_inline]] inline void EncryptRegs(const ZmmKeys& z, __m512i ctr, uint8_t* out,
                                               __mmask8 last_mask = 0xFF) {
    const __m512i step = _mm512_set_epi32(4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0);
    __m512i b[R];
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
        b[i] = _mm512_xor_si512(ctr, z.k[0]);
        ctr = _mm512_add_epi32(ctr, step);
    }
#pragma GCC unroll 16
    for (int r = 1; r < 10; ++r) {
#pragma GCC unroll 16
        for (int i = 0; i < R; ++i) b[i] = _mm512_aesenc_epi128(b[i], z.k[r]);
    }
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) b[i] = _mm512_aesenclast_epi128(b[i], z.k[10]);
#pragma GCC unroll 16
    for (int i = 0; i + 1 < R; ++i) _mm512_storeu_si512(out + 64 * i, b[i]);
    _mm512_mask_storeu_epi64(out + 64 * (R - 1), last_mask, b[R - 1]);
}

void EncryptIntervals(const uint8_t* round_keys, uint32_t first, uint32_t count, uint8_t* out) {
    const ZmmKeys z = Broadcast(round_keys);
    const __m128i padded = _mm_setr_epi32(0x522D4E45, 0x00004950, 0, static_cast<int>(first));
    __m512i ctr = _mm512_add_epi32(
        Broadcast128(padded), _mm512_set_epi32(3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0));
    const auto advance = [&ctr](int blocks) {
        ctr = _mm512_add_epi32(ctr, _mm512_set_epi32(blocks, 0, 0, 0, blocks, 0, 0, 0, blocks, 0, 0,
                                                     0, blocks, 0, 0, 0));
    };
    uint32_t j = 0;
    for (; j + 4 * kWideRegs <= count; j += 4 * kWideRegs) {
        EncryptRegs<kWideRegs>(z, ctr, out + 16 * size_t{j});
        advance(4 * kWideRegs);
    }
    if (j + 4 * kNarrowRegs <= count) {
        EncryptRegs<kNarrowRegs>(z, ctr, out + 16 * size_t{j});
        advance(4 * kNarrowRegs);
        j += 4 * kNarrowRegs;
    }
    for (; j < count; j += 4) {
        const uint32_t left = count - j < 4 ? count - j : 4;
        EncryptRegs<1>(z, ctr, out + 16 * size_t{j}, static_cast<__mmask8>((1u << (2 * left)) - 1));
        advance(4);
    }
}

}  // namespace

void DeriveRpisX86ShaNiVaes512(const uint8_t* teks, const uint32_t* first_enin, size_t n,
                               uint32_t count, uint8_t* out) {
    DeriveRpisChunked<&EncryptIntervals>(teks, first_enin, n, count, out);
}

}  // namespace jejak::internal
