// Internal to the runtime module: the state of the Runtime implementation, shared by its source
// files (runtime.cc: lifecycle, decisions, executors, timer; recovery.cc: restart recovery;
// jobs.cc, sessions.cc, admin.cc: the public methods by topic).
//
// Locking (see docs/adr/0008-restart-recovery.md):
//   mu_        the scheduler, the live jobs, counters, calibration times. Held for memory work
//              only; never across a backend run.
//   write_mu_  orders the store writes that follow from scheduler decisions. A caller takes it
//              while still holding mu_ and then lets mu_ go (hand-off), so writes reach the store
//              in decision order (a job's final state is never overtaken by an older Running
//              write) while other threads already use the scheduler. Order: mu_ before write_mu_.
//   auth_mu_   the credential caches.
//   wait_mu_   wait_job()'s wake-ups.
//   Executor::m one executor's task queue (taken inside mu_, never the other way round).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/id.h"
#include "runtime/runtime.h"
#include "base/metrics.h"
#include "sched/scheduler.h"

namespace qrt::runtime::detail {

// Params up to this size stay in memory between submission and start; larger ones are read
// back from the store by the executor.
inline constexpr std::size_t kParamsKeptInMemory = std::size_t{1} << 20;

// Store settings the runtime keeps (besides the store's own).
inline constexpr const char* kReservationsSetting = "reservations";  // JSON list, rule R1

// A job that is not final yet (Queued or Running): the record as the store should hold it.
struct LiveJob {
    store::JobRecord record;  // params_json only while queued and small
    std::shared_ptr<std::atomic<bool>> stop = std::make_shared<std::atomic<bool>>(false);
    bool delete_when_final = false;                   // DELETE of a running job
    std::optional<backends::JobExecution> execution;  // set when the run returns
};

// One StartJob decision handed to a backend's executor thread.
// Opens once the job's Running record (attempts + 1) is durable: a job that crashes the process
// is then known to have been running, so recovery re-runs it only once (ADR 0008).
class Gate {
public:
    void open() {
        std::lock_guard<std::mutex> g(m_);
        open_ = true;
        cv_.notify_all();
    }
    void wait() {
        std::unique_lock<std::mutex> g(m_);
        cv_.wait(g, [&] { return open_; });
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    bool open_ = false;
};

struct Task {
    std::string job_id;
    std::string program_id;
    std::string params_json;  // empty: read it from the store
    bool system = false;
    std::shared_ptr<std::atomic<bool>> stop;
    std::shared_ptr<Gate> started;  // the run waits for it
};

struct Executor {
    backends::Backend* backend = nullptr;
    std::thread thread;
    std::mutex m;
    std::condition_variable cv;
    std::deque<Task> tasks;
    bool exit = false;
};

// Store writes that follow from one batch of decisions, applied after the hand-off. Writes with
// the same key (a job, a session, a setting) run in the order they were added; writes with
// different keys run concurrently, so that the store commits them together (one fsync).
struct Writes {
    struct Op {
        std::string key;  // empty: independent of every other write (a usage record)
        std::function<Status()> run;
    };
    std::vector<Op> ops;
    bool finals = false;                       // some job became final: wake wait_job()
    std::vector<std::shared_ptr<Gate>> gates;  // opened once the writes are done

    void add(std::string key, std::function<Status()> run) {
        ops.push_back(Op{std::move(key), std::move(run)});
    }
};

struct Calibration {
    std::optional<Duration> interval;
    Timestamp next{};
    bool pending = false;  // a calibration job of this backend is queued or running
};

class RuntimeImpl final : public Runtime {
public:
    RuntimeImpl(Config config, Clock& clock, std::unique_ptr<store::JobStore> store,
                std::vector<std::unique_ptr<backends::Backend>> backends);
    ~RuntimeImpl() override;

    // restart recovery (recovery.cc); called once by open_with before anything else
    Status recover();

    Status start() override;
    void stop() override;
    std::optional<std::string> first_start_admin_key() const override { return first_key_; }
    std::string token_secret() const override { return token_secret_; }

    Result<Caller> authenticate_api_key(const std::string& secret,
                                        const std::string& instance) const override;
    Result<Caller> caller_for_user(const std::string& user_id,
                                   const std::string& instance) const override;

