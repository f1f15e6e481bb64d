#include "platform/http/http_date.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "platform/base/civil_date.h"

namespace jejak {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// `n` digits at `pos` of `s`, or -1.
int64_t Digits(std::string_view s, size_t pos, size_t n) {
    if (pos + n > s.size()) return -1;
    int64_t v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

template <size_t N>
int IndexOf(const std::array<std::string_view, N>& names, std::string_view s) {
    for (size_t i = 0; i < N; ++i) {
        if (names[i] == s) return static_cast<int>(i);
    }
    return -1;
}

}  // namespace

std::optional<int64_t> ParseHttpDate(std::string_view v) {
    // "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes, fixed positions.
    if (v.size() != 29 || v.substr(3, 2) != ", " || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' ||
        v[19] != ':' || v[22] != ':' || v.substr(25) != " GMT" || IndexOf(kDays, v.substr(0, 3)) < 0) {
        return std::nullopt;
    }
    const int month = IndexOf(kMonths, v.substr(8, 3)) + 1;
    const int64_t day = Digits(v, 5, 2), year = Digits(v, 12, 4);
    const int64_t h = Digits(v, 17, 2), m = Digits(v, 20, 2), s = Digits(v, 23, 2);
    if (month < 1 || day < 0 || year < 1970 || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 ||
        s > 60 || !IsValidCivilDate(year, month, day)) {
        return std::nullopt;
    }
    return DaysFromCivil(year, month, day) * 86400 + h * 3600 + m * 60 + std::min<int64_t>(s, 59);
}

std::string UrlOrigin(const std::string& url) {
    const size_t scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    const size_t end = url.find_first_of("/?#", scheme + 3);
    return url.substr(0, end);
}

std::optional<ServerDate> ReadServerDate(const HttpResponse& response, const std::string& url,
                                         int64_t received_unix_us) {
    const std::optional<int64_t> server = ParseHttpDate(response.date);
    if (!server) return std::nullopt;
    return ServerDate{*server, received_unix_us, UrlOrigin(url)};
}

double ClockOffsetSeconds(const ServerDate& d) {
    return static_cast<double>(d.received_unix_us) / 1e6 - (static_cast<double>(d.server_unix_s) + 0.5);
}

Result<HttpResponse> DateRecordingHttpClient::Get(const HttpRequest& request) {
    Result<HttpResponse> r = inner_.Get(request);
    if (r.ok()) {
        if (auto d = ReadServerDate(*r, request.url, clock_.NowUnixMicros())) last_ = std::move(d);
    }
    return r;
}

}  // namespace jejak
