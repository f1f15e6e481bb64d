// `jejak status [--json]`: the whole device at a glance.
//   The daemon (running or not, and its pid, from the state dir's instance lock), its live
//   status file (radio, clock state, current interval and last rotation, counters including
//   dropped writes, store health), the latest exposure check (sealed in the store) and the
//   standing exposure (every notified day still in retention, from the exposure ledger,
//   whatever later checks found). Exit 0 when healthy (a new device that has not checked yet
//   is healthy), 1 when something needs attention (stderr names every reason; the view is
//   still printed), 2 for usage errors.
//
//   --json prints one object:
//     { "healthy": bool, "attention": [str...],
//       "daemon": {"running": bool, "pid": int, "status": {...daemon-status.json...} | null},
//       "last_check": {...as `jejak match --json`...} | null,
//       "exposure": {"notified": bool, "days": [{"day", "score_sum", "weighted_duration_sum",
//                                                "first_notified_unix"}]},
//       "clock": {"offset_s": number (device minus server), "measured_unix": int,
//                 "source": str} (null fields before `keys fetch` or `report` measured it),
//       "next_check": str }
//   An offset above 10 minutes needs attention.
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>

#include "agent/check/match_check.h"
#include "agent/check/match_report.h"
#include "agent/cli/cli.h"
#include "agent/cli/cli_status_exposure.h"
#include "agent/config/clock_offset.h"
#include "agent/config/store_config.h"
#include "agent/daemon/daemon_status.h"
#include "agent/daemon/instance_lock.h"

namespace jejak {

namespace {

// A daemon that stopped publishing for this long is stuck even if it holds the lock.
constexpr int64_t kStaleStatusSeconds = 60;

std::string Iso(int64_t unix_s) {
    if (unix_s <= 0) return "never";
    const time_t t = static_cast<time_t>(unix_s);
    struct tm tm_utc = {};
    gmtime_r(&t, &tm_utc);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
    return buf;
}

nlohmann::json ReadDaemonStatus(const std::string& state_dir) {
    std::ifstream in(DaemonStatusPath(state_dir));
    if (!in) return nullptr;
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
    return j.is_object() ? j : nlohmann::json(nullptr);
}

nlohmann::json DaemonPart(CliEnv& env, std::vector<std::string>& attention) {
    const int pid = LockHolderPid(env.state_dir);
    nlohmann::json live = ReadDaemonStatus(env.state_dir);
    nlohmann::json part = {{"running", pid > 0}, {"pid", pid}, {"status", live}};
    if (pid <= 0) {
        attention.push_back("the daemon is not running");
        return part;
    }
    const int64_t now = env.clock.NowUnixMicros() / 1000000;
    if (!live.is_object() || live.value("pid", 0) != pid) {
        attention.push_back("the daemon (pid " + std::to_string(pid) + ") has not published its status");
        return part;
    }
    if (now - live.value("updated_unix", int64_t{0}) > kStaleStatusSeconds) {
        attention.push_back("the daemon's status is stale (last update " +
                            Iso(live.value("updated_unix", int64_t{0})) + ")");
    }
    const auto clock = live.value("clock", nlohmann::json::object());
    if (!clock.value("plausible", false)) {
        attention.push_back(std::string(live.value("on_air", false) ? "not recording: " : "not on air: ") +
                            clock.value("reason", std::string("clock not plausible")));
    }
    const auto counters = live.value("counters", nlohmann::json::object());
    if (const uint64_t dropped = counters.value("dropped_writes", uint64_t{0}); dropped > 0) {
        const std::string cause = counters.value("last_dropped_write", std::string());
        attention.push_back("the daemon dropped " + std::to_string(dropped) +
                            " write(s) since it started" + (cause.empty() ? "" : " (last: " + cause + ")"));
    }
    const int64_t unsync = clock.value("unsynchronised_for_s", int64_t{0});
    const int64_t warn = clock.value("warn_unsynchronised_after_s", int64_t{0});
    if (!clock.value("require_ntp_sync", false) && warn > 0 && unsync >= warn) {
        attention.push_back("the clock has not been NTP-synchronised for " + std::to_string(unsync) +
                            " s (clock.warn_unsynchronised_after_s = " + std::to_string(warn) +
                            "): a clock hours off matches nothing");
    }
    return part;
}

// The latest check and, in `exposure`, the standing notified days. A device that has not
// checked yet (no store, or no check in it) is not a reason for attention.
nlohmann::json CheckPart(CliEnv& env, std::vector<std::string>& attention,
                         nlohmann::json& exposure) {
    exposure = NoExposure();
    if (!SqliteStore::Exists(env.state_dir)) return nullptr;
    auto store = OpenConfiguredStore(env, env.clock, /*create=*/false);
    if (!store.ok()) {
        if (store.status().IsInvalidArgument()) Fail(store.status(), "status");
        attention.push_back(store.status().message());
        return nullptr;
    }
    exposure = StatusExposure(**store, attention);
    auto check = LoadLatestCheckResult(**store);
    if (!check.ok()) {
        if (!check.status().IsNotFound()) attention.push_back(check.status().message());
        return nullptr;
    }
    CheckAttention(*check, attention);
    return *check;
}

// The last measured offset from a server's clock (null fields: never measured).
nlohmann::json ClockPart(CliEnv& env, std::vector<std::string>& attention) {
    auto offset = LoadClockOffset(env.state_dir);
    if (!offset.ok()) {
        attention.push_back(offset.status().message());
        return ClockOffsetJson(std::nullopt);
    }
    if (*offset) {
        if (auto why = ClockOffsetAttention(**offset)) attention.push_back(*why);
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
    const auto store = s.value("store", nlohmann::json::object());
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
    out << "store: " << store.value("days", 0) << " day(s), " << store.value("bytes_on_disk", 0)
        << " bytes, last flush " << Iso(store.value("last_flush_unix", int64_t{0})) << "\n";
}

void RunStatus(bool json, CliEnv& env) {
    // A configuration `run` would refuse is refused here too, store or not (exit 2).
    if (auto config = LoadConfigDocument(env); !config.ok()) Fail(config.status(), "status");
    std::vector<std::string> attention;
    nlohmann::json exposure;
    nlohmann::json daemon = DaemonPart(env, attention);
    nlohmann::json check = CheckPart(env, attention, exposure);
    nlohmann::json view = {
        {"daemon", daemon},
        {"last_check", check},
        {"exposure", exposure},
        {"clock", ClockPart(env, attention)},
        {"next_check", "daily at a randomised time (systemctl list-timers jejak-check.timer)"}};
    view["healthy"] = attention.empty();
    view["attention"] = attention;
    if (json) {
        env.out << view.dump(2) << "\n";
    } else {
        PrintDaemonText(view["daemon"], env.out);
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
    auto json = std::make_shared<bool>(false);
    CLI::App* status = app.add_subcommand("status",
                                          "Show the device: daemon, radio, clock, "
                                          "counters, store, the latest exposure check and "
                                          "every notified day");
    status->add_flag("--json", *json, "JSON output");
    status->callback([json, &env] { RunStatus(*json, env); });
}

}  // namespace jejak
