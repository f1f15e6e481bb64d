// A configuration file as read and checked against the schema (config_schema.h): the
// document and every problem, so `jejak config check` can list them all while
// LoadConfigDocument (config.h) refuses a file with any.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/config/config.h"
#include "agent/config/config_keys.h"

namespace jejak {

// The document (TOML converted to the JSON model, or JSON; an empty object when no file
// exists at the default paths) and every way it does not fit the schema, each one line
// "config PATH[:LINE:COLUMN]: WHAT".
struct ConfigFile {
    std::string path;  // the file read, or the last path looked for
    nlohmann::json doc;
    std::vector<std::string> problems;
};
// InvalidArgument for a missing --config file or a malformed one (naming file, line and
// column); IOError for an unreadable one.
Result<ConfigFile> ReadConfigFile(const ProgramFiles& source);

// The schema's default of `key` (its TOML text read as a value); null when it has none.
nlohmann::json ConfigDefaultValue(const ConfigKey& key);

}  // namespace jejak
