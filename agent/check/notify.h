// The notification hook: when a check classifies the device as exposed, run a configured
// program with the exposure summary as JSON on its stdin. Config section "notify":
//   "notify": { "command": ["/usr/local/bin/jejak-alert", "--led", "red"],
//               "timeout_seconds": 10, "user": "jejak-hook" }
// The program is started directly with fork/exec (no shell, so nothing in the summary or the
// config is ever interpreted) and confined: it needs an absolute path; gets /dev/null as
// stdout, no other descriptor of ours (all above stderr are closed), umask 077 and an
// explicit minimal environment (PATH and LC_ALL only: nothing of the agent's, such as a
// passphrase variable, is inherited); runs as "user" when configured (set it whenever the
// agent runs as root); is killed if the agent dies (PR_SET_PDEATHSIG); and runs in its own
// PID namespace when the agent may create one (root), so the timeout kill reaches every
// process it started, even one that left the process group with setsid (otherwise the
// process group is killed). A hook that is missing, fails or hangs is reported in the
// outcome, never fatal to the exposure check.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/base/status.h"

namespace jejak {

struct NotifyConfig {
    std::vector<std::string> command;  // empty: no hook configured
    int timeout_seconds = 10;
    std::string user;  // run as this user (its primary group, no supplementary groups)
};

// InvalidArgument for a command that is not a non-empty array of strings with an absolute
// program path, a timeout outside 1..300 seconds, or a "user" that is not a non-empty string.
Result<NotifyConfig> ParseNotifyConfig(const nlohmann::json& section);

// The hook's part of a check result: {"ran", "timed_out", "ok", "exit_code"?, "error"?}
// when it was due, {"ran": false, "not_run": "not exposed" | "no newly notified day"} when it
// had nothing to say (monitoring must not read that as a failure).
struct NotifyOutcome {
    bool ran = false;        // the program was started
    bool timed_out = false;  // killed after timeout_seconds
    int exit_code = -1;      // exit status when it exited normally
    std::string error;       // why it failed ("" on exit code 0)
    // Set when the hook had no reason to run (nothing newly notified or retracted): not a
    // failure, so the JSON says {"ran": false, "not_run": reason} without "ok" or "error".
    std::string not_run;

    bool ok() const { return ran && !timed_out && exit_code == 0; }
    nlohmann::json ToJson() const;
};

// Runs the hook with `input` on stdin and waits for it (at most the timeout).
NotifyOutcome RunNotifyHook(const NotifyConfig& config, std::string_view input);

}  // namespace jejak
