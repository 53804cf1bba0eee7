// The scheduler's vocabulary: settings, the specs callers hand in, the states it tracks and the
// decisions it hands back. Plain values, no behaviour; safe to copy between threads.
//
// Rules cited as `rule S5` refer to shared/SESSIONS.md (copied into docs/sessions.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"

namespace qrt::sched {

using namespace std::chrono_literals;

// rule F4: how usage is remembered for fair share.
enum class FairSharePolicy {
    kRollingWindow,  // usage inside the last `fair_share_window` counts fully, then drops out (IBM)
    kHalfLifeDecay,  // usage decays by half every `half_life` (Slurm style)
};

// Every default of the scheduler is a setting (issue 2).
struct Settings {
    Duration interactive_ttl = 60s;              // rule S5; per-instance override in InstanceSpec
    Duration max_ttl = 8h;                       // rule S8: the server maximum and default
    Duration open_plan_batch_max_ttl = 10min;    // rule B5
    Duration unused_session_timeout = 30min;     // rule S12
    Duration job_time_cap = 3h;                  // rule J3: 10 800 s
    FairSharePolicy policy = FairSharePolicy::kRollingWindow;
    Duration fair_share_window = 24h * 28;       // rule F1
    Duration half_life = 24h * 7;                // rule F4 (decay policy)
    Duration usage_bucket = 1h;                  // resolution of the rolling window
    Duration forecast_horizon = 24h * 30;        // rule V1: how far the replay looks ahead
    // Keep final jobs in memory so that job() answers for them. The server keeps them in its
    // store instead, and `qrt simulate` turns this off to run millions of jobs in bounded memory.
    bool retain_final_jobs = true;
};

enum class Plan { kOpen, kPaid };

struct InstanceSpec {
    std::string name;
    Plan plan = Plan::kPaid;
    double share = 1.0;                        // rule F1: allocation weight, > 0
    std::optional<Duration> hard_limit;        // rule F5: usage in the window (or decayed usage)
    std::optional<Duration> interactive_ttl;   // rule S5: per-instance override
    std::map<std::string, double> user_shares; // rule F4: second level; unknown users weigh 1
};

struct BackendSpec {
    std::string name;
    int num_qubits = 0;  // rule K1: least_busy(min_qubits)
};

enum class JobState { kQueued, kRunning, kCompleted, kFailed, kCancelled };
bool is_final(JobState s);
std::string_view to_string(JobState s);  // REST spelling: "Queued", "Running", "Completed", ...

// Why a job ended the way it did. Numbers are stable; 1305 is the one the Qiskit client knows.
enum class ReasonCode : int {
    kNone = 0,
    kCancelledByUser = 1300,     // rule J4
    kSessionCancelled = 1301,    // rule S10
    kSessionExpired = 1302,      // rule S8: queued when max_ttl ran out
    kRanTooLong = 1305,          // rule J3
    kUserError = 1400,           // the job itself was bad (reported by the executor)
    kSystemError = 1500,         // the service failed (reported by the executor; not charged, F3)
};

// What the executor reports when a job stops running.
enum class JobOutcome {
    kCompleted,
    kFailedUser,    // charged up to the failure (rule F3)
    kFailedSystem,  // not charged (rule F3)
    kStopped,       // stopped after a StopJob decision (cancel, time limit)
};

struct JobSpec {
    std::string id;
    std::string backend;
    std::string instance;  // ignored for system jobs
    std::string user;
    std::string session;   // empty: job mode
    bool system = false;   // rule P1: calibration and other operator jobs
    Duration estimated_duration = 0s;           // rule V1: used only for forecasts
    std::optional<Duration> max_execution_time; // rule J3: capped by Settings::job_time_cap
};

enum class SessionMode { kDedicated, kBatch };
std::string_view to_string(SessionMode m);  // "dedicated", "batch"

enum class SessionState { kOpen, kActive, kInactive, kClosed };
std::string_view to_string(SessionState s);  // "open", "active", "inactive", "closed"

struct SessionSpec {
    std::string id;
    std::string backend;
    std::string instance;
    std::string user;
    SessionMode mode = SessionMode::kDedicated;
    std::optional<Duration> max_ttl;  // rule S8: at most the server maximum
};

// Why a session closed.
enum class CloseReason { kNone, kDrained, kCancelled, kMaxTtl, kUnused };
std::string_view to_string(CloseReason r);

// A session as the client's details() sees it (rule S13), plus our usage split (rule S14).
struct SessionInfo {
    std::string id, backend, instance, user;
    SessionMode mode = SessionMode::kDedicated;
    SessionState state = SessionState::kOpen;
    bool accepting_jobs = true;
    bool job_mode = false;  // rule S15: open plan; runs as plain jobs, no priority or exclusivity
    Duration interactive_ttl{}, max_ttl{};
    Timestamp created_at{};
    std::optional<Timestamp> started_at, activated_at, closed_at, last_job_started,
        last_job_completed;
    CloseReason close_reason = CloseReason::kNone;
    Duration busy_time{}, idle_time{};  // rule S14 [beyond]: dedicated: busy + idle = usage
    int queued_jobs = 0;
    bool job_running = false;

