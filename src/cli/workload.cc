#include "cli/workload.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <set>
#include <sstream>
#include <utility>

#include "base/duration.h"
#include "base/json_path.h"

namespace qrt::cli {

namespace json = boost::json;

namespace {

// Thrown inside the parser only; parse_workload turns it into a Status.
using ParseError = jsonpath::PathError;

using jsonpath::as_array;
using jsonpath::as_object;
using jsonpath::element;
using jsonpath::fail;
using jsonpath::field;
using jsonpath::kind_name;
using jsonpath::wrong_type;

std::string as_string(const json::value& v, const std::string& path) {
    if (!v.is_string()) wrong_type(path, "a string", v);
    std::string s(v.get_string());
    if (s.empty()) fail(path, "must not be empty");
    return s;
}

bool as_bool(const json::value& v, const std::string& path) {
    if (!v.is_bool()) wrong_type(path, "true or false", v);
    return v.get_bool();
}

double as_number(const json::value& v, const std::string& path) {
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    if (v.is_double()) return v.get_double();
    wrong_type(path, "a number", v);
}

std::int64_t as_int(const json::value& v, const std::string& path, std::int64_t min) {
    std::int64_t n = 0;
    if (v.is_int64()) {
        n = v.get_int64();
    } else if (v.is_uint64()) {
        if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            fail(path, "is too large");
        }
        n = static_cast<std::int64_t>(v.get_uint64());
    } else if (v.is_double() && std::floor(v.get_double()) == v.get_double() &&
               std::abs(v.get_double()) < 9e15) {
        n = static_cast<std::int64_t>(v.get_double());
    } else {
        wrong_type(path, "a whole number", v);
    }
    if (n < min) fail(path, fmt::format("must be at least {}, got {}", min, n));
    return n;
}

int as_small_int(const json::value& v, const std::string& path, int min) {
    std::int64_t n = as_int(v, path, min);
    if (n > 100'000'000) fail(path, fmt::format("is too large ({})", n));
    return static_cast<int>(n);
}

// A duration: a string in parse_duration's grammar, or a number of seconds. Never negative.
Duration as_duration(const json::value& v, const std::string& path) {
    if (v.is_string()) {
        std::string_view s = v.get_string();
        if (!s.empty() && s.front() == '-') {
            fail(path, fmt::format("negative duration \"{}\"; durations must not be negative", s));
        }
        auto d = parse_duration(s);
        if (!d.ok()) fail(path, d.status().message());
        return *d;
    }
    if (v.is_number()) {
        double s = as_number(v, path);
        if (!std::isfinite(s)) fail(path, "duration is not finite");
        if (s < 0) {
            fail(path, fmt::format("negative duration {}; durations must not be negative", s));
        }
        if (s > 1e12) fail(path, "duration is too large");
        return seconds_d(s);
    }
    wrong_type(path, "a duration (a string like \"90s\" or \"2h 30m\", or a number of seconds)", v);
}

Duration as_positive_duration(const json::value& v, const std::string& path) {
    Duration d = as_duration(v, path);
    if (d <= Duration::zero()) fail(path, "must be positive");
    return d;
}

// Rejects fields not in `allowed`.
void check_fields(const json::object& o, const std::string& path,
                  std::initializer_list<std::string_view> allowed) {
    for (const auto& kv : o) {
        std::string_view key = kv.key();
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            std::string list;
            for (std::string_view a : allowed) {
                if (!list.empty()) list += ", ";
                list += a;
            }
            fail(path.empty() ? std::string("workload") : path,
                 fmt::format("unknown field \"{}\" (expected one of: {})", key, list));
        }
    }
}

const json::value* find(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->value();
}

const json::value& require(const json::object& o, const std::string& path, std::string_view key) {
    const json::value* v = find(o, key);
    if (v == nullptr) fail(path, fmt::format("missing required field \"{}\"", key));
    return *v;
}

// A string or an array of strings (at least one).
std::vector<std::string> as_string_list(const json::value& v, const std::string& path) {
    if (v.is_string()) return {as_string(v, path)};
    if (!v.is_array()) wrong_type(path, "a string or an array of strings", v);
    std::vector<std::string> out;
    const auto& a = v.get_array();
    for (std::size_t i = 0; i < a.size(); ++i) out.push_back(as_string(a[i], element(path, i)));
    if (out.empty()) fail(path, "must not be empty");
    return out;
}

