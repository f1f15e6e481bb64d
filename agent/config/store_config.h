// The "store" section of the JSON configuration, and opening the store the CLI and the
// daemon use. Every key is optional; without a config file the store lives in
// --state-dir with a master key file created there on first run:
//   "store": {
//     "retention_days": 14,              1..25
//     "flush_interval_s": 30,            0..86400 (0: commit every batch)
//     "durable_commits": true,           false: synchronous=NORMAL (see THREAT_MODEL.md)
//     "key_file": "/etc/jejak/master.key",   default <state-dir>/master.key
//     "passphrase_env": "JEJAK_STORE_PASSPHRASE",  use Argon2id on this variable instead
//     "argon2_opslimit": 2,              when creating a passphrase store
//     "argon2_memlimit_kib": 65536
//   }
#pragma once

#include <memory>

#include "agent/config/config.h"
#include "platform/base/clock.h"
#include "storage/sqlite_store.h"

namespace jejak {

// InvalidArgument naming the key for a wrong type, an out-of-range value, an unknown key or
// an unset passphrase variable. The passphrase, when used, is moved into the options' zeroing
// SecretString, and the variable is removed from this process's environment at once, so no
// child (the notification hook) inherits it and nothing reads it twice: load once per
// command and pass the options on.
Result<SqliteStoreOptions> LoadStoreOptions(const ConfigSource& source);

// SqliteStore::Open with options loaded by LoadStoreOptions. `create` false: NotFound if no
// store exists yet.
Result<std::unique_ptr<SqliteStore>> OpenConfiguredStore(SqliteStoreOptions options,
                                                         const Clock& clock, bool create);
// LoadStoreOptions + OpenConfiguredStore, for commands that need nothing else from the
// section.
Result<std::unique_ptr<SqliteStore>> OpenConfiguredStore(const ConfigSource& source,
                                                         const Clock& clock, bool create);

}  // namespace jejak
