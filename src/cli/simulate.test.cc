// Tests of `qrt simulate`: exact metrics of small deterministic runs, and the claims the example
// workloads exist to show (sessions beat job mode; fair share delivers the allocation).
#include "cli/simulate.h"

#include <gtest/gtest.h>

#include <string>

#include "cli/report.h"
#include "cli/workload.h"

namespace qrt::cli {
namespace {

std::string example(const std::string& name) {
    return std::string(QRT_SOURCE_DIR) + "/examples/workloads/" + name;
}

SimulationReport run_text(const std::string& text, SimulateOptions options = {}) {
    auto w = parse_workload(text);
    EXPECT_TRUE(w.ok()) << w.status().to_string();
    if (!w.ok()) return {};
    auto r = simulate(*w, options);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? *r : SimulationReport{};
}

SimulationReport run_example(const std::string& name, SimulateOptions options = {}) {
    auto w = load_workload(example(name));
    EXPECT_TRUE(w.ok()) << w.status().to_string();
    if (!w.ok()) return {};
    auto r = simulate(*w, options);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? *r : SimulationReport{};
}

const ClassReport* find_class(const SimulationReport& r, const std::string& name) {
    for (const auto& c : r.classes) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

const WorkloadReport* find_workload(const SimulationReport& r, const std::string& name) {
    for (const auto& g : r.workloads) {
        if (g.name == name) return &g;
    }
    return nullptr;
}

TEST(Summarize, NearestRank) {
    std::vector<std::int64_t> v;
    for (int i = 100; i >= 1; --i) v.push_back(i * 1'000'000LL);
    Stats s = summarize(v);
    EXPECT_EQ(s.count, 100u);
    EXPECT_DOUBLE_EQ(s.mean, 50.5);
    EXPECT_DOUBLE_EQ(s.p50, 50);
    EXPECT_DOUBLE_EQ(s.p90, 90);
    EXPECT_DOUBLE_EQ(s.p99, 99);
    EXPECT_DOUBLE_EQ(s.max, 100);
    std::vector<std::int64_t> empty;
    EXPECT_EQ(summarize(empty).count, 0u);
}

// Three 10 s jobs at t=0 on one backend: they run back to back.
TEST(Simulate, FifoJobsExactMetrics) {
    auto r = run_text(R"({
      "duration": "30s", "drain": true,
      "backends": [{"name": "b"}], "instances": [{"name": "i"}],
      "generators": [{"type": "jobs", "name": "g", "instance": "i", "backend": "b",
                      "count": 3, "duration": "10s"}]})");
    EXPECT_EQ(r.submitted, 3u);
    EXPECT_EQ(r.completed, 3u);
    EXPECT_DOUBLE_EQ(r.makespan_s, 30);
    EXPECT_DOUBLE_EQ(r.end_s, 30);
    const ClassReport* c = find_class(r, "g");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->wait.count, 3u);
    EXPECT_DOUBLE_EQ(c->wait.mean, 10);
    EXPECT_DOUBLE_EQ(c->wait.p50, 10);
    EXPECT_DOUBLE_EQ(c->wait.max, 20);
    ASSERT_EQ(r.backends.size(), 1u);
    EXPECT_DOUBLE_EQ(r.backends[0].busy_s, 30);
    EXPECT_DOUBLE_EQ(r.backends[0].utilization, 1);
    EXPECT_EQ(r.usage.job_mode, std::chrono::seconds(30));
    ASSERT_EQ(r.instances.size(), 1u);
    EXPECT_DOUBLE_EQ(r.instances[0].delivered_share, 1);
    EXPECT_DOUBLE_EQ(r.jain_index, 1);
}

// Without drain the run stops at the horizon and reports what is left.
TEST(Simulate, HorizonStopsTheRun) {
    auto r = run_text(R"({
      "duration": "25s",
      "backends": [{"name": "b"}], "instances": [{"name": "i"}],
      "generators": [{"type": "jobs", "name": "g", "instance": "i", "backend": "b",
                      "count": 4, "interval": "1s", "duration": "10s"}]})");
    EXPECT_EQ(r.submitted, 4u);
    EXPECT_EQ(r.completed, 2u);
    EXPECT_EQ(r.running_at_end, 1u);
    EXPECT_EQ(r.queued_at_end, 1u);
    EXPECT_DOUBLE_EQ(r.makespan_s, 20);
    EXPECT_DOUBLE_EQ(r.backends[0].busy_s, 25);
    EXPECT_EQ(find_class(r, "g")->unfinished, 2u);
}

