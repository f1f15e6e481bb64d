// ECDSA P-256 verification and SHA-256 with OpenSSL 3 (the only OpenSSL user for exports).
#include "crypto/ecdsa_p256.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>
#include <string>

namespace jejak {

struct EcdsaP256PublicKey::Impl {
    explicit Impl(EVP_PKEY* k) : key(k) {}
    ~Impl() { EVP_PKEY_free(key); }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    EVP_PKEY* key;
};

namespace {

// Accepts only EC keys on P-256 ("prime256v1"); takes ownership of `key`.
Result<std::shared_ptr<const EcdsaP256PublicKey::Impl>> AdoptP256(EVP_PKEY* key,
                                                                  std::string_view what) {
    if (key == nullptr) {
        ERR_clear_error();
        return Status::InvalidArgument(std::string(what) + ": not a public key");
    }
    auto impl = std::make_shared<const EcdsaP256PublicKey::Impl>(key);
    char group[64] = {};
    size_t group_len = 0;
    if (!EVP_PKEY_is_a(key, "EC") ||
        EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &group_len) != 1 ||
        std::strcmp(group, "prime256v1") != 0) {
        return Status::InvalidArgument(std::string(what) + ": not an ECDSA P-256 key");
    }
    return impl;
}

}  // namespace

void Sha256(std::span<const uint8_t> data, std::span<uint8_t, kSha256DigestSize> out) {
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
}

Result<EcdsaP256PublicKey> EcdsaP256PublicKey::FromPem(std::string_view pem) {
    if (pem.size() > 64 * 1024) return Status::InvalidArgument("PEM public key: too large");
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    if (bio == nullptr) return Status::Internal("BIO_new_mem_buf failed");
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    JEJAK_ASSIGN_OR_RETURN(auto impl, AdoptP256(key, "PEM public key"));
    return EcdsaP256PublicKey(std::move(impl));
}

Result<EcdsaP256PublicKey> EcdsaP256PublicKey::FromSpkiDer(std::span<const uint8_t> der) {
    const unsigned char* p = der.data();
    EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
    if (key != nullptr && p != der.data() + der.size()) {
        EVP_PKEY_free(key);
        return Status::InvalidArgument("DER public key: trailing bytes");
    }
    JEJAK_ASSIGN_OR_RETURN(auto impl, AdoptP256(key, "DER public key"));
    return EcdsaP256PublicKey(std::move(impl));
}

bool EcdsaP256PublicKey::Verify(std::span<const uint8_t> message,
                                std::span<const uint8_t> der_signature) const {
    if (!impl_ || der_signature.empty()) return false;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr) return false;
    bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, impl_->key) == 1 &&
              EVP_DigestVerify(ctx, der_signature.data(), der_signature.size(), message.data(),
                               message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();  // a failed verify leaves entries that would confuse later callers
    return ok;
}

}  // namespace jejak
