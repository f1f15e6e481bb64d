// Batch key schedule: derive RPIK and a run of RPIs for many TEKs in one call. This is the
// hot path of matching (every published diagnosis key, up to 168 intervals each with the
// +-2 h drift tolerance) and of `keys derive`.
//
// Several backends implement the same function; the fastest one the CPU supports is chosen
// once at run time. Every backend is bit-exact with the reference functions in
// key_schedule.h (tests compare them on random keys).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "gaen/keys/interval.h"
#include "gaen/keys/key_schedule.h"
#include "crypto/secret.h"

namespace jejak {

// Most intervals one key may be expanded to in one call.
inline constexpr uint32_t kMaxBatchIntervals = 256;

// One implementation of the batch schedule.
struct KeyScheduleBackend {
    // Stable name printed by the benchmark: "portable", "x86-shani-aesni", ...
    std::string_view name;
    // For each key i < n: RPIK_i = HKDF(teks[16*i .. 16*i+15]), then for j < count:
    //   out[16 * (i * count + j) ..] = AES(RPIK_i, PaddedData(first_enin[i] + j)).
    // Preconditions (checked by the RpiDeriver wrapper, not re-checked here): count in
    // 1..kMaxBatchIntervals, first_enin[i] + count does not overflow 32 bits.
    // Internal when the AES primitive fails (only the portable backend calls OpenSSL); out
    // is then zeroed, never a partial result. Intermediate key material is zeroed before
    // returning, on success and on failure. Thread-safe (no shared state).
    Status (*derive_rpis)(const uint8_t* teks, const uint32_t* first_enin, size_t n,
                          uint32_t count, uint8_t* out);
};

// The OpenSSL/libsodium path that runs on any CPU.
const KeyScheduleBackend& PortableBackend();
// Every backend this CPU can run, portable first.
std::span<const KeyScheduleBackend* const> AvailableBackends();
// The fastest available backend; chosen once, on first call.
const KeyScheduleBackend& BestBackend();
// Looks a backend up by name among the available ones (nullptr if absent).
const KeyScheduleBackend* FindBackend(std::string_view name);

// Typed front end over a backend.
class RpiDeriver {
public:
    explicit RpiDeriver(const KeyScheduleBackend& backend = BestBackend()) : backend_(&backend) {}

    std::string_view backend_name() const { return backend_->name; }

    // RPIs of one key for intervals first .. first + out.size() - 1.
    // InvalidArgument if out.size() is 0 or above kMaxBatchIntervals, or the run overflows;
    // Internal if the backend fails (out is then zeroed).
    Status Derive(const Tek& tek, EnIntervalNumber first, std::span<Rpi> out) const;

    // RPIs of teks[i] for intervals first[i] .. first[i] + count - 1 into
    // out[i * count .. (i + 1) * count). out.size() must be teks.size() * count. Errors as
    // for Derive.
    Status DeriveMany(std::span<const Tek> teks, std::span<const EnIntervalNumber> first,
                      uint32_t count, std::span<Rpi> out) const;

private:
    const KeyScheduleBackend* backend_;
};

}  // namespace jejak
