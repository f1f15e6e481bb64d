// What every `jejak` command shares: --version, one-line errors that name an unknown or
// missing command and list the valid ones, global options before or after the subcommand, a
// missing --config file as a usage error, keys in hex or base64 (or from stdin), interval
// numbers that are really Unix seconds refused with a hint, `store wipe` refusing a
// directory without a store, and jejak-bench's usage exit code.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "platform/cli/cli_format.h"
#include "platform/base/clock.h"
#include "storage/sqlite_store.h"
#include "tests/support/child_process.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::RunJejak;

// The published GAEN v1.2 test-vector TEK in hex and base64.
constexpr const char* kTekHex = "75c734c6dd1a782de7a965da5eb93125";
constexpr const char* kTekBase64 = "dcc0xt0aeC3nqWXaXrkxJQ==";

void CheckOneLineUsage(const testing::CliRun& run, const std::string& expect) {
    CHECK(run.code == 2);
    CHECK(run.out.empty());
    CHECK(run.err.rfind("jejak: ", 0) == 0);
    CHECK(run.err.find('\n') == run.err.size() - 1);
    CHECK_MESSAGE(run.err.find(expect) != std::string::npos, run.err);
}

void MakeStore(const std::string& dir) {
    std::filesystem::create_directories(dir);
    SystemClock clock;
    SqliteStoreOptions o;
    o.state_dir = dir;
    auto store = SqliteStore::Open(clock, o);
    REQUIRE(store.ok());
    REQUIRE((*store)->Close().ok());
}

}  // namespace

TEST_CASE("jejak --version prints the version and exits 0") {
    const auto run = RunJejak({"--version"});
    CHECK(run.code == 0);
    CHECK(run.out == std::string("jejak ") + JEJAK_VERSION_FOR_TESTS + "\n");
}

TEST_CASE("a missing or unknown command names itself and lists the valid ones") {
    CheckOneLineUsage(RunJejak({}), "'jejak' needs a command: ");
    CheckOneLineUsage(RunJejak({}), "encounters");
    CheckOneLineUsage(RunJejak({"frobnicate"}), "unknown command 'jejak frobnicate'; valid");
    CheckOneLineUsage(RunJejak({"--state-dir", "/tmp", "frobnicate"}), "scan, ");
    CheckOneLineUsage(RunJejak({"store"}), "'jejak store' needs a command: status, verify, wipe");
    CheckOneLineUsage(RunJejak({"store", "frob"}), "unknown command 'jejak store frob'");
    CheckOneLineUsage(RunJejak({"keys"}), "derive");
    // Other usage errors keep CLI11's own one-line message.
    CheckOneLineUsage(RunJejak({"keys", "derive", "--interval", "1"}), "--tek");
}

TEST_CASE("global options work before and after the subcommand") {
    testing::ScratchDir dir("cli-globals");
    MakeStore(dir.File("s"));
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--state-dir", dir.File("s"), "store", "status", "--json"},
             {"store", "--state-dir", dir.File("s"), "status", "--json"},
             {"store", "status", "--state-dir", dir.File("s"), "--json"},
             {"store", "status", "--json", "--state-dir", dir.File("s")}}) {
        CAPTURE(args);
        const auto run = RunJejak(args);
        CHECK(run.code == 0);
        CHECK(run.out.find(dir.File("s")) != std::string::npos);
        // JSON times: Unix seconds in *_unix fields beside the older ones.
        const auto j = nlohmann::json::parse(run.out);
        CHECK(j["oldest_retained_day_unix"].get<int64_t>() % 86400 == 0);
        CHECK(j.contains("last_flush_unix"));
        CHECK(j.contains("oldest_retained_day"));
    }
    // A config file given after the subcommand is read (its malformed JSON is an error).
    testing::WriteFile(dir.File("bad.json"), testing::Bytes{'{', 'x'});
    CheckOneLineUsage(RunJejak({"store", "status", "--state-dir", dir.File("s"), "--config",
                                dir.File("bad.json")}),
                      "bad.json");
}

TEST_CASE("a --config file that does not exist is a usage error (exit 2) naming it once") {
    testing::ScratchDir dir("cli-config");
    MakeStore(dir.File("s"));
    const std::string missing = dir.File("nope.json");
    for (const auto& args : std::vector<std::vector<std::string>>{{"store", "status"},
                                                                  {"store", "verify"},
                                                                  {"encounters"},
                                                                  {"keys", "fetch"},
                                                                  {"scan", "--duration", "0.1"}}) {
        CAPTURE(args);
        auto full = args;
        for (const std::string& a :
             {std::string("--state-dir"), dir.File("s"), std::string("--config"), missing}) {
            full.push_back(a);
        }
        const auto run = RunJejak(full);
        CheckOneLineUsage(run, missing);
        CHECK(run.err.find(missing) == run.err.rfind(missing));  // named once
    }
}

