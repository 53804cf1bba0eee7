#include "cli/user_format.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace qrt::cli {
namespace {

namespace json = boost::json;

constexpr Timestamp kNow = from_micros(1795261365LL * 1'000'000);  // 2026-11-21T11:42:45Z

BackendInfo backend(std::string name, std::uint32_t qubits, bool simulator, bool operational,
                    int pending) {
    BackendInfo b;
    b.name = std::move(name);
    b.num_qubits = qubits;
    b.simulator = simulator;
    b.operational = operational;
    b.pending_jobs = pending;
    return b;
}

TEST(BackendsTable, lists_name_qubits_status_pending_and_simulator) {
    EXPECT_EQ(backends_table({backend("emu_small5", 5, false, true, 0),
                              backend("emu_eagle127", 127, false, false, 12),
                              backend("sim_ideal", 32, true, true, 1)}),
              "NAME          QUBITS  STATUS  PENDING  SIMULATOR\n"
              "emu_small5         5  online        0  no\n"
              "emu_eagle127     127  paused       12  no\n"
              "sim_ideal         32  online        1  yes\n");
}

TEST(BackendJson, names_every_field) {
    EXPECT_EQ(json::serialize(backend_json(backend("sim_ideal", 32, true, true, 1))),
              R"({"name":"sim_ideal","qubits":32,"status":"online","operational":true,)"
              R"("pending_jobs":1,"simulator":true,"status_message":"","active_session":null})");
}

TEST(BackendsTable, adds_the_active_session_column_when_a_backend_has_one) {
    BackendInfo busy = backend("emu_small5", 5, false, true, 3);
    busy.raw_json = R"({"name":"emu_small5","active_session":"ses_7","running_job":"job_9"})";
    EXPECT_EQ(backends_table({busy, backend("sim_ideal", 32, true, true, 0)}),
              "NAME        QUBITS  STATUS  PENDING  SIMULATOR  ACTIVE SESSION\n"
              "emu_small5       5  online        3  no         ses_7\n"
              "sim_ideal       32  online        0  yes        -\n");
}

JobInfo job() {
    JobInfo j;
    j.id = "job_1";
    j.program_id = "sampler";
    j.backend = "sim_ideal";
    j.status = JobStatus::kCompleted;
    j.tags = {"vqe", "run-1"};
    j.created = "2026-11-21T11:42:40.123456Z";
    j.started = "2026-11-21T11:42:41.000000Z";
    j.finished = "2026-11-21T11:42:42.500000Z";
    j.usage_seconds = 1.5;
    return j;
}

TEST(JobsTable, shows_one_job_per_line_without_microseconds) {
    JobInfo q = job();
    q.id = "job_2";
    q.status = JobStatus::kQueued;
    q.session_id = "ses_1";
    q.tags = {};
    EXPECT_EQ(jobs_table({job(), q}),
              "ID     STATUS  PROGRAM  BACKEND    SESSION  CREATED               TAGS\n"
              "job_1  DONE    sampler  sim_ideal  -        2026-11-21T11:42:40Z  vqe,run-1\n"
              "job_2  QUEUED  sampler  sim_ideal  ses_1    2026-11-21T11:42:40Z\n");
}

TEST(JobText, shows_times_usage_and_tags_of_a_finished_job) {
    EXPECT_EQ(job_text(job(), kNow),
              "id:        job_1\n"
              "status:    DONE\n"
              "program:   sampler\n"
              "backend:   sim_ideal\n"
              "tags:      vqe, run-1\n"
              "created:   2026-11-21T11:42:40.123456Z\n"
              "started:   2026-11-21T11:42:41.000000Z\n"
              "finished:  2026-11-21T11:42:42.500000Z\n"
              "usage:     1.500s\n");
}

TEST(JobText, shows_the_queue_position_estimate_and_reason_of_a_queued_job) {
    JobInfo j;
    j.id = "job_3";
    j.status = JobStatus::kQueued;
    j.queue_position = 3;
    j.estimated_start = "2026-11-21T11:43:45Z";
    j.waiting_reason = "waiting for 2 jobs ahead of it";
    j.raw_json = R"({"queue_info":{"rule":"P4"}})";
    EXPECT_EQ(job_text(j, kNow),
              "id:       job_3\n"
              "status:   QUEUED\n"
              "queue:    position 3, est. start 11:43:45Z (in 1m 00s)\n"
              "waiting:  waiting for 2 jobs ahead of it (rule P4)\n");
    j.queue_position.reset();
    j.estimated_start.reset();
    EXPECT_NE(job_text(j, kNow).find("queue:    no position (nothing would start it now)\n"),
              std::string::npos);
}

TEST(JobJson, uses_null_for_what_is_absent) {
    JobInfo j = job();
    j.status = JobStatus::kCancelled;
    j.reason = "cancelled by the user";
    json::value v = job_json(j);
    EXPECT_EQ(v.at("status"), "CANCELLED");
    EXPECT_EQ(v.at("reason"), "cancelled by the user");
    EXPECT_TRUE(v.at("session_id").is_null());
    EXPECT_TRUE(v.at("queue_position").is_null());
    EXPECT_EQ(v.at("tags"), (json::array{"vqe", "run-1"}));
    EXPECT_EQ(v.at("usage_seconds"), 1.5);
}

TEST(SessionText, shows_state_timeouts_and_usage) {
    SessionDetails s;
    s.id = "ses_1";
    s.backend = "emu_small5";
    s.mode = "dedicated";
    s.state = "active";
    s.status = "In progress, accepting new jobs";
    s.max_time_s = 1500;
    s.interactive_timeout_s = 60;
    s.started_at = "2026-11-21T11:40:00Z";
    s.usage_seconds = 2.25;
    EXPECT_EQ(session_text(s),
              "id:                   ses_1\n"
              "mode:                 dedicated\n"
              "backend:              emu_small5\n"
              "state:                active\n"
              "status:               In progress, accepting new jobs\n"
              "accepting jobs:       yes\n"
              "max time:             25m 00s\n"
              "interactive timeout:  1m 00s\n"
              "started:              2026-11-21T11:40:00Z\n"
              "usage:                2.250s\n");
    json::value v = session_json(s);
    EXPECT_EQ(v.at("max_time_s"), 1500.0);
    EXPECT_TRUE(v.at("active_timeout_s").is_null());
    EXPECT_EQ(v.at("accepting_jobs"), true);
}

TEST(CountsTable, sorts_by_count_and_scales_bars_to_the_largest) {
    EXPECT_EQ(counts_table({{"00", 2048}, {"11", 1024}, {"01", 1}}, 16, 8),
              "OUTCOME  COUNT    PROB\n"
              "00        2048  0.6664  ████████\n"
              "11        1024  0.3332  ████\n"
              "01           1  0.0003\n"
              "3 outcomes, 3073 shots\n");
}

TEST(CountsTable, draws_eighths_of_a_cell) {
    // 3/16 of 4 cells = 0.75 cell = 6 eighths.
    std::string t = counts_table({{"0", 16}, {"1", 3}}, 16, 4);
    EXPECT_NE(t.find("1            3  0.1579  ▊\n"), std::string::npos) << t;
}

TEST(CountsTable, shows_the_top_outcomes_and_sums_the_rest) {
    std::map<std::string, std::uint64_t> counts;
    for (std::uint64_t i = 0; i < 20; ++i) {
        counts[std::to_string(100 + i)] = i + 1;
    }
    std::string t = counts_table(counts, 16, 10);
    EXPECT_EQ(t.substr(0, t.find('\n', t.find('\n') + 1) + 1),
              "OUTCOME  COUNT    PROB\n"
              "119         20  0.0952  ██████████\n");
    // Left out: 100..103, counts 1+2+3+4.
    EXPECT_NE(t.find("\n... 4 more outcomes (10 shots)\n20 outcomes, 210 shots\n"),
              std::string::npos)
        << t;
    EXPECT_EQ(t.find("\n103 "), std::string::npos);
}

TEST(CountsTable, handles_no_outcomes) {
    EXPECT_EQ(counts_table({}), "OUTCOME  COUNT  PROB\n0 outcomes, 0 shots\n");
}

TEST(EvsTable, shows_each_observable_with_its_std) {
    EXPECT_EQ(evs_table({"ZZ", "0.5*XX"}, {1.0, -0.25}, {0.0, 0.0125}),
              "OBSERVABLE         EV         STD\n"
              "ZZ           1.000000  ± 0.000000\n"
              "0.5*XX      -0.250000  ± 0.012500\n");
    EXPECT_EQ(evs_table({}, {0.5}, {}), "OBSERVABLE        EV  STD\n#0          0.500000    -\n");
}

}  // namespace
}  // namespace qrt::cli
