// The fault-injecting VFS of the store tests (see fault_vfs.h). It forwards everything to the
// default VFS and keeps, per path, an undo log of the writes and truncations since the last
// fsync of that file.
#include "store/fault_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace qrt::store::testing {
namespace {

// What one write or truncate replaced: the file had `old_size` bytes and `old_bytes` at
// `offset`.
struct Undo {
    sqlite3_int64 offset;
    std::string old_bytes;
    sqlite3_int64 old_size;
};

struct State {
    std::mutex mu;
    std::map<std::string, std::vector<Undo>> undo;  // per path, since its last fsync
    bool cut = false;
    bool fail_wal = false;
    long syncs = 0;
};

State& state() {
    static State s;
    return s;
}

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs;

struct FaultFile {
    sqlite3_file base;
    sqlite3_file* real;  // the default VFS's file, stored right after this struct
    const char* path;    // valid until xClose (SQLite's guarantee); null for temp files
    bool is_wal;
};

FaultFile* ff(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f); }
sqlite3_file* real(sqlite3_file* f) { return ff(f)->real; }
const sqlite3_io_methods* rm(sqlite3_file* f) { return real(f)->pMethods; }

// Reads [offset, offset + amount) clipped to the file's size.
std::string read_existing(sqlite3_file* f, sqlite3_int64 offset, sqlite3_int64 amount,
                          sqlite3_int64 size) {
    sqlite3_int64 n = std::min(offset + amount, size) - offset;
    if (n <= 0) return {};
    std::string out(static_cast<std::size_t>(n), '\0');
    rm(f)->xRead(real(f), out.data(), static_cast<int>(n), offset);
    return out;
}

int x_close(sqlite3_file* f) { return rm(f)->xClose(real(f)); }

int x_read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
    return rm(f)->xRead(real(f), buf, amount, offset);
}

int x_write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
    State& s = state();
    std::lock_guard lock(s.mu);
    if (s.cut) return SQLITE_OK;
    if (s.fail_wal && ff(f)->is_wal) return SQLITE_IOERR_WRITE;
    if (ff(f)->path != nullptr) {
        sqlite3_int64 size = 0;
        rm(f)->xFileSize(real(f), &size);
        s.undo[ff(f)->path].push_back({offset, read_existing(f, offset, amount, size), size});
    }
    return rm(f)->xWrite(real(f), buf, amount, offset);
}

int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
    State& s = state();
    std::lock_guard lock(s.mu);
    if (s.cut) return SQLITE_OK;
    if (ff(f)->path != nullptr) {
        sqlite3_int64 old_size = 0;
        rm(f)->xFileSize(real(f), &old_size);
        s.undo[ff(f)->path].push_back(
            {size, read_existing(f, size, old_size - size, old_size), old_size});
    }
    return rm(f)->xTruncate(real(f), size);
}

int x_sync(sqlite3_file* f, int flags) {
    State& s = state();
    std::lock_guard lock(s.mu);
    if (s.cut) return SQLITE_OK;
    int rc = rm(f)->xSync(real(f), flags);
    if (rc == SQLITE_OK) {
        ++s.syncs;
        if (ff(f)->path != nullptr) s.undo[ff(f)->path].clear();
    }
    return rc;
}

int x_file_size(sqlite3_file* f, sqlite3_int64* size) { return rm(f)->xFileSize(real(f), size); }
int x_lock(sqlite3_file* f, int level) { return rm(f)->xLock(real(f), level); }
int x_unlock(sqlite3_file* f, int level) { return rm(f)->xUnlock(real(f), level); }
int x_check_reserved_lock(sqlite3_file* f, int* out) {
    return rm(f)->xCheckReservedLock(real(f), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
    return rm(f)->xFileControl(real(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return rm(f)->xSectorSize(real(f)); }
int x_device_characteristics(sqlite3_file* f) { return rm(f)->xDeviceCharacteristics(real(f)); }
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    return rm(f)->xShmMap(real(f), region, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return rm(f)->xShmLock(real(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { rm(f)->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int delete_flag) { return rm(f)->xShmUnmap(real(f), delete_flag); }
int x_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
    return rm(f)->xFetch(real(f), offset, amount, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
    return rm(f)->xUnfetch(real(f), offset, p);
}

const sqlite3_io_methods kMethods = {
    3,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved_lock,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    x_shm_map,
    x_shm_lock,
    x_shm_barrier,
    x_shm_unmap,
    x_fetch,
    x_unfetch,
};

int x_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
    FaultFile* file = ff(f);
    file->base.pMethods = nullptr;
    file->real = reinterpret_cast<sqlite3_file*>(file + 1);
    file->path = name;
    std::size_t len = name != nullptr ? std::strlen(name) : 0;
    file->is_wal = len > 4 && std::strcmp(name + len - 4, "-wal") == 0;
    int rc = g_real->xOpen(g_real, name, file->real, flags, out_flags);
    if (rc != SQLITE_OK) return rc;
    file->base.pMethods = &kMethods;
    return SQLITE_OK;
}

int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
    State& s = state();
    std::lock_guard lock(s.mu);
    if (s.cut) return SQLITE_OK;
    s.undo.erase(name);
    return g_real->xDelete(g_real, name, sync_dir);
}

void apply_undo(const std::string& path, const std::vector<Undo>& log) {
    int fd = ::open(path.c_str(), O_RDWR);
    if (fd < 0) return;  // deleted since
    for (auto it = log.rbegin(); it != log.rend(); ++it) {
        if (::ftruncate(fd, it->old_size) != 0) std::abort();
        if (!it->old_bytes.empty() &&
            ::pwrite(fd, it->old_bytes.data(), it->old_bytes.size(), it->offset) !=
                static_cast<ssize_t>(it->old_bytes.size())) {
            std::abort();
        }
    }
    ::close(fd);
}

}  // namespace

FaultVfs& FaultVfs::instance() {
    static FaultVfs vfs;
    static std::once_flag once;
    std::call_once(once, [] {
        g_real = sqlite3_vfs_find(nullptr);
        g_vfs = *g_real;
        g_vfs.iVersion = std::min(g_real->iVersion, 3);
        g_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_real->szOsFile;
        g_vfs.pNext = nullptr;
        g_vfs.zName = kName;
        g_vfs.xOpen = x_open;
        g_vfs.xDelete = x_delete;
        sqlite3_vfs_register(&g_vfs, 0);
    });
    return vfs;
}

void FaultVfs::power_cut() {
    std::lock_guard lock(state().mu);
    state().cut = true;
}

void FaultVfs::restore_synced_state() {
    State& s = state();
    std::lock_guard lock(s.mu);
    for (const auto& [path, log] : s.undo) {
        apply_undo(path, log);
        bool is_wal = path.size() > 4 && path.compare(path.size() - 4, 4, "-wal") == 0;
        if (!is_wal) ::unlink((path + "-shm").c_str());
    }
    s.undo.clear();
    s.cut = false;
}

long FaultVfs::syncs() const {
    std::lock_guard lock(state().mu);
    return state().syncs;
}

void FaultVfs::fail_wal_writes(bool on) {
    std::lock_guard lock(state().mu);
    state().fail_wal = on;
}

void FaultVfs::reset() {
    State& s = state();
    std::lock_guard lock(s.mu);
    s.undo.clear();
    s.cut = false;
    s.fail_wal = false;
    s.syncs = 0;
}

}  // namespace qrt::store::testing