DurationDist as_dist(const json::value& v, const std::string& path) {
    if (v.is_string() || v.is_number()) return DurationDist::fixed(as_duration(v, path));
    const json::object& o = as_object(v, path);
    std::string kind = as_string(require(o, path, "dist"), field(path, "dist"));
    DurationDist d;
    if (kind == "fixed") {
        check_fields(o, path, {"dist", "value"});
        d.kind = DurationDist::Kind::kFixed;
        d.a = as_duration(require(o, path, "value"), field(path, "value"));
    } else if (kind == "exponential") {
        check_fields(o, path, {"dist", "mean"});
        d.kind = DurationDist::Kind::kExponential;
        d.a = as_positive_duration(require(o, path, "mean"), field(path, "mean"));
    } else if (kind == "lognormal") {
        check_fields(o, path, {"dist", "mean", "cv"});
        d.kind = DurationDist::Kind::kLognormal;
        d.a = as_positive_duration(require(o, path, "mean"), field(path, "mean"));
        d.cv = 1.0;
        if (const auto* cv = find(o, "cv")) {
            d.cv = as_number(*cv, field(path, "cv"));
            if (!(d.cv >= 0) || !std::isfinite(d.cv)) {
                fail(field(path, "cv"), "must be a non-negative number");
            }
        }
    } else if (kind == "uniform") {
        check_fields(o, path, {"dist", "min", "max"});
        d.kind = DurationDist::Kind::kUniform;
        d.a = as_duration(require(o, path, "min"), field(path, "min"));
        d.b = as_duration(require(o, path, "max"), field(path, "max"));
        if (d.b < d.a) fail(field(path, "max"), "must not be less than min");
    } else {
        fail(field(path, "dist"),
             fmt::format("unknown distribution \"{}\" (expected fixed, exponential, lognormal "
                         "or uniform)",
                         kind));
    }
    return d;
}

bool as_estimate(const json::value& v, const std::string& path) {
    std::string s = as_string(v, path);
    if (s == "exact") return true;
    if (s == "mean") return false;
    fail(path, fmt::format("unknown estimate \"{}\" (expected \"exact\" or \"mean\")", s));
}

// Names already declared, to check references and duplicates.
struct Names {
    std::set<std::string> backends, instances, generators;
};

void check_backend(const Names& n, const std::string& name, const std::string& path) {
    if (!n.backends.count(name)) fail(path, fmt::format("unknown backend \"{}\"", name));
}

void check_instance(const Names& n, const std::string& name, const std::string& path) {
    if (!n.instances.count(name)) fail(path, fmt::format("unknown instance \"{}\"", name));
}

void parse_settings(const json::value& v, const std::string& path, sched::Settings& s) {
    const json::object& o = as_object(v, path);
    check_fields(o, path,
                 {"interactive_ttl", "max_ttl", "open_plan_batch_max_ttl", "unused_session_timeout",
                  "job_time_cap", "policy", "fair_share_window", "half_life", "usage_bucket",
                  "forecast_horizon"});
    auto dur = [&](std::string_view key, Duration& out) {
        if (const auto* f = find(o, key)) out = as_positive_duration(*f, field(path, key));
    };
    dur("interactive_ttl", s.interactive_ttl);
    dur("max_ttl", s.max_ttl);
    dur("open_plan_batch_max_ttl", s.open_plan_batch_max_ttl);
    dur("unused_session_timeout", s.unused_session_timeout);
    dur("job_time_cap", s.job_time_cap);
    dur("fair_share_window", s.fair_share_window);
    dur("half_life", s.half_life);
    dur("usage_bucket", s.usage_bucket);
    dur("forecast_horizon", s.forecast_horizon);
    if (const auto* f = find(o, "policy")) {
        std::string p = as_string(*f, field(path, "policy"));
        if (p == "rolling_window") {
            s.policy = sched::FairSharePolicy::kRollingWindow;
        } else if (p == "half_life") {
            s.policy = sched::FairSharePolicy::kHalfLifeDecay;
        } else {
            fail(field(path, "policy"),
                 fmt::format("unknown policy \"{}\" (expected \"rolling_window\" or "
                             "\"half_life\")",
                             p));
        }
    }
}

