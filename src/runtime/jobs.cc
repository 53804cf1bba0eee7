// Jobs: submit (validated, durable before the answer), read, list, cancel (rule J4), delete,
// tags (rule J6), results, logs, metrics, wait.
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>

#include "base/log.h"
#include "runtime/runtime_impl.h"

namespace qrt::runtime {

using namespace detail;

namespace {

constexpr std::size_t kMaxTags = 64;
constexpr std::size_t kMaxTagBytes = 256;

Status check_tags(const std::vector<std::string>& tags) {
    if (tags.size() > kMaxTags) {
        return invalid_argument(
            fmt::format("tags: at most {} tags per job, got {}", kMaxTags, tags.size()));
    }
    for (std::size_t i = 0; i < tags.size(); ++i) {
        if (tags[i].empty()) return invalid_argument(fmt::format("tags[{}]: empty tag", i));
        if (tags[i].size() > kMaxTagBytes) {
            return invalid_argument(fmt::format("tags[{}]: longer than {} bytes", i, kMaxTagBytes));
        }
    }
    return {};
}

Result<std::string> check_log_level(const std::string& level) {
    if (level.empty()) return std::string("WARNING");
    std::string up;
    for (char c : level)
        up.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    for (const char* known : {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}) {
        if (up == known) return up;
    }
    return invalid_argument(fmt::format(
        "log_level: expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got {}", json_string(level)));
}

bool is_final_status(const std::string& s) {
    return s == "Completed" || s == "Failed" || s == "Cancelled";
}

boost::json::value iso_or_null(const std::optional<Timestamp>& t) {
    if (!t) return nullptr;
    return boost::json::value(format_iso8601(*t));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// shared helpers

bool RuntimeImpl::visible(const Caller& caller, const std::string& instance, bool system) const {
    if (caller.admin) return true;
    if (system) return false;
    return std::find(caller.instances.begin(), caller.instances.end(), instance) !=
           caller.instances.end();
}

Result<store::JobRecord> RuntimeImpl::visible_job(const Caller& caller, const std::string& id,
                                                  bool with_params) const {
    auto rec = store_->get_job(id, with_params);
    if (!rec.ok() && rec.status().code() != ErrorCode::kNotFound) return rec.status();
    if (!rec.ok() || !visible(caller, rec->instance, rec->system)) {
        return not_found(fmt::format("job '{}' not found", id));  // the same answer either way
    }
    return rec;
}

backends::Backend* RuntimeImpl::find_backend(const std::string& name) const {
    for (const auto& b : backends_) {
        if (b->name() == name) return b.get();
    }
    return nullptr;
}

Status RuntimeImpl::require_admin(const Caller& caller) const {
    if (!caller.admin) {
        return Status{ErrorCode::kPermissionDenied,
                      fmt::format("user '{}' is not an administrator", caller.user_name)};
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// submit

Result<JobView> RuntimeImpl::submit_job(const Caller& caller, const SubmitRequest& request) {
    if (caller.instance.empty()) {
        return Status{ErrorCode::kPermissionDenied, "the request names no instance"};
    }
    if (request.program_id == "calibrate") {
        return invalid_argument("program_id: \"calibrate\" jobs are run by the service itself");
    }
    if (request.params_json.size() > config_.max_params_bytes) {
        return Status{ErrorCode::kResourceExhausted,
                      fmt::format("params: {} bytes is over the limit of {} bytes",
                                  request.params_json.size(), config_.max_params_bytes)};
    }
    QRT_RETURN_IF_ERROR(check_tags(request.tags));
    auto level = check_log_level(request.log_level);
    if (!level.ok()) return level.status();
    if (request.max_execution_time_s &&
        (!std::isfinite(*request.max_execution_time_s) || *request.max_execution_time_s <= 0)) {
        return invalid_argument("cost: max_execution_time must be a positive number of seconds");
    }

    std::string backend_name = request.backend;
    {
        Lock lk(mu_);
        QRT_RETURN_IF_ERROR(require_running());
        if (!request.session_id.empty()) {
            auto s = visible_live_session(caller, request.session_id);
            if (!s.ok()) {
                lk.unlock();
                auto rec = store_->get_session(request.session_id);
                if (rec.ok() && visible(caller, rec->instance, false)) {  // closed before a restart
                    return failed_precondition(fmt::format(
                        "session '{}' is closed; it accepts no new jobs", request.session_id));
                }
                return s.status();
            }
            if (s->instance != caller.instance) {
                return Status{ErrorCode::kPermissionDenied,
                              fmt::format("session '{}' belongs to instance '{}', not to '{}'",
                                          s->id, s->instance, caller.instance)};
            }
            if (backend_name.empty()) backend_name = s->backend;
            if (s->backend != backend_name) {
                return invalid_argument(fmt::format("session '{}' runs on backend '{}', not '{}'",
                                                    s->id, s->backend, backend_name));
            }
            // rule S11
            if (s->state == sched::SessionState::kClosed) {
                return failed_precondition(
                    fmt::format("session '{}' is closed; it accepts no new jobs", s->id));
            }
            if (!s->accepting_jobs) {
                return failed_precondition(fmt::format(
                    "session '{}' is not accepting new jobs (it was closed and is draining)",
                    s->id));
            }
        }
        auto pending = pending_by_user_.find(caller.user_id);
        if (pending != pending_by_user_.end() &&
            static_cast<std::size_t>(pending->second) >= config_.max_pending_jobs_per_user) {
            return Status{ErrorCode::kResourceExhausted,
                          fmt::format("user '{}' already has {} pending jobs, the most allowed",
                                      caller.user_name, pending->second)};
        }
    }
    if (backend_name.empty()) return invalid_argument("backend: a backend name is required");
    backends::Backend* be = find_backend(backend_name);
    if (be == nullptr) return not_found(fmt::format("backend '{}' not found", backend_name));

    // Decoding and the ISA check can take a while: outside every lock.
    auto decoded = be->validate(request.program_id, request.params_json);
    if (!decoded.ok()) return decoded.status();
    Duration estimate = be->estimate(*decoded);

    store::JobRecord rec;
    rec.id = ids_.next("job_");
    rec.user_id = caller.user_id;
    rec.instance = caller.instance;
    rec.backend = backend_name;
    rec.program_id = request.program_id;
    rec.params_json = request.params_json;
    rec.session_id = request.session_id;
    rec.tags = request.tags;
    rec.status = "Queued";
    rec.created = clock_.now();
    rec.max_execution_time_s = request.max_execution_time_s;
    rec.is_private = request.is_private;
    rec.log_level = *level;
    rec.estimated_running_time_s = to_seconds(estimate);
    // Durable before anyone hears of it (concurrent submissions share one commit).
    QRT_RETURN_IF_ERROR(store_->insert_job(rec));

    sched::JobSpec spec;
    spec.id = rec.id;
    spec.backend = rec.backend;
    spec.instance = rec.instance;
    spec.user = rec.user_id;
    spec.session = rec.session_id;
    spec.estimated_duration = estimate;
    if (rec.max_execution_time_s) spec.max_execution_time = seconds_d(*rec.max_execution_time_s);

    std::string params = std::move(rec.params_json);
    JobView view;
    view.record = rec;  // without params: the caller has them
    if (params.size() <= kParamsKeptInMemory) rec.params_json = std::move(params);

    Lock lk(mu_);
    Status s = require_running();
    if (s.ok()) {
        add_live(std::move(rec));
        s = sched_.submit_job(now_locked(), spec);
        if (!s.ok()) erase_live(spec.id);
    }
    Writes w;
    apply_events(w);
    if (!s.ok()) {
        // Refused after all (the session closed meanwhile): it was never acknowledged.
        w.add("job:" + spec.id, [this, id = spec.id] { return store_->delete_job(id); });
        (void)flush(lk, std::move(w));
        return s;
    }
    count_transition(view.record.backend, "Queued");
    QRT_RETURN_IF_ERROR(flush(lk, std::move(w)));
    QRT_LOG_INFO_F(LogFields()
                       .for_job(view.record.id)
                       .for_session(view.record.session_id)
                       .for_instance(view.record.instance)
                       .for_backend(view.record.backend)
                       .for_user(view.record.user_id),
                   "job {} queued on {} ({})", view.record.id, view.record.backend,
                   view.record.program_id);
    return view;
}

// ---------------------------------------------------------------------------------------------
// read

Result<JobView> RuntimeImpl::get_job(const Caller& caller, const std::string& id,
                                     bool with_params) const {
    auto rec = visible_job(caller, id, with_params);
    if (!rec.ok()) return rec.status();
    JobView view;
    view.record = std::move(rec).value();
    if (is_final_status(view.record.status)) return view;
    Lock lk(mu_);
    auto live = live_.find(id);
    if (live != live_.end()) {
        // The store may lag the scheduler by one write: show the state as it is now.
        const store::JobRecord& now = live->second.record;
        view.record.status = now.status;
        view.record.started = now.started;
        view.record.attempts = now.attempts;
        view.record.tags = now.tags;
    }
    if (view.record.status == "Queued") {  // rules V1, V2
        auto o = sched_.explain(id);
        if (o.ok() && o->state == sched::JobState::kQueued) {
            if (o->position > 0) view.queue_position = o->position;
            view.estimated_start = o->estimated_start;
            view.waiting_rule = o->rule;
            view.waiting_reason = o->reason;
        }
    }
    return view;
}

Result<store::JobPage> RuntimeImpl::list_jobs(const Caller& caller, store::JobFilter filter) const {
    if (filter.instances.empty()) {
        if (caller.instance.empty()) {
            return Status{ErrorCode::kPermissionDenied, "the request names no instance"};
        }
        filter.instances = {caller.instance};
    } else if (!caller.admin) {
        for (const auto& in : filter.instances) {
            if (!visible(caller, in, false)) {
                return Status{
                    ErrorCode::kPermissionDenied,
                    fmt::format("user '{}' may not use instance '{}'", caller.user_name, in)};
            }
        }
    }
    if (!caller.admin) filter.include_system = false;
    return store_->list_jobs(filter);
}

Result<std::string> RuntimeImpl::job_results(const Caller& caller, const std::string& id) const {
    auto rec = visible_job(caller, id, /*with_params=*/true);  // the payload holds the result
    if (!rec.ok()) return rec.status();
    const store::JobRecord& r = *rec;
    if (r.status == "Completed") return r.result_json.empty() ? std::string("{}") : r.result_json;
    if (r.status == "Failed") {
        return json_string(r.reason.empty() ? std::string("Job failed")
                                            : fmt::format("Job failed: {}", r.reason));
    }
    if (r.status == "Cancelled") {
        return json_string(r.reason.empty() ? std::string("Job was cancelled")
                                            : fmt::format("Job was cancelled: {}", r.reason));
    }
    return failed_precondition(
        fmt::format("job '{}' is {}; its results are available once it is final", id, r.status));
}

Result<std::string> RuntimeImpl::job_logs(const Caller& caller, const std::string& id) const {
    auto rec = visible_job(caller, id, /*with_params=*/true);  // the payload holds the logs
    if (!rec.ok()) return rec.status();
    return rec->logs;
}

Result<std::string> RuntimeImpl::job_metrics_json(const Caller& caller,
                                                  const std::string& id) const {
    auto view = get_job(caller, id, false);
    if (!view.ok()) return view.status();
    const store::JobRecord& r = view->record;
    bool final = is_final_status(r.status);
    boost::json::object m;
    // what the backend reported about the run (shots, circuits, ...) first; ours win on clashes
    boost::system::error_code ec;
    boost::json::value extra = boost::json::parse(r.metrics_json, ec);
    if (!ec && extra.is_object()) m = std::move(extra.as_object());
    m["timestamps"] = boost::json::object{{"created", format_iso8601(r.created)},
                                          {"running", iso_or_null(r.started)},
                                          {"finished", iso_or_null(r.finished)}};
    m["usage"] = boost::json::object{{"quantum_seconds", r.usage_s},
                                     {"seconds", r.usage_s},
                                     {"qpu_charge_time_seconds", r.usage_s},
                                     {"status", final ? "final" : "pending"}};
    m["bss"] = boost::json::object{{"seconds", r.usage_s}};
    m["qiskit_version"] = "qrt";
    m["estimated_running_time_seconds"] = r.estimated_running_time_s;
    m["estimated_start_time"] = iso_or_null(view->estimated_start);
    if (view->queue_position) {
        m["position_in_queue"] = *view->queue_position;
    } else {
        m["position_in_queue"] = nullptr;
    }
    return boost::json::serialize(m);
}

Result<std::string> RuntimeImpl::wait_job(const std::string& id, Duration timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        std::uint64_t seen;
        {
            std::lock_guard<std::mutex> g(wait_mu_);
            seen = final_seq_;
        }
        auto rec = store_->get_job(id, false);
        if (!rec.ok()) return rec.status();
        if (is_final_status(rec->status)) return rec->status;
        std::unique_lock<std::mutex> g(wait_mu_);
        if (!wait_cv_.wait_until(g, deadline, [&] { return final_seq_ != seen; })) {
            return rec->status;  // timed out: the status as it is
        }
    }
}

// ---------------------------------------------------------------------------------------------
// change

Status RuntimeImpl::cancel_job(const Caller& caller, const std::string& id) {
    auto rec = visible_job(caller, id, false);
    if (!rec.ok()) return rec.status();
    Lock lk(mu_);
    if (live_.find(id) == live_.end()) {  // rule J4: final jobs cannot be cancelled (HTTP 409)
        return failed_precondition(fmt::format(
            "job '{}' has already finished{}; it cannot be cancelled", id,
            is_final_status(rec->status) ? fmt::format(" ({})", rec->status) : std::string()));
    }
    // A running job asked to stop stays live until its backend has stopped it: cancelling it
    // again is a conflict too, not a second success (the scheduler takes it as a no-op).
    auto info = sched_.job(id);
    if (info.ok() && info->stop_requested) {
        return failed_precondition(fmt::format(
            "job '{}' is already being cancelled (its backend is stopping it)", id));
    }
    QRT_LOG_INFO_F(LogFields()
                       .for_job(id)
                       .for_session(rec->session_id)
                       .for_instance(rec->instance)
                       .for_backend(rec->backend),
                   "job {}: cancel requested", id);
    return settle(lk, sched_.cancel_job(now_locked(), id));
}

Status RuntimeImpl::delete_job(const Caller& caller, const std::string& id) {
    auto rec = visible_job(caller, id, false);
    if (!rec.ok()) return rec.status();
    Lock lk(mu_);
    auto live = live_.find(id);
    if (live != live_.end()) {
        // Pending: cancel it first; the row goes when the job is final (at once when queued,
        // when the backend stops it when running).
        live->second.delete_when_final = true;
        return settle(lk, sched_.cancel_job(now_locked(), id));
    }
    Writes w;
    w.add("job:" + id, [this, id] { return store_->delete_job(id); });
    return flush(lk, std::move(w));
}

Status RuntimeImpl::set_job_tags(const Caller& caller, const std::string& id,
                                 const std::vector<std::string>& tags) {
    QRT_RETURN_IF_ERROR(check_tags(tags));
    auto rec = visible_job(caller, id, false);
    if (!rec.ok()) return rec.status();
    Lock lk(mu_);
    auto live = live_.find(id);
    if (live != live_.end()) live->second.record.tags = tags;  // later writes carry them
    Writes w;
    w.add("job:" + id, [this, id, tags] { return store_->set_job_tags(id, tags); });
    return flush(lk, std::move(w));
}

}  // namespace qrt::runtime
