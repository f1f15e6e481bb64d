// The accelerated simulation clock and its spec.
#include "platform/sim/sim_clock.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <system_error>

namespace jejak {
namespace {

Status Bad(std::string_view text, const std::string& why) {
    return Status::InvalidArgument("sim clock '" + std::string(text) + "': " + why +
                                   " (expected start=UNIX_S&anchor=UNIX_S[.FRACTION]&rate=R[&ntp=0|1])");
}

bool ParseDouble(std::string_view text, double& out) {
    if (text.empty()) return false;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end && std::isfinite(out);
}

}  // namespace

Result<SimClockSpec> ParseSimClockSpec(std::string_view text) {
    SimClockSpec spec;
    bool have_start = false, have_anchor = false, have_rate = false;
    std::string_view rest = text;
    while (!rest.empty()) {
        const size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? "" : rest.substr(amp + 1);
        const size_t eq = pair.find('=');
        if (eq == std::string_view::npos) return Bad(text, "options are key=value");
        const std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
        double v = 0;
        if (!ParseDouble(value, v)) return Bad(text, "'" + std::string(key) + "' is not a number");
        if (key == "start" && !have_start) {
            if (v < 0 || v > 1e11 || v != std::floor(v)) return Bad(text, "start: whole seconds");
            spec.start_unix_micros = static_cast<int64_t>(v) * 1000000;
            have_start = true;
        } else if (key == "anchor" && !have_anchor) {
            if (v < 0 || v > 1e11) return Bad(text, "anchor: Unix seconds");
            spec.anchor_unix_micros = std::llround(v * 1e6);
            have_anchor = true;
        } else if (key == "rate" && !have_rate) {
            if (v < 1 || v > 100000) return Bad(text, "rate must be 1..100000");
            spec.rate = v;
            have_rate = true;
        } else if (key == "ntp" && (v == 0 || v == 1)) {
            spec.ntp_synchronised = v == 1;
        } else {
            return Bad(text, "unknown or repeated key '" + std::string(key) + "'");
        }
    }
    if (!have_start || !have_anchor || !have_rate) return Bad(text, "start, anchor and rate are all needed");
    return spec;
}

Result<std::optional<SimClockSpec>> SimClockSpecFromEnvironment() {
    const char* text = std::getenv(kSimClockEnvironmentVariable);
    if (text == nullptr || *text == '\0') return std::optional<SimClockSpec>();
    JEJAK_ASSIGN_OR_RETURN(SimClockSpec spec, ParseSimClockSpec(text));
    return std::optional<SimClockSpec>(spec);
}

SimClock::SimClock(const SimClockSpec& spec, const Clock& real)
    : spec_(spec), real_(real), mono_origin_real_(real.MonotonicMicros()),
      mono_origin_sim_(0) {
    mono_origin_sim_ = NowUnixMicros();
}

int64_t SimClock::NowUnixMicros() const {
    const double elapsed = static_cast<double>(real_.NowUnixMicros() - spec_.anchor_unix_micros);
    return spec_.start_unix_micros + std::llround(elapsed * spec_.rate);
}

int64_t SimClock::MonotonicMicros() const {
    const double elapsed = static_cast<double>(real_.MonotonicMicros() - mono_origin_real_);
    return mono_origin_sim_ + std::llround(elapsed * spec_.rate);
}

void SimClock::SleepFor(int64_t micros) const {
    if (micros <= 0) return;
    const auto scaled = static_cast<int64_t>(std::ceil(static_cast<double>(micros) / spec_.rate));
    real_.SleepFor(std::max(scaled, std::min(micros, kMinRealSleepMicros)));
}

}  // namespace jejak
