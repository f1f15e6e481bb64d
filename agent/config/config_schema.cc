// Checking a configuration document against the schema table.
#include "agent/config/config_schema.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace jejak {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string Number(double v) {
    std::ostringstream out;
    out.precision(15);
    out << v;
    return out.str();
}

std::vector<std::string_view> Split(std::string_view list) {
    std::vector<std::string_view> names;
    for (size_t at = 0; at <= list.size();) {
        const size_t bar = std::min(list.find('|', at), list.size());
        names.push_back(list.substr(at, bar - at));
        at = bar + 1;
    }
    return names;
}

// The first key of `table` that the row does not allow, as ".KEY: unknown key (...)", or "".
std::string SubkeyProblem(const ConfigKey& key, const nlohmann::json& table) {
    if (key.subkeys.empty() || !table.is_object()) return "";
    const std::vector<std::string_view> known = Split(key.subkeys);
    for (const auto& [name, value] : table.items()) {
        if (std::find(known.begin(), known.end(), name) != known.end()) continue;
        const std::string near = NearestName(name, known);
        return "." + name + ": unknown key" + (near.empty() ? "" : " (did you mean " + near + "?)");
    }
    return "";
}

// What is wrong with `value` for `key`, or "".
std::string ValueProblem(const ConfigKey& key, const nlohmann::json& value) {
    const std::string range = ConfigRangeText(key);
    switch (key.type) {
        case ConfigType::kString:
            return value.is_string() && !value.get<std::string>().empty() ? ""
                                                                           : "must be a non-empty string";
        case ConfigType::kBool:
            return value.is_boolean() ? "" : "must be true or false";
        case ConfigType::kInt:
        case ConfigType::kNumber: {
            const bool whole = key.type == ConfigType::kInt;
            if (whole ? !value.is_number_integer() : !value.is_number()) {
                return whole ? "must be a whole number " + range : "must be a number " + range;
            }
            const double v = value.get<double>();
            if (v < key.min || v > key.max) return Number(v) + " is outside " + range;
            return "";
        }
        case ConfigType::kChoice: {
            if (!value.is_string()) return "must be one of " + range;
            const std::string v = value.get<std::string>();
            const std::vector<std::string_view> choices = Split(key.choices);
            if (std::find(choices.begin(), choices.end(), v) != choices.end()) return "";
            const std::string near = NearestName(v, choices);
            return "\"" + v + "\" is not one of " + range +
                   (near.empty() ? "" : " (did you mean \"" + near + "\"?)");
        }
        case ConfigType::kStringList:
            if (!value.is_array() || value.empty()) return "must be a non-empty array of strings";
            for (const auto& item : value) {
                if (!item.is_string()) return "must be a non-empty array of strings";
            }
            return "";
        case ConfigType::kTable:
            return value.is_object() ? SubkeyProblem(key, value)
                                     : "must be a table ({ key = value, ... })";
        case ConfigType::kList:
            if (!value.is_array()) return "must be an array ([...])";
            for (const auto& item : value) {
                if (std::string p = SubkeyProblem(key, item); !p.empty()) return p;
            }
            return "";
        case ConfigType::kStringOrList:
            return value.is_string() || value.is_array() ? "" : "must be a string or an array";
    }
    return "";
}

std::vector<std::string_view> KeysOf(std::string_view section) {
    std::vector<std::string_view> names;
    for (const ConfigKey& k : ConfigKeys()) {
        if (k.section == section) names.push_back(k.key);
    }
    return names;
}

// The problem of section.key = value without its place, or "".
std::string KeyProblem(std::string_view section, const std::string& key,
                       const nlohmann::json& value) {
    const std::string name = std::string(section) + "." + key;
    const ConfigKey* row = FindConfigKey(section, key);
    if (row != nullptr) {
        const std::string problem = ValueProblem(*row, value);
        if (problem.empty()) return "";
        return name + (problem[0] == '.' ? "" : ": ") + problem;
    }
    const std::string near = NearestName(key, KeysOf(section));
    return name + ": unknown key" + (near.empty() ? "" : " (did you mean " + near + "?)");
}

std::string Where(const std::string& path, const ConfigPositions& where, const std::string& name) {
    auto it = where.find(name);
    return "config " + path + (it == where.end() ? "" : ":" + it->second) + ": ";
}

}  // namespace

const ConfigKey* FindConfigKey(std::string_view section, std::string_view key) {
    for (const ConfigKey& k : ConfigKeys()) {
        if (k.section == section && k.key == key) return &k;
    }
    return nullptr;
}

bool IsConfigSection(std::string_view section) {
    for (const ConfigSection& s : ConfigSections()) {
        if (s.name == section) return true;
    }
    return false;
}

std::string NearestName(std::string_view wrong, const std::vector<std::string_view>& candidates) {
    std::string best;
    size_t best_distance = std::max<size_t>(2, wrong.size() / 3) + 1;
    for (std::string_view c : candidates) {
        const size_t d = EditDistance(wrong, c);
        if (d < best_distance) best = std::string(c), best_distance = d;
    }
    return best;
}

std::vector<std::string> CheckConfigDocument(const nlohmann::json& doc, const std::string& path,
                                             const ConfigPositions& where) {
    std::vector<std::string> problems;
    std::vector<std::string_view> sections;
    for (const ConfigSection& s : ConfigSections()) sections.push_back(s.name);
    for (const auto& [name, values] : doc.items()) {
        if (!IsConfigSection(name)) {
            const std::string near = NearestName(name, sections);
            problems.push_back(Where(path, where, name) + "unknown section \"" + name + "\"" +
                               (near.empty() ? "" : " (did you mean [" + near + "]?)"));
            continue;
        }
        if (!values.is_object()) {
            problems.push_back(Where(path, where, name) + "section \"" + name + "\" is not a table");
            continue;
        }
        for (const auto& [key, value] : values.items()) {
            const std::string problem = KeyProblem(name, key, value);
            if (!problem.empty()) problems.push_back(Where(path, where, name + "." + key) + problem);
        }
    }
    return problems;
}

Status CheckConfigSection(std::string_view section, const nlohmann::json& values) {
    if (!values.is_object()) {
        return Status::InvalidArgument("config " + std::string(section) + ": not a table");
    }
    for (const auto& [key, value] : values.items()) {
        const std::string problem = KeyProblem(section, key, value);
        if (!problem.empty()) return Status::InvalidArgument("config " + problem);
    }
    return Status::Ok();
}

std::string ConfigRangeText(const ConfigKey& key) {
    switch (key.type) {
        case ConfigType::kInt:
        case ConfigType::kNumber:
            return (std::isinf(key.min) ? "" : Number(key.min)) + ".." +
                   (std::isinf(key.max) ? "" : Number(key.max));
        case ConfigType::kChoice:
            return std::string(key.choices);
        case ConfigType::kBool:
            return "true|false";
        default:
            return "";
    }
}

std::optional<int64_t> ConfigProfileValue(const ConfigKey& key, std::string_view profile) {
    const std::string prefix = std::string(profile) + "=";
    std::istringstream words{std::string(key.profiles)};
    for (std::string word; words >> word;) {
        if (word.rfind(prefix, 0) == 0) return std::stoll(word.substr(prefix.size()));
    }
    return std::nullopt;
}

}  // namespace jejak
