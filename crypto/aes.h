// AES-128 block encryption through OpenSSL libcrypto, with the cipher fetched once per
// process (OpenSSL 3 re-fetches on every EVP_aes_128_ecb() init otherwise).
// Internal to crypto/: other layers use key_schedule.h.
#pragma once

#include <cstddef>
#include <cstdint>

namespace jejak::internal {

// Encrypts `blocks` 16-byte blocks from in to out (may alias) under a 16-byte key, ECB.
// Returns false only if OpenSSL fails (out of memory); out is then zeroed.
bool Aes128EcbEncrypt(const uint8_t key[16], const uint8_t* in, uint8_t* out, size_t blocks);

}  // namespace jejak::internal
