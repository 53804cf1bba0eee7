// The SQLite JobStore: group-committing writer thread, pooled read connections, and the SQL of
// every JobStore method. sqlite_store.h describes the design; schema.cc holds the tables.
#include "store/sqlite_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "base/log.h"
#include "base/metrics.h"
#include "store/schema.h"
#include "store/sqlite_db.h"

namespace qrt::store {
namespace {

using sqlite::Connection;
using sqlite::Statement;

// Prepared statements kept per connection (list queries vary with the number of filter values).
constexpr std::size_t kStatementCacheSize = 96;
// The WAL is truncated back to this size after a checkpoint.
constexpr std::int64_t kWalSizeLimit = 64 << 20;

// The columns of a jobs row without the payloads, in the order read_job() reads them.
constexpr const char* kJobColumns =
    "id, user_id, instance, backend, program_id, session_id, status, reason, reason_code, "
    "created, started, finished, max_execution_time_s, is_private, system, log_level, usage_s, "
    "estimated_running_time_s, attempts, metrics_json";
constexpr int kJobColumnCount = 20;

constexpr const char* kSessionColumns =
    "id, mode, backend, instance, user_id, state, accepting_jobs, interactive_ttl_s, max_ttl_s, "
    "created, started_at, activated_at, closed_at, last_job_started, last_job_completed, "
    "close_reason, busy_s, idle_s";

constexpr const char* kPendingStatuses = "('Queued', 'Running')";

// qrt_store_operation_seconds{op}: the latency of each JobStore operation as its caller sees it
// (reads: lease + query; writes: queueing + the group commit they joined).
metrics::Family<metrics::Histogram>& op_seconds() {
    static auto& family = metrics::default_registry().histogram(
        "qrt_store_operation_seconds",
        "Latency of store operations as their callers see them (writes include the group commit), "
        "in seconds",
        {"op"}, metrics::latency_buckets());
    return family;
}

// Times the enclosing function into op_seconds(){op="<op>"}; the child is looked up once.
#define QRT_STORE_TIMED(op)                                                  \
    static metrics::Histogram& qrt_store_op_histogram = op_seconds().with({op}); \
    const metrics::ScopedTimer qrt_store_op_timer(qrt_store_op_histogram)

JobRecord read_job(const Statement& st) {
    JobRecord j;
    j.id = st.column_text(0);
    j.user_id = st.column_text(1);
    j.instance = st.column_text(2);
    j.backend = st.column_text(3);
    j.program_id = st.column_text(4);
    j.session_id = st.column_text(5);
    j.status = st.column_text(6);
    j.reason = st.column_text(7);
    j.reason_code = static_cast<int>(st.column_int(8));
    j.created = st.column_time(9);
    j.started = st.column_opt_time(10);
    j.finished = st.column_opt_time(11);
    j.max_execution_time_s = st.column_opt_real(12);
    j.is_private = st.column_bool(13);
    j.system = st.column_bool(14);
    j.log_level = st.column_text(15);
    j.usage_s = st.column_real(16);
    j.estimated_running_time_s = st.column_real(17);
    j.attempts = static_cast<int>(st.column_int(18));
    j.metrics_json = st.column_text(19);
    return j;
}

SessionRecord read_session(const Statement& st) {
    SessionRecord s;
    s.id = st.column_text(0);
    s.mode = st.column_text(1);
    s.backend = st.column_text(2);
    s.instance = st.column_text(3);
    s.user_id = st.column_text(4);
    s.state = st.column_text(5);
    s.accepting_jobs = st.column_bool(6);
    s.interactive_ttl_s = st.column_real(7);
    s.max_ttl_s = st.column_real(8);
    s.created = st.column_time(9);
    s.started_at = st.column_opt_time(10);
    s.activated_at = st.column_opt_time(11);
    s.closed_at = st.column_opt_time(12);
    s.last_job_started = st.column_opt_time(13);
    s.last_job_completed = st.column_opt_time(14);
    s.close_reason = st.column_text(15);
    s.busy_s = st.column_real(16);
    s.idle_s = st.column_real(17);
    return s;
}

UserRecord read_user(const Statement& st) {
    UserRecord u;
    u.id = st.column_text(0);
    u.name = st.column_text(1);
    u.admin = st.column_bool(2);
    u.created = st.column_time(3);
    return u;
}

ApiKeyRecord read_key(const Statement& st) {
    ApiKeyRecord k;
    k.id = st.column_text(0);
    k.user_id = st.column_text(1);
    k.hash = st.column_text(2);
    k.label = st.column_text(3);
    k.created = st.column_time(4);
    k.revoked = st.column_bool(5);
    return k;
}

InstanceRecord read_instance(const Statement& st) {
    InstanceRecord in;
    in.crn = st.column_text(0);
    in.name = st.column_text(1);
    in.plan = st.column_text(2);
    in.share = st.column_real(3);
    in.hard_limit_s = st.column_opt_real(4);
    in.interactive_ttl_s = st.column_opt_real(5);
    in.created = st.column_time(6);
    return in;
}

UsageRecord read_usage(const Statement& st) {
    UsageRecord u;
    u.instance = st.column_text(0);
    u.user_id = st.column_text(1);
    u.job_id = st.column_text(2);
    u.session_id = st.column_text(3);
    u.mode = st.column_text(4);
    u.at = st.column_time(5);
    u.seconds = st.column_real(6);
    return u;
}

// Runs a prepared statement to completion, collecting one value per row.
template <typename T, typename ReadRow>
Result<std::vector<T>> collect(Statement& st, std::string_view context, ReadRow read_row) {
    std::vector<T> out;
    for (;;) {
        auto row = st.step(context);
        if (!row.ok()) return row.status();
        if (!*row) return out;
        out.push_back(read_row(st));
    }
}

Status load_tags(Connection& c, const std::string& job_id, std::vector<std::string>& tags) {
    auto st = c.prepare("SELECT tag FROM job_tags WHERE job_id = ? ORDER BY pos");
    if (!st.ok()) return st.status();
    st->text(job_id);
    auto got = collect<std::string>(*st, "read job tags",
                                    [](const Statement& s) { return s.column_text(0); });
    if (!got.ok()) return got.status();
    tags = std::move(*got);
    return {};
}

Status write_tags(Connection& c, const std::string& job_id, const std::vector<std::string>& tags) {
    {
        auto del = c.prepare("DELETE FROM job_tags WHERE job_id = ?");
        if (!del.ok()) return del.status();
        QRT_RETURN_IF_ERROR(del->text(job_id).run("replace job tags"));
    }
    auto ins = c.prepare("INSERT INTO job_tags(job_id, pos, tag) VALUES (?, ?, ?)");
    if (!ins.ok()) return ins.status();
    for (std::size_t i = 0; i < tags.size(); ++i) {
        ins->reset();
        QRT_RETURN_IF_ERROR(ins->text(job_id)
                                .integer(static_cast<std::int64_t>(i))
                                .text(tags[i])
                                .run("write job tag"));
    }
    return {};
}

// A read transaction: the statements run inside see one snapshot. Ends on destruction.
class ReadTransaction {
public:
    explicit ReadTransaction(Connection& c) : c_(c), status_(c.run_cached("BEGIN", "begin read")) {}
    ~ReadTransaction() {
        if (c_.in_transaction()) (void)c_.run_cached("ROLLBACK", "end read");
    }
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;
    const Status& status() const { return status_; }

private:
    Connection& c_;
    Status status_;
};

std::string placeholders(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += i == 0 ? "?" : ", ?";
    return s;
}

std::int64_t clamp_size(std::size_t n) {
    constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(std::min(n, kMax));
}

class SqliteStoreImpl;

// A read connection borrowed from the pool; returned when destroyed.
class ReadLease {
public:
    ReadLease(const SqliteStoreImpl* store, std::unique_ptr<Connection> conn)
        : store_(store), conn_(std::move(conn)) {}
    ReadLease(ReadLease&& other) noexcept = default;
    ReadLease(const ReadLease&) = delete;
    ReadLease& operator=(const ReadLease&) = delete;
    ReadLease& operator=(ReadLease&&) = delete;
    ~ReadLease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

private:
    const SqliteStoreImpl* store_;
    std::unique_ptr<Connection> conn_;
};

class SqliteStoreImpl final : public SqliteStore {
public:
    SqliteStoreImpl(std::string path, SqliteOptions options, std::unique_ptr<Connection> writer)
        : path_(std::move(path)), options_(std::move(options)), writer_(std::move(writer)) {
        if (options_.max_batch == 0) options_.max_batch = 1;
        thread_ = std::thread([this] { writer_loop(); });
    }

