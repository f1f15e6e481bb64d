// The jejak-authority program's description on the command line core (cli_authority.h).
#include "authority/cli/cli_authority.h"

#include "platform/cli/cli_man.h"

namespace jejak {

const CliProgram& AuthorityProgram() {
    static const CliProgram program{
        "jejak-authority",
        "Jejak pilot health-authority server: verification codes, certificates, key publishing, "
        "exports",
        "Directory of the authority's keys, key database and exports (mode 0700)",
        RegisterAuthorityCommands, &AuthorityManPageText(),
        // Its own, not the device's /var/lib/jejak and /etc/jejak: a machine may run both.
        "/var/lib/jejak-authority",
        "/etc/jejak-authority/jejak-authority.toml",
        "Configuration file (read by no command yet: the authority's settings live in "
        "authority.json in --state-dir)"};
    return program;
}

int RunAuthorityCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    return RunCliProgram(AuthorityProgram(), argc, argv, out, err, nullptr, nullptr);
}

int RunAuthorityCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
                    const Clock& clock) {
    return RunCliProgram(AuthorityProgram(), argc, argv, out, err, &clock, nullptr);
}

}  // namespace jejak
