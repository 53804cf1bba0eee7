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

}  // namespace
}  // namespace qrt::sched::testing