    Result<JobView> submit_job(const Caller& caller, const SubmitRequest& request) override;
    Result<JobView> get_job(const Caller& caller, const std::string& id,
                            bool with_params) const override;
    Result<store::JobPage> list_jobs(const Caller& caller, store::JobFilter filter) const override;
    Status cancel_job(const Caller& caller, const std::string& id) override;
    Status delete_job(const Caller& caller, const std::string& id) override;
    Status set_job_tags(const Caller& caller, const std::string& id,
                        const std::vector<std::string>& tags) override;
    Result<std::string> job_results(const Caller& caller, const std::string& id) const override;
    Result<std::string> job_logs(const Caller& caller, const std::string& id) const override;
    Result<std::string> job_metrics_json(const Caller& caller,
                                         const std::string& id) const override;
    Result<std::string> wait_job(const std::string& id, Duration timeout) const override;

    Result<SessionView> create_session(const Caller& caller, const std::string& backend,
                                       sched::SessionMode mode,
                                       std::optional<double> max_ttl_s) override;
    Result<SessionView> get_session(const Caller& caller, const std::string& id) const override;
    Status close_session(const Caller& caller, const std::string& id) override;
    Status cancel_session(const Caller& caller, const std::string& id) override;

    std::vector<BackendView> backends() const override;
    Result<BackendView> backend(const std::string& name) const override;
    Result<std::string> configuration_json(const std::string& name) const override;
    Result<std::string> properties_json(const std::string& name) const override;

    Result<InstanceUsageView> instance_usage(const Caller& caller) const override;

    Result<store::UserRecord> create_user(const Caller& caller, const std::string& name, bool admin,
                                          const std::vector<std::string>& instances) override;
    Result<NewKey> create_api_key(const Caller& caller, const std::string& user_id,
                                  const std::string& label) override;
    Status revoke_api_key(const Caller& caller, const std::string& key_id) override;
    Result<store::InstanceRecord> put_instance(const Caller& caller,
                                               const store::InstanceRecord& instance) override;
    std::vector<store::InstanceRecord> instances(const Caller& caller) const override;
    std::vector<store::UserRecord> users(const Caller& caller) const override;
    Status pause_backend(const Caller& caller, const std::string& name) override;
    Status resume_backend(const Caller& caller, const std::string& name) override;
    Status add_reservation(const Caller& caller, const sched::ReservationSpec& spec) override;

    // --- views.cc (the web pages' listings; owned with list_sessions)
    Result<std::vector<SessionView>> list_sessions(const Caller& caller,
                                                   store::SessionFilter filter) const override;
    Result<std::vector<FairShareRow>> fair_share(const Caller& caller) const override;

private:
    using Lock = std::unique_lock<std::mutex>;

    // --- runtime.cc: decisions and threads
    Timestamp now_locked() const;  // the clock, never behind the scheduler (mu_ held)
    // Applies decisions (and logged charges) to memory; queues the store writes (mu_ held).
    void apply(std::vector<sched::Decision> decisions, Writes& w);
    void apply_events(Writes& w) { apply(sched_.take_decisions(), w); }
    // The hand-off: takes write_mu_, releases `lk` (mu_), runs the writes in order. Returns the
    // first write error (also logged).
    Status flush(Lock& lk, Writes w);
    Status run_writes(Writes& w);  // write_mu_ held
    // After a scheduler event, refused or not (a refused event may still have fired due
    // timers): applies the decisions, writes them with `w`; the event's error, else the writes'.
    Status settle(Lock& lk, Status event, Writes w = {});
    void kick_timer();  // mu_ held: the timer thread re-reads next_wakeup()
    store::SessionRecord session_record(const sched::SessionInfo& info) const;
    void add_live(store::JobRecord record);  // mu_ held
    void erase_live(const std::string& id);  // mu_ held
    void executor_loop(Executor& ex);
    void run_task(Executor& ex, Task task);
    void report(const Task& task, sched::JobOutcome outcome, std::string message,
                std::optional<backends::JobExecution> execution);
    // A job interrupted by stop(): back to Queued in the store, attempts unchanged (mu_ held).
    void requeue_for_restart(const std::string& id, Writes& w);
    void timer_loop();
    // --- runtime.cc: metrics and logs
    void init_metrics();
    // GET /metrics: jobs by state, queue lengths, sessions by state (called at scrape time).
    void collect_metrics(std::vector<metrics::CollectedFamily>& out) const;
    // A job entered `state` (any thread: backend_metrics_ is fixed after construction).
    void count_transition(const std::string& backend, const std::string& state);
    // The state of session `id` as the scheduler has it now, for qrt_sessions (mu_ held).
    void track_session(const std::string& id);
    void submit_calibration(const std::string& backend);
    Duration timer_poll_cap() const;

