// The web pages served by `qrt serve` next to the REST API (docs/web.md): Jobs, a job's page,
// Workloads (sessions and batches), Backends (status, device maps, fair share), login with an
// API key and logout. Server-rendered HTML with inline SVG pictures, one stylesheet and one small
// script served from here: no external assets, so the pages work without internet.
//
// URLs: / -> /ui/jobs; /ui/login (GET form, POST), /ui/logout (POST); /ui/jobs,
// /ui/jobs/{id}, /ui/jobs/{id}/cancel (POST); /ui/workloads, /ui/workloads/{id};
// /ui/backends, /ui/backends/{name}; /ui/api/jobs?ids=a,b (JSON for the live status);
// /ui/static/qrt.css, /ui/static/qrt.js. Anything else not claimed by the API: 404 page.
//
// Security (session_cookie.h): a signed, short-lived, HttpOnly SameSite=Strict cookie; every
// request resolves the user's instances afresh through the runtime, so a user sees exactly what
// the REST API would show them; POSTs need the CSRF token bound to the cookie and pass the
// Origin / Sec-Fetch-Site checks; every page carries a Content-Security-Policy without inline
// script or style and without any external source, frame-ancestors 'none', nosniff.
//
// Thread safety: handle() may be called from any number of threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "runtime/runtime.h"
#include "web/session_cookie.h"
#include "web/svg.h"

namespace qrt::web {

struct Request {
    std::string_view method;  // "GET", "POST", ...
    std::string_view target;  // "/ui/jobs?status=Queued"
    std::string_view body;
    std::string_view content_type;
    std::string_view cookie;  // the Cookie header
    std::string_view origin;
    std::string_view sec_fetch_site;
    std::string_view host;
    std::string_view peer;
};

struct Response {
    int status = 200;
    std::string_view content_type = "text/html; charset=utf-8";  // static strings only
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // Set-Cookie, Location, CSP, ...
};

struct WebConfig {
    Duration cookie_lifetime = std::chrono::hours(1);
};

// Is `path` a web page path (every origin-form path but /api/..., /identity/..., /health and
// /metrics)?
bool is_web_path(std::string_view path);

// The headers every web response carries (CSP and friends).
std::vector<std::pair<std::string, std::string>> security_headers();

class WebUi {
public:
    WebUi(runtime::Runtime& runtime, const Clock& clock, WebConfig config = {});

    Response handle(const Request& request);

    // One request on its way through the pages (defined in web.cc).
    struct Ctx;

private:
    Response route(Ctx& ctx);
    Response login_form(Ctx& ctx, int status, std::string_view error);
    Response login(Ctx& ctx);
    Response logout(Ctx& ctx);
    Response jobs(Ctx& ctx);
    Response jobs_json(Ctx& ctx);
    Response job(Ctx& ctx, const std::string& id);
    Response cancel(Ctx& ctx, const std::string& id);
    Response workloads(Ctx& ctx);
    Response workload(Ctx& ctx, const std::string& id);
    Response backends(Ctx& ctx);
    Response backend(Ctx& ctx, const std::string& name);

    // The device map of a backend: error rates read now, the layout computed once per coupling
    // graph (it is quadratic in the qubits). Errors: the backend's JSON could not be read.
    Result<DeviceMap> device_map(const std::string& name);

    runtime::Runtime& runtime_;
    const Clock& clock_;
    WebConfig config_;
    SessionCookies cookies_;

    std::mutex maps_mu_;
    struct CachedLayout {
        std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
        std::vector<Point> positions;
    };
    std::map<std::string, CachedLayout> layouts_;
};

}  // namespace qrt::web
