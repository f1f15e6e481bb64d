// Page bodies of the console.
#include "authority/console/console_pages.h"

#include <algorithm>

#include "authority/console/console_html.h"
#include "authority/publish_rules.h"
#include "platform/base/civil_date.h"

namespace jejak::authority {
namespace {

std::string ErrorLine(const std::string& error) {
    return error.empty() ? "" : "<p class=\"error\" role=\"alert\">" + HtmlEscape(error) + "</p>";
}
std::string NoteLine(const std::string& note) {
    return note.empty() ? "" : "<p role=\"status\">" + HtmlEscape(note) + "</p>";
}
std::string Day(int64_t unix_s) { return FormatIsoDate(UtcDayStart(unix_s) / 86400); }

}  // namespace

std::string CodeStatus(const IssuedCodeRecord& c, int64_t now) {
    if (c.revoked_at) return "revoked";
    if (c.claimed_at) return "claimed";
    if (c.expires_at <= now) return "expired";
    return "issued";
}

std::string LoginBody(const std::string& csrf, const std::string& error) {
    return ErrorLine(error) +
           "<form method=\"post\" action=\"/console/login\">" + CsrfField(csrf) +
           "<label for=\"user\">User name</label>"
           "<input id=\"user\" name=\"user\" autocomplete=\"username\" required autofocus>"
           "<label for=\"password\">Password</label>"
           "<input id=\"password\" name=\"password\" type=\"password\" "
           "autocomplete=\"current-password\" required>"
           "<button type=\"submit\">Sign in</button></form>";
}

std::string IssueFormBody(const std::string& csrf, const std::string& today,
                          const std::string& error) {
    const std::string max = HtmlEscape(today);
    return ErrorLine(error) +
           "<form method=\"post\" action=\"/console/issue\">" + CsrfField(csrf) +
           "<label for=\"type\">Diagnosis</label><select id=\"type\" name=\"type\">"
           "<option value=\"confirmed\">Confirmed (positive test)</option>"
           "<option value=\"likely\">Likely (clinical diagnosis)</option></select>"
           "<label for=\"test_date\">Test date</label>"
           "<input id=\"test_date\" name=\"test_date\" type=\"date\" max=\"" + max + "\" required>"
           "<label for=\"onset\">Symptom onset (optional)</label>"
           "<input id=\"onset\" name=\"onset\" type=\"date\" max=\"" + max + "\">"
           "<label for=\"kind\">Delivery</label><select id=\"kind\" name=\"kind\">"
           "<option value=\"short\">Read out on the phone (short code, 1 hour)</option>"
           "<option value=\"long\">Sent by SMS link (long code, 24 hours)</option></select>"
           "<button type=\"submit\">Issue code</button></form>";
}

std::string IssuedBody(const std::string& code, const std::string& type, int64_t expires_at,
                       const std::string& sms_text, const std::string& qr_svg) {
    return "<p>Give this code to the patient now. It is shown only once and works once.</p>"
           "<p class=\"code\" id=\"code\" aria-label=\"Verification code\">" + HtmlEscape(code) +
           "</p><p>Type <strong id=\"code-type\">" + HtmlEscape(type) +
           "</strong>, expires <time id=\"code-expiry\">" + HtmlEscape(IsoUtcSeconds(expires_at)) +
           "</time>.</p>" + qr_svg +
           "<label for=\"sms\">SMS text (no phone number is kept)</label>"
           "<textarea id=\"sms\" rows=\"3\" readonly>" + HtmlEscape(sms_text) + "</textarea>"
           "<p><a href=\"/console/issue\">Issue another code</a> · "
           "<a href=\"/console/codes\">Recent codes</a></p>";
}

std::string CodesBody(const std::string& csrf, const std::vector<IssuedCodeRecord>& codes,
                      int64_t now, bool show_issuer, const std::string& note) {
    std::string out = NoteLine(note);
    if (codes.empty()) return out + "<p>No codes issued yet.</p>";
    out += "<table><caption>Newest first</caption><thead><tr><th scope=\"col\">#</th>";
    if (show_issuer) out += "<th scope=\"col\">Issuer</th>";
    out += "<th scope=\"col\">Type</th><th scope=\"col\">Test date</th><th scope=\"col\">Issued</th>"
           "<th scope=\"col\">Status</th><th scope=\"col\">Action</th></tr></thead><tbody>";
    for (const IssuedCodeRecord& c : codes) {
        const std::string status = CodeStatus(c, now), id = std::to_string(c.id);
        out += "<tr id=\"code-" + id + "\"><td>" + id + "</td>";
        if (show_issuer) out += "<td>" + HtmlEscape(c.issuer) + "</td>";
        out += "<td>" + HtmlEscape(c.test_type) + "</td><td>" + HtmlEscape(c.test_date) +
               "</td><td>" + HtmlEscape(IsoUtcSeconds(c.issued_at)) + "</td><td class=\"status status-" +
               status + "\">" + status + "</td><td>";
        if (status == "issued") {
            out += "<form method=\"post\" action=\"/console/revoke\">" + CsrfField(csrf) +
                   "<input type=\"hidden\" name=\"id\" value=\"" + id + "\">"
                   "<button type=\"submit\" aria-label=\"Revoke code " + id + "\">Revoke</button></form>";
        }
        out += "</td></tr>";
    }
    return out + "</tbody></table>";
}

std::string FiguresBody(const std::vector<DayFigures>& days,
                        const std::vector<AuditEntry>& audit) {
    std::string out;
    if (!days.empty()) {
        const DayFigures& t = days.back();
        out += "<h2>Today (" + Day(t.day_start) + ", UTC)</h2><ul id=\"today\">"
               "<li>Codes issued: <strong>" + std::to_string(t.issued) + "</strong></li>"
               "<li>Codes claimed: <strong>" + std::to_string(t.claimed) + "</strong></li>"
               "<li>Keys published: <strong>" + std::to_string(t.keys_published) + "</strong></li>"
               "<li>Exports written: <strong>" + std::to_string(t.exports) + "</strong></li>"
               "<li>Refused guesses: <strong>" + std::to_string(t.refused_guesses) +
               "</strong></li></ul>";
    }
    int64_t top = 1;
    for (const DayFigures& d : days) top = std::max({top, d.issued, d.claimed});
    const int w = 24, h = 120;
    std::string bars;
    for (size_t i = 0; i < days.size(); ++i) {
        const auto bar = [&](int64_t v, int dx, const char* cls) {
            const int64_t bh = v * h / top;
            bars += "<rect class=\"" + std::string(cls) + "\" x=\"" +
                    std::to_string(static_cast<int>(i) * w + dx) + "\" y=\"" +
                    std::to_string(h - bh) + "\" width=\"10\" height=\"" + std::to_string(bh) + "\"/>";
        };
        bar(days[i].issued, 1, "issued");
        bar(days[i].claimed, 12, "claimed");
        bars += "<text x=\"" + std::to_string(static_cast<int>(i) * w + 2) + "\" y=\"" +
                std::to_string(h + 12) + "\">" + Day(days[i].day_start).substr(8) + "</text>";
    }
    out += "<h2>Last " + std::to_string(days.size()) + " days</h2>"
           "<p>Blue: codes issued; green: codes claimed (the table below has every figure).</p>"
           "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
           "aria-label=\"Codes issued and claimed per day\" viewBox=\"0 0 " +
           std::to_string(static_cast<int>(days.size()) * w) + " " + std::to_string(h + 16) +
           "\">" + bars + "</svg>";
    out += "<table><thead><tr><th scope=\"col\">Day</th><th scope=\"col\">Issued</th>"
           "<th scope=\"col\">Claimed</th><th scope=\"col\">Keys</th><th scope=\"col\">Exports</th>"
           "<th scope=\"col\">Refused guesses</th></tr></thead><tbody>";
    for (auto it = days.rbegin(); it != days.rend(); ++it) {
        out += "<tr><td>" + Day(it->day_start) + "</td><td>" + std::to_string(it->issued) +
               "</td><td>" + std::to_string(it->claimed) + "</td><td>" +
               std::to_string(it->keys_published) + "</td><td>" + std::to_string(it->exports) +
               "</td><td>" + std::to_string(it->refused_guesses) + "</td></tr>";
    }
    out += "</tbody></table><h2>Audit log (newest first)</h2><table><thead><tr>"
           "<th scope=\"col\">When</th><th scope=\"col\">Who</th><th scope=\"col\">What</th>"
           "<th scope=\"col\">Detail</th></tr></thead><tbody>";
    for (const AuditEntry& e : audit) {
        out += "<tr><td>" + HtmlEscape(IsoUtcSeconds(e.at)) + "</td><td>" + HtmlEscape(e.actor) +
               "</td><td>" + HtmlEscape(e.action) + "</td><td>" + HtmlEscape(e.detail) + "</td></tr>";
    }
    return out + "</tbody></table>";
}

std::string UsersBody(const std::string& csrf, const std::vector<StaffUser>& users,
                      const std::string& note) {
    std::string out = NoteLine(note) +
                      "<table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Role</th>"
                      "<th scope=\"col\">State</th><th scope=\"col\">Action</th></tr></thead><tbody>";
    for (const StaffUser& u : users) {
        out += "<tr><td>" + HtmlEscape(u.name) + "</td><td>" + HtmlEscape(u.role) + "</td><td>" +
               (u.disabled ? "disabled" : "active") + "</td><td>";
        if (!u.disabled) {
            out += "<form method=\"post\" action=\"/console/users/disable\">" + CsrfField(csrf) +
                   "<input type=\"hidden\" name=\"user\" value=\"" + HtmlEscape(u.name) +
                   "\"><button type=\"submit\">Disable</button></form>";
        }
        out += "</td></tr>";
    }
    out += "</tbody></table><h2>Add a user</h2>"
           "<form method=\"post\" action=\"/console/users/add\">" + CsrfField(csrf) +
           "<label for=\"new-user\">User name</label>"
           "<input id=\"new-user\" name=\"user\" autocomplete=\"off\" required "
           "pattern=\"[a-z0-9._-]{1,64}\">"
           "<label for=\"new-role\">Role</label><select id=\"new-role\" name=\"role\">"
           "<option value=\"issuer\">issuer</option><option value=\"admin\">admin</option></select>"
           "<label for=\"new-password\">Password (at least 12 characters)</label>"
           "<input id=\"new-password\" name=\"password\" type=\"password\" "
           "autocomplete=\"new-password\" minlength=\"12\" required>"
           "<button type=\"submit\">Add user</button></form>";
    return out;
}

}  // namespace jejak::authority
