// The picture of a day's contacts for a lay reader (encounters.h): plain SVG text, no
// dependencies. Closer is up; the vertical scale is attenuation, labelled only with rough
// distance bands (rough_distance.h). Marker and line points are thinned to a grid of
// kMarkerGridPx (markers) and kLineStepPx (line vertices) pixels per contact, so a busy day
// stays small.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>
#include <sstream>
#include <utility>

#include "agent/encounters/encounters.h"
#include "agent/exposure/rough_distance.h"

namespace jejak {
namespace {

constexpr double kWidth = 960;
constexpr double kLeft = 64, kRight = 150, kTop = 100, kPlotHeight = 280;
constexpr double kBottom = kTop + kPlotHeight;
constexpr double kLegendTop = kBottom + 64, kLegendRow = 18;
// Markers are drawn at the centres of a grid of this many pixels: a dot 7 px across at a cell's
// centre covers every sighting in the cell (at most 2.9 px away).
constexpr int kMarkerGridPx = 4;
constexpr int kMarkerWidthPx = 7;
constexpr int kLineStepPx = 2;  // one line vertex per this many pixels of time
constexpr std::array<const char*, 8> kColours{"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                              "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};

std::string XmlEscape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                // Control characters are not allowed in XML 1.0 text.
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
        }
    }
    return out;
}

std::string Num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

const char* Colour(const Contact& c) {
    return kColours[static_cast<size_t>(std::max(c.id, 1) - 1) % kColours.size()];
}

struct Frame {
    int64_t from = 0, to = 1;
    int min_db = 0;  // at the top: closer than anything drawn
    int max_db = 80;
    double X(int64_t t) const {
        return kLeft + (kWidth - kLeft - kRight) * static_cast<double>(t - from) /
                           static_cast<double>(to - from);
    }
    double Y(int db) const {
        return kTop + kPlotHeight * (std::clamp(db, min_db, max_db) - min_db) / (max_db - min_db);
    }
};

Frame MakeFrame(const std::vector<Contact>& contacts, const SvgOptions& options) {
    Frame f;
    const bool day = options.to_unix_s > options.from_unix_s;
    if (day) {
        f.from = options.from_unix_s;
        f.to = options.to_unix_s;
    }
    if (!contacts.empty()) {
        int64_t from = contacts.front().start_unix_s, to = from + 1;
        for (const Contact& c : contacts) {
            from = std::min(from, c.start_unix_s);
            to = std::max(to, c.end_unix_s);
        }
        const int64_t pad = std::max<int64_t>(300, (to - from) / 20);
        f.from = day ? std::max(f.from, from - pad) : from - pad;
        f.to = day ? std::min(f.to, to + pad) : to + pad;
    }
    int top = AttenuationAtMostMetres(0.5), bottom = AttenuationAtMostMetres(8);
    for (const Contact& c : contacts) {
        for (const AttenuationPoint& p : c.points) {
            top = std::min(top, p.typical_db);
            bottom = std::max(bottom, p.typical_db);
        }
    }
    f.min_db = std::max(0, top - 5) / 10 * 10;
    f.max_db = (bottom + 9) / 10 * 10;
    return f;
}

std::tm TimeParts(int64_t unix_s, bool local) {
    const auto t = static_cast<std::time_t>(unix_s);
    std::tm tm{};
    if (local)
        localtime_r(&t, &tm);
    else
        gmtime_r(&t, &tm);
    return tm;
}

std::string ClockLabel(int64_t unix_s, bool local) {
    const std::tm tm = TimeParts(unix_s, local);
    char buf[16];
    std::strftime(buf, sizeof buf, "%H:%M", &tm);
    return buf;
}

// "UTC" or "local time, UTC+08:00".
std::string TimeBase(int64_t unix_s, bool local) {
    if (!local) return "UTC";
    const long off = TimeParts(unix_s, true).tm_gmtoff;
    char buf[40];
    std::snprintf(buf, sizeof buf, "local time, UTC%c%02ld:%02ld", off < 0 ? '-' : '+',
                  std::abs(off) / 3600, std::abs(off) % 3600 / 60);
    return buf;
}

void Text(std::ostream& svg, double x, double y, int size, const std::string& text,
          const char* anchor = "start", const char* extra = "") {
    svg << "<text x=\"" << Num(x) << "\" y=\"" << Num(y) << "\" font-size=\"" << size
        << "\" text-anchor=\"" << anchor << "\"" << extra << ">" << XmlEscape(text) << "</text>\n";
}

std::string Metres(double m) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", m);
    return buf;
}

