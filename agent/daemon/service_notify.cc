// sd_notify through libsystemd: the only file that includes <systemd/sd-daemon.h>.
#include "agent/daemon/service_notify.h"

#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include <cstdio>
#include <cstdlib>

namespace jejak {

ServiceNotifier::ServiceNotifier() {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    under_manager_ = socket != nullptr && *socket != '\0';
    uint64_t usec = 0;
    if (under_manager_ && sd_watchdog_enabled(0, &usec) > 0) watchdog_micros_ = usec;
}

void ServiceNotifier::Send(const std::string& message) {
    if (under_manager_) (void)sd_notify(0, message.c_str());
}

void ServiceNotifier::Ready(const std::string& status) {
    last_status_ = status;
    Send("READY=1\nSTATUS=" + status);
}

void ServiceNotifier::KeepAlive(const std::string& status) {
    std::string message;
    if (watchdog_micros_ > 0) message = "WATCHDOG=1";
    if (status != last_status_) {
        last_status_ = status;
        message += (message.empty() ? "" : "\n") + std::string("STATUS=") + status;
    }
    if (!message.empty()) Send(message);
}

void ServiceNotifier::Stopping(const std::string& status) {
    Send("STOPPING=1\nSTATUS=" + status);
}

void ServiceNotifier::Reloading() { Send("RELOADING=1"); }

bool LoggingToJournal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st = {};
    if (fstat(1, &st) != 0) return false;
    return st.st_dev == dev && st.st_ino == ino;
}

}  // namespace jejak
