// The job store: the durable source of truth of the service. Users, API keys (hashed), instances,
// jobs (params, state, results, logs, tags), sessions and the usage ledger. The scheduler's state
// is rebuilt from it on start (runtime's restart recovery).
//
// `JobStore` is the interface; `open_sqlite_store` the embedded implementation (one file in the
// data directory, WAL, schema migrations by `PRAGMA user_version`). A PostgreSQL implementation
// can follow behind the same conformance suite (store_conformance.h runs against any JobStore).
//
// Durability: every mutating call returns only after its change is committed to disk
// (synchronous=FULL); concurrent callers share one commit (group commit), so many threads
// submitting at once pay one fsync per group, not per job. A read that starts after a write
// returned sees that write.
//
// Errors: not_found for an unknown id, already_exists for a taken id or name, invalid_argument for
// an empty id, data_loss when the file is corrupt, internal / resource_exhausted / unavailable for
// I/O errors, a full disk or a lock held too long by another process. Methods that return a plain
// vector or value have no error channel: they log the error and return what they have (empty).
//
// Thread safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace qrt::store {

struct UserRecord {
    std::string id;    // "usr_..."
    std::string name;  // unique, human name
    bool admin = false;
    Timestamp created{};
};

struct ApiKeyRecord {
    std::string id;  // public key id (shown in listings), "key_..."
    std::string user_id;
    std::string hash;  // hex SHA-256 of the secret (see hash_api_key)
    std::string label;
    Timestamp created{};
    bool revoked = false;
};

struct InstanceRecord {
    std::string crn;  // "crn:v1:bluemix:public:quantum-computing:us-east:a/<acct>:<name>::"
    std::string name;
    std::string plan = "paid";                // "open" | "paid" (rule S15, B5)
    double share = 1.0;                       // rule F1
    std::optional<double> hard_limit_s;       // rule F5
    std::optional<double> interactive_ttl_s;  // rule S5 override
    Timestamp created{};
};

// Job states as the REST API spells them: Queued, Running, Completed, Failed, Cancelled.
struct JobRecord {
    std::string id;
    std::string user_id;
    std::string instance;  // CRN
    std::string backend;
    std::string program_id;   // "sampler" | "estimator" | "calibrate" (system)
    std::string params_json;  // verbatim, for GET /jobs/{id} without exclude_params
    std::string session_id;   // empty: job mode
    std::vector<std::string> tags;
    std::string status = "Queued";
    std::string reason;   // human message for Failed/Cancelled
    int reason_code = 0;  // sched::ReasonCode numbers (1305 = ran too long)
    Timestamp created{};
    std::optional<Timestamp> started, finished;
    std::optional<double> max_execution_time_s;  // POST body "cost"
    bool is_private = false;
    bool system = false;  // calibration and other operator jobs (rule P1)
    std::string log_level = "WARNING";
    double usage_s = 0;  // charged backend time (rule F3)
    double estimated_running_time_s = 0;
    int attempts = 0;         // times it was started (restart recovery re-queues once)
    std::string result_json;  // /results body (set with the final state)
    std::string logs;         // /logs text (lines joined with '\n')
    std::string metrics_json = "{}";
};

struct SessionRecord {
    std::string id;
    std::string mode = "dedicated";  // "dedicated" | "batch"
    std::string backend;
    std::string instance;
    std::string user_id;
    std::string state = "open";  // open | active | inactive | closed
    bool accepting_jobs = true;
    double interactive_ttl_s = 60;
    double max_ttl_s = 28800;
    Timestamp created{};
    std::optional<Timestamp> started_at, activated_at, closed_at, last_job_started,
        last_job_completed;
    std::string close_reason;       // "", "drained", "cancelled", "max_ttl", "unused"
    double busy_s = 0, idle_s = 0;  // rule S14 usage split
};

// One usage charge (rule F3): the scheduler's fair share is rebuilt from these on restart.
struct UsageRecord {
    std::string instance;
    std::string user_id;
    std::string job_id;  // empty for session idle time
    std::string session_id;
    std::string mode;  // "job" | "session" | "batch"
    Timestamp at{};    // when the usage ended
    double seconds = 0;
};

struct JobFilter {
    std::vector<std::string> instances;  // empty: all (admin)
    std::optional<std::string> user_id;
    std::optional<std::string> backend;
    std::optional<std::string> program_id;
    std::optional<std::string> session_id;
    std::optional<bool> pending;              // true: Queued|Running; false: final
    std::vector<std::string> statuses;        // any of
    std::vector<std::string> tags;            // jobs carrying all of these
    std::optional<Timestamp> created_after;   // created >= created_after
    std::optional<Timestamp> created_before;  // created < created_before
    bool include_system = false;
    bool ascending = false;  // by created (then id)
    std::size_t limit = 10;
    std::size_t offset = 0;
};

