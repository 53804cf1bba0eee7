// Leveled, structured logging to stderr, with a replaceable sink for tests.
//
//     QRT_LOG_INFO("session {} closed after {}", id, format_duration(age));
//     QRT_LOG_INFO_F(LogFields().for_job(id).for_session(sid).for_instance(crn), "job {} started", id);
//
// Format strings are fmt's, checked at compile time; the arguments (and the fields) are not
// evaluated when the level is disabled. A message carries the ids it is about (LogFields) plus
// those of the scope it runs in (ScopedLogContext: the API sets request_id and user for the
// thread handling a request). The default sink writes one line per message to stderr, as JSON
// (one object per line; `qrt serve` uses it by default) or as text (the library default):
//
//     {"ts":"2026-01-01T00:00:00.000Z","level":"info","msg":"job job_1 started",
//      "job_id":"job_1","session_id":"ses_1","src":"runtime.cc:42"}
//     2026-01-01T00:00:00.000000Z I runtime.cc:42] job job_1 started job_id=job_1 ...
//
// Thread-safety: everything here may be called from any thread. Messages are delivered to the
// sink one at a time, under a lock, so a sink must not log itself.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "base/time.h"

namespace qrt {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// "debug", "info", "warn", "error", "off".
std::string_view log_level_name(LogLevel level);
// The inverse of log_level_name (also accepts "warning"); invalid_argument otherwise.
Result<LogLevel> parse_log_level(std::string_view name);

enum class LogFormat : int { kText = 0, kJson = 1 };
// "text", "json".
std::string_view log_format_name(LogFormat format);
// The inverse of log_format_name; invalid_argument otherwise.
Result<LogFormat> parse_log_format(std::string_view name);
// The default sink's line format. The default is kText.
void set_log_format(LogFormat format);
LogFormat log_format();

// Messages below `level` are dropped. The default is kInfo.
void set_log_level(LogLevel level);
LogLevel log_level();
inline bool log_enabled(LogLevel level);

// The ids a message is about; empty ones are left out. Views: what they point at must live
// until the log call returns (for ScopedLogContext: until the scope ends).
struct LogFields {
    std::string_view job_id, session_id, instance, request_id, backend, user;

