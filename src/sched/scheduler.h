// Scheduler: the session-aware fair-share scheduler of qrt (shared/SESSIONS.md, every rule).
//
// Pure and deterministic: no threads, sleeps or I/O. Callers feed it timestamped events (jobs
// submitted, finished, cancelled; sessions created, closed, cancelled; reservations; backends
// paused; time advanced), in non-decreasing time order, and read back decisions (start job J on
// backend B, stop job J, job J ended, session S changed state) with take_decisions(), and the
// next instant it must be woken with next_wakeup(). Every event first fires the timers that are
// due, then applies itself, then lets each affected backend pick its next job.
//
// A backend runs one job at a time. When it is free it picks, in order: system jobs (P1) unless
// a dedicated session holds it (S4); the jobs of the instance whose reservation is open (P2,
// R1); the jobs of its active workload (P3; a dedicated session idles the backend while it waits,
// S4); the fair-share pick (P4, F1-F5): the instance with the lowest usage/ideal ratio, in it the
// user with the lowest ratio, then that user's oldest job. The pick costs O(log n) in the queued
// jobs and instances: queues are ordered sets re-keyed only when usage changes.
//
// Not thread-safe: the runtime serialises calls (one lock). Copyable: forecast() replays a copy.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "sched/types.h"
#include "sched/usage_ledger.h"

namespace qrt::sched {

// What a usage charge was for (the store's usage ledger keeps the same words).
enum class UsageKind {
    kJob,      // a plain job, or a job of a job-mode (open plan) session
    kSession,  // a dedicated session's committed time (rule S14), busy or idle
    kBatch,    // a batch job (rule B4)
};
std::string_view to_string(UsageKind k);  // "job", "session", "batch"

// One charge to the fair-share ledger (rule F3), as the charge log hands it out. Replaying the
// charges with record_usage() rebuilds the same window after a restart.
struct UsageCharge {
    Timestamp at{};        // the instant the ledger charged it
    std::string instance;
    std::string user;
    std::string job;       // empty: session time outside a job (idle, rule S14)
    std::string session;   // empty: job mode
    UsageKind kind = UsageKind::kJob;
    Duration amount{};
};

class Scheduler {
public:
    explicit Scheduler(Settings settings = {}, Timestamp start = Timestamp{});

    const Settings& settings() const { return settings_; }
    Timestamp now() const { return now_; }

    // --- configuration (may be called at any time) ---
    Status add_backend(const BackendSpec& spec);
    Status add_instance(const InstanceSpec& spec);
    // Sets a user's weight inside an instance (rule F4, second level).
    Status set_user_share(const std::string& instance, const std::string& user, double share);

    // --- events ---
    // Each event first fires the timers due up to its time. An invalid event then returns an
    // error and has exactly the effect of advance(now): the event itself changes nothing.
    // Time moves to `now` and due timers fire. Earlier than now(): invalid_argument.
    Status advance(Timestamp now);
    Status submit_job(Timestamp now, const JobSpec& spec);
    // rule J4: queued -> Cancelled now; running -> StopJob, Cancelled when reported stopped;
    // final -> failed_precondition.
    Status cancel_job(Timestamp now, const std::string& job);
    // The executor reports that a running job stopped. The job's final state follows the outcome
    // (kStopped becomes Cancelled with the stop's reason).
    Status job_finished(Timestamp now, const std::string& job, JobOutcome outcome,
                        std::string message = {});
    Status create_session(Timestamp now, const SessionSpec& spec);
    Status close_session(Timestamp now, const std::string& session);   // rule S9: drain
    Status cancel_session(Timestamp now, const std::string& session);  // rule S10: abort
    Status add_reservation(Timestamp now, const ReservationSpec& spec);
    Status pause_backend(Timestamp now, const std::string& backend);   // rule K2
    Status resume_backend(Timestamp now, const std::string& backend);

    // Decisions made since the last call, in the order they were made.
    std::vector<Decision> take_decisions();
    // The earliest instant a timer is due; nullopt when nothing is pending.
    std::optional<Timestamp> next_wakeup() const;

