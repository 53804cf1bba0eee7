// The simulator front end: final states against Qiskit's corpus, fusion against unfused
// application, sampling statistics, per-shot dynamic circuits, compaction, method choice and
// errors, cancellation, exact expectation values.
#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cmath>
#include <complex>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/rng.h"
#include "circuit/circuit.h"
#include "formats/qasm3_reader.h"
#include "formats/qpy_reader.h"

namespace qrt::sim {
namespace {

using circuit::Circuit;
using circuit::Expr;
using circuit::GateKind;
using C = std::complex<double>;

const std::filesystem::path kCorpus = QRT_CORPUS_DIR;

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Circuit qasm(const std::string& text) {
    auto c = formats::parse_qasm3(text);
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    return c.ok() ? *c : Circuit();
}

std::vector<C> read_matrix(const std::filesystem::path& p, std::size_t& dim) {
    const auto v = boost::json::parse(slurp(p));
    dim = static_cast<std::size_t>(v.at("dim").to_number<std::int64_t>());
    std::vector<C> out;
    for (const auto& e : v.at("data").as_array()) {
        out.emplace_back(e.as_array()[0].to_number<double>(), e.as_array()[1].to_number<double>());
    }
    return out;
}

// Number of shots (of `m`) whose clbits, read as an integer (clbit 0 least significant), equal v.
std::map<std::uint64_t, std::uint64_t> counts(const ShotMemory& m) {
    std::map<std::uint64_t, std::uint64_t> out;
    for (std::uint64_t s = 0; s < m.shots; ++s) {
        std::uint64_t v = 0;
        for (std::uint32_t b = 0; b < m.num_clbits && b < 64; ++b)
            v |= std::uint64_t{m.bit(s, b)} << b;
        ++out[v];
    }
    return out;
}

// |x - n p| within 5 standard deviations of a binomial(n, p) count.
void expect_binomial(std::uint64_t x, std::uint64_t n, double p, const std::string& what) {
    const double sd = std::sqrt(n * p * (1 - p));
    EXPECT_NEAR(static_cast<double>(x), n * p, 5 * sd + 1e-9) << what;
}

TEST(Simulator, final_statevector_matches_qiskit_on_every_corpus_case) {
    if (!std::filesystem::exists(kCorpus / "manifest.json")) GTEST_SKIP() << "no corpus";
    const auto manifest = boost::json::parse(slurp(kCorpus / "manifest.json"));
    int checked = 0;
    for (const auto& kv : manifest.at("cases").as_array()) {
        const auto& k = kv.as_object();
        const std::string name(k.at("name").as_string());
        const bool has_unitary = k.contains("unitary");
        if (!has_unitary && !k.contains("statevector")) continue;
        if (!k.at("qpy").as_object().contains("17")) continue;
        auto c = formats::read_qpy_circuit(
            slurp(kCorpus / std::string(k.at("qpy").at("17").as_string())));
        if (!c.ok()) {
            EXPECT_EQ(c.status().code(), ErrorCode::kUnimplemented) << name;  // mcx_mcxvchain
            continue;
        }
        std::vector<double> bind;
        for (const auto& b : k.at("bind").as_array()) bind.push_back(b.to_number<double>());
        auto bound = c->bind(bind);
        ASSERT_TRUE(bound.ok()) << name << ": " << bound.status().to_string();
        std::vector<std::uint32_t> reduced;
        for (const auto& q : k.at("reduced_qubits").as_array())
            reduced.push_back(q.to_number<std::uint32_t>());
        std::size_t dim = 0;
        const auto m = read_matrix(
            kCorpus / std::string(k.at(has_unitary ? "unitary" : "statevector").as_string()), dim);
        std::vector<C> want(dim);
        for (std::size_t r = 0; r < dim; ++r) want[r] = has_unitary ? m[r * dim] : m[r];

        for (unsigned fuse : {0u, 2u, 4u}) {
            RunOptions o;
            o.max_fused_qubits = fuse;
            auto got = final_compact_state(*bound, o);
            ASSERT_TRUE(got.ok()) << name << ": " << got.status().to_string();
            // Our amplitudes over the used qubits, placed in the reduced qubits' index space.
            std::vector<C> ours(dim, C(0));
            std::vector<int> pos;
            for (std::uint32_t q : got->qubits) {
                auto it = std::find(reduced.begin(), reduced.end(), q);
                ASSERT_NE(it, reduced.end()) << name << ": qubit " << q << " not in reduced_qubits";
                pos.push_back(static_cast<int>(it - reduced.begin()));
            }
            for (std::size_t i = 0; i < got->amplitudes.size(); ++i) {
                std::size_t r = 0;
                for (std::size_t j = 0; j < pos.size(); ++j) r |= ((i >> j) & 1u) << pos[j];
                ours[r] = got->amplitudes[i];
            }
            C overlap = 0;
            for (std::size_t i = 0; i < dim; ++i) overlap += std::conj(want[i]) * ours[i];
            EXPECT_GE(std::norm(overlap), 1 - 1e-10) << name << " fuse " << fuse;
            // Global phase included.
            EXPECT_LT(std::abs(overlap - C(1)), 1e-8) << name << " fuse " << fuse;
        }
        // The full-width state, where it is small enough.
        if (bound->num_qubits() <= 12) {
            auto full = final_statevector(*bound);
            ASSERT_TRUE(full.ok()) << name << ": " << full.status().to_string();
            EXPECT_EQ(full->size(), std::size_t{1} << bound->num_qubits()) << name;
        }
        ++checked;
    }
    EXPECT_GT(checked, 50);
}

// Random circuits over a gate mix with every kernel kind (dense, diagonal, mcx, swap, wide).
Circuit random_circuit(unsigned n, int gates, std::uint64_t seed) {
    Rng rng(seed);
    Circuit c(n, 0);
    auto pick = [&](unsigned k) {
        std::vector<std::uint32_t> qs;
        while (qs.size() < k) {
            auto q = static_cast<std::uint32_t>(rng.uniform_int(0, n - 1));
            if (std::find(qs.begin(), qs.end(), q) == qs.end()) qs.push_back(q);
        }
        return qs;
    };
    const GateKind kinds[] = {GateKind::kH,   GateKind::kRZ,   GateKind::kCX,  GateKind::kCCX,
                              GateKind::kCP,  GateKind::kSwap, GateKind::kU,   GateKind::kRZZ,
                              GateKind::kECR, GateKind::kT,    GateKind::kSX,  GateKind::kCCZ,
                              GateKind::kRY,  GateKind::kMCX,  GateKind::kCRX, GateKind::kRXX};
    for (int g = 0; g < gates; ++g) {
        const GateKind k = kinds[rng.uniform_int(0, std::size(kinds) - 1)];
        const auto& info = circuit::gate_info(k);
        const unsigned nq = k == GateKind::kMCX ? 5u : static_cast<unsigned>(info.num_qubits);
        std::vector<Expr> params;
        for (int p = 0; p < info.num_params; ++p) params.emplace_back(rng.uniform() * 6.28 - 3.14);
        EXPECT_TRUE(c.append(k, pick(nq), params).ok());
    }
    c.global_phase = Expr(0.3);
    return c;
}

TEST(Simulator, fused_application_matches_unfused_and_the_reference_unitary) {
    // Several seeds: the fuser reorders commuting blocks, which random circuits exercise.
    for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u}) {
        const Circuit c = random_circuit(7, 120, seed);
        auto u = circuit::circuit_unitary(c);
        ASSERT_TRUE(u.ok()) << u.status().to_string();
        for (unsigned fuse : {0u, 1u, 2u, 3u, 4u, 5u}) {
            RunOptions o;
            o.max_fused_qubits = fuse;
            auto sv = final_statevector(c, o);
            ASSERT_TRUE(sv.ok()) << sv.status().to_string();
            double worst = 0;
            for (int r = 0; r < u->dim; ++r)
                worst = std::max(worst, std::abs((*u)(r, 0) - (*sv)[r]));
            EXPECT_LT(worst, 1e-10) << "seed " << seed << " fuse " << fuse;
        }
        RunOptions single;
        single.single_precision = true;
        auto sv = final_statevector(c, single);
        ASSERT_TRUE(sv.ok());
        double worst = 0;
        for (int r = 0; r < u->dim; ++r) worst = std::max(worst, std::abs((*u)(r, 0) - (*sv)[r]));
        EXPECT_LT(worst, 1e-4) << "single precision, seed " << seed;
    }
}

