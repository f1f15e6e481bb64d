// The tick loop of `jejak run` and its stop signals.
#include "agent/daemon/run_loop.h"

#include <csignal>

namespace jejak {
namespace {

volatile std::sig_atomic_t g_stop_requested = 0;

extern "C" void OnStopSignal(int) { g_stop_requested = 1; }

struct sigaction g_old_int = {};
struct sigaction g_old_term = {};

}  // namespace

StopSignals::StopSignals() {
    g_stop_requested = 0;
    struct sigaction sa = {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
}

StopSignals::~StopSignals() {
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
}

bool StopSignals::Requested() { return g_stop_requested != 0; }

void StopSignals::RequestStop() { g_stop_requested = 1; }

Status RunDaemonLoop(Daemon& daemon, Radio& radio, const Clock& clock,
                     const RunLoopOptions& options) {
    const int64_t start = clock.MonotonicMicros();
    const auto duration = static_cast<int64_t>(options.duration_s * 1e6);
    while (!StopSignals::Requested() &&
           (duration <= 0 || clock.MonotonicMicros() - start < duration)) {
        clock.SleepFor(options.tick_micros);
        Status s = radio.Poll().status();
        if (s.ok()) s = daemon.Tick();
        if (!s.ok()) {
            // The tick's error is the one reported; a failing stop is added to it.
            Status stopped = daemon.Stop();
            return stopped.ok() ? s : s.WithContext("stop also failed (" + stopped.ToString() + ")");
        }
    }
    return Status::Ok();
}

}  // namespace jejak
