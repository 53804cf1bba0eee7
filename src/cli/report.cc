#include "cli/report.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>

#include "base/duration.h"

namespace qrt::cli {

namespace json = boost::json;

namespace {

json::object stats_json(const Stats& s) {
    json::object o;
    o["count"] = s.count;
    o["mean"] = s.mean;
    o["p50"] = s.p50;
    o["p90"] = s.p90;
    o["p99"] = s.p99;
    o["max"] = s.max;
    return o;
}

json::object usage_json(const sched::UsageTotals& u) {
    json::object o;
    o["job_mode"] = to_seconds(u.job_mode);
    o["session"] = to_seconds(u.session);
    o["session_idle"] = to_seconds(u.session_idle);
    o["batch"] = to_seconds(u.batch);
    o["reserved"] = to_seconds(u.reserved);
    o["total"] = to_seconds(u.total());
    return o;
}

std::string number(double v) {
    if (!std::isfinite(v)) return "null";
    std::string s = fmt::format("{:.6f}", v);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (s == "-0") return std::string("0");
    return s;
}

void pretty(const json::value& v, std::string& out, int indent) {
    std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
    std::string inner(static_cast<std::size_t>(indent + 1) * 2, ' ');
    switch (v.kind()) {
        case json::kind::object: {
            const auto& o = v.get_object();
            if (o.empty()) {
                out += "{}";
                return;
            }
            out += "{\n";
            bool first = true;
            for (const auto& kv : o) {
                if (!first) out += ",\n";
                first = false;
                out += inner;
                out += json::serialize(json::value(kv.key()));
                out += ": ";
                pretty(kv.value(), out, indent + 1);
            }
            out += "\n" + pad + "}";
            return;
        }
        case json::kind::array: {
            const auto& a = v.get_array();
            if (a.empty()) {
                out += "[]";
                return;
            }
            out += "[\n";
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (i > 0) out += ",\n";
                out += inner;
                pretty(a[i], out, indent + 1);
            }
            out += "\n" + pad + "]";
            return;
        }
        case json::kind::double_:
            out += number(v.get_double());
            return;
        default:
            out += json::serialize(v);
            return;
    }
}

// Seconds as a short human duration: "12.5s", "3m 20s", "2d 4h".
std::string human(double seconds) {
    if (seconds < 60) return fmt::format("{:.1f}s", seconds);
    return format_duration(seconds_d(std::round(seconds)));
}

}  // namespace

json::value report_to_json(const SimulationReport& r) {
    json::object o;
    if (!r.name.empty()) o["name"] = r.name;
    o["seed"] = r.seed;
    o["horizon_s"] = r.horizon_s;
    o["end_s"] = r.end_s;
    o["makespan_s"] = r.makespan_s;
    json::object jobs;
    jobs["submitted"] = r.submitted;
    jobs["completed"] = r.completed;
    jobs["failed"] = r.failed;
    jobs["cancelled"] = r.cancelled;
    jobs["queued_at_end"] = r.queued_at_end;
    jobs["running_at_end"] = r.running_at_end;
    o["jobs"] = std::move(jobs);
    json::object classes;
    for (const auto& c : r.classes) {
        json::object co;
        co["submitted"] = c.submitted;
        co["started"] = c.started;
        co["completed"] = c.completed;
        co["failed"] = c.failed;
        co["cancelled"] = c.cancelled;
        co["unfinished"] = c.unfinished;
        co["wait_s"] = stats_json(c.wait);
        classes[c.name] = std::move(co);
    }
    o["classes"] = std::move(classes);
    json::object workloads;
    for (const auto& g : r.workloads) {
        json::object go;
        go["kind"] = g.kind;
        go["mode"] = g.mode;
        go["job_mode"] = g.job_mode;
        go["runs"] = g.runs;
        go["runs_finished"] = g.runs_finished;
        go["runs_failed"] = g.runs_failed;
        go["jobs_planned"] = g.jobs_planned;
        go["jobs_completed"] = g.jobs_completed;
        if (g.kind == "session") {
            go["iteration_latency_s"] = stats_json(g.iteration_latency);
            go["iteration_gap_s"] = stats_json(g.iteration_gap);
        }
        go["completion_time_s"] = stats_json(g.completion_time);
        go["session_busy_s"] = g.busy_s;
        go["session_idle_s"] = g.idle_s;
        workloads[g.name] = std::move(go);
    }
    o["workloads"] = std::move(workloads);
    json::object backends;
    for (const auto& b : r.backends) {
        json::object bo;
        bo["jobs_started"] = b.jobs_started;
        bo["busy_s"] = b.busy_s;
        bo["utilization"] = b.utilization;
        backends[b.name] = std::move(bo);
    }
    o["backends"] = std::move(backends);
    json::object instances;
    for (const auto& i : r.instances) {
        json::object io;
        io["share_fraction"] = i.share_fraction;
        io["jobs_submitted"] = i.jobs_submitted;
        io["usage_s"] = i.usage_s;
        io["delivered_share"] = i.delivered_share;
        io["delivered_over_allocated"] = i.delivered_over_allocated;
        io["usage_by_mode_s"] = usage_json(i.totals);
        instances[i.name] = std::move(io);
    }
    o["instances"] = std::move(instances);
    o["jain_index"] = r.jain_index;
    o["usage_s"] = usage_json(r.usage);
    o["events"] = r.events;
    return o;
}

