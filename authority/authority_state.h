// The health authority's state directory (`jejak-authority --state-dir D ...`, default
// /var/lib/jejak-authority), mode 0700 and owned by the authority's user, every file 0600:
//   D/authority.json               settings and public identifiers (no secrets)
//   D/export_signing_key.pem       P-256 private key that signs export.zip; read only by
//                                  `export` (a host that only serves needs no copy)
//   D/certificate_signing_key.pem  P-256 private key that signs certificates
//   D/secret_hash.key              32 random bytes: codes, tokens and the API key are
//                                  stored only as HMAC-SHA256 under this key
//   D/authority.db                 the SQLite store (codes, tokens, keys, batches), unless
//                                  authority.json's "database" names another file or a
//                                  postgresql:// URI (authority/store/open_authority_store.h)
//   D/exports/                     index.txt and the export batches, served as static files
// The device API key is printed once by `init` and kept only as its hash.
#pragma once

#include <cassert>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "authority/publish_rules.h"
#include "authority/rate_limit.h"
#include "authority/store/authority_store.h"
#include "crypto/ecdsa/ecdsa_p256.h"
#include "crypto/ecdsa/ecdsa_sign.h"
#include "crypto/guarded.h"
#include "crypto/random.h"
#include "platform/base/status.h"

namespace jejak::authority {

struct AuthoritySettings {
    std::string health_authority_id;
    std::string region = "ZZ";
    std::string export_key_id;            // SignatureInfo.verification_key_id
    std::string export_key_version = "v1";
    std::string certificate_key_id = "v1";  // JWT "kid"
    std::string issuer;                   // certificate "iss"
    std::string audience;                 // certificate "aud"
    int64_t code_ttl_s = 3600;            // short verification codes (CodeKind in service.h)
    int64_t long_code_ttl_s = 86400;      // long codes (SMS links)
    int64_t token_ttl_s = 3600;           // tokens from /api/verify
    int64_t certificate_ttl_s = 900;      // certificates from /api/certificate
    PublishLimits limits;
    RateLimitSettings rate_limits;        // authority.json "rate_limits" (rate_limit.h)
    size_t export_max_keys = 500000;      // per batch (EXPORT_FILE_MAX_RECORDS)
    size_t export_min_keys = 1000;        // padding target (EXPORT_FILE_MIN_RECORDS)
    size_t export_padding_range = 100;    // + random(0..range) padding keys
    // The store: a file path (SQLite; relative to the state directory) or a postgresql://
    // URI. A URI kept in authority.json carries no password (libpq's password file or
    // PGPASSWORD supplies it).
    std::string database = "authority.db";
};

// What `init` reports; api_key is shown only this once.
struct InitReport {
    std::string api_key;
    AuthoritySettings settings;
    std::string export_public_key_pem;
    std::string certificate_public_key_pem;
};

// Whether Open reads the export signing key. Only `export` does: the network-facing `serve`
// (and `issue-code`) never hold it, so a host that only serves needs no copy of it
// (docs/authority-deployment.md).
enum class ExportKey { kSkip, kLoad };

class AuthorityState {
public:
    // Creates a new authority in `dir` (created 0700 if missing), every file 0600.
    // FailedPrecondition when `dir` already holds one; PermissionDenied (CheckPrivate,
    // files.h) when an existing `dir` is open to others or owned by another user. `region` is
    // the export region (e.g. "MY"). `database` ("" = authority.db) is created or migrated
    // and recorded in authority.json; InvalidArgument for a PostgreSQL setting with a
    // password (CheckDatabaseSetting), before anything is written.
    static Result<InitReport> Init(const std::string& dir, const std::string& region,
                                   RandomSource& random, const std::string& database = "");
    // Loads an existing authority. NotFound with a hint to run `init` when there is none;
    // PermissionDenied when the directory, the SQLite database or a private key file is open
    // to others or owned by another user (naming the path and the fix); InvalidArgument for
    // a PostgreSQL setting with a password. A non-empty `database` overrides authority.json's
    // (e.g. `--database` on the command line). With ExportKey::kSkip the export key file is
    // not opened (it may be absent) and export_key() must not be called.
    static Result<std::unique_ptr<AuthorityState>> Open(const std::string& dir, ExportKey export_key,
                                                        const std::string& database = "");

    const AuthoritySettings& settings() const { return settings_; }
    bool has_export_key() const { return export_key_.has_value(); }
    // Only on a state opened with ExportKey::kLoad.
    const EcdsaP256PrivateKey& export_key() const {
        assert(export_key_.has_value());
        return *export_key_;
    }
    const EcdsaP256PrivateKey& certificate_key() const { return certificate_key_; }
    const EcdsaP256PublicKey& certificate_public_key() const { return certificate_public_; }
    // The export key's public half; empty unless opened with ExportKey::kLoad.
    const std::string& export_public_key_pem() const { return export_public_pem_; }

    // HMAC-SHA256 of a code, token or API key under the hashing secret.
    SecretHash HashSecret(std::string_view secret) const;
    // Constant-time check of a presented X-API-Key.
    bool ApiKeyMatches(std::string_view presented) const;

    // The `database` setting with a relative file path resolved against the state directory.
    std::string database() const;
    std::string exports_dir() const { return dir_ + "/exports"; }
    const std::string& dir() const { return dir_; }

    // The state's store (SQLite file or PostgreSQL), opened on first use by the caller;
    // `connections` bounds a PostgreSQL pool (one per server worker thread).
    Result<std::unique_ptr<AuthorityStore>> OpenStore(size_t connections = 8) const;

private:
    AuthorityState(std::string dir, AuthoritySettings settings,
                   std::optional<EcdsaP256PrivateKey> export_key,
                   EcdsaP256PrivateKey certificate_key, EcdsaP256PublicKey certificate_public,
                   GuardedKey hash_key, SecretHash api_key_hash, std::string export_public_pem);

    std::string dir_;
    AuthoritySettings settings_;
    std::optional<EcdsaP256PrivateKey> export_key_;
    EcdsaP256PrivateKey certificate_key_;
    EcdsaP256PublicKey certificate_public_;
    GuardedKey hash_key_;
    SecretHash api_key_hash_;
    std::string export_public_pem_;
};

}  // namespace jejak::authority
