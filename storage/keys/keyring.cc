// Reading, sealing and crash-safe in-place rewriting of the store's key file.
#include "storage/keys/keyring.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "crypto/aead.h"
#include "crypto/random.h"
#include "platform/base/atomic_file.h"

namespace jejak {
namespace {

constexpr char kMagic[9] = "JEJAKKR1";

void PutLe(uint8_t* p, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint64_t GetLe(const uint8_t* p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
    return v;
}

Status WriteAt(int fd, const uint8_t* data, size_t size, off_t offset, const std::string& path) {
    while (size > 0) {
        const ssize_t n = pwrite(fd, data, size, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Status::FromErrno(errno, "cannot write key file " + path);
        data += n;
        size -= static_cast<size_t>(n);
        offset += n;
    }
    if (fdatasync(fd) != 0) return Status::FromErrno(errno, "cannot sync key file " + path);
    return Status::Ok();
}

}  // namespace

Keyring::Keyring(std::string path, const FileBytes& bytes) : path_(std::move(path)), bytes_(bytes) {
    header_.kind = static_cast<MasterKeyKind>(bytes_[8]);
    header_.opslimit = static_cast<uint32_t>(GetLe(&bytes_[12], 4));
    header_.memlimit_kib = static_cast<uint32_t>(GetLe(&bytes_[16], 4));
    std::memcpy(header_.salt.data(), &bytes_[20], header_.salt.size());
}

Result<Keyring> Keyring::Read(const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) return Status::NotFound("store key file " + path + " is missing");
    if (fd < 0) return Status::FromErrno(errno, "cannot open store key file " + path);
    if (Status owned = CheckOwnedPrivately(fd, path, "store key file", 022); !owned.ok()) {
        close(fd);
        return owned;
    }
    FileBytes bytes{};
    uint8_t extra = 0;
    const ssize_t n = pread(fd, bytes.data(), bytes.size(), 0);
    const bool longer = pread(fd, &extra, 1, static_cast<off_t>(bytes.size())) == 1;
    close(fd);
    const auto kind = bytes[8];
    if (n != static_cast<ssize_t>(kFileSize) || longer || std::memcmp(bytes.data(), kMagic, 8) != 0 ||
        (kind != uint8_t(MasterKeyKind::kKeyFile) && kind != uint8_t(MasterKeyKind::kPassphrase))) {
        return Status::PermissionDenied(kWrongKeyMessage);
    }
    return Keyring(path, bytes);
}

Result<Keyring> Keyring::Create(const std::string& path, const KeyringHeader& header,
                                const GuardedKey& keyring_key, const RatchetState& state) {
    FileBytes bytes{};
    std::memcpy(bytes.data(), kMagic, 8);
    bytes[8] = static_cast<uint8_t>(header.kind);
    PutLe(&bytes[12], header.opslimit, 4);
    PutLe(&bytes[16], header.memlimit_kib, 4);
    std::memcpy(&bytes[20], header.salt.data(), header.salt.size());
    Keyring keyring(path, bytes);
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST) return Status::FailedPrecondition(path + " already exists");
    if (fd < 0) return Status::FromErrno(errno, "cannot create store key file " + path);
    Status s = WriteAt(fd, bytes.data(), kHeaderSize, 0, path);
    for (int slot = 0; slot < 2 && s.ok(); ++slot) s = keyring.WriteSlot(fd, slot, keyring_key, state);
    close(fd);
    if (!s.ok()) {
        unlink(path.c_str());
        return s;
    }
    return keyring;
}

Status Keyring::WriteSlot(int fd, int slot, const GuardedKey& keyring_key,
                          const RatchetState& state) {
    uint8_t* p = &bytes_[kHeaderSize + static_cast<size_t>(slot) * kSlotSize];
    PutLe(p, state.generation, 8);
    PutLe(p + 8, state.oldest_day, 4);
    AeadNonce nonce;
    SystemRandom().Fill(nonce);
    std::memcpy(p + 12, nonce.data(), nonce.size());
    std::vector<uint8_t> ad(bytes_.begin(), bytes_.begin() + kHeaderSize);
    ad.insert(ad.end(), p, p + 12);
    AeadSeal(keyring_key, nonce, ad, state.chain.bytes(), {p + 36, 48});
    return WriteAt(fd, p, kSlotSize, static_cast<off_t>(p - bytes_.data()), path_);
}

Result<RatchetState> Keyring::Unseal(const GuardedKey& keyring_key, bool* slots_agree) const {
    std::vector<RatchetState> opened(2);
    bool ok[2] = {false, false};
    for (size_t slot = 0; slot < 2; ++slot) {
        const uint8_t* p = &bytes_[kHeaderSize + slot * kSlotSize];
        AeadNonce nonce;
        std::memcpy(nonce.data(), p + 12, nonce.size());
        std::vector<uint8_t> ad(bytes_.begin(), bytes_.begin() + kHeaderSize);
        ad.insert(ad.end(), p, p + 12);
        auto key = GuardedKey::Make([&](std::span<uint8_t, GuardedKey::kSize> out) {
            return AeadOpen(keyring_key, nonce, ad, {p + 36, 48}, out);
        });
        if (!key.ok()) continue;
        ok[slot] = true;
        opened[slot] = {std::move(key).value(), static_cast<UtcDay>(GetLe(p + 8, 4)), GetLe(p, 8)};
    }
    if (!ok[0] && !ok[1]) return Status::PermissionDenied(kWrongKeyMessage);
    const size_t best = !ok[0] || (ok[1] && opened[1].generation > opened[0].generation) ? 1 : 0;
    best_slot_ = static_cast<int>(best);
    *slots_agree = ok[0] && ok[1] && opened[0].generation == opened[1].generation &&
                   opened[0].oldest_day == opened[1].oldest_day;
    return std::move(opened[best]);
}

Status Keyring::Write(const GuardedKey& keyring_key, const RatchetState& state) {
    const int fd = open(path_.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return Status::FromErrno(errno, "cannot open store key file " + path_);
    // Overwrite the slot Unseal did not choose first, so one slot always opens.
    const int first = 1 - best_slot_;
    Status s = WriteSlot(fd, first, keyring_key, state);
    if (s.ok()) s = WriteSlot(fd, 1 - first, keyring_key, state);
    close(fd);
    return s;
}

Status Keyring::Shred(const std::string& path) {
    const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) return Status::NotFound(path + " is missing");
    if (fd < 0) return Status::FromErrno(errno, "cannot open " + path);
    struct stat st {};
    Status s = fstat(fd, &st) == 0 ? Status::Ok() : Status::FromErrno(errno, "cannot stat " + path);
    std::vector<uint8_t> noise(static_cast<size_t>(st.st_size));
    SystemRandom().Fill(noise);
    if (s.ok()) s = WriteAt(fd, noise.data(), noise.size(), 0, path);
    close(fd);
    if (s.ok() && unlink(path.c_str()) != 0) s = Status::FromErrno(errno, "cannot remove " + path);
    return s;
}

}  // namespace jejak
