// The console's routes, sessions, CSRF checks, roles and audit trail (console_service.h).
#include "authority/console/console_service.h"

#include <algorithm>

#include "platform/base/base64.h"
#include "authority/console/console_pages.h"
#include "authority/console/console_qr.h"
#include "authority/publish_rules.h"
#include "crypto/kdf.h"
#include "crypto/secret.h"

namespace jejak::authority {
namespace {

constexpr char kSessionCookie[] = "jejak_session";
constexpr char kLoginCookie[] = "jejak_login";
constexpr size_t kRecentCodes = 50;

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders() {
    static const std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Security-Policy",
         "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
         "frame-ancestors 'none'; base-uri 'none'"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
        {"Cache-Control", "no-store"},
    };
    return headers;
}

std::string Cookie(const std::string& name, const std::string& value, bool tls, bool clear) {
    return name + "=" + value + "; Path=/console; HttpOnly; SameSite=Strict" +
           (tls ? "; Secure" : "") + (clear ? "; Max-Age=0" : "");
}

bool ValidUserName(const std::string& name) {
    return !name.empty() && name.size() <= 64 &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                      c == '-';
           });
}

bool SameToken(const std::string& a, const std::string& b) {
    return a.size() == b.size() && !a.empty() && ConstantTimeEqual(a.data(), b.data(), a.size());
}

std::string Field(const std::map<std::string, std::string>& form, const std::string& name) {
    auto it = form.find(name);
    return it == form.end() ? "" : it->second;
}

}  // namespace

void WriteConsoleCounters(const ConsoleCounters& c, PrometheusWriter& out) {
    const auto one = [&](const char* name, const char* help, uint64_t v) {
        out.Family(name, "counter", help);
        out.Sample(name, {}, static_cast<double>(v));
    };
    one("jejak_authority_console_logins_total", "Console sign-ins.", c.logins);
    one("jejak_authority_console_login_failures_total", "Refused console sign-ins.",
        c.login_failures);
    one("jejak_authority_console_login_rate_limited_total",
        "Console sign-ins answered 429 (per address or the failure budget).",
        c.guard.rate_limited_verify + c.guard.failed_budget_refusals);
    one("jejak_authority_console_csrf_refusals_total", "Console forms without a valid token.",
        c.csrf_refusals);
}

ConsoleService::ConsoleService(const AuthorityState& state, AuthorityService& service,
                               ConsoleStore& store, const Clock& clock, RandomSource& random,
                               ConsoleSettings settings)
    : state_(state),
      service_(service),
      store_(store),
      clock_(clock),
      random_(random),
      settings_(std::move(settings)),
      guard_(state.settings().rate_limits, clock, counters_.guard, {}) {
    auto dummy = HashPassword("no such user: equal work", settings_.password_opslimit,
                              settings_.password_memlimit);
    if (dummy.ok()) dummy_hash_ = std::move(*dummy);
}

int64_t ConsoleService::Now() const { return clock_.NowUnixMicros() / 1000000; }

std::string ConsoleService::RandomToken() {
    uint8_t bytes[32];
    random_.Fill(bytes);
    std::string token = Base64Encode(bytes, Base64Alphabet::kUrl);
    SecureZero(bytes, sizeof bytes);
    return token;
}

std::string ConsoleService::Csrf(std::string_view purpose, std::string_view secret) const {
    const SecretHash h = state_.HashSecret("console csrf " + std::string(purpose) + " " +
                                          std::string(secret));
    return Base64Encode(h, Base64Alphabet::kUrl);
}

WebReply ConsoleService::Page(int status, std::string_view title, const std::optional<Session>& s,
                              const std::string& body) const {
    WebReply reply;
    reply.status = status;
    std::optional<PageUser> user;
    if (s) user = PageUser{s->user.name, s->user.role, s->csrf};
    reply.body = Layout(title, user, body);
    return reply;
}

WebReply ConsoleService::Redirect(const std::string& to) const {
    WebReply reply;
    reply.status = 303;
    reply.headers.push_back({"Location", to});
    return reply;
}

WebReply ConsoleService::Error(int status, const std::string& message,
                               const std::optional<Session>& s) const {
    return Page(status, status == 403 ? "Not allowed" : "Something went wrong", s,
                "<p class=\"error\" role=\"alert\">" + HtmlEscape(message) + "</p>");
}