    ~SqliteStoreImpl() override {
        {
            std::lock_guard lock(mu_);
            stopping_ = true;
        }
        writer_cv_.notify_all();
        thread_.join();
        {
            std::lock_guard lock(pool_mu_);
            pool_.clear();
        }
        writer_.reset();  // the last connection: checkpoints the WAL into the file
    }

    SqliteStoreImpl(const SqliteStoreImpl&) = delete;
    SqliteStoreImpl& operator=(const SqliteStoreImpl&) = delete;

    // Opens one more read connection (the pool is empty).
    Result<std::unique_ptr<Connection>> open_reader() const {
        auto c = Connection::open(path_, SQLITE_OPEN_READWRITE, options_.vfs);
        if (!c.ok()) return c.status();
        Connection& conn = **c;
        sqlite3_busy_timeout(conn.db(), static_cast<int>(options_.busy_timeout.count()));
        QRT_RETURN_IF_ERROR(
            conn.exec("PRAGMA query_only = ON; PRAGMA cache_size = -8192", "set up reader"));
        return std::move(*c);
    }

    Result<ReadLease> lease() const {
        {
            std::lock_guard lock(pool_mu_);
            if (!pool_.empty()) {
                auto c = std::move(pool_.back());
                pool_.pop_back();
                return ReadLease(this, std::move(c));
            }
        }
        auto c = open_reader();
        if (!c.ok()) return c.status();
        return ReadLease(this, std::move(*c));
    }

    void give_back(std::unique_ptr<Connection> c) const {
        if (!c) return;
        if (c->in_transaction()) (void)c->run_cached("ROLLBACK", "end read");
        c->trim_cache(kStatementCacheSize);
        std::lock_guard lock(pool_mu_);
        if (pool_.size() < options_.read_pool_size) pool_.push_back(std::move(c));
    }

    WriterStats writer_stats() const override {
        std::lock_guard lock(mu_);
        WriterStats s = stats_;
        s.queued = queue_.size();
        return s;
    }

    // --- users, keys, instances

