// `jejak run` (the daemon's main job) and `jejak keys export` (the device's own TEKs as a
// signed export, for field tests and demos).
//   jejak run [--radio SPEC] [--duration S] [--tx-power DBM] [--scan-window S]
//     Opens (or creates) the store in --state-dir, keeps today's TEK, advertises and rotates,
//     scans and stores sightings (daemon.h) until SIGINT/SIGTERM or --duration. One line per
//     event on stdout, never key material. Exit 0 on a clean stop, 1 on a radio or store
//     failure, 2 on a usage error.
//   jejak keys export --out FILE.zip --signing-key PEM [--key-id ID] [--key-version V]
//                     [--days N]
//     Writes the stored TEKs of the last N days (default 14, today included) as export.zip
//     signed with ECDSA P-256; prints only how many keys it wrote.
#include <csignal>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "agent/cli/cli.h"
#include "agent/config/config.h"
#include "agent/daemon/daemon.h"
#include "agent/diagnosis/export_write.h"
#include "agent/config/store_config.h"
#include "platform/radio_spec/radio_spec.h"

namespace jejak {
namespace {

volatile std::sig_atomic_t g_stop_requested = 0;

extern "C" void RequestStop(int) { g_stop_requested = 1; }

// Installs SIGINT/SIGTERM handlers for its lifetime and restores the previous ones.
class StopSignals {
public:
    StopSignals() {
        g_stop_requested = 0;
        struct sigaction sa = {};
        sa.sa_handler = RequestStop;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
    }
    ~StopSignals() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

private:
    struct sigaction old_int_ = {};
    struct sigaction old_term_ = {};
};

struct RunArgs {
    std::string radio;
    double duration_s = 0;  // 0: until a signal
    int tx_power_dbm = -15;
    int scan_window_s = 5;
};

std::string RadioSpecOf(const RunArgs& args, CliEnv& env) {
    if (!args.radio.empty()) return args.radio;
    auto section = LoadConfigSection(env, "radio");
    if (!section.ok()) throw CliError(kExitUsage, section.status().message());
    if (section->contains("spec") && (*section)["spec"].is_string()) {
        return (*section)["spec"].get<std::string>();
    }
    throw CliError(kExitUsage, "run: no radio given (--radio SPEC or \"radio\": {\"spec\": ...})");
}

void OrFail(const Status& s, const std::string& what) {
    if (!s.ok()) throw CliError(kExitFailure, what + ": " + s.ToString());
}

void RunLoop(Daemon& daemon, const RunArgs& args) {
    const auto end = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<int64_t>(args.duration_s * 1000));
    while (g_stop_requested == 0 &&
           (args.duration_s <= 0 || std::chrono::steady_clock::now() < end)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        Status s = daemon.Tick();
        if (!s.ok()) {
            (void)daemon.Stop();
            OrFail(s, "run");
        }
    }
}

void RunDaemon(const RunArgs& args, CliEnv& env) {
    const std::string spec = RadioSpecOf(args, env);
    auto store_options = LoadStoreOptions(env);
    if (!store_options.ok()) throw CliError(kExitUsage, store_options.status().message());
    OrFail(SystemRandom::Init(), "run");
    SystemClock clock;
    auto store = OpenConfiguredStore(env, clock, /*create=*/true);
    if (!store.ok()) {
        const int code = store.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
        throw CliError(code, "run: " + store.status().message());
    }
    auto radio = OpenRadio(spec, clock);
    if (!radio.ok()) {
        const int code = radio.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
        throw CliError(code, "run --radio " + spec + ": " + radio.status().message());
    }
    DaemonOptions options;
    options.tx_power_dbm = static_cast<int8_t>(args.tx_power_dbm);
    options.scan_window_s = args.scan_window_s;
    options.flush_interval_s = store_options->flush_interval_s;
    SystemRandom random;
    StopSignals signals;
    Status closed;
    {
        Daemon daemon(**radio, clock, **store, random, options, env.out);
        OrFail(daemon.Start(), "run");
        RunLoop(daemon, args);
        OrFail(daemon.Stop(), "run: stop");
    }
    OrFail((*store)->Close(), "run: closing the store");
}

struct ExportArgs {
    std::string out;
    std::string signing_key;
    std::string key_id = "jejak-demo";
    std::string key_version = "v1";
    int days = kDefaultRetentionDays;
};

EcdsaP256PrivateKey LoadSigningKey(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw CliError(kExitUsage, "--signing-key " + path + ": cannot read");
    std::stringstream text;
    text << in.rdbuf();
    std::string pem = text.str();
    auto key = EcdsaP256PrivateKey::FromPem(pem);
    SecureZero(pem.data(), pem.size());
    if (!key.ok())
        throw CliError(kExitUsage, "--signing-key " + path + ": " + key.status().message());
    return std::move(key).value();
}

void RunExport(const ExportArgs& args, CliEnv& env) {
    const EcdsaP256PrivateKey key = LoadSigningKey(args.signing_key);
    SystemClock clock;
    auto store = OpenConfiguredStore(env, clock, /*create=*/false);
    if (!store.ok()) {
        const int code = store.status().IsInvalidArgument() ? kExitUsage : kExitFailure;
        throw CliError(code, "keys export: " + store.status().message());
    }
    const int64_t now_s = clock.NowUnixMicros() / 1000000;
    const UtcDay today = UtcDayOfUnixSeconds(now_s);
    const auto back = static_cast<UtcDay>(args.days - 1);
    const DayRange days{today >= back ? today - back : 0, today};
    std::vector<DiagnosisKey> keys;
    auto read = (*store)->ForEachTek(days, [&keys](const StoredTek& t) {
        DiagnosisKey k;
        k.key = t.tek;
        k.rolling_start_interval_number = t.rolling_start;
        k.rolling_period = t.rolling_period;
        k.report_type = ReportType::kConfirmedTest;
        keys.push_back(std::move(k));
    });
    if (!read.ok()) throw CliError(kExitFailure, "keys export: " + read.status().message());
    ExportWriteOptions options;
    options.key_id = args.key_id;
    options.key_version = args.key_version;
    options.start_timestamp = static_cast<uint64_t>(days.first) * 86400;
    options.end_timestamp = static_cast<uint64_t>(now_s);
    OrFail(WriteSignedExport(args.out, keys, key, options), "keys export");
    env.out << "exported " << keys.size() << " keys (" << args.days << " days) to " << args.out
            << "\n";
    if (!read->clean()) {
        env.out << "skipped " << read->problems.size() << " unreadable key rows\n";
    }
}

}  // namespace

void RegisterRunCommands(CLI::App& app, CLI::App& keys, CliEnv& env) {
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

    auto export_args = std::make_shared<ExportArgs>();
    CLI::App* out = keys.add_subcommand(
        "export", "Write this device's own TEKs as a signed export.zip (field tests, demos)");
    out->add_option("--out", export_args->out, "Export file to write")->required();
    out->add_option("--signing-key", export_args->signing_key, "PEM ECDSA P-256 private key")
        ->required();
    out->add_option("--key-id", export_args->key_id, "SignatureInfo verification_key_id");
    out->add_option("--key-version", export_args->key_version,
                    "SignatureInfo verification_key_version");
    out->add_option("--days", export_args->days, "Days of keys, today included")
        ->check(CLI::Range(kMinRetentionDays, kMaxRetentionDays));
    out->callback([export_args, &env] { RunExport(*export_args, env); });
}

}  // namespace jejak
