// The `jejak` program: the agent's command groups on the command line core (cli.h).
#include "agent/cli/cli.h"
#include "agent/cli/config/cli_config.h"

namespace jejak {
namespace {

void RegisterJejakCommands(CLI::App& app, CliEnv& env) {
    RegisterKeysCommands(app, env);
    RegisterStoreCommands(app, env);
    RegisterScanCommands(app, env);
    RegisterExportCommands(app, env);
    RegisterMatchCommands(app, env);
    RegisterStatusCommands(app, env);
    RegisterRunCommands(app, env);
    RegisterEvalCommands(app, env);
    RegisterForwardedCommands(app, env);
    RegisterEncountersCommands(app, env);
    RegisterReportCommands(app, env);
    RegisterConfigCommands(app, env);
}

}  // namespace

const CliProgram& JejakProgram() {
    static const CliProgram program{
        "jejak", "Jejak: privacy-first Bluetooth LE exposure notification agent (GAEN v1.2)",
        "Directory of the encrypted store", RegisterJejakCommands, &JejakManPageText(),
        ConfigSource().state_dir, ConfigSource().config_path};
    return program;
}

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    return RunCliProgram(JejakProgram(), argc, argv, out, err, nullptr, ExecProgram);
}

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
           const Clock& clock) {
    return RunCliProgram(JejakProgram(), argc, argv, out, err, &clock, nullptr);
}

}  // namespace jejak
