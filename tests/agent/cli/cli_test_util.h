// Runs `jejak` commands in-process and captures their output and exit code.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "agent/cli/cli.h"

namespace jejak::testing {

struct CliRun {
    int code;
    std::string out;
    std::string err;
};

inline CliRun RunJejak(std::vector<std::string> args) {
    args.insert(args.begin(), "jejak");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    const int code = RunCli(static_cast<int>(argv.size()), argv.data(), out, err);
    return {code, out.str(), err.str()};
}

}  // namespace jejak::testing
