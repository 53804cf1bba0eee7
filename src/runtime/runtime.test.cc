// The runtime end to end, without HTTP: the real SQLite store in a temp dir, FakeBackends whose
// jobs complete, fail or block on command, a VirtualClock moved by hand. Nothing sleeps: tests
// wait for states with timeouts of several seconds (wait_job, FakeBackend::wait_started).
#include "runtime/runtime.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "base/log.h"
#include "base/metrics.h"
#include "runtime/testing/fake_backend.h"

namespace qrt::runtime {
namespace {

using namespace std::chrono_literals;
using testing::FakeBackend;

constexpr Duration kWait = 10s;

class RuntimeTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (std::filesystem::temp_directory_path() / "qrt_runtime_XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir = tmpl + "/data";
        std::filesystem::create_directories(dir);
        config.data_dir = dir;
        open_runtime();
    }
    void TearDown() override {
        rt.reset();
        std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
    }

    // (Re)opens the runtime on the same data dir and clock with fresh FakeBackends: "dev" (a
    // device) and "sim" (a simulator).
    void open_runtime(bool start = true, bool blocking = true,
                      std::function<void(const std::string&)> on_run = {}) {
        rt.reset();
        auto store = store::open_sqlite_store(dir + "/qrt.db");
        ASSERT_TRUE(store.ok()) << store.status().to_string();
        FakeBackend::Options d;
        d.name = "dev";
        d.blocking = blocking;
        d.calibration_interval = calibration_interval;
        d.on_run = std::move(on_run);
        FakeBackend::Options s;
        s.name = "sim";
        s.simulator = true;
        s.blocking = blocking;
        auto dev_b = std::make_unique<FakeBackend>(d);
        auto sim_b = std::make_unique<FakeBackend>(s);
        dev = dev_b.get();
        sim = sim_b.get();
        std::vector<std::unique_ptr<backends::Backend>> bs;
        bs.push_back(std::move(dev_b));
        bs.push_back(std::move(sim_b));
        auto opened = Runtime::open_with(config, clock, std::move(store).value(), std::move(bs));
        ASSERT_TRUE(opened.ok()) << opened.status().to_string();
        rt = std::move(opened).value();
        if (auto key = rt->first_start_admin_key()) admin_key = *key;
        auto a = rt->authenticate_api_key(admin_key, "");
        ASSERT_TRUE(a.ok()) << a.status().to_string();
        admin = *a;
        if (start) {
            ASSERT_TRUE(rt->start().ok());
        }
    }

    // alice: default instance; bob: instance "b".
    void make_users() {
        store::InstanceRecord b;
        b.name = "b";
        auto in = rt->put_instance(admin, b);
        ASSERT_TRUE(in.ok()) << in.status().to_string();
        crn_b = in->crn;
        auto u1 = rt->create_user(admin, "alice", false, {});
        ASSERT_TRUE(u1.ok()) << u1.status().to_string();
        auto u2 = rt->create_user(admin, "bob", false, {crn_b});
        ASSERT_TRUE(u2.ok()) << u2.status().to_string();
        alice = *rt->caller_for_user(u1->id, "");
        bob = *rt->caller_for_user(u2->id, "");
    }

    SubmitRequest request(const std::string& params, const std::string& backend = "dev",
                          const std::string& session = "") {
        SubmitRequest r;
        r.program_id = "sampler";
        r.params_json = params;
        r.backend = backend;
        r.session_id = session;
        return r;
    }
    std::string submit(const Caller& c, const std::string& params = "{}",
                       const std::string& session = "", const std::string& backend = "dev") {
        auto v = rt->submit_job(c, request(params, backend, session));
        EXPECT_TRUE(v.ok()) << v.status().to_string();
        return v.ok() ? v->record.id : std::string();
    }
    std::string wait(const std::string& id) {
        auto s = rt->wait_job(id, kWait);
        EXPECT_TRUE(s.ok()) << s.status().to_string();
        return s.value_or("?");
    }
    store::JobRecord job(const std::string& id, const Caller* c = nullptr) {
        auto v = rt->get_job(c != nullptr ? *c : admin, id, true);
        EXPECT_TRUE(v.ok()) << v.status().to_string();
        return v.ok() ? v->record : store::JobRecord{};
    }
    std::string session(const Caller& c, std::optional<double> max_ttl = {},
                        sched::SessionMode mode = sched::SessionMode::kDedicated) {
        auto s = rt->create_session(c, "dev", mode, max_ttl);
        EXPECT_TRUE(s.ok()) << s.status().to_string();
        return s.ok() ? s->record.id : std::string();
    }
    std::unique_ptr<store::JobStore> raw_store() {
        auto store = store::open_sqlite_store(dir + "/qrt.db");
        EXPECT_TRUE(store.ok());
        return std::move(store).value();
    }

