// Reading the JSON configuration file.
#include "agent/config/config.h"

#include <cerrno>
#include <fstream>
#include <sstream>

namespace jejak {

Result<nlohmann::json> LoadConfigSection(const ConfigSource& env, std::string_view section) {
    std::ifstream in(env.config_path);
    if (!in) {
        if (errno == ENOENT) {
            if (!env.config_path_given) return nlohmann::json::object();
            // A file named on the command line that is not there is a bad argument (exit 2).
            return Status::InvalidArgument("config " + env.config_path + ": no such file");
        }
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

Result<std::string> ConfiguredRadioSpec(const ConfigSource& source, const std::string& flag,
                                        std::string_view command) {
    if (!flag.empty()) return flag;
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json section, LoadConfigSection(source, "radio"));
    if (auto it = section.find("spec"); it != section.end() && it->is_string()) {
        return it->get<std::string>();
    }
    return Status::InvalidArgument(std::string(command) +
                                   ": no radio given (--radio SPEC or \"radio\": {\"spec\": ...})");
}

}  // namespace jejak
