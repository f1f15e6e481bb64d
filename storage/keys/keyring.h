// The store's key file (`store.keys`): the only place the day-key ratchet is persisted.
//
// Layout (204 bytes, rewritten in place, never renamed):
//   header (36, clear): "JEJAKKR1" | master key kind (1) | 0 0 0 | Argon2id opslimit (u32) |
//                       memlimit KiB (u32) | Argon2id salt (16)
//   slot A, slot B (84 each): generation (u64) | oldest retained day (u32) | nonce (24) |
//                       sealed chain key (32 + 16 tag)
// A slot is sealed under KeyringKey(master) with AD = header || generation || day, so a wrong
// master key, an edited header or a swapped slot all fail to open. Two slots make the
// rewrite crash-safe: the stale slot is overwritten first, synced, then the other, so at
// every instant one slot opens; after both writes no copy of the old chain key is left in
// the file (see THREAT_MODEL.md for what flash media may still keep).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "crypto/guarded.h"
#include "storage/keys/master_key.h"
#include "platform/base/civil_date.h"

namespace jejak {

enum class MasterKeyKind : uint8_t { kKeyFile = 1, kPassphrase = 2 };

struct KeyringHeader {
    MasterKeyKind kind = MasterKeyKind::kKeyFile;
    uint32_t opslimit = 0;      // Argon2id, kPassphrase only
    uint32_t memlimit_kib = 0;  // Argon2id, kPassphrase only
    std::array<uint8_t, kPwhashSaltSize> salt{};

    PwhashParams Pwhash() const { return {opslimit, uint64_t{memlimit_kib} * 1024}; }
};

// The persisted ratchet: the chain key of the oldest retained day.
struct RatchetState {
    GuardedKey chain;
    UtcDay oldest_day = 0;
    uint64_t generation = 0;  // bumped on every rewrite
};

inline constexpr const char* kWrongKeyMessage = "cannot open store: wrong key or damaged header";

class Keyring {
public:
    // NotFound if the file is missing; PermissionDenied(kWrongKeyMessage) if it is not a
    // keyring of the expected size and magic.
    static Result<Keyring> Read(const std::string& path);
    // Writes a new keyring (O_EXCL, mode 0600, synced). FailedPrecondition if it exists.
    static Result<Keyring> Create(const std::string& path, const KeyringHeader& header,
                                  const GuardedKey& keyring_key, const RatchetState& state);

    const KeyringHeader& header() const { return header_; }
    // The newest slot that opens. PermissionDenied(kWrongKeyMessage) if neither does.
    // `*slots_agree` tells whether both slots hold that same state (else call Write).
    Result<RatchetState> Unseal(const GuardedKey& keyring_key, bool* slots_agree) const;
    // Replaces the persisted state with `state` (its generation must be newer), crash-safely.
    Status Write(const GuardedKey& keyring_key, const RatchetState& state);

    // Overwrites the file's bytes with random data, syncs, and unlinks it. NotFound if absent.
    static Status Shred(const std::string& path);

private:
    static constexpr size_t kHeaderSize = 36;
    static constexpr size_t kSlotSize = 84;
    static constexpr size_t kFileSize = kHeaderSize + 2 * kSlotSize;
    using FileBytes = std::array<uint8_t, kFileSize>;

    Keyring(std::string path, const FileBytes& bytes);
    Status WriteSlot(int fd, int slot, const GuardedKey& keyring_key, const RatchetState& state);

    std::string path_;
    KeyringHeader header_;
    mutable int best_slot_ = 0;  // the slot Unseal chose: overwritten last by Write
    FileBytes bytes_{};
};

}  // namespace jejak
