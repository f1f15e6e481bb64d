// The command line core: global options, parse errors, error-to-exit-code mapping.
#include "platform/cli/cli_program.h"

#include <sys/stat.h>

#include <cerrno>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "platform/cli/cli_man.h"
#include "platform/cli/process_memory.h"
#include "platform/sim/sim_clock.h"

namespace jejak {
namespace {

// The deepest command the user named that still needs a subcommand, or null.
CLI::App* MissingSubcommandOf(CLI::App& app) {
    for (CLI::App* sub : app.get_subcommands()) {
        if (CLI::App* deeper = MissingSubcommandOf(*sub)) return deeper;
        return nullptr;
    }
    return app.get_require_subcommand_min() > 0 ? &app : nullptr;
}

std::string CommandPath(const CLI::App& app) {
    std::string path = app.get_name();
    for (const CLI::App* p = app.get_parent(); p != nullptr; p = p->get_parent()) {
        path = p->get_name() + " " + path;
    }
    return path;
}

std::string SubcommandNames(CLI::App& app) {
    std::string names;
    for (const CLI::App* sub : app.get_subcommands({})) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    return names;
}

// "scan: scan: no radio" -> "scan: no radio", "config: config F: ..." -> "config F: ...":
// a context that the message already starts with is said once (and "jejak: " only by the
// caller).
std::string WithoutRepeatedContext(std::string message) {
    for (;;) {
        const size_t colon = message.find(": ");
        if (colon == std::string::npos || colon == 0) return message;
        const std::string context = message.substr(0, colon);
        const std::string rest = message.substr(colon + 2);
        const bool repeated = rest.size() > context.size() &&
                              rest.compare(0, context.size(), context) == 0 &&
                              (rest[context.size()] == ':' || rest[context.size()] == ' ');
        if (context == "jejak" || repeated) {
            message = rest;
            continue;
        }
        return message;
    }
}

// A --config file that is not there is a usage error for every command, also for those that
// read no configuration: "" when it is there (or --config was not given).
std::string MissingConfigError(const CliEnv& env) {
    struct stat st = {};
    if (!env.config_path_given || ::stat(env.config_path.c_str(), &st) == 0 || errno != ENOENT) {
        return {};
    }
    return "--config " + env.config_path + ": no such file";
}

// CLI11 errors are multi-line and say "A subcommand is required" for a missing, unknown or
// misspelt command alike; field testers and scripts want one line that names the command
// (and what was typed) and lists the valid ones, and exit code 2.
int ReportParseError(const CLI::ParseError& e, CLI::App& app, CliEnv& env) {
    if (e.get_exit_code() == 0) {  // --help, --version
        app.exit(e, env.out, env.err);
        return kExitOk;
    }
    if (const std::string missing = MissingConfigError(env); !missing.empty()) {
        env.err << "jejak: " << missing << "\n";  // the first problem: nothing else can work
        return kExitUsage;
    }
    CLI::App* needs = MissingSubcommandOf(app);
    if (needs != nullptr) {
        std::string typed;
        for (const std::string& arg : app.remaining(/*recurse=*/true)) {
            if (!arg.empty() && arg[0] != '-') {
                typed = arg;
                break;
            }
        }
        const std::string path = CommandPath(*needs);
        if (!typed.empty()) {
            env.err << "jejak: unknown command '" << path << " " << typed
                    << "'; valid commands: " << SubcommandNames(*needs) << "\n";
        } else {
            env.err << "jejak: '" << path << "' needs a command: " << SubcommandNames(*needs)
                    << " (see '" << path << " --help')\n";
        }
        return kExitUsage;
    }
    env.err << "jejak: " << e.what() << "\n";
    return kExitUsage;
}

int Run(const CliProgram& program, int argc, const char* const* argv, CliEnv& env) {
    // Commands may hold keys for their whole life: no core dump, no same-user peeking.
    if (Status s = MarkProcessNonDumpable(); !s.ok()) {
        env.err << "jejak: " << s.message() << "\n";
        return kExitFailure;
    }
    CLI::App app{program.description, program.name};
    BuildCliApp(program, app, env);
    // Runs after parsing, before any command.
    app.parse_complete_callback([&env] {
        if (const std::string missing = MissingConfigError(env); !missing.empty()) {
            throw CliError(kExitUsage, missing);
        }
    });
    // Hidden: the man page from these very definitions (cmake/man_page.cmake, build time).
    if (argc == 2 && std::string_view(argv[1]) == "--man-page") {
        env.out << RenderManPage(program, app);
        return kExitOk;
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return ReportParseError(e, app, env);
    } catch (const CliError& e) {
        env.err << "jejak: " << WithoutRepeatedContext(e.what()) << "\n";
        return e.exit_code();
    } catch (const std::exception& e) {
        env.err << "jejak: internal error: " << e.what() << "\n";
        return kExitFailure;
    }
    return env.exit_code;
}

}  // namespace

void BuildCliApp(const CliProgram& program, CLI::App& app, CliEnv& env) {
    app.name(program.name);
    app.description(program.description);
    app.require_subcommand(1);
    // Global options may also follow the subcommand: `jejak store status --state-dir D`.
    app.fallthrough();
    app.set_version_flag("--version", program.name + " " + JEJAK_VERSION);
    app.option_defaults()->always_capture_default();
    env.state_dir = program.default_state_dir;
    env.config_path = program.default_config;
    app.add_option("--state-dir", env.state_dir, program.state_dir_help)
        ->capture_default_str()
        ->each([&env](const std::string&) { env.state_dir_given = true; });
    app.add_option("--config", env.config_path, program.config_help)
        ->capture_default_str()
        ->each([&env](const std::string&) { env.config_path_given = true; });
    program.register_commands(app, env);
}

int ExitCodeFor(const Status& status) {
    return status.IsInvalidArgument() ? kExitUsage : kExitFailure;
}

void Fail(const Status& status, const std::string& context) {
    throw CliError(ExitCodeFor(status), context + ": " + status.message());
}

void FailIfError(const Status& status, const std::string& context) {
    if (!status.ok()) Fail(status, context);
}

int RunCliProgram(const CliProgram& program, int argc, const char* const* argv,
                  std::ostream& out, std::ostream& err, const Clock* clock,
                  ProgramRunner run_program) {
    if (clock != nullptr) {
        CliEnv env(out, err, *clock, /*real_time=*/false);
        env.run_program = std::move(run_program);
        return Run(program, argc, argv, env);
    }
    SystemClock system_clock;
    Result<std::optional<SimClockSpec>> spec = SimClockSpecFromEnvironment();
    if (!spec.ok()) {
        err << "jejak: " << kSimClockEnvironmentVariable << ": " << spec.status().message() << "\n";
        return kExitUsage;
    }
    std::optional<SimClock> simulated;
    if (spec->has_value()) simulated.emplace(**spec, system_clock);
    CliEnv env(out, err, simulated ? static_cast<const Clock&>(*simulated) : system_clock,
               /*real_time=*/true);
    env.sim_clock_rate = simulated ? (*spec)->rate : 0;
    env.sim_clock = *spec;
    env.run_program = std::move(run_program);
    return Run(program, argc, argv, env);
}

}  // namespace jejak
