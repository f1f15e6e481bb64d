// JEJAK_SIM_CLOCK, the accelerated clock a simulation's processes share: malformed values
// and real radios are refused with exit 2, and `jejak run` on a sim radio lives through
// simulated time (a UTC day rollover in two real seconds).
#include <doctest/doctest.h>

#include <stdlib.h>

#include <algorithm>
#include <ctime>
#include <string>
#include <vector>

#include "platform/base/clock.h"
#include "storage/sqlite_store.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

// Sets JEJAK_SIM_CLOCK for one test and removes it afterwards.
struct SimClockEnv {
    explicit SimClockEnv(const std::string& value) { setenv("JEJAK_SIM_CLOCK", value.c_str(), 1); }
    ~SimClockEnv() { unsetenv("JEJAK_SIM_CLOCK"); }
};

std::string SpecFrom(int64_t start_s, double rate) {
    SystemClock real;
    const double anchor = static_cast<double>(real.NowUnixMicros()) / 1e6;
    return "start=" + std::to_string(start_s) + "&anchor=" + std::to_string(anchor) +
           "&rate=" + std::to_string(rate);
}

TEST_CASE("JEJAK_SIM_CLOCK: a malformed value is a usage error, a real radio is refused") {
    testing::ScratchDir dir("cli-sim-clock");
    {
        SimClockEnv env("start=1800000000&rate=10");
        auto run = testing::RunJejak({"--state-dir", dir.File("s"), "store", "status"});
        CHECK(run.code == 2);
        CHECK(run.err.rfind("jejak: JEJAK_SIM_CLOCK: sim clock", 0) == 0);
    }
    SimClockEnv env(SpecFrom(std::time(nullptr) + 86400, 100));
    auto run = testing::RunJejak({"--state-dir", dir.File("s"), "run", "--radio", "hci0",
                                  "--duration", "1"});
    CHECK(run.code == 2);
    CHECK(run.err.find("needs a sim: radio; hci0 is not simulated") != std::string::npos);
}

TEST_CASE("jejak run on JEJAK_SIM_CLOCK rotates and rolls the UTC day over in real seconds") {
    testing::ScratchDir dir("cli-sim-clock-run");
    const int64_t midnight = (std::time(nullptr) / 86400 + 1) * 86400;  // tomorrow 00:00 UTC
    // Two simulated hours around midnight in two real seconds (an hour of margin for start-up).
    SimClockEnv env(SpecFrom(midnight - 3600, 3600));
    auto run = testing::RunJejak({"--state-dir", dir.File("s"), "run", "--radio",
                                  "sim:" + dir.File("ether") + "?x=0&y=0", "--duration", "7200"});
    INFO(run.err);
    REQUIRE(run.code == 0);
    SystemClock clock;
    SqliteStoreOptions o;
    o.state_dir = dir.File("s");
    o.create_if_missing = false;
    auto store = SqliteStore::Open(clock, o);
    REQUIRE(store.ok());
    std::vector<uint32_t> starts;
    REQUIRE((*store)->ForEachTek(DayRange::All(), [&](const StoredTek& t) {
                        starts.push_back(t.rolling_start);
                    }).ok());
    REQUIRE((*store)->Close().ok());
    std::sort(starts.begin(), starts.end());
    // One TEK for the day before midnight, one after: the day rolled over on simulated time.
    REQUIRE(starts.size() == 2);
    CHECK(starts[1] - starts[0] == 144);
    CHECK(starts[1] == midnight / 600);
}

}  // namespace
}  // namespace jejak
