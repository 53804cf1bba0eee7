// Leveled logging to stderr, with a replaceable sink for tests.
//
//     QRT_LOG_INFO("session {} closed after {}", id, format_duration(age));
//
// Format strings are fmt's, checked at compile time; the arguments are not evaluated when the
// level is disabled. The default sink writes one line per message to stderr:
//
//     2026-01-01T00:00:00.000000Z I session.cc:42] session s_01 closed after 5m
//
// Thread-safety: everything here may be called from any thread. Messages are delivered to the
// sink one at a time, under a lock, so a sink must not log itself.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <functional>
#include <string_view>
#include <utility>

#include "base/status.h"

namespace qrt {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// "debug", "info", "warn", "error", "off".
std::string_view log_level_name(LogLevel level);
// The inverse of log_level_name (also accepts "warning"); invalid_argument otherwise.
Result<LogLevel> parse_log_level(std::string_view name);

// Messages below `level` are dropped. The default is kInfo.
void set_log_level(LogLevel level);
LogLevel log_level();
inline bool log_enabled(LogLevel level);

struct LogRecord {
    LogLevel level;
    std::string_view file;  // base name of the source file
    int line;
    std::string_view message;
};
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

// Delivers one message (already formatted) to the sink if `level` is enabled.
void log_message(LogLevel level, std::string_view file, int line, std::string_view message);

namespace detail {
extern std::atomic<int> g_log_level;

template <typename... Args>
void log_format(LogLevel level, std::string_view file, int line, fmt::format_string<Args...> format,
                Args&&... args) {
    log_message(level, file, line, fmt::format(format, std::forward<Args>(args)...));
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
