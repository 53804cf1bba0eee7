// The transport-free half of request handling: the route table (method + path -> Route), the
// request-target split, query-string and form decoding, the id syntax every path parameter must
// have, and the ISO-8601 reader for query and body timestamps. Pure functions over bytes, so
// they are unit-tested by tables and fuzzed (http_request.fuzz.cc) without a socket.
//
// Paths are matched segment by segment and are never percent-decoded: every path parameter is
// an id or a backend name, which must match `is_safe_id` (letters, digits, '_', '-', '.'), so
// there is nothing to decode and "%2e%2e" or "a/../b" can never name anything.
//
// Thread safety: pure functions; the route table is immutable.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace qrt::api {

enum class Method : std::uint8_t { kGet, kPost, kPut, kPatch, kDelete, kOther };

// "GET" -> kGet ...; anything else (HEAD, OPTIONS, lower-case, ...) -> kOther.
Method parse_method(std::string_view name);
std::string_view method_name(Method method);

// Every route qrt serves. The comment is the path; the methods are in the table (.cc).
enum class Route : std::uint8_t {
    kHealth,                // /health
    kToken,                 // /identity/token
    kBackends,              // /api/v1/backends
    kBackendConfiguration,  // /api/v1/backends/{name}/configuration
    kBackendProperties,     // /api/v1/backends/{name}/properties
    kBackendStatus,         // /api/v1/backends/{name}/status
    kBackendDefaults,       // /api/v1/backends/{name}/defaults (clients <= 0.40)
    kInstancesUsage,        // /api/v1/instances/usage
    kJobs,                  // /api/v1/jobs
    kJob,                   // /api/v1/jobs/{id}
    kJobResults,            // /api/v1/jobs/{id}/results
    kJobCancel,             // /api/v1/jobs/{id}/cancel
    kJobLogs,               // /api/v1/jobs/{id}/logs
    kJobMetrics,            // /api/v1/jobs/{id}/metrics
    kJobTags,               // /api/v1/jobs/{id}/tags
    kSessions,              // /api/v1/sessions
    kSession,               // /api/v1/sessions/{id}
    kSessionClose,          // /api/v1/sessions/{id}/close
    kAdminUsers,            // /api/v1/admin/users
    kAdminUserKeys,         // /api/v1/admin/users/{id}/keys
    kAdminKey,              // /api/v1/admin/keys/{id}
    kAdminInstances,        // /api/v1/admin/instances
    kAdminBackendPause,     // /api/v1/admin/backends/{name}/pause
    kAdminBackendResume,    // /api/v1/admin/backends/{name}/resume
    kAdminReservations,     // /api/v1/admin/reservations
    kMetrics,               // /metrics (Prometheus text format)
};

// The path template of `route` with its parameter named: "/api/v1/jobs/{id}". The `route` label
// of the HTTP metrics (never the raw path, which would make a series per job).
std::string_view route_template(Route route);

struct RouteMatch {
    enum class Kind : std::uint8_t { kFound, kNotFound, kMethodNotAllowed };
    Kind kind = Kind::kNotFound;
    Route route = Route::kHealth;
    // The {id}/{name} segment of the path, raw (a view into the path): check it with is_safe_id.
    std::string_view param;
    // kMethodNotAllowed: the methods the path does accept, for the Allow header ("GET, DELETE").
    std::string allow;
};

// Looks `path` (no query) up in the route table. Empty segments ("//"), a trailing '/', and any
// path not in the table are kNotFound; a path in the table with another method is
// kMethodNotAllowed.
RouteMatch match_route(Method method, std::string_view path);

// The two parts of an origin-form request target "/path?query". invalid_argument for any other
// form (absolute URIs, "*", a '#' fragment, an empty target).
struct Target {
    std::string_view path;
    std::string_view query;  // without the '?'; empty when absent
};
Result<Target> split_target(std::string_view target);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in query strings and forms).
// invalid_argument on a truncated or non-hex escape, naming its position, and on a decoded NUL.
Result<std::string> percent_decode(std::string_view text, bool plus_is_space);

// Ordered name/value pairs of a query string or an application/x-www-form-urlencoded body.
// Repeated names keep every value ("tags=a&tags=b"), in order.
class QueryParams {
public:
    // The first value of `name`, if any.
    std::optional<std::string_view> get(std::string_view name) const;
    // Every value of `name`, in order.
    std::vector<std::string_view> get_all(std::string_view name) const;
    bool has(std::string_view name) const { return get(name).has_value(); }
    const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

    void add(std::string name, std::string value) {
        items_.emplace_back(std::move(name), std::move(value));
    }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

inline constexpr std::size_t kMaxQueryParams = 256;

// Parses "a=1&b=x%20y&c" (a pair without '=' has an empty value; empty pairs are skipped).
// invalid_argument on bad escapes and on more than kMaxQueryParams pairs.
Result<QueryParams> parse_query(std::string_view query);

// Ids of jobs, sessions, users, keys and backend names: 1..128 characters from [A-Za-z0-9_.-],
// the first one a letter, a digit or '_' (so never "." or "..").
inline constexpr std::size_t kMaxIdLength = 128;
bool is_safe_id(std::string_view id);

// ISO-8601 date-times as clients send them: "2026-01-02T03:04:05Z", "...05.123456+00:00",
// "...05-05:30", "2026-01-02T03:04" (seconds optional), a ' ' instead of 'T', no zone (read as
// UTC), or a bare date "2026-01-02" (midnight UTC). Fractions beyond microseconds are
// truncated. invalid_argument otherwise, naming the position and what was expected.
Result<Timestamp> parse_iso8601(std::string_view text);

// "true"/"false" (also "1"/"0", any case) for boolean query parameters.
Result<bool> parse_bool_param(std::string_view name, std::string_view value);

// A non-negative decimal integer query parameter of at most `max` (no sign, no spaces).
Result<std::uint64_t> parse_uint_param(std::string_view name, std::string_view value,
                                       std::uint64_t max);

}  // namespace qrt::api