// The shaded close range of the rule and the line saying what it needs.
void RuleBand(std::ostream& svg, const Frame& f, const SvgRule& rule) {
    if (rule.close_up_to_db <= 0) return;
    svg << "<rect id=\"close-range\" x=\"" << Num(kLeft) << "\" y=\"" << Num(kTop) << "\" width=\""
        << Num(kWidth - kLeft - kRight) << "\" height=\"" << Num(f.Y(rule.close_up_to_db) - kTop)
        << "\" fill=\"#2ca02c\" fill-opacity=\"0.12\"/>\n";
    svg << "<g id=\"rule\">\n";
    Text(svg, kLeft, 62, 12,
         "Shaded: the close range of the default rule " + rule.name + " (about " +
             Metres(RoughDistanceMetres(rule.close_up_to_db)) + " m or closer).");
    Text(svg, kLeft, 78, 12,
         "It notifies only when one UTC day adds up to " + std::to_string(rule.minutes_per_day) +
             " minutes in this range.");
    svg << "</g>\n";
}

// Dashed borders of the rough distance bands, their words on the right.
void DrawDistanceBands(std::ostream& svg, const Frame& f) {
    int upper = 0;
    for (const DistanceBand& band : DistanceBands()) {
        const int lower = band.up_to_m > 0 ? AttenuationAtMostMetres(band.up_to_m) : f.max_db;
        if (band.up_to_m > 0 && lower < f.max_db) {
            svg << "<line x1=\"" << Num(kLeft) << "\" y1=\"" << Num(f.Y(lower)) << "\" x2=\""
                << Num(kWidth - kRight) << "\" y2=\"" << Num(f.Y(lower))
                << "\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n";
            Text(svg, kLeft - 6, f.Y(lower) + 4, 11,
                 std::to_string(static_cast<int>(band.up_to_m)) + " m", "end");
        }
        Text(svg, kWidth - kRight + 6, (f.Y(upper) + f.Y(std::min(lower, f.max_db))) / 2 + 4, 11,
             std::string(band.words), "start", " class=\"band\"");
        upper = lower;
        if (upper >= f.max_db) break;
    }
}

int64_t TickStep(const Frame& f) {
    constexpr std::array<int64_t, 10> kSteps{60,   300,  600,   900,   1800,
                                             3600, 7200, 10800, 21600, 43200};
    for (int64_t s : kSteps) {
        if ((f.to - f.from) / s <= 12) return s;
    }
    return kSteps.back();
}

void TimeAxis(std::ostream& svg, const Frame& f, const SvgOptions& options) {
    svg << "<line x1=\"" << Num(kLeft) << "\" y1=\"" << Num(kBottom) << "\" x2=\""
        << Num(kWidth - kRight) << "\" y2=\"" << Num(kBottom) << "\" stroke=\"#000\"/>\n";
    const int64_t step = TickStep(f);
    const long offset = TimeParts(f.from, options.local_time).tm_gmtoff;
    for (int64_t t = f.from - ((f.from + offset) % step + step) % step; t <= f.to; t += step) {
        if (t < f.from) continue;
        svg << "<line x1=\"" << Num(f.X(t)) << "\" y1=\"" << Num(kBottom) << "\" x2=\""
            << Num(f.X(t)) << "\" y2=\"" << Num(kBottom + 5) << "\" stroke=\"#000\"/>\n";
        Text(svg, f.X(t), kBottom + 18, 11, ClockLabel(t, options.local_time), "middle");
    }
    Text(svg, (kLeft + kWidth - kRight) / 2, kBottom + 36, 12,
         "time (" + TimeBase(f.from, options.local_time) + ")", "middle");
    const std::string middle = Num((kTop + kBottom) / 2);
    Text(svg, 16, (kTop + kBottom) / 2, 12, "how close (closer at the top)", "middle",
         (" transform=\"rotate(-90 16 " + middle + ")\"").c_str());
}

// The contact's line: one subpath per stretch heard at every scan (a longer silence is left
// open), one vertex per kLineStepPx of time at the mean height of its sightings.
void ContactLine(std::ostream& svg, const Frame& f, const Contact& c) {
    svg << "<path class=\"contact\" id=\"contact-" << c.id << "\" fill=\"none\" stroke=\""
        << Colour(c) << "\" stroke-width=\"2\" stroke-linejoin=\"round\" d=\"";
    const AttenuationPoint* previous = nullptr;
    char op = 'M';
    int column = -1, count = 0;
    double y_sum = 0;
    auto vertex = [&] {
        if (count == 0) return;
        svg << op << column * kLineStepPx << ' ' << static_cast<int>(y_sum / count);
        op = 'L';
        count = 0;
        y_sum = 0;
    };
    for (const AttenuationPoint& p : c.points) {
        const bool gap =
            previous != nullptr && p.first_unix_s - previous->last_unix_s > p.scan_interval_s;
        const int x = static_cast<int>(f.X(p.unix_s)) / kLineStepPx;
        if (gap || x != column) vertex();
        if (gap) op = 'M';
        column = x;
        y_sum += f.Y(p.typical_db);
        ++count;
        previous = &p;
    }
    vertex();
    svg << "\"/>\n";
}

