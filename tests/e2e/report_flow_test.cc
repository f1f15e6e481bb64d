// End to end on loopback, as a deployment runs it: a pilot health authority (`jejak
// authority init|serve|issue-code|export`, run as child processes of the built `jejak`), and
// two devices A and B that spent an hour 1 m apart on the simulated ether (two `jejak run`
// in this process on one lockstep clock). A reports its diagnosis with `jejak report --code
// CODE --yes`; the export worker publishes A's key; B runs `jejak keys fetch` against the
// served /exports/ and `jejak match --fetched` and is notified with the exposure windows
// worked out below; A runs the same and is not notified of itself.
#include <doctest/doctest.h>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "platform/base/clock.h"
#include "tests/support/child_process.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/e2e/served_authority.h"
#include "tests/fakes/lockstep_clock.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using nlohmann::json;

// The contact: today (UTC) 10:00:00 to 11:00:00, A at x = 0 and B at x = 1 m, no noise.
// Today, because the daemons' clock check refuses times before the build day and the
// authority, which runs on the wall clock, refuses keys that start after its "now" (A's key
// starts at today's 00:00 UTC, so this holds all day, and for 15 days more).
constexpr int64_t kDayS = 86400;
const int64_t kDay = SystemClock().NowUnixMicros() / 1000000 / kDayS;
const int64_t kStart = kDay * kDayS + 10 * 3600;
constexpr int64_t kContactS = 3600;
// A reports a minute after the contact; its key for today is cut at that interval (valid
// until 11:10), so the authority holds it back (embargo) until 13:10 today, or, when the
// wall clock says the key is still valid at upload, until 02:00 UTC tomorrow. The export
// worker runs at 03:00 tomorrow, and both devices check ten minutes later.
const int64_t kReportAt = kStart + kContactS + 60;
const int64_t kExportAt = (kDay + 1) * kDayS + 3 * 3600;
const int64_t kCheckAt = kExportAt + 600;

// Expected on B, by hand (jejak-close-contact, the default risk preset; receiver correction
// 0):
//  - attenuation = advertised TX power - RSSI = -15 - (-15 - 40.05 dB free-space loss at
//    1 m) = 40 dB: within the preset's 55 dB border, weight 1.0;
//  - windows hold at most 30 minutes of one key's sightings: 10:00-10:30 and 10:30-11:00,
//    so 2 windows on today's date;
//  - each window: 30 minutes x 1.0 = 1800 weighted seconds (the daily maximum);
//  - weighted duration = 3600 s x 1.0, and score = weighted duration x report type weight
//    (confirmed test 1.0) x infectiousness weight (standard 1.0: the preset maps every
//    day since onset to standard) = 3600, above the 720 notification threshold. Tolerance:
//    one minute of scan credit at either end of the contact (+-120 s); the weight is pinned
//    because it is 1.0 at every attenuation up to 55 dB and 0 beyond.
constexpr int kExpectedWindows = 2;
constexpr double kExpectedWeightedS = 3600;
constexpr double kToleranceS = 120;

std::string IsoDay(int64_t day) {
    const std::time_t t = static_cast<std::time_t>(day * kDayS);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// `jejak` as a child process (the authority side runs only this way).
testing::ProcessRun Jejak(std::vector<std::string> args) {
    args.insert(args.begin(), testing::BuiltBinary("jejak"));
    return testing::RunProcess(args);
}

struct Device {
    std::string state;
    std::string config;
    std::string notified;  // what the notification hook received on stdin

    Device(const testing::ScratchDir& dir, const std::string& name)
        : state(dir.File(name)), config(dir.File(name + ".json")),
          notified(dir.File(name + ".notified")) {}

    void WriteConfig(const std::string& url, const json& authority) const {
        const json c = {
            {"upload",
             {{"verification_url", url},
              {"publish_url", url},
              {"api_key", authority["api_key"]},
              {"health_authority_id", authority["health_authority_id"]},
              {"allow_http_loopback", true}}},
            {"diagnosis",
             {{"server_url", url + "/exports/"},
              {"index_path", "index.txt"},
              {"allow_http_loopback", true},
              {"public_keys",
               json::array({{{"key_id", authority["export_key_id"]},
                             {"key_version", authority["export_key_version"]},
                             {"pem", authority["export_public_key_pem"]}}})}}},
            {"risk", {{"calibration", {{"rssi_correction_db", 0}}}}},
            {"notify", {{"command", json::array({"/bin/sh", "-c", "cat > " + notified})}}}};
        std::ofstream(config) << c.dump(2);
    }

    testing::CliRun Run(const Clock& clock, std::vector<std::string> args) const {
        args.insert(args.begin(), {"--state-dir", state, "--config", config});
        return testing::RunJejakOn(clock, std::move(args));
    }
};

// Both daemons for the whole contact on one lockstep clock: no wall time is waited.
void SpendAnHourTogether(const testing::ScratchDir& dir, const Device& a, const Device& b) {
    const testing::LockstepClock clock(2, kStart * 1000000);
    const std::string ether = dir.File("ether");
    const std::string duration = std::to_string(kContactS);
    testing::CliRun ra, rb;
    std::thread ta([&] {
        ra = a.Run(clock, {"run", "--radio", "sim:" + ether + "?x=0&seed=1", "--duration",
                           duration});
        clock.Leave();
    });
    std::thread tb([&] {
        rb = b.Run(clock, {"run", "--radio", "sim:" + ether + "?x=1&seed=2", "--duration",
                           duration});
        clock.Leave();
    });
    ta.join();
    tb.join();
    REQUIRE_MESSAGE(ra.code == 0, ra.err);
    REQUIRE_MESSAGE(rb.code == 0, rb.err);
}

// keys fetch + match --fetched on `device` at kCheckAt; returns match's JSON.
json FetchAndMatch(const Device& device) {
    const ManualClock clock(kCheckAt * 1000000);
    const testing::CliRun fetch = device.Run(clock, {"keys", "fetch"});
    REQUIRE_MESSAGE(fetch.code == 0, fetch.err);
    const testing::CliRun match = device.Run(clock, {"match", "--fetched", "--json"});
    REQUIRE_MESSAGE(match.code == 0, match.err);
    return json::parse(match.out);
}

}  // namespace

