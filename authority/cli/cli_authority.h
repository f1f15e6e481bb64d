// The `jejak-authority` program: the pilot health-authority server's commands (init,
// issue-code, serve, export) on the suite's command line core (agent/cli/cli.h). Its own
// executable and Debian package, so the device's `jejak` links no server; `jejak authority
// ...` runs it (agent/cli/cli_forward.cc).
#pragma once

#include <ostream>

#include "platform/cli/cli_program.h"

namespace jejak {

// cli_authority.cc: adds init, issue-code, serve and export to the program's app.
void RegisterAuthorityCommands(CLI::App& app, CliEnv& env);

// cli_authority_users.cc: adds `user add|list|disable` (the console's staff accounts).
void RegisterUserCommands(CLI::App& app, CliEnv& env);

// cli_authority_run.cc: the program (its CLI definitions, for the man page and its tests).
const CliProgram& AuthorityProgram();
// cli_authority_man.cc: the hand-written parts of jejak-authority(1).
const ManPageText& AuthorityManPageText();

// cli_authority_run.cc: parses argv (argv[0] is the program) and runs the command on the
// system clock; returns the exit code.
int RunAuthorityCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);
// The same on an injected clock (tests).
int RunAuthorityCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
                    const Clock& clock);

}  // namespace jejak
