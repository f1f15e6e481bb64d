// The staff console through the real HTTP front on 127.0.0.1 (its limits apply): sign-in,
// issuing a code that /api/verify accepts once and that then shows as claimed, revoking,
// sign-out, and the refusals (wrong password, missing or foreign CSRF token, an issuer on an
// admin page, a session past its idle expiry on the manual clock, sign-in flooding), the
// security headers, and an audit trail that never holds the code.
#include <doctest/doctest.h>

#include <regex>

#include "authority/console/console_pages.h"
#include "authority/console/console_service.h"
#include "authority/store/open_authority_store.h"
#include "tests/authority/authority_test_util.h"
#include "crypto/kdf.h"

namespace jejak::testing {
namespace {

using namespace jejak::authority;

// A browser's worth of state: cookies from Set-Cookie, sent back on every request.
class Browser {
public:
    explicit Browser(int port) : client_("127.0.0.1", port) {}

    httplib::Result Get(const std::string& path) {
        auto res = client_.Get(path, Headers());
        Remember(res);
        return res;
    }
    httplib::Result Post(const std::string& path, const httplib::Params& form) {
        auto res = client_.Post(path, Headers(), form);
        Remember(res);
        return res;
    }
    // The CSRF token of the first form on a page.
    static std::string Csrf(const std::string& html) {
        std::smatch m;
        REQUIRE(std::regex_search(html, m, std::regex("name=\"csrf\" value=\"([^\"]+)\"")));
        return m[1];
    }
    std::string cookie(const std::string& name) const {
        auto it = cookies_.find(name);
        return it == cookies_.end() ? "" : it->second;
    }

private:
    httplib::Headers Headers() const {
        std::string cookie;
        for (const auto& [k, v] : cookies_) cookie += (cookie.empty() ? "" : "; ") + k + "=" + v;
        httplib::Headers h;
        if (!cookie.empty()) h.emplace("Cookie", cookie);
        return h;
    }
    void Remember(const httplib::Result& res) {
        if (!res) return;
        for (size_t i = 0; i < res->get_header_value_count("Set-Cookie"); ++i) {
            const std::string c = res->get_header_value("Set-Cookie", i);
            const size_t eq = c.find('='), semi = c.find(';');
            const std::string name = c.substr(0, eq), value = c.substr(eq + 1, semi - eq - 1);
            if (c.find("Max-Age=0") != std::string::npos) {
                cookies_.erase(name);
            } else {
                cookies_[name] = value;
            }
        }
    }
    httplib::Client client_;
    std::map<std::string, std::string> cookies_;
};

class ConsoleFixture {
public:
    explicit ConsoleFixture(const std::string& database = "",
                            const nlohmann::json& limits = UnreachedRateLimits())
        : authority_(database, limits) {
        auto store = OpenConsoleStore(authority_.state().database(), 2);
        REQUIRE_MESSAGE(store.ok(), store.status().ToString());
        store_ = std::move(*store);
        for (const auto& [name, role] : {std::pair{"ana", kRoleIssuer}, std::pair{"bo", kRoleAdmin}}) {
            auto hash = HashPassword(std::string(name) + "-password-1", 1, 8192);
            REQUIRE(hash.ok());
            REQUIRE(store_->AddUser(name, role, *hash, kTestNow).ok());
        }
        ConsoleSettings settings;
        settings.password_opslimit = 1;
        settings.password_memlimit = 8192;
        console_ = std::make_unique<ConsoleService>(authority_.state(), authority_.service(),
                                                    *store_, authority_.clock(),
                                                    authority_.random(), settings);
        authority_.StartServer([this](ServeOptions& o) {
            o.console = [this](const WebRequest& r) { return console_->Handle(r); };
        });
    }
    // The server's threads call the console: stop them before it goes.
    ~ConsoleFixture() { authority_.StopServer(); }

    // Signs `name` in; returns the page it lands on.
    std::string SignIn(Browser& b, const std::string& name) {
        auto login = b.Get("/console/login");
        REQUIRE(login);
        auto res = b.Post("/console/login", {{"csrf", Browser::Csrf(login->body)},
                                             {"user", name},
                                             {"password", name + "-password-1"}});
        REQUIRE(res);
        REQUIRE(res->status == 303);
        CHECK(res->get_header_value("Location") == "/console/issue");
        auto page = b.Get("/console/issue");
        REQUIRE(page);
        REQUIRE(page->status == 200);
        return page->body;
    }
    std::string Issue(Browser& b, const std::string& page) {
        auto res = b.Post("/console/issue", {{"csrf", Browser::Csrf(page)},
                                             {"type", "confirmed"},
                                             {"test_date", "2027-01-14"},
                                             {"onset", "2027-01-12"},
                                             {"kind", "short"}});
        REQUIRE(res);
        REQUIRE(res->status == 200);
        std::smatch m;
        REQUIRE(std::regex_search(res->body, m, std::regex("id=\"code\"[^>]*>([0-9]+)<")));
        CHECK(res->body.find("<svg class=\"qr\"") != std::string::npos);
        return m[1];
    }

