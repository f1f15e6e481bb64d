// Parsing the "radio" and "clock" configuration sections.
#include "agent/config/radio_config.h"

#include <algorithm>
#include <set>

namespace jejak {
namespace {

Status Bad(const std::string& key, const std::string& why) {
    return Status::InvalidArgument("config " + key + ": " + why);
}

Status CheckKeys(const nlohmann::json& section, const std::string& name,
                 const std::set<std::string>& known) {
    for (const auto& [key, value] : section.items()) {
        if (known.count(key) == 0) return Bad(name + "." + key, "unknown key");
    }
    return Status::Ok();
}

// Reads an integer key, clipping to [lo, hi] with a warning naming the key.
template <typename T>
Status GetClipped(const nlohmann::json& section, const std::string& name, const std::string& key,
                  int64_t lo, int64_t hi, T& value, std::vector<std::string>& warnings) {
    auto it = section.find(key);
    if (it == section.end()) return Status::Ok();
    if (!it->is_number_integer()) return Bad(name + "." + key, "must be a whole number");
    const auto v = it->get<int64_t>();
    const int64_t clipped = std::clamp(v, lo, hi);
    if (clipped != v) {
        warnings.push_back("config " + name + "." + key + ": " + std::to_string(v) +
                           " is outside " + std::to_string(lo) + ".." + std::to_string(hi) +
                           ", using " + std::to_string(clipped));
    }
    value = static_cast<T>(clipped);
    return Status::Ok();
}

Status ApplyProfile(const std::string& profile, RadioConfig& c) {
    if (profile == "wearable") {
        c.scan_window_ms = 60, c.scan_interval_ms = 1200, c.advertising_interval_ms = 400;
        c.summary_interval_s = 3600;
    } else if (profile == "venue") {
        c.scan_window_ms = 100, c.scan_interval_ms = 100, c.advertising_interval_ms = 270;
        c.summary_interval_s = 3600;
    } else if (profile == "field") {
        c.scan_window_ms = 100, c.scan_interval_ms = 300, c.advertising_interval_ms = 270;
        c.summary_interval_s = 60;
    } else {
        return Bad("radio.profile", "must be wearable, venue or field");
    }
    c.profile = profile;
    return Status::Ok();
}

}  // namespace

Result<RadioConfig> ParseRadioConfig(const nlohmann::json& radio, const nlohmann::json& clock) {
    JEJAK_RETURN_IF_ERROR(CheckKeys(radio, "radio",
                                    {"spec", "profile", "scan_window_ms", "scan_interval_ms",
                                     "advertising_interval_ms", "tx_power_dbm",
                                     "aggregate_window_s", "summary_interval_s",
                                     "allow_shared_advertising"}));
    JEJAK_RETURN_IF_ERROR(CheckKeys(clock, "clock", {"require_ntp_sync", "not_before"}));
    RadioConfig c;
    for (const char* key : {"spec", "profile"}) {
        auto it = radio.find(key);
        if (it != radio.end() && (!it->is_string() || it->get<std::string>().empty())) {
            return Bad(std::string("radio.") + key, "must be a non-empty string");
        }
    }
    if (auto it = radio.find("spec"); it != radio.end()) c.spec = it->get<std::string>();
    JEJAK_RETURN_IF_ERROR(ApplyProfile(radio.value("profile", std::string("field")), c));
    auto& w = c.warnings;
    JEJAK_RETURN_IF_ERROR(GetClipped(radio, "radio", "scan_interval_ms", 3, 10240, c.scan_interval_ms, w));
    JEJAK_RETURN_IF_ERROR(GetClipped(radio, "radio", "scan_window_ms", 3,
                                     static_cast<int64_t>(c.scan_interval_ms), c.scan_window_ms, w));
    JEJAK_RETURN_IF_ERROR(GetClipped(radio, "radio", "advertising_interval_ms", 25, 10240,
                                     c.advertising_interval_ms, w));
    JEJAK_RETURN_IF_ERROR(GetClipped(radio, "radio", "tx_power_dbm", -127, 20, c.tx_power_dbm, w));
    JEJAK_RETURN_IF_ERROR(GetClipped(radio, "radio", "aggregate_window_s", 1, 60,
                                     c.aggregate_window_s, w));
    JEJAK_RETURN_IF_ERROR(GetClipped(radio, "radio", "summary_interval_s", 0, 86400,
                                     c.summary_interval_s, w));
    if (auto it = radio.find("allow_shared_advertising"); it != radio.end()) {
        if (!it->is_boolean()) return Bad("radio.allow_shared_advertising", "must be true or false");
        c.allow_shared_advertising = it->get<bool>();
    }
    if (auto it = clock.find("require_ntp_sync"); it != clock.end()) {
        if (!it->is_boolean()) return Bad("clock.require_ntp_sync", "must be true or false");
        c.require_ntp_sync = it->get<bool>();
    }
    JEJAK_RETURN_IF_ERROR(GetClipped(clock, "clock", "not_before", 0, int64_t{1} << 40,
                                     c.not_before_unix_s, w));
    return c;
}

Result<RadioConfig> LoadRadioConfig(const ConfigSource& source) {
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json radio, LoadConfigSection(source, "radio"));
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json clock, LoadConfigSection(source, "clock"));
    return ParseRadioConfig(radio, clock);
}

}  // namespace jejak
