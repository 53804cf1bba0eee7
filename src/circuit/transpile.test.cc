// The transpiler: every result passes validate_isa and has the input's unitary (global phase
// included) once the layout permutation is applied. Small devices are checked on the whole
// virtual subspace; wide ones (the corpus backends) by simulating only the qubits used.
#include "circuit/transpile.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <complex>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "circuit/isa.h"
#include "circuit/matrix_testing.h"

namespace qrt::circuit {
namespace {

namespace fs = std::filesystem;
using C = std::complex<double>;
using K = GateKind;
constexpr double kPi = 3.14159265358979323846;

// ---------------------------------------------------------------- targets

Symbol param(std::string name) {
    Symbol s;
    s.name = std::move(name);
    return s;
}

const std::vector<std::string> kZsx = {"rz", "sx", "x", "id"};

Target line_target(std::string family, std::uint32_t n, bool symmetric) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (std::uint32_t q = 0; q + 1 < n; ++q) edges.emplace_back(q, q + 1);
    auto t = make_target("line_" + family, n, kZsx, family, edges, symmetric, false);
    EXPECT_TRUE(t.ok()) << t.status().to_string();
    return *t;
}

// A 7-qubit heavy-hex cell (ibm_lagos / ibm_nairobi shape), edges in mixed directions.
Target h7_target(std::string family) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges = {
        {0, 1}, {2, 1}, {1, 3}, {5, 3}, {4, 5}, {5, 6}};
    auto t = make_target("h7_" + family, 7, kZsx, family, edges, family != "ecr", false);
    EXPECT_TRUE(t.ok()) << t.status().to_string();
    return *t;
}

