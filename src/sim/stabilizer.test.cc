#include "sim/stabilizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "circuit/gates.h"
#include "formats/qasm3_reader.h"

namespace qrt::sim {
namespace {

using circuit::GateKind;
using circuit::Instruction;
using cd = std::complex<double>;
constexpr double kPi = std::numbers::pi;

// A tiny dense reference: Qiskit ordering (qubit 0 = least significant bit).
struct Dense {
    unsigned n;
    std::vector<cd> a;
    explicit Dense(unsigned nq) : n(nq), a(std::size_t{1} << nq) { a[0] = 1; }

    void apply(const circuit::Matrix& m, const std::vector<std::uint32_t>& qs) {
        const std::size_t k = qs.size(), dim = std::size_t{1} << k;
        std::vector<cd> in(dim), out(dim);
        for (std::size_t base = 0; base < a.size(); ++base) {
            bool zero = true;
            for (auto q : qs) zero = zero && !((base >> q) & 1U);
            if (!zero) continue;
            auto index = [&](std::size_t j) {
                std::size_t idx = base;
                for (std::size_t b = 0; b < k; ++b) {
                    if ((j >> b) & 1U) idx |= std::size_t{1} << qs[b];
                }
                return idx;
            };
            for (std::size_t j = 0; j < dim; ++j) in[j] = a[index(j)];
            for (std::size_t r = 0; r < dim; ++r) {
                cd s = 0;
                for (std::size_t c = 0; c < dim; ++c)
                    s += m(static_cast<int>(r), static_cast<int>(c)) * in[c];
                out[r] = s;
            }
            for (std::size_t j = 0; j < dim; ++j) a[index(j)] = out[j];
        }
    }

    double expectation(const std::string& label) const {
        std::vector<cd> b = a;
        for (std::size_t i = 0; i < label.size(); ++i) {
            const unsigned q = static_cast<unsigned>(label.size() - 1 - i);
            for (std::size_t idx = 0; idx < b.size(); ++idx) {
                const bool bit = (idx >> q) & 1U;
                switch (label[i]) {
                    case 'Z':
                        if (bit) b[idx] = -b[idx];
                        break;
                    case 'Y':
                        b[idx] *= bit ? cd(0, -1) : cd(0, 1);
                        break;
                    default:
                        break;
                }
            }
            if (label[i] == 'X' || label[i] == 'Y') {
                for (std::size_t idx = 0; idx < b.size(); ++idx) {
                    if (!((idx >> q) & 1U)) std::swap(b[idx], b[idx | (std::size_t{1} << q)]);
                }
            }
        }
        cd s = 0;
        for (std::size_t i = 0; i < a.size(); ++i) s += std::conj(a[i]) * b[i];
        return s.real();
    }

    double prob_one(unsigned q) const {
        double p = 0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            if ((i >> q) & 1U) p += std::norm(a[i]);
        }
        return p;
    }

    void project(unsigned q, int outcome) {
        double norm = 0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (static_cast<int>((i >> q) & 1U) != outcome) a[i] = 0;
            norm += std::norm(a[i]);
        }
        for (auto& v : a) v /= std::sqrt(norm);
    }
};

Instruction make(GateKind k, std::vector<std::uint32_t> qs, std::vector<double> ps = {}) {
    Instruction i;
    i.kind = k;
    i.qubits = std::move(qs);
    for (double p : ps) i.params.emplace_back(p);
    return i;
}

struct GateSpec {
    GateKind kind;
    double angle_unit;  // pi/2 or pi
};

const std::vector<GateSpec>& clifford_gates() {
    static const std::vector<GateSpec> g = {
        {GateKind::kI, 0},         {GateKind::kX, 0},         {GateKind::kY, 0},
        {GateKind::kZ, 0},         {GateKind::kH, 0},         {GateKind::kS, 0},
        {GateKind::kSdg, 0},       {GateKind::kSX, 0},        {GateKind::kSXdg, 0},
        {GateKind::kRX, kPi / 2},  {GateKind::kRY, kPi / 2},  {GateKind::kRZ, kPi / 2},
        {GateKind::kP, kPi / 2},   {GateKind::kU1, kPi / 2},  {GateKind::kR, kPi / 2},
        {GateKind::kU, kPi / 2},   {GateKind::kU3, kPi / 2},  {GateKind::kU2, kPi / 2},
        {GateKind::kCX, 0},        {GateKind::kCY, 0},        {GateKind::kCZ, 0},
        {GateKind::kSwap, 0},      {GateKind::kISwap, 0},     {GateKind::kECR, 0},
        {GateKind::kDCX, 0},       {GateKind::kRXX, kPi / 2}, {GateKind::kRYY, kPi / 2},
        {GateKind::kRZZ, kPi / 2}, {GateKind::kRZX, kPi / 2}, {GateKind::kCP, kPi},
        {GateKind::kCU1, kPi},     {GateKind::kCRX, kPi},     {GateKind::kCRY, kPi},
        {GateKind::kCRZ, kPi},
    };
    return g;
}

