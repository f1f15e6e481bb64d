// Parsing the "store" configuration section.
#include "agent/config/store_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "agent/config/config.h"
#include "agent/config/config_schema.h"
#include "crypto/secret.h"

namespace jejak {
namespace {

Status Bad(const std::string& key, const std::string& why) {
    return Status::InvalidArgument("config store." + key + ": " + why);
}

// The key's whole number (CheckConfigSection has checked it against the schema's range).
int64_t GetInt(const nlohmann::json& section, const std::string& key, int64_t fallback) {
    auto it = section.find(key);
    return it == section.end() ? fallback : it->get<int64_t>();
}

Result<std::string> GetString(const nlohmann::json& section, const std::string& key) {
    auto it = section.find(key);
    if (it == section.end()) return std::string();
    if (!it->is_string() || it->get<std::string>().empty()) {
        return Bad(key, "must be a non-empty string");
    }
    return it->get<std::string>();
}

// The passphrase from the environment variable `name`: the environment block's copy is
// wiped and the variable removed at once, so no child inherits it.
Result<SecretString> PassphraseFromEnv(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') {
        return Bad("passphrase_env", "environment variable " + name + " is not set");
    }
    SecretString passphrase(value);
    SecureZero(const_cast<char*>(value), std::strlen(value));
    unsetenv(name.c_str());
    return passphrase;
}

// The passphrase from the systemd credential `name` ($CREDENTIALS_DIRECTORY/name, see
// LoadCredential= in systemd.exec(5)): the file lives on a private tmpfs only this service
// can read, and never enters the environment. One trailing newline is dropped.
Result<SecretString> PassphraseFromCredential(const std::string& name) {
    if (name.find('/') != std::string::npos || name == "." || name == "..") {
        return Bad("passphrase_credential", "must be a credential name, not a path");
    }
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (dir == nullptr || *dir == '\0') {
        return Bad("passphrase_credential", "CREDENTIALS_DIRECTORY is not set (run under "
                                            "systemd with LoadCredential=" + name + ":...)");
    }
    const std::string path = std::string(dir) + "/" + name;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return Status::FromErrno(errno, "config store.passphrase_credential: " + path);
    // Read into a fixed buffer (no reallocation leaves copies behind), zeroed afterwards.
    std::array<char, 4097> buf;
    size_t size = 0;
    Status status;
    while (size < buf.size()) {
        const ssize_t n = ::read(fd, buf.data() + size, buf.size() - size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) status = Status::FromErrno(errno, "cannot read " + path);
        if (n <= 0) break;
        size += static_cast<size_t>(n);
    }
    ::close(fd);
    if (status.ok() && size == buf.size()) {
        status = Bad("passphrase_credential", path + " is longer than 4096 bytes");
    }
    if (size > 0 && buf[size - 1] == '\n') --size;
    if (size > 0 && buf[size - 1] == '\r') --size;
    SecretString passphrase(std::string_view(buf.data(), size));
    SecureZero(buf.data(), buf.size());
    if (!status.ok()) return status;
    if (passphrase.empty()) return Bad("passphrase_credential", path + " is empty");
    return passphrase;
}

}  // namespace

Result<SqliteStoreOptions> LoadStoreOptions(const ProgramFiles& env, PassphraseUse use) {
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json section, LoadConfigSection(env, "store"));
    JEJAK_RETURN_IF_ERROR(CheckConfigSection("store", section));
    SqliteStoreOptions o;
    o.state_dir = env.state_dir;
    o.retention_days = static_cast<int>(GetInt(section, "retention_days", kDefaultRetentionDays));
    o.flush_interval_s = GetInt(section, "flush_interval_s", kDefaultFlushIntervalSeconds);
    o.max_sightings_per_day = GetInt(section, "max_sightings_per_day", o.max_sightings_per_day);
    if (auto it = section.find("durable_commits"); it != section.end()) {
        if (!it->is_boolean()) return Bad("durable_commits", "must be true or false");
        o.durable_commits = it->get<bool>();
    }
    JEJAK_ASSIGN_OR_RETURN(o.master.key_file, GetString(section, "key_file"));
    JEJAK_ASSIGN_OR_RETURN(std::string env_var, GetString(section, "passphrase_env"));
    JEJAK_ASSIGN_OR_RETURN(std::string credential, GetString(section, "passphrase_credential"));
    const int64_t ops = GetInt(section, "argon2_opslimit", kMinArgon2Ops);
    const int64_t mem_kib = GetInt(section, "argon2_memlimit_kib", kMinArgon2MemKib);
    o.master.pwhash = {static_cast<uint64_t>(ops), static_cast<uint64_t>(mem_kib) * 1024};
    if (!env_var.empty() || !credential.empty()) {
        if (!o.master.key_file.empty()) {
            return Bad(env_var.empty() ? "passphrase_credential" : "passphrase_env",
                       "cannot be combined with key_file");
        }
        if (!env_var.empty() && !credential.empty()) {
            return Bad("passphrase_env", "cannot be combined with passphrase_credential");
        }
        o.master.kind = MasterKeyKind::kPassphrase;
        if (use == PassphraseUse::kSkip) return o;
        auto passphrase = credential.empty() ? PassphraseFromEnv(env_var)
                                             : PassphraseFromCredential(credential);
        if (!passphrase.ok()) return passphrase.status();
        if (passphrase->size() < kMinPassphraseLength) {
            return Bad(credential.empty() ? "passphrase_env" : "passphrase_credential",
                       "the passphrase must be at least " + std::to_string(kMinPassphraseLength) +
                           " characters (an offline attacker with the card tries guesses at "
                           "Argon2id speed; see THREAT_MODEL.md)");
        }
        o.master.passphrase = std::move(passphrase).value();
    }
    return o;
}

Result<std::unique_ptr<SqliteStore>> OpenConfiguredStore(SqliteStoreOptions options,
                                                         const Clock& clock, bool create) {
    options.create_if_missing = create;
    return SqliteStore::Open(clock, std::move(options));
}

Result<std::unique_ptr<SqliteStore>> OpenConfiguredStore(const ProgramFiles& source,
                                                         const Clock& clock, bool create) {
    JEJAK_ASSIGN_OR_RETURN(SqliteStoreOptions o, LoadStoreOptions(source));
    return OpenConfiguredStore(std::move(o), clock, create);
}

}  // namespace jejak
