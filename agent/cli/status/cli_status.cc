// `jejak status [--json]`: the whole device at a glance.
//   The daemon (running or not, and its pid, from the state dir's instance lock), its live
//   status file (radio, clock state, current interval and last rotation, counters including
//   dropped writes, store health), the latest exposure check (sealed in the store) and the
//   standing exposure (every notified day still in retention, from the exposure ledger,
//   whatever later checks found). Exit 0 when healthy (a new device that has not checked yet
//   is healthy), 1 when something needs attention (stderr names every reason; the view is
//   still printed), 2 for usage errors. Every reason says what to do about it (Actionable).
//   `--no-daemon` declares a device that runs no daemon (a sync station that only checks and
//   reports): a daemon that is not running is then no reason for attention.
//   The daemon's status is stale when it has not been rewritten for 12 of its publishing
//   periods (60 s at least) of the clock the daemon runs on: its published "sim_clock" (an
//   accelerated JEJAK_SIM_CLOCK) when it has one, whatever clock this command runs on.
//
//   --json prints one object:
//     { "healthy": bool, "attention": [str...],
//       "daemon": {"running": bool, "pid": int, "status": {...daemon-status.json...} | null},
//       "store": {"days": int, "bytes_on_disk": int} | null   (measured now, as `jejak store
//                status` does; the daemon's own figures are in its status),
//       "last_check": {...as `jejak match --json`...} | null,
//       "exposure": {"notified": bool, "days": [{"day", "score_sum", "weighted_duration_sum",
//                                                "first_notified_unix"}]},
//       "clock": {"offset_s": number (device minus server), "measured_unix": int,
//                 "source": str} (null fields before `keys fetch` or `report` measured it),
//       "next_check": str }
//   An offset above 10 minutes needs attention.
//
//   --prometheus prints the same view as Prometheus text (for node_exporter's textfile
//   collector: `jejak status --prometheus > DIR/jejak.prom.tmp && mv ...`): jejak_device_healthy,
//   _daemon_running, _attention_reasons, every numeric counter of daemon-status.json as
//   jejak_device_<name>_total, _store_days, _store_bytes, _exposure_notified,
//   _clock_offset_seconds, _last_check_unix and _status_unix. It exits 0 even when the device
//   needs attention (the figure says so), so the redirect and rename always happen.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "agent/check/match_check.h"
#include "agent/check/match_report.h"
#include "agent/cli/cli.h"
#include "agent/cli/status/cli_status_exposure.h"
#include "agent/clock/clock_offset.h"
#include "agent/config/store_config.h"
#include "agent/daemon/daemon_status.h"
#include "agent/daemon/instance_lock.h"
#include "platform/base/civil_date.h"
#include "platform/sim/sim_clock.h"

namespace jejak {

namespace {

// A daemon that stopped publishing for this long (or for kStalePeriods of its publishing
// period, when longer) is stuck even if it holds the lock.
constexpr int64_t kStaleStatusSeconds = 60;
constexpr double kStalePeriods = 12;

struct StatusArgs {
    bool json = false;
    bool prometheus = false;
    bool no_daemon = false;
};

// "Now" on the clock the daemon runs on: its published simulation clock, or the wall clock
// (this command's own, unless this command runs on a simulation clock itself).
int64_t DaemonNowUnix(const nlohmann::json& live, const CliEnv& env) {
    SystemClock system;
    const Clock& real = env.real_time ? static_cast<const Clock&>(system) : env.clock;
    const auto sim = live.value("sim_clock", nlohmann::json(nullptr));
    if (!sim.is_object()) return real.NowUnixMicros() / 1000000;
    SimClockSpec spec;
    spec.start_unix_micros = sim.value("start_unix_micros", int64_t{0});
    spec.anchor_unix_micros = sim.value("anchor_unix_micros", int64_t{0});
    spec.rate = sim.value("rate", 1.0);
    return SimClock(spec, real).NowUnixMicros() / 1000000;
}

bool IsStale(const nlohmann::json& live, const CliEnv& env) {
    const double period = live.value("publish_every_s", 0.0);
    const double limit = std::max(static_cast<double>(kStaleStatusSeconds), kStalePeriods * period);
    const int64_t age = DaemonNowUnix(live, env) - live.value("updated_unix", int64_t{0});
    return static_cast<double>(age) > limit;
}

std::string Iso(int64_t unix_s) { return unix_s <= 0 ? "never" : IsoUtcSeconds(unix_s); }

// Read twice if need be: on a full disk the daemon rewrites the file in place, so one read
// in a great many may catch it half-written.
nlohmann::json ReadDaemonStatus(const std::string& state_dir) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::ifstream in(DaemonStatusPath(state_dir));
        if (!in) return nullptr;
        std::stringstream text;
        text << in.rdbuf();
        nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
        if (j.is_object()) return j;
    }
    return nullptr;
}

