// ConsoleStore: what the staff console keeps beside the authority's codes and keys (staff
// accounts, sessions, the codes each one issued, the audit trail and per-day figures), in
// the same database, so several `serve` instances on one PostgreSQL share sessions. Its
// tables are created by the AuthorityStore's migrations (open that store first);
// OpenConsoleStore in open_authority_store.h picks the implementation.
//
// Contract of every method: thread-safe; each call is atomic; failures are Status values
// (IOError, Corruption, Unavailable when busy). Secrets arrive hashed: a session row holds
// the HMAC of its cookie, a password row an Argon2id string, an issued-code row the hash of
// the code (the code itself is shown once and never stored or logged).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "authority/store/authority_store.h"
#include "platform/base/status.h"

namespace jejak::authority {

// "issuer": issues and revokes its own codes. "admin": also every code, users, figures.
inline constexpr const char* kRoleIssuer = "issuer";
inline constexpr const char* kRoleAdmin = "admin";

struct StaffUser {
    int64_t id = 0;
    std::string name;
    std::string role;
    std::string password_hash;  // HashPassword (crypto/hkdf.h)
    bool disabled = false;
    int64_t created_at = 0;
};

// A live session's user, as TouchSession found it.
struct SessionUser {
    int64_t user_id = 0;
    std::string name;
    std::string role;
    int64_t created_at = 0;
};

// A code issued in the console, without the code. Status is derived: revoked, claimed (the
// code row is used), expired (expires_at <= now) or issued.
struct IssuedCodeRecord {
    int64_t id = 0;
    std::string issuer;
    std::string test_type;
    std::string test_date;
    std::string symptom_date;
    int64_t issued_at = 0;
    int64_t expires_at = 0;
    std::optional<int64_t> claimed_at;
    std::optional<int64_t> revoked_at;
};

struct AuditEntry {
    int64_t at = 0;
    std::string actor;   // a staff name, or "cli" for the command line
    std::string action;  // login, login_failed, logout, issue, revoke, user_add, user_disable...
    std::string detail;  // never a code, password or cookie
};

// One UTC day's figures for the admin page.
struct DayFigures {
    int64_t day_start = 0;  // unix seconds at 00:00 UTC
    int64_t issued = 0;
    int64_t claimed = 0;
    int64_t keys_published = 0;
    int64_t exports = 0;
    int64_t refused_guesses = 0;
};

// Names for AddDailyCount.
inline constexpr const char* kDailyIssued = "issued";
inline constexpr const char* kDailyClaimed = "claimed";
inline constexpr const char* kDailyKeys = "keys_published";
inline constexpr const char* kDailyRefused = "refused_guesses";

class ConsoleStore {
public:
    virtual ~ConsoleStore() = default;

    // FailedPrecondition when the name is taken.
    virtual Status AddUser(const std::string& name, const std::string& role,
                           const std::string& password_hash, int64_t now) = 0;
    virtual Result<std::optional<StaffUser>> FindUser(const std::string& name) = 0;
    virtual Result<std::vector<StaffUser>> ListUsers() = 0;
    // NotFound for an unknown name. Disabling also ends the user's sessions.
    virtual Status SetUserDisabled(const std::string& name, bool disabled) = 0;

    virtual Status CreateSession(const SecretHash& session, int64_t user_id, int64_t now) = 0;
    // The session's user when the session exists, its user is enabled, now - last use <
    // idle_s and now - creation < absolute_s; it is then marked used at `now`. An expired
    // session is deleted and nullopt returned.
    virtual Result<std::optional<SessionUser>> TouchSession(const SecretHash& session, int64_t now,
                                                            int64_t idle_s, int64_t absolute_s) = 0;
    virtual Status DeleteSession(const SecretHash& session) = 0;

    // Links a code (by its hash in the codes table) to its issuer; returns the record's id.
    virtual Result<int64_t> RecordIssuedCode(const SecretHash& code, const std::string& issuer,
                                             const CodeClaims& claims, int64_t issued_at,
                                             int64_t expires_at) = 0;
    // Newest first; `issuer` empty: everyone's.
    virtual Result<std::vector<IssuedCodeRecord>> RecentCodes(const std::string& issuer,
                                                              size_t limit) = 0;
    // Makes an unclaimed code unusable at once. `issuer` empty: any issuer's (admins).
    // NotFound for no such record (or another issuer's); FailedPrecondition when already
    // claimed or revoked.
    virtual Status RevokeCode(int64_t id, const std::string& issuer, int64_t now) = 0;

    virtual Status Audit(const AuditEntry& entry) = 0;
    // Newest first.
    virtual Result<std::vector<AuditEntry>> RecentAudit(size_t limit) = 0;

    virtual Status AddDailyCount(int64_t day_start, const std::string& name, int64_t delta) = 0;
    // `days` entries, oldest first, ending with the day of `today_start`.
    virtual Result<std::vector<DayFigures>> Figures(int64_t today_start, int days) = 0;
};

// The two implementations (OpenConsoleStore in open_authority_store.h chooses). Both need
// the AuthorityStore's migrations to have run: FailedPrecondition otherwise.
Result<std::unique_ptr<ConsoleStore>> OpenSqliteConsoleStore(const std::string& path);
Result<std::unique_ptr<ConsoleStore>> OpenPostgresConsoleStore(const std::string& uri,
                                                               size_t pool_size);

}  // namespace jejak::authority
