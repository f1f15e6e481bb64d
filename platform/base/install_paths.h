// Where an installation keeps the suite's configuration: the configuration directory of the
// install prefix the build was configured with (GNUInstallDirs: /etc for the packages' /usr,
// /usr/local/etc for CMake's default prefix), where cmake/install.cmake puts the example
// file. In jejak_base so that every program of the suite (jejak, jejak-authority) links it.
#pragma once

#include <string>

namespace jejak {

// <etc>/jejak/jejak.toml: the default --config (also declared in agent/config/config.h).
std::string DefaultConfigPath();
// <etc>/jejak/config.json: read when the default file is absent (older installs).
std::string LegacyConfigPath();

}  // namespace jejak
