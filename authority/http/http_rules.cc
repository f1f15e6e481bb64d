#include "authority/http/http_rules.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace jejak::authority {
namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A whole decimal number (no sign, no blanks), or nullopt.
std::optional<uint64_t> Decimal(std::string_view s) {
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool NameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_';
}

}  // namespace

RangeRequest ParseRange(std::string_view header, uint64_t size) {
    RangeRequest whole;
    header = Trim(header);
    if (header.substr(0, 6) != "bytes=") return whole;
    const std::string_view spec = Trim(header.substr(6));
    RangeRequest refused;
    refused.kind = RangeRequest::Kind::kUnsatisfiable;
    if (spec.find(',') != std::string_view::npos) return refused;  // several ranges
    const size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return whole;
    const std::string_view a = Trim(spec.substr(0, dash)), b = Trim(spec.substr(dash + 1));
    RangeRequest one;
    one.kind = RangeRequest::Kind::kOne;
    if (a.empty()) {  // the last N bytes
        const auto n = Decimal(b);
        if (!n) return whole;
        if (*n == 0 || size == 0) return refused;
        one.first = *n >= size ? 0 : size - *n;
        one.last = size - 1;
        return one;
    }
    const auto first = Decimal(a);
    const auto last = b.empty() ? std::optional<uint64_t>(UINT64_MAX) : Decimal(b);
    if (!first || !last || *last < *first) return whole;
    if (*first >= size) return refused;
    one.first = *first;
    one.last = *last >= size ? size - 1 : *last;
    return one;
}

std::string FileETag(uint64_t size, int64_t mtime_ns) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "\"%llx-%llx\"", static_cast<unsigned long long>(size),
                  static_cast<unsigned long long>(mtime_ns));
    return buf;
}

std::string HttpDate(int64_t unix_s) {
    const time_t t = static_cast<time_t>(unix_s);
    struct tm tm {};
    gmtime_r(&t, &tm);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                  tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
    text = Trim(text);
    if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") {
        return std::nullopt;
    }
    struct tm tm {};
    int month = -1;
    for (int m = 0; m < 12; ++m) {
        if (text.substr(8, 3) == kMonths[m]) month = m;
    }
    const auto num = [&](size_t at, size_t n) { return Decimal(text.substr(at, n)); };
    const auto day = num(5, 2), year = num(12, 4), h = num(17, 2), mi = num(20, 2), s = num(23, 2);
    if (month < 0 || !day || !year || !h || !mi || !s || text[7] != ' ' || text[11] != ' ' ||
        text[16] != ' ' || text[19] != ':' || text[22] != ':' || *h > 23 || *mi > 59 || *s > 60) {
        return std::nullopt;
    }
    tm.tm_mday = static_cast<int>(*day);
    tm.tm_mon = month;
    tm.tm_year = static_cast<int>(*year) - 1900;
    tm.tm_hour = static_cast<int>(*h);
    tm.tm_min = static_cast<int>(*mi);
    tm.tm_sec = static_cast<int>(*s);
    return static_cast<int64_t>(timegm(&tm));
}

bool NotModified(std::string_view if_none_match, std::string_view if_modified_since,
                 const std::string& etag, int64_t mtime_s) {
    if (!Trim(if_none_match).empty()) {
        std::string_view rest = if_none_match;
        while (!rest.empty()) {
            const size_t comma = rest.find(',');
            std::string_view tag = Trim(rest.substr(0, comma));
            if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);  // weak comparison
            if (tag == "*" || tag == etag) return true;
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
        return false;
    }
    const auto since = ParseHttpDate(if_modified_since);
    return since && mtime_s <= *since;
}

bool IsLoopbackHost(const std::string& host) {
    if (host == "localhost") return true;
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6) != 1) return false;
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

bool SafeExportPath(std::string_view relative) {
    if (relative.empty()) return false;
    while (!relative.empty()) {
        const size_t slash = relative.find('/');
        const std::string_view name = relative.substr(0, slash);
        if (name.empty() || name.front() == '.') return false;
        for (char c : name) {
            if (!NameChar(c)) return false;
        }
        if (slash == std::string_view::npos) break;
        relative.remove_prefix(slash + 1);
        if (relative.empty()) return false;  // a trailing slash
    }
    return true;
}

}  // namespace jejak::authority
