// The `jejak` command line: one binary, subcommands registered per command group.
//
// Each group lives in its own cli_<group>.cc and adds its subcommands to the CLI11 app.
// Handlers print to env.out / env.err (so tests can run commands in-process) and report
// failure by throwing CliError with the exit code; exceptions never leave RunCli.
#pragma once

#include <CLI/CLI.hpp>

#include <ostream>
#include <stdexcept>
#include <string>

namespace jejak {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and found a problem
inline constexpr int kExitUsage = 2;    // bad arguments or malformed input

struct CliEnv {
    std::ostream& out;
    std::ostream& err;
    // Where the encrypted store and key files live (--state-dir, default /var/lib/jejak).
    std::string state_dir = "/var/lib/jejak";
    // JSON configuration file (--config, default /etc/jejak/config.json). A missing file at
    // the default path means built-in defaults; see config.h.
    std::string config_path = "/etc/jejak/config.json";
    bool config_path_given = false;
};

// Thrown by command handlers: RunCli prints "jejak: <message>" on stderr and returns code.
class CliError : public std::runtime_error {
public:
    CliError(int exit_code, const std::string& message)
        : std::runtime_error(message), exit_code_(exit_code) {}
    int exit_code() const { return exit_code_; }

private:
    int exit_code_;
};

// Parses argv and runs the selected command. Returns the process exit code.
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// Command groups (one file each). `keys` is shared: derive here, fetch with diagnosis.
void RegisterKeysCommands(CLI::App& keys, CliEnv& env);       // cli_keys.cc
void RegisterStoreCommands(CLI::App& app, CliEnv& env);       // cli_store.cc
void RegisterRadioCommands(CLI::App& app, CliEnv& env);       // cli_radio.cc
void RegisterExportCommands(CLI::App& app, CLI::App& keys, CliEnv& env);  // cli_export.cc
void RegisterMatchCommands(CLI::App& app, CliEnv& env);       // cli_match.cc
void RegisterRunCommands(CLI::App& app, CLI::App& keys, CliEnv& env);  // cli_run.cc
void RegisterAuthorityCommands(CLI::App& app, CliEnv& env);   // cli_authority.cc

}  // namespace jejak
