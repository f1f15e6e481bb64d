#include "agent/config/daemon_config.h"

namespace jejak {

Result<DaemonConfig> ParseDaemonConfig(const nlohmann::json& section) {
    DaemonConfig config;
    for (const auto& [key, value] : section.items()) {
        if (key != "user") return Status::InvalidArgument("daemon." + key + ": unknown key");
    }
    if (auto it = section.find("user"); it != section.end()) {
        if (!it->is_string() || it->get<std::string>().empty()) {
            return Status::InvalidArgument("daemon.user: a user name");
        }
        config.user = it->get<std::string>();
    }
    return config;
}

Result<DaemonConfig> LoadDaemonConfig(const ConfigSource& source) {
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json section, LoadConfigSection(source, "daemon"));
    return ParseDaemonConfig(section);
}

}  // namespace jejak
