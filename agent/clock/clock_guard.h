// Deciding whether the wall clock can be trusted, and noticing when it steps.
//
// A board without a real-time clock boots at 1970 or at its last shutdown time and is set
// later by NTP or by hand, in one step of any size. Until the clock is plausible (not before
// the build date, nor before the latest time the store has seen, and, when asked for, marked
// synchronised by the kernel) the daemon neither advertises nor records: a TEK made for the
// wrong day could never be exported, and sightings of the wrong day would match nothing.
// A step (wall time moving by a different amount than monotonic time) is reported so the
// daemon can close its scan window on the right side of it.
//
// Pure logic over times passed in; the kernel's synchronisation flag comes from
// KernelClockSynchronised (the one function here that asks the OS).
#pragma once

#include <cstdint>
#include <string>

namespace jejak {

enum class ClockState {
    kPlausible,
    kBeforeBuildDate,   // earlier than the build: a board that booted without a clock
    kBeforeStoreSeen,   // earlier than the latest time the store recorded
    kNotSynchronised,   // require_ntp_sync and the kernel says unsynchronised
    kUnconfirmedStep,   // far ahead of the last trusted time, not yet confirmed
};

// "plausible", "before-build-date", "before-store-seen", "not-synchronised",
// "unconfirmed-forward-step".
const char* ClockStateName(ClockState state);

struct ClockVerdict {
    ClockState state = ClockState::kPlausible;
    std::string reason;  // empty when plausible; otherwise one sentence for status and log
    bool plausible() const { return state == ClockState::kPlausible; }
};

// A difference between wall and monotonic progress above this is a step, not jitter.
inline constexpr int64_t kDefaultStepThresholdMicros = 2'000'000;

struct ClockPolicy {
    int64_t not_before_unix_s = 0;   // the build date (0: no floor)
    int64_t store_seen_unix_s = 0;   // the latest time the store has recorded (0: none)
    bool require_ntp_sync = false;
    // On an accelerated simulation clock (rate R) the few milliseconds a busy machine may
    // pause a thread between its wall and monotonic readings become R times as many clock
    // seconds: `jejak run` raises this to R x the default there, so only real steps count.
    int64_t step_threshold_micros = kDefaultStepThresholdMicros;
};

// How far the store's "latest seen" time may lie ahead of now before the clock is called
// implausible: the store records flush times, so a short step back (a DST mistake, a
// corrected drift) must not stop the device. Longer steps back than this do.
inline constexpr int64_t kStoreSeenSlackSeconds = 3 * 3600;

ClockVerdict CheckClock(const ClockPolicy& policy, int64_t now_unix_s, bool ntp_synchronised);

// Watches (wall, monotonic) pairs and reports steps of the wall clock.
class ClockStepDetector {
public:
    explicit ClockStepDetector(int64_t threshold_micros = kDefaultStepThresholdMicros)
        : threshold_micros_(threshold_micros) {}

    // Returns the step in microseconds since the previous observation (positive: forward),
    // 0 when the clocks moved together. The first observation never reports a step.
    int64_t Observe(int64_t wall_micros, int64_t mono_micros);

private:
    int64_t threshold_micros_;
    bool primed_ = false;
    int64_t wall_ = 0;
    int64_t mono_ = 0;
};

// How far ahead of the last trusted time the wall clock may jump and still be believed at
// once, and how a larger jump is confirmed (clock.max_forward_step_s, clock.confirm_after_s).
struct StepTrustPolicy {
    int64_t max_forward_step_s = 86400;
    int64_t confirm_after_s = 3600;
};

// Decides whether the wall clock may move the store's keyring (which shreds every day it
// leaves behind). A forward jump of more than max_forward_step_s beyond the last trusted time
// (moved on by the monotonic clock) is not trusted until the kernel reports the clock
// NTP-synchronised, or the wall clock has kept pace with the monotonic clock for
// confirm_after_s, or it comes back within the bound. Times before `floor_unix_s` (the build
// date) never become the reference, so a board booting at 1970 trusts the first plausible
// time. Pure: times are passed in.
class ForwardStepGate {
public:
    ForwardStepGate(StepTrustPolicy policy, int64_t floor_unix_s, int64_t jitter_micros)
        : policy_(policy), floor_micros_(floor_unix_s * 1000000), jitter_micros_(jitter_micros) {}

    // The latest time known trusted before this process (the store's last flush; 0: none).
    void Prime(int64_t reference_unix_s, int64_t mono_micros);
    // Returns whether the wall time is trusted at this observation.
    bool Observe(int64_t wall_micros, int64_t mono_micros, bool ntp_synchronised);
    bool trusted() const { return trusted_; }
    // The wall time when trusted; otherwise the last trusted time moved on by the monotonic
    // clock (or the floor when nothing was ever trusted).
    int64_t TrustedMicros(int64_t wall_micros, int64_t mono_micros) const;
    // One sentence for status and log while untrusted; empty when trusted.
    std::string Reason(int64_t wall_micros, int64_t mono_micros) const;

private:
    StepTrustPolicy policy_;
    int64_t floor_micros_;
    int64_t jitter_micros_;
    bool trusted_ = true;
    bool have_ref_ = false;
    int64_t ref_wall_ = 0, ref_mono_ = 0;    // last trusted observation
    int64_t run_wall_ = 0, run_mono_ = 0;    // start of the current steady run (untrusted)
};

// The kernel's view (adjtimex): false when it reports the clock unsynchronised or cannot
// be asked.
bool KernelClockSynchronised();

}  // namespace jejak
