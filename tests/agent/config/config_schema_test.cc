// The configuration schema (agent/config/config_keys.cc): unknown keys in every section with
// file:line:column and a suggestion, every problem listed, ranges as errors, the schema's
// defaults and ranges agreeing with the parsers, and the shipped example config/jejak.toml
// documenting every key with the binary's range and default.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "agent/check/notify.h"
#include "agent/cli/config/cli_config.h"
#include "agent/config/config_file.h"
#include "agent/config/config_schema.h"
#include "agent/config/radio_config.h"
#include "agent/config/store_config.h"
#include "agent/diagnosis/key_fetch.h"
#include "gaen/risk/risk_config.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

ConfigSource SchemaSource(const std::string& path) {
    ConfigSource s;
    s.config_path = path;
    s.config_path_given = true;
    return s;
}

std::string ExampleText() {
    std::ifstream in(std::string(JEJAK_SOURCE_DIR) + "/config/jejak.toml");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The example's text of one section: from its header to the next.
std::string ExampleSection(const std::string& text, std::string_view section) {
    const size_t start = text.find("\n[" + std::string(section) + "]\n");
    if (start == std::string::npos) return "";
    const size_t end = text.find("\n[", start + 1);
    return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

TEST_CASE("a typo'd risk key is an error naming file, line, column and the nearest key") {
    testing::ScratchDir dir("schema-typo");
    const std::string path = dir.File("jejak.toml");
    std::ofstream(path) << "[risk]\npreset = \"enx-sample\"\nnotify_treshold = { score_sum = 900 }\n";
    auto doc = LoadConfigDocument(SchemaSource(path));
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.status().IsInvalidArgument());
    CHECK(doc.status().message() == "config " + path +
                                        ":3:1: risk.notify_treshold: unknown key (did you mean "
                                        "notify_threshold?)");
}

TEST_CASE("unknown keys in notify and diagnosis are errors, with a suggestion when one is near") {
    const nlohmann::json doc = {{"notify", {{"timeout", 5}}},
                                {"diagnosis", {{"ca_fiel", "/etc/ca.pem"}, {"ca_file", "/ca"}}},
                                {"upload", {{"api_kye", "x"}}}};
    const auto problems = CheckConfigDocument(doc, "f.toml", {});
    REQUIRE(problems.size() == 3);
    CHECK(problems[0] == "config f.toml: diagnosis.ca_fiel: unknown key (did you mean ca_file?)");
    CHECK(problems[1] == "config f.toml: notify.timeout: unknown key");
    CHECK(problems[2] == "config f.toml: upload.api_kye: unknown key (did you mean api_key?)");
}

TEST_CASE("unknown keys inside inline tables are errors with a suggestion") {
    const nlohmann::json doc = {
        {"risk", {{"notify_threshold", {{"score_sum", 900}, {"report_typ", "confirmed_test"}}}}},
        {"diagnosis", {{"public_keys", {{{"key_id", "310"}, {"pemfile", "/k.pem"}}}}}}};
    const auto problems = CheckConfigDocument(doc, "f.toml", {});
    REQUIRE(problems.size() == 2);
    CHECK(problems[0] == "config f.toml: diagnosis.public_keys.pemfile: unknown key (did you "
                         "mean pem_file?)");
    CHECK(problems[1] == "config f.toml: risk.notify_threshold.report_typ: unknown key (did you "
                         "mean report_type?)");
}

TEST_CASE("every problem of a file is listed, each at its line and column") {
    testing::ScratchDir dir("schema-all");
    const std::string path = dir.File("jejak.toml");
    std::ofstream(path) << "[radio]\nprofile = \"venu\"\n  tx_power_dbm = 40\n[stroe]\n"
                           "[store]\nargon2_opslimit = 2\nretention_days = \"two weeks\"\n";
    auto file = ReadConfigFile(SchemaSource(path));
    REQUIRE(file.ok());
    REQUIRE(file->problems.size() == 5);
    CHECK(file->problems[0] == "config " + path +
                                   ":2:1: radio.profile: \"venu\" is not one of "
                                   "wearable|venue|field (did you mean \"venue\"?)");
    CHECK(file->problems[1] == "config " + path + ":3:3: radio.tx_power_dbm: 40 is outside -127..20");
    CHECK(file->problems[2] == "config " + path + ":6:1: store.argon2_opslimit: 2 is outside 3..64");
    CHECK(file->problems[3] == "config " + path +
                                   ":7:1: store.retention_days: must be a whole number 1..25");
    CHECK(file->problems[4] == "config " + path +
                                   ":4:2: unknown section \"stroe\" (did you mean [store]?)");
    auto doc = LoadConfigDocument(SchemaSource(path));
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.status().message().find("(and 4 more: see `jejak config check`)") != std::string::npos);
}

