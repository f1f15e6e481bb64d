// `jejak keys fetch` and `jejak report` keep the offset of the device clock from the last
// server Date they saw (agent/clock/clock_offset.h) for `jejak status`.
#pragma once

#include <optional>
#include <string>

#include "agent/cli/cli.h"
#include "platform/http/http_date.h"

namespace jejak {

// Saves the measurement `date` gives, its source "COMMAND ORIGIN"; nothing without a date.
// A file that cannot be written is a warning on stderr, never the command's failure.
void KeepClockOffset(const std::optional<ServerDate>& date, const std::string& command,
                     CliEnv& env);

}  // namespace jejak
