// `jejak match` (matching and risk scoring).
//   jejak match (--keys FILE|DIR... | --fetched) [--pubkey PEM] [--now UNIX_S] [--threads N]
//               [--json]
//     A directory (and --fetched: diagnosis.download_dir) is an inbox: only its files not
//     checked yet that verify are matched; the others are reported and skipped, and none is
//     checked twice (agent/check/export_inbox.h). Nothing new: "no new export files", exit 0.
//     Offline exposure check: export files (copied by a sync station or fetched by `keys
//     fetch`) are verified against the configured public keys ("diagnosis.public_keys", or
//     --pubkey), matched against the sightings in the store, scored with the "risk" config,
//     kept in the exposure ledger (sealed in the store, each window expiring with its day),
//     and the daily summaries and decision made over the whole ledger, so exposures found by
//     different checks add up; a newly notified day (or a retracted one) is handed to the
//     "notify" hook once. Keys are matched on N worker threads (default: one per
//     online CPU); on a terminal, stderr shows a progress line. The text output says only
//     "check done" and how much was checked, never the decision, because a service's stdout
//     ends up in the journal; --json prints the full result for a caller that asked for it.
//     Exit 0 when the check ran (exposed or not), 1 when a file fails verification or the
//     store cannot be read, 2 for usage/config.
//   (`jejak status`, cli_status.cc, shows the latest check as part of the device view.)
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>

#include "agent/cli/cli.h"
#include "agent/cli/cli_keyring.h"
#include "agent/config/config.h"
#include "agent/config/exposure_config.h"
#include "agent/diagnosis/key_fetch.h"
#include "agent/check/export_inbox.h"
#include "agent/check/match_check.h"
#include "gaen/export/export_verify.h"
#include "agent/config/store_config.h"
#include "platform/base/clock.h"
#include "platform/base/progress.h"

