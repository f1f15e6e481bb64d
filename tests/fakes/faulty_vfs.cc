// FaultyVfs: every call passes to the wrapped default VFS; writes, syncs and truncations
// of open files ask the FaultyVfs first.
#include "tests/fakes/faulty_vfs.h"

#include <sqlite3.h>

#include <cstdlib>
#include <cstring>

namespace jejak::testing {
namespace {

FaultyVfs* g_owner = nullptr;        // the one installed
sqlite3_vfs* g_real_vfs = nullptr;   // what it wraps

// Our file: the header SQLite sees, followed by the wrapped VFS's own file object.
struct FaultyFile {
    sqlite3_file base;
    sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultyFile*>(f)->real; }
const sqlite3_io_methods* M(sqlite3_file* f) { return Real(f)->pMethods; }

int Close(sqlite3_file* f) { return M(f)->xClose(Real(f)); }
int Read(sqlite3_file* f, void* p, int n, sqlite3_int64 off) { return M(f)->xRead(Real(f), p, n, off); }
int Write(sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
    if (const int rc = g_owner->WriteVerdict(); rc != SQLITE_OK) return rc;
    return M(f)->xWrite(Real(f), p, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
    sqlite3_int64 now = 0;
    // Shrinking frees space: only a growing truncation meets a full disk.
    if (M(f)->xFileSize(Real(f), &now) == SQLITE_OK && size > now) {
        if (const int rc = g_owner->WriteVerdict(); rc != SQLITE_OK) return rc;
    }
    return M(f)->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
    if (const int rc = g_owner->SyncVerdict(); rc != SQLITE_OK) return rc;
    return M(f)->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) { return M(f)->xFileSize(Real(f), size); }
int Lock(sqlite3_file* f, int level) { return M(f)->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return M(f)->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) { return M(f)->xCheckReservedLock(Real(f), out); }
int FileControl(sqlite3_file* f, int op, void* arg) { return M(f)->xFileControl(Real(f), op, arg); }
int SectorSize(sqlite3_file* f) { return M(f)->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) { return M(f)->xDeviceCharacteristics(Real(f)); }
int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
    return M(f)->xShmMap(Real(f), page, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) { return M(f)->xShmLock(Real(f), offset, n, flags); }
void ShmBarrier(sqlite3_file* f) { M(f)->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) { return M(f)->xShmUnmap(Real(f), del); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) { return M(f)->xFetch(Real(f), off, n, out); }
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) { return M(f)->xUnfetch(Real(f), off, p); }

// Version 3 methods; files whose wrapped methods are older get a copy with that version,
// so SQLite never calls a member the wrapped file lacks.
sqlite3_io_methods MethodsOf(int version) {
    sqlite3_io_methods m{};
    m.iVersion = version;
    m.xClose = Close;
    m.xRead = Read;
    m.xWrite = Write;
    m.xTruncate = Truncate;
    m.xSync = Sync;
    m.xFileSize = FileSize;
    m.xLock = Lock;
    m.xUnlock = Unlock;
    m.xCheckReservedLock = CheckReservedLock;
    m.xFileControl = FileControl;
    m.xSectorSize = SectorSize;
    m.xDeviceCharacteristics = DeviceCharacteristics;
    if (version >= 2) {
        m.xShmMap = ShmMap;
        m.xShmLock = ShmLock;
        m.xShmBarrier = ShmBarrier;
        m.xShmUnmap = ShmUnmap;
    }
    if (version >= 3) {
        m.xFetch = Fetch;
        m.xUnfetch = Unfetch;
    }
    return m;
}

const sqlite3_io_methods kMethods[4] = {MethodsOf(1), MethodsOf(1), MethodsOf(2), MethodsOf(3)};

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    auto* ff = reinterpret_cast<FaultyFile*>(file);
    ff->base.pMethods = nullptr;
    ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
    std::memset(ff->real, 0, static_cast<size_t>(g_real_vfs->szOsFile));
    const int rc = g_real_vfs->xOpen(g_real_vfs, name, ff->real, flags, out_flags);
    if (ff->real->pMethods != nullptr) {
        const int v = ff->real->pMethods->iVersion;
        ff->base.pMethods = &kMethods[v < 1 ? 1 : (v > 3 ? 3 : v)];
    }
    return rc;
}

int Delete(sqlite3_vfs*, const char* name, int sync) { return g_real_vfs->xDelete(g_real_vfs, name, sync); }
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
    return g_real_vfs->xAccess(g_real_vfs, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
    return g_real_vfs->xFullPathname(g_real_vfs, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return g_real_vfs->xDlOpen(g_real_vfs, name); }
void DlError(sqlite3_vfs*, int n, char* out) { g_real_vfs->xDlError(g_real_vfs, n, out); }
void (*DlSym(sqlite3_vfs*, void* h, const char* sym))(void) { return g_real_vfs->xDlSym(g_real_vfs, h, sym); }
void DlClose(sqlite3_vfs*, void* h) { g_real_vfs->xDlClose(g_real_vfs, h); }
int Randomness(sqlite3_vfs*, int n, char* out) { return g_real_vfs->xRandomness(g_real_vfs, n, out); }
int Sleep(sqlite3_vfs*, int us) { return g_real_vfs->xSleep(g_real_vfs, us); }
int CurrentTime(sqlite3_vfs*, double* out) { return g_real_vfs->xCurrentTime(g_real_vfs, out); }
int GetLastError(sqlite3_vfs*, int n, char* out) { return g_real_vfs->xGetLastError(g_real_vfs, n, out); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
    return g_real_vfs->xCurrentTimeInt64(g_real_vfs, out);
}

}  // namespace

FaultyVfs::FaultyVfs() {
    if (g_owner != nullptr) std::abort();  // one at a time
    previous_ = sqlite3_vfs_find(nullptr);
    if (previous_ == nullptr) std::abort();
    g_real_vfs = previous_;
    g_owner = this;
    vfs_ = new sqlite3_vfs{};
    vfs_->iVersion = 2;
    vfs_->szOsFile = static_cast<int>(sizeof(FaultyFile)) + previous_->szOsFile;
    vfs_->mxPathname = previous_->mxPathname;
    vfs_->zName = "jejak-faulty";
    vfs_->xOpen = Open;
    vfs_->xDelete = Delete;
    vfs_->xAccess = Access;
    vfs_->xFullPathname = FullPathname;
    vfs_->xDlOpen = DlOpen;
    vfs_->xDlError = DlError;
    vfs_->xDlSym = DlSym;
    vfs_->xDlClose = DlClose;
    vfs_->xRandomness = Randomness;
    vfs_->xSleep = Sleep;
    vfs_->xCurrentTime = CurrentTime;
    vfs_->xGetLastError = GetLastError;
    vfs_->xCurrentTimeInt64 = previous_->iVersion >= 2 ? CurrentTimeInt64 : nullptr;
    if (sqlite3_vfs_register(vfs_, 1) != SQLITE_OK) std::abort();
}

FaultyVfs::~FaultyVfs() {
    sqlite3_vfs_unregister(vfs_);
    sqlite3_vfs_register(previous_, 1);
    delete vfs_;
    g_owner = nullptr;
    g_real_vfs = nullptr;
}

void FaultyVfs::Set(Fault fault, uint64_t after_writes) {
    grace_ = after_writes;
    fault_ = static_cast<int>(fault);
}

int FaultyVfs::WriteVerdict() {
    ++writes_;
    const auto fault = static_cast<Fault>(fault_.load());
    if (fault == Fault::kNone) return SQLITE_OK;
    uint64_t g = grace_.load();
    while (g > 0) {
        if (grace_.compare_exchange_weak(g, g - 1)) return SQLITE_OK;
    }
    ++failed_;
    return fault == Fault::kFull ? SQLITE_FULL : SQLITE_IOERR_WRITE;
}

int FaultyVfs::SyncVerdict() {
    if (static_cast<Fault>(fault_.load()) != Fault::kIoError || grace_.load() > 0) {
        ++syncs_;
        return SQLITE_OK;
    }
    ++failed_;
    return SQLITE_IOERR_FSYNC;
}

}  // namespace jejak::testing
