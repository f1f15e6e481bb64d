#include "agent/config/exposure_config.h"

#include <string>

namespace jejak {

Result<ExposureConfig> ParseExposureConfig(const nlohmann::json& section) {
    ExposureConfig config;
    for (const auto& [key, value] : section.items()) {
        if (key != "max_time_skew_minutes") {
            return Status::InvalidArgument("exposure." + key + ": unknown key");
        }
    }
    if (auto it = section.find("max_time_skew_minutes"); it != section.end()) {
        if (!it->is_number_integer() || *it < 0 || *it > kMaxTimeSkewMinutesLimit) {
            return Status::InvalidArgument(
                "exposure.max_time_skew_minutes: integer 0.." +
                std::to_string(kMaxTimeSkewMinutesLimit) + " (the GAEN spec's +-2 h is the most)");
        }
        config.max_time_skew_minutes = it->get<int>();
    }
    return config;
}

Result<ExposureConfig> LoadExposureConfig(const ConfigSource& source) {
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json section, LoadConfigSection(source, "exposure"));
    return ParseExposureConfig(section);
}

}  // namespace jejak
