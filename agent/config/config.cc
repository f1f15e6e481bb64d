// Reading the configuration file: TOML (the default) or JSON with the same keys.
#include "agent/config/config.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

namespace jejak {
namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

nlohmann::json TomlToJson(const toml::node& node) {
    if (const auto* table = node.as_table()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [key, value] : *table) out[std::string(key.str())] = TomlToJson(value);
        return out;
    }
    if (const auto* array = node.as_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& value : *array) out.push_back(TomlToJson(value));
        return out;
    }
    if (const auto* v = node.as_string()) return v->get();
    if (const auto* v = node.as_integer()) return v->get();
    if (const auto* v = node.as_floating_point()) return v->get();
    if (const auto* v = node.as_boolean()) return v->get();
    std::ostringstream text;  // dates and times: their TOML spelling
    node.visit([&](const auto& n) { text << n; });
    return text.str();
}

// "line L, column C" of byte offset `pos` in `text` (1-based).
std::string Position(const std::string& text, size_t pos) {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < pos && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return std::to_string(line) + ":" + std::to_string(column);
}

Result<nlohmann::json> ParseDocument(const std::string& path, const std::string& text) {
    if (EndsWith(path, ".json")) {
        try {
            nlohmann::json doc = nlohmann::json::parse(text);
            if (!doc.is_object()) {
                return Status::InvalidArgument("config " + path + ": not a JSON object");
            }
            return doc;
        } catch (const nlohmann::json::parse_error& e) {
            const size_t at = e.byte > 0 ? e.byte - 1 : 0;
            return Status::InvalidArgument("config " + path + ":" + Position(text, at) +
                                           ": malformed JSON");
        }
    }
    try {
        const toml::table table = toml::parse(text, path);
        return TomlToJson(table);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        return Status::InvalidArgument("config " + path + ":" + std::to_string(where.line) + ":" +
                                       std::to_string(where.column) + ": " +
                                       std::string(e.description()));
    }
}

}  // namespace

Result<nlohmann::json> LoadConfigDocument(const ConfigSource& env) {
    std::string path = env.config_path;
    std::ifstream in(path);
    if (!in && errno == ENOENT && !env.config_path_given) {
        path = LegacyConfigPath();  // installs from before the TOML file
        in.open(path);
        if (!in && errno == ENOENT) return nlohmann::json::object();
    }
    if (!in && errno == ENOENT && env.config_path_given) {
        // A file named on the command line that is not there is a bad argument (exit 2).
        return Status::InvalidArgument("config " + path + ": no such file");
    }
    if (!in) return Status::FromErrno(errno, "cannot read config " + path);
    std::stringstream text;
    text << in.rdbuf();
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json doc, ParseDocument(path, text.str()));
    // A misspelt section would otherwise be ignored whole, silently: every key in it lost.
    for (const auto& [name, value] : doc.items()) {
        if (std::find(std::begin(kConfigSections), std::end(kConfigSections), name) ==
            std::end(kConfigSections)) {
            std::string known;
            for (const char* k : kConfigSections) known += std::string(known.empty() ? "" : ", ") + k;
            return Status::InvalidArgument("config " + path + ": unknown section \"" + name +
                                           "\" (known: " + known + ")");
        }
    }
    return doc;
}

Result<nlohmann::json> LoadConfigSection(const ConfigSource& env, std::string_view section) {
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json doc, LoadConfigDocument(env));
    auto it = doc.find(std::string(section));
    if (it == doc.end()) return nlohmann::json::object();
    if (!it->is_object()) {
        return Status::InvalidArgument("config " + env.config_path + ": section \"" +
                                       std::string(section) + "\" is not a table");
    }
    return *it;
}

Result<std::string> ConfiguredRadioSpec(const ConfigSource& source, const std::string& flag,
                                        std::string_view command) {
    if (!flag.empty()) return flag;
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json section, LoadConfigSection(source, "radio"));
    if (auto it = section.find("spec"); it != section.end() && it->is_string()) {
        return it->get<std::string>();
    }
    return Status::InvalidArgument(std::string(command) +
                                   ": no radio given (--radio SPEC or radio.spec in the config)");
}

}  // namespace jejak
