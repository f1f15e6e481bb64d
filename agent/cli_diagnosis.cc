// `jejak export|match|status|keys fetch` commands (issue 5: diagnosis keys). Not yet built.
#include "agent/cli.h"

namespace jejak {

void RegisterDiagnosisCommands(CLI::App& app, CLI::App& keys, CliEnv& env) {
    (void)app;
    (void)keys;
    (void)env;
}

}  // namespace jejak
