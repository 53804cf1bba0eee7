#include "circuit/circuit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "circuit/matrix_testing.h"

namespace qrt::circuit {
namespace {

using testing::build;
using testing::matrices_near;
using testing::matrix_of;
using testing::unitary_of;
using K = GateKind;
using C = std::complex<double>;

constexpr double kPi = 3.14159265358979323846;

Symbol param(std::string name) {
    Symbol s;
    s.name = std::move(name);
    return s;
}

Symbol element(const std::string& vector, std::uint64_t index) {
    Symbol s;
    s.name = vector + "[" + std::to_string(index) + "]";
    s.vector = vector;
    s.index = index;
    s.vector_size = 20;
    return s;
}

Expr sym(const std::string& name) { return Expr::symbol(param(name)); }

Instruction make(K kind, std::vector<std::uint32_t> qubits, std::vector<std::uint32_t> clbits = {},
                 std::vector<Expr> params = {}) {
    Instruction inst;
    inst.kind = kind;
    inst.qubits = std::move(qubits);
    inst.clbits = std::move(clbits);
    inst.params = std::move(params);
    return inst;
}

std::vector<std::string> names_of(const std::vector<Symbol>& symbols) {
    std::vector<std::string> out;
    for (const Symbol& s : symbols) out.push_back(s.name);
    return out;
}

Instruction if_else(Condition cond, std::vector<std::uint32_t> qubits,
                    std::vector<std::uint32_t> clbits, Circuit then_body,
                    std::optional<Circuit> else_body = std::nullopt) {
    Instruction inst;
    inst.kind = K::kIfElse;
    inst.qubits = std::move(qubits);
    inst.clbits = std::move(clbits);
    inst.condition = std::move(cond);
    inst.then_body = std::make_shared<const Circuit>(std::move(then_body));
    if (else_body) inst.else_body = std::make_shared<const Circuit>(std::move(*else_body));
    return inst;
}

Condition on_clbit(std::uint32_t clbit, std::uint64_t value = 1) {
    Condition c;
    c.kind = Condition::Kind::kClbit;
    c.clbit = clbit;
    c.value = value;
    return c;
}

Condition on_register(std::string name, std::uint64_t value) {
    Condition c;
    c.kind = Condition::Kind::kRegister;
    c.register_name = std::move(name);
    c.value = value;
    return c;
}

// A custom gate "name(params...)" on `num_qubits` qubits with the given body.
std::shared_ptr<const CustomGate> custom_gate(std::string name, std::vector<Symbol> params,
                                              Circuit body) {
    auto g = std::make_shared<CustomGate>();
    g->name = std::move(name);
    g->params = std::move(params);
    g->num_qubits = body.num_qubits();
    g->body = std::make_shared<const Circuit>(std::move(body));
    return g;
}

Instruction apply_custom(std::shared_ptr<const CustomGate> g, std::vector<std::uint32_t> qubits,
                         std::vector<Expr> params = {}) {
    Instruction inst;
    inst.kind = K::kCustom;
    inst.custom = std::move(g);
    inst.qubits = std::move(qubits);
    inst.params = std::move(params);
    return inst;
}

TEST(Circuit, registers_append_fresh_bits) {
    Circuit c;
    EXPECT_EQ(c.add_qreg("q", 3), 0u);
    EXPECT_EQ(c.add_qreg("anc", 2), 3u);
    EXPECT_EQ(c.add_creg("c", 2), 0u);
    EXPECT_EQ(c.add_creg("flags", 1), 2u);
    EXPECT_EQ(c.num_qubits(), 5u);
    EXPECT_EQ(c.num_clbits(), 3u);
    EXPECT_EQ(c.qregs[1].bits, (std::vector<std::int64_t>{3, 4}));
    ASSERT_NE(c.find_creg("flags"), nullptr);
    EXPECT_EQ(c.find_creg("flags")->bits, (std::vector<std::int64_t>{2}));
    EXPECT_EQ(c.find_creg("q"), nullptr);  // a quantum register
    EXPECT_EQ(c.find_creg("nope"), nullptr);
    EXPECT_TRUE(c.validate().ok());
}

TEST(Circuit, append_checks_arity_parameters_and_operands) {
    struct Case {
        K kind;
        std::vector<std::uint32_t> qubits;
        std::vector<Expr> params;
        std::vector<std::uint32_t> clbits;
        const char* message;  // nullptr: accepted
    };
    const Case cases[] = {
        {K::kCX, {0, 1}, {}, {}, nullptr},
        {K::kCX, {0}, {}, {}, "instruction 1 (cx): takes 2 qubits, got 1"},
        {K::kRZ, {0}, {}, {}, "instruction 1 (rz): takes 1 parameter, got 0"},
        {K::kU, {0}, {1.0}, {}, "instruction 1 (u): takes 3 parameters, got 1"},
        {K::kH, {0}, {0.5}, {}, "instruction 1 (h): takes 0 parameters, got 1"},
        {K::kMeasure, {0}, {}, {}, "instruction 1 (measure): takes 1 clbit, got 0"},
        {K::kMeasure, {0}, {}, {1}, nullptr},
        {K::kMeasure,
         {0},
         {},
         {2},
         "instruction 2 (measure): clbit 2 out of range (circuit has 2 clbits)"},
        {K::kX, {0}, {}, {0}, "instruction 2 (x): takes 0 clbits, got 1"},
        {K::kCX, {3, 1}, {}, {}, "instruction 2 (cx): qubit 3 out of range (circuit has 3 qubits)"},
        {K::kCCX,
         {0, 1, 0},
         {},
         {},
         "instruction 2 (ccx): qubit 0 appears twice among the operands"},
        {K::kMCX,
         {0},
         {},
         {},
         "instruction 2 (mcx): takes at least 2 qubits (controls and a target), got 1"},
        {K::kMCX, {0, 1, 2}, {}, {}, nullptr},
        {K::kBarrier, {0, 1, 2}, {}, {}, nullptr},
        {K::kGlobalPhase, {}, {sym("g")}, {}, nullptr},
        {K::kGlobalPhase, {0}, {0.1}, {}, "instruction 5 (global_phase): takes 0 qubits, got 1"},
        {K::kDelay, {1}, {100.0}, {}, nullptr},
        {K::kIfElse,
         {0},
         {},
         {},
         "instruction 6 (if_else): needs append(Instruction) with its bodies or definition"},
        {K::kCustom,
         {0},
         {},
         {},
         "instruction 6 (custom): needs append(Instruction) with its bodies or definition"},
    };
    Circuit c(3, 2);
    for (const Case& cs : cases) {
        const std::size_t before = c.instructions.size();
        Status s = c.append(cs.kind, cs.qubits, cs.params, cs.clbits);
        if (cs.message == nullptr) {
            EXPECT_TRUE(s.ok()) << s.to_string();
            EXPECT_EQ(c.instructions.size(), before + 1);
        } else {
            EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << cs.message;
            EXPECT_EQ(s.message(), cs.message);
            EXPECT_EQ(c.instructions.size(), before);  // a refused append changes nothing
        }
    }
    EXPECT_EQ(c.instructions.back().delay_unit, "dt");
    EXPECT_TRUE(c.validate().ok()) << c.validate().to_string();
}

TEST(Circuit, validate_names_the_instruction_and_the_fault) {
    Circuit ok_body(1, 0);
    ASSERT_TRUE(ok_body.append(K::kX, {0}).ok());
    Circuit bad_body(1, 0);
    bad_body.append(make(K::kCX, {0, 1}));
    auto good_gate = custom_gate("mygate", {param("t")}, build(2, {{K::kRZ, {1}, {0.5}}}));
    Circuit broken_def(2, 0);
    broken_def.append(make(K::kH, {5}));
    auto broken_gate = custom_gate("broken", {}, broken_def);

    struct Case {
        const char* what;
        std::function<void(Circuit&)> add;
        const char* message;
    };
    const Case cases[] = {
        {"qubit out of range",
         [](Circuit& c) {
             c.append(make(K::kCX, {3, 130}));
         },
         "instruction 12 (cx): qubit 130 out of range (circuit has 127 qubits)"},
        {"duplicate qubits",
         [](Circuit& c) {
             c.append(make(K::kCZ, {4, 4}));
         },
         "instruction 12 (cz): qubit 4 appears twice among the operands"},
        {"duplicate barrier qubits",
         [](Circuit& c) {
             c.append(make(K::kBarrier, {1, 2, 1}));
         },
         "instruction 12 (barrier): qubit 1 appears twice among the operands"},
        {"wrong arity", [](Circuit& c) { c.append(make(K::kECR, {1})); },
         "instruction 12 (ecr): takes 2 qubits, got 1"},
        {"wrong parameter count", [](Circuit& c) { c.append(make(K::kRZ, {1})); },
         "instruction 12 (rz): takes 1 parameter, got 0"},
        {"clbit out of range", [](Circuit& c) { c.append(make(K::kMeasure, {1}, {4})); },
         "instruction 12 (measure): clbit 4 out of range (circuit has 4 clbits)"},
        {"bad delay unit",
         [](Circuit& c) {
             Instruction inst = make(K::kDelay, {1}, {}, {10.0});
             inst.delay_unit = "min";
             c.append(inst);
         },
         "instruction 12 (delay): unknown delay unit 'min' (expected dt, s, ms, us, ns or ps)"},
        {"condition on a gate",
         [](Circuit& c) {
             Instruction inst = make(K::kX, {1});
             inst.condition = on_clbit(0);
             c.append(inst);
         },
         "instruction 12 (x): only if_else carries a condition and bodies"},
        {"if_else without condition",
         [&](Circuit& c) {
             Instruction inst = if_else(on_clbit(0), {1}, {}, ok_body);
             inst.condition.reset();
             c.append(inst);
         },
         "instruction 12 (if_else): if_else without a condition"},
        {"if_else without body",
         [&](Circuit& c) {
             Instruction inst = if_else(on_clbit(0), {1}, {}, ok_body);
             inst.then_body.reset();
             c.append(inst);
         },
         "instruction 12 (if_else): if_else without a then body"},
        {"condition clbit out of range",
         [&](Circuit& c) { c.append(if_else(on_clbit(9), {1}, {}, ok_body)); },
         "instruction 12 (if_else): condition clbit 9 out of range (circuit has 4 clbits)"},
        {"condition clbit value",
         [&](Circuit& c) { c.append(if_else(on_clbit(0, 2), {1}, {}, ok_body)); },
         "instruction 12 (if_else): condition compares a clbit with 2 (expected 0 or 1)"},
        {"unknown condition register",
         [&](Circuit& c) { c.append(if_else(on_register("d", 1), {1}, {}, ok_body)); },
         "instruction 12 (if_else): condition names unknown classical register 'd'"},
        {"condition value too wide",
         [&](Circuit& c) { c.append(if_else(on_register("c", 4), {1}, {}, ok_body)); },
         "instruction 12 (if_else): condition value 4 does not fit register 'c' of 2 bits"},
        {"then body arity",
         [&](Circuit& c) {
             c.append(if_else(on_clbit(0), {1, 2}, {}, ok_body));
         },
         "instruction 12 (if_else): then body has 1 qubit and 0 clbits, the instruction has 2 "
         "qubits and 0 clbits"},
        {"else body arity",
         [&](Circuit& c) { c.append(if_else(on_clbit(0), {1}, {}, ok_body, Circuit(1, 1))); },
         "instruction 12 (if_else): else body has 1 qubit and 1 clbit, the instruction has 1 "
         "qubit and 0 clbits"},
        {"fault inside a body",
         [&](Circuit& c) { c.append(if_else(on_clbit(0), {1}, {}, bad_body)); },
         "instruction 12 (if_else) then body: instruction 0 (cx): qubit 1 out of range (circuit "
         "has 1 qubit)"},
        {"custom gate arity", [&](Circuit& c) { c.append(apply_custom(good_gate, {1}, {0.5})); },
         "instruction 12 (mygate): takes 2 qubits, got 1"},
        {"custom gate parameters",
         [&](Circuit& c) {
             c.append(apply_custom(good_gate, {1, 2}));
         },
         "instruction 12 (mygate): takes 1 parameter, got 0"},
        {"custom gate without definition", [&](Circuit& c) { c.append(make(K::kCustom, {1})); },
         "instruction 12 (custom): custom gate without a definition"},
        {"fault inside a definition",
         [&](Circuit& c) {
             c.append(apply_custom(broken_gate, {1, 2}));
         },
         "instruction 12 (broken) definition: instruction 0 (h): qubit 5 out of range (circuit "
         "has 2 qubits)"},
        {"register holding a foreign bit",
         [](Circuit& c) {
             Register r;
             r.name = "r";
             r.bits = {0, 7};
             c.cregs.push_back(r);
         },
         "classical register 'r' holds clbit 7 (circuit has 4 clbits)"},
    };
    for (const Case& cs : cases) {
        Circuit c;
        c.add_qreg("q", 127);
        c.add_creg("c", 2);
        c.add_creg("d2", 2);
        for (int i = 0; i < 12; ++i) ASSERT_TRUE(c.append(K::kH, {0}).ok());
        ASSERT_TRUE(c.validate().ok());
        cs.add(c);
        Status s = c.validate();
        EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << cs.what;
        EXPECT_EQ(s.message(), cs.message) << cs.what;
    }
}

TEST(Circuit, validate_accepts_dynamic_circuits_and_custom_gates) {
    Circuit c;
    c.add_qreg("q", 3);
    c.add_creg("c", 2);
    ASSERT_TRUE(c.append(K::kMeasure, {0}, {}, {1}).ok());
    Circuit then_body(2, 1);
    ASSERT_TRUE(then_body.append(K::kX, {1}).ok());
    ASSERT_TRUE(then_body.append(K::kMeasure, {0}, {}, {0}).ok());
    c.append(if_else(on_register("c", 3), {2, 0}, {1}, then_body, Circuit(2, 1)));
    c.append(if_else(on_clbit(1, 0), {1}, {}, build(1, {{K::kZ, {0}}})));
    auto g = custom_gate("g", {param("t")}, build(1, {{K::kRZ, {0}, {1.0}}}));
    c.append(apply_custom(g, {2}, {sym("theta")}));
    c.append(apply_custom(g, {1}, {0.5}));
    Status s = c.validate();
    EXPECT_TRUE(s.ok()) << s.to_string();
}

TEST(Circuit, parameters_are_collected_recursively_in_qiskit_order) {
    Circuit c(2, 1);
    c.global_phase = sym("phase") / 2.0;
    ASSERT_TRUE(c.append(K::kRZ, {0}, {Expr::symbol(element("x", 10))}).ok());
    ASSERT_TRUE(c.append(K::kRX, {1}, {2.0 * sym("b") + Expr::symbol(element("x", 2))}).ok());
    Circuit body(1, 0);
    ASSERT_TRUE(body.append(K::kRY, {0}, {sym("a")}).ok());
    body.global_phase = sym("angle_10");
    c.append(if_else(on_clbit(0), {1}, {}, body));
    // The definition uses its formal "t"; the instruction passes "angle_2".
    Circuit def(1, 0);
    ASSERT_TRUE(def.append(K::kP, {0}, {sym("t")}).ok());
    auto g = custom_gate("g", {param("t")}, def);
    c.append(apply_custom(g, {0}, {sym("angle_2")}));
    ASSERT_TRUE(c.append(K::kP, {0}, {sym("b")}).ok());  // repeated
    EXPECT_EQ(names_of(c.parameters()), (std::vector<std::string>{"a", "angle_10", "angle_2", "b",
                                                                  "phase", "x[2]", "x[10]"}));
    EXPECT_TRUE(Circuit(3, 0).parameters().empty());
}

TEST(Circuit, binds_values_in_parameter_order_everywhere) {
    Circuit c(2, 1);
    c.global_phase = sym("b");
    ASSERT_TRUE(c.append(K::kRZ, {0}, {sym("a") * 2.0}).ok());
    Circuit body(1, 0);
    ASSERT_TRUE(body.append(K::kRY, {0}, {sym("c")}).ok());
    c.append(if_else(on_clbit(0), {1}, {}, body));
    auto bound = c.bind(std::vector<double>{0.25, 0.5, 0.75});  // a, b, c
    ASSERT_TRUE(bound.ok()) << bound.status().to_string();
    EXPECT_TRUE(bound->parameters().empty());
    EXPECT_EQ(bound->global_phase.value(), 0.5);
    EXPECT_EQ(bound->instructions[0].params[0].value(), 0.5);
    EXPECT_EQ(bound->instructions[1].then_body->instructions[0].params[0].value(), 0.75);
    // The original keeps its symbols; the body it points to is not modified.
    EXPECT_EQ(c.parameters().size(), 3u);
    EXPECT_FALSE(c.instructions[1].then_body->instructions[0].params[0].is_constant());

    auto wrong = c.bind(std::vector<double>{1.0});
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.status().message(), "expected 3 parameter values (for a, b, c), got 1");
    EXPECT_EQ(Circuit(1, 0).bind(std::vector<double>{1.0}).status().message(),
              "expected 0 parameter values, got 1");
    EXPECT_TRUE(Circuit(1, 0).bind(std::vector<double>{}).ok());
    EXPECT_EQ(c.bind(std::vector<double>{1.0, NAN, 2.0}).status().message(),
              "parameter 'b' bound to a non-finite value");
}

TEST(Circuit, binds_by_name_partially_and_refuses_unknown_names) {
    Circuit c(1, 0);
    ASSERT_TRUE(c.append(K::kRZ, {0}, {sym("a") + sym("b")}).ok());
    auto partial = c.bind(std::map<std::string, double>{{"a", 1.0}});
    ASSERT_TRUE(partial.ok());
    EXPECT_EQ(names_of(partial->parameters()), (std::vector<std::string>{"b"}));
    EXPECT_EQ(partial->instructions[0].params[0].to_string(), "1 + b");
    auto unknown = c.bind(std::map<std::string, double>{{"z", 1.0}});
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.status().message(), "the circuit has no parameter named 'z'");
}

