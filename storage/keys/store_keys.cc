// Master key acquisition, keyring creation/opening and the day-key cache.
#include "storage/keys/store_keys.h"

#include "storage/keys/day_key_ratchet.h"
#include "crypto/random.h"

namespace jejak {
namespace {

// Furthest a stored day may lie after the oldest retained day: the window plus the one
// future day writes may use, with slack for a clock stepped back.
constexpr UtcDay kMaxDaysAhead = 64;

void ZeroPassphrase(MasterKeySource& source) { source.passphrase.Clear(); }

Result<GuardedKey> MasterKey(MasterKeySource& source, const KeyringHeader& header, bool creating) {
    if (header.kind == MasterKeyKind::kPassphrase) {
        auto key = DeriveMasterKeyFromPassphrase(source.passphrase.view(), header.salt, header.Pwhash());
        ZeroPassphrase(source);
        return key;
    }
    auto key = ReadMasterKeyFile(source.key_file);
    if (creating && key.status().IsNotFound()) return CreateMasterKeyFile(source.key_file);
    if (key.status().IsNotFound()) {
        return Status::NotFound("cannot open store: master key file " + source.key_file +
                                " is missing");
    }
    return key;
}

}  // namespace

Result<StoreKeys> StoreKeys::Open(const std::string& keyring_path, MasterKeySource& source,
                                  bool create, bool db_exists, UtcDay initial_oldest) {
    auto keyring = Keyring::Read(keyring_path);
    if (keyring.status().IsNotFound()) {
        if (db_exists) {
            ZeroPassphrase(source);
            return Status::NotFound("cannot open store: key file " + keyring_path +
                                    " is missing, so the database cannot be decrypted");
        }
        if (!create) {
            ZeroPassphrase(source);
            return Status::NotFound("no store here (" + keyring_path + " is missing)");
        }
        return Create(keyring_path, source, initial_oldest);
    }
    if (!keyring.ok()) {
        ZeroPassphrase(source);
        return keyring.status();
    }
    if (keyring->header().kind != source.kind) {
        ZeroPassphrase(source);
        return Status::InvalidArgument(
            keyring->header().kind == MasterKeyKind::kPassphrase
                ? "cannot open store: it is protected by a passphrase, not a key file"
                : "cannot open store: it is protected by a key file, not a passphrase");
    }
    JEJAK_ASSIGN_OR_RETURN(GuardedKey master, MasterKey(source, keyring->header(), false));
    JEJAK_ASSIGN_OR_RETURN(GuardedKey keyring_key, KeyringKey(master));
    JEJAK_ASSIGN_OR_RETURN(GuardedKey state_key, StateKey(master));
    bool agree = false;
    JEJAK_ASSIGN_OR_RETURN(RatchetState state, keyring->Unseal(keyring_key, &agree));
    StoreKeys keys(std::move(keyring).value(), std::move(keyring_key), std::move(state_key),
                   std::move(state));
    keys.needs_repair_ = !agree;
    return keys;
}

Result<StoreKeys> StoreKeys::Create(const std::string& keyring_path, MasterKeySource& source,
                                    UtcDay initial_oldest) {
    KeyringHeader header;
    header.kind = source.kind;
    if (source.kind == MasterKeyKind::kPassphrase) {
        if (Status s = source.pwhash.Check(); !s.ok()) {
            ZeroPassphrase(source);
            return s;
        }
        header.opslimit = static_cast<uint32_t>(source.pwhash.opslimit);
        header.memlimit_kib = static_cast<uint32_t>(source.pwhash.memlimit_bytes / 1024);
        SystemRandom().Fill(header.salt);
    }
    JEJAK_ASSIGN_OR_RETURN(GuardedKey master, MasterKey(source, header, true));
    JEJAK_ASSIGN_OR_RETURN(GuardedKey keyring_key, KeyringKey(master));
    JEJAK_ASSIGN_OR_RETURN(GuardedKey state_key, StateKey(master));
    JEJAK_ASSIGN_OR_RETURN(GuardedKey chain, GuardedKey::Random());
    RatchetState state{std::move(chain), initial_oldest, 1};
    JEJAK_ASSIGN_OR_RETURN(Keyring keyring,
                           Keyring::Create(keyring_path, header, keyring_key, state));
    return StoreKeys(std::move(keyring), std::move(keyring_key), std::move(state_key),
                     std::move(state));
}

Status StoreKeys::Repair() {
    JEJAK_RETURN_IF_ERROR(keyring_.Write(keyring_key_, state_));
    needs_repair_ = false;
    return Status::Ok();
}

Result<const GuardedKey*> StoreKeys::DayKey(UtcDay day) {
    if (day < state_.oldest_day) {
        return Status::Corruption("row of day " + std::to_string(day) +
                                  " is older than the retained window (its key is destroyed)");
    }
    if (day - state_.oldest_day > kMaxDaysAhead) {
        return Status::Corruption("row day " + std::to_string(day) + " is implausibly far ahead");
    }
    auto it = day_keys_.find(day);
    if (it != day_keys_.end()) return &it->second;
    JEJAK_ASSIGN_OR_RETURN(GuardedKey chain, AdvanceChainKey(state_.chain, day - state_.oldest_day));
    JEJAK_ASSIGN_OR_RETURN(GuardedKey data, DayDataKey(chain));
    return &day_keys_.emplace(day, std::move(data)).first->second;
}

Status StoreKeys::AdvanceTo(UtcDay new_oldest) {
    if (new_oldest <= state_.oldest_day) return Status::Ok();
    JEJAK_ASSIGN_OR_RETURN(GuardedKey chain,
                           AdvanceChainKey(state_.chain, new_oldest - state_.oldest_day));
    RatchetState next{std::move(chain), new_oldest, state_.generation + 1};
    JEJAK_RETURN_IF_ERROR(keyring_.Write(keyring_key_, next));
    state_ = std::move(next);
    day_keys_.erase(day_keys_.begin(), day_keys_.lower_bound(new_oldest));
    return Status::Ok();
}

}  // namespace jejak