sched::BackendSpec parse_backend(const json::value& v, const std::string& path) {
    const json::object& o = as_object(v, path);
    check_fields(o, path, {"name", "num_qubits"});
    sched::BackendSpec b;
    b.name = as_string(require(o, path, "name"), field(path, "name"));
    if (const auto* q = find(o, "num_qubits")) {
        b.num_qubits = as_small_int(*q, field(path, "num_qubits"), 0);
    }
    return b;
}

double as_share(const json::value& v, const std::string& path) {
    double s = as_number(v, path);
    if (!(s > 0) || !std::isfinite(s)) fail(path, "must be a positive number");
    return s;
}

sched::InstanceSpec parse_instance(const json::value& v, const std::string& path) {
    const json::object& o = as_object(v, path);
    check_fields(o, path, {"name", "plan", "share", "hard_limit", "interactive_ttl", "users"});
    sched::InstanceSpec in;
    in.name = as_string(require(o, path, "name"), field(path, "name"));
    if (const auto* p = find(o, "plan")) {
        std::string plan = as_string(*p, field(path, "plan"));
        if (plan == "open") {
            in.plan = sched::Plan::kOpen;
        } else if (plan == "paid") {
            in.plan = sched::Plan::kPaid;
        } else {
            fail(field(path, "plan"),
                 fmt::format("unknown plan \"{}\" (expected \"open\" or \"paid\")", plan));
        }
    }
    if (const auto* s = find(o, "share")) in.share = as_share(*s, field(path, "share"));
    if (const auto* h = find(o, "hard_limit"))
        in.hard_limit = as_duration(*h, field(path, "hard_limit"));
    if (const auto* t = find(o, "interactive_ttl")) {
        in.interactive_ttl = as_positive_duration(*t, field(path, "interactive_ttl"));
    }
    if (const auto* u = find(o, "users")) {
        std::string up = field(path, "users");
        if (u->is_object()) {
            for (const auto& kv : u->get_object()) {
                std::string name(kv.key());
                if (name.empty()) fail(up, "a user name is empty");
                in.user_shares[name] = as_share(kv.value(), field(up, name));
            }
        } else if (u->is_array()) {
            const auto& a = u->get_array();
            for (std::size_t i = 0; i < a.size(); ++i) {
                in.user_shares[as_string(a[i], element(up, i))] = 1.0;
            }
        } else {
            wrong_type(up, "an array of names or an object {name: share}", *u);
        }
    }
    return in;
}

std::vector<std::string> parse_users(const json::value& v, const std::string& path,
                                     const std::string& generator) {
    if (v.is_number()) {
        int n = as_small_int(v, path, 1);
        std::vector<std::string> out;
        for (int i = 0; i < n; ++i) out.push_back(fmt::format("{}-u{}", generator, i));
        return out;
    }
    return as_string_list(v, path);
}

std::string default_class(const json::object& o, const std::string& path, const std::string& name) {
    if (const auto* c = find(o, "class")) return as_string(*c, field(path, "class"));
    return name;
}

