// POSIX file helpers for durable replacement.
#include "authority/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "crypto/secret.h"
#include "platform/base/atomic_file.h"

namespace jejak::authority {

Status WriteFileDurably(const std::string& path, std::string_view bytes, mode_t mode) {
    return WriteFileAtomically(path, bytes, AtomicWriteOptions{mode});
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

Status CheckPrivate(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return Status::NotFound(path + " is missing");
        return Status::FromErrno(errno, path);
    }
    const bool dir = S_ISDIR(st.st_mode);
    const uid_t me = ::geteuid();
    if (st.st_uid != me) {
        return Status::PermissionDenied(
            path + " is owned by uid " + std::to_string(st.st_uid) + ", not by this user (uid " +
            std::to_string(me) + "): run as its owner, or `chown " + (dir ? "-R " : "") +
            std::to_string(me) + " " + path + "`");
    }
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return Status::PermissionDenied(path + " is mode " + mode +
                                        ", open to other users: `chmod " +
                                        (dir ? "700 " : "600 ") + path + "`");
    }
    return Status::Ok();
}

}  // namespace jejak::authority
