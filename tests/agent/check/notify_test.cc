// The notification hook: the program gets the summary on stdin; failures, a missing program
// and hangs are reported in the outcome, never fatal; config validation.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "agent/check/notify.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

// A scratch directory for notification scripts and what they write.
struct Scratch {
    testing::ScratchDir scratch{"notify"};
    const std::filesystem::path dir = scratch.path();
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

// Guards against the store passphrase leaking to the hook: the hook inherited the agent's
// whole environment (a hook running `env` printed JEJAK_STORE_PASSPHRASE).
TEST_CASE("notify hook runs with a minimal environment and inherits none of ours") {
    Scratch t;
    const std::string out = (t.dir / "env.txt").string();
    ::setenv("JEJAK_STORE_PASSPHRASE", "hook-must-never-see-this", 1);
    ::setenv("JEJAK_TEST_TOKEN", "hook-must-never-see-this-either", 1);
    NotifyConfig config;
    config.command = {t.Script("env.sh", "cat >/dev/null; env > '" + out + "'")};
    const NotifyOutcome outcome = RunNotifyHook(config, "{}");
    ::unsetenv("JEJAK_STORE_PASSPHRASE");
    ::unsetenv("JEJAK_TEST_TOKEN");
    REQUIRE(outcome.ok());
    const std::string env = t.Read("env.txt");
    CHECK(env.find("hook-must-never-see-this") == std::string::npos);
    CHECK(env.find("JEJAK_") == std::string::npos);
    CHECK(env.find("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") !=
          std::string::npos);
}

// Guards the hook's confinement: it ran with umask 022, inherited descriptors above 1023,
// and a hook that called setsid escaped the timeout kill.
TEST_CASE("notify hook is confined: no inherited fds, umask 077, nothing survives the kill") {
    Scratch t;
    rlimit files{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &files) == 0);
    if (files.rlim_cur < 4096 && files.rlim_max >= 4096) {
        files.rlim_cur = 4096;
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &files) == 0);
    }
    const int high = ::dup2(STDERR_FILENO, 2000);  // not close-on-exec, above 1023
    REQUIRE(high == 2000);
    NotifyConfig config;
    config.command = {t.Script(
        "probe.sh", "cat >/dev/null; umask > '" + (t.dir / "umask").string() + "'\n"
                    "if [ -e /proc/self/fd/2000 ]; then echo open; else echo closed; fi > '" +
                    (t.dir / "fd").string() + "'")};
    const NotifyOutcome probe = RunNotifyHook(config, "{}");
    ::close(high);
    REQUIRE(probe.ok());
    CHECK(t.Read("fd") == "closed\n");
    CHECK(t.Read("umask") == "0077\n");

    // A hook that starts a session of its own, which keeps rewriting a file, then hangs.
    const std::string beacon = (t.dir / "beacon").string();
    const std::string escapee_pid = (t.dir / "escapee.pid").string();
    config.command = {t.Script(
        "escape.sh", "setsid sh -c 'while :; do date > \"" + beacon +
                         "\"; sleep 0.05; done' </dev/null >/dev/null 2>&1 &\necho $! > '" +
                         escapee_pid + "'\nsleep 30")};
    config.timeout_seconds = 1;
    const NotifyOutcome hung = RunNotifyHook(config, "{}");
    CHECK(hung.timed_out);
    REQUIRE(std::filesystem::exists(beacon));  // the escapee did run
    std::filesystem::remove(beacon);
    ::usleep(400000);
    if (!std::string(JEJAK_TEST_EMULATOR).empty()) {
        // qemu-user's clone() refuses CLONE_NEWPID, so the hook falls back to a plain fork
        // and only its process group is killed; a real arm64 kernel gives it the namespace.
        MESSAGE("setsid() escape not checked under the emulator: qemu-user has no CLONE_NEWPID");
        std::ifstream pid_file(escapee_pid);
        pid_t escapee = 0;
        REQUIRE((pid_file >> escapee));
        REQUIRE(escapee > 1);
        ::kill(escapee, SIGKILL);  // the test leaves no process behind
        return;
    }
    CHECK_MESSAGE(!std::filesystem::exists(beacon), "a setsid() child outlived the hook");
}

TEST_CASE("notify hook runs as the configured user") {
    if (::geteuid() != 0) return;  // switching users needs root
    Scratch t;
    const std::filesystem::path open_dir = t.dir / "open";
    std::filesystem::create_directory(open_dir);
    ::chmod(open_dir.c_str(), 0777);
    ::chmod(t.dir.c_str(), 0755);
    const std::string script = t.Script("id.sh", "cat >/dev/null; id -u > '" +
                                                     (open_dir / "uid").string() + "'");
    ::chmod(script.c_str(), 0755);
    NotifyConfig config;
    config.command = {script};
    config.user = "nobody";
    const NotifyOutcome outcome = RunNotifyHook(config, "{}");
    REQUIRE(outcome.ok());
    CHECK(t.Read("open/uid") == "65534\n");
    config.user = "no-such-user-jejak";
    const NotifyOutcome unknown = RunNotifyHook(config, "{}");
    CHECK_FALSE(unknown.ran);
    CHECK(unknown.error.find("no user") != std::string::npos);
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
    CHECK(ParseNotifyConfig({{"user", "nobody"}})->user == "nobody");
    CHECK(ParseNotifyConfig({{"user", ""}}).status().IsInvalidArgument());
}

}  // namespace
}  // namespace jejak
