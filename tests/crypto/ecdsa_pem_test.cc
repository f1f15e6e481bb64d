// The PEM key reader shared by ECDSA verification and signing: both key kinds load, sign and
// verify together; wrong curves, the wrong kind of key, garbage and oversized text are
// rejected alike by both sides.
//
// The keys below were made for this test alone with `openssl ecparam -genkey` (P-256 and
// P-384), `openssl pkcs8 -topk8 -nocrypt` and `openssl pkey -pubout`; they protect nothing.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ecdsa/ecdsa_p256.h"
#include "crypto/ecdsa/ecdsa_sign.h"

namespace jejak {
namespace {

constexpr std::string_view kP256Sec1 = R"(-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIHvfM9MAibjYgw9E9dJUzBpvUQOmb1uc9Ao9OSgv2t+ZoAoGCCqGSM49
AwEHoUQDQgAEsx+6TBqQf9Br2pk3rLQQ3WSxq9sN38Sw3l7x0DP6MI0IY3fF5/8s
SCJzmmRXseNHP1oyQDuod29cOZcV0ylBpw==
-----END EC PRIVATE KEY-----
)";
constexpr std::string_view kP256Pkcs8 = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQge98z0wCJuNiDD0T1
0lTMGm9RA6ZvW5z0Cj05KC/a35mhRANCAASzH7pMGpB/0GvamTestBDdZLGr2w3f
xLDeXvHQM/owjQhjd8Xn/yxIInOaZFex40c/WjJAO6h3b1w5lxXTKUGn
-----END PRIVATE KEY-----
)";
constexpr std::string_view kP256Public = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsx+6TBqQf9Br2pk3rLQQ3WSxq9sN
38Sw3l7x0DP6MI0IY3fF5/8sSCJzmmRXseNHP1oyQDuod29cOZcV0ylBpw==
-----END PUBLIC KEY-----
)";
constexpr std::string_view kP384Sec1 = R"(-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDBDigp2VEdAQA/1qTu9qDnXeFjDDnLBsO4khzvlF83aSrW9WbQPVtM2
3PjJwAq3zGWgBwYFK4EEACKhZANiAAQPGC8okrKbEqUk3xs5INHGjL9cxobNuItJ
JXPmnm6sYeSiAPcBIYwRFEoapeNkFMVX/fbI4lxwoVjM3AH0PdlKl2ckVaA+/x1A
J76mzlwqsoatpL7lLDeKBs4iOrbIOr0=
-----END EC PRIVATE KEY-----
)";
constexpr std::string_view kP384Public = R"(-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEDxgvKJKymxKlJN8bOSDRxoy/XMaGzbiL
SSVz5p5urGHkogD3ASGMERRKGqXjZBTFV/32yOJccKFYzNwB9D3ZSpdnJFWgPv8d
QCe+ps5cKrKGraS+5Sw3igbOIjq2yDq9
-----END PUBLIC KEY-----
)";

const std::vector<uint8_t> kMessage{'e', 'x', 'p', 'o', 'r', 't', '.', 'b', 'i', 'n'};

}  // namespace

TEST_CASE("both private key PEM forms sign what the public key PEM verifies") {
    auto pub = EcdsaP256PublicKey::FromPem(kP256Public);
    REQUIRE(pub.ok());
    for (std::string_view pem : {kP256Sec1, kP256Pkcs8}) {
        auto key = EcdsaP256PrivateKey::FromPem(pem);
        REQUIRE(key.ok());
        auto sig = key->Sign(kMessage);
        REQUIRE(sig.ok());
        CHECK(pub->Verify(kMessage, *sig));
        std::vector<uint8_t> other = kMessage;
        other[0] ^= 1;
        CHECK_FALSE(pub->Verify(other, *sig));
    }
}

TEST_CASE("verify and sign reject keys on other curves the same way") {
    auto pub = EcdsaP256PublicKey::FromPem(kP384Public);
    REQUIRE(pub.status().IsInvalidArgument());
    CHECK(pub.status().message() == "PEM public key: not an ECDSA P-256 key");
    auto key = EcdsaP256PrivateKey::FromPem(kP384Sec1);
    REQUIRE(key.status().IsInvalidArgument());
    CHECK(key.status().message() == "PEM private key: not an ECDSA P-256 key");
}

TEST_CASE("each side rejects the other kind of key, garbage and oversized text") {
    CHECK(EcdsaP256PublicKey::FromPem(kP256Sec1).status().message() ==
          "PEM public key: not a public key");
    CHECK(EcdsaP256PrivateKey::FromPem(kP256Public).status().message() ==
          "PEM private key: not an unencrypted private key");
    // Empty text (a null view included) is no key, not an internal error: OpenSSL refuses a
    // memory BIO over it, which both loaders used to report as out of memory.
    for (std::string_view bad :
         {std::string_view{}, std::string_view{""}, std::string_view{"-----BEGIN PUBLIC KEY-----"},
          kP256Public.substr(0, 60), kP256Sec1.substr(0, 70)}) {
        CHECK(EcdsaP256PublicKey::FromPem(bad).status().IsInvalidArgument());
        CHECK(EcdsaP256PrivateKey::FromPem(bad).status().IsInvalidArgument());
    }
    // A valid key followed by padding past the 64 KiB limit.
    const std::string huge = std::string(kP256Sec1) + std::string(70000, '\n');
    CHECK(EcdsaP256PrivateKey::FromPem(huge).status().message() == "PEM private key: too large");
    const std::string huge_pub = std::string(kP256Public) + std::string(70000, '\n');
    CHECK(EcdsaP256PublicKey::FromPem(huge_pub).status().message() == "PEM public key: too large");
}

}  // namespace jejak
