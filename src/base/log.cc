#include "base/log.h"

#include <cstdio>
#include <mutex>
#include <string>
#include <utility>

#include "base/time.h"

namespace qrt {
namespace detail {
std::atomic<int> g_log_level{static_cast<int>(LogLevel::kInfo)};
}  // namespace detail

namespace {

std::atomic<int> g_log_format{static_cast<int>(LogFormat::kText)};
thread_local const LogFields* t_context = nullptr;

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

void json_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        out += "\\u00";
                        out += kHex[c >> 4];
                        out += kHex[c & 15];
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            ++i;
            continue;
        }
        // A well-formed UTF-8 sequence is copied; anything else becomes U+FFFD.
        std::size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
        bool ok = len > 0 && i + len <= text.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            ok = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
        }
        if (ok && len == 3) {  // no overlongs, no surrogates
            const auto c1 = static_cast<unsigned char>(text[i + 1]);
            ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);
        } else if (ok && len == 4) {
            const auto c1 = static_cast<unsigned char>(text[i + 1]);
            ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
        }
        if (ok) {
            out.append(text.substr(i, len));
            i += len;
        } else {
            out += "\xef\xbf\xbd";
            ++i;
        }
    }
    out += '"';
}

// "2026-01-01T00:00:00.123Z": RFC 3339, UTC, milliseconds.
std::string timestamp_ms(Timestamp t) {
    std::string s = format_iso8601(t);  // ...:00.123456Z
    if (s.size() >= 4) s.erase(s.size() - 4, 3);
    return s;
}

void write_stderr(const LogRecord& r) {
    std::string line =
        format_log_line(r, static_cast<LogFormat>(g_log_format.load(std::memory_order_relaxed)),
                        SystemClock().now());
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

std::string_view log_format_name(LogFormat format) {
    return format == LogFormat::kJson ? "json" : "text";
}

Result<LogFormat> parse_log_format(std::string_view name) {
    if (name == "json") return LogFormat::kJson;
    if (name == "text") return LogFormat::kText;
    return invalid_argument(fmt::format("unknown log format '{}' (use json or text)", name));
}

void set_log_format(LogFormat format) {
    g_log_format.store(static_cast<int>(format), std::memory_order_relaxed);
}

LogFormat log_format() {
    return static_cast<LogFormat>(g_log_format.load(std::memory_order_relaxed));
}

LogFields& LogFields::merge(const LogFields& other) {
    if (!other.job_id.empty()) job_id = other.job_id;
    if (!other.session_id.empty()) session_id = other.session_id;
    if (!other.instance.empty()) instance = other.instance;
    if (!other.request_id.empty()) request_id = other.request_id;
    if (!other.backend.empty()) backend = other.backend;
    if (!other.user.empty()) user = other.user;
    return *this;
}

ScopedLogContext::ScopedLogContext(const LogFields& fields) : previous_(t_context) {
    if (previous_ != nullptr) fields_ = *previous_;
    fields_.merge(fields);
    t_context = &fields_;
}

ScopedLogContext::~ScopedLogContext() { t_context = previous_; }

std::string format_log_line(const LogRecord& r, LogFormat format, Timestamp now) {
    const std::pair<std::string_view, std::string_view> fields[] = {
        {"job_id", r.fields.job_id},         {"session_id", r.fields.session_id},
        {"instance", r.fields.instance},     {"request_id", r.fields.request_id},
        {"backend", r.fields.backend},       {"user", r.fields.user},
    };
    std::string line;
    line.reserve(160 + r.message.size());
    if (format == LogFormat::kJson) {
        line += "{\"ts\":\"";
        line += timestamp_ms(now);
        line += "\",\"level\":\"";
        line += log_level_name(r.level);
        line += "\",\"msg\":";
        json_string(line, r.message);
        for (const auto& [key, value] : fields) {
            if (value.empty()) continue;
            line += ",\"";
            line += key;
            line += "\":";
            json_string(line, value);
        }
        if (!r.file.empty()) {
            line += ",\"src\":";
            json_string(line, fmt::format("{}:{}", r.file, r.line));
        }
        line += '}';
        return line;
    }
    line = format_iso8601(now);
    line += ' ';
    line += level_letter(r.level);
    if (!r.file.empty()) fmt::format_to(std::back_inserter(line), " {}:{}", r.file, r.line);
    line += "] ";
    line += r.message;
    for (const auto& [key, value] : fields) {
        if (value.empty()) continue;
        fmt::format_to(std::back_inserter(line), " {}={}", key, value);
    }
    return line;
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

void log_message(LogLevel level, std::string_view file, int line, std::string_view message,
                 const LogFields& fields) {
    if (!log_enabled(level)) return;
    LogRecord record{level, base_name(file), line, message};
    if (t_context != nullptr) record.fields = *t_context;
    record.fields.merge(fields);
    std::lock_guard lock(sink_mutex());
    if (current_sink()) {
        current_sink()(record);
    } else {
        write_stderr(record);
    }
}

}  // namespace qrt
