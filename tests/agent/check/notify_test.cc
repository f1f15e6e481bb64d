// The notification hook: the program gets the summary on stdin; failures, a missing program
// and hangs are reported in the outcome, never fatal; config validation.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/check/notify.h"

namespace jejak {
namespace {

struct Scratch {
    std::filesystem::path dir;
    Scratch() {
        char tmpl[] = "/tmp/jejak-notify-XXXXXX";
        dir = ::mkdtemp(tmpl);
    }
    ~Scratch() { std::filesystem::remove_all(dir); }
    std::string Script(const std::string& name, const std::string& body) const {
        const std::string path = (dir / name).string();
        std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
        ::chmod(path.c_str(), 0700);
        return path;
    }
    std::string Read(const std::string& name) const {
        std::ifstream in(dir / name);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
};

TEST_CASE("notify hook receives the summary on stdin and its arguments verbatim") {
    Scratch t;
    const std::string out = (t.dir / "stdin.txt").string();
    const std::string args = (t.dir / "args.txt").string();
    const std::string script =
        t.Script("record.sh", "cat > '" + out + "'\nprintf '%s|' \"$@\" > '" + args + "'");
    NotifyConfig config;
    // Arguments with shell syntax must arrive as plain strings (no shell in between).
    config.command = {script, "a b", "$(touch " + (t.dir / "pwned").string() + ")", ";ls"};
    const std::string summary = R"({"notify":true,"exposure_date":"2020-06-16"})";
    const NotifyOutcome outcome = RunNotifyHook(config, summary);
    CHECK(outcome.ok());
    CHECK(outcome.exit_code == 0);
    CHECK(t.Read("stdin.txt") == summary);
    CHECK(t.Read("args.txt") == "a b|$(touch " + (t.dir / "pwned").string() + ")|;ls|");
    CHECK_FALSE(std::filesystem::exists(t.dir / "pwned"));
}

TEST_CASE("notify hook failures and timeouts are reported, not fatal") {
    Scratch t;
    NotifyConfig config;
    config.command = {t.Script("fail.sh", "cat >/dev/null; exit 3")};
    NotifyOutcome failed = RunNotifyHook(config, "{}");
    CHECK(failed.ran);
    CHECK_FALSE(failed.ok());
    CHECK(failed.exit_code == 3);
    CHECK(failed.error == "exit code 3");

    config.command = {(t.dir / "missing").string()};
    NotifyOutcome missing = RunNotifyHook(config, "{}");
    CHECK_FALSE(missing.ok());
    CHECK(missing.exit_code == 127);

    // A hook that never reads stdin and sleeps: a large input must not block us, and the
    // timeout kills it (and its children, via the process group).
    config.command = {t.Script("hang.sh", "sleep 30 & sleep 30")};
    config.timeout_seconds = 1;
    NotifyOutcome hung = RunNotifyHook(config, std::string(1 << 20, 'x'));
    CHECK(hung.ran);
    CHECK(hung.timed_out);
    CHECK_FALSE(hung.ok());
    CHECK(hung.error == "timed out");

    NotifyOutcome none = RunNotifyHook(NotifyConfig{}, "{}");
    CHECK_FALSE(none.ran);
    CHECK(none.ToJson()["ok"] == false);
}

TEST_CASE("notify config needs an absolute program path and a bounded timeout") {
    CHECK(ParseNotifyConfig(nlohmann::json::object())->command.empty());
    auto ok = ParseNotifyConfig({{"command", {"/bin/true", "x"}}, {"timeout_seconds", 5}});
    REQUIRE(ok.ok());
    CHECK(ok->command.size() == 2);
    CHECK(ok->timeout_seconds == 5);
    CHECK(ParseNotifyConfig({{"command", {"true"}}}).status().IsInvalidArgument());
    CHECK(ParseNotifyConfig({{"command", "/bin/true"}}).status().IsInvalidArgument());
    CHECK(ParseNotifyConfig({{"command", nlohmann::json::array()}}).status().IsInvalidArgument());
    CHECK(ParseNotifyConfig({{"timeout_seconds", 0}}).status().IsInvalidArgument());
    CHECK(ParseNotifyConfig({{"timeout_seconds", 301}}).status().IsInvalidArgument());
}

}  // namespace
}  // namespace jejak