nlohmann::json DaemonPart(const StatusArgs& args, CliEnv& env,
                          std::vector<std::string>& attention) {
    const int pid = LockHolderPid(env.state_dir);
    nlohmann::json live = ReadDaemonStatus(env.state_dir);
    nlohmann::json part = {{"running", pid > 0}, {"pid", pid}, {"status", live}};
    if (pid <= 0) {
        if (!args.no_daemon) {
            attention.push_back(Actionable(
                "the daemon is not running",
                "start it with systemctl start jejak, or on a sync station without a daemon "
                "use jejak status --no-daemon"));
        }
        return part;
    }
    if (!live.is_object() || live.value("pid", 0) != pid) {
        attention.push_back(Actionable(
            "the daemon (pid " + std::to_string(pid) + ") has not published its status",
            "if it persists after a minute, see journalctl -u jejak"));
        return part;
    }
    if (IsStale(live, env)) {
        attention.push_back(Actionable("the daemon's status is stale (last update " +
                                           Iso(live.value("updated_unix", int64_t{0})) + ")",
                                       "it is stuck: see journalctl -u jejak, then "
                                       "systemctl restart jejak"));
    }
    const auto clock = live.value("clock", nlohmann::json::object());
    if (!clock.value("plausible", false)) {
        const bool on_air = live.value("on_air", false);
        attention.push_back(Actionable(
            std::string(on_air ? "not recording: " : "not on air: ") +
                clock.value("reason", std::string("clock not plausible")),
            on_air ? "let the clock be confirmed (NTP, or clock.confirm_after_s of steady running) "
                     "and recording resumes by itself"
                   : "set the system clock (timedatectl, NTP) and the daemon goes on air by itself"));
    }
    const auto counters = live.value("counters", nlohmann::json::object());
    if (const uint64_t dropped = counters.value("dropped_writes", uint64_t{0}); dropped > 0) {
        const std::string cause = counters.value("last_dropped_write", std::string());
        attention.push_back(Actionable(
            "the daemon dropped " + std::to_string(dropped) + " write(s) since it started" +
                (cause.empty() ? "" : " (last: " + cause + ")"),
            "check the disk's free space, the clock and journalctl -u jejak"));
    }
    const auto radio = live.value("radio", nlohmann::json::object());
    if (const std::string fault = radio.value("fault", std::string()); !fault.empty()) {
        attention.push_back(Actionable(
            "the radio is off air since " + Iso(radio.value("fault_since_unix", int64_t{0})) +
                " (" + fault + ")",
            "the daemon retries by itself; check the controller (dmesg, btmgmt info, the "
            "UART cable) and journalctl -u jejak"));
    }
    const auto store = live.value("store", nlohmann::json::object());
    if (const std::string fault = store.value("fault", std::string()); !fault.empty()) {
        attention.push_back(Actionable(
            "the daemon cannot write the store since " +
                Iso(store.value("fault_since_unix", int64_t{0})) + " (" + fault + "); " +
                std::to_string(store.value("pending_sightings", uint64_t{0})) +
                " sightings held in memory",
            "free space on the state dir's filesystem (df " + env.state_dir +
                "): the daemon commits what it holds by itself"));
    }
    const int64_t unsync = clock.value("unsynchronised_for_s", int64_t{0});
    const int64_t warn = clock.value("warn_unsynchronised_after_s", int64_t{0});
    if (!clock.value("require_ntp_sync", false) && warn > 0 && unsync >= warn) {
        attention.push_back(Actionable(
            "the clock has not been NTP-synchronised for " + std::to_string(unsync) +
                " s (clock.warn_unsynchronised_after_s = " + std::to_string(warn) +
                "): a clock hours off matches nothing",
            "enable NTP (timedatectl set-ntp true) or sync the token at its station"));
    }
    return part;
}

