// Scripted movement on the simulated ether: the waypoint file's strict parser, interpolation,
// the ether file carrying the path, and distance following the script for both ends.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "platform/codec/gaen_advert.h"
#include "platform/radio_spec/radio_spec.h"
#include "platform/sim/sim_path.h"
#include "platform/sim/sim_radio.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

constexpr int64_t kT0 = 1'800'000'000;  // 2027-01-15T08:00:00Z

// A scratch directory for path files.
struct PathDir {
    testing::ScratchDir scratch{"path"};
    const std::string path = scratch.str();
    std::string Write(const std::string& name, const std::string& text) const {
        const std::string file = scratch.File(name);
        std::ofstream(file) << text;
        return file;
    }
};

std::string ErrorOf(std::string_view text) {
    Result<SimPath> p = SimPath::Parse(text, "walk.path");
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().IsInvalidArgument());
    return p.status().message();
}

TEST_CASE("sim path parses ISO UTC and Unix times, comments and blank lines") {
    auto p = SimPath::Parse("# a walk\n\n2027-01-15T08:00:00Z 0 0\n1800000600 10 -5.5\r\n"
                            "  2027-01-15T08:20:00Z\t10 -5.5   # no: comments own a line\n",
                            "walk.path");
    CHECK_FALSE(p.ok());  // a comment after the fields is refused
    p = SimPath::Parse("# a walk\n\n2027-01-15T08:00:00Z 0 0\n1800000600 10 -5.5\r\n", "w");
    REQUIRE(p.ok());
    REQUIRE(p->waypoints().size() == 2);
    CHECK(p->waypoints()[0].unix_micros == kT0 * 1'000'000);
    CHECK(p->waypoints()[1].unix_micros == (kT0 + 600) * 1'000'000);
    CHECK(p->waypoints()[1].y_m == doctest::Approx(-5.5));
}

