// OpenSSL-backed AES-128-ECB.
#include "crypto/aes.h"

#include <openssl/evp.h>

#include <climits>
#include <cstring>

namespace jejak::internal {
namespace {

EVP_CIPHER* FetchedAes128Ecb() {
    static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr);
    return cipher;
}

// One context per thread, reused across calls.
struct CtxHolder {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    ~CtxHolder() { EVP_CIPHER_CTX_free(ctx); }  // free() cleanses the expanded key
};

}  // namespace

bool Aes128EcbEncrypt(const uint8_t key[16], const uint8_t* in, uint8_t* out, size_t blocks) {
    thread_local CtxHolder holder;
    EVP_CIPHER* cipher = FetchedAes128Ecb();
    bool ok = cipher != nullptr && holder.ctx != nullptr && blocks * 16 <= INT_MAX &&
              EVP_EncryptInit_ex2(holder.ctx, cipher, key, nullptr, nullptr) == 1 &&
              EVP_CIPHER_CTX_set_padding(holder.ctx, 0) == 1;
    int len = 0;
    ok = ok && EVP_EncryptUpdate(holder.ctx, out, &len, in, static_cast<int>(blocks * 16)) == 1 &&
         static_cast<size_t>(len) == blocks * 16;
    if (holder.ctx != nullptr) EVP_CIPHER_CTX_reset(holder.ctx);  // wipes the key schedule
    if (!ok) std::memset(out, 0, blocks * 16);
    return ok;
}

}  // namespace jejak::internal
