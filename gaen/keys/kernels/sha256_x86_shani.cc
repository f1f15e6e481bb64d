// HKDF-SHA256 for GAEN RPIKs on the x86 SHA extensions (sha256rnds2, sha256msg1/2).
//
// The constant parts are folded at compile time (sha256_constants.h); one key costs six
// compressions: PRK inner and outer, the PRK's ipad and opad blocks, the "EN-RPIK" 0x01 block
// (its message schedule precomputed) and the final outer block. Two keys run in lock step so
// that the long sha256rnds2 dependency chains overlap.
//
// SHA-NI keeps the eight working words in two registers, ABEF = {F, E, B, A} and
// CDGH = {H, G, D, C} (lane 0 first). Message words are kept as {W[i], .., W[i+3]}. A digest
// that becomes the next message needs no byte swap: its words are the message words.
#include "gaen/keys/kernels/sha256_x86_shani.h"

#include <immintrin.h>

#include "gaen/keys/kernels/sha256_constants.h"

namespace jejak::internal {
namespace {

using sha256::HashWords;
using sha256::kDigestBlockBits;
using sha256::kInfoBlockWk;
using sha256::kIpadWord;
using sha256::kOpadWord;
using sha256::kRoundConstants;
using sha256::kTekBlockBits;
using sha256::Schedule;

// A state in SHA-NI register order.
struct LaneState {
    alignas(16) uint32_t abef[4];
    alignas(16) uint32_t cdgh[4];
};

constexpr LaneState ToLanes(const HashWords& s) {
    return {{s.h[5], s.h[4], s.h[1], s.h[0]}, {s.h[7], s.h[6], s.h[3], s.h[2]}};
}

constexpr LaneState kIvLanes = ToLanes(sha256::kIv);
constexpr LaneState kZeroSaltInner = ToLanes(sha256::kZeroSaltInner);
constexpr LaneState kZeroSaltOuter = ToLanes(sha256::kZeroSaltOuter);

#define JEJAK_INLINE [[gnu::always_inline]] inline

JEJAK_INLINE __m128i ByteSwapWords(__m128i v) {
    return _mm_shuffle_epi8(v, _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3));
}

JEJAK_INLINE __m128i Load(const uint32_t* p) {
    return _mm_load_si128(reinterpret_cast<const __m128i*>(p));
}

// W[i+16 .. i+19] from the four previous groups of words.
JEJAK_INLINE __m128i NextWords(__m128i w0, __m128i w4, __m128i w8, __m128i w12) {
    const __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w0, w4), _mm_alignr_epi8(w12, w8, 4));
    return _mm_sha256msg2_epu32(t, w12);
}

// One compression for each of N independent lanes; m[l] is lane l's block (overwritten by
// the message schedule), abef/cdgh its chaining state (updated in place).
template <int N>
JEJAK_INLINE void Compress(__m128i (&abef)[N], __m128i (&cdgh)[N], __m128i (&m)[N][4]) {
    __m128i abef_in[N], cdgh_in[N];
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {
        abef_in[l] = abef[l];
        cdgh_in[l] = cdgh[l];
    }
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
        const __m128i k = Load(kRoundConstants + 4 * g);
#pragma GCC unroll 16
        for (int l = 0; l < N; ++l) {
            if (g >= 4) {
                m[l][g & 3] =
                    NextWords(m[l][g & 3], m[l][(g + 1) & 3], m[l][(g + 2) & 3], m[l][(g + 3) & 3]);
            }
            const __m128i wk = _mm_add_epi32(m[l][g & 3], k);
            cdgh[l] = _mm_sha256rnds2_epu32(cdgh[l], abef[l], wk);  // now ABEF
            abef[l] = _mm_sha256rnds2_epu32(abef[l], cdgh[l], _mm_shuffle_epi32(wk, 0x0E));
        }
    }
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {
        abef[l] = _mm_add_epi32(abef[l], abef_in[l]);
        cdgh[l] = _mm_add_epi32(cdgh[l], cdgh_in[l]);
    }
}

// Compress with a message schedule known in advance (wk = W + K for all 64 rounds).
template <int N>
JEJAK_INLINE void CompressKnown(__m128i (&abef)[N], __m128i (&cdgh)[N], const Schedule& wk) {
    __m128i abef_in[N], cdgh_in[N];
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {
        abef_in[l] = abef[l];
        cdgh_in[l] = cdgh[l];
    }
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
        const __m128i k = Load(wk.w + 4 * g);
        const __m128i k_hi = _mm_shuffle_epi32(k, 0x0E);
#pragma GCC unroll 16
        for (int l = 0; l < N; ++l) {
            cdgh[l] = _mm_sha256rnds2_epu32(cdgh[l], abef[l], k);  // now ABEF
            abef[l] = _mm_sha256rnds2_epu32(abef[l], cdgh[l], k_hi);
        }
    }
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {
        abef[l] = _mm_add_epi32(abef[l], abef_in[l]);
        cdgh[l] = _mm_add_epi32(cdgh[l], cdgh_in[l]);
    }
}

