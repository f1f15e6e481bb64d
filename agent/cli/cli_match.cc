// `jejak match` and `jejak status` (matching and risk scoring).
//   jejak match --keys FILE... [--pubkey PEM] [--now UNIX_S] [--threads N] [--json]
//     Offline exposure check: export files (copied by a sync station or fetched by `keys
//     fetch`) are verified against the configured public keys ("diagnosis.public_keys", or
//     --pubkey), matched against the sightings in the store, scored with the "risk" config,
//     recorded (sealed in the store and in <state-dir>/exposure-status.json) and, above the
//     threshold, handed to the "notify" hook. Keys are matched on N worker threads (default:
//     one per online CPU); on a terminal, stderr shows a progress line. Exit 0 when the
//     check ran (exposed or not), 1 when a file fails verification or the store cannot be
//     read, 2 for usage/config.
//   jejak status [--json]
//     The latest check: the clear status file says which sealed result it is, the store
//     (opened as `jejak match` opens it) gives the scores. Exit 1 when no check has run yet
//     or the store cannot be read.
#include <unistd.h>

#include <memory>
#include <random>

#include "agent/cli/cli.h"
#include "agent/config/config.h"
#include "agent/diagnosis/key_fetch.h"
#include "agent/check/match_check.h"
#include "agent/config/store_config.h"
#include "platform/base/clock.h"
#include "platform/base/progress.h"

namespace jejak {
namespace {

struct MatchArgs {
    std::vector<std::string> files;
    std::string pubkey;
    int64_t now = 0;
    unsigned threads = 0;  // 0: one per online CPU
    bool json = false;
};

template <typename T>
T OrUsage(Result<T> r, const std::string& what) {
    if (!r.ok()) throw CliError(kExitUsage, what + ": " + r.status().message());
    return std::move(r).value();
}

ExportKeyRing LoadRing(const MatchArgs& args, CliEnv& env) {
    if (!args.pubkey.empty()) {
        ExportKeyRing ring;
        Status s = ring.AddPemFile("", "", args.pubkey);
        if (!s.ok()) throw CliError(kExitUsage, "--pubkey: " + s.message());
        return ring;
    }
    auto section = OrUsage(LoadConfigSection(env, "diagnosis"), "config");
    DiagnosisConfig diagnosis = OrUsage(ParseDiagnosisConfig(section, env.state_dir), "config");
    if (diagnosis.ring.empty()) {
        throw CliError(kExitUsage,
                       "no public keys: set diagnosis.public_keys in the config or use --pubkey");
    }
    return std::move(diagnosis.ring);
}

void PrintText(const nlohmann::json& s, std::ostream& out) {
    out << "checked " << s.value("files", 0) << " file(s), " << s.value("keys", 0) << " keys: "
        << s.value("matched_keys", 0) << " matched, " << s.value("exposed_keys", 0)
        << " with exposure windows (" << s.value("exposure_windows", 0) << " windows)\n";
    for (const auto& d : s.value("daily_summaries", nlohmann::json::array())) {
        out << "  " << d.value("date", "?") << "  score_sum=" << d.value("score_sum", 0.0)
            << " max=" << d.value("maximum_score", 0.0)
            << " weighted_duration_s=" << d.value("weighted_duration_sum", 0.0) << "\n";
    }
    if (s.value("notify", false)) {
        out << "EXPOSED: " << s.value("exposure_date", "?") << " score "
            << s.value("exposure_score", 0.0) << "\n";
    } else {
        out << "no exposure above the threshold\n";
    }
    const auto hook = s.value("hook", nlohmann::json::object());
    if (hook.value("ran", false) && !hook.value("ok", false)) {
        out << "notify hook failed: " << hook.value("error", "?") << "\n";
    }
}

void RunMatch(const MatchArgs& args, CliEnv& env) {
    const RiskConfig risk = OrUsage(ParseRiskConfig(OrUsage(LoadConfigSection(env, "risk"), "config")), "config");
    const NotifyConfig notify =
        OrUsage(ParseNotifyConfig(OrUsage(LoadConfigSection(env, "notify"), "config")), "config");
    const ExportKeyRing ring = LoadRing(args, env);
    auto store = OpenConfiguredStore(env, env.clock, /*create=*/false);
    if (!store.ok()) throw CliError(ExitCodeFor(store.status()), store.status().message());
    ReadReport read;
    auto records = LoadSightingRecords(**store, &read);
    if (!records.ok()) throw CliError(kExitFailure, records.status().message());
    if (!read.clean()) {
        env.err << "jejak: skipped " << read.problems.size() << " corrupt sighting row(s)\n";
    }
    CheckInputs inputs;
    inputs.files = args.files;
    inputs.ring = &ring;
    inputs.now = args.now > 0 ? args.now : env.clock.NowUnixMicros() / 1000000;
    inputs.index_seed = std::random_device{}() | uint64_t{std::random_device{}()} << 32;
    inputs.threads = args.threads;
    ProgressReporter progress(env.err, IsTerminal(STDERR_FILENO), env.clock, "matching", "keys");
    inputs.progress = &progress;
    auto report = RunExposureCheck(inputs, *records, risk);
    if (!report.ok()) throw CliError(ExitCodeFor(report.status()), report.status().message());
    auto status = RecordExposureCheck(*report, risk, notify, **store, env.state_dir);
    if (!status.ok()) throw CliError(kExitFailure, status.status().message());
    if (args.json) {
        env.out << status->dump(2) << "\n";
    } else {
        PrintText(*status, env.out);
    }
}

void RunStatus(bool json, CliEnv& env) {
    auto clear = ReadStatusFile(env.state_dir);
    if (!clear.ok()) throw CliError(kExitFailure, clear.status().message());
    auto store = OpenConfiguredStore(env, env.clock, /*create=*/false);
    if (!store.ok()) throw CliError(ExitCodeFor(store.status()), store.status().message());
    auto status = LoadCheckResult(**store, *clear);
    if (!status.ok()) throw CliError(kExitFailure, status.status().message());
    if (json) {
        env.out << status->dump(2) << "\n";
        return;
    }
    env.out << "last check: " << status->value("checked_at", int64_t{0}) << " (Unix seconds)\n";
    PrintText(*status, env.out);
}

}  // namespace

void RegisterMatchCommands(CLI::App& app, CliEnv& env) {
    auto args = std::make_shared<MatchArgs>();
    CLI::App* match = app.add_subcommand("match", "Check diagnosis key exports against the store");
    match->add_option("--keys", args->files, "Export files (export.zip or export.bin)")
        ->required()
        ->check(CLI::ExistingFile);
    match->add_option("--pubkey", args->pubkey, "PEM public key (instead of diagnosis.public_keys)");
    match->add_option("--now", args->now, "Evaluate as of this Unix time (replaying old data)")
        ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
    match->add_option("--threads", args->threads, "Matching threads (0: one per online CPU)")
        ->check(CLI::Range(0u, 1024u));
    match->add_flag("--json", args->json, "JSON output");
    match->callback([args, &env] { RunMatch(*args, env); });

    auto json = std::make_shared<bool>(false);
    CLI::App* status = app.add_subcommand("status", "Show the latest exposure check");
    status->add_flag("--json", *json, "JSON output");
    status->callback([json, &env] { RunStatus(*json, env); });
}

}  // namespace jejak
