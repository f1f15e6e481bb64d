// The program shell every Jejak executable is built on (CLI11): global options, command
// groups registered by the program, errors and exit codes. `jejak` (agent/cli) and
// `jejak-authority` (authority/cli) are each a CliProgram: global options, then command
// groups, each adding its subcommands to the CLI11 app. Handlers print to env.out / env.err
// and read time from env.clock, so tests run commands in process on a ManualClock; they report
// failure by throwing CliError with the exit code; exceptions never leave RunCliProgram.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/base/clock.h"
#include "platform/base/status.h"
#include "platform/cli/program_files.h"
#include "platform/sim/sim_clock.h"

namespace jejak {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and found a problem
inline constexpr int kExitUsage = 2;    // bad arguments or malformed input

struct CliEnv;

// Runs a companion program of the suite (`jejak-authority`) with `args` (its argv after
// argv[0]) and returns its exit code. The real runner (ExecProgram, cli_forward.cc) replaces
// this process and returns only by throwing CliError when the program cannot be started;
// tests inject one that runs the program's CLI in process.
using ProgramRunner =
    std::function<int(const std::string& program, const std::vector<std::string>& args, CliEnv& env)>;

// What every command handler gets: where its files are (ProgramFiles: --state-dir,
// --config), its output streams and its clock.
struct CliEnv : ProgramFiles {
    CliEnv(std::ostream& out_stream, std::ostream& err_stream, const Clock& cli_clock,
           bool is_real_time)
        : out(out_stream), err(err_stream), clock(cli_clock), real_time(is_real_time) {}

    std::ostream& out;
    std::ostream& err;
    const Clock& clock;
    // False when the clock was injected (tests): waits advance it instead of sleeping, and
    // simulated radios are polled by the command's own loop instead of a thread.
    bool real_time;
    // How `jejak authority ...` reaches jejak-authority; null: it cannot (see RunCli).
    ProgramRunner run_program;
    // What the program returns when parsing and the command succeeded (a forwarded
    // program's own exit code; otherwise kExitOk).
    int exit_code = kExitOk;
    // Whether --state-dir / --config were given (forwarded to a companion program only then).
    bool state_dir_given = false;
    // Simulated seconds per real second when JEJAK_SIM_CLOCK set an accelerated simulation
    // clock (platform/sim/sim_clock.h); 0 when the clock is not simulated. `jejak run`
    // accepts a simulated clock only with a simulated radio.
    double sim_clock_rate = 0;
    // That simulation clock's spec (published in the daemon's status file).
    std::optional<SimClockSpec> sim_clock;
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

// One program built on this core. Every program takes the global options --state-dir and
// --config (before or after its command), --version ("NAME VERSION") and --help, and reports
// errors as one line "jejak: ..." on stderr (the suite's contract, also when `jejak` forwards
// to a companion program).
struct ManPageText;  // cli_man.h
struct CliProgram {
    std::string name;
    std::string description;
    std::string state_dir_help;  // what --state-dir holds for this program
    void (*register_commands)(CLI::App& app, CliEnv& env);
    // The man page's hand-written parts (`NAME --man-page` prints the page, cli_man.h).
    const ManPageText* man = nullptr;
    // Defaults of --state-dir and --config: each program names its own.
    std::string default_state_dir = {};
    std::string default_config = {};
    std::string config_help = "Configuration file (TOML, or JSON when named *.json)";
};

// The program's whole CLI11 app: global options and every command (what RunCliProgram parses
// with, and what the man page and its tests walk).
void BuildCliApp(const CliProgram& program, CLI::App& app, CliEnv& env);

// Parses argv for `program` and runs the selected command. `clock` null means real time: the
// system clock, or the simulation clock that the environment variable JEJAK_SIM_CLOCK
// describes (platform/sim/sim_clock.h; a malformed value is a usage error), so every program
// of a simulation shares it, jejak-authority too. Returns the exit code.
int RunCliProgram(const CliProgram& program, int argc, const char* const* argv,
                  std::ostream& out, std::ostream& err, const Clock* clock,
                  ProgramRunner run_program);

}  // namespace jejak
