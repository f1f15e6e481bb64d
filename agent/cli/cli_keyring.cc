// Loading the export verification keys (cli_keyring.h).
#include "agent/cli/cli_keyring.h"

#include "agent/config/config.h"
#include "agent/diagnosis/key_fetch.h"

namespace jejak {

ExportKeyRing LoadExportRing(const std::string& pubkey, CliEnv& env) {
    if (!pubkey.empty()) {
        ExportKeyRing ring;
        Status s = ring.AddPemFile("", "", pubkey);
        if (!s.ok()) throw CliError(kExitUsage, "--pubkey: " + s.message());
        return ring;
    }
    auto section = LoadConfigSection(env, "diagnosis");
    if (!section.ok()) throw CliError(kExitUsage, "config: " + section.status().message());
    auto diagnosis = ParseDiagnosisConfig(*section, env.state_dir);
    if (!diagnosis.ok()) throw CliError(kExitUsage, "config: " + diagnosis.status().message());
    if (diagnosis->ring.empty()) {
        throw CliError(kExitUsage,
                       "no public keys: set diagnosis.public_keys in the config or use --pubkey");
    }
    return std::move(diagnosis->ring);
}

}  // namespace jejak
