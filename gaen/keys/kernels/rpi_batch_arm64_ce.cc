// Batch backend "arm64-ce": RPIKs and RPIs with the ARMv8 cryptography extensions (SHA-256
// and AES instructions, <arm_neon.h>). Compiled with -march=armv8-a+crypto for aarch64 only;
// rpi_batch_hw.cc lists it when getauxval(AT_HWCAP) reports AES and SHA2 (Raspberry Pi 5
// has them; the Pi 3 and 4 cores do not, and use the portable backend).
//
// HKDF as on x86 (sha256_constants.h folds the constant blocks; six compressions per key, two
// keys in lock step). The SHA-256 state is kept as {A, B, C, D} and {E, F, G, H}, so a digest
// is directly the next block's message words. AES-128 runs eight blocks in flight; the
// interval blocks differ only in 32-bit lane 3 (the ENIN, little endian): vector adds.
#include <arm_neon.h>

#include "gaen/keys/rpi_batch_hw.h"
#include "crypto/secret.h"
#include "gaen/keys/kernels/sha256_constants.h"

namespace jejak::internal {
namespace {

using sha256::HashWords;
using sha256::kRoundConstants;

constexpr size_t kKeysPerChunk = 8;
constexpr int kBlocksInFlight = 8;

#define JEJAK_INLINE [[gnu::always_inline]] inline

struct State {
    uint32x4_t abcd;
    uint32x4_t efgh;
};

JEJAK_INLINE State LoadState(const HashWords& h) { return {vld1q_u32(h.h), vld1q_u32(h.h + 4)}; }

// N independent compressions of s[0 .. N); m[l] is lane l's block (overwritten by the
// message schedule).
template <int N>
JEJAK_INLINE void Compress(State* s, uint32x4_t (*m)[4]) {
    State in[N];
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) in[l] = s[l];
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
        const uint32x4_t k = vld1q_u32(kRoundConstants + 4 * g);
#pragma GCC unroll 16
        for (int l = 0; l < N; ++l) {
            if (g >= 4) {
                m[l][g & 3] = vsha256su1q_u32(vsha256su0q_u32(m[l][g & 3], m[l][(g + 1) & 3]),
                                              m[l][(g + 2) & 3], m[l][(g + 3) & 3]);
            }
            const uint32x4_t wk = vaddq_u32(m[l][g & 3], k);
            const uint32x4_t abcd = s[l].abcd;
            s[l].abcd = vsha256hq_u32(abcd, s[l].efgh, wk);
            s[l].efgh = vsha256h2q_u32(s[l].efgh, abcd, wk);
        }
    }
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {
        s[l].abcd = vaddq_u32(s[l].abcd, in[l].abcd);
        s[l].efgh = vaddq_u32(s[l].efgh, in[l].efgh);
    }
}

JEJAK_INLINE uint32x4_t Words(uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3) {
    const uint32_t w[4] = {w0, w1, w2, w3};
    return vld1q_u32(w);
}

// Block holding a 32-byte digest and the padding of a 96-byte message.
JEJAK_INLINE void DigestBlock(const State& d, uint32x4_t (&m)[4]) {
    m[0] = d.abcd;
    m[1] = d.efgh;
    m[2] = Words(0x80000000u, 0, 0, 0);
    m[3] = Words(0, 0, 0, sha256::kDigestBlockBits);
}

template <int N>
JEJAK_INLINE void DeriveLanes(const uint8_t* teks, uint8_t* rpiks) {
    State s[2 * N];
    uint32x4_t m[2 * N][4];
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {  // PRK inner: zero-salt ipad state, TEK block
        s[l] = LoadState(sha256::kZeroSaltInner);
        m[l][0] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(teks + 16 * l)));
        m[l][1] = Words(0x80000000u, 0, 0, 0);
        m[l][2] = vdupq_n_u32(0);
        m[l][3] = Words(0, 0, 0, sha256::kTekBlockBits);
    }
    Compress<N>(s, m);
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {  // PRK outer
        DigestBlock(s[l], m[l]);
        s[l] = LoadState(sha256::kZeroSaltOuter);
    }
    Compress<N>(s, m);
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {  // HMAC(PRK, .) key blocks: inner lanes l, outer N + l
        const uint32x4_t ipad = vdupq_n_u32(sha256::kIpadWord);
        const uint32x4_t opad = vdupq_n_u32(sha256::kOpadWord);
        m[l][0] = veorq_u32(s[l].abcd, ipad);
        m[l][1] = veorq_u32(s[l].efgh, ipad);
        m[l][2] = m[l][3] = ipad;
        m[N + l][0] = veorq_u32(s[l].abcd, opad);
        m[N + l][1] = veorq_u32(s[l].efgh, opad);
        m[N + l][2] = m[N + l][3] = opad;
        s[l] = s[N + l] = LoadState(sha256::kIv);
    }
    Compress<2 * N>(s, m);
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {  // inner: "EN-RPIK" 0x01 block
        m[l][0] = Words(sha256::kInfoWord0, sha256::kInfoWord1, 0x80000000u, 0);
        m[l][1] = m[l][2] = vdupq_n_u32(0);
        m[l][3] = Words(0, 0, 0, sha256::kInfoBlockBits);
    }
    Compress<N>(s, m);
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) DigestBlock(s[l], m[N + l]);  // outer
    Compress<N>(s + N, m + N);
