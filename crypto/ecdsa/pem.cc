// PEM key reading with OpenSSL 3, for both ECDSA files.
#include "crypto/ecdsa/pem.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstring>
#include <string>

namespace jejak::internal {
namespace {

constexpr size_t kMaxPemBytes = 64 * 1024;

Status Invalid(std::string_view what, std::string_view problem) {
    ERR_clear_error();
    return Status::InvalidArgument(std::string(what) + ": " + std::string(problem));
}

}  // namespace

void PkeyFree::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

Result<PkeyPtr> ReadP256Pem(std::string_view pem, PemKey kind, std::string_view what) {
    if (pem.size() > kMaxPemBytes) return Invalid(what, "too large");
    const char* not_a_key =
        kind == PemKey::kPublic ? "not a public key" : "not an unencrypted private key";
    // BIO_new_mem_buf refuses an empty (possibly null) buffer: that is no key, not a failure.
    if (pem.empty()) return Invalid(what, not_a_key);
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    if (bio == nullptr) {
        ERR_clear_error();
        return Status::Internal(std::string(what) + ": out of memory");
    }
    PkeyPtr key(kind == PemKey::kPublic ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr)
                                        : PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    if (key == nullptr) {
        return Invalid(what, not_a_key);
    }
    JEJAK_RETURN_IF_ERROR(CheckP256(*key, what));
    return key;
}

Status CheckP256(const EVP_PKEY& key, std::string_view what) {
    char group[64] = {};
    size_t group_len = 0;
    if (!EVP_PKEY_is_a(&key, "EC") ||
        EVP_PKEY_get_utf8_string_param(&key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &group_len) != 1 ||
        std::strcmp(group, "prime256v1") != 0) {
        return Invalid(what, "not an ECDSA P-256 key");
    }
    return Status::Ok();
}

}  // namespace jejak::internal