JobGenerator parse_jobs(const json::object& o, const std::string& path, const std::string& name,
                        const Names& names) {
    check_fields(o, path,
                 {"type", "name", "class", "instance", "users", "backend", "rate_per_hour", "count",
                  "interval", "duration", "start", "stop", "estimate", "max_execution_time"});
    JobGenerator g;
    g.name = name;
    g.job_class = default_class(o, path, name);
    g.instances = as_string_list(require(o, path, "instance"), field(path, "instance"));
    for (std::size_t i = 0; i < g.instances.size(); ++i) {
        check_instance(names, g.instances[i], field(path, "instance"));
    }
    if (const auto* u = find(o, "users")) {
        g.users = parse_users(*u, field(path, "users"), name);
    } else {
        g.users = {name + "-u0"};
    }
    g.backends = as_string_list(require(o, path, "backend"), field(path, "backend"));
    for (const auto& b : g.backends) check_backend(names, b, field(path, "backend"));
    const auto* rate = find(o, "rate_per_hour");
    const auto* count = find(o, "count");
    const auto* interval = find(o, "interval");
    if (rate != nullptr) {
        g.rate_per_hour = as_number(*rate, field(path, "rate_per_hour"));
        if (!(g.rate_per_hour > 0) || !std::isfinite(g.rate_per_hour)) {
            fail(field(path, "rate_per_hour"), "must be a positive number");
        }
        if (interval != nullptr) {
            fail(path, "give either \"rate_per_hour\" (Poisson) or \"interval\", not both");
        }
    } else if (interval != nullptr) {
        g.interval = as_duration(*interval, field(path, "interval"));
        if (g.interval <= Duration::zero() && count == nullptr) {
            fail(field(path, "interval"), "a zero interval needs \"count\"");
        }
    } else if (count == nullptr) {
        fail(path, "missing arrivals: give \"rate_per_hour\", \"interval\" or \"count\"");
    }
    if (count != nullptr) g.count = as_int(*count, field(path, "count"), 0);
    g.duration = as_dist(require(o, path, "duration"), field(path, "duration"));
    if (const auto* s = find(o, "start")) g.start = as_duration(*s, field(path, "start"));
    if (const auto* s = find(o, "stop")) {
        g.stop = as_duration(*s, field(path, "stop"));
        if (*g.stop < g.start) fail(field(path, "stop"), "must not be before start");
    }
    if (const auto* e = find(o, "estimate"))
        g.estimate_exact = as_estimate(*e, field(path, "estimate"));
    if (const auto* m = find(o, "max_execution_time")) {
        g.max_execution_time = as_positive_duration(*m, field(path, "max_execution_time"));
    }
    return g;
}

// The fields sessions and batches share: who runs where, job durations, when and how many.
template <typename Generator>
void parse_workload_fields(const json::object& o, const std::string& path, const std::string& name,
                           const Names& names, Generator& g) {
    g.name = name;
    g.job_class = default_class(o, path, name);
    g.instance = as_string(require(o, path, "instance"), field(path, "instance"));
    check_instance(names, g.instance, field(path, "instance"));
    g.user = name;
    if (const auto* u = find(o, "user")) g.user = as_string(*u, field(path, "user"));
    g.backend = as_string(require(o, path, "backend"), field(path, "backend"));
    check_backend(names, g.backend, field(path, "backend"));
    g.job_duration = as_dist(require(o, path, "job_duration"), field(path, "job_duration"));
    if (const auto* s = find(o, "start")) g.start = as_duration(*s, field(path, "start"));
    if (const auto* m = find(o, "max_ttl")) {
        g.max_ttl = as_positive_duration(*m, field(path, "max_ttl"));
    }
    if (const auto* c = find(o, "count")) g.count = as_small_int(*c, field(path, "count"), 1);
    if (const auto* e = find(o, "every")) g.every = as_duration(*e, field(path, "every"));
    if (const auto* e = find(o, "estimate")) {
        g.estimate_exact = as_estimate(*e, field(path, "estimate"));
    }
}

SessionGenerator parse_session(const json::object& o, const std::string& path,
                               const std::string& name, const Names& names) {
    check_fields(o, path,
                 {"type", "name", "class", "instance", "user", "backend", "mode", "iterations",
                  "job_duration", "think_time", "start", "max_ttl", "count", "every", "estimate"});
    SessionGenerator g;
    parse_workload_fields(o, path, name, names, g);
    if (const auto* m = find(o, "mode")) {
        std::string mode = as_string(*m, field(path, "mode"));
        if (mode == "dedicated") {
            g.mode = SessionKind::kDedicated;
        } else if (mode == "batch") {
            g.mode = SessionKind::kBatch;
        } else if (mode == "job") {
            g.mode = SessionKind::kJob;
        } else {
            fail(field(path, "mode"),
                 fmt::format("unknown mode \"{}\" (expected \"dedicated\", \"batch\" or \"job\")",
                             mode));
        }
    }
    g.iterations = as_small_int(require(o, path, "iterations"), field(path, "iterations"), 1);
    g.think_time = DurationDist::fixed(Duration::zero());
    if (const auto* t = find(o, "think_time")) {
        g.think_time = as_dist(*t, field(path, "think_time"));
    }
    return g;
}

BatchGenerator parse_batch(const json::object& o, const std::string& path, const std::string& name,
                           const Names& names) {
    check_fields(o, path,
                 {"type", "name", "class", "instance", "user", "backend", "jobs", "job_duration",
                  "start", "max_ttl", "count", "every", "estimate"});
    BatchGenerator g;
    parse_workload_fields(o, path, name, names, g);
    g.jobs = as_small_int(require(o, path, "jobs"), field(path, "jobs"), 1);
    return g;
}

