// The console's HTML building blocks: escaping, form and cookie parsing (untrusted bytes:
// malformed input is refused, never trusted), the page layout and the stylesheet. Pure
// functions, no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "platform/base/status.h"

namespace jejak::authority {

std::string HtmlEscape(std::string_view text);

// application/x-www-form-urlencoded: at most 32 fields, names and values of at most 2000
// bytes; a repeated name keeps its first value. InvalidArgument for a bad %-escape or
// more than that.
Result<std::map<std::string, std::string>> ParseForm(std::string_view body);

// The value of cookie `name` in a Cookie header, if present.
std::optional<std::string> CookieValue(std::string_view header, std::string_view name);

// The signed-in user as the layout shows it.
struct PageUser {
    std::string name;
    std::string role;
    std::string csrf;  // the session's CSRF token (for the sign-out form)
};

// A whole page: <title>, a skip link, the navigation for `user` (none when signed out), a
// <main> holding `body`.
std::string Layout(std::string_view title, const std::optional<PageUser>& user,
                   std::string_view body);

// The hidden CSRF field of a form.
std::string CsrfField(std::string_view token);

// /console/style.css.
std::string_view Stylesheet();

}  // namespace jejak::authority
