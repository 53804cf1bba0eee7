#include "formats/qasm3_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <numbers>
#include <random>
#include <string>

#include "formats/qasm3_reader.h"
#include "formats/qasm_gates.h"
#include "formats/qasm_testing.h"

namespace qrt::formats {
namespace {

using circuit::Circuit;
using circuit::Expr;
using circuit::ExprOp;
using circuit::GateKind;
using circuit::Instruction;
using circuit::Symbol;
using testing::ir_difference;
using testing::summarize;

// parse -> write -> parse gives the same IR, and writing again gives the same text.
void expect_round_trip(const Circuit& c) {
    const std::string text = write_qasm3(c);
    auto back = parse_qasm3(text);
    ASSERT_TRUE(back.ok()) << back.status().to_string() << "\n" << text;
    EXPECT_EQ(ir_difference(c, *back), "") << text;
    EXPECT_EQ(write_qasm3(*back), text);
}

TEST(Qasm3Writer, writes_a_bell_circuit_like_qiskit) {
    auto c = parse_qasm3("bit[2] c;\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\nc = measure q;\n");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(write_qasm3(*c),
              "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nbit[2] c;\nqubit[2] q;\nh q[0];\n"
              "cx q[0], q[1];\nc[0] = measure q[0];\nc[1] = measure q[1];\n");
}

TEST(Qasm3Writer, writes_isa_circuits_on_physical_qubits_with_definitions_first) {
    auto c = parse_qasm3("bit[1] meas;\nrz(pi/2) $0;\necr $0, $1;\nrzz(0.25) $1, $0;\n"
                         "meas[0] = measure $1;\n");
    ASSERT_TRUE(c.ok());
    const std::string text = write_qasm3(*c);
    EXPECT_EQ(text, std::string("OPENQASM 3.0;\ninclude \"stdgates.inc\";\n") +
                        std::string(qasm::standard_definition(GateKind::kECR)) +
                        std::string(qasm::standard_definition(GateKind::kRZZ)) +
                        "bit[1] meas;\nrz(pi/2) $0;\necr $0, $1;\nrzz(0.25) $1, $0;\n"
                        "meas[0] = measure $1;\n");
    expect_round_trip(*c);
}

TEST(Qasm3Writer, prints_numbers_that_read_back_exactly) {
    const double pi = std::numbers::pi;
    struct Case {
        double value;
        const char* text;
    } cases[] = {
        {pi / 2, "pi/2"}, {-pi / 4, "-pi/4"}, {3 * pi / 4, "3*pi/4"}, {pi, "pi"}, {-pi, "-pi"},
        {2 * pi, "2*pi"}, {0.1, "0.1"}, {1e-10, "1e-10"}, {0, "0"}, {2, "2"},
        {1.5707963267948968, "1.5707963267948968"},  // one ulp from pi/2: not printed as pi/2
    };
    for (const Case& k : cases) {
        Circuit c(1, 0);
        ASSERT_TRUE(c.append(GateKind::kRZ, {0}, {Expr(k.value)}).ok());
        const std::string text = write_qasm3(c);
        EXPECT_NE(text.find("rz(" + std::string(k.text) + ") $0;"), std::string::npos) << text;
        auto back = parse_qasm3(text);
        ASSERT_TRUE(back.ok()) << back.status().to_string();
        const double v = *back->instructions[0].params[0].value();
        EXPECT_EQ(std::memcmp(&v, &k.value, sizeof v), 0) << k.text;
    }
}

TEST(Qasm3Writer, names_vector_elements_as_qiskit_does) {
    Circuit c(1, 0);
    Symbol x3{"x[3]", {}, "x", 3, 4};
    Symbol theta{"theta", {}, "", 0, 0};
    ASSERT_TRUE(c.append(GateKind::kRZ, {0}, {Expr::symbol(x3) * 2.0 + Expr::symbol(theta)}).ok());
    const std::string text = write_qasm3(c);
    EXPECT_NE(text.find("input float[64] theta;\ninput float[64] _x_3_;\n"), std::string::npos) << text;
    auto back = parse_qasm3(text);
    ASSERT_TRUE(back.ok()) << back.status().to_string();
    const auto params = back->parameters();
    ASSERT_EQ(params.size(), 2u);
    EXPECT_EQ(params[0].name, "theta");
    EXPECT_EQ(params[1].name, "x[3]");
    expect_round_trip(c);
}

TEST(Qasm3Writer, writes_global_phase_unless_asked_not_to) {
    Circuit c(1, 0);
    c.global_phase = Expr(0.5);
    ASSERT_TRUE(c.append(GateKind::kX, {0}).ok());
    EXPECT_NE(write_qasm3(c).find("gphase(0.5);\nx $0;\n"), std::string::npos);
    Qasm3WriteOptions no_phase;
    no_phase.global_phase = false;
    EXPECT_EQ(write_qasm3(c, no_phase).find("gphase"), std::string::npos);
    expect_round_trip(c);
}

const char* const kRoundTrips[] = {
    "bit[2] c;\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\nc = measure q;\n",
    "input float[64] a;\ninput float[64] b;\nqubit[2] q;\nrz(2*a + 1) q[0];\nrx(-(a*b)) q[1];\n"
    "ry(a - (b - 1)) q[0];\np((a + b)*pi/2) q[1];\nrz(a/(b/2)) q[0];\nrz((-a)**2) q[0];\n"
    "rz(a**b**2) q[1];\nrz((a**b)**2) q[1];\nrz(sin(a)*cos(b) + tan(a) - exp(b)) q[0];\n"
    "rz(log(a) + arcsin(a) + arccos(b) + arctan(a)) q[0];\nrz(abs(a)*sign(b)*conj(a)) q[0];\n"
    "rz(a*-pi/2) q[0];\nrz(a*(pi/2)) q[0];\nrz(-0.5*a + -a) q[0];\nrz(a**-0.5) q[0];\n",
    "qubit[2] q;\nbit[2] c;\nc[0] = measure q[0];\nif (c[0]) { x q[1]; } else { h q[1]; }\n"
    "if (c == 3) x q[0];\nif (!c[1]) { z q[1]; cx q[1], q[0]; }\n"
    "if (c[0]) { if (c == 1) { x q[0]; } }\n",
    "gate mine(t) a, b { rz(t/2) a; cx a, b; gphase(0.5); }\ngate outer(t) a, b, c { mine(t) a, b; "
    "mine(2*t) b, c; }\nqubit[3] q;\nouter(0.5) q[2], q[0], q[1];\nmine(1) q[0], q[1];\n",
    "bit b;\nbit[2] c;\nbit d;\nqubit a;\nqubit[2] q;\nb = measure a;\nd = measure q[1];\n"
    "if (b) { x q[0]; }\n",
    "qubit[4] q;\nmcx q[0], q[1];\nmcx q[0], q[1], q[2];\nmcx q[0], q[1], q[2], q[3];\n"
    "c3x q[0], q[1], q[2], q[3];\nc3sx q[0], q[1], q[2], q[3];\nrcccx q[0], q[1], q[2], q[3];\n",
    "delay[100dt] $0;\ndelay[1.5us] $1;\ndelay[2e-06s] $0;\nbarrier $0, $1;\nreset $1;\n",
    "gphase(0.25);\nqubit q;\nU(0.1, 0.2, 0.3) q;\nr(0.1, 0.2) q;\nu2(0.1, 0.2) q;\n",
    "qubit[2] input_;\nbit[1] gate_;\ngate_[0] = measure input_[1];\n",
};

TEST(Qasm3Writer, round_trips_the_programs_of_the_table) {
    for (const char* program : kRoundTrips) {
        SCOPED_TRACE(program);
        auto c = parse_qasm3(program);
        ASSERT_TRUE(c.ok()) << c.status().to_string();
        expect_round_trip(*c);
    }
}

// Each definition the writer emits for a gate outside stdgates.inc equals the gate (up to the
// global phase that Qiskit's exporter drops too).
TEST(Qasm3Writer, definitions_of_standard_gates_match_their_matrices) {
    const double angles[] = {0.37, -1.1, 2.3, 0.6};
    for (const auto& info : circuit::all_gates()) {
        const std::string_view def = qasm::standard_definition(info.kind);
        if (def.empty()) continue;
        SCOPED_TRACE(std::string(info.name));
        const std::string name(qasm::qasm3_name(info.kind));
        std::string program(def);
        program.replace(program.find(name), name.size(), name + "_def");
        program += "qubit[" + std::to_string(info.num_qubits) + "] q;\n" + name + "_def";
        if (info.num_params > 0) {
            program += "(";
            for (int i = 0; i < info.num_params; ++i) program += (i ? ", " : "") + std::to_string(angles[i]);
            program += ")";
        }
        for (int i = 0; i < info.num_qubits; ++i) program += (i ? ", q[" : " q[") + std::to_string(i) + "]";
        program += ";\n";
        auto c = parse_qasm3(program);
        ASSERT_TRUE(c.ok()) << c.status().to_string() << "\n" << program;
        ASSERT_EQ(c->instructions[0].kind, GateKind::kCustom);
        auto u = circuit::circuit_unitary(*c);
        ASSERT_TRUE(u.ok()) << u.status().to_string();
        std::vector<double> params;
        for (int i = 0; i < info.num_params; ++i) params.push_back(std::stod(std::to_string(angles[i])));
        auto m = circuit::gate_matrix(info.kind, params, info.num_qubits);
        ASSERT_TRUE(m.ok()) << m.status().to_string();
        // Phase from the largest entry, then compare everything.
        std::size_t k = 0;
        for (std::size_t i = 0; i < m->data.size(); ++i) {
            if (std::abs(m->data[i]) > std::abs(m->data[k])) k = i;
        }
        const std::complex<double> phase = u->data[k] / m->data[k];
        EXPECT_NEAR(std::abs(phase), 1.0, 1e-12);
        double worst = 0;
        for (std::size_t i = 0; i < m->data.size(); ++i) {
            worst = std::max(worst, std::abs(u->data[i] - phase * m->data[i]));
        }
        EXPECT_LT(worst, 1e-12) << program;
    }
}

// Random circuits built through the IR API (every standard gate, symbolic and numeric angles,
// measurements, conditions) survive write -> parse unchanged.
TEST(Qasm3Writer, round_trips_random_circuits) {
    const std::uint32_t seed = 20240531;
    std::mt19937_64 rng(seed);
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::vector<Symbol> symbols = {{"a", {}, "", 0, 0}, {"b", {}, "", 0, 0},
                                   {"v[0]", {}, "v", 0, 3}, {"v[2]", {}, "v", 2, 3}};
    auto angle = [&](int depth) {
        std::function<Expr(int)> gen = [&](int d) -> Expr {
            const int pick = static_cast<int>(rng() % (d > 2 ? 2 : 9));
            switch (pick) {
                case 0: return Expr(std::ldexp(static_cast<double>(rng() % 100000), -7) - 300);
                case 1: return Expr::symbol(symbols[rng() % symbols.size()]);
                case 2: return Expr::binary(ExprOp::kAdd, gen(d + 1), gen(d + 1));
                case 3: return Expr::binary(ExprOp::kMul, gen(d + 1), gen(d + 1));
                case 4: return Expr::binary(ExprOp::kSub, gen(d + 1), gen(d + 1));
                case 5:
                    return Expr::binary(ExprOp::kPow, Expr::symbol(symbols[rng() % symbols.size()]),
                                        Expr(static_cast<double>(rng() % 3 + 1)));
                case 6: return Expr::unary(ExprOp::kNeg, Expr::symbol(symbols[rng() % symbols.size()]));
                case 7: return Expr::unary(ExprOp::kCos, gen(d + 1));
                default: return Expr(std::numbers::pi * static_cast<double>(rng() % 7) / 4);
            }
        };
        return gen(depth);
    };
    for (int trial = 0; trial < 40; ++trial) {
        Circuit c;
        c.add_qreg("q", 5);
        c.add_creg("c", 3);
        for (int i = 0; i < 60; ++i) {
            const auto& info = circuit::all_gates()[rng() % circuit::all_gates().size()];
            if (!info.unitary || info.kind == GateKind::kGlobalPhase) continue;
            const int nq = info.num_qubits < 0 ? 3 : info.num_qubits;
            std::vector<std::uint32_t> qs;
            while (static_cast<int>(qs.size()) < nq) {
                const auto q = static_cast<std::uint32_t>(rng() % 5);
                if (std::find(qs.begin(), qs.end(), q) == qs.end()) qs.push_back(q);
            }
            std::vector<Expr> ps;
            for (int p = 0; p < info.num_params; ++p) ps.push_back(angle(0));
            Instruction in;
            in.kind = info.kind;
            in.qubits = qs;
            in.params = ps;
            c.append(in);
        }
        ASSERT_TRUE(c.append(GateKind::kMeasure, {1}, {}, {2}).ok());
        ASSERT_TRUE(c.validate().ok()) << c.validate().to_string();
        // The reader folds constant subexpressions, so the first trip may reshape the trees;
        // from then on the trip is the identity, and the values never change.
        auto once = parse_qasm3(write_qasm3(c));
        ASSERT_TRUE(once.ok()) << once.status().to_string() << "\n" << write_qasm3(c);
        expect_round_trip(*once);
        const std::map<std::string, double> values = {
            {"a", 0.3}, {"b", -1.7}, {"v[0]", 2.5}, {"v[2]", 0.9}};
        ASSERT_EQ(once->instructions.size(), c.instructions.size());
        for (std::size_t i = 0; i < c.instructions.size(); ++i) {
            ASSERT_EQ(once->instructions[i].kind, c.instructions[i].kind);
            ASSERT_EQ(once->instructions[i].qubits, c.instructions[i].qubits);
            for (std::size_t p = 0; p < c.instructions[i].params.size(); ++p) {
                auto want = c.instructions[i].params[p].evaluate(values);
                auto got = once->instructions[i].params[p].evaluate(values);
                ASSERT_EQ(want.ok(), got.ok());
                if (want.ok()) {
                    EXPECT_NEAR(*got, *want, 1e-9 * (1 + std::fabs(*want)));
                }
            }
        }
    }
}

}  // namespace
}  // namespace qrt::formats
