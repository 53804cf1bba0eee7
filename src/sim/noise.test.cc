// NoiseModel from a Target, and noisy runs: readout confusion, depolarizing, T1 decay,
// reproducibility.
#include "sim/noise.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "circuit/circuit.h"
#include "sim/simulator.h"

namespace qrt::sim {
namespace {

using circuit::Circuit;
using circuit::Expr;
using circuit::GateKind;

void expect_binomial(std::uint64_t x, std::uint64_t n, double p, const std::string& what) {
    const double sd = std::sqrt(n * p * (1 - p));
    EXPECT_NEAR(static_cast<double>(x), n * p, 5 * sd + 1e-9) << what;
}

circuit::Target two_qubit_target() {
    circuit::Target t;
    t.num_qubits = 2;
    t.dt = 0.5e-9;
    t.qubits.resize(2);
    t.qubits[0].t1 = 100e-6;
    t.qubits[0].t2 = 300e-6;  // above 2 T1: capped
    t.qubits[0].prob_meas1_prep0 = 0.02;
    t.qubits[0].prob_meas0_prep1 = 0.05;
    t.qubits[1].readout_error = 0.03;  // fallback for both directions
    EXPECT_TRUE(t.add_instruction("sx", {0}, {0.001, 0.0}).ok());
    EXPECT_TRUE(t.add_instruction("sx", {1}, {0.002, std::nullopt}).ok());
    EXPECT_TRUE(t.add_instruction("cz", {0, 1}, {0.01, 0.0}).ok());
    EXPECT_TRUE(t.add_instruction("x", {0}, {0.001, 50e-9}).ok());
    EXPECT_TRUE(t.add_instruction("measure", {0}, {0.04, 1e-6}).ok());
    return t;
}

TEST(NoiseModel, from_target_reads_errors_relaxation_and_readout) {
    const NoiseModel m = NoiseModel::from_target(two_qubit_target());
    EXPECT_FALSE(m.empty());
    EXPECT_DOUBLE_EQ(m.dt, 0.5e-9);
    ASSERT_EQ(m.qubits.size(), 2u);
    EXPECT_DOUBLE_EQ(m.qubits[0].t1, 100e-6);
    EXPECT_DOUBLE_EQ(m.qubits[0].t2, 200e-6);
    EXPECT_DOUBLE_EQ(m.qubits[0].p1_given_0, 0.02);
    EXPECT_DOUBLE_EQ(m.qubits[0].p0_given_1, 0.05);
    EXPECT_DOUBLE_EQ(m.qubits[1].p1_given_0, 0.03);
    EXPECT_DOUBLE_EQ(m.qubits[1].p0_given_1, 0.03);
    // No duration: p = e (d+1)/d.
    EXPECT_NEAR(m.gate("sx", {1}).depolarizing, 0.002 * 3 / 2, 1e-15);
    EXPECT_NEAR(m.gate("cz", {0, 1}).depolarizing, 0.01 * 5 / 4, 1e-15);
    // With a duration, relaxation explains part of the error.
    const GateNoise x = m.gate("x", {0});
    EXPECT_DOUBLE_EQ(x.duration, 50e-9);
    const double relax = relaxation_process_fidelity(100e-6, 200e-6, 50e-9);
    EXPECT_NEAR(x.depolarizing, 1 - (1 - 0.001 * 1.5) / relax, 1e-15);
    EXPECT_LT(x.depolarizing, 0.0015);
    EXPECT_EQ(m.gate("x", {1}).depolarizing, 0.0);  // unknown: ideal
    EXPECT_EQ(m.gate("rz", {0}).depolarizing, 0.0);
    EXPECT_TRUE(NoiseModel{}.empty());
}

TEST(NoiseModel, depolarizing_probability_is_clamped) {
    EXPECT_EQ(depolarizing_from_error(0.0, 1), 0.0);
    EXPECT_EQ(depolarizing_from_error(0.9, 1), 1.0);
    EXPECT_EQ(depolarizing_from_error(1e-4, 1, 0.99), 0.0);  // relaxation explains it all
}

Circuit prepare_and_measure() {
    // qubit 0 in |1>, qubit 1 in |0>; a non-Clifford no-op keeps it on the statevector path
    Circuit c(2, 2);
    EXPECT_TRUE(c.append(GateKind::kX, {0}).ok());
    EXPECT_TRUE(c.append(GateKind::kRZ, {1}, {Expr(0.3)}).ok());
    EXPECT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());
    EXPECT_TRUE(c.append(GateKind::kMeasure, {1}, {}, {1}).ok());
    return c;
}

TEST(NoisySimulation, readout_error_gives_the_configured_confusion_matrix) {
    NoiseModel m;
    m.qubits.resize(2);
    m.qubits[0].p0_given_1 = 0.1;
    m.qubits[1].p1_given_0 = 0.2;
    for (Method method : {Method::kStatevector, Method::kStabilizer}) {
        Circuit c = prepare_and_measure();
        if (method == Method::kStabilizer) c.instructions[1].params[0] = Expr(M_PI / 2);
        RunOptions o;
        o.shots = 20000;
        o.seed = 3;
        o.noise = &m;
        o.method = method;
        RunInfo info;
        auto mem = run_shots(c, o, &info);
        ASSERT_TRUE(mem.ok()) << mem.status().to_string();
        std::uint64_t zeros0 = 0, ones1 = 0;
        for (std::uint64_t s = 0; s < o.shots; ++s) {
            zeros0 += !mem->bit(s, 0);
            ones1 += mem->bit(s, 1);
        }
        expect_binomial(zeros0, o.shots, 0.1, "P(0|1)");
        expect_binomial(ones1, o.shots, 0.2, "P(1|0)");
    }
}

// <Z> after m noisy X gates: each depolarizing event flips Z with probability 2/3, so <Z> shrinks
// by (1 - 4p/3) per gate.
TEST(NoisySimulation, depolarizing_shrinks_z_as_predicted) {
    NoiseModel m;
    m.qubits.resize(1);
    const double p = 0.05;
    m.gates["x"][{0}] = GateNoise{p, 0};
    Circuit c(1, 1);
    const int gates = 10;
    for (int i = 0; i < gates; ++i) ASSERT_TRUE(c.append(GateKind::kX, {0}).ok());
    ASSERT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());
    const double z = std::pow(1 - 4 * p / 3, gates);
    for (Method method : {Method::kStatevector, Method::kStabilizer}) {
        RunOptions o;
        o.shots = 20000;
        o.seed = 12;
        o.noise = &m;
        o.method = method;
        auto mem = run_shots(c, o);
        ASSERT_TRUE(mem.ok()) << mem.status().to_string();
        std::uint64_t ones = 0;
        for (std::uint64_t s = 0; s < o.shots; ++s) ones += mem->bit(s, 0);
        expect_binomial(ones, o.shots, (1 - z) / 2, "P(1)");
    }
}

