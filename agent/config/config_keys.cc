// The configuration schema's rows. To add a key, add one row in its section (the order here
// is the order of `jejak config show` and jejak.toml(5)), document it in config/jejak.toml
// with its range and default (tests/agent/config/config_schema_test.cc holds the example to
// this table), and read it in its subsystem's parser.
#include "agent/config/config_keys.h"

namespace jejak {
namespace {

using T = ConfigType;

constexpr ConfigSection kSections[] = {
    {"radio", "which radio, how it scans and advertises (re-read on SIGHUP)"},
    {"clock", "how far the wall clock is trusted before going on air"},
    {"store", "the encrypted store: retention, commits and the master key"},
    {"diagnosis", "where `jejak keys fetch` downloads diagnosis keys and who signs them"},
    {"risk", "scoring of exposure windows (docs/PROTOCOL.md 6.2); keys override the preset"},
    {"notify", "the program run when a check finds an exposure"},
    {"upload", "where `jejak report` sends a confirmed diagnosis"},
    {"daemon", "what `jejak run` is as a process"},
    {"authority", "reserved: jejak-authority takes its settings from its flags; no keys"},
    {"exposure", "how far a sighting may lie from its key's interval (the replay window)"},
};

constexpr ConfigKey kKeys[] = {
    // [radio]
    {.section = "radio", .key = "spec", .type = T::kString,
     .doc = "radio: hci0, uart:/dev/ttyACM0[@BAUD][,noflow], unix:/path or sim:DIR[?x=..]; "
            "no default (`run` and `scan` need it or --radio)"},
    {.section = "radio", .key = "profile", .type = T::kChoice, .fallback = "\"field\"",
     .choices = "wearable|venue|field",
     .doc = "starting values for the scan and advertising keys below"},
    {.section = "radio", .key = "scan_interval_ms", .type = T::kInt, .min = 3, .max = 10240,
     .fallback = "300", .profiles = "wearable=1200 venue=100 field=300",
     .doc = "passive scan period in ms"},
    {.section = "radio", .key = "scan_window_ms", .type = T::kInt, .min = 3, .max = 10240,
     .fallback = "100", .profiles = "wearable=60 venue=100 field=100",
     .doc = "ms listened per scan_interval_ms (at most scan_interval_ms)"},
    {.section = "radio", .key = "advertising_interval_ms", .type = T::kInt, .min = 25,
     .max = 10240, .fallback = "270", .profiles = "wearable=400 venue=270 field=270",
     .doc = "longest gap between adverts in ms (the shortest is 80 % of it)"},
    {.section = "radio", .key = "tx_power_dbm", .type = T::kInt, .min = -127, .max = 20,
     .fallback = "-15", .doc = "advertised TX power in dBm, carried in the encrypted metadata"},
    {.section = "radio", .key = "calibrated_tx_power_dbm", .type = T::kInt, .min = -50,
     .max = 20, .fallback = "-15",
     .doc = "the radiated power in dBm measured at 1 m (docs/tx-power-calibration.md): the TX "
            "power byte of the encrypted metadata, never derived from tx_power_dbm"},
    {.section = "radio", .key = "aggregate_window_s", .type = T::kInt, .min = 1, .max = 60,
     .fallback = "5", .doc = "seconds of receptions folded into one sighting per RPI"},
    {.section = "radio", .key = "summary_interval_s", .type = T::kInt, .min = 0, .max = 86400,
     .fallback = "60", .profiles = "wearable=3600 venue=3600 field=60",
     .doc = "seconds between summary log lines (0: none)"},
    {.section = "radio", .key = "allow_shared_advertising", .type = T::kBool,
     .fallback = "false",
     .doc = "advertise over the raw HCI channel beside bluetoothd (the public address may leak)"},
    // [clock]
    {.section = "clock", .key = "require_ntp_sync", .type = T::kBool, .fallback = "false",
     .doc = "stay off air until the kernel reports the clock NTP-synchronised"},
    {.section = "clock", .key = "not_before", .type = T::kInt, .min = 0,
     .max = 1099511627776.0, .fallback = "0",
     .doc = "Unix seconds before which the daemon stays off air (raises the build-date floor)"},
    {.section = "clock", .key = "max_forward_step_s", .type = T::kInt, .min = 60,
     .max = 31536000, .fallback = "86400",
     .doc = "a jump ahead of the last trusted time larger than this is not trusted (the "
            "keyring does not move) until confirmed"},
    {.section = "clock", .key = "confirm_after_s", .type = T::kInt, .min = 0, .max = 604800,
     .fallback = "3600",
     .doc = "...by the kernel's NTP flag, or by the wall clock keeping pace with the monotonic "
            "clock this long"},
    {.section = "clock", .key = "warn_unsynchronised_after_s", .type = T::kInt, .min = 0,
     .max = 31536000, .fallback = "86400",
     .doc = "with require_ntp_sync off, `jejak status` needs attention once NTP has not "
            "synchronised the clock this long (0: never)"},
    // [exposure]
    {.section = "exposure", .key = "max_time_skew_minutes", .type = T::kInt, .min = 0,
     .max = 120, .fallback = "120",
     .doc = "minutes a sighting may lie from its RPI's interval either way (120: GAEN's +-2 h; "
            "15 for a fleet with synchronised clocks)"},
    // [store]
    {.section = "store", .key = "retention_days", .type = T::kInt, .min = 1, .max = 25,
     .fallback = "14", .doc = "days of sightings, keys and checks kept"},
    {.section = "store", .key = "flush_interval_s", .type = T::kInt, .min = 0, .max = 86400,
     .fallback = "30", .doc = "seconds between commits of buffered sightings (0: every batch)"},
    {.section = "store", .key = "durable_commits", .type = T::kBool, .fallback = "true",
     .doc = "false: SQLite synchronous=NORMAL (see THREAT_MODEL.md)"},
    {.section = "store", .key = "max_sightings_per_day", .type = T::kInt, .min = 1000,
     .max = 100000000, .fallback = "1000000", .doc = "rows kept per UTC day (flooding cap)"},
    {.section = "store", .key = "key_file", .type = T::kString,
     .doc = "master key file; default <state-dir>/master.key, created on first run"},
    {.section = "store", .key = "passphrase_env", .type = T::kString,
     .doc = "derive the master key with Argon2id from this environment variable instead"},
    {.section = "store", .key = "passphrase_credential", .type = T::kString,
     .doc = "or from this systemd credential ($CREDENTIALS_DIRECTORY/NAME; preferred)"},
    {.section = "store", .key = "argon2_opslimit", .type = T::kInt, .min = 3, .max = 64,
     .fallback = "3", .doc = "Argon2id passes when creating a passphrase store"},
    {.section = "store", .key = "argon2_memlimit_kib", .type = T::kInt, .min = 65536,
     .max = 4194304, .fallback = "65536", .doc = "Argon2id memory in KiB (at least 64 MiB)"},
    // [diagnosis]
    {.section = "diagnosis", .key = "server_url", .type = T::kString,
     .doc = "key server base URL for `jejak keys fetch` (https)"},
    {.section = "diagnosis", .key = "index_path", .type = T::kString,
     .fallback = "\"index.txt\"", .doc = "the index of exports, relative to server_url"},
    {.section = "diagnosis", .key = "download_dir", .type = T::kString,
     .doc = "where verified exports are written; default <state-dir>/diagnosis-keys"},
    {.section = "diagnosis", .key = "proxy", .type = T::kString,
     .doc = "HTTP(S) proxy URL for the key server"},
    {.section = "diagnosis", .key = "ca_file", .type = T::kString,
     .doc = "trust only this CA (PEM file) for the key server"},
    {.section = "diagnosis", .key = "max_bytes_per_run", .type = T::kInt, .min = 1048576,
     .fallback = "67108864", .doc = "download budget per fetch in bytes"},
    {.section = "diagnosis", .key = "max_bytes_per_day", .type = T::kInt, .min = 1048576,
     .fallback = "268435456", .doc = "download budget per UTC day in bytes"},
    {.section = "diagnosis", .key = "allow_http_loopback", .type = T::kBool,
     .fallback = "false", .doc = "allow plain http to a loopback host (test set-ups only)"},
    {.section = "diagnosis", .key = "public_keys", .type = T::kList,
     .subkeys = "key_id|key_version|pem_file|pem",
     .doc = "export signing keys: [{key_id, key_version, pem_file or pem}]"},
    // [risk]
    {.section = "risk", .key = "preset", .type = T::kChoice,
     .fallback = "\"jejak-close-contact\"",
     .choices = "jejak-close-contact|enx-sample|nl-coronamelder|swiss-dp3t-2020-05|"
                "cwa-fraunhofer-2020-06|lfph-narrow-net|lfph-wide-net|swisscovid",
     .doc = "starting values of the keys below (docs/efficacy.md, PROTOCOL.md 6.2-6.4)"},
    {.section = "risk", .key = "attenuation_bucket_thresholds_db", .type = T::kList,
     .fallback = "[55, 55, 55]", .doc = "3 increasing attenuations 0..255 dB"},
    {.section = "risk", .key = "attenuation_bucket_weights", .type = T::kList,
     .fallback = "[1.0, 0.5, 0.0, 0.0]", .doc = "4 weights 0..2.5 (immediate, near, medium, other)"},
    {.section = "risk", .key = "report_type_weights", .type = T::kTable,
     .doc = "weights 0..2.5 per report type"},
    {.section = "risk", .key = "infectiousness_weights", .type = T::kTable,
     .doc = "weights 0..2.5 for standard and high"},
    {.section = "risk", .key = "days_since_onset_to_infectiousness", .type = T::kStringOrList,
     .doc = "ENX hex map or 29 values none|standard|high"},
    {.section = "risk", .key = "infectiousness_when_days_since_onset_missing",
     .type = T::kString, .doc = "none, standard or high"},
    {.section = "risk", .key = "report_type_when_missing", .type = T::kString,
     .fallback = "\"confirmed_clinical_diagnosis\"", .doc = "a report type name or 1..5"},
    {.section = "risk", .key = "days_since_exposure_threshold", .type = T::kInt, .min = 0,
     .max = 365, .fallback = "14", .doc = "days before today that count (0: every day)"},
    {.section = "risk", .key = "minimum_window_score", .type = T::kNumber, .min = 0,
     .fallback = "0", .doc = "windows scoring less are dropped"},
    {.section = "risk", .key = "allow_recursive", .type = T::kBool, .fallback = "false",
     .doc = "count recursive report types"},
    {.section = "risk", .key = "notify_threshold", .type = T::kTable,
     .fallback = "{ score_sum = 720 }", .subkeys = "score_sum|report_type",
     .doc = "a day is an exposure at this score sum (report_type = \"...\" to need one)"},
    {.section = "risk", .key = "calibration", .type = T::kTable,
     .subkeys = "rssi_correction_db|model|table",
     .doc = "receiver correction: rssi_correction_db, model or table (calibration.h)"},
    {.section = "risk", .key = "legacy", .type = T::kTable,
     .subkeys = "minimum_risk_score|attenuation_scores|days_since_last_exposure_scores|"
                "duration_scores|transmission_risk_scores|duration_at_attenuation_thresholds",
     .doc = "also report GAEN v1 scores (risk_legacy.h)"},
    // [notify]
    {.section = "notify", .key = "command", .type = T::kStringList,
     .doc = "program and arguments (absolute path, no shell); gets the summary JSON on stdin"},
    {.section = "notify", .key = "timeout_seconds", .type = T::kInt, .min = 1, .max = 300,
     .fallback = "10", .doc = "the hook is killed after this many seconds"},
    {.section = "notify", .key = "user", .type = T::kString,
     .doc = "run the hook as this user (needs root)"},
    // [upload]
    {.section = "upload", .key = "verification_url", .type = T::kString,
     .doc = "verification server (/api/verify, /api/certificate); required by `report`"},
    {.section = "upload", .key = "publish_url", .type = T::kString,
     .doc = "key server (/v1/publish); required by `report`"},
    {.section = "upload", .key = "api_key", .type = T::kString,
     .doc = "the device API key of this fleet (header X-API-Key); required by `report`",
     .secret = true},
    {.section = "upload", .key = "health_authority_id", .type = T::kString,
     .doc = "healthAuthorityID as the key server knows it; required by `report`"},
    {.section = "upload", .key = "ca_file", .type = T::kString,
     .doc = "trust only this CA (PEM file) for both servers"},
    {.section = "upload", .key = "pinned_public_key", .type = T::kString,
     .doc = "pin the servers' public key (sha256//BASE64)"},
    {.section = "upload", .key = "proxy", .type = T::kString,
     .doc = "HTTP(S) proxy URL for both servers"},
    {.section = "upload", .key = "allow_http_loopback", .type = T::kBool, .fallback = "false",
     .doc = "allow plain http to a loopback host (test set-ups only)"},
    // [daemon]
    {.section = "daemon", .key = "user", .type = T::kString,
     .doc = "a root `jejak run` becomes this user after opening the radio"},
};

}  // namespace

std::span<const ConfigSection> ConfigSections() { return kSections; }
std::span<const ConfigKey> ConfigKeys() { return kKeys; }

}  // namespace jejak
