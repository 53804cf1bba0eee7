#include "sched/types.h"

namespace qrt::sched {

bool is_final(JobState s) {
    return s == JobState::kCompleted || s == JobState::kFailed || s == JobState::kCancelled;
}

std::string_view to_string(JobState s) {
    switch (s) {
        case JobState::kQueued: return "Queued";
        case JobState::kRunning: return "Running";
        case JobState::kCompleted: return "Completed";
        case JobState::kFailed: return "Failed";
        case JobState::kCancelled: return "Cancelled";
    }
    return "?";
}

std::string_view to_string(SessionMode m) {
    return m == SessionMode::kDedicated ? "dedicated" : "batch";
}

std::string_view to_string(SessionState s) {
    switch (s) {
        case SessionState::kOpen: return "open";
        case SessionState::kActive: return "active";
        case SessionState::kInactive: return "inactive";
        case SessionState::kClosed: return "closed";
    }
    return "?";
}

std::string_view to_string(CloseReason r) {
    switch (r) {
        case CloseReason::kNone: return "";
        case CloseReason::kDrained: return "closed by the user; all jobs done";
        case CloseReason::kCancelled: return "cancelled by the user";
        case CloseReason::kMaxTtl: return "max_ttl reached";
        case CloseReason::kUnused: return "no job submitted in time";
    }
    return "?";
}

std::optional<Duration> SessionInfo::active_ttl(Timestamp now) const {
    if (!started_at) return std::nullopt;
    if (state == SessionState::kClosed) return Duration::zero();
    Duration left = *started_at + max_ttl - now;
    return left < Duration::zero() ? Duration::zero() : left;
}

std::string SessionInfo::client_status() const {
    switch (state) {
        case SessionState::kOpen:
        case SessionState::kInactive: return "Pending";
        case SessionState::kActive:
            return accepting_jobs ? "In progress, accepting new jobs"
                                  : "In progress, not accepting new jobs";
        case SessionState::kClosed: return "Closed";
    }
    return "?";
}

}  // namespace qrt::sched
