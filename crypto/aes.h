// AES-128 block encryption through OpenSSL libcrypto, with the cipher fetched once per
// process (OpenSSL 3 re-fetches on every EVP_aes_128_ecb() init otherwise).
// Internal to crypto/: other layers use key_schedule.h and rpi_batch.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "platform/base/status.h"

namespace jejak::internal {

// Encrypts `blocks` 16-byte blocks from in to out (may alias) under a 16-byte key, ECB.
// Internal when OpenSSL fails (out of memory, no AES-128-ECB provider); out is then zeroed,
// so a failure can only reach a caller as this Status, never as output bytes.
[[nodiscard]] Status Aes128EcbEncrypt(const uint8_t key[16], const uint8_t* in, uint8_t* out,
                                      size_t blocks);

// Test seam: while one of these lives, every Aes128EcbEncrypt call on the constructing
// thread takes the failure path above (as if OpenSSL had failed). Only tests create it;
// nothing in configuration or on the command line can.
class ScopedAesFailureForTesting {
public:
    ScopedAesFailureForTesting();
    ~ScopedAesFailureForTesting();
    ScopedAesFailureForTesting(const ScopedAesFailureForTesting&) = delete;
    ScopedAesFailureForTesting& operator=(const ScopedAesFailureForTesting&) = delete;

private:
    bool previous_;
};

}  // namespace jejak::internal
