// The `jejak` executable: picks real implementations and hands over to the CLI.
#include <iostream>

#include "agent/cli/cli.h"
#include "crypto/random.h"

int main(int argc, char** argv) {
    if (jejak::Status s = jejak::SystemRandom::Init(); !s.ok()) {
        std::cerr << "jejak: " << s.ToString() << "\n";
        return 1;
    }
    return jejak::RunCli(argc, argv, std::cout, std::cerr);
}
