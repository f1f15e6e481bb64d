// The verification (/api/verify, /api/certificate) and publish (/v1/publish) handlers.
#include "authority/service.h"

#include <algorithm>

#include "platform/base/base64.h"
#include "authority/jwt.h"
#include "authority/requests.h"

namespace jejak::authority {
namespace {

using Json = nlohmann::json;

constexpr int kBadRequest = 400;
constexpr int kUnauthorized = 401;
constexpr int kPreconditionFailed = 412;
constexpr int kTooManyRequests = 429;
constexpr int kInternal = 500;
constexpr int kUnavailable = 503;

// A database that is down, restarting, full or failing: nothing of the request was stored
// (each store call is one transaction), so the client may send it again. 503, never 500.
int DatabaseFailureStatus(const Status& s) {
    return s.IsUnavailable() || s.IsIOError() || s.IsTimeout() || s.IsPermissionDenied()
               ? kUnavailable
               : kInternal;
}
constexpr char kRetryLater[] = ": nothing was stored, try again in a few minutes";
constexpr char kApiKeyId[] = "device-api-key";  // names the one fleet-wide key's bucket

// The reason phrases an HTTP/1.1 front writes in the status line (RFC 9110 section 15), for
// every status this server sends; the longest is kLongestReason.
constexpr size_t kLongestReason = 31;
size_t ReasonLength(int status) {
    switch (status) {
        case 200: return 2;    // OK
        case 304: return 12;   // Not Modified
        case 400: return 11;   // Bad Request
        case 401: return 12;   // Unauthorized
        case 403: return 9;    // Forbidden
        case 404: return 9;    // Not Found
        case 405: return 18;   // Method Not Allowed
        case 408: return 15;   // Request Timeout
        case 411: return 15;   // Length Required
        case 412: return 19;   // Precondition Failed
        case 413: return 17;   // Payload Too Large
        case 414: return 12;   // URI Too Long
        case 415: return 22;   // Unsupported Media Type
        case 416: return 21;   // Range Not Satisfiable
        case 429: return 17;   // Too Many Requests
        case 431: return 31;   // Request Header Fields Too Large
        case 500: return 21;   // Internal Server Error
        case 503: return 19;   // Service Unavailable
        default: return kLongestReason;
    }
}

Json RateLimited() {
    return {{"error", "too many requests from this client: try again in a few minutes"},
            {"errorCode", "rate_limited"}};
}
constexpr int64_t kClockSkewS = 60;

Json VerificationError(std::string_view code, std::string_view message) {
    return {{"error", message}, {"errorCode", code}};
}
Json PublishError(std::string_view code, std::string_view message) {
    return {{"error", message}, {"code", code}};
}

// The certificate claims this server relies on, after signature and claim checks.
struct CertificateClaims {
    VerificationType type = VerificationType::kConfirmed;
    std::vector<uint8_t> tekmac;
    std::optional<int64_t> symptom_onset_interval;
};

bool AudienceMatches(const Json& aud, const std::string& expected) {
    if (aud.is_string()) return aud.get_ref<const std::string&>() == expected;
    if (!aud.is_array()) return false;
    return std::any_of(aud.begin(), aud.end(), [&](const Json& a) {
        return a.is_string() && a.get_ref<const std::string&>() == expected;
    });
}

std::optional<int64_t> IntegerClaim(const Json& claims, const char* name) {
    const auto it = claims.find(name);
    if (it == claims.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
}

Result<CertificateClaims> CheckCertificate(std::string_view jwt, const AuthorityState& state,
                                           int64_t now) {
    JEJAK_ASSIGN_OR_RETURN(Json claims, VerifyJwtEs256(jwt, state.certificate_public_key()));
    const AuthoritySettings& s = state.settings();
    const auto iss = claims.find("iss");
    if (iss == claims.end() || !iss->is_string() || *iss != s.issuer) {
        return Status::PermissionDenied("certificate: unknown issuer");
    }
    const auto aud = claims.find("aud");
    if (aud == claims.end() || !AudienceMatches(*aud, s.audience)) {
        return Status::PermissionDenied("certificate: wrong audience");
    }
    const auto exp = IntegerClaim(claims, "exp");
    const auto iat = IntegerClaim(claims, "iat");
    if (!exp || !iat) return Status::PermissionDenied("certificate: exp or iat missing");
    if (*exp <= now) return Status::PermissionDenied("certificate: expired");
    if (*iat > now + kClockSkewS) return Status::PermissionDenied("certificate: issued in the future");
    if (const auto nbf = IntegerClaim(claims, "nbf"); nbf && *nbf > now + kClockSkewS) {
        return Status::PermissionDenied("certificate: not yet valid");
    }
    CertificateClaims out;
    const auto type = claims.find("reportType");
    const auto parsed = type != claims.end() && type->is_string()
                            ? ParseVerificationType(type->get_ref<const std::string&>())
                            : std::nullopt;
    if (!parsed) return Status::PermissionDenied("certificate: unknown reportType");
    out.type = *parsed;
    const auto mac = claims.find("tekmac");
    if (mac == claims.end() || !mac->is_string()) {
        return Status::PermissionDenied("certificate: tekmac missing");
    }
    JEJAK_ASSIGN_OR_RETURN(out.tekmac, Base64Decode(mac->get_ref<const std::string&>(),
                                                    Base64Alphabet::kStandard, "certificate tekmac"));
    out.symptom_onset_interval = IntegerClaim(claims, "symptomOnsetInterval");
    return out;
}

// `digits` decimal digits (at most 19), uniform.
std::string RandomDigits(RandomSource& random, size_t digits) {
    uint64_t bound = 1;
    for (size_t i = 0; i < digits; ++i) bound *= 10;
    std::string s = std::to_string(UniformBelow(random, bound));
    return std::string(digits - s.size(), '0') + s;
}

}  // namespace

size_t CodeDigits(CodeKind kind) { return kind == CodeKind::kShort ? 10 : 16; }

size_t ReplyBodyBytes(int status, size_t unpadded) {
    const size_t target = kReplyBytes + kLongestReason - ReasonLength(status);
    if (unpadded <= target) return target;
    return target + (unpadded - target + kReplyBytes - 1) / kReplyBytes * kReplyBytes;
}

AuthorityService::AuthorityService(const AuthorityState& state, AuthorityStore& store,
                                   const Clock& clock, RandomSource& random,
                                   RequestGuard::LogSink log)
    : state_(state),
      store_(store),
      clock_(clock),
      random_(random),
      guard_(state.settings().rate_limits, clock, counters_, std::move(log)) {
    if (auto key = EcdsaP256PrivateKey::Generate(); key.ok()) chaff_key_ = std::move(*key);
}

std::optional<std::string_view> AuthorityService::ValidKeyId(
    std::optional<std::string_view> api_key) const {
    if (!api_key || !state_.ApiKeyMatches(*api_key)) return std::nullopt;
    return std::string_view(kApiKeyId);
}

int64_t AuthorityService::NowSeconds() const { return clock_.NowUnixMicros() / 1000000; }

std::string AuthorityService::RandomToken() {
    uint8_t bytes[32];
    random_.Fill(bytes);
    std::string token = Base64Encode(bytes, Base64Alphabet::kUrl);
    SecureZero(bytes, sizeof bytes);
    return token;
}

ApiReply AuthorityService::Reply(int status, Json body) {
    body["padding"] = "";
    const size_t size = body.dump().size();
    const size_t room = ReplyBodyBytes(status, size) - size;
    std::vector<uint8_t> pad(room / 4 * 3 + 3);
    random_.Fill(pad);
    std::string text = Base64Encode(pad);
    text.resize(room);  // base64 characters, cut to the exact length
    body["padding"] = std::move(text);
    return {status, std::move(body)};
}

ApiReply AuthorityService::Error(ApiFamily family, int status, std::string_view code,
                                 std::string_view message) {
    return Reply(status, family == ApiFamily::kVerification ? VerificationError(code, message)
                                                            : PublishError(code, message));
}

ApiReply AuthorityService::Verify(std::optional<std::string_view> api_key, std::string_view body,
                                  bool chaff, std::string_view peer) {
    if (chaff) return VerifyChaff(body);
    const std::optional<std::string_view> key_id = ValidKeyId(api_key);
    if (!guard_.Admit(Endpoint::kVerify, peer, key_id)) return Reply(kTooManyRequests, RateLimited());
    if (!key_id) {
        return Error(ApiFamily::kVerification, kUnauthorized, "unauthorized",
                     "missing or wrong X-API-Key");
    }
    Result<VerifyRequest> request = ParseVerifyRequest(body);
    if (!request.ok()) {
        return Error(ApiFamily::kVerification, kBadRequest, "unparsable_request",
                     request.status().message());
    }
    if (!guard_.VerificationBudgetLeft()) return Reply(kTooManyRequests, RateLimited());
    const int64_t now = NowSeconds();
    Result<Redeemed> redeemed = store_.RedeemCode(state_.HashSecret(request->code), now);
    if (!redeemed.ok()) {
        ++counters_.database_errors;
        return Error(ApiFamily::kVerification, DatabaseFailureStatus(redeemed.status()),
                     "internal_server_error",
                     std::string("the authority could not read its database") + kRetryLater);
    }
    if (redeemed->outcome != Redeem::kOk) {
        // Unknown, used and expired look alike: a guesser must not learn a stale code.
        guard_.RecordFailedVerification();
        if (redeemed->outcome == Redeem::kExpired) ++counters_.codes_expired;
        Event("refused_guesses");
        return Error(ApiFamily::kVerification, kBadRequest, "code_invalid",
                     "verification code is not valid (wrong, used or expired)");
    }
    ++counters_.codes_claimed;
    Event("claimed");
    const CodeClaims& claims = redeemed->claims;
    std::vector<std::string> accept = request->accept;
    if (accept.empty()) accept = {"confirmed"};
    if (std::find(accept.begin(), accept.end(), claims.test_type) == accept.end()) {
        // The code is spent either way: a device that cannot take this type must not retry.
        return Error(ApiFamily::kVerification, kPreconditionFailed, "unsupported_test_type",
                     "the code is for a '" + claims.test_type + "' test, which the client does not accept");
    }
    const std::string token = RandomToken();
    if (!store_.InsertToken(state_.HashSecret(token), claims, now + state_.settings().token_ttl_s).ok()) {
        return Error(ApiFamily::kVerification, kInternal, "internal_server_error",
                     "the authority could not store the token");
    }
    Json reply = {{"testtype", claims.test_type}, {"token", token}};
    if (!claims.symptom_date.empty()) reply["symptomDate"] = claims.symptom_date;
    if (!claims.test_date.empty()) reply["testDate"] = claims.test_date;
    return Reply(200, std::move(reply));
}

ApiReply AuthorityService::Certificate(std::optional<std::string_view> api_key,
                                       std::string_view body, bool chaff,
                                       std::string_view peer) {
    const AuthoritySettings& s = state_.settings();
    if (chaff) return CertificateChaff(body);
    const std::optional<std::string_view> key_id = ValidKeyId(api_key);
    if (!guard_.Admit(Endpoint::kCertificate, peer, key_id)) {
        return Reply(kTooManyRequests, RateLimited());
    }
    if (!key_id) {
        return Error(ApiFamily::kVerification, kUnauthorized, "unauthorized",
                     "missing or wrong X-API-Key");
    }
    Result<CertificateRequest> request = ParseCertificateRequest(body);
    if (!request.ok()) {
        return Error(ApiFamily::kVerification, kBadRequest, "unparsable_request",
                     request.status().message());
    }
    EkeyHmac mac{};
    if (!Base64DecodeExact(request->ekeyhmac, Base64Alphabet::kStandard, mac, "ekeyhmac").ok()) {
        return Error(ApiFamily::kVerification, kBadRequest, "hmac_invalid",
                     "ekeyhmac must be base64 of 32 bytes");
    }
    const int64_t now = NowSeconds();
    Result<Redeemed> redeemed = store_.RedeemToken(state_.HashSecret(request->token), now);
    if (!redeemed.ok()) {
        ++counters_.database_errors;
        return Error(ApiFamily::kVerification, DatabaseFailureStatus(redeemed.status()),
                     "internal_server_error",
                     std::string("the authority could not read its database") + kRetryLater);
    }
    if (redeemed->outcome == Redeem::kExpired) {
        return Error(ApiFamily::kVerification, kBadRequest, "token_expired", "token expired");
    }
    if (redeemed->outcome != Redeem::kOk) {
        return Error(ApiFamily::kVerification, kBadRequest, "token_invalid",
                     redeemed->outcome == Redeem::kUsed ? "token already used" : "token not found");
    }
    const CodeClaims& claims = redeemed->claims;
    Json jwt_claims = {{"iss", s.issuer},         {"aud", s.audience},
                       {"iat", now},              {"nbf", now - kClockSkewS},
                       {"exp", now + s.certificate_ttl_s}, {"tekmac", Base64Encode(mac)},
                       {"reportType", claims.test_type}};
    if (!claims.symptom_date.empty()) {
        if (auto day = ParseIsoDate(claims.symptom_date, "symptom date"); day.ok()) {
            jwt_claims["symptomOnsetInterval"] = *day * kIntervalsPerDay;
        }
    }
    if (!claims.test_date.empty()) {
        if (auto day = ParseIsoDate(claims.test_date, "test date"); day.ok()) {
            jwt_claims["testDateInterval"] = *day * kIntervalsPerDay;
        }
    }
    Result<std::string> certificate = SignJwtEs256(jwt_claims, s.certificate_key_id,
                                                   state_.certificate_key());
    if (!certificate.ok()) {
        return Error(ApiFamily::kVerification, kInternal, "internal_server_error",
                     "the authority could not sign the certificate");
    }
    return Reply(200, {{"certificate", *certificate}});
}

ApiReply AuthorityService::Publish(std::string_view body, bool chaff) {
    if (chaff) return PublishChaff(body);
    return PublishChecked(body);
}

ApiReply AuthorityService::PublishChecked(std::string_view body) {
    Result<PublishRequest> request = ParsePublishRequest(body);
    if (!request.ok()) {
        return Error(ApiFamily::kPublish, kBadRequest, "bad_request", request.status().message());
    }
    const AuthoritySettings& s = state_.settings();
    if (request->health_authority_id != s.health_authority_id) {
        return Error(ApiFamily::kPublish, kUnauthorized, "unknown_health_authority_id",
                     "unknown healthAuthorityID");
    }
    const int64_t now = NowSeconds();
    Result<CertificateClaims> cert = CheckCertificate(request->verification_payload, state_, now);
    if (!cert.ok()) {
        return Error(ApiFamily::kPublish, kUnauthorized,
                     "health_authority_verification_certificate_invalid", cert.status().message());
    }
    if (!EkeyHmacMatches(request->hmac_key, request->keys, cert->tekmac)) {
        return Error(ApiFamily::kPublish, kUnauthorized,
                     "health_authority_verification_certificate_invalid",
                     "certificate: the HMAC of the keys does not match its tekmac");
    }
    if (Status v = ValidateUploadedKeys(request->keys, now, s.limits); !v.ok()) {
        return Error(ApiFamily::kPublish, kBadRequest, "bad_request", v.message());
    }
    PublishContext context;
    context.type = cert->type;
    context.request_onset_interval = request->symptom_onset_interval;
    context.certificate_onset_interval = cert->symptom_onset_interval;
    if (!request->revision_token.empty()) {
        context.presented_revision = state_.HashSecret(request->revision_token);
    }
    const std::string revision_token = RandomToken();
    context.new_revision = state_.HashSecret(revision_token);
    context.now_s = now;
    std::vector<Tek> teks;
    for (const ExposureKey& k : request->keys) teks.push_back(k.key);
    Result<size_t> written = store_.Publish(teks, [&](const std::vector<StoredExposure>& existing) {
        return PlanPublish(request->keys, existing, context, s.limits);
    });
    if (!written.ok()) {
        const Status& e = written.status();
        if (e.code() != StatusCode::kFailedPrecondition) ++counters_.database_errors;
        if (e.code() == StatusCode::kFailedPrecondition) {
            const std::string& m = e.message();
            const size_t colon = m.find(':');
            return Error(ApiFamily::kPublish, kBadRequest, m.substr(0, colon),
                         colon == std::string::npos ? m : m.substr(colon + 2));
        }
        return Error(ApiFamily::kPublish, DatabaseFailureStatus(e), "internal_error",
                     std::string("the key server could not store the keys") + kRetryLater);
    }
    counters_.keys_published += *written;
    Event("keys_published", static_cast<int64_t>(*written));
    return Reply(200, {{"revisionToken", revision_token},
                       {"insertedExposures", *written}});
}

Result<IssuedCode> AuthorityService::IssueCode(std::string_view type, std::string_view onset_date,
                                               std::string_view test_date, int64_t ttl_s,
                                               CodeKind kind) {
    if (type != "confirmed" && type != "likely" && type != "negative") {
        return Status::InvalidArgument("--type: expected confirmed, likely or negative");
    }
    const int64_t longest = kind == CodeKind::kShort ? state_.settings().code_ttl_s
                                                     : state_.settings().long_code_ttl_s;
    if (ttl_s == 0) ttl_s = longest;
    if (ttl_s < 0) return Status::InvalidArgument("code lifetime must be positive");
    if (ttl_s > longest) {
        return Status::InvalidArgument(
            "code lifetime: at most " + std::to_string(longest) + " s for a " +
            (kind == CodeKind::kShort ? "short code (--kind long: an SMS link's code)"
                                      : "long code"));
    }
    const int64_t now = NowSeconds();
    const int64_t today = UtcDayStart(now) / kSecondsPerDay;
    for (const auto& [date, what] : {std::pair{onset_date, "--onset"}, std::pair{test_date, "--test-date"}}) {
        if (date.empty()) continue;
        JEJAK_ASSIGN_OR_RETURN(int64_t day, ParseIsoDate(date, what));
        if (day > today) return Status::InvalidArgument(std::string(what) + ": date is in the future");
    }
    const CodeClaims claims{std::string(type), std::string(onset_date), std::string(test_date)};
    for (int attempt = 0; attempt < 8; ++attempt) {
        IssuedCode issued{RandomDigits(random_, CodeDigits(kind)), now + ttl_s,
                          std::string(type)};
        Status s = store_.InsertCode(state_.HashSecret(issued.code), claims, issued.expires_at);
        if (s.ok()) {
            ++counters_.codes_issued;
            Event("issued");
            return issued;
        }
        SecureZero(issued.code.data(), issued.code.size());
        if (s.code() != StatusCode::kFailedPrecondition) return s;
    }
    return Status::Internal("could not draw an unused code");
}

}  // namespace jejak::authority
