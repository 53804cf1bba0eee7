// A small in-memory runtime::Runtime for the api tests and bench: users, keys, instances, jobs
// and sessions in maps under one mutex, no scheduler and no execution. Tests move jobs to their
// final state by hand (finish_job) and read call counters. Test-only (not in the library).
//
// Fixed data: instances kInstanceA (the default) and kInstanceB; users usr_admin (admin, A),
// usr_alice (A), usr_bob (B) with API keys "admin-key", "alice-key", "bob-key"; backends
// emu_small5 (device, 5 qubits) and sim_ideal (simulator, 32 qubits).
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "runtime/runtime.h"

namespace qrt::api::testing {

inline constexpr const char* kInstanceA = runtime::kDefaultInstanceCrn;
inline constexpr const char* kInstanceB =
    "crn:v1:bluemix:public:quantum-computing:us-east:a/local:team-b::";
inline constexpr const char* kTokenSecret = "fake-runtime-token-secret-0123456789abcdef";

class FakeRuntime final : public runtime::Runtime {
public:
    explicit FakeRuntime(const Clock& clock) : clock_(clock) {
        add_instance(kInstanceA, "local");
        add_instance(kInstanceB, "team-b");
        add_user("usr_admin", "admin", true, {kInstanceA}, "admin-key");
        add_user("usr_alice", "alice", false, {kInstanceA}, "alice-key");
        add_user("usr_bob", "bob", false, {kInstanceB}, "bob-key");
        backends_["emu_small5"] = Backend{5, false, false};
        backends_["sim_ideal"] = Backend{32, true, false};
    }

    // --- test hooks
    mutable std::atomic<int> auth_calls{0};  // authenticate_api_key + caller_for_user

    // Moves a job to a final state: "Completed" with `result_json`, or "Failed"/"Cancelled"
    // with `reason`.
    void finish_job(const std::string& id, const std::string& status, const std::string& result,
                    const std::string& reason = "", int reason_code = 0) {
        std::lock_guard lock(mu_);
        store::JobRecord& j = jobs_.at(id);
        j.status = status;
        j.result_json = result;
        j.reason = reason;
        j.reason_code = reason_code;
        j.finished = clock_.now();
        j.logs = "line one\nline two";
    }
    store::JobRecord job(const std::string& id) {
        std::lock_guard lock(mu_);
        return jobs_.at(id);
    }
    std::size_t job_count() {
        std::lock_guard lock(mu_);
        return jobs_.size();
    }
    bool backend_paused(const std::string& name) {
        std::lock_guard lock(mu_);
        return backends_.at(name).paused;
    }
    std::vector<sched::ReservationSpec> reservations() {
        std::lock_guard lock(mu_);
        return reservations_;
    }

    // --- Runtime
    Status start() override { return {}; }
    void stop() override {}
    std::optional<std::string> first_start_admin_key() const override { return std::nullopt; }
    std::string token_secret() const override { return kTokenSecret; }

    Result<runtime::Caller> authenticate_api_key(const std::string& secret,
                                                 const std::string& instance) const override {
        ++auth_calls;
        std::lock_guard lock(mu_);
        auto it = keys_.find(secret);
        if (it == keys_.end() || it->second.revoked) {
            return Status{ErrorCode::kUnauthenticated, "unknown or revoked API key"};
        }
        return caller_locked(it->second.user_id, instance);
    }
    Result<runtime::Caller> caller_for_user(const std::string& user_id,
                                            const std::string& instance) const override {
        ++auth_calls;
        std::lock_guard lock(mu_);
        return caller_locked(user_id, instance);
    }