    Status put_user(const UserRecord& user) override {
        QRT_STORE_TIMED("put_user");
        if (user.id.empty()) return invalid_argument("user id is empty");
        if (user.name.empty()) return invalid_argument("user name is empty");
        return write([&](Connection& c) -> Status {
            auto st = c.prepare(
                "INSERT INTO users(id, name, admin, created) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name, admin = excluded.admin, "
                "created = excluded.created");
            if (!st.ok()) return st.status();
            Status s = st->text(user.id)
                           .text(user.name)
                           .boolean(user.admin)
                           .time(user.created)
                           .run("put user");
            if (s.code() == ErrorCode::kAlreadyExists) {
                return already_exists(fmt::format("user name '{}' is taken", user.name));
            }
            return s;
        });
    }

    Result<UserRecord> get_user(const std::string& id) const override {
        QRT_STORE_TIMED("get_user");
        return read_one<UserRecord>("SELECT id, name, admin, created FROM users WHERE id = ?", id,
                                    read_user,
                                    [&] { return not_found(fmt::format("no user '{}'", id)); });
    }

    Result<UserRecord> find_user_by_name(const std::string& name) const override {
        QRT_STORE_TIMED("find_user_by_name");
        return read_one<UserRecord>(
            "SELECT id, name, admin, created FROM users WHERE name = ?", name, read_user,
            [&] { return not_found(fmt::format("no user named '{}'", name)); });
    }

    std::vector<UserRecord> list_users() const override {
        return read_all<UserRecord>(
            "SELECT id, name, admin, created FROM users "
            "ORDER BY created, id",
            nullptr, read_user, "list users");
    }

    Status put_api_key(const ApiKeyRecord& key) override {
        QRT_STORE_TIMED("put_api_key");
        if (key.id.empty()) return invalid_argument("API key id is empty");
        if (key.hash.empty()) return invalid_argument("API key hash is empty");
        return write([&](Connection& c) -> Status {
            QRT_RETURN_IF_ERROR(require_row(c, "SELECT 1 FROM users WHERE id = ?", key.user_id,
                                            fmt::format("no user '{}'", key.user_id)));
            auto st = c.prepare(
                "INSERT INTO api_keys(id, user_id, hash, label, created, revoked) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET user_id = excluded.user_id, hash = excluded.hash, "
                "label = excluded.label, created = excluded.created, revoked = excluded.revoked");
            if (!st.ok()) return st.status();
            Status s = st->text(key.id)
                           .text(key.user_id)
                           .text(key.hash)
                           .text(key.label)
                           .time(key.created)
                           .boolean(key.revoked)
                           .run("put API key");
            if (s.code() == ErrorCode::kAlreadyExists) {
                return already_exists("another API key has the same secret");
            }
            return s;
        });
    }

    Result<ApiKeyRecord> find_api_key(const std::string& hash) const override {
        QRT_STORE_TIMED("find_api_key");
        auto key = read_one<ApiKeyRecord>(
            "SELECT id, user_id, hash, label, created, revoked FROM api_keys WHERE hash = ?", hash,
            read_key, [] { return Status(ErrorCode::kUnauthenticated, "unknown API key"); });
        if (key.ok() && key->revoked) {
            return Status(ErrorCode::kUnauthenticated,
                          fmt::format("API key {} has been revoked", key->id));
        }
        return key;
    }

    std::vector<ApiKeyRecord> list_api_keys(const std::string& user_id) const override {
        return read_all<ApiKeyRecord>(
            "SELECT id, user_id, hash, label, created, revoked FROM api_keys WHERE user_id = ? "
            "ORDER BY created, id",
            &user_id, read_key, "list API keys");
    }

    Status revoke_api_key(const std::string& key_id) override {
        QRT_STORE_TIMED("revoke_api_key");
        return write([&](Connection& c) -> Status {
            auto st = c.prepare("UPDATE api_keys SET revoked = 1 WHERE id = ?");
            if (!st.ok()) return st.status();
            QRT_RETURN_IF_ERROR(st->text(key_id).run("revoke API key"));
            if (sqlite3_changes(c.db()) == 0) {
                return not_found(fmt::format("no API key '{}'", key_id));
            }
            return {};
        });
    }

    Status put_instance(const InstanceRecord& in) override {
        QRT_STORE_TIMED("put_instance");
        if (in.crn.empty()) return invalid_argument("instance CRN is empty");
        return write([&](Connection& c) -> Status {
            auto st = c.prepare(
                "INSERT INTO instances(crn, name, plan, share, hard_limit_s, interactive_ttl_s, "
                "created) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(crn) DO UPDATE SET name = excluded.name, plan = excluded.plan, "
                "share = excluded.share, hard_limit_s = excluded.hard_limit_s, "
                "interactive_ttl_s = excluded.interactive_ttl_s, created = excluded.created");
            if (!st.ok()) return st.status();
            return st->text(in.crn)
                .text(in.name)
                .text(in.plan)
                .real(in.share)
                .opt_real(in.hard_limit_s)
                .opt_real(in.interactive_ttl_s)
                .time(in.created)
                .run("put instance");
        });
    }

    Result<InstanceRecord> get_instance(const std::string& crn) const override {
        QRT_STORE_TIMED("get_instance");
        return read_one<InstanceRecord>(
            "SELECT crn, name, plan, share, hard_limit_s, interactive_ttl_s, created "
            "FROM instances WHERE crn = ?",
            crn, read_instance, [&] { return not_found(fmt::format("no instance '{}'", crn)); });
    }

    std::vector<InstanceRecord> list_instances() const override {
        return read_all<InstanceRecord>(
            "SELECT crn, name, plan, share, hard_limit_s, interactive_ttl_s, created "
            "FROM instances ORDER BY created, crn",
            nullptr, read_instance, "list instances");
    }