Instruction random_clifford(Rng& rng, unsigned n) {
    for (;;) {
        const auto& spec = clifford_gates()[static_cast<std::size_t>(
            rng.uniform_int(0, static_cast<std::int64_t>(clifford_gates().size()) - 1))];
        const auto& info = circuit::gate_info(spec.kind);
        if (static_cast<unsigned>(info.num_qubits) > n) continue;
        std::vector<std::uint32_t> qs;
        while (qs.size() < static_cast<std::size_t>(info.num_qubits)) {
            const auto q = static_cast<std::uint32_t>(rng.uniform_int(0, n - 1));
            if (std::find(qs.begin(), qs.end(), q) == qs.end()) qs.push_back(q);
        }
        std::vector<double> ps;
        for (int i = 0; i < info.num_params; ++i) {
            ps.push_back(static_cast<double>(rng.uniform_int(-8, 8)) * spec.angle_unit);
        }
        return make(spec.kind, qs, ps);
    }
}

void apply_both(Tableau& t, Dense& d, const Instruction& inst) {
    ASSERT_TRUE(t.apply(inst).ok()) << circuit::gate_info(inst.kind).name;
    std::vector<double> ps;
    for (const auto& p : inst.params) ps.push_back(*p.value());
    auto m = circuit::gate_matrix(inst.kind, ps, static_cast<int>(inst.qubits.size()));
    ASSERT_TRUE(m.ok());
    d.apply(*m, inst.qubits);
}

std::string label_of(std::uint64_t code, unsigned len) {
    std::string s(len, 'I');
    for (unsigned i = 0; i < len; ++i) s[len - 1 - i] = "IXYZ"[(code >> (2 * i)) & 3U];
    return s;
}

void expect_same_expectations(const Tableau& t, const Dense& d, Rng& rng, const std::string& ctx) {
    const unsigned n = d.n;
    auto check = [&](const std::string& label) {
        const double exact = d.expectation(label);
        const int got = t.expectation_pauli(label);
        ASSERT_NEAR(exact, got, 1e-9) << ctx << " label " << label;
    };
    if (n <= 4) {
        for (std::uint64_t c = 0; c < (std::uint64_t{1} << (2 * n)); ++c) check(label_of(c, n));
    } else {
        for (int i = 0; i < 300; ++i) check(label_of(rng.next(), n));
    }
}

TEST(Tableau, every_clifford_gate_matches_the_dense_reference) {
    for (const auto& spec : clifford_gates()) {
        const auto& info = circuit::gate_info(spec.kind);
        for (int k = -4; k <= 4; ++k) {
            Rng rng(static_cast<std::uint64_t>(k + 100));
            const unsigned n = 3;
            Tableau t(n);
            Dense d(n);
            // A random stabilizer state first, so that signs and phases all matter.
            for (int i = 0; i < 12; ++i) apply_both(t, d, random_clifford(rng, n));
            std::vector<double> ps(static_cast<std::size_t>(info.num_params));
            for (std::size_t i = 0; i < ps.size(); ++i) {
                ps[i] = (k + static_cast<int>(i)) * spec.angle_unit;
            }
            std::vector<std::uint32_t> qs = {2, 0, 1};
            qs.resize(static_cast<std::size_t>(info.num_qubits));
            apply_both(t, d, make(spec.kind, qs, ps));
            expect_same_expectations(t, d, rng, std::string(info.name) + " k=" + std::to_string(k));
        }
    }
}

TEST(Tableau, random_clifford_circuits_match_the_dense_reference) {
    for (std::uint64_t seed = 1; seed <= 60; ++seed) {
        Rng rng(seed);
        const unsigned n = static_cast<unsigned>(rng.uniform_int(1, 8));
        const auto gates = rng.uniform_int(50, 200);
        Tableau t(n);
        Dense d(n);
        for (std::int64_t g = 0; g < gates; ++g) apply_both(t, d, random_clifford(rng, n));
        expect_same_expectations(t, d, rng, "seed " + std::to_string(seed));
    }
}

