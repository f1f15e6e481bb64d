// FakeRandom: a deterministic RandomSource (splitmix64) for tests and benchmarks, so that a
// failure reproduces from its seed. Never for real keys.
#pragma once

#include <cstdint>
#include <span>

#include "crypto/random.h"

namespace jejak::testing {

class FakeRandom final : public RandomSource {
public:
    explicit FakeRandom(uint64_t seed) : state_(seed) {}

    // The next 64-bit value of the sequence.
    uint64_t Next();
    // Next() reduced into [0, n) for n > 0 (slightly biased; fine for drawing test cases).
    int64_t Below(int64_t n) { return static_cast<int64_t>(Next() % static_cast<uint64_t>(n)); }
    // One byte (the low byte of Next()) per output byte.
    void Fill(std::span<uint8_t> out) override;

private:
    uint64_t state_;
};

}  // namespace jejak::testing