// Chi-square goodness of fit of sampled counts against exact probabilities. The threshold is the
// 1 - 1e-6 quantile (Wilson-Hilferty), so a correct sampler fails about once in a million seeds;
// the seed is fixed, so the test is deterministic.
TEST(Simulator, sampled_counts_pass_a_chi_square_test_against_exact_probabilities) {
    Circuit c = random_circuit(5, 60, 11);
    c.set_num_clbits(5);
    auto exact = final_statevector(c);
    ASSERT_TRUE(exact.ok());
    for (std::uint32_t q = 0; q < 5; ++q)
        ASSERT_TRUE(c.append(GateKind::kMeasure, {q}, {}, {q}).ok());
    RunOptions o;
    o.shots = 10000;
    o.seed = 2024;
    RunInfo info;
    auto mem = run_shots(c, o, &info);
    ASSERT_TRUE(mem.ok()) << mem.status().to_string();
    EXPECT_FALSE(info.per_shot);
    EXPECT_EQ(info.method, Method::kStatevector);
    const auto got = counts(*mem);
    double chi2 = 0, pooled_expected = 0, pooled_observed = 0;
    int df = -1;
    for (std::size_t i = 0; i < exact->size(); ++i) {
        const double e = std::norm((*exact)[i]) * 10000;
        const double x = got.count(i) ? static_cast<double>(got.at(i)) : 0.0;
        if (e < 5) {  // pool sparse bins
            pooled_expected += e;
            pooled_observed += x;
            continue;
        }
        chi2 += (x - e) * (x - e) / e;
        ++df;
    }
    if (pooled_expected > 0) {
        chi2 += (pooled_observed - pooled_expected) * (pooled_observed - pooled_expected) /
                pooled_expected;
        ++df;
    }
    ASSERT_GT(df, 3);
    const double z = 4.753;  // one-sided 1e-6
    const double a = 2.0 / (9.0 * df);
    const double threshold = df * std::pow(1 - a + z * std::sqrt(a), 3);
    EXPECT_LT(chi2, threshold) << "df " << df;
}

