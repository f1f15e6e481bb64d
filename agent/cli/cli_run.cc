// `jejak run`: the daemon's main job.
//   jejak run [--radio SPEC] [--duration S] [--tx-power DBM] [--scan-window S] [--hci-log FILE]
//     Takes the state dir's instance lock (a second daemon is refused naming the holder's
//     pid), opens (or creates) the store, waits for a plausible clock, then keeps today's
//     TEK, advertises and rotates, scans and stores sightings (agent/daemon/daemon.h) until
//     SIGINT/SIGTERM (flush, exit 0) or --duration; SIGHUP re-reads the "radio" section
//     (duty cycle, TX power). Publishes <state-dir>/daemon-status.json for `jejak status`
//     and, under systemd, READY/WATCHDOG/STATUS notifications. One line per event on stdout
//     (with sd-daemon "<N>" priorities when stdout is the journal), never key material.
//     Exit 0 on a clean stop, 1 on a radio or store failure or a busy state dir, 2 on a
//     usage or configuration error. With JEJAK_SIM_CLOCK (an accelerated simulation clock,
//     platform/sim/sim_clock.h) only a sim: radio is accepted; --duration is then simulated
//     time.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <sstream>

#include "agent/cli/cli.h"
#include "agent/config/config.h"
#include "agent/config/daemon_config.h"
#include "agent/config/radio_config.h"
#include "agent/config/store_config.h"
#include "agent/daemon/daemon.h"
#include "agent/daemon/daemon_status.h"
#include "agent/daemon/instance_lock.h"
#include "agent/daemon/run_loop.h"
#include "agent/daemon/service_notify.h"
#include "agent/daemon/state_handover.h"
#include "agent/clock/trusted_clock.h"
#include "crypto/random.h"
#include "platform/base/unix_user.h"
#include "platform/radio_spec/radio_spec.h"
#include "platform/sim/sim_clock.h"

#ifndef JEJAK_BUILD_DAY_UNIX
#define JEJAK_BUILD_DAY_UNIX 0
#endif

