// AES-128-ECB: with AES-NI where the CPU has it (crypto/cpu_features.h),
// through OpenSSL libcrypto everywhere else (and when JEJAK_CRYPTO_FORCE_PORTABLE=1). The
// daemon encrypts a few blocks per rotation; on x86 this keeps it from initialising
// OpenSSL's provider machinery at all, about 2 MiB of resident memory.
#include "crypto/aes.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>

#include "crypto/cpu_features.h"
#include "crypto/kernels/aes_x86_aesni.h"
#include "crypto/secret.h"

namespace jejak::internal {
namespace {

thread_local bool fail_for_testing = false;

EVP_CIPHER* FetchedAes128Ecb() {
    static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr);
    return cipher;
}

// One context per thread, reused across calls.
struct CtxHolder {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    ~CtxHolder() { EVP_CIPHER_CTX_free(ctx); }  // free() cleanses the expanded key
};

// The one place OpenSSL's error queue becomes a Status (and is cleared for later callers).
Status AesError() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    char reason[256] = "no OpenSSL error recorded";
    if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
    return Status::Internal(std::string("AES-128 encryption failed in OpenSSL: ") + reason);
}

#if defined(JEJAK_HAVE_X86_KERNELS)
// True where EncryptBlocksAesNi may run (cpu_features.h, read once). Only x86 builds have
// it (an unused function is an error on arm64 under -Werror).
bool UseAesNi() { return DetectedCpuFeatures().x86_sha_aes; }
#endif

}  // namespace

Status Aes128EcbEncrypt(const uint8_t key[16], const uint8_t* in, uint8_t* out, size_t blocks) {
#if defined(JEJAK_HAVE_X86_KERNELS)
    if (!fail_for_testing && UseAesNi()) {
        EncryptBlocksAesNi(key, in, out, blocks);
        ScrubStack();
        return Status::Ok();
    }
#endif
    thread_local CtxHolder holder;
    EVP_CIPHER* cipher = FetchedAes128Ecb();
    bool ok = !fail_for_testing && cipher != nullptr && holder.ctx != nullptr &&
              blocks * 16 <= INT_MAX &&
              EVP_EncryptInit_ex2(holder.ctx, cipher, key, nullptr, nullptr) == 1 &&
              EVP_CIPHER_CTX_set_padding(holder.ctx, 0) == 1;
    int len = 0;
    ok = ok && EVP_EncryptUpdate(holder.ctx, out, &len, in, static_cast<int>(blocks * 16)) == 1 &&
         static_cast<size_t>(len) == blocks * 16;
    if (holder.ctx != nullptr) EVP_CIPHER_CTX_reset(holder.ctx);  // wipes the key schedule
    if (ok) return Status::Ok();
    std::memset(out, 0, blocks * 16);
    return AesError();
}

ScopedAesFailureForTesting::ScopedAesFailureForTesting() : previous_(fail_for_testing) {
    fail_for_testing = true;
}

ScopedAesFailureForTesting::~ScopedAesFailureForTesting() { fail_for_testing = previous_; }

}  // namespace jejak::internal
