// The authority's safe defaults, run as the real `jejak-authority`:
//   - its own default state dir and config, not the device's;
//   - `serve` and `issue-code` never read the export signing key; only `export` does;
//   - every file it creates is 0600 in a 0700 directory whatever the umask, and an existing
//     state dir or authority.db open to others or owned by another user is refused, naming
//     the path and the fix;
//   - a database setting with a password is refused on the command line and never printed.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "authority_test_util.h"
#include "tests/support/child_process.h"
#include "tests/support/scratch_dir.h"

namespace jejak::testing {
namespace {

ProcessRun Authority(const std::string& dir, std::vector<std::string> args) {
    std::vector<std::string> argv = {BuiltBinary("jejak-authority"), "--state-dir", dir};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
}

bool Contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

mode_t ModeOf(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// Sets the process umask for a scope (children inherit it).
class ScopedUmask {
public:
    explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
    ~ScopedUmask() { ::umask(old_); }

private:
    mode_t old_;
};

TEST_CASE("jejak-authority defaults to its own state dir and config, not the device's") {
    const ProcessRun help = RunProcess({BuiltBinary("jejak-authority"), "--help"});
    REQUIRE_MESSAGE(help.code == 0, help.err);
    CHECK_MESSAGE(Contains(help.out, "/var/lib/jejak-authority"), help.out);
    CHECK_MESSAGE(Contains(help.out, "/etc/jejak-authority/jejak-authority.toml"), help.out);
    CHECK_MESSAGE(!Contains(help.out, "/etc/jejak/"), help.out);
    CHECK_MESSAGE(!Contains(help.out, "/var/lib/jejak "), help.out);
    // The device keeps its own.
    const ProcessRun device = RunProcess({BuiltBinary("jejak"), "--help"});
    CHECK(Contains(device.out, "/var/lib/jejak"));
    CHECK(!Contains(device.out, "/var/lib/jejak-authority"));
}

TEST_CASE("serve and issue-code run without the export signing key; only export reads it") {
    ScratchDir tmp;
    const std::string d = tmp.str() + "/auth";
    REQUIRE(Authority(d, {"init"}).code == 0);
    const std::string key = d + "/export_signing_key.pem";
    const std::string away = tmp.str() + "/export_signing_key.pem";
    std::filesystem::rename(key, away);

    const ProcessRun issued = Authority(d, {"issue-code", "--type", "confirmed"});
    CHECK_MESSAGE(issued.code == 0, issued.err);
    {
        ChildProcess serve({BuiltBinary("jejak-authority"), "--state-dir", d, "serve", "--listen",
                            "127.0.0.1:0", "--threads", "2"});
        // Listening means the state (without the export key) and the store are open.
        CHECK_MESSAGE(serve.WaitFor(0, "listening on http://127.0.0.1:"), serve.err());
        // Not its exit code: serve installs its SIGTERM handler just after that line.
        serve.Signal(SIGTERM);
        (void)serve.Wait();
    }
    const ProcessRun refused = Authority(d, {"export"});
    CHECK(refused.code == 1);
    CHECK_MESSAGE(Contains(refused.err, "export_signing_key.pem"), refused.err);

    std::filesystem::rename(away, key);
    const ProcessRun exported = Authority(d, {"export"});
    CHECK_MESSAGE(exported.code == 0, exported.err);
}

TEST_CASE("every file the authority creates is 0600 in a 0700 directory, whatever the umask") {
    ScratchDir tmp;
    const std::string d = tmp.str() + "/auth";
    {
        ScopedUmask open_umask(0);
        REQUIRE(Authority(d, {"init"}).code == 0);
        REQUIRE(Authority(d, {"issue-code", "--type", "confirmed"}).code == 0);
        REQUIRE(Authority(d, {"export"}).code == 0);
    }
    CHECK(ModeOf(d) == 0700);
    int files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(d)) {
        const std::string path = entry.path().string();
        if (entry.is_directory()) {
            CHECK_MESSAGE(ModeOf(path) == 0700, path);
        } else {
            CHECK_MESSAGE(ModeOf(path) == 0600, path);
            ++files;
        }
    }
    CHECK(std::filesystem::exists(d + "/authority.db"));
    CHECK(std::filesystem::exists(d + "/exports/index.txt"));
    CHECK(files >= 8);  // keys, public keys, hash key, authority.json, db, index.txt
}

TEST_CASE("a state dir or authority.db open to others is refused, naming the path and the fix") {
    ScratchDir tmp;
    const std::string d = tmp.str() + "/auth";
    REQUIRE(::mkdir(d.c_str(), 0700) == 0);
    REQUIRE(::chmod(d.c_str(), 0755) == 0);
    const ProcessRun open_dir = Authority(d, {"init"});
    CHECK(open_dir.code == 1);
    CHECK_MESSAGE(Contains(open_dir.err, d + " is mode 0755"), open_dir.err);
    CHECK_MESSAGE(Contains(open_dir.err, "chmod 700 " + d), open_dir.err);
    CHECK_FALSE(std::filesystem::exists(d + "/authority.json"));  // nothing written

    REQUIRE(::chmod(d.c_str(), 0700) == 0);
    REQUIRE(Authority(d, {"init"}).code == 0);
    REQUIRE(::chmod(d.c_str(), 0750) == 0);
    for (const char* command : {"issue-code", "serve", "export"}) {
        std::vector<std::string> args = {command};
        if (std::string(command) == "issue-code") args = {"issue-code", "--type", "confirmed"};
        if (std::string(command) == "serve") args = {"serve", "--listen", "127.0.0.1:0"};
        const ProcessRun run = Authority(d, args);
        CHECK_MESSAGE(run.code == 1, command);
        CHECK_MESSAGE(Contains(run.err, "chmod 700 " + d), run.err);
    }
    REQUIRE(::chmod(d.c_str(), 0700) == 0);

    const std::string db = d + "/authority.db";
    REQUIRE(::chmod(db.c_str(), 0644) == 0);
    const ProcessRun open_db = Authority(d, {"issue-code", "--type", "confirmed"});
    CHECK(open_db.code == 1);
    CHECK_MESSAGE(Contains(open_db.err, db + " is mode 0644"), open_db.err);
    CHECK_MESSAGE(Contains(open_db.err, "chmod 600 " + db), open_db.err);
    REQUIRE(::chmod(db.c_str(), 0600) == 0);
    CHECK(Authority(d, {"issue-code", "--type", "confirmed"}).code == 0);
}

TEST_CASE("a state dir owned by another user is refused, naming the owner and the fix") {
    if (::geteuid() != 0) {
        MESSAGE("skipped: only root can give a directory to another user");
        return;
    }
    ScratchDir tmp;
    const std::string d = tmp.str() + "/auth";
    REQUIRE(Authority(d, {"init"}).code == 0);
    REQUIRE(::chown(d.c_str(), 65534, 65534) == 0);
    const ProcessRun foreign = Authority(d, {"issue-code", "--type", "confirmed"});
    CHECK(foreign.code == 1);
    CHECK_MESSAGE(Contains(foreign.err, d + " is owned by uid 65534"), foreign.err);
    CHECK_MESSAGE(Contains(foreign.err, "chown -R 0 " + d), foreign.err);
    REQUIRE(::chown(d.c_str(), 0, 0) == 0);
    const std::string db = d + "/authority.db";
    REQUIRE(::chown(db.c_str(), 65534, 65534) == 0);
    const ProcessRun foreign_db = Authority(d, {"issue-code", "--type", "confirmed"});
    CHECK(foreign_db.code == 1);
    CHECK_MESSAGE(Contains(foreign_db.err, db + " is owned by uid 65534"), foreign_db.err);
}

TEST_CASE("a database setting with a password is refused on the command line, never printed") {
    ScratchDir tmp;
    const std::string d = tmp.str() + "/auth";
    for (const char* database : {"postgresql://jejak:Zs3cret@db.invalid/jejak",
                                 "postgresql://db.invalid/jejak?%70assword=Zs3cret",
                                 "host=db.invalid dbname=jejak password=Zs3cret"}) {
        const ProcessRun init = Authority(d, {"init", "--database", database});
        CHECK_MESSAGE(init.code == 2, init.err);
        CHECK_MESSAGE(Contains(init.err, "holds a password (not shown)"), init.err);
        CHECK_MESSAGE(Contains(init.err, "pgpass"), init.err);
        CHECK_MESSAGE(!Contains(init.out + init.err, "s3cret"), init.err);
        CHECK_FALSE(std::filesystem::exists(d + "/authority.json"));
    }
    REQUIRE(Authority(d, {"init"}).code == 0);
    const ProcessRun serve = Authority(
        d, {"serve", "--listen", "127.0.0.1:0", "--database", "postgres://db.invalid/j?pass%77ord=Zs3cret"});
    CHECK(serve.code == 2);
    CHECK_MESSAGE(!Contains(serve.out + serve.err, "s3cret"), serve.err);
}

}  // namespace
}  // namespace jejak::testing
