// The key server's rules for what a publish may contain and when its keys may be exported
// (docs/PROTOCOL.md sections 3.3 and 4). Pure functions of the request, the certificate's
// claims and the time, so every rule is unit-tested without a server.
//
// Jejak is stricter than the reference server in one respect: a key that breaks a rule
// (too old, in the future, bad rolling period or risk, duplicate) rejects the whole request
// with a message naming the key's position, instead of being dropped silently; a device
// that sends a bad key learns about it and nothing half-done is stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "authority/store/authority_store.h"
#include "gaen/api/ekeyhmac.h"
#include "platform/base/status.h"

namespace jejak::authority {

inline constexpr int64_t kSecondsPerDay = 86400;
inline constexpr int64_t kIntervalSeconds = 600;
inline constexpr uint32_t kIntervalsPerDay = 144;

struct PublishLimits {
    size_t max_keys = 30;                      // MAX_KEYS_ON_PUBLISH
    size_t max_same_start = 3;                 // MAX_SAME_START_INTERVAL_KEYS
    int64_t max_key_age_s = 15 * kSecondsPerDay;  // MAX_INTERVAL_AGE_ON_PUBLISH (360 h)
    int32_t max_onset_days = 14;               // |days since onset| kept, else dropped
    int32_t max_onset_report_days = 28;        // request onset older than this is ignored
    int32_t default_onset_days_ago = 4;        // when neither request nor certificate says
    int64_t embargo_s = 2 * 3600;              // after the key's end / the UTC day's end
};

// The certificate's reportType ("confirmed", "likely", "negative", "user-report").
enum class VerificationType { kConfirmed, kLikely, kNegative, kUserReport };

std::optional<VerificationType> ParseVerificationType(std::string_view name);
std::string_view VerificationTypeName(VerificationType type);
// Export ReportType value: CONFIRMED_TEST 1, CONFIRMED_CLINICAL_DIAGNOSIS 2, SELF_REPORT 3,
// REVOKED 5.
int32_t ExportReportType(VerificationType type);
// Filled in for keys uploaded with transmissionRisk 0: confirmed 2, likely 4, user-report 5,
// negative 6.
int32_t DefaultTransmissionRisk(VerificationType type);
// CONFIRMED_CLINICAL_DIAGNOSIS -> CONFIRMED_TEST or REVOKED; SELF_REPORT -> CONFIRMED_TEST,
// CONFIRMED_CLINICAL_DIAGNOSIS or REVOKED.
bool ValidReportTypeTransition(int32_t from, int32_t to);

// "YYYY-MM-DD" (proleptic Gregorian, UTC) <-> days since 1970-01-01. InvalidArgument
// naming `what` for anything else.
Result<int64_t> ParseIsoDate(std::string_view text, std::string_view what);
std::string FormatIsoDate(int64_t days_since_epoch);

// UTC midnight at or before `unix_s`.
int64_t UtcDayStart(int64_t unix_s);

// The earliest time the key may appear in an export: 2 h after the key's validity ends,
// and, while the key is still valid at upload time, not before 2 h after the end of the
// current UTC day.
int64_t EmbargoUntil(uint32_t rolling_start, uint32_t rolling_period, int64_t now_s,
                     const PublishLimits& limits);

// Key day minus onset day, both truncated to UTC days; nullopt when |days| exceeds the limit.
// The onset is the request's symptomOnsetInterval when it is in the past and within
// max_onset_report_days, else the certificate's, else now minus default_onset_days_ago.
std::optional<int32_t> DaysSinceOnset(uint32_t rolling_start,
                                      std::optional<int64_t> request_onset_interval,
                                      std::optional<int64_t> certificate_onset_interval,
                                      int64_t now_s, const PublishLimits& limits);

// Every per-request and per-key rule. InvalidArgument with a message such as
// "key 3: rollingStartNumber is in the future" on the first violation.
Status ValidateUploadedKeys(std::span<const ExposureKey> keys, int64_t now_s,
                            const PublishLimits& limits);

// Turns validated keys into rows (report type from the certificate, risk filled in, onset
// days, embargo), or, for keys already stored, into revisions; refuses (InvalidArgument
// with `code` semantics in the message prefix, see PublishRefusal) what the stored state
// does not allow.
struct PublishContext {
    VerificationType type = VerificationType::kConfirmed;
    std::optional<int64_t> request_onset_interval;
    std::optional<int64_t> certificate_onset_interval;
    std::optional<SecretHash> presented_revision;  // hash of the request's revisionToken
    SecretHash new_revision{};
    int64_t now_s = 0;
};

// Why a publish was refused, as the API's error code.
enum class PublishRefusal {
    kMissingRevisionToken,  // "missing_revision_token"
    kInvalidRevisionToken,  // "invalid_revision_token"
    kKeyAlreadyRevised,     // "key_already_revised"
    kInvalidTransition,     // "invalid_report_type_transition"
};
std::string_view PublishRefusalCode(PublishRefusal refusal);

// The Status returned for a refusal: FailedPrecondition, message "<code>: <reason>".
Status Refuse(PublishRefusal refusal, std::string_view reason);

Result<PublishPlan> PlanPublish(std::span<const ExposureKey> keys,
                                const std::vector<StoredExposure>& existing,
                                const PublishContext& context, const PublishLimits& limits);

}  // namespace jejak::authority
