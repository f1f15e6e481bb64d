// The day-key ratchet's derivations, all subkeys (crypto/kdf.h).
#include "storage/keys/day_key_ratchet.h"

#include <string_view>

#include "crypto/kdf.h"

namespace jejak {
namespace {

constexpr std::string_view kRatchetContext = "JJRATCHT";
constexpr std::string_view kMasterContext = "JJMASTER";

Result<GuardedKey> Derive(const GuardedKey& parent, uint64_t id, std::string_view context) {
    return DeriveSubkey(parent, id, context);
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
