// Shared formatting of times and signal levels (cli_format.h).
#include "platform/cli/cli_format.h"

#include <charconv>
#include <cstdio>
#include <ctime>

#include "platform/base/civil_date.h"

namespace jejak {

std::string IsoTime(int64_t unix_s, bool local) {
    const auto t = static_cast<std::time_t>(unix_s);
    std::tm tm{};
    char buf[40];
    if (!local) return IsoUtcSeconds(unix_s);
    localtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    const long off = tm.tm_gmtoff;
    const long mag = off < 0 ? -off : off;
    char zone[48];
    std::snprintf(zone, sizeof zone, "%c%02ld:%02ld", off < 0 ? '-' : '+', mag / 3600,
                  (mag % 3600) / 60);
    return std::string(buf) + zone;
}

std::string IsoTimeMicros(int64_t unix_us, bool local) {
    int64_t seconds = unix_us / 1000000;
    int64_t micros = unix_us % 1000000;
    if (micros < 0) {
        micros += 1000000;
        --seconds;
    }
    std::string iso = IsoTime(seconds, local);
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micros));
    iso.insert(19, frac);  // after "YYYY-MM-DDTHH:MM:SS"
    return iso;
}

std::string IsoDay(int64_t unix_s) { return IsoTime(unix_s).substr(0, 10); }

std::optional<uint32_t> ParseIsoDay(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    auto number = [&](size_t at, size_t len) -> int {
        int v = 0;
        const char* first = text.data() + at;
        auto [ptr, ec] = std::from_chars(first, first + len, v);
        return ec == std::errc() && ptr == first + len ? v : -1;
    };
    const int y = number(0, 4), m = number(5, 2), d = number(8, 2);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    const std::time_t t = timegm(&tm);
    std::tm back{};
    gmtime_r(&t, &back);
    if (back.tm_mday != d || back.tm_mon != m - 1) return std::nullopt;  // e.g. 2026-02-30
    return static_cast<uint32_t>(t / 86400);
}

std::string RssiText(int rssi_dbm) { return rssi_dbm == 127 ? "n/a" : std::to_string(rssi_dbm); }

}  // namespace jejak