    Status add_member(const std::string& crn, const std::string& user_id) override {
        QRT_STORE_TIMED("add_member");
        return write([&](Connection& c) -> Status {
            QRT_RETURN_IF_ERROR(require_row(c, "SELECT 1 FROM instances WHERE crn = ?", crn,
                                            fmt::format("no instance '{}'", crn)));
            QRT_RETURN_IF_ERROR(require_row(c, "SELECT 1 FROM users WHERE id = ?", user_id,
                                            fmt::format("no user '{}'", user_id)));
            auto st = c.prepare("INSERT OR IGNORE INTO members(crn, user_id) VALUES (?, ?)");
            if (!st.ok()) return st.status();
            return st->text(crn).text(user_id).run("add member");
        });
    }

    std::vector<std::string> instances_of(const std::string& user_id) const override {
        QRT_STORE_TIMED("instances_of");
        return read_all<std::string>(
            "SELECT crn FROM members WHERE user_id = ? ORDER BY seq", &user_id,
            [](const Statement& st) { return st.column_text(0); }, "list user's instances");
    }

    // --- jobs

    Status insert_job(const JobRecord& job) override {
        QRT_STORE_TIMED("insert_job");
        if (job.id.empty()) return invalid_argument("job id is empty");
        return write([&](Connection& c) -> Status {
            {
                auto st = c.prepare(fmt::format("INSERT INTO jobs({}) VALUES ({})", kJobColumns,
                                                placeholders(kJobColumnCount)));
                if (!st.ok()) return st.status();
                Status s = st->text(job.id)
                               .text(job.user_id)
                               .text(job.instance)
                               .text(job.backend)
                               .text(job.program_id)
                               .text(job.session_id)
                               .text(job.status)
                               .text(job.reason)
                               .integer(job.reason_code)
                               .time(job.created)
                               .opt_time(job.started)
                               .opt_time(job.finished)
                               .opt_real(job.max_execution_time_s)
                               .boolean(job.is_private)
                               .boolean(job.system)
                               .text(job.log_level)
                               .real(job.usage_s)
                               .real(job.estimated_running_time_s)
                               .integer(job.attempts)
                               .text(job.metrics_json)
                               .run("insert job");
                if (s.code() == ErrorCode::kAlreadyExists) {
                    return already_exists(fmt::format("job '{}' already exists", job.id));
                }
                QRT_RETURN_IF_ERROR(s);
            }
            {
                auto st = c.prepare(
                    "INSERT INTO job_payloads(job_id, params_json, result_json, logs) "
                    "VALUES (?, ?, ?, ?)");
                if (!st.ok()) return st.status();
                QRT_RETURN_IF_ERROR(st->text(job.id)
                                        .text(job.params_json)
                                        .text(job.result_json)
                                        .text(job.logs)
                                        .run("insert job payload"));
            }
            return write_tags(c, job.id, job.tags);
        });
    }

    Result<JobRecord> get_job(const std::string& id, bool with_params) const override {
        QRT_STORE_TIMED("get_job");
        auto lease_or = lease();
        if (!lease_or.ok()) return lease_or.status();
        Connection& c = **lease_or;
        ReadTransaction txn(c);
        QRT_RETURN_IF_ERROR(txn.status());
        JobRecord job;
        {
            // Made once: the cache finds them by text, and GET /jobs/{id} runs this per request.
            static const std::string kWithPayload = fmt::format(
                "SELECT {}, params_json, result_json, logs FROM jobs "
                "LEFT JOIN job_payloads ON job_payloads.job_id = jobs.id WHERE id = ?",
                kJobColumns);
            static const std::string kWithout =
                fmt::format("SELECT {} FROM jobs WHERE id = ?", kJobColumns);
            auto st = c.prepare(with_params ? kWithPayload : kWithout);
            if (!st.ok()) return st.status();
            auto row = st->text(id).step("get job");
            if (!row.ok()) return row.status();
            if (!*row) return not_found(fmt::format("no job '{}'", id));
            job = read_job(*st);
            if (with_params) {
                job.params_json = st->column_text(kJobColumnCount);
                job.result_json = st->column_text(kJobColumnCount + 1);
                job.logs = st->column_text(kJobColumnCount + 2);
            }
        }
        QRT_RETURN_IF_ERROR(load_tags(c, job.id, job.tags));
        return job;
    }

    Status update_job(const JobRecord& job) override {
        QRT_STORE_TIMED("update_job");
        return write([&](Connection& c) -> Status {
            {
                auto st = c.prepare(
                    "UPDATE jobs SET status = ?, reason = ?, reason_code = ?, started = ?, "
                    "finished = ?, max_execution_time_s = ?, is_private = ?, log_level = ?, "
                    "usage_s = ?, estimated_running_time_s = ?, attempts = ?, metrics_json = ? "
                    "WHERE id = ?");
                if (!st.ok()) return st.status();
                QRT_RETURN_IF_ERROR(st->text(job.status)
                                        .text(job.reason)
                                        .integer(job.reason_code)
                                        .opt_time(job.started)
                                        .opt_time(job.finished)
                                        .opt_real(job.max_execution_time_s)
                                        .boolean(job.is_private)
                                        .text(job.log_level)
                                        .real(job.usage_s)
                                        .real(job.estimated_running_time_s)
                                        .integer(job.attempts)
                                        .text(job.metrics_json)
                                        .text(job.id)
                                        .run("update job"));
                if (sqlite3_changes(c.db()) == 0) {
                    return not_found(fmt::format("no job '{}'", job.id));
                }
            }
            {
                auto st =
                    c.prepare("UPDATE job_payloads SET result_json = ?, logs = ? WHERE job_id = ?");
                if (!st.ok()) return st.status();
                QRT_RETURN_IF_ERROR(
                    st->text(job.result_json).text(job.logs).text(job.id).run("update job result"));
            }
            return write_tags(c, job.id, job.tags);
        });
    }

