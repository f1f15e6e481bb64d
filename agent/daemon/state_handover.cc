// The state dir handover: check everything first, then change owners through descriptors.
#include "agent/daemon/state_handover.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>
#include <vector>

#include "agent/config/agent_files.h"

namespace jejak {
namespace {

constexpr std::string_view kDownloadDirName = "diagnosis-keys";
constexpr std::string_view kTempInfix = ".tmp.";
constexpr size_t kTempHexDigits = 16;

bool IsJejakFileName(std::string_view name) {
    static constexpr std::array<std::string_view, 13> kNames = {
        "store.db",           "store.db-wal",          "store.db-shm",
        "store.db-journal",   "store.keys",            "master.key",
        "daemon.lock",        kDaemonStatusFileName,   kFetchStateFileName,
        kCheckedExportsFileName, kChaffScheduleFileName, kLegacyStatusFileName,
        kClockOffsetFileName};
    for (std::string_view n : kNames) {
        if (n == name) return true;
    }
    return false;
}

bool IsHex(std::string_view s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

bool OwnedByRootOr(const struct stat& st, uid_t uid) { return st.st_uid == 0 || st.st_uid == uid; }

// The entries of the open directory `dir_fd`, "." and ".." left out.
Result<std::vector<std::string>> ListEntries(int dir_fd, const std::string& dir) {
    const int copy = ::dup(dir_fd);
    if (copy < 0) return Status::FromErrno(errno, "cannot list " + dir);
    std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(copy), ::closedir);
    if (!d) {
        ::close(copy);
        return Status::FromErrno(errno, "cannot list " + dir);
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* e = ::readdir(d.get())) {
        const std::string_view name = e->d_name;
        if (name != "." && name != "..") names.emplace_back(name);
        errno = 0;
    }
    if (errno != 0) return Status::FromErrno(errno, "cannot list " + dir);
    return names;
}

// Every check, before anything is changed.
Status CheckEntry(int dir_fd, const std::string& dir, const std::string& name, uid_t uid) {
    const std::string path = dir + "/" + name;
    const auto foreign = [&](const std::string& why) {
        return Status::FailedPrecondition("refusing to hand " + dir + " to the daemon user: " +
                                          path + " " + why +
                                          "; a state dir must hold only Jejak's own files");
    };
    if (!IsJejakStateEntry(name)) return foreign("is not one of Jejak's files");
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return Status::FromErrno(errno, "cannot inspect " + path);
    }
    const bool want_dir = name == kDownloadDirName;
    if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
        return foreign(want_dir ? "is not a directory" : "is not a regular file");
    }
    if (!OwnedByRootOr(st, uid)) return foreign("belongs to uid " + std::to_string(st.st_uid));
    if (!want_dir && st.st_nlink != 1) return foreign("has other hard links");
    return Status::Ok();
}

Status Chown(int dir_fd, const std::string& path, const std::string& name, uid_t uid, gid_t gid,
             const std::string& user_name) {
    const int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
                      (name == kDownloadDirName ? O_DIRECTORY : 0);
    Fd fd(::openat(dir_fd, name.c_str(), flags));
    if (fd.get() < 0) return Status::FromErrno(errno, "cannot open " + path);
    if (::fchownat(fd.get(), "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
        return Status::FromErrno(errno, "cannot hand " + path + " to " + user_name);
    }
    return Status::Ok();
}

}  // namespace

bool IsJejakStateEntry(std::string_view name) {
    if (name == kDownloadDirName || IsJejakFileName(name)) return true;
    const size_t infix = name.rfind(kTempInfix);
    if (infix == std::string_view::npos) return false;
    const std::string_view hex = name.substr(infix + kTempInfix.size());
    return hex.size() == kTempHexDigits && IsHex(hex) && IsJejakFileName(name.substr(0, infix));
}

Status HandStateDirTo(const std::string& dir, uid_t uid, gid_t gid, const std::string& user_name) {
    Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir_fd.get() < 0) {
        const int e = errno;
        if (e == ELOOP || e == ENOTDIR) {
            return Status::FailedPrecondition("refusing to hand " + dir +
                                              " to the daemon user: not a directory (a symlink?)");
        }
        return Status::FromErrno(e, "cannot open state dir " + dir);
    }
    struct stat st {};
    if (::fstat(dir_fd.get(), &st) != 0) return Status::FromErrno(errno, "cannot inspect " + dir);
    if (!OwnedByRootOr(st, uid)) {
        return Status::FailedPrecondition("refusing to hand " + dir + " to the daemon user: it "
                                          "belongs to uid " + std::to_string(st.st_uid) +
                                          ", not root or " + user_name);
    }
    JEJAK_ASSIGN_OR_RETURN(std::vector<std::string> names, ListEntries(dir_fd.get(), dir));
    for (const std::string& name : names) {
        JEJAK_RETURN_IF_ERROR(CheckEntry(dir_fd.get(), dir, name, uid));
    }
    for (const std::string& name : names) {
        JEJAK_RETURN_IF_ERROR(Chown(dir_fd.get(), dir + "/" + name, name, uid, gid, user_name));
    }
    if (::fchownat(dir_fd.get(), "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
        return Status::FromErrno(errno, "cannot hand " + dir + " to " + user_name);
    }
    return Status::Ok();
}

}  // namespace jejak
