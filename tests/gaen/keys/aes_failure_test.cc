// A failing AES primitive (OpenSSL out of memory, injected through the test seam in aes.h)
// must reach callers of the reference key schedule and of the batch as an error Status,
// never as an all-zero RPI or AEM that looks like a result.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "crypto/aes.h"
#include "gaen/keys/key_schedule.h"
#include "crypto/random.h"
#include "gaen/keys/rpi_batch.h"

namespace jejak {
namespace {

constexpr EnIntervalNumber kFirst = 2650000;
constexpr uint32_t kPerTek = 144;

std::vector<Tek> FailureTeks(size_t n) {
    SystemRandom random;
    std::vector<Tek> teks(n);
    for (Tek& t : teks) random.Fill(t.mutable_bytes());
    return teks;
}

// RPIs of teks from kFirst, as the reference schedule derives them with a working AES.
std::vector<Rpi> ReferenceRpis(const std::vector<Tek>& teks) {
    std::vector<Rpi> rpis;
    for (const Tek& tek : teks) {
        const Rpik rpik = DeriveRpik(tek);
        for (uint32_t j = 0; j < kPerTek; ++j) {
            Result<Rpi> rpi = DeriveRpi(rpik, kFirst + j);
            REQUIRE(rpi.ok());
            rpis.push_back(*rpi);
        }
    }
    return rpis;
}

bool AllZero(std::span<const uint8_t> bytes) {
    return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}
bool AllZero(const std::vector<Rpi>& rpis) {
    return std::all_of(rpis.begin(), rpis.end(), [](const Rpi& r) { return AllZero(r); });
}

}  // namespace

TEST_CASE("a failing AES primitive returns Internal and zeroes its output") {
    uint8_t key[16] = {1, 2, 3};
    uint8_t block[32];
    std::fill(std::begin(block), std::end(block), uint8_t{0x5A});
    {
        const internal::ScopedAesFailureForTesting fail;
        const Status s = internal::Aes128EcbEncrypt(key, block, block, 2);
        CHECK(s.code() == StatusCode::kInternal);
        CHECK(s.message().find("AES-128") != std::string::npos);
        CHECK(AllZero(block));
    }
    CHECK(internal::Aes128EcbEncrypt(key, block, block, 2).ok());
    CHECK_FALSE(AllZero(block));
}

TEST_CASE("the reference key schedule returns an error, not an RPI, when AES fails") {
    const Tek tek = FailureTeks(1)[0];
    const Rpik rpik = DeriveRpik(tek);
    const Aemk aemk = DeriveAemk(tek);
    const Result<Rpi> good = DeriveRpi(rpik, kFirst);
    REQUIRE(good.ok());
    const MetadataBytes metadata{0x40, 0xF4, 0, 0};
    {
        const internal::ScopedAesFailureForTesting fail;
        const Result<Rpi> rpi = DeriveRpi(rpik, kFirst);
        CHECK(rpi.status().code() == StatusCode::kInternal);
        const Result<Aem> aem = CryptMetadata(aemk, *good, metadata);
        CHECK(aem.status().code() == StatusCode::kInternal);
        CHECK(DecryptMetadata(aemk, *good, Aem{1, 2, 3, 4}).status().code() ==
              StatusCode::kInternal);
    }
    // The seam is scoped: the same calls succeed again once it is gone.
    const Result<Rpi> again = DeriveRpi(rpik, kFirst);
    REQUIRE(again.ok());
    CHECK(*again == *good);
    CHECK(CryptMetadata(aemk, *good, metadata).ok());
}

TEST_CASE("the portable batch returns an error and no RPIs when AES fails") {
    const auto teks = FailureTeks(3);
    const std::vector<EnIntervalNumber> firsts(teks.size(), kFirst);
    const RpiDeriver portable(PortableBackend());
    std::vector<Rpi> out(teks.size() * kPerTek);
    {
        const internal::ScopedAesFailureForTesting fail;
        CHECK(portable.Derive(teks[0], kFirst, std::span(out).first(kPerTek)).code() ==
              StatusCode::kInternal);
        CHECK(portable.DeriveMany(teks, firsts, kPerTek, out).code() == StatusCode::kInternal);
    }
    // No partial result is left to be mistaken for RPIs.
    CHECK(AllZero(out));
    REQUIRE(portable.DeriveMany(teks, firsts, kPerTek, out).ok());
    CHECK(out == ReferenceRpis(teks));
}

TEST_CASE("every dispatched backend gives an error or the true RPIs when AES fails, never zeros") {
    // Hardware backends use CPU instructions, not OpenSSL, so they are unaffected; the
    // portable one (the dispatched choice on CPUs without them) must report the failure.
    const auto teks = FailureTeks(9);
    const std::vector<EnIntervalNumber> firsts(teks.size(), kFirst);
    const std::vector<Rpi> want = ReferenceRpis(teks);
    const internal::ScopedAesFailureForTesting fail;
    for (const KeyScheduleBackend* backend : AvailableBackends()) {
        CAPTURE(backend->name);
        std::vector<Rpi> got(want.size());
        const Status s = RpiDeriver(*backend).DeriveMany(teks, firsts, kPerTek, got);
        if (backend == &PortableBackend()) CHECK(s.code() == StatusCode::kInternal);
        if (s.ok()) CHECK(got == want);
    }
    std::vector<Rpi> got(want.size());
    const Status best = RpiDeriver().DeriveMany(teks, firsts, kPerTek, got);
    CHECK((best.ok() ? got == want : best.code() == StatusCode::kInternal));
}

TEST_CASE("the batch front end passes a failing backend's error on") {
    // Any backend, including ones added later, is reached only through RpiDeriver.
    const KeyScheduleBackend failing{
        "failing", [](const uint8_t*, const uint32_t*, size_t, uint32_t, uint8_t*) {
            return Status::Internal("backend failed");
        }};
    const auto teks = FailureTeks(2);
    const std::vector<EnIntervalNumber> firsts(teks.size(), kFirst);
    std::vector<Rpi> out(teks.size() * kPerTek);
    CHECK(RpiDeriver(failing).Derive(teks[0], kFirst, std::span(out).first(kPerTek)).message() ==
          "backend failed");
    CHECK(RpiDeriver(failing).DeriveMany(teks, firsts, kPerTek, out).message() == "backend failed");
}

}  // namespace jejak
