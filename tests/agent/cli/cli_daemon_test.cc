// `jejak run` as a service and `jejak status` as the device view, in process on injected
// clocks: one daemon per state dir (the second is refused naming the holder's pid), the
// status file a running daemon publishes and the schema of `status --json`, readiness and
// watchdog messages on a notify socket the test binds, and --hci-log on a simulated radio.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/daemon/daemon_status.h"
#include "agent/daemon/instance_lock.h"
#include "agent/daemon/service_notify.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

// A minimal schema: every key of `schema` must be in `value` with the same JSON type
// (objects recursively); "null|object" accepts either.
void CheckSchema(const nlohmann::json& value, const nlohmann::json& schema, const std::string& at) {
    for (const auto& [key, type] : schema.items()) {
        INFO("at " << at << "." << key);
        REQUIRE(value.contains(key));
        const nlohmann::json& v = value[key];
        if (type.is_object()) {
            if (v.is_null()) continue;
            REQUIRE(v.is_object());
            CheckSchema(v, type, at + "." + key);
            continue;
        }
        const std::string t = type.get<std::string>();
        if (t == "bool") CHECK(v.is_boolean());
        if (t == "int") CHECK(v.is_number_integer());
        if (t == "string") CHECK(v.is_string());
        if (t == "array") CHECK(v.is_array());
        if (t == "null|object") CHECK((v.is_null() || v.is_object()));
    }
}

const nlohmann::json kDaemonStatusSchema = {
    {"pid", "int"},           {"updated_unix", "int"},       {"started_unix", "int"},
    {"on_air", "bool"},       {"advertising_paused", "bool"}, {"interval", "int"},
    {"recording_paused", "bool"},
    {"last_rotation_unix", "int"}, {"tx_power_dbm", "int"},
    {"clock", {{"state", "string"}, {"plausible", "bool"}, {"reason", "string"},
               {"ntp_synchronised", "bool"}, {"require_ntp_sync", "bool"}, {"steps", "int"},
               {"unsynchronised_for_s", "int"}, {"warn_unsynchronised_after_s", "int"}}},
    {"radio", {{"description", "string"}, {"advertising", "bool"}, {"scanning", "bool"},
               {"controller_resets", "int"}, {"last_error", "string"}, {"fault", "string"},
               {"fault_since_unix", "int"}, {"failures", "int"}, {"recoveries", "int"}}},
    {"scan", {{"window_ms", "int"}, {"interval_ms", "int"}}},
    {"counters", {{"adverts_heard", "int"}, {"sightings_stored", "int"},
                  {"sightings_flushed", "int"}, {"rotations", "int"}, {"teks_generated", "int"},
                  {"dropped_writes", "int"}, {"store_refused", "int"},
                  {"store_write_failures", "int"},
                  {"last_dropped_write", "string"}, {"last_dropped_write_unix", "int"}}},
    {"store", {{"days", "int"}, {"bytes_on_disk", "int"}, {"last_flush_unix", "int"},
               {"pending_sightings", "int"}, {"fault", "string"}, {"fault_since_unix", "int"},
               {"unstored_keys", "int"}}},
};

const nlohmann::json kStatusSchema = {
    {"healthy", "bool"},
    {"attention", "array"},
    {"daemon", {{"running", "bool"}, {"pid", "int"}, {"status", kDaemonStatusSchema}}},
    {"store", "null|object"},
    {"last_check", "null|object"},
    {"exposure", {{"notified", "bool"}, {"days", "array"}}},
    {"next_check", "string"},
};

}  // namespace

TEST_CASE("a second daemon on the same state dir is refused, naming the holder's pid") {
    testing::ScratchDir dir("cli-lock");
    const std::string state = dir.File("state");
    std::filesystem::create_directories(state);
    {
        auto held = InstanceLock::Acquire(state, "test");
        REQUIRE(held.ok());
        CHECK(LockHolderPid(state) == getpid());
        auto again = InstanceLock::Acquire(state, "test");
        REQUIRE_FALSE(again.ok());
        CHECK(again.status().message().find("in use by pid " + std::to_string(getpid())) !=
              std::string::npos);

        ManualClock clock(SystemClock().NowUnixMicros());
        auto run = testing::RunJejakOn(clock, {"--state-dir", state, "run", "--radio",
                                               "sim:" + dir.File("ether"), "--duration", "5"});
        CHECK(run.code == kExitFailure);
        CHECK(run.err.rfind("jejak: run: state dir " + state + " is in use by pid " +
                                std::to_string(getpid()),
                            0) == 0);
        CHECK(run.err.find('\n') == run.err.size() - 1);
        CHECK_FALSE(std::filesystem::exists(state + "/store.db"));
    }
    CHECK(LockHolderPid(state) == 0);  // released with the holder
    ManualClock clock(SystemClock().NowUnixMicros());
    auto run = testing::RunJejakOn(clock, {"--state-dir", state, "run", "--radio",
                                           "sim:" + dir.File("ether"), "--duration", "5"});
    CHECK_MESSAGE(run.code == kExitOk, run.err);
}

