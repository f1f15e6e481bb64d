// `jejak run`: the daemon's main job.
//   jejak run [--radio SPEC] [--duration S] [--tx-power DBM] [--scan-window S]
//     Opens (or creates) the store in --state-dir, keeps today's TEK, advertises and rotates,
//     scans and stores sightings (agent/daemon/daemon.h) until SIGINT/SIGTERM or --duration
//     (agent/daemon/run_loop.h). One line per event on stdout, never key material. Exit 0 on
//     a clean stop, 1 on a radio or store failure, 2 on a usage error.
#include <memory>

#include "agent/cli/cli.h"
#include "agent/config/config.h"
#include "agent/config/store_config.h"
#include "agent/daemon/daemon.h"
#include "agent/daemon/run_loop.h"
#include "crypto/random.h"
#include "platform/radio_spec/radio_spec.h"

namespace jejak {
namespace {

struct RunArgs {
    std::string radio;
    double duration_s = 0;  // 0: until a signal
    int tx_power_dbm = -15;
    int scan_window_s = 5;
};

void RunDaemon(const RunArgs& args, CliEnv& env) {
    Result<std::string> spec = ConfiguredRadioSpec(env, args.radio, "run");
    if (!spec.ok()) Fail(spec.status(), "run");
    Result<SqliteStoreOptions> store_options = LoadStoreOptions(env);
    if (!store_options.ok()) Fail(store_options.status(), "run");
    const int64_t flush_interval_s = store_options->flush_interval_s;
    FailIfError(SystemRandom::Init(), "run");
    auto store = OpenConfiguredStore(std::move(store_options).value(), env.clock, /*create=*/true);
    if (!store.ok()) Fail(store.status(), "run");
    RadioOptions radio_options;
    if (!env.real_time) radio_options.sim_poll_ms = 0;  // the loop below polls
    if (auto section = LoadConfigSection(env, "radio"); section.ok()) {
        const auto it = section->find("allow_shared_advertising");
        if (it != section->end() && !it->is_boolean()) {
            throw CliError(kExitUsage, "config radio.allow_shared_advertising: true or false");
        }
        if (it != section->end()) radio_options.allow_shared_advertising = it->get<bool>();
    }
    auto radio = OpenRadio(*spec, env.clock, radio_options);
    if (!radio.ok()) Fail(radio.status(), "run --radio " + *spec);
    DaemonOptions options;
    options.tx_power_dbm = static_cast<int8_t>(args.tx_power_dbm);
    options.scan_window_s = args.scan_window_s;
    options.flush_interval_s = flush_interval_s;
    SystemRandom random;
    StopSignals signals;
    {
        Daemon daemon(**radio, env.clock, **store, random, options, env.out);
        FailIfError(daemon.Start(), "run");
        RunLoopOptions loop;
        loop.duration_s = args.duration_s;
        FailIfError(RunDaemonLoop(daemon, **radio, env.clock, loop), "run");
        FailIfError(daemon.Stop(), "run: stop");
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
    run->callback([run_args, &env] { RunDaemon(*run_args, env); });
}

}  // namespace jejak
