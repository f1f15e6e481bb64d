// The real authority server on 127.0.0.1 (ephemeral port), driven with an HTTP client:
// the happy path and every refusal the publish flow must make, each with a clear error and
// nothing stored.
#include <doctest/doctest.h>

#include "authority_test_util.h"

namespace jejak::testing {
namespace {


std::string ReplyErrorCode(const HttpResult& r) {
    if (r.body.contains("errorCode")) return r.body["errorCode"].get<std::string>();
    if (r.body.contains("code")) return r.body["code"].get<std::string>();
    return "";
}

void PublishesOnce(const std::string& database) {
    TestAuthority a(database);
    a.StartServer();
    const auto keys = PastKeys(14, a.random());
    HttpResult r = a.ReportKeys(keys);
    CHECK(r.status == 200);
    CHECK(r.body["insertedExposures"] == 14);
    CHECK(r.body["revisionToken"].get<std::string>().size() == 43);
    CHECK(r.body.contains("padding"));
    CHECK(a.Exposures() == 14);
}
AUTHORITY_BACKEND_CASE("authority server: a verified device publishes 14 keys once", PublishesOnce)

TEST_CASE("authority server: replies of every outcome have the same padded size") {
    TestAuthority a;
    a.StartServer();
    const size_t ok = a.Post("/api/verify", "{}", {{"X-Chaff", "1"}}).body.dump().size();
    const size_t bad = a.PostJson("/api/verify", {{"code", "0000000000"}}).body.dump().size();
    CHECK(ok >= authority::kReplyBytes);
    CHECK(bad >= authority::kReplyBytes);
    // The body makes up for the status line's reason phrase ("OK", "Bad Request"): the
    // bytes on the wire are compared in chaff_wire_test.cc.
    CHECK(ok + std::string_view("OK").size() == bad + std::string_view("Bad Request").size());
}

void VerificationCodes(const std::string& database) {
    TestAuthority a(database);
    a.StartServer();
    SUBCASE("a wrong code is refused") {
        HttpResult r = a.PostJson("/api/verify", {{"code", "1234567890"}});
        CHECK(r.status == 400);
        CHECK(ReplyErrorCode(r) == "code_invalid");  // one error for unknown, used and expired
    }
    SUBCASE("an expired code is refused") {
        const std::string code = a.IssueCode("confirmed", 3600);
        a.clock().Advance(3601LL * 1000000);
        HttpResult r = a.PostJson("/api/verify", {{"code", code}});
        CHECK(r.status == 400);
        CHECK(ReplyErrorCode(r) == "code_invalid");
    }
    SUBCASE("a code works once") {
        const std::string code = a.IssueCode();
        CHECK(a.PostJson("/api/verify", {{"code", code}}).status == 200);
        HttpResult r = a.PostJson("/api/verify", {{"code", code}});
        CHECK(r.status == 400);
        CHECK(ReplyErrorCode(r) == "code_invalid");
    }
    SUBCASE("a wrong or missing API key is refused and the code stays unspent") {
        const std::string code = a.IssueCode();
        HttpResult r = a.Post("/api/verify", nlohmann::json{{"code", code}}.dump(),
                              {{"X-API-Key", "not-the-key"}});
        CHECK(r.status == 401);
        CHECK(ReplyErrorCode(r) == "unauthorized");
        CHECK(a.Post("/api/verify", nlohmann::json{{"code", code}}.dump()).status == 401);
        CHECK(a.PostJson("/api/verify", {{"code", code}}).status == 200);
    }
    SUBCASE("a code for a test type the client does not accept") {
        const std::string code = a.IssueCode("likely");
        HttpResult r = a.PostJson("/api/verify", {{"code", code}, {"accept", {"confirmed"}}});
        CHECK(r.status == 412);
        CHECK(ReplyErrorCode(r) == "unsupported_test_type");
    }
    SUBCASE("verify reports the code's type and dates") {
        auto issued = a.service().IssueCode("likely", "2027-01-10", "2027-01-12", 600);
        REQUIRE(issued.ok());
        HttpResult r = a.PostJson("/api/verify", {{"code", issued->code}, {"accept", {"confirmed", "likely"}}});
        REQUIRE(r.status == 200);
        CHECK(r.body["testtype"] == "likely");
        CHECK(r.body["symptomDate"] == "2027-01-10");
        CHECK(r.body["testDate"] == "2027-01-12");
    }
}
AUTHORITY_BACKEND_CASE("authority server: verification codes", VerificationCodes)

void VerificationTokens(const std::string& database) {
    TestAuthority a(database);
    a.StartServer();
    const auto keys = PastKeys(3, a.random());
    const std::vector<uint8_t> secret(16, 1);
    const std::string mac = Base64Encode(ComputeEkeyHmac(secret, keys));
    SUBCASE("a token works once") {
        const std::string token = a.VerifyCode(a.IssueCode());
        CHECK(a.PostJson("/api/certificate", {{"token", token}, {"ekeyhmac", mac}}).status == 200);
        HttpResult r = a.PostJson("/api/certificate", {{"token", token}, {"ekeyhmac", mac}});
        CHECK(r.status == 400);
        CHECK(ReplyErrorCode(r) == "token_invalid");
    }
    SUBCASE("an expired token is refused") {
        const std::string token = a.VerifyCode(a.IssueCode());
        a.clock().Advance((a.state().settings().token_ttl_s + 1) * 1000000);
        HttpResult r = a.PostJson("/api/certificate", {{"token", token}, {"ekeyhmac", mac}});
        CHECK(r.status == 400);
        CHECK(ReplyErrorCode(r) == "token_expired");
    }
    SUBCASE("an HMAC that is not 32 bytes of base64 is refused before the token is spent") {
        const std::string token = a.VerifyCode(a.IssueCode());
        HttpResult r = a.PostJson("/api/certificate", {{"token", token}, {"ekeyhmac", "AAAA"}});
        CHECK(r.status == 400);
        CHECK(ReplyErrorCode(r) == "hmac_invalid");
        CHECK(a.PostJson("/api/certificate", {{"token", token}, {"ekeyhmac", mac}}).status == 200);
    }
    SUBCASE("a wrong API key is refused") {
        const std::string token = a.VerifyCode(a.IssueCode());
        HttpResult r = a.Post("/api/certificate",
                              nlohmann::json{{"token", token}, {"ekeyhmac", mac}}.dump(),
                              {{"X-API-Key", a.api_key() + "x"}});
        CHECK(r.status == 401);
    }
}
AUTHORITY_BACKEND_CASE("authority server: verification tokens", VerificationTokens)

void RefusalsStoreNothing(const std::string& database) {
    TestAuthority a(database);
    a.StartServer();
    auto keys = PastKeys(14, a.random());
    const std::vector<uint8_t> secret(16, 0x42);
    auto expect_refused = [&](const HttpResult& r, int status, const std::string& code,
                              const std::string& fragment) {
        CHECK(r.status == status);
        CHECK(ReplyErrorCode(r) == code);
        const std::string message = r.body.value("error", "");
        CHECK_MESSAGE(message.find(fragment) != std::string::npos, message);
        CHECK(a.Exposures() == 0);
    };
    SUBCASE("keys changed after the certificate was issued (HMAC mismatch)") {
        const std::string cert = a.Certify(a.VerifyCode(a.IssueCode()), keys, secret);
        keys[3].transmission_risk = 7;
        expect_refused(a.PostJson("/v1/publish", a.PublishBody(keys, cert, secret), false), 401,
                       "health_authority_verification_certificate_invalid", "HMAC");
    }
    SUBCASE("a different hmacKey") {
        const std::string cert = a.Certify(a.VerifyCode(a.IssueCode()), keys, secret);
        const std::vector<uint8_t> other(16, 0x43);
        expect_refused(a.PostJson("/v1/publish", a.PublishBody(keys, cert, other), false), 401,
                       "health_authority_verification_certificate_invalid", "HMAC");
    }
    SUBCASE("an expired certificate") {
        const std::string cert = a.Certify(a.VerifyCode(a.IssueCode()), keys, secret);
        a.clock().Advance((a.state().settings().certificate_ttl_s + 1) * 1000000);
        expect_refused(a.PostJson("/v1/publish", a.PublishBody(keys, cert, secret), false), 401,
                       "health_authority_verification_certificate_invalid", "expired");
    }
    SUBCASE("a certificate signed by another key") {
        auto other = EcdsaP256PrivateKey::Generate();
        REQUIRE(other.ok());
        const auto& s = a.state().settings();
        nlohmann::json claims = {{"iss", s.issuer}, {"aud", s.audience}, {"iat", kTestNow},
                                 {"exp", kTestNow + 600}, {"reportType", "confirmed"},
                                 {"tekmac", Base64Encode(ComputeEkeyHmac(secret, keys))}};
        auto forged = authority::SignJwtEs256(claims, "v1", *other);
        REQUIRE(forged.ok());
        expect_refused(a.PostJson("/v1/publish", a.PublishBody(keys, *forged, secret), false), 401,
                       "health_authority_verification_certificate_invalid", "signature");
    }
    SUBCASE("an unknown health authority") {
        const std::string cert = a.Certify(a.VerifyCode(a.IssueCode()), keys, secret);
        nlohmann::json body = a.PublishBody(keys, cert, secret);
        body["healthAuthorityID"] = "someone.else";
        expect_refused(a.PostJson("/v1/publish", body, false), 401, "unknown_health_authority_id",
                       "healthAuthorityID");
    }
    SUBCASE("too many keys") {
        auto many = PastKeys(14, a.random());
        for (int round = 0; round < 2; ++round) {
            auto more = PastKeys(14, a.random());
            many.insert(many.end(), more.begin(), more.end());
        }
        const std::string cert = a.Certify(a.VerifyCode(a.IssueCode()), many, secret);
        expect_refused(a.PostJson("/v1/publish", a.PublishBody(many, cert, secret), false), 400,
                       "bad_request", "too many keys");
    }
    SUBCASE("a key from the future") {
        keys[0].rolling_start_number = IntervalOf(kTestNow) + 1;
        const std::string cert = a.Certify(a.VerifyCode(a.IssueCode()), keys, secret);
        expect_refused(a.PostJson("/v1/publish", a.PublishBody(keys, cert, secret), false), 400,
                       "bad_request", "future");
    }
    SUBCASE("a key older than the limit") {
        keys[13].rolling_start_number = DayStartInterval(kTestNow) - 144 * 16;
        const std::string cert = a.Certify(a.VerifyCode(a.IssueCode()), keys, secret);
        expect_refused(a.PostJson("/v1/publish", a.PublishBody(keys, cert, secret), false), 400,
                       "bad_request", "older than 15 days");
    }
    SUBCASE("malformed JSON") {
        expect_refused(a.Post("/v1/publish", "{\"temporaryExposureKeys\": [", {}), 400,
                       "bad_request", "not valid JSON");
        expect_refused(a.Post("/api/verify", "[[[", {{"X-API-Key", a.api_key()}}), 400,
                       "unparsable_request", "JSON");
    }
    SUBCASE("an oversized body") {
        const std::string big(70 * 1024, ' ');
        expect_refused(a.Post("/v1/publish", "{" + big + "}", {}), 413, "bad_request",
                       "larger than 65536");
        expect_refused(a.Post("/api/verify", "{" + big + "}", {{"X-API-Key", a.api_key()}}), 413,
                       "unparsable_request", "larger than 65536");
    }
}
AUTHORITY_BACKEND_CASE("authority server: publish refusals store nothing", RefusalsStoreNothing)

TEST_CASE("authority server: chaff is answered like the real thing and leaves no trace") {
    TestAuthority a;
    a.StartServer();
    const std::string code = a.IssueCode();
    const auto keys = PastKeys(14, a.random());
    const std::vector<uint8_t> secret(16, 5);
    HttpResult v = a.PostJson("/api/verify", {{"code", code}}, true, true);
    CHECK(v.status == 200);
    CHECK(v.body.contains("token"));
    HttpResult c = a.PostJson("/api/certificate", {{"token", v.body["token"]}, {"ekeyhmac",
        Base64Encode(ComputeEkeyHmac(secret, keys))}}, true, true);
    CHECK(c.status == 200);
    const std::string fake_cert = c.body["certificate"].get<std::string>();
    CHECK(std::count(fake_cert.begin(), fake_cert.end(), '.') == 2);
    HttpResult p = a.PostJson("/v1/publish", a.PublishBody(keys, fake_cert, secret), false, true);
    CHECK(p.status == 200);
    CHECK(p.body.contains("revisionToken"));
    CHECK(a.Exposures() == 0);
    // The chaff verify did not spend the real code, and the chaff certificate is worthless.
    CHECK(a.PostJson("/api/verify", {{"code", code}}).status == 200);
    HttpResult fake = a.PostJson("/v1/publish", a.PublishBody(keys, fake_cert, secret), false);
    CHECK(fake.status == 401);
    CHECK(a.Exposures() == 0);
}

void RevisionTokens(const std::string& database) {
    TestAuthority a(database);
    a.StartServer();
    const auto keys = PastKeys(4, a.random());
    HttpResult first = a.ReportKeys(keys, "likely");
    REQUIRE(first.status == 200);
    const std::string token = first.body["revisionToken"];
    const std::vector<uint8_t> secret(16, 9);
    SUBCASE("the same keys again without the token") {
        const std::string cert = a.Certify(a.VerifyCode(a.IssueCode()), keys, secret);
        HttpResult r = a.PostJson("/v1/publish", a.PublishBody(keys, cert, secret), false);
        CHECK(r.status == 400);
        CHECK(ReplyErrorCode(r) == "missing_revision_token");
    }
    SUBCASE("likely becomes confirmed with the token") {
        const std::string cert = a.Certify(a.VerifyCode(a.IssueCode("confirmed")), keys, secret);
        nlohmann::json body = a.PublishBody(keys, cert, secret);
        body["revisionToken"] = token;
        HttpResult r = a.PostJson("/v1/publish", body, false);
        CHECK(r.status == 200);
        CHECK(r.body["insertedExposures"] == 4);
        CHECK(r.body["revisionToken"] != token);
    }
    SUBCASE("a wrong token") {
        const std::string cert = a.Certify(a.VerifyCode(a.IssueCode("confirmed")), keys, secret);
        nlohmann::json body = a.PublishBody(keys, cert, secret);
        body["revisionToken"] = "bm90IHRoZSB0b2tlbg";
        HttpResult r = a.PostJson("/v1/publish", body, false);
        CHECK(r.status == 400);
        CHECK(ReplyErrorCode(r) == "invalid_revision_token");
    }
}
AUTHORITY_BACKEND_CASE("authority server: revision tokens", RevisionTokens)

TEST_CASE("authority server: serves the exports directory and nothing else") {
    TestAuthority a;
    a.StartServer();
    std::ofstream(a.state().exports_dir() + "/index.txt") << "a.zip\n";
    const auto [status, body] = a.Get("/exports/index.txt");
    CHECK(status == 200);
    CHECK(body == "a.zip\n");
    CHECK(a.Get("/exports/../authority.json").first != 200);
    CHECK(a.Get("/exports/../secret_hash.key").first != 200);
    CHECK(a.Post("/nowhere", "{}").status == 404);
}

}  // namespace
}  // namespace jejak::testing
