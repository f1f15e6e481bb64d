// Loading the configuration document and its sections.
#include "agent/config/config.h"

#include "agent/config/config_file.h"

namespace jejak {

Result<nlohmann::json> LoadConfigDocument(const ProgramFiles& env) {
    JEJAK_ASSIGN_OR_RETURN(ConfigFile file, ReadConfigFile(env));
    if (file.problems.empty()) return std::move(file.doc);
    std::string message = file.problems.front();
    if (file.problems.size() > 1) {
        message += " (and " + std::to_string(file.problems.size() - 1) +
                   " more: see `jejak config check`)";
    }
    return Status::InvalidArgument(message);
}

Result<nlohmann::json> LoadConfigSection(const ProgramFiles& env, std::string_view section) {
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json doc, LoadConfigDocument(env));
    auto it = doc.find(std::string(section));
    if (it == doc.end()) return nlohmann::json::object();
    if (!it->is_object()) {
        return Status::InvalidArgument("config " + env.config_path + ": section \"" +
                                       std::string(section) + "\" is not a table");
    }
    return *it;
}

Result<std::string> ConfiguredRadioSpec(const ProgramFiles& source, const std::string& flag,
                                        std::string_view command) {
    if (!flag.empty()) return flag;
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json section, LoadConfigSection(source, "radio"));
    if (auto it = section.find("spec"); it != section.end() && it->is_string()) {
        return it->get<std::string>();
    }
    return Status::InvalidArgument(std::string(command) +
                                   ": no radio given (--radio SPEC or radio.spec in the config)");
}

}  // namespace jejak
