// ECDSA P-256 / SHA-256 signing with OpenSSL 3 (the counterpart of ecdsa_p256.cc).
#include "crypto/ecdsa/ecdsa_sign.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/ecdsa/pem.h"

namespace jejak {

struct EcdsaP256PrivateKey::Impl {
    internal::PkeyPtr key;
};

EcdsaP256PrivateKey::EcdsaP256PrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EcdsaP256PrivateKey::EcdsaP256PrivateKey(EcdsaP256PrivateKey&&) noexcept = default;
EcdsaP256PrivateKey& EcdsaP256PrivateKey::operator=(EcdsaP256PrivateKey&&) noexcept = default;
EcdsaP256PrivateKey::~EcdsaP256PrivateKey() = default;

Result<EcdsaP256PrivateKey> EcdsaP256PrivateKey::FromPem(std::string_view pem) {
    JEJAK_ASSIGN_OR_RETURN(
        internal::PkeyPtr key,
        internal::ReadP256Pem(pem, internal::PemKey::kPrivate, "PEM private key"));
    return EcdsaP256PrivateKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

Result<std::vector<uint8_t>> EcdsaP256PrivateKey::Sign(std::span<const uint8_t> message) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr) return Status::Internal("out of memory signing");
    std::vector<uint8_t> sig;
    size_t len = 0;
    bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, impl_->key.get()) == 1 &&
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
    return EcdsaP256PrivateKey(std::make_unique<Impl>(Impl{internal::PkeyPtr(key)}));
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
    if (PEM_write_bio_PrivateKey(bio, impl_->key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        BIO_free(bio);
        ERR_clear_error();
        return Status::Internal("cannot encode the private key as PEM");
    }
    return TakeBio(bio);
}

Result<std::string> EcdsaP256PrivateKey::PublicKeyPem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    if (bio == nullptr) return Status::Internal("out of memory writing a public key");
    if (PEM_write_bio_PUBKEY(bio, impl_->key.get()) != 1) {
        BIO_free(bio);
        ERR_clear_error();
        return Status::Internal("cannot encode the public key as PEM");
    }
    return TakeBio(bio);
}

}  // namespace jejak
