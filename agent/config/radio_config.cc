// Parsing the "radio" and "clock" configuration sections.
#include "agent/config/radio_config.h"

#include "agent/config/config_schema.h"

namespace jejak {
namespace {

Status Bad(const std::string& key, const std::string& why) {
    return Status::InvalidArgument("config " + key + ": " + why);
}

// The key's whole number, already checked against the schema's range.
template <typename T>
void GetInt(const nlohmann::json& section, const char* key, T& value) {
    if (auto it = section.find(key); it != section.end()) value = it->get<T>();
}

// The profile's values from the schema table (config_keys.cc).
void ApplyProfile(const std::string& profile, RadioConfig& c) {
    auto value = [&](const char* key) {
        return *ConfigProfileValue(*FindConfigKey("radio", key), profile);
    };
    c.scan_window_ms = static_cast<uint32_t>(value("scan_window_ms"));
    c.scan_interval_ms = static_cast<uint32_t>(value("scan_interval_ms"));
    c.advertising_interval_ms = static_cast<uint32_t>(value("advertising_interval_ms"));
    c.summary_interval_s = static_cast<int>(value("summary_interval_s"));
    c.profile = profile;
}

}  // namespace

Result<RadioConfig> ParseRadioConfig(const nlohmann::json& radio, const nlohmann::json& clock) {
    JEJAK_RETURN_IF_ERROR(CheckConfigSection("radio", radio));
    JEJAK_RETURN_IF_ERROR(CheckConfigSection("clock", clock));
    RadioConfig c;
    if (auto it = radio.find("spec"); it != radio.end()) c.spec = it->get<std::string>();
    ApplyProfile(radio.value("profile", std::string("field")), c);
    GetInt(radio, "scan_interval_ms", c.scan_interval_ms);
    GetInt(radio, "scan_window_ms", c.scan_window_ms);
    GetInt(radio, "advertising_interval_ms", c.advertising_interval_ms);
    GetInt(radio, "tx_power_dbm", c.tx_power_dbm);
    GetInt(radio, "calibrated_tx_power_dbm", c.calibrated_tx_power_dbm);
    GetInt(radio, "aggregate_window_s", c.aggregate_window_s);
    GetInt(radio, "summary_interval_s", c.summary_interval_s);
    GetInt(clock, "not_before", c.not_before_unix_s);
    GetInt(clock, "max_forward_step_s", c.max_forward_step_s);
    GetInt(clock, "confirm_after_s", c.confirm_after_s);
    GetInt(clock, "warn_unsynchronised_after_s", c.warn_unsynchronised_after_s);
    c.allow_shared_advertising = radio.value("allow_shared_advertising", false);
    c.require_ntp_sync = clock.value("require_ntp_sync", false);
    if (c.scan_window_ms > c.scan_interval_ms) {
        return Bad("radio.scan_window_ms", std::to_string(c.scan_window_ms) +
                                               " is more than scan_interval_ms (" +
                                               std::to_string(c.scan_interval_ms) + ")");
    }
    return c;
}

Result<RadioConfig> LoadRadioConfig(const ProgramFiles& source) {
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json radio, LoadConfigSection(source, "radio"));
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json clock, LoadConfigSection(source, "clock"));
    return ParseRadioConfig(radio, clock);
}

}  // namespace jejak