void ConsoleService::AuditEvent(const std::string& actor, const std::string& action,
                                const std::string& detail) {
    (void)store_.Audit({Now(), actor, action, detail});  // a lost line must not lose the action
}

WebReply ConsoleService::Handle(const WebRequest& r) {
    WebReply reply;
    if (r.method != "POST" && r.path == "/console/style.css") {
        reply.content_type = "text/css; charset=utf-8";
        reply.body = std::string(Stylesheet());
    } else {
        std::optional<Session> session = FindSession(r);
        if (r.method == "POST") {
            Result<Form> form = ParseForm(r.body);
            const bool form_type =
                r.content_type.rfind("application/x-www-form-urlencoded", 0) == 0;
            reply = !form_type || !form.ok() ? Error(400, "The form could not be read.", session)
                                             : Post(r, session, *form);
        } else {
            reply = Route(r, session);
        }
    }
    for (const auto& h : SecurityHeaders()) reply.headers.push_back(h);
    if (r.method == "HEAD") reply.body.clear();
    return reply;
}

std::optional<ConsoleService::Session> ConsoleService::FindSession(const WebRequest& r) {
    const std::optional<std::string> token = CookieValue(r.cookie, kSessionCookie);
    if (!token || token->empty() || token->size() > 64) return std::nullopt;
    auto user = store_.TouchSession(state_.HashSecret("console session " + *token), Now(),
                                    settings_.idle_timeout_s, settings_.absolute_timeout_s);
    if (!user.ok() || !*user) return std::nullopt;
    return Session{std::move(**user), Csrf("session", *token)};
}

WebReply ConsoleService::Route(const WebRequest& r, const std::optional<Session>& s) {
    const std::string& p = r.path;
    if (p == "/console" || p == "/console/") return Redirect(s ? "/console/issue" : "/console/login");
    if (p == "/console/login") return s ? Redirect("/console/issue") : LoginPage(r, "");
    const bool known = p == "/console/issue" || p == "/console/codes" || p == "/console/admin" ||
                       p == "/console/users";
    if (!known) return Error(404, "No such page.", s);
    if (!s) return LoginPage(r, "Please sign in (a session ends after a while unused).", 401);
    if (p == "/console/issue") return IssuePage(*s, "");
    if (p == "/console/codes") return CodesPage(*s, "");
    if (s->user.role != kRoleAdmin) return Error(403, "This page is for administrators.", s);
    if (p == "/console/admin") return AdminPage(*s);
    return UsersPage(*s, "");
}

WebReply ConsoleService::Post(const WebRequest& r, const std::optional<Session>& s,
                              const Form& form) {
    if (r.path == "/console/login") {
        const std::optional<std::string> pre = CookieValue(r.cookie, kLoginCookie);
        if (!pre || !SameToken(Field(form, "csrf"), Csrf("login", *pre))) {
            ++counters_.csrf_refusals;
            return LoginPage(r, "The sign-in form expired or was not ours: please try again.", 403);
        }
        return Login(r, form);
    }
    if (!s) return LoginPage(r, "Please sign in (a session ends after a while unused).", 401);
    if (!SameToken(Field(form, "csrf"), s->csrf)) {
        ++counters_.csrf_refusals;
        AuditEvent(s->user.name, "csrf_refused", r.path);
        return Error(403, "The form was not sent from this console (missing or wrong form token).",
                     s);
    }
    if (r.path == "/console/logout") return Logout(r, *s);
    if (r.path == "/console/issue") return Issue(*s, form);
    if (r.path == "/console/revoke") return Revoke(*s, form);
    if (s->user.role != kRoleAdmin) return Error(403, "This action is for administrators.", s);
    if (r.path == "/console/users/add") return UserAdd(*s, form);
    if (r.path == "/console/users/disable") return UserDisable(*s, form);
    return Error(404, "No such page.", s);
}

WebReply ConsoleService::LoginPage(const WebRequest& r, const std::string& error, int status) {
    const std::string pre = RandomToken();
    WebReply reply = Page(status, "Sign in", std::nullopt, LoginBody(Csrf("login", pre), error));
    reply.headers.push_back({"Set-Cookie", Cookie(kLoginCookie, pre, r.tls, false)});
    return reply;
}

