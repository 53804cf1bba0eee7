// A fault-injecting SQLite VFS for the store's tests (the leveldb fault_injection_test seam):
// it wraps the default VFS and
//   - remembers, per file, what every write since the file's last fsync overwrote, so that
//     power_cut() + restore_synced_state() put every file back to what an fsync made durable:
//     a power cut that loses all unsynced data;
//   - fails writes to the WAL on request, to test a group whose commit fails.
//
// Thread safety: all members may be called from any thread; SQLite calls the VFS from the
// store's threads.
#pragma once

#include <string>

namespace qrt::store::testing {

class FaultVfs {
public:
    // Registers the VFS (once per process) and returns it. Open stores with
    // SqliteOptions::vfs = FaultVfs::kName.
    static FaultVfs& instance();
    static constexpr const char* kName = "qrt-fault";

    // From now on every write, truncate, sync and delete is dropped (reported as done): the
    // machine has lost power. Then destroy the store and call restore_synced_state().
    void power_cut();
    // Rolls every file back to its state at its last fsync, removes the WAL index (shared
    // memory does not survive a power cut) and forgets the past. Ends the power cut.
    void restore_synced_state();
    // Number of fsyncs seen since the last reset.
    long syncs() const;

    // When on, writes to files ending in "-wal" fail with SQLITE_IOERR_WRITE.
    void fail_wal_writes(bool on);

    // Forgets all recorded state (start of a test).
    void reset();
};

}  // namespace qrt::store::testing
