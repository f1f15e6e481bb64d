// The tick loop of `jejak run` and its stop signals.
#include "agent/daemon/run_loop.h"

#include <csignal>

namespace jejak {
namespace {

volatile std::sig_atomic_t g_stop_requested = 0;
volatile std::sig_atomic_t g_reload_requested = 0;

extern "C" void OnStopSignal(int) { g_stop_requested = 1; }
extern "C" void OnReloadSignal(int) { g_reload_requested = 1; }

struct sigaction g_old_int = {};
struct sigaction g_old_term = {};
struct sigaction g_old_hup = {};

}  // namespace

StopSignals::StopSignals() {
    g_stop_requested = 0;
    struct sigaction sa = {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
    g_reload_requested = 0;
    struct sigaction hup = {};
    hup.sa_handler = OnReloadSignal;
    sigemptyset(&hup.sa_mask);
    sigaction(SIGHUP, &hup, &g_old_hup);
}

StopSignals::~StopSignals() {
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
    sigaction(SIGHUP, &g_old_hup, nullptr);
}

bool StopSignals::Requested() { return g_stop_requested != 0; }

void StopSignals::RequestStop() { g_stop_requested = 1; }

bool StopSignals::TakeReload() {
    if (g_reload_requested == 0) return false;
    g_reload_requested = 0;
    return true;
}

void StopSignals::RequestReload() { g_reload_requested = 1; }

Status RunDaemonLoop(Daemon& daemon, Radio& radio, const Clock& clock,
                     const RunLoopOptions& options) {
    const int64_t start = clock.MonotonicMicros();
    const auto duration = static_cast<int64_t>(options.duration_s * 1e6);
    const auto publish_every = static_cast<int64_t>(options.publish_every_s * 1e6);
    int64_t last_publish = -1;
    while (!StopSignals::Requested() &&
           (duration <= 0 || clock.MonotonicMicros() - start < duration)) {
        clock.SleepFor(options.tick_micros);
        if (StopSignals::TakeReload() && options.on_reload) options.on_reload();
        Status s = radio.Poll().status();
        if (s.ok()) s = daemon.Tick();
        if (!s.ok()) {
            // The tick's error is the one reported; a failing stop is added to it.
            Status stopped = daemon.Stop();
            if (options.on_publish) options.on_publish();
            return stopped.ok() ? s : s.WithContext("stop also failed (" + stopped.ToString() + ")");
        }
        const int64_t now = clock.MonotonicMicros();
        if (options.on_publish && (last_publish < 0 || now - last_publish >= publish_every)) {
            options.on_publish();
            last_publish = now;
        }
    }
    if (options.on_publish) options.on_publish();
    return Status::Ok();
}

}  // namespace jejak
