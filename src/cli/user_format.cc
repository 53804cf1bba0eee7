#include "cli/user_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cmath>

#include "cli/status_line.h"
#include "cli/table.h"

namespace qrt::cli {

namespace json = boost::json;

namespace {

std::string join(const std::vector<std::string>& items, std::string_view sep = ",") {
    std::string out;
    for (const auto& x : items) {
        if (!out.empty()) out += sep;
        out += x;
    }
    return out;
}

json::value string_or_null(const std::string& s) {
    if (s.empty()) return nullptr;
    return json::value(s);
}

json::array string_array(const std::vector<std::string>& items) {
    json::array out;
    for (const auto& x : items) out.emplace_back(x);
    return out;
}

std::string seconds_text(double s) { return fmt::format("{:.3f}s", s); }

std::string optional_seconds(const std::optional<double>& s) {
    return s ? format_elapsed(*s) : std::string();
}

json::value optional_number(const std::optional<double>& x) {
    if (!x) return nullptr;
    return *x;
}

}  // namespace

// ---- backends

std::string backends_table(const std::vector<BackendInfo>& backends) {
    // The active session is qrt's field of GET /backends, kept only in the raw entry: a column
    // only when some backend has one.
    std::vector<std::string> active;
    bool any_active = false;
    for (const auto& b : backends) {
        active.push_back(raw_string_field(b.raw_json, {"active_session"}));
        any_active = any_active || !active.back().empty();
    }
    TableRow head = {"NAME", "QUBITS", "STATUS", "PENDING", "SIMULATOR"};
    if (any_active) head.emplace_back("ACTIVE SESSION");
    std::vector<TableRow> rows;
    for (std::size_t i = 0; i < backends.size(); ++i) {
        const BackendInfo& b = backends[i];
        rows.push_back({b.name, std::to_string(b.num_qubits), b.operational ? "online" : "paused",
                        std::to_string(b.pending_jobs), b.simulator ? "yes" : "no"});
        if (any_active) rows.back().push_back(active[i].empty() ? "-" : active[i]);
    }
    return text_table(head, rows, {Align::kLeft, Align::kRight, Align::kLeft, Align::kRight});
}

json::value backend_json(const BackendInfo& b) {
    return json::object{
        {"name", b.name},
        {"qubits", b.num_qubits},
        {"status", b.operational ? "online" : "paused"},
        {"operational", b.operational},
        {"pending_jobs", b.pending_jobs},
        {"simulator", b.simulator},
        {"status_message", b.status_message},
        {"active_session", string_or_null(raw_string_field(b.raw_json, {"active_session"}))}};
}

// ---- jobs

std::string jobs_table(const std::vector<JobInfo>& jobs) {
    std::vector<TableRow> rows;
    for (const auto& j : jobs) {
        rows.push_back({j.id, std::string(to_string(j.status)), j.program_id, j.backend,
                        j.session_id.empty() ? "-" : j.session_id, short_time(j.created),
                        join(j.tags)});
    }
    return text_table({"ID", "STATUS", "PROGRAM", "BACKEND", "SESSION", "CREATED", "TAGS"}, rows);
}

std::string job_text(const JobInfo& j, Timestamp now) {
    std::string waiting = j.waiting_reason;
    std::string rule = raw_string_field(j.raw_json, {"queue_info", "rule"});
    if (!waiting.empty() && !rule.empty()) waiting += " (rule " + rule + ")";
    std::string queue;
    if (j.status == JobStatus::kQueued) {
        queue = j.queue_position ? fmt::format("position {}", *j.queue_position)
                                 : std::string("no position (nothing would start it now)");
        if (j.estimated_start) {
            queue += ", est. start " + format_estimated_start(*j.estimated_start, now);
        }
    }
    return text_fields({{"id", j.id},
                        {"status", std::string(to_string(j.status))},
                        {"reason", j.reason},
                        {"program", j.program_id},
                        {"backend", j.backend},
                        {"session", j.session_id},
                        {"tags", join(j.tags, ", ")},
                        {"created", j.created},
                        {"started", j.started},
                        {"finished", j.finished},
                        {"usage", j.finished.empty() ? "" : seconds_text(j.usage_seconds)},
                        {"queue", queue},
                        {"waiting", waiting}});
}

json::value job_json(const JobInfo& j) {
    json::object o{{"id", j.id},
                   {"status", to_string(j.status)},
                   {"program_id", j.program_id},
                   {"backend", j.backend},
                   {"session_id", string_or_null(j.session_id)},
                   {"reason", string_or_null(j.reason)},
                   {"tags", string_array(j.tags)},
                   {"created", string_or_null(j.created)},
                   {"started", string_or_null(j.started)},
                   {"finished", string_or_null(j.finished)},
                   {"usage_seconds", j.usage_seconds}};
    if (j.queue_position) {
        o["queue_position"] = *j.queue_position;
    } else {
        o["queue_position"] = nullptr;
    }
    o["estimated_start"] = j.estimated_start ? json::value(*j.estimated_start) : nullptr;
    o["waiting_reason"] = string_or_null(j.waiting_reason);
    o["waiting_rule"] = string_or_null(raw_string_field(j.raw_json, {"queue_info", "rule"}));
    return o;
}

// ---- sessions

std::string session_text(const SessionDetails& s) {
    return text_fields({{"id", s.id},
                        {"mode", s.mode},
                        {"backend", s.backend},
                        {"state", s.state},
                        {"status", s.status},
                        {"accepting jobs", s.accepting_jobs ? "yes" : "no"},
                        {"max time", optional_seconds(s.max_time_s)},
                        {"interactive timeout", optional_seconds(s.interactive_timeout_s)},
                        {"active timeout", optional_seconds(s.active_timeout_s)},
                        {"started", s.started_at},
                        {"last job started", s.last_job_started},
                        {"closed", s.closed_at},
                        {"usage", seconds_text(s.usage_seconds)}});
}

json::value session_json(const SessionDetails& s) {
    return json::object{{"id", s.id},
                        {"mode", s.mode},
                        {"backend", s.backend},
                        {"state", s.state},
                        {"status", s.status},
                        {"accepting_jobs", s.accepting_jobs},
                        {"max_time_s", optional_number(s.max_time_s)},
                        {"interactive_timeout_s", optional_number(s.interactive_timeout_s)},
                        {"active_timeout_s", optional_number(s.active_timeout_s)},
                        {"started_at", string_or_null(s.started_at)},
                        {"last_job_started", string_or_null(s.last_job_started)},
                        {"closed_at", string_or_null(s.closed_at)},
                        {"usage_seconds", s.usage_seconds}};
}

// ---- results

namespace {

// `cells` cells of bar, in eighths: full blocks and one partial block.
std::string bar(double cells) {
    static constexpr std::array<std::string_view, 8> kEighths = {"",  "▏", "▎", "▍",
                                                                 "▌", "▋", "▊", "▉"};
    auto eighths = static_cast<std::int64_t>(std::llround(std::max(0.0, cells) * 8));
    std::string out;
    for (std::int64_t i = 0; i < eighths / 8; ++i) out += "█";
    out += kEighths[eighths % 8];
    return out;
}

}  // namespace

std::string counts_table(const std::map<std::string, std::uint64_t>& counts, std::size_t top,
                         std::size_t bar_width) {
    std::vector<std::pair<std::string, std::uint64_t>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::uint64_t shots = 0;
    for (const auto& [_, n] : sorted) shots += n;
    const std::uint64_t most = sorted.empty() ? 0 : sorted.front().second;

    std::vector<TableRow> rows;
    std::uint64_t left_shots = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        const auto& [outcome, n] = sorted[i];
        if (i >= top) {
            left_shots += n;
            continue;
        }
        double p = shots == 0 ? 0 : static_cast<double>(n) / static_cast<double>(shots);
        double cells = most == 0 ? 0
                                 : static_cast<double>(n) / static_cast<double>(most) *
                                       static_cast<double>(bar_width);
        rows.push_back({outcome, std::to_string(n), fmt::format("{:.4f}", p), bar(cells)});
    }
    std::string out = text_table({"OUTCOME", "COUNT", "PROB", ""}, rows,
                                 {Align::kLeft, Align::kRight, Align::kRight});
    if (sorted.size() > top) {
        out += fmt::format("... {} more outcomes ({} shots)\n", sorted.size() - top, left_shots);
    }
    out += fmt::format("{} outcomes, {} shots\n", sorted.size(), shots);
    return out;
}

