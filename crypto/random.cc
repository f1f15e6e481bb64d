// libsodium-backed randomness.
#include "crypto/random.h"

#include <sodium.h>

namespace jejak {

Status SystemRandom::Init() {
    if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
    return Status::Ok();
}

void SystemRandom::Fill(std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); }

Tek GenerateTek(RandomSource& random) {
    Tek tek;
    random.Fill(tek.mutable_bytes());
    return tek;
}

}  // namespace jejak
