// `jejak scan ...` commands (issue 4: radio). Not yet built.
#include "agent/cli.h"

namespace jejak {

void RegisterRadioCommands(CLI::App& app, CliEnv& env) {
    (void)app;
    (void)env;
}

}  // namespace jejak
