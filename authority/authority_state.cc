// Creating and loading the authority's state directory.
#include "authority/authority_state.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "platform/base/base64.h"
#include "authority/files.h"
#include "authority/store/open_authority_store.h"
#include "crypto/hkdf.h"

namespace jejak::authority {
namespace {

constexpr char kSettingsFile[] = "/authority.json";
constexpr char kExportKeyFile[] = "/export_signing_key.pem";
constexpr char kExportPublicFile[] = "/export_public_key.pem";
constexpr char kCertificateKeyFile[] = "/certificate_signing_key.pem";
constexpr char kCertificatePublicFile[] = "/certificate_public_key.pem";
constexpr char kHashKeyFile[] = "/secret_hash.key";

nlohmann::json SettingsToJson(const AuthoritySettings& s, const SecretHash& api_key_hash) {
    return {{"health_authority_id", s.health_authority_id},
            {"region", s.region},
            {"export_key_id", s.export_key_id},
            {"export_key_version", s.export_key_version},
            {"certificate_key_id", s.certificate_key_id},
            {"issuer", s.issuer},
            {"audience", s.audience},
            {"code_ttl_seconds", s.code_ttl_s},
            {"long_code_ttl_seconds", s.long_code_ttl_s},
            {"rate_limits", RateLimitsToJson(s.rate_limits)},
            {"token_ttl_seconds", s.token_ttl_s},
            {"certificate_ttl_seconds", s.certificate_ttl_s},
            {"max_keys_per_publish", s.limits.max_keys},
            {"export_max_keys", s.export_max_keys},
            {"export_min_keys", s.export_min_keys},
            {"export_padding_range", s.export_padding_range},
            {"database", s.database},
            {"api_key_hmac", Base64Encode(api_key_hash)}};
}

// Reads `name` from `j` into `out` when present; InvalidArgument when of the wrong type.
template <typename T>
Status Field(const nlohmann::json& j, const char* name, T& out) {
    const auto it = j.find(name);
    if (it == j.end()) return Status::Ok();
    try {
        out = it->get<T>();
    } catch (const nlohmann::json::exception&) {
        return Status::InvalidArgument(std::string("authority.json: ") + name + " has the wrong type");
    }
    return Status::Ok();
}

Result<AuthoritySettings> SettingsFromJson(const nlohmann::json& j, SecretHash& api_key_hash) {
    if (!j.is_object()) return Status::Corruption("authority.json: not a JSON object");
    AuthoritySettings s;
    std::string hash_text;
    for (Status st : {Field(j, "health_authority_id", s.health_authority_id),
                      Field(j, "region", s.region), Field(j, "export_key_id", s.export_key_id),
                      Field(j, "export_key_version", s.export_key_version),
                      Field(j, "certificate_key_id", s.certificate_key_id),
                      Field(j, "issuer", s.issuer), Field(j, "audience", s.audience),
                      Field(j, "code_ttl_seconds", s.code_ttl_s),
                      Field(j, "long_code_ttl_seconds", s.long_code_ttl_s),
                      Field(j, "token_ttl_seconds", s.token_ttl_s),
                      Field(j, "certificate_ttl_seconds", s.certificate_ttl_s),
                      Field(j, "max_keys_per_publish", s.limits.max_keys),
                      Field(j, "export_max_keys", s.export_max_keys),
                      Field(j, "export_min_keys", s.export_min_keys),
                      Field(j, "export_padding_range", s.export_padding_range),
                      Field(j, "database", s.database),
                      Field(j, "api_key_hmac", hash_text)}) {
        JEJAK_RETURN_IF_ERROR(st);
    }
    if (s.health_authority_id.empty() || s.issuer.empty() || s.audience.empty()) {
        return Status::Corruption("authority.json: identifiers are missing");
    }
    if (s.code_ttl_s <= 0 || s.long_code_ttl_s <= 0 || s.token_ttl_s <= 0 ||
        s.certificate_ttl_s <= 0 ||
        s.limits.max_keys == 0 || s.export_max_keys == 0 || s.database.empty()) {
        return Status::InvalidArgument("authority.json: lifetimes and limits must be positive");
    }
    const auto limits = j.find("rate_limits");
    JEJAK_ASSIGN_OR_RETURN(s.rate_limits,
                           ParseRateLimits(limits == j.end() ? nlohmann::json() : *limits));
    JEJAK_RETURN_IF_ERROR(Base64DecodeExact(hash_text, Base64Alphabet::kStandard, api_key_hash,
                                            "authority.json: api_key_hmac"));
    return s;
}

SecretHash Hmac(const GuardedKey& key, std::string_view secret) {
    SecretHash out{};
    HmacSha256(key.bytes(), {reinterpret_cast<const uint8_t*>(secret.data()), secret.size()}, out);
    return out;
}

Status WriteKey(const std::string& dir, const char* private_file, const char* public_file,
                const EcdsaP256PrivateKey& key, std::string& public_pem) {
    JEJAK_ASSIGN_OR_RETURN(std::string pem, key.PrivateKeyPem());
    Status s = WriteFileDurably(dir + private_file, pem, 0600);
    SecureZero(pem.data(), pem.size());
    JEJAK_RETURN_IF_ERROR(s);
    JEJAK_ASSIGN_OR_RETURN(public_pem, key.PublicKeyPem());
    return WriteFileDurably(dir + public_file, public_pem, 0600);
}

// Refuses private key files that others can read, then loads the key.
Result<EcdsaP256PrivateKey> LoadPrivateKey(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, path);
    if ((st.st_mode & 077) != 0) {
        return Status::PermissionDenied(path + " is readable by others (chmod 600 it)");
    }
    JEJAK_ASSIGN_OR_RETURN(std::string pem, ReadSmallFile(path, 64 * 1024));
    Result<EcdsaP256PrivateKey> key = EcdsaP256PrivateKey::FromPem(pem);
    SecureZero(pem.data(), pem.size());
    if (!key.ok()) return key.status().WithContext(path);
    return key;
}

// `database` as the store opens it: relative file paths are inside the state directory.
std::string ResolveDatabase(const std::string& dir, const std::string& database) {
    if (BackendOf(database) == DatabaseBackend::kPostgres || database.front() == '/') return database;
    return dir + "/" + database;
}

}  // namespace