CalibrationGenerator parse_calibration(const json::object& o, const std::string& path,
                                       const std::string& name, const Names& names) {
    check_fields(o, path, {"type", "name", "class", "backend", "every", "duration", "start"});
    CalibrationGenerator g;
    g.name = name;
    g.job_class = default_class(o, path, name);
    if (const auto* b = find(o, "backend")) {
        g.backends = as_string_list(*b, field(path, "backend"));
        for (const auto& n : g.backends) check_backend(names, n, field(path, "backend"));
    }
    g.every = as_positive_duration(require(o, path, "every"), field(path, "every"));
    g.duration = as_dist(require(o, path, "duration"), field(path, "duration"));
    if (const auto* s = find(o, "start")) g.start = as_duration(*s, field(path, "start"));
    return g;
}

ReservationWindow parse_reservation(const json::value& v, const std::string& path,
                                    const Names& names) {
    const json::object& o = as_object(v, path);
    check_fields(o, path, {"backend", "instance", "start", "end"});
    ReservationWindow r;
    r.backend = as_string(require(o, path, "backend"), field(path, "backend"));
    check_backend(names, r.backend, field(path, "backend"));
    r.instance = as_string(require(o, path, "instance"), field(path, "instance"));
    check_instance(names, r.instance, field(path, "instance"));
    r.start = as_duration(require(o, path, "start"), field(path, "start"));
    r.end = as_duration(require(o, path, "end"), field(path, "end"));
    if (r.end <= r.start) fail(field(path, "end"), "must be after start");
    return r;
}

// Line and column (both 1-based) of byte `pos` in `text`.
std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t pos) {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return {line, col};
}

json::value parse_json(std::string_view text) {
    json::parse_options opt;
    opt.allow_comments = true;
    opt.allow_trailing_commas = true;
    json::stream_parser p(json::storage_ptr(), opt);
    boost::system::error_code ec;
    std::size_t used = p.write(text.data(), text.size(), ec);
    if (!ec) p.finish(ec);
    if (ec) {
        auto [line, col] = line_column(text, used);
        throw ParseError{fmt::format("malformed JSON at line {}, column {} (byte {}): {}", line,
                                     col, used, ec.message())};
    }
    return p.release();
}

// rule S8 / B5: a session's max_ttl may not exceed the server maximum (10 minutes for an
// open-plan batch); the scheduler would refuse the session in the middle of the run.
void check_max_ttls(const Workload& w) {
    auto cap = [&](const std::string& instance, bool batch) {
        for (const auto& in : w.instances) {
            if (in.name == instance && in.plan == sched::Plan::kOpen && batch) {
                return w.settings.open_plan_batch_max_ttl;
            }
        }
        return w.settings.max_ttl;
    };
    auto check = [&](const std::string& name, const std::string& instance, bool batch,
                     const std::optional<Duration>& max_ttl) {
        Duration c = cap(instance, batch);
        if (max_ttl && *max_ttl > c) {
            fail(fmt::format("generator \"{}\".max_ttl", name),
                 fmt::format("{} exceeds the maximum of {} for a {} on instance \"{}\"",
                             format_duration(*max_ttl), format_duration(c),
                             batch ? "batch" : "session", instance));
        }
    };
    for (const auto& g : w.session_generators) {
        check(g.name, g.instance, g.mode == SessionKind::kBatch, g.max_ttl);
    }
    for (const auto& g : w.batch_generators) check(g.name, g.instance, true, g.max_ttl);
}

