// Waypoint files: strict parsing and linear interpolation.
#include "platform/sim/sim_path.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>

#include "platform/base/civil_date.h"

namespace jejak {
namespace {

template <typename T>
bool ParseWhole(std::string_view text, T& out) {
    if (text.empty()) return false;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

std::optional<int64_t> ParseIsoUtc(std::string_view t) {
    // YYYY-MM-DDTHH:MM:SSZ: exactly 20 characters.
    if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
        t[16] != ':' || t[19] != 'Z') {
        return std::nullopt;
    }
    int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!ParseWhole(t.substr(0, 4), y) || !ParseWhole(t.substr(5, 2), mo) ||
        !ParseWhole(t.substr(8, 2), d) || !ParseWhole(t.substr(11, 2), h) ||
        !ParseWhole(t.substr(14, 2), mi) || !ParseWhole(t.substr(17, 2), s)) {
        return std::nullopt;
    }
    if (y < 1970 || h > 23 || mi > 59 || s > 59 || !IsValidCivilDate(y, mo, d)) return std::nullopt;
    return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

bool ParseCoordinate(std::string_view text, double& out) {
    return ParseWhole(text, out) && std::isfinite(out) && std::fabs(out) <= kMaxSimCoordinateM;
}

std::vector<std::string_view> Fields(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

}  // namespace

Result<int64_t> ParseSimTime(std::string_view text) {
    if (std::optional<int64_t> iso = ParseIsoUtc(text)) return *iso;
    int64_t seconds = 0;
    if (ParseWhole(text, seconds) && seconds >= 0 && seconds <= (int64_t{1} << 40)) return seconds;
    return Status::InvalidArgument("time '" + std::string(text) +
                                   "' is neither YYYY-MM-DDTHH:MM:SSZ nor Unix seconds");
}

Result<SimPath> SimPath::FromWaypoints(std::vector<SimWaypoint> waypoints) {
    if (waypoints.size() > kMaxSimWaypoints) {
        return Status::InvalidArgument("more than " + std::to_string(kMaxSimWaypoints) +
                                       " waypoints");
    }
    for (size_t i = 0; i < waypoints.size(); ++i) {
        const SimWaypoint& w = waypoints[i];
        if (!std::isfinite(w.x_m) || !std::isfinite(w.y_m) ||
            std::fabs(w.x_m) > kMaxSimCoordinateM || std::fabs(w.y_m) > kMaxSimCoordinateM) {
            return Status::InvalidArgument("waypoint " + std::to_string(i + 1) +
                                           ": coordinates must be finite metres within 1e6");
        }
        if (i > 0 && w.unix_micros <= waypoints[i - 1].unix_micros) {
            return Status::InvalidArgument("waypoint " + std::to_string(i + 1) +
                                           ": times must strictly increase");
        }
    }
    return SimPath(std::move(waypoints));
}

Result<SimPath> SimPath::Parse(std::string_view text, std::string_view name) {
    std::vector<SimWaypoint> points;
    size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const auto bad = [&](const std::string& why) {
            return Status::InvalidArgument("path " + std::string(name) + " line " +
                                           std::to_string(line_no) + ": " + why);
        };
        const std::vector<std::string_view> f = Fields(line);
        if (f.empty() || f[0].front() == '#') continue;
        if (f.size() != 3) return bad("expected 'TIME X Y', got " + std::to_string(f.size()) +
                                      " fields");
        Result<int64_t> t = ParseSimTime(f[0]);
        if (!t.ok()) return bad(t.status().message());
        SimWaypoint w;
        w.unix_micros = *t * 1000000;
        if (!ParseCoordinate(f[1], w.x_m) || !ParseCoordinate(f[2], w.y_m)) {
            return bad("X and Y must be finite metres within 1e6");
        }
        if (!points.empty() && w.unix_micros <= points.back().unix_micros) {
            return bad("time " + std::string(f[0]) + " does not come after the previous one");
        }
        if (points.size() == kMaxSimWaypoints) {
            return bad("more than " + std::to_string(kMaxSimWaypoints) + " waypoints");
        }
        points.push_back(w);
    }
    if (points.empty()) {
        return Status::InvalidArgument("path " + std::string(name) + ": no waypoints");
    }
    return SimPath(std::move(points));
}

Result<SimPath> SimPath::Load(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::IOError("path " + file + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return Status::IOError("path " + file + ": read error");
    return Parse(text.str(), file);
}

SimPoint SimPath::At(int64_t unix_micros) const {
    const auto& w = waypoints_;
    if (unix_micros <= w.front().unix_micros) return {w.front().x_m, w.front().y_m};
    if (unix_micros >= w.back().unix_micros) return {w.back().x_m, w.back().y_m};
    // First waypoint after t; t lies between it and the one before.
    const auto next = std::upper_bound(
        w.begin(), w.end(), unix_micros,
        [](int64_t t, const SimWaypoint& p) { return t < p.unix_micros; });
    const SimWaypoint& b = *next;
    const SimWaypoint& a = *(next - 1);
    const double f = static_cast<double>(unix_micros - a.unix_micros) /
                     static_cast<double>(b.unix_micros - a.unix_micros);
    return {a.x_m + (b.x_m - a.x_m) * f, a.y_m + (b.y_m - a.y_m) * f};
}

}  // namespace jejak
