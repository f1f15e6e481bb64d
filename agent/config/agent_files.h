// The files the agent writes besides the store itself (storage/sqlite_store.h owns store.db,
// store.keys and master.key), so that `jejak store wipe` can remove every one of them. Each
// is listed, with what it holds, its mode and when it is deleted, in THREAT_MODEL.md.
#pragma once

#include <string>

#include "agent/config/config.h"
#include "platform/base/status.h"

namespace jejak {

// `keys fetch` progress: index validators and the last processed index entry (0600).
inline constexpr char kFetchStateFileName[] = "diagnosis-fetch-state.json";
// The daemon's live status (no secrets: counters, clock state, interval), 0644 so the
// service group can read it; rewritten atomically while `jejak run` runs.
inline constexpr char kDaemonStatusFileName[] = "daemon-status.json";
// Export files `jejak match --keys DIR`/`--fetched` already checked (names and hashes of
// public files), 0600.
inline constexpr char kCheckedExportsFileName[] = "checked-exports.txt";
// When the scheduled check next sends a chaff upload (`report --chaff --if-due`): one
// randomly drawn Unix time, no secrets, 0600 (agent/upload/chaff_schedule.h).
inline constexpr char kChaffScheduleFileName[] = "chaff-schedule.json";
// The last measured offset of the device clock from a server's Date header (`keys fetch`,
// `report`): a number, a time and the server's origin, no secrets, 0600
// (agent/clock/clock_offset.h).
inline constexpr char kClockOffsetFileName[] = "clock-offset.json";
// Written by older versions: a clear copy of the exposure decision. Never written now (the
// result is sealed in the store); removed by the next check and by wipe.
inline constexpr char kLegacyStatusFileName[] = "exposure-status.json";

// Where `keys fetch` saves exports: the "diagnosis.download_dir" of the config, else
// <state_dir>/diagnosis-keys. Reads only that key (no public keys are loaded).
Result<std::string> ConfiguredDownloadDir(const ProgramFiles& source);

// Removes the fetch state, the daemon status file, the checked-exports ledger, the chaff
// schedule, the clock offset, a legacy status file and the download directory with everything in it. A download directory that is the state directory or one of its ancestors is left
// alone (only its own entries would be ours, and they cannot be told apart). Missing files
// are not an error. Needs no key and no passphrase.
Status RemoveAgentFiles(const std::string& state_dir, const std::string& download_dir);

}  // namespace jejak
