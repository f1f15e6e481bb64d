// Where a program's state and configuration live: its --state-dir and --config. Plain
// values with no defaults; each program names its own (agent/config's ConfigSource for the
// device, the authority's CliProgram for the server).
#pragma once

#include <string>

namespace jejak {

struct ProgramFiles {
    std::string state_dir;    // where the program keeps its files (--state-dir)
    std::string config_path;  // its configuration file (--config)
    // Whether --config was given: a missing file at the program's default path means
    // built-in defaults; a missing file that was named is an error.
    bool config_path_given = false;
};

}  // namespace jejak
