// Building and writing the daemon's status file.
#include "agent/daemon/daemon_status.h"

#include "agent/config/agent_files.h"
#include "platform/base/atomic_file.h"

namespace jejak {

std::string DaemonStatusPath(const std::string& state_dir) {
    return state_dir + "/" + kDaemonStatusFileName;
}

namespace {

nlohmann::json SimClockJson(const std::optional<SimClockSpec>& spec) {
    if (!spec) return nullptr;
    return {{"start_unix_micros", spec->start_unix_micros},
            {"anchor_unix_micros", spec->anchor_unix_micros},
            {"rate", spec->rate}};
}

}  // namespace

nlohmann::json DaemonStatusJson(const DaemonStatusInputs& in) {
    const DaemonSnapshot& d = in.daemon;
    const uint64_t dropped = d.counters.sightings_dropped + d.counters.store_refused;
    return {
        {"pid", in.pid},
        {"updated_unix", in.now_unix},
        {"started_unix", in.started_unix},
        {"publish_every_s", in.publish_every_s},
        {"sim_clock", SimClockJson(in.sim_clock)},
        {"on_air", d.on_air},
        {"advertising_paused", d.advertising_paused},
        {"recording_paused", d.recording_paused},
        {"clock",
         {{"state", ClockStateName(d.clock.state)},
          {"plausible", d.clock.plausible()},
          {"reason", d.clock.reason},
          {"ntp_synchronised", d.ntp_synchronised},
          {"require_ntp_sync", in.require_ntp_sync},
          {"steps", d.counters.clock_steps},
          {"unsynchronised_for_s", d.ntp_synchronised ? 0 : d.unsynchronised_for_s},
          {"warn_unsynchronised_after_s", in.warn_unsynchronised_after_s}}},
        {"radio",
         {{"description", in.radio.description},
          {"advertising", in.radio.advertising},
          {"scanning", in.radio.scanning},
          {"controller_resets", in.radio.controller_resets},
          {"last_error", in.radio.last_error.ok() ? "" : in.radio.last_error.ToString()}}},
        {"interval", d.interval},
        {"last_rotation_unix", d.last_rotation_unix_s},
        {"scan", {{"window_ms", d.scan.window_ms}, {"interval_ms", d.scan.interval_ms}}},
        {"tx_power_dbm", d.tx_power_dbm},
        {"counters",
         {{"adverts_heard", d.counters.adverts_heard},
          {"sightings_stored", d.counters.sightings_stored},
          {"sightings_flushed", d.counters.sightings_flushed},
          {"rotations", d.counters.rotations},
          {"teks_generated", d.counters.teks_generated},
          {"dropped_writes", dropped},
          {"store_refused", d.counters.store_refused},
          {"last_dropped_write", d.last_refusal},
          {"last_dropped_write_unix", d.last_refusal_unix_s}}},
        {"store",
         {{"days", in.store.days.size()},
          {"bytes_on_disk", in.store.bytes_on_disk},
          {"last_flush_unix", in.store.last_flush_unix_s},
          {"pending_sightings", in.store.pending_sightings}}},
    };
}

Status WriteDaemonStatus(const std::string& state_dir, const nlohmann::json& status) {
    return WriteFileAtomically(DaemonStatusPath(state_dir), status.dump(2) + "\n",
                               AtomicWriteOptions{0644});
}

}  // namespace jejak