    Duration usage() const { return busy_time + idle_time; }
    // rule S8: time left before max_ttl closes it; nullopt before it first starts.
    std::optional<Duration> active_ttl(Timestamp now) const;
    // rule S13: "Pending", "In progress, accepting new jobs", ...
    std::string client_status() const;
};

struct JobInfo {
    std::string id, backend, instance, user, session;
    bool system = false;
    JobState state = JobState::kQueued;
    Timestamp submitted{};
    std::optional<Timestamp> started, finished;
    Duration usage{};  // backend time charged to the job (0 for a system failure, rule F3)
    ReasonCode reason = ReasonCode::kNone;
    std::string message;
    bool stop_requested = false;
};

struct ReservationSpec {
    std::string backend;
    std::string instance;
    Timestamp start{}, end{};
};

enum class DecisionKind {
    kStartJob,      // run `job` on `backend` now
    kStopJob,       // stop the running `job` cooperatively (cancel, time limit); report kStopped
    kEndJob,        // `job` reached final `job_state` (for every final transition)
    kSessionState,  // `session` changed to `session_state`
};

struct Decision {
    DecisionKind kind{};
    Timestamp at{};
    std::string job;
    std::string backend;
    std::string session;
    JobState job_state = JobState::kQueued;
    SessionState session_state = SessionState::kOpen;
    ReasonCode reason = ReasonCode::kNone;
    std::string message;
};

// Usage as accounted (rule F3, S14, B4); seconds of backend time.
struct UsageTotals {
    Duration job_mode{};      // plain jobs and job-mode (open plan) session jobs
    Duration session{};       // dedicated sessions: committed wall-clock time
    Duration session_idle{};  // of which idle (rule S14 [beyond])
    Duration batch{};         // batch jobs
    Duration reserved{};      // jobs run inside a reservation window (also counted above)
    Duration total() const { return job_mode + session + batch; }
};

struct InstanceUsage {
    std::string instance;
    double share_fraction = 0;  // share / sum of shares
    double window_usage_s = 0;  // U: usage in the window (or decayed)
    double ideal_s = 0;         // T = share fraction x window (or x decay mean life)
    double ratio = 0;           // U / T
    bool at_limit = false;      // rule F5
    UsageTotals totals;         // all-time, by mode
};

// rule V1 / V2: where a queued job stands and why it is not running.
struct JobOutlook {
    std::string job;
    JobState state = JobState::kQueued;
    int position = 0;  // 1 = next to start on its backend; 0 = unknown (nothing starts it)
    std::optional<Timestamp> estimated_start;
    std::string rule;    // the rule that holds it now: "K2", "R1", "S4", "F5", "P1", "P3", "P4", ...
    std::string reason;  // a sentence for the user
};

}  // namespace qrt::sched
