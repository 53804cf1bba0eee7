// Authentication (API keys, users' instances) and the admin verbs: users, API keys, instances,
// backend pause/resume (rule K2), reservations (rules R1, R2).
#include <algorithm>
#include <cctype>
#include <cmath>

#include "base/log.h"
#include "runtime/runtime_impl.h"

namespace qrt::runtime {

using namespace detail;

namespace {

constexpr const char* kCrnPrefix = "crn:v1:bluemix:public:quantum-computing:us-east:a/local:";

Status check_name(const std::string& what, const std::string& name) {
    if (name.empty() || name.size() > 64) {
        return invalid_argument(fmt::format("{}: must be 1 to 64 characters", what));
    }
    for (char c : name) {
        bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
                  c == '@';
        if (!ok) {
            return invalid_argument(
                fmt::format("{}: {} has a character other than letters, digits, '-', '_', '.', '@'",
                            what, json_string(name)));
        }
    }
    return {};
}

}  // namespace

void RuntimeImpl::invalidate_auth_caches() const {
    std::lock_guard<std::mutex> g(auth_mu_);
    key_cache_.clear();
    user_cache_.clear();
}

// ---------------------------------------------------------------------------------------------
// authentication

Result<Caller> RuntimeImpl::authenticate_api_key(const std::string& secret,
                                                 const std::string& instance) const {
    if (secret.empty()) return Status{ErrorCode::kUnauthenticated, "no API key given"};
    const std::string hash = store::hash_api_key(secret);
    std::optional<store::ApiKeyRecord> key;
    {
        std::lock_guard<std::mutex> g(auth_mu_);
        auto it = key_cache_.find(hash);
        if (it != key_cache_.end()) key = it->second;
    }
    if (!key) {
        auto found = store_->find_api_key(hash);
        if (!found.ok() || found->revoked) {
            return Status{ErrorCode::kUnauthenticated, "invalid API key"};
        }
        key = *found;
        std::lock_guard<std::mutex> g(auth_mu_);
        if (key_cache_.size() > 10'000) key_cache_.clear();
        key_cache_.emplace(hash, *key);
    }
    return caller_for_user(key->user_id, instance);
}

Result<Caller> RuntimeImpl::caller_for_user(const std::string& user_id,
                                            const std::string& instance) const {
    std::optional<CachedUser> cu;
    {
        std::lock_guard<std::mutex> g(auth_mu_);
        auto it = user_cache_.find(user_id);
        if (it != user_cache_.end()) cu = it->second;
    }
    if (!cu) {
        auto user = store_->get_user(user_id);
        if (!user.ok()) return Status{ErrorCode::kUnauthenticated, "unknown user"};
        cu = CachedUser{*user, store_->instances_of(user_id)};
        std::lock_guard<std::mutex> g(auth_mu_);
        if (user_cache_.size() > 10'000) user_cache_.clear();
        user_cache_.emplace(user_id, *cu);
    }
    Caller c;
    c.user_id = cu->user.id;
    c.user_name = cu->user.name;
    c.admin = cu->user.admin;
    c.instances = cu->instances;
    if (instance.empty()) {
        if (c.instances.empty()) {
            return Status{ErrorCode::kPermissionDenied,
                          fmt::format("user '{}' belongs to no instance", c.user_name)};
        }
        c.instance = c.instances.front();
        return c;
    }
    bool member = std::find(c.instances.begin(), c.instances.end(), instance) != c.instances.end();
    if (!member && !(c.admin && store_->get_instance(instance).ok())) {
        return Status{ErrorCode::kPermissionDenied,
                      fmt::format("user '{}' may not use instance '{}'", c.user_name, instance)};
    }
    c.instance = instance;
    return c;
}

// ---------------------------------------------------------------------------------------------
// users and keys

Result<store::UserRecord> RuntimeImpl::create_user(const Caller& caller, const std::string& name,
                                                   bool admin,
                                                   const std::vector<std::string>& instances) {
    QRT_RETURN_IF_ERROR(require_admin(caller));
    QRT_RETURN_IF_ERROR(check_name("name", name));
    if (store_->find_user_by_name(name).ok()) {
        return already_exists(fmt::format("a user named '{}' exists", name));
    }
    std::vector<std::string> crns = instances;
    if (crns.empty()) crns.push_back(config_.default_instance);
    for (std::size_t i = 0; i < crns.size(); ++i) {
        if (!store_->get_instance(crns[i]).ok()) {
            return not_found(fmt::format("instances[{}]: instance '{}' not found", i, crns[i]));
        }
    }
    store::UserRecord user;
    user.id = ids_.next("usr_");
    user.name = name;
    user.admin = admin;
    user.created = clock_.now();
    QRT_RETURN_IF_ERROR(store_->put_user(user));
    for (const auto& crn : crns) QRT_RETURN_IF_ERROR(store_->add_member(crn, user.id));
    invalidate_auth_caches();
    QRT_LOG_INFO("user '{}' ({}) created by '{}'", name, user.id, caller.user_name);
    return user;
}

Result<NewKey> RuntimeImpl::create_api_key(const Caller& caller, const std::string& user_id,
                                           const std::string& label) {
    QRT_RETURN_IF_ERROR(require_admin(caller));
    if (label.size() > 256) return invalid_argument("label: longer than 256 bytes");
    auto user = store_->get_user(user_id);
    if (!user.ok()) return not_found(fmt::format("user '{}' not found", user_id));
    NewKey k;
    k.secret = random_hex(32);
    k.record.id = ids_.next("key_");
    k.record.user_id = user_id;
    k.record.hash = store::hash_api_key(k.secret);
    k.record.label = label;
    k.record.created = clock_.now();
    QRT_RETURN_IF_ERROR(store_->put_api_key(k.record));
    QRT_LOG_INFO("API key {} made for user '{}' by '{}'", k.record.id, user->name,
                 caller.user_name);
    return k;
}

Status RuntimeImpl::revoke_api_key(const Caller& caller, const std::string& key_id) {
    QRT_RETURN_IF_ERROR(require_admin(caller));
    QRT_RETURN_IF_ERROR(store_->revoke_api_key(key_id));
    invalidate_auth_caches();
    QRT_LOG_INFO("API key {} revoked by '{}'", key_id, caller.user_name);
    return {};
}

std::vector<store::UserRecord> RuntimeImpl::users(const Caller& caller) const {
    if (caller.admin) return store_->list_users();
    auto self = store_->get_user(caller.user_id);
    if (!self.ok()) return {};
    return {*self};
}

// ---------------------------------------------------------------------------------------------
// instances

Result<store::InstanceRecord> RuntimeImpl::put_instance(const Caller& caller,
                                                        const store::InstanceRecord& instance) {
    QRT_RETURN_IF_ERROR(require_admin(caller));
    store::InstanceRecord rec = instance;
    QRT_RETURN_IF_ERROR(check_name("name", rec.name));
    if (rec.crn.empty()) rec.crn = kCrnPrefix + rec.name + "::";
    if (rec.crn.size() > 256 || std::any_of(rec.crn.begin(), rec.crn.end(), [](char c) {
            return std::isspace(static_cast<unsigned char>(c)) != 0;
        })) {
        return invalid_argument("crn: at most 256 characters, no spaces");
    }
    if (rec.plan != "open" && rec.plan != "paid") {
        return invalid_argument(
            fmt::format("plan: expected \"open\" or \"paid\", got {}", json_string(rec.plan)));
    }
    if (!(rec.share > 0) || !std::isfinite(rec.share)) {
        return invalid_argument("share: must be a positive number");
    }
    if (rec.hard_limit_s && (!std::isfinite(*rec.hard_limit_s) || *rec.hard_limit_s < 0)) {
        return invalid_argument("hard_limit_s: must be a number of seconds, 0 or more");
    }
    if (rec.interactive_ttl_s &&
        (!std::isfinite(*rec.interactive_ttl_s) || *rec.interactive_ttl_s <= 0)) {
        return invalid_argument("interactive_ttl_s: must be a positive number of seconds");
    }
    auto existing = store_->get_instance(rec.crn);
    rec.created = existing.ok() ? existing->created : clock_.now();

    Lock lk(mu_);
    Timestamp now = now_locked();
    sched::InstanceSpec spec = instance_spec(rec);
    // rule F1: a new share (or plan, limit) applies at once
    Status s = sched_.update_instance(now, spec);
    if (s.code() == ErrorCode::kNotFound) s = sched_.add_instance(spec);
    Writes w;
    if (s.ok()) w.add("instance:" + rec.crn, [this, rec] { return store_->put_instance(rec); });
    QRT_RETURN_IF_ERROR(settle(lk, s, std::move(w)));
    invalidate_auth_caches();
    QRT_LOG_INFO("instance {} ({}) {} by '{}': plan {}, share {:g}", rec.name, rec.crn,
                 existing.ok() ? "updated" : "created", caller.user_name, rec.plan, rec.share);
    return rec;
}

std::vector<store::InstanceRecord> RuntimeImpl::instances(const Caller& caller) const {
    auto all = store_->list_instances();
    if (caller.admin) return all;
    std::erase_if(all,
                  [&](const store::InstanceRecord& r) { return !visible(caller, r.crn, false); });
    return all;
}

// ---------------------------------------------------------------------------------------------
// backends and reservations

Status RuntimeImpl::pause_backend(const Caller& caller, const std::string& name) {
    QRT_RETURN_IF_ERROR(require_admin(caller));
    Lock lk(mu_);
    Status s = sched_.pause_backend(now_locked(), name);
    Writes w;
    if (s.ok()) {
        w.add(paused_key(name),
              [this, name] { return store_->put_setting(paused_key(name), "1"); });
        QRT_LOG_INFO("backend {} paused by '{}'", name, caller.user_name);
    }
    return settle(lk, s, std::move(w));
}

Status RuntimeImpl::resume_backend(const Caller& caller, const std::string& name) {
    QRT_RETURN_IF_ERROR(require_admin(caller));
    Lock lk(mu_);
    QRT_RETURN_IF_ERROR(require_running());
    Status s = sched_.resume_backend(now_locked(), name);
    Writes w;
    if (s.ok()) {
        w.add(paused_key(name),
              [this, name] { return store_->put_setting(paused_key(name), "0"); });
        QRT_LOG_INFO("backend {} resumed by '{}'", name, caller.user_name);
    }
    return settle(lk, s, std::move(w));
}

Status RuntimeImpl::add_reservation(const Caller& caller, const sched::ReservationSpec& spec) {
    QRT_RETURN_IF_ERROR(require_admin(caller));
    Lock lk(mu_);
    Timestamp now = now_locked();
    Status s = sched_.add_reservation(now, spec);
    Writes w;
    if (s.ok()) {
        reservations_.push_back(spec);
        w.add(kReservationsSetting, [this, text = reservations_json(now)] {
            return store_->put_setting(kReservationsSetting, text);
        });
        QRT_LOG_INFO("backend {} reserved for {} from {} to {} by '{}'", spec.backend,
                     spec.instance, format_iso8601(spec.start), format_iso8601(spec.end),
                     caller.user_name);
    }
    return settle(lk, s, std::move(w));
}

}  // namespace qrt::runtime