TEST_CASE("jejak run publishes its status file; jejak status shows the device and its schema") {
    testing::ScratchDir dir("cli-status");
    const std::string state = dir.File("state");
    // 30 simulated seconds that stay within one UTC day: started in the last minute of a day
    // the run crossed midnight and made a second TEK (the CI run at 23:59 UTC failed so).
    constexpr int64_t kDayMicros = int64_t{86400} * 1'000'000;
    int64_t start = SystemClock().NowUnixMicros();
    if (start % kDayMicros > kDayMicros - int64_t{60} * 1'000'000) start += int64_t{120} * 1'000'000;
    ManualClock clock(start);
    auto run = testing::RunJejakOn(clock, {"--state-dir", state, "run", "--radio",
                                           "sim:" + dir.File("ether"), "--duration", "30"});
    REQUIRE_MESSAGE(run.code == kExitOk, run.err);
    std::ifstream in(DaemonStatusPath(state));
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const auto live = nlohmann::json::parse(text.str());
    CheckSchema(live, kDaemonStatusSchema, "daemon-status");
    CHECK(live["pid"] == getpid());
    CHECK(live["clock"]["state"] == "plausible");
    CHECK(live["scan"]["window_ms"] == 100);
    CHECK(live["counters"]["teks_generated"] == 1);
    CHECK((std::filesystem::status(DaemonStatusPath(state)).permissions() &
           std::filesystem::perms::others_write) == std::filesystem::perms::none);

    // Not running now: needs attention (exit 1, reasons on stderr), the view still printed.
    auto status = testing::RunJejakOn(clock, {"--state-dir", state, "status", "--json"});
    CHECK(status.code == kExitFailure);
    CHECK(status.err.find("the daemon is not running") != std::string::npos);
    // A device that has not checked yet is not a reason of its own.
    CHECK(status.err == testing::kDaemonNotRunningError);
    const auto view = nlohmann::json::parse(status.out);
    CheckSchema(view, kStatusSchema, "status");
    CHECK(view["healthy"] == false);
    CHECK(view["daemon"]["running"] == false);

    // Running (the lock is held and the status file is fresh, from this pid): a healthy new
    // device with no check yet is healthy, exit 0 (it was "needs attention" before).
    {
        auto lock = InstanceLock::Acquire(state, "test");
        REQUIRE(lock.ok());
        auto text_view = testing::RunJejakOn(clock, {"--state-dir", state, "status"});
        CHECK(text_view.out.find("daemon: running, pid " + std::to_string(getpid())) !=
              std::string::npos);
        CHECK(text_view.out.find("clock: plausible") != std::string::npos);
        CHECK(text_view.out.find("dropped_writes=0") != std::string::npos);
        CHECK(text_view.out.find("last check: none") != std::string::npos);
        CHECK(text_view.out.find("exposure: none notified") != std::string::npos);
        CHECK(text_view.code == kExitOk);
        CHECK(text_view.err.empty());
        auto json_view = testing::RunJejakOn(clock, {"--state-dir", state, "status", "--json"});
        CHECK(json_view.code == kExitOk);
        CHECK(nlohmann::json::parse(json_view.out)["healthy"] == true);
        // Dropped writes need attention (the daemon's counter, as it publishes it).
        nlohmann::json dropped = live;
        dropped["counters"]["dropped_writes"] = 3;
        std::ofstream(DaemonStatusPath(state)) << dropped.dump();
        auto lossy = testing::RunJejakOn(clock, {"--state-dir", state, "status"});
        CHECK(lossy.code == kExitFailure);
        CHECK(lossy.err ==
              "jejak: needs attention: the daemon dropped 3 write(s) since it started (check "
              "the disk's free space, the clock and journalctl -u jejak)\n");
        std::ofstream(DaemonStatusPath(state)) << live.dump();
        clock.Advance(int64_t{120} * 1'000'000);
        auto stale = testing::RunJejakOn(clock, {"--state-dir", state, "status"});
        CHECK(stale.err.find("status is stale") != std::string::npos);
    }
    CHECK(testing::RunJejakOn(clock, {"--state-dir", state, "status", "--bogus"}).code ==
          kExitUsage);
}

TEST_CASE("jejak run refuses --hci-log on the simulated radio") {
    testing::ScratchDir dir("cli-hcilog");
    ManualClock clock(SystemClock().NowUnixMicros());
    auto run = testing::RunJejakOn(clock, {"--state-dir", dir.File("s"), "run", "--radio",
                                           "sim:" + dir.File("ether"), "--hci-log",
                                           dir.File("x.btsnoop")});
    CHECK(run.code == kExitUsage);
    CHECK(run.err.find("--hci-log needs an HCI radio") != std::string::npos);
}

TEST_CASE("readiness, watchdog and stopping reach the notify socket") {
    testing::ScratchDir dir("cli-notify");
    const std::string path = dir.File("notify.sock");
    const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    REQUIRE(path.size() < sizeof addr.sun_path);
    std::copy(path.begin(), path.end(), addr.sun_path);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    setenv("NOTIFY_SOCKET", path.c_str(), 1);
    setenv("WATCHDOG_USEC", "2000000", 1);
    setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);

    ManualClock clock(SystemClock().NowUnixMicros());
    auto run = testing::RunJejakOn(clock, {"--state-dir", dir.File("s"), "run", "--radio",
                                           "sim:" + dir.File("ether"), "--duration", "20"});
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    REQUIRE_MESSAGE(run.code == kExitOk, run.err);
    std::vector<std::string> messages;
    char buf[4096];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) messages.emplace_back(buf, static_cast<size_t>(n));
    close(fd);
    REQUIRE(messages.size() >= 3);
    CHECK(messages.front().rfind("READY=1\nSTATUS=on air, interval ", 0) == 0);
    int watchdogs = 0;
    for (const std::string& m : messages) watchdogs += m.rfind("WATCHDOG=1", 0) == 0;
    CHECK(watchdogs >= 4);  // published every 5 s of the 20
    CHECK(std::any_of(messages.begin(), messages.end(), [](const std::string& m) {
        return m.rfind("STOPPING=1\nSTATUS=stopping", 0) == 0;
    }));
}

}  // namespace jejak
