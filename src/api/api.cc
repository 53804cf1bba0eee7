// Api core: request flow (route, auth, rate limit, dispatch), the token endpoint, the caller
// cache, the error responses and the body readers. The routes themselves are in api_jobs.cc,
// api_sessions.cc, api_backends.cc and api_admin.cc.
#include <fmt/format.h>

#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <algorithm>
#include <chrono>
#include <exception>
#include <random>

#include "api/api_internal.h"
#include "api/auth.h"
#include "api/errors.h"
#include "api/json_writer.h"
#include "base/log.h"
#include "base/metrics.h"

namespace qrt::api {
namespace {

constexpr std::string_view kApiKeyGrant = "urn:ibm:params:oauth:grant-type:apikey";
constexpr Duration kCallerCacheTtl = std::chrono::seconds(1);
constexpr std::size_t kCallerCacheMax = 4096;

std::string make_request_id_prefix() {
    std::random_device rd;
    return fmt::format("req_{:08x}_", rd());
}

// IAM's error shape (what ibm-cloud-sdk-core reads) together with qrt's.
HttpResponse iam_error(int status, std::string_view iam_code, std::string_view message,
                       const std::string& request_id) {
    JsonWriter w(384);
    w.begin_object();
    w.key("errorCode").string(iam_code);
    w.key("errorMessage").string(message);
    w.key("context").begin_object().key("requestId").string(request_id).end_object();
    w.key("errors").begin_array().begin_object();
    w.key("code").string(iam_code);
    w.key("message").string(message);
    w.key("more_info").string("");
    w.end_object().end_array();
    w.key("error").begin_object();
    w.key("code").string(iam_code);
    w.key("message").string(message);
    w.end_object();
    w.key("status_code").integer(status);
    w.key("trace").string(request_id);
    w.end_object();
    HttpResponse r;
    r.status = status;
    r.body = std::move(w).str();
    return r;
}

bool has_control_chars(std::string_view s) {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) return true;
    }
    return false;
}

// The HTTP metrics. Children are found once per thread and label set, then only counted: the
// I/O threads never take a lock for them on the hot path.
struct HttpMetrics {
    metrics::Family<metrics::Counter>& requests;
    metrics::Family<metrics::Counter>& errors;
    metrics::Family<metrics::Histogram>& duration;

    static HttpMetrics& get() {
        static HttpMetrics m{
            metrics::default_registry().counter(
                "qrt_http_requests_total",
                "HTTP requests answered, by route template, method and status code",
                {"route", "method", "code"}),
            metrics::default_registry().counter(
                "qrt_http_errors_total",
                "HTTP requests answered with a 4xx or 5xx status, by route template and error "
                "code (the \"code\" of the error body: not_found, invalid_argument, ...)",
                {"route", "code"}),
            metrics::default_registry().histogram(
                "qrt_http_request_duration_seconds",
                "Time from a parsed request to its response (without the network), in seconds",
                {"route", "method"}, metrics::latency_buckets()),
        };
        return m;
    }
};

std::string_view route_label(std::optional<Route> route) {
    return route ? route_template(*route) : std::string_view("unmatched");
}

}  // namespace

void Api::record_request(Method method, std::optional<Route> route, int status,
                         std::string_view error_code, double seconds) {
    // Keys: route (+1, 0 = unmatched) << 16 | method << 12 | status.
    const std::uint32_t route_key = route ? static_cast<std::uint32_t>(*route) + 1 : 0;
    const std::uint32_t key = route_key << 16 | static_cast<std::uint32_t>(method) << 12 |
                              static_cast<std::uint32_t>(std::clamp(status, 0, 4095));
    thread_local std::unordered_map<std::uint32_t, metrics::Counter*> requests;
    thread_local std::unordered_map<std::uint32_t, metrics::Histogram*> durations;
    HttpMetrics& m = HttpMetrics::get();
    metrics::Counter*& counter = requests[key];
    if (counter == nullptr) {
        counter = &m.requests.with(
            {route_label(route), method_name(method), fmt::format("{}", status)});
    }
    counter->inc();
    metrics::Histogram*& histogram = durations[key >> 12];
    if (histogram == nullptr) {
        histogram = &m.duration.with({route_label(route), method_name(method)});
    }
    histogram->observe(seconds);
    if (status >= 400) {  // rare enough for the family's lock
        m.errors.with({route_label(route), error_code.empty() ? "other" : error_code}).inc();
    }
}

