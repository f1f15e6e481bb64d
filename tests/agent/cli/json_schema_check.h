// A small JSON Schema subset for CLI output contracts: "type" (a name or a list of names,
// "integer" distinct from "number"), "required", "properties", "additionalProperties": false,
// "items", "minimum" and "pattern" (std::regex ECMAScript). Returns the first violation with
// its JSON pointer, or an empty string when the document conforms.
#pragma once

#include <regex>
#include <string>

#include <nlohmann/json.hpp>

namespace jejak::testing {

inline bool JsonHasType(const nlohmann::json& v, const std::string& type) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    if (type == "boolean") return v.is_boolean();
    if (type == "null") return v.is_null();
    return false;
}

inline std::string SchemaViolation(const nlohmann::json& v, const nlohmann::json& schema,
                                   const std::string& at = "") {
    if (schema.contains("type")) {
        const auto& t = schema["type"];
        bool any = false;
        if (t.is_array()) {
            for (const auto& name : t) any = any || JsonHasType(v, name.get<std::string>());
        } else {
            any = JsonHasType(v, t.get<std::string>());
        }
        if (!any) return at + ": not of type " + t.dump();
    }
    if (schema.contains("minimum") && v.is_number() &&
        v.get<double>() < schema["minimum"].get<double>()) {
        return at + ": below the minimum";
    }
    if (schema.contains("pattern") && v.is_string() &&
        !std::regex_search(v.get<std::string>(),
                           std::regex(schema["pattern"].get<std::string>()))) {
        return at + ": '" + v.get<std::string>() + "' does not match " + schema["pattern"].dump();
    }
    if (v.is_object()) {
        for (const auto& name : schema.value("required", nlohmann::json::array())) {
            if (!v.contains(name.get<std::string>())) return at + ": missing " + name.dump();
        }
        const auto props = schema.value("properties", nlohmann::json::object());
        for (const auto& [key, value] : v.items()) {
            if (props.contains(key)) {
                std::string e = SchemaViolation(value, props[key], at + "/" + key);
                if (!e.empty()) return e;
            } else if (schema.contains("additionalProperties") &&
                       schema["additionalProperties"] == false) {
                return at + ": unexpected property " + key;
            }
        }
    }
    if (v.is_array() && schema.contains("items")) {
        for (size_t i = 0; i < v.size(); ++i) {
            std::string e = SchemaViolation(v[i], schema["items"], at + "/" + std::to_string(i));
            if (!e.empty()) return e;
        }
    }
    return "";
}

}  // namespace jejak::testing
