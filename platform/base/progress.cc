// Terminal progress line.
#include "platform/base/progress.h"

#include <unistd.h>

#include <cstdio>

namespace jejak {

bool IsTerminal(int fd) { return ::isatty(fd) == 1; }

ProgressReporter::ProgressReporter(std::ostream& out, bool is_terminal, const Clock& clock,
                                   std::string label, std::string unit)
    : out_(out),
      enabled_(is_terminal),
      clock_(clock),
      label_(std::move(label)),
      unit_(std::move(unit)),
      start_(clock.MonotonicMicros()) {}

void ProgressReporter::Update(uint64_t done, uint64_t total, std::string_view detail) {
    if (!enabled_) return;
    const int64_t now = clock_.MonotonicMicros();
    if (last_ < 0 ? now - start_ < kFirstLineMicros : now - last_ < kIntervalMicros) return;
    Write(done, total, detail, now);
}

void ProgressReporter::Finish(uint64_t done, uint64_t total, std::string_view detail) {
    if (!enabled_ || last_ < 0) return;
    Write(done, total, detail, clock_.MonotonicMicros());
    out_ << "\n" << std::flush;
}

void ProgressReporter::Write(uint64_t done, uint64_t total, std::string_view detail,
                             int64_t now) {
    last_ = now;
    const double seconds = static_cast<double>(now - start_) * 1e-6;
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.0f", seconds > 0 ? static_cast<double>(done) / seconds : 0.0);
    // "\r" returns to the line start; ESC[K clears what a longer previous line left behind.
    out_ << "\rjejak: " << label_ << " " << done;
    if (total > 0) out_ << "/" << total;
    out_ << " " << unit_ << ", " << rate << " " << unit_ << "/s";
    if (!detail.empty()) out_ << " (" << detail << ")";
    out_ << "\x1b[K" << std::flush;
}

}  // namespace jejak
