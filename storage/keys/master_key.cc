// Master key sources: key file and Argon2id passphrase.
#include "storage/keys/master_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "platform/base/atomic_file.h"

namespace jejak {
namespace {

// Reads exactly out.size() bytes; Corruption if the file holds more or fewer.
Status ReadExactly(int fd, const std::string& path, std::span<uint8_t> out) {
    size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = read(fd, out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Status::FromErrno(errno, "cannot read key file " + path);
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    uint8_t extra = 0;
    if (got != out.size() || read(fd, &extra, 1) != 0) {
        return Status::Corruption("key file " + path + " is not exactly 32 bytes");
    }
    return Status::Ok();
}

}  // namespace

Result<GuardedKey> ReadMasterKeyFile(const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) return Status::NotFound("master key file " + path + " is missing");
    if (fd < 0) return Status::FromErrno(errno, "cannot open master key file " + path);
    struct stat st {};
    Status status;
    if (fstat(fd, &st) != 0) {
        status = Status::FromErrno(errno, "cannot stat master key file " + path);
    } else if (!S_ISREG(st.st_mode)) {
        status = Status::PermissionDenied("master key file " + path + " is not a regular file");
    } else if (st.st_uid != geteuid()) {
        status = CheckOwnedPrivately(fd, path, "master key file", 077);
    } else if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        status = Status::PermissionDenied("master key file " + path + " has mode " + mode +
                                          ": other users may access it; run chmod 600");
    }
    if (!status.ok()) {
        close(fd);
        return status;
    }
    auto key = GuardedKey::Make(
        [&](std::span<uint8_t, GuardedKey::kSize> out) { return ReadExactly(fd, path, out); });
    close(fd);
    return key;
}

Result<GuardedKey> CreateMasterKeyFile(const std::string& path) {
    JEJAK_ASSIGN_OR_RETURN(GuardedKey key, GuardedKey::Random());
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST) {
        return Status::FailedPrecondition("master key file " + path + " already exists");
    }
    if (fd < 0) return Status::FromErrno(errno, "cannot create master key file " + path);
    const bool written = write(fd, key.data(), GuardedKey::kSize) ==
                         static_cast<ssize_t>(GuardedKey::kSize) && fsync(fd) == 0;
    const int err = errno;
    close(fd);
    if (!written) {
        unlink(path.c_str());
        return Status::FromErrno(err, "cannot write master key file " + path);
    }
    JEJAK_RETURN_IF_ERROR(SyncDirectoryOf(path));
    return key;
}

Result<GuardedKey> DeriveMasterKeyFromPassphrase(std::string_view passphrase,
                                                 std::span<const uint8_t, kPwhashSaltSize> salt,
                                                 const PwhashParams& params) {
    return DeriveKeyFromPassphrase(passphrase, salt, params);
}

}  // namespace jejak
