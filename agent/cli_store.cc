// `jejak store ...` commands (issue 3: encrypted encounter store). Not yet built.
#include "agent/cli.h"

namespace jejak {

void RegisterStoreCommands(CLI::App& app, CliEnv& env) {
    (void)app;
    (void)env;
}

}  // namespace jejak
