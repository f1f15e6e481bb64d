// ECDSA P-256 verification and SHA-256 with OpenSSL 3 (the only OpenSSL user for exports).
#include "crypto/ecdsa/ecdsa_p256.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/ecdsa/pem.h"

namespace jejak {

struct EcdsaP256PublicKey::Impl {
    internal::PkeyPtr key;
};

void Sha256(std::span<const uint8_t> data, std::span<uint8_t, kSha256DigestSize> out) {
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
}

Result<EcdsaP256PublicKey> EcdsaP256PublicKey::FromPem(std::string_view pem) {
    JEJAK_ASSIGN_OR_RETURN(internal::PkeyPtr key,
                           internal::ReadP256Pem(pem, internal::PemKey::kPublic, "PEM public key"));
    return EcdsaP256PublicKey(std::make_shared<const Impl>(Impl{std::move(key)}));
}

Result<EcdsaP256PublicKey> EcdsaP256PublicKey::FromSpkiDer(std::span<const uint8_t> der) {
    const unsigned char* p = der.data();
    internal::PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (key == nullptr) {
        ERR_clear_error();
        return Status::InvalidArgument("DER public key: not a public key");
    }
    if (p != der.data() + der.size()) {
        return Status::InvalidArgument("DER public key: trailing bytes");
    }
    JEJAK_RETURN_IF_ERROR(internal::CheckP256(*key, "DER public key"));
    return EcdsaP256PublicKey(std::make_shared<const Impl>(Impl{std::move(key)}));
}

bool EcdsaP256PublicKey::Verify(std::span<const uint8_t> message,
                                std::span<const uint8_t> der_signature) const {
    if (!impl_ || der_signature.empty()) return false;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr) return false;
    bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, impl_->key.get()) == 1 &&
              EVP_DigestVerify(ctx, der_signature.data(), der_signature.size(), message.data(),
                               message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();  // a failed verify leaves entries that would confuse later callers
    return ok;
}

}  // namespace jejak