// Every standard gate on any qubits (as the ideal simulator's backend), except mcx.
Target all_gates_target(std::uint32_t n) {
    Target t;
    t.backend_name = "all_gates";
    t.num_qubits = n;
    for (const GateInfo& g : all_gates()) {
        if (g.kind == K::kMCX || g.kind == K::kCustom || g.kind == K::kIfElse ||
            g.kind == K::kGlobalPhase || g.kind == K::kBarrier) {
            continue;
        }
        EXPECT_TRUE(t.add_global_instruction(g.name).ok()) << g.name;
    }
    t.derive_lists();
    return t;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const Target& corpus_target(const std::string& name) {
    static std::map<std::string, Target> cache;
    auto it = cache.find(name);
    if (it != cache.end()) return it->second;
    const fs::path dir = fs::path(QRT_CORPUS_DIR) / "backends";
    auto t = target_from_backend_json(slurp(dir / (name + ".configuration.json")),
                                      slurp(dir / (name + ".properties.json")));
    EXPECT_TRUE(t.ok()) << name << ": " << t.status().to_string();
    return cache.emplace(name, t.ok() ? *t : Target{}).first->second;
}

// ---------------------------------------------------------------- simulation

// Applies `m` (Qiskit order: gate qubit 0 = low bit) to `qubits` of a state over `nq` qubits.
void apply(std::vector<C>& state, const Matrix& m, const std::vector<std::uint32_t>& qubits) {
    const std::size_t k = qubits.size();
    const std::size_t gd = std::size_t{1} << k;
    std::size_t mask = 0;
    std::vector<std::size_t> offset(gd, 0);
    for (std::size_t j = 0; j < gd; ++j) {
        for (std::size_t b = 0; b < k; ++b) {
            if (j >> b & 1) offset[j] |= std::size_t{1} << qubits[b];
        }
    }
    for (std::uint32_t q : qubits) mask |= std::size_t{1} << q;
    std::vector<C> in(gd);
    for (std::size_t base = 0; base < state.size(); ++base) {
        if (base & mask) continue;
        for (std::size_t j = 0; j < gd; ++j) in[j] = state[base | offset[j]];
        for (std::size_t r = 0; r < gd; ++r) {
            C acc = 0.0;
            for (std::size_t j = 0; j < gd; ++j) {
                acc += m(static_cast<int>(r), static_cast<int>(j)) * in[j];
            }
            state[base | offset[r]] = acc;
        }
    }
}

// Runs the unitary part of `c` (measure, barrier, delay skipped) on `state`, whose qubit i is the
// circuit's qubit compact_of[i]... expressed through `compact`: circuit qubit -> state qubit.
void run(const Circuit& c, std::vector<C>& state,
         const std::map<std::uint32_t, std::uint32_t>& compact) {
    auto gp = c.global_phase.value();
    ASSERT_TRUE(gp.has_value()) << "free parameters in the global phase";
    for (C& a : state) a *= std::polar(1.0, *gp);
    for (const Instruction& inst : c.instructions) {
        if (inst.kind == K::kMeasure || inst.kind == K::kBarrier || inst.kind == K::kDelay) {
            continue;
        }
        std::vector<double> params;
        for (const Expr& e : inst.params) {
            auto v = e.value();
            ASSERT_TRUE(v.has_value());
            params.push_back(*v);
        }
        auto m = gate_matrix(inst.kind, params, static_cast<int>(inst.qubits.size()));
        ASSERT_TRUE(m.ok()) << m.status().to_string();
        if (m->dim == 1) {
            for (C& a : state) a *= (*m)(0, 0);
            continue;
        }
        std::vector<std::uint32_t> qs;
        for (std::uint32_t q : inst.qubits) qs.push_back(compact.at(q));
        apply(state, *m, qs);
    }
}

// Checks that `r` implements `original` (no measurements, bound) up to the layout: for random
// input states on the virtual qubits (placed by initial_layout, ancillas |0>), the physical
// output equals the original's output placed by final_layout, global phase included. A random
// input tells two different unitaries apart with probability 1. Only the qubits the result
// touches are simulated.
::testing::AssertionResult equivalent(const Circuit& original, const TranspileResult& r,
                                      int inputs = 2) {
    auto u = circuit_unitary(original, 12);
    if (!u.ok()) return ::testing::AssertionFailure() << u.status().to_string();
    const std::uint32_t n = original.num_qubits();
    std::set<std::uint32_t> touched(r.initial_layout.begin(), r.initial_layout.end());
    touched.insert(r.final_layout.begin(), r.final_layout.end());
    for (const Instruction& inst : r.circuit.instructions) {
        touched.insert(inst.qubits.begin(), inst.qubits.end());
    }
    if (touched.size() > 18) {
        return ::testing::AssertionFailure() << touched.size() << " qubits touched";
    }
    std::map<std::uint32_t, std::uint32_t> compact;
    for (std::uint32_t q : touched) compact.emplace(q, static_cast<std::uint32_t>(compact.size()));
    const std::size_t dim = std::size_t{1} << touched.size();
    const std::size_t vdim = std::size_t{1} << n;
    auto embed = [&](std::size_t basis, const std::vector<std::uint32_t>& layout) {
        std::size_t idx = 0;
        for (std::uint32_t v = 0; v < n; ++v) {
            if (basis >> v & 1) idx |= std::size_t{1} << compact.at(layout[v]);
        }
        return idx;
    };
    std::mt19937_64 rng(12345);
    std::normal_distribution<double> normal;
    for (int input = 0; input < inputs; ++input) {
        std::vector<C> v(vdim);
        double norm = 0;
        for (C& a : v) {
            a = C(normal(rng), normal(rng));
            norm += std::norm(a);
        }
        for (C& a : v) a /= std::sqrt(norm);
        std::vector<C> state(dim, 0.0);
        for (std::size_t j = 0; j < vdim; ++j) state[embed(j, r.initial_layout)] = v[j];
        run(r.circuit, state, compact);
        std::vector<C> want(dim, 0.0);
        for (std::size_t k = 0; k < vdim; ++k) {
            C acc = 0.0;
            for (std::size_t j = 0; j < vdim; ++j) {
                acc += (*u)(static_cast<int>(k), static_cast<int>(j)) * v[j];
            }
            want[embed(k, r.final_layout)] = acc;
        }
        for (std::size_t i = 0; i < dim; ++i) {
            if (std::abs(state[i] - want[i]) > 1e-8) {
                return ::testing::AssertionFailure()
                       << "random input " << input << ": amplitude " << i << " is " << state[i]
                       << ", expected " << want[i];
            }
        }
    }
    return ::testing::AssertionSuccess();
}

Result<TranspileResult> transpile_checked(const Circuit& c, const Target& t,
                                          TranspileOptions options = {}) {
    auto r = transpile(c, t, options);
    if (r.ok()) {
        Status s = validate_isa(r->circuit, t);
        EXPECT_TRUE(s.ok()) << s.to_string();
        EXPECT_EQ(r->circuit.num_qubits(), t.num_qubits);
        EXPECT_EQ(r->initial_layout.size(), c.num_qubits());
        EXPECT_EQ(r->final_layout.size(), c.num_qubits());
    }
    return r;
}

// ---------------------------------------------------------------- circuits

Circuit bell() {
    Circuit c(2, 0);
    EXPECT_TRUE(c.append(K::kH, {0}).ok());
    EXPECT_TRUE(c.append(K::kCX, {0, 1}).ok());
    return c;
}

Circuit ghz(std::uint32_t n) {
    Circuit c(n, 0);
    EXPECT_TRUE(c.append(K::kH, {0}).ok());
    for (std::uint32_t q = 1; q < n; ++q) EXPECT_TRUE(c.append(K::kCX, {0, q}).ok());
    return c;
}

Circuit qft(std::uint32_t n) {
    Circuit c(n, 0);
    for (std::uint32_t j = n; j-- > 0;) {
        EXPECT_TRUE(c.append(K::kH, {j}).ok());
        for (std::uint32_t k = j; k-- > 0;) {
            EXPECT_TRUE(c.append(K::kCP, {k, j}, {kPi / std::ldexp(1.0, static_cast<int>(j - k))})
                            .ok());
        }
    }
    for (std::uint32_t q = 0; q < n / 2; ++q) EXPECT_TRUE(c.append(K::kSwap, {q, n - 1 - q}).ok());
    return c;
}

// The unitary gates a random circuit on `n` qubits can use (fixed arity <= n, plus mcx).
std::vector<const GateInfo*> gate_pool(std::uint32_t n) {
    std::vector<const GateInfo*> out;
    for (const GateInfo& g : all_gates()) {
        if (!g.unitary || g.kind == K::kGlobalPhase) continue;
        if (g.num_qubits > static_cast<int>(n)) continue;
        if (g.kind == K::kMCX && n < 2) continue;
        out.push_back(&g);
    }
    return out;
}

Circuit random_circuit(std::uint32_t n, std::size_t gates, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> angle(-2 * kPi, 2 * kPi);
    const auto pool = gate_pool(n);
    Circuit c(n, 0);
    c.global_phase = angle(rng);
    for (std::size_t i = 0; i < gates; ++i) {
        const GateInfo& g = *pool[rng() % pool.size()];
        std::uint32_t arity = g.num_qubits > 0 ? static_cast<std::uint32_t>(g.num_qubits)
                                               : 2 + static_cast<std::uint32_t>(rng() % (n - 1));
        std::vector<std::uint32_t> qs(n);
        for (std::uint32_t q = 0; q < n; ++q) qs[q] = q;
        std::shuffle(qs.begin(), qs.end(), rng);
        qs.resize(arity);
        std::vector<Expr> params;
        for (int p = 0; p < g.num_params; ++p) params.emplace_back(angle(rng));
        EXPECT_TRUE(c.append(g.kind, qs, params).ok()) << g.name;
    }
    return c;
}

// Two-qubit gate count of a result.
std::size_t count_two_qubit(const Circuit& c) {
    std::size_t k = 0;
    for (const Instruction& i : c.instructions) k += i.qubits.size() == 2 ? 1 : 0;
    return k;
}

// ---------------------------------------------------------------- tests

TEST(Transpile, every_standard_gate_decomposes_exactly_on_ecr_cz_and_cx_lines) {
    for (const char* family : {"ecr", "cz", "cx"}) {
        const Target t = line_target(family, 5, std::string(family) == "cz");
        for (const GateInfo& g : all_gates()) {
            if (!g.unitary) continue;
            const std::uint32_t arity =
                g.kind == K::kMCX ? 5 : static_cast<std::uint32_t>(std::max(g.num_qubits, 1));
            Circuit c(std::max<std::uint32_t>(arity, 1), 0);
            std::vector<std::uint32_t> qs;
            // Reversed operands, so direction handling is exercised too.
            for (std::uint32_t q = arity; q-- > 0;) qs.push_back(q);
            if (g.kind == K::kGlobalPhase) qs.clear();
            std::vector<Expr> params;
            for (int p = 0; p < g.num_params; ++p) params.emplace_back(0.3 + 0.7 * p);
            ASSERT_TRUE(c.append(g.kind, qs, params).ok()) << g.name;
            for (int level : {0, 1}) {
                auto r = transpile_checked(c, t, {level, 7});
                ASSERT_TRUE(r.ok()) << family << " " << g.name << ": " << r.status().to_string();
                EXPECT_TRUE(equivalent(c, *r)) << family << " " << g.name << " level " << level;
            }
        }
    }
}

TEST(Transpile, random_circuits_of_two_to_six_qubits_keep_their_unitary) {
    const std::vector<Target> targets = {h7_target("ecr"), h7_target("cz"), line_target("cx", 6, false)};
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        const std::uint32_t n = 2 + static_cast<std::uint32_t>(seed % 5);
        const Circuit c = random_circuit(n, 12, seed);
        for (const Target& t : targets) {
            if (n > t.num_qubits) continue;
            for (int level : {0, 1}) {
                auto r = transpile_checked(c, t, {level, seed});
                ASSERT_TRUE(r.ok()) << "seed " << seed << " on " << t.backend_name << ": "
                                    << r.status().to_string();
                EXPECT_TRUE(equivalent(c, *r))
                    << "seed " << seed << " n " << n << " on " << t.backend_name << " level "
                    << level;
            }
        }
    }
}

