// crypto_kdf-based derivations for the day-key ratchet.
#include "crypto/day_key_ratchet.h"

#include <sodium.h>

namespace jejak {
namespace {

static_assert(GuardedKey::kSize == crypto_kdf_KEYBYTES);

constexpr char kRatchetContext[crypto_kdf_CONTEXTBYTES + 1] = "JJRATCHT";
constexpr char kMasterContext[crypto_kdf_CONTEXTBYTES + 1] = "JJMASTER";

Result<GuardedKey> Derive(const GuardedKey& parent, uint64_t id, const char* context) {
    return GuardedKey::Make([&](std::span<uint8_t, GuardedKey::kSize> out) {
        if (crypto_kdf_derive_from_key(out.data(), out.size(), id, context, parent.data()) != 0) {
            return Status::Internal("key derivation failed");
        }
        return Status::Ok();
    });
}

}  // namespace

Result<GuardedKey> NextChainKey(const GuardedKey& chain) {
    return Derive(chain, 1, kRatchetContext);
}

Result<GuardedKey> AdvanceChainKey(const GuardedKey& chain, uint32_t steps) {
    JEJAK_ASSIGN_OR_RETURN(GuardedKey key, GuardedKey::Copy(chain.bytes()));
    for (uint32_t i = 0; i < steps; ++i) {
        JEJAK_ASSIGN_OR_RETURN(key, NextChainKey(key));
    }
    return key;
}

Result<GuardedKey> DayDataKey(const GuardedKey& chain) { return Derive(chain, 2, kRatchetContext); }

Result<GuardedKey> KeyringKey(const GuardedKey& master) {
    return Derive(master, 1, kMasterContext);
}

Result<GuardedKey> StateKey(const GuardedKey& master) { return Derive(master, 2, kMasterContext); }

}  // namespace jejak