TEST(Simulator, measurements_map_qubits_to_clbits_and_a_later_measurement_overwrites) {
    Circuit c(3, 3);
    ASSERT_TRUE(c.append(GateKind::kX, {1}).ok());
    ASSERT_TRUE(c.append(GateKind::kRY, {2}, {Expr(0.1)}).ok());  // not Clifford
    ASSERT_TRUE(c.append(GateKind::kMeasure, {1}, {}, {0}).ok());
    ASSERT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {1}).ok());
    ASSERT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {2}).ok());
    ASSERT_TRUE(c.append(GateKind::kMeasure, {1}, {}, {2}).ok());
    RunOptions o;
    o.shots = 100;
    auto mem = run_shots(c, o);
    ASSERT_TRUE(mem.ok()) << mem.status().to_string();
    for (std::uint64_t s = 0; s < 100; ++s) {
        EXPECT_TRUE(mem->bit(s, 0));
        EXPECT_FALSE(mem->bit(s, 1));
        EXPECT_TRUE(mem->bit(s, 2));
    }
}

const char* kTeleport = R"(OPENQASM 3.0;
include "stdgates.inc";
bit[1] c0;
bit[1] c1;
bit[1] out;
qubit[3] q;
ry(0.8) q[0];
h q[1];
cx q[1], q[2];
cx q[0], q[1];
h q[0];
c0[0] = measure q[0];
c1[0] = measure q[1];
if (c1 == 1) {
  x q[2];
}
if (c0 == 1) {
  z q[2];
}
ry(-0.8) q[2];
out[0] = measure q[2];
)";

