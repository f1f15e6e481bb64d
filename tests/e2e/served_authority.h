// `jejak authority serve` as a child process on 127.0.0.1 with an ephemeral port, owned by
// the test: the constructor starts it (tests/support ChildProcess) and waits (bounded) for
// its "listening on" line; Stop() ends it with SIGTERM, killing it when it does not stop in
// time, and the ChildProcess kills and reaps it if the test ends first, so no server outlives
// a failing test. The server is driven only through the `jejak` command line, so it does not
// matter which executable `jejak authority` ends up running.
#pragma once

#include <signal.h>

#include <optional>
#include <string>

#include "tests/support/child_process.h"

namespace jejak::testing {

class ServedAuthority {
public:
    // Runs `jejak --state-dir STATE authority serve --listen 127.0.0.1:0`; stderr goes to
    // `stderr_file`. ok() is false (and error() says why) when it did not start listening
    // within `timeout_ms`.
    ServedAuthority(const std::string& jejak, const std::string& state,
                    const std::string& stderr_file, int timeout_ms = 10000)
        : process_({jejak, "--state-dir", state, "authority", "serve", "--listen",
                    "127.0.0.1:0"},
                   Options(stderr_file)) {
        if (!process_.ok()) {
            error_ = process_.error();
            return;
        }
        if (!process_.WaitFor(0, "\n", timeout_ms)) {
            error_ = process_.WaitWithin(0)
                         ? "the server exited before listening"
                         : "no \"listening on\" line within " + std::to_string(timeout_ms) + " ms";
            return;
        }
        const std::string prefix = "listening on ";
        const std::string line = output().substr(0, output().find('\n'));
        if (line.rfind(prefix, 0) != 0) {
            error_ = "unexpected first line: " + line;
            return;
        }
        url_ = line.substr(prefix.size());
    }

    bool ok() const { return !url_.empty(); }
    const std::string& error() const { return error_; }
    // "http://127.0.0.1:PORT", empty until listening.
    const std::string& url() const { return url_; }

    // SIGTERM, then up to `grace_ms` for the process to exit; SIGKILL after that. Returns the
    // exit status (128 + signal when killed), -1 when it never started.
    int Stop(int grace_ms = 5000) { return process_.Stop(SIGTERM, grace_ms); }

    // Everything the server printed on stdout so far.
    const std::string& output() const { return process_.out(); }

private:
    static ChildOptions Options(const std::string& stderr_file) {
        ChildOptions o;
        o.stderr_file = stderr_file;
        return o;
    }

    ChildProcess process_;
    std::string url_;
    std::string error_;
};

}  // namespace jejak::testing
