// The HTTP API without the sockets: one parsed request in, one response out. Routing, auth
// (Bearer token or API key, Service-CRN instance), rate limiting, query/body decoding, the call
// into runtime::Runtime, and the JSON encoding all happen here; server.cc only moves bytes.
// Tests and the bench drive it in-process; docs/http-api.md lists every route it serves.
//
// Credential cache: a verified token or API key resolves to a runtime::Caller that is kept for
// one second (by the Clock), so the hot GET /jobs/{id} path does not hit the store for the
// caller on every request. Consequence: revoking a key or a membership takes effect within a
// second; a token stays valid until it expires (that is what a signed token is).
//
// Metrics and logs: every request is counted into qrt_http_* (by route template, method and
// status; the children are cached per thread, so no lock on the hot path) and logged once with
// its request id (successful reads at debug level). GET /metrics serves the default registry.
//
// Thread safety: handle() may be called from any number of threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/http_request.h"
#include "api/rate_limiter.h"
#include "api/server.h"
#include "base/status.h"
#include "base/time.h"
#include "runtime/runtime.h"

namespace qrt::api {

// What the transport hands over: views into its own buffers, valid during handle().
struct HttpRequest {
    Method method = Method::kOther;
    std::string_view target;  // "/api/v1/jobs?limit=5"
    std::string_view body;
    std::string_view authorization;  // header values; empty when absent
    std::string_view service_crn;
    std::string_view api_version;  // IBM-API-Version
    std::string_view request_id;   // X-Request-Id, echoed when it is a safe id
    std::string_view peer;         // remote address, the rate-limit key without credentials
    // For the web pages (web/web.h): login cookie and the cross-site checks of their forms.
    std::string_view cookie;          // Cookie
    std::string_view origin;          // Origin
    std::string_view sec_fetch_site;  // Sec-Fetch-Site
    std::string_view host;            // Host
    std::string_view content_type;    // Content-Type
};

struct HttpResponse {
    int status = 200;
    std::string_view content_type = "application/json";  // static strings only
    std::string body;
    std::string allow;       // 405: the methods the path accepts
    int retry_after_s = 0;   // 429: seconds until a retry may pass
    std::string request_id;  // echoed in X-Request-Id and in error bodies' "trace"
    // More headers, written as given (the web pages: Set-Cookie, Location, CSP, ...).
    std::vector<std::pair<std::string, std::string>> headers;
};

inline constexpr std::string_view kJsonType = "application/json";
inline constexpr std::string_view kTextType = "text/plain; charset=utf-8";

class Api {
public:
    Api(const ServerConfig& config, runtime::Runtime& runtime, const Clock& clock);

    HttpResponse handle(const HttpRequest& request);

    // Does this request change state (and so may wait for a store commit)? The server runs
    // those on its worker pool and the rest on the I/O threads.
    static bool is_mutating(Method method) { return method != Method::kGet; }

    // A response for failures found by the transport before a request exists (body too large,
    // malformed HTTP): the standard error body with a fresh request id.
    HttpResponse transport_error(int status, std::string_view code, std::string_view message);

    // The request id for a request: `header` when it is a safe id, else a new one.
    std::string request_id_for(std::string_view header);

    // One request on its way through the routes (defined in api_internal.h).
    struct Context;

private:
    using Reply = Result<HttpResponse>;

    // What handle() records about a request besides its response: the route taken (none: no
    // route matched), the error code of a failure, the caller once authenticated.
    struct Outcome {
        std::optional<Route> route;
        std::string_view error_code;  // static strings only
        std::shared_ptr<const runtime::Caller> caller;
    };
    // handle() without its metrics and access log.
    HttpResponse respond(const HttpRequest& request, const std::string& request_id,
                         Outcome& outcome);
    // GET /metrics: the default registry's exposition (admins only with metrics_require_auth).
    HttpResponse metrics_response(const HttpRequest& request, const std::string& request_id,
                                  Outcome& outcome);
    // Counts a finished request into the HTTP metrics (children cached per thread).
    static void record_request(Method method, std::optional<Route> route, int status,
                               std::string_view error_code, double seconds);

    Result<std::shared_ptr<const runtime::Caller>> authenticate(const HttpRequest& request);
    // A cached caller for `cache_key` that has not expired, else null.
    std::shared_ptr<const runtime::Caller> cache_lookup(const std::string& cache_key);
    // Resolves the caller through the runtime (a token's user, or an API key) and caches it for
    // a second, never beyond `not_after`.
    Result<std::shared_ptr<const runtime::Caller>> cached_caller(const std::string& cache_key,
                                                                 bool is_token,
                                                                 std::string_view subject,
                                                                 const std::string& instance,
                                                                 Timestamp not_after);

    Reply token(const HttpRequest& request, const std::string& request_id);

    Reply dispatch(Context& ctx);
    // Jobs.
    Reply submit_job(Context& ctx);
    Reply list_jobs(Context& ctx);
    Reply get_job(Context& ctx);
    Reply delete_job(Context& ctx);
    Reply job_results(Context& ctx);
    Reply cancel_job(Context& ctx);
    Reply job_logs(Context& ctx);
    Reply job_metrics(Context& ctx);
    Reply job_tags(Context& ctx);
    // Sessions.
    Reply create_session(Context& ctx);
    Reply get_session(Context& ctx);
    Reply patch_session(Context& ctx);
    Reply cancel_session(Context& ctx);
    // Backends and usage.
    Reply list_backends(Context& ctx);
    Reply backend_configuration(Context& ctx);
    Reply backend_properties(Context& ctx);
    Reply backend_status(Context& ctx);
    Reply backend_defaults(Context& ctx);
    Reply instance_usage(Context& ctx);
    // Admin.
    Reply admin_create_user(Context& ctx);
    Reply admin_list_users(Context& ctx);
    Reply admin_create_key(Context& ctx);
    Reply admin_revoke_key(Context& ctx);
    Reply admin_list_instances(Context& ctx);
    Reply admin_put_instance(Context& ctx);
    Reply admin_pause_backend(Context& ctx, bool pause);
    Reply admin_add_reservation(Context& ctx);

    HttpResponse error_response(const Status& status, std::string request_id);

    const ServerConfig config_;
    runtime::Runtime& runtime_;
    const Clock& clock_;
    const std::string token_secret_;
    RateLimiter limiter_;

    struct CachedCaller {
        std::shared_ptr<const runtime::Caller> caller;
        Timestamp expires{};
    };
    std::mutex cache_mu_;
    std::unordered_map<std::string, CachedCaller> caller_cache_;

    const std::string request_id_prefix_;
    std::atomic<std::uint64_t> request_counter_{0};
    // [metrics] require_auth: GET /metrics for admins only (docs/operations.md "Metrics").
    const bool metrics_require_auth_;
};

}  // namespace qrt::api