namespace jejak {
namespace {

struct RunArgs {
    std::string radio;
    double duration_s = 0;  // 0: until a signal
    std::optional<int> tx_power_dbm;
    std::optional<int> scan_window_s;
    std::string hci_log;
    bool verbose = false;  // also the routine lines (debug level)
};

RadioConfig LoadRadio(const RunArgs& args, CliEnv& env) {
    Result<RadioConfig> config = LoadRadioConfig(env);
    if (!config.ok()) Fail(config.status(), "run");
    if (!args.radio.empty()) config->spec = args.radio;
    if (config->spec.empty()) {
        throw CliError(kExitUsage, "run: no radio given (--radio SPEC or radio.spec)");
    }
    if (args.tx_power_dbm) config->tx_power_dbm = *args.tx_power_dbm;
    if (args.scan_window_s) config->aggregate_window_s = *args.scan_window_s;
    return std::move(config).value();
}

DaemonReload ReloadOf(const RadioConfig& c) {
    DaemonReload r;
    r.scan = {c.scan_interval_ms, c.scan_window_ms};
    r.tx_power_dbm = static_cast<int8_t>(c.tx_power_dbm);
    r.advertising.max_interval_ms = c.advertising_interval_ms;
    r.advertising.min_interval_ms = std::max<uint32_t>(20, c.advertising_interval_ms * 4 / 5);
    return r;
}

DaemonOptions OptionsOf(const RadioConfig& c, int64_t flush_interval_s, double sim_clock_rate) {
    DaemonOptions o;
    const DaemonReload r = ReloadOf(c);
    o.tx_power_dbm = r.tx_power_dbm;
    o.calibrated_tx_power_dbm = static_cast<int8_t>(c.calibrated_tx_power_dbm);
    o.advertising = r.advertising;
    o.scan = r.scan;
    o.scan_window_s = c.aggregate_window_s;
    o.flush_interval_s = flush_interval_s;
    o.summary_interval_s = c.summary_interval_s;
    // A wearable scans like a phone: one short scan every few minutes, for its battery.
    if (c.profile == "wearable") o.scan_regime = ScanRegime::kDutyCycled;
    o.clock.not_before_unix_s = std::max<int64_t>(JEJAK_BUILD_DAY_UNIX, c.not_before_unix_s);
    o.clock.require_ntp_sync = c.require_ntp_sync;
    o.trust = {c.max_forward_step_s, c.confirm_after_s};
    if (sim_clock_rate > 1) {
        o.clock.step_threshold_micros =
            static_cast<int64_t>(static_cast<double>(kDefaultStepThresholdMicros) * sim_clock_rate);
    }
    return o;
}

std::string StatusLine(const DaemonSnapshot& s) {
    std::ostringstream line;
    if (!s.on_air) {
        line << "waiting for a plausible clock: " << s.clock.reason;
    } else {
        line << "on air, interval " << s.interval << ", heard " << s.counters.adverts_heard
             << ", stored " << s.counters.sightings_stored;
    }
    if (!s.radio_fault.empty()) line << "; radio off air, retrying: " << s.radio_fault;
    if (!s.store_fault.empty()) line << "; store not writable, holding writes: " << s.store_fault;
    return line.str();
}

// Prefixes each log line with an sd-daemon priority when stdout is the journal. Routine lines
// (every flush and rotation: thousands a day on a venue box) are debug level, written only
// with `run --verbose`; the periodic "summary:" line (info) counts them instead.
class JournalLog : public std::stringbuf {
public:
    JournalLog(std::ostream& out, bool prefix, bool verbose)
        : out_(out), prefix_(prefix), verbose_(verbose) {}
    ~JournalLog() override {
        if (!str().empty()) {
            str(str() + "\n");
            sync();
        }
    }
    int sync() override {
        std::string text = str();
        str("");
        size_t start = 0;
        for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
            const std::string line = text.substr(start, nl - start);
            const char* priority = Priority(line);
            if (priority == kDebug && !verbose_) continue;
            if (prefix_) out_ << priority;
            out_ << line << "\n";
        }
        if (start < text.size()) str(text.substr(start));
        out_.flush();
        return 0;
    }

private:
    static constexpr const char* kDebug = "<7>";
    static const char* Priority(const std::string& line) {
        if (line.rfind("waiting:", 0) == 0 || line.rfind("paused:", 0) == 0 ||
            line.rfind("clock:", 0) == 0 || line.rfind("reload failed", 0) == 0 ||
            line.rfind("store: refused", 0) == 0 ||
            line.rfind("privileges: running as root", 0) == 0) {
            return "<4>";  // warning
        }
        if (line.rfind("flushed ", 0) == 0 || line.rfind("rotated:", 0) == 0) return kDebug;
        return "<6>";  // info
    }
    std::ostream& out_;
    bool prefix_;
    bool verbose_;
};

// True when this call created the state dir.
bool EnsureStateDir(const std::string& dir) {
    if (mkdir(dir.c_str(), 0700) == 0) return true;
    if (errno != EEXIST) Fail(Status::FromErrno(errno, "cannot create state dir " + dir), "run");
    return false;
}

// A run that could not open its radio leaves nothing behind: the state dir it created (with
// only its lock file in it) goes again, so no empty store is left to be mistaken for one.
void RemoveCreatedStateDir(const std::string& dir) {
    ::unlink(InstanceLock::PathFor(dir).c_str());
    ::rmdir(dir.c_str());
}

// Root gives up root once the radio (which may need capabilities) is open, before the store
// is: the store's files are then the user's own, as its ownership checks require. Returns
// the log line saying what happened.
std::string DropRoot(const DaemonConfig& daemon, const std::string& state_dir) {
    if (::geteuid() != 0) {
        if (daemon.user.empty()) return {};
        return "privileges: already unprivileged (uid " + std::to_string(::getuid()) +
               "); daemon.user " + daemon.user + " needs no drop";
    }
    if (daemon.user.empty()) {
        return "privileges: running as root: set daemon.user to give up root after opening "
               "the radio";
    }
    Result<UnixUser> user = LookUpUser(daemon.user);
    if (!user.ok()) Fail(user.status().WithContext("daemon.user"), "run");
    FailIfError(HandStateDirTo(state_dir, user->uid, user->gid, user->name), "run");
    FailIfError(DropPrivileges(*user), "run: daemon.user");
    return "privileges: now " + user->name + " (uid " + std::to_string(user->uid) + ", gid " +
           std::to_string(user->gid) + "), root given up after opening the radio";
}

void RunDaemon(const RunArgs& args, CliEnv& env) {
    const RadioConfig config = LoadRadio(args, env);
    Result<DaemonConfig> daemon_config = LoadDaemonConfig(env);
    if (!daemon_config.ok()) throw CliError(kExitUsage, "config: " + daemon_config.status().message());
    Result<SqliteStoreOptions> store_options = LoadStoreOptions(env);
    if (!store_options.ok()) Fail(store_options.status(), "run");
    const int64_t flush_interval_s = store_options->flush_interval_s;
    FailIfError(SystemRandom::Init(), "run");
    Result<RadioSpec> parsed = ParseRadioSpec(config.spec);
    if (!parsed.ok()) Fail(parsed.status(), "run --radio " + config.spec);
    if (env.sim_clock_rate > 0 && parsed->kind != RadioKind::kSim) {
        throw CliError(kExitUsage, "run: JEJAK_SIM_CLOCK (an accelerated simulation clock) "
                                   "needs a sim: radio; " + config.spec + " is not simulated");
    }
    if (!args.hci_log.empty() && parsed->kind == RadioKind::kSim) {
        throw CliError(kExitUsage, "run: --hci-log needs an HCI radio; " + config.spec +
                                       " is simulated and exchanges no HCI packets");
    }
    const bool created = EnsureStateDir(env.state_dir);
    Result<InstanceLock> lock = InstanceLock::Acquire(env.state_dir, "jejak run");
    if (!lock.ok()) Fail(lock.status(), "run");
    RadioOptions radio_options;
    radio_options.hci_log_path = args.hci_log;
    if (!env.real_time) radio_options.sim_poll_ms = 0;  // the loop below polls
    radio_options.allow_shared_advertising = config.allow_shared_advertising;
    auto radio = OpenRadio(config.spec, env.clock, radio_options);
    if (!radio.ok()) {
        if (created) RemoveCreatedStateDir(env.state_dir);
        Fail(radio.status(), "run --radio " + config.spec);
    }
    // The store is opened as the user the daemon runs as, so that its files are that user's.
    const std::string privileges = DropRoot(*daemon_config, env.state_dir);
    // The store sees only trusted time (agent/clock/trusted_clock.h): until the daemon has
    // judged the wall clock, it reads the build date, which ratchets no keyring.
    const DaemonOptions options = OptionsOf(config, flush_interval_s, env.sim_clock_rate);
    TrustedClock store_clock(env.clock, options.clock.not_before_unix_s * 1000000);
    auto store = OpenConfiguredStore(std::move(store_options).value(), store_clock, /*create=*/true);
    if (!store.ok()) Fail(store.status(), "run");
    SystemRandom random;
    StopSignals signals;
    ServiceNotifier notifier;
    JournalLog journal(env.out, LoggingToJournal(), args.verbose);
    std::ostream log(&journal);
    if (!privileges.empty()) log << privileges << std::endl;
    const int64_t started = env.clock.NowUnixMicros() / 1000000;
    {
        DaemonOptions daemon_options = options;
        daemon_options.store_clock = &store_clock;
        // The kernel's flag says nothing about a simulated clock: its spec says (ntp=0|1).
        if (env.sim_clock_rate > 0) {
            auto spec = SimClockSpecFromEnvironment();
            const bool ntp = !spec.ok() || !spec->has_value() || (*spec)->ntp_synchronised;
            daemon_options.ntp_synchronised = [ntp] { return ntp; };
        }
        Daemon daemon(**radio, env.clock, **store, random, daemon_options, log);
        FailIfError(daemon.Start(), "run");
        notifier.Ready(StatusLine(daemon.Snapshot()));
        RunLoopOptions loop;
        loop.duration_s = args.duration_s;
        // On an accelerated simulation clock the status file still changes every few real
        // seconds, not at every tick.
        if (env.sim_clock_rate > 0) loop.publish_every_s *= env.sim_clock_rate;
        bool status_failing = false;
        loop.on_publish = [&] {
            DaemonStatusInputs in;
            in.daemon = daemon.Snapshot();
            in.radio = (*radio)->GetStatus();
            if (auto stats = (*store)->Stats(); stats.ok()) in.store = *stats;
            in.require_ntp_sync = config.require_ntp_sync;
            in.warn_unsynchronised_after_s = config.warn_unsynchronised_after_s;
            in.pid = static_cast<int>(getpid());
            in.started_unix = started;
            in.now_unix = env.clock.NowUnixMicros() / 1000000;
            in.publish_every_s = loop.publish_every_s;
            in.sim_clock = env.sim_clock;
            Status s = WriteDaemonStatus(env.state_dir, DaemonStatusJson(in));
            // One line when writing it starts failing (a full disk), one when it works again.
            if (!s.ok() && !status_failing) log << "status file: " << s.ToString() << std::endl;
            if (s.ok() && status_failing) log << "status file: written again" << std::endl;
            status_failing = !s.ok();
            notifier.KeepAlive(StatusLine(in.daemon));
        };
        loop.on_reload = [&] {
            notifier.Reloading();
            Result<RadioConfig> next = LoadRadioConfig(env);
            Status s = next.ok() ? daemon.Reload(ReloadOf(*next)) : next.status();
            if (!s.ok()) log << "reload failed, keeping the old settings: " << s.ToString() << std::endl;
            notifier.Ready(StatusLine(daemon.Snapshot()));
        };
        Status ran = RunDaemonLoop(daemon, **radio, env.clock, loop);
        notifier.Stopping("stopping: flushing the store");
        FailIfError(ran, "run");
        FailIfError(daemon.Stop(), "run: stop");
        loop.on_publish();
    }
    FailIfError((*store)->Close(), "run: closing the store");
}

}  // namespace