// ---------------------------------------------------------------- body readers

Result<boost::json::value> parse_json_body(std::string_view body) {
    if (body.empty()) return invalid_argument("request body is empty; expected a JSON document");
    boost::json::parse_options options;
    options.max_depth = kMaxBodyDepth;
    boost::json::stream_parser parser({}, options);
    boost::system::error_code ec;
    const std::size_t consumed = parser.write(body.data(), body.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) {
        // `consumed` is where the parser stopped: the first byte it could not take.
        const std::size_t at = std::min(consumed, body.size());
        std::size_t line = 1, column = 1;
        for (std::size_t i = 0; i < at; ++i) {
            if (body[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        return invalid_argument(
            fmt::format("request body is not valid JSON: {} at line {}, column {} (byte {})",
                        ec.message(), line, column, at));
    }
    return parser.release();
}

Result<boost::json::object> parse_json_object(std::string_view body) {
    Result<boost::json::value> v = parse_json_body(body);
    if (!v.ok()) return v.status();
    if (!v->is_object()) {
        return invalid_argument(
            fmt::format("request body must be a JSON object, got {}", jsonpath::kind_name(*v)));
    }
    return std::move(v->get_object());
}

Result<std::string> path_id(const Api::Context& ctx, std::string_view what) {
    if (!is_safe_id(ctx.match.param)) {
        return invalid_argument(fmt::format(
            "invalid {} \"{}\": ids are 1-{} characters from A-Z a-z 0-9 _ - . (not starting "
            "with - or .)",
            what, ctx.match.param.substr(0, 200), kMaxIdLength));
    }
    return std::string(ctx.match.param);
}

namespace body {

namespace {
const boost::json::value* present(const boost::json::object& obj, std::string_view key) {
    const boost::json::value* v = obj.if_contains(key);
    return (v == nullptr || v->is_null()) ? nullptr : v;
}
}  // namespace

std::optional<std::string_view> string_field(const boost::json::object& obj, std::string_view key,
                                             std::size_t max_len) {
    const boost::json::value* v = present(obj, key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) jsonpath::wrong_type(std::string(key), "a string", *v);
    const boost::json::string& s = v->get_string();
    if (s.size() > max_len) {
        jsonpath::fail(std::string(key), fmt::format("longer than {} bytes", max_len));
    }
    return std::string_view(s.data(), s.size());
}

std::string required_string(const boost::json::object& obj, std::string_view key,
                            std::size_t max_len) {
    const std::optional<std::string_view> s = string_field(obj, key, max_len);
    if (!s || s->empty()) jsonpath::fail(std::string(key), "required (a non-empty string)");
    return std::string(*s);
}

std::optional<bool> bool_field(const boost::json::object& obj, std::string_view key) {
    const boost::json::value* v = present(obj, key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_bool()) jsonpath::wrong_type(std::string(key), "a boolean", *v);
    return v->get_bool();
}

std::optional<double> number_field(const boost::json::object& obj, std::string_view key) {
    const boost::json::value* v = present(obj, key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number()) jsonpath::wrong_type(std::string(key), "a number", *v);
    const double d = v->to_number<double>();
    if (!std::isfinite(d)) jsonpath::fail(std::string(key), "must be a finite number");
    return d;
}

std::optional<std::vector<std::string>> string_array_field(const boost::json::object& obj,
                                                           std::string_view key,
                                                           std::size_t max_items,
                                                           std::size_t max_len) {
    const boost::json::value* v = present(obj, key);
    if (v == nullptr) return std::nullopt;
    const std::string path(key);
    const boost::json::array& arr = jsonpath::as_array(*v, path);
    if (arr.size() > max_items) {
        jsonpath::fail(path, fmt::format("at most {} items, got {}", max_items, arr.size()));
    }
    std::vector<std::string> out;
    out.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) {
        const std::string at = jsonpath::element(path, i);
        if (!arr[i].is_string()) jsonpath::wrong_type(at, "a string", arr[i]);
        const boost::json::string& s = arr[i].get_string();
        if (s.empty() || s.size() > max_len) {
            jsonpath::fail(at, fmt::format("must be 1-{} bytes long", max_len));
        }
        if (has_control_chars(s)) jsonpath::fail(at, "must not contain control characters");
        out.emplace_back(s.data(), s.size());
    }
    return out;
}

std::optional<std::string> id_field(const boost::json::object& obj, std::string_view key) {
    const std::optional<std::string_view> s = string_field(obj, key, kMaxIdLength + 1);
    if (!s) return std::nullopt;
    if (!is_safe_id(*s)) {
        jsonpath::fail(std::string(key),
                       fmt::format("\"{}\" is not a valid id (1-{} characters from A-Z a-z 0-9 "
                                   "_ - ., not starting with - or .)",
                                   *s, kMaxIdLength));
    }
    return std::string(*s);
}

}  // namespace body

// ---------------------------------------------------------------- Api

Api::Api(const ServerConfig& config, runtime::Runtime& runtime, const Clock& clock)
    : config_(config),
      runtime_(runtime),
      clock_(clock),
      token_secret_(runtime.token_secret()),
      limiter_(clock, config.rate_limit_per_s, config.rate_burst),
      request_id_prefix_(make_request_id_prefix()),
      metrics_require_auth_(config.metrics_require_auth) {
    HttpMetrics::get();  // the families are in the first scrape, before any request is counted
}

std::string Api::request_id_for(std::string_view header) {
    if (!header.empty() && is_safe_id(header)) return std::string(header);
    std::string id = request_id_prefix_;
    fmt::format_to(std::back_inserter(id), "{:x}", request_counter_.fetch_add(1) + 1);
    return id;
}

HttpResponse Api::error_response(const Status& status, std::string request_id) {
    HttpResponse r;
    r.status = http_status(status.code());
    r.body = error_body(error_code_name(status.code()), status.message(), r.status, request_id);
    r.request_id = std::move(request_id);
    return r;
}

HttpResponse Api::transport_error(int status, std::string_view code, std::string_view message) {
    HttpResponse r;
    r.status = status;
    r.request_id = request_id_for({});
    r.body = error_body(code, message, status, r.request_id);
    return r;
}

HttpResponse Api::handle(const HttpRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    std::string request_id = request_id_for(request.request_id);
    const ScopedLogContext log_context(LogFields().for_request(request_id));
    Outcome outcome;
    HttpResponse response = respond(request, request_id, outcome);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    record_request(request.method, outcome.route, response.status, outcome.error_code, seconds);

    // The access log: reads that succeed only at debug (GET /jobs/{id} is polled all the time),
    // changes and client errors at info, server errors at error.
    LogLevel level = LogLevel::kInfo;
    if (response.status >= 500) {
        level = LogLevel::kError;
    } else if (request.method == Method::kGet && response.status < 400) {
        level = LogLevel::kDebug;
    }
    if (log_enabled(level)) {
        const std::string_view path = request.target.substr(0, request.target.find('?'));
        LogFields fields;
        if (outcome.caller) {
            fields.for_user(outcome.caller->user_id).for_instance(outcome.caller->instance);
        }
        QRT_LOG_AT_F(level, fields, "{} {} {} {:.1f} ms{}{}", method_name(request.method),
                     path.substr(0, 300), response.status, seconds * 1e3,
                     outcome.error_code.empty() ? "" : " ", outcome.error_code);
    }
    // Moved, not copied, on the way out (respond() leaves it to here).
    if (response.request_id.empty()) response.request_id = std::move(request_id);
    return response;
}

HttpResponse Api::respond(const HttpRequest& request, const std::string& request_id,
                          Outcome& outcome) {
    auto fail = [&](int status, std::string_view code, std::string_view message) {
        outcome.error_code = code;
        HttpResponse r;
        r.status = status;
        r.body = error_body(code, message, status, request_id);
        r.request_id = request_id;
        return r;
    };
    auto error = [&](const Status& status) {
        outcome.error_code = error_code_name(status.code());
        return error_response(status, request_id);
    };

    Result<Target> target = split_target(request.target);
    if (!target.ok()) return fail(400, "invalid_argument", target.status().message());
    Context ctx{request, request_id, match_route(request.method, target->path), {}, {}};
    if (ctx.match.kind == RouteMatch::Kind::kNotFound) {
        return fail(
            404, "not_found",
            fmt::format("no route for {} (see docs/http-api.md)", target->path.substr(0, 300)));
    }
    if (ctx.match.kind == RouteMatch::Kind::kMethodNotAllowed) {
        HttpResponse r = fail(405, "method_not_allowed",
                              fmt::format("{} accepts {}", target->path, ctx.match.allow));
        r.allow = ctx.match.allow;
        return r;
    }
    outcome.route = ctx.match.route;
    if (ctx.match.route == Route::kMetrics) return metrics_response(request, request_id, outcome);
    if (ctx.match.route == Route::kHealth) {
        HttpResponse r;
        r.content_type = kTextType;
        r.body = "ok";
        return r;
    }

    try {
        if (ctx.match.route == Route::kToken) {
            const RateLimiter::Decision d = limiter_.acquire(fmt::format("peer:{}", request.peer));
            if (!d.allowed) {
                HttpResponse r = fail(429, "resource_exhausted", "too many token requests");
                r.retry_after_s = d.retry_after_s;
                return r;
            }
            Reply reply = token(request, request_id);
            if (!reply.ok()) return error(reply.status());
            return std::move(reply).value();
        }

        Result<std::shared_ptr<const runtime::Caller>> caller = authenticate(request);
        // Failed credentials count against the peer, so guessing keys is rate limited too.
        const RateLimiter::Decision d =
            caller.ok() ? limiter_.acquire(fmt::format("user:{}", (*caller)->user_id))
                        : limiter_.acquire(fmt::format("peer:{}", request.peer));
        if (!d.allowed) {
            HttpResponse r =
                fail(429, "resource_exhausted",
                     fmt::format("rate limit exceeded; retry after {} s", d.retry_after_s));
            r.retry_after_s = d.retry_after_s;
            return r;
        }
        if (!caller.ok()) return error(caller.status());
        ctx.caller = std::move(caller).value();
        const ScopedLogContext who(
            LogFields().for_user(ctx.caller->user_id).for_instance(ctx.caller->instance));

        Result<QueryParams> query = parse_query(target->query);
        if (!query.ok()) return error(query.status());
        ctx.query = std::move(query).value();

        Reply reply = [&]() -> Reply {
            try {
                return dispatch(ctx);
            } catch (const jsonpath::PathError& e) {
                return invalid_argument(fmt::format("invalid request body: {}", e.message));
            }
        }();
        outcome.caller = std::move(ctx.caller);  // still alive for the views of `who`
        if (!reply.ok()) return error(reply.status());
        return std::move(reply).value();
    } catch (const std::bad_alloc&) {
        QRT_LOG_ERROR("{} {}: out of memory", method_name(request.method), target->path);
        return fail(500, "internal", "out of memory while handling the request");
    } catch (const std::exception& e) {
        QRT_LOG_ERROR("{} {}: unexpected exception: {}", method_name(request.method), target->path,
                      e.what());
        return fail(500, "internal", "unexpected server error; see the server log");
    }
}

HttpResponse Api::metrics_response(const HttpRequest& request, const std::string& request_id,
                                   Outcome& outcome) {
    if (metrics_require_auth_) {
        Result<std::shared_ptr<const runtime::Caller>> caller = authenticate(request);
        Status denied;
        if (!caller.ok()) {
            denied = caller.status();
        } else if (!(*caller)->admin) {
            denied = Status{ErrorCode::kPermissionDenied,
                            "/metrics is for administrators ([metrics] require_auth = true)"};
        }
        if (!denied.ok()) {
            outcome.error_code = error_code_name(denied.code());
            return error_response(denied, request_id);
        }
        outcome.caller = *caller;
    }
    HttpResponse r;
    r.content_type = metrics::kExpositionContentType;
    r.body = metrics::default_registry().exposition();
    return r;
}

Result<std::shared_ptr<const runtime::Caller>> Api::authenticate(const HttpRequest& request) {
    Result<Credential> cred = parse_authorization(request.authorization);
    if (!cred.ok()) return cred.status();
    if (cred->kind == CredentialKind::kNone) {
        return Status{ErrorCode::kUnauthenticated,
                      "missing Authorization header: send \"Bearer <token>\" (from POST "
                      "/identity/token) or \"apikey <key>\""};
    }
    if (request.service_crn.size() > 512 || has_control_chars(request.service_crn)) {
        return invalid_argument("Service-CRN header is longer than 512 bytes or malformed");
    }
    const std::string instance(request.service_crn);
    // A Bearer value without dots is not a token: take it as an API key, as many REST tools
    // send keys that way.
    const bool is_token =
        cred->kind == CredentialKind::kBearer && cred->value.find('.') != std::string_view::npos;
    if (is_token) {
        if (cred->value.size() > kMaxTokenLength) {
            return Status{ErrorCode::kUnauthenticated, "malformed token: longer than 4096 bytes"};
        }
        // Keyed by the exact token: the same bytes verify the same way, so a hit skips the
        // signature check; the entry never outlives the token's exp.
        const std::string cache_key = fmt::format("t:{}\n{}", cred->value, instance);
        if (auto hit = cache_lookup(cache_key)) return hit;
        const Timestamp now = clock_.now();
        Result<TokenClaims> claims = verify_token(cred->value, token_secret_, now);
        if (!claims.ok()) return claims.status();
        return cached_caller(cache_key, true, claims->subject, instance, claims->expires_at);
    }
    if (cred->value.size() > 1024) {
        return Status{ErrorCode::kUnauthenticated, "API key is longer than 1024 bytes"};
    }
    // Keyed by the key's hash, never the key itself.
    const std::string cache_key = fmt::format("k:{}\n{}", sha256_hex(cred->value), instance);
    if (auto hit = cache_lookup(cache_key)) return hit;
    return cached_caller(cache_key, false, cred->value, instance, Timestamp::max());
}

std::shared_ptr<const runtime::Caller> Api::cache_lookup(const std::string& cache_key) {
    const Timestamp now = clock_.now();
    std::lock_guard lock(cache_mu_);
    auto it = caller_cache_.find(cache_key);
    if (it != caller_cache_.end() && it->second.expires > now) return it->second.caller;
    return nullptr;
}

Result<std::shared_ptr<const runtime::Caller>> Api::cached_caller(const std::string& cache_key,
                                                                  bool is_token,
                                                                  std::string_view subject,
                                                                  const std::string& instance,
                                                                  Timestamp not_after) {
    Result<runtime::Caller> caller =
        is_token ? runtime_.caller_for_user(std::string(subject), instance)
                 : runtime_.authenticate_api_key(std::string(subject), instance);
    if (!caller.ok()) {
        // A token whose user is gone is a bad credential, not a missing resource.
        if (is_token && caller.status().code() == ErrorCode::kNotFound) {
            return Status{ErrorCode::kUnauthenticated, "the token's user no longer exists"};
        }
        return caller.status();
    }
    auto shared = std::make_shared<const runtime::Caller>(std::move(caller).value());
    const Timestamp expires = std::min(clock_.now() + kCallerCacheTtl, not_after);
    std::lock_guard lock(cache_mu_);
    if (caller_cache_.size() >= kCallerCacheMax) caller_cache_.clear();
    caller_cache_[cache_key] = CachedCaller{shared, expires};
    return shared;
}

Api::Reply Api::token(const HttpRequest& request, const std::string& request_id) {
    // The body is a form (what ibm-cloud-sdk-core sends, whatever its Content-Type says) or a
    // JSON object with the same fields.
    std::string api_key, grant_type;
    std::size_t first = request.body.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && request.body[first] == '{') {
        Result<boost::json::object> obj = parse_json_object(request.body);
        if (!obj.ok()) return iam_error(400, "BXNIM0109E", obj.status().message(), request_id);
        try {
            api_key = std::string(body::string_field(*obj, "apikey", 1024).value_or(""));
            grant_type = std::string(body::string_field(*obj, "grant_type", 256).value_or(""));
        } catch (const jsonpath::PathError& e) {
            return iam_error(400, "BXNIM0109E", e.message, request_id);
        }
    } else {
        Result<QueryParams> form = parse_query(request.body);
        if (!form.ok()) return iam_error(400, "BXNIM0109E", form.status().message(), request_id);
        api_key = std::string(form->get("apikey").value_or(""));
        grant_type = std::string(form->get("grant_type").value_or(""));
    }
    if (!grant_type.empty() && grant_type != kApiKeyGrant) {
        return iam_error(400, "BXNIM0109E",
                         fmt::format("Property 'grant_type' must be '{}'", kApiKeyGrant),
                         request_id);
    }
    if (api_key.empty()) {
        return iam_error(400, "BXNIM0103E",
                         "Property missing or empty. Property 'apikey' must be specified.",
                         request_id);
    }
    Result<runtime::Caller> caller = runtime_.authenticate_api_key(api_key, "");
    if (!caller.ok()) {
        if (caller.status().code() == ErrorCode::kUnauthenticated ||
            caller.status().code() == ErrorCode::kNotFound) {
            return iam_error(400, "BXNIM0415E", "Provided API key could not be found.", request_id);
        }
        return caller.status();
    }
    const Timestamp now = clock_.now();
    TokenClaims claims;
    claims.subject = caller->user_id;
    claims.issued_at = std::chrono::floor<std::chrono::seconds>(now);
    claims.expires_at = claims.issued_at + std::chrono::floor<std::chrono::seconds>(
                                               std::max(config_.token_ttl, Duration(1'000'000)));
    const std::int64_t exp =
        std::chrono::floor<std::chrono::seconds>(claims.expires_at.time_since_epoch()).count();
    const std::int64_t ttl =
        std::chrono::floor<std::chrono::seconds>(claims.expires_at - claims.issued_at).count();
    JsonWriter w(512);
    w.begin_object();
    w.key("access_token").string(sign_token(claims, token_secret_));
    // No refresh flow: the client asks for a new token with its API key when this one ages.
    w.key("refresh_token").string("not_supported");
    w.key("token_type").string("Bearer");
    w.key("expires_in").integer(ttl);
    w.key("expiration").integer(exp);
    w.key("scope").string("ibm openid");
    w.key("user_id").string(caller->user_id);
    w.end_object();
    HttpResponse r;
    r.body = std::move(w).str();
    return r;
}

Api::Reply Api::dispatch(Context& ctx) {
    const Method m = ctx.request.method;
    switch (ctx.match.route) {
        case Route::kHealth:
        case Route::kToken:
        case Route::kMetrics:
            break;  // handled before authentication
        case Route::kBackends:
            return list_backends(ctx);
        case Route::kBackendConfiguration:
            return backend_configuration(ctx);
        case Route::kBackendProperties:
            return backend_properties(ctx);
        case Route::kBackendStatus:
            return backend_status(ctx);
        case Route::kBackendDefaults:
            return backend_defaults(ctx);
        case Route::kInstancesUsage:
            return instance_usage(ctx);
        case Route::kJobs:
            return m == Method::kPost ? submit_job(ctx) : list_jobs(ctx);
        case Route::kJob:
            return m == Method::kDelete ? delete_job(ctx) : get_job(ctx);
        case Route::kJobResults:
            return job_results(ctx);
        case Route::kJobCancel:
            return cancel_job(ctx);
        case Route::kJobLogs:
            return job_logs(ctx);
        case Route::kJobMetrics:
            return job_metrics(ctx);
        case Route::kJobTags:
            return job_tags(ctx);
        case Route::kSessions:
            return create_session(ctx);
        case Route::kSession:
            return m == Method::kPatch ? patch_session(ctx) : get_session(ctx);
        case Route::kSessionClose:
            return cancel_session(ctx);
        case Route::kAdminUsers:
        case Route::kAdminUserKeys:
        case Route::kAdminKey:
        case Route::kAdminInstances:
        case Route::kAdminBackendPause:
        case Route::kAdminBackendResume:
        case Route::kAdminReservations: {
            if (!ctx.who().admin) {
                return Status{ErrorCode::kPermissionDenied,
                              "admin routes need an admin user's API key or token"};
            }
            switch (ctx.match.route) {
                case Route::kAdminUsers:
                    return m == Method::kPost ? admin_create_user(ctx) : admin_list_users(ctx);
                case Route::kAdminUserKeys:
                    return admin_create_key(ctx);
                case Route::kAdminKey:
                    return admin_revoke_key(ctx);
                case Route::kAdminInstances:
                    return m == Method::kPut ? admin_put_instance(ctx) : admin_list_instances(ctx);
                case Route::kAdminBackendPause:
                    return admin_pause_backend(ctx, true);
                case Route::kAdminBackendResume:
                    return admin_pause_backend(ctx, false);
                case Route::kAdminReservations:
                    return admin_add_reservation(ctx);
                default:
                    break;
            }
            break;
        }
    }
    return internal_error("route without a handler");
}

}  // namespace qrt::api
