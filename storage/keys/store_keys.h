// StoreKeys: every key the SQLite store uses, and the rules for getting them.
//
// Holds the keyring (store.keys), the keys derived from the master key, the persisted
// ratchet state and a cache of day data keys, all in guarded memory. The master key itself
// is dropped as soon as the keyring and state keys are derived from it.
#pragma once

#include <map>
#include <string>

#include "crypto/guarded.h"
#include "storage/keys/master_key.h"
#include "crypto/secret.h"
#include "storage/keys/keyring.h"
#include "platform/base/civil_date.h"

namespace jejak {

struct MasterKeySource {
    MasterKeyKind kind = MasterKeyKind::kKeyFile;
    std::string key_file;    // kKeyFile: path of the 32-byte key file
    SecretString passphrase;  // kPassphrase: zeroed once used
    PwhashParams pwhash = PwhashParams::Interactive();  // used only when creating
};

class StoreKeys {
public:
    // Opens the keyring at `keyring_path` with the master key from `source` (whose
    // passphrase is zeroed). When the keyring is missing and `create` is set and no database
    // exists yet (`db_exists` false), creates it (and the key file if missing) with
    // `initial_oldest` as the oldest retained day. Errors change nothing on disk:
    // PermissionDenied(kWrongKeyMessage), NotFound for a missing key file or keyring,
    // InvalidArgument when the source kind does not match the keyring.
    static Result<StoreKeys> Open(const std::string& keyring_path, MasterKeySource& source,
                                  bool create, bool db_exists, UtcDay initial_oldest);

    UtcDay oldest_day() const { return state_.oldest_day; }
    const GuardedKey& state_key() const { return state_key_; }
    // True when the keyring's two slots disagreed at open (a rewrite was interrupted);
    // Repair rewrites them.
    bool needs_repair() const { return needs_repair_; }
    Status Repair();

    // The data key of `day`, derived on first use and cached. Corruption for days before
    // oldest_day() (shredded) or implausibly far after it (a damaged day number).
    Result<const GuardedKey*> DayKey(UtcDay day);
    // Makes `new_oldest` the oldest retained day: ratchets forward, rewrites the keyring, and
    // forgets every cached key of earlier days. No-op when not newer.
    Status AdvanceTo(UtcDay new_oldest);

private:
    static Result<StoreKeys> Create(const std::string& keyring_path, MasterKeySource& source,
                                    UtcDay initial_oldest);
    StoreKeys(Keyring keyring, GuardedKey keyring_key, GuardedKey state_key, RatchetState state)
        : keyring_(std::move(keyring)),
          keyring_key_(std::move(keyring_key)),
          state_key_(std::move(state_key)),
          state_(std::move(state)) {}

    Keyring keyring_;
    GuardedKey keyring_key_;
    GuardedKey state_key_;
    RatchetState state_;
    std::map<UtcDay, GuardedKey> day_keys_;
    bool needs_repair_ = false;
};

}  // namespace jejak
