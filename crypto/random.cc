// libsodium-backed randomness.
#include "crypto/random.h"

#include <sodium.h>

namespace jejak {

Status SystemRandom::Init() {
    if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
    return Status::Ok();
}

void SystemRandom::Fill(std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); }

uint64_t UniformBelow(RandomSource& random, uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v = 0;
    do {
        uint8_t b[8];
        random.Fill(b);
        v = 0;
        for (uint8_t x : b) v = (v << 8) | x;
    } while (v >= limit);
    return v % n;
}

Tek GenerateTek(RandomSource& random) {
    Tek tek;
    random.Fill(tek.mutable_bytes());
    return tek;
}

}  // namespace jejak
