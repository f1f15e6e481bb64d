// `jejak export inspect`: what a diagnosis key file holds.
//
// Exit 0 when the file parses (and, with --pubkey, verifies), 1 when the signature
// is invalid or missing, 2 for unreadable or malformed input.
#include <memory>

#include "agent/cli/cli.h"
#include "gaen/export/export_json.h"
#include "gaen/export/export_verify.h"

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

}  // namespace

void RegisterExportCommands(CLI::App& app, CliEnv& env) { RegisterInspect(app, env); }

}  // namespace jejak
