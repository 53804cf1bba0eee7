// Api routes for jobs: submit, list, get, delete, results, cancel, logs, metrics, tags.
#include <fmt/format.h>

#include <boost/json/serialize.hpp>

#include "api/api_internal.h"
#include "api/json_encode.h"

namespace qrt::api {
namespace {

constexpr std::size_t kMaxListLimit = 1000;

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

bool valid_log_level(std::string_view level) {
    for (std::string_view known : {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}) {
        if (level.size() != known.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < level.size() && same; ++i) {
            char c = level[i];
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
            same = c == known[i];
        }
        if (same) return true;
    }
    return false;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

// "queued" -> "Queued": the REST spelling of a job status, or empty if it is none of the five.
std::string job_status_name(std::string_view s) {
    const std::string u = upper(s);
    for (std::string_view known : {"Queued", "Running", "Completed", "Failed", "Cancelled"}) {
        if (upper(known) == u) return std::string(known);
    }
    return {};
}

}  // namespace

Api::Reply Api::submit_job(Context& ctx) {
    Result<boost::json::object> parsed = parse_json_object(ctx.request.body);
    if (!parsed.ok()) return parsed.status();
    const boost::json::object& obj = *parsed;

    runtime::SubmitRequest req;
    req.program_id = body::required_string(obj, "program_id", kMaxIdLength);
    if (req.program_id != "sampler" && req.program_id != "estimator") {
        return invalid_argument(fmt::format(
            "unknown program_id \"{}\": qrt runs the programs \"sampler\" and \"estimator\"",
            req.program_id));
    }
    const boost::json::value* params = obj.if_contains("params");
    if (params == nullptr || params->is_null()) {
        return invalid_argument("invalid request body: params: required (a JSON object)");
    }
    if (!params->is_object()) {
        jsonpath::wrong_type("params", "an object", *params);
    }
    // Stored re-serialized: the same JSON value, which is what the client decodes again.
    req.params_json = boost::json::serialize(*params);
    req.backend = body::id_field(obj, "backend").value_or("");
    req.session_id = body::id_field(obj, "session_id").value_or("");
    req.tags = body::string_array_field(obj, "tags", kMaxTags, kMaxTagLength)
                   .value_or(std::vector<std::string>{});
    if (const std::optional<double> cost = body::number_field(obj, "cost")) {
        if (*cost <= 0) jsonpath::fail("cost", "max_execution_time must be a positive number");
        req.max_execution_time_s = *cost;
    }
    req.is_private = body::bool_field(obj, "private").value_or(false);
    if (const std::optional<std::string_view> level = body::string_field(obj, "log_level", 16)) {
        if (!valid_log_level(*level)) {
            jsonpath::fail(
                "log_level",
                fmt::format("\"{}\" is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL", *level));
        }
        req.log_level = upper(*level);
    }
    // "runtime" (an image), "calibration_id" and the legacy hub/group/project are accepted and
    // ignored: qrt has one runtime and the current calibration.

    // The jobs API's way to open a session (seed 003): "start_session": true opens a dedicated
    // session on the job's backend (max_ttl from "session_time", seconds) and puts the job in it.
    // If the job is then refused, the new session is cancelled again: nothing is left behind.
    std::string started_session;
    if (body::bool_field(obj, "start_session").value_or(false)) {
        if (!req.session_id.empty()) {
            jsonpath::fail("start_session", "cannot be combined with session_id");
        }
        std::optional<double> session_time = body::number_field(obj, "session_time");
        if (session_time && *session_time <= 0) {
            jsonpath::fail("session_time", "must be a positive number of seconds");
        }
        Result<runtime::SessionView> session = runtime_.create_session(
            ctx.who(), req.backend, sched::SessionMode::kDedicated, session_time);
        if (!session.ok()) return session.status();
        started_session = session->record.id;
        req.session_id = started_session;
    }

    Result<runtime::JobView> view = runtime_.submit_job(ctx.who(), req);
    if (!view.ok()) {
        if (!started_session.empty()) (void)runtime_.cancel_session(ctx.who(), started_session);
        return view.status();
    }
    JsonWriter w(128);
    w.begin_object();
    w.key("id").string(view->record.id);
    w.key("backend").string(view->record.backend);
    w.end_object();
    return json_reply(std::move(w).str());
}

Api::Reply Api::list_jobs(Context& ctx) {
    store::JobFilter filter;
    const QueryParams& q = ctx.query;
    if (const auto limit = q.get("limit")) {
        Result<std::uint64_t> v = parse_uint_param("limit", *limit, UINT32_MAX);
        if (!v.ok()) return v.status();
        // Clamped, not refused: the client pages on until it has `count` jobs.
        filter.limit = std::min<std::size_t>(*v, kMaxListLimit);
    }
    if (const auto offset = q.get("offset")) {
        Result<std::uint64_t> v = parse_uint_param("offset", *offset, UINT32_MAX);
        if (!v.ok()) return v.status();
        filter.offset = *v;
    }
    if (const auto backend = q.get("backend")) {
        if (!is_safe_id(*backend)) {
            return invalid_argument("query parameter backend: not a valid name");
        }
        filter.backend = std::string(*backend);
    }
    if (const auto program = q.get("program")) {
        if (!is_safe_id(*program)) {
            return invalid_argument("query parameter program: not a valid id");
        }
        filter.program_id = std::string(*program);
    }
    if (const auto session = q.get("session_id")) {
        if (!is_safe_id(*session)) {
            return invalid_argument("query parameter session_id: not a valid id");
        }
        filter.session_id = std::string(*session);
    }
    if (const auto pending = q.get("pending")) {
        Result<bool> v = parse_bool_param("pending", *pending);
        if (!v.ok()) return v.status();
        filter.pending = *v;
    }
    for (std::string_view status : q.get_all("status")) {
        std::string name = job_status_name(status);
        if (name.empty()) {
            return invalid_argument(fmt::format(
                "query parameter status: \"{}\" is not one of Queued, Running, Completed, "
                "Failed, Cancelled",
                status.substr(0, 64)));
        }
        filter.statuses.push_back(std::move(name));
    }
    const std::vector<std::string_view> tags = q.get_all("tags");
    if (tags.size() > kMaxTags) {
        return invalid_argument(fmt::format("query parameter tags: at most {} tags", kMaxTags));
    }
    for (std::string_view tag : tags) filter.tags.emplace_back(tag);
    for (std::string_view name : {"created_after", "created_before"}) {
        if (const auto text = q.get(name)) {
            Result<Timestamp> t = parse_iso8601(*text);
            if (!t.ok()) {
                return invalid_argument(
                    fmt::format("query parameter {}: {}", name, t.status().message()));
            }
            (name == "created_after" ? filter.created_after : filter.created_before) = *t;
        }
    }
    if (const auto sort = q.get("sort")) {
        const std::string s = upper(*sort);
        if (s != "ASC" && s != "DESC") {
            return invalid_argument("query parameter sort: expected ASC or DESC");
        }
        filter.ascending = s == "ASC";
    }
    // exclude_params is implied: job lists never carry params.
    Result<store::JobPage> page = runtime_.list_jobs(ctx.who(), filter);
    if (!page.ok()) return page.status();
    return json_reply(job_list_json(*page, filter.limit, filter.offset));
}

Api::Reply Api::get_job(Context& ctx) {
    Result<std::string> id = path_id(ctx, "job id");
    if (!id.ok()) return id.status();
    bool exclude_params = false;
    if (const auto v = ctx.query.get("exclude_params")) {
        Result<bool> b = parse_bool_param("exclude_params", *v);
        if (!b.ok()) return b.status();
        exclude_params = *b;
    }
    Result<runtime::JobView> view = runtime_.get_job(ctx.who(), *id, !exclude_params);
    if (!view.ok()) return view.status();
    return json_reply(job_json(*view, !exclude_params));
}

Api::Reply Api::delete_job(Context& ctx) {
    Result<std::string> id = path_id(ctx, "job id");
    if (!id.ok()) return id.status();
    QRT_RETURN_IF_ERROR(runtime_.delete_job(ctx.who(), *id));
    return no_content();
}

Api::Reply Api::job_results(Context& ctx) {
    Result<std::string> id = path_id(ctx, "job id");
    if (!id.ok()) return id.status();
    Result<std::string> results = runtime_.job_results(ctx.who(), *id);
    if (!results.ok()) return results.status();
    return json_reply(std::move(results).value());
}

Api::Reply Api::cancel_job(Context& ctx) {
    Result<std::string> id = path_id(ctx, "job id");
    if (!id.ok()) return id.status();
    QRT_RETURN_IF_ERROR(runtime_.cancel_job(ctx.who(), *id));
    return no_content();
}

Api::Reply Api::job_logs(Context& ctx) {
    Result<std::string> id = path_id(ctx, "job id");
    if (!id.ok()) return id.status();
    Result<std::string> logs = runtime_.job_logs(ctx.who(), *id);
    if (!logs.ok()) return logs.status();
    HttpResponse r;
    r.content_type = kTextType;
    r.body = std::move(logs).value();
    return r;
}

Api::Reply Api::job_metrics(Context& ctx) {
    Result<std::string> id = path_id(ctx, "job id");
    if (!id.ok()) return id.status();
    Result<std::string> metrics = runtime_.job_metrics_json(ctx.who(), *id);
    if (!metrics.ok()) return metrics.status();
    return json_reply(std::move(metrics).value());
}

Api::Reply Api::job_tags(Context& ctx) {
    Result<std::string> id = path_id(ctx, "job id");
    if (!id.ok()) return id.status();
    Result<boost::json::object> parsed = parse_json_object(ctx.request.body);
    if (!parsed.ok()) return parsed.status();
    std::optional<std::vector<std::string>> tags =
        body::string_array_field(*parsed, "tags", kMaxTags, kMaxTagLength);
    if (!tags) {
        return invalid_argument("invalid request body: tags: required (an array of strings)");
    }
    QRT_RETURN_IF_ERROR(runtime_.set_job_tags(ctx.who(), *id, *tags));
    // Exactly 204: the client treats any other status as a failure.
    return no_content();
}

}  // namespace qrt::api
