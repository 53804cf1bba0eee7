#include "api/http_request.h"

#include <fmt/format.h>

#include <chrono>
#include <cstddef>

namespace qrt::api {
namespace {

// One row of the route table: a method, a path pattern ('{}' marks the one parameter segment)
// and the route it names.
struct RouteRow {
    Method method;
    std::string_view pattern;
    Route route;
};

constexpr std::array kRoutes = {
    RouteRow{Method::kGet, "/health", Route::kHealth},
    RouteRow{Method::kPost, "/identity/token", Route::kToken},
    RouteRow{Method::kGet, "/api/v1/backends", Route::kBackends},
    RouteRow{Method::kGet, "/api/v1/backends/{}/configuration", Route::kBackendConfiguration},
    RouteRow{Method::kGet, "/api/v1/backends/{}/properties", Route::kBackendProperties},
    RouteRow{Method::kGet, "/api/v1/backends/{}/status", Route::kBackendStatus},
    RouteRow{Method::kGet, "/api/v1/backends/{}/defaults", Route::kBackendDefaults},
    RouteRow{Method::kGet, "/api/v1/instances/usage", Route::kInstancesUsage},
    RouteRow{Method::kGet, "/api/v1/jobs", Route::kJobs},
    RouteRow{Method::kPost, "/api/v1/jobs", Route::kJobs},
    RouteRow{Method::kGet, "/api/v1/jobs/{}", Route::kJob},
    RouteRow{Method::kDelete, "/api/v1/jobs/{}", Route::kJob},
    RouteRow{Method::kGet, "/api/v1/jobs/{}/results", Route::kJobResults},
    RouteRow{Method::kPost, "/api/v1/jobs/{}/cancel", Route::kJobCancel},
    RouteRow{Method::kGet, "/api/v1/jobs/{}/logs", Route::kJobLogs},
    RouteRow{Method::kGet, "/api/v1/jobs/{}/metrics", Route::kJobMetrics},
    RouteRow{Method::kPut, "/api/v1/jobs/{}/tags", Route::kJobTags},
    RouteRow{Method::kPost, "/api/v1/sessions", Route::kSessions},
    RouteRow{Method::kGet, "/api/v1/sessions/{}", Route::kSession},
    RouteRow{Method::kPatch, "/api/v1/sessions/{}", Route::kSession},
    RouteRow{Method::kDelete, "/api/v1/sessions/{}/close", Route::kSessionClose},
    RouteRow{Method::kGet, "/api/v1/admin/users", Route::kAdminUsers},
    RouteRow{Method::kPost, "/api/v1/admin/users", Route::kAdminUsers},
    RouteRow{Method::kPost, "/api/v1/admin/users/{}/keys", Route::kAdminUserKeys},
    RouteRow{Method::kDelete, "/api/v1/admin/keys/{}", Route::kAdminKey},
    RouteRow{Method::kGet, "/api/v1/admin/instances", Route::kAdminInstances},
    RouteRow{Method::kPut, "/api/v1/admin/instances", Route::kAdminInstances},
    RouteRow{Method::kPost, "/api/v1/admin/backends/{}/pause", Route::kAdminBackendPause},
    RouteRow{Method::kPost, "/api/v1/admin/backends/{}/resume", Route::kAdminBackendResume},
    RouteRow{Method::kPost, "/api/v1/admin/reservations", Route::kAdminReservations},
    RouteRow{Method::kGet, "/metrics", Route::kMetrics},
};

// Splits off the next '/'-separated segment of `rest` (which starts with '/'). False at the end.
bool next_segment(std::string_view& rest, std::string_view& segment) {
    if (rest.empty()) return false;
    rest.remove_prefix(1);  // the '/'
    const std::size_t slash = rest.find('/');
    segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    return true;
}

// Does `path` fit `pattern`? On a match, `param` is the segment matched by "{}".
bool path_matches(std::string_view pattern, std::string_view path, std::string_view& param) {
    std::string_view p_seg, s_seg;
    std::string_view found;
    while (true) {
        const bool more_p = next_segment(pattern, p_seg);
        const bool more_s = next_segment(path, s_seg);
        if (!more_p || !more_s) {
            if (more_p != more_s) return false;
            param = found;
            return true;
        }
        if (s_seg.empty()) return false;
        if (p_seg == "{}") {
            found = s_seg;
        } else if (p_seg != s_seg) {
            return false;
        }
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// A reader over an ISO-8601 text that remembers its position for error messages.
class IsoReader {
public:
    explicit IsoReader(std::string_view text) : text_(text) {}

    bool at_end() const { return pos_ == text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    std::size_t pos() const { return pos_; }
    void skip() { ++pos_; }

    // Exactly `n` digits; on failure the position stays at the start of the group.
    std::optional<int> digits(int n) {
        int v = 0;
        for (int i = 0; i < n; ++i) {
            const std::size_t at = pos_ + static_cast<std::size_t>(i);
            if (at >= text_.size() || !is_digit(text_[at])) return std::nullopt;
            v = v * 10 + (text_[at] - '0');
        }
        pos_ += static_cast<std::size_t>(n);
        return v;
    }

    bool accept(char c) {
        if (peek() != c || at_end()) return false;
        ++pos_;
        return true;
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

Status iso_error(std::string_view text, std::size_t pos, std::string_view expected) {
    return invalid_argument(fmt::format(
        "invalid ISO-8601 date-time \"{}\": expected {} at position {}", text, expected, pos));
}

}  // namespace

Method parse_method(std::string_view name) {
    if (name == "GET") return Method::kGet;
    if (name == "POST") return Method::kPost;
    if (name == "PUT") return Method::kPut;
    if (name == "PATCH") return Method::kPatch;
    if (name == "DELETE") return Method::kDelete;
    return Method::kOther;
}

std::string_view method_name(Method method) {
    switch (method) {
        case Method::kGet:
            return "GET";
        case Method::kPost:
            return "POST";
        case Method::kPut:
            return "PUT";
        case Method::kPatch:
            return "PATCH";
        case Method::kDelete:
            return "DELETE";
        case Method::kOther:
            break;
    }
    return "OTHER";
}

std::string_view route_template(Route route) {
    switch (route) {
        case Route::kHealth:
            return "/health";
        case Route::kToken:
            return "/identity/token";
        case Route::kBackends:
            return "/api/v1/backends";
        case Route::kBackendConfiguration:
            return "/api/v1/backends/{name}/configuration";
        case Route::kBackendProperties:
            return "/api/v1/backends/{name}/properties";
        case Route::kBackendStatus:
            return "/api/v1/backends/{name}/status";
        case Route::kBackendDefaults:
            return "/api/v1/backends/{name}/defaults";
        case Route::kInstancesUsage:
            return "/api/v1/instances/usage";
        case Route::kJobs:
            return "/api/v1/jobs";
        case Route::kJob:
            return "/api/v1/jobs/{id}";
        case Route::kJobResults:
            return "/api/v1/jobs/{id}/results";
        case Route::kJobCancel:
            return "/api/v1/jobs/{id}/cancel";
        case Route::kJobLogs:
            return "/api/v1/jobs/{id}/logs";
        case Route::kJobMetrics:
            return "/api/v1/jobs/{id}/metrics";
        case Route::kJobTags:
            return "/api/v1/jobs/{id}/tags";
        case Route::kSessions:
            return "/api/v1/sessions";
        case Route::kSession:
            return "/api/v1/sessions/{id}";
        case Route::kSessionClose:
            return "/api/v1/sessions/{id}/close";
        case Route::kAdminUsers:
            return "/api/v1/admin/users";
        case Route::kAdminUserKeys:
            return "/api/v1/admin/users/{id}/keys";
        case Route::kAdminKey:
            return "/api/v1/admin/keys/{id}";
        case Route::kAdminInstances:
            return "/api/v1/admin/instances";
        case Route::kAdminBackendPause:
            return "/api/v1/admin/backends/{name}/pause";
        case Route::kAdminBackendResume:
            return "/api/v1/admin/backends/{name}/resume";
        case Route::kAdminReservations:
            return "/api/v1/admin/reservations";
        case Route::kMetrics:
            return "/metrics";
    }
    return "unmatched";
}

RouteMatch match_route(Method method, std::string_view path) {
    RouteMatch result;
    for (const RouteRow& row : kRoutes) {
        std::string_view param;
        if (!path_matches(row.pattern, path, param)) continue;
        if (row.method == method) {
            result.kind = RouteMatch::Kind::kFound;
            result.route = row.route;
            result.param = param;
            result.allow.clear();
            return result;
        }
        result.kind = RouteMatch::Kind::kMethodNotAllowed;
        if (!result.allow.empty()) result.allow += ", ";
        result.allow += method_name(row.method);
    }
    return result;
}

Result<Target> split_target(std::string_view target) {
    if (target.empty() || target.front() != '/') {
        return invalid_argument(
            "request target must be an absolute path such as /api/v1/jobs (origin form)");
    }
    if (target.find('#') != std::string_view::npos) {
        return invalid_argument("request target must not contain a '#' fragment");
    }
    Target t;
    const std::size_t q = target.find('?');
    t.path = target.substr(0, q);
    if (q != std::string_view::npos) t.query = target.substr(q + 1);
    return t;
}

Result<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) {
                return invalid_argument(
                    fmt::format("truncated percent-escape at position {} in \"{}\"", i, text));
            }
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) {
                return invalid_argument(
                    fmt::format("invalid percent-escape at position {} in \"{}\"", i, text));
            }
            const char decoded = static_cast<char>(hi * 16 + lo);
            if (decoded == '\0') {
                return invalid_argument(
                    fmt::format("percent-escape %00 (NUL) at position {} is not allowed", i));
            }
            out.push_back(decoded);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::string_view> QueryParams::get(std::string_view name) const {
    for (const auto& [k, v] : items_) {
        if (k == name) return std::string_view{v};
    }
    return std::nullopt;
}

std::vector<std::string_view> QueryParams::get_all(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& [k, v] : items_) {
        if (k == name) out.emplace_back(v);
    }
    return out;
}

Result<QueryParams> parse_query(std::string_view query) {
    QueryParams params;
    std::size_t count = 0;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        if (++count > kMaxQueryParams) {
            return invalid_argument(
                fmt::format("too many query parameters (at most {})", kMaxQueryParams));
        }
        const std::size_t eq = pair.find('=');
        Result<std::string> name = percent_decode(pair.substr(0, eq), true);
        if (!name.ok()) return name.status();
        std::string value;
        if (eq != std::string_view::npos) {
            Result<std::string> v = percent_decode(pair.substr(eq + 1), true);
            if (!v.ok()) return v.status();
            value = std::move(v).value();
        }
        params.add(std::move(name).value(), std::move(value));
    }
    return params;
}

bool is_safe_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxIdLength) return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c);
        if (alnum || c == '_') continue;
        if (i > 0 && (c == '-' || c == '.')) continue;
        return false;
    }
    return true;
}