// A dedicated session of 3 iterations: 10 s jobs, 5 s think time, nothing else on the backend.
TEST(Simulate, DedicatedSessionExactMetrics) {
    auto r = run_text(R"({
      "duration": "1h",
      "backends": [{"name": "b"}], "instances": [{"name": "i"}],
      "generators": [{"type": "session", "name": "s", "instance": "i", "backend": "b",
                      "iterations": 3, "job_duration": "10s", "think_time": "5s",
                      "start": "1m"}]})");
    const WorkloadReport* s = find_workload(r, "s");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->runs_finished, 1u);
    EXPECT_EQ(s->jobs_completed, 3u);
    EXPECT_FALSE(s->job_mode);
    EXPECT_DOUBLE_EQ(s->iteration_latency.mean, 10);
    EXPECT_DOUBLE_EQ(s->iteration_gap.mean, 5);
    EXPECT_EQ(s->iteration_gap.count, 2u);
    EXPECT_DOUBLE_EQ(s->completion_time.max, 40);
    EXPECT_DOUBLE_EQ(s->busy_s, 30);
    EXPECT_DOUBLE_EQ(s->idle_s, 10);
    EXPECT_EQ(r.usage.session, std::chrono::seconds(40));  // rule S14: idle time counts
    EXPECT_EQ(r.usage.session_idle, std::chrono::seconds(10));
    EXPECT_DOUBLE_EQ(r.makespan_s, 100);
}

// The same iterations in job mode: charged only for backend time.
TEST(Simulate, JobModeIterations) {
    auto r = run_text(R"({
      "duration": "1h",
      "backends": [{"name": "b"}], "instances": [{"name": "i"}],
      "generators": [{"type": "session", "name": "s", "instance": "i", "backend": "b",
                      "mode": "job", "iterations": 3, "job_duration": "10s",
                      "think_time": "5s"}]})");
    const WorkloadReport* s = find_workload(r, "s");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->mode, "job");
    EXPECT_DOUBLE_EQ(s->completion_time.max, 40);
    EXPECT_EQ(r.usage.session, Duration::zero());
    EXPECT_EQ(r.usage.job_mode, std::chrono::seconds(30));
}

// rule J3: a job that outlives its max_execution_time is stopped and ends Cancelled.
TEST(Simulate, TimeLimitStopsJobs) {
    auto r = run_text(R"({
      "duration": "1m", "drain": true,
      "backends": [{"name": "b"}], "instances": [{"name": "i"}],
      "generators": [{"type": "jobs", "name": "g", "instance": "i", "backend": "b",
                      "count": 2, "duration": "10s", "max_execution_time": "4s"}]})");
    EXPECT_EQ(r.cancelled, 2u);
    EXPECT_EQ(r.completed, 0u);
    EXPECT_DOUBLE_EQ(r.backends[0].busy_s, 8);
    EXPECT_DOUBLE_EQ(r.makespan_s, 8);
}

// rule S8: a session whose max_ttl runs out stops; the refused iteration is a failed run.
TEST(Simulate, MaxTtlFailsTheRun) {
    auto r = run_text(R"({
      "duration": "1h",
      "backends": [{"name": "b"}], "instances": [{"name": "i"}],
      "generators": [{"type": "session", "name": "s", "instance": "i", "backend": "b",
                      "iterations": 10, "job_duration": "10s", "think_time": "5s",
                      "max_ttl": "30s"}]})");
    const WorkloadReport* s = find_workload(r, "s");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->runs_failed, 1u);
    EXPECT_EQ(s->runs_finished, 0u);
    EXPECT_LT(s->jobs_completed, 10u);
    EXPECT_GE(s->jobs_completed, 2u);
}