bool ConsoleService::PasswordMatches(const std::optional<StaffUser>& user,
                                     const std::string& password) {
    hashing_.acquire();
    bool ok = false;
    if (user) {
        ok = VerifyPassword(user->password_hash, password);
    } else {
        (void)VerifyPassword(dummy_hash_, password);
    }
    hashing_.release();
    return ok;
}

WebReply ConsoleService::Login(const WebRequest& r, const Form& form) {
    if (!guard_.Admit(Endpoint::kVerify, r.peer, std::nullopt) || !guard_.VerificationBudgetLeft()) {
        return LoginPage(r, "Too many sign-in attempts. Wait a few minutes and try again.", 429);
    }
    const std::string name = Field(form, "user");
    auto user = ValidUserName(name) ? store_.FindUser(name)
                                    : Result<std::optional<StaffUser>>(std::optional<StaffUser>());
    if (!user.ok()) return Error(500, "The console could not read its database.", std::nullopt);
    const bool match = PasswordMatches(*user, Field(form, "password"));
    if (!match || (*user)->disabled) {
        guard_.RecordFailedVerification();
        ++counters_.login_failures;
        // The name typed is recorded only when it is a user's (never a mistyped password).
        if (*user) AuditEvent((*user)->name, "login_failed", match ? "account disabled" : "");
        return LoginPage(r, "Wrong user name or password.", 401);
    }
    const std::string token = RandomToken();
    if (!store_.CreateSession(state_.HashSecret("console session " + token), (*user)->id, Now()).ok()) {
        return Error(500, "The console could not store the session.", std::nullopt);
    }
    ++counters_.logins;
    AuditEvent(name, "login", "");
    WebReply reply = Redirect("/console/issue");
    reply.headers.push_back({"Set-Cookie", Cookie(kSessionCookie, token, r.tls, false)});
    reply.headers.push_back({"Set-Cookie", Cookie(kLoginCookie, "", r.tls, true)});
    return reply;
}

WebReply ConsoleService::Logout(const WebRequest& r, const Session& s) {
    const std::optional<std::string> token = CookieValue(r.cookie, kSessionCookie);
    if (token) (void)store_.DeleteSession(state_.HashSecret("console session " + *token));
    AuditEvent(s.user.name, "logout", "");
    WebReply reply = Redirect("/console/login");
    reply.headers.push_back({"Set-Cookie", Cookie(kSessionCookie, "", r.tls, true)});
    return reply;
}

WebReply ConsoleService::IssuePage(const Session& s, const std::string& error, int status) {
    return Page(status, "Issue a verification code", s,
                IssueFormBody(s.csrf, FormatIsoDate(UtcDayStart(Now()) / 86400), error));
}

WebReply ConsoleService::Issue(const Session& s, const Form& form) {
    const std::string type = Field(form, "type"), test_date = Field(form, "test_date"),
                      onset = Field(form, "onset");
    if (type != "confirmed" && type != "likely") {
        return IssuePage(s, "Choose confirmed or likely.", 400);
    }
    if (test_date.empty()) return IssuePage(s, "Give the test date.", 400);
    const CodeKind kind = Field(form, "kind") == "long" ? CodeKind::kLong : CodeKind::kShort;
    Result<IssuedCode> issued = service_.IssueCode(type, onset, test_date, 0, kind);
    if (!issued.ok()) {
        if (issued.status().code() == StatusCode::kInvalidArgument) {
            std::string m = issued.status().message();
            for (const auto& [flag, label] : {std::pair{"--onset", "Symptom onset"},
                                              std::pair{"--test-date", "Test date"}}) {
                if (m.rfind(flag, 0) == 0) m = label + m.substr(std::string(flag).size());
            }
            return IssuePage(s, m, 400);
        }
        return Error(500, "The code could not be stored.", s);
    }
    const CodeClaims claims{type, onset, test_date};
    const int64_t now = Now();
    Result<int64_t> id = store_.RecordIssuedCode(state_.HashSecret(issued->code), s.user.name,
                                                 claims, now, issued->expires_at);
    const std::string record = id.ok() ? "#" + std::to_string(*id) : "(not recorded)";
    AuditEvent(s.user.name, "issue", "code " + record + " " + type + " test " + test_date +
                                         (kind == CodeKind::kLong ? " long" : " short"));
    const std::string link = settings_.link_prefix + issued->code;
    const std::string sms = "Your health authority: open this link to notify your contacts "
                            "anonymously with Jejak: " + link;
    Result<std::string> qr = QrSvg(link, "QR code of the link for this verification code");
    WebReply reply = Page(200, "Verification code", s,
                          IssuedBody(issued->code, type, issued->expires_at, sms,
                                     qr.ok() ? *qr : ""));
    SecureZero(issued->code.data(), issued->code.size());
    return reply;
}

