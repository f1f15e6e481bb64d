// The configuration file: TOML and JSON with the same keys, parse errors that name
// file:line:column, the "radio"/"clock" sections (profiles, unknown keys, ranges), and the shipped example config/jejak.toml parsing cleanly.
#include <doctest/doctest.h>

#include <fstream>

#include "agent/config/daemon_config.h"
#include "agent/config/exposure_config.h"
#include "agent/config/radio_config.h"
#include "agent/config/store_config.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

ConfigSource Source(const std::string& path) {
    ConfigSource s;
    s.config_path = path;
    s.config_path_given = true;
    return s;
}

}  // namespace

TEST_CASE("a TOML config and a JSON config with the same keys read the same") {
    testing::ScratchDir dir("config-same");
    std::ofstream(dir.File("jejak.toml")) << "# comment\n[radio]\nprofile = \"venue\"\n"
                                             "tx_power_dbm = -8 # inline comment\n"
                                             "[clock]\nrequire_ntp_sync = true\n"
                                             "[store]\nretention_days = 10\n";
    std::ofstream(dir.File("jejak.json"))
        << R"({"radio": {"profile": "venue", "tx_power_dbm": -8},
               "clock": {"require_ntp_sync": true}, "store": {"retention_days": 10}})";
    for (const char* name : {"jejak.toml", "jejak.json"}) {
        INFO(name);
        auto radio = LoadRadioConfig(Source(dir.File(name)));
        REQUIRE_MESSAGE(radio.ok(), radio.status().ToString());
        CHECK(radio->profile == "venue");
        CHECK(radio->scan_window_ms == 100);
        CHECK(radio->scan_interval_ms == 100);
        CHECK(radio->tx_power_dbm == -8);
        CHECK(radio->require_ntp_sync);
        auto store = LoadStoreOptions(Source(dir.File(name)));
        REQUIRE(store.ok());
        CHECK(store->retention_days == 10);
    }
}

TEST_CASE("clock trust keys: defaults, values, and a value out of range is an error") {
    const nlohmann::json none = nlohmann::json::object();
    auto defaults = ParseRadioConfig(none, none);
    REQUIRE(defaults.ok());
    CHECK(defaults->max_forward_step_s == 86400);
    CHECK(defaults->confirm_after_s == 3600);
    CHECK(defaults->warn_unsynchronised_after_s == 86400);
    auto set = ParseRadioConfig(none, {{"max_forward_step_s", 7200}, {"confirm_after_s", 0},
                                       {"warn_unsynchronised_after_s", 0}});
    REQUIRE(set.ok());
    CHECK(set->max_forward_step_s == 7200);
    CHECK(set->confirm_after_s == 0);
    CHECK(set->warn_unsynchronised_after_s == 0);
    auto low = ParseRadioConfig(none, {{"max_forward_step_s", 1}});  // an error, never clipped
    REQUIRE_FALSE(low.ok());
    CHECK(low.status().message().find("clock.max_forward_step_s") != std::string::npos);
    CHECK_FALSE(ParseRadioConfig(none, {{"confirm_after_s", "soon"}}).ok());
}

TEST_CASE("config parse errors name the file, line and column") {
    testing::ScratchDir dir("config-errors");
    std::ofstream(dir.File("bad.toml")) << "[radio]\nprofile = \"venue\"\ntx_power_dbm = = 3\n";
    auto toml = LoadConfigSection(Source(dir.File("bad.toml")), "radio");
    REQUIRE_FALSE(toml.ok());
    CHECK(toml.status().IsInvalidArgument());
    CHECK(toml.status().message().rfind("config " + dir.File("bad.toml") + ":3:", 0) == 0);

    std::ofstream(dir.File("bad.json")) << "{\n  \"radio\": {\n    \"profile\": venue\n  }\n}\n";
    auto json = LoadConfigSection(Source(dir.File("bad.json")), "radio");
    REQUIRE_FALSE(json.ok());
    CHECK(json.status().message().rfind("config " + dir.File("bad.json") + ":3:", 0) == 0);
}

TEST_CASE("radio and clock sections: unknown keys and out-of-range numbers rejected") {
    auto parse = [](const nlohmann::json& radio, const nlohmann::json& clock) {
        return ParseRadioConfig(radio, clock);
    };
    const nlohmann::json none = nlohmann::json::object();
    auto unknown = parse({{"scan_duty_cycle", 5}}, none);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.status().message() == "config radio.scan_duty_cycle: unknown key");
    CHECK(parse(none, {{"ntp", true}}).status().message() == "config clock.ntp: unknown key");
    CHECK(parse({{"profile", "party"}}, none).status().IsInvalidArgument());
    CHECK(parse({{"tx_power_dbm", "loud"}}, none).status().IsInvalidArgument());
    CHECK(parse({{"tx_power_dbm", 40}}, none).status().IsInvalidArgument());  // never clipped

    auto wearable = parse({{"profile", "wearable"}, {"scan_window_ms", 30}}, none);
    REQUIRE(wearable.ok());
    CHECK(wearable->scan_interval_ms == 1200);
    CHECK(wearable->scan_window_ms == 30);  // explicit keys override the profile
}

