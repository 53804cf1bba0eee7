#include "cli/status_line.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace qrt::cli {
namespace {

// 2026-11-21T11:42:45Z
constexpr Timestamp kNow = from_micros(1795261365LL * 1'000'000);

JobInfo queued(int position, std::string estimate, std::string reason) {
    JobInfo j;
    j.id = "job_1";
    j.status = JobStatus::kQueued;
    j.queue_position = position;
    j.estimated_start = std::move(estimate);
    j.waiting_reason = std::move(reason);
    return j;
}

TEST(FormatElapsed, uses_the_two_largest_units) {
    EXPECT_EQ(format_elapsed(0), "0s");
    EXPECT_EQ(format_elapsed(12.9), "12s");
    EXPECT_EQ(format_elapsed(65), "1m 05s");
    EXPECT_EQ(format_elapsed(3720), "1h 02m");
    EXPECT_EQ(format_elapsed(2 * 86400 + 3 * 3600 + 5), "2d 3h");
    EXPECT_EQ(format_elapsed(-1), "0s");
}

TEST(FormatEstimatedStart, is_relative_to_now) {
    EXPECT_EQ(format_estimated_start("2026-11-21T11:42:48.100000Z", kNow), "11:42:48Z (in 4s)");
    EXPECT_EQ(format_estimated_start("2026-11-21T11:40:00Z", kNow), "now");
    EXPECT_EQ(format_estimated_start("2026-11-23T09:00:00Z", kNow),
              "2026-11-23T09:00:00Z (in 1d 21h)");
    EXPECT_EQ(format_estimated_start("soon", kNow), "soon");
}

TEST(StatusLine, shows_queue_position_estimate_reason_and_elapsed_time) {
    JobInfo j = queued(2, "2026-11-21T11:42:48Z", "waiting for the job ahead of it on emu_small5");
    j.raw_json = R"({"status":"Queued","queue_info":{"position":2,"rule":"P4"}})";
    EXPECT_EQ(status_line_text(j, kNow, 12),
              "QUEUED · position 2 · est. start 11:42:48Z (in 3s) · waiting for the job ahead of "
              "it on emu_small5 (P4) · 12s");
}

TEST(StatusLine, leaves_out_what_the_server_did_not_say) {
    JobInfo j;
    j.status = JobStatus::kQueued;
    j.waiting_reason = "backend emu_small5 is paused";
    EXPECT_EQ(status_line_text(j, kNow, 1), "QUEUED · backend emu_small5 is paused · 1s");
    j.status = JobStatus::kRunning;
    EXPECT_EQ(status_line_text(j, kNow, 75), "RUNNING · 1m 15s");
    j.status = JobStatus::kFailed;
    j.reason = "the circuit is too wide";
    EXPECT_EQ(status_line_text(j, kNow, 3), "ERROR · the circuit is too wide · 3s");
}

TEST(LiveStatus, on_a_terminal_rewrites_one_line_in_place) {
    std::ostringstream out;
    {
        LiveStatus live(out, /*tty=*/true, 20);
        live.show("a", "QUEUED · 1s");
        live.show("a", "QUEUED · 2s");
        live.show("b", "RUNNING · position 2 · very long text");
    }  // the destructor ends the line
    EXPECT_EQ(out.str(), "\rQUEUED · 1s\033[K\rQUEUED · 2s\033[K\rRUNNING · position…\033[K\n");
}

TEST(LiveStatus, off_a_terminal_prints_a_line_per_change) {
    std::ostringstream out;
    LiveStatus live(out, /*tty=*/false);
    live.show("a", "QUEUED · 1s");
    live.show("a", "QUEUED · 2s");
    live.show("b", "RUNNING · 3s");
    live.finish();
    EXPECT_EQ(out.str(), "QUEUED · 1s\nRUNNING · 3s\n");
}

// A job that goes through `states`, one per poll, on a clock moved by the sleeps.
struct FakeJob {
    std::vector<JobInfo> states;
    std::size_t polls = 0;
    double now = 100;
    std::vector<double> sleeps;

    WaitHooks hooks() {
        WaitHooks h;
        h.fetch = [this] { return states[std::min(polls++, states.size() - 1)]; };
        h.monotonic_s = [this] { return now; };
        h.wall = [] { return kNow; };
        h.sleep_s = [this](double s) {
            sleeps.push_back(s);
            now += s;
        };
        return h;
    }
};

JobInfo with_status(JobStatus s) {
    JobInfo j;
    j.id = "job_1";
    j.status = s;
    return j;
}

TEST(WaitWithStatus, polls_with_backoff_until_final_and_shows_each_change) {
    FakeJob job;
    job.states = {queued(1, "2026-11-21T11:42:46Z", "next to start"),
                  queued(1, "2026-11-21T11:42:46Z", "next to start"),
                  with_status(JobStatus::kRunning),
                  with_status(JobStatus::kRunning),
                  with_status(JobStatus::kRunning),
                  with_status(JobStatus::kRunning),
                  with_status(JobStatus::kCompleted)};
    std::ostringstream out;
    LiveStatus live(out, /*tty=*/false);
    JobInfo last = wait_with_status(job.hooks(), &live);
    EXPECT_EQ(last.status, JobStatus::kCompleted);
    EXPECT_EQ(job.sleeps, (std::vector<double>{0.2, 0.4, 0.8, 1.0, 1.0, 1.0}));
    EXPECT_EQ(out.str(),
              "QUEUED · position 1 · est. start 11:42:46Z (in 1s) · next to start · 0s\n"
              "RUNNING · 0s\n"
              "DONE · 4s\n");
}

TEST(WaitWithStatus, gives_up_with_a_timeout_error_and_leaves_the_job) {
    FakeJob job;
    job.states = {with_status(JobStatus::kRunning)};
    try {
        wait_with_status(job.hooks(), nullptr, 2.0);
        FAIL() << "no timeout";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kTimeout);
        EXPECT_STREQ(e.what(), "job job_1 is still RUNNING after 2s");
    }
    // 0.2 + 0.4 + 0.8 = 1.4, then only the 0.6 s left.
    ASSERT_EQ(job.sleeps.size(), 4U);
    EXPECT_NEAR(job.sleeps[3], 0.6, 1e-9);
}

}  // namespace
}  // namespace qrt::cli