    Result<runtime::JobView> submit_job(const runtime::Caller& caller,
                                        const runtime::SubmitRequest& request) override {
        std::lock_guard lock(mu_);
        if (!backends_.contains(request.backend)) {
            return not_found(fmt::format("no backend \"{}\"", request.backend));
        }
        if (request.params_json.find("\"pubs\"") == std::string::npos) {
            return invalid_argument("params.pubs: required");
        }
        if (!request.session_id.empty()) {
            auto s = sessions_.find(request.session_id);
            if (s == sessions_.end()) return not_found("no session " + request.session_id);
            if (!s->second.accepting_jobs) {
                return failed_precondition("session " + request.session_id +
                                           " is closed and accepts no new jobs");
            }
        }
        store::JobRecord j;
        j.id = fmt::format("job_{:04d}", ++next_job_);
        j.user_id = caller.user_id;
        j.instance = caller.instance;
        j.backend = request.backend;
        j.program_id = request.program_id;
        j.params_json = request.params_json;
        j.session_id = request.session_id;
        j.tags = request.tags;
        j.created = clock_.now() + Duration(next_job_);  // distinct, ordered
        j.max_execution_time_s = request.max_execution_time_s;
        j.is_private = request.is_private;
        j.log_level = request.log_level;
        j.estimated_running_time_s = 1.5;
        jobs_[j.id] = j;
        return view_locked(j, true);
    }
    Result<runtime::JobView> get_job(const runtime::Caller& caller, const std::string& id,
                                     bool with_params) const override {
        std::lock_guard lock(mu_);
        Result<const store::JobRecord*> j = visible_job(caller, id);
        if (!j.ok()) return j.status();
        return view_locked(**j, with_params);
    }
    Result<store::JobPage> list_jobs(const runtime::Caller& caller,
                                     store::JobFilter filter) const override {
        std::lock_guard lock(mu_);
        std::vector<store::JobRecord> all;
        for (const auto& [id, j] : jobs_) {
            if (!visible(caller, j)) continue;
            if (filter.backend && j.backend != *filter.backend) continue;
            if (filter.program_id && j.program_id != *filter.program_id) continue;
            if (filter.session_id && j.session_id != *filter.session_id) continue;
            if (filter.pending && *filter.pending != is_pending(j)) continue;
            if (!filter.statuses.empty() &&
                std::find(filter.statuses.begin(), filter.statuses.end(), j.status) ==
                    filter.statuses.end()) {
                continue;
            }
            bool tags_ok = true;
            for (const auto& t : filter.tags) {
                tags_ok = tags_ok && std::find(j.tags.begin(), j.tags.end(), t) != j.tags.end();
            }
            if (!tags_ok) continue;
            if (filter.created_after && j.created < *filter.created_after) continue;
            if (filter.created_before && j.created >= *filter.created_before) continue;
            store::JobRecord copy = j;
            copy.params_json.clear();
            copy.result_json.clear();
            copy.logs.clear();
            all.push_back(std::move(copy));
        }
        std::sort(all.begin(), all.end(), [&](const auto& a, const auto& b) {
            return filter.ascending ? a.created < b.created : a.created > b.created;
        });
        store::JobPage page;
        page.count = all.size();
        for (std::size_t i = filter.offset; i < all.size() && page.jobs.size() < filter.limit;
             ++i) {
            page.jobs.push_back(all[i]);
        }
        return page;
    }
    Status cancel_job(const runtime::Caller& caller, const std::string& id) override {
        std::lock_guard lock(mu_);
        Result<const store::JobRecord*> j = visible_job(caller, id);
        if (!j.ok()) return j.status();
        store::JobRecord& job = jobs_.at(id);
        if (!is_pending(job)) {
            return failed_precondition(
                fmt::format("job {} is {} and can no longer be cancelled", id, job.status));
        }
        job.status = "Cancelled";
        job.reason = "cancelled by the user";
        job.reason_code = 1300;
        return {};
    }
    Status delete_job(const runtime::Caller& caller, const std::string& id) override {
        std::lock_guard lock(mu_);
        Result<const store::JobRecord*> j = visible_job(caller, id);
        if (!j.ok()) return j.status();
        jobs_.erase(id);
        return {};
    }
    Status set_job_tags(const runtime::Caller& caller, const std::string& id,
                        const std::vector<std::string>& tags) override {
        std::lock_guard lock(mu_);
        Result<const store::JobRecord*> j = visible_job(caller, id);
        if (!j.ok()) return j.status();
        jobs_.at(id).tags = tags;
        return {};
    }
    Result<std::string> job_results(const runtime::Caller& caller,
                                    const std::string& id) const override {
        std::lock_guard lock(mu_);
        Result<const store::JobRecord*> j = visible_job(caller, id);
        if (!j.ok()) return j.status();
        const store::JobRecord& job = **j;
        if (is_pending(job)) {
            return failed_precondition(fmt::format("job {} is {}: no results yet", id, job.status));
        }
        if (job.status == "Completed") return job.result_json;
        return fmt::format("\"{}\"", job.reason);
    }
    Result<std::string> job_logs(const runtime::Caller& caller,
                                 const std::string& id) const override {
        std::lock_guard lock(mu_);
        Result<const store::JobRecord*> j = visible_job(caller, id);
        if (!j.ok()) return j.status();
        return (*j)->logs;
    }
    Result<std::string> job_metrics_json(const runtime::Caller& caller,
                                         const std::string& id) const override {
        std::lock_guard lock(mu_);
        Result<const store::JobRecord*> j = visible_job(caller, id);
        if (!j.ok()) return j.status();
        return std::string(R"({"timestamps":{"created":"x"},"usage":{"quantum_seconds":0}})");
    }
    Result<std::string> wait_job(const std::string& id, Duration) const override {
        std::lock_guard lock(mu_);
        auto it = jobs_.find(id);
        if (it == jobs_.end()) return not_found("no job " + id);
        return it->second.status;
    }

