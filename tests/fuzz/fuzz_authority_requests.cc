// libFuzzer target: the authority's parsing of untrusted request bodies (verify,
// certificate, publish) and of certificates (ES256 JWTs). Any input must yield a value or
// a Status, never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "authority/jwt.h"
#include "authority/requests.h"

namespace {

const jejak::EcdsaP256PublicKey* Key() {
    static const jejak::EcdsaP256PublicKey* key = [] {
        auto priv = jejak::EcdsaP256PrivateKey::Generate();
        auto pem = priv->PublicKeyPem();
        return new jejak::EcdsaP256PublicKey(*jejak::EcdsaP256PublicKey::FromPem(*pem));
    }();
    return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    (void)jejak::authority::ParseVerifyRequest(body);
    (void)jejak::authority::ParseCertificateRequest(body);
    auto publish = jejak::authority::ParsePublishRequest(body);
    if (publish.ok()) (void)jejak::authority::VerifyJwtEs256(publish->verification_payload, *Key());
    (void)jejak::authority::VerifyJwtEs256(body, *Key());
    return 0;
}
