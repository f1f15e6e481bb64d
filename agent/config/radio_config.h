// The "radio" (and "clock") sections of the configuration: which radio, how it scans and
// advertises, and how much the clock is trusted. Every key is optional:
// their types, ranges, defaults and profile values are rows of the schema (config_keys.cc);
// scan_window_ms may not exceed scan_interval_ms. Profiles (defaults that keys override):
//   wearable: duty-cycled like a phone (`jejak run` scans aggregate_window_s every 5
//             minutes), within a scan 60/1200 ms (5 %), advertising every 400 ms, summary
//             hourly
//   venue:    scan 100/100 ms (continuous), advertising every 270 ms, summary every 10 min
//   field:    scan 100/300 ms, advertising every 270 ms, summary every minute (verbose)
// Unknown keys and numbers out of range are errors naming the key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/config/config.h"

namespace jejak {

struct RadioConfig {
    std::string spec;
    std::string profile = "field";
    uint32_t scan_window_ms = 100;
    uint32_t scan_interval_ms = 300;
    uint32_t advertising_interval_ms = 270;
    int tx_power_dbm = -15;
    int calibrated_tx_power_dbm = -15;
    int aggregate_window_s = 5;
    int summary_interval_s = 60;
    bool require_ntp_sync = false;
    // Advertise over the raw HCI channel beside bluetoothd (the public address may leak).
    bool allow_shared_advertising = false;
    int64_t not_before_unix_s = 0;
    int64_t max_forward_step_s = 86400;
    int64_t confirm_after_s = 3600;
    int64_t warn_unsynchronised_after_s = 86400;
};

// Parses the two sections (JSON objects, as LoadConfigSection returns them).
// InvalidArgument naming the key for unknown keys, wrong types, values out of range or an
// unknown profile.
Result<RadioConfig> ParseRadioConfig(const nlohmann::json& radio, const nlohmann::json& clock);
// LoadConfigSection("radio"/"clock") + ParseRadioConfig.
Result<RadioConfig> LoadRadioConfig(const ProgramFiles& source);

}  // namespace jejak