    Status delete_job(const std::string& id) override {
        QRT_STORE_TIMED("delete_job");
        return write([&](Connection& c) -> Status {
            auto st = c.prepare("DELETE FROM jobs WHERE id = ?");  // payload, tags: cascade
            if (!st.ok()) return st.status();
            QRT_RETURN_IF_ERROR(st->text(id).run("delete job"));
            if (sqlite3_changes(c.db()) == 0) return not_found(fmt::format("no job '{}'", id));
            return {};
        });
    }

    Status set_job_tags(const std::string& id, const std::vector<std::string>& tags) override {
        QRT_STORE_TIMED("set_job_tags");
        return write([&](Connection& c) -> Status {
            QRT_RETURN_IF_ERROR(require_row(c, "SELECT 1 FROM jobs WHERE id = ?", id,
                                            fmt::format("no job '{}'", id)));
            return write_tags(c, id, tags);
        });
    }

    Result<JobPage> list_jobs(const JobFilter& f) const override {
        QRT_STORE_TIMED("list_jobs");
        // The index that drives the query is chosen here rather than by SQLite's planner, which
        // has no statistics and would guess: the most selective filter the API gives. A
        // session's jobs are few; so are pending jobs; then a tag; then an instance (the list
        // indexes carry system, backend and status, so those filters and the count need no
        // table lookups). With a tag the planner is left to use the tag index, and the other
        // indexed terms are written `+column` so that they cannot compete.
        std::set<std::string> tags(f.tags.begin(), f.tags.end());
        const char* index = "jobs_by_created";
        if (f.session_id) {
            index = "jobs_by_session";
        } else if (f.pending == true) {
            index = "jobs_pending";
        } else if (!tags.empty()) {
            index = nullptr;
        } else if (!f.instances.empty()) {
            index = "jobs_by_instance";
        }
        const char* plain = index == nullptr ? "+" : "";  // column prefix when a tag drives

        // Every value is bound; only the shape of the SQL depends on the filter.
        std::vector<std::variant<std::string, std::int64_t>> args;
        std::string where = " WHERE 1 = 1";
        if (!f.instances.empty()) {
            where +=
                fmt::format(" AND {}instance IN ({})", plain, placeholders(f.instances.size()));
            for (const auto& in : f.instances) args.emplace_back(in);
        }
        auto equals = [&](const char* column, const std::optional<std::string>& value) {
            if (!value) return;
            where += fmt::format(" AND {} = ?", column);
            args.emplace_back(*value);
        };
        equals("user_id", f.user_id);
        equals("backend", f.backend);
        equals("program_id", f.program_id);
        equals("session_id", f.session_id);
        if (f.pending) {
            where += *f.pending ? " AND status IN " : " AND status NOT IN ";
            where += kPendingStatuses;
        }
        if (!f.statuses.empty()) {
            where += " AND status IN (" + placeholders(f.statuses.size()) + ")";
            for (const auto& s : f.statuses) args.emplace_back(s);
        }
        bool first_tag = true;
        for (const auto& tag : tags) {
            // Only the first tag may drive: the others are checked per job.
            where += fmt::format(" AND {}id IN (SELECT job_id FROM job_tags WHERE tag = ?)",
                                 index == nullptr && first_tag ? "" : "+");
            first_tag = false;
            args.emplace_back(tag);
        }
        if (f.created_after) {
            where += fmt::format(" AND {}created >= ?", plain);
            args.emplace_back(f.created_after->time_since_epoch().count());
        }
        if (f.created_before) {
            where += fmt::format(" AND {}created < ?", plain);
            args.emplace_back(f.created_before->time_since_epoch().count());
        }
        if (!f.include_system) where += " AND system = 0";
        const std::string from =
            index == nullptr ? " FROM jobs" : fmt::format(" FROM jobs INDEXED BY {}", index);

        auto bind_all = [&](Statement& st) {
            for (auto& a : args) {
                if (auto* s = std::get_if<std::string>(&a)) {
                    st.text(*s);
                } else {
                    st.integer(std::get<std::int64_t>(a));
                }
            }
        };

        auto lease_or = lease();
        if (!lease_or.ok()) return lease_or.status();
        Connection& c = **lease_or;
        ReadTransaction txn(c);
        QRT_RETURN_IF_ERROR(txn.status());
        JobPage page;
        {
            auto st = c.prepare("SELECT COUNT(*)" + from + where);
            if (!st.ok()) return st.status();
            bind_all(*st);
            auto row = st->step("count jobs");
            if (!row.ok()) return row.status();
            page.count = static_cast<std::size_t>(st->column_int(0));
        }
        {
            const char* dir = f.ascending ? "ASC" : "DESC";
            auto st =
                c.prepare(fmt::format("SELECT {}{}{} ORDER BY created {}, id {} "
                                      "LIMIT ? OFFSET ?",
                                      kJobColumns, from, where, dir, dir));
            if (!st.ok()) return st.status();
            bind_all(*st);
            st->integer(clamp_size(f.limit)).integer(clamp_size(f.offset));
            auto jobs = collect<JobRecord>(*st, "list jobs", read_job);
            if (!jobs.ok()) return jobs.status();
            page.jobs = std::move(*jobs);
        }
        for (auto& job : page.jobs) QRT_RETURN_IF_ERROR(load_tags(c, job.id, job.tags));
        return page;
    }