    TestAuthority& authority() { return authority_; }
    ConsoleStore& store() { return *store_; }
    ConsoleService& console() { return *console_; }

private:
    TestAuthority authority_;
    std::unique_ptr<ConsoleStore> store_;
    std::unique_ptr<ConsoleService> console_;
};

void IssueVerifyClaimRevoke(const std::string& database) {
    ConsoleFixture f(database);
    Browser b(f.authority().port());
    const std::string issue_page = f.SignIn(b, "ana");
    const std::string code = f.Issue(b, issue_page);
    CHECK(code.size() == 10);

    // The device API accepts it once.
    HttpResult verified = f.authority().PostJson("/api/verify", {{"code", code}});
    CHECK(verified.status == 200);
    CHECK(f.authority().PostJson("/api/verify", {{"code", code}}).status == 400);
    auto codes = b.Get("/console/codes");
    REQUIRE(codes);
    CHECK(codes->body.find("status-claimed") != std::string::npos);

    // A second code, revoked in the console, is refused by /api/verify.
    const std::string second = f.Issue(b, issue_page);
    std::smatch m;
    REQUIRE(std::regex_search(codes->body, m, std::regex("name=\"csrf\" value=\"([^\"]+)\"")));
    auto listing = b.Get("/console/codes");
    REQUIRE(std::regex_search(listing->body, m, std::regex("name=\"id\" value=\"([0-9]+)\"")));
    auto revoked = b.Post("/console/revoke", {{"csrf", Browser::Csrf(listing->body)}, {"id", m[1]}});
    REQUIRE(revoked);
    CHECK(revoked->status == 200);
    CHECK(revoked->body.find("status-revoked") != std::string::npos);
    CHECK(f.authority().PostJson("/api/verify", {{"code", second}}).status == 400);

    // The audit trail names the actions but never a code.
    auto audit = f.store().RecentAudit(20);
    REQUIRE(audit.ok());
    std::set<std::string> actions;
    for (const AuditEntry& e : *audit) {
        actions.insert(e.action);
        CHECK(e.detail.find(code) == std::string::npos);
        CHECK(e.detail.find(second) == std::string::npos);
    }
    CHECK(actions == std::set<std::string>{"login", "issue", "revoke"});

    // Sign-out ends the session server-side: the old cookie is refused afterwards.
    const std::string old_session = b.cookie("jejak_session");
    auto out = b.Post("/console/logout", {{"csrf", Browser::Csrf(listing->body)}});
    REQUIRE(out);
    CHECK(out->status == 303);
    httplib::Client replay("127.0.0.1", f.authority().port());
    auto after = replay.Get("/console/codes", {{"Cookie", "jejak_session=" + old_session}});
    REQUIRE(after);
    CHECK(after->status == 401);
}
AUTHORITY_BACKEND_CASE("console issues a code that verifies once, shows it claimed, revokes another",
                       IssueVerifyClaimRevoke)

TEST_CASE("console refuses a wrong password, a missing CSRF token and a foreign one") {
    ConsoleFixture f;
    Browser b(f.authority().port());
    auto login = b.Get("/console/login");
    REQUIRE(login);
    auto wrong = b.Post("/console/login", {{"csrf", Browser::Csrf(login->body)},
                                           {"user", "ana"}, {"password", "not-her-password"}});
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
    CHECK(b.cookie("jejak_session").empty());
    auto unknown = b.Post("/console/login", {{"csrf", Browser::Csrf(wrong->body)},
                                             {"user", "zed"}, {"password", "whatever-it-is"}});
    CHECK(unknown->status == 401);
    auto no_token = b.Post("/console/login", {{"user", "ana"}, {"password", "ana-password-1"}});
    CHECK(no_token->status == 403);
    CHECK(b.cookie("jejak_session").empty());

    const std::string page = f.SignIn(b, "ana");
    auto missing = b.Post("/console/issue", {{"type", "confirmed"}, {"test_date", "2027-01-14"}});
    REQUIRE(missing);
    CHECK(missing->status == 403);
    // Another session's token does not do either.
    Browser other(f.authority().port());
    const std::string other_page = f.SignIn(other, "bo");
    auto foreign = b.Post("/console/issue", {{"csrf", Browser::Csrf(other_page)},
                                             {"type", "confirmed"}, {"test_date", "2027-01-14"}});
    CHECK(foreign->status == 403);
    CHECK(f.console().counters().csrf_refusals == 3);
    CHECK(f.console().counters().login_failures == 2);
    CHECK(f.authority().service().counters().codes_issued == 0);
}

TEST_CASE("console keeps issuers off admin pages and ends idle sessions on the clock") {
    ConsoleFixture f;
    Browser ana(f.authority().port()), bo(f.authority().port());
    f.SignIn(ana, "ana");
    const std::string bo_page = f.SignIn(bo, "bo");
    CHECK(ana.Get("/console/users")->status == 403);
    CHECK(ana.Get("/console/admin")->status == 403);
    auto add = ana.Post("/console/users/add", {{"csrf", Browser::Csrf(ana.Get("/console/issue")->body)},
                                               {"user", "eve"}, {"role", "admin"},
                                               {"password", "long-enough-password"}});
    CHECK(add->status == 403);
    CHECK(!f.store().FindUser("eve")->has_value());
    auto users = bo.Get("/console/users");
    CHECK(users->status == 200);
    CHECK(users->body.find(">ana<") != std::string::npos);
    CHECK(bo.Get("/console/admin")->status == 200);

    f.authority().clock().Advance(31 * 60 * 1000000LL);  // past the 30 min idle expiry
    auto expired = ana.Get("/console/issue");
    CHECK(expired->status == 401);
    CHECK(expired->body.find("Please sign in") != std::string::npos);
}

TEST_CASE("console replies carry a strict CSP and cookies HttpOnly SameSite=Strict") {
    ConsoleFixture f;
    httplib::Client c("127.0.0.1", f.authority().port());
    auto res = c.Get("/console/login");
    REQUIRE(res);
    CHECK(res->get_header_value("Content-Security-Policy").find("default-src 'none'") == 0);
    CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
    const std::string cookie = res->get_header_value("Set-Cookie");
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    CHECK(cookie.find("SameSite=Strict") != std::string::npos);
    CHECK(res->body.find("<script") == std::string::npos);
    CHECK(c.Get("/console/style.css")->get_header_value("Content-Type").rfind("text/css", 0) == 0);
    CHECK(c.Get("/console/nope")->status == 404);
}

TEST_CASE("console sign-in is rate limited per address like code verification") {
    const nlohmann::json tight = {{"burst", 3}, {"per_hour", 1}};
    const nlohmann::json wide = {{"burst", 1e6}, {"per_hour", 1e9}};
    ConsoleFixture f("", {{"per_address", tight}, {"per_api_key", wide},
                          {"failed_verifications", wide}});
    Browser b(f.authority().port());
    int refused = 0;
    for (int i = 0; i < 5; ++i) {
        auto login = b.Get("/console/login");
        auto res = b.Post("/console/login", {{"csrf", Browser::Csrf(login->body)},
                                             {"user", "ana"}, {"password", "guess-" + std::to_string(i)}});
        if (res->status == 429) ++refused;
    }
    CHECK(refused == 2);
    // Even the right password waits for the bucket to refill.
    auto login = b.Get("/console/login");
    CHECK(b.Post("/console/login", {{"csrf", Browser::Csrf(login->body)}, {"user", "ana"},
                                    {"password", "ana-password-1"}})->status == 429);
}

TEST_CASE("console pages escape what they show") {
    IssuedCodeRecord r;
    r.id = 7;
    r.issuer = "<b>x</b>";
    r.test_type = "confirmed";
    r.expires_at = 100;
    const std::string html = CodesBody("t\"", {r}, 50, true, "<i>");
    CHECK(html.find("<b>x</b>") == std::string::npos);
    CHECK(html.find("&lt;b&gt;x&lt;/b&gt;") != std::string::npos);
    CHECK(html.find("value=\"t&quot;\"") != std::string::npos);
    CHECK(CodeStatus(r, 50) == "issued");
    CHECK(CodeStatus(r, 100) == "expired");
    CHECK(ParseForm("a=%zz").status().code() == StatusCode::kInvalidArgument);
    CHECK(ParseForm("a=%4").status().code() == StatusCode::kInvalidArgument);
    CHECK(ParseForm("a=1&b=x+y%21")->at("b") == "x y!");
    CHECK(CookieValue("a=1; jejak_session=abc", "jejak_session") == "abc");
}

}  // namespace
}  // namespace jejak::testing