    Result<runtime::SessionView> create_session(const runtime::Caller& caller,
                                                const std::string& backend, sched::SessionMode mode,
                                                std::optional<double> max_ttl_s) override {
        std::lock_guard lock(mu_);
        auto b = backends_.find(backend);
        if (b == backends_.end()) return not_found(fmt::format("no backend \"{}\"", backend));
        if (b->second.simulator) {
            return invalid_argument("sessions need a device backend; " + backend +
                                    " is a simulator");
        }
        store::SessionRecord s;
        s.id = fmt::format("ses_{:04d}", ++next_session_);
        s.mode = mode == sched::SessionMode::kBatch ? "batch" : "dedicated";
        s.backend = backend;
        s.instance = caller.instance;
        s.user_id = caller.user_id;
        s.created = clock_.now();
        if (max_ttl_s) s.max_ttl_s = *max_ttl_s;
        sessions_[s.id] = s;
        return session_view(s);
    }
    Result<runtime::SessionView> get_session(const runtime::Caller& caller,
                                             const std::string& id) const override {
        std::lock_guard lock(mu_);
        auto it = sessions_.find(id);
        if (it == sessions_.end() || !member(caller, it->second.instance)) {
            return not_found(fmt::format("no session \"{}\"", id));
        }
        return session_view(it->second);
    }
    Status close_session(const runtime::Caller& caller, const std::string& id) override {
        std::lock_guard lock(mu_);
        auto it = sessions_.find(id);
        if (it == sessions_.end() || !member(caller, it->second.instance)) {
            return not_found(fmt::format("no session \"{}\"", id));
        }
        it->second.accepting_jobs = false;
        it->second.state = "closed";
        it->second.closed_at = clock_.now();
        it->second.close_reason = "drained";
        return {};
    }
    Status cancel_session(const runtime::Caller& caller, const std::string& id) override {
        std::lock_guard lock(mu_);
        auto it = sessions_.find(id);
        if (it == sessions_.end() || !member(caller, it->second.instance)) {
            return not_found(fmt::format("no session \"{}\"", id));
        }
        it->second.accepting_jobs = false;
        it->second.state = "closed";
        it->second.close_reason = "cancelled";
        for (auto& [jid, j] : jobs_) {
            if (j.session_id == id && is_pending(j)) {
                j.status = "Cancelled";
                j.reason_code = 1301;
            }
        }
        return {};
    }

    std::vector<runtime::BackendView> backends() const override {
        std::lock_guard lock(mu_);
        std::vector<runtime::BackendView> out;
        for (const auto& [name, b] : backends_) out.push_back(backend_view(name, b));
        return out;
    }
    Result<runtime::BackendView> backend(const std::string& name) const override {
        std::lock_guard lock(mu_);
        auto it = backends_.find(name);
        if (it == backends_.end()) return not_found(fmt::format("no backend \"{}\"", name));
        return backend_view(name, it->second);
    }
    Result<std::string> configuration_json(const std::string& name) const override {
        std::lock_guard lock(mu_);
        auto it = backends_.find(name);
        if (it == backends_.end()) return not_found(fmt::format("no backend \"{}\"", name));
        return fmt::format(R"({{"backend_name":"{}","n_qubits":{},"simulator":{}}})", name,
                           it->second.qubits, it->second.simulator);
    }
    Result<std::string> properties_json(const std::string& name) const override {
        std::lock_guard lock(mu_);
        auto it = backends_.find(name);
        if (it == backends_.end()) return not_found(fmt::format("no backend \"{}\"", name));
        if (it->second.simulator) return std::string("{}");
        return fmt::format(R"({{"backend_name":"{}","qubits":[],"gates":[],"general":[]}})", name);
    }