TEST(Simulator, teleportation_runs_per_shot_and_delivers_the_state) {
    const Circuit c = qasm(kTeleport);
    for (int threads : {1, 4}) {
        RunOptions o;
        o.shots = 2000;
        o.seed = 5;
        o.threads = threads;
        RunInfo info;
        auto mem = run_shots(c, o, &info);
        ASSERT_TRUE(mem.ok()) << mem.status().to_string();
        EXPECT_TRUE(info.per_shot);
        EXPECT_EQ(info.method, Method::kStatevector);
        std::uint64_t ones[3] = {0, 0, 0};
        for (std::uint64_t s = 0; s < o.shots; ++s) {
            for (std::uint32_t b = 0; b < 3; ++b) ones[b] += mem->bit(s, b);
        }
        EXPECT_EQ(ones[2], 0u) << "the teleported state, rotated back, is |0>";
        expect_binomial(ones[0], o.shots, 0.5, "c0");
        expect_binomial(ones[1], o.shots, 0.5, "c1");
    }
}

TEST(Simulator, clifford_teleportation_runs_on_the_stabilizer) {
    std::string text = kTeleport;
    text.replace(text.find("ry(0.8) q[0];"), 13, "h q[0];");
    text.replace(text.find("ry(-0.8) q[2];"), 14, "h q[2];");
    const Circuit c = qasm(text);
    RunOptions o;
    o.shots = 500;
    RunInfo info;
    auto mem = run_shots(c, o, &info);
    ASSERT_TRUE(mem.ok()) << mem.status().to_string();
    EXPECT_EQ(info.method, Method::kStabilizer);
    EXPECT_TRUE(info.per_shot);
    std::uint64_t ones0 = 0;
    for (std::uint64_t s = 0; s < o.shots; ++s) {
        EXPECT_FALSE(mem->bit(s, 2));
        ones0 += mem->bit(s, 0);
    }
    expect_binomial(ones0, o.shots, 0.5, "c0");
}

TEST(Simulator, if_else_on_a_register_value_selects_the_branch) {
    const Circuit c = qasm(slurp(kCorpus / "dynamic_if_register.qasm"));
    RunOptions o;
    o.shots = 4000;
    o.seed = 9;
    auto mem = run_shots(c, o);
    ASSERT_TRUE(mem.ok()) << mem.status().to_string();
    // m == 2: x then rz, out = 1; m == 3: h, out random; m in {0, 1}: sx, out random.
    std::uint64_t by_m[4] = {0, 0, 0, 0}, ones_by_m[4] = {0, 0, 0, 0};
    for (std::uint64_t s = 0; s < o.shots; ++s) {
        const int m = mem->bit(s, 0) + 2 * mem->bit(s, 1);
        ++by_m[m];
        ones_by_m[m] += mem->bit(s, 2);
    }
    EXPECT_EQ(ones_by_m[2], by_m[2]);
    for (int m : {0, 1, 3}) expect_binomial(ones_by_m[m], by_m[m], 0.5, "m=" + std::to_string(m));
    for (int m = 0; m < 4; ++m) expect_binomial(by_m[m], o.shots, 0.25, "m");
}