    std::vector<JobRecord> pending_jobs() const override {
        QRT_STORE_TIMED("pending_jobs");
        auto got = [&]() -> Result<std::vector<JobRecord>> {
            auto lease_or = lease();
            if (!lease_or.ok()) return lease_or.status();
            Connection& c = **lease_or;
            ReadTransaction txn(c);
            QRT_RETURN_IF_ERROR(txn.status());
            std::vector<JobRecord> jobs;
            {
                auto st = c.prepare(
                    fmt::format("SELECT {}, params_json FROM jobs INDEXED BY jobs_pending "
                                "LEFT JOIN job_payloads ON job_payloads.job_id = jobs.id "
                                "WHERE status IN {} ORDER BY created, id",
                                kJobColumns, kPendingStatuses));
                if (!st.ok()) return st.status();
                auto rows = collect<JobRecord>(*st, "list pending jobs", [](const Statement& s) {
                    JobRecord j = read_job(s);
                    j.params_json = s.column_text(kJobColumnCount);
                    return j;
                });
                if (!rows.ok()) return rows.status();
                jobs = std::move(*rows);
            }
            for (auto& job : jobs) QRT_RETURN_IF_ERROR(load_tags(c, job.id, job.tags));
            return jobs;
        }();
        if (!got.ok()) {
            QRT_LOG_ERROR("store {}: pending jobs: {}", path_, got.status().to_string());
            return {};
        }
        return std::move(*got);
    }

    // --- sessions

    Status put_session(const SessionRecord& s) override {
        QRT_STORE_TIMED("put_session");
        if (s.id.empty()) return invalid_argument("session id is empty");
        return write([&](Connection& c) -> Status {
            auto st = c.prepare(fmt::format(
                "INSERT INTO sessions({}) VALUES ({}) ON CONFLICT(id) DO UPDATE SET "
                "mode = excluded.mode, backend = excluded.backend, instance = excluded.instance, "
                "user_id = excluded.user_id, state = excluded.state, "
                "accepting_jobs = excluded.accepting_jobs, "
                "interactive_ttl_s = excluded.interactive_ttl_s, max_ttl_s = excluded.max_ttl_s, "
                "created = excluded.created, started_at = excluded.started_at, "
                "activated_at = excluded.activated_at, closed_at = excluded.closed_at, "
                "last_job_started = excluded.last_job_started, "
                "last_job_completed = excluded.last_job_completed, "
                "close_reason = excluded.close_reason, busy_s = excluded.busy_s, "
                "idle_s = excluded.idle_s",
                kSessionColumns, placeholders(18)));
            if (!st.ok()) return st.status();
            return st->text(s.id)
                .text(s.mode)
                .text(s.backend)
                .text(s.instance)
                .text(s.user_id)
                .text(s.state)
                .boolean(s.accepting_jobs)
                .real(s.interactive_ttl_s)
                .real(s.max_ttl_s)
                .time(s.created)
                .opt_time(s.started_at)
                .opt_time(s.activated_at)
                .opt_time(s.closed_at)
                .opt_time(s.last_job_started)
                .opt_time(s.last_job_completed)
                .text(s.close_reason)
                .real(s.busy_s)
                .real(s.idle_s)
                .run("put session");
        });
    }

    Result<SessionRecord> get_session(const std::string& id) const override {
        QRT_STORE_TIMED("get_session");
        return read_one<SessionRecord>(
            fmt::format("SELECT {} FROM sessions WHERE id = ?", kSessionColumns), id, read_session,
            [&] { return not_found(fmt::format("no session '{}'", id)); });
    }

    std::vector<SessionRecord> open_sessions() const override {
        QRT_STORE_TIMED("open_sessions");
        return read_all<SessionRecord>(
            fmt::format("SELECT {} FROM sessions WHERE state <> 'closed' ORDER BY created, id",
                        kSessionColumns),
            nullptr, read_session, "list open sessions");
    }

    // list_sessions (web pages' Workloads listing). Sessions are few next to jobs: a scan of the
    // table ordered by created is cheap enough here.
    Result<std::vector<SessionRecord>> list_sessions(const SessionFilter& f) const override {
        std::vector<std::variant<std::string, std::int64_t>> args;
        std::string where = " WHERE 1 = 1";
        if (!f.instances.empty()) {
            where += fmt::format(" AND instance IN ({})", placeholders(f.instances.size()));
            for (const auto& in : f.instances) args.emplace_back(in);
        }
        if (f.backend) {
            where += " AND backend = ?";
            args.emplace_back(*f.backend);
        }
        if (f.open) where += *f.open ? " AND state <> 'closed'" : " AND state = 'closed'";
        if (f.created_after) {
            where += " AND created >= ?";
            args.emplace_back(f.created_after->time_since_epoch().count());
        }
        auto lease_or = lease();
        if (!lease_or.ok()) return lease_or.status();
        auto st = (*lease_or)->prepare(fmt::format(
            "SELECT {} FROM sessions{} ORDER BY created DESC, id DESC LIMIT ?", kSessionColumns,
            where));
        if (!st.ok()) return st.status();
        for (auto& a : args) {
            if (auto* text = std::get_if<std::string>(&a)) {
                st->text(*text);
            } else {
                st->integer(std::get<std::int64_t>(a));
            }
        }
        st->integer(clamp_size(f.limit));
        return collect<SessionRecord>(*st, "list sessions", read_session);
    }

    // --- usage ledger