    std::string dir;
    Config config;
    std::optional<Duration> calibration_interval;
    VirtualClock clock;
    std::unique_ptr<Runtime> rt;
    FakeBackend* dev = nullptr;
    FakeBackend* sim = nullptr;
    std::string admin_key;
    Caller admin, alice, bob;
    std::string crn_b;
};

// ---------------------------------------------------------------------------------------------
// jobs

TEST_F(RuntimeTest, submitted_job_runs_to_completion_with_result_logs_and_metrics) {
    make_users();
    auto v = rt->submit_job(alice, request("{}"));
    ASSERT_TRUE(v.ok()) << v.status().to_string();
    EXPECT_EQ(v->record.backend, "dev");
    EXPECT_EQ(v->record.estimated_running_time_s, 2);
    const std::string id = v->record.id;
    EXPECT_EQ(wait(id), "Completed");
    store::JobRecord r = job(id, &alice);
    EXPECT_EQ(r.status, "Completed");
    EXPECT_EQ(r.attempts, 1);
    EXPECT_DOUBLE_EQ(r.usage_s, 1.5);  // the backend's QPU time
    EXPECT_TRUE(r.started.has_value());
    EXPECT_TRUE(r.finished.has_value());
    EXPECT_EQ(r.params_json, "{}");  // params kept verbatim
    EXPECT_EQ(*rt->job_results(alice, id), R"({"ok":true,"job":")" + id + R"("})");
    EXPECT_NE(rt->job_logs(alice, id)->find("fake ran " + id), std::string::npos);
    auto m = boost::json::parse(*rt->job_metrics_json(alice, id)).as_object();
    EXPECT_DOUBLE_EQ(m.at("usage").at("quantum_seconds").as_double(), 1.5);
    EXPECT_EQ(m.at("usage").at("status").as_string(), "final");
    EXPECT_TRUE(m.at("timestamps").at("running").is_string());
    EXPECT_EQ(m.at("shots").as_int64(), 100);  // the backend's own metadata
}

TEST_F(RuntimeTest, failed_jobs_answer_results_with_the_reason_as_a_json_string) {
    make_users();
    std::string user = submit(alice, R"({"fail_user":1})");
    std::string sys = submit(alice, R"({"fail_system":1})");
    EXPECT_EQ(wait(user), "Failed");
    EXPECT_EQ(wait(sys), "Failed");
    store::JobRecord u = job(user);
    EXPECT_EQ(u.reason_code, 1400);
    EXPECT_EQ(u.reason, "pubs[0]: bad input");
    EXPECT_EQ(*rt->job_results(alice, user), "\"Job failed: pubs[0]: bad input\"");
    store::JobRecord s = job(sys);
    EXPECT_EQ(s.reason_code, 1500);
    EXPECT_EQ(s.usage_s, 0);  // rule F3: a service fault is not charged
    EXPECT_EQ(*rt->job_results(alice, sys), "\"Job failed: device on fire\"");
}

TEST_F(RuntimeTest, results_of_a_pending_job_are_failed_precondition) {
    make_users();
    std::string id = submit(alice, R"({"block":1})");
    ASSERT_TRUE(dev->wait_started(id));
    EXPECT_EQ(rt->job_results(alice, id).status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_EQ(job(id).status, "Running");
    dev->release(id);
    EXPECT_EQ(wait(id), "Completed");
}

TEST_F(RuntimeTest, cancelling_a_queued_job_ends_it_at_once_and_a_final_one_is_refused) {  // J4
    make_users();
    std::string running = submit(alice, R"({"block":1})");
    std::string queued = submit(alice, "{}");
    ASSERT_TRUE(dev->wait_started(running));
    ASSERT_TRUE(rt->cancel_job(alice, queued).ok());
    store::JobRecord r = job(queued);  // durable before cancel_job returned
    EXPECT_EQ(r.status, "Cancelled");
    EXPECT_EQ(r.reason_code, 1300);
    EXPECT_EQ(rt->cancel_job(alice, queued).code(), ErrorCode::kFailedPrecondition);  // 409
    EXPECT_EQ(*rt->job_results(alice, queued), "\"Job was cancelled: cancelled by the user\"");
    dev->release(running);
    EXPECT_EQ(wait(running), "Completed");
    EXPECT_EQ(rt->cancel_job(alice, running).code(), ErrorCode::kFailedPrecondition);
    EXPECT_EQ(dev->started().size(), 1u);
}

TEST_F(RuntimeTest, cancelling_a_running_job_stops_it_cooperatively) {  // rule J4
    make_users();
    std::string id = submit(alice, R"({"block":1})");
    ASSERT_TRUE(dev->wait_started(id));
    ASSERT_TRUE(rt->cancel_job(alice, id).ok());
    EXPECT_EQ(wait(id), "Cancelled");
    EXPECT_EQ(job(id).reason_code, 1300);
}

// Regression: the first cancel of a running job only asks its backend to stop; until it has, a
// second cancel answered 204 as if it had cancelled something (seen under ASan, where stopping
// takes longer). It is a conflict: the job is already being cancelled.
TEST_F(RuntimeTest, a_second_cancel_of_a_job_still_stopping_is_refused) {  // rule J4
    make_users();
    std::string id = submit(alice, R"({"block":1,"slow_stop":1})");
    ASSERT_TRUE(dev->wait_started(id));
    ASSERT_TRUE(rt->cancel_job(alice, id).ok());
    Status again = rt->cancel_job(alice, id);
    EXPECT_EQ(again.code(), ErrorCode::kFailedPrecondition) << again.to_string();  // 409
    EXPECT_NE(again.message().find("already being cancelled"), std::string::npos)
        << again.message();
    dev->release(id);
    EXPECT_EQ(wait(id), "Cancelled");
    EXPECT_EQ(job(id).reason_code, 1300);
    EXPECT_EQ(rt->cancel_job(alice, id).code(), ErrorCode::kFailedPrecondition);
}

// Regression: with a timer pending (a running job's max_execution_time), the timer thread woke
// itself up on every pass (its own decisions "kicked" it) and burnt a core. On the virtual clock
// it may wake every 10 ms (the poll cap), so 300 ms allow ~30 passes; the bug made thousands.
TEST_F(RuntimeTest, the_timer_thread_sleeps_while_a_job_runs_with_a_time_limit) {
    make_users();
    SubmitRequest r = request(R"({"block":1})");
    r.max_execution_time_s = 3600;
    auto v = rt->submit_job(alice, r);
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(dev->wait_started(v->record.id));
    metrics::Counter& wakeups =
        metrics::default_registry()
            .counter("qrt_runtime_timer_wakeups_total",
                     "Passes of the runtime's timer thread (scheduler timers, calibrations)")
            .get();
    const double before = wakeups.value();
    for (int i = 0; i < 30; ++i) {  // keep the API busy meanwhile, as a server under load is
        (void)rt->get_job(alice, v->record.id, false);
        std::this_thread::sleep_for(10ms);
    }
    const double passes = wakeups.value() - before;
    EXPECT_LT(passes, 100) << "the timer thread spins";
    EXPECT_GT(passes, 0) << "the timer thread should still poll the virtual clock";
    dev->release(v->record.id);
    EXPECT_EQ(wait(v->record.id), "Completed");
}

TEST_F(RuntimeTest, a_job_over_its_max_execution_time_is_cancelled_with_1305) {  // rule J3
    make_users();
    SubmitRequest r = request(R"({"block":1})");
    r.max_execution_time_s = 10;
    auto v = rt->submit_job(alice, r);
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(dev->wait_started(v->record.id));
    clock.advance(11s);  // the timer thread sees the virtual clock move
    EXPECT_EQ(wait(v->record.id), "Cancelled");
    store::JobRecord j = job(v->record.id);
    EXPECT_EQ(j.reason_code, 1305);
    EXPECT_EQ(j.max_execution_time_s, 10);
}

TEST_F(RuntimeTest, bad_submissions_are_refused_and_store_nothing) {
    make_users();
    EXPECT_EQ(rt->submit_job(alice, request(R"({"invalid":1})")).status().code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(rt->submit_job(alice, request("{}", "nope")).status().code(), ErrorCode::kNotFound);
    SubmitRequest r = request("{}");
    r.program_id = "calibrate";
    EXPECT_EQ(rt->submit_job(alice, r).status().code(), ErrorCode::kInvalidArgument);
    r = request("{}");
    r.max_execution_time_s = -1;
    EXPECT_EQ(rt->submit_job(alice, r).status().code(), ErrorCode::kInvalidArgument);
    r = request("{}");
    r.tags = {""};
    EXPECT_EQ(rt->submit_job(alice, r).status().code(), ErrorCode::kInvalidArgument);
    r = request("{}");
    r.log_level = "LOUD";
    EXPECT_EQ(rt->submit_job(alice, r).status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(rt->submit_job(alice, request("{}", "dev", "ses_nope")).status().code(),
              ErrorCode::kNotFound);
    store::JobFilter all;
    all.include_system = true;
    EXPECT_EQ(rt->list_jobs(alice, all)->count, 0u);
    EXPECT_EQ(rt->list_jobs(admin, all)->count, 0u);
}

TEST_F(RuntimeTest, params_over_the_size_limit_are_resource_exhausted) {
    config.max_params_bytes = 16;
    open_runtime();
    make_users();
    EXPECT_EQ(rt->submit_job(alice, request(std::string(17, ' '))).status().code(),
              ErrorCode::kResourceExhausted);
}

TEST_F(RuntimeTest, a_user_may_have_only_so_many_pending_jobs) {
    config.max_pending_jobs_per_user = 2;
    open_runtime();
    make_users();
    std::string a = submit(alice, R"({"block":1})");
    submit(alice, "{}");
    EXPECT_EQ(rt->submit_job(alice, request("{}")).status().code(), ErrorCode::kResourceExhausted);
    submit(bob, "{}");  // others are not affected
    dev->release(a);
    EXPECT_EQ(wait(a), "Completed");
}

TEST_F(RuntimeTest, users_see_only_the_jobs_of_their_instances) {
    make_users();
    std::string id = submit(alice, "{}");
    EXPECT_EQ(wait(id), "Completed");
    EXPECT_EQ(rt->get_job(bob, id, false).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(rt->job_results(bob, id).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(rt->cancel_job(bob, id).code(), ErrorCode::kNotFound);
    EXPECT_EQ(rt->delete_job(bob, id).code(), ErrorCode::kNotFound);
    EXPECT_EQ(rt->set_job_tags(bob, id, {"x"}).code(), ErrorCode::kNotFound);
    EXPECT_EQ(rt->list_jobs(bob, {})->count, 0u);
    EXPECT_EQ(rt->list_jobs(alice, {})->count, 1u);
    store::JobFilter other;
    other.instances = {kDefaultInstanceCrn};
    EXPECT_EQ(rt->list_jobs(bob, other).status().code(), ErrorCode::kPermissionDenied);
}

TEST_F(RuntimeTest, jobs_are_listed_with_filters_and_tags_can_be_replaced) {  // rules J5, J6
    make_users();
    SubmitRequest r = request("{}");
    r.tags = {"vqe", "run1"};
    auto a = rt->submit_job(alice, r);
    ASSERT_TRUE(a.ok());
    r = request("{}", "sim");
    r.program_id = "estimator";
    auto b = rt->submit_job(alice, r);
    ASSERT_TRUE(b.ok());
    std::string blocked = submit(alice, R"({"block":1})");
    EXPECT_EQ(wait(a->record.id), "Completed");
    EXPECT_EQ(wait(b->record.id), "Completed");

    store::JobFilter f;
    f.backend = "sim";
    EXPECT_EQ(rt->list_jobs(alice, f)->count, 1u);
    f = {};
    f.program_id = "estimator";
    EXPECT_EQ(rt->list_jobs(alice, f)->jobs.at(0).id, b->record.id);
    f = {};
    f.pending = true;
    EXPECT_EQ(rt->list_jobs(alice, f)->jobs.at(0).id, blocked);
    f = {};
    f.tags = {"vqe"};
    EXPECT_EQ(rt->list_jobs(alice, f)->count, 1u);

    ASSERT_TRUE(rt->set_job_tags(alice, a->record.id, {"other"}).ok());
    EXPECT_EQ(rt->list_jobs(alice, f)->count, 0u);
    EXPECT_EQ(job(a->record.id).tags, std::vector<std::string>{"other"});
    // tags of a running job survive its final write
    ASSERT_TRUE(rt->set_job_tags(alice, blocked, {"late"}).ok());
    dev->release(blocked);
    EXPECT_EQ(wait(blocked), "Completed");
    EXPECT_EQ(job(blocked).tags, std::vector<std::string>{"late"});
    EXPECT_EQ(rt->set_job_tags(alice, blocked, {std::string(300, 'x')}).code(),
              ErrorCode::kInvalidArgument);
}

TEST_F(RuntimeTest, a_queued_job_shows_its_position_estimated_start_and_rule) {  // V1, V2
    make_users();
    std::string running = submit(alice, R"({"block":1})");
    ASSERT_TRUE(dev->wait_started(running));
    std::string queued = submit(bob, "{}");
    auto v = rt->get_job(bob, queued, false);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->record.status, "Queued");
    EXPECT_EQ(v->queue_position, 1);
    EXPECT_TRUE(v->estimated_start.has_value());
    EXPECT_EQ(v->waiting_rule, "P4");
    EXPECT_NE(v->waiting_reason.find(running), std::string::npos) << v->waiting_reason;
    auto m = boost::json::parse(*rt->job_metrics_json(bob, queued)).as_object();
    EXPECT_EQ(m.at("position_in_queue").as_int64(), 1);
    EXPECT_EQ(m.at("usage").at("status").as_string(), "pending");
    dev->release(running);
    EXPECT_EQ(wait(queued), "Completed");
}

TEST_F(RuntimeTest, deleting_removes_final_jobs_and_cancels_pending_ones_first) {
    make_users();
    std::string done = submit(alice, "{}");
    EXPECT_EQ(wait(done), "Completed");
    ASSERT_TRUE(rt->delete_job(alice, done).ok());
    EXPECT_EQ(rt->get_job(alice, done, false).status().code(), ErrorCode::kNotFound);

    std::string running = submit(alice, R"({"block":1})");
    std::string queued = submit(alice, "{}");
    ASSERT_TRUE(dev->wait_started(running));
    ASSERT_TRUE(rt->delete_job(alice, queued).ok());
    EXPECT_EQ(rt->get_job(alice, queued, false).status().code(), ErrorCode::kNotFound);
    ASSERT_TRUE(rt->delete_job(alice, running).ok());  // stopped, then deleted
    EXPECT_EQ(rt->wait_job(running, kWait).status().code(), ErrorCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// sessions

TEST_F(RuntimeTest, a_session_job_overtakes_queued_jobs_of_others) {  // rules S3, P3
    make_users();
    std::string s = session(alice);
    std::string s1 = submit(alice, R"({"block":1})", s);
    ASSERT_TRUE(dev->wait_started(s1));
    std::string y = submit(bob, "{}");
    std::string s2 = submit(alice, "{}", s);
    auto view = rt->get_session(alice, s);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->record.state, "active");
    EXPECT_EQ(view->queued_jobs, 1);
    EXPECT_TRUE(view->job_running);
    dev->release(s1);
    EXPECT_EQ(wait(s2), "Completed");
    // rule S4: the active session holds the backend until its interactive timeout runs out
    EXPECT_EQ(rt->wait_job(y, 50ms).value_or(""), "Queued");
    EXPECT_EQ(rt->get_job(bob, y, false)->waiting_rule, "S4");
    clock.advance(61s);
    EXPECT_EQ(wait(y), "Completed");
    EXPECT_EQ(dev->started(), (std::vector<std::string>{s1, s2, y}));
    EXPECT_EQ(rt->get_session(alice, s)->record.state, "inactive");
    EXPECT_EQ(job(s2).session_id, s);
}

TEST_F(RuntimeTest, closing_a_session_drains_its_queued_jobs_then_closes_it) {  // rule S9
    make_users();
    std::string s = session(alice);
    std::string s1 = submit(alice, R"({"block":1})", s);
    std::string s2 = submit(alice, "{}", s);
    ASSERT_TRUE(dev->wait_started(s1));
    ASSERT_TRUE(rt->close_session(alice, s).ok());
    EXPECT_FALSE(rt->get_session(alice, s)->record.accepting_jobs);
    EXPECT_EQ(rt->submit_job(alice, request("{}", "dev", s)).status().code(),
              ErrorCode::kFailedPrecondition);  // rule S11
    dev->release(s1);
    EXPECT_EQ(wait(s1), "Completed");
    EXPECT_EQ(wait(s2), "Completed");
    auto v = rt->get_session(alice, s);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->record.state, "closed");
    EXPECT_EQ(v->record.close_reason, "drained");
    EXPECT_TRUE(v->record.closed_at.has_value());
    EXPECT_TRUE(rt->close_session(alice, s).ok());  // closing twice is fine
}

TEST_F(RuntimeTest, cancelling_a_session_cancels_queued_jobs_and_lets_the_running_one_finish) {
    make_users();  // rule S10
    std::string s = session(alice);
    std::string s1 = submit(alice, R"({"block":1})", s);
    std::string s2 = submit(alice, "{}", s);
    ASSERT_TRUE(dev->wait_started(s1));
    ASSERT_TRUE(rt->cancel_session(alice, s).ok());
    store::JobRecord r2 = job(s2);
    EXPECT_EQ(r2.status, "Cancelled");
    EXPECT_EQ(r2.reason_code, 1301);
    dev->release(s1);
    EXPECT_EQ(wait(s1), "Completed");
    auto v = rt->get_session(alice, s);
    EXPECT_EQ(v->record.state, "closed");
    EXPECT_EQ(v->record.close_reason, "cancelled");
}

TEST_F(RuntimeTest, sessions_are_private_to_their_instance_and_capped_at_the_maximum) {
    make_users();
    std::string s = session(alice, 1e9);  // rule S8: more than the maximum gets the maximum
    auto v = rt->get_session(alice, s);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->record.max_ttl_s, 8 * 3600);
    EXPECT_EQ(v->record.state, "open");
    EXPECT_EQ(v->record.mode, "dedicated");
    EXPECT_EQ(rt->get_session(bob, s).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(rt->submit_job(bob, request("{}", "dev", s)).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(rt->close_session(bob, s).code(), ErrorCode::kNotFound);
    EXPECT_EQ(rt->create_session(alice, "nope", sched::SessionMode::kBatch, {}).status().code(),
              ErrorCode::kNotFound);
    EXPECT_EQ(rt->create_session(alice, "dev", sched::SessionMode::kBatch, -5).status().code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(rt->submit_job(alice, request("{}", "sim", s)).status().code(),
              ErrorCode::kInvalidArgument);  // another backend
}

// ---------------------------------------------------------------------------------------------
// restart recovery

TEST_F(RuntimeTest, queued_jobs_survive_a_restart_and_run_once) {
    make_users();
    open_runtime(/*start=*/false);  // jobs are accepted but nothing runs
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(submit(alice, "{}"));
    rt.reset();  // stop(): the job handed to the executor goes back to Queued
    for (const auto& id : ids) EXPECT_EQ(raw_store()->get_job(id, false)->status, "Queued");
    open_runtime();
    for (const auto& id : ids) {
        EXPECT_EQ(wait(id), "Completed");
        EXPECT_EQ(job(id).attempts, 1);
    }
    EXPECT_EQ(dev->started(), ids);  // FIFO kept
}

TEST_F(RuntimeTest, stop_queues_running_jobs_again_without_counting_an_attempt) {
    make_users();
    std::string id = submit(alice, R"({"block":1})");
    ASSERT_TRUE(dev->wait_started(id));
    rt->stop();
    rt->stop();  // idempotent
    store::JobRecord r = *raw_store()->get_job(id, true);
    EXPECT_EQ(r.status, "Queued");
    EXPECT_EQ(r.attempts, 0);
    EXPECT_NE(r.logs.find("queued again"), std::string::npos) << r.logs;
    EXPECT_EQ(rt->submit_job(alice, request("{}")).status().code(), ErrorCode::kUnavailable);
    open_runtime(/*start=*/true, /*blocking=*/false);
    EXPECT_EQ(wait(id), "Completed");
    EXPECT_EQ(job(id).attempts, 1);
}

TEST_F(RuntimeTest, a_job_is_durably_running_before_its_backend_starts_it) {
    // Otherwise a job that crashes the process at once would be re-run forever.
    std::vector<store::JobRecord> seen;
    open_runtime(true, true, [&](const std::string& id) {
        auto st = store::open_sqlite_store(dir + "/qrt.db");
        if (st.ok()) seen.push_back(*(*st)->get_job(id, false));
    });
    std::string id = submit(admin, "{}");
    EXPECT_EQ(wait(id), "Completed");
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].status, "Running");
    EXPECT_EQ(seen[0].attempts, 1);
}

TEST_F(RuntimeTest, concurrent_clients_leave_every_job_final_and_consistent) {
    make_users();
    constexpr int kThreads = 8, kJobs = 25;
    std::string s = session(alice);
    std::vector<std::thread> threads;
    std::mutex m;
    std::vector<std::string> ids;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            const Caller& c = t % 2 == 0 ? alice : bob;
            for (int i = 0; i < kJobs; ++i) {
                std::string params = i % 5 == 0 ? R"({"fail_user":1})" : "{}";
                auto v = rt->submit_job(
                    c, request(params, i % 3 == 0 ? "sim" : "dev", t == 0 && i % 3 != 0 ? s : ""));
                if (!v.ok()) continue;
                if (i % 7 == 0) (void)rt->cancel_job(c, v->record.id);
                (void)rt->get_job(c, v->record.id, false);
                (void)rt->list_jobs(c, {});
                std::lock_guard<std::mutex> g(m);
                ids.push_back(v->record.id);
            }
        });
    }
    for (auto& t : threads) t.join();
    // rule S9: closing lets the session go (it would hold "dev" until its interactive timeout)
    ASSERT_TRUE(rt->close_session(alice, s).ok());
    EXPECT_EQ(ids.size(), std::size_t{kThreads * kJobs});
    for (const auto& id : ids) {
        std::string st = wait(id);
        EXPECT_TRUE(st == "Completed" || st == "Failed" || st == "Cancelled") << id << " " << st;
    }
    store::JobFilter pending;
    pending.pending = true;
    EXPECT_EQ(rt->list_jobs(alice, pending)->count, 0u);
    EXPECT_EQ(rt->list_jobs(bob, pending)->count, 0u);
    EXPECT_EQ(rt->instance_usage(alice)->pending_jobs, 0);
}

TEST_F(RuntimeTest, a_job_running_at_a_crash_is_queued_again_once_then_failed) {
    make_users();
    rt.reset();
    // What a crash leaves behind: jobs marked Running that nobody will finish.
    {
        auto st = raw_store();
        for (int attempts : {1, 2}) {
            store::JobRecord r;
            r.id = "job_crash" + std::to_string(attempts);
            r.user_id = alice.user_id;
            r.instance = alice.instance;
            r.backend = "dev";
            r.program_id = "sampler";
            r.params_json = "{}";
            r.status = "Running";
            r.created = clock.now();
            r.started = clock.now();
            r.attempts = attempts;
            ASSERT_TRUE(st->insert_job(r).ok());
        }
    }
    std::vector<std::string> lines;
    {
        ScopedLogSink sink([&](const LogRecord& rec) { lines.emplace_back(rec.message); });
        open_runtime();
    }
    EXPECT_EQ(wait("job_crash1"), "Completed");
    store::JobRecord again = job("job_crash1");
    EXPECT_EQ(again.attempts, 2);
    EXPECT_NE(again.logs.find("queued again on restart"), std::string::npos) << again.logs;
    EXPECT_NE(again.logs.find("fake ran job_crash1"), std::string::npos) << again.logs;
    EXPECT_EQ(wait("job_crash2"), "Failed");
    store::JobRecord failed = job("job_crash2");
    EXPECT_EQ(failed.reason_code, 1500);
    EXPECT_NE(failed.reason.find("second time"), std::string::npos) << failed.reason;
    EXPECT_EQ(dev->started(), std::vector<std::string>{"job_crash1"});
    bool logged = false;
    for (const auto& l : lines) logged |= l.find("1 of them interrupted") != std::string::npos;
    EXPECT_TRUE(logged);
}

TEST_F(RuntimeTest, the_fair_share_window_is_rebuilt_from_the_usage_ledger) {  // rule F1
    make_users();
    std::string id = submit(alice, R"({"block":1})");
    ASSERT_TRUE(dev->wait_started(id));
    clock.advance(100s);  // fair share counts the time the job held the backend
    dev->release(id);
    EXPECT_EQ(wait(id), "Completed");
    EXPECT_DOUBLE_EQ(job(id).usage_s, 1.5);  // the user is shown the QPU time model
    auto before = rt->instance_usage(alice);
    ASSERT_TRUE(before.ok());
    EXPECT_NEAR(before->window_usage_s, 100, 0.01);
    EXPECT_NEAR(before->consumed_s, 100, 0.01);
    open_runtime();
    auto after = rt->instance_usage(alice);
    ASSERT_TRUE(after.ok());
    EXPECT_NEAR(after->window_usage_s, 100, 0.01);
    EXPECT_NEAR(after->consumed_s, 100, 0.01);
    EXPECT_DOUBLE_EQ(rt->instance_usage(bob)->window_usage_s, 0);
    // and it decides: with usage behind alice's instance, bob's job goes first
    ASSERT_TRUE(rt->pause_backend(admin, "dev").ok());
    std::string a2 = submit(alice, "{}");
    std::string b2 = submit(bob, "{}");
    ASSERT_TRUE(rt->resume_backend(admin, "dev").ok());
    EXPECT_EQ(wait(a2), "Completed");
    EXPECT_EQ(wait(b2), "Completed");
    EXPECT_EQ(dev->started(), (std::vector<std::string>{b2, a2}));
}

TEST_F(RuntimeTest, sessions_come_back_inactive_with_max_ttl_counted_from_their_start) {
    make_users();
    std::string s = session(alice, 3600);
    std::string s1 = submit(alice, "{}", s);
    EXPECT_EQ(wait(s1), "Completed");
    auto before = rt->get_session(alice, s);
    ASSERT_TRUE(before.ok());
    EXPECT_EQ(before->record.state, "active");
    clock.advance(600s);
    open_runtime();
    auto after = rt->get_session(alice, s);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->record.state, "inactive");  // rule S6
    EXPECT_EQ(after->record.started_at, before->record.started_at);
    ASSERT_TRUE(after->active_ttl_s.has_value());
    EXPECT_NEAR(*after->active_ttl_s, 3000, 0.01);  // rule S8: never paused
    // it still takes jobs, and its next job makes it active again
    std::string s2 = submit(alice, "{}", s);
    EXPECT_EQ(wait(s2), "Completed");
    EXPECT_EQ(rt->get_session(alice, s)->record.state, "active");
}

TEST_F(RuntimeTest, a_session_whose_max_ttl_passed_while_down_is_closed_and_its_jobs_fail) {
    make_users();
    std::string s = session(alice, 60);
    std::string s1 = submit(alice, R"({"block":1})", s);
    std::string s2 = submit(alice, "{}", s);
    ASSERT_TRUE(dev->wait_started(s1));
    rt.reset();  // s1 goes back to Queued
    clock.advance(120s);
    open_runtime();
    auto v = rt->get_session(alice, s);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->record.state, "closed");
    EXPECT_EQ(v->record.close_reason, "max_ttl");
    for (const auto& id : {s1, s2}) {
        store::JobRecord r = job(id);
        EXPECT_EQ(r.status, "Failed");
        EXPECT_EQ(r.reason_code, 1302);
    }
    EXPECT_EQ(rt->submit_job(alice, request("{}", "dev", s)).status().code(),
              ErrorCode::kFailedPrecondition);
}

