// One daemon per store: an exclusive, non-blocking flock on <state-dir>/daemon.lock, held
// for the lock object's lifetime and released by the kernel if the process dies (no stale
// lock files to clean up after a power cut). The holder writes its pid into the file so a
// refused second instance can name it.
//
// Held by `jejak run` and by the commands that must not write beside a running daemon
// (store wipe); `jejak match` only reads sightings and appends a check, which SQLite
// serialises, so it may run while the daemon does.
#pragma once

#include <string>

#include "platform/base/status.h"

namespace jejak {

class InstanceLock {
public:
    // Unavailable "state dir D is in use by pid N (jejak run)" when another process holds
    // it; IOError when the lock file cannot be created. The state dir must exist.
    static Result<InstanceLock> Acquire(const std::string& state_dir, const std::string& holder);

    InstanceLock(InstanceLock&& other) noexcept;
    InstanceLock& operator=(InstanceLock&& other) noexcept;
    InstanceLock(const InstanceLock&) = delete;
    InstanceLock& operator=(const InstanceLock&) = delete;
    ~InstanceLock();

    static std::string PathFor(const std::string& state_dir);

private:
    explicit InstanceLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

// The pid written by the current holder, or 0 when nobody holds the lock (a daemon is not
// running on that state dir).
int LockHolderPid(const std::string& state_dir);

}  // namespace jejak
