// Workload files for `qrt simulate`: the model (backends, instances, settings, generators of
// jobs, sessions and batches) and its JSON parser. docs/workload-format.md is the reference for
// every field; this header mirrors it.
//
// All times in a workload are offsets from the start of the simulation (a Duration), not
// absolute timestamps. Durations are written as strings in parse_duration's grammar ("90s",
// "25m", "2h 30m") or as plain numbers of seconds.
//
// The parser checks everything before anything runs: unknown fields, wrong types, negative or
// malformed durations, unknown instances/backends in generators, malformed JSON (with line and
// column). Every error names the field by its path, e.g. `generators[2].duration.mean: ...`.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/rng.h"
#include "base/status.h"
#include "base/time.h"
#include "sched/types.h"

namespace qrt::cli {

// A distribution of durations (job run times, think times).
struct DurationDist {
    enum class Kind { kFixed, kExponential, kLognormal, kUniform };
    Kind kind = Kind::kFixed;
    Duration a{};   // fixed: value; exponential/lognormal: mean; uniform: min
    Duration b{};   // uniform: max
    double cv = 1;  // lognormal: coefficient of variation

    static DurationDist fixed(Duration d) { return {Kind::kFixed, d, {}, 0}; }
    // The distribution's mean.
    Duration mean() const;
    // One draw, never negative.
    Duration sample(Rng& rng) const;
};

// `"type": "jobs"`: independent plain jobs.
struct JobGenerator {
    std::string name;
    std::string job_class;               // metrics class; default: the generator's name
    std::vector<std::string> instances;  // each job picks one uniformly
    std::vector<std::string> users;      // each job picks one uniformly
    std::vector<std::string> backends;   // each job picks one uniformly
    double rate_per_hour = 0;            // > 0: Poisson arrivals
    std::optional<std::int64_t> count;   // at most this many jobs
    Duration interval{};                 // without a rate: one job every `interval`
    DurationDist duration;
    Duration start{};
    std::optional<Duration> stop;  // no arrivals at or after this offset
    bool estimate_exact = false;   // estimate: "exact" or "mean" (default)
    std::optional<Duration> max_execution_time;
};

enum class SessionKind { kDedicated, kBatch, kJob };
std::string_view to_string(SessionKind k);  // "dedicated", "batch", "job"

// `"type": "session"`: an iterative workload (submit, wait, think, submit the next).
struct SessionGenerator {
    std::string name;
    std::string job_class;
    std::string instance, user, backend;
    SessionKind mode = SessionKind::kDedicated;
    int iterations = 1;
    DurationDist job_duration;
    DurationDist think_time;  // default fixed 0
    Duration start{};
    std::optional<Duration> max_ttl;
    int count = 1;
    Duration every{};  // stagger between the `count` sessions
    bool estimate_exact = false;
};

// `"type": "batch"`: N independent jobs submitted at once in a batch session, then closed.
struct BatchGenerator {
    std::string name;
    std::string job_class;
    std::string instance, user, backend;
    int jobs = 1;
    DurationDist job_duration;
    Duration start{};
    std::optional<Duration> max_ttl;
    int count = 1;
    Duration every{};
    bool estimate_exact = false;
};

// `"type": "calibration"`: a system job on each listed backend every `every`.
struct CalibrationGenerator {
    std::string name;
    std::string job_class;
    std::vector<std::string> backends;  // empty: all
    Duration every{};
    DurationDist duration;
    Duration start{};
};

struct ReservationWindow {
    std::string backend, instance;
    Duration start{}, end{};
};

struct Workload {
    std::string name;  // optional, for the report
    std::uint64_t seed = 1;
    Duration horizon{};  // `duration`: arrivals stop here; the run stops here unless `drain`
    bool drain = false;  // keep running past the horizon until every submitted job has ended
    sched::Settings settings;
    std::vector<sched::BackendSpec> backends;
    std::vector<sched::InstanceSpec> instances;
    std::vector<ReservationWindow> reservations;
    std::vector<JobGenerator> job_generators;
    std::vector<SessionGenerator> session_generators;
    std::vector<BatchGenerator> batch_generators;
    std::vector<CalibrationGenerator> calibration_generators;
};

// Parses a workload document. invalid_argument with a message naming the field on any error.
Result<Workload> parse_workload(std::string_view json_text);
// Reads and parses a file; not_found when it cannot be read. Messages start with the path.
Result<Workload> load_workload(const std::string& path);

}  // namespace qrt::cli