// The latest check and, in `exposure`, the standing notified days. A device that has not
// checked yet (no store, or no check in it) is not a reason for attention.
// The store as `jejak store status` measures it: {"days", "bytes_on_disk"}.
nlohmann::json StorePart(Store& store, std::vector<std::string>& attention) {
    auto stats = store.Stats();
    if (!stats.ok()) {
        attention.push_back(Actionable("the store cannot be measured: " +
                                           stats.status().message(),
                                       "run jejak store verify"));
        return nullptr;
    }
    return {{"days", stats->days.size()}, {"bytes_on_disk", stats->bytes_on_disk}};
}

nlohmann::json CheckPart(CliEnv& env, std::vector<std::string>& attention,
                         nlohmann::json& exposure, nlohmann::json& store_view) {
    exposure = NoExposure();
    store_view = nullptr;
    if (!SqliteStore::Exists(env.state_dir)) return nullptr;
    auto store = OpenConfiguredStore(env, env.clock, /*create=*/false);
    if (!store.ok()) {
        if (store.status().IsInvalidArgument()) Fail(store.status(), "status");
        attention.push_back(Actionable("the store cannot be opened: " + store.status().message(),
                                       "run jejak store verify"));
        return nullptr;
    }
    store_view = StorePart(**store, attention);
    exposure = StatusExposure(**store, attention);
    auto check = LoadLatestCheckResult(**store);
    if (!check.ok()) {
        if (!check.status().IsNotFound()) {
            attention.push_back(Actionable("the last check cannot be read: " +
                                               check.status().message(),
                                           "run jejak store verify"));
        }
        return nullptr;
    }
    CheckAttention(*check, attention);
    return *check;
}

// The last measured offset from a server's clock (null fields: never measured).
nlohmann::json ClockPart(CliEnv& env, std::vector<std::string>& attention) {
    auto offset = LoadClockOffset(env.state_dir);
    if (!offset.ok()) {
        attention.push_back(Actionable(offset.status().message(),
                                       "remove clock-offset.json; the next keys fetch measures "
                                       "the offset again"));
        return ClockOffsetJson(std::nullopt);
    }
    if (*offset) {
        if (auto why = ClockOffsetAttention(**offset)) {
            attention.push_back(Actionable(*why, "set the system clock (timedatectl, NTP); the "
                                                 "next keys fetch measures the offset again"));
        }
    }
    return ClockOffsetJson(*offset);
}

void PrintClockText(const nlohmann::json& c, std::ostream& out) {
    if (!c["offset_s"].is_number()) {
        out << "clock offset: not measured yet (keys fetch, report)\n";
        return;
    }
    out << "clock offset: " << std::showpos << c["offset_s"].get<double>() << std::noshowpos
        << " s against " << c["source"].get<std::string>() << " at "
        << Iso(c["measured_unix"].get<int64_t>()) << "\n";
}

