#include "cli/status_line.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ostream>
#include <thread>

#include "api/http_request.h"
#include "cli/table.h"

namespace qrt::cli {

std::string format_elapsed(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
    auto s = static_cast<std::int64_t>(seconds);
    if (s < 60) return fmt::format("{}s", s);
    if (s < 3600) return fmt::format("{}m {:02}s", s / 60, s % 60);
    if (s < 86400) return fmt::format("{}h {:02}m", s / 3600, s % 3600 / 60);
    return fmt::format("{}d {}h", s / 86400, s % 86400 / 3600);
}

std::string format_estimated_start(const std::string& iso, Timestamp now) {
    auto t = api::parse_iso8601(iso);
    if (!t.ok()) return iso;
    double ahead = to_seconds(*t - now);
    if (ahead <= 0) return "now";
    std::string when = format_iso8601(*t);  // "2026-11-21T11:42:48.100000Z"
    std::string shown = ahead < 86400 ? when.substr(11, 8) + "Z" : when.substr(0, 19) + "Z";
    return fmt::format("{} (in {})", shown, format_elapsed(std::ceil(ahead)));
}

std::string job_state_text(const JobInfo& info, Timestamp now) {
    std::string text(to_string(info.status));
    if (info.status == JobStatus::kQueued) {
        if (info.queue_position) text += fmt::format(" · position {}", *info.queue_position);
        if (info.estimated_start) {
            text += " · est. start " + format_estimated_start(*info.estimated_start, now);
        }
        if (!info.waiting_reason.empty()) text += " · " + info.waiting_reason;
        // The rule that holds the job (V2), which the library keeps only in the raw answer.
        std::string rule = raw_string_field(info.raw_json, {"queue_info", "rule"});
        if (!rule.empty()) text += " (" + rule + ")";
    } else if (info.status == JobStatus::kFailed || info.status == JobStatus::kCancelled) {
        if (!info.reason.empty()) text += " · " + info.reason;
    }
    return text;
}

std::string job_state_key(const JobInfo& info) {
    return fmt::format("{}|{}|{}|{}", to_string(info.status), info.queue_position.value_or(0),
                       info.waiting_reason, info.reason);
}

std::string status_line_text(const JobInfo& info, Timestamp now, double elapsed_s) {
    return job_state_text(info, now) + " · " + format_elapsed(elapsed_s);
}

LiveStatus::LiveStatus(std::ostream& out, bool tty, std::size_t columns)
    : out_(out), tty_(tty), columns_(std::max<std::size_t>(columns, 10)) {}

LiveStatus::~LiveStatus() { finish(); }

void LiveStatus::show(const std::string& key, const std::string& text) {
    if (tty_) {
        // One column spare: a line exactly as wide as the terminal wraps on some terminals.
        out_ << "\r" << truncate_display(text, columns_ - 1) << "\033[K" << std::flush;
        line_open_ = true;
    } else if (!last_key_ || *last_key_ != key) {
        out_ << text << "\n" << std::flush;
    }
    last_key_ = key;
}

void LiveStatus::finish() {
    if (tty_ && line_open_) out_ << "\n" << std::flush;
    line_open_ = false;
}

WaitHooks real_wait_hooks(const Job& job) {
    WaitHooks hooks;
    hooks.fetch = [job] { return job.info(); };
    hooks.monotonic_s = [] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    };
    hooks.wall = [] { return SystemClock().now(); };
    hooks.sleep_s = [](double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); };
    return hooks;
}

namespace {

bool is_final(JobStatus s) {
    return s == JobStatus::kCompleted || s == JobStatus::kFailed || s == JobStatus::kCancelled;
}

}  // namespace

JobInfo wait_with_status(const WaitHooks& hooks, LiveStatus* live,
                         std::optional<double> timeout_s) {
    const double start = hooks.monotonic_s();
    double pause = 0.2;
    for (;;) {
        JobInfo info = hooks.fetch();
        double elapsed = hooks.monotonic_s() - start;
        if (live != nullptr) {
            live->show(job_state_key(info), status_line_text(info, hooks.wall(), elapsed));
        }
        if (is_final(info.status)) return info;
        if (timeout_s && elapsed >= *timeout_s) {
            throw Error(ErrorKind::kTimeout,
                        fmt::format("job {} is still {} after {}", info.id, to_string(info.status),
                                    format_elapsed(*timeout_s)));
        }
        double wait = pause;
        if (timeout_s) wait = std::min(wait, std::max(0.0, *timeout_s - elapsed));
        hooks.sleep_s(wait);
        pause = std::min(1.0, pause * 2);
    }
}

}  // namespace qrt::cli