    Status add_usage(const UsageRecord& u) override {
        QRT_STORE_TIMED("add_usage");
        return write([&](Connection& c) -> Status {
            auto st = c.prepare(
                "INSERT INTO usage(instance, user_id, job_id, session_id, mode, at, seconds) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)");
            if (!st.ok()) return st.status();
            return st->text(u.instance)
                .text(u.user_id)
                .text(u.job_id)
                .text(u.session_id)
                .text(u.mode)
                .time(u.at)
                .real(u.seconds)
                .run("add usage");
        });
    }

    std::vector<UsageRecord> usage_since(Timestamp since) const override {
        QRT_STORE_TIMED("usage_since");
        auto got = [&]() -> Result<std::vector<UsageRecord>> {
            auto lease_or = lease();
            if (!lease_or.ok()) return lease_or.status();
            auto st = (*lease_or)->prepare(
                "SELECT instance, user_id, job_id, session_id, mode, at, seconds FROM usage "
                "WHERE at >= ? ORDER BY at, seq");
            if (!st.ok()) return st.status();
            st->time(since);
            return collect<UsageRecord>(*st, "read usage", read_usage);
        }();
        if (!got.ok()) {
            QRT_LOG_ERROR("store {}: usage: {}", path_, got.status().to_string());
            return {};
        }
        return std::move(*got);
    }

    double usage_seconds(const std::string& instance, Timestamp since) const override {
        QRT_STORE_TIMED("usage_seconds");
        auto got = [&]() -> Result<double> {
            auto lease_or = lease();
            if (!lease_or.ok()) return lease_or.status();
            auto st = (*lease_or)->prepare(
                "SELECT TOTAL(seconds) FROM usage WHERE instance = ? AND at >= ?");
            if (!st.ok()) return st.status();
            auto row = st->text(instance).time(since).step("sum usage");
            if (!row.ok()) return row.status();
            return st->column_real(0);
        }();
        if (!got.ok()) {
            QRT_LOG_ERROR("store {}: usage: {}", path_, got.status().to_string());
            return 0;
        }
        return *got;
    }

    // --- settings

