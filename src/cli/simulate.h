// `qrt simulate`: replays a Workload through the real scheduler (sched::Scheduler) on a virtual
// clock and measures what happened (docs/workload-format.md, "Metrics").
//
// The driver is a discrete-event loop: a min-heap of pending events (job arrivals, job
// completions, think-time ends, session starts), interleaved with the scheduler's own timers
// (next_wakeup()). Each scheduler call is followed by take_decisions(): a StartJob schedules the
// job's completion at start + its sampled duration, a StopJob (time limit) reports the job
// stopped, an EndJob records the final state. Per-job driver state is a few words and is freed
// when the job ends, and the scheduler runs with retain_final_jobs = false, so a million jobs
// fit in bounded memory.
//
// Deterministic: the same workload and seed give the same report, bit for bit.
// Thread-safety: simulate() uses no shared state; run several at once on different workloads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "cli/workload.h"
#include "sched/types.h"

namespace qrt::cli {

// Summary of a sample of durations, in seconds. Percentiles use the nearest-rank method.
struct Stats {
    std::uint64_t count = 0;
    double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
};
// Summarises `samples_us` (microseconds); reorders it.
Stats summarize(std::vector<std::int64_t>& samples_us);

struct ClassReport {
    std::string name;
    std::uint64_t submitted = 0, started = 0, completed = 0, failed = 0, cancelled = 0;
    std::uint64_t unfinished = 0;  // queued or running when the run stopped
    Stats wait;                    // submission -> start, jobs that started
};

// One session/batch generator (all its `count` runs together).
struct WorkloadReport {
    std::string name;
    std::string kind;       // "session" or "batch"
    std::string mode;       // "dedicated", "batch", "job"
    bool job_mode = false;  // rule S15: the scheduler ran the session's jobs in job mode
    std::uint64_t runs = 0, runs_finished = 0, runs_failed = 0;
    std::uint64_t jobs_planned = 0, jobs_completed = 0;
    Stats iteration_latency;        // session: submission -> completion of each iteration's job
    Stats iteration_gap;            // session: completion of one iteration -> start of the next
    Stats completion_time;          // per finished run: first submission -> last completion
    double busy_s = 0, idle_s = 0;  // scheduler's SessionInfo busy/idle, summed over runs
};

struct BackendReport {
    std::string name;
    std::uint64_t jobs_started = 0;
    double busy_s = 0;
    double utilization = 0;  // busy / (end - start)
};

struct InstanceReport {
    std::string name;
    double share_fraction = 0;            // share / sum of shares
    double usage_s = 0;                   // all-time charged usage (job mode + session + batch)
    double delivered_share = 0;           // usage / total usage of all instances
    double delivered_over_allocated = 0;  // delivered_share / share_fraction
    std::uint64_t jobs_submitted = 0;
    sched::UsageTotals totals;
};

struct SimulationReport {
    std::string name;
    std::uint64_t seed = 0;
    double horizon_s = 0;   // the workload's duration
    double end_s = 0;       // when the run stopped (horizon, or later when draining)
    double makespan_s = 0;  // start -> the last job's end
    std::uint64_t submitted = 0, completed = 0, failed = 0, cancelled = 0;
    std::uint64_t queued_at_end = 0, running_at_end = 0;
    std::uint64_t events = 0;  // driver events handled (arrivals, completions, ...)
    std::vector<ClassReport> classes;
    std::vector<WorkloadReport> workloads;
    std::vector<BackendReport> backends;
    std::vector<InstanceReport> instances;
    // Jain's index over delivered_over_allocated of instances that submitted jobs: 1 is fair.
    double jain_index = 0;
    sched::UsageTotals usage;  // Scheduler::usage_totals()
};

struct SimulateOptions {
    std::optional<std::uint64_t> seed;  // overrides the workload's seed
};

// Runs the workload. invalid_argument if the scheduler refuses the configuration; internal if
// it refuses an event the driver thought valid (a driver or scheduler bug; the message says
// which call).
Result<SimulationReport> simulate(const Workload& workload, const SimulateOptions& options = {});

}  // namespace qrt::cli