TEST(Transpile, bell_ghz_and_qft_fit_the_corpus_backends) {
    for (const char* name : {"fake_brisbane", "fake_torino", "fake_manila"}) {
        const Target& t = corpus_target(name);
        for (const Circuit& c : {bell(), ghz(5), qft(4), random_circuit(5, 25, 99)}) {
            auto r = transpile_checked(c, t);
            ASSERT_TRUE(r.ok()) << name << ": " << r.status().to_string();
            EXPECT_TRUE(equivalent(c, *r)) << name << " " << c.num_qubits() << " qubits";
        }
    }
}

TEST(Transpile, ghz_on_a_heavy_hex_device_needs_no_more_than_a_few_swaps) {
    const Target& t = corpus_target("fake_brisbane");
    auto r = transpile_checked(ghz(5), t);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_LE(r->swaps, 2);
    // One native gate per cx, three per swap, nothing else.
    EXPECT_LE(count_two_qubit(r->circuit), 4u + 3u * static_cast<std::size_t>(r->swaps));
}

TEST(Transpile, layout_avoids_the_worst_qubits_and_uses_only_listed_edges) {
    // On a 5-qubit line whose qubit 0 reads badly, a 2-qubit circuit avoids qubit 0.
    Target t = line_target("ecr", 5, false);
    t.instructions["measure"].qargs[{0}].error = 0.4;
    t.instructions["ecr"].qargs[{1, 2}].error = 0.2;
    auto r = transpile_checked(bell(), t);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    for (std::uint32_t p : r->initial_layout) EXPECT_NE(p, 0u);
    EXPECT_FALSE(r->initial_layout[0] + r->initial_layout[1] == 3 &&
                 std::min(r->initial_layout[0], r->initial_layout[1]) == 1)
        << "picked the bad edge (1, 2)";
}

