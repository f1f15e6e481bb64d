// HTML helpers of the console.
#include "authority/console/console_html.h"

namespace jejak::authority {
namespace {

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Result<std::string> UrlDecode(std::string_view in) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%') {
            if (i + 2 >= in.size()) {
                return Status::InvalidArgument("form: truncated %-escape");
            }
            const int hi = HexDigit(in[i + 1]), lo = HexDigit(in[i + 2]);
            if (hi < 0 || lo < 0) return Status::InvalidArgument("form: bad %-escape");
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

Result<std::map<std::string, std::string>> ParseForm(std::string_view body) {
    std::map<std::string, std::string> out;
    size_t fields = 0;
    while (!body.empty()) {
        const size_t amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (pair.empty()) continue;
        if (++fields > 32) return Status::InvalidArgument("form: too many fields");
        const size_t eq = pair.find('=');
        JEJAK_ASSIGN_OR_RETURN(std::string name, UrlDecode(pair.substr(0, eq)));
        JEJAK_ASSIGN_OR_RETURN(std::string value, UrlDecode(eq == std::string_view::npos
                                                                ? std::string_view()
                                                                : pair.substr(eq + 1)));
        if (name.size() > 2000 || value.size() > 2000) {
            return Status::InvalidArgument("form: field too long");
        }
        out.emplace(std::move(name), std::move(value));
    }
    return out;
}

std::optional<std::string> CookieValue(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const size_t semi = header.find(';');
        std::string_view item = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        const size_t eq = item.find('=');
        if (eq != std::string_view::npos && item.substr(0, eq) == name) {
            return std::string(item.substr(eq + 1));
        }
    }
    return std::nullopt;
}

std::string CsrfField(std::string_view token) {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + HtmlEscape(token) + "\">";
}

std::string Layout(std::string_view title, const std::optional<PageUser>& user,
                   std::string_view body) {
    std::string nav;
    if (user) {
        nav = "<nav aria-label=\"Console\"><ul><li><a href=\"/console/issue\">Issue a code</a></li>"
              "<li><a href=\"/console/codes\">Recent codes</a></li>";
        if (user->role == "admin") {
            nav += "<li><a href=\"/console/admin\">Figures</a></li>"
                   "<li><a href=\"/console/users\">Users</a></li>";
        }
        nav += "</ul><form method=\"post\" action=\"/console/logout\" class=\"signout\">" +
               CsrfField(user->csrf) + "<span>" + HtmlEscape(user->name) + " (" +
               HtmlEscape(user->role) + ")</span> <button type=\"submit\">Sign out</button></form></nav>";
    }
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<title>" + HtmlEscape(title) + " - Jejak health authority</title>"
           "<link rel=\"stylesheet\" href=\"/console/style.css\"></head><body>"
           "<a class=\"skip\" href=\"#main\">Skip to content</a>"
           "<header><p class=\"brand\">Jejak health authority</p>" + nav + "</header>"
           "<main id=\"main\"><h1>" + HtmlEscape(title) + "</h1>" + std::string(body) +
           "</main></body></html>\n";
}

std::string_view Stylesheet() {
    return R"css(:root{--fg:#111;--bg:#fff;--accent:#0b5394;--muted:#555;--ok:#1b6e20;--bad:#a61b1b}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#0b2e4f;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
header a,header span{color:#fff}
.brand{font-weight:700;margin:0}
nav{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:0}
main{max-width:48rem;margin:0 auto;padding:1rem}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;color:#000;padding:.5rem}
label{display:block;font-weight:600;margin-top:.75rem}
input,select,button,textarea{font:inherit;padding:.5rem;min-height:2.75rem}
input,select,textarea{width:100%;border:2px solid #444;border-radius:4px}
button{background:var(--accent);color:#fff;border:0;border-radius:4px;padding:.5rem 1rem;cursor:pointer;margin-top:1rem}
.signout button{margin-top:0;background:#fff;color:#0b2e4f}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.code{font:700 2.5rem/1.2 ui-monospace,monospace;letter-spacing:.15em;word-break:break-all;background:#eef4fb;padding:1rem;border-radius:6px}
.qr{width:14rem;height:14rem;display:block;margin:1rem 0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ccc}
.status-claimed{color:var(--ok);font-weight:700}.status-revoked,.status-expired{color:var(--muted)}
.error{color:var(--bad);font-weight:700;border-left:4px solid var(--bad);padding-left:.5rem}
.chart{width:100%;max-height:12rem}.chart rect.issued{fill:#0b5394}.chart rect.claimed{fill:#1b6e20}
.chart text{font-size:10px;fill:#333}
td form button{margin:0}
)css";
}

}  // namespace jejak::authority
