// FakeRandom: splitmix64 (Steele, Lea, Flood 2014), one draw per byte.
#include "tests/support/fake_random.h"

namespace jejak::testing {

uint64_t FakeRandom::Next() {
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void FakeRandom::Fill(std::span<uint8_t> out) {
    for (uint8_t& b : out) b = static_cast<uint8_t>(Next());
}

}  // namespace jejak::testing
