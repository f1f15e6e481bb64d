// Conventions an owner or operator meets in every command: a missing --config file
// is exit 2 naming it for every command; a live scan runs until interrupted; one "jejak:"
// prefix; `scan --replay` says what an empty or RSSI-less capture holds; API error hints that
// match their codes; `open` errors with their reason; routine daemon lines only with
// --verbose; help texts whose defaults do not contradict themselves; docs/README.md listing
// every document.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/cli/cli.h"
#include "agent/daemon/run_loop.h"
#include "agent/upload/upload_client.h"
#include "platform/base/clock.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/support/test_data.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::RunJejak;
using testing::RunJejakOn;

// Every command path of `jejak` that takes no further subcommand, e.g. {"keys", "fetch"}.
std::vector<std::vector<std::string>> LeafCommands() {
    std::ostringstream out, err;
    ManualClock clock;
    CliEnv env(out, err, clock, /*is_real_time=*/false);
    CLI::App app;
    JejakProgram().register_commands(app, env);
    std::vector<std::vector<std::string>> leaves;
    std::function<void(CLI::App&, std::vector<std::string>)> walk =
        [&](CLI::App& a, std::vector<std::string> path) {
            const auto subs = a.get_subcommands({});
            if (subs.empty() && !path.empty()) leaves.push_back(path);
            for (CLI::App* sub : subs) {
                auto deeper = path;
                deeper.push_back(sub->get_name());
                walk(*sub, deeper);
            }
        };
    walk(app, {});
    return leaves;
}

// The --help text of one command path.
std::string HelpOf(const std::vector<std::string>& path) {
    auto args = path;
    args.push_back("--help");
    const auto run = RunJejak(args);
    REQUIRE(run.code == 0);
    return run.out;
}

// A ManualClock that asks the running command to stop (as Ctrl-C does) once `after_s` of
// its time has passed: a live scan without --duration must run until then.
class InterruptingClock final : public Clock {
public:
    InterruptingClock(int64_t now_micros, int64_t after_s)
        : inner_(now_micros), stop_at_(inner_.MonotonicMicros() + after_s * 1000000) {}
    int64_t NowUnixMicros() const override { return inner_.NowUnixMicros(); }
    int64_t MonotonicMicros() const override { return inner_.MonotonicMicros(); }
    void SleepFor(int64_t micros) const override {
        inner_.SleepFor(micros);
        if (inner_.MonotonicMicros() >= stop_at_) StopSignals::RequestStop();
    }

private:
    ManualClock inner_;
    int64_t stop_at_;
};

TEST_CASE("a --config file that does not exist is exit 2 naming it, for every command") {
    testing::ScratchDir dir("cli-noconfig");
    const std::string missing = dir.File("absent.toml");
    const auto leaves = LeafCommands();
    CHECK(leaves.size() >= 15);  // keys derive ... report: the walk found the commands
    for (const auto& path : leaves) {
        CAPTURE(path);
        // Before the command: `authority` hands everything after it to jejak-authority.
        std::vector<std::string> args = {"--state-dir", dir.File("s"), "--config", missing};
        args.insert(args.end(), path.begin(), path.end());
        const auto run = RunJejak(args);
        CHECK(run.code == 2);
        CHECK(run.out.empty());
        CHECK(run.err == "jejak: --config " + missing + ": no such file\n");
    }
    CHECK_FALSE(std::filesystem::exists(dir.File("s")));  // nothing created either
}

TEST_CASE("a live scan without --duration runs until it is interrupted") {
    testing::ScratchDir dir("cli-scan-forever");
    InterruptingClock clock(SystemClock().NowUnixMicros(), 15 * 60);
    const auto run = RunJejakOn(clock, {"scan", "--radio", "sim:" + dir.File("ether"), "--json"});
    CHECK(run.code == 0);
    const std::string last = run.out.substr(run.out.rfind('\n', run.out.size() - 2) + 1);
    const auto summary = nlohmann::json::parse(last);
    CHECK(summary["event"] == "summary");
    CHECK(summary["stopped_by"] == "signal");  // not "duration" after 10 s
    // --duration still bounds it.
    ManualClock bounded(SystemClock().NowUnixMicros());
    const auto timed = RunJejakOn(bounded, {"scan", "--radio", "sim:" + dir.File("ether"),
                                            "--duration", "3", "--json"});
    CHECK(timed.code == 0);
    CHECK(timed.out.find("\"stopped_by\":\"duration\"") != std::string::npos);
}

TEST_CASE("scan --replay --json gives a null RSSI where the text says n/a") {
    const std::string capture =
        testing::TestDataPath("ble/emulator/btvirt-5.66_ctrlB_scanner.btsnoop");
    const auto json = RunJejak({"scan", "--replay", capture, "--json"});
    REQUIRE(json.code == 0);
    const auto array = nlohmann::json::parse(json.out);
    REQUIRE_FALSE(array.empty());
    for (const auto& r : array) CHECK(r["rssi"].is_null());
    const auto text = RunJejak({"scan", "--replay", capture});
    CHECK(text.out.find(" n/a ") != std::string::npos);
}

TEST_CASE("replaying an advertiser's own capture says it holds no heard adverts") {
    const std::string capture =
        testing::TestDataPath("ble/emulator/btvirt-5.66_ctrlA_advertiser.btsnoop");
    const auto run = RunJejak({"scan", "--replay", capture});
    CHECK(run.code == 0);
    CHECK(run.out.empty());
    CHECK(run.err.find("no advertising reports") != std::string::npos);
    CHECK(run.err.find("advertiser") != std::string::npos);
    CHECK(run.err.rfind("jejak: scan --replay ", 0) == 0);
}

