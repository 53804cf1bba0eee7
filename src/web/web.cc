#include "web/web.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "base/log.h"
#include "web/assets.h"
#include "web/html.h"
#include "web/job_summary.h"

namespace qrt::web {
namespace {

constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kCss = "text/css; charset=utf-8";
constexpr std::string_view kJs = "text/javascript; charset=utf-8";
constexpr std::string_view kJson = "application/json";
constexpr std::size_t kJobsPerPage = 50;
constexpr std::size_t kMaxPollIds = 100;
constexpr std::size_t kMaxParamsSummarized = std::size_t{16} << 20;
constexpr std::size_t kTimelineRows = 30;
constexpr std::size_t kMaxFormBytes = 16 << 10;

constexpr std::string_view kStatuses[] = {"Queued", "Running", "Completed", "Failed", "Cancelled"};

std::string h(std::string_view s) { return escape_html(s); }

bool is_final(std::string_view status) {
    return status == "Completed" || status == "Failed" || status == "Cancelled";
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// A redirect target from a form: only our own pages (no scheme, no host, no "//").
std::string safe_next(std::string_view next, std::string_view fallback) {
    if (!starts_with(next, "/ui/") || next.find("//") != std::string_view::npos ||
        next.find('\\') != std::string_view::npos || next.size() > 2000) {
        return std::string(fallback);
    }
    for (char c : next) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::string(fallback);
    }
    return std::string(next);
}

Response redirect(std::string location) {
    Response r;
    r.status = 303;
    r.content_type = kHtml;
    r.body = fmt::format("<!doctype html><p>See <a href=\"{0}\">{0}</a>.</p>", h(location));
    r.headers.emplace_back("Location", std::move(location));
    return r;
}

Response json_response(int status, std::string body) {
    Response r;
    r.status = status;
    r.content_type = kJson;
    r.body = std::move(body);
    return r;
}

std::string queue_text(const runtime::JobView& v) {
    if (v.record.status != "Queued") return "";
    std::string out;
    if (v.queue_position) out = fmt::format("#{}", *v.queue_position);
    if (v.estimated_start) {
        out += fmt::format("{}est. {}", out.empty() ? "" : ", ", format_time(v.estimated_start));
    }
    return out;
}

std::string why_text(const runtime::JobView& v) {
    if (v.record.status != "Queued") return "";
    if (v.waiting_reason.empty()) return v.waiting_rule;
    if (v.waiting_rule.empty()) return v.waiting_reason;
    return fmt::format("{} ({})", v.waiting_reason, v.waiting_rule);
}

std::string tags_html(const std::vector<std::string>& tags) {
    std::string out;
    for (const auto& t : tags) out += fmt::format("<span class=\"tag\">{}</span>", h(t));
    return out;
}

std::string short_crn(std::string_view crn) {
    // "crn:v1:bluemix:public:quantum-computing:us-east:a/local:local::" -> "a/local:local"
    std::size_t colons = 0, start = 0;
    for (std::size_t i = 0; i < crn.size(); ++i) {
        if (crn[i] == ':' && ++colons == 7) {
            start = i + 1;
            break;
        }
    }
    std::string_view rest = colons == 7 ? crn.substr(start) : crn;
    while (!rest.empty() && rest.back() == ':') rest.remove_suffix(1);
    return std::string(rest.empty() ? crn : rest);
}

std::string option(std::string_view value, std::string_view label, std::string_view selected) {
    return fmt::format("<option value=\"{}\"{}>{}</option>", h(value),
                       value == selected ? " selected" : "", h(label));
}

}  // namespace

bool is_web_path(std::string_view path) {
    if (!starts_with(path, "/"))
        return false;  // absolute-form and other odd targets: the API's 400
    if (path == "/health" || path == "/metrics") return false;
    if (starts_with(path, "/api/") || path == "/api") return false;
    if (starts_with(path, "/identity/") || path == "/identity") return false;
    return true;
}

std::vector<std::pair<std::string, std::string>> security_headers() {
    return {
        {"Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
         "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
        {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},
        {"Referrer-Policy", "same-origin"},
        {"Cache-Control", "no-store"},
    };
}

struct WebUi::Ctx {
    const Request& req;
    std::string_view path;
    std::map<std::string, std::string> query;
    std::map<std::string, std::string> form;
    std::string cookie;  // the verified cookie value
    std::optional<runtime::Caller> caller;
    std::string csrf;
    Timestamp now{};

    std::string q(const std::string& name) const {
        auto it = query.find(name);
        return it == query.end() ? "" : it->second;
    }
    std::string f(const std::string& name) const {
        auto it = form.find(name);
        return it == form.end() ? "" : it->second;
    }
};

namespace {

std::string nav_link(std::string_view href, std::string_view label, std::string_view active) {
    return fmt::format("<a href=\"{}\"{}>{}</a>", href, label == active ? " class=\"active\"" : "",
                       label);
}

// The page frame: header with navigation, the user, logout (a POST with the CSRF token).
Response page(const WebUi::Ctx& ctx, std::string_view title, std::string_view active,
              const std::string& body, int status = 200) {
    std::string out = fmt::format(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>{} - qrt</title><link rel=\"stylesheet\" href=\"/ui/static/qrt.css\">"
        "<script src=\"/ui/static/qrt.js\" defer></script></head><body><header>"
        "<a class=\"brand\" href=\"/ui/jobs\">qrt</a><nav>",
        h(title));
    if (ctx.caller) {
        out += nav_link("/ui/jobs", "Jobs", active);
        out += nav_link("/ui/workloads", "Workloads", active);
        out += nav_link("/ui/backends", "Backends", active);
        out += fmt::format(
            "</nav><div class=\"who\"><span id=\"user\">{}{}</span>"
            "<form method=\"post\" action=\"/ui/logout\"><input type=\"hidden\" name=\"csrf\" "
            "value=\"{}\"><button type=\"submit\" id=\"logout\">Log out</button></form></div>",
            h(ctx.caller->user_name), ctx.caller->admin ? " (admin)" : "", h(ctx.csrf));
    } else {
        out += "</nav>";
    }
    out += "</header><main>";
    out += body;
    out += "</main></body></html>";
    Response r;
    r.status = status;
    r.content_type = kHtml;
    r.body = std::move(out);
    return r;
}

Response error_page(const WebUi::Ctx& ctx, int status, std::string_view title,
                    std::string_view message) {
    return page(
        ctx, title, "",
        fmt::format("<h1>{}</h1><div class=\"error\" id=\"error\">{}</div>", h(title), h(message)),
        status);
}

int http_status_of(const Status& s) {
    switch (s.code()) {
        case ErrorCode::kNotFound:
            return 404;
        case ErrorCode::kPermissionDenied:
            return 403;
        case ErrorCode::kUnauthenticated:
            return 401;
        case ErrorCode::kFailedPrecondition:
            return 409;
        case ErrorCode::kInvalidArgument:
            return 400;
        case ErrorCode::kUnavailable:
            return 503;
        default:
            return 500;
    }
}

std::string cancel_form(const WebUi::Ctx& ctx, const std::string& id, std::string_view next) {
    return fmt::format(
        "<form class=\"cancel\" method=\"post\" action=\"/ui/jobs/{}/cancel\">"
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"next\" "
        "value=\"{}\"><button type=\"submit\" class=\"danger\">Cancel</button></form>",
        url_encode(id), h(ctx.csrf), h(next));
}

}  // namespace

WebUi::WebUi(runtime::Runtime& runtime, const Clock& clock, WebConfig config)
    : runtime_(runtime),
      clock_(clock),
      config_(config),
      cookies_(runtime.token_secret(), config.cookie_lifetime) {}

Response WebUi::handle(const Request& request) {
    const auto [path, query] = split_target(request.target);
    Ctx ctx{request, path, parse_form(query), {}, {}, {}, {}, clock_.now()};
    Response r;
    try {
        r = route(ctx);
    } catch (const std::exception& e) {
        // A bug in a page; the server keeps going and the user gets a plain answer.
        QRT_LOG_ERROR("web: {} {}: {}", request.method, path.substr(0, 200), e.what());
        r = error_page(ctx, 500, "Internal error", "The page could not be drawn; see the log.");
    }
    for (auto& header : security_headers()) r.headers.push_back(std::move(header));
    return r;
}

Response WebUi::route(Ctx& ctx) {
    const std::string_view m = ctx.req.method;
    const std::string_view path = ctx.path;
    const bool get = m == "GET" || m == "HEAD";
    const bool post = m == "POST";

    if (path == "/ui/static/qrt.css" || path == "/ui/static/qrt.js") {
        if (!get) return error_page(ctx, 405, "Method not allowed", "Use GET.");
        Response r;
        const bool css = path.back() == 's' && path.ends_with(".css");
        r.content_type = css ? kCss : kJs;
        r.body = std::string(css ? kStylesheet : kScript);
        return r;
    }
    if (path == "/" || path == "/ui" || path == "/ui/") return redirect("/ui/jobs");

    if (post) {
        // Cross-site checks before anything else happens (login included: login CSRF).
        Status same = check_same_origin(ctx.req.origin, ctx.req.sec_fetch_site, ctx.req.host);
        if (!same.ok()) return error_page(ctx, 403, "Forbidden", same.message());
        if (ctx.req.body.size() > kMaxFormBytes) {
            return error_page(ctx, 413, "Too large", "The form is larger than allowed.");
        }
        ctx.form = parse_form(ctx.req.body);
    }

    if (path == "/ui/login") {
        if (post) return login(ctx);
        if (get) return login_form(ctx, 200, "");
        return error_page(ctx, 405, "Method not allowed", "Use GET or POST.");
    }

    // Everything else needs a login.
    const std::string_view cookie = cookie_value(ctx.req.cookie, kCookieName);
    auto claims = cookies_.verify(cookie, ctx.now);
    Status who = claims.status();
    if (claims.ok()) {
        auto caller = runtime_.caller_for_user(claims->user_id, "");
        if (caller.ok()) {
            ctx.caller = std::move(*caller);
            ctx.cookie = std::string(cookie);
            ctx.csrf = cookies_.csrf_token(cookie);
        } else {
            who = caller.status();
        }
    }
    if (!ctx.caller) {
        if (starts_with(path, "/ui/api/")) {
            return json_response(401, R"({"error":"not logged in"})");
        }
        if (get && starts_with(path, "/ui/")) {
            return redirect("/ui/login?next=" + url_encode(ctx.req.target));
        }
        if (post) return redirect("/ui/login");
        return error_page(ctx, 404, "Not found", "No such page.");
    }
    if (post && !cookies_.csrf_ok(ctx.cookie, ctx.f("csrf"))) {
        return error_page(ctx, 403, "Forbidden",
                          "The form's CSRF token is missing or wrong; reload the page and try "
                          "again.");
    }

    if (path == "/ui/logout") {
        if (!post) return error_page(ctx, 405, "Method not allowed", "Use POST.");
        return logout(ctx);
    }
    if (path == "/ui/jobs") return get ? jobs(ctx) : error_page(ctx, 405, "Method not allowed", "");
    if (path == "/ui/api/jobs") {
        return get ? jobs_json(ctx) : json_response(405, R"({"error":"use GET"})");
    }
    if (starts_with(path, "/ui/jobs/")) {
        std::string_view rest = path.substr(9);
        const std::size_t slash = rest.find('/');
        const std::string id = url_decode(rest.substr(0, slash));
        if (slash == std::string_view::npos) {
            return get ? job(ctx, id) : error_page(ctx, 405, "Method not allowed", "Use GET.");
        }
        if (rest.substr(slash) == "/cancel") {
            return post ? cancel(ctx, id) : error_page(ctx, 405, "Method not allowed", "Use POST.");
        }
    }
    if (path == "/ui/workloads") {
        return get ? workloads(ctx) : error_page(ctx, 405, "Method not allowed", "Use GET.");
    }
    if (starts_with(path, "/ui/workloads/") && path.size() > 14) {
        return get ? workload(ctx, url_decode(path.substr(14)))
                   : error_page(ctx, 405, "Method not allowed", "Use GET.");
    }
    if (path == "/ui/backends") {
        return get ? backends(ctx) : error_page(ctx, 405, "Method not allowed", "Use GET.");
    }
    if (starts_with(path, "/ui/backends/") && path.size() > 13) {
        return get ? backend(ctx, url_decode(path.substr(13)))
                   : error_page(ctx, 405, "Method not allowed", "Use GET.");
    }
    return error_page(ctx, 404, "Not found", "No such page.");
}

// ------------------------------------------------------------------------- login

Response WebUi::login_form(Ctx& ctx, int status, std::string_view error) {
    const std::string next =
        safe_next(ctx.q("next").empty() ? ctx.f("next") : ctx.q("next"), "/ui/jobs");
    std::string body = "<div class=\"login\"><h1>Log in to qrt</h1>";
    if (!error.empty()) body += fmt::format("<div class=\"error\" id=\"error\">{}</div>", h(error));
    body += fmt::format(
        "<form method=\"post\" action=\"/ui/login\"><label for=\"apikey\">API key</label>"
        "<input type=\"password\" id=\"apikey\" name=\"apikey\" autocomplete=\"current-password\" "
        "required autofocus><input type=\"hidden\" name=\"next\" value=\"{}\">"
        "<button type=\"submit\" id=\"login\">Log in</button></form>"
        "<p class=\"muted\">The key is exchanged for a session cookie valid for {}; the pages "
        "show the instances your key's user belongs to.</p></div>",
        h(next), format_seconds(to_seconds(cookies_.lifetime())));
    return page(ctx, "Log in", "", body, status);
}

Response WebUi::login(Ctx& ctx) {
    const std::string key = ctx.f("apikey");
    if (key.empty()) return login_form(ctx, 400, "Enter an API key.");
    auto caller = runtime_.authenticate_api_key(key, "");
    if (!caller.ok()) {
        QRT_LOG_INFO("web: login refused from {}: {}", ctx.req.peer, caller.status().message());
        return login_form(ctx, 401, "That API key is not valid.");
    }
    const std::string value = cookies_.issue(caller->user_id, ctx.now);
    QRT_LOG_INFO("web: '{}' logged in from {}", caller->user_name, ctx.req.peer);
    Response r = redirect(safe_next(ctx.f("next"), "/ui/jobs"));
    r.headers.emplace_back("Set-Cookie", cookies_.set_cookie_header(value));
    return r;
}

Response WebUi::logout(Ctx& ctx) {
    cookies_.revoke(ctx.cookie, ctx.now);
    Response r = redirect("/ui/login");
    r.headers.emplace_back("Set-Cookie", SessionCookies::clear_cookie_header());
    return r;
}

// ------------------------------------------------------------------------- jobs

namespace {

// The instances the caller may choose between: (crn, label).
std::vector<std::pair<std::string, std::string>> instance_choices(runtime::Runtime& rt,
                                                                  const runtime::Caller& caller) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& in : rt.instances(caller)) out.emplace_back(in.crn, in.name);
    if (out.empty()) {
        for (const auto& crn : caller.instances) out.emplace_back(crn, short_crn(crn));
    }
    return out;
}

}  // namespace