#pragma GCC unroll 16
    for (int l = 0; l < N; ++l) {
        vst1q_u8(rpiks + 16 * l, vrev32q_u8(vreinterpretq_u8_u32(s[N + l].abcd)));
    }
}

void DeriveRpiks(const uint8_t* teks, size_t n, uint8_t* rpiks) {
    size_t i = 0;
    for (; i + 2 <= n; i += 2) DeriveLanes<2>(teks + 16 * i, rpiks + 16 * i);
    if (i < n) DeriveLanes<1>(teks + 16 * i, rpiks + 16 * i);
}

// AES-128 key schedule. SubWord comes from AESE with a zero round key on a block whose four
// columns all hold w3 (ShiftRows then moves nothing); RotWord is a 32-bit rotate.
void ExpandKey(const uint8_t* key, uint8x16_t (&rk)[11]) {
    constexpr uint32_t kRcon[10] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1B, 0x36};
    const uint8x16_t zero = vdupq_n_u8(0);
    rk[0] = vld1q_u8(key);
#pragma GCC unroll 16
    for (int r = 1; r < 11; ++r) {
        const uint32x4_t prev = vreinterpretq_u32_u8(rk[r - 1]);
        const uint8x16_t w3 = vreinterpretq_u8_u32(vdupq_laneq_u32(prev, 3));
        const uint32x4_t sub = vreinterpretq_u32_u8(vaeseq_u8(w3, zero));
        const uint32x4_t t = veorq_u32(vorrq_u32(vshrq_n_u32(sub, 8), vshlq_n_u32(sub, 24)),
                                       vdupq_n_u32(kRcon[r - 1]));
        const uint8x16_t p = rk[r - 1];
        uint8x16_t x = veorq_u8(p, vextq_u8(zero, p, 12));  // w_i ^= w_{i-1}
        x = veorq_u8(x, vextq_u8(zero, x, 8));              // prefix xor over the four words
        rk[r] = veorq_u8(x, vreinterpretq_u8_u32(t));
    }
}

template <int W>
JEJAK_INLINE void EncryptRun(const uint8x16_t (&rk)[11], uint32x4_t ctr, uint8_t* out) {
    uint8x16_t b[W];
#pragma GCC unroll 16
    for (int i = 0; i < W; ++i) {
        b[i] = vreinterpretq_u8_u32(vaddq_u32(ctr, Words(0, 0, 0, static_cast<uint32_t>(i))));
    }
#pragma GCC unroll 16
    for (int r = 0; r < 9; ++r) {
#pragma GCC unroll 16
        for (int i = 0; i < W; ++i) b[i] = vaesmcq_u8(vaeseq_u8(b[i], rk[r]));
    }
#pragma GCC unroll 16
    for (int i = 0; i < W; ++i) vst1q_u8(out + 16 * i, veorq_u8(vaeseq_u8(b[i], rk[9]), rk[10]));
}

void EncryptIntervals(const uint8x16_t (&rk)[11], uint32_t first, uint32_t count, uint8_t* out) {
    uint32x4_t ctr = Words(0x522D4E45, 0x00004950, 0, first);  // "EN-RPI" 00*6 ENIN (LE)
    uint32_t j = 0;
    for (; j + kBlocksInFlight <= count; j += kBlocksInFlight) {
        EncryptRun<kBlocksInFlight>(rk, ctr, out + 16 * size_t{j});
        ctr = vaddq_u32(ctr, Words(0, 0, 0, kBlocksInFlight));
    }
    for (; j < count; ++j) {
        EncryptRun<1>(rk, ctr, out + 16 * size_t{j});
        ctr = vaddq_u32(ctr, Words(0, 0, 0, 1));
    }
}

[[gnu::noinline]] void DeriveRpis(const uint8_t* teks, const uint32_t* first_enin, size_t n,
                                  uint32_t count, uint8_t* out) {
    alignas(16) uint8_t rpiks[16 * kKeysPerChunk];
    uint8x16_t rk[11];
    for (size_t i = 0; i < n; i += kKeysPerChunk) {
        const size_t m = n - i < kKeysPerChunk ? n - i : kKeysPerChunk;
        DeriveRpiks(teks + 16 * i, m, rpiks);
        for (size_t k = 0; k < m; ++k) {
            ExpandKey(rpiks + 16 * k, rk);
            EncryptIntervals(rk, first_enin[i + k], count, out + size_t{16} * count * (i + k));
        }
    }
    SecureZero(rpiks, sizeof rpiks);
    SecureZero(rk, sizeof rk);
}

}  // namespace

void DeriveRpisArm64Ce(const uint8_t* teks, const uint32_t* first_enin, size_t n, uint32_t count,
                       uint8_t* out) {
    DeriveRpis(teks, first_enin, n, count, out);
    ScrubStack();
}

}  // namespace jejak::internal
