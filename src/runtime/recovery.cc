// Restart recovery and first start (docs/adr/0008-restart-recovery.md).
//
// The store is the source of truth; a fresh scheduler is rebuilt from it in this order:
// backends (and their pause flags), instances, the usage ledger of the fair-share window
// (replayed charge by charge, so usage leaves the window on its original schedule), operator
// reservations, open sessions (restored inactive, max_ttl still counted from their first start;
// a session whose max_ttl passed while the service was down is closed), then every pending job
// in creation order. A job found Running was interrupted by a crash: it is queued again once
// (its log says so) and fails with reason 1500 if it had already been queued again before.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/log.h"
#include "runtime/runtime_impl.h"

namespace qrt::runtime {

using namespace detail;

namespace {

constexpr const char* kTokenSecretKey = "token_secret";
constexpr const char* kBootstrapKey = "bootstrap_done";
constexpr const char* kPausedPrefix = "backend_paused:";

// "crn:v1:bluemix:public:quantum-computing:us-east:a/local:local::" -> "local"
std::string instance_name_from_crn(const std::string& crn) {
    std::vector<std::string> parts;
    std::string cur;
    for (char c : crn) {
        if (c == ':') {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    parts.push_back(cur);
    if (parts.size() > 7 && !parts[7].empty()) return parts[7];
    return "default";
}

Status ensure_private_dir(const std::string& dir) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return {};
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return Status{ErrorCode::kUnavailable,
                      fmt::format("cannot create data directory '{}': {}", dir, ec.message())};
    }
    ::chmod(dir.c_str(), 0700);
    return {};
}

Status write_secret_file(const std::string& path, const std::string& secret) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return Status{ErrorCode::kUnavailable,
                      fmt::format("cannot write '{}': {}", path, std::strerror(errno))};
    }
    std::string line = secret + "\n";
    bool ok = ::fchmod(fd, 0600) == 0;  // it may have existed with a wider mode
    std::size_t done = 0;
    while (ok && done < line.size()) {
        ssize_t n = ::write(fd, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    int err = errno;
    ::close(fd);
    if (!ok) {
        return Status{ErrorCode::kUnavailable,
                      fmt::format("cannot write '{}': {}", path, std::strerror(err))};
    }
    return {};
}

struct DeadSession {
    sched::ReasonCode code;
    std::string message;
};

std::string append_log(std::string logs, const std::string& line) {
    if (!logs.empty()) logs += '\n';
    logs += line;
    return logs;
}

}  // namespace

Status RuntimeImpl::bootstrap(Timestamp now) {
    if (auto s = store_->get_setting(kTokenSecretKey)) {
        token_secret_ = *s;
    } else {
        token_secret_ = random_hex(32);
        QRT_RETURN_IF_ERROR(store_->put_setting(kTokenSecretKey, token_secret_));
    }
    if (store_->get_setting(kBootstrapKey)) return {};

    // First start (or one interrupted before it finished: every step below is idempotent).
    const std::string& crn = config_.default_instance;
    if (!store_->get_instance(crn).ok()) {
        store::InstanceRecord in;
        in.crn = crn;
        in.name = instance_name_from_crn(crn);
        in.plan = "paid";
        in.share = 1;
        in.created = now;
        QRT_RETURN_IF_ERROR(store_->put_instance(in));
    }
    store::UserRecord admin;
    if (auto found = store_->find_user_by_name("admin"); found.ok()) {
        admin = *found;
    } else {
        admin.id = ids_.next("usr_");
        admin.name = "admin";
        admin.admin = true;
        admin.created = now;
        QRT_RETURN_IF_ERROR(store_->put_user(admin));
    }
    auto member_of = store_->instances_of(admin.id);
    if (std::find(member_of.begin(), member_of.end(), crn) == member_of.end()) {
        QRT_RETURN_IF_ERROR(store_->add_member(crn, admin.id));
    }
    std::string secret = random_hex(32);
    std::string key_path;
    if (!config_.data_dir.empty()) {
        // The file first: if we stop before the key is stored, the next start makes a new one.
        QRT_RETURN_IF_ERROR(ensure_private_dir(config_.data_dir));
        key_path = config_.data_dir + "/admin.key";
        QRT_RETURN_IF_ERROR(write_secret_file(key_path, secret));
    }
    store::ApiKeyRecord key;
    key.id = ids_.next("key_");
    key.user_id = admin.id;
    key.hash = store::hash_api_key(secret);
    key.label = "admin key made on first start";
    key.created = now;
    QRT_RETURN_IF_ERROR(store_->put_api_key(key));
    QRT_RETURN_IF_ERROR(store_->put_setting(kBootstrapKey, format_iso8601(now)));
    first_key_ = secret;
    QRT_LOG_INFO("first start: created user 'admin' ({}), instance {} and an admin API key{}",
                 admin.id, crn, key_path.empty() ? "" : fmt::format(" (saved in {})", key_path));
    return {};
}

void RuntimeImpl::restore_reservations(Timestamp now) {
    auto text = store_->get_setting(kReservationsSetting);
    if (!text) return;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(*text, ec);
    if (ec || !v.is_array()) {
        QRT_LOG_WARN("recovery: stored reservations are unreadable; ignored");
        return;
    }
    for (const auto& e : v.as_array()) {
        const auto* o = e.if_object();
        if (o == nullptr) continue;
        sched::ReservationSpec r;
        const auto* b = o->if_contains("backend");
        const auto* i = o->if_contains("instance");
        const auto* s = o->if_contains("start_us");
        const auto* x = o->if_contains("end_us");
        if (b == nullptr || i == nullptr || s == nullptr || x == nullptr || !b->is_string() ||
            !i->is_string() || !s->is_int64() || !x->is_int64()) {
            continue;
        }
        r.backend = std::string(b->as_string());
        r.instance = std::string(i->as_string());
        r.start = from_micros(s->as_int64());
        r.end = from_micros(x->as_int64());
        if (r.end <= now) continue;
        Status st = sched_.add_reservation(now, r);
        if (!st.ok()) {
            QRT_LOG_WARN("recovery: reservation of {} for {} dropped: {}", r.backend, r.instance,
                         st.message());
            continue;
        }
        reservations_.push_back(r);
    }
}

std::string RuntimeImpl::reservations_json(Timestamp now) {
    std::erase_if(reservations_, [&](const sched::ReservationSpec& r) { return r.end <= now; });
    boost::json::array arr;
    for (const auto& r : reservations_) {
        arr.push_back(boost::json::object{{"backend", r.backend},
                                          {"instance", r.instance},
                                          {"start_us", r.start.time_since_epoch().count()},
                                          {"end_us", r.end.time_since_epoch().count()}});
    }
    return boost::json::serialize(arr);
}

std::string RuntimeImpl::paused_key(const std::string& backend) { return kPausedPrefix + backend; }

Status RuntimeImpl::recover() {
    Lock lk(mu_);  // nothing else runs yet; store I/O under the lock is harmless here
    const Timestamp now = now_locked();
    QRT_RETURN_IF_ERROR(bootstrap(now));

    // backends, their pause flags (rule K2) and calibration schedules (rule P1)
    for (const auto& b : backends_) {
        QRT_RETURN_IF_ERROR(sched_.add_backend({b->name(), static_cast<int>(b->num_qubits())}));
        if (store_->get_setting(paused_key(b->name())).value_or("0") == "1") {
            (void)sched_.pause_backend(now, b->name());
            QRT_LOG_INFO("recovery: backend {} stays paused", b->name());
        }
        Calibration cal;
        cal.interval = b->calibration_interval();
        if (cal.interval && *cal.interval <= Duration::zero()) cal.interval.reset();
        if (cal.interval) cal.next = now + *cal.interval;  // the first one after one interval
        calibrations_[b->name()] = cal;
    }

    // instances (rule F1)
    int instances = 0;
    for (const auto& rec : store_->list_instances()) {
        Status s = sched_.add_instance(instance_spec(rec));
        if (!s.ok()) {
            QRT_LOG_WARN("recovery: instance {} skipped: {}", rec.crn, s.message());
            continue;
        }
        ++instances;
    }

    // the usage ledger of the fair-share window (rules F1, F5)
    const sched::Settings& st = sched_.settings();
    Timestamp since = st.policy == sched::FairSharePolicy::kRollingWindow
                          ? now - st.fair_share_window - st.usage_bucket
                          : now - st.half_life * 40;
    int charges = 0;
    double charged_s = 0;
    for (const auto& u : store_->usage_since(since)) {
        Status s =
            sched_.record_usage(std::min(u.at, now), u.instance, u.user_id, seconds_d(u.seconds));
        if (!s.ok()) {
            QRT_LOG_WARN("recovery: usage record of {} at {} skipped: {}", u.instance,
                         format_iso8601(u.at), s.message());
            continue;
        }
        ++charges;
        charged_s += u.seconds;
    }

    restore_reservations(now);

    // open sessions (rules S6, S8)
    std::unordered_map<std::string, DeadSession> dead;
    std::vector<std::string> drains;
    int sessions = 0;
    Writes w;
    for (store::SessionRecord rec : store_->open_sessions()) {
        auto mode = parse_session_mode(rec.mode);
        sched::SessionInfo info;
        info.id = rec.id;
        info.backend = rec.backend;
        info.instance = rec.instance;
        info.user = rec.user_id;
        info.mode = mode.value_or(sched::SessionMode::kDedicated);
        info.max_ttl = seconds_d(rec.max_ttl_s);
        info.created_at = rec.created;
        info.started_at = rec.started_at;
        info.activated_at = rec.activated_at;
        info.last_job_started = rec.last_job_started;
        info.last_job_completed = rec.last_job_completed;
        info.busy_time = seconds_d(rec.busy_s);
        info.idle_time = seconds_d(rec.idle_s);
        Status s = mode.status();
        bool expired = rec.started_at && *rec.started_at + info.max_ttl <= now;
        if (s.ok() && !expired) s = sched_.restore_session(now, info);
        if (s.ok() && !expired) {
            track_session(rec.id);
            ++sessions;
            if (!rec.accepting_jobs) drains.push_back(rec.id);
            continue;
        }
        rec.state = "closed";
        rec.accepting_jobs = false;
        if (expired) {  // rule S8: max_ttl passed while the service was down
            rec.closed_at = *rec.started_at + info.max_ttl;
            rec.close_reason = "max_ttl";
            dead[rec.id] = {sched::ReasonCode::kSessionExpired,
                            fmt::format("the session reached its max_ttl of {:g} s before this "
                                        "job started (the service was down)",
                                        rec.max_ttl_s)};
            QRT_LOG_INFO("recovery: session {} closed: its max_ttl passed at {}", rec.id,
                         format_iso8601(*rec.closed_at));
        } else {
            rec.closed_at = now;
            rec.close_reason = "cancelled";
            dead[rec.id] = {
                sched::ReasonCode::kSystemError,
                fmt::format("the session could not be restored after a restart: {}", s.message())};
            QRT_LOG_WARN("recovery: session {} closed: {}", rec.id, s.message());
        }
        w.add("session:" + rec.id, [this, rec] { return store_->put_session(rec); });
    }

    // pending jobs, oldest first (FIFO is kept: the scheduler numbers them in this order)
    int queued = 0, requeued = 0, failed = 0;
    const std::string stamp = format_iso8601(now);
    for (store::JobRecord rec : store_->pending_jobs()) {
        if (rec.status == "Running" || rec.attempts > 0) {
            auto full = store_->get_job(rec.id, /*with_params=*/true);  // with the payload
            if (full.ok()) rec.logs = full->logs;                       // keep earlier log lines
        }
        auto fail = [&](sched::ReasonCode code, const std::string& why) {
            rec.status = "Failed";
            rec.reason = why;
            rec.reason_code = static_cast<int>(code);
            rec.finished = now;
            rec.usage_s = 0;
            rec.params_json.clear();
            rec.logs = append_log(rec.logs, fmt::format("{} qrt: {}", stamp, why));
            w.add("job:" + rec.id, [this, rec] { return store_->update_job(rec); });
            w.finals = true;
            ++failed;
            QRT_LOG_WARN("recovery: job {} failed: {}", rec.id, why);
        };
        bool rewrite = false;
        if (rec.status == "Running") {
            if (rec.attempts >= 2) {
                fail(sched::ReasonCode::kSystemError,
                     fmt::format("the service stopped while this job was running, for the "
                                 "second time (attempt {}); it is not run again",
                                 rec.attempts));
                continue;
            }
            rec.status = "Queued";
            rec.started.reset();
            rec.logs =
                append_log(rec.logs, fmt::format("{} qrt: the service stopped while this job was "
                                                 "running (attempt {}); it was queued again on "
                                                 "restart",
                                                 stamp, rec.attempts));
            rewrite = true;
            ++requeued;
            QRT_LOG_WARN("recovery: job {} was running when the service stopped; queued again",
                         rec.id);
        }
        if (!rec.session_id.empty()) {
            auto d = dead.find(rec.session_id);
            if (d != dead.end()) {
                fail(d->second.code, d->second.message);
                continue;
            }
        }
        if (rec.params_json.size() > kParamsKeptInMemory) rec.params_json.clear();
        sched::JobSpec spec;
        spec.id = rec.id;
        spec.backend = rec.backend;
        spec.instance = rec.instance;
        spec.user = rec.user_id;
        spec.session = rec.session_id;
        spec.system = rec.system;
        spec.estimated_duration = seconds_d(std::max(0.0, rec.estimated_running_time_s));
        if (rec.max_execution_time_s && *rec.max_execution_time_s > 0) {
            spec.max_execution_time = seconds_d(*rec.max_execution_time_s);
        }
        if (rewrite) {
            store::JobRecord copy = rec;
            copy.params_json.clear();
            w.add("job:" + copy.id, [this, copy] { return store_->update_job(copy); });
        }
        add_live(rec);
        Status s = sched_.submit_job(now, spec);
        if (!s.ok()) {
            erase_live(rec.id);
            fail(sched::ReasonCode::kSystemError,
                 fmt::format("the job could not be queued again after a restart: {}", s.message()));
            continue;
        }
        if (rec.system) calibrations_[rec.backend].pending = true;
        ++queued;
    }

    // rule S9: sessions that were draining keep draining (closed at once if nothing is left)
    for (const auto& id : drains) (void)sched_.close_session(now, id);

    apply_events(w);
    Status written = flush(lk, std::move(w));
    if (instances + charges + sessions + queued + failed > 0) {
        QRT_LOG_INFO(
            "recovery: {} instances, {} usage records ({:.1f} s) in the fair-share window, {} "
            "open sessions restored, {} sessions closed, {} pending jobs queued ({} of them "
            "interrupted while running), {} jobs failed",
            instances, charges, charged_s, sessions, dead.size(), queued, requeued, failed);
    }
    return written;
}

}  // namespace qrt::runtime
