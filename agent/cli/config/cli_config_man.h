// jejak.toml(5), written from the configuration schema (agent/config/config_keys.cc) so the
// manual lists exactly the keys, types, ranges, defaults and profile values the binary uses.
#pragma once

#include <ostream>

namespace jejak {

// The whole page in roff (man(7) macros).
void WriteConfigManPage(std::ostream& out);

}  // namespace jejak
