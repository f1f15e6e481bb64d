// The public keys export files are verified against, for every command that reads export
// files (`jejak match`, `jejak encounters --keys`): one place, so both accept the same files.
#pragma once

#include <string>

#include "agent/cli/cli.h"
#include "gaen/export/export_verify.h"

namespace jejak {

// The PEM file `pubkey` when given, else the config's diagnosis.public_keys. CliError with
// exit 2 for an unreadable PEM, a bad config, or neither giving a key.
ExportKeyRing LoadExportRing(const std::string& pubkey, CliEnv& env);

}  // namespace jejak
