// The ConsoleStore's contract on both backends (SQLite, and PostgreSQL in test suite
// "postgresql" under scripts/pg-cluster): users, sessions with idle and absolute expiry,
// issued codes linked to the codes table (claimed, revoked), the audit trail, daily figures.
#include <doctest/doctest.h>

#include "authority/store/open_authority_store.h"
#include "tests/authority/authority_test_util.h"
#include "crypto/kdf.h"
#include "tests/support/scratch_dir.h"

namespace jejak::testing {
namespace {

using namespace jejak::authority;

struct Stores {
    explicit Stores(const std::string& database) {
        db = database.empty() ? dir.File("a.db") : database;
        auto a = OpenAuthorityStore(db, true, 2);
        REQUIRE_MESSAGE(a.ok(), a.status().ToString());
        authority = std::move(*a);
        auto c = OpenConsoleStore(db, 2);
        REQUIRE_MESSAGE(c.ok(), c.status().ToString());
        console = std::move(*c);
    }
    ScratchDir dir{"auth"};
    std::string db;
    std::unique_ptr<AuthorityStore> authority;
    std::unique_ptr<ConsoleStore> console;
};

SecretHash Hash(uint8_t fill) {
    SecretHash h;
    h.fill(fill);
    return h;
}

void UsersAndSessions(const std::string& database) {
    Stores s(database);
    ConsoleStore& c = *s.console;
    REQUIRE(c.AddUser("ana", kRoleIssuer, "$argon2id$x", 100).ok());
    REQUIRE(c.AddUser("bo", kRoleAdmin, "$argon2id$y", 100).ok());
    CHECK(c.AddUser("ana", kRoleAdmin, "$argon2id$z", 100).code() ==
          StatusCode::kFailedPrecondition);
    auto ana = c.FindUser("ana");
    REQUIRE(ana.ok());
    REQUIRE(ana->has_value());
    CHECK((*ana)->role == kRoleIssuer);
    CHECK((*ana)->password_hash == "$argon2id$x");
    auto none = c.FindUser("nobody");
    REQUIRE(none.ok());
    CHECK(!none->has_value());
    auto list = c.ListUsers();
    REQUIRE(list.ok());
    REQUIRE(list->size() == 2);
    CHECK((*list)[0].name == "ana");

    REQUIRE(c.CreateSession(Hash(1), (*ana)->id, 1000).ok());
    auto live = c.TouchSession(Hash(1), 1000 + 1700, 1800, 7200);
    REQUIRE(live.ok());
    REQUIRE(live->has_value());
    CHECK((*live)->name == "ana");
    // Used every 1700 s (never idle 1800 s), it still ends 7200 s after sign-in.
    for (int64_t t : {4400, 6100, 7800}) CHECK(c.TouchSession(Hash(1), t, 1800, 7200)->has_value());
    CHECK(!c.TouchSession(Hash(1), 8201, 1800, 7200)->has_value());
    // An expired session is gone for good, even if asked with a kinder clock.
    CHECK(!c.TouchSession(Hash(1), 8200 - 100, 1800, 7200)->has_value());

    REQUIRE(c.CreateSession(Hash(2), (*ana)->id, 1000).ok());
    CHECK(!c.TouchSession(Hash(2), 1000 + 1800, 1800, 7200)->has_value());  // idle expiry
    REQUIRE(c.CreateSession(Hash(3), (*ana)->id, 1000).ok());
    REQUIRE(c.DeleteSession(Hash(3)).ok());
    CHECK(!c.TouchSession(Hash(3), 1001, 1800, 7200)->has_value());

    // Disabling a user ends its sessions at once.
    REQUIRE(c.CreateSession(Hash(4), (*ana)->id, 1000).ok());
    REQUIRE(c.SetUserDisabled("ana", true).ok());
    CHECK(!c.TouchSession(Hash(4), 1001, 1800, 7200)->has_value());
    CHECK(c.FindUser("ana")->value().disabled);
    CHECK(c.SetUserDisabled("nobody", true).code() == StatusCode::kNotFound);
}
AUTHORITY_BACKEND_CASE("console store keeps users and expires sessions", UsersAndSessions)

void IssuedCodes(const std::string& database) {
    Stores s(database);
    ConsoleStore& c = *s.console;
    const CodeClaims claims{"confirmed", "", "2027-01-14"};
    REQUIRE(s.authority->InsertCode(Hash(10), claims, 5000).ok());
    REQUIRE(s.authority->InsertCode(Hash(11), claims, 5000).ok());
    REQUIRE(s.authority->InsertCode(Hash(12), claims, 5000).ok());
    auto a = c.RecordIssuedCode(Hash(10), "ana", claims, 1000, 5000);
    auto b = c.RecordIssuedCode(Hash(11), "ana", claims, 1001, 5000);
    auto o = c.RecordIssuedCode(Hash(12), "bo", claims, 1002, 5000);
    REQUIRE((a.ok() && b.ok() && o.ok()));

    // Claimed shows once the code row is used.
    REQUIRE(s.authority->RedeemCode(Hash(10), 1500)->outcome == Redeem::kOk);
    auto mine = c.RecentCodes("ana", 10);
    REQUIRE(mine.ok());
    REQUIRE(mine->size() == 2);
    CHECK((*mine)[0].id == *b);  // newest first
    CHECK(!(*mine)[0].claimed_at);
    CHECK((*mine)[1].claimed_at == 1500);
    CHECK(c.RecentCodes("", 10)->size() == 3);

    // A revoked code is refused by redemption; a claimed one cannot be revoked; an issuer
    // cannot touch another issuer's code.
    REQUIRE(c.RevokeCode(*b, "ana", 1600).ok());
    CHECK(s.authority->RedeemCode(Hash(11), 1601)->outcome != Redeem::kOk);
    CHECK(c.RevokeCode(*b, "ana", 1602).code() == StatusCode::kFailedPrecondition);
    CHECK(c.RevokeCode(*a, "ana", 1603).code() == StatusCode::kFailedPrecondition);
    CHECK(c.RevokeCode(*o, "ana", 1604).code() == StatusCode::kNotFound);
    CHECK(c.RecentCodes("ana", 10)->at(0).revoked_at == 1600);
    REQUIRE(c.RevokeCode(*o, "", 1605).ok());  // an admin may
}
AUTHORITY_BACKEND_CASE("console store links issued codes to claims and revocations", IssuedCodes)

void AuditAndFigures(const std::string& database) {
    Stores s(database);
    ConsoleStore& c = *s.console;
    REQUIRE(c.Audit({10, "ana", "login", ""}).ok());
    REQUIRE(c.Audit({11, "ana", "issue", "code #1"}).ok());
    auto audit = c.RecentAudit(10);
    REQUIRE(audit.ok());
    REQUIRE(audit->size() == 2);
    CHECK((*audit)[0].action == "issue");

    const int64_t today = 20 * 86400;
    REQUIRE(c.AddDailyCount(today, kDailyIssued, 1).ok());
    REQUIRE(c.AddDailyCount(today, kDailyIssued, 2).ok());
    REQUIRE(c.AddDailyCount(today - 86400, kDailyRefused, 5).ok());
    REQUIRE(s.authority->InsertCode(Hash(1), {"confirmed", "", ""}, today + 5000).ok());
    REQUIRE(s.authority->RedeemCode(Hash(1), today + 60)->outcome == Redeem::kOk);
    auto days = c.Figures(today, 14);
    REQUIRE(days.ok());
    REQUIRE(days->size() == 14);
    CHECK(days->back().day_start == today);
    CHECK(days->back().issued == 3);
    CHECK(days->back().claimed == 1);
    CHECK((*days)[12].refused_guesses == 5);
    CHECK(days->front().issued == 0);
}
AUTHORITY_BACKEND_CASE("console store keeps the audit trail and daily figures", AuditAndFigures)

TEST_CASE("staff passwords hash with Argon2id and check in constant time") {
    auto hash = HashPassword("correct horse battery", 1, 8192);
    REQUIRE(hash.ok());
    CHECK(hash->rfind("$argon2id$", 0) == 0);
    CHECK(VerifyPassword(*hash, "correct horse battery"));
    CHECK(!VerifyPassword(*hash, "correct horse batterY"));
    CHECK(!VerifyPassword("", "x"));
    CHECK(!VerifyPassword("$argon2id$garbage", "x"));
    CHECK(!VerifyPassword(std::string(1000, '$'), "x"));
    CHECK(HashPassword("", 1, 8192).status().code() == StatusCode::kInvalidArgument);
    CHECK(*hash != *HashPassword("correct horse battery", 1, 8192));  // salted
}

}  // namespace
}  // namespace jejak::testing