namespace jejak {
namespace {

struct MatchArgs {
    std::vector<std::string> files;  // export files, or directories used as inboxes
    bool fetched = false;            // the diagnosis.download_dir inbox
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

}  // namespace

void PrintCheckText(const nlohmann::json& s, std::ostream& out) {
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

namespace {

// The files to check: files named on the command line as they are; from each directory
// (and --fetched) the files not checked yet that verify, the others reported and skipped.
std::vector<std::string> CollectFiles(const MatchArgs& args, const ExportKeyRing& ring,
                                      CliEnv& env, std::vector<InboxFile>& handled) {
    std::vector<std::string> dirs;
    std::vector<std::string> files;
    for (const std::string& path : args.files) {
        (std::filesystem::is_directory(path) ? dirs : files).push_back(path);
    }
    if (args.fetched) {
        auto section = OrUsage(LoadConfigSection(env, "diagnosis"), "config");
        dirs.push_back(OrUsage(ParseDiagnosisConfig(section, env.state_dir), "config").download_dir);
    }
    for (const std::string& dir : dirs) {
        auto inbox = ListUncheckedExports(dir, env.state_dir);
        if (!inbox.ok() && inbox.status().IsNotFound() && args.fetched) continue;  // nothing fetched
        if (!inbox.ok()) throw CliError(kExitFailure, inbox.status().message());
        for (InboxFile& f : *inbox) {
            ExportReadOptions verify;
            verify.ring = &ring;
            verify.require_valid_signature = true;
            auto checked = VisitExport(f.path, verify,
                                       [](const DiagnosisKey&, KeyList) { return Status::Ok(); });
            if (checked.ok()) {
                files.push_back(f.path);
            } else {
                env.err << "jejak: skipped " << checked.status().message() << "\n";
            }
            handled.push_back(std::move(f));
        }
    }
    return files;
}

// A check that fails with the store open is remembered for `jejak status`, then reported.
[[noreturn]] void FailCheck(Store& store, int64_t now, const Status& status, int code) {
    (void)RecordCheckFailure(store, now, status.message());
    throw CliError(code, status.message());
}

// Sightings of matched keys that fell outside the time window, mostly on one side: the
// device clock was probably off when they were heard (`sightings` in --json has the counts).
void WarnIfOffset(const nlohmann::json& result, CliEnv& env) {
    const nlohmann::json& s = result.value("sightings", nlohmann::json::object());
    if (!s.value("systematic_offset", false)) return;
    const bool ahead = s.value("drift_rejected_late", 0) > s.value("drift_rejected_early", 0);
    env.err << "jejak: warning: " << s.value("drift_rejected", 0)
            << " sighting(s) of matched keys lie outside the +-"
            << result.value("max_time_skew_minutes", 0) << " min window, the device clock "
            << (ahead ? "ahead of" : "behind") << " the senders': check the clock\n";
}

void RunMatch(const MatchArgs& args, CliEnv& env) {
    if (args.files.empty() && !args.fetched) {
        throw CliError(kExitUsage, "match: give --keys FILE|DIR... or --fetched");
    }
    RiskConfig risk = OrUsage(ParseRiskConfig(OrUsage(LoadConfigSection(env, "risk"), "config")), "config");
    risk.window.max_time_skew_s =
        int64_t{OrUsage(LoadExposureConfig(env), "config").max_time_skew_minutes} * 60;
    const NotifyConfig notify =
        OrUsage(ParseNotifyConfig(OrUsage(LoadConfigSection(env, "notify"), "config")), "config");
    const ExportKeyRing ring = LoadExportRing(args.pubkey, env);
    std::vector<InboxFile> handled;
    const std::vector<std::string> files = CollectFiles(args, ring, env, handled);
    if (files.empty()) {
        FailIfError(MarkExportsChecked(env.state_dir, handled), "match");
        env.out << "no new export files to check\n";
        return;
    }
    auto store = OpenConfiguredStore(env, env.clock, /*create=*/false);
    if (!store.ok()) throw CliError(ExitCodeFor(store.status()), store.status().message());
    ReadReport read;
    auto records = LoadSightingRecords(**store, &read);
    if (!records.ok()) throw CliError(kExitFailure, records.status().message());
    if (!read.clean()) {
        env.err << "jejak: skipped " << read.problems.size() << " corrupt sighting row(s)\n";
    }
    CheckInputs inputs;
    inputs.files = files;
    inputs.ring = &ring;
    inputs.now = args.now > 0 ? args.now : env.clock.NowUnixMicros() / 1000000;
    inputs.index_seed = std::random_device{}() | uint64_t{std::random_device{}()} << 32;
    ReadReport ledger_read;
    if (Status s = LoadCheckHistory(**store, inputs, &ledger_read); !s.ok()) {
        throw CliError(kExitFailure, s.message());
    }
    if (!ledger_read.clean()) {
        env.err << "jejak: skipped " << ledger_read.problems.size()
                << " unreadable exposure ledger record(s); no notification is retracted\n";
    }
    inputs.threads = args.threads;
    ProgressReporter progress(env.err, IsTerminal(STDERR_FILENO), env.clock, "matching", "keys");
    inputs.progress = &progress;
    auto report = RunExposureCheck(inputs, *records, risk);
    if (!report.ok()) FailCheck(**store, inputs.now, report.status(), ExitCodeFor(report.status()));
    auto status = RecordExposureCheck(*report, risk, notify, **store, env.state_dir);
    if (!status.ok()) FailCheck(**store, inputs.now, status.status(), kExitFailure);
    FailIfError(MarkExportsChecked(env.state_dir, handled), "match");
    WarnIfOffset(*status, env);
    if (args.json) {
        env.out << status->dump(2) << "\n";
    } else {
        env.out << "check done: " << status->value("files", 0) << " file(s), "
                << status->value("keys", 0) << " keys; `jejak status` shows the result\n";
    }
}

}  // namespace

void RegisterMatchCommands(CLI::App& app, CliEnv& env) {
    auto args = std::make_shared<MatchArgs>();
    CLI::App* match = app.add_subcommand("match", "Check diagnosis key exports against the store");
    match->add_option("--keys", args->files,
                      "Export files (export.zip or export.bin), or directories: their files "
                      "not checked yet")
        ->check(CLI::ExistingPath);
    match->add_flag("--fetched", args->fetched,
                    "Check the files in diagnosis.download_dir not checked yet (keys fetch)");
    match->add_option("--pubkey", args->pubkey, "PEM public key (instead of diagnosis.public_keys)");
    match->add_option("--now", args->now,
                      "Evaluate as of this Unix time (replaying old data; default: now)")
        ->check(CLI::Range(int64_t{1}, int64_t{1} << 40))
        ->default_str("");
    match->add_option("--threads", args->threads, "Matching threads (0: one per online CPU)")
        ->check(CLI::Range(0u, 1024u));
    match->add_flag("--json", args->json, "JSON output");
    match->callback([args, &env] { RunMatch(*args, env); });
}

}  // namespace jejak