std::string evs_table(const std::vector<std::string>& labels, const std::vector<double>& evs,
                      const std::vector<double>& stds) {
    std::vector<TableRow> rows;
    for (std::size_t i = 0; i < evs.size(); ++i) {
        rows.push_back({i < labels.size() ? labels[i] : fmt::format("#{}", i),
                        fmt::format("{:.6f}", evs[i]),
                        i < stds.size() ? fmt::format("± {:.6f}", stds[i]) : "-"});
    }
    return text_table({"OBSERVABLE", "EV", "STD"}, rows,
                      {Align::kLeft, Align::kRight, Align::kRight});
}

std::string result_text(const PrimitiveResult& result, const std::string& program_id,
                        const std::vector<std::string>& observable_labels) {
    std::string out;
    for (std::size_t p = 0; p < result.size(); ++p) {
        const PubResult& pub = result[p];
        if (result.size() > 1) out += fmt::format("{}PUB {}\n", p == 0 ? "" : "\n", p);
        if (program_id == "estimator") {
            out += evs_table(observable_labels, pub.evs(), pub.stds());
            continue;
        }
        auto registers = pub.registers();
        for (std::size_t r = 0; r < registers.size(); ++r) {
            if (registers.size() > 1) {
                out += fmt::format("{}register {}\n", r == 0 ? "" : "\n", registers[r]);
            }
            out += counts_table(pub.counts(registers[r]));
        }
    }
    return out;
}

json::value result_json(const PrimitiveResult& result, const std::string& program_id) {
    json::array pubs;
    for (const PubResult& pub : result) {
        json::object o;
        if (program_id == "estimator") {
            json::array evs, stds, shape;
            for (double x : pub.evs()) evs.emplace_back(x);
            for (double x : pub.stds()) stds.emplace_back(x);
            for (std::size_t x : pub.shape()) shape.emplace_back(x);
            o = {{"evs", evs}, {"stds", stds}, {"shape", shape}};
        } else {
            json::object counts;
            for (const auto& reg : pub.registers()) {
                json::object c;
                for (const auto& [bits, n] : pub.counts(reg)) c[bits] = n;
                counts[reg] = c;
            }
            o = {{"counts", counts}};
        }
        pubs.emplace_back(o);
    }
    return json::object{{"program_id", program_id}, {"pubs", pubs}};
}

}  // namespace qrt::cli
