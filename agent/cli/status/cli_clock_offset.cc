#include "agent/cli/status/cli_clock_offset.h"

#include "agent/clock/clock_offset.h"

namespace jejak {

void KeepClockOffset(const std::optional<ServerDate>& date, const std::string& command,
                     CliEnv& env) {
    if (!date) return;
    const ClockOffset offset = MakeClockOffset(
        ClockOffsetSeconds(*date), date->received_unix_us / 1000000, command + " " + date->origin);
    if (Status s = SaveClockOffset(env.state_dir, offset); !s.ok()) {
        env.err << "jejak: warning: clock offset not kept: " << s.message() << "\n";
    }
    if (auto why = ClockOffsetAttention(offset)) env.err << "jejak: warning: " << *why << "\n";
}

}  // namespace jejak
