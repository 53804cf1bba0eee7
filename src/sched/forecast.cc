// rule V1 / V2: queue positions, start-time estimates and "why is my job not running".
//
// The forecast replays a copy of the scheduler forward: the same pick, the same timers (an
// active session's idle hold, max_ttl, reservations, hard-limit releases), each job taking its
// duration estimate and no new job arriving. There is no second model of the rules.
#include <algorithm>
#include <queue>

#include <fmt/format.h>

#include "sched/scheduler.h"

namespace qrt::sched {

std::unordered_map<std::string, JobOutlook> Scheduler::forecast() const {
    std::unordered_map<std::string, JobOutlook> out;
    for (const Job& j : jobs_) {
        if (j.state != JobState::kQueued || j.id.empty()) continue;
        JobOutlook o;
        o.job = j.id;
        out.emplace(j.id, std::move(o));
    }
    if (out.empty()) return out;

    Scheduler sim = *this;
    sim.out_.clear();
    sim.settings_.retain_final_jobs = false;
    using Finish = std::pair<Timestamp, std::string>;
    std::priority_queue<Finish, std::vector<Finish>, std::greater<>> finishes;
    auto run_time = [&](const Job& j) { return std::min(j.estimate, j.limit); };
    for (const Backend& be : sim.backends_) {
        if (be.running == kNone) continue;
        const Job& j = sim.jobs_[be.running];
        finishes.emplace(std::max(now_, *j.started + run_time(j)), j.id);
    }
    std::vector<int> starts(backends_.size(), 0);
    const Timestamp horizon = now_ + settings_.forecast_horizon;
    std::size_t remaining = out.size();
    // Every step starts or ends a job or fires a timer; the bound only guards against a bug.
    std::size_t budget = 8 * (jobs_.size() + timers_.size()) + 100000;
    while (remaining > 0 && budget-- > 0) {
        std::optional<Timestamp> wake = sim.next_wakeup();
        Timestamp t;
        bool finish = false;
        if (!finishes.empty() && (!wake || finishes.top().first <= *wake)) {
            t = finishes.top().first;
            finish = true;
        } else if (wake) {
            t = *wake;
        } else {
            break;
        }
        if (t > horizon) break;
        if (finish) {
            std::string id = finishes.top().second;
            finishes.pop();
            auto it = sim.job_ids_.find(id);
            if (it == sim.job_ids_.end() || sim.jobs_[it->second].state != JobState::kRunning) {
                continue;
            }
            bool stopped = sim.jobs_[it->second].stop_requested;
            (void)sim.job_finished(t, id, stopped ? JobOutcome::kStopped : JobOutcome::kCompleted);
        } else {
            (void)sim.advance(t);
        }
        for (const Decision& d : sim.take_decisions()) {
            if (d.kind == DecisionKind::kStartJob) {
                const Job& j = sim.jobs_[sim.job_ids_.at(d.job)];
                finishes.emplace(d.at + run_time(j), d.job);
                auto it = out.find(d.job);
                if (it != out.end()) {
                    it->second.estimated_start = d.at;
                    it->second.position = ++starts[sim.backend_ids_.at(d.backend)];
                    --remaining;
                }
            } else if (d.kind == DecisionKind::kStopJob) {
                finishes.emplace(d.at, d.job);
            } else if (d.kind == DecisionKind::kEndJob) {
                auto it = out.find(d.job);
                if (it != out.end() && !it->second.estimated_start) {
                    it->second.state = d.job_state;  // it would end without running (S8)
                    it->second.reason = d.message;
                    --remaining;
                }
            }
        }
    }
    return out;
}

Result<JobOutlook> Scheduler::explain(const std::string& id) const {
    auto it = job_ids_.find(id);
    if (it == job_ids_.end()) return not_found(fmt::format("no job '{}'", id));
    const Job& j = jobs_[it->second];
    JobOutlook o;
    o.job = id;
    o.state = j.state;
    if (j.state != JobState::kQueued) {
        o.reason = fmt::format("the job is {}", to_string(j.state));
        return o;
    }
    auto fc = forecast();
    const JobOutlook& f = fc.at(id);
    o.position = f.position;
    o.estimated_start = f.estimated_start;

    const Backend& be = backends_[j.backend];
    auto eta = [&] {
        return o.estimated_start ? fmt::format("; estimated start {}", format_iso8601(*o.estimated_start))
                                 : std::string("; no start is foreseen within the forecast horizon");
    };
    auto running = [&] {
        return be.running == kNone ? std::string()
                                   : fmt::format("; job '{}' is running now", jobs_[be.running].id);
    };
    std::uint32_t reserved = reserved_for(be);
    if (be.paused) {
        o.rule = "K2";
        o.reason = fmt::format("backend '{}' is paused; queued jobs wait until it resumes",
                               be.name);
    } else if (reserved != kNone && reserved != j.instance) {
        o.rule = "R1";
        o.reason = fmt::format("backend '{}' is reserved for instance '{}' until {}", be.name,
                               instances_[reserved].spec.name,
                               format_iso8601(be.reservations[be.open_reservation].end));
    } else if (be.active != kNone && be.active != j.session && holds_exclusively(be)) {
        const Session& s = sessions_[be.active];
        o.rule = "S4";
        o.reason = fmt::format(
            "session '{}' of instance '{}' holds backend '{}' exclusively; it lets go when no job "
            "of it is queued for {} after one finishes, and at {} at the latest (max_ttl)",
            s.info.id, s.info.instance, be.name, fmt::format("{:g} s", to_seconds(s.info.interactive_ttl)),
            format_iso8601(*s.info.started_at + s.info.max_ttl));
    } else if (be.active != kNone && be.active != j.session && !sessions_[be.active].queue.empty()) {
        const Session& s = sessions_[be.active];
        o.rule = "P3";
        o.reason = fmt::format("the active {} '{}' has {} queued jobs that run first",
                               to_string(s.info.mode), s.info.id, s.queue.size());
    } else if (j.system) {
        o.rule = "P1";
        o.reason = fmt::format("system job, first in line once the backend is free{}", running());
    } else if (j.session != kNone && be.active == j.session) {
        const Session& s = sessions_[j.session];
        auto pos = std::distance(s.queue.begin(),
                                 s.queue.find({s.info.mode == SessionMode::kBatch ? j.estimate.count() : 0,
                                               j.seq, it->second}));
        o.rule = "P3";
        o.reason = fmt::format("session '{}' is active; {} of its jobs run before this one{}",
                               s.info.id, pos, running());
    } else if (instances_[j.instance].at_limit && reserved == kNone) {
        const Instance& in = instances_[j.instance];
        o.rule = "F5";
        o.reason = fmt::format(
            "instance '{}' is at its hard limit ({:.0f} s used of {:.0f} s); its jobs stay queued "
            "until its usage falls{}",
            in.spec.name, ledger_.usage(in.account, now_), to_seconds(*in.spec.hard_limit),
            in.limit_timer ? fmt::format(", at {}", format_iso8601(in.limit_timer->at))
                           : std::string());
    } else if (!be.system_queue.empty()) {
        o.rule = "P1";
        o.reason = fmt::format("{} system (calibration) jobs run first", be.system_queue.size());
    } else {
        o.rule = "P4";
        const InstanceQueue& q = be.queues.at(j.instance);
        auto rank = std::distance(be.instance_order.begin(), be.instance_order.find(q.key)) + 1;
        std::string lead;
        if (!be.instance_order.empty()) {
            std::uint32_t first = std::get<2>(*be.instance_order.begin());
            if (first != j.instance) {
                lead = fmt::format("; instance '{}' has used less of its share and goes first",
                                   instances_[first].spec.name);
            }
        }
        std::string session_note;
        if (j.session != kNone) {
            session_note = fmt::format(" (its session '{}' is {}; its next job waits in the "
                                       "fair-share queue like any other, rule S6)",
                                       sessions_[j.session].info.id,
                                       to_string(sessions_[j.session].info.state));
        }
        o.reason = fmt::format("fair share: instance '{}' is {} of {} instances waiting on '{}'{}{}{}",
                               instances_[j.instance].spec.name, rank, be.instance_order.size(),
                               be.name, lead, running(), session_note);
    }
    o.reason += eta();
    return o;
}

}  // namespace qrt::sched
