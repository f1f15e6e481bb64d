// Files the store trusts must belong to the user running it and be closed to others.
// Guards against a 0600 master key owned by another user in a sticky shared directory (it
// was accepted and used), a state directory or keyring another user could replace, and a
// world-writable state directory. The tests run as root (as the daemon does) and hand files
// to another uid with chown; as any other user they are skipped.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/storage/store_test_util.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::ScratchDir;

constexpr uid_t kOtherUid = 4242;

Status OpenOnce(const std::string& state_dir, const std::string& key_file = "") {
    ManualClock clock(testing::Micros(testing::kDay0Unix));
    SqliteStoreOptions o;
    o.state_dir = state_dir;
    o.master.key_file = key_file;
    auto store = SqliteStore::Open(clock, o);
    return store.ok() ? (*store)->Close() : store.status();
}

void ExpectRefused(const Status& s, const std::string& what) {
    CHECK(s.code() == StatusCode::kPermissionDenied);
    CHECK_MESSAGE(s.message().find(what) != std::string::npos, s.ToString());
}

TEST_CASE("store refuses a state dir, keyring or master key owned by another user") {
    if (::geteuid() != 0) return;  // chown needs root
    ScratchDir dir;
    const std::string state = dir.File("state");
    REQUIRE(OpenOnce(state).ok());

    SUBCASE("master key file owned by another user, mode 0600") {
        REQUIRE(::chown((state + "/master.key").c_str(), kOtherUid, kOtherUid) == 0);
        ExpectRefused(OpenOnce(state), "master key file");
    }
    SUBCASE("keyring owned by another user") {
        REQUIRE(::chown((state + "/store.keys").c_str(), kOtherUid, kOtherUid) == 0);
        ExpectRefused(OpenOnce(state), "store key file");
    }
    SUBCASE("keyring writable by others") {
        REQUIRE(::chmod((state + "/store.keys").c_str(), 0602) == 0);
        ExpectRefused(OpenOnce(state), "mode 0602");
    }
    SUBCASE("state directory owned by another user") {
        REQUIRE(::chown(state.c_str(), kOtherUid, kOtherUid) == 0);
        ExpectRefused(OpenOnce(state), "state directory");
    }
    SUBCASE("state directory writable by group or others") {
        REQUIRE(::chmod(state.c_str(), 0777) == 0);
        ExpectRefused(OpenOnce(state), "mode 0777");
    }
    SUBCASE("a configured key file in a sticky shared directory, owned by another user") {
        const std::string shared = dir.File("shared");
        REQUIRE(::mkdir(shared.c_str(), 01777) == 0);
        REQUIRE(::chmod(shared.c_str(), 01777) == 0);
        const std::string key = shared + "/master.key";
        REQUIRE(CreateMasterKeyFile(key).ok());
        REQUIRE(::chown(key.c_str(), kOtherUid, kOtherUid) == 0);
        ExpectRefused(OpenOnce(dir.File("other-state"), key), "owned by uid 4242");
    }
    SUBCASE("all in order: it opens") {
        CHECK(OpenOnce(state).ok());
    }
}

}  // namespace
}  // namespace jejak