TEST(Circuit, binding_reports_domain_errors_with_their_place) {
    Circuit c(1, 0);
    ASSERT_TRUE(c.append(K::kH, {0}).ok());
    ASSERT_TRUE(c.append(K::kRZ, {0}, {Expr::unary(ExprOp::kLog, sym("a"))}).ok());
    auto r = c.bind(std::vector<double>{0.0});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(),
              "instruction 1 (rz) parameter 0: cannot evaluate 'log(0)': log of 0");
}

TEST(Circuit, refuses_positional_binding_of_two_parameters_with_one_name) {
    Symbol a1 = param("a"), a2 = param("a");
    a2.uuid[0] = 1;
    Circuit c(1, 0);
    ASSERT_TRUE(c.append(K::kRZ, {0}, {Expr::symbol(a1) + Expr::symbol(a2)}).ok());
    EXPECT_EQ(c.bind(std::vector<double>{1.0, 2.0}).status().message(),
              "two different parameters are named 'a'; cannot bind by position");
}

TEST(Circuit, used_qubits_ignore_barriers_and_delays) {
    Circuit c(6, 1);
    ASSERT_TRUE(c.append(K::kBarrier, {0, 1, 2, 3, 4, 5}).ok());
    ASSERT_TRUE(c.append(K::kDelay, {0}, {160.0}).ok());
    ASSERT_TRUE(c.append(K::kCX, {4, 1}).ok());
    ASSERT_TRUE(c.append(K::kMeasure, {5}, {}, {0}).ok());
    EXPECT_EQ(c.used_qubits(), (std::vector<std::uint32_t>{1, 4, 5}));
    EXPECT_TRUE(Circuit(3, 0).used_qubits().empty());
}