WebReply ConsoleService::CodesPage(const Session& s, const std::string& note, int status) {
    const bool admin = s.user.role == kRoleAdmin;
    auto codes = store_.RecentCodes(admin ? "" : s.user.name, kRecentCodes);
    if (!codes.ok()) return Error(500, "The console could not read its database.", s);
    return Page(status, admin ? "Recent codes (everyone's)" : "Your recent codes", s,
                CodesBody(s.csrf, *codes, Now(), admin, note));
}

WebReply ConsoleService::Revoke(const Session& s, const Form& form) {
    int64_t id = 0;
    const std::string text = Field(form, "id");
    if (text.empty() || text.size() > 18 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return CodesPage(s, "No such code.", 400);
    }
    id = std::stoll(text);
    const Status st = store_.RevokeCode(id, s.user.role == kRoleAdmin ? "" : s.user.name, Now());
    if (!st.ok()) {
        const int code = st.code() == StatusCode::kNotFound ? 404
                         : st.code() == StatusCode::kFailedPrecondition ? 409 : 500;
        return CodesPage(s, code == 500 ? "The code could not be revoked." : st.message() + ".", code);
    }
    AuditEvent(s.user.name, "revoke", "code #" + text);
    return CodesPage(s, "Code #" + text + " revoked: it can no longer be used.");
}

WebReply ConsoleService::AdminPage(const Session& s) {
    auto days = store_.Figures(UtcDayStart(Now()), 14);
    auto audit = store_.RecentAudit(30);
    if (!days.ok() || !audit.ok()) return Error(500, "The console could not read its database.", s);
    return Page(200, "Figures", s, FiguresBody(*days, *audit));
}

WebReply ConsoleService::UsersPage(const Session& s, const std::string& note, int status) {
    auto users = store_.ListUsers();
    if (!users.ok()) return Error(500, "The console could not read its database.", s);
    return Page(status, "Users", s, UsersBody(s.csrf, *users, note));
}

WebReply ConsoleService::UserAdd(const Session& s, const Form& form) {
    const std::string name = Field(form, "user"), role = Field(form, "role");
    std::string password = Field(form, "password");
    if (!ValidUserName(name)) return UsersPage(s, "User names are 1-64 of a-z 0-9 . _ -", 400);
    if (role != kRoleIssuer && role != kRoleAdmin) return UsersPage(s, "Choose a role.", 400);
    if (password.size() < 12) return UsersPage(s, "Passwords need at least 12 characters.", 400);
    hashing_.acquire();
    Result<std::string> hash =
        HashPassword(password, settings_.password_opslimit, settings_.password_memlimit);
    hashing_.release();
    SecureZero(password.data(), password.size());
    if (!hash.ok()) return UsersPage(s, "The password could not be hashed.", 500);
    const Status st = store_.AddUser(name, role, *hash, Now());
    if (!st.ok()) {
        return UsersPage(s, st.code() == StatusCode::kFailedPrecondition ? st.message() + "."
                                                                          : "The user could not be added.",
                         st.code() == StatusCode::kFailedPrecondition ? 409 : 500);
    }
    AuditEvent(s.user.name, "user_add", name + " as " + role);
    return UsersPage(s, "User " + name + " added.");
}

WebReply ConsoleService::UserDisable(const Session& s, const Form& form) {
    const std::string name = Field(form, "user");
    if (name == s.user.name) return UsersPage(s, "You cannot disable yourself.", 400);
    const Status st = store_.SetUserDisabled(name, true);
    if (!st.ok()) {
        return UsersPage(s, st.code() == StatusCode::kNotFound ? "No such user." : "Not changed.",
                         st.code() == StatusCode::kNotFound ? 404 : 500);
    }
    AuditEvent(s.user.name, "user_disable", name);
    return UsersPage(s, "User " + name + " disabled; their sessions ended.");
}

}  // namespace jejak::authority
