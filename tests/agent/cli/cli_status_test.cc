// `jejak status` for monitoring: exit 0 for a sync station declared with
// --no-daemon, staleness judged on the clock the daemon runs on (its published JEJAK_SIM_CLOCK
// spec), and every attention reason saying what to do.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/daemon/daemon_status.h"
#include "agent/daemon/instance_lock.h"
#include "platform/base/clock.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::RunJejak;
using testing::RunJejakOn;

// The status file a real daemon published (a short sim run in `dir`), for planting in
// other state dirs.
nlohmann::json PublishedStatus(const testing::ScratchDir& dir) {
    ManualClock clock(SystemClock().NowUnixMicros());
    const std::string state = dir.File("published");
    auto run = RunJejakOn(clock, {"--state-dir", state, "run", "--radio",
                                  "sim:" + dir.File("ether"), "--duration", "10"});
    REQUIRE_MESSAGE(run.code == 0, run.err);
    std::ifstream in(DaemonStatusPath(state));
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str());
}

// The reasons of "jejak: needs attention: a; b\n", each "problem (what to do)".
std::vector<std::string> Reasons(const testing::CliRun& run) {
    const std::string prefix = "jejak: needs attention: ";
    REQUIRE(run.err.rfind(prefix, 0) == 0);
    REQUIRE(run.err.back() == '\n');
    const std::string text = run.err.substr(prefix.size(), run.err.size() - prefix.size() - 1);
    std::vector<std::string> reasons;
    for (size_t start = 0;;) {
        const size_t end = text.find("; ", start);
        reasons.push_back(text.substr(start, end - start));
        if (end == std::string::npos) return reasons;
        start = end + 2;
    }
}

// Where the final parenthesised group of `reason` opens (npos when unbalanced).
size_t ActionStart(const std::string& reason) {
    int depth = 0;
    for (size_t i = reason.size(); i-- > 0;) {
        if (reason[i] == ')') ++depth;
        if (reason[i] == '(' && --depth == 0) return i;
    }
    return std::string::npos;
}

TEST_CASE("status --no-daemon: a sync station without a daemon is healthy (exit 0)") {
    testing::ScratchDir dir("status-station");
    const std::string state = dir.File("s");
    std::filesystem::create_directories(state);
    const auto station = RunJejak({"--state-dir", state, "status", "--no-daemon"});
    CHECK(station.code == 0);
    CHECK(station.err.empty());
    CHECK(station.out.find("daemon: not running") != std::string::npos);
    const auto as_json = RunJejak({"--state-dir", state, "status", "--no-daemon", "--json"});
    CHECK(as_json.code == 0);
    CHECK(nlohmann::json::parse(as_json.out)["healthy"] == true);
    // Without the declaration the missing daemon needs attention, and says what to do.
    const auto device = RunJejak({"--state-dir", state, "status"});
    CHECK(device.code == 1);
    CHECK(device.err == testing::kDaemonNotRunningError);
}

TEST_CASE("status judges a simulated daemon's staleness on the daemon's own clock") {
    testing::ScratchDir dir("status-sim");
    nlohmann::json live = PublishedStatus(dir);
    const std::string state = dir.File("s");
    std::filesystem::create_directories(state);
    auto lock = InstanceLock::Acquire(state, "test");
    REQUIRE(lock.ok());
    live["pid"] = getpid();
    // A daemon on JEJAK_SIM_CLOCK at 1000x since 10 real seconds, 30 simulated days ahead,
    // publishing every 5000 simulated seconds (5 real seconds).
    const int64_t real_now = SystemClock().NowUnixMicros() / 1000000;
    const int64_t start = real_now + 30 * 86400;
    const int64_t sim_now = start + 10 * 1000;
    live["sim_clock"] = {{"start_unix_micros", start * 1000000},
                         {"anchor_unix_micros", (real_now - 10) * 1000000},
                         {"rate", 1000.0}};
    live["publish_every_s"] = 5000.0;
    const std::string spec = "start=" + std::to_string(start) +
                             "&anchor=" + std::to_string(real_now - 10) + "&rate=1000";

    live["updated_unix"] = sim_now - 3000;  // 3 real seconds ago
    std::ofstream(DaemonStatusPath(state)) << live.dump();
    setenv("JEJAK_SIM_CLOCK", spec.c_str(), 1);
    const auto same_clock = RunJejak({"--state-dir", state, "status"});
    unsetenv("JEJAK_SIM_CLOCK");
    CHECK_MESSAGE(same_clock.code == 0, same_clock.err);  // was "the daemon's status is stale"
    const auto wall_clock = RunJejak({"--state-dir", state, "status"});
    CHECK_MESSAGE(wall_clock.code == 0, wall_clock.err);

    live["updated_unix"] = sim_now - 200 * 1000;  // 200 real seconds ago: stuck
    std::ofstream(DaemonStatusPath(state)) << live.dump();
    setenv("JEJAK_SIM_CLOCK", spec.c_str(), 1);
    const auto stuck = RunJejak({"--state-dir", state, "status"});
    unsetenv("JEJAK_SIM_CLOCK");
    CHECK(stuck.code == 1);
    CHECK(stuck.err.find("the daemon's status is stale") != std::string::npos);
    CHECK(RunJejak({"--state-dir", state, "status"}).err.find("is stale") != std::string::npos);
}

