// Checking a configuration document against the schema (config_keys.h): unknown sections and
// keys (with a "did you mean" suggestion by edit distance), types, ranges and choices. Every
// command reads its configuration through LoadConfigDocument, which applies this check, so a
// typo is an error for every command, not only for the one whose section holds it.
// Cross-key rules (scan_window_ms <= scan_interval_ms, https URLs, passphrase sources) stay
// with the subsystem that reads the section.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/config/config_keys.h"
#include "platform/base/status.h"

namespace jejak {

// Where each section ("radio") and key ("radio.profile") starts in the file, as "LINE:COLUMN"
// (TOML files; JSON files have none).
using ConfigPositions = std::map<std::string, std::string>;

// The row for section.key, or null.
const ConfigKey* FindConfigKey(std::string_view section, std::string_view key);
bool IsConfigSection(std::string_view section);

// The candidate nearest to `wrong` by edit distance when it is close enough to be a typo
// (at most 2 edits, or a third of the name), else "".
std::string NearestName(std::string_view wrong, const std::vector<std::string_view>& candidates);

// Every problem of the document, each one line "config PATH[:LINE:COLUMN]: WHAT"; empty when
// it fits the schema.
std::vector<std::string> CheckConfigDocument(const nlohmann::json& doc, const std::string& path,
                                             const ConfigPositions& where);

// The first problem of one section's values (for parsers handed a section directly), as
// InvalidArgument "config SECTION.KEY: WHAT".
Status CheckConfigSection(std::string_view section, const nlohmann::json& values);

// The allowed values in words: "3..64", "1048576..", "wearable|venue|field", "true|false",
// "" when the type says it all.
std::string ConfigRangeText(const ConfigKey& key);
// The value radio.profile `profile` gives the key, if it gives one.
std::optional<int64_t> ConfigProfileValue(const ConfigKey& key, std::string_view profile);

}  // namespace jejak