TEST(Transpile, parameterized_circuits_bind_to_the_same_state_as_binding_first) {
    const Symbol theta = param("theta"), phi = param("phi"), lam = param("lam");
    const Expr t = Expr::symbol(theta), f = Expr::symbol(phi), l = Expr::symbol(lam);
    Circuit c(3, 0);
    ASSERT_TRUE(c.append(K::kH, {0}).ok());
    ASSERT_TRUE(c.append(K::kRX, {0}, {t}).ok());
    ASSERT_TRUE(c.append(K::kRY, {1}, {f + 1.0}).ok());
    ASSERT_TRUE(c.append(K::kRZ, {2}, {l * 2.0}).ok());
    ASSERT_TRUE(c.append(K::kP, {2}, {t}).ok());
    ASSERT_TRUE(c.append(K::kU, {1}, {t, f, l}).ok());
    ASSERT_TRUE(c.append(K::kCRZ, {0, 2}, {f}).ok());
    ASSERT_TRUE(c.append(K::kRZZ, {1, 2}, {t - f}).ok());
    ASSERT_TRUE(c.append(K::kCU, {2, 0}, {t, f, l, 0.25}).ok());
    ASSERT_TRUE(c.append(K::kR, {1}, {l, t}).ok());
    ASSERT_TRUE(c.append(K::kXXPlusYY, {0, 1}, {t, l}).ok());
    c.global_phase = f;
    for (const Target& target : {h7_target("ecr"), h7_target("cz")}) {
        auto r = transpile_checked(c, target);
        ASSERT_TRUE(r.ok()) << r.status().to_string();
        EXPECT_EQ(r->circuit.parameters().size(), 3u);
        for (const std::vector<double>& values :
             {std::vector<double>{0.1, 0.2, 0.3}, {-1.3, 2.9, 0.0}, {0.0, 0.0, 0.0}}) {
            auto bound_first = c.bind(values);
            auto bound_after = r->circuit.bind(values);
            ASSERT_TRUE(bound_first.ok() && bound_after.ok());
            TranspileResult rb = *r;
            rb.circuit = *bound_after;
            EXPECT_TRUE(equivalent(*bound_first, rb)) << target.backend_name;
        }
    }
}

