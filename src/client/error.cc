// qrt::Error, the Status -> Error conversion at the library's boundary (docs/adr/0009), durations,
// and the small JSON readers the other files share.
#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <cctype>
#include <cstdlib>
#include <string>
#include <utility>

#include "client/client_internal.h"

namespace qrt {

Error::Error(ErrorKind kind, const std::string& message, int http_status)
    : std::runtime_error(message), kind_(kind), http_status_(http_status) {}

ErrorKind Error::kind() const noexcept { return kind_; }
int Error::http_status() const noexcept { return http_status_; }

std::string_view to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::kInvalidArgument:
            return "invalid_argument";
        case ErrorKind::kUnauthenticated:
            return "unauthenticated";
        case ErrorKind::kPermissionDenied:
            return "permission_denied";
        case ErrorKind::kNotFound:
            return "not_found";
        case ErrorKind::kConflict:
            return "conflict";
        case ErrorKind::kResourceExhausted:
            return "resource_exhausted";
        case ErrorKind::kUnavailable:
            return "unavailable";
        case ErrorKind::kTimeout:
            return "timeout";
        case ErrorKind::kJobFailed:
            return "job_failed";
        case ErrorKind::kJobCancelled:
            return "job_cancelled";
        case ErrorKind::kInternal:
            return "internal";
    }
    return "internal";
}

inline namespace api_v1 {
double parse_duration(std::string_view text) {
    Result<double> s = client::duration_seconds(text);
    if (!s.ok()) client::throw_status(s.status());
    return *s;
}
}  // namespace api_v1

}  // namespace qrt

