// The staff console at /console/: case workers sign in, issue verification codes (shown
// once, large, with a QR of the SMS link), see and revoke their recent codes; admins also
// see the daily figures and manage users. Server-rendered HTML, no script.
//
// Security, in one place:
//   - sessions: a random 32-byte cookie `jejak_session` (HttpOnly, SameSite=Strict, Path
//     /console, Secure under TLS), stored only as its HMAC in the ConsoleStore (several
//     instances share it), with an idle and an absolute expiry; sign-out deletes it;
//   - CSRF: every POST carries a token derived from the session (HMAC under the authority's
//     hashing secret), compared in constant time; the sign-in form's token is bound to a
//     pre-session cookie the same way;
//   - sign-in attempts pass a RequestGuard like /api/verify's (per address, and a global
//     budget of failures); passwords are Argon2id (crypto/hkdf.h), checked at most two at a
//     time so a burst cannot take the server's memory; an unknown name costs the same work;
//   - roles: an issuer sees and revokes only its own codes; admin pages answer 403 to it;
//   - every sign-in (and failure), sign-out, issue, revoke and user change is audited; the
//     code itself is never stored, logged or shown again after the page that issued it;
//   - every reply: Content-Security-Policy default-src 'none' (style and images from self
//     only, forms to self, no frames), nosniff, no-referrer, Cache-Control no-store.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <semaphore>
#include <string>

#include "authority/authority_state.h"
#include "authority/console/console_html.h"
#include "authority/counters.h"
#include "authority/http/http_server.h"
#include "authority/metrics/prometheus_text.h"
#include "authority/rate_limit.h"
#include "authority/service.h"
#include "authority/store/console_store.h"
#include "crypto/random.h"
#include "platform/base/clock.h"

namespace jejak::authority {

struct ConsoleSettings {
    int64_t idle_timeout_s = 30 * 60;
    int64_t absolute_timeout_s = 12 * 3600;
    // The SMS link of a code: this prefix + the code (the GAEN "Express" app link form).
    std::string link_prefix = "ens://v?c=";
    // Argon2id limits for passwords set in the console (the CLI uses the same defaults).
    uint64_t password_opslimit = 2;
    size_t password_memlimit = size_t{64} << 20;
};

// What the console counts (read by /metrics).
struct ConsoleCounters {
    std::atomic<uint64_t> logins{0};
    std::atomic<uint64_t> login_failures{0};
    std::atomic<uint64_t> csrf_refusals{0};
    AuthorityCounters guard;  // the sign-in RequestGuard's (rate_limited_verify: refused)
};

// jejak_authority_console_{logins,login_failures,login_rate_limited,csrf_refusals}_total.
void WriteConsoleCounters(const ConsoleCounters& c, PrometheusWriter& out);

class ConsoleService {
public:
    // Everything must outlive the service. `service` issues the codes (its counters and
    // event sink count them like issue-code's).
    ConsoleService(const AuthorityState& state, AuthorityService& service, ConsoleStore& store,
                   const Clock& clock, RandomSource& random, ConsoleSettings settings = {});

    // The WebHandler of /console and below. Thread-safe.
    WebReply Handle(const WebRequest& request);

    const ConsoleCounters& counters() const { return counters_; }

private:
    struct Session {
        SessionUser user;
        std::string csrf;
    };
    using Form = std::map<std::string, std::string>;

    WebReply Route(const WebRequest& r, const std::optional<Session>& session);
    WebReply Post(const WebRequest& r, const std::optional<Session>& session, const Form& form);
    WebReply LoginPage(const WebRequest& r, const std::string& error, int status = 200);
    WebReply Login(const WebRequest& r, const Form& form);
    WebReply Logout(const WebRequest& r, const Session& s);
    WebReply IssuePage(const Session& s, const std::string& error, int status = 200);
    WebReply Issue(const Session& s, const Form& form);
    WebReply CodesPage(const Session& s, const std::string& note, int status = 200);
    WebReply Revoke(const Session& s, const Form& form);
    WebReply AdminPage(const Session& s);
    WebReply UsersPage(const Session& s, const std::string& note, int status = 200);
    WebReply UserAdd(const Session& s, const Form& form);
    WebReply UserDisable(const Session& s, const Form& form);

    std::optional<Session> FindSession(const WebRequest& r);
    bool PasswordMatches(const std::optional<StaffUser>& user, const std::string& password);
    std::string Csrf(std::string_view purpose, std::string_view secret) const;
    std::string RandomToken();
    WebReply Page(int status, std::string_view title, const std::optional<Session>& s,
                  const std::string& body) const;
    WebReply Redirect(const std::string& to) const;
    WebReply Error(int status, const std::string& message, const std::optional<Session>& s) const;
    void AuditEvent(const std::string& actor, const std::string& action, const std::string& detail);
    int64_t Now() const;

    const AuthorityState& state_;
    AuthorityService& service_;
    ConsoleStore& store_;
    const Clock& clock_;
    RandomSource& random_;
    const ConsoleSettings settings_;
    ConsoleCounters counters_;
    RequestGuard guard_;
    std::counting_semaphore<2> hashing_{2};
    std::string dummy_hash_;  // checked for an unknown name, so it costs what a known one does
};

}  // namespace jejak::authority
