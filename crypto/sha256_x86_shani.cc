// HKDF-SHA256 for GAEN RPIKs on the x86 SHA extensions (sha256rnds2, sha256msg1/2).
//
// The salt is the constant 32 zero bytes, so the HMAC states after its ipad and opad blocks
// are folded at compile time; one key then costs six compressions: PRK inner and outer, the
// PRK's ipad and opad blocks, the "EN-RPIK" 0x01 block and the final outer block. Several
// independent keys run in lock step so that the long sha256rnds2 dependency chains overlap.
//
// SHA-NI keeps the eight working words in two registers, ABEF = {F, E, B, A} and
// CDGH = {H, G, D, C} (lane 0 first). Message words are kept as {W[i], .., W[i+3]}. A digest
// that becomes the next message needs no byte swap: its words are the message words.
#include "crypto/sha256_x86_shani.h"

#include <immintrin.h>

namespace jejak::internal {
namespace {

// FIPS 180-4 section 4.2.2.
alignas(16) constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// FIPS 180-4 section 5.3.3.
constexpr uint32_t kInitialHash[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

constexpr uint32_t kIpadWord = 0x36363636;
constexpr uint32_t kOpadWord = 0x5c5c5c5c;

struct HashWords {
    uint32_t h[8];
};

constexpr uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

struct Schedule {
    alignas(16) uint32_t w[64];
};

// The 64 message-schedule words of a block; compile time only.
constexpr Schedule ExpandBlock(const uint32_t (&block)[16]) {
    Schedule sch{};
    uint32_t* w = sch.w;
    for (int i = 0; i < 16; ++i) w[i] = block[i];
    for (int i = 16; i < 64; ++i) {
        const uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    return sch;
}

// Scalar compression of a block whose 16 words all equal `fill`; compile time only.
constexpr HashWords CompressFilledBlock(HashWords state, uint32_t fill) {
    uint32_t block[16] = {};
    for (uint32_t& word : block) word = fill;
    const Schedule sch = ExpandBlock(block);
    const uint32_t* w = sch.w;
    uint32_t v[8] = {};
    for (int i = 0; i < 8; ++i) v[i] = state.h[i];
    for (int i = 0; i < 64; ++i) {
        const uint32_t e = v[4];
        const uint32_t a = v[0];
        const uint32_t t1 = v[7] + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) +
                            ((e & v[5]) ^ (~e & v[6])) + kRoundConstants[i] + w[i];
        const uint32_t t2 =
            (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));
        for (int k = 7; k > 0; --k) v[k] = v[k - 1];
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; ++i) state.h[i] += v[i];
    return state;
}

// A state in SHA-NI register order.
struct LaneState {
    alignas(16) uint32_t abef[4];
    alignas(16) uint32_t cdgh[4];
};

constexpr LaneState ToLanes(const HashWords& s) {
    return {{s.h[5], s.h[4], s.h[1], s.h[0]}, {s.h[7], s.h[6], s.h[3], s.h[2]}};
}

constexpr HashWords kIv{{kInitialHash[0], kInitialHash[1], kInitialHash[2], kInitialHash[3],
                         kInitialHash[4], kInitialHash[5], kInitialHash[6], kInitialHash[7]}};
constexpr LaneState kIvLanes = ToLanes(kIv);
// HMAC states after the ipad and opad blocks of the 32-byte all-zero HKDF salt.
constexpr LaneState kZeroSaltInner = ToLanes(CompressFilledBlock(kIv, kIpadWord));
constexpr LaneState kZeroSaltOuter = ToLanes(CompressFilledBlock(kIv, kOpadWord));

// Message block lengths in bits, placed in W[15] by the padding.
constexpr int kTekBlockBits = (64 + 16) * 8;
constexpr int kDigestBlockBits = (64 + 32) * 8;
constexpr int kInfoBlockBits = (64 + 8) * 8;

// W[i] + K[i] of the constant block "EN-RPIK" 0x01 plus padding (inner HMAC of the expand
// step): its whole message schedule is folded at compile time.
constexpr Schedule InfoBlockWk() {
    const uint32_t block[16] = {0x454E2D52, 0x50494B01, 0x80000000, 0, 0, 0, 0, 0,
                                0,          0,          0,          0, 0, 0, 0, kInfoBlockBits};
    Schedule sch = ExpandBlock(block);
    for (int i = 0; i < 64; ++i) sch.w[i] += kRoundConstants[i];
    return sch;
}
constexpr Schedule kInfoBlockWk = InfoBlockWk();

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
        mi[l][0] = _mm_setr_epi32(0x454E2D52, 0x50494B01, static_cast<int>(0x80000000u), 0);
        mi[l][1] = _mm_setzero_si128();
        mi[l][2] = _mm_setzero_si128();
        mi[l][3] = _mm_setr_epi32(0, 0, 0, kInfoBlockBits);
    }
    Compress<N>(ia, ic, mi);
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
