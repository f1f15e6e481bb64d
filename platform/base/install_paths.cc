// The configured configuration directory (a compile definition of this file only).
#include "platform/base/install_paths.h"

namespace jejak {

std::string DefaultConfigPath() { return std::string(JEJAK_SYSCONFDIR) + "/jejak/jejak.toml"; }

std::string LegacyConfigPath() { return std::string(JEJAK_SYSCONFDIR) + "/jejak/config.json"; }

}  // namespace jejak
