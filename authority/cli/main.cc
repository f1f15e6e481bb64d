// The `jejak-authority` executable: picks real implementations and hands over to its CLI.
#include <iostream>

#include "authority/cli/cli_authority.h"
#include "crypto/random.h"

int main(int argc, char** argv) {
    if (jejak::Status s = jejak::SystemRandom::Init(); !s.ok()) {
        std::cerr << "jejak: " << s.ToString() << "\n";
        return 1;
    }
    return jejak::RunAuthorityCli(argc, argv, std::cout, std::cerr);
}
