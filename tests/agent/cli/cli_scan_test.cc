// `jejak scan`: one line (or JSON object) per 0xFD6F advertising report, replayed or live;
// live JSON Lines end with one object per (address, RPI) and a summary; SIGINT stops a live
// scan with its summary and exit 0; bad files are exit 2 with one line on stderr.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "platform/base/clock.h"
#include "platform/codec/gaen_advert.h"
#include "platform/radio_spec/radio_spec.h"
#include "tests/support/test_data.h"
#include "tests/support/child_process.h"
#include "tests/support/cli_runner.h"

namespace jejak {
namespace {

using testing::RunJejak;
using testing::RunJejakOn;

const std::string kSynthetic = testing::TestDataPath("ble/synthetic/gaen_synthetic_h4.btsnoop");
const std::string kIphone = testing::TestDataPath(
    "ble/real/dp3t-bt-measurements/exp25-calibration-iphone-to-android-anechoic/18.btsnoop");

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

std::string WriteTemp(const std::string& name, const std::vector<uint8_t>& bytes) {
    const std::string path = std::string(JEJAK_BINARY_DIR) + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return path;
}

void CheckBadFile(const std::vector<std::string>& args, const std::string& expect) {
    CAPTURE(args);
    const auto run = RunJejak(args);
    CHECK(run.code == 2);
    CHECK(run.out.empty());
    CHECK(run.err.rfind("jejak: ", 0) == 0);
    CHECK(run.err.find(expect) != std::string::npos);
    CHECK(run.err.find('\n') == run.err.size() - 1);
}

}  // namespace

TEST_CASE("scan --replay prints ISO 8601 time, address, RSSI, RPI and AEM per report") {
    const auto run = RunJejak({"scan", "--replay", kSynthetic});
    REQUIRE(run.code == 0);
    CHECK(run.err.empty());
    const auto lines = Lines(run.out);
    REQUIRE(lines.size() == 2);
    // 2020-05-20T12:00:00Z + 16 ms / 17 ms; legacy report RSSI -60, extended -72.
    CHECK(lines[0] ==
          "2020-05-20T12:00:00.016000Z 0D:1E:2F:30:41:52 -60 "
          "3c9a1de5dd6b02afa7fded7b570b3e56 c29211b1");
    CHECK(lines[1] ==
          "2020-05-20T12:00:00.017000Z 0D:1E:2F:30:41:52 -72 "
          "3c9a1de5dd6b02afa7fded7b570b3e56 c29211b1");
}

TEST_CASE("scan --replay --json prints an array with the same fields") {
    const auto run = RunJejak({"scan", "--replay", kIphone, "--json"});
    REQUIRE(run.code == 0);
    const auto array = nlohmann::json::parse(run.out);
    REQUIRE(array.size() == 198);
    const auto& first = array[0];
    CHECK(first["address"] == "3A:4E:58:38:DB:E3");
    CHECK(first["rssi"] == -65);
    CHECK(first["rpi"] == "e4b48d398ed80d4748d555c27bd2ec89");
    CHECK(first["aem"] == "d2d71eff");
    CHECK(first["time_us"].get<int64_t>() > 1591800000000000);
    CHECK(first["time_unix"].get<int64_t>() == first["time_us"].get<int64_t>() / 1000000);
    const auto text = Lines(RunJejak({"scan", "--replay", kIphone}).out);
    CHECK(text.size() == 198);
}

TEST_CASE("scan --replay rejects unreadable and damaged files with exit 2") {
    CheckBadFile({"scan", "--replay", "/nonexistent/capture.btsnoop"}, "cannot open");
    const std::string text = WriteTemp("cli_scan_not_btsnoop.txt", {'h', 'e', 'l', 'l', 'o'});
    CheckBadFile({"scan", "--replay", text}, "not a btsnoop file");
    auto bytes = testing::ReadTestFile(
        "ble/real/dp3t-bt-measurements/exp25-calibration-iphone-to-android-anechoic/18.btsnoop");
    REQUIRE(bytes.size() > 1000);
    bytes.resize(bytes.size() - 7);
    const std::string cut = WriteTemp("cli_scan_truncated.btsnoop", bytes);
    CheckBadFile({"scan", "--replay", cut}, "truncated");
    CheckBadFile({"scan", "--replay", kSynthetic, "--radio", "hci0"}, "--replay");
    std::remove(text.c_str());
    std::remove(cut.c_str());
}

// A sim advertiser of a fixed RPI at (0, 0), polled by the test's clock.
struct SimAdvertiser {
    explicit SimAdvertiser(const std::string& ether, const ManualClock& clock) {
        std::filesystem::remove_all(ether);
        std::filesystem::create_directories(ether);
        RadioOptions polled;
        polled.sim_poll_ms = 0;
        auto opened = OpenRadio("sim:" + ether + "?x=0&y=0", clock, polled);
        REQUIRE(opened.ok());
        radio = std::move(opened).value();
        GaenPayload payload;
        payload.rpi.fill(0xA5);
        payload.aem = {0x40, 0x08, 0x00, 0x00};
        AdvertisingSet set{MakeNonResolvablePrivateAddress({1, 2, 3, 4, 5, 6}),
                           BuildGaenAdvert(payload)};
        REQUIRE(radio->StartAdvertising(set, AdvertisingParams{}).ok());
    }
    ~SimAdvertiser() { CHECK(radio->StopAdvertising().ok()); }
    std::unique_ptr<Radio> radio;
};

std::vector<nlohmann::json> JsonLines(const std::string& text) {
    std::vector<nlohmann::json> out;
    for (const std::string& line : Lines(text)) out.push_back(nlohmann::json::parse(line));
    return out;
}

TEST_CASE("live scan --json on a simulated ether: JSON Lines per report, per RPI, summary") {
    const std::string ether = std::string(JEJAK_BINARY_DIR) + "/cli_scan_ether";
    // The scan runs on an injected clock: its 3 s pass without wall time.
    ManualClock clock(SystemClock().NowUnixMicros());
    SimAdvertiser advertiser(ether, clock);

    // Scanning for 3 s covers about 13 advertising events; the scan window (100 of every
    // 300 ms) drifts across them, so several are heard whatever the phase.
    const auto run = RunJejakOn(
        clock, {"scan", "--radio", "sim:" + ether + "?x=1&y=0", "--duration", "3", "--json"});
    REQUIRE(run.code == 0);
    const auto lines = JsonLines(run.out);
    REQUIRE(lines.size() >= 3);
    const auto& summary = lines.back();
    CHECK(summary["event"] == "summary");
    CHECK(summary["distinct"] == 1);
    CHECK(summary["stopped_by"] == "duration");
    const auto& seen = lines[lines.size() - 2];
    CHECK(seen["event"] == "seen");
    CHECK(seen["address"] == "06:05:04:03:02:01");
    CHECK(seen["rpi"] == "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5");
    CHECK(seen["aem"] == "40080000");
    CHECK(seen["first_us"].get<int64_t>() <= seen["last_us"].get<int64_t>());
    CHECK(seen["first_unix"].get<int64_t>() == seen["first_us"].get<int64_t>() / 1000000);
    const int64_t reports = summary["reports"].get<int64_t>();
    CHECK(seen["count"].get<int64_t>() == reports);
    REQUIRE(static_cast<int64_t>(lines.size()) == reports + 2);
    for (int64_t i = 0; i < reports; ++i) {
        CHECK(lines[static_cast<size_t>(i)]["event"] == "report");
        CHECK(lines[static_cast<size_t>(i)]["rpi"] == seen["rpi"]);
    }
    std::filesystem::remove_all(ether);
}

TEST_CASE("live scan piped prints one line per report, then seen and summary lines") {
    const std::string ether = std::string(JEJAK_BINARY_DIR) + "/cli_scan_ether_text";
    ManualClock clock(SystemClock().NowUnixMicros());
    SimAdvertiser advertiser(ether, clock);
    const auto run =
        RunJejakOn(clock, {"scan", "--radio", "sim:" + ether + "?x=1&y=0", "--duration", "3"});
    REQUIRE(run.code == 0);
    const auto lines = Lines(run.out);
    REQUIRE(lines.size() >= 3);
    CHECK(lines.back().rfind("scan stopped (duration): ", 0) == 0);
    CHECK(lines[lines.size() - 2].rfind("seen 06:05:04:03:02:01 ", 0) == 0);
    CHECK(lines[lines.size() - 2].find(" count=") != std::string::npos);
    for (size_t i = 0; i + 2 < lines.size(); ++i) {
        // 2026-01-15T10:03:00.123456Z 06:05:04:03:02:01 -53 a5a5... 40080000
        CHECK(lines[i].size() > 28);
        CHECK(lines[i][10] == 'T');
        CHECK(lines[i].substr(26, 19) == "Z 06:05:04:03:02:01");
        CHECK(lines[i].find(" a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5 40080000") != std::string::npos);
    }
    std::filesystem::remove_all(ether);
}

TEST_CASE("live scan: --hci-log is refused for the sim radio, which has no HCI packets") {
    CheckBadFile({"scan", "--radio", "sim:/tmp/none", "--hci-log", "/tmp/x.btsnoop"}, "--hci-log");
}

TEST_CASE("live scan in a real process stops on SIGINT or SIGTERM with its summary, exit 0") {
    const std::string ether = std::string(JEJAK_BINARY_DIR) + "/cli_scan_ether_signal";
    std::filesystem::remove_all(ether);
    std::filesystem::create_directories(ether);
    const std::string jejak = testing::BuiltBinary("jejak");
    REQUIRE(std::filesystem::exists(jejak));
    // Wall time: a separate process cannot share the test's clock. 1.5 s is long enough for
    // the scan to install its handlers; --duration is only a backstop.
    const auto text = testing::RunProcess(
        {jejak, "scan", "--radio", "sim:" + ether, "--duration", "300"}, "", 1500, SIGINT);
    CHECK(text.code == 0);
    CHECK(text.out.find("scan stopped (signal): 0 reports, 0 distinct") != std::string::npos);
    CHECK(text.err.empty());
    const auto json = testing::RunProcess(
        {jejak, "scan", "--radio", "sim:" + ether, "--duration", "300", "--json"}, "", 1500,
        SIGTERM);
    CHECK(json.code == 0);
    const auto lines = JsonLines(json.out);
    REQUIRE_FALSE(lines.empty());
    CHECK(lines.back()["event"] == "summary");
    CHECK(lines.back()["stopped_by"] == "signal");
    std::filesystem::remove_all(ether);
}

TEST_CASE("live scan with a malformed radio spec is a usage error") {
    CheckBadFile({"scan", "--radio", "bogus:thing", "--duration", "0.1"}, "bogus:thing");
}

}  // namespace jejak