namespace qrt::client {

ErrorKind error_kind(const Status& status, int http_status) {
    switch (http_status) {
        case 400:
        case 422:
        case 501:
            return ErrorKind::kInvalidArgument;
        case 401:
            return ErrorKind::kUnauthenticated;
        case 403:
            return ErrorKind::kPermissionDenied;
        case 404:
            return ErrorKind::kNotFound;
        case 409:
            return ErrorKind::kConflict;
        case 413:
        case 429:
            return ErrorKind::kResourceExhausted;
        case 502:
        case 503:
            return ErrorKind::kUnavailable;
        case 504:
            return ErrorKind::kTimeout;
        default:
            break;
    }
    if (http_status >= 500) return ErrorKind::kInternal;
    switch (status.code()) {
        case ErrorCode::kInvalidArgument:
        case ErrorCode::kUnimplemented:
            return ErrorKind::kInvalidArgument;
        case ErrorCode::kNotFound:
            return ErrorKind::kNotFound;
        case ErrorCode::kAlreadyExists:
        case ErrorCode::kFailedPrecondition:
            return ErrorKind::kConflict;
        case ErrorCode::kPermissionDenied:
            return ErrorKind::kPermissionDenied;
        case ErrorCode::kUnauthenticated:
            return ErrorKind::kUnauthenticated;
        case ErrorCode::kResourceExhausted:
            return ErrorKind::kResourceExhausted;
        case ErrorCode::kUnavailable:
            return ErrorKind::kUnavailable;
        case ErrorCode::kDeadlineExceeded:
            return ErrorKind::kTimeout;
        case ErrorCode::kCancelled:
            return ErrorKind::kJobCancelled;
        case ErrorCode::kOk:
        case ErrorCode::kDataLoss:
        case ErrorCode::kInternal:
            return ErrorKind::kInternal;
    }
    return ErrorKind::kInternal;
}

void throw_status(const Status& status, int http_status, std::string_view context) {
    std::string message =
        context.empty() ? status.message() : fmt::format("{}: {}", context, status.message());
    throw Error(error_kind(status, http_status), std::move(message), http_status);
}

void throw_error(ErrorKind kind, std::string message, int http_status) {
    throw Error(kind, std::move(message), http_status);
}

Result<std::string> default_admin_key_path(const std::string& data_dir) {
    auto env = [](const char* name) -> std::string {
        const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read, never set
        return v == nullptr ? std::string() : std::string(v);
    };
    auto expand_home = [&](const std::string& p) -> std::string {
        if (p == "~" || p.starts_with("~/")) {
            std::string home = env("HOME");
            if (!home.empty()) return home + p.substr(1);
        }
        return p;
    };
    if (!data_dir.empty()) return expand_home(data_dir) + "/admin.key";
    if (std::string dir = env("QRT_DATA_DIR"); !dir.empty()) return expand_home(dir) + "/admin.key";
    if (std::string home = env("HOME"); !home.empty()) return home + "/.local/share/qrt/admin.key";
    return Status{ErrorCode::kUnauthenticated,
                  "no credentials: pass a token, set QRT_TOKEN, or set QRT_DATA_DIR or HOME so "
                  "that the local server's admin.key can be found"};
}

const boost::json::value* json_field(const boost::json::value& v, std::string_view key) {
    if (!v.is_object()) return nullptr;
    const boost::json::value* f = v.as_object().if_contains(key);
    if (f == nullptr || f->is_null()) return nullptr;
    return f;
}

std::string json_string(const boost::json::value& v, std::string_view key) {
    const boost::json::value* f = json_field(v, key);
    if (f == nullptr) return {};
    if (f->is_string()) return std::string(f->as_string());
    return boost::json::serialize(*f);
}

std::optional<double> json_optional_number(const boost::json::value& v, std::string_view key) {
    const boost::json::value* f = json_field(v, key);
    if (f == nullptr) return std::nullopt;
    if (f->is_double()) return f->as_double();
    if (f->is_int64()) return static_cast<double>(f->as_int64());
    if (f->is_uint64()) return static_cast<double>(f->as_uint64());
    return std::nullopt;
}

double json_number(const boost::json::value& v, std::string_view key, double fallback) {
    return json_optional_number(v, key).value_or(fallback);
}

JobStatus parse_job_status(std::string_view text) {
    if (text == "Running") return JobStatus::kRunning;
    if (text == "Completed") return JobStatus::kCompleted;
    if (text == "Failed") return JobStatus::kFailed;
    if (text == "Cancelled") return JobStatus::kCancelled;
    return JobStatus::kQueued;
}

JobInfo job_info_from_json(const boost::json::value& job) {
    JobInfo info;
    info.id = json_string(job, "id");
    if (const auto* program = json_field(job, "program")) {
        info.program_id = json_string(*program, "id");
    }
    info.backend = json_string(job, "backend");
    info.session_id = json_string(job, "session_id");
    std::string status = json_string(job, "status");
    if (const auto* state = json_field(job, "state")) {
        if (status.empty()) status = json_string(*state, "status");
        info.reason = json_string(*state, "reason");
    }
    info.status = parse_job_status(status);
    if (const auto* tags = json_field(job, "tags"); tags && tags->is_array()) {
        for (const auto& t : tags->as_array()) {
            if (t.is_string()) info.tags.emplace_back(t.as_string());
        }
    }
    info.created = json_string(job, "created");
    info.started = json_string(job, "started");
    info.finished = json_string(job, "finished");
    if (const auto* usage = json_field(job, "usage")) {
        info.usage_seconds = json_number(*usage, "seconds");
    }
    if (const auto* queue = json_field(job, "queue_info")) {
        if (auto pos = json_optional_number(*queue, "position")) {
            info.queue_position = static_cast<int>(*pos);
        }
        if (std::string start = json_string(*queue, "estimated_start"); !start.empty()) {
            info.estimated_start = start;
        }
        info.waiting_reason = json_string(*queue, "reason");
    }
    info.raw_json = boost::json::serialize(job);
    return info;
}

SessionDetails session_details_from_json(const boost::json::value& s) {
    SessionDetails d;
    d.id = json_string(s, "id");
    d.backend = json_string(s, "backend_name");
    d.mode = json_string(s, "mode");
    d.state = json_string(s, "state");
    if (const auto* a = json_field(s, "accepting_jobs"); a && a->is_bool()) {
        d.accepting_jobs = a->as_bool();
    }
    // The Python client's Session.status() words.
    if (d.state == "open") {
        d.status = "Pending";
    } else if (d.state == "active") {
        d.status = d.accepting_jobs ? "In progress, accepting new jobs"
                                    : "In progress, not accepting new jobs";
    } else if (!d.state.empty()) {
        d.status = d.state;
        d.status[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(d.status[0])));
    }
    d.max_time_s = json_optional_number(s, "max_ttl");
    d.interactive_timeout_s = json_optional_number(s, "interactive_ttl");
    d.active_timeout_s = json_optional_number(s, "active_ttl");
    d.started_at = json_string(s, "started_at");
    d.last_job_started = json_string(s, "last_job_started");
    d.closed_at = json_string(s, "closed_at");
    d.usage_seconds = json_number(s, "elapsed_time");
    d.raw_json = boost::json::serialize(s);
    return d;
}

}  // namespace qrt::client
