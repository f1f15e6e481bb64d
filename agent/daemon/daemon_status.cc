// Building and writing the daemon's status file.
#include "agent/daemon/daemon_status.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
          {"fault", d.radio_fault},
          {"fault_since_unix", d.radio_fault_since_unix_s},
          {"failures", d.counters.radio_failures},
          {"recoveries", d.counters.radio_recoveries},
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
          {"store_write_failures", d.counters.store_write_failures},
          {"last_dropped_write", d.last_refusal},
          {"last_dropped_write_unix", d.last_refusal_unix_s}}},
        {"store",
         {{"days", in.store.days.size()},
          {"bytes_on_disk", in.store.bytes_on_disk},
          {"last_flush_unix", in.store.last_flush_unix_s},
          {"pending_sightings", in.store.pending_sightings},
          {"fault", d.store_fault},
          {"fault_since_unix", d.store_fault_since_unix_s},
          {"unstored_keys", d.unstored_keys}}},
    };
}

namespace {

// The full-disk fallback: overwrites the existing status file where it lies, padded with
// spaces to its old length, so no new block is needed when the new text is no longer than
// the blocks it already holds. A reader may catch it half-written (jejak status reads twice).
Status OverwriteInPlace(const std::string& path, std::string text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "cannot open " + path);
    struct stat st = {};
    Status s = Status::Ok();
    if (::fstat(fd, &st) != 0) {
        s = Status::FromErrno(errno, "cannot stat " + path);
    } else if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
        s = Status::PermissionDenied(path + ": not a regular file of ours");
    } else {
        if (text.size() < static_cast<size_t>(st.st_size)) {
            text.insert(text.size() - 1, static_cast<size_t>(st.st_size) - text.size(), ' ');
        }
        const ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
        if (n != static_cast<ssize_t>(text.size())) {
            s = Status::FromErrno(n < 0 ? errno : ENOSPC, "cannot overwrite " + path);
        }
    }
    ::close(fd);
    return s;
}

}  // namespace

Status WriteDaemonStatus(const std::string& state_dir, const nlohmann::json& status) {
    const std::string path = DaemonStatusPath(state_dir);
    const std::string text = status.dump(2) + "\n";
    Status atomic = WriteFileAtomically(path, text, AtomicWriteOptions{0644});
    if (atomic.ok()) return atomic;
    // A full disk has no room for the new copy beside the old one: the old one's blocks are
    // reused instead, so `jejak status` still learns why the daemon cannot write.
    Status in_place = OverwriteInPlace(path, text);
    if (in_place.ok()) return in_place;
    return atomic;
}

}  // namespace jejak
