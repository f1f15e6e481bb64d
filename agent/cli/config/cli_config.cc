// `jejak config ...`: the configuration file checked and shown, and its man page.
//   jejak config check [--config F]   every problem of the file, one line each on stderr
//     ("jejak: config F:LINE:COLUMN: SECTION.KEY: what"), then exit 2; "config F: ok" and
//     exit 0 when the schema (agent/config/config_keys.cc) and every subsystem accept it.
//   jejak config show [--json]        the effective value of every key and where it came
//     from: "file", "preset" (radio.profile or risk.preset named in the file) or "default".
//     --json: {"file": str|null, "values": {SECTION: {KEY: {"value": v, "origin": str}}}}.
//     Secrets (upload.api_key) are shown as "(set)", never as their value.
//   jejak config man [--out F]        (hidden) jejak.toml(5) in roff, from the schema; the
//     build writes it to build/man/jejak.toml.5.
#include "agent/cli/config/cli_config.h"

#include <fstream>
#include <memory>
#include <set>

#include "agent/check/notify.h"
#include "agent/cli/config/cli_config_man.h"
#include "agent/config/config_file.h"
#include "agent/config/config_schema.h"
#include "agent/config/daemon_config.h"
#include "agent/config/radio_config.h"
#include "agent/config/store_config.h"
#include "agent/diagnosis/key_fetch.h"
#include "gaen/risk/risk_config.h"
#include "agent/upload/upload_config.h"

