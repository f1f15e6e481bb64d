// Exposures that add up across checks, with the CLI alone on the simulated ether (the
// first acceptance scenario): a venue box spends 30 minutes 1 m from S1 (10:00-10:30 UTC) and,
// the same UTC day, 30 minutes 1 m from S2 (12:00-12:30), each pair of `jejak run` daemons in
// this process on a lockstep clock. S1's and S2's keys reach the box as field-test exports
// (`jejak keys export --field-test`), S1's in check 1 (11:00) and S2's in check 2 (13:00),
// under a rule that needs 45 weighted minutes (enx-sample: 2700 s of CONFIRMED_TEST).
//  - check 1: about 1800 s, not notified; check 2: the ledger sums both, about 3600 s,
//    notified, the hook runs once;
//  - check 2's `match` run again: the same daily summary, no new notification, no hook;
//  - check 3 with an unrelated export (S3, never near the box): status still shows the
//    exposure;
//  - a copy of the box's store checked once with both exports: the same daily summary.
// Before the ledger, check 2 scored S2 alone (1800 s) and never notified, and a check that
// matched nothing turned `status` to "not notified".
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "platform/base/clock.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/fakes/lockstep_clock.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using nlohmann::json;

constexpr int64_t kDayS = 86400;
// Today (UTC): the daemons refuse times before the build day.
const int64_t kDay = SystemClock().NowUnixMicros() / 1000000 / kDayS;
const int64_t kS1At = kDay * kDayS + 10 * 3600;
const int64_t kS2At = kDay * kDayS + 12 * 3600;
const int64_t kS3At = kDay * kDayS + 14 * 3600;
constexpr int64_t kContactS = 1800;
const int64_t kCheck1At = kDay * kDayS + 11 * 3600;
const int64_t kCheck2At = kDay * kDayS + 13 * 3600;
const int64_t kCheck3At = kDay * kDayS + 15 * 3600;
// 30 minutes at 40 dB ("near", weight 1.0), one minute of scan credit either way.
constexpr double kContactWeightedS = 1800;
constexpr double kToleranceS = 120;

std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

size_t HookRuns(const std::string& path) {
    const std::string text = Slurp(path);
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

struct Scene {
    testing::ScratchDir dir{"e2e-ledger"};
    std::string box = dir.File("box");
    std::string config = dir.File("box.json");
    std::string hook = dir.File("box.notified");

    Scene() {
        const json c = {
            {"radio", {{"profile", "venue"}}},
            {"risk",
             {{"preset", "enx-sample"},
              {"notify_threshold", {{"score_sum", 2700}}},
              {"calibration", {{"rssi_correction_db", 0}}}}},
            // One line per hook run: its JSON, then a newline.
            {"notify",
             {{"command",
               json::array({"/bin/sh", "-c", "cat >> '" + hook + "'; echo >> '" + hook + "'"})}}}};
        std::ofstream(config) << c.dump(2);
        const std::string q = "'" + dir.path().string() + "/";
        const std::string cmd = "openssl ecparam -name prime256v1 -genkey -noout -out " + q +
                                "key.pem' 2>/dev/null && "
                                "openssl ec -in " +
                                q + "key.pem' -pubout -out " + q + "pub.pem' 2>/dev/null";
        REQUIRE(std::system(cmd.c_str()) == 0);
    }

    // `sender` and the box 1 m apart from `start` for the contact, on one lockstep clock.
    void Meet(const std::string& sender, int64_t start, int seed) const {
        const testing::LockstepClock clock(2, start * 1000000);
        const std::string ether = dir.File("ether");
        const std::string duration = std::to_string(kContactS);
        testing::CliRun rb, rs;
        std::thread tb([&] {
            rb = testing::RunJejakOn(clock,
                                     {"--state-dir", box, "--config", config, "run", "--radio",
                                      "sim:" + ether + "?x=0&seed=1", "--duration", duration});
            clock.Leave();
        });
        std::thread ts([&] {
            rs = testing::RunJejakOn(clock, {"--state-dir", dir.File(sender), "run", "--radio",
                                             "sim:" + ether + "?x=1&seed=" + std::to_string(seed),
                                             "--duration", duration});
            clock.Leave();
        });
        tb.join();
        ts.join();
        REQUIRE_MESSAGE(rb.code == 0, rb.err);
        REQUIRE_MESSAGE(rs.code == 0, rs.err);
    }

    // The sender's own keys as a signed field-test export, written at `at`.
    std::string Export(const std::string& sender, int64_t at) const {
        const ManualClock clock(at * 1000000);
        const std::string zip = dir.File(sender + ".zip");
        const testing::CliRun run = testing::RunJejakOn(
            clock, {"--state-dir", dir.File(sender), "keys", "export", "--field-test", "--out", zip,
                    "--signing-key", dir.File("key.pem"), "--days", "1"});
        REQUIRE_MESSAGE(run.code == 0, run.err);
        return zip;
    }

    json Match(const std::string& state, int64_t at, std::vector<std::string> files) const {
        const ManualClock clock(at * 1000000);
        std::vector<std::string> args = {"--state-dir", state,      "--config",          config,
                                         "match",       "--pubkey", dir.File("pub.pem"), "--json",
                                         "--keys"};
        args.insert(args.end(), files.begin(), files.end());
        const testing::CliRun run = testing::RunJejakOn(clock, args);
        REQUIRE_MESSAGE(run.code == 0, run.err);
        return json::parse(run.out);
    }

    json Status(int64_t at) const {
        const ManualClock clock(at * 1000000);
        const testing::CliRun run = testing::RunJejakOn(
            clock, {"--state-dir", box, "--config", config, "status", "--json"});
        // No daemon runs now: exit 1 for that alone.
        CHECK(run.err.rfind("jejak: needs attention: the daemon is not running (", 0) == 0);
        CHECK(run.err.find(';') == std::string::npos);  // that reason alone
        return json::parse(run.out);
    }
};

// The parts of a daily summary that must not depend on how the keys arrived.
json Verdict(const json& day) {
    return {day["date"],          day["score_sum"], day["weighted_duration_sum"],
            day["maximum_score"], day["windows"],   day["by_report_type"]};
}

}  // namespace