TEST(Tableau, measurements_follow_the_dense_distribution_and_collapse_the_state) {
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        Rng rng(seed);
        const unsigned n = static_cast<unsigned>(rng.uniform_int(1, 6));
        Tableau t(n);
        Dense d(n);
        for (int g = 0; g < 80; ++g) apply_both(t, d, random_clifford(rng, n));
        const unsigned q = static_cast<unsigned>(rng.uniform_int(0, n - 1));
        const double p1 = d.prob_one(q);
        int ones = 0;
        const int trials = 400;
        for (int s = 0; s < trials; ++s) {
            Rng mrng(seed * 1000 + static_cast<std::uint64_t>(s));
            Tableau copy = t;
            const int m = copy.measure(q, mrng);
            ones += m;
            if (p1 < 1e-9) {
                ASSERT_EQ(m, 0) << "seed " << seed;
            }
            if (p1 > 1 - 1e-9) {
                ASSERT_EQ(m, 1) << "seed " << seed;
            }
            ASSERT_EQ(
                copy.expectation_pauli(std::string(n - 1 - q, 'I') + "Z" + std::string(q, 'I')),
                m ? -1 : 1);
            if (s < 4) {
                Dense dc = d;
                dc.project(q, m);
                expect_same_expectations(copy, dc, mrng,
                                         "post-measurement seed " + std::to_string(seed));
                // Measuring again repeats the outcome.
                ASSERT_EQ(copy.measure(q, mrng), m);
            }
        }
        if (p1 > 1e-9 && p1 < 1 - 1e-9) {
            ASSERT_NEAR(p1, 0.5, 1e-9);
            EXPECT_GT(ones, trials / 2 - 60) << "seed " << seed;
            EXPECT_LT(ones, trials / 2 + 60) << "seed " << seed;
        }
    }
}

TEST(Tableau, sampled_measurements_are_uniform_over_the_support) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        Rng rng(seed);
        const unsigned n = static_cast<unsigned>(rng.uniform_int(1, 6));
        Tableau t(n);
        Dense d(n);
        for (int g = 0; g < 60; ++g) apply_both(t, d, random_clifford(rng, n));
        std::vector<unsigned> qs(n);
        for (unsigned i = 0; i < n; ++i) qs[i] = i;
        const std::uint64_t shots = 4000;
        const auto bits = t.sample_measurements(qs, shots, rng);
        ASSERT_EQ(bits.size(), shots);
        std::vector<int> counts(std::size_t{1} << n, 0);
        for (auto b : bits) {
            ASSERT_LT(b, counts.size());
            ++counts[b];
        }
        for (std::size_t i = 0; i < counts.size(); ++i) {
            const double p = std::norm(d.a[i]);
            if (p < 1e-12) {
                EXPECT_EQ(counts[i], 0) << "seed " << seed << " outcome " << i;
            } else {
                EXPECT_NEAR(counts[i] / static_cast<double>(shots), p,
                            5 * std::sqrt(p / shots) + 1e-3)
                    << "seed " << seed << " outcome " << i;
            }
        }
        // A subset, reversed, in its own packed order.
        if (n >= 2) {
            const std::vector<unsigned> sub = {n - 1, 0};
            const auto sb = t.sample_measurements(sub, 500, rng);
            for (auto b : sb) {
                const std::size_t full = ((b & 1U) << (n - 1)) | ((b >> 1) & 1U);
                double p = 0;
                for (std::size_t i = 0; i < d.a.size(); ++i) {
                    if ((((i >> (n - 1)) & 1U) << (n - 1) | (i & 1U)) == full)
                        p += std::norm(d.a[i]);
                }
                ASSERT_GT(p, 1e-12) << "seed " << seed;
            }
        }
    }
}