TEST_CASE("keys derive takes the TEK in hex, base64 or from stdin, with the same output") {
    const std::vector<std::string> tail{"--interval", "2642976", "--count", "2"};
    auto with = [&](const std::string& tek) {
        std::vector<std::string> args{"keys", "derive", "--tek", tek};
        args.insert(args.end(), tail.begin(), tail.end());
        return RunJejak(args);
    };
    const auto hex = with(kTekHex);
    REQUIRE(hex.code == 0);
    CHECK(hex.out.rfind("2642976 8be6cd371c5c891604bfbe49df845096\n", 0) == 0);
    const auto b64 = with(kTekBase64);
    CHECK(b64.code == 0);
    CHECK(b64.out == hex.out);
    CHECK(with("dcc0xt0aeC3nqWXaXrkxJQ").out == hex.out);  // padding optional

    std::istringstream stdin_tek(std::string(kTekBase64) + "\n");
    auto* old = std::cin.rdbuf(stdin_tek.rdbuf());
    const auto piped = with("-");
    std::cin.rdbuf(old);
    CHECK(piped.code == 0);
    CHECK(piped.out == hex.out);

    CheckOneLineUsage(with("dcc0xt0aeC3nqWXaXrkxJQ=="
                           "AA"),
                      "--tek");
    CheckOneLineUsage(with("dcc0xt0aeC3nqWXaXrkx$Q=="), "base64");
    std::istringstream empty("");
    old = std::cin.rdbuf(empty.rdbuf());
    const auto none = with("-");
    std::cin.rdbuf(old);
    CheckOneLineUsage(none, "--tek");
}

TEST_CASE("keys derive refuses an interval that is really Unix seconds, with the conversion") {
    const auto run = RunJejak({"keys", "derive", "--tek", kTekHex, "--interval", "1795761256"});
    CheckOneLineUsage(run, "looks like Unix seconds");
    CHECK(run.err.find("2992935") != std::string::npos);  // 1795761256 / 600
    CHECK(RunJejak({"keys", "derive", "--tek", kTekHex, "--interval", "999999999"}).code == 0);
}

TEST_CASE("match names a damaged export file once in its error") {
    testing::ScratchDir dir("cli-match-once");
    MakeStore(dir.File("s"));
    const std::string pem = dir.File("pub.pem");
    const std::string make =
        "openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | "
        "openssl ec -pubout -out '" +
        pem + "' 2>/dev/null";
    REQUIRE(std::system(make.c_str()) == 0);
    for (const char* name : {"junk.zip", "junk.bin"}) {
        const std::string file = dir.File(name);
        testing::WriteFile(file, testing::Bytes{'P', 'K', 3, 4, 'x', 'y'});
        const auto run =
            RunJejak({"--state-dir", dir.File("s"), "match", "--keys", file, "--pubkey", pem});
        CHECK(run.code != 0);
        CHECK(run.err.rfind("jejak: ", 0) == 0);
        CHECK(run.err.find(file) != std::string::npos);
        CHECK_MESSAGE(run.err.find(file) == run.err.rfind(file), run.err);
    }
}

TEST_CASE("store wipe refuses a directory that holds no store and removes nothing") {
    testing::ScratchDir dir("cli-wipe-none");
    std::filesystem::create_directories(dir.File("empty"));
    testing::WriteFile(dir.File("empty/notes.txt"), testing::Bytes{'h', 'i'});
    const auto run = RunJejak({"--state-dir", dir.File("empty"), "store", "wipe", "--yes"});
    CHECK(run.code == 1);
    CHECK(run.out.empty());
    CHECK(run.err.find("no store in " + dir.File("empty")) != std::string::npos);
    CHECK(std::filesystem::exists(dir.File("empty/notes.txt")));
}

TEST_CASE("times and signal levels read the same in every command") {
    CHECK(IsoTime(1768471380) == "2026-01-15T10:03:00Z");
    CHECK(IsoTimeMicros(1589976000016000) == "2020-05-20T12:00:00.016000Z");
    CHECK(IsoDay(1768471380) == "2026-01-15");
    CHECK(ParseIsoDay("2026-01-15") == 1768471380 / 86400);
    CHECK_FALSE(ParseIsoDay("2026-02-29").has_value());
    CHECK(ParseIsoDay("2024-02-29").has_value());
    CHECK(RssiText(127) == "n/a");
    CHECK(RssiText(-60) == "-60");
    // Local time carries its offset.
    const std::string local = IsoTime(1768471380, /*local=*/true);
    CHECK(local.size() == 25);
    CHECK((local[19] == '+' || local[19] == '-'));
}

TEST_CASE("jejak-bench: no arguments print usage and exit 2; --version exits 0") {
#ifndef JEJAK_BENCH_BUILT
    // This build tree has no jejak-bench (JEJAK_BUILD_BENCH=OFF, e.g. the sanitizer leg); the
    // release leg, which builds it, runs this test.
    MESSAGE("jejak-bench is not built in this tree (JEJAK_BUILD_BENCH=OFF)");
    return;
#endif
    const std::string bench = testing::BuiltBinary("jejak-bench");
    REQUIRE(std::filesystem::exists(bench));
    const auto none = testing::RunProcess({bench});
    CHECK(none.code == 2);
    CHECK(none.err.find("rpi") != std::string::npos);
    const auto version = testing::RunProcess({bench, "--version"});
    CHECK(version.code == 0);
    CHECK(version.out == std::string("jejak-bench ") + JEJAK_VERSION_FOR_TESTS + "\n");
    const auto unknown = testing::RunProcess({bench, "frob"});
    CHECK(unknown.code == 2);
}

}  // namespace jejak
