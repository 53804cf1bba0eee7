// The live status line of a job being waited for (`qrt run --wait`, `qrt jobs wait`):
//
//     QUEUED · position 2 · est. start 11:42:48Z (in 3s) · waiting for the job ahead (P4) · 12s
//     RUNNING · 14s
//     DONE · 15s
//
// state, queue position and estimated start (rule V1), why the job is not running (rule V2) and
// the time waited so far. On a terminal the line is rewritten in place ("\r", then "clear to end
// of line"), cut to the terminal's width; elsewhere (a pipe, a CI log) a line is printed only when
// something other than the elapsed time changes.
//
// Thread-safety: LiveStatus and wait_with_status belong to the thread that calls them; the text
// functions are pure.
#pragma once

#include <qrt/qrt.h>

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "base/time.h"

namespace qrt::cli {

// "0s", "12s", "1m 05s", "1h 02m", "2d 3h": whole seconds, two largest units.
std::string format_elapsed(double seconds);

// An estimated start as people read it, relative to `now`: "11:42:48Z (in 3s)" for today and
// tomorrow within 24 h, "2026-11-23T09:00:00Z (in 1d 21h)" beyond, "now" when it is not in the
// future. The text as given when it is not an ISO-8601 time.
std::string format_estimated_start(const std::string& iso, Timestamp now);

// What the line says about the job, without the elapsed time (the part whose change makes a new
// line off a terminal): "QUEUED · position 2 · est. start ... · reason (rule)"; the rule comes
// from the raw answer's queue_info.rule.
std::string job_state_text(const JobInfo& info, Timestamp now);

// What must change for a new line off a terminal: state, queue position and reason (not the
// estimate, which moves a little with every forecast).
std::string job_state_key(const JobInfo& info);

// The whole line: job_state_text + " · " + format_elapsed(elapsed_s).
std::string status_line_text(const JobInfo& info, Timestamp now, double elapsed_s);

class LiveStatus {
public:
    // `tty`: rewrite one line in place, at most `columns` wide (>= 10); else one line per change.
    LiveStatus(std::ostream& out, bool tty, std::size_t columns = 80);
    LiveStatus(const LiveStatus&) = delete;
    LiveStatus& operator=(const LiveStatus&) = delete;
    ~LiveStatus();

    // Shows `text`. Off a terminal it is printed only when `key` differs from the last key shown.
    void show(const std::string& key, const std::string& text);
    // Ends the line on a terminal (a newline after the last text); nothing otherwise. Idempotent.
    void finish();

private:
    std::ostream& out_;
    bool tty_;
    std::size_t columns_;
    std::optional<std::string> last_key_;
    bool line_open_ = false;
};

// What waiting needs from the world, so that tests can run it on a hand-moved clock.
struct WaitHooks {
    std::function<JobInfo()> fetch;               // the job's current info (asks the server)
    std::function<double()> monotonic_s;          // a steady clock, in seconds
    std::function<Timestamp()> wall;              // the time of day, for the estimated start
    std::function<void(double seconds)> sleep_s;  // waits this long
};

// Hooks for a real job: Job::info(), steady_clock, the system clock, this_thread::sleep_for.
WaitHooks real_wait_hooks(const Job& job);

// Polls `hooks.fetch` until the job is final and returns its last info, showing the status line
// on `live` (nullptr: silent) after every poll. Polls back off from 0.2 s to 1 s, so the elapsed
// time moves at least once a second. `timeout_s`: throws qrt::Error kTimeout ("the job is still
// QUEUED after 10m") when it runs out; the job is left as it is. Errors of `fetch` propagate.
JobInfo wait_with_status(const WaitHooks& hooks, LiveStatus* live,
                         std::optional<double> timeout_s = std::nullopt);

}  // namespace qrt::cli
