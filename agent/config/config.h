// Configuration: one JSON file (default /etc/jejak/config.json, `--config FILE`) with one
// top-level object per subsystem, e.g.
//   { "store": {...}, "radio": {...}, "diagnosis": {...}, "risk": {...} }
// Each subsystem parses and validates its own section in its own file; this file only finds
// and reads the document. Unknown sections are ignored; a malformed file is an error.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/cli/cli.h"
#include "platform/base/status.h"

namespace jejak {

// The section as a JSON object: an empty object when the file or the section is absent
// (only allowed for the default path); InvalidArgument naming the file for unreadable or
// malformed JSON, or a section that is not an object.
Result<nlohmann::json> LoadConfigSection(const CliEnv& env, std::string_view section);

}  // namespace jejak
