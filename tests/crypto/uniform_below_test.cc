// UniformBelow: values in range, and draws at or above the last whole multiple of n rejected.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "crypto/random.h"

namespace jejak {
namespace {

// Hands out the given 64-bit values, big endian, one per Fill of 8 bytes.
class ScriptedRandom final : public RandomSource {
public:
    explicit ScriptedRandom(std::vector<uint64_t> values) : values_(std::move(values)) {}
    void Fill(std::span<uint8_t> out) override {
        REQUIRE(out.size() == 8);
        REQUIRE(next_ < values_.size());
        const uint64_t v = values_[next_++];
        for (size_t i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
    }
    size_t used() const { return next_; }

private:
    std::vector<uint64_t> values_;
    size_t next_ = 0;
};

}  // namespace

TEST_CASE("UniformBelow: reduces in-range draws, rejects the biased tail") {
    ScriptedRandom plain({17});
    CHECK(UniformBelow(plain, 10) == 7);
    // For n = 10 the last accepted draw is UINT64_MAX - UINT64_MAX % 10 - 1; anything above
    // is drawn again.
    const uint64_t limit = UINT64_MAX - UINT64_MAX % 10;
    ScriptedRandom tail({UINT64_MAX, limit, limit - 1});
    CHECK(UniformBelow(tail, 10) == (limit - 1) % 10);
    CHECK(tail.used() == 3);
    ScriptedRandom one({12345});
    CHECK(UniformBelow(one, 1) == 0);
    SystemRandom system;
    for (int i = 0; i < 1000; ++i) CHECK(UniformBelow(system, 3) < 3);
}

}  // namespace jejak