TEST(Transpile, rz_stays_symbolic_and_one_rotation) {
    Circuit c(1, 0);
    ASSERT_TRUE(c.append(K::kRZ, {0}, {Expr::symbol(param("a"))}).ok());
    ASSERT_TRUE(c.append(K::kH, {0}).ok());
    auto r = transpile_checked(c, corpus_target("fake_manila"));
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    ASSERT_GE(r->circuit.instructions.size(), 1u);
    EXPECT_EQ(r->circuit.instructions[0].kind, K::kRZ);
    EXPECT_FALSE(r->circuit.instructions[0].params[0].is_constant());
}

// Runs a transpiled classical (permutation) circuit from |0...0> and reads each measurement off
// the basis state it finds: clbit -> value.
std::map<std::uint32_t, int> measured_bits(const TranspileResult& r) {
    std::set<std::uint32_t> touched;
    for (const Instruction& inst : r.circuit.instructions) {
        touched.insert(inst.qubits.begin(), inst.qubits.end());
    }
    std::map<std::uint32_t, std::uint32_t> compact;
    for (std::uint32_t q : touched) compact.emplace(q, static_cast<std::uint32_t>(compact.size()));
    std::vector<C> state(std::size_t{1} << touched.size(), 0.0);
    state[0] = 1.0;
    std::map<std::uint32_t, int> bits;
    Circuit prefix = r.circuit;
    prefix.instructions.clear();
    prefix.global_phase = 0.0;
    for (const Instruction& inst : r.circuit.instructions) {
        if (inst.kind != K::kMeasure) {
            prefix.instructions.push_back(inst);
            continue;
        }
        std::vector<C> s = state;
        run(prefix, s, compact);
        // Other qubits may be mid-way through a gate's corrections; the measured one is not.
        double p1 = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (i >> compact.at(inst.qubits[0]) & 1) p1 += std::norm(s[i]);
        }
        EXPECT_TRUE(p1 < 1e-9 || p1 > 1 - 1e-9) << "P(1) = " << p1 << " at a measurement";
        bits[inst.clbits[0]] = p1 > 0.5 ? 1 : 0;
    }
    return bits;
}

TEST(Transpile, measurements_land_on_the_right_physical_qubit) {
    for (const char* name : {"fake_brisbane", "fake_torino", "fake_manila"}) {
        // A classical circuit whose cx ring forces swaps on heavy-hex; each qubit is measured
        // to a shuffled clbit, some in the middle of the circuit.
        Circuit c(5, 5);
        const std::uint32_t clbit_of[5] = {3, 0, 4, 1, 2};
        ASSERT_TRUE(c.append(K::kX, {0}).ok());
        ASSERT_TRUE(c.append(K::kX, {3}).ok());
        std::vector<int> value = {1, 0, 0, 1, 0};
        int middle_value = -1;
        for (std::uint32_t q = 0; q < 5; ++q) {
            const std::uint32_t a = (q + 1) % 5, b = (q + 2) % 5;
            ASSERT_TRUE(c.append(K::kCX, {q, a}).ok());
            value[a] ^= value[q];
            ASSERT_TRUE(c.append(K::kCX, {q, b}).ok());
            value[b] ^= value[q];
            if (q == 2) {
                ASSERT_TRUE(c.append(K::kMeasure, {1}, {}, {clbit_of[1]}).ok());
                middle_value = value[1];
            }
        }
        const std::vector<int> final_value = value;
        for (std::uint32_t q : {0u, 2u, 3u, 4u}) {
            ASSERT_TRUE(c.append(K::kMeasure, {q}, {}, {clbit_of[q]}).ok());
        }
        auto r = transpile_checked(c, corpus_target(name));
        ASSERT_TRUE(r.ok()) << r.status().to_string();
        EXPECT_GT(r->swaps, 0) << name;
        const auto bits = measured_bits(*r);
        ASSERT_EQ(bits.size(), 5u);
        for (std::uint32_t q : {0u, 2u, 3u, 4u}) {
            EXPECT_EQ(bits.at(clbit_of[q]), final_value[q]) << name << " virtual " << q;
        }
        EXPECT_EQ(bits.at(clbit_of[1]), middle_value) << name << " virtual 1";
    }
}