TEST(NoisySimulation, t1_decay_of_one_over_a_delay_follows_the_exponential) {
    NoiseModel m;
    m.qubits.resize(1);
    m.qubits[0].t1 = 100e-6;
    m.qubits[0].t2 = 150e-6;
    for (double t_us : {50.0, 100.0, 250.0}) {
        Circuit c(1, 1);
        ASSERT_TRUE(c.append(GateKind::kX, {0}).ok());
        ASSERT_TRUE(c.append(GateKind::kDelay, {0}, {Expr(t_us)}).ok());
        c.instructions.back().delay_unit = "us";
        ASSERT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());
        RunOptions o;
        o.shots = 10000;
        o.seed = 4;
        o.noise = &m;
        RunInfo info;
        auto mem = run_shots(c, o, &info);
        ASSERT_TRUE(mem.ok()) << mem.status().to_string();
        EXPECT_EQ(info.method, Method::kStatevector) << "relaxation is exact on the statevector";
        EXPECT_TRUE(info.per_shot);
        std::uint64_t ones = 0;
        for (std::uint64_t s = 0; s < o.shots; ++s) ones += mem->bit(s, 0);
        expect_binomial(ones, o.shots, std::exp(-t_us / 100.0), "t = " + std::to_string(t_us));
    }
}

TEST(NoisySimulation, dephasing_decays_a_ramsey_signal_with_t2) {
    NoiseModel m;
    m.qubits.resize(1);
    m.qubits[0].t1 = 100e-6;
    m.qubits[0].t2 = 80e-6;
    Circuit c(1, 1);
    ASSERT_TRUE(c.append(GateKind::kH, {0}).ok());
    ASSERT_TRUE(c.append(GateKind::kDelay, {0}, {Expr(80.0)}).ok());
    c.instructions.back().delay_unit = "us";
    ASSERT_TRUE(c.append(GateKind::kH, {0}).ok());
    ASSERT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());
    RunOptions o;
    o.shots = 10000;
    o.seed = 8;
    o.noise = &m;
    auto mem = run_shots(c, o);
    ASSERT_TRUE(mem.ok()) << mem.status().to_string();
    std::uint64_t ones = 0;
    for (std::uint64_t s = 0; s < o.shots; ++s) ones += mem->bit(s, 0);
    // P(1) = (1 - e^{-t/T2}) / 2 - amplitude damping's population shift: P(1) = (1 - e^{-1} -
    // (e^{-t/T1}-1)/2 ... ) computed exactly: rho11 after delay = e^{-t/T1}/2, coherence
    // e^{-t/T2}/2; after H, P(1) = 1/2 - coherence.
    const double want = 0.5 - std::exp(-1.0) / 2;
    expect_binomial(ones, o.shots, want, "Ramsey");
}

TEST(NoisySimulation, a_seed_reproduces_the_run_for_any_thread_count) {
    const NoiseModel m = NoiseModel::from_target(two_qubit_target());
    Circuit c(2, 2);
    ASSERT_TRUE(c.append(GateKind::kSX, {0}).ok());
    ASSERT_TRUE(c.append(GateKind::kSX, {1}).ok());
    ASSERT_TRUE(c.append(GateKind::kCZ, {0, 1}).ok());
    ASSERT_TRUE(c.append(GateKind::kRZ, {0}, {Expr(0.4)}).ok());
    ASSERT_TRUE(c.append(GateKind::kX, {0}).ok());
    ASSERT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());
    ASSERT_TRUE(c.append(GateKind::kMeasure, {1}, {}, {1}).ok());
    RunOptions o;
    o.shots = 500;
    o.seed = 99;
    o.noise = &m;
    o.threads = 1;
    RunInfo info;
    auto a = run_shots(c, o, &info);
    o.threads = 4;
    auto b = run_shots(c, o);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_TRUE(info.per_shot);
    EXPECT_EQ(a->words, b->words);
}

}  // namespace
}  // namespace qrt::sim
