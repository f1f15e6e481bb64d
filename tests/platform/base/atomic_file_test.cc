// The one writer every agent file goes through: no planted file or symlink is followed,
// truncated or reused, and the result has exactly the requested mode whatever the umask or
// a pre-existing file's mode. Guards the bugs seen before all writes went through it: a
// symlink planted at `out.zip.tmp` made root overwrite its target, and a pre-created 0666
// file made a TEK export world-readable.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "platform/base/atomic_file.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

unsigned ModeOf(const std::string& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

TEST_CASE("atomic write never follows a symlink planted at a temporary name") {
    testing::ScratchDir t("atomic");
    const std::string victim = t.File("victim");
    std::ofstream(victim) << "precious";
    const std::string out = t.File("out.zip");
    for (const char* suffix : {".tmp", ".tmp.0", ".new", "~"}) {
        std::filesystem::create_symlink(victim, out + suffix);
    }
    REQUIRE(WriteFileAtomically(out, std::string_view("export")).ok());
    CHECK(Read(victim) == "precious");
    CHECK(Read(out) == "export");
    CHECK(std::filesystem::is_symlink(out + ".tmp"));
    // A symlink at the target itself is replaced, not written through.
    std::filesystem::remove(out);
    std::filesystem::create_symlink(victim, out);
    REQUIRE(WriteFileAtomically(out, std::string_view("again")).ok());
    CHECK(Read(victim) == "precious");
    CHECK_FALSE(std::filesystem::is_symlink(out));
    CHECK(ModeOf(out) == 0600);
}

TEST_CASE("atomic write gives exactly the requested mode over a pre-created 0666 file") {
    testing::ScratchDir t("atomic");
    const std::string out = t.File("tek-export.zip");
    std::ofstream(out) << "old";
    REQUIRE(::chmod(out.c_str(), 0666) == 0);
    const mode_t old_umask = ::umask(0);
    Status s = WriteFileAtomically(out, std::string_view("keys"));
    ::umask(old_umask);
    REQUIRE(s.ok());
    CHECK(ModeOf(out) == 0600);
    CHECK(Read(out) == "keys");
    // No temporary file is left behind.
    CHECK(std::distance(std::filesystem::directory_iterator(t.path()),
                        std::filesystem::directory_iterator()) == 1);
}

TEST_CASE("ownership check refuses files of other users and loose modes") {
    testing::ScratchDir t("atomic");
    const std::string f = t.File("key");
    std::ofstream(f) << "k";
    REQUIRE(::chmod(f.c_str(), 0600) == 0);
    CHECK(CheckOwnedPrivately(f, "key file", 077).ok());
    REQUIRE(::chmod(f.c_str(), 0620) == 0);
    CHECK(CheckOwnedPrivately(f, "key file", 022).code() == StatusCode::kPermissionDenied);
    CHECK(CheckOwnedPrivately(f, "key file", 002).ok());
    if (::geteuid() == 0) {
        REQUIRE(::chmod(f.c_str(), 0600) == 0);
        REQUIRE(::chown(f.c_str(), 4242, 4242) == 0);
        CHECK(CheckOwnedPrivately(f, "key file", 077).code() == StatusCode::kPermissionDenied);
    }
}

}  // namespace
}  // namespace jejak
