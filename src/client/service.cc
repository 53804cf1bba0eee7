// qrt::Service: credentials, the token, the connection pool, retries, backends, jobs, usage.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "client/client_internal.h"

namespace qrt {

namespace json = boost::json;
using client::HttpClient;
using client::HttpResponse;

namespace {

constexpr std::size_t kMaxIdleConnections = 8;
constexpr std::string_view kDefaultUrl = "http://127.0.0.1:8000";

std::string env(const char* name) {
    const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read, never set
    return v == nullptr ? std::string() : std::string(v);
}

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    std::size_t b = 0;
    while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    return s.substr(b);
}

bool idempotent(std::string_view method) {
    return method == "GET" || method == "PUT" || method == "PATCH" || method == "DELETE" ||
           method == "HEAD";
}

bool retryable_status(int status) {
    return status == 429 || status == 502 || status == 503 || status == 504;
}

qrt::Duration to_duration(std::chrono::duration<double> d) {
    return std::chrono::duration_cast<qrt::Duration>(d);
}

// Backoff before retry `attempt` (0-based): 100 ms, 200 ms, 400 ms, ... capped at 2 s; a
// Retry-After from the server wins when it is longer (capped at 10 s).
std::chrono::milliseconds backoff(int attempt, const HttpResponse* r) {
    auto wait = std::chrono::milliseconds(std::min(2000, 100 << std::min(attempt, 5)));
    if (r != nullptr) {
        if (auto after = r->header("Retry-After")) {
            char* end = nullptr;
            double s = std::strtod(after->c_str(), &end);
            if (end != after->c_str() && s > 0) {
                auto ms = std::chrono::milliseconds(static_cast<long>(std::min(s, 10.0) * 1000));
                wait = std::max(wait, ms);
            }
        }
    }
    return wait;
}

}  // namespace

// ---------------------------------------------------------------- Impl: transport

std::unique_ptr<HttpClient> Service::Impl::acquire() {
    {
        std::lock_guard lock(pool_mu);
        if (!idle.empty()) {
            auto c = std::move(idle.back());
            idle.pop_back();
            return c;
        }
    }
    client::HttpOptions o;
    o.connect_timeout = to_duration(options.connect_timeout);
    o.request_timeout = to_duration(options.timeout);
    o.user_agent = "qrt-cpp-client";
    return std::make_unique<HttpClient>(url, o);
}

void Service::Impl::release(std::unique_ptr<HttpClient> c) {
    std::lock_guard lock(pool_mu);
    if (idle.size() < kMaxIdleConnections) idle.push_back(std::move(c));
}

std::string Service::Impl::authorization(bool force_refresh) {
    if (bearer_given) return "Bearer " + api_key;
    std::lock_guard lock(token_mu);
    const auto now = std::chrono::steady_clock::now();
    if (!force_refresh && !bearer.empty() && now < refresh_at) return bearer;
    // No refresh flow (docs/http-api.md, Token): ask again with the API key.
    std::string body = "grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey&apikey=" +
                       client::url_encode(api_key);
    Result<HttpResponse> r = Status{ErrorCode::kUnavailable, "not sent"};
    for (int attempt = 0;; ++attempt) {
        auto c = acquire();
        r = c->request("POST", "/identity/token", body, "application/x-www-form-urlencoded");
        if (r.ok()) release(std::move(c));
        bool again =
            r.ok() ? retryable_status(r->status) : r.status().code() == ErrorCode::kUnavailable;
        if (!again || attempt >= options.retries) break;
        std::this_thread::sleep_for(backoff(attempt, r.ok() ? &*r : nullptr));
    }
    if (!r.ok()) client::throw_status(r.status(), 0, "getting a token");
    if (!r->ok()) {
        Status s = client::http_error_status(*r);
        // 400 there means the API key is unknown or revoked (BXNIM0415E): a credential problem.
        ErrorKind kind =
            r->status == 400 ? ErrorKind::kUnauthenticated : client::error_kind(s, r->status);
        client::throw_error(kind, fmt::format("getting a token from {}: {}", url_text, s.message()),
                            r->status);
    }
    auto v = client::parse_json(r->body);
    std::string token = v.ok() ? client::json_string(*v, "access_token") : std::string();
    if (token.empty()) {
        client::throw_error(
            ErrorKind::kInternal,
            fmt::format("{}/identity/token answered without access_token", url_text));
    }
    double ttl = v.ok() ? client::json_number(*v, "expires_in", 3600) : 3600;
    bearer = "Bearer " + token;
    refresh_at = now + std::chrono::milliseconds(static_cast<long>(ttl * 800));  // 80% of its life
    return bearer;
}

