// Internal to gaen/keys: compile-time SHA-256 facts for the GAEN RPIK derivation shared by the
// CPU-specific kernels (sha256_x86_shani.cc, rpi_batch_arm64_ce.cc). Everything here is
// constexpr data or constexpr functions evaluated by the compiler: no instructions, so the
// header is safe to include from files built with any instruction-set flags.
//
// RPIK = HKDF-SHA256(TEK, salt = 32 zero bytes, info = "EN-RPIK", 16 bytes). The salt is
// constant, so the HMAC states after its ipad and opad blocks are folded here; the
// "EN-RPIK" 0x01 block is constant too, so its whole message schedule is folded as well.
#pragma once

#include <cstdint>

namespace jejak::internal::sha256 {

// FIPS 180-4 section 4.2.2.
alignas(16) inline constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// FIPS 180-4 section 5.3.3.
inline constexpr uint32_t kInitialHash[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

inline constexpr uint32_t kIpadWord = 0x36363636;
inline constexpr uint32_t kOpadWord = 0x5c5c5c5c;

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

inline constexpr HashWords kIv{{kInitialHash[0], kInitialHash[1], kInitialHash[2], kInitialHash[3],
                                kInitialHash[4], kInitialHash[5], kInitialHash[6],
                                kInitialHash[7]}};
// HMAC states after the ipad and opad blocks of the 32-byte all-zero HKDF salt.
inline constexpr HashWords kZeroSaltInner = CompressFilledBlock(kIv, kIpadWord);
inline constexpr HashWords kZeroSaltOuter = CompressFilledBlock(kIv, kOpadWord);

// Message lengths in bits, placed in W[15] by the padding: TEK after a key block, a digest
// after a key block, "EN-RPIK" 0x01 after a key block.
inline constexpr int kTekBlockBits = (64 + 16) * 8;
inline constexpr int kDigestBlockBits = (64 + 32) * 8;
inline constexpr int kInfoBlockBits = (64 + 8) * 8;
// The first two message words of the info block: "EN-R", "PIK" 0x01, big endian.
inline constexpr uint32_t kInfoWord0 = 0x454E2D52;
inline constexpr uint32_t kInfoWord1 = 0x50494B01;

// W[i] + K[i] of the constant block "EN-RPIK" 0x01 plus padding.
constexpr Schedule InfoBlockWk() {
    const uint32_t block[16] = {kInfoWord0, kInfoWord1, 0x80000000, 0, 0, 0, 0, 0,
                                0,          0,          0,          0, 0, 0, 0, kInfoBlockBits};
    Schedule sch = ExpandBlock(block);
    for (int i = 0; i < 64; ++i) sch.w[i] += kRoundConstants[i];
    return sch;
}
inline constexpr Schedule kInfoBlockWk = InfoBlockWk();

}  // namespace jejak::internal::sha256
