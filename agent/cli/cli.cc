// Top-level CLI: global options, command groups, error-to-exit-code mapping.
#include "agent/cli/cli.h"

#include <exception>

namespace jejak {
namespace {

// CLI11 errors are multi-line; field testers and scripts want one line and exit code 2.
int ReportParseError(const CLI::ParseError& e, CLI::App& app, CliEnv& env) {
    if (e.get_exit_code() == 0) {  // --help and friends
        app.exit(e, env.out, env.err);
        return kExitOk;
    }
    env.err << "jejak: " << e.what() << "\n";
    return kExitUsage;
}

int Run(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
        const Clock& clock, bool real_time) {
    CliEnv env(out, err, clock, real_time);
    CLI::App app{"Jejak: privacy-first Bluetooth LE exposure notification agent (GAEN v1.2)",
                 "jejak"};
    app.require_subcommand(1);
    app.option_defaults()->always_capture_default();
    app.add_option("--state-dir", env.state_dir, "Directory of the encrypted store")
        ->capture_default_str();
    app.add_option("--config", env.config_path, "JSON configuration file")
        ->capture_default_str()
        ->each([&env](const std::string&) { env.config_path_given = true; });

    RegisterKeysCommands(app, env);
    RegisterStoreCommands(app, env);
    RegisterScanCommands(app, env);
    RegisterExportCommands(app, env);
    RegisterMatchCommands(app, env);
    RegisterRunCommands(app, env);
    RegisterEvalCommands(app, env);
    RegisterAuthorityCommands(app, env);
    RegisterReportCommands(app, env);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return ReportParseError(e, app, env);
    } catch (const CliError& e) {
        err << "jejak: " << e.what() << "\n";
        return e.exit_code();
    } catch (const std::exception& e) {
        err << "jejak: internal error: " << e.what() << "\n";
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace

int ExitCodeFor(const Status& status) {
    return status.IsInvalidArgument() ? kExitUsage : kExitFailure;
}

void Fail(const Status& status, const std::string& context) {
    throw CliError(ExitCodeFor(status), context + ": " + status.message());
}

void FailIfError(const Status& status, const std::string& context) {
    if (!status.ok()) Fail(status, context);
}

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    SystemClock clock;
    return Run(argc, argv, out, err, clock, /*real_time=*/true);
}

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
           const Clock& clock) {
    return Run(argc, argv, out, err, clock, /*real_time=*/false);
}

}  // namespace jejak