Service::Impl::Reply Service::Impl::call(std::string_view method, const std::string& target,
                                         std::string_view body, std::string_view context) {
    const bool may_retry = idempotent(method);
    bool refreshed = false;
    for (int attempt = 0;; ++attempt) {
        std::vector<client::Header> headers{{"Authorization", authorization(false)}};
        if (!options.instance.empty()) headers.push_back({"Service-CRN", options.instance});
        auto c = acquire();
        Result<HttpResponse> r =
            c->request(method, target, body, body.empty() ? "" : "application/json", headers);
        if (!r.ok()) {
            // The connection is dropped with the client; a retry opens a new one.
            if (may_retry && r.status().code() == ErrorCode::kUnavailable &&
                attempt < options.retries) {
                std::this_thread::sleep_for(backoff(attempt, nullptr));
                continue;
            }
            std::string what =
                context.empty() ? fmt::format("{} {}", method, target) : std::string(context);
            client::throw_status(r.status(), 0, what);
        }
        release(std::move(c));
        if (r->status == 401 && !refreshed && !bearer_given) {
            // The token may have expired early (server restarted with a new secret): once more
            // with a fresh one.
            refreshed = true;
            authorization(true);
            --attempt;
            continue;
        }
        if (may_retry && retryable_status(r->status) && attempt < options.retries) {
            std::this_thread::sleep_for(backoff(attempt, &*r));
            continue;
        }
        if (!r->ok()) {
            Status s = client::http_error_status(*r);
            client::throw_status(s, r->status, context);
        }
        return {r->status, std::move(r->body)};
    }
}

json::value Service::Impl::call_json(std::string_view method, const std::string& target,
                                     std::string_view body, std::string_view context) {
    Reply r = call(method, target, body, context);
    if (r.body.empty()) return nullptr;
    auto v = client::parse_json(r.body);
    if (!v.ok()) {
        client::throw_error(ErrorKind::kInternal,
                            fmt::format("{} {}: the server's answer is not JSON: {}", method,
                                        target, v.status().message()),
                            r.status);
    }
    return std::move(v).value();
}

std::shared_ptr<const circuit::Target> Service::Impl::load_target(const std::string& backend) {
    const std::string base = "/api/v1/backends/" + client::url_encode(backend);
    Reply config = call("GET", base + "/configuration", {}, "backend " + backend);
    Reply props = call("GET", base + "/properties", {}, "backend " + backend);
    Result<circuit::Target> t = circuit::target_from_backend_json(config.body, props.body);
    if (!t.ok()) {
        client::throw_status(t.status(), 0,
                             fmt::format("the configuration of {} cannot be read", backend));
    }
    return std::make_shared<const circuit::Target>(std::move(t).value());
}

// ---------------------------------------------------------------- Service