TEST(Transpile, a_circuit_wider_than_the_device_is_refused) {
    auto r = transpile(ghz(6), corpus_target("fake_manila"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              "the circuit has 6 qubits but the target 'ibmq_manila' has only 5");
}

TEST(Transpile, unsupported_operations_are_refused_with_their_name) {
    // if_else whose body needs translation.
    Circuit c(1, 1);
    ASSERT_TRUE(c.append(K::kMeasure, {0}, {}, {0}).ok());
    auto body = std::make_shared<Circuit>(1, 1);
    ASSERT_TRUE(body->append(K::kH, {0}).ok());
    Instruction cond;
    cond.kind = K::kIfElse;
    cond.qubits = {0};
    cond.clbits = {0};
    cond.condition = Condition{};
    cond.then_body = body;
    c.append(cond);
    auto r = transpile(c, corpus_target("fake_brisbane"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kUnimplemented);
    EXPECT_NE(r.status().message().find("if_else"), std::string::npos) << r.status().message();

    // reset on a target without reset.
    Target t = line_target("cz", 3, true);
    t.instructions.erase("reset");
    t.derive_lists();
    Circuit d(1, 0);
    ASSERT_TRUE(d.append(K::kH, {0}).ok());
    ASSERT_TRUE(d.append(K::kReset, {0}).ok());
    auto rr = transpile(d, t);
    ASSERT_FALSE(rr.ok());
    EXPECT_EQ(rr.status().code(), ErrorCode::kUnimplemented);
    EXPECT_NE(rr.status().message().find("reset"), std::string::npos) << rr.status().message();

    // Two-qubit gates on a target without any.
    auto lone = make_target("no_2q", 2, kZsx, "", {}, false, false);
    ASSERT_TRUE(lone.ok());
    auto r2 = transpile(bell(), *lone);
    ASSERT_FALSE(r2.ok());
    EXPECT_EQ(r2.status().code(), ErrorCode::kUnimplemented);
    EXPECT_NE(r2.status().message().find("no cx, ecr or cz"), std::string::npos);
}

TEST(Transpile, an_isa_circuit_comes_back_unchanged) {
    const Target t = line_target("ecr", 3, false);
    Circuit c(3, 1);
    ASSERT_TRUE(c.append(K::kSX, {2}).ok());
    ASSERT_TRUE(c.append(K::kECR, {1, 2}).ok());
    ASSERT_TRUE(c.append(K::kMeasure, {2}, {}, {0}).ok());
    auto r = transpile_checked(c, t);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->swaps, 0);
    EXPECT_EQ(r->initial_layout, (std::vector<std::uint32_t>{0, 1, 2}));
    EXPECT_EQ(r->circuit.instructions.size(), 3u);
    EXPECT_EQ(r->circuit.instructions[1].kind, K::kECR);
}

TEST(Transpile, one_qubit_runs_merge_into_at_most_two_sx) {
    const Target t = line_target("cz", 2, true);
    Circuit c(1, 0);
    for (K k : {K::kH, K::kT, K::kH, K::kS, K::kY, K::kSXdg, K::kH}) ASSERT_TRUE(c.append(k, {0}).ok());
    auto r = transpile_checked(c, t);
    ASSERT_TRUE(r.ok());
    std::size_t sx = 0;
    for (const Instruction& i : r->circuit.instructions) sx += i.kind == K::kSX ? 1 : 0;
    EXPECT_LE(sx, 2u);
    EXPECT_LE(r->circuit.instructions.size(), 5u);
    EXPECT_TRUE(equivalent(c, *r));

    // h h is the identity; x stays x; sx stays sx; h is one sx between two rz.
    struct Case {
        std::vector<K> gates;
        std::vector<K> want;
    };
    for (const Case& k : std::vector<Case>{{{K::kH, K::kH}, {}},
                                           {{K::kX}, {K::kX}},
                                           {{K::kY}, {K::kX, K::kRZ}},
                                           {{K::kSX}, {K::kSX}},
                                           {{K::kH}, {K::kRZ, K::kSX, K::kRZ}},
                                           {{K::kT, K::kTdg}, {}}}) {
        Circuit one(1, 0);
        for (K g : k.gates) ASSERT_TRUE(one.append(g, {0}).ok());
        auto ro = transpile_checked(one, t);
        ASSERT_TRUE(ro.ok());
        std::vector<K> got;
        for (const Instruction& i : ro->circuit.instructions) got.push_back(i.kind);
        EXPECT_EQ(got, k.want) << gate_info(k.gates[0]).name;
        EXPECT_TRUE(equivalent(one, *ro));
    }
}

TEST(Transpile, adjacent_inverse_two_qubit_pairs_cancel) {
    const Target t = line_target("ecr", 2, false);
    Circuit c(2, 0);
    ASSERT_TRUE(c.append(K::kH, {0}).ok());
    ASSERT_TRUE(c.append(K::kCX, {0, 1}).ok());
    ASSERT_TRUE(c.append(K::kCX, {0, 1}).ok());
    ASSERT_TRUE(c.append(K::kCZ, {0, 1}).ok());
    ASSERT_TRUE(c.append(K::kCZ, {1, 0}).ok());
    auto r = transpile_checked(c, t);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(count_two_qubit(r->circuit), 0u);
    EXPECT_TRUE(equivalent(c, *r));
    auto r0 = transpile_checked(c, t, {0, 0});
    ASSERT_TRUE(r0.ok());
    EXPECT_GT(count_two_qubit(r0->circuit), 0u);
    EXPECT_TRUE(equivalent(c, *r0));
}

TEST(Transpile, the_same_seed_gives_the_same_circuit) {
    const Target& t = corpus_target("fake_torino");
    const Circuit c = random_circuit(6, 40, 5);
    auto a = transpile_checked(c, t, {1, 42});
    auto b = transpile_checked(c, t, {1, 42});
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->initial_layout, b->initial_layout);
    EXPECT_EQ(a->circuit.instructions.size(), b->circuit.instructions.size());
    EXPECT_EQ(a->swaps, b->swaps);
}

