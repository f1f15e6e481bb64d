// Clock: the only source of "now" in Jejak. Protocol logic takes times as arguments;
// daemons and simulators get a Clock injected through their constructor.
#pragma once

#include <cstdint>
#include <mutex>

namespace jejak {

class Clock {
public:
    virtual ~Clock() = default;
    // Wall-clock time in microseconds since the Unix epoch (UTC). May jump (NTP, RTC set).
    // Thread-safe.
    virtual int64_t NowUnixMicros() const = 0;
    // Monotonic time in microseconds from an arbitrary origin; never goes backwards.
    // Use for timeouts and intervals. Thread-safe.
    virtual int64_t MonotonicMicros() const = 0;
    // Lets `micros` of this clock's time pass. SystemClock sleeps; ManualClock advances
    // itself, so a loop that waits on an injected ManualClock (a command run in process by a
    // test) runs through simulated time without waiting on the wall. Thread-safe.
    virtual void SleepFor(int64_t micros) const = 0;
};

// The operating system's clocks (CLOCK_REALTIME, CLOCK_MONOTONIC).
class SystemClock final : public Clock {
public:
    int64_t NowUnixMicros() const override;
    int64_t MonotonicMicros() const override;
    void SleepFor(int64_t micros) const override;
};

// A clock that moves only when told to: tests and the deterministic simulator.
// Both readings advance together. Thread-safe.
class ManualClock final : public Clock {
public:
    explicit ManualClock(int64_t unix_micros = 0) : unix_micros_(unix_micros) {}
    int64_t NowUnixMicros() const override;
    int64_t MonotonicMicros() const override;
    // Advances both readings by `micros` (the caller that "sleeps" drives time).
    void SleepFor(int64_t micros) const override;
    void Advance(int64_t micros);
    // Sets wall time (monotonic time still only advances by non-negative steps).
    void SetUnixMicros(int64_t unix_micros);

private:
    // Mutable: SleepFor advances a clock held by const reference, as time passes for a
    // SystemClock held the same way.
    mutable std::mutex mu_;
    mutable int64_t unix_micros_;
    mutable int64_t mono_micros_ = 0;
};

}  // namespace jejak
