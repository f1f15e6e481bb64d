// The notification hook: when a check classifies the device as exposed, run a configured
// program with the exposure summary as JSON on its stdin. Config section "notify":
//   "notify": { "command": ["/usr/local/bin/jejak-alert", "--led", "red"],
//               "timeout_seconds": 10 }
// The program is started directly with fork/exec (no shell, so nothing in the summary or the
// config is ever interpreted), needs an absolute path, gets /dev/null as stdout, and runs in
// its own process group, which is killed when the timeout passes. A hook that is missing,
// fails or hangs is reported in the outcome, never fatal to the exposure check.
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
};

// InvalidArgument for a command that is not a non-empty array of strings with an absolute
// program path, or a timeout outside 1..300 seconds.
Result<NotifyConfig> ParseNotifyConfig(const nlohmann::json& section);

struct NotifyOutcome {
    bool ran = false;        // the program was started
    bool timed_out = false;  // killed after timeout_seconds
    int exit_code = -1;      // exit status when it exited normally
    std::string error;       // why it failed ("" on exit code 0)

    bool ok() const { return ran && !timed_out && exit_code == 0; }
    nlohmann::json ToJson() const;
};

// Runs the hook with `input` on stdin and waits for it (at most the timeout).
NotifyOutcome RunNotifyHook(const NotifyConfig& config, std::string_view input);

}  // namespace jejak
