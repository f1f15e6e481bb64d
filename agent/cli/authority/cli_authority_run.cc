// The jejak-authority program's description on the command line core (cli_authority.h).
#include "agent/cli/authority/cli_authority.h"

#include "agent/cli/cli_man.h"

namespace jejak {

const CliProgram& AuthorityProgram() {
    static const CliProgram program{
        "jejak-authority",
        "Jejak pilot health-authority server: verification codes, certificates, key publishing, "
        "exports",
        "Directory of the authority's keys, key database and exports", RegisterAuthorityCommands,
        &AuthorityManPageText()};
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
