// Issue 21 with the real `jejak run` process: two daemons on a sim ether under one
// accelerated JEJAK_SIM_CLOCK (its ntp=0 marks the clock unsynchronised, as a wrong clock
// is), run phase after phase at the clock a device might have: 2030 then now; 120 days back
// then now; 8 hours ahead (a local-time RTC in UTC+8); 1970 (no RTC) then now. After each
// phase the test reads the store (keys and sightings per day) and exports the keys. And a
// write the store refuses (a sighting of yesterday flushed after midnight with a one-day
// retention) shows in `status --json` with its cause.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "agent/daemon/daemon_status.h"
#include "agent/daemon/instance_lock.h"
#include "platform/base/clock.h"
#include "storage/sqlite_store.h"
#include "tests/support/child_process.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/fakes/lockstep_clock.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDayS = 86400;
constexpr int64_t k2030 = 1'906'545'600;  // 2030-06-01 12:00:00 UTC

struct SimClockEnv {
    explicit SimClockEnv(const std::string& value) { setenv("JEJAK_SIM_CLOCK", value.c_str(), 1); }
    ~SimClockEnv() { unsetenv("JEJAK_SIM_CLOCK"); }
};

// 01:00 UTC today: late enough for any build date floor of today, far from midnight.
int64_t TodayOneAm() { return std::time(nullptr) / kDayS * kDayS + kHour; }

struct Contents {
    std::set<UtcDay> tek_days;
    std::map<UtcDay, size_t> sightings;
    int64_t latest_sighting_s = 0;
};

Contents Read(const std::string& state_dir) {
    SystemClock clock;
    SqliteStoreOptions o;
    o.state_dir = state_dir;
    o.create_if_missing = false;
    auto store = SqliteStore::Open(clock, o);
    REQUIRE(store.ok());
    Contents c;
    REQUIRE((*store)->ForEachTek(DayRange::All(), [&](const StoredTek& t) {
                        c.tek_days.insert(t.Day());
                    }).ok());
    REQUIRE((*store)->ForEachSighting(DayRange::All(), [&](const Sighting& s) {
                        ++c.sightings[s.Day()];
                        c.latest_sighting_s = std::max(c.latest_sighting_s, s.first_seen_unix_s);
                    }).ok());
    REQUIRE((*store)->Close().ok());
    return c;
}

struct Town {
    testing::ScratchDir dir{"clock-trust"};
    std::string a = dir.File("a"), b = dir.File("b");

    Town() {
        std::ofstream(dir.File("jejak.toml")) << "[clock]\nwarn_unsynchronised_after_s = 300\n";
    }

    // A and B as two processes for `seconds` of simulated time from `start_s`, 600 times
    // faster than real time (a real second); returns A's run.
    testing::ProcessRun Phase(int64_t start_s, bool ntp, int seconds = 600) {
        const double anchor = static_cast<double>(SystemClock().NowUnixMicros()) / 1e6;
        SimClockEnv env("start=" + std::to_string(start_s) + "&anchor=" + std::to_string(anchor) +
                        "&rate=600&ntp=" + (ntp ? "1" : "0"));
        testing::ProcessRun ra, rb;
        auto run = [&](const std::string& state, const std::string& x) {
            return testing::RunProcess({testing::BuiltBinary("jejak"), "--state-dir", state,
                                        "--config", dir.File("jejak.toml"), "run", "--radio",
                                        "sim:" + dir.File("ether") + "?x=" + x, "--duration",
                                        std::to_string(seconds)});
        };
        std::thread tb([&] { rb = run(b, "1"); });
        ra = run(a, "0");
        tb.join();
        INFO(ra.err << rb.err);
        REQUIRE(ra.code == 0);
        REQUIRE(rb.code == 0);
        return ra;
    }

    // `jejak keys export` of A's last two days: the number of keys it says it exported.
    int Export() {
        const std::string q = "'" + dir.path().string() + "/";
        const std::string cmd = "test -f " + q + "key.pem' || openssl ecparam -name prime256v1 "
                                "-genkey -noout -out " + q + "key.pem' 2>/dev/null";
        REQUIRE(std::system(cmd.c_str()) == 0);
        auto run = testing::RunJejak({"--state-dir", a, "keys", "export", "--field-test", "--out",
                                      dir.File("a.zip"), "--signing-key", dir.File("key.pem"),
                                      "--days", "2"});
        INFO(run.err);
        REQUIRE(run.code == 0);
        const size_t at = run.out.find("exported ");
        REQUIRE(at != std::string::npos);
        return std::stoi(run.out.substr(at + 9));
    }
};

UtcDay DayOf(int64_t unix_s) { return UtcDayOfUnixSeconds(unix_s); }

}  // namespace

TEST_CASE("jejak run at 2030 then now: nothing shredded, stored and exported again") {
    Town town;
    const int64_t now = TodayOneAm();
    town.Phase(now, false);
    const Contents before = Read(town.a);
    REQUIRE(before.tek_days == std::set<UtcDay>{DayOf(now)});
    REQUIRE(before.sightings.at(DayOf(now)) > 0);

    const testing::ProcessRun future = town.Phase(k2030, false);
    CHECK(future.out.find("waiting: not on air until the clock is plausible: wall clock "
                          "2030-06-01") != std::string::npos);
    const Contents during = Read(town.a);
    CHECK(during.tek_days == before.tek_days);    // no key of 2030, today's kept
    CHECK(during.sightings == before.sightings);  // nothing shredded, nothing of 2030

    town.Phase(now, false);
    const Contents after = Read(town.a);
    CHECK(after.tek_days == std::set<UtcDay>{DayOf(now)});
    CHECK(after.sightings.at(DayOf(now)) > before.sightings.at(DayOf(now)));
    CHECK(town.Export() == 1);
}

