// SQLite connection, statement cache and error mapping (see sqlite_db.h).
#include "store/sqlite_db.h"

#include <fmt/format.h>

#include <vector>

#include "base/metrics.h"

namespace qrt::store::sqlite {

namespace {
metrics::Counter& compiled_counter() {
    static metrics::Counter& c =
        metrics::default_registry()
            .counter("qrt_store_statements_compiled_total",
                     "SQL statements the store compiled (statement cache misses and one-off SQL); "
                     "it should stay flat under a steady load")
            .get();
    return c;
}
}  // namespace

double statements_compiled() { return compiled_counter().value(); }

Status status_from(int rc, sqlite3* db, std::string_view context) {
    // The connection's message is only meaningful when it describes this very code.
    const char* detail =
        (db != nullptr && sqlite3_extended_errcode(db) == rc) ? sqlite3_errmsg(db) : nullptr;
    std::string message = fmt::format("{}: {}", context, detail ? detail : sqlite3_errstr(rc));
    switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
            return {};
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return {ErrorCode::kDataLoss, "store file is corrupt or not a qrt store: " + message};
        case SQLITE_CONSTRAINT:
            switch (rc) {
                case SQLITE_CONSTRAINT_PRIMARYKEY:
                case SQLITE_CONSTRAINT_UNIQUE:
                    return {ErrorCode::kAlreadyExists, std::move(message)};
                case SQLITE_CONSTRAINT_FOREIGNKEY:
                    return {ErrorCode::kNotFound, std::move(message)};
                default:
                    return {ErrorCode::kInvalidArgument, std::move(message)};
            }
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return {ErrorCode::kUnavailable, std::move(message)};
        case SQLITE_FULL:
            return {ErrorCode::kResourceExhausted, std::move(message)};
        case SQLITE_CANTOPEN:
        case SQLITE_PERM:
        case SQLITE_READONLY:
        case SQLITE_AUTH:
            return {ErrorCode::kFailedPrecondition, std::move(message)};
        default:
            return {ErrorCode::kInternal, std::move(message)};
    }
}

// --- Statement

Statement::~Statement() {
    if (stmt_ == nullptr) return;
    if (owned_) {
        sqlite3_finalize(stmt_);
        return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    if (in_use_ != nullptr) *in_use_ = false;
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    next_ = 1;
}

Statement& Statement::text(const std::string& value) {
    sqlite3_bind_text64(stmt_, next_++, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
    return *this;
}

Statement& Statement::text(const char* literal) {
    sqlite3_bind_text(stmt_, next_++, literal, -1, SQLITE_STATIC);
    return *this;
}

Statement& Statement::integer(std::int64_t value) {
    sqlite3_bind_int64(stmt_, next_++, value);
    return *this;
}

Statement& Statement::real(double value) {
    sqlite3_bind_double(stmt_, next_++, value);
    return *this;
}

Statement& Statement::null() {
    sqlite3_bind_null(stmt_, next_++);
    return *this;
}

Result<bool> Statement::step(std::string_view context) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return status_from(rc, db(), context);
}

Status Statement::run(std::string_view context) {
    for (;;) {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_DONE) return {};
        if (rc != SQLITE_ROW) return status_from(rc, db(), context);
    }
}

bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::string Statement::column_text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    if (p == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(p),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::int64_t Statement::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }

double Statement::column_real(int col) const { return sqlite3_column_double(stmt_, col); }

std::optional<double> Statement::column_opt_real(int col) const {
    if (is_null(col)) return std::nullopt;
    return column_real(col);
}

std::optional<Timestamp> Statement::column_opt_time(int col) const {
    if (is_null(col)) return std::nullopt;
    return column_time(col);
}

// --- Connection

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, int flags,
                                                     const std::string& vfs) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX,
                             vfs.empty() ? nullptr : vfs.c_str());
    if (rc != SQLITE_OK) {
        Status s = status_from(rc, db, "open " + path);
        sqlite3_close_v2(db);  // a handle is returned even on failure; null is fine too
        return s;
    }
    sqlite3_extended_result_codes(db, 1);
    return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
    for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
    sqlite3_close_v2(db_);
}

Status Connection::exec(const char* sql, std::string_view context) {
    compiled_counter().inc();
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return error(rc, context);
    return {};
}

Result<Statement> Connection::prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end() && !it->second.in_use) {
        it->second.in_use = true;
        return Statement(it->second.stmt, &it->second.in_use, false);
    }
    compiled_counter().inc();
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return error(rc, "prepare");
    }
    if (it != cache_.end()) return Statement(stmt, nullptr, true);  // the cached one is busy
    auto [slot, inserted] = cache_.emplace(sql, Cached{stmt, true});
    (void)inserted;
    return Statement(stmt, &slot->second.in_use, false);
}

Status Connection::run_cached(const std::string& sql, std::string_view context) {
    auto st = prepare(sql);
    if (!st.ok()) return st.status();
    return st->run(context);
}

Result<std::int64_t> Connection::query_int(const std::string& sql) {
    auto st = prepare(sql);
    if (!st.ok()) return st.status();
    auto row = st->step(sql);
    if (!row.ok()) return row.status();
    if (!*row) return Status{ErrorCode::kInternal, "no row from " + sql};
    return st->column_int(0);
}

Result<std::string> Connection::query_text(const std::string& sql) {
    auto st = prepare(sql);
    if (!st.ok()) return st.status();
    auto row = st->step(sql);
    if (!row.ok()) return row.status();
    if (!*row) return Status{ErrorCode::kInternal, "no row from " + sql};
    return st->column_text(0);
}

void Connection::trim_cache(std::size_t max) {
    if (cache_.size() <= max) return;
    std::vector<std::string> drop;
    for (auto& [sql, cached] : cache_) {
        if (!cached.in_use && cache_.size() - drop.size() > max) drop.push_back(sql);
    }
    for (const auto& sql : drop) {
        auto it = cache_.find(sql);
        sqlite3_finalize(it->second.stmt);
        cache_.erase(it);
    }
}

}  // namespace qrt::store::sqlite