    Result<runtime::InstanceUsageView> instance_usage(
        const runtime::Caller& caller) const override {
        runtime::InstanceUsageView u;
        u.instance = caller.instance;
        u.plan = "paid";
        u.consumed_s = 12.5;
        if (caller.instance == kInstanceB) u.limit_s = 100;
        return u;
    }

    Result<store::UserRecord> create_user(const runtime::Caller& caller, const std::string& name,
                                          bool admin,
                                          const std::vector<std::string>& instances) override {
        QRT_RETURN_IF_ERROR(need_admin(caller));
        std::lock_guard lock(mu_);
        for (const auto& [id, u] : users_) {
            if (u.record.name == name) return already_exists("a user named " + name + " exists");
        }
        std::vector<std::string> member_of = instances;
        if (member_of.empty()) member_of.emplace_back(kInstanceA);
        for (const auto& crn : member_of) {
            if (!instances_.contains(crn)) return not_found("no instance " + crn);
        }
        store::UserRecord r{fmt::format("usr_{}", name), name, admin, clock_.now()};
        users_[r.id] = User{r, member_of};
        return r;
    }
    Result<runtime::NewKey> create_api_key(const runtime::Caller& caller,
                                           const std::string& user_id,
                                           const std::string& label) override {
        QRT_RETURN_IF_ERROR(need_admin(caller));
        std::lock_guard lock(mu_);
        if (!users_.contains(user_id)) return not_found("no user " + user_id);
        runtime::NewKey k;
        k.record.id = fmt::format("key_{:04d}", ++next_key_);
        k.record.user_id = user_id;
        k.record.label = label;
        k.record.created = clock_.now();
        k.secret = fmt::format("secret-{}", k.record.id);
        keys_[k.secret] = k.record;
        return k;
    }
    Status revoke_api_key(const runtime::Caller& caller, const std::string& key_id) override {
        QRT_RETURN_IF_ERROR(need_admin(caller));
        std::lock_guard lock(mu_);
        for (auto& [secret, k] : keys_) {
            if (k.id == key_id) {
                k.revoked = true;
                return {};
            }
        }
        return not_found("no key " + key_id);
    }
    Result<store::InstanceRecord> put_instance(const runtime::Caller& caller,
                                               const store::InstanceRecord& instance) override {
        QRT_RETURN_IF_ERROR(need_admin(caller));
        std::lock_guard lock(mu_);
        store::InstanceRecord r = instance;
        if (r.created == Timestamp{}) r.created = clock_.now();
        instances_[r.crn] = r;
        return r;
    }
    std::vector<store::InstanceRecord> instances(const runtime::Caller& caller) const override {
        if (!caller.admin) return {};
        std::lock_guard lock(mu_);
        std::vector<store::InstanceRecord> out;
        for (const auto& [crn, i] : instances_) out.push_back(i);
        return out;
    }
    std::vector<store::UserRecord> users(const runtime::Caller& caller) const override {
        if (!caller.admin) return {};
        std::lock_guard lock(mu_);
        std::vector<store::UserRecord> out;
        for (const auto& [id, u] : users_) out.push_back(u.record);
        return out;
    }
    Status pause_backend(const runtime::Caller& caller, const std::string& name) override {
        return set_paused(caller, name, true);
    }
    Status resume_backend(const runtime::Caller& caller, const std::string& name) override {
        return set_paused(caller, name, false);
    }
    Status add_reservation(const runtime::Caller& caller,
                           const sched::ReservationSpec& spec) override {
        QRT_RETURN_IF_ERROR(need_admin(caller));
        std::lock_guard lock(mu_);
        if (!backends_.contains(spec.backend)) return not_found("no backend " + spec.backend);
        reservations_.push_back(spec);
        return {};
    }

private:
    struct User {
        store::UserRecord record;
        std::vector<std::string> instances;
    };
    struct Backend {
        std::uint32_t qubits = 0;
        bool simulator = false;
        bool paused = false;
    };