Service::Service(ServiceOptions options) : impl_(std::make_unique<Impl>()) {
    Impl& im = *impl_;
    im.options = std::move(options);
    std::string url = im.options.url;
    if (url.empty()) url = env("QRT_URL");
    if (url.empty()) url = kDefaultUrl;
    Result<client::Url> parsed = client::parse_url(url);
    if (!parsed.ok()) client::throw_status(parsed.status());
    im.url = *parsed;
    im.url_text = im.url.to_string();

    std::string token = im.options.token;
    if (token.empty()) token = env("QRT_TOKEN");
    if (token.empty()) {
        Result<std::string> path = client::default_admin_key_path(im.options.data_dir);
        if (!path.ok()) client::throw_status(path.status());
        std::ifstream f(*path);
        if (!f) {
            client::throw_error(ErrorKind::kUnauthenticated,
                                fmt::format("no credentials: pass a token, set QRT_TOKEN, or start "
                                            "a local server (`qrt serve`) so that {} exists",
                                            *path));
        }
        std::stringstream text;
        text << f.rdbuf();
        token = trim(text.str());
        if (token.empty()) {
            client::throw_error(ErrorKind::kUnauthenticated, fmt::format("{} is empty", *path));
        }
    }
    im.api_key = trim(token);
    // A JWT (header.payload.signature) is a token already; anything else is an API key.
    im.bearer_given = std::count(im.api_key.begin(), im.api_key.end(), '.') == 2;
}

Service::~Service() = default;

std::shared_ptr<Service> Service::connect(ServiceOptions options) {
    return std::make_shared<Service>(std::move(options));
}

Service::Impl& Service::impl() const { return *impl_; }

const std::string& Service::url() const { return impl_->url_text; }

namespace {

BackendInfo backend_from_list_entry(const json::value& d, std::weak_ptr<const Service> service) {
    BackendInfo b;
    b.name = client::json_string(d, "name");
    b.num_qubits = static_cast<std::uint32_t>(client::json_number(d, "qubits"));
    if (const auto* sim = client::json_field(d, "simulator"); sim && sim->is_bool()) {
        b.simulator = sim->as_bool();
    }
    if (const auto* st = client::json_field(d, "status")) {
        b.operational = client::json_string(*st, "name") != "paused";
        b.status_message = client::json_string(*st, "reason");
    }
    b.pending_jobs = static_cast<int>(client::json_number(d, "queue_length"));
    b.raw_json = json::serialize(d);
    b.target = std::make_shared<detail::BackendTarget>();
    b.target->service = std::move(service);
    b.target->name = b.name;
    return b;
}

}  // namespace

std::vector<BackendInfo> Service::backends() const {
    json::value v = impl_->call_json("GET", "/api/v1/backends", {}, "listing backends");
    std::vector<BackendInfo> out;
    const json::value* devices = client::json_field(v, "devices");
    if (devices == nullptr || !devices->is_array()) return out;
    for (const json::value& d : devices->as_array()) {
        if (d.is_object()) out.push_back(backend_from_list_entry(d, weak_from_this()));
    }
    return out;
}

