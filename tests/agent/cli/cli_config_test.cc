// `jejak config check|show|man`, and every command rejecting a configuration the schema
// rejects (status and store status as run does).
#include <doctest/doctest.h>

#include <fstream>

#include "agent/config/config_keys.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::RunJejak;

std::string ReadText(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("config check: a typo'd notify_threshold is exit 2 naming it and the right name") {
    testing::ScratchDir dir("cli-config-typo");
    const std::string path = dir.File("jejak.toml");
    std::ofstream(path) << "[risk]\nnotify_treshold = { score_sum = 900 }\n[notify]\ntimeout = 5\n";
    auto run = RunJejak({"config", "check", "--config", path});
    CHECK(run.code == 2);
    CHECK(run.err.find("jejak: config " + path +
                       ":2:1: risk.notify_treshold: unknown key (did you mean notify_threshold?)\n") !=
          std::string::npos);
    CHECK(run.err.find(":4:1: notify.timeout: unknown key") != std::string::npos);
    CHECK(run.err.find("jejak: config " + path + ": 2 problems\n") != std::string::npos);
    // Every other command refuses the file too, naming the first problem and the count.
    auto match = RunJejak({"--config", path, "--state-dir", dir.File("state"), "match", "--fetched"});
    CHECK(match.code == 2);
    CHECK(match.err.find(":4:1: notify.timeout: unknown key (and 1 more: see `jejak config "
                         "check`)") != std::string::npos);
}

TEST_CASE("config check: subsystem rules are listed as well, and a good file is ok") {
    testing::ScratchDir dir("cli-config-rules");
    std::ofstream(dir.File("bad.toml"))
        << "[diagnosis]\nserver_url = \"http://keys.example.org/\"\n[notify]\ncommand = [\"alert\"]\n";
    auto bad = RunJejak({"--config", dir.File("bad.toml"), "config", "check"});
    CHECK(bad.code == 2);
    CHECK(bad.err.find("server_url: must be https") != std::string::npos);
    CHECK(bad.err.find("notify.command: the program needs an absolute path") != std::string::npos);
    CHECK(bad.err.find(": 2 problems") != std::string::npos);
    std::ofstream(dir.File("good.toml")) << "[radio]\nprofile = \"venue\"\n";
    auto good = RunJejak({"--config", dir.File("good.toml"), "config", "check"});
    CHECK(good.code == 0);
    CHECK(good.out == "config " + dir.File("good.toml") + ": ok\n");
    auto missing = RunJejak({"--config", dir.File("none.toml"), "config", "check"});
    CHECK(missing.code == 2);
    CHECK(missing.err.find(dir.File("none.toml")) != std::string::npos);
}

TEST_CASE("status and store status reject an unknown radio profile as run does") {
    testing::ScratchDir dir("cli-config-venu");
    const std::string path = dir.File("jejak.toml");
    std::ofstream(path) << "[radio]\nprofile = \"venu\"\n";
    for (std::vector<std::string> command :
         {std::vector<std::string>{"status"}, {"store", "status"}, {"run", "--radio", "sim:x"}}) {
        command.insert(command.begin(), {"--config", path, "--state-dir", dir.File("state")});
        auto run = RunJejak(command);
        CAPTURE(command.back());
        CHECK(run.code == 2);
        CHECK(run.err.find("radio.profile: \"venu\" is not one of wearable|venue|field (did you "
                           "mean \"venue\"?)") != std::string::npos);
    }
}

TEST_CASE("config show: every key's value and whether file, preset or default set it") {
    testing::ScratchDir dir("cli-config-show");
    const std::string path = dir.File("jejak.toml");
    std::ofstream(path) << "[radio]\nprofile = \"venue\"\n[store]\nretention_days = 7\n"
                           "[risk]\npreset = \"enx-sample\"\n[upload]\napi_key = \"s3cret-key\"\n";
    auto run = RunJejak({"--config", path, "config", "show", "--json"});
    REQUIRE(run.code == 0);
    CHECK(run.out.find("s3cret-key") == std::string::npos);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["file"] == path);
    const auto& v = j["values"];
    CHECK(v["radio"]["profile"] == nlohmann::json({{"value", "venue"}, {"origin", "file"}}));
    CHECK(v["radio"]["scan_interval_ms"] == nlohmann::json({{"value", 100}, {"origin", "preset"}}));
    CHECK(v["radio"]["tx_power_dbm"] == nlohmann::json({{"value", -15}, {"origin", "default"}}));
    CHECK(v["store"]["retention_days"] == nlohmann::json({{"value", 7}, {"origin", "file"}}));
    CHECK(v["store"]["flush_interval_s"]["origin"] == "default");
    CHECK(v["risk"]["notify_threshold"]["value"]["score_sum"] == 2700);
    CHECK(v["risk"]["notify_threshold"]["origin"] == "preset");
    CHECK(v["upload"]["api_key"] == nlohmann::json({{"value", "(set)"}, {"origin", "file"}}));
    CHECK(v["radio"]["spec"]["value"].is_null());
    size_t keys = 0;
    for (const auto& [section, values] : v.items()) keys += values.size();
    CHECK(keys == ConfigKeys().size());
    auto text = RunJejak({"--config", path, "config", "show"});
    REQUIRE(text.code == 0);
    CHECK(text.out.find("\n[radio]\n# spec (unset)\nprofile = \"venue\"  # file\n") != std::string::npos);
    CHECK(text.out.find("scan_interval_ms = 100  # preset\n") != std::string::npos);
}

TEST_CASE("jejak.toml(5) is generated from the schema and names every section and key") {
    auto run = RunJejak({"config", "man"});
    REQUIRE(run.code == 0);
    const std::string page = ReadText(std::string(JEJAK_BINARY_DIR) + "/man/jejak.toml.5");
    REQUIRE_FALSE(page.empty());
    CHECK(page == run.out);  // the built page is the binary's
    CHECK(page.rfind(".TH JEJAK.TOML 5", 0) == 0);
    for (const ConfigSection& section : ConfigSections()) {
        const size_t at = page.find(".SS [" + std::string(section.name) + "]\n");
        REQUIRE_MESSAGE(at != std::string::npos, section.name);
        for (const ConfigKey& key : ConfigKeys()) {
            if (key.section != section.name) continue;
            std::string roff_key;
            for (char c : key.key) roff_key += c == '-' ? "\\-" : std::string(1, c);
            CHECK_MESSAGE(page.find(".B " + roff_key + "\n", at) != std::string::npos, key.key);
        }
    }
    CHECK(page.find("argon2_opslimit\ninteger, 3..64, default 3.") != std::string::npos);
}

}  // namespace jejak