TEST_CASE("exposures of one day found in two checks add up, notify once, and stay shown") {
    Scene scene;
    scene.Meet("s1", kS1At, 2);
    scene.Meet("s2", kS2At, 3);
    {  // S3 never comes near the box: its own ether.
        const ManualClock clock(kS3At * 1000000);
        const testing::CliRun s3 = testing::RunJejakOn(
            clock, {"--state-dir", scene.dir.File("s3"), "run", "--radio",
                    "sim:" + scene.dir.File("elsewhere") + "?x=0&seed=4", "--duration", "60"});
        REQUIRE_MESSAGE(s3.code == 0, s3.err);
    }
    const std::string s1 = scene.Export("s1", kS1At + kContactS + 60);
    const std::string s2 = scene.Export("s2", kS2At + kContactS + 60);
    const std::string s3 = scene.Export("s3", kS3At + 120);
    // The same sightings, to be checked in one go.
    const std::string twin = scene.dir.File("twin");
    std::filesystem::copy(scene.box, twin, std::filesystem::copy_options::recursive);

    // Check 1: S1 alone, 30 minutes: under the 45-minute rule.
    const json c1 = scene.Match(scene.box, kCheck1At, {s1});
    INFO("check 1: " << c1.dump(2));
    CHECK(c1["matched_keys"] == 1);
    CHECK(c1["check"] == 1);
    CHECK(c1["notify"] == false);
    REQUIRE(c1["daily_summaries"].size() == 1);
    CHECK(std::abs(c1["daily_summaries"][0]["weighted_duration_sum"].get<double>() -
                   kContactWeightedS) <= kToleranceS);
    CHECK(c1["exposure"]["notified"] == false);
    CHECK(HookRuns(scene.hook) == 0);

    // Check 2: S2 alone in this check, but the ledger holds S1's windows: the day sums both.
    const json c2 = scene.Match(scene.box, kCheck2At, {s2});
    INFO("check 2: " << c2.dump(2));
    CHECK(c2["matched_keys"] == 1);
    CHECK(c2["notify"] == true);
    REQUIRE(c2["daily_summaries"].size() == 1);
    const json& day = c2["daily_summaries"][0];
    CHECK(std::abs(day["weighted_duration_sum"].get<double>() - 2 * kContactWeightedS) <=
          2 * kToleranceS);
    CHECK(day["score_sum"].get<double>() >= 2700);
    REQUIRE(day["checks"].size() == 2);
    CHECK(day["checks"][0]["check"] == 1);
    CHECK(day["checks"][0]["checked_at_unix"] == kCheck1At);
    CHECK(day["checks"][1]["check"] == 2);
    CHECK(c2["exposure_date"] == day["date"]);
    CHECK(c2["newly_notified_days"] == json::array({day["date"]}));
    REQUIRE(HookRuns(scene.hook) == 1);
    CHECK(c2["hook"]["ok"] == true);

    // Check 2's match again: the same keys and windows count once; nothing changes.
    const json again = scene.Match(scene.box, kCheck2At + 300, {s2});
    INFO("check 2 again: " << again.dump(2));
    CHECK(again["notify"] == true);
    CHECK(again["daily_summaries"] == c2["daily_summaries"]);
    CHECK(again["exposure"] == c2["exposure"]);
    CHECK(again["newly_notified_days"].empty());
    CHECK(again["hook"]["ran"] == false);
    CHECK(HookRuns(scene.hook) == 1);

    // Check 3: an unrelated export matches nothing; the exposure stands.
    const json c3 = scene.Match(scene.box, kCheck3At, {s3});
    CHECK(c3["matched_keys"] == 0);
    CHECK(c3["notify"] == true);
    CHECK(HookRuns(scene.hook) == 1);
    const json status = scene.Status(kCheck3At + 60);
    INFO("status: " << status.dump(2));
    CHECK(status["exposure"]["notified"] == true);
    REQUIRE(status["exposure"]["days"].size() == 1);
    const json& shown = status["exposure"]["days"][0];
    CHECK(shown["day"] == day["date"]);
    CHECK(shown["score_sum"] == day["score_sum"]);
    CHECK(shown["weighted_duration_sum"] == day["weighted_duration_sum"]);
    CHECK(shown["first_notified_unix"] == kCheck2At);
    CHECK(status["last_check"]["checked_at"] == kCheck3At);
    CHECK(status["last_check"]["notify"] == true);

    // Both exports in one check of the same sightings: the same daily summary.
    const json both = scene.Match(twin, kCheck2At, {s1, s2});
    INFO("both at once: " << both.dump(2));
    CHECK(both["notify"] == true);
    REQUIRE(both["daily_summaries"].size() == 1);
    CHECK(Verdict(both["daily_summaries"][0]) == Verdict(day));
    CHECK(both["daily_summaries"][0]["checks"].size() == 1);
}

}  // namespace jejak
