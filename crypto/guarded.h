// GuardedKey: a 32-byte symmetric key kept in libsodium guarded memory.
//
// The bytes live in a sodium_malloc region (guard pages on both sides, locked against
// swapping where the system allows, canary checked on free), are made read-only once
// written, and are zeroed when the key is destroyed. Keys are move-only so no stray copy
// outlives its owner. Used for the store's master key, ratchet keys and day keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "platform/base/status.h"

namespace jejak {

class GuardedKey {
public:
    static constexpr size_t kSize = 32;
    using Filler = std::function<Status(std::span<uint8_t, kSize>)>;

    // An empty (invalid) key; valid() is false.
    GuardedKey() = default;
    GuardedKey(GuardedKey&& other) noexcept;
    GuardedKey& operator=(GuardedKey&& other) noexcept;
    GuardedKey(const GuardedKey&) = delete;
    GuardedKey& operator=(const GuardedKey&) = delete;
    ~GuardedKey();

    // Lets `fill` write the key straight into guarded memory, then seals it read-only. The
    // region is zeroed and freed if `fill` fails. Internal if guarded memory is unavailable.
    static Result<GuardedKey> Make(const Filler& fill);
    static Result<GuardedKey> Copy(std::span<const uint8_t, kSize> bytes);
    static Result<GuardedKey> Random();

    bool valid() const { return bytes_ != nullptr; }
    // Precondition: valid().
    std::span<const uint8_t, kSize> bytes() const { return std::span<const uint8_t, kSize>(bytes_, kSize); }
    const uint8_t* data() const { return bytes_; }

private:
    explicit GuardedKey(uint8_t* bytes) : bytes_(bytes) {}
    void Release();

    uint8_t* bytes_ = nullptr;
};

}  // namespace jejak
