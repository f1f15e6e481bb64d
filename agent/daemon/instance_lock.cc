// flock-based single-instance lock of a state dir.
#include "agent/daemon/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

namespace jejak {
namespace {

std::string ReadHolder(int fd) {
    char buf[128] = {};
    const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return {};
    std::string text(buf, static_cast<size_t>(n));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
    return text;
}

}  // namespace

std::string InstanceLock::PathFor(const std::string& state_dir) {
    return state_dir + "/daemon.lock";
}

Result<InstanceLock> InstanceLock::Acquire(const std::string& state_dir,
                                           const std::string& holder) {
    const std::string path = PathFor(state_dir);
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return Status::FromErrno(errno, "cannot open lock file " + path);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        const std::string who = ReadHolder(fd);
        close(fd);
        if (err == EWOULDBLOCK) {
            return Status::Unavailable("state dir " + state_dir + " is in use by " +
                                       (who.empty() ? std::string("another process") : "pid " + who));
        }
        return Status::FromErrno(err, "cannot lock " + path);
    }
    const std::string text = std::to_string(getpid()) + " (" + holder + ")\n";
    if (ftruncate(fd, 0) != 0 ||
        pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
        const int err = errno;
        close(fd);
        return Status::FromErrno(err, "cannot write lock file " + path);
    }
    return InstanceLock(fd);
}

InstanceLock::InstanceLock(InstanceLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

InstanceLock& InstanceLock::operator=(InstanceLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

InstanceLock::~InstanceLock() {
    if (fd_ >= 0) close(fd_);  // releases the flock
}

int LockHolderPid(const std::string& state_dir) {
    const int fd = open(InstanceLock::PathFor(state_dir).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return 0;
    int pid = 0;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        pid = std::atoi(ReadHolder(fd).c_str());
    }  // else nobody holds it (our shared lock is dropped by close)
    close(fd);
    return pid;
}

}  // namespace jejak
