// The runtime's machinery: construction, start/stop, applying scheduler decisions (state in
// memory, writes to the store in decision order), the executor thread of each backend and the
// timer thread (scheduler timers and calibration system jobs, rule P1).
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <exception>
#include <map>
#include <set>

#include "base/log.h"
#include "base/rng.h"
#include "runtime/runtime_impl.h"

namespace qrt::runtime {

using namespace detail;

namespace detail {

std::uint64_t seed_for(const std::string& job_id) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across platforms and runs
    for (unsigned char c : job_id) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string json_string(const std::string& text) {
    return boost::json::serialize(boost::json::value(boost::json::string_view(text)));
}

std::string random_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    os_random_bytes(raw.data(), raw.size());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (unsigned char c : raw) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
    return out;
}

std::string close_reason_word(sched::CloseReason r) {
    switch (r) {
        case sched::CloseReason::kNone:
            return "";
        case sched::CloseReason::kDrained:
            return "drained";
        case sched::CloseReason::kCancelled:
            return "cancelled";
        case sched::CloseReason::kMaxTtl:
            return "max_ttl";
        case sched::CloseReason::kUnused:
            return "unused";
    }
    return "";
}

Result<sched::SessionMode> parse_session_mode(const std::string& mode) {
    if (mode == "dedicated") return sched::SessionMode::kDedicated;
    if (mode == "batch") return sched::SessionMode::kBatch;
    return invalid_argument(
        fmt::format("mode: expected \"dedicated\" or \"batch\", got {}", json_string(mode)));
}

sched::InstanceSpec instance_spec(const store::InstanceRecord& record) {
    sched::InstanceSpec spec;
    spec.name = record.crn;  // the scheduler knows instances by CRN, as jobs carry them
    spec.plan = record.plan == "open" ? sched::Plan::kOpen : sched::Plan::kPaid;
    spec.share = record.share;
    if (record.hard_limit_s) spec.hard_limit = seconds_d(*record.hard_limit_s);
    if (record.interactive_ttl_s) spec.interactive_ttl = seconds_d(*record.interactive_ttl_s);
    return spec;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// construction

namespace {

sched::Settings server_settings(sched::Settings s) {
    s.retain_final_jobs = false;  // the store keeps final jobs; the scheduler forgets them
    return s;
}

std::string version_of(const std::string& configuration_json) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(configuration_json, ec);
    if (ec || !v.is_object()) return "";
    const auto* ver = v.as_object().if_contains("backend_version");
    return ver != nullptr && ver->is_string() ? std::string(ver->as_string()) : "";
}

}  // namespace

RuntimeImpl::RuntimeImpl(Config config, Clock& clock, std::unique_ptr<store::JobStore> store,
                         std::vector<std::unique_ptr<backends::Backend>> backends)
    : config_(std::move(config)),
      clock_(clock),
      store_(std::move(store)),
      backends_(std::move(backends)),
      ids_(clock),
      sched_(server_settings(config_.scheduler), clock.now()) {
    sched_.set_charge_log(true);
    for (const auto& b : backends_) {
        auto ex = std::make_unique<Executor>();
        ex->backend = b.get();
        executors_.emplace(b->name(), std::move(ex));
        backend_versions_[b->name()] = version_of(b->configuration_json());
    }
    init_metrics();
}

RuntimeImpl::~RuntimeImpl() { stop(); }

Result<std::unique_ptr<Runtime>> Runtime::open_with(
    Config config, Clock& clock, std::unique_ptr<store::JobStore> store,
    std::vector<std::unique_ptr<backends::Backend>> backends) {
    if (!store) return invalid_argument("open_with: no store");
    std::set<std::string> names;
    for (const auto& b : backends) {
        if (!b) return invalid_argument("open_with: a backend is null");
        if (b->name().empty()) return invalid_argument("open_with: a backend has no name");
        if (!names.insert(b->name()).second) {
            return invalid_argument(fmt::format("two backends are named '{}'", b->name()));
        }
    }
    auto rt = std::make_unique<RuntimeImpl>(std::move(config), clock, std::move(store),
                                            std::move(backends));
    QRT_RETURN_IF_ERROR(rt->recover());
    return std::unique_ptr<Runtime>(std::move(rt));
}

// ---------------------------------------------------------------------------------------------
// start / stop

Status RuntimeImpl::start() {
    Lock lk(mu_);
    if (stopping_) return failed_precondition("the runtime was stopped; open it again");
    if (started_) return {};
    started_ = true;
    for (auto& [name, ex] : executors_) {
        Executor* e = ex.get();
        e->thread = std::thread([this, e] { executor_loop(*e); });
    }
    timer_ = std::thread([this] { timer_loop(); });
    QRT_LOG_INFO("runtime started: {} backends, {} jobs pending", executors_.size(), live_.size());
    return {};
}

void RuntimeImpl::stop() {
    std::lock_guard<std::mutex> stop_guard(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    Lock lk(mu_);
    stopping_ = true;
    timer_exit_ = true;
    // No new starts; running jobs are stopped cooperatively and go back to Queued (report()).
    Timestamp now = now_locked();
    for (const auto& name : sched_.backends()) (void)sched_.pause_backend(now, name);
    Writes due;
    apply_events(due);  // what timers decided up to now
    int interrupted = 0;
    for (auto& [id, job] : live_) {
        if (job.record.status == "Running") {
            job.stop->store(true);
            ++interrupted;
        }
    }
    timer_cv_.notify_all();
    (void)flush(lk, std::move(due));
    if (timer_.joinable()) timer_.join();
    for (auto& [name, ex] : executors_) {
        std::lock_guard<std::mutex> g(ex->m);
        ex->exit = true;
        ex->cv.notify_all();
    }
    for (auto& [name, ex] : executors_) {
        if (ex->thread.joinable()) ex->thread.join();
    }
    // Jobs handed to an executor that never began them go back to Queued as well.
    lk.lock();
    Writes w;
    for (auto& [name, ex] : executors_) {
        for (const Task& t : ex->tasks) requeue_for_restart(t.job_id, w);
        ex->tasks.clear();
    }
    (void)flush(lk, std::move(w));
    QRT_LOG_INFO("runtime stopped ({} running jobs interrupted, queued again for the next start)",
                 interrupted);
}

Status RuntimeImpl::require_running() const {
    if (stopping_) return Status{ErrorCode::kUnavailable, "the service is shutting down"};
    return {};
}

// ---------------------------------------------------------------------------------------------
// decisions

Timestamp RuntimeImpl::now_locked() const { return std::max(clock_.now(), sched_.now()); }

void RuntimeImpl::add_live(store::JobRecord record) {
    if (!record.system) {
        ++pending_by_user_[record.user_id];
        ++pending_by_instance_[record.instance];
    }
    std::string id = record.id;
    LiveJob job;
    job.record = std::move(record);
    live_.insert_or_assign(std::move(id), std::move(job));
}

void RuntimeImpl::erase_live(const std::string& id) {
    auto it = live_.find(id);
    if (it == live_.end()) return;
    const store::JobRecord& r = it->second.record;
    if (!r.system) {
        if (--pending_by_user_[r.user_id] <= 0) pending_by_user_.erase(r.user_id);
        if (--pending_by_instance_[r.instance] <= 0) pending_by_instance_.erase(r.instance);
    } else {
        auto cal = calibrations_.find(r.backend);
        if (cal != calibrations_.end()) cal->second.pending = false;
    }
    live_.erase(it);
}

store::SessionRecord RuntimeImpl::session_record(const sched::SessionInfo& info) const {
    store::SessionRecord r;
    r.id = info.id;
    r.mode = std::string(sched::to_string(info.mode));
    r.backend = info.backend;
    r.instance = info.instance;
    r.user_id = info.user;
    r.state = std::string(sched::to_string(info.state));
    r.accepting_jobs = info.accepting_jobs;
    r.interactive_ttl_s = to_seconds(info.interactive_ttl);
    r.max_ttl_s = to_seconds(info.max_ttl);
    r.created = info.created_at;
    r.started_at = info.started_at;
    r.activated_at = info.activated_at;
    r.closed_at = info.closed_at;
    r.last_job_started = info.last_job_started;
    r.last_job_completed = info.last_job_completed;
    r.close_reason = close_reason_word(info.close_reason);
    r.busy_s = to_seconds(info.busy_time);
    r.idle_s = to_seconds(info.idle_time);
    return r;
}

void RuntimeImpl::apply(std::vector<sched::Decision> decisions, Writes& w) {
    std::vector<std::string> sessions;  // touched, in order of first appearance
    for (sched::Decision& d : decisions) {
        switch (d.kind) {
            case sched::DecisionKind::kStartJob: {
                auto it = live_.find(d.job);
                if (it == live_.end()) {
                    QRT_LOG_ERROR("scheduler started unknown job {}", d.job);
                    break;
                }
                LiveJob& job = it->second;
                job.record.status = "Running";
                job.record.started = d.at;
                ++job.record.attempts;
                count_transition(d.backend, job.record.status);
                auto bm = backend_metrics_.find(d.backend);
                if (bm != backend_metrics_.end()) {
                    bm->second.wait->observe(std::max(0.0, to_seconds(d.at - job.record.created)));
                }
                QRT_LOG_INFO_F(LogFields()
                                   .for_job(d.job)
                                   .for_session(job.record.session_id)
                                   .for_instance(job.record.instance)
                                   .for_backend(d.backend)
                                   .for_user(job.record.user_id),
                               "job {} started on {} (attempt {})", d.job, d.backend,
                               job.record.attempts);
                Task t;
                t.job_id = d.job;
                t.program_id = job.record.program_id;
                t.params_json = std::move(job.record.params_json);
                job.record.params_json.clear();
                t.system = job.record.system;
                t.stop = job.stop;
                t.started = std::make_shared<Gate>();
                w.gates.push_back(t.started);
                auto ex = executors_.find(d.backend);
                if (ex != executors_.end()) {
                    std::lock_guard<std::mutex> g(ex->second->m);
                    ex->second->tasks.push_back(std::move(t));
                    ex->second->cv.notify_one();
                }
                w.add("job:" + d.job, [this, rec = job.record] { return store_->update_job(rec); });
                break;
            }
            case sched::DecisionKind::kStopJob: {
                auto it = live_.find(d.job);
                if (it != live_.end()) it->second.stop->store(true);
                break;
            }
            case sched::DecisionKind::kEndJob: {
                auto it = live_.find(d.job);
                if (it == live_.end()) {
                    QRT_LOG_ERROR("scheduler ended unknown job {}", d.job);
                    break;
                }
                LiveJob& job = it->second;
                store::JobRecord& r = job.record;
                r.status = std::string(sched::to_string(d.job_state));
                r.reason = d.job_state == sched::JobState::kCompleted ? "" : d.message;
                r.reason_code = static_cast<int>(d.reason);
                r.finished = d.at;
                r.params_json.clear();
                // Usage shown to the user (quantum_seconds): the backend's QPU time model when
                // it returned a result; otherwise the time the job held the backend (rule F3),
                // nothing for a service fault. Fair share counts its own measure (ADR 0008).
                if (job.execution && d.job_state == sched::JobState::kCompleted) {
                    r.usage_s = to_seconds(job.execution->qpu_time);
                } else if (r.started && d.reason != sched::ReasonCode::kSystemError) {
                    r.usage_s = std::max(0.0, to_seconds(d.at - *r.started));
                } else {
                    r.usage_s = 0;
                }
                if (job.execution) {
                    if (d.job_state == sched::JobState::kCompleted) {
                        r.result_json = std::move(job.execution->result_json);
                    }
                    for (const auto& line : job.execution->log_lines) {
                        if (!r.logs.empty()) r.logs += '\n';
                        r.logs += line;
                    }
                    r.metrics_json = std::move(job.execution->metadata_json);
                }
                count_transition(r.backend, r.status);
                auto bm = backend_metrics_.find(r.backend);
                if (bm != backend_metrics_.end() && r.started) {
                    bm->second.run->observe(std::max(0.0, to_seconds(d.at - *r.started)));
                }
                QRT_LOG_INFO_F(LogFields()
                                   .for_job(r.id)
                                   .for_session(r.session_id)
                                   .for_instance(r.instance)
                                   .for_backend(r.backend)
                                   .for_user(r.user_id),
                               "job {} {}{}{}", r.id, r.status, r.reason.empty() ? "" : ": ",
                               r.reason);
                if (job.delete_when_final) {
                    w.add("job:" + r.id, [this, id = r.id] { return store_->delete_job(id); });
                } else {
                    w.add("job:" + r.id, [this, rec = r] { return store_->update_job(rec); });
                }
                w.finals = true;
                erase_live(d.job);
                break;
            }
            case sched::DecisionKind::kSessionState: {
                if (std::find(sessions.begin(), sessions.end(), d.session) == sessions.end()) {
                    sessions.push_back(d.session);
                }
                track_session(d.session);
                auto info = sched_.session(d.session);
                const LogFields ids = LogFields()
                                          .for_session(d.session)
                                          .for_backend(d.backend)
                                          .for_instance(info.ok() ? std::string_view(info->instance)
                                                                  : std::string_view())
                                          .for_user(info.ok() ? std::string_view(info->user)
                                                              : std::string_view());
                if (d.session_state == sched::SessionState::kActive) {
                    const std::string_view mode =
                        info.ok() ? sched::to_string(info->mode) : std::string_view("dedicated");
                    session_activations_->with({d.backend, mode}).inc();
                }
                if (d.session_state == sched::SessionState::kClosed) {
                    QRT_LOG_INFO_F(ids, "session {} closed ({})", d.session, d.message);
                } else {
                    QRT_LOG_DEBUG_F(ids, "session {} is {}", d.session,
                                    sched::to_string(d.session_state));
                }
                break;
            }
        }
    }
    for (const auto& id : sessions) {
        auto info = sched_.session(id);
        if (!info.ok()) continue;
        w.add("session:" + id,
              [this, rec = session_record(*info)] { return store_->put_session(rec); });
    }
    for (sched::UsageCharge& c : sched_.take_charges()) {
        store::UsageRecord u;
        u.instance = std::move(c.instance);
        u.user_id = std::move(c.user);
        u.job_id = std::move(c.job);
        u.session_id = std::move(c.session);
        u.mode = std::string(sched::to_string(c.kind));
        u.at = c.at;
        u.seconds = to_seconds(c.amount);
        usage_seconds_->with({u.instance, u.mode}).add(u.seconds);
        w.add("", [this, u = std::move(u)] { return store_->add_usage(u); });
    }
    kick_timer();
}

Status RuntimeImpl::flush(Lock& lk, Writes w) {
    if (w.ops.empty()) {
        lk.unlock();
        for (auto& g : w.gates) g->open();
        return {};
    }
    std::unique_lock<std::mutex> wl(write_mu_);
    lk.unlock();
    Status first = run_writes(w);
    wl.unlock();
    for (auto& g : w.gates) g->open();  // even after a failed write: the job runs regardless
    if (w.finals) {
        std::lock_guard<std::mutex> g(wait_mu_);
        ++final_seq_;
        wait_cv_.notify_all();
    }
    return first;
}

Status RuntimeImpl::settle(Lock& lk, Status event, Writes w) {
    apply_events(w);
    Status written = flush(lk, std::move(w));
    return event.ok() ? written : event;
}

Status RuntimeImpl::run_writes(Writes& w) {
    constexpr std::size_t kMaxLanes = 8;
    // lanes: same key -> same lane, in order; lanes run side by side
    std::vector<std::vector<Writes::Op*>> lanes;
    std::unordered_map<std::string, std::size_t> lane_of;
    std::size_t next = 0;
    for (auto& op : w.ops) {
        std::size_t lane;
        auto it = op.key.empty() ? lane_of.end() : lane_of.find(op.key);
        if (it != lane_of.end()) {
            lane = it->second;
        } else {
            lane = next++ % kMaxLanes;
            if (!op.key.empty()) lane_of.emplace(op.key, lane);
        }
        if (lane >= lanes.size()) lanes.resize(lane + 1);
        lanes[lane].push_back(&op);
    }
    std::vector<Status> results(lanes.size());
    auto run_lane = [&](std::size_t l) {
        for (Writes::Op* op : lanes[l]) {
            Status s = op->run();
            if (!s.ok()) {
                QRT_LOG_ERROR("store write ({}) failed: {}", op->key, s.to_string());
                if (results[l].ok()) results[l] = s;
            }
        }
    };
    std::vector<std::thread> threads;
    for (std::size_t l = 1; l < lanes.size(); ++l) threads.emplace_back(run_lane, l);
    if (!lanes.empty()) run_lane(0);
    for (auto& t : threads) t.join();
    for (const Status& s : results) {
        if (!s.ok()) return s;
    }
    return {};
}

void RuntimeImpl::kick_timer() {
    // Only a sleeping timer thread needs a kick: a running one reads next_wakeup() (under mu_)
    // before it sleeps again. Kicking it while it runs made it skip its sleep on every pass, as
    // its own decisions kick too: with any timer pending it spun at 100 % CPU.
    if (!timer_waiting_) return;
    auto next = sched_.next_wakeup();
    if (next && *next < timer_deadline_) {
        timer_kick_ = true;
        timer_cv_.notify_one();
    }
}

// ---------------------------------------------------------------------------------------------
// executors

void RuntimeImpl::executor_loop(Executor& ex) {
    for (;;) {
        Task t;
        {
            std::unique_lock<std::mutex> g(ex.m);
            ex.cv.wait(g, [&] { return ex.exit || !ex.tasks.empty(); });
            if (ex.exit) return;  // stop(): tasks left behind go back to Queued
            t = std::move(ex.tasks.front());
            ex.tasks.pop_front();
        }
        run_task(ex, std::move(t));
    }
}

void RuntimeImpl::run_task(Executor& ex, Task t) {
    if (t.started) t.started->wait();  // the Running record is durable first
    backends::Backend& be = *ex.backend;
    const std::uint64_t seed = seed_for(t.job_id);
    if (t.system) {  // rule P1: a calibration
        Result<Duration> held = internal_error("calibration did not run");
        try {
            held = be.calibrate(clock_.now(), seed);
        } catch (const std::exception& e) {
            held = internal_error(fmt::format("calibration threw: {}", e.what()));
        }
        if (!held.ok()) {
            report(t, sched::JobOutcome::kFailedSystem, held.status().message(), std::nullopt);
            return;
        }
        backends::JobExecution exec;
        exec.qpu_time = *held;
        exec.result_json =
            fmt::format(R"({{"calibrated_at":{},"held_seconds":{}}})",
                        json_string(format_iso8601(clock_.now())), to_seconds(*held));
        exec.log_lines.push_back(
            fmt::format("calibration of {} ({:g} s)", be.name(), to_seconds(*held)));
        report(t, sched::JobOutcome::kCompleted, "", std::move(exec));
        return;
    }
    if (t.params_json.empty()) {  // large params were left in the store
        auto rec = store_->get_job(t.job_id, /*with_params=*/true);
        if (!rec.ok()) {
            report(t, sched::JobOutcome::kFailedSystem,
                   fmt::format("could not read the job's params: {}", rec.status().message()),
                   std::nullopt);
            return;
        }
        t.params_json = std::move(rec->params_json);
    }
    backends::JobRequest req;
    req.job_id = t.job_id;
    req.program_id = t.program_id;
    req.params_json = std::move(t.params_json);
    req.seed = seed;
    req.stop = t.stop.get();
    Result<backends::JobExecution> r = internal_error("the job did not run");
    try {
        r = be.run(req);
    } catch (const std::exception& e) {
        r = internal_error(fmt::format("the backend failed: {}", e.what()));
    }
    if (r.ok()) {
        report(t, sched::JobOutcome::kCompleted, "", std::move(r).value());
        return;
    }
    const Status& s = r.status();
    switch (s.code()) {
        case ErrorCode::kInvalidArgument:
        case ErrorCode::kUnimplemented:
        case ErrorCode::kResourceExhausted:
            report(t, sched::JobOutcome::kFailedUser, s.message(), std::nullopt);
            return;
        case ErrorCode::kCancelled:
            report(t, sched::JobOutcome::kStopped, s.message(), std::nullopt);
            return;
        default:
            report(t, sched::JobOutcome::kFailedSystem, s.message(), std::nullopt);
            return;
    }
}

void RuntimeImpl::report(const Task& t, sched::JobOutcome outcome, std::string message,
                         std::optional<backends::JobExecution> execution) {
    Lock lk(mu_);
    auto it = live_.find(t.job_id);
    if (it == live_.end()) return;
    Writes w;
    if (outcome == sched::JobOutcome::kStopped) {
        auto info = sched_.job(t.job_id);
        bool asked = info.ok() && info->stop_requested;
        if (!asked) {
            if (stopping_) {  // stopped by stop(): runs again after the restart
                requeue_for_restart(t.job_id, w);
                (void)flush(lk, std::move(w));
                return;
            }
            outcome = sched::JobOutcome::kFailedSystem;
            message = fmt::format("the backend stopped the job on its own: {}", message);
        }
    }
    it->second.execution = std::move(execution);
    Status s = sched_.job_finished(now_locked(), t.job_id, outcome, std::move(message));
    if (!s.ok()) QRT_LOG_ERROR("job {}: finishing it failed: {}", t.job_id, s.to_string());
    apply_events(w);
    (void)flush(lk, std::move(w));
}

void RuntimeImpl::requeue_for_restart(const std::string& id, Writes& w) {
    auto it = live_.find(id);
    if (it == live_.end()) return;
    store::JobRecord r = it->second.record;
    r.status = "Queued";
    r.started.reset();
    r.params_json.clear();
    if (r.attempts > 0) --r.attempts;  // an interruption by a graceful stop is not an attempt
    if (!r.logs.empty()) r.logs += '\n';
    r.logs += fmt::format(
        "{} qrt: the service stopped while this job was running; it is queued "
        "again and runs after the restart",
        format_iso8601(clock_.now()));
    w.add("job:" + id, [this, r] { return store_->update_job(r); });
    w.finals = true;  // wake wait_job() callers so that they see the service stop
    erase_live(id);
}

// ---------------------------------------------------------------------------------------------
// timer thread: scheduler timers and calibrations

Duration RuntimeImpl::timer_poll_cap() const {
    // A virtual clock moves without telling anyone: poll it often. The system clock: wake once a
    // second anyway, in case the wall clock jumped.
    return dynamic_cast<const SystemClock*>(&clock_) != nullptr
               ? Duration(std::chrono::seconds(1))
               : Duration(std::chrono::milliseconds(10));
}

void RuntimeImpl::timer_loop() {
    const Duration cap = timer_poll_cap();
    Lock lk(mu_);
    while (!timer_exit_) {
        timer_wakeups_->inc();
        Timestamp now = now_locked();
        Writes w;
        Status s = sched_.advance(now);
        if (!s.ok()) QRT_LOG_ERROR("scheduler advance failed: {}", s.to_string());
        apply_events(w);
        std::vector<std::string> due;
        if (config_.calibrations) {
            for (auto& [name, cal] : calibrations_) {
                if (cal.interval && !cal.pending && cal.next <= now) {
                    cal.pending = true;
                    cal.next = now + *cal.interval;
                    due.push_back(name);
                }
            }
        }
        (void)flush(lk, std::move(w));
        for (const auto& name : due) submit_calibration(name);
        lk.lock();
        if (timer_exit_) break;
        std::optional<Timestamp> wake = sched_.next_wakeup();
        if (config_.calibrations) {
            for (const auto& [name, cal] : calibrations_) {
                if (cal.interval && !cal.pending && (!wake || cal.next < *wake)) wake = cal.next;
            }
        }
        timer_deadline_ = wake.value_or(Timestamp::max());
        Duration wait = cap;
        if (wake) wait = std::clamp(*wake - clock_.now(), Duration::zero(), cap);
        if (!timer_kick_ && wait > Duration::zero()) {
            timer_waiting_ = true;
            timer_cv_.wait_for(lk, wait, [&] { return timer_exit_ || timer_kick_; });
            timer_waiting_ = false;
        }
        timer_kick_ = false;
        timer_deadline_ = Timestamp::max();
    }
}

void RuntimeImpl::submit_calibration(const std::string& backend) {
    store::JobRecord rec;
    rec.id = ids_.next("job_");
    rec.user_id = "";
    rec.instance = config_.default_instance;
    rec.backend = backend;
    rec.program_id = "calibrate";
    rec.params_json = "{}";
    rec.system = true;
    rec.created = clock_.now();
    rec.log_level = "INFO";
    Status ins = store_->insert_job(rec);
    Lock lk(mu_);
    if (!ins.ok() || stopping_) {
        if (!ins.ok()) QRT_LOG_ERROR("calibration of {}: {}", backend, ins.to_string());
        calibrations_[backend].pending = false;
        return;
    }
    std::string id = rec.id;
    add_live(std::move(rec));
    calibrations_[backend].pending = true;
    sched::JobSpec spec;
    spec.id = id;
    spec.backend = backend;
    spec.system = true;
    Status s = sched_.submit_job(now_locked(), spec);
    Writes w;
    if (!s.ok()) {
        QRT_LOG_ERROR("calibration of {}: {}", backend, s.to_string());
        erase_live(id);
        w.add("job:" + id, [this, id] { return store_->delete_job(id); });
    } else {
        count_transition(backend, "Queued");
        QRT_LOG_DEBUG_F(LogFields().for_job(id).for_backend(backend),
                        "calibration job {} queued on {}", id, backend);
    }
    apply_events(w);
    (void)flush(lk, std::move(w));
}

// ---------------------------------------------------------------------------------------------
// metrics

namespace {
constexpr const char* kJobStates[] = {"Queued", "Running", "Completed", "Failed", "Cancelled"};
}  // namespace

void RuntimeImpl::init_metrics() {
    metrics::Registry& reg = metrics::default_registry();
    auto& transitions = reg.counter(
        "qrt_job_transitions_total",
        "Jobs that entered a state (Queued on submission, Running, then a final state)",
        {"backend", "state"});
    auto& wait = reg.histogram("qrt_job_wait_seconds",
                               "Time jobs spent queued before they started running, in seconds",
                               {"backend"}, metrics::job_time_buckets());
    auto& run = reg.histogram("qrt_job_run_seconds",
                              "Time from a job's start to its final state, in seconds",
                              {"backend"}, metrics::job_time_buckets());
    for (const auto& b : backends_) {
        BackendMetrics& m = backend_metrics_[b->name()];
        for (const char* state : kJobStates) {
            m.transitions[state] = &transitions.with({b->name(), state});
        }
        m.wait = &wait.with({b->name()});
        m.run = &run.with({b->name()});
    }
    timer_wakeups_ = &reg.counter("qrt_runtime_timer_wakeups_total",
                                  "Passes of the runtime's timer thread (scheduler timers, "
                                  "calibrations)")
                          .get();
    session_activations_ =
        &reg.counter("qrt_session_activations_total",
                     "Times a session became active (got the backend for its jobs)",
                     {"backend", "mode"});
    usage_seconds_ = &reg.counter(
        "qrt_instance_usage_seconds_total",
        "Usage charged to each instance (rules F3, S14), in seconds; kind: job or session",
        {"instance", "kind"});
    collector_ = reg.add_collector(
        [this](std::vector<metrics::CollectedFamily>& out) { collect_metrics(out); });
}

void RuntimeImpl::count_transition(const std::string& backend, const std::string& state) {
    auto bm = backend_metrics_.find(backend);
    if (bm == backend_metrics_.end()) return;
    auto c = bm->second.transitions.find(state);
    if (c != bm->second.transitions.end()) c->second->inc();
}

void RuntimeImpl::track_session(const std::string& id) {
    auto info = sched_.session(id);
    if (!info.ok() || info->state == sched::SessionState::kClosed) {
        session_states_.erase(id);
        return;
    }
    session_states_[id] = {std::string(sched::to_string(info->mode)),
                           std::string(sched::to_string(info->state))};
}

void RuntimeImpl::collect_metrics(std::vector<metrics::CollectedFamily>& out) const {
    metrics::CollectedFamily jobs{"qrt_jobs",
                                  "Jobs not final yet, by backend and state (Queued, Running)",
                                  metrics::Type::kGauge,
                                  {"backend", "state"},
                                  {}};
    metrics::CollectedFamily queue{"qrt_backend_queue_length",
                                   "Jobs waiting for each backend (rule K1)",
                                   metrics::Type::kGauge,
                                   {"backend"},
                                   {}};
    metrics::CollectedFamily paused{"qrt_backend_paused", "1 while the backend is paused (rule K2)",
                                    metrics::Type::kGauge,
                                    {"backend"},
                                    {}};
    metrics::CollectedFamily sessions{"qrt_sessions",
                                      "Sessions and batches not closed, by mode and state",
                                      metrics::Type::kGauge,
                                      {"mode", "state"},
                                      {}};
    Lock lk(mu_);
    std::map<std::pair<std::string, std::string>, int> by_state;
    for (const auto& b : backends_) {
        by_state[{b->name(), "Queued"}] = 0;
        by_state[{b->name(), "Running"}] = 0;
    }
    for (const auto& [id, job] : live_) ++by_state[{job.record.backend, job.record.status}];
    for (const auto& [key, n] : by_state) {
        jobs.samples.push_back({{key.first, key.second}, static_cast<double>(n)});
    }
    for (const auto& b : backends_) {
        queue.samples.push_back({{b->name()}, static_cast<double>(sched_.queued_jobs(b->name()))});
        paused.samples.push_back({{b->name()}, sched_.backend_paused(b->name()) ? 1.0 : 0.0});
    }
    std::map<std::pair<std::string, std::string>, int> by_mode;
    for (const char* mode : {"dedicated", "batch"}) {
        for (const char* state : {"open", "active", "inactive"}) by_mode[{mode, state}] = 0;
    }
    for (const auto& [id, ms] : session_states_) ++by_mode[ms];
    lk.unlock();
    for (const auto& [key, n] : by_mode) {
        sessions.samples.push_back({{key.first, key.second}, static_cast<double>(n)});
    }
    out.push_back(std::move(jobs));
    out.push_back(std::move(queue));
    out.push_back(std::move(paused));
    out.push_back(std::move(sessions));
}

}  // namespace qrt::runtime