TEST(Simulator, reset_after_use_runs_per_shot) {
    const Circuit c = qasm(slurp(kCorpus / "reset_measure.qasm"));
    RunOptions o;
    o.shots = 1000;
    RunInfo info;
    auto mem = run_shots(c, o, &info);
    ASSERT_TRUE(mem.ok()) << mem.status().to_string();
    EXPECT_TRUE(info.per_shot);
    for (std::uint64_t s = 0; s < o.shots; ++s) EXPECT_EQ(mem->bit(s, 0), mem->bit(s, 1));
}

Circuit corpus_qpy(const std::string& name) {
    auto c = formats::read_qpy_circuit(slurp(kCorpus / (name + ".v17.qpy")));
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    return c.ok() ? *c : Circuit();
}

TEST(Simulator, a_transpiled_circuit_on_a_127_qubit_device_simulates_only_its_qubits) {
    if (!std::filesystem::exists(kCorpus / "manifest.json")) GTEST_SKIP() << "no corpus";
    Circuit c = corpus_qpy("ghz_5_isa_brisbane");
    ASSERT_EQ(c.num_qubits(), 127u);
    const bool measured = std::any_of(c.instructions.begin(), c.instructions.end(),
                                      [](const auto& i) { return i.kind == GateKind::kMeasure; });
    if (!measured) {
        const auto used = c.used_qubits();
        c.set_num_clbits(static_cast<std::uint32_t>(used.size()));
        for (std::uint32_t i = 0; i < used.size(); ++i) {
            ASSERT_TRUE(c.append(GateKind::kMeasure, {used[i]}, {}, {i}).ok());
        }
    }
    for (Method m : {Method::kAutomatic, Method::kStatevector}) {
        RunOptions o;
        o.shots = 200;
        o.method = m;
        RunInfo info;
        auto mem = run_shots(c, o, &info);
        ASSERT_TRUE(mem.ok()) << mem.status().to_string();
        EXPECT_EQ(info.simulated_qubits, 5u);
        EXPECT_EQ(info.method,
                  m == Method::kAutomatic ? Method::kStabilizer : Method::kStatevector);
        for (std::uint64_t s = 0; s < o.shots; ++s) {
            for (std::uint32_t b = 1; b < mem->num_clbits; ++b) {
                EXPECT_EQ(mem->bit(s, b), mem->bit(s, 0)) << "GHZ bits agree";
            }
        }
    }
}

Circuit wide_non_clifford(std::uint32_t n) {
    Circuit c(n, 0);
    for (std::uint32_t q = 0; q < n; ++q) {
        EXPECT_TRUE(c.append(GateKind::kH, {q}).ok());
        EXPECT_TRUE(c.append(GateKind::kT, {q}).ok());
    }
    return c;
}

TEST(Simulator, a_circuit_over_the_memory_limit_gets_an_error_that_says_why) {
    RunOptions o;
    o.max_memory_bytes = std::size_t{1} << 30;
    auto r = run_shots(wide_non_clifford(30), o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kResourceExhausted);
    EXPECT_EQ(r.status().message(),
              "the circuit needs a statevector of 30 qubits (16 GiB) but the limit is 1 GiB, and "
              "it is not a Clifford circuit");
}

TEST(Simulator, explicit_methods_are_honoured_or_refused) {
    RunOptions o;
    o.method = Method::kStabilizer;
    auto r = run_shots(wide_non_clifford(2), o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("Clifford"), std::string::npos);

    Circuit ghz(300, 0);
    ASSERT_TRUE(ghz.append(GateKind::kH, {0}).ok());
    for (std::uint32_t q = 1; q < 300; ++q) ASSERT_TRUE(ghz.append(GateKind::kCX, {q - 1, q}).ok());
    o.method = Method::kStatevector;
    EXPECT_EQ(run_shots(ghz, o).status().code(), ErrorCode::kResourceExhausted);
    o.method = Method::kAutomatic;
    RunInfo info;
    EXPECT_TRUE(run_shots(ghz, o, &info).ok());
    EXPECT_EQ(info.method, Method::kStabilizer);
    EXPECT_EQ(info.simulated_qubits, 300u);
}