TEST_CASE("a diagnosis reported to a served authority notifies the contact, not the reporter") {
    testing::ScratchDir dir("e2e-report");
    const std::string auth = dir.File("authority");

    // The authority: init, serve on an ephemeral loopback port, one code.
    const testing::ProcessRun init = Jejak({"--state-dir", auth, "authority", "init", "--json"});
    REQUIRE_MESSAGE(init.code == 0, init.err);
    const json authority = json::parse(init.out);
    testing::ServedAuthority server(testing::BuiltBinary("jejak"), auth,
                                    dir.File("server.log"));
    REQUIRE_MESSAGE(server.ok(), server.error() << ": " << Slurp(dir.File("server.log")));
    REQUIRE(server.url().rfind("http://127.0.0.1:", 0) == 0);
    const testing::ProcessRun issued =
        Jejak({"--state-dir", auth, "authority", "issue-code", "--type", "confirmed"});
    REQUIRE_MESSAGE(issued.code == 0, issued.err);
    const std::string code = issued.out.substr(0, issued.out.find('\n'));
    REQUIRE(code.size() == 10);

    const Device a(dir, "a"), b(dir, "b");
    a.WriteConfig(server.url(), authority);
    b.WriteConfig(server.url(), authority);
    SpendAnHourTogether(dir, a, b);

    // A reports (consent given with --yes): today's key, cut at the report's interval.
    const ManualClock report_clock(kReportAt * 1000000);
    const testing::CliRun report = a.Run(report_clock, {"report", "--code", code, "--yes"});
    REQUIRE_MESSAGE(report.code == 0, report.err << Slurp(dir.File("server.log")));
    CHECK(report.out.find("published 1 keys (confirmed test); the key server inserted 1") !=
          std::string::npos);
    // The code was single use.
    CHECK(a.Run(report_clock, {"report", "--code", code, "--yes"}).code == 1);

    // Before the embargo ends nothing is exported; after it, A's key is.
    const testing::ProcessRun early = Jejak({"--state-dir", auth, "authority", "export",
                                             "--now", std::to_string(kReportAt), "--json"});
    REQUIRE_MESSAGE(early.code == 0, early.err);
    CHECK(json::parse(early.out)["keys"] == 0);
    const testing::ProcessRun exported = Jejak({"--state-dir", auth, "authority", "export",
                                                "--now", std::to_string(kExportAt), "--json"});
    REQUIRE_MESSAGE(exported.code == 0, exported.err);
    CHECK(json::parse(exported.out)["keys"] == 1);

    // B: notified, with the windows worked out at the top of this file.
    const json seen = FetchAndMatch(b);
    INFO(seen.dump(2));
    CHECK(seen["files"] == 1);
    CHECK(seen["matched_keys"] == 1);
    CHECK(seen["exposed_keys"] == 1);
    CHECK(seen["exposure_windows"] == kExpectedWindows);
    CHECK(seen["notify"] == true);
    CHECK(seen["exposure_date"] == IsoDay(kDay));
    REQUIRE(seen["daily_summaries"].size() == 1);
    const json& day = seen["daily_summaries"][0];
    CHECK(day["date"] == IsoDay(kDay));
    CHECK(day["windows"] == kExpectedWindows);
    CHECK(std::abs(day["weighted_duration_sum"].get<double>() - kExpectedWeightedS) <=
          kToleranceS);
    CHECK(std::abs(day["score_sum"].get<double>() - kExpectedWeightedS) <= kToleranceS);
    CHECK(std::abs(day["maximum_score"].get<double>() - kExpectedWeightedS / kExpectedWindows) <=
          kToleranceS);
    CHECK(seen["rssi_correction_db"] == 0);
    CHECK(day["by_report_type"].contains("confirmed_test"));
    const json hook = json::parse(Slurp(b.notified));  // the hook ran with the decision
    CHECK(hook["notify"] == true);

    // A: its own key is in the export, but A never heard itself: no match, no notification.
    const json self = FetchAndMatch(a);
    INFO(self.dump(2));
    CHECK(self["files"] == 1);
    CHECK(self["matched_keys"] == 0);
    CHECK(self["exposure_windows"] == 0);
    CHECK(self["notify"] == false);
    CHECK_FALSE(std::filesystem::exists(a.notified));

    CHECK(server.Stop() == 0);
    CHECK(server.output().find("stopped") != std::string::npos);
}

}  // namespace jejak