TEST(CircuitUnitary, of_a_bell_circuit) {
    Matrix u = unitary_of(build(2, {{K::kH, {0}}, {K::kCX, {0, 1}}}));
    const double r = 1 / std::sqrt(2.0);
    // Column 0 is the state from |00>: (|00> + |11>)/sqrt 2.
    EXPECT_NEAR(u(0, 0).real(), r, 1e-15);
    EXPECT_NEAR(u(3, 0).real(), r, 1e-15);
    EXPECT_NEAR(std::abs(u(1, 0)), 0.0, 1e-15);
    EXPECT_NEAR(std::abs(u(2, 0)), 0.0, 1e-15);
}

TEST(CircuitUnitary, includes_global_phase_and_ignores_barriers_and_delays) {
    Circuit c = build(2, {{K::kBarrier, {0, 1}}, {K::kDelay, {1}, {100.0}}, {K::kZ, {1}}}, 0.5);
    Matrix want = Matrix::identity(4);
    want(2, 2) = want(3, 3) = -1.0;
    for (C& v : want.data) v *= std::polar(1.0, 0.5);
    EXPECT_TRUE(matrices_near(unitary_of(c), want));
}

TEST(CircuitUnitary, applies_custom_gates_through_their_definitions) {
    // gate twisted(t) a, b { rz(2*t) b; cx a, b; }  applied as twisted(theta/2) q[2], q[0].
    Circuit def(2, 0);
    def.global_phase = sym("t");
    ASSERT_TRUE(def.append(K::kRZ, {1}, {2.0 * sym("t")}).ok());
    ASSERT_TRUE(def.append(K::kCX, {0, 1}).ok());
    auto g = custom_gate("twisted", {param("t")}, def);
    // An outer gate using the inner one, to check nested formal parameters.
    Circuit outer_def(3, 0);
    outer_def.append(apply_custom(g, {2, 0}, {sym("s") / 2.0}));
    auto outer = custom_gate("outer", {param("s")}, outer_def);

    Circuit c(3, 0);
    c.append(apply_custom(outer, {0, 1, 2}, {sym("theta")}));
    EXPECT_FALSE(circuit_unitary(c).ok());  // theta is free
    auto bound = c.bind(std::vector<double>{0.6});
    ASSERT_TRUE(bound.ok());
    Matrix want = unitary_of(build(3, {{K::kRZ, {0}, {0.6}}, {K::kCX, {2, 0}}}, 0.3));
    EXPECT_TRUE(matrices_near(unitary_of(*bound), want));
}