// A round dot for every sighting (sightings in one grid cell share it), and the number.
void ContactMarkers(std::ostream& svg, const Frame& f, const Contact& c) {
    svg << "<path class=\"sightings\" fill=\"none\" stroke=\"" << Colour(c) << "\" stroke-width=\""
        << kMarkerWidthPx << "\" stroke-linecap=\"round\" d=\"";
    std::set<std::pair<int, int>> drawn;
    for (const AttenuationPoint& p : c.points) {
        const int x = static_cast<int>(f.X(p.unix_s)) / kMarkerGridPx;
        const int y = static_cast<int>(f.Y(p.typical_db)) / kMarkerGridPx;
        if (!drawn.emplace(x, y).second) continue;
        const int half = kMarkerGridPx / 2;
        svg << 'M' << x * kMarkerGridPx + half << ' ' << y * kMarkerGridPx + half << "h0";
    }
    svg << "\"><title>contact " << c.id << "</title></path>\n";
    // The number above the contact's closest sighting, clear of its markers.
    int closest = c.points.front().typical_db;
    for (const AttenuationPoint& p : c.points) closest = std::min(closest, p.typical_db);
    Text(svg, f.X(c.points.front().unix_s), f.Y(closest) - 8, 10, std::to_string(c.id), "middle",
         " class=\"number\"");
}

std::string LegendLine(const Contact& c, bool local) {
    const int64_t minutes = (c.DurationSeconds() + 30) / 60;
    return std::to_string(c.id) + ": " + ClockLabel(c.start_unix_s, local) + "-" +
           ClockLabel(c.end_unix_s, local) + ", " +
           (minutes == 0 ? std::string("<1") : std::to_string(minutes)) + " min, closest " +
           std::string(DistanceBandOf(c.min_attenuation_db).words);
}

int LegendColumns(size_t contacts) { return contacts > 24 ? 3 : contacts > 8 ? 2 : 1; }

double LegendHeight(size_t contacts) {
    const size_t columns = static_cast<size_t>(LegendColumns(contacts));
    return kLegendRow * static_cast<double>((contacts + columns - 1) / columns);
}

void Legend(std::ostream& svg, const std::vector<Contact>& contacts, bool local) {
    svg << "<g id=\"legend\">\n";
    if (contacts.empty()) {
        svg << "</g>\n";
        return;
    }
    Text(svg, kLeft, kLegendTop - 14, 12,
         "Contacts: number, from-to, minutes, closest distance (approximate: walls, bodies and "
         "pockets make people seem farther than they were)");
    const int columns = LegendColumns(contacts.size());
    const size_t rows =
        (contacts.size() + static_cast<size_t>(columns) - 1) / static_cast<size_t>(columns);
    const double width = (kWidth - kLeft) / columns;
    for (size_t i = 0; i < contacts.size(); ++i) {
        const double x = kLeft + width * static_cast<double>(i / rows);
        const double y = kLegendTop + kLegendRow * static_cast<double>(i % rows);
        svg << "<rect x=\"" << Num(x) << "\" y=\"" << Num(y - 9) << "\" width=\"10\" height=\"10\" "
            << "fill=\"" << Colour(contacts[i]) << "\"/>";
        Text(svg, x + 14, y, 11, LegendLine(contacts[i], local), "start", " class=\"entry\"");
    }
    svg << "</g>\n";
}

}  // namespace

std::string RenderAttenuationSvg(const std::vector<Contact>& contacts, const SvgOptions& options) {
    const Frame f = MakeFrame(contacts, options);
    const double height = kLegendTop + std::max(kLegendRow, LegendHeight(contacts.size())) + 8;
    std::ostringstream svg;
    svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << Num(kWidth) << "\" height=\""
        << Num(height) << "\" viewBox=\"0 0 " << Num(kWidth) << ' ' << Num(height)
        << "\" font-family=\"sans-serif\">\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
    Text(svg, kLeft, 24, 15, options.title, "start", " id=\"title\"");
    Text(svg, kLeft, 44, 12, "All times in " + TimeBase(f.from, options.local_time) + ".");
    RuleBand(svg, f, options.rule);
    DrawDistanceBands(svg, f);
    TimeAxis(svg, f, options);
    for (const Contact& c : contacts) {
        if (c.points.empty()) continue;
        ContactLine(svg, f, c);
        ContactMarkers(svg, f, c);
    }
    if (contacts.empty()) {
        Text(svg, (kLeft + kWidth - kRight) / 2, (kTop + kBottom) / 2, 18,
             "no contacts on this day", "middle", " id=\"message\"");
    }
    Legend(svg, contacts, options.local_time);
    svg << "</svg>\n";
    return svg.str();
}

}  // namespace jejak
