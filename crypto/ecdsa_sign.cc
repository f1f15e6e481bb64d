// ECDSA P-256 / SHA-256 signing with OpenSSL 3 (the counterpart of ecdsa_p256.cc).
#include "crypto/ecdsa_sign.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstring>
#include <string>

namespace jejak {

struct EcdsaP256PrivateKey::Impl {
    explicit Impl(EVP_PKEY* k) : key(k) {}
    ~Impl() { EVP_PKEY_free(key); }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    EVP_PKEY* key;
};

EcdsaP256PrivateKey::EcdsaP256PrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EcdsaP256PrivateKey::EcdsaP256PrivateKey(EcdsaP256PrivateKey&&) noexcept = default;
EcdsaP256PrivateKey& EcdsaP256PrivateKey::operator=(EcdsaP256PrivateKey&&) noexcept = default;
EcdsaP256PrivateKey::~EcdsaP256PrivateKey() = default;

Result<EcdsaP256PrivateKey> EcdsaP256PrivateKey::FromPem(std::string_view pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    if (bio == nullptr) return Status::Internal("out of memory reading a private key");
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (key == nullptr) {
        ERR_clear_error();
        return Status::InvalidArgument("not an unencrypted PEM private key");
    }
    auto impl = std::make_unique<Impl>(key);
    char group[64] = {};
    size_t group_len = 0;
    if (!EVP_PKEY_is_a(key, "EC") ||
        EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &group_len) != 1 ||
        std::strcmp(group, "prime256v1") != 0) {
        ERR_clear_error();
        return Status::InvalidArgument("not an ECDSA P-256 private key");
    }
    return EcdsaP256PrivateKey(std::move(impl));
}

Result<std::vector<uint8_t>> EcdsaP256PrivateKey::Sign(std::span<const uint8_t> message) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr) return Status::Internal("out of memory signing");
    std::vector<uint8_t> sig;
    size_t len = 0;
    bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, impl_->key) == 1 &&
              EVP_DigestSign(ctx, nullptr, &len, message.data(), message.size()) == 1;
    if (ok) {
        sig.resize(len);
        ok = EVP_DigestSign(ctx, sig.data(), &len, message.data(), message.size()) == 1;
        sig.resize(len);
    }
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        ERR_clear_error();
        return Status::Internal("ECDSA signing failed");
    }
    return sig;
}

Result<EcdsaP256PrivateKey> EcdsaP256PrivateKey::Generate() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (key == nullptr) {
        ERR_clear_error();
        return Status::Internal("P-256 key generation failed");
    }
    return EcdsaP256PrivateKey(std::make_unique<Impl>(key));
}

namespace {

// Drains a memory BIO into a string; the BIO's buffer is cleansed when freed.
std::string TakeBio(BIO* bio) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    std::string out(data, len > 0 ? static_cast<size_t>(len) : 0);
    if (len > 0) OPENSSL_cleanse(data, static_cast<size_t>(len));
    BIO_free(bio);
    return out;
}

}  // namespace

Result<std::string> EcdsaP256PrivateKey::PrivateKeyPem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    if (bio == nullptr) return Status::Internal("out of memory writing a private key");
    if (PEM_write_bio_PrivateKey(bio, impl_->key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        BIO_free(bio);
        ERR_clear_error();
        return Status::Internal("cannot encode the private key as PEM");
    }
    return TakeBio(bio);
}

Result<std::string> EcdsaP256PrivateKey::PublicKeyPem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    if (bio == nullptr) return Status::Internal("out of memory writing a public key");
    if (PEM_write_bio_PUBKEY(bio, impl_->key) != 1) {
        BIO_free(bio);
        ERR_clear_error();
        return Status::Internal("cannot encode the public key as PEM");
    }
    return TakeBio(bio);
}

}  // namespace jejak
