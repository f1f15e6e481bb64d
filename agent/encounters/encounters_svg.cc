// The attenuation picture (encounters.h): plain SVG text, no dependencies.
#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "agent/encounters/encounters.h"

namespace jejak {
namespace {

constexpr double kWidth = 960, kHeight = 420;
constexpr double kLeft = 64, kRight = 24, kTop = 44, kBottom = 56;
constexpr std::array<const char*, 8> kColours{"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                              "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};
constexpr std::array<const char*, 4> kBucketNames{"immediate", "near", "medium", "other"};
constexpr std::array<const char*, 4> kBucketFills{"#d62728", "#ff7f0e", "#ffdd57", "#cccccc"};

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

struct Frame {
    int64_t from = 0, to = 1;
    int max_db = 100;
    double X(int64_t t) const {
        return kLeft + (kWidth - kLeft - kRight) * static_cast<double>(t - from) /
                           static_cast<double>(to - from);
    }
    double Y(int db) const {
        return kTop + (kHeight - kTop - kBottom) * std::clamp(db, 0, max_db) / max_db;
    }
};

Frame MakeFrame(const std::vector<Contact>& contacts, const SvgOptions& options) {
    Frame f;
    if (options.to_unix_s > options.from_unix_s) {
        f.from = options.from_unix_s;
        f.to = options.to_unix_s;
    } else if (!contacts.empty()) {
        f.from = contacts.front().start_unix_s;
        f.to = f.from + 1;
        for (const Contact& c : contacts) {
            f.from = std::min(f.from, c.start_unix_s);
            f.to = std::max(f.to, c.end_unix_s);
        }
        const int64_t pad = std::max<int64_t>(60, (f.to - f.from) / 20);
        f.from -= pad;
        f.to += pad;
    }
    int top = options.bucket_thresholds_db.empty() ? 0 : options.bucket_thresholds_db.back();
    for (const Contact& c : contacts) {
        for (const AttenuationPoint& p : c.points) top = std::max(top, p.typical_db);
    }
    f.max_db = std::max(100, (top + 19) / 10 * 10);
    return f;
}

std::string ClockLabel(int64_t unix_s, bool local) {
    const auto t = static_cast<std::time_t>(unix_s);
    std::tm tm{};
    if (local)
        localtime_r(&t, &tm);
    else
        gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%H:%M", &tm);
    return buf;
}

long UtcOffsetSeconds(int64_t unix_s, bool local) {
    if (!local) return 0;
    const auto t = static_cast<std::time_t>(unix_s);
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm.tm_gmtoff;
}

void Buckets(std::ostream& svg, const Frame& f, const SvgOptions& options) {
    int lower = 0;
    for (size_t i = 0; i <= options.bucket_thresholds_db.size() && i < kBucketNames.size(); ++i) {
        const int upper =
            i < options.bucket_thresholds_db.size() ? options.bucket_thresholds_db[i] : f.max_db;
        if (upper <= lower) continue;
        svg << "<rect class=\"bucket\" x=\"" << Num(kLeft) << "\" y=\"" << Num(f.Y(lower))
            << "\" width=\"" << Num(kWidth - kLeft - kRight) << "\" height=\""
            << Num(f.Y(upper) - f.Y(lower)) << "\" fill=\"" << kBucketFills[i]
            << "\" fill-opacity=\"0.15\"/>\n"
            << "<text x=\"" << Num(kWidth - kRight - 4) << "\" y=\"" << Num(f.Y(lower) + 14)
            << "\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">" << kBucketNames[i] << " ("
            << lower << "-" << upper << " dB)</text>\n";
        lower = upper;
    }
}

void Axes(std::ostream& svg, const Frame& f, const SvgOptions& options) {
    const double bottom = kHeight - kBottom;
    svg << "<line x1=\"" << Num(kLeft) << "\" y1=\"" << Num(kTop) << "\" x2=\"" << Num(kLeft)
        << "\" y2=\"" << Num(bottom) << "\" stroke=\"#000\"/>\n"
        << "<line x1=\"" << Num(kLeft) << "\" y1=\"" << Num(bottom) << "\" x2=\""
        << Num(kWidth - kRight) << "\" y2=\"" << Num(bottom) << "\" stroke=\"#000\"/>\n";
    for (int db = 0; db <= f.max_db; db += 10) {
        svg << "<text x=\"" << Num(kLeft - 6) << "\" y=\"" << Num(f.Y(db) + 4)
            << "\" text-anchor=\"end\" font-size=\"11\">" << db << "</text>\n";
    }
    constexpr std::array<int64_t, 10> kSteps{60,   300,  600,   900,   1800,
                                             3600, 7200, 10800, 21600, 43200};
    int64_t step = kSteps.back();
    for (int64_t s : kSteps) {
        if ((f.to - f.from) / s <= 12) {
            step = s;
            break;
        }
    }
    const long offset = UtcOffsetSeconds(f.from, options.local_time);
    int64_t t = f.from - ((f.from + offset) % step + step) % step;
    for (; t <= f.to; t += step) {
        if (t < f.from) continue;
        svg << "<line x1=\"" << Num(f.X(t)) << "\" y1=\"" << Num(bottom) << "\" x2=\""
            << Num(f.X(t)) << "\" y2=\"" << Num(bottom + 5) << "\" stroke=\"#000\"/>\n"
            << "<text x=\"" << Num(f.X(t)) << "\" y=\"" << Num(bottom + 18)
            << "\" text-anchor=\"middle\" font-size=\"11\">" << ClockLabel(t, options.local_time)
            << "</text>\n";
    }
    svg << "<text x=\"" << Num((kLeft + kWidth - kRight) / 2) << "\" y=\"" << Num(kHeight - 12)
        << "\" text-anchor=\"middle\" font-size=\"12\">time ("
        << (options.local_time ? "local" : "UTC") << ")</text>\n"
        << "<text x=\"16\" y=\"" << Num((kTop + bottom) / 2)
        << "\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 "
        << Num((kTop + bottom) / 2) << ")\">attenuation (dB)</text>\n";
}

void ContactPath(std::ostream& svg, const Frame& f, const Contact& c) {
    const char* colour = kColours[static_cast<size_t>(c.id - 1) % kColours.size()];
    svg << "<path class=\"contact\" id=\"contact-" << c.id << "\" fill=\"none\" stroke=\"" << colour
        << "\" stroke-width=\"2\" stroke-linecap=\"round\" d=\"";
    char op = 'M';
    for (const AttenuationPoint& p : c.points) {
        svg << op << Num(f.X(p.unix_s)) << ' ' << Num(f.Y(p.typical_db)) << ' ';
        op = 'L';
    }
    if (c.points.size() == 1) {  // a lone point still shows as a dot
        svg << 'L' << Num(f.X(c.points[0].unix_s)) << ' ' << Num(f.Y(c.points[0].typical_db));
    }
    svg << "\"><title>contact " << c.id << ": " << c.sightings << " sightings, typical "
        << c.typical_attenuation_db << " dB</title></path>\n";
}

}  // namespace

std::string RenderAttenuationSvg(const std::vector<Contact>& contacts, const SvgOptions& options) {
    const Frame f = MakeFrame(contacts, options);
    std::ostringstream svg;
    svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << Num(kWidth) << "\" height=\""
        << Num(kHeight) << "\" viewBox=\"0 0 " << Num(kWidth) << ' ' << Num(kHeight)
        << "\" font-family=\"sans-serif\">\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
        << "<text x=\"" << Num(kLeft) << "\" y=\"24\" font-size=\"14\">" << XmlEscape(options.title)
        << "</text>\n";
    Buckets(svg, f, options);
    Axes(svg, f, options);
    for (const Contact& c : contacts) {
        if (!c.points.empty()) ContactPath(svg, f, c);
    }
    svg << "</svg>\n";
    return svg.str();
}

}  // namespace jejak
