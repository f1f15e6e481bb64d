// Telling the service manager what the daemon is doing (systemd's sd_notify protocol):
// READY=1 once on air or waiting for the clock, WATCHDOG=1 from every loop publish,
// STATUS=<one line> on changes, STOPPING=1 on the way out. A no-op when the process was
// not started by a service manager (NOTIFY_SOCKET unset), so `jejak run` in a terminal and
// in tests behaves the same; a test binds its own datagram socket and sets NOTIFY_SOCKET.
#pragma once

#include <cstdint>
#include <string>

namespace jejak {

class ServiceNotifier {
public:
    ServiceNotifier();

    void Ready(const std::string& status);
    // Sends WATCHDOG=1 (when the unit has WatchdogSec=) and STATUS= when it changed.
    void KeepAlive(const std::string& status);
    void Stopping(const std::string& status);
    void Reloading();

    bool under_service_manager() const { return under_manager_; }
    // The watchdog period the manager asked for, 0 when none.
    uint64_t watchdog_micros() const { return watchdog_micros_; }

private:
    void Send(const std::string& message);

    bool under_manager_ = false;
    uint64_t watchdog_micros_ = 0;
    std::string last_status_;
};

// True when stderr goes to journald (JOURNAL_STREAM matches it): log lines then carry
// sd-daemon "<N>" priority prefixes.
bool LoggingToJournal();

}  // namespace jejak
