// `jejak scan --replay`: one line (or JSON object) per 0xFD6F advertising report; bad
// files are exit 2 with one line on stderr.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/agent/cli/cli_test_util.h"
#include "platform/base/clock.h"
#include "platform/codec/gaen_advert.h"
#include "platform/radio_spec/radio_spec.h"
#include "test_data.h"

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

TEST_CASE("scan --replay prints time, address, RSSI, RPI and AEM per report") {
    const auto run = RunJejak({"scan", "--replay", kSynthetic});
    REQUIRE(run.code == 0);
    CHECK(run.err.empty());
    const auto lines = Lines(run.out);
    REQUIRE(lines.size() == 2);
    // 2020-05-20T12:00:00Z + 16 ms / 17 ms; legacy report RSSI -60, extended -72.
    CHECK(lines[0] ==
          "1589976000016000 0D:1E:2F:30:41:52 -60 3c9a1de5dd6b02afa7fded7b570b3e56 c29211b1");
    CHECK(lines[1] ==
          "1589976000017000 0D:1E:2F:30:41:52 -72 3c9a1de5dd6b02afa7fded7b570b3e56 c29211b1");
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

TEST_CASE("live scan on a simulated ether reports a nearby GAEN advertiser") {
    const std::string ether = std::string(JEJAK_BINARY_DIR) + "/cli_scan_ether";
    std::filesystem::remove_all(ether);
    std::filesystem::create_directories(ether);
    // The scan runs on an injected clock: its 3 s pass without wall time.
    ManualClock clock(SystemClock().NowUnixMicros());
    RadioOptions polled;
    polled.sim_poll_ms = 0;
    auto advertiser = OpenRadio("sim:" + ether + "?x=0&y=0", clock, polled);
    REQUIRE(advertiser.ok());
    GaenPayload payload;
    payload.rpi.fill(0xA5);
    payload.aem = {0x40, 0x08, 0x00, 0x00};
    AdvertisingSet set{MakeNonResolvablePrivateAddress({1, 2, 3, 4, 5, 6}),
                       BuildGaenAdvert(payload)};
    REQUIRE((*advertiser)->StartAdvertising(set, AdvertisingParams{}).ok());

    // Scanning for 3 s covers about 13 advertising events; the scan window (100 of every
    // 300 ms) drifts across them, so several are heard whatever the phase.
    const auto run = RunJejakOn(
        clock, {"scan", "--radio", "sim:" + ether + "?x=1&y=0", "--duration", "3", "--json"});
    REQUIRE(run.code == 0);
    const auto array = nlohmann::json::parse(run.out);
    REQUIRE(array.size() == 1);
    CHECK(array[0]["address"] == "06:05:04:03:02:01");
    CHECK(array[0]["rpi"] == "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5");
    CHECK(array[0]["aem"] == "40080000");
    CHECK(array[0]["count"].get<int>() >= 1);
    CHECK(array[0]["first_us"].get<int64_t>() <= array[0]["last_us"].get<int64_t>());
    CHECK((*advertiser)->StopAdvertising().ok());
    std::filesystem::remove_all(ether);
}

TEST_CASE("live scan with a malformed radio spec is a usage error") {
    CheckBadFile({"scan", "--radio", "bogus:thing", "--duration", "0.1"}, "bogus:thing");
}

}  // namespace jejak
