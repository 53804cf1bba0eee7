// Test fixture for the scheduler: a scheduler on a virtual timeline with two backends and a few
// instances, helpers that fail the test on unexpected errors, and a log of every decision.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sched/scheduler.h"

namespace qrt::sched::testing {

inline constexpr Timestamp kT0 = VirtualClock::kDefaultStart;
inline Timestamp at(double seconds) { return kT0 + seconds_d(seconds); }

class SchedulerTest : public ::testing::Test {
protected:
    void SetUp() override { make(Settings{}); }

    // (Re)builds the scheduler: backends b1 (5 qubits), b2 (27 qubits); paid instances A, B, C
    // with share 1 and open-plan instance O.
    void make(Settings settings, std::vector<InstanceSpec> extra = {}) {
        s = std::make_unique<Scheduler>(settings, kT0);
        log.clear();
        ASSERT_TRUE(s->add_backend({"b1", 5}).ok());
        ASSERT_TRUE(s->add_backend({"b2", 27}).ok());
        for (const char* name : {"A", "B", "C"}) {
            InstanceSpec in;
            in.name = name;
            ASSERT_TRUE(s->add_instance(in).ok());
        }
        InstanceSpec open;
        open.name = "O";
        open.plan = Plan::kOpen;
        ASSERT_TRUE(s->add_instance(open).ok());
        for (auto& in : extra) ASSERT_TRUE(s->add_instance(in).ok());
    }

    JobSpec job(const std::string& id, const std::string& instance, const std::string& session = "",
                double estimate_s = 10, const std::string& backend = "b1",
                const std::string& user = "u") {
        JobSpec j;
        j.id = id;
        j.backend = backend;
        j.instance = instance;
        j.user = user;
        j.session = session;
        j.estimated_duration = seconds_d(estimate_s);
        return j;
    }

    void submit(double t, const JobSpec& j) {
        Status st = s->submit_job(at(t), j);
        ASSERT_TRUE(st.ok()) << st.to_string();
        drain();
    }
    void submit(double t, const std::string& id, const std::string& instance,
                const std::string& session = "", double estimate_s = 10) {
        submit(t, job(id, instance, session, estimate_s));
    }
    void system_job(double t, const std::string& id, const std::string& backend = "b1") {
        JobSpec j;
        j.id = id;
        j.backend = backend;
        j.system = true;
        submit(t, j);
    }
    void finish(double t, const std::string& id, JobOutcome outcome = JobOutcome::kCompleted) {
        Status st = s->job_finished(at(t), id, outcome);
        ASSERT_TRUE(st.ok()) << st.to_string();
        drain();
    }
    void advance(double t) {
        ASSERT_TRUE(s->advance(at(t)).ok());
        drain();
    }
    void session(double t, const std::string& id, const std::string& instance,
                 SessionMode mode = SessionMode::kDedicated, std::optional<double> max_ttl_s = {},
                 const std::string& backend = "b1") {
        SessionSpec sp;
        sp.id = id;
        sp.backend = backend;
        sp.instance = instance;
        sp.user = "u";
        sp.mode = mode;
        if (max_ttl_s) sp.max_ttl = seconds_d(*max_ttl_s);
        Status st = s->create_session(at(t), sp);
        ASSERT_TRUE(st.ok()) << st.to_string();
        drain();
    }

    std::string running(const std::string& backend = "b1") const {
        return s->running_job(backend).value_or("");
    }
    JobState state(const std::string& id) const { return s->job(id)->state; }
    SessionInfo info(const std::string& id) const { return *s->session(id); }
    SessionState sstate(const std::string& id) const { return info(id).state; }

    // The decisions of the last call(s) not yet drained by the helpers above.
    void drain() {
        for (auto& d : s->take_decisions()) log.push_back(std::move(d));
    }
    // Start decisions in order, as job ids.
    std::vector<std::string> started() const {
        std::vector<std::string> ids;
        for (const auto& d : log) {
            if (d.kind == DecisionKind::kStartJob) ids.push_back(d.job);
        }
        return ids;
    }
    const Decision* find(DecisionKind kind, const std::string& job) const {
        for (const auto& d : log) {
            if (d.kind == kind && d.job == job) return &d;
        }
        return nullptr;
    }

    std::unique_ptr<Scheduler> s;
    std::vector<Decision> log;
};

}  // namespace qrt::sched::testing
