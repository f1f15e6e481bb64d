// `jejak export inspect` and `jejak keys fetch` (issue 5: diagnosis key files). Not yet built.
#include "agent/cli.h"

namespace jejak {

void RegisterExportCommands(CLI::App& app, CLI::App& keys, CliEnv& env) {
    (void)app;
    (void)keys;
    (void)env;
}

}  // namespace jejak