TEST_CASE("the shipped example config parses and documents every radio and clock key") {
    const std::string path = std::string(JEJAK_TEST_DATA_DIR) + "/../../config/jejak.toml";
    auto doc = LoadConfigDocument(Source(path));
    REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
    for (const char* section : kConfigSections) {
        if (std::string(section) == "authority") continue;  // the server's, not the device's
        CHECK_MESSAGE(doc->contains(section), section);
    }
    CHECK(LoadDaemonConfig(Source(path)).ok());
    CHECK(LoadRadioConfig(Source(path)).ok());
    CHECK(LoadStoreOptions(Source(path)).ok());
    CHECK(LoadExposureConfig(Source(path)).ok());
    std::ifstream in(path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const char* key : {"spec", "profile", "scan_window_ms", "scan_interval_ms",
                            "advertising_interval_ms", "tx_power_dbm", "aggregate_window_s",
                            "summary_interval_s", "require_ntp_sync", "not_before",
                            "max_forward_step_s", "confirm_after_s", "warn_unsynchronised_after_s",
                            "retention_days", "flush_interval_s", "durable_commits", "key_file",
                            "passphrase_env", "argon2_opslimit", "argon2_memlimit_kib",
                            "verification_url", "publish_url", "api_key", "health_authority_id",
                            "ca_file", "pinned_public_key", "user", "calibrated_tx_power_dbm",
                            "max_time_skew_minutes"}) {
        CHECK_MESSAGE(text.find(std::string("# ") + key + " =") != std::string::npos, key);
    }
}

TEST_CASE("the calibrated TX power is its own key: -15 by default in every profile, -50..20") {
    for (const char* profile : {"wearable", "venue", "field"}) {
        auto c = ParseRadioConfig({{"profile", profile}, {"tx_power_dbm", -4}}, nlohmann::json::object());
        REQUIRE(c.ok());
        CHECK(c->tx_power_dbm == -4);
        CHECK(c->calibrated_tx_power_dbm == -15);  // never derived from the setting
    }
    auto set = ParseRadioConfig({{"calibrated_tx_power_dbm", -20}}, nlohmann::json::object());
    REQUIRE(set.ok());
    CHECK(set->calibrated_tx_power_dbm == -20);
    CHECK(set->tx_power_dbm == -15);
    // Receivers reject below -50 dBm: out of the range is an error naming the key.
    auto low = ParseRadioConfig({{"calibrated_tx_power_dbm", -60}}, nlohmann::json::object());
    REQUIRE_FALSE(low.ok());
    CHECK(low.status().message().find("radio.calibrated_tx_power_dbm") != std::string::npos);
    CHECK_FALSE(ParseRadioConfig({{"calibrated_tx_power_dbm", "x"}}, nlohmann::json::object()).ok());
}

TEST_CASE("a misspelt section is an error naming it, not a silently ignored table") {
    testing::ScratchDir dir("config-sections");
    std::ofstream(dir.File("typo.toml")) << "[radoi]\nspec = \"hci0\"\n";
    auto radio = LoadRadioConfig(Source(dir.File("typo.toml")));
    REQUIRE_FALSE(radio.ok());
    CHECK(radio.status().IsInvalidArgument());
    CHECK(radio.status().message().find("unknown section \"radoi\"") != std::string::npos);
    CHECK(radio.status().message().find("typo.toml") != std::string::npos);
    std::ofstream(dir.File("typo.json")) << R"({"stroe": {"retention_days": 3}})";
    CHECK_FALSE(LoadConfigDocument(Source(dir.File("typo.json"))).ok());
}

TEST_CASE("the daemon section: a user name, nothing else") {
    CHECK(ParseDaemonConfig(nlohmann::json::object())->user.empty());
    CHECK(ParseDaemonConfig({{"user", "jejak"}})->user == "jejak");
    for (const nlohmann::json& bad : {nlohmann::json{{"user", ""}}, nlohmann::json{{"user", 7}},
                                      nlohmann::json{{"usr", "jejak"}}}) {
        auto parsed = ParseDaemonConfig(bad);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.status().message().rfind("config daemon.", 0) == 0);
    }
}

}  // namespace jejak
