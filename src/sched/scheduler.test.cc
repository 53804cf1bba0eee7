// Mechanics of the Scheduler beyond single rules: decision stream, time order, memory, copies.
#include "sched/scheduler.h"

#include <gtest/gtest.h>

#include "sched/test_support.h"

namespace qrt::sched::testing {
namespace {

using SchedulerMechanics = SchedulerTest;

TEST_F(SchedulerMechanics, decisions_log_every_start_end_and_session_change_in_order) {
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    finish(10, "s1");
    advance(70);
    ASSERT_EQ(log.size(), 5u);
    EXPECT_EQ(log[0].kind, DecisionKind::kSessionState);  // open
    EXPECT_EQ(log[1].kind, DecisionKind::kStartJob);
    EXPECT_EQ(log[1].session, "s");
    EXPECT_EQ(log[2].kind, DecisionKind::kSessionState);
    EXPECT_EQ(log[2].session_state, SessionState::kActive);
    EXPECT_EQ(log[3].kind, DecisionKind::kEndJob);
    EXPECT_EQ(log[3].job_state, JobState::kCompleted);
    EXPECT_EQ(log[4].session_state, SessionState::kInactive);
    EXPECT_EQ(log[4].at, at(70));
}

TEST_F(SchedulerMechanics, next_wakeup_is_the_earliest_timer) {
    EXPECT_EQ(s->next_wakeup(), std::nullopt);
    session(0, "s", "A");
    EXPECT_EQ(s->next_wakeup(), at(1800));  // unused-session timeout
    submit(0, "s1", "A", "s");
    EXPECT_EQ(s->next_wakeup(), at(3 * 3600));  // the job's time cap comes before max_ttl
}

TEST_F(SchedulerMechanics, timers_fire_at_their_own_time_when_a_later_event_arrives) {
    session(0, "s", "A");
    submit(0, "s1", "A", "s");
    finish(10, "s1");
    submit(500, "y", "B");  // the session went inactive at 70, before this submission
    EXPECT_EQ(running(), "y");
    for (const auto& d : log) {
        if (d.kind == DecisionKind::kSessionState && d.session_state == SessionState::kInactive) {
            EXPECT_EQ(d.at, at(70));
        }
    }
}

TEST_F(SchedulerMechanics, final_jobs_are_forgotten_when_not_retained) {
    Settings st;
    st.retain_final_jobs = false;
    make(st);
    for (int i = 0; i < 100; ++i) {
        submit(i, "j" + std::to_string(i), "A");
        finish(i + 0.5, "j" + std::to_string(i));
    }
    EXPECT_EQ(s->live_jobs(), 0u);
    EXPECT_EQ(s->job("j5").status().code(), ErrorCode::kNotFound);
    EXPECT_DOUBLE_EQ(s->instance_usage("A")->window_usage_s, 50);
}

TEST_F(SchedulerMechanics, a_copy_evolves_independently) {
    submit(0, "x", "A");
    submit(0, "y", "B");
    Scheduler copy = *s;
    ASSERT_TRUE(copy.job_finished(at(10), "x", JobOutcome::kCompleted).ok());
    EXPECT_EQ(copy.running_job("b1").value_or(""), "y");
    EXPECT_EQ(running(), "x");
}

TEST_F(SchedulerMechanics, system_jobs_are_not_charged_to_any_instance) {
    system_job(0, "cal");
    finish(100, "cal");
    for (const char* name : {"A", "B", "C", "O"}) {
        EXPECT_DOUBLE_EQ(s->instance_usage(name)->window_usage_s, 0);
    }
    EXPECT_EQ(s->usage_totals().total(), 0s);
}

TEST_F(SchedulerMechanics, backends_schedule_independently) {
    submit(0, "x", "A");
    submit(0, job("y", "A", "", 10, "b2"));
    EXPECT_EQ(running("b1"), "x");
    EXPECT_EQ(running("b2"), "y");
}

// ---------------------------------------------------------------------------------------------
// Restart recovery: the charge log, record_usage, restore_session, update_instance

TEST_F(SchedulerMechanics, charge_log_lists_every_fair_share_charge_with_its_purpose) {
    s->set_charge_log(true);
    submit(0, "x", "A");
    finish(10, "x");
    session(10, "s", "B");
    submit(10, "s1", "B", "s");
    finish(25, "s1");
    advance(85);  // interactive timeout at 85: 60 s idle charged to the session
    auto charges = s->take_charges();
    ASSERT_EQ(charges.size(), 3u);
    EXPECT_EQ(charges[0].job, "x");
    EXPECT_EQ(charges[0].kind, UsageKind::kJob);
    EXPECT_EQ(charges[0].amount, 10s);
    EXPECT_EQ(charges[0].at, at(10));
    EXPECT_EQ(charges[1].job, "s1");
    EXPECT_EQ(charges[1].session, "s");
    EXPECT_EQ(charges[1].kind, UsageKind::kSession);
    EXPECT_EQ(charges[1].amount, 15s);
    EXPECT_EQ(charges[2].job, "");
    EXPECT_EQ(charges[2].amount, 60s);
    EXPECT_EQ(charges[2].at, at(85));
    EXPECT_EQ(charges[2].instance, "B");
    EXPECT_EQ(charges[2].user, "u");
    EXPECT_TRUE(s->take_charges().empty());
    Duration sum{};
    for (const auto& c : charges) sum += c.amount;
    EXPECT_EQ(sum, s->usage_totals().total());
}

TEST_F(SchedulerMechanics, replayed_charges_rebuild_the_same_fair_share_window) {
    Settings st;
    st.fair_share_window = 10h;
    make(st);
    s->set_charge_log(true);
    submit(0, "a1", "A");
    finish(3600, "a1");
    submit(3600, "b1", "B");
    finish(3700, "b1");
    advance(4000);
    auto charges = s->take_charges();
    ASSERT_EQ(charges.size(), 2u);

    // a fresh scheduler at a later instant, fed the persisted charges
    Scheduler fresh(st, at(5000));
    ASSERT_TRUE(fresh.add_backend({"b1", 5}).ok());
    for (const char* name : {"A", "B"}) {
        InstanceSpec in;
        in.name = name;
        ASSERT_TRUE(fresh.add_instance(in).ok());
    }
    for (const auto& c : charges) {
        ASSERT_TRUE(fresh.record_usage(c.at, c.instance, c.user, c.amount).ok());
    }
    EXPECT_DOUBLE_EQ(fresh.instance_usage("A")->window_usage_s, 3600);
    EXPECT_DOUBLE_EQ(fresh.instance_usage("B")->window_usage_s, 100);
    EXPECT_TRUE(fresh.take_charges().empty());  // replays are not logged again
    // rule F2 on the rebuilt window: B has used less, its job goes first
    JobSpec a = job("a2", "A");
    JobSpec b = job("b2", "B");
    ASSERT_TRUE(fresh.pause_backend(at(5000), "b1").ok());
    ASSERT_TRUE(fresh.submit_job(at(5000), a).ok());
    ASSERT_TRUE(fresh.submit_job(at(5000), b).ok());
    ASSERT_TRUE(fresh.resume_backend(at(5000), "b1").ok());
    EXPECT_EQ(fresh.running_job("b1").value_or(""), "b2");
    // rule F1: the replayed usage leaves the window on its original schedule: both charges
    // fell in the bucket [1 h, 2 h), which leaves a 10 h window at 12 h
    ASSERT_TRUE(fresh.advance(at(12 * 3600 - 1)).ok());
    EXPECT_DOUBLE_EQ(fresh.instance_usage("A")->window_usage_s, 3600);
    ASSERT_TRUE(fresh.advance(at(12 * 3600)).ok());
    EXPECT_DOUBLE_EQ(fresh.instance_usage("A")->window_usage_s, 0);
    EXPECT_DOUBLE_EQ(fresh.instance_usage("B")->window_usage_s, 0);
}

TEST_F(SchedulerMechanics, record_usage_refuses_the_future_unknown_instances_and_disorder) {
    advance(100);
    EXPECT_EQ(s->record_usage(at(101), "A", "u", 1s).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(s->record_usage(at(50), "nope", "u", 1s).code(), ErrorCode::kNotFound);
    EXPECT_EQ(s->record_usage(at(50), "A", "u", -1s).code(), ErrorCode::kInvalidArgument);
    ASSERT_TRUE(s->record_usage(at(50), "A", "u", 5s).ok());
    EXPECT_EQ(s->record_usage(at(40), "A", "u", 1s).code(), ErrorCode::kInvalidArgument);
    EXPECT_DOUBLE_EQ(s->instance_usage("A")->window_usage_s, 5);
}

TEST_F(SchedulerMechanics, replayed_usage_counts_toward_the_hard_limit) {  // rule F5
    InstanceSpec lim;
    lim.name = "L";
    lim.hard_limit = 100s;
    make(Settings{}, {lim});
    advance(1000);
    ASSERT_TRUE(s->record_usage(at(500), "L", "u", 150s).ok());
    EXPECT_TRUE(s->instance_usage("L")->at_limit);
    submit(1000, "l1", "L");
    EXPECT_EQ(state("l1"), JobState::kQueued);
}

TEST_F(SchedulerMechanics, restored_started_session_is_inactive_and_keeps_its_max_ttl) {
    advance(1000);
    SessionInfo saved;
    saved.id = "s";
    saved.backend = "b1";
    saved.instance = "A";
    saved.user = "u";
    saved.max_ttl = 3600s;
    saved.created_at = at(0);
    saved.started_at = at(100);
    saved.activated_at = at(100);
    saved.busy_time = 40s;
    saved.idle_time = 20s;
    ASSERT_TRUE(s->restore_session(at(1000), saved).ok());
    drain();
    SessionInfo got = info("s");
    EXPECT_EQ(got.state, SessionState::kInactive);  // rule S6
    EXPECT_EQ(got.started_at, at(100));
    EXPECT_EQ(got.busy_time, 40s);
    EXPECT_EQ(got.active_ttl(at(1000)), 2700s);  // rule S8: counted from the original start
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log.back().kind, DecisionKind::kSessionState);
    // its next job waits in the fair-share queue like any other and re-activates it
    submit(1000, "s1", "A", "s");
    EXPECT_EQ(sstate("s"), SessionState::kActive);
    finish(1010, "s1");
    advance(3700);  // started_at + max_ttl
    EXPECT_EQ(sstate("s"), SessionState::kClosed);
    EXPECT_EQ(info("s").close_reason, CloseReason::kMaxTtl);
    EXPECT_EQ(info("s").closed_at, at(3700));
}

TEST_F(SchedulerMechanics, restored_session_past_its_max_ttl_closes_at_the_next_event) {
    advance(5000);
    SessionInfo saved;
    saved.id = "s";
    saved.backend = "b1";
    saved.instance = "A";
    saved.user = "u";
    saved.max_ttl = 60s;
    saved.started_at = at(0);
    ASSERT_TRUE(s->restore_session(at(5000), saved).ok());
    advance(5000);
    EXPECT_EQ(sstate("s"), SessionState::kClosed);
    EXPECT_EQ(info("s").close_reason, CloseReason::kMaxTtl);
}

TEST_F(SchedulerMechanics, restored_unstarted_session_is_open_with_a_fresh_unused_timeout) {
    advance(5000);
    SessionInfo saved;
    saved.id = "s";
    saved.backend = "b1";
    saved.instance = "A";
    saved.user = "u";
    saved.max_ttl = 600s;
    saved.created_at = at(0);
    ASSERT_TRUE(s->restore_session(at(5000), saved).ok());
    EXPECT_EQ(sstate("s"), SessionState::kOpen);
    advance(5000 + 1799);
    EXPECT_EQ(sstate("s"), SessionState::kOpen);
    advance(5000 + 1800);  // rule S12
    EXPECT_EQ(info("s").close_reason, CloseReason::kUnused);
}

TEST_F(SchedulerMechanics, restored_session_resumes_its_drain_when_closed_again) {  // rule S9
    SessionInfo saved;
    saved.id = "s";
    saved.backend = "b1";
    saved.instance = "A";
    saved.user = "u";
    saved.max_ttl = 600s;
    saved.started_at = at(0);
    ASSERT_TRUE(s->restore_session(at(0), saved).ok());
    submit(0, "s1", "A", "s");
    ASSERT_TRUE(s->close_session(at(0), "s").ok());
    EXPECT_FALSE(info("s").accepting_jobs);
    finish(5, "s1");
    EXPECT_EQ(info("s").close_reason, CloseReason::kDrained);
}

TEST_F(SchedulerMechanics, restore_session_refuses_closed_duplicate_and_unknown) {
    SessionInfo saved;
    saved.id = "s";
    saved.backend = "b1";
    saved.instance = "A";
    saved.max_ttl = 600s;
    saved.state = SessionState::kClosed;
    EXPECT_EQ(s->restore_session(at(0), saved).code(), ErrorCode::kInvalidArgument);
    saved.state = SessionState::kActive;
    saved.backend = "nope";
    EXPECT_EQ(s->restore_session(at(0), saved).code(), ErrorCode::kNotFound);
    saved.backend = "b1";
    ASSERT_TRUE(s->restore_session(at(0), saved).ok());
    EXPECT_EQ(s->restore_session(at(0), saved).code(), ErrorCode::kAlreadyExists);
}

TEST_F(SchedulerMechanics, update_instance_share_changes_the_fair_share_order) {  // rule F2
    submit(0, "a1", "A");
    finish(100, "a1");
    submit(100, "b1", "B");
    finish(150, "b1");  // A used 100 s, B 50 s
    ASSERT_TRUE(s->pause_backend(at(150), "b1").ok());
    submit(150, "a2", "A");
    submit(150, "b2", "B");
    InstanceSpec a;
    a.name = "A";
    a.share = 4;  // A's ratio 25 < B's 50
    ASSERT_TRUE(s->update_instance(at(150), a).ok());
    ASSERT_TRUE(s->resume_backend(at(150), "b1").ok());
    EXPECT_EQ(running(), "a2");
    EXPECT_NEAR(s->instance_usage("A")->share_fraction, 4.0 / 7.0, 1e-12);
    a.share = -1;
    EXPECT_EQ(s->update_instance(at(150), a).code(), ErrorCode::kInvalidArgument);
    a.name = "nope";
    a.share = 1;
    EXPECT_EQ(s->update_instance(at(150), a).code(), ErrorCode::kNotFound);
}

TEST_F(SchedulerMechanics, lifting_a_hard_limit_releases_queued_jobs_at_once) {  // rule F5
    InstanceSpec lim;
    lim.name = "L";
    lim.hard_limit = 10s;
    make(Settings{}, {lim});
    submit(0, "l1", "L");
    finish(20, "l1");
    submit(20, "l2", "L");
    EXPECT_EQ(state("l2"), JobState::kQueued);
    lim.hard_limit.reset();
    ASSERT_TRUE(s->update_instance(at(20), lim).ok());
    drain();
    EXPECT_EQ(running(), "l2");
}

}  // namespace
}  // namespace qrt::sched::testing
