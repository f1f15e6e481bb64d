// `jejak authority ...` reaches jejak-authority: in process (the forwarded arguments, through
// the same CLI code as the binary) and as the built executables (found beside `jejak`, then
// on PATH; a clear exit 1 when it is not installed). This file also installs the in-process
// runner that the other authority CLI tests reach through RunJejak.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/cli_runner.h"
#include "tests/support/scratch_dir.h"
#include "authority/cli/cli_authority.h"

namespace jejak::testing {
namespace {

std::vector<std::string> g_forwarded;  // the last forwarded argument list

// The runner the installed pair amounts to: jejak-authority's CLI, in this process.
int RunAuthorityInProcess(const std::string& program, const std::vector<std::string>& args,
                          CliEnv& env) {
    REQUIRE(program == "jejak-authority");
    g_forwarded = args;
    std::vector<const char*> argv{"jejak-authority"};
    for (const std::string& a : args) argv.push_back(a.c_str());
    const int argc = static_cast<int>(argv.size());
    return env.real_time ? RunAuthorityCli(argc, argv.data(), env.out, env.err)
                         : RunAuthorityCli(argc, argv.data(), env.out, env.err, env.clock);
}

const bool g_runner_installed = (TestProgramRunner() = RunAuthorityInProcess, true);

// dir/NAME, created with mode 0700: an authority state dir open to others is refused.
std::string Sub(const ScratchDir& dir, const std::string& name) {
    std::filesystem::create_directories(dir.File(name));
    std::filesystem::permissions(dir.File(name), std::filesystem::perms::owner_all);
    return dir.File(name);
}

// Places the built `jejak` in dir (hard link, else copy), as an installation would.
std::string PlaceJejak(const std::string& dir) {
    const std::string to = dir + "/jejak";
    std::error_code ec;
    std::filesystem::create_hard_link(BuiltBinary("jejak"), to, ec);
    if (ec) std::filesystem::copy_file(BuiltBinary("jejak"), to);
    return to;
}

// Places a jejak-authority in dir: the built one (a link), or natively unrunnable cross-built
// programs behind a script that starts it through the emulator, as binfmt_misc would.
void PlaceAuthority(const std::string& dir) {
    const std::string to = dir + "/jejak-authority";
    if (TestEmulator().empty()) {
        std::filesystem::create_symlink(BuiltBinary("jejak-authority"), to);
        return;
    }
    std::ofstream(to) << "#!/bin/sh\nexec " << TestEmulator() << " "
                      << BuiltBinary("jejak-authority") << " \"$@\"\n";
    REQUIRE(::chmod(to.c_str(), 0755) == 0);
}

// Runs a placed jejak (not under bin/: through the emulator by hand) with PATH=path_dir.
ProcessRun RunPlaced(const std::string& jejak, const std::string& path_dir,
                     const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/env", "-i", "PATH=" + path_dir};
    if (!TestEmulator().empty()) argv.push_back(TestEmulator());
    argv.push_back(jejak);
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
}

}  // namespace

TEST_CASE("jejak authority forwards the global options and everything after the command") {
    REQUIRE(g_runner_installed);
    // In the build tree: hard links to bin/ work there.
    const ScratchDir dir("forward-test", JEJAK_BINARY_DIR);
    const std::string d = Sub(dir, "auth");
    CliRun init = RunJejak({"--state-dir", d, "authority", "init", "--region", "MY"});
    REQUIRE_MESSAGE(init.code == 0, init.err);
    CHECK(g_forwarded == std::vector<std::string>{"--state-dir", d, "init", "--region", "MY"});
    // Global options after the command stay where they were typed; --config goes along (a
    // file that exists: a missing --config is exit 2 for every command).
    const std::string config = Sub(dir, "etc") + "/authority.toml";
    std::ofstream(config) << "# empty\n";
    CliRun code = RunJejak({"authority", "issue-code", "--type", "confirmed", "--state-dir", d,
                            "--config", config});
    CHECK(g_forwarded == std::vector<std::string>{"issue-code", "--type", "confirmed",
                                                  "--state-dir", d, "--config", config});
    REQUIRE_MESSAGE(code.code == 0, code.err);
    CHECK(code.out.size() > 10);
    // Usage errors keep the suite's contract: exit 2, one line "jejak: ...".
    CliRun none = RunJejak({"authority"});
    CHECK(none.code == 2);
    CHECK(none.err.rfind("jejak: ", 0) == 0);
    CHECK(none.err.find("init, issue-code, serve, export") != std::string::npos);
    CHECK(RunJejak({"authority", "frob"}).code == 2);
}

TEST_CASE("the jejak binary runs the jejak-authority beside it, then one on PATH") {
    const ScratchDir dir("forward-test", JEJAK_BINARY_DIR);
    const std::string empty = Sub(dir, "empty");
    const std::string state = Sub(dir, "state");
    const std::string installed = Sub(dir, "usr-bin");
    const std::string jejak = PlaceJejak(installed);
    PlaceAuthority(installed);
    ProcessRun beside = RunPlaced(jejak, empty, {"--state-dir", state, "authority", "init", "--json"});
    REQUIRE_MESSAGE(beside.code == 0, beside.err);
    CHECK(nlohmann::json::parse(beside.out).contains("health_authority_id"));

    const std::string alone = PlaceJejak(Sub(dir, "alone"));
    const std::string path = Sub(dir, "path");
    PlaceAuthority(path);
    ProcessRun on_path = RunPlaced(alone, path, {"authority", "--version"});
    CHECK_MESSAGE(on_path.code == 0, on_path.err);
    CHECK(on_path.out == std::string("jejak-authority ") + JEJAK_VERSION_FOR_TESTS + "\n");
    // Its exit code comes back: an existing authority is exit 1.
    ProcessRun again = RunPlaced(alone, path, {"authority", "init", "--state-dir", state});
    CHECK(again.code == 1);
    CHECK(again.err.find("already holds an authority") != std::string::npos);
}

TEST_CASE("the jejak binary says so when jejak-authority is not installed") {
    const ScratchDir dir("forward-test", JEJAK_BINARY_DIR);
    const std::string jejak = PlaceJejak(Sub(dir, "bin"));
    ProcessRun run = RunPlaced(jejak, Sub(dir, "empty"), {"authority", "init"});
    CHECK(run.code == 1);
    CHECK(run.out.empty());
    CHECK(run.err.rfind("jejak: 'jejak authority' needs the jejak-authority program (package "
                        "jejak-authority): it is not installed", 0) == 0);
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    // The built binary itself lists the command, so `jejak --help` shows where it went.
    ProcessRun help = RunProcess({BuiltBinary("jejak"), "--help"});
    CHECK(help.out.find("jejak-authority") != std::string::npos);
}

}  // namespace jejak::testing