BackendInfo Service::backend(const std::string& name) const {
    const std::string base = "/api/v1/backends/" + client::url_encode(name);
    const std::string ctx = "backend " + name;
    json::value config = impl_->call_json("GET", base + "/configuration", {}, ctx);
    Impl::Reply props = impl_->call("GET", base + "/properties", {}, ctx);
    json::value status = impl_->call_json("GET", base + "/status", {}, ctx);

    BackendInfo b;
    b.name = client::json_string(config, "backend_name");
    if (b.name.empty()) b.name = name;
    b.num_qubits = static_cast<std::uint32_t>(client::json_number(config, "n_qubits"));
    if (const auto* sim = client::json_field(config, "simulator"); sim && sim->is_bool()) {
        b.simulator = sim->as_bool();
    }
    if (const auto* state = client::json_field(status, "state"); state && state->is_bool()) {
        b.operational = state->as_bool();
    }
    b.status_message = client::json_string(status, "message");
    b.pending_jobs = static_cast<int>(client::json_number(status, "length_queue"));
    if (const auto* gates = client::json_field(config, "basis_gates"); gates && gates->is_array()) {
        for (const auto& g : gates->as_array()) {
            if (g.is_string()) b.basis_gates.emplace_back(g.as_string());
        }
    }
    if (const auto* cm = client::json_field(config, "coupling_map"); cm && cm->is_array()) {
        for (const auto& e : cm->as_array()) {
            if (!e.is_array() || e.as_array().size() != 2) continue;
            const auto& a = e.as_array();
            if (a[0].is_int64() && a[1].is_int64()) {
                b.coupling_map.emplace_back(static_cast<std::uint32_t>(a[0].as_int64()),
                                            static_cast<std::uint32_t>(a[1].as_int64()));
            }
        }
    }
    b.raw_json = json::serialize(config);

    Result<circuit::Target> t =
        circuit::target_from_backend_json(json::serialize(config), props.body);
    if (!t.ok()) {
        client::throw_status(t.status(), 0,
                             fmt::format("the configuration of {} cannot be read", name));
    }
    b.target = std::make_shared<detail::BackendTarget>();
    b.target->service = weak_from_this();
    b.target->name = b.name;
    b.target->target = std::make_shared<const circuit::Target>(std::move(t).value());
    std::call_once(b.target->loaded, [] {});  // already loaded
    return b;
}

BackendInfo Service::least_busy(std::uint32_t min_qubits, bool simulator) const {
    std::vector<BackendInfo> all = backends();
    const BackendInfo* best = nullptr;
    for (const BackendInfo& b : all) {
        if (b.num_qubits < min_qubits || b.simulator != simulator || !b.operational) continue;
        if (best == nullptr || b.pending_jobs < best->pending_jobs) best = &b;  // first on ties
    }
    if (best == nullptr) {
        client::throw_error(ErrorKind::kNotFound,
                            fmt::format("no operational {} with at least {} qubits",
                                        simulator ? "simulator" : "device", min_qubits));
    }
    return backend(best->name);
}

Job Service::job(const std::string& id) {
    // Checks that it exists (and is visible), as the Python client's service.job(id) does.
    impl_->call("GET", "/api/v1/jobs/" + client::url_encode(id) + "?exclude_params=true", {},
                "job " + id);
    std::shared_ptr<Service> self = weak_from_this().lock();
    if (!self) {
        client::throw_error(ErrorKind::kInvalidArgument,
                            "Service::job needs a Service made by Service::connect()");
    }
    return Job(std::move(self), id);
}

std::vector<JobInfo> Service::jobs(const JobFilter& filter) const {
    std::string q = fmt::format("/api/v1/jobs?exclude_params=true&limit={}&offset={}&sort={}",
                                std::max(0, filter.limit), std::max(0, filter.skip),
                                filter.descending ? "DESC" : "ASC");
    auto add = [&q](std::string_view key, const std::string& value) {
        if (!value.empty()) q += fmt::format("&{}={}", key, client::url_encode(value));
    };
    add("backend", filter.backend);
    add("session_id", filter.session_id);
    add("tags", filter.tag);
    add("program", filter.program_id);
    if (filter.status) {
        static constexpr std::string_view kWire[] = {"Queued", "Running", "Completed", "Failed",
                                                     "Cancelled"};
        add("status", std::string(kWire[static_cast<int>(*filter.status)]));
    }
    json::value v = impl_->call_json("GET", q, {}, "listing jobs");
    std::vector<JobInfo> out;
    if (const auto* jobs = client::json_field(v, "jobs"); jobs && jobs->is_array()) {
        for (const auto& j : jobs->as_array()) out.push_back(client::job_info_from_json(j));
    }
    return out;
}

std::string Service::usage_json() const {
    return impl_->call("GET", "/api/v1/instances/usage", {}, "usage").body;
}

double Service::usage_seconds() const {
    json::value v = impl_->call_json("GET", "/api/v1/instances/usage", {}, "usage");
    return client::json_number(v, "usage_consumed_seconds");
}

}  // namespace qrt