TEST_CASE("sim path interpolates linearly and holds its ends") {
    auto p = SimPath::Parse("1800000000 0 0\n1800000100 10 0\n1800000300 10 20\n", "w");
    REQUIRE(p.ok());
    const auto at = [&](int64_t s, int64_t us = 0) { return p->At(s * 1'000'000 + us); };
    CHECK(at(kT0 - 1000).x_m == 0);             // before the first: the first
    CHECK(at(kT0 + 50).x_m == doctest::Approx(5));
    CHECK(at(kT0 + 50, 500'000).x_m == doctest::Approx(5.05));
    CHECK(at(kT0 + 100).x_m == doctest::Approx(10));
    CHECK(at(kT0 + 200).y_m == doctest::Approx(10));
    CHECK(at(kT0 + 99999).y_m == doctest::Approx(20));  // after the last: the last
}

TEST_CASE("sim path rejects malformed files, naming the file and line") {
    CHECK(ErrorOf("") == "path walk.path: no waypoints");
    CHECK(ErrorOf("# only a comment\n") == "path walk.path: no waypoints");
    CHECK(ErrorOf("1800000000 0\n").find("line 1: expected 'TIME X Y', got 2 fields") !=
          std::string::npos);
    CHECK(ErrorOf("1800000000 0 0\n1800000000 1 1\n").find("line 2: time 1800000000 does "
                                                           "not come after") != std::string::npos);
    CHECK(ErrorOf("1800000000 0 0\n1799999999 1 1\n").find("line 2") != std::string::npos);
    CHECK(ErrorOf("2027-02-29T00:00:00Z 0 0\n").find("line 1: time") != std::string::npos);
    CHECK(ErrorOf("2027-01-15T24:00:00Z 0 0\n").find("neither") != std::string::npos);
    CHECK(ErrorOf("2027-01-15 08:00:00 0 0\n").find("fields") != std::string::npos);
    CHECK(ErrorOf("-5 0 0\n").find("line 1: time") != std::string::npos);
    CHECK(ErrorOf("1800000000 nan 0\n").find("finite metres") != std::string::npos);
    CHECK(ErrorOf("1800000000 0 inf\n").find("finite metres") != std::string::npos);
    CHECK(ErrorOf("1800000000 2e6 0\n").find("within 1e6") != std::string::npos);
    CHECK(ErrorOf("1800000000 1x 0\n").find("finite metres") != std::string::npos);
    CHECK(SimPath::Parse("2028-02-29T12:00:00Z 0 0\n", "leap").ok());
}

TEST_CASE("sim path refuses more than the maximum number of waypoints") {
    std::string text;
    for (size_t i = 0; i <= kMaxSimWaypoints; ++i) text += std::to_string(kT0 + i) + " 0 0\n";
    CHECK(ErrorOf(text).find("line " + std::to_string(kMaxSimWaypoints + 1)) != std::string::npos);
}

TEST_CASE("sim path file that cannot be read is an IO error") {
    Result<SimPath> p = SimPath::Load("/nonexistent/jejak/walk.path");
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().IsIOError());
}

TEST_CASE("sim ether file carries the path and rejects a damaged one") {
    SimAdvertiserState s;
    s.id = "1-0";
    s.pid = 1;
    s.path = *SimPath::Parse("1800000000 0 0\n1800000100 3.25 -4\n", "w");
    const std::string text = FormatSimAdvertiser(s);
    auto back = ParseSimAdvertiser("1-0", text);
    REQUIRE(back.ok());
    REQUIRE(back->path.waypoints().size() == 2);
    CHECK(back->path.waypoints()[1].x_m == 3.25);
    CHECK(back->path.waypoints()[1].unix_micros == (kT0 + 100) * 1'000'000);
    // A file without the section is a standing radio, as before.
    SimAdvertiserState still = s;
    still.path = SimPath();
    auto standing = ParseSimAdvertiser("1-0", FormatSimAdvertiser(still));
    REQUIRE(standing.ok());
    CHECK(standing->path.empty());
    // Truncated, out-of-order, oversized or trailing data: skipped as malformed.
    const size_t cut = text.rfind('\n', text.size() - 2);
    CHECK_FALSE(ParseSimAdvertiser("1-0", text.substr(0, cut + 1)).ok());
    std::string swapped = text;
    swapped.replace(swapped.find("1800000000000000"), 16, "1800000200000000");
    CHECK_FALSE(ParseSimAdvertiser("1-0", swapped).ok());
    std::string huge = text;
    huge.replace(huge.find("path 2"), 6, "path 99999999");
    CHECK_FALSE(ParseSimAdvertiser("1-0", huge).ok());
    CHECK_FALSE(ParseSimAdvertiser("1-0", text + "junk\n").ok());
    CHECK_FALSE(ParseSimAdvertiser("1-0", FormatSimAdvertiser(still) + "pathx 1\n").ok());
}

TEST_CASE("radio spec takes a path, which excludes x and y") {
    auto spec = ParseRadioSpec("sim:/tmp/e?path=/tmp/walk.path&seed=3");
    REQUIRE(spec.ok());
    CHECK(spec->sim.path_file == "/tmp/walk.path");
    CHECK_FALSE(ParseRadioSpec("sim:/tmp/e?path=").ok());
    auto both = ParseRadioSpec("sim:/tmp/e?x=1&path=/tmp/walk.path");
    REQUIRE_FALSE(both.ok());
    CHECK(both.status().message().find("exclude each other") != std::string::npos);
}

TEST_CASE("opening a sim radio with a malformed path names the file and line") {
    PathDir dir;
    const std::string file = dir.Write("bad.path", "1800000000 0 0\n1800000000 1 0\n");
    ManualClock clock(kT0 * 1'000'000);
    auto radio = OpenRadio("sim:" + dir.path + "/ether?path=" + file, clock);
    REQUIRE_FALSE(radio.ok());
    CHECK(radio.status().IsInvalidArgument());
    CHECK(radio.status().message().find(file + " line 2") != std::string::npos);
}

AdvertisingSet Set() {
    AdvertisingSet set;
    set.address.bytes = {0x11, 0x22, 0x33, 0x44, 0x55, 0x15};
    GaenPayload p;
    p.rpi.fill(7);
    p.aem = {0x40, 0xF1, 0, 0};
    set.payload = BuildGaenAdvert(p);
    return set;
}

// RSSI heard per second of a 200-s walk: the walker goes from 1 m to 101 m in x between
// kT0 and kT0 + 100 and stays there; `scanner_walks` swaps who moves (the other stands at 0).
std::vector<std::pair<int64_t, int>> Walk(bool scanner_walks) {
    PathDir dir;
    const std::string file = dir.Write("walk.path", "1800000000 1 0\n1800000100 101 0\n");
    ManualClock clock(kT0 * 1'000'000);
    SimRadioConfig walker, stander;
    walker.ether_dir = stander.ether_dir = dir.path + "/ether";
    walker.path_file = file;
    walker.seed = 1, stander.seed = 2;
    walker.floor_dbm = stander.floor_dbm = -127;
    auto adv = SimRadio::Open(scanner_walks ? stander : walker, clock);
    auto scan = SimRadio::Open(scanner_walks ? walker : stander, clock);
    REQUIRE(adv.ok());
    REQUIRE(scan.ok());
    REQUIRE((*adv)->StartAdvertising(Set(), {}).ok());
    std::vector<std::pair<int64_t, int>> heard;
    REQUIRE((*scan)->StartScanning({300, 300}, [&](const ReceivedAdvert& a) {
        heard.emplace_back(a.unix_micros, a.rssi_dbm);
    }).ok());
    for (int s = 0; s < 200; ++s) {
        clock.Advance(1'000'000);
        REQUIRE((*scan)->Poll().ok());
    }
    return heard;
}

TEST_CASE("distance follows the script whether the advertiser or the scanner moves") {
    for (bool scanner_walks : {false, true}) {
        CAPTURE(scanner_walks);
        const auto heard = Walk(scanner_walks);
        REQUIRE(heard.size() > 500);
        for (const auto& [t, rssi] : heard) {
            const double x = std::min(101.0, 1.0 + static_cast<double>(t - kT0 * 1'000'000) / 1e6);
            CHECK(rssi == std::lround(-15 - SimPathLossDb(x, 2.0)));
        }
        CHECK(heard.front().second == -55);  // about 1 m at the start
        CHECK(heard.back().second == -95);   // 101 m at the end
    }
}

}  // namespace
}  // namespace jejak
