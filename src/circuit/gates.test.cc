#include "circuit/gates.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "circuit/circuit.h"
#include "circuit/matrix_testing.h"

namespace qrt::circuit {
namespace {

using testing::build;
using testing::dagger;
using testing::matrices_near;
using testing::matrix_of;
using testing::multiply;
using testing::unitary_of;
using K = GateKind;

constexpr double kPi = 3.14159265358979323846;
using C = std::complex<double>;

// Distinct, irregular angles, so that a swapped parameter shows up.
std::vector<double> sample_params(int n) {
    const double values[] = {0.3, 0.7, 1.1, -0.4};
    return std::vector<double>(values, values + n);
}

TEST(GateTable, lists_every_kind_in_gate_kind_order) {
    const auto gates = all_gates();
    ASSERT_EQ(gates.size(), static_cast<std::size_t>(K::kCustom) + 1);
    for (std::size_t i = 0; i < gates.size(); ++i) {
        EXPECT_EQ(static_cast<std::size_t>(gates[i].kind), i) << gates[i].name;
        EXPECT_EQ(&gate_info(gates[i].kind), &gates[i]);
    }
}

TEST(GateTable, names_and_qpy_classes_are_unique_and_found_again) {
    std::set<std::string_view> names, classes;
    for (const GateInfo& g : all_gates()) {
        if (g.kind == K::kCustom) continue;
        EXPECT_TRUE(names.insert(g.name).second) << g.name;
        EXPECT_TRUE(classes.insert(g.qpy_class).second) << g.qpy_class;
        EXPECT_EQ(find_gate(g.name), &g) << g.name;
        EXPECT_EQ(find_gate_by_qpy_class(g.qpy_class), &g) << g.qpy_class;
    }
}

TEST(GateTable, knows_the_names_isa_circuits_use) {
    EXPECT_EQ(find_gate("rz")->kind, K::kRZ);
    EXPECT_EQ(find_gate("ecr")->kind, K::kECR);
    EXPECT_EQ(find_gate("xx_plus_yy")->kind, K::kXXPlusYY);
    EXPECT_EQ(find_gate_by_qpy_class("CPhaseGate")->kind, K::kCP);
    EXPECT_EQ(find_gate_by_qpy_class("iSwapGate")->kind, K::kISwap);
    EXPECT_EQ(find_gate_by_qpy_class("IfElseOp")->kind, K::kIfElse);
    EXPECT_EQ(find_gate_by_qpy_class("C3XGate")->kind, K::kC3X);
    EXPECT_EQ(find_gate_by_qpy_class("RC3XGate")->kind, K::kRC3X);
    EXPECT_EQ(gate_info(K::kCU).num_params, 4);
    EXPECT_EQ(gate_info(K::kGlobalPhase).num_qubits, 0);
    EXPECT_EQ(gate_info(K::kMCX).num_qubits, -1);
    EXPECT_FALSE(gate_info(K::kMeasure).unitary);
}

TEST(GateTable, maps_mcx_synthesis_variants_to_mcx) {
    for (const char* name : {"MCXGate", "MCXGrayCode", "MCXRecursive", "MCXVChain"}) {
        ASSERT_NE(find_gate_by_qpy_class(name), nullptr) << name;
        EXPECT_EQ(find_gate_by_qpy_class(name)->kind, K::kMCX) << name;
    }
}

TEST(GateTable, does_not_find_unknown_or_placeholder_names) {
    for (const char* name : {"cnot", "CX", "U", "", "custom", "Cx", "rz "}) {
        EXPECT_EQ(find_gate(name), nullptr) << name;
    }
    for (const char* name : {"", "Gate", "rz", "UnitaryGate", "RZgate"}) {
        EXPECT_EQ(find_gate_by_qpy_class(name), nullptr) << name;
    }
}

TEST(GateMatrix, every_unitary_gate_has_a_unitary_matrix_of_its_size) {
    for (const GateInfo& g : all_gates()) {
        if (!g.unitary) continue;
        const std::vector<int> sizes =
            g.kind == K::kMCX ? std::vector<int>{2, 3, 4, 5} : std::vector<int>{g.num_qubits};
        for (int n : sizes) {
            Matrix m = matrix_of(g.kind, sample_params(g.num_params), n);
            ASSERT_EQ(m.dim, 1 << n) << g.name;
            EXPECT_TRUE(matrices_near(multiply(m, dagger(m)), Matrix::identity(m.dim)))
                << g.name << " on " << n << " qubits";
        }
    }
}

struct InversePair {
    K gate;
    std::vector<double> params;
    K inverse;
    std::vector<double> inverse_params;
};

TEST(GateMatrix, inverse_pairs_multiply_to_identity) {
    const double t = 0.9;
    const InversePair pairs[] = {
        {K::kS, {}, K::kSdg, {}},
        {K::kT, {}, K::kTdg, {}},
        {K::kSX, {}, K::kSXdg, {}},
        {K::kCS, {}, K::kCSdg, {}},
        {K::kH, {}, K::kH, {}},
        {K::kX, {}, K::kX, {}},
        {K::kECR, {}, K::kECR, {}},
        {K::kRX, {t}, K::kRX, {-t}},
        {K::kRY, {t}, K::kRY, {-t}},
        {K::kRZ, {t}, K::kRZ, {-t}},
        {K::kP, {t}, K::kP, {-t}},
        {K::kR, {t, 0.2}, K::kR, {-t, 0.2}},
        {K::kU, {0.3, 0.7, 1.1}, K::kU, {-0.3, -1.1, -0.7}},
        {K::kU3, {0.3, 0.7, 1.1}, K::kU3, {-0.3, -1.1, -0.7}},
        {K::kU2, {0.7, 1.1}, K::kU, {-kPi / 2, -1.1, -0.7}},
        {K::kCRX, {t}, K::kCRX, {-t}},
        {K::kCRY, {t}, K::kCRY, {-t}},
        {K::kCRZ, {t}, K::kCRZ, {-t}},
        {K::kCP, {t}, K::kCP, {-t}},
        {K::kCU, {0.3, 0.7, 1.1, -0.4}, K::kCU, {-0.3, -1.1, -0.7, 0.4}},
        {K::kRXX, {t}, K::kRXX, {-t}},
        {K::kRYY, {t}, K::kRYY, {-t}},
        {K::kRZZ, {t}, K::kRZZ, {-t}},
        {K::kRZX, {t}, K::kRZX, {-t}},
        {K::kXXMinusYY, {t, 0.2}, K::kXXMinusYY, {-t, 0.2}},
        {K::kXXPlusYY, {t, 0.2}, K::kXXPlusYY, {-t, 0.2}},
        {K::kCCX, {}, K::kCCX, {}},
        {K::kCSwap, {}, K::kCSwap, {}},
        {K::kGlobalPhase, {t}, K::kGlobalPhase, {-t}},
    };
    for (const InversePair& p : pairs) {
        Matrix a = matrix_of(p.gate, p.params);
        Matrix b = matrix_of(p.inverse, p.inverse_params);
        EXPECT_TRUE(matrices_near(multiply(a, b), Matrix::identity(a.dim)))
            << gate_info(p.gate).name << " then " << gate_info(p.inverse).name;
    }
}

// Every standard gate equals Qiskit's own definition of it (qiskit 2.6 `gate.definition`,
// global phase included), with parameters a=0.3, b=0.7, c=1.1, d=-0.4.
TEST(GateMatrix, matches_qiskit_definitions_exactly) {
    const double a = 0.3, b = 0.7, c = 1.1, d = -0.4;
    const double q = kPi / 8;
    struct Case {
        K gate;
        std::vector<double> params;
        Circuit definition;
    };
    const Case cases[] = {
        {K::kH, {}, build(1, {{K::kU, {0}, {kPi / 2, 0, kPi}}})},
        {K::kX, {}, build(1, {{K::kU, {0}, {kPi, 0, kPi}}})},
        {K::kY, {}, build(1, {{K::kU, {0}, {kPi, kPi / 2, kPi / 2}}})},
        {K::kZ, {}, build(1, {{K::kP, {0}, {kPi}}})},
        {K::kS, {}, build(1, {{K::kP, {0}, {kPi / 2}}})},
        {K::kSdg, {}, build(1, {{K::kP, {0}, {-kPi / 2}}})},
        {K::kT, {}, build(1, {{K::kP, {0}, {kPi / 4}}})},
        {K::kTdg, {}, build(1, {{K::kP, {0}, {-kPi / 4}}})},
        {K::kSX, {}, build(1, {{K::kSdg, {0}}, {K::kH, {0}}, {K::kSdg, {0}}}, kPi / 4)},
        {K::kSXdg, {}, build(1, {{K::kS, {0}}, {K::kH, {0}}, {K::kS, {0}}}, -kPi / 4)},
        {K::kRX, {a}, build(1, {{K::kR, {0}, {a, 0}}})},
        {K::kRY, {a}, build(1, {{K::kR, {0}, {a, kPi / 2}}})},
        {K::kRZ, {a}, build(1, {{K::kP, {0}, {a}}}, -a / 2)},
        {K::kP, {a}, build(1, {{K::kU, {0}, {0, 0, a}}})},
        {K::kR, {a, b}, build(1, {{K::kU, {0}, {a, b - kPi / 2, -b + kPi / 2}}})},
        {K::kU1, {a}, build(1, {{K::kP, {0}, {a}}})},
        {K::kU2, {a, b}, build(1, {{K::kU, {0}, {kPi / 2, a, b}}})},
        {K::kU3, {a, b, c}, build(1, {{K::kU, {0}, {a, b, c}}})},
        {K::kCY, {}, build(2, {{K::kSdg, {1}}, {K::kCX, {0, 1}}, {K::kS, {1}}})},
        {K::kCZ, {}, build(2, {{K::kH, {1}}, {K::kCX, {0, 1}}, {K::kH, {1}}})},
        {K::kCH,
         {},
         build(2, {{K::kS, {1}},
                   {K::kH, {1}},
                   {K::kT, {1}},
                   {K::kCX, {0, 1}},
                   {K::kTdg, {1}},
                   {K::kH, {1}},
                   {K::kSdg, {1}}})},
        {K::kCS,
         {},
         build(2,
               {{K::kT, {0}}, {K::kCX, {0, 1}}, {K::kTdg, {1}}, {K::kCX, {0, 1}}, {K::kT, {1}}})},
        {K::kCSdg,
         {},
         build(2,
               {{K::kTdg, {0}}, {K::kCX, {0, 1}}, {K::kT, {1}}, {K::kCX, {0, 1}}, {K::kTdg, {1}}})},
        {K::kCSX, {}, build(2, {{K::kH, {1}}, {K::kCS, {0, 1}}, {K::kH, {1}}})},
        {K::kCRX,
         {a},
         build(2, {{K::kS, {1}},
                   {K::kCX, {0, 1}},
                   {K::kRY, {1}, {-a / 2}},
                   {K::kCX, {0, 1}},
                   {K::kRY, {1}, {a / 2}},
                   {K::kSdg, {1}}})},
        {K::kCRY,
         {a},
         build(2, {{K::kRY, {1}, {a / 2}},
                   {K::kCX, {0, 1}},
                   {K::kRY, {1}, {-a / 2}},
                   {K::kCX, {0, 1}}})},
        {K::kCRZ,
         {a},
         build(2, {{K::kRZ, {1}, {a / 2}},
                   {K::kCX, {0, 1}},
                   {K::kRZ, {1}, {-a / 2}},
                   {K::kCX, {0, 1}}})},
        {K::kCP,
         {a},
         build(2, {{K::kP, {0}, {a / 2}},
                   {K::kCX, {0, 1}},
                   {K::kP, {1}, {-a / 2}},
                   {K::kCX, {0, 1}},
                   {K::kP, {1}, {a / 2}}})},
        {K::kCU1,
         {a},
         build(2, {{K::kP, {0}, {a / 2}},
                   {K::kCX, {0, 1}},
                   {K::kP, {1}, {-a / 2}},
                   {K::kCX, {0, 1}},
                   {K::kP, {1}, {a / 2}}})},
        {K::kCU,
         {a, b, c, d},
         build(2, {{K::kP, {0}, {d}},
                   {K::kP, {0}, {(c + b) / 2}},
                   {K::kP, {1}, {(c - b) / 2}},
                   {K::kCX, {0, 1}},
                   {K::kU, {1}, {-a / 2, 0, -(b + c) / 2}},
                   {K::kCX, {0, 1}},
                   {K::kU, {1}, {a / 2, b, 0}}})},
        {K::kCU3,
         {a, b, c},
         build(2, {{K::kP, {0}, {(c + b) / 2}},
                   {K::kP, {1}, {(c - b) / 2}},
                   {K::kCX, {0, 1}},
                   {K::kU, {1}, {-a / 2, 0, -(b + c) / 2}},
                   {K::kCX, {0, 1}},
                   {K::kU, {1}, {a / 2, b, 0}}})},
        {K::kSwap, {}, build(2, {{K::kCX, {0, 1}}, {K::kCX, {1, 0}}, {K::kCX, {0, 1}}})},
        {K::kISwap,
         {},
         build(2, {{K::kS, {0}},
                   {K::kS, {1}},
                   {K::kH, {0}},
                   {K::kCX, {0, 1}},
                   {K::kCX, {1, 0}},
                   {K::kH, {1}}})},
        {K::kECR,
         {},
         build(2, {{K::kS, {0}}, {K::kSX, {1}}, {K::kCX, {0, 1}}, {K::kX, {0}}}, -kPi / 4)},
        {K::kDCX, {}, build(2, {{K::kCX, {0, 1}}, {K::kCX, {1, 0}}})},
        {K::kRXX,
         {a},
         build(2, {{K::kH, {0}},
                   {K::kH, {1}},
                   {K::kCX, {0, 1}},
                   {K::kRZ, {1}, {a}},
                   {K::kCX, {0, 1}},
                   {K::kH, {1}},
                   {K::kH, {0}}})},
        {K::kRYY,
         {a},
         build(2, {{K::kSXdg, {0}},
                   {K::kSXdg, {1}},
                   {K::kCX, {0, 1}},
                   {K::kRZ, {1}, {a}},
                   {K::kCX, {0, 1}},
                   {K::kSX, {0}},
                   {K::kSX, {1}}})},
        {K::kRZZ, {a}, build(2, {{K::kCX, {0, 1}}, {K::kRZ, {1}, {a}}, {K::kCX, {0, 1}}})},
        {K::kRZX,
         {a},
         build(
             2,
             {{K::kH, {1}}, {K::kCX, {0, 1}}, {K::kRZ, {1}, {a}}, {K::kCX, {0, 1}}, {K::kH, {1}}})},
        {K::kXXMinusYY,
         {a, b},
         build(2, {{K::kRZ, {1}, {-b}},
                   {K::kSdg, {0}},
                   {K::kSX, {0}},
                   {K::kS, {0}},
                   {K::kS, {1}},
                   {K::kCX, {0, 1}},
                   {K::kRY, {0}, {a / 2}},
                   {K::kRY, {1}, {-a / 2}},
                   {K::kCX, {0, 1}},
                   {K::kSdg, {1}},
                   {K::kSdg, {0}},
                   {K::kSXdg, {0}},
                   {K::kS, {0}},
                   {K::kRZ, {1}, {b}}})},
        {K::kXXPlusYY,
         {a, b},
         build(2, {{K::kRZ, {0}, {b}},
                   {K::kSdg, {1}},
                   {K::kSX, {1}},
                   {K::kS, {1}},
                   {K::kS, {0}},
                   {K::kCX, {1, 0}},
                   {K::kRY, {1}, {-a / 2}},
                   {K::kRY, {0}, {-a / 2}},
                   {K::kCX, {1, 0}},
                   {K::kSdg, {0}},
                   {K::kSdg, {1}},
                   {K::kSXdg, {1}},
                   {K::kS, {1}},
                   {K::kRZ, {0}, {-b}}})},
        {K::kCCX,
         {},
         build(3, {{K::kH, {2}},
                   {K::kCX, {1, 2}},
                   {K::kTdg, {2}},
                   {K::kCX, {0, 2}},
                   {K::kT, {2}},
                   {K::kCX, {1, 2}},
                   {K::kTdg, {2}},
                   {K::kCX, {0, 2}},
                   {K::kT, {1}},
                   {K::kT, {2}},
                   {K::kH, {2}},
                   {K::kCX, {0, 1}},
                   {K::kT, {0}},
                   {K::kTdg, {1}},
                   {K::kCX, {0, 1}}})},
        {K::kCCZ, {}, build(3, {{K::kH, {2}}, {K::kCCX, {0, 1, 2}}, {K::kH, {2}}})},
        {K::kCSwap, {}, build(3, {{K::kCX, {2, 1}}, {K::kCCX, {0, 1, 2}}, {K::kCX, {2, 1}}})},
        {K::kRCCX,
         {},
         build(3, {{K::kH, {2}},
                   {K::kT, {2}},
                   {K::kCX, {1, 2}},
                   {K::kTdg, {2}},
                   {K::kCX, {0, 2}},
                   {K::kT, {2}},
                   {K::kCX, {1, 2}},
                   {K::kTdg, {2}},
                   {K::kH, {2}}})},
        {K::kC3X,
         {},
         build(4, {{K::kH, {3}},       {K::kP, {0}, {q}},  {K::kP, {1}, {q}},  {K::kP, {2}, {q}},
                   {K::kP, {3}, {q}},  {K::kCX, {0, 1}},   {K::kP, {1}, {-q}}, {K::kCX, {0, 1}},
                   {K::kCX, {1, 2}},   {K::kP, {2}, {-q}}, {K::kCX, {0, 2}},   {K::kP, {2}, {q}},
                   {K::kCX, {1, 2}},   {K::kP, {2}, {-q}}, {K::kCX, {0, 2}},   {K::kCX, {2, 3}},
                   {K::kP, {3}, {-q}}, {K::kCX, {1, 3}},   {K::kP, {3}, {q}},  {K::kCX, {2, 3}},
                   {K::kP, {3}, {-q}}, {K::kCX, {0, 3}},   {K::kP, {3}, {q}},  {K::kCX, {2, 3}},
                   {K::kP, {3}, {-q}}, {K::kCX, {1, 3}},   {K::kP, {3}, {q}},  {K::kCX, {2, 3}},
                   {K::kP, {3}, {-q}}, {K::kCX, {0, 3}},   {K::kH, {3}}})},
        {K::kC3SX,
         {},
         build(4, {{K::kH, {3}}, {K::kCP, {0, 3}, {q}},  {K::kH, {3}}, {K::kCX, {0, 1}},
                   {K::kH, {3}}, {K::kCP, {1, 3}, {-q}}, {K::kH, {3}}, {K::kCX, {0, 1}},
                   {K::kH, {3}}, {K::kCP, {1, 3}, {q}},  {K::kH, {3}}, {K::kCX, {1, 2}},
                   {K::kH, {3}}, {K::kCP, {2, 3}, {-q}}, {K::kH, {3}}, {K::kCX, {0, 2}},
                   {K::kH, {3}}, {K::kCP, {2, 3}, {q}},  {K::kH, {3}}, {K::kCX, {1, 2}},
                   {K::kH, {3}}, {K::kCP, {2, 3}, {-q}}, {K::kH, {3}}, {K::kCX, {0, 2}},
                   {K::kH, {3}}, {K::kCP, {2, 3}, {q}},  {K::kH, {3}}})},
        {K::kRC3X,
         {},
         build(4, {{K::kH, {3}},
                   {K::kT, {3}},
                   {K::kCX, {2, 3}},
                   {K::kTdg, {3}},
                   {K::kH, {3}},
                   {K::kCX, {0, 3}},
                   {K::kT, {3}},
                   {K::kCX, {1, 3}},
                   {K::kTdg, {3}},
                   {K::kCX, {0, 3}},
                   {K::kT, {3}},
                   {K::kCX, {1, 3}},
                   {K::kTdg, {3}},
                   {K::kH, {3}},
                   {K::kT, {3}},
                   {K::kCX, {2, 3}},
                   {K::kTdg, {3}},
                   {K::kH, {3}}})},
    };
    for (const Case& cs : cases) {
        Matrix want = matrix_of(cs.gate, cs.params);
        EXPECT_TRUE(matrices_near(unitary_of(cs.definition), want)) << gate_info(cs.gate).name;
    }
}

TEST(GateMatrix, satisfies_textbook_identities) {
    const double t = 0.3, p = 0.7, l = 1.1;
    struct Case {
        const char* what;
        Circuit lhs, rhs;
    };
    const Case cases[] = {
        {"h = u2(0, pi)", build(1, {{K::kH, {0}}}), build(1, {{K::kU2, {0}, {0, kPi}}})},
        {"x = u3(pi, 0, pi)", build(1, {{K::kX, {0}}}), build(1, {{K::kU3, {0}, {kPi, 0, kPi}}})},
        {"s s = z", build(1, {{K::kS, {0}}, {K::kS, {0}}}), build(1, {{K::kZ, {0}}})},
        {"sx sx = x", build(1, {{K::kSX, {0}}, {K::kSX, {0}}}), build(1, {{K::kX, {0}}})},
        {"h z h = x", build(1, {{K::kH, {0}}, {K::kZ, {0}}, {K::kH, {0}}}),
         build(1, {{K::kX, {0}}})},
        {"rz = p up to phase", build(1, {{K::kRZ, {0}, {t}}}),
         build(1, {{K::kP, {0}, {t}}}, -t / 2)},
        {"u3 = rz sx rz sx rz", build(1, {{K::kU3, {0}, {t, p, l}}}),
         build(1,
               {{K::kRZ, {0}, {l}},
                {K::kSX, {0}},
                {K::kRZ, {0}, {t + kPi}},
                {K::kSX, {0}},
                {K::kRZ, {0}, {p + kPi}}},
               (p + l + kPi) / 2)},
        {"cx = h cz h on the target", build(2, {{K::kCX, {0, 1}}}),
         build(2, {{K::kH, {1}}, {K::kCZ, {0, 1}}, {K::kH, {1}}})},
        {"cz is symmetric", build(2, {{K::kCZ, {0, 1}}}), build(2, {{K::kCZ, {1, 0}}})},
        {"cz = cp(pi)", build(2, {{K::kCZ, {0, 1}}}), build(2, {{K::kCP, {0, 1}, {kPi}}})},
        {"rzz = cx rz cx", build(2, {{K::kRZZ, {0, 1}, {t}}}),
         build(2, {{K::kCX, {0, 1}}, {K::kRZ, {1}, {t}}, {K::kCX, {0, 1}}})},
        {"ecr = rzx(pi/4) x rzx(-pi/4)", build(2, {{K::kECR, {0, 1}}}),
         build(2, {{K::kRZX, {0, 1}, {kPi / 4}}, {K::kX, {0}}, {K::kRZX, {0, 1}, {-kPi / 4}}})},
        {"cu(t, p, l, 0) = cu3(t, p, l)", build(2, {{K::kCU, {0, 1}, {t, p, l, 0}}}),
         build(2, {{K::kCU3, {0, 1}, {t, p, l}}})},
        {"cu1 = cp", build(2, {{K::kCU1, {0, 1}, {t}}}), build(2, {{K::kCP, {0, 1}, {t}}})},
        {"xx_plus_yy(t, 0) = rxx(t/2) ryy(t/2)", build(2, {{K::kXXPlusYY, {0, 1}, {t, 0}}}),
         build(2, {{K::kRXX, {0, 1}, {t / 2}}, {K::kRYY, {0, 1}, {t / 2}}})},
        {"mcx with 3 controls = c3x", build(4, {{K::kMCX, {0, 1, 2, 3}}}),
         build(4, {{K::kC3X, {0, 1, 2, 3}}})},
        {"mcx with 2 controls = ccx", build(3, {{K::kMCX, {2, 0, 1}}}),
         build(3, {{K::kCCX, {2, 0, 1}}})},
        {"mcx with 1 control = cx", build(2, {{K::kMCX, {1, 0}}}), build(2, {{K::kCX, {1, 0}}})},
        {"c3sx squared = c3x", build(4, {{K::kC3SX, {0, 1, 2, 3}}, {K::kC3SX, {0, 1, 2, 3}}}),
         build(4, {{K::kC3X, {0, 1, 2, 3}}})},
        {"global_phase gate = circuit phase", build(1, {{K::kGlobalPhase, {}, {t}}}),
         build(1, {}, t)},
    };
    for (const Case& cs : cases) {
        EXPECT_TRUE(matrices_near(unitary_of(cs.lhs), unitary_of(cs.rhs))) << cs.what;
    }
}

TEST(GateMatrix, puts_qubit_zero_in_the_least_significant_bit) {
    // cx with control 0, target 1: |q1 q0> = |01> (index 1) -> |11> (index 3).
    Matrix cx01 = unitary_of(build(2, {{K::kCX, {0, 1}}}));
    EXPECT_EQ(cx01(3, 1), C(1.0));
    EXPECT_EQ(cx01(1, 3), C(1.0));
    EXPECT_EQ(cx01(2, 2), C(1.0));
    // cx with control 1, target 0: index 2 (q1 = 1) -> index 3.
    Matrix cx10 = unitary_of(build(2, {{K::kCX, {1, 0}}}));
    EXPECT_EQ(cx10(3, 2), C(1.0));
    EXPECT_EQ(cx10(1, 1), C(1.0));
    // x on qubit 1 of 2 maps index 0 to index 2.
    Matrix x1 = unitary_of(build(2, {{K::kX, {1}}}));
    EXPECT_EQ(x1(2, 0), C(1.0));
    // A gate's own matrix is in gate-operand order: cx's index is 2*target + control.
    Matrix cx = matrix_of(K::kCX);
    EXPECT_EQ(cx(3, 1), C(1.0));
}

TEST(GateMatrix, has_qiskits_documented_entries) {
    const double r = 1 / std::sqrt(2.0);
    Matrix ecr = matrix_of(K::kECR);
    EXPECT_TRUE(std::abs(ecr(0, 3) - C(0, r)) < 1e-15);
    EXPECT_TRUE(std::abs(ecr(3, 0) - C(0, -r)) < 1e-15);
    Matrix rzz = matrix_of(K::kRZZ, {0.5});
    EXPECT_TRUE(std::abs(rzz(0, 0) - std::polar(1.0, -0.25)) < 1e-15);
    EXPECT_TRUE(std::abs(rzz(1, 1) - std::polar(1.0, 0.25)) < 1e-15);
    // Values printed by qiskit 2.6 XXPlusYYGate(0.3, 0.7).to_matrix().
    Matrix xpy = matrix_of(K::kXXPlusYY, {0.3, 0.7});
    EXPECT_NEAR(xpy(1, 2).real(), -0.0963, 1e-4);
    EXPECT_NEAR(xpy(1, 2).imag(), -0.1143, 1e-4);
    EXPECT_NEAR(xpy(2, 1).real(), 0.0963, 1e-4);
    Matrix rc3x = matrix_of(K::kRC3X);
    EXPECT_EQ(rc3x(3, 3), C(0, 1));
    EXPECT_EQ(rc3x(11, 11), C(0, -1));
    EXPECT_EQ(rc3x(7, 15), C(1));
    EXPECT_EQ(rc3x(15, 7), C(-1));
    Matrix cu = matrix_of(K::kCU, {0.0, 0.0, 0.0, 0.5});
    EXPECT_TRUE(std::abs(cu(1, 1) - std::polar(1.0, 0.5)) < 1e-15);
    EXPECT_EQ(cu(2, 2), C(1));
}

TEST(GateMatrix, refuses_bad_requests_with_clear_errors) {
    auto r = gate_matrix(K::kMeasure, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "'measure' has no matrix (not a unitary gate)");
    const double two[] = {0.1, 0.2};
    r = gate_matrix(K::kRZ, two);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "'rz' takes 1 parameter, got 2");
    const double nan[] = {std::nan("")};
    r = gate_matrix(K::kRZ, nan);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "'rz' parameter 0 is not a finite number");
    r = gate_matrix(K::kMCX, {}, 1);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "'mcx' needs 2 to 12 qubits for a matrix, got 1");
    EXPECT_FALSE(gate_matrix(K::kMCX, {}, 40).ok());
    EXPECT_FALSE(gate_matrix(K::kCustom, {}).ok());
    EXPECT_FALSE(gate_matrix(static_cast<GateKind>(999), {}).ok());
}

}  // namespace
}  // namespace qrt::circuit
