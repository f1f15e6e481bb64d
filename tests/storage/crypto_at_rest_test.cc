// The crypto/ pieces behind the store: AEAD, the prefix sealer, the day-key ratchet,
// guarded keys and master-key sources.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <array>
#include <set>

#include "crypto/aead.h"
#include "storage/keys/day_key_ratchet.h"
#include "crypto/guarded.h"
#include "storage/keys/master_key.h"
#include "store_test_util.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

GuardedKey KeyOf(uint8_t fill) {
    std::array<uint8_t, GuardedKey::kSize> bytes;
    bytes.fill(fill);
    auto key = GuardedKey::Copy(bytes);
    REQUIRE(key.ok());
    return std::move(key).value();
}

std::vector<uint8_t> Bytes(const GuardedKey& key) { return {key.bytes().begin(), key.bytes().end()}; }

}  // namespace

TEST_CASE("AEAD round-trips and rejects a changed nonce, AD, ciphertext or key") {
    const GuardedKey key = KeyOf(7);
    AeadNonce nonce{};
    nonce[3] = 9;
    const std::vector<uint8_t> ad{1, 2, 3}, plain{10, 20, 30, 40, 50};
    std::vector<uint8_t> sealed(plain.size() + kAeadTagSize), out(plain.size());
    AeadSeal(key, nonce, ad, plain, sealed);
    REQUIRE(AeadOpen(key, nonce, ad, sealed, out).ok());
    CHECK(out == plain);
    AeadNonce other = nonce;
    other[23] ^= 1;
    CHECK(AeadOpen(key, other, ad, sealed, out).IsCorruption());
    CHECK(out == std::vector<uint8_t>(plain.size(), 0));  // zeroed on failure
    CHECK(AeadOpen(key, nonce, std::vector<uint8_t>{1, 2, 4}, sealed, out).IsCorruption());
    CHECK(AeadOpen(KeyOf(8), nonce, ad, sealed, out).IsCorruption());
    sealed.back() ^= 0x80;
    CHECK(AeadOpen(key, nonce, ad, sealed, out).IsCorruption());
    CHECK(AeadOpen(key, nonce, ad, std::vector<uint8_t>(5), out).IsCorruption());
}

TEST_CASE("the prefix sealer produces exactly XChaCha20-Poly1305 under the full nonce") {
    const GuardedKey key = KeyOf(0x42);
    AeadNonce nonce;
    for (size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<uint8_t>(i * 11 + 3);
    auto sealer = AeadPrefixSealer::Make(key, std::span(nonce).first<kAeadNoncePrefixSize>());
    REQUIRE(sealer.ok());
    for (size_t n : {size_t{0}, size_t{1}, size_t{47}, size_t{64}, size_t{300}}) {
        CAPTURE(n);
        std::vector<uint8_t> plain(n), ad{9, 8, 7};
        for (size_t i = 0; i < n; ++i) plain[i] = static_cast<uint8_t>(i);
        std::vector<uint8_t> a(n + kAeadTagSize), b(n + kAeadTagSize), out(n);
        AeadSeal(key, nonce, ad, plain, a);
        sealer->Seal(std::span(nonce).last<8>(), ad, plain, b);
        CHECK(a == b);
        CHECK(AeadOpen(key, nonce, ad, b, out).ok());
    }
}

TEST_CASE("the day-key ratchet is deterministic, one-way in steps, and separates purposes") {
    const GuardedKey chain0 = KeyOf(1);
    auto chain1 = NextChainKey(chain0);
    auto chain3 = AdvanceChainKey(chain0, 3);
    auto chain3b = AdvanceChainKey(*chain1, 2);
    REQUIRE((chain1.ok() && chain3.ok() && chain3b.ok()));
    CHECK(Bytes(*chain3) == Bytes(*chain3b));
    CHECK(Bytes(*AdvanceChainKey(chain0, 0)) == Bytes(chain0));
    std::set<std::vector<uint8_t>> distinct{Bytes(chain0), Bytes(*chain1), Bytes(*chain3),
                                            Bytes(*DayDataKey(chain0)), Bytes(*DayDataKey(*chain1)),
                                            Bytes(*KeyringKey(chain0)), Bytes(*StateKey(chain0))};
    CHECK(distinct.size() == 7);
}

TEST_CASE("a created master key file has mode 0600, is read back, and is never overwritten") {
    testing::ScratchDir dir;
    const std::string path = dir.File("master.key");
    CHECK(ReadMasterKeyFile(path).status().IsNotFound());
    auto created = CreateMasterKeyFile(path);
    REQUIRE(created.ok());
    struct stat st {};
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(st.st_size == 32);
    auto read = ReadMasterKeyFile(path);
    REQUIRE(read.ok());
    CHECK(Bytes(*read) == Bytes(*created));
    CHECK(CreateMasterKeyFile(path).status().code() == StatusCode::kFailedPrecondition);
    testing::WriteFile(path, std::vector<uint8_t>(31, 1));
    CHECK(ReadMasterKeyFile(path).status().IsCorruption());
    testing::WriteFile(path, std::vector<uint8_t>(33, 1));
    CHECK(ReadMasterKeyFile(path).status().IsCorruption());
    CHECK(ReadMasterKeyFile(dir.str()).status().IsPermissionDenied());  // not a regular file
}

TEST_CASE("Argon2id master keys depend on passphrase and salt, and reject bad input") {
    std::array<uint8_t, kPwhashSaltSize> salt{}, salt2{};
    salt2[0] = 1;
    const PwhashParams p = testing::TestPwhash();
    auto a = DeriveMasterKeyFromPassphrase("open sesame", salt, p);
    auto b = DeriveMasterKeyFromPassphrase("open sesame", salt, p);
    auto c = DeriveMasterKeyFromPassphrase("open sesame!", salt, p);
    auto d = DeriveMasterKeyFromPassphrase("open sesame", salt2, p);
    REQUIRE((a.ok() && b.ok() && c.ok() && d.ok()));
    CHECK(Bytes(*a) == Bytes(*b));
    CHECK(Bytes(*a) != Bytes(*c));
    CHECK(Bytes(*a) != Bytes(*d));
    CHECK(DeriveMasterKeyFromPassphrase("", salt, p).status().IsInvalidArgument());
    CHECK(DeriveMasterKeyFromPassphrase("x", salt, {0, 8192}).status().IsInvalidArgument());
}

TEST_CASE("guarded keys move without copying and are empty after the move") {
    GuardedKey a = KeyOf(3);
    const uint8_t* where = a.data();
    GuardedKey b = std::move(a);
    CHECK_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): checking the moved-from state
    CHECK(b.data() == where);
    CHECK(b.bytes()[31] == 3);
}

}  // namespace jejak
