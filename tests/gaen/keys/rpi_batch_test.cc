// Every batch backend (hardware and portable) against the reference key schedule, and the
// batch API's must-reject cases.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "gaen/keys/key_schedule.h"
#include "crypto/random.h"
#include "gaen/keys/rpi_batch.h"

namespace jejak {
namespace {

std::vector<Tek> RandomTeks(size_t n) {
    SystemRandom random;
    std::vector<Tek> teks(n);
    for (Tek& t : teks) random.Fill(t.mutable_bytes());
    return teks;
}

}  // namespace

TEST_CASE("the portable backend is always available and listed first") {
    REQUIRE(!AvailableBackends().empty());
    CHECK(AvailableBackends().front() == &PortableBackend());
    CHECK(FindBackend("portable") == &PortableBackend());
    CHECK(FindBackend("no-such-backend") == nullptr);
    CHECK(FindBackend(BestBackend().name) == &BestBackend());
}

TEST_CASE("portable backend equals the reference schedule on random keys") {
    const auto teks = RandomTeks(500);
    std::vector<EnIntervalNumber> firsts(teks.size());
    std::mt19937 rng(7);
    for (auto& f : firsts) f = static_cast<uint32_t>(rng());
    firsts[0] = UINT32_MAX - 143;  // the last possible run
    std::vector<Rpi> out(teks.size() * 144);
    REQUIRE(RpiDeriver(PortableBackend()).DeriveMany(teks, firsts, 144, out).ok());
    for (size_t i = 0; i < teks.size(); ++i) {
        const Rpik rpik = DeriveRpik(teks[i]);
        for (uint32_t j = 0; j < 144; j += 11) {
            CHECK(out[i * 144 + j] == *DeriveRpi(rpik, firsts[i] + j));
        }
    }
}

TEST_CASE("every backend equals the portable one on 100,000 random keys") {
    const auto teks = RandomTeks(100000);
    std::vector<EnIntervalNumber> firsts(teks.size());
    std::mt19937 rng(42);
    for (auto& f : firsts) f = static_cast<uint32_t>(rng() % (UINT32_MAX - 256));
    const uint32_t count = 144;
    std::vector<Rpi> expected(teks.size() * count);
    REQUIRE(RpiDeriver(PortableBackend()).DeriveMany(teks, firsts, count, expected).ok());
    for (const KeyScheduleBackend* backend : AvailableBackends()) {
        CAPTURE(backend->name);
        std::vector<Rpi> got(expected.size());
        REQUIRE(RpiDeriver(*backend).DeriveMany(teks, firsts, count, got).ok());
        size_t mismatches = 0;
        for (size_t k = 0; k < got.size(); ++k) mismatches += got[k] != expected[k];
        CHECK(mismatches == 0);
    }
}

TEST_CASE("every backend handles odd key counts and interval counts up to the maximum") {
    // Interleaving backends have tails: cover every remainder and run length boundary.
    const auto teks = RandomTeks(19);
    for (const KeyScheduleBackend* backend : AvailableBackends()) {
        CAPTURE(backend->name);
        for (size_t n = 1; n <= teks.size(); ++n) {
            for (uint32_t count : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 143u, 168u,
                                   kMaxBatchIntervals}) {
                CAPTURE(n);
                CAPTURE(count);
                std::vector<EnIntervalNumber> firsts(n);
                for (size_t i = 0; i < n; ++i) firsts[i] = static_cast<uint32_t>(1000 * i + 255);
                std::vector<Rpi> got(n * count), want(n * count);
                const std::span<const Tek> some(teks.data(), n);
                REQUIRE(RpiDeriver(*backend).DeriveMany(some, firsts, count, got).ok());
                REQUIRE(RpiDeriver(PortableBackend()).DeriveMany(some, firsts, count, want).ok());
                CHECK(got == want);
            }
        }
    }
}

TEST_CASE("the batch API rejects empty, oversized and overflowing runs") {
    const auto teks = RandomTeks(2);
    const RpiDeriver deriver;
    std::vector<Rpi> none;
    CHECK(deriver.Derive(teks[0], 0, none).IsInvalidArgument());
    std::vector<Rpi> too_many(kMaxBatchIntervals + 1);
    CHECK(deriver.Derive(teks[0], 0, too_many).IsInvalidArgument());
    std::vector<Rpi> two(2);
    CHECK(deriver.Derive(teks[0], UINT32_MAX, two).IsInvalidArgument());
    CHECK(deriver.Derive(teks[0], UINT32_MAX - 1, two).ok());

    std::vector<EnIntervalNumber> firsts{0};  // one start for two keys
    std::vector<Rpi> out(2 * 144);
    CHECK(deriver.DeriveMany(teks, firsts, 144, out).IsInvalidArgument());
    std::vector<EnIntervalNumber> bad_firsts{0, UINT32_MAX - 10};
    CHECK(deriver.DeriveMany(teks, bad_firsts, 144, out).IsInvalidArgument());
}

TEST_CASE("secrets compare in constant time and are zeroed in place on destruction") {
    const auto teks = RandomTeks(2);
    Tek copy = teks[0];
    CHECK(copy == teks[0]);
    CHECK_FALSE(teks[0] == teks[1]);

    alignas(Tek) unsigned char storage[sizeof(Tek)];
    Tek* tek = new (storage) Tek(teks[1]);
    tek->~Tek();
    // Reading the bytes after the destructor is what an attacker with a memory dump does.
    bool all_zero = true;
    for (unsigned char b : storage) all_zero = all_zero && b == 0;
    CHECK(all_zero);
}

}  // namespace jejak