TEST_F(RuntimeTest, a_draining_session_keeps_draining_after_a_restart) {  // rule S9
    make_users();
    std::string s = session(alice);
    std::string s1 = submit(alice, R"({"block":1})", s);
    std::string s2 = submit(alice, "{}", s);
    ASSERT_TRUE(dev->wait_started(s1));
    ASSERT_TRUE(rt->close_session(alice, s).ok());
    open_runtime(/*start=*/true, /*blocking=*/false);
    EXPECT_EQ(wait(s1), "Completed");
    EXPECT_EQ(wait(s2), "Completed");
    auto v = rt->get_session(alice, s);
    EXPECT_EQ(v->record.state, "closed");
    EXPECT_EQ(v->record.close_reason, "drained");
}

TEST_F(RuntimeTest, a_paused_backend_holds_its_jobs_and_stays_paused_after_a_restart) {  // K2
    make_users();
    ASSERT_TRUE(rt->pause_backend(admin, "dev").ok());
    EXPECT_EQ(rt->pause_backend(alice, "dev").code(), ErrorCode::kPermissionDenied);
    std::string id = submit(alice, "{}");
    EXPECT_TRUE(rt->backend("dev")->paused);
    EXPECT_EQ(rt->backend("dev")->queue_length, 1);
    EXPECT_EQ(rt->get_job(alice, id, false)->waiting_rule, "K2");
    open_runtime();
    EXPECT_TRUE(rt->backend("dev")->paused);
    EXPECT_EQ(job(id).status, "Queued");
    ASSERT_TRUE(rt->resume_backend(admin, "dev").ok());
    EXPECT_EQ(wait(id), "Completed");
}

