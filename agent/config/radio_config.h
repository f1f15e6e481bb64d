// The "radio" (and "clock") sections of the configuration: which radio, how it scans and
// advertises, and how much the clock is trusted. Every key is optional:
//   radio.spec                  radio spec string (hci0, uart:..., sim:...), no default
//   radio.profile               "wearable" | "venue" | "field" (default "field" values below)
//   radio.scan_window_ms        3..10240, <= scan_interval_ms
//   radio.scan_interval_ms      3..10240
//   radio.advertising_interval_ms  20..10240 (max of the range; min is 80% of it)
//   radio.tx_power_dbm          -127..20, the transmit setting asked of the radio
//   radio.calibrated_tx_power_dbm  -50..20, what the device radiates (dBm, measured at 1 m
//                               with docs/tx-power-calibration.md): the TX power byte of
//                               the advertised metadata, which receivers subtract the RSSI
//                               from; never derived from tx_power_dbm. Default -15 for every
//                               profile (uncalibrated: the default setting at 0 dB antenna
//                               gain, what Jejak advertised before); applied at start
//   radio.aggregate_window_s    1..60 seconds of receptions per sighting
//   radio.summary_interval_s    0..86400, one summary log line per period (0: none)
//   clock.require_ntp_sync      false: the kernel's synchronised flag is shown, not required
//   clock.not_before            Unix seconds; later than the build date to raise the floor
//   clock.max_forward_step_s    60..31536000 (86400): a larger jump ahead of the last trusted
//                               time is not trusted (the keyring does not move) until confirmed
//   clock.confirm_after_s       0..604800 (3600): ... by the kernel's NTP flag, or by the wall
//                               clock keeping pace with the monotonic clock this long
//   clock.warn_unsynchronised_after_s  0..31536000 (86400, 0: never): `jejak status` needs
//                               attention when NTP has not synchronised the clock this long
//                               (with require_ntp_sync off)
// Profiles (defaults that explicit keys override):
//   wearable: duty-cycled like a phone (`jejak run` scans aggregate_window_s every 5
//             minutes), within a scan 60/1200 ms (5 %), advertising every 400 ms, summary
//             hourly
//   venue:    scan 100/100 ms (continuous), advertising every 270 ms, summary every 10 min
//   field:    scan 100/300 ms, advertising every 270 ms, summary every minute (verbose)
// Unknown keys are errors; a number out of range is clipped and a warning names the key.
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
    std::vector<std::string> warnings;  // one per clipped value, naming the key
};

// Parses the two sections (JSON objects, as LoadConfigSection returns them).
// InvalidArgument naming the key for unknown keys, wrong types or an unknown profile.
Result<RadioConfig> ParseRadioConfig(const nlohmann::json& radio, const nlohmann::json& clock);
// LoadConfigSection("radio"/"clock") + ParseRadioConfig.
Result<RadioConfig> LoadRadioConfig(const ConfigSource& source);

}  // namespace jejak