TEST_CASE("numbers out of range are errors naming the key, never clipped") {
    const nlohmann::json none = nlohmann::json::object();
    auto loud = ParseRadioConfig({{"tx_power_dbm", 40}}, none);
    REQUIRE_FALSE(loud.ok());
    CHECK(loud.status().message() == "config radio.tx_power_dbm: 40 is outside -127..20");
    auto wide = ParseRadioConfig({{"scan_interval_ms", 200}, {"scan_window_ms", 500}}, none);
    REQUIRE_FALSE(wide.ok());
    CHECK(wide.status().message().find("radio.scan_window_ms: 500 is more than scan_interval_ms")
          != std::string::npos);
    testing::ScratchDir dir("schema-range");
    std::ofstream(dir.File("a.toml")) << "[store]\nargon2_memlimit_kib = 8\n";
    auto store = LoadStoreOptions(SchemaSource(dir.File("a.toml")), PassphraseUse::kSkip);
    REQUIRE_FALSE(store.ok());
    CHECK(store.status().message().find("store.argon2_memlimit_kib: 8 is outside 65536..4194304")
          != std::string::npos);
}

TEST_CASE("the schema's defaults are the values the parsers use when a key is absent") {
    const nlohmann::json none = nlohmann::json::object();
    auto fallback = [](std::string_view section, std::string_view key) {
        return ConfigDefaultValue(*FindConfigKey(section, key));
    };
    const RadioConfig radio = *ParseRadioConfig(none, none);
    CHECK(fallback("radio", "profile") == radio.profile);
    CHECK(fallback("radio", "scan_interval_ms") == radio.scan_interval_ms);
    CHECK(fallback("radio", "scan_window_ms") == radio.scan_window_ms);
    CHECK(fallback("radio", "advertising_interval_ms") == radio.advertising_interval_ms);
    CHECK(fallback("radio", "tx_power_dbm") == radio.tx_power_dbm);
    CHECK(fallback("radio", "aggregate_window_s") == radio.aggregate_window_s);
    CHECK(fallback("radio", "summary_interval_s") == radio.summary_interval_s);
    CHECK(fallback("radio", "allow_shared_advertising") == radio.allow_shared_advertising);
    CHECK(fallback("clock", "require_ntp_sync") == radio.require_ntp_sync);
    CHECK(fallback("clock", "not_before") == radio.not_before_unix_s);
    testing::ScratchDir dir("schema-defaults");
    std::ofstream(dir.File("empty.toml")) << "";
    const SqliteStoreOptions store = *LoadStoreOptions(SchemaSource(dir.File("empty.toml")));
    CHECK(fallback("store", "retention_days") == store.retention_days);
    CHECK(fallback("store", "flush_interval_s") == store.flush_interval_s);
    CHECK(fallback("store", "durable_commits") == store.durable_commits);
    CHECK(fallback("store", "max_sightings_per_day") == store.max_sightings_per_day);
    CHECK(fallback("store", "argon2_opslimit") == store.master.pwhash.opslimit);
    CHECK(fallback("store", "argon2_memlimit_kib") == store.master.pwhash.memlimit_bytes / 1024);
    const DiagnosisConfig diagnosis = *ParseDiagnosisConfig(none, "/state");
    CHECK(fallback("diagnosis", "index_path") == diagnosis.index_path);
    CHECK(fallback("diagnosis", "max_bytes_per_run") == diagnosis.max_bytes_per_run);
    CHECK(fallback("diagnosis", "max_bytes_per_day") == diagnosis.max_bytes_per_day);
    CHECK(fallback("diagnosis", "allow_http_loopback") == diagnosis.allow_http_loopback);
    CHECK(fallback("notify", "timeout_seconds") == ParseNotifyConfig(none)->timeout_seconds);
    CHECK(fallback("risk", "preset") == DefaultRiskPresetName());
    const nlohmann::json risk = RiskConfigToJson(*ParseRiskConfig(none));
    for (const ConfigKey& key : ConfigKeys()) {
        if (key.section != "risk" || key.fallback.empty() || key.key == "preset") continue;
        CHECK_MESSAGE(ConfigDefaultValue(key) == risk[std::string(key.key)], key.key);
    }
}

