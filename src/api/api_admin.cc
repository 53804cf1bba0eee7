// Api admin routes (/api/v1/admin/...): users, API keys, instances, backend pause/resume,
// reservations. Api::dispatch has already checked that the caller is an admin; the runtime
// checks again.
#include <fmt/format.h>

#include "api/api_internal.h"
#include "api/json_encode.h"

namespace qrt::api {
namespace {

constexpr std::string_view kCrnPrefix = "crn:v1:bluemix:public:quantum-computing:us-east:a/local:";

HttpResponse json_reply(std::string body, int status = 200) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

HttpResponse no_content() {
    HttpResponse r;
    r.status = 204;
    return r;
}

}  // namespace

Api::Reply Api::admin_create_user(Context& ctx) {
    Result<boost::json::object> parsed = parse_json_object(ctx.request.body);
    if (!parsed.ok()) return parsed.status();
    const std::optional<std::string> name = body::id_field(*parsed, "name");
    if (!name) return invalid_argument("invalid request body: name: required (a user name)");
    const bool admin = body::bool_field(*parsed, "admin").value_or(false);
    const std::vector<std::string> instances =
        body::string_array_field(*parsed, "instances", 256, 512)
            .value_or(std::vector<std::string>{});
    Result<store::UserRecord> user = runtime_.create_user(ctx.who(), *name, admin, instances);
    if (!user.ok()) return user.status();
    // The instances the user really has (the runtime may have added the default one).
    Result<runtime::Caller> as_user = runtime_.caller_for_user(user->id, "");
    const std::vector<std::string>& member_of = as_user.ok() ? as_user->instances : instances;
    JsonWriter w(384);
    write_user(w, *user, &member_of);
    return json_reply(std::move(w).str(), 201);
}

Api::Reply Api::admin_list_users(Context& ctx) {
    const std::vector<store::UserRecord> users = runtime_.users(ctx.who());
    JsonWriter w(128 + 256 * users.size());
    w.begin_object();
    w.key("users").begin_array();
    for (const store::UserRecord& user : users) {
        Result<runtime::Caller> as_user = runtime_.caller_for_user(user.id, "");
        write_user(w, user, as_user.ok() ? &as_user->instances : nullptr);
    }
    w.end_array();
    w.end_object();
    return json_reply(std::move(w).str());
}

Api::Reply Api::admin_create_key(Context& ctx) {
    Result<std::string> user_id = path_id(ctx, "user id");
    if (!user_id.ok()) return user_id.status();
    std::string label;
    if (!ctx.request.body.empty()) {
        Result<boost::json::object> parsed = parse_json_object(ctx.request.body);
        if (!parsed.ok()) return parsed.status();
        label = std::string(body::string_field(*parsed, "label", 256).value_or(""));
    }
    Result<runtime::NewKey> key = runtime_.create_api_key(ctx.who(), *user_id, label);
    if (!key.ok()) return key.status();
    return json_reply(new_key_json(*key), 201);
}

Api::Reply Api::admin_revoke_key(Context& ctx) {
    Result<std::string> key_id = path_id(ctx, "key id");
    if (!key_id.ok()) return key_id.status();
    QRT_RETURN_IF_ERROR(runtime_.revoke_api_key(ctx.who(), *key_id));
    // Forget cached callers at once, so the revoked key stops working now rather than in a
    // second (the cache is keyed by key hash, so drop everything: revocations are rare).
    {
        std::lock_guard lock(cache_mu_);
        caller_cache_.clear();
    }
    return no_content();
}

Api::Reply Api::admin_list_instances(Context& ctx) {
    const std::vector<store::InstanceRecord> instances = runtime_.instances(ctx.who());
    JsonWriter w(128 + 256 * instances.size());
    w.begin_object();
    w.key("instances").begin_array();
    for (const store::InstanceRecord& i : instances) write_instance(w, i);
    w.end_array();
    w.end_object();
    return json_reply(std::move(w).str());
}

Api::Reply Api::admin_put_instance(Context& ctx) {
    Result<boost::json::object> parsed = parse_json_object(ctx.request.body);
    if (!parsed.ok()) return parsed.status();
    const boost::json::object& obj = *parsed;
    const std::optional<std::string> name = body::id_field(obj, "name");
    std::optional<std::string_view> crn = body::string_field(obj, "crn", 512);
    if (!name && !crn) {
        return invalid_argument("invalid request body: name: required (or crn)");
    }
    store::InstanceRecord record;
    record.crn = crn ? std::string(*crn) : fmt::format("{}{}::", kCrnPrefix, *name);
    if (record.crn.rfind("crn:", 0) != 0) {
        jsonpath::fail("crn", "must start with \"crn:\"");
    }
    // PUT updates: fields left out keep their current value.
    for (const store::InstanceRecord& existing : runtime_.instances(ctx.who())) {
        if (existing.crn == record.crn) record = existing;
    }
    if (name) record.name = *name;
    if (record.name.empty()) jsonpath::fail("name", "required for a new instance");
    if (const auto plan = body::string_field(obj, "plan", 16)) {
        if (*plan != "open" && *plan != "paid") {
            jsonpath::fail("plan", fmt::format("\"{}\" is not \"open\" or \"paid\"", *plan));
        }
        record.plan = std::string(*plan);
    }
    if (const auto share = body::number_field(obj, "share")) {
        if (*share <= 0) jsonpath::fail("share", "must be a positive number");
        record.share = *share;
    }
    // An explicit null clears a limit; an absent key keeps it.
    for (std::string_view key : {"hard_limit_s", "interactive_ttl_s"}) {
        std::optional<double>& field =
            key == "hard_limit_s" ? record.hard_limit_s : record.interactive_ttl_s;
        const boost::json::value* v = obj.if_contains(key);
        if (v == nullptr) continue;
        if (v->is_null()) {
            field.reset();
            continue;
        }
        const std::optional<double> d = body::number_field(obj, key);
        if (d && *d <= 0) jsonpath::fail(std::string(key), "must be a positive number of seconds");
        field = d;
    }
    Result<store::InstanceRecord> saved = runtime_.put_instance(ctx.who(), record);
    if (!saved.ok()) return saved.status();
    JsonWriter w(384);
    write_instance(w, *saved);
    return json_reply(std::move(w).str());
}

Api::Reply Api::admin_pause_backend(Context& ctx, bool pause) {
    Result<std::string> name = path_id(ctx, "backend name");
    if (!name.ok()) return name.status();
    QRT_RETURN_IF_ERROR(pause ? runtime_.pause_backend(ctx.who(), *name)
                              : runtime_.resume_backend(ctx.who(), *name));
    return no_content();
}

Api::Reply Api::admin_add_reservation(Context& ctx) {
    Result<boost::json::object> parsed = parse_json_object(ctx.request.body);
    if (!parsed.ok()) return parsed.status();
    const boost::json::object& obj = *parsed;
    sched::ReservationSpec spec;
    spec.backend = body::id_field(obj, "backend").value_or("");
    if (spec.backend.empty()) jsonpath::fail("backend", "required (a backend name)");
    spec.instance = body::required_string(obj, "instance", 512);
    for (std::string_view key : {"start", "end"}) {
        const std::string text = body::required_string(obj, key, 64);
        Result<Timestamp> t = parse_iso8601(text);
        if (!t.ok()) jsonpath::fail(std::string(key), t.status().message());
        (key == "start" ? spec.start : spec.end) = *t;
    }
    if (spec.end <= spec.start) jsonpath::fail("end", "must be after start");
    QRT_RETURN_IF_ERROR(runtime_.add_reservation(ctx.who(), spec));
    JsonWriter w(256);
    w.begin_object();
    w.key("backend").string(spec.backend);
    w.key("instance").string(spec.instance);
    w.key("start").time(spec.start);
    w.key("end").time(spec.end);
    w.end_object();
    return json_reply(std::move(w).str(), 201);
}

}  // namespace qrt::api