Result<Timestamp> parse_iso8601(std::string_view text) {
    using std::chrono::hours;
    using std::chrono::minutes;
    using std::chrono::seconds;
    using std::chrono::sys_days;
    using std::chrono::time_point_cast;
    using std::chrono::year_month_day;
    IsoReader r(text);
    const auto year = r.digits(4);
    if (!year) return iso_error(text, r.pos(), "a 4-digit year");
    if (!r.accept('-')) return iso_error(text, r.pos(), "'-'");
    const auto month = r.digits(2);
    if (!month) return iso_error(text, r.pos(), "a 2-digit month");
    if (!r.accept('-')) return iso_error(text, r.pos(), "'-'");
    const auto day = r.digits(2);
    if (!day) return iso_error(text, r.pos(), "a 2-digit day");
    const year_month_day ymd{std::chrono::year{*year},
                             std::chrono::month{static_cast<unsigned>(*month)},
                             std::chrono::day{static_cast<unsigned>(*day)}};
    if (!ymd.ok()) {
        return invalid_argument(
            fmt::format("invalid ISO-8601 date-time \"{}\": no such date", text));
    }
    Timestamp t = time_point_cast<Duration>(sys_days{ymd});
    if (r.at_end()) return t;

    if (!r.accept('T') && !r.accept('t') && !r.accept(' ')) {
        return iso_error(text, r.pos(), "'T' and a time");
    }
    const auto hour = r.digits(2);
    if (!hour || *hour > 23) return iso_error(text, r.pos(), "an hour 00-23");
    if (!r.accept(':')) return iso_error(text, r.pos(), "':'");
    const auto minute = r.digits(2);
    if (!minute || *minute > 59) return iso_error(text, r.pos(), "minutes 00-59");
    int second = 0;
    std::int64_t micros = 0;
    if (r.accept(':')) {
        const auto s = r.digits(2);
        if (!s || *s > 59) return iso_error(text, r.pos(), "seconds 00-59");
        second = *s;
        if (r.accept('.') || r.accept(',')) {
            int n = 0;
            while (is_digit(r.peek())) {
                if (n < 6) micros = micros * 10 + (r.peek() - '0');
                ++n;
                r.skip();
            }
            if (n == 0) return iso_error(text, r.pos(), "fraction digits");
            for (int i = n; i < 6; ++i) micros *= 10;
        }
    }
    t += hours(*hour) + minutes(*minute) + seconds(second) + Duration(micros);
    if (r.at_end()) return t;
    if (r.accept('Z') || r.accept('z')) {
        if (!r.at_end()) return iso_error(text, r.pos(), "the end after 'Z'");
        return t;
    }
    const char sign = r.peek();
    if (sign != '+' && sign != '-') return iso_error(text, r.pos(), "'Z', '+HH:MM' or '-HH:MM'");
    r.skip();
    const auto oh = r.digits(2);
    if (!oh || *oh > 23) return iso_error(text, r.pos(), "an offset hour 00-23");
    r.accept(':');
    const auto om = r.digits(2);
    if (!om || *om > 59) return iso_error(text, r.pos(), "offset minutes 00-59");
    if (!r.at_end()) return iso_error(text, r.pos(), "the end of the date-time");
    const Duration offset = hours(*oh) + minutes(*om);
    // Local time = UTC + offset, so UTC = local - offset.
    return sign == '+' ? t - offset : t + offset;
}

Result<bool> parse_bool_param(std::string_view name, std::string_view value) {
    if (iequals(value, "true") || value == "1") return true;
    if (iequals(value, "false") || value == "0") return false;
    return invalid_argument(
        fmt::format("query parameter {}: expected true or false, got \"{}\"", name, value));
}

Result<std::uint64_t> parse_uint_param(std::string_view name, std::string_view value,
                                       std::uint64_t max) {
    if (value.empty() || value.size() > 19) {
        return invalid_argument(fmt::format(
            "query parameter {}: expected a whole number 0-{}, got \"{}\"", name, max, value));
    }
    std::uint64_t v = 0;
    for (char c : value) {
        if (!is_digit(c)) {
            return invalid_argument(fmt::format(
                "query parameter {}: expected a whole number 0-{}, got \"{}\"", name, max, value));
        }
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > max) {
        return invalid_argument(
            fmt::format("query parameter {}: {} is more than the maximum {}", name, v, max));
    }
    return v;
}

}  // namespace qrt::api
