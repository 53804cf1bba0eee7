#include "cli/simulate.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <unordered_map>
#include <utility>

#include "base/rng.h"
#include "sched/scheduler.h"

namespace qrt::cli {

namespace {

constexpr Timestamp kStart = VirtualClock::kDefaultStart;
constexpr std::uint32_t kNoRun = std::numeric_limits<std::uint32_t>::max();
// Draining stops at the latest this long after the horizon (a job that can never run, e.g. one
// held by a hard limit that never releases, must not keep the loop going forever).
constexpr Duration kMaxDrain = std::chrono::hours(24 * 365);

enum class EventKind : std::uint8_t {
    kArrival,       // a = job generator
    kCalibration,   // a = calibration generator, b = backend
    kSessionStart,  // a = run
    kIterate,       // a = run: think time over, submit the next iteration
    kCloseSession,  // a = run
    kBatchStart,    // a = run
    kComplete,      // b = job number: the job's run time is over
    kStop,          // b = job number: the job stops after a StopJob decision
};

struct Event {
    Timestamp at;
    std::uint64_t seq;
    EventKind kind;
    std::uint32_t a;
    std::uint64_t b;
    friend bool operator>(const Event& x, const Event& y) {
        return std::tie(x.at, x.seq) > std::tie(y.at, y.seq);
    }
};

// What the driver remembers about a live job; freed when it ends.
struct JobRec {
    Timestamp submit{};
    Timestamp start{};
    Duration actual{};
    std::uint32_t cls = 0;
    std::uint32_t run = kNoRun;
    std::uint32_t backend = 0;
    bool started = false;
    bool stopping = false;
};

// One session or batch (one of a generator's `count`).
struct Run {
    std::uint32_t group = 0;  // index into groups_
    bool batch = false;       // a batch generator's run
    std::string session;      // empty: job mode (no session)
    int done = 0;             // iterations (session) or jobs (batch) completed
    int outstanding = 0;      // batch: jobs not yet ended
    int failed_jobs = 0;
    Timestamp first_submit{}, last_end{};
    bool have_last = false;
    bool failed = false, finished = false;
};

struct ClassAcc {
    ClassReport report;
    std::vector<std::int64_t> waits;
};

struct GroupAcc {
    WorkloadReport report;
    std::vector<std::int64_t> latency, gap, completion;
};

struct JobGenState {
    Rng rng;
    std::uint32_t cls = 0;
    std::vector<std::uint32_t> instances, backends;
    std::int64_t emitted = 0;
};

class Driver {
public:
    Driver(const Workload& w, std::uint64_t seed)
        : w_(w), seed_(seed), sched_(w.settings, kStart), master_(seed) {}

    Result<SimulationReport> run();

private:
    Status setup();
    Status loop();
    Status handle(const Event& e);
    Status call(Status st, std::string_view what);
    Status process();
    Status end_job(const sched::Decision& d);
    SimulationReport finish();

    void push(Timestamp at, EventKind kind, std::uint32_t a, std::uint64_t b = 0) {
        heap_.push(Event{at, ++seq_, kind, a, b});
    }
    std::uint32_t class_index(const std::string& name);
    // Submits one job; the driver record exists before the call (the job may start at once).
    Status submit(Timestamp t, std::uint32_t cls, std::uint32_t run, std::uint32_t backend,
                  std::uint32_t instance, const std::string& user, const std::string& session,
                  Duration actual, Duration estimate, std::optional<Duration> max_exec,
                  bool system);
    Status submit_iteration(Timestamp t, std::uint32_t run);
    bool before_horizon(Timestamp t) const { return t < limit_; }