Response WebUi::jobs(Ctx& ctx) {
    const runtime::Caller& caller = *ctx.caller;
    const auto choices = instance_choices(runtime_, caller);
    store::JobFilter filter;
    const std::string instance = ctx.q("instance");
    if (!instance.empty()) {
        filter.instances = {instance};
    } else {
        for (const auto& [crn, name] : choices) filter.instances.push_back(crn);
    }
    const std::string status = ctx.q("status"), backend_name = ctx.q("backend"),
                      session = ctx.q("session"), tag = ctx.q("tag"), program = ctx.q("program"),
                      from = ctx.q("from"), to = ctx.q("to");
    std::string problem;
    if (!status.empty()) filter.statuses = {status};
    if (!backend_name.empty()) filter.backend = backend_name;
    if (!session.empty()) filter.session_id = session;
    if (!tag.empty()) filter.tags = {tag};
    if (!program.empty()) filter.program_id = program;
    if (!from.empty()) {
        if (auto t = parse_date(from)) {
            filter.created_after = *t;
        } else {
            problem = "The 'from' date must be YYYY-MM-DD.";
        }
    }
    if (!to.empty()) {
        if (auto t = parse_date(to)) {
            filter.created_before = *t + std::chrono::hours(24);  // the whole day
        } else {
            problem = "The 'to' date must be YYYY-MM-DD.";
        }
    }
    filter.include_system = caller.admin && ctx.q("system") == "1";
    filter.limit = kJobsPerPage;
    std::size_t offset = 0;
    if (const std::string o = ctx.q("offset");
        !o.empty() && o.size() < 9 &&
        std::all_of(o.begin(), o.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        offset = static_cast<std::size_t>(std::stoul(o));
    }
    filter.offset = offset;

    std::string body = "<h1>Jobs</h1>";
    // Filters (GET form: a bookmarkable URL).
    body += "<form class=\"filters\" method=\"get\" action=\"/ui/jobs\" id=\"filters\">";
    body += "<label>Status<select name=\"status\">" + option("", "any", status);
    for (auto s : kStatuses) body += option(s, s, status);
    body += "</select></label><label>Backend<select name=\"backend\">" +
            option("", "any", backend_name);
    for (const auto& b : runtime_.backends()) body += option(b.name, b.name, backend_name);
    body += "</select></label><label>Program<select name=\"program\">" +
            option("", "any", program) + option("sampler", "sampler", program) +
            option("estimator", "estimator", program);
    if (caller.admin) body += option("calibrate", "calibrate", program);
    body += "</select></label>";
    if (choices.size() > 1) {
        body += "<label>Instance<select name=\"instance\">" + option("", "all", instance);
        for (const auto& [crn, name] : choices) body += option(crn, name, instance);
        body += "</select></label>";
    }
    body += fmt::format(
        "<label>Session<input name=\"session\" value=\"{}\" size=\"14\"></label>"
        "<label>Tag<input name=\"tag\" value=\"{}\" size=\"12\"></label>"
        "<label>From<input type=\"date\" name=\"from\" value=\"{}\"></label>"
        "<label>To<input type=\"date\" name=\"to\" value=\"{}\"></label>",
        h(session), h(tag), h(from), h(to));
    if (caller.admin) {
        body +=
            fmt::format("<label>System jobs<select name=\"system\">{}{}</select></label>",
                        option("", "hide", ctx.q("system")), option("1", "show", ctx.q("system")));
    }
    body += "<button type=\"submit\">Filter</button> <a href=\"/ui/jobs\">reset</a></form>";
    if (!problem.empty()) {
        body += fmt::format("<div class=\"error\">{}</div>", h(problem));
        return page(ctx, "Jobs", "Jobs", body, 400);
    }

    auto listed = runtime_.list_jobs(caller, filter);
    if (!listed.ok()) {
        body +=
            fmt::format("<div class=\"error\" id=\"error\">{}</div>", h(listed.status().message()));
        return page(ctx, "Jobs", "Jobs", body, http_status_of(listed.status()));
    }
    const std::string here(ctx.req.target);
    body += fmt::format(
        "<table id=\"jobs\"><thead><tr><th>Job</th><th>Status</th><th>Program</th>"
        "<th>Backend</th><th>Created</th><th>Started</th><th>Finished</th><th>Queue</th>"
        "<th>Why not running</th><th>Session</th><th>Tags</th><th class=\"num\">Usage</th>"
        "<th></th></tr></thead><tbody>");
    for (const auto& rec : listed->jobs) {
        runtime::JobView view;
        view.record = rec;
        if (rec.status == "Queued") {
            auto live = runtime_.get_job(caller, rec.id, false);
            if (live.ok()) {
                view.queue_position = live->queue_position;
                view.estimated_start = live->estimated_start;
                view.waiting_rule = live->waiting_rule;
                view.waiting_reason = live->waiting_reason;
                view.record.status = live->record.status;
            }
        }
        const bool final_state = is_final(view.record.status);
        body += fmt::format(
            "<tr data-job=\"{0}\"{1}><td><a class=\"mono\" href=\"/ui/jobs/{2}\">{0}</a></td>"
            "<td><span class=\"status st-{3}\">{3}</span></td><td>{4}</td>"
            "<td><a href=\"/ui/backends/{5}\">{6}</a></td><td>{7}</td><td class=\"started\">{8}"
            "</td><td class=\"finished\">{9}</td><td class=\"queue\">{10}</td>"
            "<td class=\"why\">{11}</td><td>{12}</td><td>{13}</td><td class=\"num\">{14}</td>"
            "<td>{15}</td></tr>",
            h(rec.id), final_state ? " data-final=\"1\"" : "", url_encode(rec.id),
            h(view.record.status), h(rec.program_id), url_encode(rec.backend), h(rec.backend),
            format_time(rec.created), format_time(rec.started), format_time(rec.finished),
            h(queue_text(view)), h(why_text(view)),
            rec.session_id.empty()
                ? std::string()
                : fmt::format("<a class=\"mono\" href=\"/ui/workloads/{}\">{}</a>",
                              url_encode(rec.session_id), h(rec.session_id)),
            tags_html(rec.tags), final_state ? format_seconds(rec.usage_s) : "",
            final_state ? "" : cancel_form(ctx, rec.id, here));
    }
    body += "</tbody></table>";
    if (listed->jobs.empty()) body += "<p class=\"muted\" id=\"nojobs\">No jobs match.</p>";
    // Pager: the same filters with another offset.
    auto with_offset = [&](std::size_t o) {
        std::string url = "/ui/jobs?";
        for (const auto& [k, v] : ctx.query) {
            if (k == "offset" || v.empty()) continue;
            url += url_encode(k) + "=" + url_encode(v) + "&";
        }
        return url + "offset=" + std::to_string(o);
    };
    body += fmt::format("<div class=\"pager\"><span id=\"count\">{}-{} of {}</span>",
                        listed->jobs.empty() ? 0 : offset + 1, offset + listed->jobs.size(),
                        listed->count);
    if (offset > 0) {
        body += fmt::format("<a href=\"{}\">newer</a>",
                            h(with_offset(offset >= kJobsPerPage ? offset - kJobsPerPage : 0)));
    }
    if (offset + listed->jobs.size() < listed->count) {
        body += fmt::format("<a href=\"{}\">older</a>", h(with_offset(offset + kJobsPerPage)));
    }
    body += "</div>";
    return page(ctx, "Jobs", "Jobs", body);
}

Response WebUi::jobs_json(Ctx& ctx) {
    boost::json::array jobs;
    const std::string all = ctx.q("ids");
    std::string_view ids = all;
    std::size_t n = 0;
    while (!ids.empty() && n < kMaxPollIds) {
        const std::size_t comma = ids.find(',');
        const std::string id(ids.substr(0, comma));
        ids = comma == std::string_view::npos ? std::string_view{} : ids.substr(comma + 1);
        if (id.empty()) continue;
        ++n;
        auto v = runtime_.get_job(*ctx.caller, id, false);
        if (!v.ok()) continue;
        boost::json::object o;
        o["id"] = v->record.id;
        o["status"] = v->record.status;
        o["queue"] = queue_text(*v);
        o["why"] = why_text(*v);
        o["started"] = format_time(v->record.started);
        o["finished"] = format_time(v->record.finished);
        jobs.push_back(std::move(o));
    }
    boost::json::object root;
    root["jobs"] = std::move(jobs);
    return json_response(200, boost::json::serialize(root));
}

Response WebUi::job(Ctx& ctx, const std::string& id) {
    auto got = runtime_.get_job(*ctx.caller, id, true);
    if (!got.ok()) {
        return error_page(ctx, http_status_of(got.status()), "Job not found",
                          got.status().message());
    }
    const runtime::JobView& v = *got;
    const store::JobRecord& rec = v.record;
    const bool final_state = is_final(rec.status);
    std::string body = fmt::format("<h1>Job <span class=\"mono\">{}</span></h1>", h(rec.id));
    body += fmt::format(
        "<div class=\"card\" data-job=\"{}\" data-reload=\"1\" data-was=\"{}\"{}><dl "
        "class=\"facts\">"
        "<dt>Status</dt><dd><span class=\"status st-{}\" id=\"status\">{}</span>{}</dd>",
        h(rec.id), h(rec.status), final_state ? " data-final=\"1\"" : "", h(rec.status),
        h(rec.status),
        final_state ? "" : " " + cancel_form(ctx, rec.id, "/ui/jobs/" + url_encode(rec.id)));
    if (!rec.reason.empty()) {
        body += fmt::format("<dt>Reason</dt><dd>{}{}</dd>", h(rec.reason),
                            rec.reason_code ? fmt::format(" (code {})", rec.reason_code) : "");
    }
    if (rec.status == "Queued") {
        body += fmt::format("<dt>Queue position</dt><dd class=\"queue\">{}</dd>", h(queue_text(v)));
        body += fmt::format("<dt>Why not running</dt><dd class=\"why\">{}</dd>", h(why_text(v)));
    }
    body += fmt::format(
        "<dt>Program</dt><dd>{}</dd><dt>Backend</dt><dd><a href=\"/ui/backends/{}\">{}</a></dd>"
        "<dt>Instance</dt><dd class=\"mono\">{}</dd>",
        h(rec.program_id), url_encode(rec.backend), h(rec.backend), h(rec.instance));
    body += fmt::format("<dt>Session</dt><dd>{}</dd>",
                        rec.session_id.empty()
                            ? std::string("<span class=\"muted\">none (job mode)</span>")
                            : fmt::format("<a class=\"mono\" href=\"/ui/workloads/{}\">{}</a>",
                                          url_encode(rec.session_id), h(rec.session_id)));
    body += fmt::format("<dt>Tags</dt><dd>{}</dd>", tags_html(rec.tags));
    body += fmt::format(
        "<dt>Created</dt><dd>{}</dd><dt>Started</dt><dd class=\"started\">{}</dd>"
        "<dt>Finished</dt><dd class=\"finished\">{}</dd>",
        format_time(rec.created), format_time(rec.started), format_time(rec.finished));
    if (rec.started) {
        const Timestamp end = rec.finished.value_or(ctx.now);
        body += fmt::format("<dt>Waited</dt><dd>{}</dd><dt>Ran</dt><dd>{}</dd>",
                            format_seconds(to_seconds(*rec.started - rec.created)),
                            format_seconds(to_seconds(end - *rec.started)));
    }
    body += fmt::format(
        "<dt>Usage</dt><dd>{} (quantum seconds)</dd><dt>Estimated run time</dt><dd>{}</dd>"
        "<dt>Attempts</dt><dd>{}</dd>",
        final_state ? format_seconds(rec.usage_s) : "pending",
        format_seconds(rec.estimated_running_time_s), rec.attempts);
    if (rec.max_execution_time_s) {
        body += fmt::format("<dt>Max execution time</dt><dd>{}</dd>",
                            format_seconds(*rec.max_execution_time_s));
    }
    body += "</dl></div>";

    // PUBs
    body += "<h2>PUBs</h2>";
    if (rec.program_id != "sampler" && rec.program_id != "estimator") {
        body += "<p class=\"muted\">A system job: no PUBs.</p>";
    } else if (rec.params_json.size() > kMaxParamsSummarized) {
        body += "<p class=\"muted\">The params are too large to summarise here.</p>";
    } else {
        auto pubs = summarize_pubs(rec.program_id, rec.params_json);
        if (!pubs.ok()) {
            body += fmt::format("<div class=\"error\">The params could not be read: {}</div>",
                                h(pubs.status().message()));
        } else {
            const bool sampler = rec.program_id == "sampler";
            body += fmt::format(
                "<table id=\"pubs\"><thead><tr><th>#</th><th>Circuit</th><th class=\"num\">Qubits"
                "</th><th class=\"num\">Clbits</th><th class=\"num\">Depth</th><th class=\"num\">"
                "Operations</th><th class=\"num\">Parameters</th><th class=\"num\">Bindings</th>"
                "{}</tr></thead><tbody>",
                sampler ? "<th class=\"num\">Shots</th>"
                        : "<th class=\"num\">Precision</th><th>Observables</th>");
            for (std::size_t i = 0; i < pubs->size(); ++i) {
                const PubSummary& s = (*pubs)[i];
                std::string tail;
                if (sampler) {
                    tail = fmt::format("<td class=\"num\">{}</td>", s.shots.value_or(0));
                } else {
                    std::string obs;
                    for (const auto& o : s.observables) {
                        obs += fmt::format("<div class=\"mono\">{}</div>", h(o));
                    }
                    if (s.num_observables > s.observables.size()) {
                        obs += fmt::format("<div class=\"muted\">{} observables in all</div>",
                                           s.num_observables);
                    }
                    tail = fmt::format("<td class=\"num\">{}</td><td>{}</td>",
                                       format_number(s.precision.value_or(0)), obs);
                }
                body += fmt::format(
                    "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                    "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                    "<td class=\"num\">{}</td>{}</tr>",
                    i, h(s.circuit_name), s.num_qubits, s.num_clbits, s.depth, s.operations,
                    s.parameters, s.parameter_sets, tail);
            }
            body += "</tbody></table>";
        }
    }

    // Result picture
    body += "<h2>Result</h2>";
    if (rec.status == "Completed" &&
        (rec.program_id == "sampler" || rec.program_id == "estimator")) {
        auto result = runtime_.job_results(*ctx.caller, rec.id);
        auto pictures = result.ok() ? picture_results(rec.program_id, *result)
                                    : Result<std::vector<PubResultPicture>>(result.status());
        if (!pictures.ok()) {
            body += fmt::format("<div class=\"error\">The result could not be drawn: {}</div>",
                                h(pictures.status().message()));
        } else {
            body += "<div class=\"grid2\" id=\"result\">";
            for (std::size_t i = 0; i < pictures->size(); ++i) {
                const auto& pic = (*pictures)[i];
                for (const auto& reg : pic.registers) {
                    std::vector<Bar> bars = reg.counts;
                    if (reg.other > 0) bars.push_back(Bar{"other", static_cast<double>(reg.other)});
                    body += fmt::format(
                        "<div class=\"card\"><h3>PUB {} - register <span class=\"mono\">{}</span>"
                        "</h3><p class=\"muted\">{} shots, {} bits, {} outcomes shown</p>{}</div>",
                        i, h(reg.name), reg.shots, reg.num_bits, reg.counts.size(),
                        histogram_svg(bars, fmt::format("PUB {} {} counts", i, reg.name)));
                }
                if (!pic.evs.empty()) {
                    body += fmt::format(
                        "<div class=\"card\"><h3>PUB {} - expectation values</h3>"
                        "<p class=\"muted\">points: evs; bars: ± stds</p>{}</div>",
                        i, error_bars_svg(pic.evs, fmt::format("PUB {} expectation values", i)));
                }
            }
            body += "</div>";
        }
    } else if (rec.status == "Failed" || rec.status == "Cancelled") {
        body += fmt::format("<p class=\"muted\">No result: the job {}.</p>",
                            rec.status == "Failed" ? "failed" : "was cancelled");
    } else if (rec.status == "Completed") {
        body += "<p class=\"muted\">A system job: its result is in its logs.</p>";
    } else {
        body +=
            "<p class=\"muted\" id=\"noresult\">Not finished yet; this page reloads when it "
            "is.</p>";
    }
    return page(ctx, "Job " + rec.id, "Jobs", body);
}

Response WebUi::cancel(Ctx& ctx, const std::string& id) {
    Status s = runtime_.cancel_job(*ctx.caller, id);
    if (!s.ok()) {
        return error_page(ctx, http_status_of(s), "Could not cancel the job", s.message());
    }
    QRT_LOG_INFO("web: job {} cancelled by '{}'", id, ctx.caller->user_name);
    return redirect(safe_next(ctx.f("next"), "/ui/jobs"));
}

// ------------------------------------------------------------------------- workloads

Response WebUi::workloads(Ctx& ctx) {
    store::SessionFilter filter;
    filter.limit = 100;
    const std::string state = ctx.q("state");
    if (state == "open") filter.open = true;
    if (state == "closed") filter.open = false;
    if (!ctx.q("backend").empty()) filter.backend = ctx.q("backend");
    std::string body = "<h1>Workloads</h1><p class=\"muted\">Sessions and batches.</p>";
    body +=
        "<form class=\"filters\" method=\"get\" action=\"/ui/workloads\"><label>State<select "
        "name=\"state\">" +
        option("", "any", state) + option("open", "open", state) +
        option("closed", "closed", state) +
        "</select></label><label>Backend<select "
        "name=\"backend\">" +
        option("", "any", ctx.q("backend"));
    for (const auto& b : runtime_.backends()) body += option(b.name, b.name, ctx.q("backend"));
    body += "</select></label><button type=\"submit\">Filter</button></form>";
    auto listed = runtime_.list_sessions(*ctx.caller, filter);
    if (!listed.ok()) {
        body += fmt::format("<div class=\"error\">{}</div>", h(listed.status().message()));
        return page(ctx, "Workloads", "Workloads", body, http_status_of(listed.status()));
    }
    if (listed->empty()) {
        body += "<p class=\"muted\" id=\"noworkloads\">No sessions or batches yet.</p>";
        return page(ctx, "Workloads", "Workloads", body);
    }
    // Timeline of the newest ones.
    std::vector<TimelineRow> rows;
    Timestamp from = ctx.now, to = ctx.now;
    for (std::size_t i = 0; i < listed->size() && i < kTimelineRows; ++i) {
        const auto& rec = (*listed)[i].record;
        store::JobFilter jf;
        jf.session_id = rec.id;
        jf.instances = {rec.instance};
        jf.limit = 500;
        jf.ascending = true;
        auto jobs = runtime_.list_jobs(*ctx.caller, jf);
        TimelineRow row;
        row.label = rec.id;
        row.href = "/ui/workloads/" + url_encode(rec.id);
        row.segments =
            workload_phases(rec, jobs.ok() ? jobs->jobs : std::vector<store::JobRecord>{}, ctx.now);
        row.closed = rec.closed_at;
        from = std::min(from, rec.created);
        rows.push_back(std::move(row));
    }
    body += "<div class=\"card\" id=\"timeline\">" + timeline_svg(rows, from, to) + "</div>";
    body +=
        "<table id=\"workloads\"><thead><tr><th>Id</th><th>Mode</th><th>Backend</th><th>State</th>"
        "<th>Accepting</th><th>Created</th><th>Started</th><th>Closed</th><th class=\"num\">Busy"
        "</th><th class=\"num\">Idle</th><th class=\"num\">Usage</th><th class=\"num\">Queued"
        "</th><th>Time left</th></tr></thead><tbody>";
    for (const auto& v : *listed) {
        const auto& r = v.record;
        body += fmt::format(
            "<tr><td><a class=\"mono\" href=\"/ui/workloads/{}\">{}</a></td><td>{}</td>"
            "<td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td>"
            "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
            "<td class=\"num\">{}</td><td>{}</td></tr>",
            url_encode(r.id), h(r.id), h(r.mode), h(r.backend), h(r.state),
            v.job_running ? " (job running)" : "", r.accepting_jobs ? "yes" : "no",
            format_time(r.created), format_time(r.started_at), format_time(r.closed_at),
            r.close_reason.empty() ? "" : " (" + h(r.close_reason) + ")", format_seconds(r.busy_s),
            format_seconds(r.idle_s), format_seconds(v.elapsed_s), v.queued_jobs,
            v.active_ttl_s && r.state != "closed" ? format_seconds(*v.active_ttl_s) : "");
    }
    body += "</tbody></table>";
    return page(ctx, "Workloads", "Workloads", body);
}

Response WebUi::workload(Ctx& ctx, const std::string& id) {
    auto got = runtime_.get_session(*ctx.caller, id);
    if (!got.ok()) {
        return error_page(ctx, http_status_of(got.status()), "Workload not found",
                          got.status().message());
    }
    const auto& v = *got;
    const auto& r = v.record;
    store::JobFilter jf;
    jf.session_id = r.id;
    jf.instances = {r.instance};
    jf.limit = 500;
    jf.ascending = true;
    auto jobs = runtime_.list_jobs(*ctx.caller, jf);
    const std::vector<store::JobRecord> job_list =
        jobs.ok() ? jobs->jobs : std::vector<store::JobRecord>{};
    std::string body = fmt::format("<h1>{} <span class=\"mono\">{}</span></h1>",
                                   r.mode == "batch" ? "Batch" : "Session", h(r.id));
    body += fmt::format(
        "<div class=\"card\"><dl class=\"facts\"><dt>State</dt><dd id=\"state\">{}{}</dd>"
        "<dt>Mode</dt><dd>{}</dd><dt>Backend</dt><dd><a href=\"/ui/backends/{}\">{}</a></dd>"
        "<dt>Instance</dt><dd class=\"mono\">{}</dd><dt>Accepting jobs</dt><dd>{}</dd>"
        "<dt>Created</dt><dd>{}</dd><dt>Started</dt><dd>{}</dd><dt>Last activated</dt><dd>{}</dd>"
        "<dt>Closed</dt><dd>{}{}</dd><dt>Interactive TTL</dt><dd>{}</dd><dt>Max TTL</dt><dd>{}</dd>"
        "<dt>Time left</dt><dd>{}</dd><dt>Usage</dt><dd>{} = busy {} + idle {}</dd></dl>{}</div>",
        h(r.state), v.job_running ? " (job running)" : "", h(r.mode), url_encode(r.backend),
        h(r.backend), h(r.instance), r.accepting_jobs ? "yes" : "no", format_time(r.created),
        format_time(r.started_at), format_time(r.activated_at), format_time(r.closed_at),
        r.close_reason.empty() ? "" : " (" + h(r.close_reason) + ")",
        format_seconds(r.interactive_ttl_s), format_seconds(r.max_ttl_s),
        v.active_ttl_s && r.state != "closed" ? format_seconds(*v.active_ttl_s) : "-",
        format_seconds(v.elapsed_s), format_seconds(r.busy_s), format_seconds(r.idle_s),
        usage_split_svg(r.busy_s, r.idle_s));
    TimelineRow row;
    row.label = r.id;
    row.segments = workload_phases(r, job_list, ctx.now);
    row.closed = r.closed_at;
    body += "<h2>Timeline</h2><div class=\"card\" id=\"timeline\">" +
            timeline_svg({row}, r.created, r.closed_at.value_or(ctx.now)) + "</div>";
    body +=
        "<h2>Jobs</h2><table id=\"jobs\"><thead><tr><th>Job</th><th>Status</th>"
        "<th>Program</th><th>Created</th><th>Started</th><th>Finished</th>"
        "<th class=\"num\">Usage</th></tr></thead><tbody>";
    for (const auto& j : job_list) {
        body += fmt::format(
            "<tr data-job=\"{0}\"{1}><td><a class=\"mono\" href=\"/ui/jobs/{2}\">{0}</a></td>"
            "<td><span class=\"status st-{3}\">{3}</span></td><td>{4}</td><td>{5}</td>"
            "<td class=\"started\">{6}</td><td class=\"finished\">{7}</td>"
            "<td class=\"num\">{8}</td></tr>",
            h(j.id), is_final(j.status) ? " data-final=\"1\"" : "", url_encode(j.id), h(j.status),
            h(j.program_id), format_time(j.created), format_time(j.started),
            format_time(j.finished), is_final(j.status) ? format_seconds(j.usage_s) : "");
    }
    body += "</tbody></table>";
    if (jobs.ok() && jobs->count > job_list.size()) {
        body += fmt::format("<p><a href=\"/ui/jobs?session={}\">all {} jobs</a></p>",
                            url_encode(r.id), jobs->count);
    }
    return page(ctx, "Workload " + r.id, "Workloads", body);
}

// ------------------------------------------------------------------------- backends

Result<DeviceMap> WebUi::device_map(const std::string& name) {
    auto config = runtime_.configuration_json(name);
    if (!config.ok()) return config.status();
    auto props = runtime_.properties_json(name);
    auto map = device_map_from_json(name, *config, props.ok() ? *props : std::string("{}"));
    if (!map.ok()) return map.status();
    std::lock_guard lock(maps_mu_);
    auto it = layouts_.find(name);
    if (it == layouts_.end() || it->second.edges != map->edges) {
        CachedLayout layout{map->edges, layout_graph(map->num_qubits, map->edges)};
        it = layouts_.insert_or_assign(name, std::move(layout)).first;
    }
    map->positions = it->second.positions;
    return map;
}

Response WebUi::backends(Ctx& ctx) {
    std::string body = "<h1>Backends</h1>";
    const auto all = runtime_.backends();
    body +=
        "<table id=\"backends\"><thead><tr><th>Name</th><th class=\"num\">Qubits</th>"
        "<th>Kind</th><th>Status</th><th class=\"num\">Queue</th><th>Running job</th>"
        "<th>Active session</th><th>Next calibration</th><th>Version</th></tr></thead><tbody>";
    for (const auto& b : all) {
        body += fmt::format(
            "<tr data-backend=\"{0}\"><td><a href=\"/ui/backends/{1}\">{0}</a></td>"
            "<td class=\"num\">{2}</td><td>{3}</td><td class=\"bstatus\">{4}</td>"
            "<td class=\"num\">{5}</td><td class=\"mono\">{6}</td><td class=\"mono\">{7}</td>"
            "<td>{8}</td><td>{9}</td></tr>",
            h(b.name), url_encode(b.name), b.num_qubits, b.simulator ? "simulator" : "device",
            b.paused ? "paused" : "online", b.queue_length,
            b.running_job.empty() ? "" : h(b.running_job),
            b.active_session.empty()
                ? std::string()
                : fmt::format("<a href=\"/ui/workloads/{}\">{}</a>", url_encode(b.active_session),
                              h(b.active_session)),
            b.next_calibration ? format_time(b.next_calibration) : "-", h(b.backend_version));
    }
    body += "</tbody></table>";

    body += "<h2>Fair share</h2>";
    auto shares = runtime_.fair_share(*ctx.caller);
    if (!shares.ok()) {
        body += fmt::format("<div class=\"error\">{}</div>", h(shares.status().message()));
    } else {
        body +=
            "<table id=\"fairshare\"><thead><tr><th>Instance</th><th>Plan</th>"
            "<th class=\"num\">Share</th><th class=\"num\">Share fraction</th>"
            "<th class=\"num\">Usage (window)</th><th class=\"num\">Ideal</th>"
            "<th class=\"num\">Ratio</th><th class=\"num\">Rank</th><th class=\"num\">"
            "Pending jobs</th><th>Limit</th></tr></thead><tbody>";
        for (const auto& row : *shares) {
            const auto& u = row.usage;
            body += fmt::format(
                "<tr><td title=\"{}\">{}</td><td>{}</td><td class=\"num\">{}</td>"
                "<td class=\"num\">{:.1f}%</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                "<td class=\"num\">{}</td><td class=\"num\">{} of {}</td><td class=\"num\">{}</td>"
                "<td>{}</td></tr>",
                h(u.instance), h(row.name), h(u.plan), format_number(row.share),
                100 * u.share_fraction, format_seconds(u.window_usage_s), format_seconds(u.ideal_s),
                format_number(u.ratio), row.rank, row.of, u.pending_jobs,
                u.limit_s ? fmt::format("{}{}", format_seconds(*u.limit_s),
                                        u.at_limit ? " (reached)" : "")
                          : "-");
        }
        body +=
            "</tbody></table><p class=\"muted\">Rank 1 is served first: the lowest ratio "
            "of usage to ideal usage (share fraction x window).</p>";
    }

    body += "<h2>Device maps</h2><div class=\"grid2\">";
    for (const auto& b : all) {
        if (b.simulator) continue;
        auto map = device_map(b.name);
        body += fmt::format(
            "<div class=\"card devicemap\" data-backend=\"{}\"><h3><a "
            "href=\"/ui/backends/{}\">{}</a> <span class=\"muted\">{} qubits"
            "</span></h3>",
            h(b.name), url_encode(b.name), h(b.name), b.num_qubits);
        body += map.ok() ? device_map_svg(*map)
                         : fmt::format("<div class=\"error\">{}</div>", h(map.status().message()));
        body += "</div>";
    }
    body += "</div>";
    return page(ctx, "Backends", "Backends", body);
}

Response WebUi::backend(Ctx& ctx, const std::string& name) {
    auto b = runtime_.backend(name);
    if (!b.ok()) {
        return error_page(ctx, 404, "Backend not found", b.status().message());
    }
    std::string body = fmt::format("<h1>Backend {}</h1>", h(b->name));
    body += fmt::format(
        "<div class=\"card\"><dl class=\"facts\"><dt>Status</dt><dd class=\"bstatus\">{}</dd>"
        "<dt>Qubits</dt><dd>{}</dd><dt>Kind</dt><dd>{}</dd><dt>Queue length</dt><dd>{}</dd>"
        "<dt>Running job</dt><dd>{}</dd><dt>Active session</dt><dd>{}</dd>"
        "<dt>Next calibration</dt><dd>{}</dd><dt>Version</dt><dd>{}</dd></dl>"
        "<p><a href=\"/ui/jobs?backend={}\">its jobs</a></p></div>",
        b->paused ? "paused" : "online", b->num_qubits, b->simulator ? "simulator" : "device",
        b->queue_length,
        b->running_job.empty() ? std::string("-")
                               : fmt::format("<a class=\"mono\" href=\"/ui/jobs/{}\">{}</a>",
                                             url_encode(b->running_job), h(b->running_job)),
        b->active_session.empty()
            ? std::string("-")
            : fmt::format("<a class=\"mono\" href=\"/ui/workloads/{}\">{}</a>",
                          url_encode(b->active_session), h(b->active_session)),
        b->next_calibration ? format_time(b->next_calibration) : "-", h(b->backend_version),
        url_encode(b->name));
    if (b->simulator) {
        body += "<p class=\"muted\">A simulator: every qubit pair is coupled, no error rates.</p>";
        return page(ctx, "Backend " + b->name, "Backends", body);
    }
    auto map = device_map(b->name);
    if (!map.ok()) {
        body += fmt::format("<div class=\"error\">{}</div>", h(map.status().message()));
        return page(ctx, "Backend " + b->name, "Backends", body);
    }
    body += "<h2>Device map</h2><div class=\"card devicemap\">" + device_map_svg(*map) + "</div>";
    body +=
        "<h2>Qubits</h2><table id=\"qubits\"><thead><tr><th class=\"num\">Qubit</th>"
        "<th class=\"num\">Readout error</th><th>Couplers (2q error)</th></tr></thead><tbody>";
    for (std::uint32_t q = 0; q < map->num_qubits; ++q) {
        std::string couplers;
        for (const auto& [key, err] : map->edge_error) {
            if (key.first != q && key.second != q) continue;
            couplers += fmt::format("{}-{}: {} ", key.first, key.second, format_number(err));
        }
        body += fmt::format(
            "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"mono\">{}</td></tr>",
            q, map->readout_error[q] ? format_number(*map->readout_error[q]) : "-", h(couplers));
    }
    body += "</tbody></table>";
    return page(ctx, "Backend " + b->name, "Backends", body);
}

}  // namespace qrt::web