TEST(CircuitUnitary, refuses_non_unitary_operations_free_parameters_and_big_circuits) {
    Circuit m(1, 1);
    ASSERT_TRUE(m.append(K::kH, {0}).ok());
    ASSERT_TRUE(m.append(K::kMeasure, {0}, {}, {0}).ok());
    EXPECT_EQ(circuit_unitary(m).status().message(),
              "instruction 1 (measure): not a unitary operation");
    Circuit r(1, 0);
    ASSERT_TRUE(r.append(K::kReset, {0}).ok());
    EXPECT_FALSE(circuit_unitary(r).ok());
    Circuit f(1, 0);
    ASSERT_TRUE(f.append(K::kRZ, {0}, {sym("theta")}).ok());
    EXPECT_EQ(circuit_unitary(f).status().message(),
              "instruction 0 (rz) parameter 0: cannot evaluate 'theta': parameter 'theta' is not "
              "bound");
    Circuit gp(1, 0);
    gp.global_phase = sym("g");
    EXPECT_EQ(circuit_unitary(gp).status().message(),
              "global phase: cannot evaluate 'g': parameter 'g' is not bound");
    EXPECT_EQ(circuit_unitary(Circuit(11, 0)).status().message(),
              "circuit has 11 qubits; the unitary is computed for at most 10");
    EXPECT_EQ(circuit_unitary(Circuit(3, 0), 2).status().message(),
              "circuit has 3 qubits; the unitary is computed for at most 2");
    EXPECT_TRUE(circuit_unitary(Circuit(3, 0), 3).ok());
    Circuit bad(2, 0);
    bad.append(make(K::kCX, {1, 1}));
    EXPECT_EQ(circuit_unitary(bad).status().message(),
              "instruction 0 (cx): qubit 1 appears twice among the operands");
    Circuit short_cx(2, 0);
    short_cx.append(make(K::kCX, {1}));
    EXPECT_EQ(circuit_unitary(short_cx).status().message(),
              "instruction 0 (cx): takes 2 qubits, got 1");
}

TEST(CircuitUnitary, matches_a_gate_matrix_on_permuted_qubits) {
    // A 3-qubit gate on (2, 0, 1): gate qubit j is circuit qubit perm[j].
    const std::uint32_t perm[] = {2, 0, 1};
    Matrix g = matrix_of(K::kRCCX);
    Matrix u = unitary_of(build(3, {{K::kRCCX, {2, 0, 1}}}));
    for (int r = 0; r < 8; ++r) {
        for (int col = 0; col < 8; ++col) {
            int R = 0, Cc = 0;
            for (int j = 0; j < 3; ++j) {
                R |= ((r >> j) & 1) << perm[j];
                Cc |= ((col >> j) & 1) << perm[j];
            }
            EXPECT_EQ(u(R, Cc), g(r, col)) << r << "," << col;
        }
    }
    (void)kPi;
}

}  // namespace
}  // namespace qrt::circuit