// The dense system lives on 6 qubits spread over a 130-qubit tableau (rows over 5 words) while
// an independent random Clifford circuit entangles the other 124 among themselves.
TEST(Tableau, wide_tableau_with_spectators_matches_the_dense_reference) {
    const unsigned wide = 130;
    const std::vector<unsigned> active = {0, 40, 64, 65, 100, 129};
    std::vector<unsigned> spectators;
    for (unsigned q = 0; q < wide; ++q) {
        if (std::find(active.begin(), active.end(), q) == active.end()) spectators.push_back(q);
    }
    auto remap = [](Instruction inst, const std::vector<unsigned>& to) {
        for (auto& q : inst.qubits) q = to[q];
        return inst;
    };
    auto wide_label = [&](const std::string& small) {
        std::string l(wide, 'I');
        for (std::size_t i = 0; i < small.size(); ++i) {
            const unsigned q = static_cast<unsigned>(small.size() - 1 - i);
            l[wide - 1 - active[q]] = small[i];
        }
        return l;
    };
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        Rng rng(seed);
        Tableau t(wide);
        Dense d(static_cast<unsigned>(active.size()));
        for (int g = 0; g < 150; ++g) {
            const Instruction inst = random_clifford(rng, d.n);
            ASSERT_TRUE(t.apply(remap(inst, active)).ok());
            std::vector<double> ps;
            for (const auto& p : inst.params) ps.push_back(*p.value());
            auto m = circuit::gate_matrix(inst.kind, ps, static_cast<int>(inst.qubits.size()));
            ASSERT_TRUE(m.ok());
            d.apply(*m, inst.qubits);
            for (int k = 0; k < 3; ++k) {
                ASSERT_TRUE(t.apply(remap(random_clifford(rng, wide - d.n), spectators)).ok());
            }
            if (g % 50 == 49) {  // measure an active qubit and a spectator
                const unsigned q = static_cast<unsigned>(rng.uniform_int(0, d.n - 1));
                const int out = t.measure(active[q], rng);
                ASSERT_GT(out == 1 ? d.prob_one(q) : 1 - d.prob_one(q), 1e-9);
                d.project(q, out);
                (void)t.measure(spectators[static_cast<std::size_t>(rng.uniform_int(0, 123))], rng);
            }
        }
        for (int i = 0; i < 400; ++i) {
            const std::string small = label_of(rng.next(), d.n);
            ASSERT_NEAR(d.expectation(small), t.expectation_pauli(wide_label(small)), 1e-9)
                << "seed " << seed << " label " << small;
        }
        const auto bits = t.sample_measurements(active, 300, rng);
        for (auto b : bits) ASSERT_GT(std::norm(d.a[b]), 1e-12) << "seed " << seed;
    }
}

Tableau ghz(unsigned n) {
    Tableau t(n);
    t.h(0);
    for (unsigned q = 1; q < n; ++q) t.cx(q - 1, q);
    return t;
}

TEST(Tableau, ghz_on_1000_qubits_measures_all_equal) {
    const unsigned n = 1000;
    const Tableau t = ghz(n);
    EXPECT_EQ(t.expectation_pauli(std::string(n, 'X')), 1);
    EXPECT_EQ(t.expectation_pauli("-" + std::string(n, 'X')), -1);
    EXPECT_EQ(t.expectation_pauli("Z"), 0);
    for (unsigned i : {0U, 1U, 500U, 998U}) {
        for (unsigned j : {3U, 999U}) {
            if (i == j) continue;
            std::string l(n, 'I');
            l[n - 1 - i] = 'Z';
            l[n - 1 - j] = 'Z';
            EXPECT_EQ(t.expectation_pauli(l), 1);
        }
    }
    std::string yy(n, 'X');
    yy[n - 1] = 'Y';
    yy[n - 2] = 'Y';
    EXPECT_EQ(t.expectation_pauli(yy), -1);  // XX..XYY: two Y = (iXZ)^2 -> Z Z X.. gives -1
    int seen[2] = {0, 0};
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
        Rng rng(seed);
        Tableau c = t;
        const int first = c.measure(n / 2, rng);
        ++seen[first];
        // Every qubit for two seeds (a deterministic measurement costs O(n^2/64)).
        for (unsigned q = 0; q < n; q += seed < 2 ? 1 : 97) {
            ASSERT_EQ(c.measure(q, rng), first) << "qubit " << q;
        }
    }
    EXPECT_GT(seen[0], 0);
    EXPECT_GT(seen[1], 0);
    std::vector<unsigned> all(n);
    for (unsigned q = 0; q < n; ++q) all[q] = q;
    Rng rng(7);
    const auto bits = t.sample_measurements(all, 200, rng);
    const std::size_t W = (n + 63) / 64;
    ASSERT_EQ(bits.size(), 200 * W);
    int ones = 0;
    for (std::size_t s = 0; s < 200; ++s) {
        const bool v = bits[s * W] & 1U;
        ones += v;
        for (std::size_t w = 0; w < W; ++w) {
            const std::uint64_t expect =
                !v ? 0 : (w + 1 < W ? ~std::uint64_t{0} : (std::uint64_t{1} << (n % 64)) - 1);
            ASSERT_EQ(bits[s * W + w], expect);
        }
    }
    EXPECT_GT(ones, 50);
    EXPECT_LT(ones, 150);
}

