#include "backends/timing.h"

#include <gtest/gtest.h>

#include "formats/qasm3_reader.h"

namespace qrt::backends {
namespace {

using circuit::Circuit;
using circuit::Target;

// Three qubits in a line; sx/x 60 ns, rz virtual, ecr 660 ns on (0,1) and (2,1), readout
// 1300 ns, reset 1900 ns, dt 0.5 ns.
Target line3() {
    auto t = circuit::make_target("line3", 3, {"id", "rz", "sx", "x"}, "ecr", {{0, 1}, {2, 1}},
                                  false, true);
    EXPECT_TRUE(t.ok());
    Target target = *t;
    for (std::uint32_t q = 0; q < 3; ++q) {
        EXPECT_TRUE(target.add_instruction("sx", {q}, {1e-4, 60e-9}).ok());
        EXPECT_TRUE(target.add_instruction("x", {q}, {1e-4, 60e-9}).ok());
        EXPECT_TRUE(target.add_instruction("rz", {q}, {0.0, 0.0}).ok());
        EXPECT_TRUE(target.add_instruction("measure", {q}, {1e-2, 1300e-9}).ok());
        EXPECT_TRUE(target.add_instruction("reset", {q}, {std::nullopt, 1900e-9}).ok());
    }
    EXPECT_TRUE(target.add_instruction("ecr", {0, 1}, {7e-3, 660e-9}).ok());
    EXPECT_TRUE(target.add_instruction("ecr", {2, 1}, {7e-3, 660e-9}).ok());
    return target;
}

Circuit qasm(std::string_view text) {
    auto c = formats::parse_qasm3(text);
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    return c.ok() ? *c : Circuit{};
}

TEST(CriticalPath, follows_the_longest_chain_through_gates_delays_barriers_and_readout) {
    // q0: rz (0) + sx (60) + ecr (660) = 720; q2: sx (60) + delay 200dt (100) = 160; the
    // barrier aligns all at 720; the measurements end at 720 + 1300 = 2020 ns.
    const Circuit c = qasm(R"(OPENQASM 3.0;
        include "stdgates.inc";
        bit[3] c;
        rz(0.5) $0;
        sx $0;
        ecr $0, $1;
        sx $2;
        delay[200dt] $2;
        barrier $0, $1, $2;
        c[0] = measure $0;
        c[1] = measure $1;
        c[2] = measure $2;
    )");
    EXPECT_NEAR(critical_path_seconds(c, line3()), 2020e-9, 1e-15);
}

TEST(CriticalPath, if_else_waits_for_its_condition_and_takes_the_longer_branch) {
    // measure $0 ends at 1300 ns; the if_else on $1 starts then and its else branch (two sx,
    // 120 ns) is the longer: 1420 ns.
    const Circuit c = qasm(R"(OPENQASM 3.0;
        include "stdgates.inc";
        bit[1] c;
        c[0] = measure $0;
        if (c[0]) { x $1; } else { sx $1; sx $1; }
    )");
    EXPECT_NEAR(critical_path_seconds(c, line3()), 1420e-9, 1e-15);
}

TEST(CriticalPath, parallel_gates_overlap_and_unknown_durations_count_zero) {
    const Circuit c = qasm(R"(OPENQASM 3.0;
        include "stdgates.inc";
        sx $0; sx $1; sx $2;
        delay[1us] $1;
        reset $0;
    )");
    // q0: 60 + reset 1900 = 1960; q1: 60 + 1000 = 1060.
    EXPECT_NEAR(critical_path_seconds(c, line3()), 1960e-9, 1e-15);
    Target bare = line3();
    bare.instructions.erase("reset");
    EXPECT_NEAR(critical_path_seconds(c, bare), 1060e-9, 1e-15);
}

TEST(QpuTime, sampler_job_by_hand) {
    primitives::PrimitiveJob job;
    job.program = primitives::Program::kSampler;
    primitives::SamplerPub pub;
    pub.circuit = qasm(R"(OPENQASM 3.0;
        include "stdgates.inc";
        bit[2] c;
        sx $0;
        ecr $0, $1;
        c[0] = measure $0;
        c[1] = measure $1;
    )");  // 60 + 660 + 1300 = 2020 ns
    pub.shots = 1000;
    job.sampler_pubs.push_back(pub);
    pub.shots.reset();  // default_shots
    job.sampler_pubs.push_back(pub);
    job.sampler_options.default_shots = 4000;

    const TimingModel model{250e-6, 0.5, 0.05};
    const auto plan = plan_job(job, line3(), model);
    ASSERT_EQ(plan.size(), 2u);
    EXPECT_EQ(plan[0].executions, 1u);
    EXPECT_EQ(plan[0].shots, 1000u);
    EXPECT_NEAR(plan[0].shot_seconds, 252.02e-6, 1e-12);
    EXPECT_EQ(plan[1].shots, 4000u);
    // 0.5 + (0.05 + 1000 * 252.02e-6) + (0.05 + 4000 * 252.02e-6) = 1.8601 s
    EXPECT_EQ(qpu_time(plan, model), seconds_d(1.8601));
}

TEST(QpuTime, sampler_parameter_sweep_runs_one_circuit_per_row) {
    primitives::PrimitiveJob job;
    job.program = primitives::Program::kSampler;
    primitives::SamplerPub pub;
    pub.circuit = qasm(R"(OPENQASM 3.0;
        include "stdgates.inc";
        input float[64] theta;
        bit[1] c;
        rz(theta) $0;
        sx $0;
        c[0] = measure $0;
    )");
    pub.parameter_values.shape = {2, 3, 1};
    pub.parameter_values.data = {0, 1, 2, 3, 4, 5};
    pub.shots = 100;
    job.sampler_pubs.push_back(pub);
    const TimingModel model{100e-6, 0, 0.01};
    const auto plan = plan_job(job, line3(), model);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0].executions, 6u);
    // 6 * (0.01 + 100 * (1360 ns + 100 us))
    EXPECT_EQ(qpu_time(plan, model), seconds_d(6 * (0.01 + 100 * 101.36e-6)));
}

