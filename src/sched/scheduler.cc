#include "sched/scheduler.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include <fmt/format.h>

namespace qrt::sched {

namespace {

constexpr std::uint32_t kUserTag = 0x80000000u;  // account_owner_: users carry this bit

std::string secs(Duration d) { return fmt::format("{:g} s", to_seconds(d)); }

std::string when(Timestamp t) { return format_iso8601(t); }

const std::string kNoJob;

Decision decision(DecisionKind kind, Timestamp at, std::string job, std::string backend) {
    Decision d;
    d.kind = kind;
    d.at = at;
    d.job = std::move(job);
    d.backend = std::move(backend);
    return d;
}

}  // namespace

Scheduler::Scheduler(Settings settings, Timestamp start)
    : settings_(settings),
      now_(start),
      ledger_(settings.policy, settings.fair_share_window, settings.half_life,
              settings.usage_bucket, start) {}

// ---------------------------------------------------------------------------------------------
// configuration

Status Scheduler::add_backend(const BackendSpec& spec) {
    if (spec.name.empty()) return invalid_argument("backend name is empty");
    if (spec.num_qubits < 0) return invalid_argument("num_qubits must not be negative");
    if (backend_ids_.count(spec.name)) {
        return already_exists(fmt::format("backend '{}' already exists", spec.name));
    }
    backend_ids_[spec.name] = static_cast<std::uint32_t>(backends_.size());
    Backend be;
    be.name = spec.name;
    be.num_qubits = spec.num_qubits;
    backends_.push_back(std::move(be));
    return {};
}

Status Scheduler::add_instance(const InstanceSpec& spec) {
    if (spec.name.empty()) return invalid_argument("instance name is empty");
    if (instance_ids_.count(spec.name)) {
        return already_exists(fmt::format("instance '{}' already exists", spec.name));
    }
    QRT_RETURN_IF_ERROR(check_instance_spec(spec));
    auto idx = static_cast<std::uint32_t>(instances_.size());
    instance_ids_[spec.name] = idx;
    Instance in;
    in.spec = spec;
    in.account = ledger_.add_account();
    account_owner_.push_back(idx);
    instances_.push_back(std::move(in));
    share_sum_ += spec.share;
    for (const auto& [user, share] : spec.user_shares) users_[user_of(idx, user)].share = share;
    refresh_limit(idx);  // a zero limit blocks at once
    return {};
}

Status Scheduler::check_instance_spec(const InstanceSpec& spec) const {
    if (!(spec.share > 0) || !std::isfinite(spec.share)) {
        return invalid_argument(fmt::format("instance '{}': share must be a positive number",
                                            spec.name));
    }
    if (spec.hard_limit && *spec.hard_limit < Duration::zero()) {
        return invalid_argument(fmt::format("instance '{}': hard_limit is negative", spec.name));
    }
    if (spec.interactive_ttl && *spec.interactive_ttl <= Duration::zero()) {
        return invalid_argument(
            fmt::format("instance '{}': interactive_ttl must be positive", spec.name));
    }
    for (const auto& [user, share] : spec.user_shares) {
        if (!(share > 0) || !std::isfinite(share)) {
            return invalid_argument(fmt::format(
                "instance '{}': share of user '{}' must be a positive number", spec.name, user));
        }
    }
    return {};
}

Status Scheduler::set_user_share(const std::string& instance, const std::string& user,
                                 double share) {
    auto it = instance_ids_.find(instance);
    if (it == instance_ids_.end()) return not_found(fmt::format("no instance '{}'", instance));
    if (!(share > 0) || !std::isfinite(share)) {
        return invalid_argument("user share must be a positive number");
    }
    std::uint32_t u = user_of(it->second, user);
    users_[u].share = share;
    rekey_user(u);
    return {};
}

std::uint32_t Scheduler::user_of(std::uint32_t instance, const std::string& name) {
    Instance& in = instances_[instance];
    auto it = in.users.find(name);
    if (it != in.users.end()) return it->second;
    auto idx = static_cast<std::uint32_t>(users_.size());
    User u;
    u.name = name;
    u.instance = instance;
    u.account = ledger_.add_account();
    account_owner_.push_back(idx | kUserTag);
    users_.push_back(std::move(u));
    in.users.emplace(name, idx);
    return idx;
}

// ---------------------------------------------------------------------------------------------
// time and timers

Status Scheduler::enter(Timestamp now) {
    if (now < now_) {
        return invalid_argument(fmt::format("event at {} is earlier than the scheduler's time {}",
                                            when(now), when(now_)));
    }
    while (!timers_.empty() && timers_.begin()->at <= now) {
        Timer t = *timers_.begin();
        now_ = t.at;
        fire(t);
        dispatch();
    }
    now_ = now;
    return {};
}

Status Scheduler::advance(Timestamp now) {
    QRT_RETURN_IF_ERROR(enter(now));
    dispatch();
    return {};
}

std::optional<Timestamp> Scheduler::next_wakeup() const {
    if (timers_.empty()) return std::nullopt;
    return timers_.begin()->at;
}

std::vector<Decision> Scheduler::take_decisions() {
    std::vector<Decision> out;
    out.swap(out_);
    return out;
}

void Scheduler::set_timer(TimerSlot& slot, Timestamp at, TimerKind kind, std::uint32_t target) {
    clear_timer(slot);
    Timer t{std::max(at, now_), ++seq_, kind, target};
    timers_.insert(t);
    slot = t;
}

void Scheduler::clear_timer(TimerSlot& slot) {
    if (slot) {
        timers_.erase(*slot);
        slot.reset();
    }
}

void Scheduler::fire(const Timer& t) {
    switch (t.kind) {
        case TimerKind::kSessionIdle: {  // rule S5: no job queued within the interactive TTL
            clear_timer(sessions_[t.target].idle_timer);
            deactivate(t.target);
            break;
        }
        case TimerKind::kSessionMaxTtl: {  // rule S8
            clear_timer(sessions_[t.target].max_timer);
            close(t.target, CloseReason::kMaxTtl);
            break;
        }
        case TimerKind::kSessionUnused: {  // rule S12
            clear_timer(sessions_[t.target].unused_timer);
            close(t.target, CloseReason::kUnused);
            break;
        }
        case TimerKind::kJobLimit: {  // rule J3
            Job& j = jobs_[t.target];
            clear_timer(j.limit_timer);
            if (j.state == JobState::kRunning && !j.stop_requested) {
                j.stop_requested = true;
                j.stop_reason = ReasonCode::kRanTooLong;
                Decision d = decision(DecisionKind::kStopJob, now_, j.id, backends_[j.backend].name);
                d.reason = ReasonCode::kRanTooLong;
                d.message = fmt::format("job ran longer than its limit of {}", secs(j.limit));
                out_.push_back(std::move(d));
            }
            break;
        }
        case TimerKind::kReservation: {
            clear_timer(backends_[t.target].reservation_timer);
            reservation_edge(t.target);
            break;
        }
        case TimerKind::kUsageExpiry: {  // rule F1: usage leaves the rolling window
            clear_timer(expiry_timer_);
            std::vector<std::uint32_t> changed;
            ledger_.expire(now_, changed);
            for (std::uint32_t acc : changed) {
                std::uint32_t owner = account_owner_[acc];
                if (owner & kUserTag) {
                    rekey_user(owner & ~kUserTag);
                } else {
                    rekey_instance(owner);
                    refresh_limit(owner);
                }
            }
            if (auto next = ledger_.next_expiry()) {
                set_timer(expiry_timer_, *next, TimerKind::kUsageExpiry, 0);
            }
            break;
        }
        case TimerKind::kLimitRelease: {  // rule F5
            clear_timer(instances_[t.target].limit_timer);
            refresh_limit(t.target);
            break;
        }
    }
}

void Scheduler::mark_dirty(std::uint32_t b) {
    if (!backends_[b].dirty) {
        backends_[b].dirty = true;
        dirty_.push_back(b);
    }
}

void Scheduler::dispatch() {
    while (!dirty_.empty()) {
        std::vector<std::uint32_t> batch;
        batch.swap(dirty_);
        for (std::uint32_t b : batch) {
            backends_[b].dirty = false;
            std::uint32_t slot = pick(b);
            if (slot != kNone) start_job(slot);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// picking: the priority classes P1-P4

bool Scheduler::holds_exclusively(const Backend& be) const {
    if (be.active == kNone) return false;
    const Session& s = sessions_[be.active];
    return s.info.mode == SessionMode::kDedicated && s.info.state == SessionState::kActive;
}

std::uint32_t Scheduler::reserved_for(const Backend& be) const {
    return be.open_reservation == kNone ? kNone
                                        : be.reservations[be.open_reservation].instance;
}

std::uint32_t Scheduler::pick(std::uint32_t b) const {
    const Backend& be = backends_[b];
    if (be.paused || be.running != kNone) return kNone;  // rule K2; one job at a time
    bool exclusive = holds_exclusively(be);
    // rule P1: system jobs first, never inside an active dedicated session (S4)
    if (!exclusive && !be.system_queue.empty()) return be.system_queue.begin()->second;
    std::uint32_t reserved = reserved_for(be);  // rule P2 / R1
    if (be.active != kNone) {
        const Session& s = sessions_[be.active];
        if (reserved == kNone || s.instance == reserved) {
            // rule P3 / S3: the active workload's jobs first; B3: a batch runs shortest first
            if (!s.queue.empty()) return std::get<2>(*s.queue.begin());
            if (exclusive) return kNone;  // rule S4: the backend waits for the session
        }
    }
    return pick_fair_share(be, reserved);
}

std::uint32_t Scheduler::pick_fair_share(const Backend& be, std::uint32_t only_instance) const {
    const InstanceQueue* q = nullptr;
    if (only_instance != kNone) {
        // rule R1: inside a reservation only that instance runs (its hard limit does not apply)
        auto it = be.queues.find(only_instance);
        if (it == be.queues.end()) return kNone;
        q = &it->second;
    } else {
        // rule F2: lowest usage/ideal ratio first (F5: instances at their limit are unlisted)
        if (be.instance_order.empty()) return kNone;
        q = &be.queues.at(std::get<2>(*be.instance_order.begin()));
    }
    // rule F4: second level, the user with the lowest ratio; then FIFO (F2)
    const UserQueue& uq = q->users.at(std::get<2>(*q->user_order.begin()));
    return uq.jobs.begin()->second;
}

// ---------------------------------------------------------------------------------------------
// queues

double Scheduler::instance_key(std::uint32_t i) const {
    return ledger_.key(instances_[i].account) / instances_[i].spec.share;
}

double Scheduler::user_key(std::uint32_t u) const {
    return ledger_.key(users_[u].account) / users_[u].share;
}

void Scheduler::list_instance(Backend& be, std::uint32_t i, InstanceQueue& q) {
    if (q.listed || q.all.empty()) return;
    q.key = {instance_key(i), q.all.begin()->first, i};
    be.instance_order.insert(q.key);
    q.listed = true;
}

void Scheduler::unlist_instance(Backend& be, InstanceQueue& q) {
    if (!q.listed) return;
    be.instance_order.erase(q.key);
    q.listed = false;
}

void Scheduler::enqueue(std::uint32_t slot) {
    Job& j = jobs_[slot];
    Backend& be = backends_[j.backend];
    JobKey key{j.seq, slot};
    ++be.queued;
    if (j.system) {
        be.system_queue.insert(key);
        return;
    }
    if (j.session != kNone) {
        Session& s = sessions_[j.session];
        std::int64_t order = s.info.mode == SessionMode::kBatch ? j.estimate.count() : 0;
        s.queue.insert({order, j.seq, slot});
    }
    auto [qit, fresh] = be.queues.try_emplace(j.instance);
    InstanceQueue& q = qit->second;
    if (fresh) instances_[j.instance].backends.push_back(j.backend);
    auto [uit, new_user] = q.users.try_emplace(j.user);
    UserQueue& uq = uit->second;
    uq.jobs.insert(key);
    if (new_user) {
        uq.key = {user_key(j.user), j.seq, j.user};
        q.user_order.insert(uq.key);
    }
    q.all.insert(key);
    if (!instances_[j.instance].at_limit) list_instance(be, j.instance, q);
}

void Scheduler::dequeue(std::uint32_t slot) {
    Job& j = jobs_[slot];
    Backend& be = backends_[j.backend];
    JobKey key{j.seq, slot};
    --be.queued;
    if (j.system) {
        be.system_queue.erase(key);
        return;
    }
    if (j.session != kNone) {
        Session& s = sessions_[j.session];
        std::int64_t order = s.info.mode == SessionMode::kBatch ? j.estimate.count() : 0;
        s.queue.erase({order, j.seq, slot});
    }
    InstanceQueue& q = be.queues.at(j.instance);
    UserQueue& uq = q.users.at(j.user);
    bool user_head = *uq.jobs.begin() == key;
    uq.jobs.erase(key);
    if (uq.jobs.empty()) {
        q.user_order.erase(uq.key);
        q.users.erase(j.user);
    } else if (user_head) {
        q.user_order.erase(uq.key);
        std::get<1>(uq.key) = uq.jobs.begin()->first;
        q.user_order.insert(uq.key);
    }
    bool instance_head = *q.all.begin() == key;
    q.all.erase(key);
    if (q.all.empty()) {
        unlist_instance(be, q);
        be.queues.erase(j.instance);
        auto& bs = instances_[j.instance].backends;
        bs.erase(std::find(bs.begin(), bs.end(), j.backend));
    } else if (instance_head && q.listed) {
        be.instance_order.erase(q.key);
        std::get<1>(q.key) = q.all.begin()->first;
        be.instance_order.insert(q.key);
    }
}

void Scheduler::rekey_instance(std::uint32_t i) {
    double k = instance_key(i);
    for (std::uint32_t b : instances_[i].backends) {
        Backend& be = backends_[b];
        InstanceQueue& q = be.queues.at(i);
        if (!q.listed) continue;
        be.instance_order.erase(q.key);
        std::get<0>(q.key) = k;
        be.instance_order.insert(q.key);
    }
}

void Scheduler::rekey_user(std::uint32_t u) {
    double k = user_key(u);
    for (std::uint32_t b : instances_[users_[u].instance].backends) {
        InstanceQueue& q = backends_[b].queues.at(users_[u].instance);
        auto it = q.users.find(u);
        if (it == q.users.end()) continue;
        q.user_order.erase(it->second.key);
        std::get<0>(it->second.key) = k;
        q.user_order.insert(it->second.key);
    }
}

void Scheduler::refresh_limit(std::uint32_t i) {  // rule F5
    Instance& in = instances_[i];
    if (!in.spec.hard_limit) return;
    double limit = to_seconds(*in.spec.hard_limit);
    bool over = ledger_.usage(in.account, now_) >= limit;
    if (over != in.at_limit) {
        in.at_limit = over;
        for (std::uint32_t b : in.backends) {
            Backend& be = backends_[b];
            InstanceQueue& q = be.queues.at(i);
            if (over) {
                unlist_instance(be, q);
            } else {
                list_instance(be, i, q);
                mark_dirty(b);
            }
        }
    }
    if (over) {
        Timestamp release = ledger_.time_below(in.account, limit, now_);
        if (release != Timestamp::max()) {
            set_timer(in.limit_timer, release, TimerKind::kLimitRelease, i);
        } else {
            clear_timer(in.limit_timer);
        }
    } else {
        clear_timer(in.limit_timer);
    }
}

void Scheduler::charge(std::uint32_t instance, std::uint32_t user, Duration amount,
                       UsageKind kind, const std::string& job, const std::string& session) {
    if (amount <= Duration::zero()) return;
    last_charge_at_ = std::max(last_charge_at_, now_);
    if (charge_log_on_) {
        charges_.push_back(UsageCharge{now_, instances_[instance].spec.name, users_[user].name,
                                       job, session, kind, amount});
    }
    bool rebased = ledger_.charge(instances_[instance].account, amount, now_);
    rebased |= ledger_.charge(users_[user].account, amount, now_);
    if (rebased) {  // every key was rescaled: re-key all (once per ~400 half-lives)
        for (std::uint32_t i = 0; i < instances_.size(); ++i) rekey_instance(i);
        for (std::uint32_t u = 0; u < users_.size(); ++u) rekey_user(u);
    } else {
        rekey_instance(instance);
        rekey_user(user);
    }
    refresh_limit(instance);
    if (!expiry_timer_) {
        if (auto next = ledger_.next_expiry()) {
            set_timer(expiry_timer_, *next, TimerKind::kUsageExpiry, 0);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// jobs

Status Scheduler::submit_job(Timestamp now, const JobSpec& spec) {
    QRT_RETURN_IF_ERROR(enter(now));
    if (spec.id.empty()) return invalid_argument("job id is empty");
    if (job_ids_.count(spec.id)) return already_exists(fmt::format("job '{}' exists", spec.id));
    auto bit = backend_ids_.find(spec.backend);
    if (bit == backend_ids_.end()) return not_found(fmt::format("no backend '{}'", spec.backend));
    if (spec.estimated_duration < Duration::zero()) {
        return invalid_argument("estimated_duration must not be negative");
    }
    if (spec.max_execution_time && *spec.max_execution_time <= Duration::zero()) {
        return invalid_argument("max_execution_time must be positive");
    }
    std::uint32_t instance = kNone;
    std::uint32_t session = kNone;
    if (spec.system) {
        if (!spec.session.empty()) return invalid_argument("a system job cannot join a session");
    } else {
        auto iit = instance_ids_.find(spec.instance);
        if (iit == instance_ids_.end()) {
            return not_found(fmt::format("no instance '{}'", spec.instance));
        }
        instance = iit->second;
        if (!spec.session.empty()) {
            auto sit = session_ids_.find(spec.session);
            if (sit == session_ids_.end()) {
                return not_found(fmt::format("no session '{}'", spec.session));
            }
            session = sit->second;
            const Session& s = sessions_[session];
            if (s.backend != bit->second) {
                return invalid_argument(fmt::format("session '{}' runs on backend '{}', not '{}'",
                                                    spec.session, s.info.backend, spec.backend));
            }
            if (s.instance != instance) {
                return Status{ErrorCode::kPermissionDenied,
                              fmt::format("session '{}' belongs to instance '{}', not '{}'",
                                          spec.session, s.info.instance, spec.instance)};
            }
            // rule S11
            if (s.info.state == SessionState::kClosed) {
                return failed_precondition(fmt::format(
                    "session '{}' is closed ({}); it accepts no new jobs", spec.session,
                    to_string(s.info.close_reason)));
            }
            if (!s.info.accepting_jobs) {
                return failed_precondition(fmt::format(
                    "session '{}' is not accepting new jobs (it was closed and is draining)",
                    spec.session));
            }
        }
    }

    std::uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
        jobs_[slot] = Job{};
    } else {
        slot = static_cast<std::uint32_t>(jobs_.size());
        jobs_.emplace_back();
    }
    Job& j = jobs_[slot];
    j.id = spec.id;
    j.backend = bit->second;
    j.instance = instance;
    j.user = spec.system ? kNone : user_of(instance, spec.user);
    j.session = session;
    j.system = spec.system;
    j.seq = ++seq_;
    j.submitted = now_;
    j.estimate = spec.estimated_duration;
    j.limit = std::min(spec.max_execution_time.value_or(settings_.job_time_cap),
                       settings_.job_time_cap);
    job_ids_.emplace(spec.id, slot);
    ++live_jobs_;
    enqueue(slot);
    if (session != kNone) {
        Session& s = sessions_[session];
        s.had_job = true;
        clear_timer(s.unused_timer);
        clear_timer(s.idle_timer);  // rule S5: a job queued in time keeps it active
    }
    mark_dirty(j.backend);
    dispatch();
    return {};
}

void Scheduler::start_job(std::uint32_t slot) {
    Job& j = jobs_[slot];
    Backend& be = backends_[j.backend];
    dequeue(slot);
    j.state = JobState::kRunning;
    j.started = now_;
    be.running = slot;
    j.in_reservation = j.instance != kNone && reserved_for(be) == j.instance;
    set_timer(j.limit_timer, now_ + j.limit, TimerKind::kJobLimit, slot);
    Decision d = decision(DecisionKind::kStartJob, now_, j.id, be.name);
    d.job_state = JobState::kRunning;
    if (j.session != kNone) d.session = sessions_[j.session].info.id;
    out_.push_back(std::move(d));
    if (j.session == kNone) return;
    std::uint32_t sid = j.session;
    Session& s = sessions_[sid];
    // rule S1 / S6: a fair-share pick of a workload's job (re)activates the workload
    if (s.info.state != SessionState::kActive) activate(sid);
    if (s.committed) account_session(s, /*busy=*/false);  // idle up to this start
    s.running = slot;
    s.info.last_job_started = now_;
    clear_timer(s.idle_timer);
}

void Scheduler::end_job(std::uint32_t slot, JobState state, ReasonCode reason,
                        std::string message) {
    Job& j = jobs_[slot];
    bool was_running = j.state == JobState::kRunning;
    if (j.state == JobState::kQueued) dequeue(slot);
    j.state = state;
    j.finished = now_;
    j.reason = reason;
    j.message = std::move(message);
    Decision d = decision(DecisionKind::kEndJob, now_, j.id, backends_[j.backend].name);
    d.job_state = state;
    d.reason = reason;
    d.message = j.message;
    if (j.session != kNone) d.session = sessions_[j.session].info.id;
    out_.push_back(std::move(d));

    if (was_running) {
        Backend& be = backends_[j.backend];
        be.running = kNone;
        clear_timer(j.limit_timer);
        mark_dirty(j.backend);
        // rule F3: a system failure is not charged; everything else is, up to its end
        j.usage = reason == ReasonCode::kSystemError ? Duration::zero() : now_ - *j.started;
        if (!j.system) {
            Instance& in = instances_[j.instance];
            Session* s = j.session == kNone ? nullptr : &sessions_[j.session];
            if (j.in_reservation) {
                totals_.reserved += j.usage;
                in.totals.reserved += j.usage;
            }
            if (s != nullptr && s->committed) {
                account_session(*s, /*busy=*/true);  // rule S14: the session is charged
            } else {
                bool batch = s != nullptr && s->info.mode == SessionMode::kBatch;
                charge(j.instance, j.user, j.usage, batch ? UsageKind::kBatch : UsageKind::kJob,
                       j.id, s != nullptr ? s->info.id : std::string());
                (batch ? totals_.batch : totals_.job_mode) += j.usage;
                (batch ? in.totals.batch : in.totals.job_mode) += j.usage;
                if (s != nullptr) s->info.busy_time += j.usage;  // rule B4
            }
        }
    }

    if (j.session != kNone) {
        std::uint32_t sid = j.session;
        Session& s = sessions_[sid];
        if (was_running) {
            s.running = kNone;
            s.info.last_job_completed = now_;
            if (s.info.state != SessionState::kActive) s.committed = false;  // rule S14 tail
        }
        if (s.info.state != SessionState::kClosed && s.running == kNone && s.queue.empty()) {
            if (!s.info.accepting_jobs) {
                close(sid, CloseReason::kDrained);  // rule S9: closed at once when drained
            } else if (s.info.state == SessionState::kActive && !s.idle_timer) {
                // rule S5: the interactive timer starts when a session job finishes
                set_timer(s.idle_timer, now_ + s.info.interactive_ttl, TimerKind::kSessionIdle,
                          sid);
            }
        }
    }

    --live_jobs_;
    if (!settings_.retain_final_jobs) {
        job_ids_.erase(j.id);
        j = Job{};
        free_slots_.push_back(slot);
    }
}

Status Scheduler::cancel_job(Timestamp now, const std::string& id) {
    QRT_RETURN_IF_ERROR(enter(now));
    auto it = job_ids_.find(id);
    if (it == job_ids_.end()) return not_found(fmt::format("no job '{}'", id));
    std::uint32_t slot = it->second;
    Job& j = jobs_[slot];
    if (is_final(j.state)) {  // rule J4
        return failed_precondition(fmt::format("job '{}' is already {}; it cannot be cancelled",
                                               id, to_string(j.state)));
    }
    if (j.state == JobState::kQueued) {
        // rule S17: nothing of a session depends on one job, so no other job fails with it
        end_job(slot, JobState::kCancelled, ReasonCode::kCancelledByUser, "cancelled by the user");
    } else if (!j.stop_requested) {
        j.stop_requested = true;
        j.stop_reason = ReasonCode::kCancelledByUser;
        Decision d = decision(DecisionKind::kStopJob, now_, j.id, backends_[j.backend].name);
        d.reason = ReasonCode::kCancelledByUser;
        d.message = "cancelled by the user";
        out_.push_back(std::move(d));
    }
    dispatch();
    return {};
}

Status Scheduler::job_finished(Timestamp now, const std::string& id, JobOutcome outcome,
                               std::string message) {
    QRT_RETURN_IF_ERROR(enter(now));
    auto it = job_ids_.find(id);
    if (it == job_ids_.end()) return not_found(fmt::format("no job '{}'", id));
    std::uint32_t slot = it->second;
    Job& j = jobs_[slot];
    if (j.state != JobState::kRunning) {
        return failed_precondition(
            fmt::format("job '{}' is {}, not Running", id, to_string(j.state)));
    }
    if (outcome == JobOutcome::kStopped && !j.stop_requested) {
        return invalid_argument(fmt::format("job '{}' was not asked to stop", id));
    }
    switch (outcome) {
        case JobOutcome::kCompleted:
            end_job(slot, JobState::kCompleted, ReasonCode::kNone, std::move(message));
            break;
        case JobOutcome::kFailedUser:
            end_job(slot, JobState::kFailed, ReasonCode::kUserError, std::move(message));
            break;
        case JobOutcome::kFailedSystem:
            end_job(slot, JobState::kFailed, ReasonCode::kSystemError, std::move(message));
            break;
        case JobOutcome::kStopped: {
            ReasonCode r = j.stop_reason;
            std::string m = r == ReasonCode::kRanTooLong
                                ? fmt::format("ran too long (limit {})", secs(j.limit))
                                : std::string("cancelled by the user");
            end_job(slot, JobState::kCancelled, r, std::move(m));
            break;
        }
    }
    dispatch();
    return {};
}

// ---------------------------------------------------------------------------------------------
// sessions

Duration Scheduler::ittl_for(std::uint32_t instance) const {
    return instances_[instance].spec.interactive_ttl.value_or(settings_.interactive_ttl);
}

Status Scheduler::create_session(Timestamp now, const SessionSpec& spec) {
    QRT_RETURN_IF_ERROR(enter(now));
    if (spec.id.empty()) return invalid_argument("session id is empty");
    if (session_ids_.count(spec.id)) {
        return already_exists(fmt::format("session '{}' exists", spec.id));
    }
    auto bit = backend_ids_.find(spec.backend);
    if (bit == backend_ids_.end()) return not_found(fmt::format("no backend '{}'", spec.backend));
    auto iit = instance_ids_.find(spec.instance);
    if (iit == instance_ids_.end()) return not_found(fmt::format("no instance '{}'", spec.instance));
    const Instance& in = instances_[iit->second];
    bool open_plan = in.spec.plan == Plan::kOpen;
    // rule B5: open-plan batches live at most 10 minutes; rule S8: never above the maximum
    Duration cap = open_plan && spec.mode == SessionMode::kBatch ? settings_.open_plan_batch_max_ttl
                                                                 : settings_.max_ttl;
    if (spec.max_ttl) {
        if (*spec.max_ttl <= Duration::zero()) return invalid_argument("max_ttl must be positive");
        if (*spec.max_ttl > cap) {
            return invalid_argument(fmt::format(
                "max_ttl of {} exceeds the maximum of {} for {} on this {} instance",
                secs(*spec.max_ttl), secs(cap), to_string(spec.mode),
                open_plan ? "open-plan" : "paid"));
        }
    }
    auto sid = static_cast<std::uint32_t>(sessions_.size());
    session_ids_[spec.id] = sid;
    Session s;
    s.backend = bit->second;
    s.instance = iit->second;
    s.user = user_of(iit->second, spec.user);
    s.info.id = spec.id;
    s.info.backend = spec.backend;
    s.info.instance = spec.instance;
    s.info.user = spec.user;
    s.info.mode = spec.mode;
    s.info.state = SessionState::kOpen;  // rule S1: created, not started
    s.info.job_mode = open_plan && spec.mode == SessionMode::kDedicated;  // rule S15
    s.info.interactive_ttl = ittl_for(iit->second);
    s.info.max_ttl = spec.max_ttl.value_or(cap);
    s.info.created_at = now_;
    sessions_.push_back(std::move(s));
    Session& ref = sessions_[sid];
    set_timer(ref.unused_timer, now_ + settings_.unused_session_timeout,
              TimerKind::kSessionUnused, sid);
    emit_session(ref);
    return {};
}

void Scheduler::emit_session(const Session& s) {
    Decision d = decision(DecisionKind::kSessionState, now_, {}, s.info.backend);
    d.session = s.info.id;
    d.session_state = s.info.state;
    if (s.info.state == SessionState::kClosed) d.message = std::string(to_string(s.info.close_reason));
    out_.push_back(std::move(d));
}

void Scheduler::activate(std::uint32_t sid) {
    Session& s = sessions_[sid];
    Backend& be = backends_[s.backend];
    if (!s.info.started_at) {
        // rule S1: started when the first job starts; rule S8: max_ttl runs from here, no pause
        s.info.started_at = now_;
        set_timer(s.max_timer, now_ + s.info.max_ttl, TimerKind::kSessionMaxTtl, sid);
    }
    s.info.activated_at = now_;
    s.info.state = SessionState::kActive;
    clear_timer(s.unused_timer);
    if (!s.info.job_mode) {  // rule S15: job-mode sessions take no priority
        if (be.active != kNone && be.active != sid) deactivate(be.active);  // rule S7
        be.active = sid;
        if (s.info.mode == SessionMode::kDedicated) {
            s.committed = true;
            s.mark = now_;
        }
    }
    emit_session(s);
}

void Scheduler::account_session(Session& s, bool busy) {  // rule S14
    Duration delta = now_ - s.mark;
    s.mark = now_;
    if (delta <= Duration::zero()) return;
    Instance& in = instances_[s.instance];
    (busy ? s.info.busy_time : s.info.idle_time) += delta;
    totals_.session += delta;
    in.totals.session += delta;
    if (!busy) {
        totals_.session_idle += delta;
        in.totals.session_idle += delta;
    }
    // the busy segment ends with the session's running job; idle time belongs to no job
    const std::string& job = busy && s.running != kNone ? jobs_[s.running].id : kNoJob;
    charge(s.instance, s.user, delta, UsageKind::kSession, job, s.info.id);
}

void Scheduler::deactivate(std::uint32_t sid) {  // rule S5 / S7
    Session& s = sessions_[sid];
    if (s.info.state != SessionState::kActive) return;
    Backend& be = backends_[s.backend];
    s.info.state = SessionState::kInactive;
    clear_timer(s.idle_timer);
    if (be.active == sid) {
        be.active = kNone;
        mark_dirty(s.backend);
    }
    if (s.committed && s.running == kNone) {
        account_session(s, /*busy=*/false);
        s.committed = false;
    }
    emit_session(s);
}

void Scheduler::close(std::uint32_t sid, CloseReason why) {
    Session& s = sessions_[sid];
    if (s.info.state == SessionState::kClosed) return;
    Backend& be = backends_[s.backend];
    s.info.state = SessionState::kClosed;
    s.info.accepting_jobs = false;
    s.info.closed_at = now_;
    s.info.close_reason = why;
    clear_timer(s.idle_timer);
    clear_timer(s.max_timer);
    clear_timer(s.unused_timer);
    if (be.active == sid) {
        be.active = kNone;
        mark_dirty(s.backend);
    }
    // rule S8: queued jobs fail; rule S10: queued jobs are cancelled; a running job finishes
    std::vector<std::uint32_t> queued;
    for (const auto& k : s.queue) queued.push_back(std::get<2>(k));
    for (std::uint32_t slot : queued) {
        if (why == CloseReason::kCancelled) {
            end_job(slot, JobState::kCancelled, ReasonCode::kSessionCancelled,
                    "the session was cancelled");
        } else {
            end_job(slot, JobState::kFailed, ReasonCode::kSessionExpired,
                    fmt::format("the session reached its max_ttl of {} before this job started",
                                secs(sessions_[sid].info.max_ttl)));
        }
    }
    Session& s2 = sessions_[sid];
    if (s2.committed && s2.running == kNone) {
        account_session(s2, /*busy=*/false);
        s2.committed = false;
    }
    emit_session(s2);
}

Status Scheduler::close_session(Timestamp now, const std::string& id) {  // rule S9
    QRT_RETURN_IF_ERROR(enter(now));
    auto it = session_ids_.find(id);
    if (it == session_ids_.end()) return not_found(fmt::format("no session '{}'", id));
    Session& s = sessions_[it->second];
    if (s.info.state == SessionState::kClosed || !s.info.accepting_jobs) return {};
    s.info.accepting_jobs = false;
    if (s.queue.empty() && s.running == kNone) {
        close(it->second, CloseReason::kDrained);
    } else {
        emit_session(s);
    }
    dispatch();
    return {};
}

Status Scheduler::cancel_session(Timestamp now, const std::string& id) {  // rule S10
    QRT_RETURN_IF_ERROR(enter(now));
    auto it = session_ids_.find(id);
    if (it == session_ids_.end()) return not_found(fmt::format("no session '{}'", id));
    close(it->second, CloseReason::kCancelled);
    dispatch();
    return {};
}

// ---------------------------------------------------------------------------------------------
// reservations and backends

Status Scheduler::add_reservation(Timestamp now, const ReservationSpec& spec) {
    QRT_RETURN_IF_ERROR(enter(now));
    auto bit = backend_ids_.find(spec.backend);
    if (bit == backend_ids_.end()) return not_found(fmt::format("no backend '{}'", spec.backend));
    auto iit = instance_ids_.find(spec.instance);
    if (iit == instance_ids_.end()) return not_found(fmt::format("no instance '{}'", spec.instance));
    if (spec.end <= spec.start) return invalid_argument("a reservation must end after it starts");
    if (spec.end <= now_) return invalid_argument("the reservation window is already over");
    Backend& be = backends_[bit->second];
    for (const Reservation& r : be.reservations) {
        if (spec.start < r.end && r.start < spec.end) {
            return failed_precondition(fmt::format(
                "backend '{}' is already reserved for '{}' from {} to {}", spec.backend,
                instances_[r.instance].spec.name, when(r.start), when(r.end)));
        }
    }
    auto pos = std::find_if(be.reservations.begin(), be.reservations.end(),
                            [&](const Reservation& r) { return r.start > spec.start; });
    be.reservations.insert(pos, Reservation{iit->second, spec.start, spec.end});
    reservation_edge(bit->second);
    dispatch();
    return {};
}

void Scheduler::reservation_edge(std::uint32_t b) {
    Backend& be = backends_[b];
    std::uint32_t before = reserved_for(be);
    // forget windows that are over
    std::erase_if(be.reservations, [&](const Reservation& r) { return r.end <= now_; });
    be.open_reservation = kNone;
    for (std::uint32_t k = 0; k < be.reservations.size(); ++k) {
        if (be.reservations[k].start <= now_) be.open_reservation = k;
    }
    std::uint32_t after = reserved_for(be);
    if (before != after) {
        if (be.active != kNone) {
            std::uint32_t owner = sessions_[be.active].instance;
            // rule R2: at the window's end the reserving instance's workload loses its hold and
            // its jobs go back to the fair-share queue; at a window's start another instance's
            // workload gives way (R1)
            if ((before != kNone && owner == before) || (after != kNone && owner != after)) {
                deactivate(be.active);
            }
        }
        mark_dirty(b);
    }
    std::optional<Timestamp> next;
    if (be.open_reservation != kNone) next = be.reservations[be.open_reservation].end;
    for (const Reservation& r : be.reservations) {
        if (r.start > now_ && (!next || r.start < *next)) next = r.start;
    }
    if (next) {
        set_timer(be.reservation_timer, *next, TimerKind::kReservation, b);
    } else {
        clear_timer(be.reservation_timer);
    }
}

Status Scheduler::pause_backend(Timestamp now, const std::string& backend) {
    QRT_RETURN_IF_ERROR(enter(now));
    auto bit = backend_ids_.find(backend);
    if (bit == backend_ids_.end()) return not_found(fmt::format("no backend '{}'", backend));
    backends_[bit->second].paused = true;
    return {};
}

Status Scheduler::resume_backend(Timestamp now, const std::string& backend) {
    QRT_RETURN_IF_ERROR(enter(now));
    auto bit = backend_ids_.find(backend);
    if (bit == backend_ids_.end()) return not_found(fmt::format("no backend '{}'", backend));
    backends_[bit->second].paused = false;
    mark_dirty(bit->second);
    dispatch();
    return {};
}

// ---------------------------------------------------------------------------------------------
// restart recovery

std::string_view to_string(UsageKind k) {
    switch (k) {
        case UsageKind::kJob: return "job";
        case UsageKind::kSession: return "session";
        case UsageKind::kBatch: return "batch";
    }
    return "?";
}

std::vector<UsageCharge> Scheduler::take_charges() {
    std::vector<UsageCharge> out;
    out.swap(charges_);
    return out;
}

Status Scheduler::record_usage(Timestamp at, const std::string& instance, const std::string& user,
                               Duration amount) {
    auto it = instance_ids_.find(instance);
    if (it == instance_ids_.end()) return not_found(fmt::format("no instance '{}'", instance));
    if (amount < Duration::zero()) return invalid_argument("usage must not be negative");
    if (at > now_) {
        return invalid_argument(fmt::format("usage at {} is later than the scheduler's time {}",
                                            when(at), when(now_)));
    }
    if (at < last_charge_at_) {
        return invalid_argument(fmt::format(
            "usage at {} is earlier than a charge already made at {}; replay oldest first",
            when(at), when(last_charge_at_)));
    }
    if (amount == Duration::zero()) return {};
    // charge() reads the ledger's clock from now_: charge at `at`, then come back
    Timestamp now = now_;
    now_ = at;
    std::uint32_t i = it->second;
    std::uint32_t u = user_of(i, user);
    bool log = charge_log_on_;
    charge_log_on_ = false;  // a replayed charge is already persisted
    charge(i, u, amount, UsageKind::kJob, kNoJob, kNoJob);
    charge_log_on_ = log;
    now_ = now;
    refresh_limit(i);  // the limit release time is computed from now, not from `at`
    return {};
}

Status Scheduler::restore_session(Timestamp now, const SessionInfo& saved) {
    QRT_RETURN_IF_ERROR(enter(now));
    if (saved.id.empty()) return invalid_argument("session id is empty");
    if (session_ids_.count(saved.id)) {
        return already_exists(fmt::format("session '{}' exists", saved.id));
    }
    if (saved.state == SessionState::kClosed) {
        return invalid_argument(fmt::format("session '{}' is closed; nothing to restore", saved.id));
    }
    auto bit = backend_ids_.find(saved.backend);
    if (bit == backend_ids_.end()) return not_found(fmt::format("no backend '{}'", saved.backend));
    auto iit = instance_ids_.find(saved.instance);
    if (iit == instance_ids_.end()) {
        return not_found(fmt::format("no instance '{}'", saved.instance));
    }
    if (saved.max_ttl <= Duration::zero()) return invalid_argument("max_ttl must be positive");
    const Instance& in = instances_[iit->second];
    auto sid = static_cast<std::uint32_t>(sessions_.size());
    session_ids_[saved.id] = sid;
    Session s;
    s.backend = bit->second;
    s.instance = iit->second;
    s.user = user_of(iit->second, saved.user);
    s.info.id = saved.id;
    s.info.backend = saved.backend;
    s.info.instance = saved.instance;
    s.info.user = saved.user;
    s.info.mode = saved.mode;
    s.info.job_mode = in.spec.plan == Plan::kOpen && saved.mode == SessionMode::kDedicated;
    s.info.interactive_ttl = ittl_for(iit->second);
    s.info.max_ttl = saved.max_ttl;
    s.info.created_at = saved.created_at;
    s.info.started_at = saved.started_at;
    s.info.activated_at = saved.activated_at;
    s.info.last_job_started = saved.last_job_started;
    s.info.last_job_completed = saved.last_job_completed;
    s.info.busy_time = saved.busy_time;
    s.info.idle_time = saved.idle_time;
    s.had_job = saved.started_at.has_value();
    // rule S6: a started session comes back inactive; rule S1: an unstarted one is still open
    s.info.state = saved.started_at ? SessionState::kInactive : SessionState::kOpen;
    sessions_.push_back(std::move(s));
    Session& ref = sessions_[sid];
    if (ref.info.started_at) {
        // rule S8: max_ttl never pauses, not even while the server is down
        set_timer(ref.max_timer, *ref.info.started_at + ref.info.max_ttl,
                  TimerKind::kSessionMaxTtl, sid);
    } else {
        set_timer(ref.unused_timer, now_ + settings_.unused_session_timeout,
                  TimerKind::kSessionUnused, sid);  // rule S12
    }
    emit_session(ref);
    return {};
}

Status Scheduler::update_instance(Timestamp now, const InstanceSpec& spec) {
    QRT_RETURN_IF_ERROR(enter(now));
    auto it = instance_ids_.find(spec.name);
    if (it == instance_ids_.end()) return not_found(fmt::format("no instance '{}'", spec.name));
    QRT_RETURN_IF_ERROR(check_instance_spec(spec));
    std::uint32_t i = it->second;
    Instance& in = instances_[i];
    share_sum_ += spec.share - in.spec.share;
    in.spec = spec;
    for (const auto& [user, share] : spec.user_shares) {
        std::uint32_t u = user_of(i, user);
        users_[u].share = share;
        rekey_user(u);
    }
    rekey_instance(i);  // rule F2: the new share changes the instance's place
    if (!in.spec.hard_limit && in.at_limit) {  // rule F5: the limit was lifted
        in.at_limit = false;
        clear_timer(in.limit_timer);
        for (std::uint32_t b : in.backends) {
            list_instance(backends_[b], i, backends_[b].queues.at(i));
            mark_dirty(b);
        }
    } else {
        refresh_limit(i);
    }
    dispatch();
    return {};
}

// ---------------------------------------------------------------------------------------------
// queries

Result<JobInfo> Scheduler::job(const std::string& id) const {
    auto it = job_ids_.find(id);
    if (it == job_ids_.end()) return not_found(fmt::format("no job '{}'", id));
    const Job& j = jobs_[it->second];
    JobInfo info;
    info.id = j.id;
    info.backend = backends_[j.backend].name;
    if (!j.system) {
        info.instance = instances_[j.instance].spec.name;
        info.user = users_[j.user].name;
    }
    if (j.session != kNone) info.session = sessions_[j.session].info.id;
    info.system = j.system;
    info.state = j.state;
    info.submitted = j.submitted;
    info.started = j.started;
    info.finished = j.finished;
    info.usage = j.usage;
    info.reason = j.reason;
    info.message = j.message;
    info.stop_requested = j.stop_requested;
    return info;
}

Result<SessionInfo> Scheduler::session(const std::string& id) const {
    auto it = session_ids_.find(id);
    if (it == session_ids_.end()) return not_found(fmt::format("no session '{}'", id));
    const Session& s = sessions_[it->second];
    SessionInfo info = s.info;
    info.queued_jobs = static_cast<int>(s.queue.size());
    info.job_running = s.running != kNone;
    if (s.committed) {  // the segment being accounted, up to now
        (s.running != kNone ? info.busy_time : info.idle_time) += now_ - s.mark;
    }
    return info;
}

Result<InstanceUsage> Scheduler::instance_usage(const std::string& instance) const {
    auto it = instance_ids_.find(instance);
    if (it == instance_ids_.end()) return not_found(fmt::format("no instance '{}'", instance));
    const Instance& in = instances_[it->second];
    InstanceUsage u;
    u.instance = instance;
    u.share_fraction = share_sum_ > 0 ? in.spec.share / share_sum_ : 0;
    u.window_usage_s = ledger_.usage(in.account, now_);
    u.ideal_s = ledger_.ideal_seconds(u.share_fraction);
    u.ratio = u.ideal_s > 0 ? u.window_usage_s / u.ideal_s : 0;
    u.at_limit = in.at_limit;
    u.totals = in.totals;
    return u;
}

std::vector<std::string> Scheduler::backends() const {
    std::vector<std::string> names;
    for (const auto& be : backends_) names.push_back(be.name);
    return names;
}

bool Scheduler::backend_paused(const std::string& backend) const {
    auto it = backend_ids_.find(backend);
    return it != backend_ids_.end() && backends_[it->second].paused;
}

std::optional<std::string> Scheduler::running_job(const std::string& backend) const {
    auto it = backend_ids_.find(backend);
    if (it == backend_ids_.end() || backends_[it->second].running == kNone) return std::nullopt;
    return jobs_[backends_[it->second].running].id;
}

std::optional<std::string> Scheduler::active_session(const std::string& backend) const {
    auto it = backend_ids_.find(backend);
    if (it == backend_ids_.end() || backends_[it->second].active == kNone) return std::nullopt;
    return sessions_[backends_[it->second].active].info.id;
}

int Scheduler::queued_jobs(const std::string& backend) const {
    auto it = backend_ids_.find(backend);
    return it == backend_ids_.end() ? 0 : backends_[it->second].queued;
}

Result<std::string> Scheduler::least_busy(int min_qubits) const {  // rule K1
    const Backend* best = nullptr;
    for (const auto& be : backends_) {
        if (be.paused || be.num_qubits < min_qubits) continue;  // rule K2
        if (best == nullptr || be.queued < best->queued ||
            (be.queued == best->queued && be.name < best->name)) {
            best = &be;
        }
    }
    if (best == nullptr) {
        return Status{ErrorCode::kNotFound,
                      fmt::format("no operational backend with at least {} qubits", min_qubits)};
    }
    return best->name;
}

}  // namespace qrt::sched