    LogFields& for_job(std::string_view v) { return job_id = v, *this; }
    LogFields& for_session(std::string_view v) { return session_id = v, *this; }
    LogFields& for_instance(std::string_view v) { return instance = v, *this; }
    LogFields& for_request(std::string_view v) { return request_id = v, *this; }
    LogFields& for_backend(std::string_view v) { return backend = v, *this; }
    LogFields& for_user(std::string_view v) { return user = v, *this; }
    // Fields of `other` that are set replace these.
    LogFields& merge(const LogFields& other);
};

struct LogRecord {
    LogLevel level;
    std::string_view file;  // base name of the source file
    int line;
    std::string_view message;
    LogFields fields{};  // the message's own, over those of the thread's ScopedLogContext
};

// Adds `fields` to every message this thread logs while in scope (nested scopes add to the outer
// ones). Used per HTTP request (request_id, user, instance).
class ScopedLogContext {
public:
    explicit ScopedLogContext(const LogFields& fields);
    ~ScopedLogContext();
    ScopedLogContext(const ScopedLogContext&) = delete;
    ScopedLogContext& operator=(const ScopedLogContext&) = delete;

private:
    LogFields fields_;
    const LogFields* previous_;
};

// One line as the default sink writes it (without the newline): `now` is the time stamp, the
// thread's context is not added (it is in record.fields already when the record comes from
// log_message). JSON strings are escaped; bytes that are not UTF-8 become U+FFFD.
std::string format_log_line(const LogRecord& record, LogFormat format, Timestamp now);
using LogSink = std::function<void(const LogRecord&)>;

// Replaces the sink and returns the previous one. An empty sink restores the stderr sink.
LogSink set_log_sink(LogSink sink);

// Routes messages to `sink` while in scope, then restores the previous sink.
class ScopedLogSink {
public:
    explicit ScopedLogSink(LogSink sink) : previous_(set_log_sink(std::move(sink))) {}
    ~ScopedLogSink() { set_log_sink(std::move(previous_)); }
    ScopedLogSink(const ScopedLogSink&) = delete;
    ScopedLogSink& operator=(const ScopedLogSink&) = delete;

private:
    LogSink previous_;
};

// Delivers one message (already formatted) to the sink if `level` is enabled, with `fields` over
// the thread's context.
void log_message(LogLevel level, std::string_view file, int line, std::string_view message,
                 const LogFields& fields = {});

namespace detail {
extern std::atomic<int> g_log_level;

template <typename... Args>
void log_format(LogLevel level, std::string_view file, int line, fmt::format_string<Args...> format,
                Args&&... args) {
    log_message(level, file, line, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void log_format_fields(LogLevel level, std::string_view file, int line, const LogFields& fields,
                       fmt::format_string<Args...> format, Args&&... args) {
    log_message(level, file, line, fmt::format(format, std::forward<Args>(args)...), fields);
}
}  // namespace detail

inline bool log_enabled(LogLevel level) {
    return static_cast<int>(level) >= detail::g_log_level.load(std::memory_order_relaxed) &&
           level != LogLevel::kOff;
}

// Function forms, for callers that do not want the file and line.
template <typename... Args>
void log_debug(fmt::format_string<Args...> format, Args&&... args) {
    if (log_enabled(LogLevel::kDebug)) {
        detail::log_format(LogLevel::kDebug, "", 0, format, std::forward<Args>(args)...);
    }
}
template <typename... Args>
void log_info(fmt::format_string<Args...> format, Args&&... args) {
    if (log_enabled(LogLevel::kInfo)) {
        detail::log_format(LogLevel::kInfo, "", 0, format, std::forward<Args>(args)...);
    }
}
template <typename... Args>
void log_warn(fmt::format_string<Args...> format, Args&&... args) {
    if (log_enabled(LogLevel::kWarn)) {
        detail::log_format(LogLevel::kWarn, "", 0, format, std::forward<Args>(args)...);
    }
}
template <typename... Args>
void log_error(fmt::format_string<Args...> format, Args&&... args) {
    if (log_enabled(LogLevel::kError)) {
        detail::log_format(LogLevel::kError, "", 0, format, std::forward<Args>(args)...);
    }
}

}  // namespace qrt

#define QRT_LOG_AT(level, ...)                                                 \
    do {                                                                       \
        if (::qrt::log_enabled(level)) {                                       \
            ::qrt::detail::log_format(level, __FILE__, __LINE__, __VA_ARGS__); \
        }                                                                      \
    } while (false)
#define QRT_LOG_DEBUG(...) QRT_LOG_AT(::qrt::LogLevel::kDebug, __VA_ARGS__)
#define QRT_LOG_INFO(...) QRT_LOG_AT(::qrt::LogLevel::kInfo, __VA_ARGS__)
#define QRT_LOG_WARN(...) QRT_LOG_AT(::qrt::LogLevel::kWarn, __VA_ARGS__)
#define QRT_LOG_ERROR(...) QRT_LOG_AT(::qrt::LogLevel::kError, __VA_ARGS__)

// With ids: QRT_LOG_INFO_F(LogFields().for_job(id).for_backend(backend), "job {} started", id).
#define QRT_LOG_AT_F(level, fields, ...)                                                       \
    do {                                                                                       \
        if (::qrt::log_enabled(level)) {                                                       \
            ::qrt::detail::log_format_fields(level, __FILE__, __LINE__, fields, __VA_ARGS__); \
        }                                                                                      \
    } while (false)
#define QRT_LOG_DEBUG_F(fields, ...) QRT_LOG_AT_F(::qrt::LogLevel::kDebug, fields, __VA_ARGS__)
#define QRT_LOG_INFO_F(fields, ...) QRT_LOG_AT_F(::qrt::LogLevel::kInfo, fields, __VA_ARGS__)
#define QRT_LOG_WARN_F(fields, ...) QRT_LOG_AT_F(::qrt::LogLevel::kWarn, fields, __VA_ARGS__)
#define QRT_LOG_ERROR_F(fields, ...) QRT_LOG_AT_F(::qrt::LogLevel::kError, fields, __VA_ARGS__)