TEST(QpuTime, estimator_counts_bases_bindings_and_twirled_shots) {
    primitives::PrimitiveJob job;
    job.program = primitives::Program::kEstimator;
    primitives::EstimatorPub pub;
    pub.circuit = qasm(R"(OPENQASM 3.0;
        include "stdgates.inc";
        sx $0;
        ecr $0, $1;
    )");  // 720 ns, + readout 1300 ns
    pub.observables_shape = {3};
    pub.observables = {{{{"ZZ", 1.0}}}, {{{"XX", 1.0}, {"IZ", 0.5}}}, {{{"II", 2.0}}}};
    job.estimator_pubs.push_back(pub);
    job.estimator_options.resilience_level = 1;  // measurement twirling, 32 randomizations

    const TimingModel model{250e-6, 0.5, 0.05};
    auto plan = plan_job(job, line3(), model);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0].executions, 2u);  // {ZZ, IZ} and {XX}
    EXPECT_EQ(plan[0].shots, 4096u);    // 1 / 0.015625^2, 32 x 128
    EXPECT_NEAR(plan[0].shot_seconds, 2020e-9 + 250e-6, 1e-12);

    job.estimator_options.default_shots = 100;  // 32 x max(64, 4)
    EXPECT_EQ(plan_job(job, line3(), model)[0].shots, 2048u);
    EXPECT_EQ(plan_job(job, line3(), model, /*noisy=*/false)[0].shots, 100u);

    job.estimator_options.resilience_level = 2;  // + ZNE at factors 1, 3, 5
    EXPECT_EQ(plan_job(job, line3(), model)[0].executions, 6u);
}

TEST(MeasurementBases, groups_qubitwise_commuting_labels) {
    EXPECT_EQ(measurement_bases({"ZZ", "ZI", "IZ"}), 1u);
    EXPECT_EQ(measurement_bases({"ZZ", "XX", "YY"}), 3u);
    EXPECT_EQ(measurement_bases({"XI", "IZ", "XZ", "ZI"}), 2u);
    EXPECT_EQ(measurement_bases({"II"}), 0u);
}

}  // namespace
}  // namespace qrt::backends
