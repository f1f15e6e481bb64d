#include "platform/base/civil_date.h"

#include <ctime>

namespace jejak {

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool IsValidCivilDate(int64_t y, int64_t m, int64_t d) {
    if (m < 1 || m > 12 || d < 1) return false;
    const int64_t next_month = m == 12 ? DaysFromCivil(y + 1, 1, 1) : DaysFromCivil(y, m + 1, 1);
    return DaysFromCivil(y, m, 1) + d - 1 < next_month;
}

namespace {

// strftime of unix_s in UTC; "?" for a time the C library cannot break down.
std::string FormatUtc(int64_t unix_s, const char* format) {
    const time_t t = static_cast<time_t>(unix_s);
    struct tm tm_utc = {};
    char buf[40] = "?";
    if (gmtime_r(&t, &tm_utc) != nullptr) strftime(buf, sizeof buf, format, &tm_utc);
    return buf;
}

}  // namespace

std::string IsoUtcSeconds(int64_t unix_s) { return FormatUtc(unix_s, "%Y-%m-%dT%H:%M:%SZ"); }

std::string IsoUtcDate(int64_t unix_s) { return FormatUtc(unix_s, "%Y-%m-%d"); }

}  // namespace jejak
