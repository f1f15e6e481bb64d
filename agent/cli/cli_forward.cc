// `jejak authority ...`: the pilot authority is its own program and package
// (jejak-authority), so a device's `jejak` carries no server. This group keeps the command
// line contract `jejak [--state-dir D] [--config F] authority COMMAND ...` by running
// `jejak-authority [--state-dir D] [--config F] COMMAND ...` in this process's place.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "agent/cli/cli.h"

namespace jejak {
namespace {

constexpr char kAuthorityProgram[] = "jejak-authority";

[[noreturn]] void FailToStart(const std::string& program, const std::string& why) {
    // Not a usage error: the command line was right, this machine lacks the program (1).
    throw CliError(kExitFailure, "'jejak authority' needs the " + program + " program (package " +
                                     program + "): " + why);
}

}  // namespace

int ExecProgram(const std::string& program, const std::vector<std::string>& args, CliEnv& env) {
    std::vector<std::string> words{program};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    env.out.flush();
    env.err.flush();
    std::cout.flush();

    // Beside this executable first (/usr/bin, or a build tree's bin/), so a `jejak` runs the
    // authority of its own installation; then PATH.
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const std::string beside = (self.parent_path() / program).string();
        if (::access(beside.c_str(), F_OK) == 0) {
            ::execv(beside.c_str(), argv.data());
            FailToStart(program, "cannot run " + beside + ": " + std::strerror(errno));
        }
    }
    ::execvp(program.c_str(), argv.data());
    if (errno == ENOENT) {
        FailToStart(program, "it is not installed (not beside " +
                                 (ec ? std::string("this jejak") : self.string()) +
                                 ", not on PATH)");
    }
    FailToStart(program, std::string("cannot run it from PATH: ") + std::strerror(errno));
}

void RegisterForwardedCommands(CLI::App& app, CliEnv& env) {
    CLI::App* a = app.add_subcommand(
        "authority",
        "Pilot health-authority server (init, issue-code, serve, export): runs jejak-authority, "
        "package jejak-authority");
    // Everything after `authority`, options and --help included, belongs to jejak-authority:
    // nothing is parsed here or handed up to the global options.
    a->prefix_command();
    a->fallthrough(false);
    a->set_help_flag();
    a->callback([a, &env] {
        std::vector<std::string> args;
        if (env.state_dir_given) args.insert(args.end(), {"--state-dir", env.state_dir});
        if (env.config_path_given) args.insert(args.end(), {"--config", env.config_path});
        const std::vector<std::string> rest = a->remaining();
        args.insert(args.end(), rest.begin(), rest.end());
        if (!env.run_program) {
            throw CliError(kExitFailure, "'jejak authority' cannot run " +
                                             std::string(kAuthorityProgram) + " from here");
        }
        env.exit_code = env.run_program(kAuthorityProgram, args, env);
    });
}

}  // namespace jejak
