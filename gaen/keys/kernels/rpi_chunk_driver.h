// Internal to the x86 kernels (gaen/keys/kernels/rpi_batch_x86_*.cc): the chunk loop they
// share. For each chunk of up to kKeysPerChunk keys: RPIKs with the SHA extensions, AES-128
// key expansion with AES-NI, then the kernel's own encryption of each key's run of
// intervals; the chunk buffers are zeroed at the end and the stack below is scrubbed.
//
// Everything here has internal linkage (anonymous namespace), so each kernel file compiles
// its own copy with its own instruction-set flags and no wider code is shared with another
// translation unit. Include it only from a kernel file, after the kernel's includes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gaen/keys/kernels/sha256_x86_shani.h"
#include "gaen/keys/rpi_batch_hw.h"
#include "crypto/secret.h"

namespace jejak::internal {
namespace {

constexpr size_t kKeysPerChunk = 8;
// Bytes of one AES-128 key schedule as ExpandAes128KeysNi writes it: 11 round keys.
constexpr size_t kRoundKeyBytes = 176;

// The kernel's own part: RPIs of intervals first .. first + count - 1 under one expanded key
// (kRoundKeyBytes at round_keys), written to out (16 * count bytes).
using EncryptFn = void (*)(const uint8_t* round_keys, uint32_t first, uint32_t count, uint8_t* out);

// kEncrypt is a template argument, not a run-time pointer, so it is inlined into the loop.
template <EncryptFn kEncrypt>
[[gnu::noinline]] void DeriveRpisChunks(const uint8_t* teks, const uint32_t* first_enin, size_t n,
                                        uint32_t count, uint8_t* out) {
    alignas(16) uint8_t rpiks[16 * kKeysPerChunk];
    alignas(16) uint8_t round_keys[kRoundKeyBytes * kKeysPerChunk];
    for (size_t i = 0; i < n; i += kKeysPerChunk) {
        const size_t m = n - i < kKeysPerChunk ? n - i : kKeysPerChunk;
        DeriveRpiksShaNi(teks + 16 * i, m, rpiks);
        ExpandAes128KeysNi(rpiks, m, round_keys);
        for (size_t k = 0; k < m; ++k) {
            kEncrypt(round_keys + kRoundKeyBytes * k, first_enin[i + k], count,
                     out + size_t{16} * count * (i + k));
        }
    }
    SecureZero(rpiks, sizeof rpiks);
    SecureZero(round_keys, sizeof round_keys);
}

// The KeyScheduleBackend::derive_rpis work of one kernel (rpi_batch_hw.h), ending with
// ScrubStack so that registers spilled by the non-inlined chunk loop do not outlive the call.
template <EncryptFn kEncrypt>
void DeriveRpisChunked(const uint8_t* teks, const uint32_t* first_enin, size_t n, uint32_t count,
                       uint8_t* out) {
    DeriveRpisChunks<kEncrypt>(teks, first_enin, n, count, out);
    ScrubStack();
}

}  // namespace
}  // namespace jejak::internal
