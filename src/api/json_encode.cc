#include "api/json_encode.h"

#include <algorithm>
#include <cmath>

namespace qrt::api {
namespace {

// Seconds as an integer when they are whole (TTLs: the client sends and shows ints).
void write_seconds(JsonWriter& w, double s) {
    const double r = std::round(s);
    if (std::isfinite(s) && std::abs(s - r) < 1e-9 && std::abs(r) < 9e15) {
        w.integer(static_cast<std::int64_t>(r));
    } else {
        w.number(s);
    }
}

}  // namespace

void write_job(JsonWriter& w, const store::JobRecord& job, bool with_params,
               const runtime::JobView* view) {
    w.begin_object();
    w.key("id").string(job.id);
    w.key("backend").string(job.backend);
    w.key("program").begin_object().key("id").string(job.program_id).end_object();
    w.key("state").begin_object();
    w.key("status").string(job.status);
    w.key("reason").string_or_null(job.reason);
    if (job.reason_code != 0) {
        w.key("reason_code").integer(job.reason_code);
    } else {
        w.key("reason_code").null();
    }
    w.end_object();
    w.key("status").string(job.status);
    w.key("created").time(job.created);
    w.key("started").time_or_null(job.started);
    w.key("finished").time_or_null(job.finished);
    w.key("session_id").string_or_null(job.session_id);
    w.key("tags").begin_array();
    for (const std::string& tag : job.tags) w.string(tag);
    w.end_array();
    w.key("runtime").string("");
    w.key("private").boolean(job.is_private);
    w.key("cost");
    if (job.max_execution_time_s) {
        write_seconds(w, *job.max_execution_time_s);
    } else {
        w.null();
    }
    w.key("estimated_running_time_seconds").number(job.estimated_running_time_s);
    w.key("user_id").string(job.user_id);
    w.key("instance").string(job.instance);
    w.key("log_level").string(job.log_level);
    w.key("usage").begin_object();
    w.key("quantum_seconds").number(job.usage_s);
    w.key("seconds").number(job.usage_s);
    w.end_object();
    if (view != nullptr && job.status == "Queued") {
        w.key("queue_info").begin_object();
        w.key("position");
        if (view->queue_position && *view->queue_position > 0) {
            w.integer(*view->queue_position);
        } else {
            w.null();
        }
        w.key("estimated_start").time_or_null(view->estimated_start);
        w.key("rule").string_or_null(view->waiting_rule);
        w.key("reason").string_or_null(view->waiting_reason);
        w.end_object();
    }
    if (with_params && !job.params_json.empty()) w.key("params").raw(job.params_json);
    w.end_object();
}

std::string job_json(const runtime::JobView& view, bool with_params) {
    JsonWriter w(with_params ? 768 + view.record.params_json.size() : 768);
    write_job(w, view.record, with_params, &view);
    return std::move(w).str();
}

std::string job_list_json(const store::JobPage& page, std::size_t limit, std::size_t offset) {
    JsonWriter w(256 + 640 * page.jobs.size());
    w.begin_object();
    w.key("jobs").begin_array();
    for (const store::JobRecord& job : page.jobs) write_job(w, job, false);
    w.end_array();
    const std::size_t count = std::max(page.count, offset + page.jobs.size());
    w.key("count").integer(static_cast<std::int64_t>(count));
    w.key("limit").integer(static_cast<std::int64_t>(limit));
    w.key("offset").integer(static_cast<std::int64_t>(offset));
    w.end_object();
    return std::move(w).str();
}

std::string session_json(const runtime::SessionView& view) {
    const store::SessionRecord& s = view.record;
    JsonWriter w(768);
    w.begin_object();
    w.key("id").string(s.id);
    w.key("backend_name").string(s.backend);
    w.key("mode").string(s.mode);
    w.key("state").string(s.state);
    w.key("accepting_jobs").boolean(s.accepting_jobs);
    w.key("interactive_ttl");
    write_seconds(w, s.interactive_ttl_s);
    w.key("max_ttl");
    write_seconds(w, s.max_ttl_s);
    w.key("active_ttl");
    if (view.active_ttl_s) {
        write_seconds(w, std::max(0.0, std::floor(*view.active_ttl_s)));
    } else {
        w.null();
    }
    w.key("created_at").time(s.created);
    w.key("started_at").time_or_null(s.started_at);
    w.key("activated_at").time_or_null(s.activated_at);
    w.key("closed_at").time_or_null(s.closed_at);
    w.key("last_job_started").time_or_null(s.last_job_started);
    w.key("last_job_completed").time_or_null(s.last_job_completed);
    w.key("elapsed_time").number(view.elapsed_s);
    w.key("instance").string(s.instance);
    w.key("user_id").string(s.user_id);
    // qrt extensions: why it closed, what it holds, and the busy/idle split (rule S14).
    w.key("close_reason").string_or_null(s.close_reason);
    w.key("queued_jobs").integer(view.queued_jobs);
    w.key("job_running").boolean(view.job_running);
    w.key("usage").begin_object();
    w.key("busy_seconds").number(s.busy_s);
    w.key("idle_seconds").number(s.idle_s);
    w.key("total_seconds").number(s.busy_s + s.idle_s);
    w.end_object();
    w.end_object();
    return std::move(w).str();
}

void write_backend_device(JsonWriter& w, const runtime::BackendView& b) {
    w.begin_object();
    w.key("name").string(b.name);
    w.key("status").begin_object();
    w.key("name").string(b.paused ? "paused" : "online");
    w.key("reason").string(b.paused ? "paused by an administrator" : "available");
    w.end_object();
    w.key("qubits").integer(b.num_qubits);
    w.key("physical_qubits").integer(b.num_qubits);
    w.key("queue_length").integer(b.queue_length);
    w.key("simulator").boolean(b.simulator);
    w.key("backend_version").string(b.backend_version);
    w.key("running_job").string_or_null(b.running_job);
    w.key("active_session").string_or_null(b.active_session);
    w.key("next_calibration").time_or_null(b.next_calibration);
    w.end_object();
}

std::string backends_json(const std::vector<runtime::BackendView>& backends, bool names_only) {
    JsonWriter w(128 + 320 * backends.size());
    w.begin_object();
    w.key("devices").begin_array();
    for (const runtime::BackendView& b : backends) {
        if (names_only) {
            w.string(b.name);
        } else {
            write_backend_device(w, b);
        }
    }
    w.end_array();
    w.end_object();
    return std::move(w).str();
}

std::string backend_status_json(const runtime::BackendView& b) {
    JsonWriter w(192);
    w.begin_object();
    w.key("backend_name").string(b.name);
    w.key("state").boolean(!b.paused);
    w.key("status").string(b.paused ? "paused" : "active");
    w.key("message").string(b.paused ? "paused by an administrator" : "available");
    w.key("length_queue").integer(b.queue_length);
    w.key("backend_version").string(b.backend_version);
    w.end_object();
    return std::move(w).str();
}

std::string usage_json(const runtime::InstanceUsageView& u) {
    JsonWriter w(384);
    w.begin_object();
    w.key("instance_id").string(u.instance);
    w.key("plan_id").string(u.plan);
    w.key("usage_consumed_seconds").number(u.consumed_s);
    // Absent, not null, when there is no limit: the client computes the remaining time only
    // when this key holds a number.
    if (u.limit_s) {
        w.key("usage_limit_seconds").number(*u.limit_s);
        w.key("usage_remaining_seconds").number(std::max(0.0, *u.limit_s - u.consumed_s));
    }
    w.key("usage_limit_reached").boolean(u.at_limit);
    w.key("pending_jobs").integer(u.pending_jobs);
    w.key("fair_share").begin_object();
    w.key("share_fraction").number(u.share_fraction);
    w.key("window_usage_seconds").number(u.window_usage_s);
    w.key("ideal_seconds").number(u.ideal_s);
    w.key("ratio").number(u.ratio);
    w.end_object();
    w.end_object();
    return std::move(w).str();
}

void write_user(JsonWriter& w, const store::UserRecord& user,
                const std::vector<std::string>* instances) {
    w.begin_object();
    w.key("id").string(user.id);
    w.key("name").string(user.name);
    w.key("admin").boolean(user.admin);
    w.key("created").time(user.created);
    if (instances != nullptr) {
        w.key("instances").begin_array();
        for (const std::string& crn : *instances) w.string(crn);
        w.end_array();
    }
    w.end_object();
}

void write_instance(JsonWriter& w, const store::InstanceRecord& i) {
    w.begin_object();
    w.key("crn").string(i.crn);
    w.key("name").string(i.name);
    w.key("plan").string(i.plan);
    w.key("share").number(i.share);
    w.key("hard_limit_s").number_or_null(i.hard_limit_s);
    w.key("interactive_ttl_s").number_or_null(i.interactive_ttl_s);
    w.key("created").time(i.created);
    w.end_object();
}

std::string new_key_json(const runtime::NewKey& key) {
    JsonWriter w(256);
    w.begin_object();
    w.key("id").string(key.record.id);
    w.key("user_id").string(key.record.user_id);
    w.key("label").string(key.record.label);
    w.key("created").time(key.record.created);
    w.key("api_key").string(key.secret);
    w.end_object();
    return std::move(w).str();
}

}  // namespace qrt::api
