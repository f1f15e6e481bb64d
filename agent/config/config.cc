// Reading the JSON configuration file.
#include "agent/config/config.h"

#include <cerrno>
#include <fstream>
#include <sstream>

namespace jejak {

Result<nlohmann::json> LoadConfigSection(const CliEnv& env, std::string_view section) {
    std::ifstream in(env.config_path);
    if (!in) {
        if (errno == ENOENT && !env.config_path_given) return nlohmann::json::object();
        return Status::FromErrno(errno, "cannot read config " + env.config_path);
    }
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
        return Status::InvalidArgument("config " + env.config_path + ": not a JSON object");
    }
    auto it = doc.find(std::string(section));
    if (it == doc.end()) return nlohmann::json::object();
    if (!it->is_object()) {
        return Status::InvalidArgument("config " + env.config_path + ": section \"" +
                                       std::string(section) + "\" is not an object");
    }
    return *it;
}

}  // namespace jejak
