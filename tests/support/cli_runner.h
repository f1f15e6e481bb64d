// Runs `jejak` commands in process (the real CLI program on an injected clock) and captures
// their output and exit code, for the CLI suites and every suite that drives the device by
// its commands.
#pragma once

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "agent/cli/cli.h"

namespace jejak::testing {

struct CliRun {
    int code;
    std::string out;
    std::string err;
};

// What `jejak status` prints on stderr when the only reason for attention is the daemon that
// does not run (a device without `--no-daemon`).
inline constexpr char kDaemonNotRunningError[] =
    "jejak: needs attention: the daemon is not running (start it with systemctl start jejak, "
    "or on a sync station without a daemon use jejak status --no-daemon)\n";

// How in-process runs of `jejak authority ...` reach jejak-authority: null (exit 1) unless a
// suite that links the authority's CLI installs an in-process runner (tests/authority).
inline ProgramRunner& TestProgramRunner() {
    static ProgramRunner runner;
    return runner;
}

// Runs one command; `clock` null means the system clock (real time).
inline CliRun RunJejakWith(std::vector<std::string> args, const Clock* clock) {
    args.insert(args.begin(), "jejak");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    const int argc = static_cast<int>(argv.size());
    const int code = RunCliProgram(JejakProgram(), argc, argv.data(), out, err, clock,
                                   TestProgramRunner());
    return {code, out.str(), err.str()};
}

inline CliRun RunJejak(std::vector<std::string> args) {
    return RunJejakWith(std::move(args), nullptr);
}

// The same on an injected clock: `jejak run`/`scan` then run through simulated time
// (ManualClock, or LockstepClock for several commands at once) without wall time passing.
inline CliRun RunJejakOn(const Clock& clock, std::vector<std::string> args) {
    return RunJejakWith(std::move(args), &clock);
}

}  // namespace jejak::testing
