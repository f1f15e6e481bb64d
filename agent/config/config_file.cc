// Reading the configuration file: TOML (the default) or JSON with the same keys, checked
// against the schema.
#include "agent/config/config_file.h"

#include <cerrno>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "agent/config/config_schema.h"

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

std::string LineColumn(const toml::source_region& region) {
    return std::to_string(region.begin.line) + ":" + std::to_string(region.begin.column);
}

// Where each section and key of a TOML document starts, for the schema's messages.
ConfigPositions TomlPositions(const toml::table& document) {
    ConfigPositions where;
    for (const auto& [name, section] : document) {
        where[std::string(name.str())] = LineColumn(name.source());
        const auto* table = section.as_table();
        if (table == nullptr) continue;
        for (const auto& [key, value] : *table) {
            where[std::string(name.str()) + "." + std::string(key.str())] = LineColumn(key.source());
        }
    }
    return where;
}

Result<nlohmann::json> ParseDocument(const std::string& path, const std::string& text,
                                     ConfigPositions& positions) {
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
        positions = TomlPositions(table);
        return TomlToJson(table);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        return Status::InvalidArgument("config " + path + ":" + std::to_string(where.line) + ":" +
                                       std::to_string(where.column) + ": " +
                                       std::string(e.description()));
    }
}

}  // namespace

Result<ConfigFile> ReadConfigFile(const ProgramFiles& env) {
    ConfigFile file{env.config_path, nlohmann::json::object(), {}};
    std::ifstream in(file.path);
    if (!in && errno == ENOENT && !env.config_path_given) {
        file.path = LegacyConfigPath();  // installs from before the TOML file
        in.open(file.path);
        if (!in && errno == ENOENT) return file;
    }
    if (!in && errno == ENOENT && env.config_path_given) {
        // A file named on the command line that is not there is a bad argument (exit 2).
        return Status::InvalidArgument("config " + file.path + ": no such file");
    }
    if (!in) return Status::FromErrno(errno, "cannot read config " + file.path);
    std::stringstream text;
    text << in.rdbuf();
    ConfigPositions where;
    JEJAK_ASSIGN_OR_RETURN(file.doc, ParseDocument(file.path, text.str(), where));
    // A misspelt section or key would otherwise be ignored, silently.
    file.problems = CheckConfigDocument(file.doc, file.path, where);
    return file;
}

nlohmann::json ConfigDefaultValue(const ConfigKey& key) {
    if (key.fallback.empty()) return nullptr;
    try {
        const toml::table table = toml::parse("v = " + std::string(key.fallback));
        return TomlToJson(*table.get("v"));
    } catch (const toml::parse_error&) {
        return nullptr;  // a malformed row: config_schema_test.cc fails on it
    }
}

}  // namespace jejak
