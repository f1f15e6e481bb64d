// `jejak match` and `jejak status` (issue 5: matching and risk scoring). Not yet built.
#include "agent/cli.h"

namespace jejak {

void RegisterMatchCommands(CLI::App& app, CliEnv& env) {
    (void)app;
    (void)env;
}

}  // namespace jejak
