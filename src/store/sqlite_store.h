// The SQLite JobStore with its knobs: options for tests and benchmarks (a fault-injecting VFS, a
// seam before each group commit, non-durable bulk loading) and the writer's statistics. The
// service itself only needs open_sqlite_store(path) from job_store.h.
//
// How it works (docs/adr/0007-sqlite-store.md): one file in WAL mode. All writes go through one
// writer thread on one connection: callers queue an operation and sleep; the writer takes every
// queued operation (up to max_batch), runs each inside its own SAVEPOINT of one IMMEDIATE
// transaction, commits once (synchronous=FULL: the WAL is fsynced), then wakes each caller with
// its own Status. An operation's own failure (duplicate id, unknown job) rolls back only its
// savepoint; a failure of the transaction itself (I/O error, disk full, failed commit) fails the
// whole group, and nothing of it is stored. Reads use a pool of read-only connections; in WAL
// mode they run in parallel with the writer and see every commit that returned before they began.
//
// Thread safety: as JobStore. Destroying the store waits for queued writes to finish; no call
// may be in progress or start during destruction.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "store/job_store.h"

namespace qrt::store {

struct SqliteOptions {
    // synchronous=FULL: a commit is on disk before the call returns. false gives
    // synchronous=OFF, for bulk loading in benchmarks and tests only (a power cut loses data).
    bool durable = true;
    // SQLite VFS to open the file with (empty: the platform default). Tests pass a
    // fault-injecting VFS here.
    std::string vfs;
    // Most operations committed in one transaction.
    std::size_t max_batch = 1024;
    // How long a connection waits for a lock held by another process before failing with
    // unavailable.
    std::chrono::milliseconds busy_timeout{10'000};
    // Read connections kept open between reads (more are opened when needed, then closed).
    std::size_t read_pool_size = 8;
    // Test seam: runs on the writer thread after a group's operations, before its COMMIT.
    std::function<void()> before_commit;
};

struct WriterStats {
    std::uint64_t operations = 0;  // write operations finished (ok or not)
    std::uint64_t commits = 0;     // transactions committed (or attempted)
    std::uint64_t queued = 0;      // operations waiting for the writer now
    std::uint64_t largest_group = 0;
};

class SqliteStore : public JobStore {
public:
    virtual WriterStats writer_stats() const = 0;
};

// As open_sqlite_store(path), with options.
Result<std::unique_ptr<SqliteStore>> open_sqlite_store(const std::string& path,
                                                       const SqliteOptions& options);

}  // namespace qrt::store
