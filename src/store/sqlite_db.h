// A thin C++ layer over the SQLite C API for the store: one connection with its cache of
// prepared statements, statements that bind by position and reset themselves, and the mapping
// of SQLite result codes to qrt Status values (corrupt file: data_loss; duplicate key:
// already_exists; ...).
//
// Thread safety: a Connection (and every Statement it hands out) is used by one thread at a time;
// connections are opened with SQLITE_OPEN_NOMUTEX. Different connections may be used in parallel.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "base/status.h"
#include "base/time.h"

namespace qrt::store::sqlite {

// Statements compiled by every connection of the process (prepare misses and exec calls); the
// metric qrt_store_statements_compiled_total. A hot path that compiles SQL shows up here.
double statements_compiled();

// The Status for SQLite result code `rc` (extended codes understood), with `context` and the
// connection's error message: "insert job: UNIQUE constraint failed: jobs.id".
// SQLITE_CORRUPT / SQLITE_NOTADB: data_loss; PRIMARY KEY / UNIQUE: already_exists; NOT NULL /
// CHECK: invalid_argument; FOREIGN KEY: not_found; BUSY / LOCKED: unavailable; FULL:
// resource_exhausted; CANTOPEN / PERM / READONLY: failed_precondition; others: internal.
Status status_from(int rc, sqlite3* db, std::string_view context);

// A prepared statement borrowed from a Connection's cache (or owned, when the cached one is in
// use). Binding is positional and chained: `st.text(id).integer(n).null()`. Destruction resets
// it and clears its bindings, so it can be handed out again.
//
// Text bound with text() is not copied (SQLITE_STATIC): the string must outlive the statement's
// execution, which is why only lvalues are accepted.
class Statement {
public:
    Statement(sqlite3_stmt* stmt, bool* in_use, bool owned) noexcept
        : stmt_(stmt), in_use_(in_use), owned_(owned) {}
    Statement(Statement&& other) noexcept
        : stmt_(std::exchange(other.stmt_, nullptr)),
          in_use_(std::exchange(other.in_use_, nullptr)),
          owned_(other.owned_),
          next_(other.next_) {}
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& operator=(Statement&&) = delete;
    ~Statement();

    Statement& text(const std::string& value);
    Statement& text(std::string&&) = delete;
    Statement& text(const char* literal);  // a literal or other static string
    Statement& integer(std::int64_t value);
    Statement& real(double value);
    Statement& boolean(bool value) { return integer(value ? 1 : 0); }
    Statement& time(Timestamp t) { return integer(t.time_since_epoch().count()); }
    Statement& null();
    Statement& opt_real(const std::optional<double>& value) {
        return value ? real(*value) : null();
    }
    Statement& opt_time(const std::optional<Timestamp>& value) {
        return value ? time(*value) : null();
    }

    // Rewinds the statement and clears its bindings, to run it again with new values.
    void reset();

    // Runs one step: true when a row is ready, false when done.
    Result<bool> step(std::string_view context);
    // Runs a statement that returns no rows.
    Status run(std::string_view context);

    // Columns of the current row, 0-based.
    bool is_null(int col) const;
    std::string column_text(int col) const;
    std::int64_t column_int(int col) const;
    double column_real(int col) const;
    bool column_bool(int col) const { return column_int(col) != 0; }
    Timestamp column_time(int col) const { return from_micros(column_int(col)); }
    std::optional<double> column_opt_real(int col) const;
    std::optional<Timestamp> column_opt_time(int col) const;

    sqlite3_stmt* raw() const { return stmt_; }

private:
    sqlite3* db() const { return sqlite3_db_handle(stmt_); }

    sqlite3_stmt* stmt_ = nullptr;
    bool* in_use_ = nullptr;  // the cache slot's flag; null for an owned statement
    bool owned_ = false;      // finalize on destruction (not from the cache)
    int next_ = 1;            // next bind position
};

class Connection {
public:
    // Opens `path` with `flags` (SQLITE_OPEN_NOMUTEX and extended result codes are added) on the
    // named VFS (empty: the default). Errors: see status_from.
    static Result<std::unique_ptr<Connection>> open(const std::string& path, int flags,
                                                    const std::string& vfs);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs SQL text (one or more statements, no parameters, results ignored). SQLite compiles
    // it on every call: for statements run often (BEGIN, SAVEPOINT) use run_cached.
    Status exec(const char* sql, std::string_view context);
    // Runs one statement without parameters or results from the statement cache.
    Status run_cached(const std::string& sql, std::string_view context);
    // A cached prepared statement for `sql`.
    Result<Statement> prepare(const std::string& sql);
    // Single-row helpers for PRAGMAs and counts: the first column of the first row.
    Result<std::int64_t> query_int(const std::string& sql);
    Result<std::string> query_text(const std::string& sql);

    // Drops cached statements beyond `max` (none may be in use): bounds the cache when callers
    // build SQL with a varying number of parameters.
    void trim_cache(std::size_t max);

    sqlite3* db() const { return db_; }
    Status error(int rc, std::string_view context) const { return status_from(rc, db_, context); }
    bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

private:
    explicit Connection(sqlite3* db) : db_(db) {}

    struct Cached {
        sqlite3_stmt* stmt = nullptr;
        bool in_use = false;
    };
    sqlite3* db_;
    std::unordered_map<std::string, Cached> cache_;
};

}  // namespace qrt::store::sqlite
