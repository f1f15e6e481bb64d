// Zeroing and constant-time comparison for secret.h, on libsodium.
#include "crypto/secret.h"

#include <sodium.h>

namespace jejak {

void SecureZero(void* data, size_t size) { sodium_memzero(data, size); }

[[gnu::noinline]] void internal::ScrubStack() {
    uint8_t area[4096];
    SecureZero(area, sizeof area);
}

bool ConstantTimeEqual(const void* a, const void* b, size_t size) {
    return sodium_memcmp(a, b, size) == 0;
}

}  // namespace jejak
