#include "formats/qasm3_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "formats/qasm_testing.h"

namespace qrt::formats {
namespace {

using testing::summarize;

struct Good {
    const char* program;
    const char* expected;  // summarize() of the circuit
};

const Good kGood[] = {
    // Qiskit's export of a Bell circuit.
    {"OPENQASM 3.0;\ninclude \"stdgates.inc\";\nbit[2] c;\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n"
     "c[0] = measure q[0];\nc[1] = measure q[1];\n",
     "q2 c2 | h 0 | cx 0,1 | measure 0->0 | measure 1->1"},
    // An ISA circuit on physical qubits: the circuit has max($n) + 1 qubits.
    {"OPENQASM 3.0;\ninclude \"stdgates.inc\";\nbit[1] meas;\nrz(pi/2) $3;\nsx $0;\necr $0, $3;\n"
     "meas[0] = measure $3;\n",
     "q4 c1 | rz(1.5707963267948966) 3 | sx 0 | ecr 0,3 | measure 3->0"},
    {"OPENQASM 3;\nqubit[3] q;\nbit[3] c;\nh q;\nc = measure q;\n",
     "q3 c3 | h 0 | h 1 | h 2 | measure 0->0 | measure 1->1 | measure 2->2"},
    {"qubit[2] a;\nqubit[2] b;\ncx a, b;\ncx a[0], b;\n", "q4 c0 | cx 0,2 | cx 1,3 | cx 0,2 | cx 0,3"},
    {"OPENQASM 3;\nqreg q[2];\ncreg c[2];\nmeasure q -> c;\nmeasure q[1] -> c[0];\n",
     "q2 c2 | measure 0->0 | measure 1->1 | measure 1->0"},
    {"const float[64] half = pi / 2;\nqubit q;\nrx(half) q;\nry(sin(pi/6)*2) q;\nrz(1.5e-3) q;\n"
     "p(tau/4) q;\nu3(1_000.5, .5, 1.) q;\nrz(-2**2) q;\nrz(2**-1) q;\nrz(ln(euler)) q;\n",
     "q1 c0 | rx(1.5707963267948966) 0 | ry(0.9999999999999999) 0 | rz(0.0015) 0 | "
     "p(1.5707963267948966) 0 | u3(1000.5,0.5,1) 0 | rz(-4) 0 | rz(0.5) 0 | rz(1) 0"},
    {"qubit[2] q;\ndelay[100dt] q[0];\ndelay[1.5us] q;\ndelay[20\xC2\xB5s] q[1];\ndelay[3ms] q[0];\n",
     "q2 c0 | delay[100dt] 0 | delay[1.5us] 0 | delay[1.5us] 1 | delay[20us] 1 | delay[3ms] 0"},
    {"qubit[3] q;\nbarrier q[0], q[2];\nbarrier;\nbarrier q;\nreset q[1];\nreset q;\n",
     "q3 c0 | barrier 0,2 | barrier 0,1,2 | barrier 0,1,2 | reset 1 | reset 0 | reset 1 | reset 2"},
    {"barrier $0, $2;\nh $1;\nbarrier;\n", "q3 c0 | barrier 0,2 | h 1 | barrier 0,1,2"},
    // Conditions: a clbit, a register value, a negated clbit; bodies act on their own qubits.
    {"qubit[2] q;\nbit[2] c;\nc[0] = measure q[0];\nif (c[0]) { x q[1]; } else { h q[1]; }\n"
     "if (c == 3) x q[0];\nif (!c[1]) {\n  z q[1];\n  cx q[1], q[0];\n}\nif (c[1] == 0) { x q[1]; }\n",
     "q2 c2 | measure 0->0 | if(c0==1){x 0}else{h 0} 1->0 | if(c==3){x 0} 0->0,1 | "
     "if(c1==0){z 1 | cx 1,0} 0,1->1 | if(c1==0){x 0} 1->1"},
    {"bit[2] m;\nif (m == 2) { x $4; }\n", "q5 c2 | if(m==2){x 0} 4->0,1"},
    // Qiskit emits definitions for gates outside stdgates.inc; known names map to the native gate.
    {"gate ecr _gate_q_0, _gate_q_1 {\n  s _gate_q_0;\n  sx _gate_q_1;\n  cx _gate_q_0, _gate_q_1;\n"
     "  x _gate_q_0;\n}\ngate rzz(p0) _gate_q_0, _gate_q_1 {\n  cx _gate_q_0, _gate_q_1;\n"
     "  rz(p0) _gate_q_1;\n  cx _gate_q_0, _gate_q_1;\n}\necr $0, $1;\nrzz(0.25) $1, $0;\n",
     "q2 c0 | ecr 0,1 | rzz(0.25) 1,0"},
    {"gate mine(a) x, y { rz(a) x; cx x, y; }\nqubit[2] q;\nmine(0.5) q[1], q[0];\n",
     "q2 c0 | mine(0.5) 1,0"},
    // ISA gates without definitions are accepted too.
    {"ecr $0, $1;\nrzz(0.5) $0, $1;\nsxdg $0;\niswap $0, $1;\n",
     "q2 c0 | ecr 0,1 | rzz(0.5) 0,1 | sxdg 0 | iswap 0,1"},
    {"qubit[3] q;\nctrl @ x q[0], q[1];\nctrl(2) @ x q[0], q[1], q[2];\ninv @ s q[0];\n"
     "ctrl @ U(pi, 0, pi) q[0], q[1];\npow(0.5) @ x q[0];\nctrl @ gphase(0.5) q[0];\n"
     "inv @ rx(0.3) q[0];\nctrl @ ctrl @ z q[0], q[1], q[2];\ninv @ u3(0.1, 0.2, 0.3) q[2];\n",
     "q3 c0 | cx 0,1 | ccx 0,1,2 | sdg 0 | cu(3.141592653589793,0,3.141592653589793,1.5707963267948966) 0,1 | "
     "sx 0 | p(0.5) 0 | rx(-0.3) 0 | ccz 0,1,2 | u3(-0.1,-0.3,-0.2) 2"},
    {"qubit[2] q;\nnegctrl @ x q[0], q[1];\n", "q2 c0 | x 0 | cx 0,1 | x 0"},
    {"gphase(0.25);\nqubit q;\nx q;\ngphase(-pi);\n", "q1 c0 gp=-2.891592653589793 | x 0"},
    {"qubit[2] q;\nCX q[0], q[1];\nU(0.1, 0.2, 0.3) q[0];\nphase(0.5) q[1];\ncphase(0.5) q[0], q[1];\n"
     "id q[0];\n",
     "q2 c0 | cx 0,1 | u(0.1,0.2,0.3) 0 | p(0.5) 1 | cp(0.5) 0,1 | id 0"},
    {"// comment\n/* block\ncomment */ qubit q; // trailing\nx q; /**/\n", "q1 c0 | x 0"},
    {"bit b;\nqubit a;\nb = measure a;\nif (b) x a;\n", "q1 c1 | measure 0->0 | if(c0==1){x 0} 0->0"},
    {"qubit q;\nrz(\xCF\x80) q;\nrz(\xCF\x84/2) q;\n", "q1 c0 | rz(3.141592653589793) 0 | rz(3.141592653589793) 0"},
    {"qubit q;\n;\n{ x q; }\n", "q1 c0 | x 0"},
    {"qubit[4] q;\nmcx q[0], q[1], q[2], q[3];\nc3x q[0], q[1], q[2], q[3];\nrcccx q[0], q[1], q[2], q[3];\n"
     "ctrl(3) @ x q[0], q[1], q[2], q[3];\nctrl(3) @ sx q[0], q[1], q[2], q[3];\n",
     "q4 c0 | mcx 0,1,2,3 | c3x 0,1,2,3 | rcccx 0,1,2,3 | mcx 0,1,2,3 | c3sx 0,1,2,3"},
};

TEST(Qasm3Reader, reads_the_programs_of_the_table_to_the_expected_circuits) {
    for (const Good& g : kGood) {
        SCOPED_TRACE(g.program);
        auto r = parse_qasm3(g.program);
        ASSERT_TRUE(r.ok()) << r.status().to_string();
        EXPECT_EQ(summarize(*r), g.expected);
        EXPECT_TRUE(r->validate().ok()) << r->validate().to_string();
    }
}

TEST(Qasm3Reader, declares_registers_and_loose_bits_in_order) {
    auto r = parse_qasm3("bit[2] c;\nbit loose;\nbit[1] d;\nqubit[3] q;\nqubit a;\n");
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->num_clbits(), 4u);
    EXPECT_EQ(r->num_qubits(), 4u);
    ASSERT_EQ(r->cregs.size(), 2u);
    EXPECT_EQ(r->cregs[0].name, "c");
    EXPECT_EQ(r->cregs[1].name, "d");
    EXPECT_EQ(r->cregs[1].bits, std::vector<std::int64_t>{3});
    ASSERT_EQ(r->qregs.size(), 1u);
    EXPECT_EQ(r->qregs[0].bits, (std::vector<std::int64_t>{0, 1, 2}));
}

TEST(Qasm3Reader, turns_inputs_into_parameters_in_qiskit_order) {
    auto r = parse_qasm3(
        "input float[64] theta;\ninput angle[32] alpha;\ninput float[64] _x_10_;\n"
        "input float[64] _x_2_;\ninput float[64] _x_0_;\nqubit q;\n"
        "rz(theta + alpha) q;\nrx(_x_10_ * _x_2_ - _x_0_) q;\n");
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    std::vector<std::string> names;
    for (const auto& s : r->parameters()) names.push_back(s.name);
    EXPECT_EQ(names, (std::vector<std::string>{"alpha", "theta", "x[0]", "x[2]", "x[10]"}));
    const auto params = r->parameters();
    EXPECT_EQ(params[2].vector, "x");
    EXPECT_EQ(params[4].index, 10u);
    EXPECT_EQ(params[4].vector_size, 11u);
    auto bound = r->bind({0.5, 1.0, 2.0, 3.0, 4.0});
    ASSERT_TRUE(bound.ok()) << bound.status().to_string();
    EXPECT_EQ(*bound->instructions[0].params[0].value(), 1.5);
    EXPECT_EQ(*bound->instructions[1].params[0].value(), 4.0 * 3.0 - 2.0);
}

TEST(Qasm3Reader, keeps_parameter_expressions_symbolic) {
    auto r = parse_qasm3("input float[64] a;\ninput float[64] b;\nqubit q;\n"
                         "rz(2*a + pi) q;\nrx(sin(a)**2 / -b) q;\nry(sqrt(a)) q;\n");
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    auto bound = r->bind(std::map<std::string, double>{{"a", 0.25}, {"b", 2.0}});
    ASSERT_TRUE(bound.ok()) << bound.status().to_string();
    EXPECT_DOUBLE_EQ(*bound->instructions[0].params[0].value(), 0.5 + 3.141592653589793);
    EXPECT_DOUBLE_EQ(*bound->instructions[1].params[0].value(), std::pow(std::sin(0.25), 2) / -2.0);
    EXPECT_DOUBLE_EQ(*bound->instructions[2].params[0].value(), 0.5);
}

TEST(Qasm3Reader, builds_custom_gates_with_their_definitions) {
    auto r = parse_qasm3("gate inner(t) a { rz(t/2) a; gphase(0.125); }\n"
                         "gate outer(t) a, b { inner(t) a; cx a, b; }\nqubit[2] q;\nouter(0.5) q[0], q[1];\n");
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    ASSERT_EQ(r->instructions.size(), 1u);
    const auto& g = *r->instructions[0].custom;
    EXPECT_EQ(g.name, "outer");
    ASSERT_EQ(g.params.size(), 1u);
    EXPECT_EQ(g.params[0].name, "t");
    EXPECT_EQ(summarize(*g.body), "q2 c0 | inner(t) 0 | cx 0,1");
    EXPECT_EQ(summarize(*g.body->instructions[0].custom->body), "q1 c0 gp=0.125 | rz(t/2) 0");
    EXPECT_TRUE(r->parameters().empty());
}

struct Bad {
    const char* program;
    ErrorCode code;
    const char* message;  // a substring of the message, line:column included
};

const Bad kBad[] = {
    {"OPENQASM 3.0;\nqubit[2] q;\nh q[0] q[1];\n", ErrorCode::kInvalidArgument,
     "3:8: expected ';' after gate call, found 'q'"},
    {"qubit q;\nfoo q;\n", ErrorCode::kInvalidArgument, "2:1: unknown gate 'foo'"},
    {"qubit[2] q;\ncx q[0];\n", ErrorCode::kInvalidArgument, "2:4: gate 'cx' acts on 2 qubits, got 1"},
    {"qubit[3] q;\ncx q[0], q[1], q[2];\n", ErrorCode::kInvalidArgument, "gate 'cx' acts on 2 qubits, got 3"},
    {"h r[0];\n", ErrorCode::kInvalidArgument, "1:3: undeclared qubit register 'r'"},
    {"qubit[2] q;\nh q[2];\n", ErrorCode::kInvalidArgument,
     "2:5: index 2 out of range for register 'q' of size 2"},
    {"qubit[2] q;\nqubit[3] q;\n", ErrorCode::kInvalidArgument,
     "2:10: 'q' is already declared (declared at 1:10)"},
    {"bit c;\nqubit c;\n", ErrorCode::kInvalidArgument, "2:7: 'c' is already declared"},
    {"include \"foo.inc\";\n", ErrorCode::kInvalidArgument,
     "1:9: cannot include \"foo.inc\": only \"stdgates.inc\" is available"},
    {"defcalgrammar \"openpulse\";\n", ErrorCode::kUnimplemented, "1:1: 'defcalgrammar' is not supported"},
    {"cal { }\n", ErrorCode::kUnimplemented, "1:1: 'cal' is not supported"},
    {"defcal x $0 { }\n", ErrorCode::kUnimplemented, "'defcal' is not supported"},
    {"qubit q;\nrz(0.1, 0.2) q;\n", ErrorCode::kInvalidArgument, "2:1: gate 'rz' takes 1 parameter, got 2"},
    {"qubit q;\nrz(theta) q;\n", ErrorCode::kInvalidArgument, "2:4: unknown identifier 'theta'"},
    {"qubit[2] q;\ncx q[0], q[0];\n", ErrorCode::kInvalidArgument, "2:10: qubit 'q' is used twice"},
    {"qubit q;\nh $0;\n", ErrorCode::kInvalidArgument, "2:3: physical qubits ($n) cannot be mixed"},
    {"h $0;\nqubit q;\n", ErrorCode::kInvalidArgument, "2:7: qubit declarations cannot be mixed"},
    {"for int i in [0:3] { }\n", ErrorCode::kUnimplemented, "1:1: 'for' is not supported"},
    {"int x = 3;\n", ErrorCode::kUnimplemented, "1:1: classical variable declarations"},
    {"qubit q;\n/* unterminated\n", ErrorCode::kInvalidArgument, "2:1: unterminated block comment"},
    {"qubit q;\nrz(1/0) q;\n", ErrorCode::kInvalidArgument, "2:5: division by zero"},
    {"OPENQASM 2.0;\n", ErrorCode::kInvalidArgument, "1:1: unsupported OpenQASM version 2.0"},
    {"qubit[2] q;\nbit[3] c;\nc = measure q;\n", ErrorCode::kInvalidArgument,
     "3:13: measure: 'q' has 2 qubits but 'c' has 3 bits"},
    {"gate g a { reset a; }\n", ErrorCode::kInvalidArgument, "1:12: 'reset' is not allowed in a gate body"},
    {"gate g a { h b; }\n", ErrorCode::kInvalidArgument, "1:14: 'b' is not a qubit argument of gate 'g'"},
    {"qubit q;\nmeasure q;\n", ErrorCode::kUnimplemented, "2:10: a measurement without a target bit"},
    {"qubit[2] q;\nif (c[0]) x q[0];\n", ErrorCode::kInvalidArgument, "2:5: undeclared bit register 'c'"},
    {"qubit q;\nrz(0.5 q;\n", ErrorCode::kInvalidArgument, "2:8: expected ')' after the gate parameters, found 'q'"},
    {"qubit q;\nx q", ErrorCode::kInvalidArgument, "2:4: expected ';' after gate call, found end of input"},
    {"qubit q;\nelse x q;\n", ErrorCode::kInvalidArgument, "2:1: 'else' without a matching 'if'"},
    {"qubit q;\ndelay[100] q;\n", ErrorCode::kInvalidArgument, "2:7: a delay needs a unit"},
    {"qubit[2] q;\ninv @ iswap q[0], q[1];\n", ErrorCode::kUnimplemented, "2:1: inv @ applied to 'iswap'"},
    {"gate g a { h a; }\ngate g a { x a; }\n", ErrorCode::kInvalidArgument, "2:6: 'g' is already declared as a gate"},
    {"qubit[2] q;\nx q[1.5];\n", ErrorCode::kInvalidArgument, "2:5: an index must be an integer constant"},
    {"qubit q;\nrz(1.5ns) q;\n", ErrorCode::kInvalidArgument, "2:4: a duration is not allowed"},
    {"qubit q;\nrz(2x) q;\n", ErrorCode::kInvalidArgument, "2:4: malformed number '2x'"},
    {"qubit q;\nrz(foo(1)) q;\n", ErrorCode::kInvalidArgument, "2:4: unknown function 'foo'"},
    {"bit[2] c;\nqubit q;\nc[0] = 1;\n", ErrorCode::kUnimplemented, "3:8: classical assignment is not supported"},
    {"opaque g a;\n", ErrorCode::kUnimplemented, "1:1: opaque gates are not supported"},
    {"qubit q;\nx q;\n#pragma\n", ErrorCode::kInvalidArgument, "3:1: unexpected character '#'"},
    {"bit[2] c;\nqubit q;\nif (c) x q;\n", ErrorCode::kUnimplemented, "3:5: a condition on a whole register"},
    {"gate g a { h a; }\nqubit[2] q;\nctrl @ g q[0], q[1];\n", ErrorCode::kUnimplemented,
     "3:1: gate modifiers on the user-defined gate 'g'"},
    {"qubit[2] q;\nqubit[3] r;\ncx q, r;\n", ErrorCode::kInvalidArgument,
     "3:7: gate cx: register 'r' has 3 bits but 'q' has 2"},
    {"input int x;\n", ErrorCode::kUnimplemented, "1:7: for 'input' of type 'int' is not supported"},
    {"output float[64] x;\n", ErrorCode::kUnimplemented, "1:1: 'output' declarations are not supported"},
    {"qubit[\xCE\xB8] q;\n", ErrorCode::kInvalidArgument, "1:7: unknown identifier"},
    {"qubit q;\nrz(\"s\") q;\n", ErrorCode::kInvalidArgument, "2:4: expected an expression, found \"s\""},
    {"qubit q;\nx $;\n", ErrorCode::kInvalidArgument, "2:3: expected a qubit number after '$'"},
    {"qubit q;\nx q;\n}\n", ErrorCode::kInvalidArgument, "3:1: expected a statement, found '}'"},
    {"qubit q;\nrz(0.5) q q;\n", ErrorCode::kInvalidArgument, "2:11: expected ';' after gate call"},
    {"qubit q;\ngphase(0.5) q;\n", ErrorCode::kInvalidArgument, "2:13: gphase takes no qubit operands"},
    {"qubit q;\nlet a = q;\n", ErrorCode::kUnimplemented, "2:1: 'let' is not supported"},
    {"qubit[1048577] q;\n", ErrorCode::kInvalidArgument, "1:7: the register size 1048577 is too large"},
    {"const float[64] x = y;\n", ErrorCode::kInvalidArgument, "1:21: unknown identifier 'y'"},
    {"qubit q;\nrz(asin(2)) q;\n", ErrorCode::kInvalidArgument, "2:4: this expression does not evaluate to a finite number"},
};

TEST(Qasm3Reader, refuses_bad_programs_naming_what_and_where) {
    for (const Bad& b : kBad) {
        SCOPED_TRACE(b.program);
        auto r = parse_qasm3(b.program);
        ASSERT_FALSE(r.ok()) << summarize(*r);
        EXPECT_EQ(r.status().code(), b.code) << r.status().to_string();
        EXPECT_NE(r.status().message().find(b.message), std::string::npos)
            << "message: " << r.status().message() << "\nwanted: " << b.message;
    }
}

TEST(Qasm3Reader, refuses_deep_nesting_without_exhausting_the_stack) {
    std::string deep = "qubit q;\nrz(" + std::string(100000, '(') + "1" + std::string(100000, ')') + ") q;\n";
    auto r = parse_qasm3(deep);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos);
    std::string blocks = "bit b;\nqubit q;\n";
    for (int i = 0; i < 5000; ++i) blocks += "if (b) {";
    auto r2 = parse_qasm3(blocks);
    ASSERT_FALSE(r2.ok());
    EXPECT_NE(r2.status().message().find("nested too deeply"), std::string::npos);
}

TEST(Qasm3Reader, counts_columns_in_code_points) {
    auto r = parse_qasm3("qubit \xCE\xB8;\nh \xCE\xB8; foo \xCE\xB8;\n");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("2:6: unknown gate 'foo'"), std::string::npos)
        << r.status().message();
}

}  // namespace
}  // namespace qrt::formats
