// Tests of the workload parser: good files parse; bad input gives an error that names the field.
#include "cli/workload.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace qrt::cli {
namespace {

using namespace std::chrono_literals;

std::string example(const std::string& name) {
    return std::string(QRT_SOURCE_DIR) + "/examples/workloads/" + name;
}

// A small valid workload; tests splice bad pieces into it.
std::string doc(const std::string& generators, const std::string& extra = "") {
    return R"({
  "seed": 5,
  "duration": "1h",
  "backends": [{"name": "b1", "num_qubits": 5}],
  "instances": [{"name": "i1", "share": 2, "users": {"ann": 2, "bob": 1}},
                {"name": "i2", "plan": "open"}],
  )" + extra +
           R"(
  "generators": [)" +
           generators + R"(]
})";
}

const char* kJobs = R"({"type": "jobs", "name": "g", "instance": "i1", "backend": "b1",
    "rate_per_hour": 10, "duration": {"dist": "exponential", "mean": "30s"}})";

// Expects a parse error containing every one of `parts`.
void expect_error(const std::string& text, std::initializer_list<std::string> parts) {
    auto w = parse_workload(text);
    ASSERT_FALSE(w.ok()) << "parsed: " << text;
    EXPECT_EQ(w.status().code(), ErrorCode::kInvalidArgument);
    for (const auto& p : parts) {
        EXPECT_NE(w.status().message().find(p), std::string::npos)
            << "message \"" << w.status().message() << "\" lacks \"" << p << "\"";
    }
}

TEST(Workload, ExampleFilesParse) {
    for (const char* f :
         {"session_vs_job_session.json", "session_vs_job_jobmode.json", "fairness_window.json",
          "fairness_decay.json", "open_plan_session.json", "million_jobs.json"}) {
        auto w = load_workload(example(f));
        EXPECT_TRUE(w.ok()) << f << ": " << w.status().to_string();
    }
}

// The example in docs/workload-format.md stays valid.
TEST(Workload, DocumentationExampleParses) {
    std::ifstream in(std::string(QRT_SOURCE_DIR) + "/docs/workload-format.md");
    ASSERT_TRUE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string md = ss.str();
    auto at = md.find("## Example");
    ASSERT_NE(at, std::string::npos);
    auto begin = md.find("```json\n", at);
    ASSERT_NE(begin, std::string::npos);
    begin += 8;
    auto end = md.find("```", begin);
    auto w = parse_workload(md.substr(begin, end - begin));
    ASSERT_TRUE(w.ok()) << w.status().to_string();
    EXPECT_EQ(w->session_generators.size(), 1u);
    EXPECT_EQ(w->reservations.size(), 1u);
}

TEST(Workload, ParsesEveryField) {
    std::string gens = std::string(kJobs) + R"(,
      {"type": "session", "name": "s", "instance": "i1", "user": "ann", "backend": "b1",
       "mode": "batch", "iterations": 4, "job_duration": "10s",
       "think_time": {"dist": "uniform", "min": 1, "max": "2s"}, "start": "5m",
       "max_ttl": "1h", "count": 2, "every": "10m", "estimate": "exact"},
      {"type": "batch", "instance": "i2", "backend": "b1", "jobs": 3,
       "job_duration": {"dist": "lognormal", "mean": "1m", "cv": 0.5}, "max_ttl": "10m"},
      {"type": "calibration", "every": "6h", "duration": {"dist": "fixed", "value": 600}},
      {"type": "jobs", "name": "k", "instance": ["i1", "i2"], "users": ["x", "y"],
       "backend": ["b1"], "count": 7, "interval": "90s", "duration": 12.5, "start": "1m",
       "stop": "30m", "class": "plain", "max_execution_time": "2h 30m"})";
    std::string settings = R"("settings": {"interactive_ttl": "2m", "max_ttl": "2h",
        "policy": "half_life", "half_life": "3d", "usage_bucket": "10m",
        "fair_share_window": "7d", "job_time_cap": "1h", "unused_session_timeout": 60},
      "reservations": [{"backend": "b1", "instance": "i1", "start": "10m", "end": "20m"}],
      "drain": true, "name": "all",)";
    auto w = parse_workload(doc(gens, settings));
    ASSERT_TRUE(w.ok()) << w.status().to_string();
    EXPECT_EQ(w->seed, 5u);
    EXPECT_EQ(w->name, "all");
    EXPECT_TRUE(w->drain);
    EXPECT_EQ(w->horizon, 1h);
    EXPECT_EQ(w->settings.interactive_ttl, 2min);
    EXPECT_EQ(w->settings.policy, sched::FairSharePolicy::kHalfLifeDecay);
    EXPECT_EQ(w->settings.half_life, 72h);
    EXPECT_EQ(w->settings.unused_session_timeout, 60s);
    EXPECT_FALSE(w->settings.retain_final_jobs);
    ASSERT_EQ(w->instances.size(), 2u);
    EXPECT_EQ(w->instances[0].share, 2);
    EXPECT_EQ(w->instances[0].user_shares.at("ann"), 2);
    EXPECT_EQ(w->instances[1].plan, sched::Plan::kOpen);
    ASSERT_EQ(w->reservations.size(), 1u);
    EXPECT_EQ(w->reservations[0].end, 20min);
    ASSERT_EQ(w->job_generators.size(), 2u);
    EXPECT_EQ(w->job_generators[0].job_class, "g");
    EXPECT_EQ(w->job_generators[0].duration.kind, DurationDist::Kind::kExponential);
    EXPECT_EQ(w->job_generators[0].duration.mean(), 30s);
    const auto& k = w->job_generators[1];
    EXPECT_EQ(k.job_class, "plain");
    EXPECT_EQ(k.instances.size(), 2u);
    EXPECT_EQ(*k.count, 7);
    EXPECT_EQ(k.interval, 90s);
    EXPECT_EQ(k.duration.mean(), 12500ms);
    EXPECT_EQ(*k.stop, 30min);
    EXPECT_EQ(*k.max_execution_time, 150min);
    ASSERT_EQ(w->session_generators.size(), 1u);
    const auto& s = w->session_generators[0];
    EXPECT_EQ(s.mode, SessionKind::kBatch);
    EXPECT_EQ(s.iterations, 4);
    EXPECT_EQ(s.think_time.mean(), 1500ms);
    EXPECT_EQ(s.count, 2);
    EXPECT_TRUE(s.estimate_exact);
    ASSERT_EQ(w->batch_generators.size(), 1u);
    EXPECT_EQ(w->batch_generators[0].name, "batch2");  // default name: type + index
    EXPECT_EQ(w->batch_generators[0].user, "batch2");
    ASSERT_EQ(w->calibration_generators.size(), 1u);
    EXPECT_EQ(w->calibration_generators[0].duration.mean(), 10min);
}

