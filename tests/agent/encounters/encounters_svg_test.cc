// The picture of a day for a lay reader: a legend with number, start-end,
// minutes and the closest rough distance in words; a visible marker for every sighting;
// silences longer than the scan interval left open; no "attenuation", "dB" or "TX"; the
// rule's close range shaded with the minutes it needs; "no contacts on this day" when empty;
// small even for 200 contacts. A busy and an empty day are rendered to PNG by rsvg-convert
// into the build tree (build/pictures/), for people to look at.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "agent/encounters/encounters.h"
#include "agent/exposure/rough_distance.h"
#include "tests/support/child_process.h"
#include "tests/support/xml_check.h"

namespace jejak {
namespace {

constexpr int64_t kSvgDay = 1768435200;  // 2026-01-15T00:00:00Z
constexpr int64_t kSvgT0 = kSvgDay + 10 * 3600;

// One row of a continuous scanner (5-s window) from `sender` at `rssi`.
Sighting Row(int sender, int64_t first, int rssi) {
    Sighting s;
    s.rpi.fill(0);
    s.rpi[0] = static_cast<uint8_t>(sender & 0xff);
    s.rpi[1] = static_cast<uint8_t>(sender >> 8);
    s.first_seen_unix_s = first;
    s.last_seen_unix_s = first + 4;
    s.count = 20;
    s.min_rssi = static_cast<int8_t>(rssi - 2);
    s.max_rssi = static_cast<int8_t>(rssi + 2);
    s.mean_rssi = static_cast<float>(rssi);
    s.scan_regime = ScanRegime::kContinuous;
    s.bin_seconds = 5;
    return s;
}

// A sender heard every 5 s from `from` for `seconds`, its signal wandering by a few dB.
void Heard(std::vector<Sighting>& rows, int sender, int64_t from, int64_t seconds, int rssi) {
    for (int64_t t = 0; t < seconds; t += 5) {
        rows.push_back(Row(sender, from + t, rssi + static_cast<int>((t / 5 * 7) % 9) - 4));
    }
}

SvgOptions DayOptions() {
    SvgOptions o;
    o.from_unix_s = kSvgDay;
    o.to_unix_s = kSvgDay + 86400;
    o.rule = {"jejak-close-contact", 55, 12};
    o.title = "People your device was near on 2026-01-15 (UTC day)";
    return o;
}

std::string Attr(const std::map<std::string, std::string>& attrs, const std::string& name) {
    auto it = attrs.find(name);
    return it == attrs.end() ? "" : it->second;
}

// The <path>s of one class, in document order.
std::vector<std::map<std::string, std::string>> PathsOf(const testing::XmlCheck& xml,
                                                        const std::string& cls) {
    std::vector<std::map<std::string, std::string>> out;
    for (const auto& p : xml.paths) {
        if (Attr(p, "class") == cls) out.push_back(p);
    }
    return out;
}

size_t Count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// Writes the SVG and its PNG (rsvg-convert) under build/pictures/; returns the PNG's bytes.
std::string RenderPng(const std::string& svg, const std::string& name) {
    const std::filesystem::path dir = std::filesystem::path(JEJAK_BINARY_DIR) / "pictures";
    std::filesystem::create_directories(dir);
    const std::string svg_path = (dir / (name + ".svg")).string();
    const std::string png_path = (dir / (name + ".png")).string();
    std::ofstream(svg_path) << svg;
    std::filesystem::remove(png_path);
    const auto run = testing::RunProcess(
        {"/bin/sh", "-c", "exec rsvg-convert -o \"$0\" \"$1\"", png_path, svg_path});
    REQUIRE_MESSAGE(run.code == 0, "rsvg-convert (librsvg2-bin, scripts/setup): ", run.err);
    std::ifstream in(png_path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("rough distance bands follow the calibration: 55 dB is 1.5 m") {
    CHECK(RoughDistanceMetres(kReferenceAttenuationDb) == doctest::Approx(1.5));
    CHECK(RoughDistanceMetres(75) == doctest::Approx(15.0));  // 20 dB: ten times farther
    CHECK(DistanceBandOf(40).words == "within about 1 m");
    CHECK(DistanceBandOf(AttenuationAtMostMetres(1)).words == "within about 1 m");
    CHECK(DistanceBandOf(AttenuationAtMostMetres(1) + 1).words == "1-2 m");
    CHECK(DistanceBandOf(55).words == "1-2 m");
    CHECK(DistanceBandOf(60).words == "2-4 m");
    CHECK(DistanceBandOf(70).words == "farther");
}

TEST_CASE("a busy day and an empty day render to PNG with legend, rule line and message") {
    std::vector<Sighting> rows;
    for (int i = 0; i < 12; ++i) Heard(rows, i, kSvgT0 + i * 1800, 300 + i * 100, -40 - 4 * i);
    rows.push_back(Row(99, kSvgT0 + 6 * 3600 + 600, -90));  // a lone sighting far away
    const auto contacts = GroupContacts(rows, {});
    REQUIRE(contacts.size() == 13);
    const std::string busy = RenderAttenuationSvg(contacts, DayOptions());
    const auto xml = testing::CheckXml(busy);
    REQUIRE_MESSAGE(xml.ok, xml.error);
    CHECK(busy.find("id=\"legend\"") != std::string::npos);
    CHECK(Count(busy, "class=\"entry\"") == contacts.size());
    CHECK(busy.find(">1: 10:00-10:04, 5 min, closest within about 1 m</text>") !=
          std::string::npos);
    CHECK(busy.find("16:10-16:10, &lt;1 min, closest farther") != std::string::npos);
    CHECK(busy.find("id=\"close-range\"") != std::string::npos);
    CHECK(busy.find("the default rule jejak-close-contact (about 1.5 m or closer)") !=
          std::string::npos);
    CHECK(busy.find("adds up to 12 minutes in this range") != std::string::npos);
    CHECK(busy.find("approximate") != std::string::npos);
    CHECK(busy.find("no contacts on this day") == std::string::npos);

    const std::string png = RenderPng(busy, "busy-day");
    REQUIRE(png.size() > 1000);
    CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));

    const std::string empty = RenderAttenuationSvg({}, DayOptions());
    REQUIRE(testing::CheckXml(empty).ok);
    CHECK(empty.find("id=\"message\"") != std::string::npos);
    CHECK(empty.find(">no contacts on this day</text>") != std::string::npos);
    // The whole day on the axis, not one tick.
    for (const char* tick : {">00:00<", ">02:00<", ">12:00<", ">22:00<"}) {
        CHECK_MESSAGE(empty.find(tick) != std::string::npos, tick);
    }
    const std::string empty_png = RenderPng(empty, "empty-day");
    REQUIRE(empty_png.size() > 1000);
    CHECK(empty_png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST_CASE("the picture speaks of distance and time, never of attenuation, dB or TX power") {
    std::vector<Sighting> rows;
    Heard(rows, 1, kSvgT0, 900, -50);
    for (const std::string& svg : {RenderAttenuationSvg(GroupContacts(rows, {}), DayOptions()),
                                   RenderAttenuationSvg({}, DayOptions())}) {
        for (const char* word : {"attenuation", "dB", "TX", "dBm"}) {
            CHECK_MESSAGE(svg.find(word) == std::string::npos, word);
        }
        CHECK(svg.find("within about 1 m") != std::string::npos);
        CHECK(svg.find("2-4 m") != std::string::npos);
        CHECK(svg.find("All times in UTC.") != std::string::npos);
        CHECK(svg.find("time (UTC)") != std::string::npos);
    }
}

TEST_CASE("a single sighting is a visible round marker, not a 1-pixel dot") {
    // Regression: a lone point used to be a zero-length 2-px line.
    const auto contacts = GroupContacts(std::vector<Sighting>{Row(7, kSvgT0, -60)}, {});
    REQUIRE(contacts.size() == 1);
    const auto xml = testing::CheckXml(RenderAttenuationSvg(contacts, DayOptions()));
    REQUIRE(xml.ok);
    const auto markers = PathsOf(xml, "sightings");
    REQUIRE(markers.size() == 1);
    CHECK(std::stoi(Attr(markers[0], "stroke-width")) >= 5);
    CHECK(Attr(markers[0], "stroke-linecap") == "round");
    CHECK(Count(Attr(markers[0], "d"), "M") == 1);
}

TEST_CASE("sightings further apart than the scan interval are not joined by a line") {
    // Regression: sightings five minutes apart on a continuous scanner were joined by a line
    // that suggested five minutes of contact.
    std::vector<Sighting> rows;
    Heard(rows, 3, kSvgT0, 120, -55);
    Heard(rows, 3, kSvgT0 + 120 + 300, 120, -55);  // the same RPI after a 5-minute silence
    const auto contacts = GroupContacts(rows, {});
    REQUIRE(contacts.size() == 1);
    const auto xml = testing::CheckXml(RenderAttenuationSvg(contacts, DayOptions()));
    REQUIRE(xml.ok);
    const auto lines = PathsOf(xml, "contact");
    REQUIRE(lines.size() == 1);
    CHECK(Attr(lines[0], "id") == "contact-1");
    const std::string d = Attr(lines[0], "d");
    CHECK(Count(d, "M") == 2);  // two stretches, no line across the silence
    CHECK(Count(d, "L") >= 2);

    // A duty-cycled token hears a sender at every scan, 4-5 minutes apart: that is bridged.
    for (Sighting& s : rows) {
        s.scan_regime = ScanRegime::kDutyCycled;
        s.seconds_since_previous_scan = 300;
    }
    const auto token =
        testing::CheckXml(RenderAttenuationSvg(GroupContacts(rows, {}), DayOptions()));
    CHECK(Count(Attr(PathsOf(token, "contact").at(0), "d"), "M") == 1);
}

TEST_CASE("local time is one time base for title, axis and legend") {
    std::vector<Sighting> rows;
    Heard(rows, 1, kSvgT0, 600, -50);
    SvgOptions o = DayOptions();
    o.local_time = true;
    const std::string svg = RenderAttenuationSvg(GroupContacts(rows, {}), o);
    CHECK(svg.find("All times in local time, UTC") != std::string::npos);
    CHECK(svg.find("time (local time, UTC") != std::string::npos);
    CHECK(svg.find("(UTC)") == std::string::npos);
}

TEST_CASE("the SVG of a day with 200 contacts stays under 300 KB") {
    std::vector<Sighting> rows;
    for (int i = 0; i < 200; ++i) {
        // Durations never end where another sender starts: no hand-over joins two of them.
        Heard(rows, i, kSvgDay + 1800 + i * 420, 637 + (i % 7) * 300, -45 - (i % 30));
    }
    const auto contacts = GroupContacts(rows, {});
    REQUIRE(contacts.size() == 200);
    const std::string svg = RenderAttenuationSvg(contacts, DayOptions());
    MESSAGE("200 contacts, " << rows.size() << " sightings: " << svg.size() << " bytes");
    CHECK(svg.size() < 300 * 1024);
    const auto xml = testing::CheckXml(svg);
    REQUIRE(xml.ok);
    CHECK(PathsOf(xml, "contact").size() == 200);
    CHECK(Count(svg, "class=\"entry\"") == 200);
}

}  // namespace jejak