TEST_CASE("errors carry one jejak: prefix and each context once") {
    testing::ScratchDir dir("cli-prefix");
    const std::string config = dir.File("jejak.toml");
    std::ofstream(config) << "[radio]\n";
    const auto scan = RunJejak({"scan", "--config", config, "--duration", "1"});
    CHECK(scan.code == 2);
    CHECK(scan.err.rfind("jejak: scan: no radio given", 0) == 0);
    CHECK(scan.err.find("scan: scan:") == std::string::npos);
    std::ofstream(config) << "[daemon\n";  // malformed: the reader names the file itself
    const auto run = RunJejak({"encounters", "--config", config, "--state-dir", dir.File("s")});
    CHECK(run.code == 2);
    CHECK(run.err.rfind("jejak: config " + config + ":1:", 0) == 0);
    CHECK(run.err.find("config: config") == std::string::npos);
    CHECK(run.err.find("jejak: jejak:") == std::string::npos);
}

TEST_CASE("the hints of code_invalid and code_not_found match their codes") {
    // code_invalid: the code is unknown or already used (the pilot authority also answers it
    // for an expired code); code_not_found: no such code for this health authority's realm.
    const std::string invalid = ExplainApiError("code_invalid");
    const std::string not_found = ExplainApiError("code_not_found");
    CHECK(invalid.find("already used") != std::string::npos);
    CHECK(invalid.find("ask the health authority for a new one") != std::string::npos);
    CHECK(not_found.find("another authority") != std::string::npos);
    CHECK(not_found.find("verification_url") != std::string::npos);
    CHECK(not_found.find("already used") == std::string::npos);
}

TEST_CASE("a file that cannot be opened is named with the reason") {
    const auto run = RunJejak({"scan", "--replay", "/nonexistent/capture.btsnoop"});
    CHECK(run.code == 2);
    CHECK(run.err == "jejak: scan --replay: cannot open /nonexistent/capture.btsnoop: No such "
                     "file or directory\n");
}

TEST_CASE("a run that cannot open its radio leaves no state dir or store behind") {
    testing::ScratchDir dir("cli-noradio");
    const std::string fresh = dir.File("fresh");
    const std::string radio = "unix:" + dir.File("absent.sock");
    ManualClock clock(SystemClock().NowUnixMicros());
    const auto run = RunJejakOn(clock, {"--state-dir", fresh, "run", "--radio", radio,
                                        "--duration", "1"});
    CHECK(run.code != 0);
    CHECK(run.err.find("absent.sock") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(fresh));
    // A state dir that was there before is kept, and stays without a store.
    const std::string existing = dir.File("existing");
    std::filesystem::create_directories(existing);
    CHECK(RunJejakOn(clock, {"--state-dir", existing, "run", "--radio", radio, "--duration", "1"})
              .code != 0);
    CHECK(std::filesystem::exists(existing));
    CHECK_FALSE(std::filesystem::exists(existing + "/store.db"));
}

TEST_CASE("routine daemon lines (flushes, rotations) appear only with run --verbose") {
    testing::ScratchDir dir("cli-verbose");
    const std::string config = dir.File("jejak.toml");
    std::ofstream(config) << "[store]\nflush_interval_s = 5\n";
    const auto run_for = [&](const std::string& state, bool verbose) {
        ManualClock clock(SystemClock().NowUnixMicros());
        std::vector<std::string> args = {"--config", config, "--state-dir", dir.File(state),
                                          "run", "--radio", "sim:" + dir.File("ether") + "?x=1",
                                          "--duration", "1300"};
        if (verbose) args.push_back("--verbose");
        return RunJejakOn(clock, args);
    };
    const auto quiet = run_for("quiet", false);
    REQUIRE_MESSAGE(quiet.code == 0, quiet.err);
    CHECK(quiet.out.find("rotated:") == std::string::npos);
    CHECK(quiet.out.find("flushed ") == std::string::npos);
    CHECK(quiet.out.find("summary: ") != std::string::npos);  // what they add up to, at info
    const auto verbose = run_for("verbose", true);
    REQUIRE_MESSAGE(verbose.code == 0, verbose.err);
    CHECK(verbose.out.find("rotated:") != std::string::npos);
}

TEST_CASE("help texts show no default that contradicts their own words") {
    for (const auto& path : LeafCommands()) {
        if (path.front() == "authority") continue;  // jejak-authority's own help
        CAPTURE(path);
        std::istringstream help(HelpOf(path));
        for (std::string line; std::getline(help, line);) {
            CAPTURE(line);
            // A sentinel shown as the default ("=0", "=-1") beside words saying what the
            // default really is, or a bare sentinel for "not given".
            const bool says_default = line.find("default") != std::string::npos;
            const bool shows_sentinel = line.find("=-1") != std::string::npos ||
                                        line.find("=0 ") != std::string::npos ||
                                        line.find("=0\t") != std::string::npos;
            CHECK_FALSE((says_default && shows_sentinel));
            CHECK(line.find("=-1 ") == std::string::npos);
        }
    }
}

TEST_CASE("docs/README.md lists every document in docs/") {
    const std::filesystem::path docs = std::filesystem::path(JEJAK_SOURCE_DIR) / "docs";
    std::ifstream in(docs / "README.md");
    std::stringstream text;
    text << in.rdbuf();
    size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(docs)) {
        const std::string name = entry.path().filename().string();
        if (entry.path().extension() != ".md" || name == "README.md") continue;
        CAPTURE(name);
        CHECK(text.str().find("](" + name + ")") != std::string::npos);
        ++count;
    }
    CHECK(count >= 5);
}

}  // namespace
}  // namespace jejak
