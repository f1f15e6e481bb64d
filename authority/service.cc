// The verification (/api/verify, /api/certificate) and publish (/v1/publish) handlers.
#include "authority/service.h"

#include <algorithm>

#include "authority/base64.h"
#include "authority/jwt.h"
#include "authority/requests.h"

namespace jejak::authority {
namespace {

using Json = nlohmann::json;

constexpr int kBadRequest = 400;
constexpr int kUnauthorized = 401;
constexpr int kPreconditionFailed = 412;
constexpr int kInternal = 500;
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
    JEJAK_ASSIGN_OR_RETURN(out.tekmac, DecodeBase64(mac->get_ref<const std::string&>(),
                                                    Base64Alphabet::kStandard, "certificate tekmac"));
    out.symptom_onset_interval = IntegerClaim(claims, "symptomOnsetInterval");
    return out;
}

// 10 decimal digits, uniform.
std::string RandomDigits(RandomSource& random) {
    std::string s = std::to_string(UniformBelow(random, 10000000000ULL));
    return std::string(10 - s.size(), '0') + s;
}

}  // namespace

AuthorityService::AuthorityService(const AuthorityState& state, AuthorityStore& store,
                                   const Clock& clock, RandomSource& random)
    : state_(state), store_(store), clock_(clock), random_(random) {}

int64_t AuthorityService::NowSeconds() const { return clock_.NowUnixMicros() / 1000000; }

std::string AuthorityService::RandomToken() {
    uint8_t bytes[32];
    random_.Fill(bytes);
    std::string token = EncodeBase64(bytes, Base64Alphabet::kUrl);
    SecureZero(bytes, sizeof bytes);
    return token;
}

ApiReply AuthorityService::Reply(int status, Json body) {
    body["padding"] = "";
    const size_t size = body.dump().size();
    // Base64 of n bytes is 4*ceil(n/3) characters; aim for the fixed reply size.
    const size_t room = size < kReplyBytes ? kReplyBytes - size : 0;
    std::vector<uint8_t> pad(std::max<size_t>((room + 3) / 4 * 3, 12));
    random_.Fill(pad);
    body["padding"] = EncodeBase64(pad);
    return {status, std::move(body)};
}

ApiReply AuthorityService::Error(ApiFamily family, int status, std::string_view code,
                                 std::string_view message) {
    return Reply(status, family == ApiFamily::kVerification ? VerificationError(code, message)
                                                            : PublishError(code, message));
}