namespace jejak {
namespace {

nlohmann::json SectionOf(const nlohmann::json& doc, const char* name) {
    auto it = doc.find(name);
    return it != doc.end() && it->is_object() ? *it : nlohmann::json::object();
}

// The subsystems' own rules (cross-key, URLs, presets, passphrase sources), section by
// section; sections with schema problems are left out (their problems are listed already).
std::vector<std::string> SubsystemProblems(const ConfigFile& file, CliEnv& env) {
    std::set<std::string> bad;
    for (const ConfigSection& s : ConfigSections()) {
        if (!CheckConfigSection(s.name, SectionOf(file.doc, std::string(s.name).c_str())).ok()) {
            bad.insert(std::string(s.name));
        }
    }
    std::vector<std::string> problems;
    auto add = [&](const char* section, const Status& status) {
        if (!status.ok() && !bad.contains(section)) {
            problems.push_back("config " + file.path + ": " + status.message());
        }
    };
    const nlohmann::json& doc = file.doc;
    if (!bad.contains("clock")) add("radio", ParseRadioConfig(SectionOf(doc, "radio"), SectionOf(doc, "clock")).status());
    // The store's loader reads the file again, which any problem above already fails.
    if (file.problems.empty()) add("store", LoadStoreOptions(env, PassphraseUse::kSkip).status());
    add("diagnosis", ParseDiagnosisConfig(SectionOf(doc, "diagnosis"), env.state_dir).status());
    add("risk", ParseRiskConfig(SectionOf(doc, "risk")).status());
    add("notify", ParseNotifyConfig(SectionOf(doc, "notify")).status());
    // Only `report` needs [upload], and then all of it.
    if (!SectionOf(doc, "upload").empty()) add("upload", ParseUploadConfig(SectionOf(doc, "upload")).status());
    add("daemon", ParseDaemonConfig(SectionOf(doc, "daemon")).status());
    return problems;
}

void RunCheck(CliEnv& env) {
    Result<ConfigFile> file = ReadConfigFile(env);
    if (!file.ok()) throw CliError(ExitCodeFor(file.status()), file.status().message());
    std::vector<std::string> problems = file->problems;
    for (std::string& p : SubsystemProblems(*file, env)) problems.push_back(std::move(p));
    for (const std::string& p : problems) env.err << "jejak: " << p << "\n";
    if (!problems.empty()) {
        throw CliError(kExitUsage, "config " + file->path + ": " + std::to_string(problems.size()) +
                                       (problems.size() == 1 ? " problem" : " problems"));
    }
    env.out << "config " << file->path << ": ok\n";
}

struct Shown {
    nlohmann::json value;
    std::string origin;
};

Shown ShowKey(const ConfigKey& key, const nlohmann::json& doc, const nlohmann::json& preset_risk) {
    const nlohmann::json section = SectionOf(doc, std::string(key.section).c_str());
    if (auto it = section.find(std::string(key.key)); it != section.end()) {
        return {key.secret ? nlohmann::json("(set)") : *it, "file"};
    }
    if (key.section == "radio" && section.contains("profile")) {
        if (auto v = ConfigProfileValue(key, section["profile"].get<std::string>())) return {*v, "preset"};
    }
    if (key.section == "risk" && section.contains("preset") && preset_risk.contains(key.key)) {
        return {preset_risk[std::string(key.key)], "preset"};
    }
    return {ConfigDefaultValue(key), "default"};
}

void RunShow(bool json, CliEnv& env) {
    Result<ConfigFile> file = ReadConfigFile(env);
    if (!file.ok()) throw CliError(ExitCodeFor(file.status()), file.status().message());
    if (!file->problems.empty()) {
        for (const std::string& p : file->problems) env.err << "jejak: " << p << "\n";
        throw CliError(kExitUsage, "config " + file->path + ": fix the problems above first");
    }
    nlohmann::json preset_risk = nlohmann::json::object();
    const nlohmann::json risk = SectionOf(file->doc, "risk");
    if (risk.contains("preset")) {
        Result<RiskConfig> preset = RiskPreset(risk["preset"].get<std::string>());
        if (!preset.ok()) throw CliError(kExitUsage, "config " + file->path + ": " + preset.status().message());
        preset_risk = RiskConfigToJson(*preset);
    }
    const bool from_file = !file->doc.empty() || std::ifstream(file->path).good();
    nlohmann::json out = {{"file", from_file ? nlohmann::json(file->path) : nlohmann::json(nullptr)},
                          {"values", nlohmann::json::object()}};
    std::string_view section;
    if (!json) env.out << "# " << (from_file ? "config " + file->path : "no config file: built-in defaults") << "\n";
    for (const ConfigKey& key : ConfigKeys()) {
        const Shown shown = ShowKey(key, file->doc, preset_risk);
        out["values"][std::string(key.section)][std::string(key.key)] = {{"value", shown.value},
                                                                         {"origin", shown.origin}};
        if (json) continue;
        if (key.section != section) env.out << "\n[" << (section = key.section) << "]\n";
        if (shown.value.is_null()) {
            env.out << "# " << key.key << " (unset)\n";
        } else {
            env.out << key.key << " = " << shown.value.dump() << "  # " << shown.origin << "\n";
        }
    }
    if (json) env.out << out.dump(2) << "\n";
}

void RunMan(const std::string& out_path, CliEnv& env) {
    if (out_path.empty()) {
        WriteConfigManPage(env.out);
        return;
    }
    std::ofstream out(out_path);
    WriteConfigManPage(out);
    out.flush();
    if (!out) throw CliError(kExitFailure, "cannot write " + out_path);
}

}  // namespace

nlohmann::json RiskConfigToJson(const RiskConfig& c) {
    const auto& d = c.daily;
    nlohmann::json report_types = nlohmann::json::object();
    for (int t = 1; t <= static_cast<int>(ReportType::kRecursive); ++t) {
        report_types[std::string(ReportTypeName(static_cast<ReportType>(t)))] =
            d.report_type_weights[static_cast<size_t>(t)];
    }
    nlohmann::json onset = nlohmann::json::array();
    for (Infectiousness i : c.window.days_since_onset_to_infectiousness) {
        onset.push_back(InfectiousnessName(i));
    }
    nlohmann::json notify = {{"score_sum", c.notify_score_sum}};
    if (c.notify_report_type) notify["report_type"] = ReportTypeName(*c.notify_report_type);
    return {{"attenuation_bucket_thresholds_db", d.attenuation_thresholds_db},
            {"attenuation_bucket_weights", d.attenuation_weights},
            {"report_type_weights", report_types},
            {"infectiousness_weights",
             {{"standard", d.infectiousness_weights[1]}, {"high", d.infectiousness_weights[2]}}},
            {"days_since_onset_to_infectiousness", onset},
            {"infectiousness_when_days_since_onset_missing",
             InfectiousnessName(c.window.infectiousness_when_missing)},
            {"report_type_when_missing", ReportTypeName(c.window.report_type_when_missing)},
            {"days_since_exposure_threshold", d.days_since_exposure_threshold},
            {"minimum_window_score", d.minimum_window_score},
            {"allow_recursive", c.allow_recursive},
            {"notify_threshold", notify},
            {"calibration", {{"rssi_correction_db", c.window.rssi_correction_db}}}};
}

void RegisterConfigCommands(CLI::App& app, CliEnv& env) {
    CLI::App& config = *app.add_subcommand(
        "config", "Check the configuration file or show the effective configuration");
    config.require_subcommand(1);
    CLI::App* check = config.add_subcommand(
        "check", "List every problem of the configuration file (exit 2) or say it is ok (exit 0)");
    check->callback([&env] { RunCheck(env); });
    auto json = std::make_shared<bool>(false);
    CLI::App* show = config.add_subcommand(
        "show", "Print every key's effective value and its origin (default, preset or file)");
    show->add_flag("--json", *json, "JSON output");
    show->callback([json, &env] { RunShow(*json, env); });
    auto out = std::make_shared<std::string>();
    CLI::App* man = config.add_subcommand("man", "Print jejak.toml(5) in roff (for the build)");
    man->group("");
    man->add_option("--out", *out, "File to write instead of standard output");
    man->callback([out, &env] { RunMan(*out, env); });
}

}  // namespace jejak
