// ProgressReporter: silent off a terminal and for short runs; on a terminal, throttled
// lines with done/total and the rate computed from the injected clock.
#include <doctest/doctest.h>

#include <sstream>

#include "platform/base/progress.h"

namespace jejak {
namespace {

TEST_CASE("progress writes nothing when the stream is not a terminal") {
    ManualClock clock;
    std::ostringstream out;
    ProgressReporter progress(out, /*is_terminal=*/false, clock, "matching", "keys");
    for (int i = 1; i <= 10; ++i) {
        clock.Advance(1000000);
        progress.Update(static_cast<uint64_t>(i) * 1000, 10000);
    }
    progress.Finish(10000, 10000);
    CHECK(out.str().empty());
}

TEST_CASE("progress on a terminal: nothing in the first second, then throttled lines") {
    ManualClock clock;
    std::ostringstream out;
    ProgressReporter progress(out, /*is_terminal=*/true, clock, "matching", "keys");
    clock.Advance(999999);
    progress.Update(100, 1000);
    CHECK(out.str().empty());
    clock.Advance(1);  // 1 s: 500 keys -> 500 keys/s
    progress.Update(500, 1000, "file 1/2");
    CHECK(out.str() == "\rjejak: matching 500/1000 keys, 500 keys/s (file 1/2)\x1b[K");
    out.str("");
    clock.Advance(ProgressReporter::kIntervalMicros - 1);
    progress.Update(600, 1000);
    CHECK(out.str().empty());
    clock.Advance(1);  // 1.25 s: 750 keys -> 600 keys/s; unknown total shows only done
    progress.Update(750, 0);
    CHECK(out.str() == "\rjejak: matching 750 keys, 600 keys/s\x1b[K");
    out.str("");
    clock.Advance(750000);  // 2 s
    progress.Finish(1000, 1000);
    CHECK(out.str() == "\rjejak: matching 1000/1000 keys, 500 keys/s\x1b[K\n");
}

TEST_CASE("progress of a run shorter than a second leaves no trace") {
    ManualClock clock;
    std::ostringstream out;
    ProgressReporter progress(out, /*is_terminal=*/true, clock, "fetching", "files");
    clock.Advance(500000);
    progress.Update(1, 2);
    progress.Finish(2, 2);
    CHECK(out.str().empty());
}

}  // namespace
}  // namespace jejak