void PrintDaemonText(const nlohmann::json& d, std::ostream& out) {
    if (!d.value("running", false)) {
        out << "daemon: not running\n";
        return;
    }
    out << "daemon: running, pid " << d.value("pid", 0) << "\n";
    const nlohmann::json& s = d["status"];
    if (!s.is_object()) return;
    const auto radio = s.value("radio", nlohmann::json::object());
    const auto clock = s.value("clock", nlohmann::json::object());
    const auto c = s.value("counters", nlohmann::json::object());
    out << "radio: " << radio.value("description", std::string("?"))
        << (radio.value("advertising", false) ? ", advertising" : "")
        << (radio.value("scanning", false) ? ", scanning" : "")
        << ", controller resets " << radio.value("controller_resets", 0) << "\n";
    out << "clock: " << clock.value("state", std::string("?"))
        << (clock.value("ntp_synchronised", false) ? ", NTP synchronised" : ", not NTP synchronised")
        << (clock.value("require_ntp_sync", false) ? " (required)" : "") << "\n";
    out << "interval: " << s.value("interval", 0) << ", last rotation "
        << Iso(s.value("last_rotation_unix", int64_t{0})) << "\n";
    out << "counters: adverts_heard=" << c.value("adverts_heard", 0)
        << " sightings_stored=" << c.value("sightings_stored", 0)
        << " rotations=" << c.value("rotations", 0)
        << " dropped_writes=" << c.value("dropped_writes", 0) << "\n";
}

// "store: N day(s), B bytes" as `jejak store status` measures it now, with the running
// daemon's last flush.
void PrintStoreText(const nlohmann::json& view, std::ostream& out) {
    const nlohmann::json& store = view["store"];
    if (!store.is_object()) {
        out << "store: none\n";
        return;
    }
    out << "store: " << store.value("days", 0) << " day(s), " << store.value("bytes_on_disk", 0)
        << " bytes";
    const nlohmann::json& live = view["daemon"]["status"];
    if (view["daemon"].value("running", false) && live.is_object()) {
        const auto published = live.value("store", nlohmann::json::object());
        out << ", last flush " << Iso(published.value("last_flush_unix", int64_t{0}));
    }
    out << "\n";
}

// A name taken from daemon-status.json (a file, so untrusted) when it is a plain metric
// name part; anything else is left out.
bool PlainName(const std::string& name) {
    return !name.empty() && name.size() <= 64 &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
           });
}

void PrometheusLine(std::ostream& out, const std::string& name, const char* type,
                    const char* help, double value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
        << name << " ";
    if (value == std::floor(value) && std::fabs(value) < 9e15) {
        out << static_cast<long long>(value) << "\n";  // counters stay exact
    } else {
        out << std::setprecision(17) << value << "\n";
    }
}

