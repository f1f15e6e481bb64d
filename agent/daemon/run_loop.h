// Driving a Daemon until it is told to stop: SIGINT/SIGTERM handling and the tick loop of
// `jejak run`. Time comes from the injected Clock, so a test runs the loop on a ManualClock
// (each wait advances it) without waiting on the wall.
#pragma once

#include <cstdint>

#include "agent/daemon/daemon.h"
#include "platform/base/clock.h"
#include "platform/base/status.h"
#include "platform/radio/radio.h"

namespace jejak {

// Installs SIGINT/SIGTERM handlers that only set a flag, for the object's lifetime, and
// restores the previous handlers afterwards. One at a time per process.
class StopSignals {
public:
    StopSignals();
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // True once SIGINT or SIGTERM arrived (or RequestStop was called).
    static bool Requested();
    // What a signal does, for tests and for callers that stop for other reasons.
    static void RequestStop();
};

struct RunLoopOptions {
    double duration_s = 0;         // stop after this much clock time; 0: until a stop signal
    int64_t tick_micros = 100000;  // how often the daemon ticks and the radio is polled
};

// Ticks `daemon` (and polls `radio`, for radios the caller polls) every tick until a stop
// signal or the duration has passed. A failed tick or poll stops the daemon and returns that
// error; the caller still calls Daemon::Stop on success (it is idempotent).
Status RunDaemonLoop(Daemon& daemon, Radio& radio, const Clock& clock,
                     const RunLoopOptions& options);

}  // namespace jejak
