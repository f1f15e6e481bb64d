#include "agent/config/daemon_config.h"

#include "agent/config/config_schema.h"

namespace jejak {

Result<DaemonConfig> ParseDaemonConfig(const nlohmann::json& section) {
    DaemonConfig config;
    JEJAK_RETURN_IF_ERROR(CheckConfigSection("daemon", section));
    config.user = section.value("user", std::string());
    return config;
}

Result<DaemonConfig> LoadDaemonConfig(const ProgramFiles& source) {
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json section, LoadConfigSection(source, "daemon"));
    return ParseDaemonConfig(section);
}

}  // namespace jejak
