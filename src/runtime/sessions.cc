// Sessions and batches (rules S1-S17, B1-B5), backends (rules K1, K2) and instance usage.
#include <cmath>

#include "base/log.h"
#include "runtime/runtime_impl.h"

namespace qrt::runtime {

using namespace detail;

namespace {

SessionView view_of(const store::SessionRecord& rec, const sched::SessionInfo* live,
                    Timestamp now) {
    SessionView v;
    v.record = rec;
    if (live != nullptr) {
        if (auto ttl = live->active_ttl(now)) v.active_ttl_s = to_seconds(*ttl);
        v.elapsed_s = to_seconds(live->usage());
        v.queued_jobs = live->queued_jobs;
        v.job_running = live->job_running;
        return v;
    }
    if (rec.started_at) {
        v.active_ttl_s = rec.state == "closed"
                             ? 0.0
                             : std::max(0.0, rec.max_ttl_s - to_seconds(now - *rec.started_at));
    }
    v.elapsed_s = rec.busy_s + rec.idle_s;
    return v;
}

}  // namespace

Result<sched::SessionInfo> RuntimeImpl::visible_live_session(const Caller& caller,
                                                             const std::string& id) const {
    auto info = sched_.session(id);
    if (!info.ok() || !visible(caller, info->instance, false)) {
        return not_found(fmt::format("session '{}' not found", id));
    }
    return info;
}

Result<SessionView> RuntimeImpl::create_session(const Caller& caller, const std::string& backend,
                                                sched::SessionMode mode,
                                                std::optional<double> max_ttl_s) {
    if (caller.instance.empty()) {
        return Status{ErrorCode::kPermissionDenied, "the request names no instance"};
    }
    if (find_backend(backend) == nullptr) {
        return not_found(fmt::format("backend '{}' not found", backend));
    }
    if (max_ttl_s && (!std::isfinite(*max_ttl_s) || *max_ttl_s <= 0)) {
        return invalid_argument("max_ttl: must be a positive number of seconds");
    }
    auto in = store_->get_instance(caller.instance);
    if (!in.ok()) return not_found(fmt::format("instance '{}' not found", caller.instance));
    // rule S8 (and B5 for open-plan batches): asking for more than the maximum gets the maximum
    const sched::Settings& st = sched_.settings();
    Duration cap = in->plan == "open" && mode == sched::SessionMode::kBatch
                       ? st.open_plan_batch_max_ttl
                       : st.max_ttl;
    sched::SessionSpec spec;
    spec.id = ids_.next("ses_");
    spec.backend = backend;
    spec.instance = caller.instance;
    spec.user = caller.user_id;
    spec.mode = mode;
    spec.max_ttl = max_ttl_s ? std::min(seconds_d(*max_ttl_s), cap) : cap;
    if (*spec.max_ttl <= Duration::zero()) spec.max_ttl = cap;

    Lock lk(mu_);
    QRT_RETURN_IF_ERROR(require_running());
    Timestamp now = now_locked();
    Status s = sched_.create_session(now, spec);
    if (!s.ok()) return settle(lk, s);
    auto info = sched_.session(spec.id);
    if (!info.ok()) return info.status();
    SessionView view = view_of(session_record(*info), &*info, now);
    Writes w;
    apply_events(w);  // the session's record is among the writes: durable before the answer
    QRT_RETURN_IF_ERROR(flush(lk, std::move(w)));
    return view;
}

Result<SessionView> RuntimeImpl::get_session(const Caller& caller, const std::string& id) const {
    {
        Lock lk(mu_);
        auto info = sched_.session(id);
        if (info.ok()) {
            if (!visible(caller, info->instance, false)) {
                return not_found(fmt::format("session '{}' not found", id));
            }
            return view_of(session_record(*info), &*info, now_locked());
        }
    }
    // closed before the last restart: only the store knows it
    auto rec = store_->get_session(id);
    if (!rec.ok() || !visible(caller, rec->instance, false)) {
        return not_found(fmt::format("session '{}' not found", id));
    }
    return view_of(*rec, nullptr, clock_.now());
}

Status RuntimeImpl::close_session(const Caller& caller, const std::string& id) {  // rule S9
    Lock lk(mu_);
    auto info = visible_live_session(caller, id);
    if (!info.ok()) {
        lk.unlock();
        auto rec = store_->get_session(id);
        if (rec.ok() && visible(caller, rec->instance, false)) return {};  // already closed
        return info.status();
    }
    return settle(lk, sched_.close_session(now_locked(), id));
}

Status RuntimeImpl::cancel_session(const Caller& caller, const std::string& id) {  // rule S10
    Lock lk(mu_);
    auto info = visible_live_session(caller, id);
    if (!info.ok()) {
        lk.unlock();
        auto rec = store_->get_session(id);
        if (rec.ok() && visible(caller, rec->instance, false)) return {};  // already closed
        return info.status();
    }
    return settle(lk, sched_.cancel_session(now_locked(), id));
}

// ---------------------------------------------------------------------------------------------
// backends

std::vector<BackendView> RuntimeImpl::backends() const {
    std::vector<BackendView> out;
    Lock lk(mu_);
    for (const auto& b : backends_) {
        BackendView v;
        v.name = b->name();
        v.num_qubits = b->num_qubits();
        v.simulator = b->simulator();
        v.paused = sched_.backend_paused(v.name);
        v.queue_length = sched_.queued_jobs(v.name);
        v.running_job = sched_.running_job(v.name).value_or("");
        v.active_session = sched_.active_session(v.name).value_or("");
        auto cal = calibrations_.find(v.name);
        if (config_.calibrations && cal != calibrations_.end() && cal->second.interval &&
            !cal->second.pending) {
            v.next_calibration = cal->second.next;
        }
        auto ver = backend_versions_.find(v.name);
        if (ver != backend_versions_.end()) v.backend_version = ver->second;
        out.push_back(std::move(v));
    }
    return out;
}

Result<BackendView> RuntimeImpl::backend(const std::string& name) const {
    for (auto& v : backends()) {
        if (v.name == name) return v;
    }
    return not_found(fmt::format("backend '{}' not found", name));
}

Result<std::string> RuntimeImpl::configuration_json(const std::string& name) const {
    backends::Backend* b = find_backend(name);
    if (b == nullptr) return not_found(fmt::format("backend '{}' not found", name));
    return b->configuration_json();
}

Result<std::string> RuntimeImpl::properties_json(const std::string& name) const {
    backends::Backend* b = find_backend(name);
    if (b == nullptr) return not_found(fmt::format("backend '{}' not found", name));
    return b->properties_json();
}

// ---------------------------------------------------------------------------------------------
// usage

Result<InstanceUsageView> RuntimeImpl::instance_usage(const Caller& caller) const {
    if (caller.instance.empty()) {
        return Status{ErrorCode::kPermissionDenied, "the request names no instance"};
    }
    auto rec = store_->get_instance(caller.instance);
    if (!rec.ok()) return not_found(fmt::format("instance '{}' not found", caller.instance));
    InstanceUsageView v;
    v.instance = caller.instance;
    v.plan = rec->plan;
    v.limit_s = rec->hard_limit_s;
    v.consumed_s = store_->usage_seconds(caller.instance, Timestamp{});
    Lock lk(mu_);
    auto u = sched_.instance_usage(caller.instance);
    if (!u.ok()) return u.status();
    v.share_fraction = u->share_fraction;
    v.window_usage_s = u->window_usage_s;
    v.ideal_s = u->ideal_s;
    v.ratio = u->ratio;
    v.at_limit = u->at_limit;
    auto p = pending_by_instance_.find(caller.instance);
    v.pending_jobs = p == pending_by_instance_.end() ? 0 : p->second;
    return v;
}

}  // namespace qrt::runtime
