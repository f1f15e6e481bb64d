// Configuration: one JSON file (default /etc/jejak/config.json, `--config FILE`) with one
// top-level object per subsystem, e.g.
//   { "store": {...}, "radio": {...}, "diagnosis": {...}, "risk": {...} }
// Each subsystem parses and validates its own section in its own file; this file only finds
// and reads the document. Unknown sections are ignored; a malformed file is an error.
// Callers describe where the files are with a plain ConfigSource (no CLI types here).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "platform/base/status.h"

namespace jejak {

// Where a command's state and configuration live.
struct ConfigSource {
    // Where the encrypted store and key files live (--state-dir, default /var/lib/jejak).
    std::string state_dir = "/var/lib/jejak";
    // JSON configuration file (--config, default /etc/jejak/config.json). A missing file at
    // the default path means built-in defaults.
    std::string config_path = "/etc/jejak/config.json";
    bool config_path_given = false;
};

// The section as a JSON object: an empty object when the file or the section is absent
// (only allowed for the default path); InvalidArgument naming the file for unreadable or
// malformed JSON, or a section that is not an object.
Result<nlohmann::json> LoadConfigSection(const ConfigSource& source, std::string_view section);

// The radio to use: `flag` when given (a command's --radio), else the config's
// "radio": {"spec": ...}. InvalidArgument naming `command` when neither is set.
Result<std::string> ConfiguredRadioSpec(const ConfigSource& source, const std::string& flag,
                                        std::string_view command);

}  // namespace jejak
