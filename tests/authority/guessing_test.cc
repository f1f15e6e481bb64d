// Issue 22 point 2, "verification codes can be guessed at full speed": the token buckets and
// the failed-verification budget, first as pure arithmetic, then against the real HTTP
// server on 127.0.0.1 with the authority's manual clock (no test waits on wall time).
#include <doctest/doctest.h>

#include <algorithm>

#include "authority/rate_limit.h"
#include "authority_test_util.h"
#include "tests/support/scratch_dir.h"

namespace jejak::testing {
namespace {

using authority::AddressBucketKey;
using authority::BucketSpec;
using authority::TokenBucket;

constexpr int64_t kSecond = 1000000;

nlohmann::json Limits(BucketSpec per_address, BucketSpec failed) {
    const auto bucket = [](BucketSpec b) {
        return nlohmann::json{{"burst", b.burst}, {"per_hour", b.per_hour}};
    };
    return {{"per_address", bucket(per_address)},
            {"per_api_key", bucket({1e6, 1e9})},
            {"failed_verifications", bucket(failed)}};
}

uint64_t Counter(TestAuthority& a, const std::string& name) {
    for (const auto& [n, v] : a.service().counters().Snapshot()) {
        if (n == name) return v;
    }
    FAIL("no counter " << name);
    return 0;
}

std::string ErrorCode(const HttpResult& r) {
    return r.body.contains("errorCode") ? r.body["errorCode"].get<std::string>() : "";
}

HttpResult Guess(TestAuthority& a, int i) {
    char code[16];
    std::snprintf(code, sizeof code, "%010d", 1000000 + i);
    return a.PostJson("/api/verify", {{"code", code}});
}

}  // namespace

TEST_CASE("token bucket: a burst, then the configured rate, never more than the burst") {
    const BucketSpec spec{5, 3600};  // one a second
    TokenBucket b(spec, 0);
    int taken = 0;
    for (int i = 0; i < 10; ++i) taken += b.Take(spec, 0);
    CHECK(taken == 5);
    CHECK_FALSE(b.Take(spec, kSecond / 2));
    CHECK(b.Take(spec, kSecond));
    CHECK_FALSE(b.Take(spec, kSecond));
    // An hour idle refills only to the burst.
    taken = 0;
    for (int i = 0; i < 10; ++i) taken += b.Take(spec, 3600 * kSecond);
    CHECK(taken == 5);
    // A clock that steps back refills nothing.
    CHECK_FALSE(b.Take(spec, 0));
}

TEST_CASE("address buckets: IPv6 per /64, IPv4-mapped as IPv4") {
    CHECK(AddressBucketKey("192.0.2.7") == "192.0.2.7");
    CHECK(AddressBucketKey("::ffff:192.0.2.7") == "192.0.2.7");
    CHECK(AddressBucketKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64");
    CHECK(AddressBucketKey("2001:db8:1:2:bbbb::9") == AddressBucketKey("2001:db8:1:2::1"));
    CHECK(AddressBucketKey("2001:db8:1:3::1") != AddressBucketKey("2001:db8:1:2::1"));
    CHECK(AddressBucketKey("not an address") == "not an address");
}

TEST_CASE("rate limits in authority.json: defaults, overrides, bad values refused") {
    auto defaults = authority::ParseRateLimits(nlohmann::json());
    REQUIRE(defaults.ok());
    CHECK(defaults->per_address.burst == 20);
    CHECK(defaults->instances == 1);
    auto set = authority::ParseRateLimits({{"per_address", {{"per_hour", 30}}}, {"instances", 3}});
    REQUIRE(set.ok());
    CHECK(set->per_address.per_hour == 30);
    CHECK(set->per_address.burst == 20);
    CHECK(set->instances == 3);
    for (const nlohmann::json& bad :
         {nlohmann::json{{"per_address", {{"burst", 0}}}},
          nlohmann::json{{"failed_verifications", {{"per_hour", "many"}}}},
          nlohmann::json{{"instances", 0}}, nlohmann::json{{"per_api_key", 5}}}) {
        CAPTURE(bad.dump());
        auto r = authority::ParseRateLimits(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.status().message().find("rate_limits.") != std::string::npos);
    }
}

TEST_CASE("guessing: one API key from one address gets 429 after the burst, then the rate") {
    // 10 at once, then one every 10 s; the global budget is out of reach here.
    TestAuthority a("", Limits({10, 360}, {1e6, 1e9}));
    a.StartServer();
    int refused = 0, answered = 0;
    for (int i = 0; i < 30; ++i) {
        HttpResult r = Guess(a, i);
        if (r.status == 429) {
            ++refused;
            CHECK(ErrorCode(r) == "rate_limited");
        } else {
            ++answered;
            CHECK(r.status == 400);
            CHECK(ErrorCode(r) == "code_invalid");
        }
    }
    CHECK(answered == 10);
    CHECK(refused == 20);
    CHECK(Counter(a, "rate_limited_verify") == 20);
    CHECK(Counter(a, "failed_verifications") == 10);

    // Sustained: a guess every 2 simulated seconds for 10 minutes gets one in through every
    // 10 s, never more.
    answered = 0;
    for (int i = 0; i < 300; ++i) {
        a.clock().Advance(2 * kSecond);
        if (Guess(a, 100 + i).status != 429) ++answered;
    }
    CHECK(answered <= 600 / 10);
    CHECK(answered >= 600 / 10 - 1);
    // /api/certificate has its own bucket of the same size.
    int cert_answered = 0;
    for (int i = 0; i < 15; ++i) {
        cert_answered += a.PostJson("/api/certificate", {{"token", "x"}, {"ekeyhmac", "x"}}).status != 429;
    }
    CHECK(cert_answered == 10);
}

TEST_CASE("guessing: unknown, used and expired codes get one identical error") {
    TestAuthority a;
    a.StartServer();
    const std::string used = a.IssueCode();
    REQUIRE(a.PostJson("/api/verify", {{"code", used}}).status == 200);
    const std::string expired = a.IssueCode("confirmed", 60);
    a.clock().Advance(61 * kSecond);
    std::vector<std::string> replies;
    for (const std::string& code : {std::string("0123456789"), used, expired}) {
        HttpResult r = a.PostJson("/api/verify", {{"code", code}});
        CHECK(r.status == 400);
        r.body.erase("padding");
        replies.push_back(r.body.dump());
    }
    CHECK(replies[0] == replies[1]);
    CHECK(replies[0] == replies[2]);
    CHECK(replies[0].find("code_invalid") != std::string::npos);
}

TEST_CASE("guessing: the global failed-verification budget stops lookups and warns once") {
    // Per address out of reach; 5 failures in a burst, refilled at one a minute.
    TestAuthority a("", Limits({1e6, 1e9}, {5, 60}));
    a.StartServer();
    const std::string real = a.IssueCode("confirmed", 3600);
    for (int i = 0; i < 5; ++i) CHECK(Guess(a, i).status == 400);
    CHECK(Counter(a, "failed_verifications") == 5);
    CHECK(Counter(a, "failed_budget_exhausted") == 1);
    const std::vector<std::string> log = a.log();
    REQUIRE(log.size() == 1);
    CHECK(log[0].rfind("warning: failed-verification budget spent", 0) == 0);
    CHECK(log[0].find(real) == std::string::npos);
    // Spent: nothing is looked up, not even the real code (it stays valid).
    for (int i = 0; i < 5; ++i) CHECK(Guess(a, 10 + i).status == 429);
    CHECK(a.PostJson("/api/verify", {{"code", real}}).status == 429);
    CHECK(Counter(a, "failed_budget_refusals") == 6);
    CHECK(Counter(a, "failed_verifications") == 5);
    CHECK(a.log().size() == 1);  // at most one warning a minute
    // A minute refills one failure's worth: the real code goes through.
    a.clock().Advance(60 * kSecond);
    CHECK(a.PostJson("/api/verify", {{"code", real}}).status == 200);
}

TEST_CASE("guessing: chaff is never limited and never counts as a failure") {
    TestAuthority a("", Limits({2, 1}, {2, 1}));
    a.StartServer();
    for (int i = 0; i < 10; ++i) {
        CHECK(a.PostJson("/api/verify", {{"code", "0000000000"}}, true, true).status == 200);
    }
    CHECK(Counter(a, "chaff_requests") == 10);
    CHECK(Counter(a, "failed_verifications") == 0);
    CHECK(Counter(a, "rate_limited_verify") == 0);
}

TEST_CASE("guessing: several instances each enforce their share of the limits") {
    ScratchDir dir;
    SystemRandom random;
    REQUIRE(authority::AuthorityState::Init(dir.str(), "ZZ", random).ok());
    SetRateLimits(dir.str(), {{"per_address", {{"burst", 12}, {"per_hour", 360}}},
                               {"instances", 3}});
    auto state = authority::AuthorityState::Open(dir.str(), authority::ExportKey::kLoad);
    REQUIRE(state.ok());
    ManualClock clock(kTestNow * kSecond);
    authority::AuthorityCounters counters;
    authority::RequestGuard guard((*state)->settings().rate_limits, clock, counters, {});
    int admitted = 0;
    for (int i = 0; i < 20; ++i) {
        admitted += guard.Admit(authority::Endpoint::kVerify, "192.0.2.1", std::nullopt);
    }
    CHECK(admitted == 4);  // 12 / 3
    clock.Advance(30 * kSecond);  // 360/h / 3 = one per 30 s
    CHECK(guard.Admit(authority::Endpoint::kVerify, "192.0.2.1", std::nullopt));
    CHECK_FALSE(guard.Admit(authority::Endpoint::kVerify, "192.0.2.1", std::nullopt));
    // Another address has its own bucket.
    CHECK(guard.Admit(authority::Endpoint::kVerify, "192.0.2.2", std::nullopt));
}

}  // namespace jejak::testing
