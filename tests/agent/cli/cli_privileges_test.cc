// `jejak run` started as root with daemon.user: it opens the radio as root, hands the state
// dir to the user and opens the store and runs on as that user. A real process (the drop cannot
// be undone, so never in the test binary itself); skipped when the tests do not run as root.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/config/agent_files.h"
#include "platform/base/unix_user.h"
#include "tests/support/child_process.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

uid_t OwnerOf(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 ? st.st_uid : static_cast<uid_t>(-1);
}

}  // namespace

TEST_CASE("jejak run as root with daemon.user drops to that user after opening the radio") {
    if (::geteuid() != 0) {
        MESSAGE("skipped: dropping privileges needs the tests to run as root");
        return;
    }
    auto nobody = LookUpUser("nobody");
    REQUIRE(nobody.ok());
    testing::ScratchDir dir("cli-privileges");
    // The scratch directory is private (0700); the dropped user must reach its state below it.
    std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all |
                                                 std::filesystem::perms::group_exec |
                                                 std::filesystem::perms::others_exec);
    const std::string ether = dir.File("ether");
    std::filesystem::create_directories(ether);
    std::filesystem::permissions(ether, std::filesystem::perms::all);  // the user advertises here
    const std::string state = dir.File("s");
    std::ofstream(dir.File("jejak.toml")) << "[daemon]\nuser = \"nobody\"\n";
    const std::vector<std::string> run = {testing::BuiltBinary("jejak"), "--config",
                                          dir.File("jejak.toml"), "--state-dir", state, "run",
                                          "--radio", "sim:" + ether, "--duration", "2"};

    // Root without daemon.user: it runs, its log warns, and the store it makes is root's.
    auto as_root = testing::RunProcess({testing::BuiltBinary("jejak"), "--state-dir", state, "run",
                                        "--radio", "sim:" + ether, "--duration", "1"});
    REQUIRE_MESSAGE(as_root.code == 0, as_root.err);
    CHECK(as_root.out.find("privileges: running as root: set daemon.user") != std::string::npos);
    REQUIRE(OwnerOf(state + "/master.key") == 0);

    // With daemon.user, that store is handed over whole and the daemon runs as the user.
    auto first = testing::RunProcess(run);
    REQUIRE_MESSAGE(first.code == 0, first.err);
    CHECK(first.out.find("privileges: now nobody (uid " + std::to_string(nobody->uid)) !=
          std::string::npos);
    CHECK(OwnerOf(state) == nobody->uid);
    for (const auto& entry : std::filesystem::directory_iterator(state)) {
        CAPTURE(entry.path().string());
        CHECK(OwnerOf(entry.path()) == nobody->uid);
    }
    // Rewritten by the user at the end: the daemon could still write after the drop.
    CHECK(std::filesystem::last_write_time(state + "/" + kDaemonStatusFileName) >
          std::filesystem::last_write_time(state + "/master.key"));
    CHECK(first.out.find("stopped") != std::string::npos);

    // Again on the handed-over store: still fine.
    auto second = testing::RunProcess(run);
    CHECK_MESSAGE(second.code == 0, second.err);

    // An unknown user: refused before going on air, saying which key.
    std::ofstream(dir.File("bad.toml")) << "[daemon]\nuser = \"no-such-user-jejak\"\n";
    auto bad = testing::RunProcess({testing::BuiltBinary("jejak"), "--config", dir.File("bad.toml"),
                                    "--state-dir", dir.File("s2"), "run", "--radio",
                                    "sim:" + ether, "--duration", "2"});
    CHECK(bad.code == 1);
    CHECK(bad.err.find("daemon.user: no user no-such-user-jejak") != std::string::npos);
    CHECK(bad.out.find("started") == std::string::npos);
}

TEST_CASE("jejak run as root refuses a state dir holding foreign files and changes no owner") {
    if (::geteuid() != 0) {
        MESSAGE("skipped: dropping privileges needs the tests to run as root");
        return;
    }
    testing::ScratchDir dir("cli-privileges");
    // The scratch directory is private (0700); the dropped user must reach its state below it.
    std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all |
                                                 std::filesystem::perms::group_exec |
                                                 std::filesystem::perms::others_exec);
    const std::string ether = dir.File("ether");
    std::filesystem::create_directories(ether);
    std::filesystem::permissions(ether, std::filesystem::perms::all);
    // A --state-dir naming something like /var/lib: root's own store there, and root's
    // dpkg/ and postgresql/ beside it (regression: all became nobody's).
    const std::string state = dir.File("varlib");
    auto as_root = testing::RunProcess({testing::BuiltBinary("jejak"), "--state-dir", state, "run",
                                        "--radio", "sim:" + ether, "--duration", "1"});
    REQUIRE_MESSAGE(as_root.code == 0, as_root.err);
    std::filesystem::create_directories(state + "/dpkg");
    std::ofstream(state + "/dpkg/status") << "root's";
    std::filesystem::create_directories(state + "/postgresql");
    std::ofstream(dir.File("jejak.toml")) << "[daemon]\nuser = \"nobody\"\n";
    auto refused = testing::RunProcess({testing::BuiltBinary("jejak"), "--config",
                                        dir.File("jejak.toml"), "--state-dir", state, "run",
                                        "--radio", "sim:" + ether, "--duration", "2"});
    CHECK(refused.code == 1);
    CHECK(refused.err.find("refusing to hand " + state) != std::string::npos);
    CHECK(refused.err.find("is not one of Jejak's files") != std::string::npos);
    CHECK(refused.err.find('\n') == refused.err.size() - 1);
    CHECK(OwnerOf(state) == 0);
    CHECK(OwnerOf(state + "/dpkg") == 0);
    CHECK(OwnerOf(state + "/dpkg/status") == 0);
    CHECK(OwnerOf(state + "/postgresql") == 0);
    CHECK(OwnerOf(state + "/master.key") == 0);
}

}  // namespace jejak
