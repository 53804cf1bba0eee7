#include "base/log.h"

#include <cstdio>
#include <mutex>
#include <string>

#include "base/time.h"

namespace qrt {
namespace detail {
std::atomic<int> g_log_level{static_cast<int>(LogLevel::kInfo)};
}  // namespace detail

namespace {

std::mutex& sink_mutex() {
    static std::mutex mu;
    return mu;
}

// Guarded by sink_mutex(). Empty means the stderr sink.
LogSink& current_sink() {
    static LogSink sink;
    return sink;
}

char level_letter(LogLevel level) {
    switch (level) {
        case LogLevel::kDebug:
            return 'D';
        case LogLevel::kInfo:
            return 'I';
        case LogLevel::kWarn:
            return 'W';
        case LogLevel::kError:
            return 'E';
        case LogLevel::kOff:
            break;
    }
    return '?';
}

void write_stderr(const LogRecord& r) {
    std::string line = format_iso8601(SystemClock().now());
    line += ' ';
    line += level_letter(r.level);
    if (!r.file.empty()) {
        line += fmt::format(" {}:{}", r.file, r.line);
    }
    line += "] ";
    line += r.message;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

std::string_view base_name(std::string_view path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string_view log_level_name(LogLevel level) {
    switch (level) {
        case LogLevel::kDebug:
            return "debug";
        case LogLevel::kInfo:
            return "info";
        case LogLevel::kWarn:
            return "warn";
        case LogLevel::kError:
            return "error";
        case LogLevel::kOff:
            return "off";
    }
    return "unknown";
}

Result<LogLevel> parse_log_level(std::string_view name) {
    for (LogLevel level :
         {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError, LogLevel::kOff}) {
        if (name == log_level_name(level)) return level;
    }
    if (name == "warning") return LogLevel::kWarn;
    return invalid_argument(
        fmt::format("unknown log level '{}' (use debug, info, warn, error or off)", name));
}

void set_log_level(LogLevel level) {
    detail::g_log_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel log_level() {
    return static_cast<LogLevel>(detail::g_log_level.load(std::memory_order_relaxed));
}

LogSink set_log_sink(LogSink sink) {
    std::lock_guard lock(sink_mutex());
    LogSink previous = std::move(current_sink());
    current_sink() = std::move(sink);
    return previous;
}

void log_message(LogLevel level, std::string_view file, int line, std::string_view message) {
    if (!log_enabled(level)) return;
    const LogRecord record{level, base_name(file), line, message};
    std::lock_guard lock(sink_mutex());
    if (current_sink()) {
        current_sink()(record);
    } else {
        write_stderr(record);
    }
}

}  // namespace qrt
