// Guarded key memory on top of sodium_malloc / sodium_mprotect_readonly / sodium_free.
#include "crypto/guarded.h"

#include <sodium.h>

#include <cstring>
#include <utility>

namespace jejak {

GuardedKey::GuardedKey(GuardedKey&& other) noexcept : bytes_(std::exchange(other.bytes_, nullptr)) {}

GuardedKey& GuardedKey::operator=(GuardedKey&& other) noexcept {
    if (this != &other) {
        Release();
        bytes_ = std::exchange(other.bytes_, nullptr);
    }
    return *this;
}

GuardedKey::~GuardedKey() { Release(); }

void GuardedKey::Release() {
    if (bytes_ == nullptr) return;
    sodium_mprotect_readwrite(bytes_);
    sodium_free(bytes_);  // zeroes the region before unmapping it
    bytes_ = nullptr;
}

Result<GuardedKey> GuardedKey::Make(const Filler& fill) {
    if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
    auto* p = static_cast<uint8_t*>(sodium_malloc(kSize));
    if (p == nullptr) return Status::Internal("cannot allocate guarded key memory");
    GuardedKey key(p);  // frees (and zeroes) p on every return below
    if (Status s = fill(std::span<uint8_t, kSize>(p, kSize)); !s.ok()) return s;
    if (sodium_mprotect_readonly(p) != 0) {
        return Status::Internal("cannot make guarded key memory read-only");
    }
    return key;
}

Result<GuardedKey> GuardedKey::Copy(std::span<const uint8_t, kSize> bytes) {
    return Make([&](std::span<uint8_t, kSize> out) {
        std::memcpy(out.data(), bytes.data(), kSize);
        return Status::Ok();
    });
}

Result<GuardedKey> GuardedKey::Random() {
    return Make([](std::span<uint8_t, kSize> out) {
        randombytes_buf(out.data(), kSize);
        return Status::Ok();
    });
}

}  // namespace jejak
