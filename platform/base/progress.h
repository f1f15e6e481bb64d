// A progress line for long commands (matching a million keys, downloading a day of exports):
// "jejak: matching 350000/1000000 keys, 420000 keys/s (file 4/10)" rewritten in place on
// stderr. Only on a terminal: when the stream is a pipe or a log, nothing is written at all,
// so scripts and journals see only the command's result. Short runs print nothing either:
// the first line appears after one second.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "platform/base/clock.h"

namespace jejak {

// True when the file descriptor is a terminal (isatty).
bool IsTerminal(int fd);

class ProgressReporter {
public:
    // `label` says what is done ("matching"), `unit` what is counted ("keys"). When
    // is_terminal is false every call is a no-op. The clock times the rate and the throttle;
    // the stream and the clock must outlive the reporter. Not thread-safe: one caller.
    ProgressReporter(std::ostream& out, bool is_terminal, const Clock& clock, std::string label,
                     std::string unit);

    // `done` of `total` units (total 0: unknown, only done is shown); `detail` is appended in
    // parentheses. Writes a line once a second has passed since construction, then at most
    // every 250 ms.
    void Update(uint64_t done, uint64_t total, std::string_view detail = {});
    // Writes the final figures and ends the line, if any line was written; no-op otherwise.
    void Finish(uint64_t done, uint64_t total, std::string_view detail = {});

    static constexpr int64_t kFirstLineMicros = 1000000;
    static constexpr int64_t kIntervalMicros = 250000;

private:
    void Write(uint64_t done, uint64_t total, std::string_view detail, int64_t now);

    std::ostream& out_;
    bool enabled_;
    const Clock& clock_;
    std::string label_;
    std::string unit_;
    int64_t start_;
    int64_t last_ = -1;  // when the last line was written; -1 before the first
};

}  // namespace jejak