TEST_CASE("the schema's ranges are the ranges the section parsers enforce") {
    auto parse = [](const ConfigKey& key, double v) -> Status {
        const nlohmann::json section = {{std::string(key.key), static_cast<int64_t>(v)}};
        if (key.section == "risk") return ParseRiskConfig(section).status();
        if (key.section == "notify") return ParseNotifyConfig(section).status();
        if (key.section == "diagnosis") return ParseDiagnosisConfig(section, "/s").status();
        return CheckConfigSection(key.section, section);
    };
    int checked = 0;
    for (const ConfigKey& key : ConfigKeys()) {
        if (key.type != ConfigType::kInt) continue;
        CAPTURE(key.key);
        CHECK(parse(key, key.min).ok());
        CHECK_FALSE(parse(key, key.min - 1).ok());
        if (!std::isinf(key.max)) {
            CHECK(parse(key, key.max).ok());
            CHECK_FALSE(parse(key, key.max + 1).ok());
        }
        ++checked;
    }
    CHECK(checked >= 15);
    CHECK(FindConfigKey("store", "argon2_opslimit")->min == kMinArgon2Ops);
    CHECK(FindConfigKey("store", "argon2_memlimit_kib")->min == kMinArgon2MemKib);
    // The sections are the ones the loader knows, in the same order.
    REQUIRE(ConfigSections().size() == std::size(kConfigSections));
    for (size_t i = 0; i < ConfigSections().size(); ++i) {
        CHECK(ConfigSections()[i].name == kConfigSections[i]);
    }
    // The preset choices are the presets risk knows.
    std::string names;
    for (std::string_view n : RiskPresetNames()) names += (names.empty() ? "" : "|") + std::string(n);
    CHECK(FindConfigKey("risk", "preset")->choices == names);
}

TEST_CASE("a TOML byte budget in diagnosis is accepted (TOML integers are signed)") {
    testing::ScratchDir dir("schema-bytes");
    std::ofstream(dir.File("b.toml")) << "[diagnosis]\nmax_bytes_per_run = 2097152\n";
    auto section = LoadConfigSection(SchemaSource(dir.File("b.toml")), "diagnosis");
    REQUIRE(section.ok());
    auto config = ParseDiagnosisConfig(*section, "/s");
    REQUIRE_MESSAGE(config.ok(), config.status().ToString());
    CHECK(config->max_bytes_per_run == 2097152);
}

TEST_CASE("the example config documents every key with the binary's range and default") {
    const std::string text = ExampleText();
    REQUIRE_FALSE(text.empty());
    CHECK(text.find("clipped") == std::string::npos);  // out of range is an error
    for (const ConfigKey& key : ConfigKeys()) {
        if (key.section == "authority") continue;
        const std::string section = ExampleSection(text, key.section);
        CAPTURE(key.section);
        CAPTURE(key.key);
        REQUIRE_FALSE(section.empty());
        const std::regex line("\n# " + std::string(key.key) + " = ([^\n]*)");
        std::smatch m;
        REQUIRE(std::regex_search(section, m, line));
        if (!key.fallback.empty()) CHECK(m[1].str().rfind(std::string(key.fallback), 0) == 0);
        const std::string range = ConfigRangeText(key);
        if (key.type == ConfigType::kInt || key.type == ConfigType::kNumber) {
            CHECK(section.find(range) != std::string::npos);
        }
    }
}

TEST_CASE("the example config's values, uncommented, fit the schema and the parsers") {
    // Every "# key = value" line of the example made live, section by section.
    std::istringstream in(ExampleText());
    std::string live;
    const std::regex commented("^# ([a-z_0-9]+ = .*)$");
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (line.rfind("[", 0) == 0) live += line + "\n";
        else if (std::regex_match(line, m, commented)) live += m[1].str() + "\n";
    }
    testing::ScratchDir dir("schema-example");
    std::ofstream(dir.File("live.toml")) << live;
    auto file = ReadConfigFile(SchemaSource(dir.File("live.toml")));
    REQUIRE_MESSAGE(file.ok(), file.status().ToString());
    for (const std::string& p : file->problems) FAIL_CHECK(p);
    const nlohmann::json& doc = file->doc;
    CHECK(ParseRadioConfig(doc["radio"], doc["clock"]).ok());
    CHECK(ParseRiskConfig(doc["risk"]).ok());
    CHECK(ParseNotifyConfig(doc["notify"]).ok());
    nlohmann::json diagnosis_section = doc["diagnosis"];
    diagnosis_section.erase("public_keys");  // names a PEM file that exists on a real device
    auto diagnosis = ParseDiagnosisConfig(diagnosis_section, "/s");
    CHECK_MESSAGE(diagnosis.ok(), diagnosis.status().ToString());
}

}  // namespace jejak
