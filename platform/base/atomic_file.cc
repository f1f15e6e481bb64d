// Atomic whole-file replacement: exclusive temporary file, fsync, rename, directory fsync.
#include "platform/base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>
#include <string>

namespace jejak {
namespace {

std::string DirectoryOf(const std::string& path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// A temporary name nobody can predict, so a planted file at a guessable name is useless.
std::string TemporaryNameFor(const std::string& path) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".tmp.%016llx",
                  static_cast<unsigned long long>(rng()));
    return path + suffix;
}

Status WriteAll(int fd, const uint8_t* data, size_t size) {
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Status::FromErrno(errno, "write");
        if (n == 0) return Status::IOError("write: no progress");
        done += static_cast<size_t>(n);
    }
    return Status::Ok();
}

}  // namespace

Status SyncDirectory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "open directory " + dir);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    // Some file systems cannot sync a directory (EINVAL); the rename is then as durable as
    // that file system makes it.
    if (rc != 0 && err != EINVAL) return Status::FromErrno(err, "fsync directory " + dir);
    return Status::Ok();
}

Status SyncDirectoryOf(const std::string& path) {
    const size_t slash = path.rfind('/');
    return SyncDirectory(slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash));
}

Status WriteFileAtomically(const std::string& path, std::span<const uint8_t> bytes,
                           const AtomicWriteOptions& options) {
    const std::string tmp = TemporaryNameFor(path);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                          static_cast<mode_t>(options.mode & 0777));
    if (fd < 0) return Status::FromErrno(errno, "cannot create a temporary file for " + path);
    // The umask may have narrowed the mode; it must never be wider than asked, and an
    // explicit fchmod gives exactly the requested bits.
    Status s = ::fchmod(fd, static_cast<mode_t>(options.mode & 0777)) == 0
                   ? Status::Ok()
                   : Status::FromErrno(errno, "fchmod");
    if (s.ok()) s = WriteAll(fd, bytes.data(), bytes.size());
    if (s.ok() && ::fsync(fd) != 0) s = Status::FromErrno(errno, "fsync");
    if (::close(fd) != 0 && s.ok()) s = Status::FromErrno(errno, "close");
    if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = Status::FromErrno(errno, "rename");
    if (!s.ok()) {
        ::unlink(tmp.c_str());
        return s.WithContext("cannot write " + path);
    }
    return SyncDirectory(DirectoryOf(path)).WithContext("cannot write " + path);
}

namespace {

Status CheckStat(const struct stat& st, const std::string& path, std::string_view what,
                 unsigned forbidden_mode) {
    const std::string name = std::string(what) + " " + path;
    if (st.st_uid != ::geteuid()) {
        return Status::PermissionDenied(name + " is owned by uid " + std::to_string(st.st_uid) +
                                        ", not by this user (uid " +
                                        std::to_string(::geteuid()) + ")");
    }
    if ((st.st_mode & forbidden_mode) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return Status::PermissionDenied(name + " has mode " + mode +
                                        ": other users may change or read it");
    }
    return Status::Ok();
}

}  // namespace

Status CheckOwnedPrivately(int fd, const std::string& path, std::string_view what,
                           unsigned forbidden_mode) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, "cannot stat " + path);
    return CheckStat(st, path, what, forbidden_mode);
}

Status CheckOwnedPrivately(const std::string& path, std::string_view what,
                           unsigned forbidden_mode) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "cannot stat " + path);
    return CheckStat(st, path, what, forbidden_mode);
}

Status WriteFileAtomically(const std::string& path, std::string_view text,
                           const AtomicWriteOptions& options) {
    return WriteFileAtomically(
        path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
        options);
}

}  // namespace jejak