TEST(Transpile, custom_gates_are_inlined_with_their_parameters) {
    const Symbol a = param("a"), x = param("x");
    Circuit body(2, 0);
    ASSERT_TRUE(body.append(K::kRY, {0}, {Expr::symbol(a) * 2.0}).ok());
    ASSERT_TRUE(body.append(K::kCX, {0, 1}).ok());
    body.global_phase = Expr::symbol(a);
    auto g = std::make_shared<CustomGate>();
    g->name = "mine";
    g->params = {a};
    g->num_qubits = 2;
    g->body = std::make_shared<const Circuit>(body);
    Circuit c(2, 0);
    Instruction inst;
    inst.kind = K::kCustom;
    inst.custom = g;
    inst.qubits = {1, 0};
    inst.params = {Expr::symbol(x) + 0.5};
    c.append(inst);
    auto r = transpile_checked(c, h7_target("cz"));
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    auto bound = r->circuit.bind(std::vector<double>{0.7});
    auto want = c.bind(std::vector<double>{0.7});
    ASSERT_TRUE(bound.ok() && want.ok());
    TranspileResult rb = *r;
    rb.circuit = *bound;
    EXPECT_TRUE(equivalent(*want, rb));
}

TEST(Transpile, a_target_with_every_gate_keeps_what_it_runs) {
    const Target t = all_gates_target(5);
    Circuit c(5, 0);
    ASSERT_TRUE(c.append(K::kCCX, {0, 1, 2}).ok());
    ASSERT_TRUE(c.append(K::kMCX, {0, 1, 2, 3, 4}).ok());
    ASSERT_TRUE(c.append(K::kH, {4}).ok());
    auto r = transpile_checked(c, t);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->swaps, 0);
    EXPECT_EQ(r->circuit.instructions.front().kind, K::kCCX);
    EXPECT_TRUE(equivalent(c, *r));
}

}  // namespace
}  // namespace qrt::circuit