// list_sessions (the web pages' Workloads listing).
struct SessionFilter {
    std::vector<std::string> instances;  // empty: all
    std::optional<std::string> backend;
    std::optional<bool> open;                 // true: state != closed; false: closed only
    std::optional<Timestamp> created_after;   // created >= created_after
    std::size_t limit = 50;                   // newest first (by created, then id)
};

struct JobPage {
    std::vector<JobRecord> jobs;  // params_json, result_json and logs left empty
    std::size_t count = 0;        // total matching, ignoring limit/offset
};

class JobStore {
public:
    virtual ~JobStore() = default;

    // --- users, keys, instances
    // Insert or update by id (the user's keys and memberships are kept). A name taken by another
    // user: already_exists.
    virtual Status put_user(const UserRecord& user) = 0;
    virtual Result<UserRecord> get_user(const std::string& id) const = 0;
    virtual Result<UserRecord> find_user_by_name(const std::string& name) const = 0;
    virtual std::vector<UserRecord> list_users() const = 0;
    // Insert or update by id. Unknown user: not_found; a hash used by another key: already_exists.
    virtual Status put_api_key(const ApiKeyRecord& key) = 0;
    // By the hash of the presented secret; unknown or revoked keys: unauthenticated.
    virtual Result<ApiKeyRecord> find_api_key(const std::string& hash) const = 0;
    // A user's keys, revoked ones included, oldest first.
    virtual std::vector<ApiKeyRecord> list_api_keys(const std::string& user_id) const = 0;
    // Revoking a revoked key is ok; unknown key: not_found.
    virtual Status revoke_api_key(const std::string& key_id) = 0;
    virtual Status put_instance(const InstanceRecord& instance) = 0;  // insert or update by CRN
    virtual Result<InstanceRecord> get_instance(const std::string& crn) const = 0;
    virtual std::vector<InstanceRecord> list_instances() const = 0;
    // Membership: which instances a user may use. Unknown instance or user: not_found; adding a
    // member twice is ok.
    virtual Status add_member(const std::string& crn, const std::string& user_id) = 0;
    // In the order the memberships were added (the first is the user's default instance).
    virtual std::vector<std::string> instances_of(const std::string& user_id) const = 0;

    // --- jobs
    virtual Status insert_job(const JobRecord& job) = 0;  // already_exists on a duplicate id
    // with_params = false leaves params_json, result_json and logs empty (the cheap read for
    // GET /jobs/{id}?exclude_params=true and polling); true loads them all.
    virtual Result<JobRecord> get_job(const std::string& id, bool with_params = true) const = 0;
    // Replaces every mutable field: status, reason, reason_code, started, finished,
    // max_execution_time_s, is_private, log_level, usage_s, estimated_running_time_s, attempts,
    // metrics_json, result_json, logs and tags. Kept from the insert: user_id, instance, backend,
    // program_id, params_json, session_id, created, system. result_json and logs are written as
    // given: pass a record read with with_params = true (or kept whole), not one read without.
    virtual Status update_job(const JobRecord& job) = 0;
    virtual Status delete_job(const std::string& id) = 0;
    virtual Status set_job_tags(const std::string& id, const std::vector<std::string>& tags) = 0;
    // The count and the page come from one snapshot.
    virtual Result<JobPage> list_jobs(const JobFilter& filter) const = 0;
    // Every Queued or Running job, oldest first (restart recovery), with params_json and tags,
    // without result/logs.
    virtual std::vector<JobRecord> pending_jobs() const = 0;

    // --- sessions
    virtual Status put_session(const SessionRecord& session) = 0;  // insert or replace
    virtual Result<SessionRecord> get_session(const std::string& id) const = 0;
    virtual std::vector<SessionRecord> open_sessions() const = 0;  // state != closed, oldest first
    // Sessions and batches matching `filter`, newest first, at most filter.limit (web pages).
    virtual Result<std::vector<SessionRecord>> list_sessions(const SessionFilter& filter) const = 0;

    // --- usage ledger
    virtual Status add_usage(const UsageRecord& usage) = 0;
    // Charges at or after `since`, oldest first (fair-share window rebuild).
    virtual std::vector<UsageRecord> usage_since(Timestamp since) const = 0;
    // Total seconds charged to an instance at or after `since` (the /instances/usage figures).
    virtual double usage_seconds(const std::string& instance, Timestamp since) const = 0;

    // --- key/value settings (server secret, schema facts)
    virtual Status put_setting(const std::string& key, const std::string& value) = 0;
    virtual std::optional<std::string> get_setting(const std::string& key) const = 0;
};

// Opens (creating if needed) the SQLite store at `path`, migrating its schema to the newest.
// A file from a newer qrt (unknown schema version) or another application's SQLite file:
// failed_precondition, nothing changed. Not an SQLite file, or corrupt: data_loss. A path that
// cannot be opened (missing directory, no permission): failed_precondition naming the path.
// sqlite_store.h has the options and the design.
Result<std::unique_ptr<JobStore>> open_sqlite_store(const std::string& path);

// Hex SHA-256 of an API key secret (what the store keeps instead of the key).
std::string hash_api_key(const std::string& secret);

}  // namespace qrt::store
