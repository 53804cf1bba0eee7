// One or more tests per rule of docs/sessions.md, each naming its rule, on a virtual clock.
#include <gtest/gtest.h>

#include "sched/test_support.h"

namespace qrt::sched::testing {
namespace {

using Rules = SchedulerTest;
using S = SessionState;
using J = JobState;

// ---------------------------------------------------------------------------------------------
// Job lifecycle

TEST_F(Rules, job_moves_queued_running_completed_and_final_states_never_change) {  // rule J1
    submit(0, "x", "A");
    submit(0, "y", "A");
    EXPECT_EQ(state("x"), J::kRunning);
    EXPECT_EQ(state("y"), J::kQueued);
    finish(10, "x");
    EXPECT_EQ(state("x"), J::kCompleted);
    EXPECT_EQ(s->cancel_job(at(11), "x").code(), ErrorCode::kFailedPrecondition);
    EXPECT_EQ(s->job_finished(at(11), "x", JobOutcome::kFailedUser).code(),
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(state("x"), J::kCompleted);
    EXPECT_EQ(s->job("x")->usage, 10s);
}

TEST_F(Rules, job_over_its_time_limit_is_stopped_and_ends_cancelled_ran_too_long) {  // rule J3
    JobSpec j = job("x", "A");
    j.max_execution_time = 30s;
    submit(0, j);
    advance(29.9);
    EXPECT_EQ(find(DecisionKind::kStopJob, "x"), nullptr);
    advance(30);
    const Decision* stop = find(DecisionKind::kStopJob, "x");
    ASSERT_NE(stop, nullptr);
    EXPECT_EQ(stop->reason, ReasonCode::kRanTooLong);
    EXPECT_EQ(stop->at, at(30));
    finish(30.5, "x", JobOutcome::kStopped);
    EXPECT_EQ(state("x"), J::kCancelled);
    EXPECT_EQ(s->job("x")->reason, ReasonCode::kRanTooLong);
    EXPECT_EQ(static_cast<int>(s->job("x")->reason), 1305);
}

TEST_F(Rules, server_cap_bounds_a_larger_max_execution_time) {  // rule J3
    Settings st;
    st.job_time_cap = 100s;
    make(st);
    JobSpec j = job("x", "A");
    j.max_execution_time = 1000s;
    submit(0, j);
    advance(100);
    EXPECT_NE(find(DecisionKind::kStopJob, "x"), nullptr);
}

TEST_F(Rules, default_job_time_cap_is_three_hours) {  // rule J3
    submit(0, "x", "A");
    advance(3 * 3600 - 1);
    EXPECT_EQ(find(DecisionKind::kStopJob, "x"), nullptr);
    advance(3 * 3600);
    EXPECT_NE(find(DecisionKind::kStopJob, "x"), nullptr);
}

TEST_F(Rules, cancel_ends_a_queued_job_at_once_and_stops_a_running_one) {  // rule J4
    submit(0, "x", "A");
    submit(0, "y", "A");
    ASSERT_TRUE(s->cancel_job(at(1), "y").ok());
    drain();
    EXPECT_EQ(state("y"), J::kCancelled);
    EXPECT_EQ(s->job("y")->reason, ReasonCode::kCancelledByUser);
    ASSERT_TRUE(s->cancel_job(at(2), "x").ok());
    drain();
    EXPECT_EQ(state("x"), J::kRunning);  // cooperative: the executor must stop it
    EXPECT_NE(find(DecisionKind::kStopJob, "x"), nullptr);
    finish(3, "x", JobOutcome::kStopped);
    EXPECT_EQ(state("x"), J::kCancelled);
    EXPECT_EQ(s->job("x")->usage, 3s);  // rule F3: charged up to the cancel
    EXPECT_EQ(s->cancel_job(at(4), "x").code(), ErrorCode::kFailedPrecondition);
}

TEST_F(Rules, stopped_outcome_without_a_stop_request_is_refused) {  // rule J4
    submit(0, "x", "A");
    EXPECT_EQ(s->job_finished(at(1), "x", JobOutcome::kStopped).code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(state("x"), J::kRunning);
}

// ---------------------------------------------------------------------------------------------
// Priority classes

TEST_F(Rules, system_jobs_run_first_when_the_backend_frees) {  // rule P1
    submit(0, "x", "A");
    submit(1, "y", "B");
    system_job(2, "cal");
    finish(10, "x");
    EXPECT_EQ(running(), "cal");
}

TEST_F(Rules, system_jobs_wait_while_a_dedicated_session_is_active) {  // rule P1, S4
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    system_job(1, "cal");
    finish(10, "s1");
    submit(20, "s2", "A", "s");
    EXPECT_EQ(running(), "s2");
    finish(30, "s2");
    advance(89);
    EXPECT_EQ(running(), "");
    advance(90);  // interactive timeout: session inactive, calibration runs
    EXPECT_EQ(running(), "cal");
}

TEST_F(Rules, reservation_holder_jobs_run_before_everyone_else) {  // rule P2
    submit(0, "x", "A");
    submit(1, "b1", "B");
    submit(2, "c1", "C");
    ASSERT_TRUE(s->add_reservation(at(3), {"b1", "C", at(5), at(1000)}).ok());
    finish(10, "x");
    EXPECT_EQ(running(), "c1");
}

TEST_F(Rules, active_workload_jobs_run_before_the_fair_share_queue) {  // rule P3, S3
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    submit(1, "y", "B");
    submit(2, "s2", "A", "s");
    finish(10, "s1");
    EXPECT_EQ(running(), "s2");
}

TEST_F(Rules, fair_share_pick_of_a_workload_job_activates_the_workload) {  // rule P4
    submit(0, "x", "B");
    session(0, "s", "A");
    submit(1, "s1", "A", "s");
    EXPECT_EQ(sstate("s"), S::kOpen);
    finish(10, "x");
    EXPECT_EQ(running(), "s1");
    EXPECT_EQ(sstate("s"), S::kActive);
    EXPECT_EQ(s->active_session("b1").value_or(""), "s");
}

// ---------------------------------------------------------------------------------------------
// Sessions

TEST_F(Rules, session_starts_when_its_first_job_starts_not_when_queued) {  // rule S1
    submit(0, "x", "B");
    session(0, "s", "A");
    submit(5, "s1", "A", "s");
    EXPECT_EQ(sstate("s"), S::kOpen);
    EXPECT_FALSE(info("s").started_at.has_value());
    finish(40, "x");
    EXPECT_EQ(info("s").started_at, at(40));
    EXPECT_EQ(info("s").activated_at, at(40));
}

TEST_F(Rules, first_session_job_waits_in_the_fair_share_queue) {  // rule S2
    submit(0, "x", "C");
    submit(1, "y", "B");
    session(1, "s", "A");
    submit(2, "s1", "A", "s");
    finish(10, "x");
    EXPECT_EQ(running(), "y");  // older, same ratio: the session job waits its turn
    finish(20, "y");
    EXPECT_EQ(running(), "s1");
}

TEST_F(Rules, many_session_jobs_submitted_at_once_run_one_at_a_time_before_others) {  // rule S3
    session(0, "s", "A");
    for (int i = 0; i < 5; ++i) submit(0, "s" + std::to_string(i), "A", "s");
    submit(0, "y", "B");
    for (int i = 0; i < 5; ++i) finish(10.0 * (i + 1), "s" + std::to_string(i));
    EXPECT_EQ(started(), (std::vector<std::string>{"s0", "s1", "s2", "s3", "s4"}));
    advance(110);  // the interactive timeout after the last one lets y in
    EXPECT_EQ(running(), "y");
}

TEST_F(Rules, active_dedicated_session_holds_the_backend_idle_between_jobs) {  // rule S4
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    submit(1, "y", "B");
    finish(10, "s1");
    EXPECT_EQ(running(), "");  // y waits though the backend is idle
    advance(60);
    EXPECT_EQ(running(), "");
    submit(65, "s2", "A", "s");  // within the interactive timeout: runs at once
    EXPECT_EQ(running(), "s2");
}

TEST_F(Rules, interactive_timeout_deactivates_the_session_and_normal_selection_resumes) {
    // rule S5
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    submit(1, "y", "B");
    finish(10, "s1");
    advance(69.999);
    EXPECT_EQ(sstate("s"), S::kActive);
    advance(70);
    EXPECT_EQ(sstate("s"), S::kInactive);
    EXPECT_EQ(running(), "y");
    EXPECT_EQ(info("s").client_status(), "Pending");
}

TEST_F(Rules, interactive_timeout_restarts_after_each_session_job) {  // rule S5
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    finish(10, "s1");
    submit(60, "s2", "A", "s");
    finish(100, "s2");
    advance(159);
    EXPECT_EQ(sstate("s"), S::kActive);
    advance(160);
    EXPECT_EQ(sstate("s"), S::kInactive);
}

TEST_F(Rules, interactive_timeout_is_a_server_and_per_instance_setting) {  // rule S5
    Settings st;
    st.interactive_ttl = 5s;
    InstanceSpec d;
    d.name = "D";
    d.interactive_ttl = 300s;
    make(st, {d});
    session(0, "s", "A");
    session(0, "t", "D", SessionMode::kDedicated, {}, "b2");
    EXPECT_EQ(info("s").interactive_ttl, 5s);
    EXPECT_EQ(info("t").interactive_ttl, 300s);
    submit(0, "s1", "A", "s");
    finish(1, "s1");
    advance(6);
    EXPECT_EQ(sstate("s"), S::kInactive);
}

TEST_F(Rules, inactive_session_job_queues_normally_and_reactivates_the_session) {  // rule S6
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    finish(10, "s1");
    advance(70);  // inactive
    submit(71, "x", "B");
    submit(72, "s2", "A", "s");
    EXPECT_EQ(running(), "x");  // no priority while inactive
    finish(80, "x");
    EXPECT_EQ(running(), "s2");
    EXPECT_EQ(sstate("s"), S::kActive);
    EXPECT_EQ(info("s").activated_at, at(80));
    EXPECT_EQ(info("s").started_at, at(0));
}

TEST_F(Rules, inactive_session_blocks_nobody_and_another_session_can_activate) {  // rule S7
    session(0, "s", "A");
    session(0, "t", "B");
    submit(0, "s1", "A", "s");
    finish(10, "s1");
    submit(20, "t1", "B", "t");
    EXPECT_EQ(running(), "");  // s still active and holding
    advance(70);
    EXPECT_EQ(running(), "t1");
    EXPECT_EQ(sstate("t"), S::kActive);
    submit(75, "s2", "A", "s");
    submit(76, "t2", "B", "t");
    finish(80, "t1");
    EXPECT_EQ(running(), "t2");  // t is the active session now
}

TEST_F(Rules, max_ttl_closes_the_session_fails_queued_jobs_and_lets_the_running_one_finish) {
    // rule S8
    session(0, "s", "A", SessionMode::kDedicated, 100);
    submit(0, "s1", "A", "s", 200);
    submit(1, "s2", "A", "s");
    advance(100);
    EXPECT_EQ(sstate("s"), S::kClosed);
    EXPECT_EQ(info("s").close_reason, CloseReason::kMaxTtl);
    EXPECT_EQ(state("s1"), J::kRunning);
    EXPECT_EQ(state("s2"), J::kFailed);
    EXPECT_EQ(s->job("s2")->reason, ReasonCode::kSessionExpired);
    EXPECT_NE(s->job("s2")->message.find("max_ttl"), std::string::npos);
    finish(150, "s1");
    EXPECT_EQ(state("s1"), J::kCompleted);
}

TEST_F(Rules, max_ttl_runs_from_first_activation_and_does_not_pause_while_inactive) {  // rule S8
    submit(0, "x", "B");
    session(0, "s", "A", SessionMode::kDedicated, 300);
    submit(0, "s1", "A", "s");
    finish(50, "x");  // s activates at 50
    finish(60, "s1");
    advance(120);  // inactive from 120
    EXPECT_EQ(sstate("s"), S::kInactive);
    EXPECT_EQ(info("s").active_ttl(at(120)), 230s);
    advance(349);
    EXPECT_EQ(sstate("s"), S::kInactive);
    advance(350);
    EXPECT_EQ(sstate("s"), S::kClosed);
}

TEST_F(Rules, max_ttl_defaults_to_eight_hours_and_cannot_exceed_the_maximum) {  // rule S8
    session(0, "s", "A");
    EXPECT_EQ(info("s").max_ttl, 8h);
    SessionSpec sp{"t", "b1", "A", "u", SessionMode::kDedicated, 9h};
    Status st = s->create_session(at(1), sp);
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(st.message().find("exceeds the maximum"), std::string::npos);
    EXPECT_FALSE(s->session("t").ok());
    sp.max_ttl = 0s;
    EXPECT_EQ(s->create_session(at(1), sp).code(), ErrorCode::kInvalidArgument);
    sp.max_ttl = 25min;
    EXPECT_TRUE(s->create_session(at(1), sp).ok());
}

TEST_F(Rules, close_drains_queued_jobs_with_priority_then_closes_at_once) {  // rule S9
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    submit(1, "y", "B");
    submit(2, "s2", "A", "s");
    ASSERT_TRUE(s->close_session(at(3), "s").ok());
    drain();
    EXPECT_EQ(info("s").client_status(), "In progress, not accepting new jobs");
    finish(10, "s1");
    EXPECT_EQ(running(), "s2");  // still with the session's priority
    finish(20, "s2");
    EXPECT_EQ(sstate("s"), S::kClosed);  // no interactive-timeout wait
    EXPECT_EQ(info("s").closed_at, at(20));
    EXPECT_EQ(info("s").close_reason, CloseReason::kDrained);
    EXPECT_EQ(running(), "y");
}

TEST_F(Rules, closing_a_session_without_pending_jobs_closes_it_now) {  // rule S9
    session(0, "s", "A");
    ASSERT_TRUE(s->close_session(at(1), "s").ok());
    EXPECT_EQ(sstate("s"), S::kClosed);
    ASSERT_TRUE(s->close_session(at(2), "s").ok());  // idempotent
}

TEST_F(Rules, cancel_closes_at_once_cancels_queued_jobs_and_lets_the_running_one_finish) {
    // rule S10
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    submit(1, "s2", "A", "s");
    submit(1, "s3", "A", "s");
    ASSERT_TRUE(s->cancel_session(at(2), "s").ok());
    drain();
    EXPECT_EQ(sstate("s"), S::kClosed);
    EXPECT_EQ(state("s1"), J::kRunning);
    EXPECT_EQ(state("s2"), J::kCancelled);
    EXPECT_EQ(state("s3"), J::kCancelled);
    EXPECT_EQ(s->job("s3")->reason, ReasonCode::kSessionCancelled);
    finish(10, "s1");
    EXPECT_EQ(state("s1"), J::kCompleted);
}

TEST_F(Rules, submitting_to_a_closed_or_draining_session_is_refused) {  // rule S11
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    ASSERT_TRUE(s->close_session(at(1), "s").ok());
    Status st = s->submit_job(at(2), job("s2", "A", "s"));
    EXPECT_EQ(st.code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(st.message().find("not accepting"), std::string::npos);
    EXPECT_FALSE(s->job("s2").ok());
    finish(5, "s1");
    st = s->submit_job(at(6), job("s3", "A", "s"));
    EXPECT_EQ(st.code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(st.message().find("closed"), std::string::npos);
}

TEST_F(Rules, session_given_no_job_for_thirty_minutes_closes) {  // rule S12
    session(0, "s", "A");
    session(0, "t", "B", SessionMode::kDedicated, {}, "b2");
    submit(100, job("t1", "B", "t", 10, "b2"));
    advance(1799);
    EXPECT_EQ(sstate("s"), S::kOpen);
    advance(1800);
    EXPECT_EQ(sstate("s"), S::kClosed);
    EXPECT_EQ(info("s").close_reason, CloseReason::kUnused);
    EXPECT_NE(sstate("t"), S::kClosed);
}

TEST_F(Rules, session_details_and_client_status_strings) {  // rule S13
    session(0, "s", "A", SessionMode::kDedicated, 3600);
    SessionInfo i = info("s");
    EXPECT_EQ(i.client_status(), "Pending");
    EXPECT_EQ(i.state, S::kOpen);
    EXPECT_TRUE(i.accepting_jobs);
    EXPECT_EQ(i.interactive_ttl, 60s);
    EXPECT_FALSE(i.active_ttl(at(0)).has_value());
    submit(10, "s1", "A", "s");
    i = info("s");
    EXPECT_EQ(i.client_status(), "In progress, accepting new jobs");
    EXPECT_EQ(i.last_job_started, at(10));
    EXPECT_EQ(i.active_ttl(at(110)), 3500s);
    finish(20, "s1");
    EXPECT_EQ(info("s").last_job_completed, at(20));
    ASSERT_TRUE(s->cancel_session(at(21), "s").ok());
    EXPECT_EQ(info("s").client_status(), "Closed");
    EXPECT_EQ(info("s").closed_at, at(21));
    EXPECT_EQ(to_string(S::kInactive), "inactive");
}

TEST_F(Rules, session_usage_is_committed_wall_clock_time_split_busy_and_idle) {  // rule S14
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    finish(10, "s1");
    submit(30, "s2", "A", "s");
    finish(40, "s2");
    advance(100);  // inactive at 40 + 60
    SessionInfo i = info("s");
    EXPECT_EQ(i.busy_time, 20s);
    EXPECT_EQ(i.idle_time, 80s);
    EXPECT_EQ(i.usage(), 100s);
    auto u = *s->instance_usage("A");
    EXPECT_DOUBLE_EQ(u.window_usage_s, 100);
    EXPECT_EQ(u.totals.session, 100s);
    EXPECT_EQ(u.totals.session_idle, 80s);
    EXPECT_EQ(s->usage_totals().job_mode, 0s);
}

TEST_F(Rules, session_usage_runs_until_the_last_job_completes_when_that_is_last) {  // rule S14
    session(0, "s", "A", SessionMode::kDedicated, 50);
    submit(0, "s1", "A", "s");
    advance(50);  // max_ttl closes it while s1 runs
    EXPECT_EQ(sstate("s"), S::kClosed);
    finish(80, "s1");
    EXPECT_EQ(info("s").usage(), 80s);
    EXPECT_EQ(info("s").busy_time, 80s);
}

TEST_F(Rules, open_plan_session_runs_in_job_mode_without_priority_or_exclusivity) {  // rule S15
    session(0, "s", "O");
    EXPECT_TRUE(info("s").job_mode);
    submit(0, "s1", "O", "s");
    submit(1, "y", "B");
    submit(2, "s2", "O", "s");
    finish(10, "s1");
    EXPECT_EQ(running(), "y");  // no priority: fair share picks y (B has used nothing)
    finish(20, "y");
    EXPECT_EQ(running(), "s2");
    finish(30, "s2");
    submit(31, "z", "C");
    EXPECT_EQ(running(), "z");  // no exclusivity: the backend does not wait for the session
    EXPECT_EQ(s->active_session("b1"), std::nullopt);
    EXPECT_EQ(s->instance_usage("O")->totals.session, 0s);
    EXPECT_EQ(info("s").usage(), 20s);  // charged as jobs
}

TEST_F(Rules, session_is_found_by_id_with_its_mode_for_reattachment) {  // rule S16
    session(0, "s", "A", SessionMode::kBatch);
    auto i = s->session("s");
    ASSERT_TRUE(i.ok());
    EXPECT_EQ(i->mode, SessionMode::kBatch);  // a caller refuses Session.from_id on a batch
    EXPECT_EQ(i->backend, "b1");
    EXPECT_EQ(s->session("nope").status().code(), ErrorCode::kNotFound);
}

TEST_F(Rules, cancelling_a_session_first_job_never_fails_the_later_jobs) {  // rule S17
    submit(0, "x", "B");
    session(0, "s", "A");
    submit(1, "s1", "A", "s");
    submit(2, "s2", "A", "s");
    ASSERT_TRUE(s->cancel_job(at(3), "s1").ok());
    finish(10, "x");
    EXPECT_EQ(running(), "s2");
    finish(20, "s2");
    EXPECT_EQ(state("s2"), J::kCompleted);
}

TEST_F(Rules, jobs_of_a_session_must_match_its_backend_and_instance) {  // rule S11
    session(0, "s", "A");
    EXPECT_EQ(s->submit_job(at(1), job("x", "A", "s", 10, "b2")).code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(s->submit_job(at(1), job("y", "B", "s")).code(), ErrorCode::kPermissionDenied);
    EXPECT_EQ(s->submit_job(at(1), job("z", "A", "nope")).code(), ErrorCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// Batches

TEST_F(Rules, batch_follows_the_session_lifecycle) {  // rule B1
    session(0, "b", "A", SessionMode::kBatch);
    EXPECT_EQ(sstate("b"), S::kOpen);
    submit(0, "b1", "A", "b");
    EXPECT_EQ(sstate("b"), S::kActive);
    finish(10, "b1");
    advance(70);
    EXPECT_EQ(sstate("b"), S::kInactive);
    ASSERT_TRUE(s->close_session(at(80), "b").ok());
    EXPECT_EQ(sstate("b"), S::kClosed);
}

TEST_F(Rules, batch_is_not_exclusive_other_work_and_calibration_run_between_its_jobs) {
    // rule B2
    session(0, "b", "A", SessionMode::kBatch);
    submit(0, "b1", "A", "b");
    submit(1, "y", "B");
    finish(10, "b1");
    EXPECT_EQ(running(), "y");  // no batch job queued: other work runs at once
    EXPECT_EQ(sstate("b"), S::kActive);
    submit(11, "b2", "A", "b");
    system_job(12, "cal");
    finish(20, "y");
    EXPECT_EQ(running(), "cal");  // calibration may run between batch jobs
    finish(25, "cal");
    EXPECT_EQ(running(), "b2");
}

TEST_F(Rules, batch_jobs_run_ahead_of_fair_share_shortest_first) {  // rule B3
    submit(0, "x", "B");
    session(0, "b", "A", SessionMode::kBatch);
    submit(1, "long", "A", "b", 100);
    submit(1, "y", "C");
    submit(1, "short", "A", "b", 5);
    submit(1, "mid", "A", "b", 50);
    finish(10, "x");
    EXPECT_EQ(running(), "long");  // the fair-share pick (oldest) activates the batch
    finish(110, "long");
    finish(115, "short");
    finish(165, "mid");
    EXPECT_EQ(started(), (std::vector<std::string>{"x", "long", "short", "mid", "y"}));
}

TEST_F(Rules, batch_usage_is_the_sum_of_its_jobs_backend_time) {  // rule B4
    session(0, "b", "A", SessionMode::kBatch);
    submit(0, "b1", "A", "b");
    finish(10, "b1");
    submit(40, "b2", "A", "b");
    finish(45, "b2");
    advance(200);
    EXPECT_EQ(info("b").usage(), 15s);
    EXPECT_EQ(info("b").idle_time, 0s);
    EXPECT_EQ(s->instance_usage("A")->totals.batch, 15s);
    EXPECT_DOUBLE_EQ(s->instance_usage("A")->window_usage_s, 15);
}

TEST_F(Rules, open_plan_batches_live_at_most_ten_minutes) {  // rule B5
    session(0, "b", "O", SessionMode::kBatch);
    EXPECT_EQ(info("b").max_ttl, 10min);
    EXPECT_FALSE(info("b").job_mode);
    SessionSpec sp{"c", "b1", "O", "u", SessionMode::kBatch, 11min};
    EXPECT_EQ(s->create_session(at(1), sp).code(), ErrorCode::kInvalidArgument);
    sp.max_ttl = 5min;
    EXPECT_TRUE(s->create_session(at(1), sp).ok());
}

// ---------------------------------------------------------------------------------------------
// Fair share

TEST_F(Rules, instance_usage_reports_ideal_time_and_ratio_over_the_window) {  // rule F1
    submit(0, "x", "A");
    finish(100, "x");
    auto u = *s->instance_usage("A");
    EXPECT_DOUBLE_EQ(u.share_fraction, 0.25);
    EXPECT_DOUBLE_EQ(u.ideal_s, 0.25 * 28 * 86400);
    EXPECT_DOUBLE_EQ(u.window_usage_s, 100);
    EXPECT_DOUBLE_EQ(u.ratio, 100 / (0.25 * 28 * 86400));
}

TEST_F(Rules, usage_leaves_the_rolling_window_after_twenty_eight_days) {  // rule F1
    submit(0, "x", "A");
    finish(100, "x");
    advance(28 * 86400 - 3600);
    EXPECT_DOUBLE_EQ(s->instance_usage("A")->window_usage_s, 100);
    advance(28 * 86400 + 3600);
    EXPECT_DOUBLE_EQ(s->instance_usage("A")->window_usage_s, 0);
}

TEST_F(Rules, free_backend_picks_the_lowest_ratio_then_fifo_inside_the_instance) {  // rule F2
    submit(0, "a1", "A");
    finish(50, "a1");  // A has used 50 s
    submit(51, "x", "C");
    submit(52, "a2", "A");
    submit(53, "a3", "A");
    submit(54, "b1", "B");
    finish(60, "x");  // C used 9 s, B 0: B first
    finish(70, "b1");  // now C 9 s < A 50 s, but C has nothing queued: A, FIFO
    finish(80, "a2");
    EXPECT_EQ(started(), (std::vector<std::string>{"a1", "x", "b1", "a2", "a3"}));
}

TEST_F(Rules, shares_weigh_the_ratio) {  // rule F2
    InstanceSpec big;
    big.name = "Big";
    big.share = 4;
    make(Settings{}, {big});
    submit(0, "g1", "Big");
    finish(100, "g1");  // Big: 100 / 4 = 25
    submit(100, "a0", "A");
    finish(130, "a0");  // A: 30 / 1 = 30
    submit(130, "x", "C");
    submit(131, "a1", "A");
    submit(132, "g2", "Big");
    finish(140, "x");
    EXPECT_EQ(running(), "g2");
}

TEST_F(Rules, usage_counts_completed_user_failed_and_cancelled_time_but_not_system_failures) {
    // rule F3
    submit(0, "a", "A");
    finish(10, "a");
    submit(10, "b", "B");
    finish(30, "b", JobOutcome::kFailedUser);
    submit(30, "c", "C");
    finish(60, "c", JobOutcome::kFailedSystem);
    EXPECT_DOUBLE_EQ(s->instance_usage("A")->window_usage_s, 10);
    EXPECT_DOUBLE_EQ(s->instance_usage("B")->window_usage_s, 20);
    EXPECT_DOUBLE_EQ(s->instance_usage("C")->window_usage_s, 0);
    EXPECT_EQ(s->job("c")->usage, 0s);
    EXPECT_EQ(s->job("c")->reason, ReasonCode::kSystemError);
}

TEST_F(Rules, half_life_policy_halves_usage_every_half_life) {  // rule F4
    Settings st;
    st.policy = FairSharePolicy::kHalfLifeDecay;
    st.half_life = 3600s;
    make(st);
    submit(0, "a", "A");
    finish(100, "a");
    advance(3700);
    EXPECT_NEAR(s->instance_usage("A")->window_usage_s, 50, 1e-9);
    advance(7300);
    EXPECT_NEAR(s->instance_usage("A")->window_usage_s, 25, 1e-9);
}

TEST_F(Rules, half_life_policy_orders_by_decayed_usage) {  // rule F4
    Settings st;
    st.policy = FairSharePolicy::kHalfLifeDecay;
    st.half_life = 3600s;
    make(st);
    submit(0, "a", "A");
    finish(100, "a");  // A: 100 s at t=100
    advance(7300);
    submit(7300, "b", "B");
    finish(7360, "b");  // B: 60 s now; A decayed to 25 s
    submit(7360, "x", "C");
    submit(7361, "b2", "B");
    submit(7362, "a2", "A");
    finish(7400, "x");
    EXPECT_EQ(running(), "a2");  // a rolling window would pick B (60 < 100)
}

TEST_F(Rules, second_level_orders_users_inside_an_instance) {  // rule F4
    submit(0, job("h1", "A", "", 10, "b1", "heavy"));
    finish(100, "h1");  // user heavy used 100 s
    submit(100, job("x", "C", "", 10, "b1", "u"));
    submit(100, job("h2", "A", "", 10, "b1", "heavy"));
    submit(101, job("l1", "A", "", 10, "b1", "light"));
    finish(105, "x");
    EXPECT_EQ(running(), "l1");  // oldest in A is h2, but light has used less
}

TEST_F(Rules, user_shares_weigh_the_second_level) {  // rule F4
    ASSERT_TRUE(s->set_user_share("A", "vip", 10).ok());
    submit(0, job("v1", "A", "", 10, "b1", "vip"));
    finish(100, "v1");  // vip: 100 / 10 = 10
    submit(100, job("n1", "A", "", 10, "b1", "normal"));
    finish(120, "n1");  // normal: 20 / 1 = 20
    submit(120, "x", "C");
    submit(121, job("n2", "A", "", 10, "b1", "normal"));
    submit(122, job("v2", "A", "", 10, "b1", "vip"));
    finish(130, "x");
    EXPECT_EQ(running(), "v2");
    EXPECT_EQ(s->set_user_share("A", "vip", 0).code(), ErrorCode::kInvalidArgument);
}

TEST_F(Rules, instance_at_its_hard_limit_keeps_jobs_queued_until_usage_falls) {  // rule F5
    Settings st;
    st.fair_share_window = 1h;
    st.usage_bucket = 60s;
    InstanceSpec lim;
    lim.name = "L";
    lim.hard_limit = 100s;
    make(st, {lim});
    submit(0, "l1", "L");
    submit(1, "l2", "L");
    finish(120, "l1");  // 120 s >= 100 s: at the limit
    EXPECT_TRUE(s->instance_usage("L")->at_limit);
    EXPECT_EQ(running(), "");
    EXPECT_EQ(state("l2"), J::kQueued);  // nothing is cancelled
    submit(130, "a1", "A");
    EXPECT_EQ(running(), "a1");  // others run
    finish(140, "a1");
    auto why = s->explain("l2");
    ASSERT_TRUE(why.ok());
    EXPECT_EQ(why->rule, "F5");
    // usage charged in bucket [120, 180) leaves the 1 h window at 3780
    advance(3779);
    EXPECT_EQ(state("l2"), J::kQueued);
    advance(3780);
    EXPECT_EQ(running(), "l2");
    EXPECT_FALSE(s->instance_usage("L")->at_limit);
}

TEST_F(Rules, hard_limit_release_under_decay_happens_when_usage_decays_below_it) {  // rule F5
    Settings st;
    st.policy = FairSharePolicy::kHalfLifeDecay;
    st.half_life = 3600s;
    InstanceSpec lim;
    lim.name = "L";
    lim.hard_limit = 50s;
    make(st, {lim});
    submit(0, "l1", "L");
    submit(1, "l2", "L");
    finish(100, "l1");  // 100 s; below 50 s one half-life later
    EXPECT_EQ(running(), "");
    advance(3699);
    EXPECT_EQ(running(), "");
    advance(3701);
    EXPECT_EQ(running(), "l2");
}

TEST_F(Rules, zero_hard_limit_blocks_an_instance_without_spinning) {  // rule F5
    InstanceSpec zero;
    zero.name = "Z";
    zero.hard_limit = 0s;
    make(Settings{}, {zero});
    submit(0, "z1", "Z");
    EXPECT_EQ(running(), "");
    advance(86400);
    EXPECT_EQ(state("z1"), J::kQueued);
    EXPECT_EQ(s->explain("z1")->rule, "F5");
}

// ---------------------------------------------------------------------------------------------
// Reservations

TEST_F(Rules, inside_a_reservation_only_that_instance_runs_and_the_backend_idles_otherwise) {
    // rule R1
    ASSERT_TRUE(s->add_reservation(at(0), {"b1", "A", at(100), at(200)}).ok());
    submit(90, "x", "B", "", 50);
    finish(110, "x");  // started before the window: runs to completion
    submit(111, "y", "B");
    EXPECT_EQ(running(), "");  // reserved for A; idles
    session(120, "s", "A");
    submit(120, "s1", "A", "s");  // a session lives inside the reservation
    EXPECT_EQ(running(), "s1");
    finish(130, "s1");
    submit(131, "s2", "A", "s");
    EXPECT_EQ(running(), "s2");
    finish(140, "s2");
    advance(199);
    EXPECT_EQ(running(), "");
    advance(200);
    EXPECT_EQ(running(), "y");
}

TEST_F(Rules, overlapping_or_empty_reservations_are_refused) {  // rule R1
    ASSERT_TRUE(s->add_reservation(at(0), {"b1", "A", at(100), at(200)}).ok());
    EXPECT_EQ(s->add_reservation(at(0), {"b1", "B", at(150), at(250)}).code(),
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(s->add_reservation(at(0), {"b1", "B", at(300), at(300)}).code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(s->add_reservation(at(0), {"b1", "nope", at(300), at(400)}).code(),
              ErrorCode::kNotFound);
    EXPECT_TRUE(s->add_reservation(at(0), {"b1", "B", at(200), at(250)}).ok());
}

TEST_F(Rules, at_the_window_end_session_jobs_go_back_to_the_fair_share_queue) {  // rule R2
    ASSERT_TRUE(s->add_reservation(at(0), {"b1", "A", at(0), at(100)}).ok());
    session(0, "s", "A");
    submit(0, "s1", "A", "s", 120);
    submit(1, "s2", "A", "s");
    submit(2, "y", "B");
    advance(100);  // window ends while s1 runs
    EXPECT_EQ(sstate("s"), S::kInactive);
    EXPECT_EQ(state("s2"), J::kQueued);  // not failed
    finish(120, "s1");
    EXPECT_EQ(running(), "y");  // fair share: B has used nothing
    finish(130, "y");
    EXPECT_EQ(running(), "s2");
    EXPECT_EQ(sstate("s"), S::kActive);
}

TEST_F(Rules, another_instance_session_gives_way_when_a_reservation_opens) {  // rule R1
    ASSERT_TRUE(s->add_reservation(at(0), {"b1", "A", at(50), at(100)}).ok());
    session(0, "s", "B");
    submit(0, "s1", "B", "s");
    finish(10, "s1");
    submit(20, "a1", "A");
    EXPECT_EQ(running(), "");  // s holds until the window opens
    advance(50);
    EXPECT_EQ(sstate("s"), S::kInactive);
    EXPECT_EQ(running(), "a1");
}

// ---------------------------------------------------------------------------------------------
// Backends

TEST_F(Rules, least_busy_is_the_operational_backend_with_fewest_pending_jobs) {  // rule K1
    submit(0, "x", "A");
    submit(0, "y", "A");
    EXPECT_EQ(*s->least_busy(), "b2");
    EXPECT_EQ(*s->least_busy(20), "b2");
    EXPECT_EQ(s->least_busy(100).status().code(), ErrorCode::kNotFound);
    submit(0, job("z", "A", "", 10, "b2"));
    submit(0, job("w", "A", "", 10, "b2"));
    submit(0, job("v", "A", "", 10, "b2"));
    EXPECT_EQ(*s->least_busy(), "b1");
}

TEST_F(Rules, paused_backend_keeps_jobs_queued_and_is_never_least_busy) {  // rule K2
    ASSERT_TRUE(s->pause_backend(at(0), "b1").ok());
    submit(0, "x", "A");
    EXPECT_EQ(running(), "");
    EXPECT_EQ(state("x"), J::kQueued);
    EXPECT_EQ(*s->least_busy(), "b2");
    submit(1, job("a", "A", "", 10, "b2"));
    submit(1, job("b", "A", "", 10, "b2"));
    EXPECT_EQ(*s->least_busy(), "b2");
    EXPECT_EQ(s->explain("x")->rule, "K2");
    ASSERT_TRUE(s->resume_backend(at(5), "b1").ok());
    drain();
    EXPECT_EQ(running(), "x");
}

// ---------------------------------------------------------------------------------------------
// Visibility

TEST_F(Rules, forecast_gives_positions_and_start_estimates_counting_session_holds) {  // rule V1
    session(0, "s", "A");
    submit(0, "s1", "A", "s", 10);
    submit(1, "y", "B", "", 20);
    submit(2, "z", "C", "", 30);
    auto fc = s->forecast();
    // s1 runs to 10, then the session holds the backend idle for its 60 s timeout
    EXPECT_EQ(fc.at("y").position, 1);
    EXPECT_EQ(fc.at("y").estimated_start, at(70));
    EXPECT_EQ(fc.at("z").position, 2);
    EXPECT_EQ(fc.at("z").estimated_start, at(90));
}

TEST_F(Rules, forecast_follows_session_priority_over_older_jobs) {  // rule V1
    session(0, "s", "A");
    submit(0, "s1", "A", "s", 10);
    submit(1, "y", "B", "", 20);
    submit(2, "s2", "A", "s", 5);
    auto fc = s->forecast();
    EXPECT_EQ(fc.at("s2").position, 1);
    EXPECT_EQ(fc.at("s2").estimated_start, at(10));
    EXPECT_EQ(fc.at("y").estimated_start, at(75));  // after s2 (to 15) and the 60 s hold
}

TEST_F(Rules, explain_names_the_rule_that_holds_a_job) {  // rule V2
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    submit(1, "y", "B");
    finish(10, "s1");
    auto why = s->explain("y");
    ASSERT_TRUE(why.ok());
    EXPECT_EQ(why->rule, "S4");
    EXPECT_NE(why->reason.find("holds backend 'b1'"), std::string::npos);
    EXPECT_EQ(why->estimated_start, at(70));
    advance(70);
    EXPECT_EQ(s->explain("y")->reason, "the job is Running");
    submit(71, "z", "C");
    submit(72, "w", "A");
    auto fs = *s->explain("w");
    EXPECT_EQ(fs.rule, "P4");
    EXPECT_NE(fs.reason.find("fair share"), std::string::npos);
    EXPECT_NE(fs.reason.find("instance 'C'"), std::string::npos);  // C has used less than A
    EXPECT_EQ(fs.position, 2);
    ASSERT_TRUE(s->add_reservation(at(73), {"b1", "C", at(73), at(500)}).ok());
    EXPECT_EQ(s->explain("w")->rule, "R1");
}

// ---------------------------------------------------------------------------------------------
// Bad input changes nothing

TEST_F(Rules, bad_events_are_refused_and_change_nothing) {
    submit(10, "x", "A");
    EXPECT_EQ(s->submit_job(at(5), job("y", "A")).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(s->submit_job(at(11), job("x", "A")).code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(s->submit_job(at(11), job("y", "Nope")).code(), ErrorCode::kNotFound);
    EXPECT_EQ(s->submit_job(at(11), job("y", "A", "", 10, "nope")).code(), ErrorCode::kNotFound);
    EXPECT_EQ(s->submit_job(at(11), job("", "A")).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(s->submit_job(at(11), job("y", "A", "", -1)).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(s->cancel_job(at(11), "nope").code(), ErrorCode::kNotFound);
    EXPECT_EQ(s->job_finished(at(11), "nope", JobOutcome::kCompleted).code(),
              ErrorCode::kNotFound);
    EXPECT_EQ(s->add_backend({"b1", 5}).code(), ErrorCode::kAlreadyExists);
    InstanceSpec neg;
    neg.name = "N";
    neg.share = -1;
    EXPECT_EQ(s->add_instance(neg).code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(s->take_decisions().empty());
    EXPECT_EQ(s->live_jobs(), 1u);
    EXPECT_FALSE(s->job("y").ok());
}

}  // namespace
}  // namespace qrt::sched::testing
