// The daemon's live status for `jejak status`: a small JSON file in the state dir,
// <state-dir>/daemon-status.json, rewritten atomically (platform/base/atomic_file.h) every
// few seconds and at every change of state, mode 0644 because it holds no secrets: counts,
// times, the clock verdict and the radio's description, never a key or an RPI.
//
// Schema (every field always present; times in Unix seconds, fields named *_unix):
//   { "pid": int, "updated_unix": int, "started_unix": int,
//     "publish_every_s": number (how often, on the daemon's clock, the file is rewritten),
//     "sim_clock": null | {"start_unix_micros": int, "anchor_unix_micros": int, "rate": number}
//                  (the JEJAK_SIM_CLOCK the daemon runs on: `jejak status` judges staleness
//                  on the daemon's own clock),
//     "on_air": bool, "advertising_paused": bool, "recording_paused": bool,
//     "clock": {"state": "plausible"|..., "plausible": bool, "reason": str,
//               "ntp_synchronised": bool, "require_ntp_sync": bool, "steps": int,
//               "unsynchronised_for_s": int, "warn_unsynchronised_after_s": int (0: never)},
//     "radio": {"description": str, "advertising": bool, "scanning": bool,
//               "controller_resets": int, "last_error": str,
//               "fault": str ("" while advertising and scanning as asked; otherwise the
//               failed command: the daemon retries with backoff), "fault_since_unix": int,
//               "failures": int (radio commands that failed), "recoveries": int},
//     "interval": int, "last_rotation_unix": int,
//     "scan": {"window_ms": int, "interval_ms": int}, "tx_power_dbm": int,
//     "counters": {"adverts_heard": int, "sightings_stored": int, "sightings_flushed": int,
//                  "rotations": int, "teks_generated": int, "dropped_writes": int,
//                  "store_refused": int, "store_write_failures": int (writes that failed:
//                  full, failing or read-only disk), "last_dropped_write": str ("" if none:
//                  the cause), "last_dropped_write_unix": int},
//     (dropped_writes = malformed windows + writes the store refused)
//     "store": {"days": int, "bytes_on_disk": int, "last_flush_unix": int,
//               "pending_sightings": int (held in memory, not yet committed),
//               "fault": str ("" while the store can be written; otherwise why not: the
//               daemon stays on air and holds writes until it can), "fault_since_unix": int
//               (0 while writable), "unstored_keys": int (keys on air, not yet written)} }
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/daemon/daemon.h"
#include "platform/radio/radio.h"
#include "platform/sim/sim_clock.h"
#include "storage/store.h"

namespace jejak {

std::string DaemonStatusPath(const std::string& state_dir);

struct DaemonStatusInputs {
    DaemonSnapshot daemon;
    RadioStatus radio;
    StoreStats store;
    bool require_ntp_sync = false;
    int64_t warn_unsynchronised_after_s = 0;
    int pid = 0;
    int64_t started_unix = 0;
    int64_t now_unix = 0;
    double publish_every_s = 0;
    std::optional<SimClockSpec> sim_clock;  // set when the daemon runs on a simulation clock
};

nlohmann::json DaemonStatusJson(const DaemonStatusInputs& inputs);

// Atomically replaces the status file.
Status WriteDaemonStatus(const std::string& state_dir, const nlohmann::json& status);

}  // namespace jejak