TEST(Workload, JobUsersByCount) {
    auto w = parse_workload(doc(R"({"type": "jobs", "name": "g", "instance": "i1",
        "backend": "b1", "users": 3, "rate_per_hour": 1, "duration": "1s"})"));
    ASSERT_TRUE(w.ok()) << w.status().to_string();
    EXPECT_EQ(w->job_generators[0].users, (std::vector<std::string>{"g-u0", "g-u1", "g-u2"}));
}

TEST(Workload, CommentsAndTrailingCommasAreAllowed) {
    auto w = parse_workload(R"({
      // a comment
      "duration": 60, "backends": [{"name": "b"},], "instances": [{"name": "i"}],
    })");
    EXPECT_TRUE(w.ok()) << w.status().to_string();
}

TEST(Workload, UnknownFieldIsNamed) {
    expect_error(doc(kJobs, R"("sede": 3,)"), {"workload", "unknown field \"sede\""});
    expect_error(doc(R"({"type": "jobs", "name": "g", "instance": "i1", "backend": "b1",
        "rate": 10, "duration": "1s"})"),
                 {"generators[0]", "unknown field \"rate\""});
    expect_error(doc(R"({"type": "jobs", "name": "g", "instance": "i1", "backend": "b1",
        "rate_per_hour": 10, "duration": {"dist": "fixed", "mean": "1s"}})"),
                 {"generators[0].duration", "unknown field \"mean\""});
    expect_error(doc(kJobs, R"("settings": {"interactive_tll": "1m"},)"),
                 {"settings", "unknown field \"interactive_tll\""});
}

TEST(Workload, WrongTypeIsNamed) {
    expect_error(doc(R"({"type": "jobs", "name": "g", "instance": "i1", "backend": "b1",
        "rate_per_hour": "ten", "duration": "1s"})"),
                 {"generators[0].rate_per_hour", "expected a number, got a string"});
    expect_error(doc(R"({"type": "jobs", "name": "g", "instance": 3, "backend": "b1",
        "rate_per_hour": 1, "duration": "1s"})"),
                 {"generators[0].instance", "expected a string or an array of strings"});
    expect_error(doc(kJobs, R"("drain": "yes",)"), {"drain", "expected true or false"});
    expect_error(R"({"duration": "1h", "backends": {}, "instances": []})",
                 {"backends", "expected an array, got an object"});
    expect_error(doc(R"({"type": "session", "instance": "i1", "backend": "b1",
        "iterations": 2.5, "job_duration": "1s"})"),
                 {"generators[0].iterations", "expected a whole number"});
    expect_error("[1, 2]", {"workload", "expected an object, got an array"});
}

TEST(Workload, BadDurationsAreNamed) {
    expect_error(doc(R"({"type": "jobs", "name": "g", "instance": "i1", "backend": "b1",
        "rate_per_hour": 1, "duration": {"dist": "exponential", "mean": -5}})"),
                 {"generators[0].duration.mean", "negative duration"});
    expect_error(doc(R"({"type": "jobs", "name": "g", "instance": "i1", "backend": "b1",
        "rate_per_hour": 1, "duration": "-5s"})"),
                 {"generators[0].duration", "negative duration"});
    expect_error(doc(R"({"type": "jobs", "name": "g", "instance": "i1", "backend": "b1",
        "rate_per_hour": 1, "duration": "5x"})"),
                 {"generators[0].duration", "unknown unit"});
    expect_error(doc(kJobs, R"("settings": {"max_ttl": 0},)"),
                 {"settings.max_ttl", "must be positive"});
    expect_error(R"({"duration": true, "backends": [{"name": "b"}], "instances": [{"name": "i"}]})",
                 {"duration", "expected a duration"});
    expect_error(doc(R"({"type": "jobs", "name": "g", "instance": "i1", "backend": "b1",
        "rate_per_hour": 1, "duration": {"dist": "uniform", "min": "5s", "max": "1s"}})"),
                 {"generators[0].duration.max", "must not be less than min"});
}

