// The chaff twins of the three handlers. A decoy must cost the server about what the real
// request costs, or its reply time gives it away: each parses the request, makes one
// database round trip that can change nothing, and signs or checks an ECDSA signature, then
// answers with a reply of the real one's shape (and, padded, of its size). Nothing is stored.
#include <ctime>

#include "platform/base/base64.h"
#include "platform/base/civil_date.h"
#include "authority/jwt.h"
#include "authority/requests.h"
#include "authority/service.h"
#include "gaen/api/ekeyhmac.h"

namespace jejak::authority {
namespace {

using Json = nlohmann::json;

// Decoy codes and tokens are hashed under this prefix: a real code is digits and a real
// token base64, so no stored row ever matches and nothing real is spent.
constexpr char kChaffPrefix[] = "chaff:";
// Decoys claim symptoms this many days ago, like a typical real code.
constexpr int64_t kDecoyOnsetDaysAgo = 4;

Result<PublishPlan> StoreNothing(const std::vector<StoredExposure>&) {
    return Status::FailedPrecondition("chaff: nothing is stored");
}

}  // namespace

ApiReply AuthorityService::VerifyChaff(std::string_view body) {
    counters_.chaff_requests++;
    std::string code = "0000000000";
    if (Result<VerifyRequest> request = ParseVerifyRequest(body); request.ok()) {
        code = request->code;
    }
    const int64_t now = NowSeconds();
    (void)store_.RedeemCode(state_.HashSecret(kChaffPrefix + code), now);
    // The real path's second round trip stores the token; this one reads a row that never
    // exists, so the reply comes after two database round trips either way.
    std::string token = RandomToken();
    (void)store_.RedeemToken(state_.HashSecret(kChaffPrefix + token), now);
    const int64_t onset = UtcDayStart(now) - kDecoyOnsetDaysAgo * kSecondsPerDay;
    return Reply(200, {{"testtype", "confirmed"},
                       {"token", std::move(token)},
                       {"symptomDate", IsoUtcDate(onset)}});
}

ApiReply AuthorityService::CertificateChaff(std::string_view body) {
    counters_.chaff_requests++;
    std::string token;
    EkeyHmac mac{};
    bool have_mac = false;
    if (Result<CertificateRequest> request = ParseCertificateRequest(body); request.ok()) {
        token = request->token;
        have_mac = Base64DecodeExact(request->ekeyhmac, Base64Alphabet::kStandard, mac, "ekeyhmac")
                       .ok();
    }
    if (!have_mac) random_.Fill(mac);
    const int64_t now = NowSeconds();
    (void)store_.RedeemToken(state_.HashSecret(kChaffPrefix + token), now);
    const AuthoritySettings& s = state_.settings();
    const int64_t onset_day = UtcDayStart(now) / kSecondsPerDay - kDecoyOnsetDaysAgo;
    const Json claims = {{"iss", s.issuer},
                         {"aud", s.audience},
                         {"iat", now},
                         {"nbf", now - 60},
                         {"exp", now + s.certificate_ttl_s},
                         {"tekmac", Base64Encode(mac)},
                         {"reportType", "confirmed"},
                         {"symptomOnsetInterval", onset_day * kIntervalsPerDay}};
    // Signed, like a real one, but by a key no key server trusts.
    std::string certificate;
    if (chaff_key_) {
        if (Result<std::string> signed_jwt = SignJwtEs256(claims, s.certificate_key_id, *chaff_key_);
            signed_jwt.ok()) {
            certificate = std::move(*signed_jwt);
        }
    }
    if (certificate.empty()) certificate = RandomToken() + "." + RandomToken() + "." + RandomToken();
    return Reply(200, {{"certificate", certificate}});
}

ApiReply AuthorityService::PublishChaff(std::string_view body) {
    counters_.chaff_requests++;
    size_t keys = 0;
    if (Result<PublishRequest> request = ParsePublishRequest(body); request.ok()) {
        // The real path's signature check (it fails: the decoy's signer is nobody), its
        // HMAC and a publish transaction whose planner refuses, so nothing is written.
        (void)VerifyJwtEs256(request->verification_payload, state_.certificate_public_key());
        (void)EkeyHmacMatches(request->hmac_key, request->keys, EkeyHmac{});
        std::vector<Tek> teks;
        for (const ExposureKey& k : request->keys) teks.push_back(k.key);
        (void)store_.Publish(teks, StoreNothing);
        keys = request->keys.size();
    }
    return Reply(200, {{"revisionToken", RandomToken()}, {"insertedExposures", keys}});
}

}  // namespace jejak::authority
