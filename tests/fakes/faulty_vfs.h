// FaultyVfs: a SQLite VFS that wraps the system's default one and fails writes on demand,
// for deterministic storage-fault tests (a full SD card, a failing one). Test-only: it
// lives here, never in a production library.
//
// While installed it is SQLite's default VFS, so every database opened afterwards (by a
// SqliteStore or anything else) goes through it; databases opened before keep their VFS.
// Only database, journal and WAL file writes, truncations and syncs are failed; the shared
// memory index (-shm) is mapped memory and never fails, as on a real full disk. One at a
// time per process.
//
// Faults:
//   kNone     everything passes through;
//   kFull     writes return SQLITE_FULL (what the unix VFS reports for ENOSPC) and
//             truncations that would grow a file fail the same way;
//   kIoError  writes return SQLITE_IOERR_WRITE and syncs SQLITE_IOERR_FSYNC (a failing card,
//             a read-only remount under an open file: EIO/EROFS).
// Set(fault, after_writes) lets `after_writes` more writes succeed first, so a fault can
// strike in the middle of a transaction's pages.
#pragma once

#include <atomic>
#include <cstdint>

struct sqlite3_vfs;

namespace jejak::testing {

class FaultyVfs {
public:
    enum class Fault { kNone, kFull, kIoError };

    FaultyVfs();   // registers itself as the default VFS
    ~FaultyVfs();  // restores the previous default
    FaultyVfs(const FaultyVfs&) = delete;
    FaultyVfs& operator=(const FaultyVfs&) = delete;

    void Set(Fault fault, uint64_t after_writes = 0);
    void Clear() { Set(Fault::kNone); }

    uint64_t writes() const { return writes_; }          // attempted, since construction
    uint64_t failed_writes() const { return failed_; }   // failed writes, truncates, syncs
    uint64_t syncs() const { return syncs_; }            // syncs passed through (durability)

    // For the wrapped files (called from SQLite's threads): the code to return for a write,
    // a sync or a growing truncate, 0 (SQLITE_OK) to pass it through.
    int WriteVerdict();
    int SyncVerdict();

private:
    sqlite3_vfs* vfs_ = nullptr;       // ours
    sqlite3_vfs* previous_ = nullptr;  // the default before us (wrapped)
    std::atomic<int> fault_{0};
    std::atomic<uint64_t> grace_{0};
    std::atomic<uint64_t> writes_{0};
    std::atomic<uint64_t> failed_{0};
    std::atomic<uint64_t> syncs_{0};
};

}  // namespace jejak::testing