AuthorityState::AuthorityState(std::string dir, AuthoritySettings settings,
                               std::optional<EcdsaP256PrivateKey> export_key, EcdsaP256PrivateKey certificate_key,
                               EcdsaP256PublicKey certificate_public, GuardedKey hash_key,
                               SecretHash api_key_hash, std::string export_public_pem)
    : dir_(std::move(dir)),
      settings_(std::move(settings)),
      export_key_(std::move(export_key)),
      certificate_key_(std::move(certificate_key)),
      certificate_public_(std::move(certificate_public)),
      hash_key_(std::move(hash_key)),
      api_key_hash_(api_key_hash),
      export_public_pem_(std::move(export_public_pem)) {}

Result<InitReport> AuthorityState::Init(const std::string& dir, const std::string& region,
                                        RandomSource& random, const std::string& database) {
    if (region.empty() || region.size() > 16 ||
        !std::all_of(region.begin(), region.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); })) {
        return Status::InvalidArgument("--region: expected 1-16 letters or digits, e.g. MY");
    }
    // Before anything is written: a password would sit in authority.json in clear.
    if (!database.empty()) JEJAK_RETURN_IF_ERROR(CheckDatabaseSetting(database));
    // Every file 0600 in a 0700 directory: an existing directory open to others is refused.
    JEJAK_RETURN_IF_ERROR(EnsureDirectory(dir));
    JEJAK_RETURN_IF_ERROR(CheckPrivate(dir));
    struct stat st {};
    if (::stat((dir + kSettingsFile).c_str(), &st) == 0) {
        return Status::FailedPrecondition(dir + " already holds an authority (authority.json)");
    }
    JEJAK_RETURN_IF_ERROR(EnsureDirectory(dir + "/exports"));
    InitReport report;
    AuthoritySettings& s = report.settings;
    s.region = region;
    std::string lower = region;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    s.health_authority_id = "jejak." + lower;
    s.export_key_id = region;
    s.issuer = s.health_authority_id + ".verification";
    s.audience = s.health_authority_id + ".keyserver";
    if (!database.empty()) s.database = database;

    JEJAK_ASSIGN_OR_RETURN(EcdsaP256PrivateKey export_key, EcdsaP256PrivateKey::Generate());
    JEJAK_ASSIGN_OR_RETURN(EcdsaP256PrivateKey cert_key, EcdsaP256PrivateKey::Generate());
    JEJAK_RETURN_IF_ERROR(WriteKey(dir, kExportKeyFile, kExportPublicFile, export_key,
                                   report.export_public_key_pem));
    JEJAK_RETURN_IF_ERROR(WriteKey(dir, kCertificateKeyFile, kCertificatePublicFile, cert_key,
                                   report.certificate_public_key_pem));
    JEJAK_ASSIGN_OR_RETURN(GuardedKey hash_key, GuardedKey::Make([&](std::span<uint8_t, 32> out) {
        random.Fill(out);
        return Status::Ok();
    }));
    JEJAK_RETURN_IF_ERROR(WriteFileDurably(
        dir + kHashKeyFile,
        {reinterpret_cast<const char*>(hash_key.data()), GuardedKey::kSize}, 0600));
    uint8_t api_bytes[32];
    random.Fill(api_bytes);
    report.api_key = Base64Encode(api_bytes, Base64Alphabet::kUrl);
    SecureZero(api_bytes, sizeof api_bytes);
    const SecretHash api_hash = Hmac(hash_key, report.api_key);
    JEJAK_ASSIGN_OR_RETURN(auto store, OpenAuthorityStore(ResolveDatabase(dir, s.database), true, 1));
    // authority.json last: its presence is what marks the directory as initialised.
    JEJAK_RETURN_IF_ERROR(
        WriteFileDurably(dir + kSettingsFile, SettingsToJson(s, api_hash).dump(2) + "\n", 0600));
    return report;
}

