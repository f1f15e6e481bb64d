// The "store" section of the JSON configuration, and opening the store the CLI and the
// daemon use. Every key is optional; without a config file the store lives in
// --state-dir with a master key file created there on first run:
//   "store": {
//     "retention_days": 14,              1..25
//     "flush_interval_s": 30,            0..86400 (0: commit every batch)
//     "durable_commits": true,           false: synchronous=NORMAL (see THREAT_MODEL.md)
//     "max_sightings_per_day": 1000000,  1000..1e8: rows kept per UTC day (flooding cap)
//     "key_file": "/etc/jejak/master.key",   default <state-dir>/master.key
//     "passphrase_env": "JEJAK_STORE_PASSPHRASE",  use Argon2id on this variable instead
//     "passphrase_credential": "jejak-store",  or on this systemd credential (preferred:
//                                        $CREDENTIALS_DIRECTORY/<name>, never in the environment)
//     "argon2_opslimit": 3,              when creating a passphrase store; at least 3
//     "argon2_memlimit_kib": 65536       at least 64 MiB (libsodium's INTERACTIVE memory)
//   A passphrase shorter than 12 characters is refused (THREAT_MODEL.md says what an
//   offline attacker with the card can do at these floors).
//   }
#pragma once

#include <memory>

#include "agent/config/config.h"
#include "platform/base/clock.h"
#include "storage/sqlite_store.h"

namespace jejak {

// Floors for Argon2id and the passphrase, enforced on the configuration.
inline constexpr int64_t kMinArgon2Ops = 3;
inline constexpr int64_t kMinArgon2MemKib = 64 * 1024;
inline constexpr size_t kMinPassphraseLength = 12;

// InvalidArgument naming the key for a wrong type, an out-of-range value, an unknown key or
// an unset passphrase variable or unreadable credential. The passphrase, when used, is moved
// into the options' zeroing SecretString (SqliteStore::Open zeroes it after Argon2id), and an
// environment variable is wiped and removed from this process's environment at once, so no
// child (the notification hook) inherits it and nothing reads it twice: load once per
// command and pass the options on.
// kSkip: the layout only (for `store wipe`, which destroys keys and needs none): the
// passphrase source is validated but not read, and the environment is left as it is.
enum class PassphraseUse { kRead, kSkip };
Result<SqliteStoreOptions> LoadStoreOptions(const ProgramFiles& source,
                                            PassphraseUse use = PassphraseUse::kRead);

// SqliteStore::Open with options loaded by LoadStoreOptions. `create` false: NotFound if no
// store exists yet.
Result<std::unique_ptr<SqliteStore>> OpenConfiguredStore(SqliteStoreOptions options,
                                                         const Clock& clock, bool create);
// LoadStoreOptions + OpenConfiguredStore, for commands that need nothing else from the
// section.
Result<std::unique_ptr<SqliteStore>> OpenConfiguredStore(const ProgramFiles& source,
                                                         const Clock& clock, bool create);

}  // namespace jejak
