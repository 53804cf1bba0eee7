// The qrt service, transport-free. Every API call is a Runtime method first: jobs (submit, get,
// list, cancel, delete, tags, results, logs, metrics), sessions and batches (create, read, close,
// cancel), backends (list, status, configuration, properties, pause/resume), usage, and the admin
// verbs (users, API keys, instances, reservations).
//
// Inside: the scheduler (sched::Scheduler, one lock) on the real clock, the store (every change is
// durable before a method returns), one executor thread per backend (runs StartJob decisions,
// honours StopJob through the job's stop flag), one timer thread (next_wakeup), calibration system
// jobs on each device's schedule (rule P1).
//
// Restart recovery (open()): the store is the source of truth. Instances, open sessions and the
// usage ledger (fair-share window) are replayed into a fresh scheduler; Queued jobs are
// re-submitted in creation order; a job found Running was interrupted by the crash: it is
// re-queued once (attempts 1 -> its log says so) and failed with reason 1500 and a clear message
// if it was already re-queued before (attempts >= 2). Sessions come back inactive (their
// interactive window is gone) with their max_ttl counted from the original start; a session
// whose max_ttl passed while the service was down is closed ("max_ttl") and its pending jobs
// fail with reason 1302. docs/adr/0008-restart-recovery.md has the reasons.
//
// Usage: a job's usage_s (metrics "quantum_seconds") is the backend's QPU time model for a
// completed job, else the time it held the backend (0 for a service fault). Fair share (and
// instance_usage) counts what the scheduler charges: backend wall-clock time of jobs and the
// committed time of dedicated sessions (rules F3, S14); every such charge is also written to
// the store's usage ledger, which rebuilds the window after a restart.
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "base/status.h"
#include "base/time.h"
#include "sched/types.h"
#include "store/job_store.h"

namespace qrt::runtime {

inline constexpr const char* kDefaultInstanceCrn =
    "crn:v1:bluemix:public:quantum-computing:us-east:a/local:local::";

struct Config {
    std::string data_dir;  // the store file lives at data_dir + "/qrt.db"
    sched::Settings scheduler;
    std::vector<backends::DeviceSpec> devices = backends::default_device_specs();
    std::size_t max_pending_jobs_per_user = 10'000;  // resource_exhausted beyond
    std::size_t max_params_bytes = std::size_t{64} << 20;
    bool calibrations = true;  // run calibration system jobs on each device's interval
    // The instance created on first start, the admin's (and the default for new users).
    std::string default_instance = kDefaultInstanceCrn;
};

// Who is calling: resolved from an API key or a verified token, and the instance the request is
// for (the Service-CRN header; empty: the user's first instance).
struct Caller {
    std::string user_id;
    std::string user_name;
    bool admin = false;
    std::string instance;                // the instance this request acts for
    std::vector<std::string> instances;  // all the user's instances (what they may see)
};

struct SubmitRequest {
    std::string program_id;   // "sampler" | "estimator"
    std::string params_json;  // verbatim "params"
    std::string backend;
    std::string session_id;  // empty: job mode
    std::vector<std::string> tags;
    std::optional<double> max_execution_time_s;  // "cost"
    bool is_private = false;
    std::string log_level = "WARNING";
};

struct JobView {
    store::JobRecord record;  // params_json/result_json/logs as requested
    // While Queued (rules V1, V2): 1 = next to start; estimated start; the rule holding it.
    std::optional<int> queue_position;
    std::optional<Timestamp> estimated_start;
    std::string waiting_rule;
    std::string waiting_reason;
};

struct SessionView {
    store::SessionRecord record;
    std::optional<double> active_ttl_s;  // rule S8: time left before max_ttl
    double elapsed_s = 0;                // rule S14: the session's usage (busy + idle)
    int queued_jobs = 0;
    bool job_running = false;
};

struct BackendView {
    std::string name;
    std::uint32_t num_qubits = 0;
    bool simulator = false;
    bool paused = false;   // rule K2
    int queue_length = 0;  // rule K1
    std::string running_job;
    std::string active_session;
    std::optional<Timestamp> next_calibration;
    std::string backend_version;
};

struct InstanceUsageView {
    std::string instance;
    std::string plan;
    double share_fraction = 0, window_usage_s = 0, ideal_s = 0, ratio = 0;
    bool at_limit = false;
    std::optional<double> limit_s;
    double consumed_s = 0;  // all time
    int pending_jobs = 0;
};

// One row of the fair-share table (Runtime::fair_share, web pages).
struct FairShareRow {
    InstanceUsageView usage;
    std::string name;  // the instance's human name
    double share = 0;  // the configured share (rule F1)
    int rank = 0;      // 1 = served first
    int of = 0;        // instances ranked
};

struct NewKey {
    store::ApiKeyRecord record;
    std::string secret;  // shown once, never stored
};

class Runtime {
public:
    // Opens the store in config.data_dir, builds the backends, recovers (see above). On the very
    // first start (no users) it creates the admin user, the default instance and an admin API
    // key: first_start_admin_key() returns it and it is written to data_dir/admin.key (mode 0600).
    static Result<std::unique_ptr<Runtime>> open(Config config, Clock& clock);
    // As open(), with a store and backends made by the caller (tests).
    static Result<std::unique_ptr<Runtime>> open_with(
        Config config, Clock& clock, std::unique_ptr<store::JobStore> store,
        std::vector<std::unique_ptr<backends::Backend>> backends);
    virtual ~Runtime() = default;

