// The configuration schema's table: every section and key of jejak.toml with its type, range,
// default, profile values and a one-line doc. It is the single source for validating a
// configuration file (config_schema.h), for `jejak config show`, for jejak.toml(5) and for the
// test that holds config/jejak.toml to it. Adding a key is one row in config_keys.cc.
#pragma once

#include <limits>
#include <span>
#include <string_view>

namespace jejak {

enum class ConfigType {
    kString,      // a non-empty string
    kBool,        // true or false
    kInt,         // a whole number in [min, max]
    kNumber,      // any number in [min, max]
    kChoice,      // one of `choices` ("a|b|c")
    kStringList,  // a non-empty array of strings
    kTable,       // an inline table, checked by its subsystem
    kList,        // an array (of numbers or tables), checked by its subsystem
    kStringOrList,  // a string or an array, checked by its subsystem
};

inline constexpr double kNoLimit = std::numeric_limits<double>::infinity();

struct ConfigKey {
    std::string_view section;
    std::string_view key;
    ConfigType type;
    double min = -kNoLimit;  // kInt, kNumber: inclusive range
    double max = kNoLimit;
    // The built-in default as TOML text ("" when unset: the key has no value of its own).
    std::string_view fallback = "";
    std::string_view choices = "";  // kChoice
    // radio.profile's values, "wearable=60 venue=100 field=100" ("" when no profile sets it).
    std::string_view profiles = "";
    // kTable, kList of tables: the keys their tables may hold ("a|b"); "" when the subsystem
    // checks them (names of report types, for instance).
    std::string_view subkeys = "";
    std::string_view doc = "";
    bool secret = false;  // never printed (`config show` says whether it is set)
};

struct ConfigSection {
    std::string_view name;
    std::string_view doc;
};

// Every section a configuration may hold, in the order of the example file.
std::span<const ConfigSection> ConfigSections();
// Every key, grouped by section in the order of ConfigSections().
std::span<const ConfigKey> ConfigKeys();

}  // namespace jejak
