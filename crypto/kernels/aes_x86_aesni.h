// Internal to crypto/: AES-128-ECB on AES-NI (x86-64 builds only). Call it only where
// cpu_features.h reports x86_sha_aes (which includes AES-NI and SSE4.1).
#pragma once

#include <cstddef>
#include <cstdint>

namespace jejak::internal {

// `blocks` 16-byte blocks from in to out (may alias) under a 16-byte key; the round keys are
// zeroed before returning (the caller scrubs the stack below it).
void EncryptBlocksAesNi(const uint8_t key[16], const uint8_t* in, uint8_t* out, size_t blocks);

}  // namespace jejak::internal