    Status put_setting(const std::string& key, const std::string& value) override {
        QRT_STORE_TIMED("put_setting");
        if (key.empty()) return invalid_argument("setting name is empty");
        return write([&](Connection& c) -> Status {
            auto st = c.prepare(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
            if (!st.ok()) return st.status();
            return st->text(key).text(value).run("put setting");
        });
    }

    std::optional<std::string> get_setting(const std::string& key) const override {
        QRT_STORE_TIMED("get_setting");
        auto got = read_one<std::string>(
            "SELECT value FROM settings WHERE key = ?", key,
            [](const Statement& st) { return st.column_text(0); }, [&] { return not_found(key); });
        if (got.ok()) return std::move(*got);
        if (got.status().code() != ErrorCode::kNotFound) {
            QRT_LOG_ERROR("store {}: setting {}: {}", path_, key, got.status().to_string());
        }
        return std::nullopt;
    }

private:
    using WriteFn = std::function<Status(Connection&)>;

    struct PendingWrite {
        const WriteFn* fn;
        Status result;
        bool done = false;
    };

    // Queues `fn` for the writer and waits until its group is committed (or failed).
    Status write(const WriteFn& fn) {
        PendingWrite w{&fn, {}, false};
        std::unique_lock lock(mu_);
        if (stopping_) return Status(ErrorCode::kUnavailable, "the store is closing");
        queue_.push_back(&w);
        writer_cv_.notify_one();
        done_cv_.wait(lock, [&] { return w.done; });
        return std::move(w.result);
    }

    void writer_loop() {
        std::vector<PendingWrite*> group;
        for (;;) {
            {
                std::unique_lock lock(mu_);
                writer_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;  // stopping, and every queued write is done
                while (!queue_.empty() && group.size() < options_.max_batch) {
                    group.push_back(queue_.front());
                    queue_.pop_front();
                }
            }
            run_group(group);
            {
                std::lock_guard lock(mu_);
                for (PendingWrite* w : group) w->done = true;
                stats_.operations += group.size();
                stats_.commits += 1;
                stats_.largest_group = std::max<std::uint64_t>(stats_.largest_group, group.size());
            }
            done_cv_.notify_all();
            group.clear();
        }
    }

    // One transaction for the whole group, one savepoint per operation.
    void run_group(std::vector<PendingWrite*>& group) {
        QRT_STORE_TIMED("commit_group");
        Connection& c = *writer_;
        Status begin = c.exec("BEGIN IMMEDIATE", "begin write");
        if (!begin.ok()) {
            for (PendingWrite* w : group) w->result = begin;
            return;
        }
        Status broken;  // set when the transaction itself failed: nothing can be committed
        for (PendingWrite* w : group) {
            Status s = c.run_cached("SAVEPOINT op", "savepoint");
            if (s.ok()) {
                s = (*w->fn)(c);
                Status end = s.ok() ? c.run_cached("RELEASE op", "release savepoint")
                                    : c.exec("ROLLBACK TO op; RELEASE op", "roll back operation");
                if (!end.ok()) {
                    broken = end;
                } else if (!c.in_transaction()) {
                    broken = Status(ErrorCode::kInternal, "the write transaction was aborted");
                }
            } else {
                broken = s;
            }
            w->result = std::move(s);
            if (!broken.ok()) break;
        }
        if (options_.before_commit) options_.before_commit();
        std::string why;
        if (broken.ok()) {
            Status commit = c.exec("COMMIT", "commit");
            if (commit.ok()) return;
            broken = commit;
            why = "commit failed, so this write may not be stored: ";
        } else {
            why = "rolled back with its group, whose transaction failed: ";
        }
        if (c.in_transaction()) (void)c.exec("ROLLBACK", "roll back group");
        QRT_LOG_ERROR("store {}: write group of {} failed: {}", path_, group.size(),
                      broken.to_string());
        for (PendingWrite* w : group) {
            if (w->result.ok()) w->result = Status(broken.code(), why + broken.message());
        }
    }

    // Fails with not_found(`missing`) unless `sql` (one text parameter) returns a row.
    static Status require_row(Connection& c, const char* sql, const std::string& arg,
                              std::string missing) {
        auto st = c.prepare(sql);
        if (!st.ok()) return st.status();
        auto row = st->text(arg).step("look up");
        if (!row.ok()) return row.status();
        if (!*row) return not_found(std::move(missing));
        return {};
    }

    // One row by one text key; `missing()` when there is none.
    template <typename T, typename ReadRow, typename Missing>
    Result<T> read_one(const std::string& sql, const std::string& key, ReadRow read_row,
                       Missing missing) const {
        auto lease_or = lease();
        if (!lease_or.ok()) return lease_or.status();
        auto st = (*lease_or)->prepare(sql);
        if (!st.ok()) return st.status();
        auto row = st->text(key).step("read");
        if (!row.ok()) return row.status();
        if (!*row) return missing();
        return read_row(*st);
    }

    // Every row, with an optional text parameter. Errors are logged and give an empty list: the
    // interface's list methods have no error channel.
    template <typename T, typename ReadRow>
    std::vector<T> read_all(const std::string& sql, const std::string* arg, ReadRow read_row,
                            std::string_view what) const {
        auto got = [&]() -> Result<std::vector<T>> {
            auto lease_or = lease();
            if (!lease_or.ok()) return lease_or.status();
            auto st = (*lease_or)->prepare(sql);
            if (!st.ok()) return st.status();
            if (arg != nullptr) st->text(*arg);
            return collect<T>(*st, what, read_row);
        }();
        if (!got.ok()) {
            QRT_LOG_ERROR("store {}: {}: {}", path_, what, got.status().to_string());
            return {};
        }
        return std::move(*got);
    }

    const std::string path_;
    SqliteOptions options_;
    std::unique_ptr<Connection> writer_;  // used by the writer thread only (after open)

    mutable std::mutex mu_;
    std::condition_variable writer_cv_;
    std::condition_variable done_cv_;
    std::deque<PendingWrite*> queue_;
    bool stopping_ = false;
    WriterStats stats_;
    std::thread thread_;

    mutable std::mutex pool_mu_;
    mutable std::vector<std::unique_ptr<Connection>> pool_;
};

ReadLease::~ReadLease() {
    if (conn_) store_->give_back(std::move(conn_));
}

// Sets up the writer connection and brings the schema up to date. Nothing is written to a file
// that is not a qrt store or that has a newer schema.
Status prepare_file(Connection& c, const std::string& path, const SqliteOptions& options) {
    sqlite3_busy_timeout(c.db(), static_cast<int>(options.busy_timeout.count()));
    // The first read: a file that is not SQLite at all fails here with data_loss.
    auto version = c.query_int("PRAGMA user_version");
    if (!version.ok()) return version.status();
    auto app = c.query_int("PRAGMA application_id");
    if (!app.ok()) return app.status();
    if (*version == 0) {
        auto objects = c.query_int("SELECT COUNT(*) FROM sqlite_master");
        if (!objects.ok()) return objects.status();
        if (*objects != 0) {
            return failed_precondition(fmt::format(
                "{} is an SQLite database but not a qrt store (it has tables and no qrt schema "
                "version)",
                path));
        }
    } else if (*app != sqlite::kApplicationId) {
        return failed_precondition(fmt::format(
            "{} is an SQLite database of another application (application_id {})", path, *app));
    }
    QRT_RETURN_IF_ERROR(sqlite::check_schema_version(*version, path));
    auto mode = c.query_text("PRAGMA journal_mode = WAL");
    if (!mode.ok()) return mode.status();
    if (*mode != "wal") {
        return failed_precondition(fmt::format(
            "{}: cannot use write-ahead logging (journal mode stays '{}'); put the data "
            "directory on a local file system",
            path, *mode));
    }
    std::string pragmas = fmt::format(
        "PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = {}; "
        "PRAGMA cache_size = -16384",
        options.durable ? "FULL" : "OFF", kWalSizeLimit);
    QRT_RETURN_IF_ERROR(c.exec(pragmas.c_str(), "set up writer"));
    QRT_RETURN_IF_ERROR(sqlite::migrate(c, sqlite::latest_schema_version()));
    if (*version == 0) {
        QRT_LOG_INFO("store: created {} (schema version {})", path,
                     sqlite::latest_schema_version());
    }
    return {};
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> open_sqlite_store(const std::string& path,
                                                       const SqliteOptions& options) {
    auto conn = Connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options.vfs);
    if (!conn.ok()) return conn.status();
    Status s = prepare_file(**conn, path, options);
    if (!s.ok()) return s;
    return std::unique_ptr<SqliteStore>(
        std::make_unique<SqliteStoreImpl>(path, options, std::move(*conn)));
}

Result<std::unique_ptr<JobStore>> open_sqlite_store(const std::string& path) {
    auto store = open_sqlite_store(path, SqliteOptions{});
    if (!store.ok()) return store.status();
    return std::unique_ptr<JobStore>(std::move(*store));
}

}  // namespace qrt::store