TEST(Simulator, free_parameters_are_refused_by_name) {
    Circuit c(1, 0);
    circuit::Symbol theta;
    theta.name = "theta";
    ASSERT_TRUE(c.append(GateKind::kRX, {0}, {Expr::symbol(theta)}).ok());
    auto r = run_shots(c, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("theta"), std::string::npos) << r.status().message();
}

TEST(Simulator, a_stop_request_cancels_the_run) {
    std::atomic<bool> stop{true};
    RunOptions o;
    o.stop.flag = &stop;
    auto r = run_shots(qasm(kTeleport), o);
    EXPECT_EQ(r.status().code(), ErrorCode::kCancelled);
    auto sv = final_statevector(random_circuit(4, 10, 1), o);
    EXPECT_EQ(sv.status().code(), ErrorCode::kCancelled);
}

TEST(Simulator, results_are_reproducible_for_a_seed_and_independent_of_threads) {
    const Circuit c = qasm(kTeleport);
    RunOptions o;
    o.shots = 300;
    o.seed = 77;
    o.threads = 1;
    auto a = run_shots(c, o);
    o.threads = 3;
    auto b = run_shots(c, o);
    o.seed = 78;
    auto d = run_shots(c, o);
    ASSERT_TRUE(a.ok() && b.ok() && d.ok());
    EXPECT_EQ(a->words, b->words);
    EXPECT_NE(a->words, d->words);
}

TEST(Simulator, a_circuit_without_operations_is_all_zeros) {
    Circuit c(2, 2);
    c.global_phase = Expr(M_PI);
    auto sv = final_statevector(c);
    ASSERT_TRUE(sv.ok()) << sv.status().to_string();
    ASSERT_EQ(sv->size(), 4u);
    EXPECT_NEAR(std::abs((*sv)[0] - C(-1)), 0, 1e-15);
    RunOptions o;
    o.shots = 10;
    RunInfo info;
    auto mem = run_shots(c, o, &info);
    ASSERT_TRUE(mem.ok()) << mem.status().to_string();
    EXPECT_EQ(info.simulated_qubits, 0u);
    EXPECT_EQ(mem->words, std::vector<std::uint64_t>(10, 0));
}

TEST(Simulator, custom_gates_are_inlined_with_their_parameters) {
    const Circuit c = qasm(R"(OPENQASM 3.0;
include "stdgates.inc";
gate twist(a) x, y { rx(a) x; cx x, y; rz(2*a) y; }
qubit[3] q;
h q[2];
twist(0.4) q[2], q[0];
)");
    Circuit expanded(3, 0);
    ASSERT_TRUE(expanded.append(GateKind::kH, {2}).ok());
    ASSERT_TRUE(expanded.append(GateKind::kRX, {2}, {Expr(0.4)}).ok());
    ASSERT_TRUE(expanded.append(GateKind::kCX, {2, 0}).ok());
    ASSERT_TRUE(expanded.append(GateKind::kRZ, {0}, {Expr(0.8)}).ok());
    auto a = final_statevector(c);
    auto b = final_statevector(expanded);
    ASSERT_TRUE(a.ok() && b.ok()) << a.status().to_string();
    for (std::size_t i = 0; i < 8; ++i) EXPECT_LT(std::abs((*a)[i] - (*b)[i]), 1e-12) << i;
}

TEST(Simulator, a_wide_mcx_uses_its_kernel) {
    Circuit c(13, 1);
    std::vector<std::uint32_t> qs;
    for (std::uint32_t q = 0; q < 12; ++q) {
        ASSERT_TRUE(c.append(GateKind::kX, {q}).ok());
        qs.push_back(q);
    }
    qs.push_back(12);
    ASSERT_TRUE(c.append(GateKind::kMCX, qs).ok());
    ASSERT_TRUE(c.append(GateKind::kMeasure, {12}, {}, {0}).ok());
    RunOptions o;
    o.shots = 5;
    o.method = Method::kStatevector;
    auto mem = run_shots(c, o);
    ASSERT_TRUE(mem.ok()) << mem.status().to_string();
    for (std::uint64_t s = 0; s < 5; ++s) EXPECT_TRUE(mem->bit(s, 0));
}

