// The state dir handover of `jejak run` as root (regression: root once chowned every
// entry of whatever --state-dir named). Handing to the caller's own uid and gid needs no
// privilege, so the refusals are proven as any user; the real `jejak run` as root is in
// tests/agent/cli/cli_privileges_test.cc.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/config/agent_files.h"
#include "agent/daemon/state_handover.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

Status HandToMe(const std::string& dir) { return HandStateDirTo(dir, getuid(), getgid(), "me"); }

// A state dir holding what a daemon leaves there.
std::string JejakStateDir(const testing::ScratchDir& scratch) {
    const std::string dir = scratch.File("state");
    std::filesystem::create_directories(dir + "/diagnosis-keys");
    for (const char* name : {"store.db", "store.db-wal", "store.keys", "master.key",
                             "daemon.lock", kDaemonStatusFileName,
                             "chaff-schedule.json.tmp.00112233aabbccdd"}) {
        std::ofstream(dir + "/" + name) << "x";
    }
    return dir;
}

void RefusedNaming(const std::string& dir, const std::string& what) {
    const Status s = HandToMe(dir);
    REQUIRE_FALSE(s.ok());
    CHECK(s.code() == StatusCode::kFailedPrecondition);
    CHECK(s.message().find("refusing to hand " + dir) != std::string::npos);
    CHECK(s.message().find(what) != std::string::npos);
    CHECK(s.message().find('\n') == std::string::npos);
}

}  // namespace

TEST_CASE("state handover: only Jejak's own names count as its files") {
    for (const char* name : {"store.db", "store.db-journal", "master.key", "daemon.lock",
                             "diagnosis-keys", "diagnosis-fetch-state.json",
                             "store.keys.tmp.0123456789abcdef"}) {
        CAPTURE(name);
        CHECK(IsJejakStateEntry(name));
    }
    for (const char* name : {"dpkg", "postgresql", "store.db.bak", "master.key.tmp.123",
                             "master.key.tmp.0123456789ABCDEF", "x.tmp.0123456789abcdef",
                             "air.btsnoop", ""}) {
        CAPTURE(name);
        CHECK_FALSE(IsJejakStateEntry(name));
    }
}

TEST_CASE("state handover: a dir of Jejak's own files is handed over") {
    testing::ScratchDir scratch("handover");
    CHECK(HandToMe(JejakStateDir(scratch)).ok());
}

TEST_CASE("state handover: a state dir holding foreign files is refused, nothing changed") {
    testing::ScratchDir scratch("handover");
    SUBCASE("a foreign directory (the /var/lib case)") {
        const std::string dir = JejakStateDir(scratch);
        std::filesystem::create_directories(dir + "/dpkg");
        RefusedNaming(dir, dir + "/dpkg is not one of Jejak's files");
    }
    SUBCASE("a foreign file") {
        const std::string dir = JejakStateDir(scratch);
        std::ofstream(dir + "/postgresql") << "x";
        RefusedNaming(dir, "postgresql is not one of Jejak's files");
    }
    SUBCASE("a symlink under a Jejak name") {
        const std::string dir = JejakStateDir(scratch);
        std::filesystem::remove(dir + "/store.db-wal");
        std::filesystem::create_symlink("/etc/shadow", dir + "/store.db-wal");
        RefusedNaming(dir, "store.db-wal is not a regular file");
    }
    SUBCASE("a hard link to a file elsewhere") {
        const std::string dir = JejakStateDir(scratch);
        std::ofstream(scratch.File("elsewhere")) << "x";
        std::filesystem::remove(dir + "/master.key");
        std::filesystem::create_hard_link(scratch.File("elsewhere"), dir + "/master.key");
        RefusedNaming(dir, "master.key has other hard links");
    }
    SUBCASE("a file where the download directory belongs") {
        const std::string dir = JejakStateDir(scratch);
        std::filesystem::remove(dir + "/diagnosis-keys");
        std::ofstream(dir + "/diagnosis-keys") << "x";
        RefusedNaming(dir, "diagnosis-keys is not a directory");
    }
    SUBCASE("the state dir itself a symlink") {
        const std::string dir = JejakStateDir(scratch);
        std::filesystem::create_directory_symlink(dir, scratch.File("link"));
        RefusedNaming(scratch.File("link"), "not a directory (a symlink?)");
    }
}

TEST_CASE("state handover: as root, files of a third user are refused and keep their owner") {
    if (geteuid() != 0) {
        MESSAGE("skipped: giving a file to another user needs root");
        return;
    }
    testing::ScratchDir scratch("handover");
    const std::string dir = JejakStateDir(scratch);
    constexpr uid_t kOther = 54321;
    REQUIRE(::chown((dir + "/store.keys").c_str(), kOther, kOther) == 0);
    RefusedNaming(dir, "store.keys belongs to uid 54321");
    struct stat st {};
    REQUIRE(::stat((dir + "/store.keys").c_str(), &st) == 0);
    CHECK(st.st_uid == kOther);
    // A directory of a third user is refused as a whole.
    REQUIRE(::chown((dir + "/store.keys").c_str(), 0, 0) == 0);
    REQUIRE(::chown(dir.c_str(), kOther, kOther) == 0);
    RefusedNaming(dir, "belongs to uid 54321, not root or me");
}

}  // namespace jejak