void PrintPrometheus(const nlohmann::json& view, const CliEnv& env, std::ostream& out) {
    const auto number = [](const nlohmann::json& j, const char* key) -> std::optional<double> {
        if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return std::nullopt;
        return j[key].get<double>();
    };
    PrometheusLine(out, "jejak_device_healthy", "gauge", "1 when nothing needs attention.",
                   view.value("healthy", false) ? 1 : 0);
    PrometheusLine(out, "jejak_device_attention_reasons", "gauge",
                   "Reasons the device needs attention (jejak status names them).",
                   static_cast<double>(view["attention"].size()));
    const nlohmann::json& daemon = view["daemon"];
    PrometheusLine(out, "jejak_device_daemon_running", "gauge", "1 when the daemon holds its lock.",
                   daemon.value("running", false) ? 1 : 0);
    const nlohmann::json live = daemon.value("status", nlohmann::json(nullptr));
    const nlohmann::json counters =
        live.is_object() ? live.value("counters", nlohmann::json::object()) : nlohmann::json::object();
    for (const auto& [key, value] : counters.items()) {
        if (!PlainName(key) || !value.is_number() || value.get<double>() < 0) continue;
        PrometheusLine(out, "jejak_device_" + key + "_total", "counter",
                       "The daemon's counter of the same name (daemon-status.json).",
                       value.get<double>());
    }
    if (auto v = number(live, "updated_unix")) {
        PrometheusLine(out, "jejak_device_status_unix", "gauge",
                       "When the daemon last wrote its status (Unix seconds).", *v);
    }
    if (auto v = number(view["store"], "days")) {
        PrometheusLine(out, "jejak_device_store_days", "gauge", "UTC days held in the store.", *v);
    }
    if (auto v = number(view["store"], "bytes_on_disk")) {
        PrometheusLine(out, "jejak_device_store_bytes", "gauge", "Bytes the store takes on disk.", *v);
    }
    PrometheusLine(out, "jejak_device_exposure_notified", "gauge",
                   "1 while a notified day is still in retention.",
                   view["exposure"].value("notified", false) ? 1 : 0);
    if (auto v = number(view["clock"], "offset_s")) {
        PrometheusLine(out, "jejak_device_clock_offset_seconds", "gauge",
                       "Device clock minus the server's, as last measured.", *v);
    }
    if (auto v = number(view["last_check"], "checked_at")) {
        PrometheusLine(out, "jejak_device_last_check_unix", "gauge",
                       "When the latest exposure check ran (Unix seconds).", *v);
    }
    (void)env;
}

void RunStatus(const StatusArgs& args, CliEnv& env) {
    const bool json = args.json;
    // A configuration `run` would refuse is refused here too, store or not (exit 2).
    if (auto config = LoadConfigDocument(env); !config.ok()) Fail(config.status(), "status");
    std::vector<std::string> attention;
    nlohmann::json exposure, store;
    nlohmann::json daemon = DaemonPart(args, env, attention);
    nlohmann::json check = CheckPart(env, attention, exposure, store);
    nlohmann::json view = {
        {"daemon", daemon},
        {"store", store},
        {"last_check", check},
        {"exposure", exposure},
        {"clock", ClockPart(env, attention)},
        {"next_check", "daily at a randomised time (systemctl list-timers jejak-check.timer)"}};
    view["healthy"] = attention.empty();
    view["attention"] = attention;
    if (args.prometheus) {
        PrintPrometheus(view, env, env.out);
        return;
    }
    if (json) {
        env.out << view.dump(2) << "\n";
    } else {
        PrintDaemonText(view["daemon"], env.out);
        PrintStoreText(view, env.out);
        if (view["last_check"].is_object()) {
            env.out << "last check: " << Iso(view["last_check"].value("checked_at", int64_t{0})) << "\n";
            PrintCheckText(view["last_check"], env.out);
        } else {
            env.out << "last check: none\n";
        }
        PrintExposureText(view["exposure"], env.out);
        PrintClockText(view["clock"], env.out);
        env.out << "next check: " << view["next_check"].get<std::string>() << "\n";
    }
    if (!attention.empty()) {
        std::string reasons;
        for (const std::string& r : attention) reasons += (reasons.empty() ? "" : "; ") + r;
        throw CliError(kExitFailure, "needs attention: " + reasons);
    }
}

}  // namespace

void RegisterStatusCommands(CLI::App& app, CliEnv& env) {
    auto args = std::make_shared<StatusArgs>();
    CLI::App* status = app.add_subcommand("status",
                                          "Show the device: daemon, radio, clock, "
                                          "counters, store, the latest exposure check and "
                                          "every notified day");
    CLI::Option* json = status->add_flag("--json", args->json, "JSON output");
    status->add_flag("--prometheus", args->prometheus,
                     "Prometheus text (node_exporter textfile collector); exit 0 unless misused")
        ->excludes(json);
    status->add_flag("--no-daemon", args->no_daemon,
                     "This device runs no daemon (a sync station): its absence is healthy");
    status->callback([args, &env] { RunStatus(*args, env); });
}

}  // namespace jejak