Workload parse(std::string_view text) {
    json::value root = parse_json(text);
    const std::string top;
    const json::object& o = as_object(root, "workload");
    check_fields(o, top,
                 {"name", "seed", "duration", "drain", "settings", "backends", "instances",
                  "reservations", "generators"});
    Workload w;
    if (const auto* n = find(o, "name")) w.name = as_string(*n, "name");
    if (const auto* s = find(o, "seed")) {
        if (s->is_uint64()) {
            w.seed = s->get_uint64();
        } else {
            w.seed = static_cast<std::uint64_t>(as_int(*s, "seed", 0));
        }
    }
    w.horizon = as_positive_duration(require(o, top, "duration"), "duration");
    if (const auto* d = find(o, "drain")) w.drain = as_bool(*d, "drain");
    if (const auto* s = find(o, "settings")) parse_settings(*s, "settings", w.settings);
    w.settings.retain_final_jobs = false;

    Names names;
    const auto& backends = as_array(require(o, top, "backends"), "backends");
    if (backends.empty()) fail("backends", "at least one backend is needed");
    for (std::size_t i = 0; i < backends.size(); ++i) {
        std::string p = element("backends", i);
        w.backends.push_back(parse_backend(backends[i], p));
        if (!names.backends.insert(w.backends.back().name).second) {
            fail(field(p, "name"), fmt::format("duplicate backend \"{}\"", w.backends.back().name));
        }
    }
    const auto& instances = as_array(require(o, top, "instances"), "instances");
    if (instances.empty()) fail("instances", "at least one instance is needed");
    for (std::size_t i = 0; i < instances.size(); ++i) {
        std::string p = element("instances", i);
        w.instances.push_back(parse_instance(instances[i], p));
        if (!names.instances.insert(w.instances.back().name).second) {
            fail(field(p, "name"),
                 fmt::format("duplicate instance \"{}\"", w.instances.back().name));
        }
    }
    if (const auto* r = find(o, "reservations")) {
        const auto& a = as_array(*r, "reservations");
        for (std::size_t i = 0; i < a.size(); ++i) {
            w.reservations.push_back(parse_reservation(a[i], element("reservations", i), names));
        }
    }
    if (const auto* g = find(o, "generators")) {
        const auto& a = as_array(*g, "generators");
        for (std::size_t i = 0; i < a.size(); ++i) {
            std::string p = element("generators", i);
            const json::object& go = as_object(a[i], p);
            std::string type = as_string(require(go, p, "type"), field(p, "type"));
            std::string name = fmt::format("{}{}", type, i);
            if (const auto* n = find(go, "name")) name = as_string(*n, field(p, "name"));
            if (type == "jobs") {
                w.job_generators.push_back(parse_jobs(go, p, name, names));
            } else if (type == "session") {
                w.session_generators.push_back(parse_session(go, p, name, names));
            } else if (type == "batch") {
                w.batch_generators.push_back(parse_batch(go, p, name, names));
            } else if (type == "calibration") {
                w.calibration_generators.push_back(parse_calibration(go, p, name, names));
            } else {
                fail(field(p, "type"),
                     fmt::format("unknown generator type \"{}\" (expected \"jobs\", \"session\", "
                                 "\"batch\" or \"calibration\")",
                                 type));
            }
            if (!names.generators.insert(name).second) {
                fail(field(p, "name"), fmt::format("duplicate generator name \"{}\"", name));
            }
        }
    }
    check_max_ttls(w);
    return w;
}

}  // namespace

std::string_view to_string(SessionKind k) {
    switch (k) {
        case SessionKind::kDedicated:
            return "dedicated";
        case SessionKind::kBatch:
            return "batch";
        case SessionKind::kJob:
            return "job";
    }
    return "?";
}

Duration DurationDist::mean() const {
    switch (kind) {
        case Kind::kFixed:
        case Kind::kExponential:
        case Kind::kLognormal:
            return a;
        case Kind::kUniform:
            return a + (b - a) / 2;
    }
    return a;
}

Duration DurationDist::sample(Rng& rng) const {
    double s = 0;
    switch (kind) {
        case Kind::kFixed:
            return a;
        case Kind::kExponential:
            s = rng.exponential(to_seconds(a));
            break;
        case Kind::kLognormal:
            s = rng.lognormal_with_mean(to_seconds(a), cv);
            break;
        case Kind::kUniform:
            return a + Duration(rng.uniform_int(0, (b - a).count()));
    }
    return std::max(Duration::zero(), seconds_d(s));
}

Result<Workload> parse_workload(std::string_view json_text) {
    try {
        return parse(json_text);
    } catch (const ParseError& e) {
        return invalid_argument(e.message);
    }
}

Result<Workload> load_workload(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return not_found(fmt::format("{}: cannot open the workload file", path));
    std::ostringstream ss;
    ss << in.rdbuf();
    auto w = parse_workload(ss.str());
    if (!w.ok())
        return Status{w.status().code(), fmt::format("{}: {}", path, w.status().message())};
    return w;
}

}  // namespace qrt::cli
