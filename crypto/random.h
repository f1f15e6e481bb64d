// RandomSource: the seam for randomness. Production uses libsodium's CSPRNG; tests and the
// simulator may inject a deterministic source (never for real keys).
#pragma once

#include <cstdint>
#include <span>

#include "crypto/secret.h"
#include "platform/base/status.h"

namespace jejak {

class RandomSource {
public:
    virtual ~RandomSource() = default;
    // Fills `out` with random bytes. Thread-safe for SystemRandom.
    virtual void Fill(std::span<uint8_t> out) = 0;
};

// libsodium's randombytes_buf (getrandom(2) under the hood).
class SystemRandom final : public RandomSource {
public:
    // Initialises libsodium; returns Internal if it cannot (no entropy source).
    static Status Init();
    void Fill(std::span<uint8_t> out) override;
};

// Uniform in [0, n) for n > 0: 64-bit draws from the source, rejection-sampled so that no
// value is more likely than another.
uint64_t UniformBelow(RandomSource& random, uint64_t n);

// A fresh Temporary Exposure Key: 16 bytes from the source.
Tek GenerateTek(RandomSource& random);

}  // namespace jejak