TEST(Workload, UnknownReferencesAreNamed) {
    expect_error(doc(R"({"type": "jobs", "name": "g", "instance": "nope", "backend": "b1",
        "rate_per_hour": 1, "duration": "1s"})"),
                 {"generators[0].instance", "unknown instance \"nope\""});
    expect_error(doc(R"({"type": "session", "instance": "i1", "backend": "b9",
        "iterations": 2, "job_duration": "1s"})"),
                 {"generators[0].backend", "unknown backend \"b9\""});
    expect_error(doc(kJobs, R"("reservations": [{"backend": "b1", "instance": "zz",
        "start": 0, "end": 10}],)"),
                 {"reservations[0].instance", "unknown instance \"zz\""});
    expect_error(doc(R"({"type": "calibration", "backend": ["b1", "b2"], "every": "1h",
        "duration": "1m"})"),
                 {"generators[0].backend", "unknown backend \"b2\""});
}

TEST(Workload, OtherSemanticErrors) {
    expect_error(doc(R"({"type": "jobs", "name": "g", "instance": "i1", "backend": "b1",
        "duration": "1s"})"),
                 {"generators[0]", "missing arrivals"});
    expect_error(doc(R"({"type": "sessions", "instance": "i1"})"),
                 {"generators[0].type", "unknown generator type \"sessions\""});
    expect_error(doc(std::string(kJobs) + "," + kJobs), {"duplicate generator name \"g\""});
    expect_error(doc(R"({"type": "session", "instance": "i1", "backend": "b1",
        "mode": "exclusive", "iterations": 2, "job_duration": "1s"})"),
                 {"generators[0].mode", "unknown mode \"exclusive\""});
    expect_error(doc(R"({"type": "session", "instance": "i1", "backend": "b1",
        "iterations": 2, "job_duration": "1s", "max_ttl": "9h"})"),
                 {"max_ttl", "exceeds the maximum"});
    expect_error(doc(R"({"type": "batch", "instance": "i2", "backend": "b1", "jobs": 2,
        "job_duration": "1s", "max_ttl": "11m"})"),
                 {"max_ttl", "exceeds the maximum of 10m"});
    expect_error(doc(R"({"type": "session", "instance": "i1", "backend": "b1",
        "job_duration": "1s"})"),
                 {"generators[0]", "missing required field \"iterations\""});
    expect_error(R"({"duration": "1h", "backends": [{"name": "b"}, {"name": "b"}],
        "instances": [{"name": "i"}]})",
                 {"backends[1].name", "duplicate backend \"b\""});
    expect_error(R"({"duration": "1h", "backends": [{"name": "b"}],
        "instances": [{"name": "i", "share": 0}]})",
                 {"instances[0].share", "must be a positive number"});
}

TEST(Workload, MalformedJsonGivesPosition) {
    expect_error("{\n  \"duration\": \"1h\",\n  \"backends\": [1 2]\n}",
                 {"malformed JSON", "line 3", "column"});
    expect_error("{\"duration\": ", {"malformed JSON", "line 1"});
    expect_error("{} x", {"malformed JSON", "column 4"});
    expect_error("", {"malformed JSON"});
}

TEST(Workload, MissingFileIsNotFound) {
    auto w = load_workload("/nonexistent/workload.json");
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.status().code(), ErrorCode::kNotFound);
    EXPECT_NE(w.status().message().find("/nonexistent/workload.json"), std::string::npos);
}

TEST(DurationDist, SamplesStayInRange) {
    Rng rng(1);
    DurationDist u{DurationDist::Kind::kUniform, 2s, 4s, 0};
    DurationDist e{DurationDist::Kind::kExponential, 10s, {}, 0};
    DurationDist l{DurationDist::Kind::kLognormal, 10s, {}, 1.0};
    double sum_e = 0, sum_l = 0;
    constexpr int kN = 20000;
    for (int i = 0; i < kN; ++i) {
        Duration d = u.sample(rng);
        EXPECT_GE(d, 2s);
        EXPECT_LE(d, 4s);
        Duration de = e.sample(rng), dl = l.sample(rng);
        EXPECT_GE(de, Duration::zero());
        EXPECT_GE(dl, Duration::zero());
        sum_e += to_seconds(de);
        sum_l += to_seconds(dl);
    }
    EXPECT_NEAR(sum_e / kN, 10, 0.5);
    EXPECT_NEAR(sum_l / kN, 10, 0.5);
    EXPECT_EQ(DurationDist::fixed(3s).sample(rng), 3s);
}

}  // namespace
}  // namespace qrt::cli