    // --- restart recovery (the runtime rebuilds a scheduler from its durable store) ---
    // Turns the charge log on or off (off by default). While on, every charge to the fair-share ledger is also logged for take_charges(), so a caller
    // can persist exactly what fair share counted.
    void set_charge_log(bool on) { charge_log_on_ = on; }
    // Charges logged since the last call, in the order they were made.
    std::vector<UsageCharge> take_charges();
    // Replays a charge made before a restart into the fair-share ledger (rules F1, F5): it counts
    // as if it had been charged at `at`, so it leaves the rolling window (or decays) on the same
    // schedule. Replay oldest first and before new events charge: `at` later than now() or
    // earlier than the latest charge so far is invalid_argument; an unknown instance not_found.
    // Not added to usage_totals() (those count what this process ran).
    Status record_usage(Timestamp at, const std::string& instance, const std::string& user,
                        Duration amount);
    // Re-creates a session saved before a restart (`saved`: id, backend, instance, user, mode,
    // max_ttl, created_at, started_at, activated_at, last_job_started, last_job_completed,
    // busy/idle time; other fields are ignored). A session that had started comes back
    // `inactive` (its interactive window is gone, rule S6) with max_ttl still counted from its
    // original started_at (rule S8: a passed max_ttl closes it at the next event); one that
    // never started comes back `open` with a fresh unused-session timeout (rule S12). It accepts
    // jobs: re-submit its jobs with submit_job, then call close_session to resume a drain
    // (rule S9). Errors as create_session; a closed `saved` state: invalid_argument.
    Status restore_session(Timestamp now, const SessionInfo& saved);
    // Replaces an instance's settings (share, plan, hard limit, interactive TTL, user shares)
    // at `now`: fair-share order and hard limits follow at once; sessions keep the plan and
    // interactive TTL they were created with. Unknown instance: not_found; bad values as
    // add_instance.
    Status update_instance(Timestamp now, const InstanceSpec& spec);

    // --- queries ---
    Result<JobInfo> job(const std::string& id) const;
    Result<SessionInfo> session(const std::string& id) const;
    Result<InstanceUsage> instance_usage(const std::string& instance) const;
    std::vector<std::string> backends() const;
    bool backend_paused(const std::string& backend) const;
    std::optional<std::string> running_job(const std::string& backend) const;
    std::optional<std::string> active_session(const std::string& backend) const;
    int queued_jobs(const std::string& backend) const;  // rule K1: pending jobs
    // rule K1: the operational backend with the fewest queued jobs (ties: name order).
    Result<std::string> least_busy(int min_qubits = 0) const;
    UsageTotals usage_totals() const { return totals_; }
    std::size_t live_jobs() const { return live_jobs_; }

    // rule V1: position and estimated start of every queued job, by replaying a copy of this
    // scheduler forward with each job's duration estimate and no new arrivals.
    std::unordered_map<std::string, JobOutlook> forecast() const;
    // rule V1 + V2: one job's position, estimated start and the rule that holds it.
    Result<JobOutlook> explain(const std::string& job) const;

private:
    static constexpr std::uint32_t kNone = UINT32_MAX;
    using JobKey = std::pair<std::uint64_t, std::uint32_t>;  // (submission seq, job slot)
    // (usage key / share, head seq, index): the fair-share order of instances or users.
    using OrderKey = std::tuple<double, std::uint64_t, std::uint32_t>;

    enum class TimerKind : std::uint8_t {
        kSessionIdle,      // rule S5
        kSessionMaxTtl,    // rule S8
        kSessionUnused,    // rule S12
        kJobLimit,         // rule J3
        kReservation,      // rule R1/R2 window edges of one backend
        kUsageExpiry,      // rule F1: a usage bucket leaves the window
        kLimitRelease,     // rule F5: an instance's usage falls below its limit
    };
    struct Timer {
        Timestamp at;
        std::uint64_t seq;
        TimerKind kind;
        std::uint32_t target;
        friend bool operator<(const Timer& a, const Timer& b) {
            return std::tie(a.at, a.seq) < std::tie(b.at, b.seq);
        }
    };
    using TimerSlot = std::optional<Timer>;

    struct Job {
        std::string id;
        std::uint32_t backend = kNone, instance = kNone, user = kNone, session = kNone;
        bool system = false;
        std::uint64_t seq = 0;
        Timestamp submitted{};
        Duration estimate{}, limit{};
        JobState state = JobState::kQueued;
        std::optional<Timestamp> started, finished;
        Duration usage{};
        ReasonCode reason = ReasonCode::kNone, stop_reason = ReasonCode::kNone;
        std::string message;
        bool stop_requested = false;
        bool in_reservation = false;  // started inside its instance's reservation window
        TimerSlot limit_timer;
    };

    struct UserQueue {
        std::set<JobKey> jobs;
        OrderKey key{};
    };
    struct InstanceQueue {  // one instance's queued fair-share jobs on one backend
        std::unordered_map<std::uint32_t, UserQueue> users;  // by user account
        std::set<OrderKey> user_order;
        std::set<JobKey> all;
        OrderKey key{};
        bool listed = false;  // in the backend's instance_order (not at its hard limit)
    };

    struct Reservation {
        std::uint32_t instance;
        Timestamp start, end;
    };

