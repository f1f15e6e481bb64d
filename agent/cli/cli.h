// The `jejak` command line: one binary, subcommands registered per command group.
//
// Each group lives in its own cli_<group>.cc, named after the group, and adds its
// subcommands to the CLI11 app. Handlers print to env.out / env.err and read time from
// env.clock, so tests run commands in process on a ManualClock; they report failure by
// throwing CliError with the exit code; exceptions never leave RunCli.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <ostream>
#include <stdexcept>
#include <string>

#include "agent/config/config.h"
#include "platform/base/clock.h"
#include "platform/base/status.h"

namespace jejak {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and found a problem
inline constexpr int kExitUsage = 2;    // bad arguments or malformed input

// What every command handler gets: where its files are (ConfigSource: --state-dir,
// --config), its output streams and its clock.
struct CliEnv : ConfigSource {
    CliEnv(std::ostream& out_stream, std::ostream& err_stream, const Clock& cli_clock,
           bool is_real_time)
        : out(out_stream), err(err_stream), clock(cli_clock), real_time(is_real_time) {}

    std::ostream& out;
    std::ostream& err;
    const Clock& clock;
    // False when the clock was injected (tests): waits advance it instead of sleeping, and
    // simulated radios are polled by the command's own loop instead of a thread.
    bool real_time;
    // Simulated seconds per real second when JEJAK_SIM_CLOCK set an accelerated simulation
    // clock (platform/sim/sim_clock.h); 0 when the clock is not simulated. `jejak run`
    // accepts a simulated clock only with a simulated radio.
    double sim_clock_rate = 0;
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

// The one mapping from a failed Status to an exit code: InvalidArgument (bad arguments,
// configuration or input) is a usage error (2); anything else means the command ran and
// found a problem (1).
int ExitCodeFor(const Status& status);
// Throws CliError(ExitCodeFor(status), context + ": " + status.message()).
[[noreturn]] void Fail(const Status& status, const std::string& context);
// Fail(status, context) unless status is OK.
void FailIfError(const Status& status, const std::string& context);

// Parses argv and runs the selected command on the system clock, or on the simulation clock
// that the environment variable JEJAK_SIM_CLOCK describes (platform/sim/sim_clock.h; a
// malformed value is a usage error). Returns the exit code.
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);
// The same on an injected clock (tests): see CliEnv::real_time.
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
           const Clock& clock);

// The text view of an exposure check's JSON (cli_match.cc); `status` shows it too.
void PrintCheckText(const nlohmann::json& check, std::ostream& out);

// Command groups, one file each.
void RegisterKeysCommands(CLI::App& app, CliEnv& env);    // cli_keys.cc: derive, fetch, export
void RegisterStoreCommands(CLI::App& app, CliEnv& env);   // cli_store.cc
void RegisterScanCommands(CLI::App& app, CliEnv& env);    // cli_scan.cc
void RegisterExportCommands(CLI::App& app, CliEnv& env);  // cli_export.cc: export inspect
void RegisterMatchCommands(CLI::App& app, CliEnv& env);   // cli_match.cc: match
void RegisterStatusCommands(CLI::App& app, CliEnv& env);  // cli_status.cc: the device view
void RegisterRunCommands(CLI::App& app, CliEnv& env);     // cli_run.cc
void RegisterEvalCommands(CLI::App& app, CliEnv& env);    // cli_eval.cc
void RegisterAuthorityCommands(CLI::App& app, CliEnv& env);  // cli_authority.cc
void RegisterEncountersCommands(CLI::App& app, CliEnv& env);  // cli_encounters.cc
void RegisterReportCommands(CLI::App& app, CliEnv& env);  // cli_report.cc: report

}  // namespace jejak