ApiReply AuthorityService::Verify(std::optional<std::string_view> api_key, std::string_view body,
                                  bool chaff) {
    if (chaff) return Reply(200, {{"testtype", "confirmed"}, {"token", RandomToken()}});
    if (!api_key || !state_.ApiKeyMatches(*api_key)) {
        return Error(ApiFamily::kVerification, kUnauthorized, "unauthorized",
                     "missing or wrong X-API-Key");
    }
    Result<VerifyRequest> request = ParseVerifyRequest(body);
    if (!request.ok()) {
        return Error(ApiFamily::kVerification, kBadRequest, "unparsable_request",
                     request.status().message());
    }
    const int64_t now = NowSeconds();
    Result<Redeemed> redeemed = store_.RedeemCode(state_.HashSecret(request->code), now);
    if (!redeemed.ok()) {
        return Error(ApiFamily::kVerification, kInternal, "internal_server_error",
                     "the authority could not read its database");
    }
    switch (redeemed->outcome) {
        case Redeem::kOk: break;
        case Redeem::kUnknown:
            return Error(ApiFamily::kVerification, kBadRequest, "code_not_found",
                         "verification code not found");
        case Redeem::kUsed:
            return Error(ApiFamily::kVerification, kBadRequest, "code_invalid",
                         "verification code already used");
        case Redeem::kExpired:
            return Error(ApiFamily::kVerification, kBadRequest, "code_expired",
                         "verification code expired");
    }
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
                                       std::string_view body, bool chaff) {
    const AuthoritySettings& s = state_.settings();
    if (chaff) {
        // Shaped like a certificate (three segments), signed by nobody.
        return Reply(200, {{"certificate", RandomToken() + RandomToken() + "." + RandomToken() +
                                               RandomToken() + RandomToken() + "." +
                                               RandomToken() + RandomToken()}});
    }
    if (!api_key || !state_.ApiKeyMatches(*api_key)) {
        return Error(ApiFamily::kVerification, kUnauthorized, "unauthorized",
                     "missing or wrong X-API-Key");
    }
    Result<CertificateRequest> request = ParseCertificateRequest(body);
    if (!request.ok()) {
        return Error(ApiFamily::kVerification, kBadRequest, "unparsable_request",
                     request.status().message());
    }
    TekMac mac{};
    if (!DecodeBase64Exact(request->ekeyhmac, Base64Alphabet::kStandard, mac, "ekeyhmac").ok()) {
        return Error(ApiFamily::kVerification, kBadRequest, "hmac_invalid",
                     "ekeyhmac must be base64 of 32 bytes");
    }
    const int64_t now = NowSeconds();
    Result<Redeemed> redeemed = store_.RedeemToken(state_.HashSecret(request->token), now);
    if (!redeemed.ok()) {
        return Error(ApiFamily::kVerification, kInternal, "internal_server_error",
                     "the authority could not read its database");
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
                       {"exp", now + s.certificate_ttl_s}, {"tekmac", EncodeBase64(mac)},
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
    if (chaff) return Reply(200, {{"revisionToken", RandomToken()}, {"insertedExposures", 0}});
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
    if (!TekMacMatches(request->hmac_key, request->keys, cert->tekmac)) {
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
    for (const UploadedKey& k : request->keys) teks.push_back(k.key);
    Result<size_t> written = store_.Publish(teks, [&](const std::vector<StoredExposure>& existing) {
        return PlanPublish(request->keys, existing, context, s.limits);
    });
    if (!written.ok()) {
        const Status& e = written.status();
        if (e.code() == StatusCode::kFailedPrecondition) {
            const std::string& m = e.message();
            const size_t colon = m.find(':');
            return Error(ApiFamily::kPublish, kBadRequest, m.substr(0, colon),
                         colon == std::string::npos ? m : m.substr(colon + 2));
        }
        return Error(ApiFamily::kPublish, kInternal, "internal_error",
                     "the key server could not store the keys");
    }
    return Reply(200, {{"revisionToken", revision_token},
                       {"insertedExposures", *written}});
}

Result<IssuedCode> AuthorityService::IssueCode(std::string_view type, std::string_view onset_date,
                                               std::string_view test_date, int64_t ttl_s) {
    if (type != "confirmed" && type != "likely" && type != "negative") {
        return Status::InvalidArgument("--type: expected confirmed, likely or negative");
    }
    if (ttl_s <= 0) return Status::InvalidArgument("code lifetime must be positive");
    const int64_t now = NowSeconds();
    const int64_t today = UtcDayStart(now) / kSecondsPerDay;
    for (const auto& [date, what] : {std::pair{onset_date, "--onset"}, std::pair{test_date, "--test-date"}}) {
        if (date.empty()) continue;
        JEJAK_ASSIGN_OR_RETURN(int64_t day, ParseIsoDate(date, what));
        if (day > today) return Status::InvalidArgument(std::string(what) + ": date is in the future");
    }
    const CodeClaims claims{std::string(type), std::string(onset_date), std::string(test_date)};
    for (int attempt = 0; attempt < 8; ++attempt) {
        IssuedCode issued{RandomDigits(random_), now + ttl_s, std::string(type)};
        Status s = store_.InsertCode(state_.HashSecret(issued.code), claims, issued.expires_at);
        if (s.ok()) return issued;
        SecureZero(issued.code.data(), issued.code.size());
        if (s.code() != StatusCode::kFailedPrecondition) return s;
    }
    return Status::Internal("could not draw an unused code");
}

}  // namespace jejak::authority