// Digest words {A, B, C, D} and {E, F, G, H} of a state.
JEJAK_INLINE void StateToWords(__m128i abef, __m128i cdgh, __m128i& abcd, __m128i& efgh) {
    const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);  // {A, B, E, F}
    const __m128i ghcd = _mm_shuffle_epi32(cdgh, 0xB1);  // {G, H, C, D}
    abcd = _mm_blend_epi16(feba, ghcd, 0xF0);
    efgh = _mm_alignr_epi8(ghcd, feba, 8);
}

JEJAK_INLINE void SetState(const LaneState& s, __m128i& abef, __m128i& cdgh) {
    abef = Load(s.abef);
    cdgh = Load(s.cdgh);
}

// Message block holding a 32-byte digest followed by the padding of a 96-byte message.
JEJAK_INLINE void DigestBlock(__m128i abef, __m128i cdgh, __m128i (&m)[4]) {
    StateToWords(abef, cdgh, m[0], m[1]);
    m[2] = _mm_setr_epi32(static_cast<int>(0x80000000u), 0, 0, 0);
    m[3] = _mm_setr_epi32(0, 0, 0, kDigestBlockBits);
}

// HMAC key block (PRK xor pad) of a state holding the PRK.
JEJAK_INLINE void PadBlock(__m128i prk_abcd, __m128i prk_efgh, uint32_t pad, __m128i (&m)[4]) {
    const __m128i p = _mm_set1_epi32(static_cast<int>(pad));
    m[0] = _mm_xor_si128(prk_abcd, p);
    m[1] = _mm_xor_si128(prk_efgh, p);
    m[2] = p;
    m[3] = p;
}

// PRK = HMAC(zero salt, TEK) for N keys: inner then outer compression.
template <int N>
JEJAK_INLINE void ExtractPrk(const uint8_t* teks, __m128i (&abef)[N], __m128i (&cdgh)[N]) {
    __m128i m[N][4];
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {
        SetState(kZeroSaltInner, abef[l], cdgh[l]);
        m[l][0] = ByteSwapWords(_mm_loadu_si128(reinterpret_cast<const __m128i*>(teks + 16 * l)));
        m[l][1] = _mm_setr_epi32(static_cast<int>(0x80000000u), 0, 0, 0);
        m[l][2] = _mm_setzero_si128();
        m[l][3] = _mm_setr_epi32(0, 0, 0, kTekBlockBits);
    }
    Compress<N>(abef, cdgh, m);
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {
        DigestBlock(abef[l], cdgh[l], m[l]);
        SetState(kZeroSaltOuter, abef[l], cdgh[l]);
    }
    Compress<N>(abef, cdgh, m);
}

// OKM = HMAC(PRK, "EN-RPIK" || 0x01) for N keys; the RPIK is its first 16 bytes.
// Lanes [0, N) hash the inner chain and lanes [N, 2N) the outer one.
template <int N>
JEJAK_INLINE void ExpandRpik(const __m128i (&prk_abef)[N], const __m128i (&prk_cdgh)[N],
                             uint8_t* rpiks) {
    __m128i abef[2 * N], cdgh[2 * N], m[2 * N][4];
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {
        __m128i abcd, efgh;
        StateToWords(prk_abef[l], prk_cdgh[l], abcd, efgh);
        PadBlock(abcd, efgh, kIpadWord, m[l]);
        PadBlock(abcd, efgh, kOpadWord, m[N + l]);
        SetState(kIvLanes, abef[l], cdgh[l]);
        SetState(kIvLanes, abef[N + l], cdgh[N + l]);
    }
    Compress<2 * N>(abef, cdgh, m);  // keyed inner and outer states
    __m128i ia[N], ic[N], mi[N][4];
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {
        ia[l] = abef[l];
        ic[l] = cdgh[l];
    }
    CompressKnown<N>(ia, ic, kInfoBlockWk);
    __m128i oa[N], oc[N];
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {
        oa[l] = abef[N + l];
        oc[l] = cdgh[N + l];
        DigestBlock(ia[l], ic[l], mi[l]);
    }
    Compress<N>(oa, oc, mi);
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {
        __m128i abcd, efgh;
        StateToWords(oa[l], oc[l], abcd, efgh);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(rpiks + 16 * l), ByteSwapWords(abcd));
    }
}

template <int N>
void DeriveLanes(const uint8_t* teks, uint8_t* rpiks) {
    __m128i abef[N], cdgh[N];
    ExtractPrk<N>(teks, abef, cdgh);
    ExpandRpik<N>(abef, cdgh, rpiks);
}

}  // namespace

void DeriveRpiksShaNi(const uint8_t* teks, size_t n, uint8_t* rpiks) {
    size_t i = 0;
    for (; i + 2 <= n; i += 2) DeriveLanes<2>(teks + 16 * i, rpiks + 16 * i);
    if (i < n) DeriveLanes<1>(teks + 16 * i, rpiks + 16 * i);
}

}  // namespace jejak::internal
