// POSIX file helpers for durable replacement.
#include "authority/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "crypto/secret.h"

namespace jejak::authority {

Status WriteFileDurably(const std::string& path, std::string_view bytes, mode_t mode) {
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return Status::FromErrno(errno, tmp);
    size_t done = 0;
    int error = ::fchmod(fd, mode) == 0 ? 0 : errno;
    while (error == 0 && done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = n < 0 ? errno : EIO;
            break;
        }
        done += static_cast<size_t>(n);
    }
    if (error == 0 && ::fsync(fd) != 0) error = errno;
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error == 0 && std::rename(tmp.c_str(), path.c_str()) != 0) error = errno;
    if (error != 0) {
        ::unlink(tmp.c_str());
        return Status::FromErrno(error, path);
    }
    const size_t slash = path.find_last_of('/');
    return SyncDirectory(slash == std::string::npos ? "." : path.substr(0, slash + 1));
}

Status SyncDirectory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, dir);
    const int rc = ::fsync(fd);
    const int e = errno;
    ::close(fd);
    return rc == 0 ? Status::Ok() : Status::FromErrno(e, dir);
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return Status::NotFound(path + " is missing");
        return Status::FromErrno(errno, path);
    }
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int e = errno;
            ::close(fd);
            return Status::FromErrno(e, path);
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > max_bytes) {
            ::close(fd);
            return Status::InvalidArgument(path + ": larger than " + std::to_string(max_bytes) +
                                           " bytes");
        }
    }
    ::close(fd);
    SecureZero(buf, sizeof buf);  // key files pass through here
    return out;
}

Status EnsureDirectory(const std::string& dir, mode_t mode) {
    if (::mkdir(dir.c_str(), mode) == 0 || errno == EEXIST) return Status::Ok();
    return Status::FromErrno(errno, dir);
}

}  // namespace jejak::authority