TEST_CASE("every attention reason of status says what to do") {
    testing::ScratchDir dir("status-actions");
    nlohmann::json live = PublishedStatus(dir);
    const std::string state = dir.File("s");
    std::filesystem::create_directories(state);
    ManualClock clock(SystemClock().NowUnixMicros());
    std::vector<std::string> reasons = Reasons(RunJejakOn(clock, {"--state-dir", state, "status"}));
    auto lock = InstanceLock::Acquire(state, "test");
    REQUIRE(lock.ok());
    // Not published yet (no file), then stale, off air and lossy at once.
    for (const auto& r : Reasons(RunJejakOn(clock, {"--state-dir", state, "status"}))) {
        reasons.push_back(r);
    }
    live["pid"] = getpid();
    live["updated_unix"] = clock.NowUnixMicros() / 1000000 - 600;
    live["clock"]["plausible"] = false;
    live["clock"]["reason"] = "the wall clock is before the build day";
    live["counters"]["dropped_writes"] = 2;
    std::ofstream(DaemonStatusPath(state)) << live.dump();
    const auto many = RunJejakOn(clock, {"--state-dir", state, "status"});
    CHECK(many.code == 1);
    for (const auto& r : Reasons(many)) reasons.push_back(r);
    REQUIRE(reasons.size() == 5);
    const char* problems[] = {"the daemon is not running", "has not published its status",
                              "status is stale", "not on air", "dropped 2 write(s)"};
    const char* actions[] = {"systemctl start jejak", "journalctl -u jejak",
                             "systemctl restart jejak", "timedatectl", "free space"};
    for (size_t i = 0; i < reasons.size(); ++i) {
        CAPTURE(reasons[i]);
        // "problem (what to do)": the action follows the problem, in the last parentheses.
        REQUIRE(reasons[i].back() == ')');
        const size_t open = ActionStart(reasons[i]);
        REQUIRE(open != std::string::npos);
        CHECK(reasons[i].find(problems[i]) < open);
        CHECK(reasons[i].find(actions[i]) > open);
    }
}

TEST_CASE("status and store status give the same store size") {
    testing::ScratchDir dir("status-size");
    const std::string state = dir.File("s");
    ManualClock clock(SystemClock().NowUnixMicros());
    REQUIRE(RunJejakOn(clock, {"--state-dir", state, "run", "--radio", "sim:" + dir.File("ether"),
                               "--duration", "20"})
                .code == 0);
    const auto status = RunJejakOn(clock, {"--state-dir", state, "status", "--json", "--no-daemon"});
    REQUIRE_MESSAGE(status.code == 0, status.err);
    const auto store = RunJejakOn(clock, {"--state-dir", state, "store", "status", "--json"});
    REQUIRE(store.code == 0);
    const auto from_status = nlohmann::json::parse(status.out)["store"];
    const auto from_store = nlohmann::json::parse(store.out);
    CHECK(from_status["bytes_on_disk"].get<uint64_t>() > 0);
    // The daemon's last published size (taken while it still held the store open) differed.
    CHECK(from_status["bytes_on_disk"] == from_store["bytes_on_disk"]);
    CHECK(from_status["days"] == from_store["days_held"]);
    const auto text = RunJejakOn(clock, {"--state-dir", state, "status", "--no-daemon"});
    CHECK(text.out.find("store: " + from_store["days_held"].dump() + " day(s), " +
                        from_store["bytes_on_disk"].dump() + " bytes\n") != std::string::npos);
}

TEST_CASE("status --prometheus prints the daemon's counters as metrics and exits 0") {
    testing::ScratchDir dir("status-prometheus");
    const std::string state = dir.File("s");
    std::filesystem::create_directories(state);
    nlohmann::json live = PublishedStatus(dir);
    live["counters"]["adverts_heard"] = 12345678901LL;
    live["counters"]["bad name{x=\"1\"}"] = 3;  // a damaged file's key is left out
    live["counters"]["negative"] = -1;
    std::ofstream(DaemonStatusPath(state)) << live.dump();
    const auto run = RunJejak({"--state-dir", state, "status", "--prometheus"});
    CHECK(run.code == 0);  // the daemon is not running: healthy 0, but the text is written
    CHECK(run.out.find("\njejak_device_healthy 0\n") != std::string::npos);
    CHECK(run.out.find("\njejak_device_daemon_running 0\n") != std::string::npos);
    CHECK(run.out.find("\njejak_device_adverts_heard_total 12345678901\n") != std::string::npos);
    CHECK(run.out.find("# TYPE jejak_device_rotations_total counter\n") != std::string::npos);
    CHECK(run.out.find("bad name") == std::string::npos);
    CHECK(run.out.find("negative") == std::string::npos);
    // Every sample line is "name value"; every family has its TYPE line first.
    std::istringstream lines(run.out);
    std::string line, typed;
    while (std::getline(lines, line)) {
        if (line.rfind("# TYPE ", 0) == 0) typed = line.substr(7, line.find(' ', 7) - 7);
        if (line.empty() || line[0] == '#') continue;
        const size_t sp = line.find(' ');
        REQUIRE(sp != std::string::npos);
        CHECK(line.substr(0, sp) == typed);
        CHECK(line.find_first_not_of("0123456789.-e+", sp + 1) == std::string::npos);
    }
    CHECK(RunJejak({"--state-dir", state, "status", "--prometheus", "--json"}).code == 2);
}

}  // namespace
}  // namespace jejak
