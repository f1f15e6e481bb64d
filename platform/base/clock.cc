// System and manual clocks.
#include "platform/base/clock.h"

#include <time.h>

namespace jejak {
namespace {

int64_t ReadClock(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace

int64_t SystemClock::NowUnixMicros() const { return ReadClock(CLOCK_REALTIME); }
int64_t SystemClock::MonotonicMicros() const { return ReadClock(CLOCK_MONOTONIC); }

void SystemClock::SleepFor(int64_t micros) const {
    if (micros <= 0) return;
    timespec left{static_cast<time_t>(micros / 1000000),
                  static_cast<long>((micros % 1000000) * 1000)};
    // A signal (SIGINT, SIGTERM) cuts the sleep short on purpose: callers re-check their
    // stop flag after every wait.
    nanosleep(&left, &left);
}

int64_t ManualClock::NowUnixMicros() const {
    std::lock_guard<std::mutex> lock(mu_);
    return unix_micros_;
}

int64_t ManualClock::MonotonicMicros() const {
    std::lock_guard<std::mutex> lock(mu_);
    return mono_micros_;
}

void ManualClock::SleepFor(int64_t micros) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (micros <= 0) return;
    unix_micros_ += micros;
    mono_micros_ += micros;
}

void ManualClock::Advance(int64_t micros) {
    std::lock_guard<std::mutex> lock(mu_);
    unix_micros_ += micros;
    if (micros > 0) mono_micros_ += micros;
}

void ManualClock::SetUnixMicros(int64_t unix_micros) {
    std::lock_guard<std::mutex> lock(mu_);
    unix_micros_ = unix_micros;
}

}  // namespace jejak
