// The "daemon" section: what `jejak run` is as a process. Every key is optional:
//   daemon.user   a user name: when started as root, the daemon opens the radio (which may
//                 need capabilities), makes the state dir the user's, becomes that user for
//                 good, then opens the store and goes on air. Unset: no drop
//                 (under systemd the unit's User= already is that user); a root daemon then
//                 warns in its log.
// Unknown keys are errors.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "agent/config/config.h"

namespace jejak {

struct DaemonConfig {
    std::string user;
};

Result<DaemonConfig> ParseDaemonConfig(const nlohmann::json& section);
Result<DaemonConfig> LoadDaemonConfig(const ProgramFiles& source);

}  // namespace jejak