void RegisterRunCommands(CLI::App& app, CliEnv& env) {
    auto run_args = std::make_shared<RunArgs>();
    CLI::App* run = app.add_subcommand(
        "run", "Advertise, rotate, scan and store sightings until SIGINT/SIGTERM or --duration");
    run->add_option("--radio", run_args->radio, "Radio spec (hci0, uart:..., unix:..., sim:...)");
    run->add_option("--duration", run_args->duration_s, "Stop after this many seconds (0: never)")
        ->check(CLI::Range(0.0, 1e9));
    run->add_option("--tx-power", run_args->tx_power_dbm, "Advertised TX power in dBm")
        ->check(CLI::Range(-127, 20));
    run->add_option("--scan-window", run_args->scan_window_s,
                    "Seconds of receptions folded into one sighting per RPI")
        ->check(CLI::Range(1, 60));
    run->add_option("--hci-log", run_args->hci_log,
                    "Write every HCI packet to this new btsnoop file (btmon -r, Wireshark); "
                    "created mode 0600, an existing file or symlink is refused");
    run->add_flag("--verbose", run_args->verbose,
                  "Also log routine events (every store flush and rotation) at debug level; "
                  "without it the periodic summary line counts them");
    run->callback([run_args, &env] { RunDaemon(*run_args, env); });
}

}  // namespace jejak
