// `jejak authority init|issue-code|export` in-process: output contracts, file modes, exit codes.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/support/cli_runner.h"
#include "authority_test_util.h"
#include "tests/support/scratch_dir.h"

namespace jejak::testing {
namespace {

mode_t ModeOf(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

TEST_CASE("jejak authority init --json prints identifiers and public keys, never private keys") {
    ScratchDir dir;
    const std::string d = dir.str() + "/auth";
    CliRun init = RunJejak({"--state-dir", d, "authority", "init", "--region", "MY", "--json"});
    REQUIRE_MESSAGE(init.code == 0, init.err);
    const nlohmann::json j = nlohmann::json::parse(init.out);
    for (const char* field : {"api_key", "health_authority_id", "export_key_id", "export_key_version",
                              "export_public_key_pem", "certificate_public_key_pem", "region"}) {
        CHECK_MESSAGE(j.contains(field), field);
    }
    CHECK(j["region"] == "MY");
    CHECK(j["export_key_id"] == "MY");
    CHECK(j["export_key_version"] == "v1");
    CHECK(j["export_public_key_pem"].get<std::string>().rfind("-----BEGIN PUBLIC KEY-----", 0) == 0);
    CHECK(init.out.find("PRIVATE") == std::string::npos);
    CHECK(ModeOf(d + "/export_signing_key.pem") == 0600);
    CHECK(ModeOf(d + "/certificate_signing_key.pem") == 0600);
    CHECK(ModeOf(d + "/secret_hash.key") == 0600);
    // The API key is not kept in clear anywhere in the state directory.
    std::ifstream settings(d + "/authority.json");
    const std::string text((std::istreambuf_iterator<char>(settings)), {});
    CHECK(text.find(j["api_key"].get<std::string>()) == std::string::npos);

    CliRun again = RunJejak({"--state-dir", d, "authority", "init"});
    CHECK(again.code == 1);
    CHECK(again.err.find("already holds an authority") != std::string::npos);

    CHECK(RunJejak({"--state-dir", d + "x", "authority", "init", "--region", "M-Y"}).code == 2);
}

TEST_CASE("jejak authority issue-code prints the code first and refuses bad input") {
    ScratchDir dir;
    const std::string d = dir.str();
    CHECK(RunJejak({"--state-dir", d, "authority", "issue-code", "--type", "confirmed"}).code == 1);
    REQUIRE(RunJejak({"--state-dir", d, "authority", "init"}).code == 0);
    CliRun plain = RunJejak({"--state-dir", d, "authority", "issue-code", "--type", "confirmed"});
    REQUIRE_MESSAGE(plain.code == 0, plain.err);
    const std::string first = plain.out.substr(0, plain.out.find('\n'));
    CHECK(first.size() == 10);
    CHECK(first.find_first_not_of("0123456789") == std::string::npos);

    CliRun json = RunJejak({"--state-dir", d, "authority", "issue-code", "--type", "likely",
                            "--onset", "2020-01-02", "--test-date", "2020-01-03", "--json"});
    REQUIRE(json.code == 0);
    const nlohmann::json j = nlohmann::json::parse(json.out.substr(0, json.out.find('\n')));
    CHECK(j["type"] == "likely");
    CHECK(j["code"].get<std::string>().size() == 10);
    CHECK(j["expires_at_unix"].get<int64_t>() > 0);
    CHECK_FALSE(j.contains("expires_at"));  // every JSON time is *_unix

    CHECK(RunJejak({"--state-dir", d, "authority", "issue-code", "--type", "maybe"}).code == 2);
    CHECK(RunJejak({"--state-dir", d, "authority", "issue-code", "--type", "confirmed",
                    "--onset", "2020-02-30"}).code == 2);
    CHECK(RunJejak({"--state-dir", d, "authority", "issue-code", "--type", "confirmed",
                    "--onset", "2999-01-01"}).code == 2);
}

TEST_CASE("jejak authority issue-code --kind: short 10 digits for 1 h, long 16 digits for 24 h") {
    ScratchDir dir;
    const std::string d = dir.str();
    REQUIRE(RunJejak({"--state-dir", d, "authority", "init"}).code == 0);
    const auto issue = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = {"--state-dir", d,           "authority", "issue-code",
                                         "--type",      "confirmed", "--json"};
        args.insert(args.end(), extra.begin(), extra.end());
        CliRun run = RunJejak(args);
        REQUIRE_MESSAGE(run.code == 0, run.err);
        return nlohmann::json::parse(run.out.substr(0, run.out.find('\n')));
    };
    const nlohmann::json short_code = issue({});
    const nlohmann::json long_code = issue({"--kind", "long"});
    CHECK(short_code["code"].get<std::string>().size() == 10);
    CHECK(long_code["code"].get<std::string>().size() == 16);
    CHECK(long_code["code"].get<std::string>().find_first_not_of("0123456789") ==
          std::string::npos);
    const int64_t apart =
        long_code["expires_at_unix"].get<int64_t>() - short_code["expires_at_unix"].get<int64_t>();
    CHECK(apart >= 86400 - 3600);
    CHECK(apart <= 86400 - 3600 + 5);
    CHECK(issue({"--kind", "long", "--expires-in", "7200"})["code"].get<std::string>().size() ==
          16);
    // --expires-in may shorten a kind's lifetime, never lengthen it.
    CliRun longer = RunJejak({"--state-dir", d, "authority", "issue-code", "--type", "confirmed",
                              "--expires-in", "7200"});
    CHECK(longer.code == 2);
    CHECK(longer.err.find("at most 3600 s for a short code") != std::string::npos);
    CHECK(RunJejak({"--state-dir", d, "authority", "issue-code", "--type", "confirmed", "--kind",
                    "medium"})
              .code == 2);
}

TEST_CASE("jejak authority export runs once and is idempotent") {
    ScratchDir dir;
    const std::string d = dir.str();
    REQUIRE(RunJejak({"--state-dir", d, "authority", "init"}).code == 0);
    CliRun run = RunJejak({"--state-dir", d, "authority", "export", "--now", "1800000000", "--json"});
    REQUIRE_MESSAGE(run.code == 0, run.err);
    const nlohmann::json j = nlohmann::json::parse(run.out);
    CHECK(j["batches"] == 0);
    std::ifstream index(d + "/exports/index.txt");
    CHECK(index.good());
    CHECK(RunJejak({"--state-dir", d, "authority", "serve", "--listen", "nonsense"}).code == 2);
}

TEST_CASE("jejak authority --database: init records it, commands follow it, passwords stay out") {
    ScratchDir dir;
    const std::string d = dir.str() + "/auth";
    CliRun init = RunJejak({"--state-dir", d, "authority", "init", "--database", "keys.sqlite"});
    REQUIRE_MESSAGE(init.code == 0, init.err);
    CHECK(std::filesystem::exists(d + "/keys.sqlite"));
    CHECK_FALSE(std::filesystem::exists(d + "/authority.db"));
    std::ifstream settings(d + "/authority.json");
    const nlohmann::json j = nlohmann::json::parse(settings);
    CHECK(j["database"] == "keys.sqlite");
    CHECK(RunJejak({"--state-dir", d, "authority", "issue-code", "--type", "confirmed"}).code == 0);
    // A pilot state from before the setting existed (no "database") uses authority.db.
    {
        const std::string pilot = dir.str() + "/pilot";
        REQUIRE(RunJejak({"--state-dir", pilot, "authority", "init"}).code == 0);
        std::ifstream in(pilot + "/authority.json");
        nlohmann::json old = nlohmann::json::parse(in);
        old.erase("database");
        std::ofstream(pilot + "/authority.json") << old.dump(2);
        CHECK(RunJejak({"--state-dir", pilot, "authority", "issue-code", "--type", "likely"}).code == 0);
    }
    // An explicit --database wins over authority.json: this file does not exist.
    CliRun missing = RunJejak({"--state-dir", d, "authority", "export", "--database",
                               dir.str() + "/none.db"});
    CHECK(missing.code == 1);
    CHECK(missing.err.find("none.db") != std::string::npos);

    // A URI with a password is not written into authority.json, nor echoed.
    CliRun secret = RunJejak({"--state-dir", dir.str() + "/pg", "authority", "init", "--database",
                              "postgresql://jejak:s3cret@db.invalid/jejak"});
    CHECK(secret.code == 2);
    CHECK(secret.err.find("password") != std::string::npos);
    CHECK(secret.err.find("s3cret") == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.str() + "/pg/authority.json"));
    // Nor is one given to another command (exit 2, nothing connected).
    CliRun given = RunJejak({"--state-dir", d, "authority", "issue-code", "--type", "confirmed",
                             "--database", "postgresql://jejak:s3cret@/jejak?host=/nonexistent"});
    CHECK(given.code == 2);
    CHECK(given.err.find("s3cret") == std::string::npos);
    // An unreachable server is named by its parsed parameters.
    CliRun down = RunJejak({"--state-dir", d, "authority", "issue-code", "--type", "confirmed",
                            "--database", "postgresql://jejak@/jejak?host=/nonexistent"});
    CHECK(down.code == 1);
    CHECK(down.err.find("postgresql host=/nonexistent dbname=jejak user=jejak") !=
          std::string::npos);
}

// Options whose default is "not given" show no sentinel ("=0", "=-1") beside words saying
// what the default really is.
TEST_CASE("jejak authority help shows no default that contradicts its own words") {
    for (const char* command : {"issue-code", "export"}) {
        CAPTURE(command);
        CliRun help = RunJejak({"authority", command, "--help"});
        REQUIRE(help.code == 0);
        CHECK(help.out.find("=0 ") == std::string::npos);
        CHECK(help.out.find("=-1") == std::string::npos);
        CHECK(help.out.find("default: ") != std::string::npos);
    }
}

}  // namespace
}  // namespace jejak::testing
