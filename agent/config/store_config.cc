// Parsing the "store" configuration section.
#include "agent/config/store_config.h"

#include <cstdlib>
#include <cstring>
#include <set>
#include <string>

#include "agent/config/config.h"
#include "crypto/secret.h"

namespace jejak {
namespace {

Status Bad(const std::string& key, const std::string& why) {
    return Status::InvalidArgument("config store." + key + ": " + why);
}

Result<int64_t> GetInt(const nlohmann::json& section, const std::string& key, int64_t lo,
                       int64_t hi, int64_t fallback) {
    auto it = section.find(key);
    if (it == section.end()) return fallback;
    if (!it->is_number_integer()) return Bad(key, "must be a whole number");
    const auto v = it->get<int64_t>();
    if (v < lo || v > hi) {
        return Bad(key, "must be " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    return v;
}

Result<std::string> GetString(const nlohmann::json& section, const std::string& key) {
    auto it = section.find(key);
    if (it == section.end()) return std::string();
    if (!it->is_string() || it->get<std::string>().empty()) {
        return Bad(key, "must be a non-empty string");
    }
    return it->get<std::string>();
}

Status CheckKeys(const nlohmann::json& section) {
    static const std::set<std::string> known = {"retention_days", "flush_interval_s",
                                                "durable_commits", "key_file",
                                                "passphrase_env", "argon2_opslimit",
                                                "argon2_memlimit_kib"};
    for (const auto& [key, value] : section.items()) {
        if (known.count(key) == 0) return Bad(key, "unknown key");
    }
    return Status::Ok();
}

}  // namespace

Result<SqliteStoreOptions> LoadStoreOptions(const ConfigSource& env) {
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json section, LoadConfigSection(env, "store"));
    JEJAK_RETURN_IF_ERROR(CheckKeys(section));
    SqliteStoreOptions o;
    o.state_dir = env.state_dir;
    JEJAK_ASSIGN_OR_RETURN(int64_t retention, GetInt(section, "retention_days", kMinRetentionDays,
                                                     kMaxRetentionDays, kDefaultRetentionDays));
    o.retention_days = static_cast<int>(retention);
    JEJAK_ASSIGN_OR_RETURN(o.flush_interval_s, GetInt(section, "flush_interval_s", 0, 86400,
                                                      kDefaultFlushIntervalSeconds));
    if (auto it = section.find("durable_commits"); it != section.end()) {
        if (!it->is_boolean()) return Bad("durable_commits", "must be true or false");
        o.durable_commits = it->get<bool>();
    }
    JEJAK_ASSIGN_OR_RETURN(o.master.key_file, GetString(section, "key_file"));
    JEJAK_ASSIGN_OR_RETURN(std::string env_var, GetString(section, "passphrase_env"));
    const PwhashParams interactive = PwhashParams::Interactive();
    JEJAK_ASSIGN_OR_RETURN(int64_t ops, GetInt(section, "argon2_opslimit", 1, 64,
                                               static_cast<int64_t>(interactive.opslimit)));
    JEJAK_ASSIGN_OR_RETURN(int64_t mem_kib,
                           GetInt(section, "argon2_memlimit_kib", 8, 4 * 1024 * 1024,
                                  static_cast<int64_t>(interactive.memlimit_bytes / 1024)));
    o.master.pwhash = {static_cast<uint64_t>(ops), static_cast<uint64_t>(mem_kib) * 1024};
    if (!env_var.empty()) {
        if (!o.master.key_file.empty()) {
            return Bad("passphrase_env", "cannot be combined with key_file");
        }
        const char* value = std::getenv(env_var.c_str());
        if (value == nullptr || *value == '\0') {
            return Bad("passphrase_env", "environment variable " + env_var + " is not set");
        }
        o.master.kind = MasterKeyKind::kPassphrase;
        o.master.passphrase = std::string_view(value);
        // The environment block keeps its own copy: wipe it, then drop the variable.
        SecureZero(const_cast<char*>(value), std::strlen(value));
        unsetenv(env_var.c_str());
    }
    return o;
}

Result<std::unique_ptr<SqliteStore>> OpenConfiguredStore(SqliteStoreOptions options,
                                                         const Clock& clock, bool create) {
    options.create_if_missing = create;
    return SqliteStore::Open(clock, std::move(options));
}

Result<std::unique_ptr<SqliteStore>> OpenConfiguredStore(const ConfigSource& source,
                                                         const Clock& clock, bool create) {
    JEJAK_ASSIGN_OR_RETURN(SqliteStoreOptions o, LoadStoreOptions(source));
    return OpenConfiguredStore(std::move(o), clock, create);
}

}  // namespace jejak