TEST_F(RuntimeTest, a_reservation_holds_the_backend_for_its_instance_across_a_restart) {  // R1
    make_users();
    sched::ReservationSpec r;
    r.backend = "dev";
    r.instance = crn_b;
    r.start = clock.now();
    r.end = clock.now() + 1h;
    EXPECT_EQ(rt->add_reservation(alice, r).code(), ErrorCode::kPermissionDenied);
    ASSERT_TRUE(rt->add_reservation(admin, r).ok());
    std::string a = submit(alice, "{}");
    std::string b = submit(bob, "{}");
    EXPECT_EQ(wait(b), "Completed");
    EXPECT_EQ(rt->get_job(alice, a, false)->waiting_rule, "R1");
    open_runtime();
    EXPECT_EQ(rt->get_job(alice, a, false)->waiting_rule, "R1");
    clock.advance(1h);  // the window ends
    EXPECT_EQ(wait(a), "Completed");
}

// ---------------------------------------------------------------------------------------------
// first start, auth, admin

TEST_F(RuntimeTest, first_start_makes_a_private_data_dir_and_admin_key_file) {
    Config fresh;
    fresh.data_dir = std::filesystem::path(dir).parent_path() / "fresh" / "qrt";
    fresh.devices = {};  // no emulated devices needed here
    auto opened = Runtime::open(fresh, clock);
    ASSERT_TRUE(opened.ok()) << opened.status().to_string();
    std::unique_ptr<Runtime> first = std::move(opened).value();
    ASSERT_TRUE(first->first_start_admin_key().has_value());
    const std::string key = *first->first_start_admin_key();
    struct stat st {};
    ASSERT_EQ(::stat((fresh.data_dir + "/admin.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(fresh.data_dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    std::ifstream in(fresh.data_dir + "/admin.key");
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, key);
    EXPECT_EQ(key.size(), 64u);
    auto a = first->authenticate_api_key(key, "");
    ASSERT_TRUE(a.ok());
    EXPECT_TRUE(a->admin);
    EXPECT_EQ(a->user_name, "admin");
    EXPECT_EQ(a->instance, kDefaultInstanceCrn);
    const std::string secret = first->token_secret();
    EXPECT_EQ(secret.size(), 64u);
    first.reset();

    auto again = Runtime::open(fresh, clock);
    ASSERT_TRUE(again.ok()) << again.status().to_string();
    EXPECT_FALSE((*again)->first_start_admin_key().has_value());  // shown once
    EXPECT_TRUE((*again)->authenticate_api_key(key, "").ok());
    EXPECT_EQ((*again)->token_secret(), secret);
    EXPECT_EQ((*again)->users(*a).size(), 1u);
}

TEST_F(RuntimeTest, open_needs_a_data_dir) {
    Config none;
    EXPECT_EQ(Runtime::open(none, clock).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(RuntimeTest, authentication_checks_keys_instances_and_admin_rights) {
    make_users();
    EXPECT_EQ(rt->authenticate_api_key("wrong", "").status().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(rt->authenticate_api_key("", "").status().code(), ErrorCode::kUnauthenticated);
    auto key = rt->create_api_key(admin, bob.user_id, "laptop");
    ASSERT_TRUE(key.ok()) << key.status().to_string();
    EXPECT_TRUE(key->record.hash.find(key->secret) == std::string::npos);
    auto c = rt->authenticate_api_key(key->secret, "");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->instance, crn_b);
    EXPECT_FALSE(c->admin);
    EXPECT_EQ(rt->authenticate_api_key(key->secret, kDefaultInstanceCrn).status().code(),
              ErrorCode::kPermissionDenied);
    EXPECT_TRUE(rt->authenticate_api_key(admin_key, crn_b).ok());  // admins may act anywhere
    // admin verbs
    EXPECT_EQ(rt->create_user(*c, "eve", true, {}).status().code(), ErrorCode::kPermissionDenied);
    EXPECT_EQ(rt->create_api_key(*c, c->user_id, "x").status().code(),
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(rt->put_instance(*c, store::InstanceRecord{}).status().code(),
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(rt->users(*c).size(), 1u);
    EXPECT_EQ(rt->instances(*c).size(), 1u);
    EXPECT_EQ(rt->create_user(admin, "bob", false, {}).status().code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(rt->create_user(admin, "bad name", false, {}).status().code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(rt->create_user(admin, "carol", false, {"crn:nope"}).status().code(),
              ErrorCode::kNotFound);
    // revoking a key locks it out at once
    ASSERT_TRUE(rt->revoke_api_key(admin, key->record.id).ok());
    EXPECT_EQ(rt->authenticate_api_key(key->secret, "").status().code(),
              ErrorCode::kUnauthenticated);
}

TEST_F(RuntimeTest, an_instance_share_can_be_changed_while_running) {  // rule F1
    make_users();
    store::InstanceRecord b;
    b.name = "b";
    b.share = 3;
    b.plan = "paid";
    auto in = rt->put_instance(admin, b);
    ASSERT_TRUE(in.ok()) << in.status().to_string();
    EXPECT_EQ(in->crn, crn_b);
    EXPECT_NEAR(rt->instance_usage(bob)->share_fraction, 0.75, 1e-9);
    EXPECT_EQ(rt->instances(admin).size(), 2u);
    b.plan = "free";
    EXPECT_EQ(rt->put_instance(admin, b).status().code(), ErrorCode::kInvalidArgument);
    b.plan = "open";
    b.share = 0;
    EXPECT_EQ(rt->put_instance(admin, b).status().code(), ErrorCode::kInvalidArgument);
    open_runtime();
    EXPECT_NEAR(rt->instance_usage(bob)->share_fraction, 0.75, 1e-9);
}

TEST_F(RuntimeTest, backends_are_listed_with_their_state) {
    auto all = rt->backends();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "dev");
    EXPECT_FALSE(all[0].simulator);
    EXPECT_EQ(all[0].backend_version, "9.8.7");
    EXPECT_TRUE(all[1].simulator);
    EXPECT_EQ(rt->backend("nope").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(*rt->properties_json("dev"), "{}");
    EXPECT_NE(rt->configuration_json("sim")->find("\"sim\""), std::string::npos);
}

TEST_F(RuntimeTest, calibrations_run_as_system_jobs_on_each_device_interval) {  // rule P1
    calibration_interval = 60s;
    open_runtime();
    make_users();
    EXPECT_EQ(dev->calibrations(), 0);  // not at start
    auto next = rt->backend("dev")->next_calibration;
    ASSERT_TRUE(next.has_value());
    clock.advance(61s);
    ASSERT_TRUE(dev->wait_calibrations(1));
    store::JobFilter f;
    f.include_system = true;  // admins only; users never see system jobs
    auto page = rt->list_jobs(admin, f);
    ASSERT_EQ(page->count, 1u);
    EXPECT_EQ(wait(page->jobs[0].id), "Completed");
    page = rt->list_jobs(admin, f);
    EXPECT_EQ(page->jobs[0].program_id, "calibrate");
    EXPECT_TRUE(page->jobs[0].system);
    EXPECT_EQ(page->jobs[0].status, "Completed");
    EXPECT_EQ(rt->list_jobs(alice, f)->count, 0u);
    EXPECT_EQ(rt->get_job(alice, page->jobs[0].id, false).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(sim->calibrations(), 0);  // no interval, no calibration
}

// ---------------------------------------------------------------------------------------------
// with the real devices (Runtime::open: SQLite store, backends from their specs)

TEST(RuntimeWithDevices, runs_real_primitive_jobs_and_refuses_circuits_outside_the_isa) {
    namespace json = boost::json;
    std::string tmpl = (std::filesystem::temp_directory_path() / "qrt_runtime_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    Config config;
    config.data_dir = tmpl + "/data";
    config.devices.clear();
    for (const auto& spec : backends::default_device_specs()) {
        if (spec.name == "sim_ideal" || spec.name == "emu_small5") config.devices.push_back(spec);
    }
    ASSERT_EQ(config.devices.size(), 2u);
    VirtualClock clock;
    {
        auto opened = Runtime::open(config, clock);
        ASSERT_TRUE(opened.ok()) << opened.status().to_string();
        std::unique_ptr<Runtime> rt = std::move(opened).value();
        ASSERT_TRUE(rt->start().ok());
        Caller admin = *rt->authenticate_api_key(*rt->first_start_admin_key(), "");

        SubmitRequest est;
        est.program_id = "estimator";
        est.backend = "sim_ideal";
        est.params_json = json::serialize(json::object{
            {"pubs", json::array{json::array{
                         "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nh q[0];\n"
                         "cx q[0], q[1];\n",
                         json::array{"ZZ", "XX"}, nullptr}}},
            {"version", 2}});
        auto job = rt->submit_job(admin, est);
        ASSERT_TRUE(job.ok()) << job.status().to_string();
        ASSERT_EQ(*rt->wait_job(job->record.id, 30s), "Completed");
        json::value v = json::parse(*rt->job_results(admin, job->record.id));
        const json::array& evs = v.at("results").at(0).at("data").at("evs").as_array();
        EXPECT_NEAR(evs[0].to_number<double>(), 1.0, 1e-12);
        EXPECT_NEAR(evs[1].to_number<double>(), 1.0, 1e-12);

        // A Bell circuit in emu_small5's ISA runs on the noisy device; a bare cx does not.
        SubmitRequest smp;
        smp.program_id = "sampler";
        smp.backend = "emu_small5";
        smp.params_json = json::serialize(json::object{
            {"pubs", json::array{json::array{"OPENQASM 3.0;\ninclude \"stdgates.inc\";\n"
                                             "bit[2] c;\nrz(pi/2) $0;\nsx $0;\nrz(-pi) $1;\n"
                                             "sx $1;\nrz(-pi) $1;\necr $0, $1;\nx $0;\n"
                                             "c[0] = measure $0;\nc[1] = measure $1;\n",
                                             nullptr, 200}}},
            {"version", 2}});
        auto bell = rt->submit_job(admin, smp);
        ASSERT_TRUE(bell.ok()) << bell.status().to_string();
        EXPECT_GT(bell->record.estimated_running_time_s, 0);
        ASSERT_EQ(*rt->wait_job(bell->record.id, 30s), "Completed");
        auto done = rt->get_job(admin, bell->record.id, false);
        EXPECT_GT(done->record.usage_s, 0);  // the QPU timing model's charge
        EXPECT_NE(rt->job_results(admin, bell->record.id)->find("samples"), std::string::npos);

        smp.params_json = json::serialize(json::object{
            {"pubs", json::array{json::array{"OPENQASM 3.0;\ninclude \"stdgates.inc\";\n"
                                             "bit[2] c;\ncx $0, $1;\nc[0] = measure $0;\n",
                                             nullptr, 10}}},
            {"version", 2}});
        auto bad = rt->submit_job(admin, smp);
        EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
        EXPECT_EQ(rt->list_jobs(admin, {})->count, 2u);  // the refused job left no trace
        EXPECT_FALSE(rt->backends()[0].simulator);
    }
    std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace qrt::runtime
