// The accelerated simulation clock: spec parsing, agreement of processes that share a spec,
// monotonic time, and sleeps that neither spin nor stretch simulated time.
#include <doctest/doctest.h>

#include "platform/sim/sim_clock.h"

namespace jejak {
namespace {

constexpr int64_t kRealT0 = 1'790'000'000'000'000;  // a real wall-clock reading, microseconds

TEST_CASE("sim clock spec parses start, anchor and rate") {
    auto spec = ParseSimClockSpec("start=1800000000&anchor=1790000000.25&rate=600");
    REQUIRE(spec.ok());
    CHECK(spec->start_unix_micros == 1'800'000'000'000'000);
    CHECK(spec->anchor_unix_micros == 1'790'000'000'250'000);
    CHECK(spec->rate == 600);
    CHECK(spec->ntp_synchronised);  // a simulation's clock is right unless told otherwise
    auto unsynced = ParseSimClockSpec("start=1&anchor=2&rate=2&ntp=0");
    REQUIRE(unsynced.ok());
    CHECK_FALSE(unsynced->ntp_synchronised);
    for (const char* bad : {"", "start=1&anchor=2", "start=1&anchor=2&rate=2&ntp=2", "start=1&anchor=2&rate=0",
                            "start=1&anchor=2&rate=100001", "start=1.5&anchor=2&rate=2",
                            "start=1&anchor=2&rate=2&rate=3", "start=1&anchor=2&rate=2&speed=3",
                            "start=1&anchor=x&rate=2", "start=-1&anchor=2&rate=2",
                            "start=1&anchor=2&rate=nan", "start=1&anchor&rate=2"}) {
        CAPTURE(bad);
        auto r = ParseSimClockSpec(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.status().IsInvalidArgument());
        CHECK(r.status().message().find("sim clock") != std::string::npos);
    }
}

TEST_CASE("two sim clocks built at different real times agree on simulated time") {
    const SimClockSpec spec{1'800'000'000'000'000, kRealT0, 1000};
    ManualClock real(kRealT0 - 2'000'000);  // built 2 s before the anchor
    SimClock early(spec, real);
    CHECK(early.NowUnixMicros() == 1'800'000'000'000'000 - 2'000'000'000);
    real.Advance(7'000'000);  // a second process starts 7 real seconds later
    SimClock late(spec, real);
    CHECK(early.NowUnixMicros() == late.NowUnixMicros());
    CHECK(late.NowUnixMicros() == 1'800'000'000'000'000 + 5'000'000'000);
    real.Advance(1'500);
    CHECK(early.NowUnixMicros() == late.NowUnixMicros());
    CHECK(late.NowUnixMicros() == 1'800'005'000'000'000 + 1'500'000);
}

TEST_CASE("sim clock's monotonic time advances with its wall time") {
    ManualClock real(kRealT0);
    SimClock clock({1'800'000'000'000'000, kRealT0, 600}, real);
    const int64_t wall0 = clock.NowUnixMicros(), mono0 = clock.MonotonicMicros();
    real.Advance(250'000);
    CHECK(clock.NowUnixMicros() - wall0 == 150'000'000);
    CHECK(clock.MonotonicMicros() - mono0 == 150'000'000);
}

TEST_CASE("sim clock sleeps 1/rate of the asked time, but never spins") {
    ManualClock real(kRealT0);
    SimClock clock({1'800'000'000'000'000, kRealT0, 1000}, real);
    clock.SleepFor(60'000'000);  // a simulated minute: 60 real ms
    CHECK(real.NowUnixMicros() - kRealT0 == 60'000);
    CHECK(clock.NowUnixMicros() == 1'800'000'060'000'000);
    clock.SleepFor(100'000);  // a 100-ms tick: at least 10 real ms, so 10 simulated s
    CHECK(real.NowUnixMicros() - kRealT0 == 70'000);
    clock.SleepFor(2'000);  // shorter than the floor: never more real time than asked
    CHECK(real.NowUnixMicros() - kRealT0 == 72'000);
    clock.SleepFor(0);
    clock.SleepFor(-5);
    CHECK(real.NowUnixMicros() - kRealT0 == 72'000);
}

}  // namespace
}  // namespace jejak
