// An accelerated clock shared by every process of one simulation, so that simulated days pass
// in minutes and all daemons, the reporting device and the health authority agree on "now".
//
// Spec (the JEJAK_SIM_CLOCK environment variable of `jejak`): "start=S&anchor=A&rate=R"
// (optionally "&ntp=0|1": whether the simulated clock counts as NTP-synchronised, default 1):
// simulated time S (Unix seconds, an integer) at real time A (Unix seconds, may have a
// fraction), running R times faster than the real clock (1..100000). Every process given the
// same spec computes now = S + (real_now - A) * R from its own CLOCK_REALTIME, so they agree
// to within the real clocks' difference times R (microseconds on one machine) without sharing
// anything else: no file, no shared memory, no process tree.
//
// Why not libfaketime: its accelerated mode starts each process's fake clock when that process
// starts (so daemons started a second apart disagree by R seconds), it intercepts
// pthread_cond_timedwait and nanosleep in ways that hang threaded programs, and it would be one
// more package. This clock changes nothing but the injected Clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "platform/base/clock.h"
#include "platform/base/status.h"

namespace jejak {

struct SimClockSpec {
    int64_t start_unix_micros = 0;   // simulated time at the anchor
    int64_t anchor_unix_micros = 0;  // real time at which the simulation was at `start`
    double rate = 1;                 // simulated seconds per real second
    bool ntp_synchronised = true;    // "ntp=0": the simulated clock claims no NTP sync
};

// Parses the spec above; InvalidArgument naming the bad part.
Result<SimClockSpec> ParseSimClockSpec(std::string_view text);

inline constexpr const char* kSimClockEnvironmentVariable = "JEJAK_SIM_CLOCK";

// The spec in JEJAK_SIM_CLOCK: nullopt when unset or empty, InvalidArgument when malformed.
// Every program of the project that reads "now" (`jejak`, and any executable it runs for a
// command) picks its clock with this, so that one simulation shares one time.
Result<std::optional<SimClockSpec>> SimClockSpecFromEnvironment();

// The accelerated clock over a real one (SystemClock; a ManualClock in tests). Sleeps last
// 1/rate of the simulated time asked for, but never less than min(asked, 10 ms) of real time:
// a daemon's 100-ms tick at rate 1000 would otherwise spin. A sleep may always last longer
// than asked, so callers lose nothing but resolution. Thread-safe.
class SimClock final : public Clock {
public:
    static constexpr int64_t kMinRealSleepMicros = 10000;

    // `real` must outlive this clock.
    SimClock(const SimClockSpec& spec, const Clock& real);
    int64_t NowUnixMicros() const override;
    // Advances `rate` times as fast as the real monotonic clock, from the simulated time of
    // construction: intervals measured with it agree with NowUnixMicros.
    int64_t MonotonicMicros() const override;
    void SleepFor(int64_t micros) const override;
    double rate() const { return spec_.rate; }

private:
    SimClockSpec spec_;
    const Clock& real_;
    int64_t mono_origin_real_;  // real monotonic reading at construction
    int64_t mono_origin_sim_;   // simulated time at construction
};

}  // namespace jejak
