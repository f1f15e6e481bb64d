// Configuration: one TOML file (default <etc>/jejak/jejak.toml, /etc/jejak/jejak.toml in the
// packages, see DefaultConfigPath; `--config FILE`; the commented
// example is config/jejak.toml) with one table per subsystem:
//   [store] ...  [radio] ...  [clock] ...  [diagnosis] ...  [risk] ...  [notify] ...
// A file whose name ends in ".json" is read as JSON with the same keys (one object per
// section), so existing configurations keep working; without --config and without
// <etc>/jejak/jejak.toml, <etc>/jejak/config.json is read when present. The whole document is
// checked against the one schema (config_keys.cc: unknown sections and keys, types, ranges)
// when it is read; each subsystem then reads its own section. Errors name the file, line and
// column.
// Callers describe where the files are with a plain ConfigSource (no CLI types here).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "platform/base/status.h"
#include "platform/cli/program_files.h"

namespace jejak {

// <etc>/jejak/jejak.toml, where <etc> is the configuration directory of the install prefix
// the build was configured with (/etc for the packages' /usr, /usr/local/etc for CMake's
// default prefix): where `cmake --install` and the packages put the example file.
std::string DefaultConfigPath();

// The device's files: /var/lib/jejak and DefaultConfigPath() unless --state-dir and --config
// say otherwise (every function below takes the plain ProgramFiles).
struct ConfigSource : ProgramFiles {
    ConfigSource() {
        state_dir = "/var/lib/jejak";
        config_path = DefaultConfigPath();
    }
};

// Where configurations lived before the TOML file; read when the default file is absent
// (<etc>/jejak/config.json).
std::string LegacyConfigPath();

// The whole document (TOML converted to the JSON model, or JSON); an empty object when no
// file exists at the default paths.
Result<nlohmann::json> LoadConfigDocument(const ProgramFiles& source);

// Every section a configuration may hold; any other top-level name is an error.
inline constexpr const char* kConfigSections[] = {"radio",  "clock",  "store",  "diagnosis",
                                                  "risk",   "notify", "upload", "daemon",
                                                  "authority", "exposure"};

// The section as a JSON object: an empty object when the file or the section is absent
// (only allowed for the default path); InvalidArgument naming the file (and for a parse error
// its line and column) for a malformed file or a section that is not a table.
Result<nlohmann::json> LoadConfigSection(const ProgramFiles& source, std::string_view section);

// The radio to use: `flag` when given (a command's --radio), else the config's
// "radio": {"spec": ...}. InvalidArgument naming `command` when neither is set.
Result<std::string> ConfiguredRadioSpec(const ProgramFiles& source, const std::string& flag,
                                        std::string_view command);

}  // namespace jejak
