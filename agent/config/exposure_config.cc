#include "agent/config/exposure_config.h"

#include <string>

#include "agent/config/config_schema.h"

namespace jejak {

Result<ExposureConfig> ParseExposureConfig(const nlohmann::json& section) {
    JEJAK_RETURN_IF_ERROR(CheckConfigSection("exposure", section));
    ExposureConfig config;
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

Result<ExposureConfig> LoadExposureConfig(const ProgramFiles& source) {
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json section, LoadConfigSection(source, "exposure"));
    return ParseExposureConfig(section);
}

}  // namespace jejak