    struct Backend {
        std::string name;
        int num_qubits = 0;
        bool paused = false;
        std::uint32_t running = kNone;  // job slot
        std::uint32_t active = kNone;   // session holding priority (P3)
        std::set<JobKey> system_queue;  // rule P1
        std::unordered_map<std::uint32_t, InstanceQueue> queues;  // by instance
        std::set<OrderKey> instance_order;
        std::vector<Reservation> reservations;  // sorted by start, not overlapping
        std::uint32_t open_reservation = kNone;  // index into reservations
        TimerSlot reservation_timer;
        int queued = 0;
        bool dirty = false;
    };

    struct User {
        std::string name;
        std::uint32_t instance;
        std::uint32_t account;  // in ledger_
        double share = 1.0;
    };

    struct Instance {
        InstanceSpec spec;
        std::uint32_t account;  // in ledger_
        std::unordered_map<std::string, std::uint32_t> users;  // name -> users_ index
        std::vector<std::uint32_t> backends;  // backends where it has a queue
        bool at_limit = false;
        TimerSlot limit_timer;
        UsageTotals totals;
    };

    struct Session {
        SessionInfo info;
        std::uint32_t backend, instance, user;
        std::set<std::tuple<std::int64_t, std::uint64_t, std::uint32_t>> queue;  // (order, seq, slot)
        std::uint32_t running = kNone;
        bool committed = false;  // rule S14: backend committed to it (dedicated, not job mode)
        Timestamp mark{};        // last instant its committed time was accounted
        bool had_job = false;
        TimerSlot idle_timer, max_timer, unused_timer;
    };

    // events and timers
    Status enter(Timestamp now);  // checks time order, fires due timers
    void fire(const Timer& t);
    void set_timer(TimerSlot& slot, Timestamp at, TimerKind kind, std::uint32_t target);
    void clear_timer(TimerSlot& slot);
    void dispatch();
    void mark_dirty(std::uint32_t backend);

    // picking (shared by dispatch and explain)
    std::uint32_t pick(std::uint32_t b) const;
    std::uint32_t pick_fair_share(const Backend& be, std::uint32_t only_instance) const;
    bool holds_exclusively(const Backend& be) const;  // rule S4
    std::uint32_t reserved_for(const Backend& be) const;

    // job lifecycle
    void start_job(std::uint32_t slot);
    void end_job(std::uint32_t slot, JobState state, ReasonCode reason, std::string message);
    void enqueue(std::uint32_t slot);
    void dequeue(std::uint32_t slot);
    void charge(std::uint32_t instance, std::uint32_t user, Duration amount, UsageKind kind,
                const std::string& job, const std::string& session);
    Status check_instance_spec(const InstanceSpec& spec) const;
    void rekey_instance(std::uint32_t instance);
    void rekey_user(std::uint32_t user);
    void refresh_limit(std::uint32_t instance);
    void list_instance(Backend& be, std::uint32_t instance, InstanceQueue& q);
    void unlist_instance(Backend& be, InstanceQueue& q);
    double instance_key(std::uint32_t instance) const;
    double user_key(std::uint32_t user) const;
    std::uint32_t user_of(std::uint32_t instance, const std::string& name);

    // sessions
    void activate(std::uint32_t s);
    void deactivate(std::uint32_t s);
    void close(std::uint32_t s, CloseReason why);
    void account_session(Session& se, bool busy);
    void emit_session(const Session& se);
    Duration ittl_for(std::uint32_t instance) const;
    void reservation_edge(std::uint32_t b);

    Settings settings_;
    Timestamp now_;
    UsageLedger ledger_;
    std::uint64_t seq_ = 0;
    std::set<Timer> timers_;
    TimerSlot expiry_timer_;
    std::vector<Decision> out_;
    std::vector<std::uint32_t> dirty_;

    std::vector<Backend> backends_;
    std::unordered_map<std::string, std::uint32_t> backend_ids_;
    std::vector<Instance> instances_;
    std::unordered_map<std::string, std::uint32_t> instance_ids_;
    double share_sum_ = 0;
    std::vector<User> users_;
    std::vector<std::uint32_t> account_owner_;  // ledger account -> instance or user (tagged)
    std::vector<Job> jobs_;
    std::vector<std::uint32_t> free_slots_;
    std::unordered_map<std::string, std::uint32_t> job_ids_;
    std::size_t live_jobs_ = 0;
    std::vector<Session> sessions_;
    std::unordered_map<std::string, std::uint32_t> session_ids_;
    UsageTotals totals_;
    bool charge_log_on_ = false;
    std::vector<UsageCharge> charges_;
    Timestamp last_charge_at_ = Timestamp::min();
};

}  // namespace qrt::sched
