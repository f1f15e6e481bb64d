// Portable batch backend, run-time dispatch and the typed RpiDeriver front end.
#include "gaen/keys/rpi_batch.h"

#include <sodium.h>

#include <cstring>
#include <string>

#include "crypto/aes.h"
#include "gaen/keys/rpi_batch_hw.h"

namespace jejak {
namespace {

constexpr uint8_t kRpikInfoCounter[] = {'E', 'N', '-', 'R', 'P', 'I', 'K', 0x01};

// HMAC state after absorbing the all-zero 32-byte HKDF salt, computed once.
const crypto_auth_hmacsha256_state& ZeroSaltHmacState() {
    static const crypto_auth_hmacsha256_state state = [] {
        crypto_auth_hmacsha256_state st;
        static constexpr uint8_t kZeroSalt[32] = {};
        crypto_auth_hmacsha256_init(&st, kZeroSalt, sizeof kZeroSalt);
        return st;
    }();
    return state;
}

Status PortableDeriveRpis(const uint8_t* teks, const uint32_t* first_enin, size_t n,
                          uint32_t count, uint8_t* out) {
    uint8_t prk[32];
    uint8_t okm[32];
    crypto_auth_hmacsha256_state st;
    Status status;
    for (size_t i = 0; i < n && status.ok(); ++i) {
        st = ZeroSaltHmacState();
        crypto_auth_hmacsha256_update(&st, teks + 16 * i, 16);
        crypto_auth_hmacsha256_final(&st, prk);
        crypto_auth_hmacsha256_init(&st, prk, sizeof prk);
        crypto_auth_hmacsha256_update(&st, kRpikInfoCounter, sizeof kRpikInfoCounter);
        crypto_auth_hmacsha256_final(&st, okm);

        uint8_t* blocks = out + size_t{16} * count * i;
        for (uint32_t j = 0; j < count; ++j) {
            const auto padded = RpiPaddedData(first_enin[i] + j);
            std::memcpy(blocks + 16 * size_t{j}, padded.data(), 16);
        }
        status = internal::Aes128EcbEncrypt(okm, blocks, blocks, count);
    }
    sodium_memzero(&st, sizeof st);
    sodium_memzero(prk, sizeof prk);
    sodium_memzero(okm, sizeof okm);
    if (!status.ok()) std::memset(out, 0, size_t{16} * count * n);
    return status;
}

constexpr KeyScheduleBackend kPortable{"portable", &PortableDeriveRpis};

std::vector<const KeyScheduleBackend*> BuildAvailable() {
    std::vector<const KeyScheduleBackend*> all{&kPortable};
    for (const KeyScheduleBackend* hw : internal::HardwareBackends()) all.push_back(hw);
    return all;
}

const std::vector<const KeyScheduleBackend*>& Available() {
    static const std::vector<const KeyScheduleBackend*> all = BuildAvailable();
    return all;
}

Status CheckRun(EnIntervalNumber first, size_t count) {
    if (count == 0 || count > kMaxBatchIntervals) {
        return Status::InvalidArgument("interval count " + std::to_string(count) +
                                       " outside 1.." + std::to_string(kMaxBatchIntervals));
    }
    if (uint64_t{first} + count - 1 > UINT32_MAX) {
        return Status::InvalidArgument("interval run past the last ENIntervalNumber");
    }
    return Status::Ok();
}

}  // namespace

const KeyScheduleBackend& PortableBackend() { return kPortable; }

std::span<const KeyScheduleBackend* const> AvailableBackends() { return Available(); }

const KeyScheduleBackend& BestBackend() {
    // Hardware backends are listed fastest last.
    static const KeyScheduleBackend& best = *Available().back();
    return best;
}

const KeyScheduleBackend* FindBackend(std::string_view name) {
    for (const KeyScheduleBackend* b : Available()) {
        if (b->name == name) return b;
    }
    return nullptr;
}

Status RpiDeriver::Derive(const Tek& tek, EnIntervalNumber first, std::span<Rpi> out) const {
    JEJAK_RETURN_IF_ERROR(CheckRun(first, out.size()));
    return backend_->derive_rpis(tek.data(), &first, 1, static_cast<uint32_t>(out.size()),
                                 out.data()->data());
}

Status RpiDeriver::DeriveMany(std::span<const Tek> teks, std::span<const EnIntervalNumber> first,
                              uint32_t count, std::span<Rpi> out) const {
    if (first.size() != teks.size() || out.size() != teks.size() * count) {
        return Status::InvalidArgument("DeriveMany: span sizes disagree");
    }
    for (EnIntervalNumber f : first) JEJAK_RETURN_IF_ERROR(CheckRun(f, count));
    if (teks.empty()) return Status::Ok();
    return backend_->derive_rpis(teks.data()->data(), first.data(), teks.size(), count,
                                 out.data()->data());
}

}  // namespace jejak