Result<std::unique_ptr<AuthorityState>> AuthorityState::Open(const std::string& dir,
                                                             ExportKey export_key_use,
                                                             const std::string& database) {
    const Status private_dir = CheckPrivate(dir);
    Result<std::string> text =
        private_dir.ok() ? ReadSmallFile(dir + kSettingsFile) : Result<std::string>(private_dir);
    if (!text.ok()) {
        if (text.status().IsNotFound()) {
            return Status::NotFound(dir + " holds no authority: run `jejak --state-dir " + dir +
                                    " authority init` first");
        }
        return text.status();
    }
    const nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    SecretHash api_hash{};
    JEJAK_ASSIGN_OR_RETURN(AuthoritySettings settings, SettingsFromJson(j, api_hash));
    if (!database.empty()) settings.database = database;
    JEJAK_RETURN_IF_ERROR(CheckDatabaseSetting(settings.database));
    if (BackendOf(settings.database) == DatabaseBackend::kSqlite) {
        const Status db = CheckPrivate(ResolveDatabase(dir, settings.database));
        if (!db.ok() && !db.IsNotFound()) return db;  // a missing file: OpenStore says so
    }
    std::optional<EcdsaP256PrivateKey> export_key;
    std::string export_pem;
    if (export_key_use == ExportKey::kLoad) {
        JEJAK_ASSIGN_OR_RETURN(export_key, LoadPrivateKey(dir + kExportKeyFile));
        JEJAK_ASSIGN_OR_RETURN(export_pem, export_key->PublicKeyPem());
    }
    JEJAK_ASSIGN_OR_RETURN(EcdsaP256PrivateKey cert_key, LoadPrivateKey(dir + kCertificateKeyFile));
    JEJAK_ASSIGN_OR_RETURN(std::string cert_pem, cert_key.PublicKeyPem());
    JEJAK_ASSIGN_OR_RETURN(EcdsaP256PublicKey cert_public, EcdsaP256PublicKey::FromPem(cert_pem));
    const std::string hash_path = dir + kHashKeyFile;
    struct stat st {};
    if (::stat(hash_path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
        return Status::PermissionDenied(hash_path + " is readable by others (chmod 600 it)");
    }
    JEJAK_ASSIGN_OR_RETURN(std::string hash_bytes, ReadSmallFile(hash_path, 64));
    if (hash_bytes.size() != GuardedKey::kSize) {
        SecureZero(hash_bytes.data(), hash_bytes.size());
        return Status::Corruption(hash_path + ": expected 32 bytes");
    }
    Result<GuardedKey> hash_key = GuardedKey::Copy(std::span<const uint8_t, 32>(
        reinterpret_cast<const uint8_t*>(hash_bytes.data()), 32));
    SecureZero(hash_bytes.data(), hash_bytes.size());
    if (!hash_key.ok()) return hash_key.status();
    return std::unique_ptr<AuthorityState>(new AuthorityState(
        dir, std::move(settings), std::move(export_key), std::move(cert_key),
        std::move(cert_public), std::move(*hash_key), api_hash, std::move(export_pem)));
}

SecretHash AuthorityState::HashSecret(std::string_view secret) const {
    return Hmac(hash_key_, secret);
}

bool AuthorityState::ApiKeyMatches(std::string_view presented) const {
    const SecretHash h = HashSecret(presented);
    return ConstantTimeEqual(h.data(), api_key_hash_.data(), h.size());
}

std::string AuthorityState::database() const { return ResolveDatabase(dir_, settings_.database); }

Result<std::unique_ptr<AuthorityStore>> AuthorityState::OpenStore(size_t connections) const {
    Result<std::unique_ptr<AuthorityStore>> store = OpenAuthorityStore(database(), false, connections);
    if (!store.ok()) return store.status().WithContext("database " + DescribeDatabase(database()));
    return store;
}

}  // namespace jejak::authority
