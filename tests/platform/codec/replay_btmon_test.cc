// Capture replay against btmon (BlueZ) as the oracle: on every BLE test capture, the 0xFD6F
// advertising reports we find are exactly those btmon decodes (count, time, address, RSSI,
// RPI||AEM), and on the real captures every payload is one the sender logged (.ephids).
// btmon is required (scripts/setup installs Debian's bluez); the test fails if it is missing.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <regex>
#include <set>
#include <sstream>

#include "platform/codec/capture_replay.h"
#include "platform/base/hex.h"
#include "tests/support/test_data.h"

namespace jejak {
namespace {

struct OracleReport {
    int64_t time_us = 0;
    std::string address;
    int rssi = 0;
    std::string service_data_hex;
};

std::string RunCommand(const std::string& cmd) {
    std::string out;
    std::FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

std::string BtmonPath() {
    std::string path = RunCommand("command -v btmon 2>/dev/null");
    while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
    return path;
}

// "2020-06-10 16:31:01.439680" (UTC, btmon -T with TZ=UTC) -> unix microseconds.
int64_t ParseBtmonTime(const std::string& date, const std::string& time, const std::string& us) {
    std::tm tm{};
    std::istringstream in(date + " " + time);
    in >> std::get_time(&tm, "%Y-%m-%d %H:%M:%S");
    return static_cast<int64_t>(timegm(&tm)) * 1000000 + std::stoll(us);
}

// Collects one OracleReport per advertising report whose service data names 0xfd6f.
class BtmonParser {
public:
    void Line(std::string line) {
        static const std::regex ansi("\x1b\\[[0-9;]*m");
        line = std::regex_replace(line, ansi, "");
        if (!line.empty() && line[0] != ' ') {
            Flush();
            // btmon shortens names to fit its columns ("LE Meta Ev.."): key on the code.
            in_meta_ =
                line.rfind("> HCI Event: ", 0) == 0 && line.find("(0x3e)") != std::string::npos;
            static const std::regex stamp(R"((\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{6}))");
            std::smatch m;
            if (in_meta_ && std::regex_search(line, m, stamp)) {
                time_ = ParseBtmonTime(m[1], m[2], m[3]);
            }
            return;
        }
        if (!in_meta_) return;
        const std::string t = line.substr(line.find_first_not_of(' '));
        if (t.rfind("Event type:", 0) == 0) {
            Flush();
            current_ = OracleReport{time_, "", 127, ""};
            open_ = true;
        } else if (t.rfind("Address:", 0) == 0) {
            current_.address = t.substr(9, 17);
        } else if (t.rfind("RSSI:", 0) == 0) {
            const auto pos = t.find("(0x");
            if (pos != std::string::npos) {
                current_.rssi = static_cast<int8_t>(std::stoi(t.substr(pos + 3, 2), nullptr, 16));
            }
        } else if (t.rfind("Service Data", 0) == 0 && t.find("0xfd6f") != std::string::npos) {
            const auto colon = t.find("): ");  // older btmon: "Service Data (UUID 0xfd6f): hex"
            if (colon != std::string::npos) {
                current_.service_data_hex = t.substr(colon + 3);
            } else {
                want_data_ = true;
            }
        } else if (want_data_ && t.rfind("Data:", 0) == 0) {
            current_.service_data_hex = t.substr(6);
            want_data_ = false;
        }
    }
    std::vector<OracleReport> Finish() {
        Flush();
        return std::move(reports_);
    }

private:
    void Flush() {
        if (open_ && !current_.service_data_hex.empty()) reports_.push_back(current_);
        open_ = false;
        want_data_ = false;
    }
    bool in_meta_ = false;
    bool open_ = false;
    bool want_data_ = false;
    int64_t time_ = 0;
    OracleReport current_;
    std::vector<OracleReport> reports_;
};

std::vector<OracleReport> BtmonReports(const std::string& relative) {
    const std::string btmon = BtmonPath();
    REQUIRE_MESSAGE(!btmon.empty(),
                    "btmon not found: install Debian's bluez package (scripts/setup does)");
    const std::string text = RunCommand("TZ=UTC '" + btmon + "' -P -c never -T -r '" +
                                        testing::TestDataPath(relative) + "' 2>&1");
    BtmonParser parser;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) parser.Line(line);
    return parser.Finish();
}

std::vector<CapturedAdvert> Replay(const std::string& relative) {
    const auto file = testing::ReadTestFile(relative);
    REQUIRE(!file.empty());
    auto replay = ReplayGaenCapture(file);
    REQUIRE(replay.ok());
    CHECK(replay->malformed_events == 0);
    return replay->adverts;
}

void CheckAgainstBtmon(const std::string& relative, size_t expected_count) {
    CAPTURE(relative);
    const auto ours = Replay(relative);
    const auto oracle = BtmonReports(relative);
    CHECK(ours.size() == expected_count);
    REQUIRE(ours.size() == oracle.size());
    for (size_t i = 0; i < ours.size(); ++i) {
        CAPTURE(i);
        CHECK(ours[i].time_unix_us == oracle[i].time_us);
        CHECK(ours[i].address.ToString() == oracle[i].address);
        CHECK(ours[i].rssi == oracle[i].rssi);
        CHECK(HexEncode(ours[i].payload.rpi) + HexEncode(ours[i].payload.aem) ==
              oracle[i].service_data_hex);
    }
}

std::set<std::string> Ephids(const std::string& relative) {
    std::ifstream in(testing::TestDataPath(relative));
    std::set<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        line.erase(std::remove(line.begin(), line.end(), ':'), line.end());
        if (!line.empty()) out.insert(line);
    }
    return out;
}

constexpr const char* kIphoneCapture =
    "ble/real/dp3t-bt-measurements/exp25-calibration-iphone-to-android-anechoic/18.btsnoop";
constexpr const char* kPixelCapture =
    "ble/real/dp3t-bt-measurements/exp28-calibration-pixel4-to-android-anechoic/24.btsnoop";

}  // namespace