    const Workload& w_;
    std::uint64_t seed_;
    sched::Scheduler sched_;
    Rng master_;
    Timestamp limit_{};
    std::priority_queue<Event, std::vector<Event>, std::greater<>> heap_;
    std::uint64_t seq_ = 0;
    std::uint64_t next_job_ = 0;
    std::uint64_t events_ = 0;
    std::unordered_map<std::uint64_t, JobRec> jobs_;
    std::unordered_map<std::string, std::uint32_t> class_ids_;
    std::vector<ClassAcc> classes_;
    std::vector<GroupAcc> groups_;
    std::vector<Rng> group_rng_;
    std::vector<Run> runs_;
    std::vector<JobGenState> job_gens_;
    std::vector<Rng> calib_rng_;
    std::vector<std::uint32_t> calib_class_;
    std::unordered_map<std::string, std::uint32_t> backend_ids_, instance_ids_;
    std::vector<BackendReport> backends_;
    std::vector<std::uint64_t> instance_jobs_;
    std::uint64_t submitted_ = 0, completed_ = 0, failed_ = 0, cancelled_ = 0;
    Timestamp last_end_ = kStart;
    bool any_end_ = false;
};

std::uint32_t Driver::class_index(const std::string& name) {
    auto [it, fresh] = class_ids_.try_emplace(name, static_cast<std::uint32_t>(classes_.size()));
    if (fresh) {
        classes_.emplace_back();
        classes_.back().report.name = name;
    }
    return it->second;
}

Status Driver::setup() {
    limit_ = kStart + w_.horizon;
    for (const auto& b : w_.backends) {
        Status st = sched_.add_backend(b);
        if (!st.ok())
            return invalid_argument(fmt::format("backend '{}': {}", b.name, st.message()));
        backend_ids_[b.name] = static_cast<std::uint32_t>(backends_.size());
        backends_.emplace_back();
        backends_.back().name = b.name;
    }
    for (const auto& in : w_.instances) {
        Status st = sched_.add_instance(in);
        if (!st.ok())
            return invalid_argument(fmt::format("instance '{}': {}", in.name, st.message()));
        instance_ids_[in.name] = static_cast<std::uint32_t>(instance_jobs_.size());
        instance_jobs_.push_back(0);
    }
    for (const auto& r : w_.reservations) {
        sched::ReservationSpec spec{r.backend, r.instance, kStart + r.start, kStart + r.end};
        Status st = sched_.add_reservation(kStart, spec);
        if (!st.ok()) {
            return invalid_argument(fmt::format("reservation of '{}' for '{}': {}", r.backend,
                                                r.instance, st.message()));
        }
    }
    // Generators, each with its own random stream forked from the seed in a fixed order.
    for (std::uint32_t i = 0; i < w_.job_generators.size(); ++i) {
        const auto& g = w_.job_generators[i];
        JobGenState s{master_.fork(), class_index(g.job_class), {}, {}, 0};
        for (const auto& n : g.instances) s.instances.push_back(instance_ids_.at(n));
        for (const auto& n : g.backends) s.backends.push_back(backend_ids_.at(n));
        job_gens_.push_back(std::move(s));
        if (g.count && *g.count == 0) continue;
        Timestamp first = kStart + g.start;
        if (g.rate_per_hour > 0) {
            first += seconds_d(job_gens_.back().rng.exponential(3600.0 / g.rate_per_hour));
        }
        if (before_horizon(first) && (!g.stop || first < kStart + *g.stop)) {
            push(first, EventKind::kArrival, i);
        }
    }
    auto add_group = [&](const std::string& name, std::string kind, std::string mode,
                         const std::string& job_class) {
        GroupAcc g;
        g.report.name = name;
        g.report.kind = std::move(kind);
        g.report.mode = std::move(mode);
        groups_.push_back(std::move(g));
        group_rng_.push_back(master_.fork());
        class_index(job_class);
        return static_cast<std::uint32_t>(groups_.size() - 1);
    };
    for (const auto& g : w_.session_generators) {
        std::uint32_t gi =
            add_group(g.name, "session", std::string(to_string(g.mode)), g.job_class);
        for (int k = 0; k < g.count; ++k) {
            Timestamp at = kStart + g.start + g.every * k;
            if (!before_horizon(at)) break;
            Run r;
            r.group = gi;
            if (g.mode != SessionKind::kJob) r.session = fmt::format("s{}", runs_.size());
            runs_.push_back(std::move(r));
            groups_[gi].report.runs++;
            groups_[gi].report.jobs_planned += static_cast<std::uint64_t>(g.iterations);
            push(at, EventKind::kSessionStart, static_cast<std::uint32_t>(runs_.size() - 1));
        }
    }
    for (const auto& g : w_.batch_generators) {
        std::uint32_t gi = add_group(g.name, "batch", "batch", g.job_class);
        for (int k = 0; k < g.count; ++k) {
            Timestamp at = kStart + g.start + g.every * k;
            if (!before_horizon(at)) break;
            Run r;
            r.group = gi;
            r.batch = true;
            r.session = fmt::format("s{}", runs_.size());
            runs_.push_back(std::move(r));
            groups_[gi].report.runs++;
            groups_[gi].report.jobs_planned += static_cast<std::uint64_t>(g.jobs);
            push(at, EventKind::kBatchStart, static_cast<std::uint32_t>(runs_.size() - 1));
        }
    }
    for (std::uint32_t i = 0; i < w_.calibration_generators.size(); ++i) {
        const auto& g = w_.calibration_generators[i];
        calib_rng_.push_back(master_.fork());
        calib_class_.push_back(class_index(g.job_class));
        Timestamp at = kStart + g.start;
        if (!before_horizon(at)) continue;
        if (g.backends.empty()) {
            for (std::uint32_t b = 0; b < backends_.size(); ++b)
                push(at, EventKind::kCalibration, i, b);
        } else {
            for (const auto& n : g.backends)
                push(at, EventKind::kCalibration, i, backend_ids_.at(n));
        }
    }
    return process();
}

Status Driver::call(Status st, std::string_view what) {
    if (!st.ok()) {
        return internal_error(fmt::format("the scheduler refused {} at t={}s: {}", what,
                                          to_seconds(sched_.now() - kStart), st.to_string()));
    }
    return process();
}

Status Driver::submit(Timestamp t, std::uint32_t cls, std::uint32_t run, std::uint32_t backend,
                      std::uint32_t instance, const std::string& user, const std::string& session,
                      Duration actual, Duration estimate, std::optional<Duration> max_exec,
                      bool system) {
    std::uint64_t num = next_job_++;
    sched::JobSpec spec;
    spec.id = fmt::format("j{}", num);
    spec.backend = w_.backends[backend].name;
    if (!system) spec.instance = w_.instances[instance].name;
    spec.user = user;
    spec.session = session;
    spec.system = system;
    spec.estimated_duration = estimate;
    spec.max_execution_time = max_exec;
    JobRec rec;
    rec.submit = t;
    rec.actual = actual;
    rec.cls = cls;
    rec.run = run;
    rec.backend = backend;
    jobs_.emplace(num, rec);
    Status st = sched_.submit_job(t, spec);
    if (!st.ok()) {
        jobs_.erase(num);
        return st;
    }
    ++submitted_;
    classes_[cls].report.submitted++;
    if (!system) instance_jobs_[instance]++;
    return process();
}

Status Driver::submit_iteration(Timestamp t, std::uint32_t ri) {
    Run& r = runs_[ri];
    const auto& g = w_.session_generators[r.group];
    Rng& rng = group_rng_[r.group];
    Duration actual = g.job_duration.sample(rng);
    Duration estimate = g.estimate_exact ? actual : g.job_duration.mean();
    Status st = submit(t, class_index(g.job_class), ri, backend_ids_.at(g.backend),
                       instance_ids_.at(g.instance), g.user, r.session, actual, estimate,
                       std::nullopt, false);
    if (st.code() == ErrorCode::kFailedPrecondition) {  // rule S11: the session is closed
        runs_[ri].failed = true;
        groups_[r.group].report.runs_failed++;
        return {};
    }
    return st;
}

Status Driver::handle(const Event& e) {
    ++events_;
    switch (e.kind) {
        case EventKind::kArrival: {
            const auto& g = w_.job_generators[e.a];
            JobGenState& s = job_gens_[e.a];
            std::uint32_t inst = s.instances.size() == 1
                                     ? s.instances[0]
                                     : s.instances[static_cast<std::size_t>(s.rng.uniform_int(
                                           0, static_cast<std::int64_t>(s.instances.size()) - 1))];
            std::uint32_t be = s.backends.size() == 1
                                   ? s.backends[0]
                                   : s.backends[static_cast<std::size_t>(s.rng.uniform_int(
                                         0, static_cast<std::int64_t>(s.backends.size()) - 1))];
            const std::string& user = g.users.size() == 1
                                          ? g.users[0]
                                          : g.users[static_cast<std::size_t>(s.rng.uniform_int(
                                                0, static_cast<std::int64_t>(g.users.size()) - 1))];
            Duration actual = g.duration.sample(s.rng);
            Duration estimate = g.estimate_exact ? actual : g.duration.mean();
            ++s.emitted;
            Timestamp next = g.rate_per_hour > 0
                                 ? e.at + seconds_d(s.rng.exponential(3600.0 / g.rate_per_hour))
                                 : e.at + g.interval;
            bool more = (!g.count || s.emitted < *g.count) && before_horizon(next) &&
                        (!g.stop || next < kStart + *g.stop);
            if (more) push(next, EventKind::kArrival, e.a);
            Status st = submit(e.at, s.cls, kNoRun, be, inst, user, {}, actual, estimate,
                               g.max_execution_time, false);
            if (!st.ok()) return call(st, "a job submission");
            return {};
        }
        case EventKind::kCalibration: {
            const auto& g = w_.calibration_generators[e.a];
            Duration actual = g.duration.sample(calib_rng_[e.a]);
            auto b = static_cast<std::uint32_t>(e.b);
            if (before_horizon(e.at + g.every))
                push(e.at + g.every, EventKind::kCalibration, e.a, b);
            Status st = submit(e.at, calib_class_[e.a], kNoRun, b, 0, "operator", {}, actual,
                               actual, std::nullopt, true);
            if (!st.ok()) return call(st, "a calibration job");
            return {};
        }
        case EventKind::kSessionStart: {
            Run& r = runs_[e.a];
            const auto& g = w_.session_generators[r.group];
            r.first_submit = e.at;
            if (!r.session.empty()) {
                sched::SessionSpec spec;
                spec.id = r.session;
                spec.backend = g.backend;
                spec.instance = g.instance;
                spec.user = g.user;
                spec.mode = g.mode == SessionKind::kBatch ? sched::SessionMode::kBatch
                                                          : sched::SessionMode::kDedicated;
                spec.max_ttl = g.max_ttl;
                Status st = sched_.create_session(e.at, spec);
                if (!st.ok()) {
                    return invalid_argument(
                        fmt::format("generator '{}': the scheduler refused the session: {}", g.name,
                                    st.message()));
                }
                QRT_RETURN_IF_ERROR(process());
            }
            return submit_iteration(e.at, e.a);
        }
        case EventKind::kIterate:
            return submit_iteration(e.at, e.a);
        case EventKind::kCloseSession:
            return call(sched_.close_session(e.at, runs_[e.a].session), "close_session");
        case EventKind::kBatchStart: {
            Run& r = runs_[e.a];
            const auto& g = w_.batch_generators[r.group - w_.session_generators.size()];
            r.first_submit = e.at;
            sched::SessionSpec spec;
            spec.id = r.session;
            spec.backend = g.backend;
            spec.instance = g.instance;
            spec.user = g.user;
            spec.mode = sched::SessionMode::kBatch;
            spec.max_ttl = g.max_ttl;
            Status st = sched_.create_session(e.at, spec);
            if (!st.ok()) {
                return invalid_argument(fmt::format(
                    "generator '{}': the scheduler refused the batch: {}", g.name, st.message()));
            }
            QRT_RETURN_IF_ERROR(process());
            Rng& rng = group_rng_[r.group];
            std::uint32_t cls = class_index(g.job_class);
            for (int k = 0; k < g.jobs; ++k) {
                Duration actual = g.job_duration.sample(rng);
                Duration estimate = g.estimate_exact ? actual : g.job_duration.mean();
                runs_[e.a].outstanding++;
                Status sub =
                    submit(e.at, cls, e.a, backend_ids_.at(g.backend), instance_ids_.at(g.instance),
                           g.user, r.session, actual, estimate, std::nullopt, false);
                if (!sub.ok()) {
                    runs_[e.a].outstanding--;
                    return call(sub, "a batch job submission");
                }
            }
            return call(sched_.close_session(e.at, r.session), "close_session (batch)");
        }
        case EventKind::kComplete: {
            auto it = jobs_.find(e.b);
            if (it == jobs_.end() || !it->second.started || it->second.stopping) return {};
            return call(
                sched_.job_finished(e.at, fmt::format("j{}", e.b), sched::JobOutcome::kCompleted),
                "job_finished(completed)");
        }
        case EventKind::kStop: {
            auto it = jobs_.find(e.b);
            if (it == jobs_.end() || !it->second.started) return {};
            return call(
                sched_.job_finished(e.at, fmt::format("j{}", e.b), sched::JobOutcome::kStopped),
                "job_finished(stopped)");
        }
    }
    return {};
}

std::uint64_t job_number(const std::string& id) {
    std::uint64_t n = 0;
    if (id.size() < 2) return std::numeric_limits<std::uint64_t>::max();
    auto res = std::from_chars(id.data() + 1, id.data() + id.size(), n);
    if (res.ec != std::errc()) return std::numeric_limits<std::uint64_t>::max();
    return n;
}

Status Driver::process() {
    for (const sched::Decision& d : sched_.take_decisions()) {
        switch (d.kind) {
            case sched::DecisionKind::kStartJob: {
                std::uint64_t num = job_number(d.job);
                auto it = jobs_.find(num);
                if (it == jobs_.end()) {
                    return internal_error(fmt::format("StartJob for unknown job '{}'", d.job));
                }
                JobRec& rec = it->second;
                if (rec.started) {
                    return internal_error(fmt::format("job '{}' started twice", d.job));
                }
                rec.started = true;
                rec.start = d.at;
                ClassAcc& c = classes_[rec.cls];
                c.report.started++;
                c.waits.push_back((d.at - rec.submit).count());
                backends_[rec.backend].jobs_started++;
                if (rec.run != kNoRun) {
                    Run& r = runs_[rec.run];
                    if (!r.batch && r.have_last) {
                        groups_[r.group].gap.push_back((d.at - r.last_end).count());
                    }
                }
                push(d.at + rec.actual, EventKind::kComplete, 0, num);
                break;
            }
            case sched::DecisionKind::kStopJob: {
                auto it = jobs_.find(job_number(d.job));
                if (it != jobs_.end() && it->second.started && !it->second.stopping) {
                    it->second.stopping = true;
                    push(d.at, EventKind::kStop, 0, it->first);
                }
                break;
            }
            case sched::DecisionKind::kEndJob:
                QRT_RETURN_IF_ERROR(end_job(d));
                break;
            case sched::DecisionKind::kSessionState:
                break;
        }
    }
    return {};
}

Status Driver::end_job(const sched::Decision& d) {
    auto it = jobs_.find(job_number(d.job));
    if (it == jobs_.end()) return internal_error(fmt::format("EndJob for unknown job '{}'", d.job));
    JobRec rec = it->second;
    jobs_.erase(it);
    ClassAcc& c = classes_[rec.cls];
    bool ok = d.job_state == sched::JobState::kCompleted;
    switch (d.job_state) {
        case sched::JobState::kCompleted:
            ++completed_;
            c.report.completed++;
            break;
        case sched::JobState::kFailed:
            ++failed_;
            c.report.failed++;
            break;
        case sched::JobState::kCancelled:
            ++cancelled_;
            c.report.cancelled++;
            break;
        default:
            return internal_error(fmt::format("EndJob for '{}' with a non-final state", d.job));
    }
    if (rec.started) {
        backends_[rec.backend].busy_s += to_seconds(d.at - rec.start);
        last_end_ = std::max(last_end_, d.at);
        any_end_ = true;
    }
    if (rec.run == kNoRun) return {};
    Run& r = runs_[rec.run];
    GroupAcc& g = groups_[r.group];
    if (r.batch) {
        r.outstanding--;
        if (ok) {
            r.done++;
            g.report.jobs_completed++;
        } else {
            r.failed_jobs++;
        }
        if (rec.started) r.last_end = std::max(r.last_end, d.at);
        if (r.outstanding == 0) {
            if (r.failed_jobs == 0) {
                r.finished = true;
                g.report.runs_finished++;
                g.completion.push_back((r.last_end - r.first_submit).count());
            } else {
                r.failed = true;
                g.report.runs_failed++;
            }
        }
        return {};
    }
    if (!ok) {  // the session ran out (rule S8) or the job was stopped: the run stops here
        if (!r.failed) {
            r.failed = true;
            g.report.runs_failed++;
        }
        return {};
    }
    const auto& gen = w_.session_generators[r.group];
    r.done++;
    g.report.jobs_completed++;
    g.latency.push_back((d.at - rec.submit).count());
    r.last_end = d.at;
    r.have_last = true;
    if (r.done >= gen.iterations) {
        r.finished = true;
        g.report.runs_finished++;
        g.completion.push_back((d.at - r.first_submit).count());
        if (!r.session.empty()) push(d.at, EventKind::kCloseSession, rec.run);
    } else {
        push(d.at + gen.think_time.sample(group_rng_[r.group]), EventKind::kIterate, rec.run);
    }
    return {};
}

Status Driver::loop() {
    Timestamp hard_stop = w_.drain ? limit_ + kMaxDrain : limit_;
    while (true) {
        std::optional<Timestamp> ev;
        if (!heap_.empty()) ev = heap_.top().at;
        if (w_.drain && !ev && sched_.live_jobs() == 0) break;
        std::optional<Timestamp> wake = sched_.next_wakeup();
        if (wake && (!ev || *wake <= *ev)) {
            if (*wake > hard_stop) break;
            QRT_RETURN_IF_ERROR(call(sched_.advance(*wake), "advance"));
            continue;
        }
        if (!ev || *ev > hard_stop) break;
        Event e = heap_.top();
        heap_.pop();
        QRT_RETURN_IF_ERROR(handle(e));
    }
    if (sched_.now() < limit_) QRT_RETURN_IF_ERROR(call(sched_.advance(limit_), "advance"));
    return {};
}

SimulationReport Driver::finish() {
    SimulationReport rep;
    rep.name = w_.name;
    rep.seed = seed_;
    Timestamp end = std::max(limit_, any_end_ ? last_end_ : limit_);
    if (!w_.drain) end = limit_;
    rep.horizon_s = to_seconds(w_.horizon);
    rep.end_s = to_seconds(end - kStart);
    rep.makespan_s = any_end_ ? to_seconds(last_end_ - kStart) : 0;
    rep.submitted = submitted_;
    rep.completed = completed_;
    rep.failed = failed_;
    rep.cancelled = cancelled_;
    rep.events = events_;
    for (const auto& [num, rec] : jobs_) {
        classes_[rec.cls].report.unfinished++;
        if (rec.started) {
            ++rep.running_at_end;
            if (end > rec.start) backends_[rec.backend].busy_s += to_seconds(end - rec.start);
        } else {
            ++rep.queued_at_end;
        }
    }
    for (auto& c : classes_) {
        c.report.wait = summarize(c.waits);
        rep.classes.push_back(std::move(c.report));
    }
    for (const Run& r : runs_) {
        if (r.session.empty()) continue;
        auto info = sched_.session(r.session);
        if (!info.ok()) continue;
        WorkloadReport& g = groups_[r.group].report;
        g.job_mode = g.job_mode || info->job_mode;
        g.busy_s += to_seconds(info->busy_time);
        g.idle_s += to_seconds(info->idle_time);
    }
    for (auto& g : groups_) {
        g.report.iteration_latency = summarize(g.latency);
        g.report.iteration_gap = summarize(g.gap);
        g.report.completion_time = summarize(g.completion);
        rep.workloads.push_back(std::move(g.report));
    }
    double span = to_seconds(end - kStart);
    for (auto& b : backends_) {
        b.utilization = span > 0 ? b.busy_s / span : 0;
        rep.backends.push_back(b);
    }
    double total = 0;
    for (std::size_t i = 0; i < w_.instances.size(); ++i) {
        InstanceReport ir;
        ir.name = w_.instances[i].name;
        auto u = sched_.instance_usage(ir.name);
        if (u.ok()) {
            ir.share_fraction = u->share_fraction;
            ir.totals = u->totals;
            ir.usage_s = to_seconds(u->totals.total());
        }
        ir.jobs_submitted = instance_jobs_[i];
        total += ir.usage_s;
        rep.instances.push_back(std::move(ir));
    }
    double sum = 0, sum_sq = 0;
    std::size_t n = 0;
    for (auto& ir : rep.instances) {
        ir.delivered_share = total > 0 ? ir.usage_s / total : 0;
        ir.delivered_over_allocated =
            ir.share_fraction > 0 ? ir.delivered_share / ir.share_fraction : 0;
        if (ir.jobs_submitted == 0) continue;
        sum += ir.delivered_over_allocated;
        sum_sq += ir.delivered_over_allocated * ir.delivered_over_allocated;
        ++n;
    }
    rep.jain_index = sum_sq > 0 ? sum * sum / (static_cast<double>(n) * sum_sq) : 0;
    rep.usage = sched_.usage_totals();
    return rep;
}

Result<SimulationReport> Driver::run() {
    QRT_RETURN_IF_ERROR(setup());
    QRT_RETURN_IF_ERROR(loop());
    return finish();
}

}  // namespace

Stats summarize(std::vector<std::int64_t>& samples) {
    Stats s;
    s.count = samples.size();
    if (samples.empty()) return s;
    std::sort(samples.begin(), samples.end());
    double sum = 0;
    for (std::int64_t v : samples) sum += static_cast<double>(v);
    s.mean = sum / static_cast<double>(samples.size()) / 1e6;
    auto rank = [&](double p) {
        auto k =
            static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
        k = std::clamp<std::size_t>(k, 1, samples.size());
        return static_cast<double>(samples[k - 1]) / 1e6;
    };
    s.p50 = rank(50);
    s.p90 = rank(90);
    s.p99 = rank(99);
    s.max = static_cast<double>(samples.back()) / 1e6;
    return s;
}

Result<SimulationReport> simulate(const Workload& workload, const SimulateOptions& options) {
    Driver d(workload, options.seed.value_or(workload.seed));
    return d.run();
}

}  // namespace qrt::cli
