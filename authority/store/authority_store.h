// AuthorityStore: everything the health-authority server keeps, behind one interface so a
// second backend (a shared SQL server for several instances) can satisfy the same contract
// and the same conformance tests. The embedded SQLite implementation is sqlite_authority_store.h.
//
// Contract shared by every method: thread-safe (the HTTP server calls from many threads);
// each call is atomic (a transaction: it happens completely or not at all); failures are
// Status values (IOError, Corruption, Unavailable when the database is busy past its
// timeout); secrets arrive already hashed, so no row holds a usable code or token.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "platform/base/status.h"

namespace jejak::authority {

// HMAC-SHA256 of a code, token or revision token under the authority's hashing secret.
using SecretHash = std::array<uint8_t, 32>;

// What a verification code (and later its token) stands for. Dates are "YYYY-MM-DD" or "".
struct CodeClaims {
    std::string test_type;  // "confirmed", "likely" or "negative"
    std::string symptom_date;
    std::string test_date;
};

// The outcome of redeeming a single-use secret. Exactly one caller ever sees kOk for a
// given secret, even when several race.
enum class Redeem { kOk, kUnknown, kUsed, kExpired };

struct Redeemed {
    Redeem outcome = Redeem::kUnknown;
    CodeClaims claims;  // set when outcome == kOk
};

// One published diagnosis key as stored.
struct StoredExposure {
    Tek key;
    uint32_t rolling_start = 0;
    uint32_t rolling_period = 144;
    int32_t transmission_risk = 0;
    int32_t report_type = 0;                  // export ReportType value
    std::optional<int32_t> days_since_onset;  // key day minus onset day
    int64_t created_at = 0;                   // unix seconds
    int64_t available_at = 0;                 // embargo: not exported before this
    SecretHash revision{};                    // hash of the revision token that covers it
    bool exported = false;                    // in a completed or pending export batch
    std::optional<int32_t> revised_report_type;  // set once, by a revision
};

// A revision of an already stored key (the key is matched by its bytes).
struct Revision {
    Tek key;
    int32_t report_type = 0;
    std::optional<int32_t> days_since_onset;
    int64_t available_at = 0;
};

// What one accepted publish writes.
struct PublishPlan {
    std::vector<StoredExposure> inserts;
    std::vector<Revision> revisions;
    SecretHash new_revision{};  // every key of the request is now covered by this token
};

// Decides, from the stored rows of the request's keys, what to write (or refuses with a
// Status that the store returns unchanged, writing nothing).
using PublishPlanner =
    std::function<Result<PublishPlan>(const std::vector<StoredExposure>& existing)>;

// A key as the export worker sees it: whether it goes to `keys` or `revised_keys`.
struct ExportEntry {
    StoredExposure exposure;  // report_type / days_since_onset are the values to publish
    bool revised = false;
};

struct ExportBatch {
    int64_t id = 0;
    std::string path;  // relative to the exports directory, e.g. "1700000000-1700086400-00001.zip"
    int64_t start_timestamp = 0;
    int64_t end_timestamp = 0;
    std::vector<ExportEntry> entries;
};

// Held while one export worker runs; releasing it (destruction) lets the next one in.
class ExportLease {
public:
    virtual ~ExportLease() = default;
};

class AuthorityStore {
public:
    virtual ~AuthorityStore() = default;

    // Stores a new code. FailedPrecondition if the hash already exists (a collision: the
    // caller draws another code).
    virtual Status InsertCode(const SecretHash& code, const CodeClaims& claims,
                              int64_t expires_at) = 0;
    // Marks the code used if it exists, is unused and expires_at > now.
    virtual Result<Redeemed> RedeemCode(const SecretHash& code, int64_t now) = 0;

    // The same pair for verification tokens (issued by /api/verify, spent by /api/certificate).
    virtual Status InsertToken(const SecretHash& token, const CodeClaims& claims,
                               int64_t expires_at) = 0;
    virtual Result<Redeemed> RedeemToken(const SecretHash& token, int64_t now) = 0;

    // In one transaction: reads the stored rows of `keys`, runs `plan` on them and applies
    // the plan (inserts, revisions, revision token). Returns the number of rows written.
    // A planner error is returned as is and nothing is written.
    virtual Result<size_t> Publish(std::span<const Tek> keys, const PublishPlanner& plan) = 0;

    // Exclusive right to run the export worker (Unavailable when another holds it).
    virtual Result<std::unique_ptr<ExportLease>> LockExports() = 0;
    // Batches claimed but not completed (an interrupted worker), with their entries.
    virtual Result<std::vector<ExportBatch>> PendingBatches() = 0;
    // Claims up to `max_keys` keys and revisions whose embargo has passed (available_at <=
    // now) into a new pending batch covering [start, now]; nullopt when there is nothing to
    // publish. `name` builds the batch's relative path from (start, end, id).
    virtual Result<std::optional<ExportBatch>> ClaimBatch(
        int64_t now, size_t max_keys,
        const std::function<std::string(int64_t, int64_t, int64_t)>& name) = 0;
    virtual Status CompleteBatch(int64_t id) = 0;
    // Relative paths of completed batches, oldest first (the content of index.txt).
    virtual Result<std::vector<std::string>> CompletedBatchPaths() = 0;

    // Counts for status output and tests.
    virtual Result<int64_t> CountExposures() = 0;
};

}  // namespace jejak::authority