TEST(Tableau, reset_returns_a_qubit_to_zero) {
    Rng rng(3);
    Tableau t(2);
    t.x(0);
    t.reset(0, rng);
    EXPECT_EQ(t.expectation_pauli("Z"), 1);
    t.h(1);
    t.reset(1, rng);
    EXPECT_EQ(t.expectation_pauli("ZI"), 1);
    // A Bell pair: resetting one half leaves the other in a Z eigenstate.
    t.h(0);
    t.cx(0, 1);
    t.reset(0, rng);
    EXPECT_EQ(t.expectation_pauli("IZ"), 1);
    EXPECT_NE(t.expectation_pauli("ZI"), 0);
}

TEST(Tableau, apply_rejects_non_clifford_gates_naming_gate_and_angle) {
    Tableau t(2);
    Status st = t.apply(make(GateKind::kRZ, {0}, {kPi / 4}));
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("rz"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("0.785398"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("0.25*pi"), std::string::npos) << st.message();
    st = t.apply(make(GateKind::kT, {0}));
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("gate t "), std::string::npos) << st.message();
    st = t.apply(make(GateKind::kCP, {0, 1}, {kPi / 2}));
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("cp"), std::string::npos) << st.message();
    // U(0, phi, lambda) depends on phi + lambda only.
    ASSERT_TRUE(t.apply(make(GateKind::kU, {0}, {0.0, kPi / 4, kPi / 4})).ok());
    ASSERT_TRUE(t.apply(make(GateKind::kU, {0}, {0.0, -kPi / 4, kPi / 4})).ok());
    st = t.apply(make(GateKind::kU, {0}, {kPi / 2, kPi / 4, kPi / 4}));
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("gate u "), std::string::npos) << st.message();
    st = t.apply(make(GateKind::kCCX, {0, 1}));
    ASSERT_FALSE(st.ok());
    st = t.apply(make(GateKind::kH, {5}));
    ASSERT_FALSE(st.ok());
    Instruction unbound = make(GateKind::kRZ, {0});
    circuit::Symbol sym;
    sym.name = "theta";
    unbound.params.push_back(circuit::Expr::symbol(sym));
    st = t.apply(unbound);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("theta"), std::string::npos) << st.message();
    // Nothing changed.
    EXPECT_EQ(t.expectation_pauli("ZZ"), 1);
    EXPECT_EQ(t.expectation_pauli("IZ"), 1);
    EXPECT_THROW((void)t.expectation_pauli("ZQ"), std::invalid_argument);
    EXPECT_THROW((void)t.expectation_pauli("ZZZ"), std::invalid_argument);
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

TEST(Tableau, is_clifford_on_corpus_circuits) {
    const std::filesystem::path dir = QRT_CORPUS_DIR;
    const std::vector<std::pair<std::string, bool>> cases = {
        {"bell", true},
        {"ghz_5", true},
        {"gate_h", true},
        {"gate_sx", true},
        {"gate_ecr", true},
        {"gate_iswap", true},
        {"gate_dcx", true},
        {"reset_measure", true},
        {"barrier_delay", true},
        {"dynamic_if_clbit", true},
        {"dynamic_teleport", false},
        {"dynamic_if_register", false},
        {"ghz_5_isa_brisbane", true},
        {"bell_isa_brisbane", true},
        {"gate_t", false},
        {"qft_4", false},
        {"random_3q_d5_s100", false},
        {"quantum_volume_4", false},
        {"gate_ccx", false},
        {"efficient_su2_3", false},
    };
    for (const auto& [name, want] : cases) {
        const auto text = read_file(dir / (name + ".qasm"));
        ASSERT_FALSE(text.empty()) << name;
        auto c = formats::parse_qasm3(text);
        ASSERT_TRUE(c.ok()) << name << ": " << c.status().message();
        EXPECT_EQ(is_clifford(*c), want) << name;
    }
}

TEST(Tableau, corpus_isa_ghz_runs_on_the_tableau) {
    const std::filesystem::path dir = QRT_CORPUS_DIR;
    auto c = formats::parse_qasm3(read_file(dir / "ghz_5_isa_brisbane.qasm"));
    ASSERT_TRUE(c.ok());
    Tableau t(c->num_qubits());
    Rng rng(11);
    std::vector<unsigned> measured;
    for (const auto& inst : c->instructions) {
        if (inst.kind == GateKind::kMeasure) {
            measured.push_back(inst.qubits[0]);
            continue;
        }
        ASSERT_TRUE(t.apply(inst).ok()) << circuit::gate_info(inst.kind).name;
    }
    ASSERT_EQ(measured.size(), 5U);
    const auto bits = t.sample_measurements(measured, 100, rng);
    for (auto b : bits) EXPECT_TRUE(b == 0 || b == 31) << b;
}

}  // namespace
}  // namespace qrt::sim
