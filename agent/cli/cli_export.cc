// `jejak export inspect` and `jejak keys fetch` (diagnosis key files).
//
// fetch: exit 0 when every new file verified, 1 when a file was rejected or the server could
// not be reached, 2 for a bad configuration.
// inspect: exit 0 when the file parses (and, with --pubkey, verifies), 1 when the signature
// is invalid or missing, 2 for unreadable or malformed input.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "agent/cli/cli.h"
#include "agent/config/config.h"
#include "agent/diagnosis/export_json.h"
#include "agent/diagnosis/export_verify.h"
#include "agent/diagnosis/key_fetch.h"
#include "platform/base/clock.h"
#include "platform/base/progress.h"

namespace jejak {
namespace {

struct InspectArgs {
    std::string file;
    std::string pubkey;
    bool json = false;
};

void RunInspect(const InspectArgs& args, CliEnv& env) {
    ExportKeyRing ring;
    ExportReadOptions options;
    if (!args.pubkey.empty()) {
        Status s = ring.AddPemFile("", "", args.pubkey);
        if (!s.ok()) throw CliError(kExitUsage, "--pubkey: " + s.message());
        options.ring = &ring;
    }
    Result<LoadedExport> loaded = LoadExport(args.file, options);
    if (!loaded.ok()) throw CliError(kExitUsage, loaded.status().message());
    const ExportSummary& summary = loaded->summary;
    if (args.json) {
        env.out << ExportToJson(args.file, summary, &loaded->file)
                       .dump(1, ' ', false, nlohmann::json::error_handler_t::replace)
                << "\n";
    } else {
        PrintExportSummary(env.out, args.file, summary);
    }
    const SignatureCheck check = summary.verdict.check;
    if (check == SignatureCheck::kInvalid || check == SignatureCheck::kMissing) {
        throw CliError(kExitFailure,
                       args.file + ": signature " + std::string(SignatureCheckName(check)) +
                           (summary.verdict.reason.empty() ? "" : ": " + summary.verdict.reason));
    }
}

void RegisterInspect(CLI::App& app, CliEnv& env) {
    CLI::App* exp = app.add_subcommand("export", "Diagnosis key export files");
    exp->require_subcommand(1);
    auto args = std::make_shared<InspectArgs>();
    CLI::App* inspect = exp->add_subcommand(
        "inspect", "Show an export file's header, key counts and signature verdict");
    inspect->add_option("file", args->file, "export.zip or bare export.bin")->required();
    inspect->add_option("--pubkey", args->pubkey,
                        "PEM public key to verify export.sig with (any key id/version)");
    inspect->add_flag("--json", args->json, "JSON output including every key");
    inspect->callback([args, &env] { RunInspect(*args, env); });
}

void RunFetch(CliEnv& env) {
    Result<nlohmann::json> section = LoadConfigSection(env, "diagnosis");
    if (!section.ok()) throw CliError(kExitUsage, section.status().message());
    Result<DiagnosisConfig> config = ParseDiagnosisConfig(*section, env.state_dir);
    if (!config.ok()) throw CliError(kExitUsage, config.status().message());
    HttpClientOptions http_options;
    http_options.allow_http_loopback = config->allow_http_loopback;
    std::unique_ptr<HttpClient> http = NewCurlHttpClient(http_options);
    SystemClock clock;
    ProgressReporter progress(env.err, IsTerminal(STDERR_FILENO), clock, "fetching", "files");
    KeyFetcher fetcher(*config, *http, env.state_dir + "/diagnosis-fetch-state.json", &progress);
    Result<FetchReport> report = fetcher.Run();
    if (!report.ok()) {
        throw CliError(report.status().IsInvalidArgument() ? kExitUsage : kExitFailure,
                       report.status().message());
    }
    if (report->index_not_modified) env.out << "index not modified\n";
    for (const std::string& entry : report->accepted) env.out << "accepted " << entry << "\n";
    for (const std::string& why : report->rejected) env.out << "rejected " << why << "\n";
    env.out << report->accepted.size() << " new, " << report->rejected.size() << " rejected, "
            << report->already_present << " already present in " << config->download_dir << "\n";
    if (!report->rejected.empty()) {
        throw CliError(kExitFailure, std::to_string(report->rejected.size()) +
                                         " downloaded file(s) failed verification");
    }
}

void RegisterFetch(CLI::App& keys, CliEnv& env) {
    CLI::App* fetch = keys.add_subcommand(
        "fetch", "Download new diagnosis key exports (config section \"diagnosis\")");
    fetch->callback([&env] { RunFetch(env); });
}

}  // namespace

void RegisterExportCommands(CLI::App& app, CLI::App& keys, CliEnv& env) {
    RegisterInspect(app, env);
    RegisterFetch(keys, env);
}

}  // namespace jejak