// Batch: all jobs at once, shortest first (rule B3), then the batch closes.
TEST(Simulate, BatchAndCalibration) {
    auto r = run_text(R"({
      "duration": "1h", "drain": true,
      "backends": [{"name": "b"}], "instances": [{"name": "i"}],
      "generators": [
        {"type": "batch", "name": "bt", "instance": "i", "backend": "b", "jobs": 5,
         "job_duration": "10s"},
        {"type": "calibration", "name": "cal", "every": "30m", "duration": "1m",
         "start": "20m"}]})");
    const WorkloadReport* b = find_workload(r, "bt");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->runs_finished, 1u);
    EXPECT_DOUBLE_EQ(b->completion_time.max, 50);
    EXPECT_EQ(r.usage.batch, std::chrono::seconds(50));
    const ClassReport* c = find_class(r, "cal");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->completed, 2u);  // at 20m and 50m
}

// The seeds' central claim: iterations of a dedicated session run back to back, while in job
// mode each one queues again behind the background load.
TEST(Simulate, SessionBeatsJobModeOnIterationLatency) {
    auto session = run_example("session_vs_job_session.json");
    auto jobmode = run_example("session_vs_job_jobmode.json");
    const WorkloadReport* s = find_workload(session, "vqe");
    const WorkloadReport* j = find_workload(jobmode, "vqe");
    ASSERT_NE(s, nullptr);
    ASSERT_NE(j, nullptr);
    EXPECT_EQ(s->mode, "dedicated");
    EXPECT_EQ(j->mode, "job");
    EXPECT_EQ(s->jobs_completed, 100u);
    EXPECT_EQ(j->jobs_completed, 100u);
    EXPECT_LT(s->iteration_latency.mean, j->iteration_latency.mean);
    EXPECT_LT(s->iteration_latency.p90, j->iteration_latency.p90);
    EXPECT_LT(s->completion_time.max, j->completion_time.max);
    EXPECT_GT(session.usage.session, Duration::zero());
    EXPECT_EQ(jobmode.usage.session, Duration::zero());
}

// rule S15: an open-plan instance's session runs in job mode, without priority.
TEST(Simulate, OpenPlanSessionRunsInJobMode) {
    auto r = run_example("open_plan_session.json");
    const WorkloadReport* open = find_workload(r, "open-vqe");
    const WorkloadReport* paid = find_workload(r, "paid-vqe");
    ASSERT_NE(open, nullptr);
    ASSERT_NE(paid, nullptr);
    EXPECT_TRUE(open->job_mode);
    EXPECT_FALSE(paid->job_mode);
    EXPECT_DOUBLE_EQ(open->idle_s, 0);
    EXPECT_LT(paid->iteration_latency.mean, open->iteration_latency.mean);
}

void expect_shares(const SimulationReport& r) {
    ASSERT_EQ(r.instances.size(), 3u);
    const double expected[] = {1.0 / 7, 2.0 / 7, 4.0 / 7};
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_NEAR(r.instances[i].delivered_share, expected[i], 0.03) << r.instances[i].name;
    }
    EXPECT_GT(r.jain_index, 0.99);
}

TEST(Simulate, FairShareRollingWindowDeliversAllocation) {
    expect_shares(run_example("fairness_window.json"));
}

TEST(Simulate, FairShareHalfLifeDeliversAllocation) {
    expect_shares(run_example("fairness_decay.json"));
}

TEST(Simulate, SameSeedSameJson) {
    auto a = format_json(run_example("session_vs_job_session.json"));
    auto b = format_json(run_example("session_vs_job_session.json"));
    EXPECT_EQ(a, b);
    SimulateOptions other;
    other.seed = 4242;
    auto c = run_example("session_vs_job_session.json", other);
    EXPECT_EQ(c.seed, 4242u);
    EXPECT_NE(format_json(c), a);
}

TEST(Report, JsonAndTableNameTheMetrics) {
    auto r = run_example("open_plan_session.json");
    std::string json = format_json(r);
    for (const char* key :
         {"\"makespan_s\"", "\"wait_s\"", "\"p99\"", "\"iteration_latency_s\"", "\"utilization\"",
          "\"delivered_share\"", "\"jain_index\"", "\"session_idle\"", "\"job_mode\": true"}) {
        EXPECT_NE(json.find(key), std::string::npos) << key;
    }
    std::string table = format_table(r);
    EXPECT_NE(table.find("Jain's fairness index"), std::string::npos);
    EXPECT_NE(table.find("open-vqe"), std::string::npos);
}

}  // namespace
}  // namespace qrt::cli