    // Starts the executor and timer threads. stop(): refuses new work, stops the running jobs
    // cooperatively (they go back to Queued, attempts unchanged, and run again on the next start),
    // joins the threads. Idempotent.
    virtual Status start() = 0;
    virtual void stop() = 0;

    virtual std::optional<std::string> first_start_admin_key() const = 0;
    // HMAC secret for the API's signed tokens (random, made on first start, kept in the store).
    virtual std::string token_secret() const = 0;

    // --- authentication. `instance` empty: the user's first instance; else it must be one of the
    // user's (admins: any existing instance), permission_denied otherwise. Unknown or revoked
    // key: unauthenticated. Results are cached; admin changes invalidate the cache.
    virtual Result<Caller> authenticate_api_key(const std::string& secret,
                                                const std::string& instance) const = 0;
    virtual Result<Caller> caller_for_user(const std::string& user_id,
                                           const std::string& instance) const = 0;

    // --- jobs (a user sees only jobs of their instances, admins every job; others: not_found.
    // System jobs (calibrations, program_id "calibrate") are visible to admins only.)
    virtual Result<JobView> submit_job(const Caller& caller, const SubmitRequest& request) = 0;
    virtual Result<JobView> get_job(const Caller& caller, const std::string& id,
                                    bool with_params) const = 0;
    // filter.instances empty: the caller's instance (the one the request acts for); else each
    // must be one of the caller's (admins: any). include_system is honoured for admins only.
    virtual Result<store::JobPage> list_jobs(const Caller& caller,
                                             store::JobFilter filter) const = 0;
    // rule J4. Final job: failed_precondition (HTTP 409).
    virtual Status cancel_job(const Caller& caller, const std::string& id) = 0;
    // Deletes a final job (a pending one is cancelled first: a queued one is gone on return, a
    // running one once its backend has stopped it).
    virtual Status delete_job(const Caller& caller, const std::string& id) = 0;
    virtual Status set_job_tags(const Caller& caller, const std::string& id,
                                const std::vector<std::string>& tags) = 0;
    // The /results body: the result for Completed; for Failed/Cancelled a JSON string with the
    // reason (the client reads it as the error text); Queued/Running: failed_precondition.
    virtual Result<std::string> job_results(const Caller& caller, const std::string& id) const = 0;
    virtual Result<std::string> job_logs(const Caller& caller, const std::string& id) const = 0;
    // {"timestamps":{"created","running","finished"},"usage":{"quantum_seconds","seconds",
    //  "qpu_charge_time_seconds","status":"pending"|"final"}, "qiskit_version":...,
    //  "estimated_start_time":..., "position_in_queue":...} plus the backend's own metadata.
    virtual Result<std::string> job_metrics_json(const Caller& caller,
                                                 const std::string& id) const = 0;
    // Blocks until the job is final or `timeout` passes; returns its status string.
    virtual Result<std::string> wait_job(const std::string& id, Duration timeout) const = 0;