TEST(Simulator, final_statevector_refuses_mid_circuit_measurement) {
    auto r = final_statevector(qasm(kTeleport));
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
}

TEST(Simulator, simulate_state_hands_over_the_compact_state_with_its_global_phase) {
    // Qubits 1 and 3 of 9 idle; a global phase; every kernel kind.
    Circuit c = random_circuit(7, 80, 11);
    Circuit wide(9, 0);
    const std::uint32_t to_wide[7] = {0, 2, 4, 5, 6, 7, 8};
    for (const auto& in : c.instructions) {
        std::vector<std::uint32_t> qs;
        for (auto q : in.qubits) qs.push_back(to_wide[q]);
        ASSERT_TRUE(wide.append(in.kind, qs, in.params).ok());
    }
    wide.global_phase = Expr(0.3);
    for (bool single : {false, true}) {
        RunOptions o;
        o.single_precision = single;
        auto want = final_compact_state(wide, o);
        auto got = simulate_state(wide, o);
        ASSERT_TRUE(want.ok() && got.ok());
        EXPECT_EQ(got->qubits, want->qubits);
        ASSERT_EQ(got->state.has_value(), !single);
        ASSERT_EQ(got->state_single.has_value(), single);
        const std::size_t n = single ? got->state_single->size() : got->state->size();
        ASSERT_EQ(n, want->amplitudes.size());
        double worst = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const C a = single ? C(got->state_single->data()[i]) : C(got->state->data()[i]);
            worst = std::max(worst, std::abs(a - want->amplitudes[i]));
        }
        EXPECT_LT(worst, single ? 1e-5 : 1e-12) << "single " << single;
    }
    EXPECT_EQ(simulate_state(qasm(kTeleport)).status().code(), ErrorCode::kInvalidArgument);
}

TEST(Simulator, exact_expectations_on_statevector_and_stabilizer) {
    // rx(0.7) on qubit 0 of 3; qubit 2 idle.
    Circuit c(3, 0);
    ASSERT_TRUE(c.append(GateKind::kRX, {0}, {Expr(0.7)}).ok());
    ASSERT_TRUE(c.append(GateKind::kCX, {0, 1}).ok());
    PauliSum a{{{"IIZ", 1.0}}};
    PauliSum b{{{"ZZI", 2.0}, {"XII", 5.0}, {"YIY", 1.0}}};
    PauliSum d{{{"IZZ", 0.5}, {"III", 0.25}}};
    auto r = exact_expectations(c, {a, b, d});
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_NEAR((*r)[0], std::cos(0.7), 1e-12);
    EXPECT_NEAR((*r)[1], 2 * std::cos(0.7), 1e-12);
    EXPECT_NEAR((*r)[2], 0.75, 1e-12);

    Circuit ghz(200, 0);
    ASSERT_TRUE(ghz.append(GateKind::kH, {0}).ok());
    for (std::uint32_t q = 1; q < 200; ++q) ASSERT_TRUE(ghz.append(GateKind::kCX, {q - 1, q}).ok());
    std::string zz(200, 'I'), xs(200, 'X'), z1(200, 'I');
    zz[0] = zz[199] = 'Z';
    z1[199] = 'Z';
    auto g = exact_expectations(ghz, {PauliSum{{{zz, 1.0}, {xs, 1.0}}}, PauliSum{{{z1, 1.0}}}});
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    EXPECT_NEAR((*g)[0], 2.0, 1e-12);
    EXPECT_NEAR((*g)[1], 0.0, 1e-12);

    auto bad = exact_expectations(c, {PauliSum{{{"ZZ", 1.0}}}});
    EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace qrt::sim