TEST_CASE("replay of the iPhone-to-Galaxy capture matches btmon report for report") {
    CheckAgainstBtmon(kIphoneCapture, 198);
}

TEST_CASE("replay of the Pixel 4 capture matches btmon on its extended reports") {
    CheckAgainstBtmon(kPixelCapture, 118);
    for (const auto& s : Replay(kPixelCapture)) {
        CHECK(s.extended);
        CHECK(s.event_type == 0x0012);  // legacy ADV_SCAN_IND, as Android sends
    }
}

TEST_CASE("replay of the synthetic and emulator captures matches btmon") {
    CheckAgainstBtmon("ble/synthetic/gaen_synthetic_h4.btsnoop", 2);
    CheckAgainstBtmon("ble/synthetic/gaen_synthetic_monitor.btsnoop", 2);
    CheckAgainstBtmon("ble/emulator/btvirt-5.66_ctrlB_scanner.btsnoop", 2);
    CheckAgainstBtmon("ble/emulator/btvirt-5.66_ctrlA_advertiser.btsnoop", 0);
}

TEST_CASE("every payload received from the iPhone is one it logged as advertised") {
    const auto sent = Ephids(
        "ble/real/dp3t-bt-measurements/exp25-calibration-iphone-to-android-anechoic/110.ephids");
    REQUIRE(!sent.empty());
    std::set<std::string> received;
    for (const auto& s : Replay(kIphoneCapture)) {
        received.insert(HexEncode(s.payload.rpi) + HexEncode(s.payload.aem));
        CHECK_FALSE(s.extended);
        CHECK(s.event_type == 0x03);            // ADV_NONCONN_IND
        CHECK((s.address.bytes[5] >> 6) == 0);  // non-resolvable private address
    }
    CHECK(received.size() == 4);
    for (const auto& r : received) CHECK(sent.count(r) == 1);
}

}  // namespace jejak