std::string format_json(const SimulationReport& r) {
    std::string out;
    pretty(report_to_json(r), out, 0);
    out += "\n";
    return out;
}

std::string format_table(const SimulationReport& r) {
    std::string out;
    auto line = [&](const std::string& s) {
        out += s;
        out += "\n";
    };
    line(fmt::format("simulation{}  seed {}  horizon {}  end {}  makespan {}",
                     r.name.empty() ? "" : " '" + r.name + "'", r.seed, human(r.horizon_s),
                     human(r.end_s), human(r.makespan_s)));
    line(fmt::format(
        "jobs: {} submitted, {} completed, {} failed, {} cancelled, {} queued and {} "
        "running at the end",
        r.submitted, r.completed, r.failed, r.cancelled, r.queued_at_end, r.running_at_end));
    line("");
    line(fmt::format("{:<24} {:>9} {:>9} {:>10} {:>10} {:>10} {:>10} {:>10}", "wait (s) by class",
                     "submitted", "started", "mean", "p50", "p90", "p99", "max"));
    for (const auto& c : r.classes) {
        line(fmt::format("{:<24} {:>9} {:>9} {:>10.2f} {:>10.2f} {:>10.2f} {:>10.2f} {:>10.2f}",
                         c.name, c.submitted, c.started, c.wait.mean, c.wait.p50, c.wait.p90,
                         c.wait.p99, c.wait.max));
    }
    if (!r.workloads.empty()) {
        line("");
        line(
            fmt::format("{:<24} {:<10} {:>5} {:>5} {:>6} {:>10} {:>11} {:>11} {:>11} {:>11} "
                        "{:>10} {:>10}",
                        "sessions and batches", "mode", "runs", "done", "failed", "jobs done",
                        "latency avg", "latency p90", "gap avg", "completion", "busy", "idle"));
        for (const auto& g : r.workloads) {
            std::string mode = g.mode + (g.job_mode ? "*" : "");
            bool session = g.kind == "session";
            auto cell = [&](const Stats& st, double v) {
                return session && st.count > 0 ? fmt::format("{:.2f}", v) : std::string("-");
            };
            line(
                fmt::format("{:<24} {:<10} {:>5} {:>5} {:>6} {:>10} {:>11} {:>11} {:>11} {:>11} "
                            "{:>10} {:>10}",
                            g.name, mode, g.runs, g.runs_finished, g.runs_failed,
                            fmt::format("{}/{}", g.jobs_completed, g.jobs_planned),
                            cell(g.iteration_latency, g.iteration_latency.mean),
                            cell(g.iteration_latency, g.iteration_latency.p90),
                            cell(g.iteration_gap, g.iteration_gap.mean),
                            g.completion_time.count > 0 ? human(g.completion_time.mean) : "-",
                            human(g.busy_s), human(g.idle_s)));
        }
        bool any_job_mode = false;
        for (const auto& g : r.workloads) any_job_mode = any_job_mode || g.job_mode;
        if (any_job_mode) line("  * the scheduler ran these sessions in job mode (open plan, S15)");
        line("  latency: submission to completion of each iteration (s); gap: one iteration's");
        line("  completion to the next one's start (s); completion: mean time per finished run");
    }
    line("");
    line(fmt::format("{:<24} {:>12} {:>18} {:>12}", "backend", "jobs started", "busy",
                     "utilization"));
    for (const auto& b : r.backends) {
        line(fmt::format("{:<24} {:>12} {:>18} {:>11.1f}%", b.name, b.jobs_started, human(b.busy_s),
                         b.utilization * 100));
    }
    line("");
    line(fmt::format("{:<24} {:>9} {:>10} {:>10} {:>12} {:>18}", "instance", "jobs", "allocated",
                     "delivered", "deliv/alloc", "usage"));
    constexpr std::size_t kMaxInstanceRows = 40;
    for (std::size_t k = 0; k < r.instances.size(); ++k) {
        if (k == kMaxInstanceRows) {
            line(fmt::format("... {} more instances (see --format json)",
                             r.instances.size() - kMaxInstanceRows));
            break;
        }
        const auto& i = r.instances[k];
        line(fmt::format("{:<24} {:>9} {:>9.2f}% {:>9.2f}% {:>12.3f} {:>18}", i.name,
                         i.jobs_submitted, i.share_fraction * 100, i.delivered_share * 100,
                         i.delivered_over_allocated, human(i.usage_s)));
    }
    line(fmt::format("Jain's fairness index (delivered/allocated, instances with jobs): {:.4f}",
                     r.jain_index));
    line("");
    line(fmt::format("usage by mode: job mode {}, session {} (idle {}), batch {}, reserved {}",
                     human(to_seconds(r.usage.job_mode)), human(to_seconds(r.usage.session)),
                     human(to_seconds(r.usage.session_idle)), human(to_seconds(r.usage.batch)),
                     human(to_seconds(r.usage.reserved))));
    return out;
}

}  // namespace qrt::cli
