// The `jejak` program: its definition, its entry points, and one registration function per
// command group (cli_<group>.cc, or a subfolder for the larger groups: config/, status/).
// Built on the shared program shell (platform/cli/cli_program.h).
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "agent/config/config.h"
#include "platform/cli/cli_program.h"

namespace jejak {

// The `jejak` program (cli_jejak.cc) and its man page's hand-written parts (cli_jejak_man.cc).
const CliProgram& JejakProgram();
const ManPageText& JejakManPageText();
// Parses argv and runs the selected `jejak` command in real time (RunCliProgram); `jejak
// authority ...` replaces the process with jejak-authority (ExecProgram).
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);
// The same on an injected clock (tests): see CliEnv::real_time. No companion programs:
// `jejak authority` fails with exit 1 (the test process is never replaced).
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
           const Clock& clock);

// cli_forward.cc: the real ProgramRunner. Finds `program` beside this executable
// (/proc/self/exe) first, then on PATH, and execs it; throws CliError(1) naming the package
// when it is installed in neither place or cannot be started.
int ExecProgram(const std::string& program, const std::vector<std::string>& args, CliEnv& env);

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
// cli_forward.cc: `authority`, which runs jejak-authority (agent/cli/authority).
void RegisterForwardedCommands(CLI::App& app, CliEnv& env);
void RegisterEncountersCommands(CLI::App& app, CliEnv& env);  // cli_encounters.cc
void RegisterReportCommands(CLI::App& app, CliEnv& env);  // cli_report.cc: report

}  // namespace jejak