    // --- recovery.cc
    Status bootstrap(Timestamp now);
    void restore_reservations(Timestamp now);
    std::string reservations_json(Timestamp now);  // mu_ held; drops windows that are over
    static std::string paused_key(const std::string& backend);  // store setting of rule K2

    // --- shared helpers
    bool visible(const Caller& caller, const std::string& instance, bool system) const;
    Result<store::JobRecord> visible_job(const Caller& caller, const std::string& id,
                                         bool with_params) const;
    Result<sched::SessionInfo> visible_live_session(const Caller& caller,
                                                    const std::string& id) const;  // mu_ held
    Status require_admin(const Caller& caller) const;
    Status require_running() const;  // unavailable while stopping
    backends::Backend* find_backend(const std::string& name) const;
    void invalidate_auth_caches() const;

    Config config_;
    Clock& clock_;
    std::unique_ptr<store::JobStore> store_;
    std::vector<std::unique_ptr<backends::Backend>> backends_;
    std::map<std::string, std::string> backend_versions_;
    IdGenerator ids_;
    std::optional<std::string> first_key_;
    std::string token_secret_;

    mutable std::mutex mu_;
    sched::Scheduler sched_;
    std::unordered_map<std::string, LiveJob> live_;
    std::unordered_map<std::string, int> pending_by_user_;
    std::unordered_map<std::string, int> pending_by_instance_;
    std::map<std::string, std::unique_ptr<Executor>> executors_;
    std::map<std::string, Calibration> calibrations_;
    std::vector<sched::ReservationSpec> reservations_;
    bool started_ = false;
    bool stopping_ = false;  // stop() began: refuse new work, re-queue interrupted jobs
    std::condition_variable timer_cv_;
    bool timer_exit_ = false;
    bool timer_kick_ = false;
    Timestamp timer_deadline_ = Timestamp::max();
    bool timer_waiting_ = false;  // the timer thread sleeps on timer_cv_ (only then kick it)
    std::thread timer_;

    std::mutex write_mu_;
    std::mutex stop_mu_;  // serialises stop()
    bool stopped_ = false;

    mutable std::mutex wait_mu_;
    mutable std::condition_variable wait_cv_;
    std::uint64_t final_seq_ = 0;

    mutable std::mutex auth_mu_;
    mutable std::unordered_map<std::string, store::ApiKeyRecord> key_cache_;  // by hash
    struct CachedUser {
        store::UserRecord user;
        std::vector<std::string> instances;
    };
    mutable std::unordered_map<std::string, CachedUser> user_cache_;

    // Metrics (docs/operations.md "Metrics"): children of the default registry, looked up once.
    struct BackendMetrics {
        std::map<std::string, metrics::Counter*, std::less<>> transitions;  // by state
        metrics::Histogram* wait = nullptr;                                 // queued -> running
        metrics::Histogram* run = nullptr;                                  // running -> final
    };
    std::map<std::string, BackendMetrics, std::less<>> backend_metrics_;  // fixed after init
    metrics::Counter* timer_wakeups_ = nullptr;
    metrics::Family<metrics::Counter>* session_activations_ = nullptr;
    metrics::Family<metrics::Counter>* usage_seconds_ = nullptr;
    // Sessions not closed: (mode, state) words as the store writes them (mu_).
    std::unordered_map<std::string, std::pair<std::string, std::string>> session_states_;
    metrics::CollectorHandle collector_;  // last: unregistered before anything it reads goes
};

// Small shared helpers.
std::uint64_t seed_for(const std::string& job_id);    // FNV-1a of the id
std::string json_string(const std::string& text);     // a JSON string literal
std::string random_hex(std::size_t bytes);            // from the OS CSPRNG
std::string close_reason_word(sched::CloseReason r);  // store words: drained, cancelled, ...
Result<sched::SessionMode> parse_session_mode(const std::string& mode);
sched::InstanceSpec instance_spec(const store::InstanceRecord& record);

}  // namespace qrt::runtime::detail