    void add_instance(const std::string& crn, const std::string& name) {
        store::InstanceRecord r;
        r.crn = crn;
        r.name = name;
        r.created = clock_.now();
        instances_[crn] = r;
    }
    void add_user(const std::string& id, const std::string& name, bool admin,
                  std::vector<std::string> instances, const std::string& key) {
        users_[id] = User{store::UserRecord{id, name, admin, clock_.now()}, std::move(instances)};
        store::ApiKeyRecord k;
        k.id = "key_" + name;
        k.user_id = id;
        keys_[key] = k;
    }

    Result<runtime::Caller> caller_locked(const std::string& user_id,
                                          const std::string& instance) const {
        auto it = users_.find(user_id);
        if (it == users_.end()) return not_found("no user " + user_id);
        runtime::Caller c;
        c.user_id = user_id;
        c.user_name = it->second.record.name;
        c.admin = it->second.record.admin;
        c.instances = it->second.instances;
        if (instance.empty()) {
            c.instance = c.instances.empty() ? "" : c.instances.front();
        } else if (std::find(c.instances.begin(), c.instances.end(), instance) ==
                   c.instances.end()) {
            return Status{ErrorCode::kPermissionDenied,
                          fmt::format("user {} is not a member of instance {}", user_id, instance)};
        } else {
            c.instance = instance;
        }
        return c;
    }

    static bool member(const runtime::Caller& c, const std::string& instance) {
        return std::find(c.instances.begin(), c.instances.end(), instance) != c.instances.end();
    }
    static bool visible(const runtime::Caller& c, const store::JobRecord& j) {
        return member(c, j.instance);
    }
    static bool is_pending(const store::JobRecord& j) {
        return j.status == "Queued" || j.status == "Running";
    }
    Result<const store::JobRecord*> visible_job(const runtime::Caller& c,
                                                const std::string& id) const {
        auto it = jobs_.find(id);
        if (it == jobs_.end() || !visible(c, it->second)) {
            return not_found(fmt::format("no job \"{}\"", id));
        }
        return &it->second;
    }
    runtime::JobView view_locked(const store::JobRecord& j, bool with_params) const {
        runtime::JobView v;
        v.record = j;
        if (!with_params) v.record.params_json.clear();
        if (j.status == "Queued") {
            v.queue_position = 1;
            v.waiting_rule = "P4";
            v.waiting_reason = "waiting for the job ahead";
            v.estimated_start = j.created + std::chrono::seconds(2);
        }
        return v;
    }
    runtime::SessionView session_view(const store::SessionRecord& s) const {
        runtime::SessionView v;
        v.record = s;
        v.active_ttl_s = s.max_ttl_s - 10.25;
        v.elapsed_s = 10.25;
        return v;
    }
    static runtime::BackendView backend_view(const std::string& name, const Backend& b) {
        runtime::BackendView v;
        v.name = name;
        v.num_qubits = b.qubits;
        v.simulator = b.simulator;
        v.paused = b.paused;
        v.queue_length = 3;
        v.backend_version = "1.0.0";
        return v;
    }
    static Status need_admin(const runtime::Caller& c) {
        if (!c.admin) return {ErrorCode::kPermissionDenied, "admin only"};
        return {};
    }
    Status set_paused(const runtime::Caller& caller, const std::string& name, bool paused) {
        QRT_RETURN_IF_ERROR(need_admin(caller));
        std::lock_guard lock(mu_);
        auto it = backends_.find(name);
        if (it == backends_.end()) return not_found("no backend " + name);
        it->second.paused = paused;
        return {};
    }

    const Clock& clock_;
    mutable std::mutex mu_;
    std::map<std::string, store::InstanceRecord> instances_;
    std::map<std::string, User> users_;
    std::map<std::string, store::ApiKeyRecord> keys_;  // by secret
    std::map<std::string, store::JobRecord> jobs_;
    std::map<std::string, store::SessionRecord> sessions_;
    std::map<std::string, Backend> backends_;
    std::vector<sched::ReservationSpec> reservations_;
    int next_job_ = 0, next_session_ = 0, next_key_ = 0;
};

}  // namespace qrt::api::testing