TEST_CASE("jejak run 120 days back then now: off air, nothing lost, stored and exported again") {
    Town town;
    const int64_t now = TodayOneAm();
    town.Phase(now, false);
    const Contents before = Read(town.a);
    REQUIRE(before.sightings.at(DayOf(now)) > 0);

    const testing::ProcessRun past = town.Phase(now - 120 * kDayS, false);
    CHECK(past.out.find("waiting: not on air") != std::string::npos);
    const Contents during = Read(town.a);
    CHECK(during.tek_days == before.tek_days);
    CHECK(during.sightings == before.sightings);

    town.Phase(now, false);
    const Contents after = Read(town.a);
    CHECK(after.tek_days == std::set<UtcDay>{DayOf(now)});
    CHECK(after.sightings.at(DayOf(now)) > before.sightings.at(DayOf(now)));
    CHECK(town.Export() == 1);
}

TEST_CASE("jejak run 8 hours ahead (a local-time RTC): stored, exported, flagged unsynchronised") {
    Town town;
    const int64_t now = TodayOneAm();
    town.Phase(now, false);
    const Contents before = Read(town.a);
    REQUIRE(before.sightings.at(DayOf(now)) > 0);

    // Within clock.max_forward_step_s: trusted at once, recorded 8 hours off (nothing can
    // tell), so status flags the clock NTP never synchronised.
    town.Phase(now + 8 * kHour, false);
    const Contents after = Read(town.a);
    CHECK(after.tek_days == std::set<UtcDay>{DayOf(now)});
    CHECK(after.sightings.at(DayOf(now)) > before.sightings.at(DayOf(now)));
    CHECK(after.latest_sighting_s >= now + 8 * kHour);
    CHECK(town.Export() == 1);
    std::ifstream in(DaemonStatusPath(town.a));
    std::stringstream text;
    text << in.rdbuf();
    const auto live = nlohmann::json::parse(text.str());
    CHECK(live["clock"]["ntp_synchronised"] == false);
    CHECK(live["clock"]["unsynchronised_for_s"].get<int64_t>() >= 300);
    CHECK(live["clock"]["warn_unsynchronised_after_s"] == 300);
    // `jejak status` as it would have answered the running daemon (its pid and lock).
    nlohmann::json as_running = live;
    as_running["pid"] = getpid();
    std::ofstream(DaemonStatusPath(town.a)) << as_running.dump();
    auto lock = InstanceLock::Acquire(town.a, "test");
    REQUIRE(lock.ok());
    ManualClock then(live["updated_unix"].get<int64_t>() * 1'000'000);
    auto status = testing::RunJejakOn(then, {"--state-dir", town.a, "status", "--json"});
    CHECK(status.code == kExitFailure);
    CHECK(status.err.find("the clock has not been NTP-synchronised for ") != std::string::npos);
    CHECK(status.err.find("(clock.warn_unsynchronised_after_s = 300)") != std::string::npos);
}

TEST_CASE("jejak run from 1970 (no RTC) then now: nothing at 1970, today's key and sightings after") {
    Town town;
    const testing::ProcessRun boot = town.Phase(kDayS, false);
    CHECK(boot.out.find("before the build date") != std::string::npos);
    const Contents during = Read(town.a);
    CHECK(during.tek_days.empty());
    CHECK(during.sightings.empty());

    const int64_t now = TodayOneAm();
    town.Phase(now, false);
    const Contents after = Read(town.a);
    CHECK(after.tek_days == std::set<UtcDay>{DayOf(now)});
    CHECK(after.sightings.at(DayOf(now)) > 0);
    CHECK(town.Export() == 1);
}

TEST_CASE("a write the store refuses is in status --json with its cause, exit 1") {
    testing::ScratchDir dir("clock-refused");
    std::ofstream(dir.File("jejak.toml")) << "[store]\nretention_days = 1\n";
    const int64_t midnight = (std::time(nullptr) / kDayS + 1) * kDayS;
    // With one day kept, what was heard before midnight and flushed after it is refused.
    const testing::LockstepClock clock(2, (midnight - 100) * 1'000'000);
    testing::CliRun a, b;
    auto run = [&](const std::string& state, const std::string& x) {
        return testing::RunJejakOn(clock, {"--state-dir", state, "--config", dir.File("jejak.toml"),
                                           "run", "--radio", "sim:" + dir.File("ether") + "?x=" + x,
                                           "--duration", "160"});
    };
    std::thread ta([&] {
        a = run(dir.File("a"), "0");
        clock.Leave();
    });
    std::thread tb([&] {
        b = run(dir.File("b"), "1");
        clock.Leave();
    });
    ta.join();
    tb.join();
    REQUIRE_MESSAGE(a.code == 0, a.err);
    CHECK(a.out.find("store: refused ") != std::string::npos);

    auto lock = InstanceLock::Acquire(dir.File("a"), "test");  // this pid ran the daemon
    REQUIRE(lock.ok());
    ManualClock after(clock.NowUnixMicros());
    auto status = testing::RunJejakOn(after, {"--state-dir", dir.File("a"), "status", "--json"});
    CHECK(status.code == kExitFailure);
    CHECK(status.err.find("write(s) since it started (last: refused sightings: its day is "
                          "outside the store's window") != std::string::npos);
    const auto view = nlohmann::json::parse(status.out);
    const auto counters = view["daemon"]["status"]["counters"];
    CHECK(counters["dropped_writes"].get<int64_t>() > 0);
    CHECK(counters["store_refused"] == counters["dropped_writes"]);
    CHECK(counters["last_dropped_write"].get<std::string>().find("outside the store's window") !=
          std::string::npos);
    CHECK(counters["last_dropped_write_unix"].get<int64_t>() >= midnight);
}

}  // namespace jejak