    // --- sessions and batches (a max_ttl above the server maximum gets the maximum, rule S8;
    // closing or cancelling a closed session is a no-op)
    virtual Result<SessionView> create_session(const Caller& caller, const std::string& backend,
                                               sched::SessionMode mode,
                                               std::optional<double> max_ttl_s) = 0;
    virtual Result<SessionView> get_session(const Caller& caller, const std::string& id) const = 0;
    virtual Status close_session(const Caller& caller, const std::string& id) = 0;   // rule S9
    virtual Status cancel_session(const Caller& caller, const std::string& id) = 0;  // rule S10

    // --- backends
    virtual std::vector<BackendView> backends() const = 0;
    virtual Result<BackendView> backend(const std::string& name) const = 0;
    virtual Result<std::string> configuration_json(const std::string& name) const = 0;
    virtual Result<std::string> properties_json(const std::string& name) const = 0;

    // --- usage
    virtual Result<InstanceUsageView> instance_usage(const Caller& caller) const = 0;

    // --- admin (caller.admin required: permission_denied otherwise; instances() and users()
    // give non-admins their own). create_user with no instances: the default instance.
    // put_instance inserts or updates by CRN (made from the name if empty) and takes effect at
    // once. Pause flags and reservations are kept in the store and survive a restart.
    virtual Result<store::UserRecord> create_user(const Caller& caller, const std::string& name,
                                                  bool admin,
                                                  const std::vector<std::string>& instances) = 0;
    virtual Result<NewKey> create_api_key(const Caller& caller, const std::string& user_id,
                                          const std::string& label) = 0;
    virtual Status revoke_api_key(const Caller& caller, const std::string& key_id) = 0;
    virtual Result<store::InstanceRecord> put_instance(const Caller& caller,
                                                       const store::InstanceRecord& instance) = 0;
    virtual std::vector<store::InstanceRecord> instances(const Caller& caller) const = 0;
    virtual std::vector<store::UserRecord> users(const Caller& caller) const = 0;
    virtual Status pause_backend(const Caller& caller, const std::string& name) = 0;  // rule K2
    virtual Status resume_backend(const Caller& caller, const std::string& name) = 0;
    virtual Status add_reservation(const Caller& caller, const sched::ReservationSpec& spec) = 0;

    // --- views for the web pages (views.cc). The defaults answer unimplemented, so that test
    // doubles need not provide them.
    // Sessions and batches the caller may see, newest first. filter.instances empty: all the
    // caller's instances (admins: every instance); else each must be one of the caller's
    // (admins: any), permission_denied otherwise. Open sessions carry their live state.
    virtual Result<std::vector<SessionView>> list_sessions(const Caller& caller,
                                                           store::SessionFilter filter) const {
        (void)caller;
        (void)filter;
        return Status{ErrorCode::kUnimplemented, "list_sessions is not available"};
    }
    // The fair-share table (rule F1-F3): every instance (admins) or the caller's instances, with
    // rank = the place of the instance in the scheduler's order (1 = lowest usage/share ratio,
    // served first) among all instances.
    virtual Result<std::vector<FairShareRow>> fair_share(const Caller& caller) const {
        (void)caller;
        return Status{ErrorCode::kUnimplemented, "fair_share is not available"};
    }
};

}  // namespace qrt::runtime
