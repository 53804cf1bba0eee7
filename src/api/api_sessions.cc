// Api routes for sessions and batches: create, read, close (PATCH accepting_jobs=false) and
// cancel (DELETE .../close).
#include <fmt/format.h>

#include "api/api_internal.h"
#include "api/json_encode.h"

namespace qrt::api {
namespace {

HttpResponse json_reply(std::string body) {
    HttpResponse r;
    r.body = std::move(body);
    return r;
}

}  // namespace

Api::Reply Api::create_session(Context& ctx) {
    Result<boost::json::object> parsed = parse_json_object(ctx.request.body);
    if (!parsed.ok()) return parsed.status();
    const boost::json::object& obj = *parsed;

    sched::SessionMode mode = sched::SessionMode::kDedicated;
    if (const auto m = body::string_field(obj, "mode", 32)) {
        if (*m == "dedicated") {
            mode = sched::SessionMode::kDedicated;
        } else if (*m == "batch") {
            mode = sched::SessionMode::kBatch;
        } else {
            jsonpath::fail("mode", fmt::format("\"{}\" is not \"dedicated\" or \"batch\"", *m));
        }
    }
    const std::optional<std::string> backend = body::id_field(obj, "backend");
    if (!backend) {
        return invalid_argument("invalid request body: backend: required (a backend name)");
    }
    // max_session_ttl is what clients <= 0.40 send.
    std::optional<double> max_ttl = body::number_field(obj, "max_ttl");
    if (!max_ttl) max_ttl = body::number_field(obj, "max_session_ttl");
    if (max_ttl && *max_ttl <= 0) jsonpath::fail("max_ttl", "must be a positive number of seconds");

    // The body's instance must agree with the Service-CRN header; without the header it picks
    // the instance (REST users).
    std::shared_ptr<const runtime::Caller> caller = ctx.caller;
    if (const auto instance = body::string_field(obj, "instance", 512)) {
        if (!ctx.request.service_crn.empty() && *instance != ctx.request.service_crn) {
            return invalid_argument(fmt::format(
                "instance \"{}\" in the body differs from the Service-CRN header \"{}\"", *instance,
                ctx.request.service_crn));
        }
        if (ctx.request.service_crn.empty() && *instance != caller->instance) {
            Result<runtime::Caller> c =
                runtime_.caller_for_user(caller->user_id, std::string(*instance));
            if (!c.ok()) return c.status();
            caller = std::make_shared<const runtime::Caller>(std::move(c).value());
        }
    }
    Result<runtime::SessionView> view = runtime_.create_session(*caller, *backend, mode, max_ttl);
    if (!view.ok()) return view.status();
    return json_reply(session_json(*view));
}

Api::Reply Api::get_session(Context& ctx) {
    Result<std::string> id = path_id(ctx, "session id");
    if (!id.ok()) return id.status();
    Result<runtime::SessionView> view = runtime_.get_session(ctx.who(), *id);
    if (!view.ok()) return view.status();
    return json_reply(session_json(*view));
}

Api::Reply Api::patch_session(Context& ctx) {
    Result<std::string> id = path_id(ctx, "session id");
    if (!id.ok()) return id.status();
    Result<boost::json::object> parsed = parse_json_object(ctx.request.body);
    if (!parsed.ok()) return parsed.status();
    for (const auto& field : *parsed) {
        if (field.key() != "accepting_jobs") {
            return invalid_argument(
                fmt::format("invalid request body: {}: unknown field; PATCH accepts only "
                            "{{\"accepting_jobs\": false}}",
                            std::string_view{field.key()}.substr(0, 64)));
        }
    }
    const std::optional<bool> accepting = body::bool_field(*parsed, "accepting_jobs");
    if (!accepting) {
        return invalid_argument(
            "invalid request body: accepting_jobs: required; PATCH accepts only "
            "{\"accepting_jobs\": false}");
    }
    if (*accepting) {
        return invalid_argument(
            "a session cannot start accepting jobs again once closed; open a new session");
    }
    QRT_RETURN_IF_ERROR(runtime_.close_session(ctx.who(), *id));  // rule S9
    Result<runtime::SessionView> view = runtime_.get_session(ctx.who(), *id);
    if (!view.ok()) return view.status();
    return json_reply(session_json(*view));
}

Api::Reply Api::cancel_session(Context& ctx) {
    Result<std::string> id = path_id(ctx, "session id");
    if (!id.ok()) return id.status();
    QRT_RETURN_IF_ERROR(runtime_.cancel_session(ctx.who(), *id));  // rule S10
    HttpResponse r;
    r.status = 204;
    return r;
}

}  // namespace qrt::api
