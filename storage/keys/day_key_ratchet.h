// The day-key ratchet behind the store's crypto-shredding, and the other key derivations the
// store needs. All are libsodium's crypto_kdf (BLAKE2b keyed with the parent key, a
// subkey id and an 8-byte context), so each derived key reveals nothing about its parent.
//
//   chain(d + 1) = KDF(chain(d), id 1, "JJRATCHT")    one-way: chain(d) cannot be recovered
//   data(d)      = KDF(chain(d), id 2, "JJRATCHT")    seals the rows of UTC day d
//   keyring key  = KDF(master,   id 1, "JJMASTER")    seals the persisted chain key
//   state key    = KDF(master,   id 2, "JJMASTER")    seals day-less device state
//
// Whoever holds chain(d) can derive every later day's key and none of the earlier ones; the
// store persists only the chain key of its oldest retained day.
#pragma once

#include <cstdint>

#include "crypto/guarded.h"
#include "platform/base/status.h"

namespace jejak {

// chain(d) -> chain(d + 1).
Result<GuardedKey> NextChainKey(const GuardedKey& chain);
// chain(d) -> chain(d + steps); steps == 0 returns a copy.
Result<GuardedKey> AdvanceChainKey(const GuardedKey& chain, uint32_t steps);
// chain(d) -> data(d).
Result<GuardedKey> DayDataKey(const GuardedKey& chain);
Result<GuardedKey> KeyringKey(const GuardedKey& master);
Result<GuardedKey> StateKey(const GuardedKey& master);

}  // namespace jejak
