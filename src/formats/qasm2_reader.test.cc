#include "formats/qasm2_reader.h"

#include <gtest/gtest.h>

#include "formats/qasm_testing.h"

namespace qrt::formats {
namespace {

using testing::summarize;

struct Good {
    const char* program;
    const char* expected;
};

const Good kGood[] = {
    {"OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n"
     "measure q[0] -> c[0];\nmeasure q[1] -> c[1];\n",
     "q2 c2 | h 0 | cx 0,1 | measure 0->0 | measure 1->1"},
    {"OPENQASM 2.0;\nqreg q[3];\ncreg c[3];\nU(pi/2,0,pi) q[0];\nCX q[0],q[1];\nmeasure q -> c;\n",
     "q3 c3 | u(1.5707963267948966,0,3.141592653589793) 0 | cx 0,1 | measure 0->0 | measure 1->1 | "
     "measure 2->2"},
    {"OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[4];\nu3(0.1,0.2,0.3) q[0];\nu2(0.1,0.2) q[1];\n"
     "u1(2^-1) q[0];\nu0(1) q[0];\ncu1(0.5) q[0],q[1];\ncu3(0.1,0.2,0.3) q[0],q[1];\nc3sqrtx q[0],q[1],q[2],q[3];\n",
     nullptr},
    {"OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nmeasure q[0] -> c[0];\n"
     "if(c==1) x q[1];\nreset q;\nbarrier q;\nh q;\n",
     "q2 c2 | measure 0->0 | if(c==1){x 0} 1->0,1 | reset 0 | reset 1 | barrier 0,1 | h 0 | h 1"},
    {"OPENQASM 2.0;\ninclude \"qelib1.inc\";\ngate mygate(theta) a, b { rz(theta) a; CX a, b; }\n"
     "gate rzz(theta) a,b { cx a,b; u1(theta) b; cx a,b; }\nqreg q[2];\nmygate(pi/4) q[1], q[0];\n"
     "rzz(0.5) q[0],q[1];\n",
     "q2 c0 | mygate(0.7853981633974483) 1,0 | rzz(0.5) 0,1"},
    {"OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg a[2];\nqreg b[2];\ncx a, b;\nc3x a[0],a[1],b[0],b[1];\n"
     "qreg c[1];\nc4x a[0],a[1],b[0],b[1],c[0];\nrc3x a[0],a[1],b[0],b[1];\n",
     "q5 c0 | cx 0,2 | cx 1,3 | c3x 0,1,2,3 | mcx 0,1,2,3,4 | rcccx 0,1,2,3"},
};

TEST(Qasm2Reader, reads_the_programs_of_the_table_to_the_expected_circuits) {
    for (const Good& g : kGood) {
        SCOPED_TRACE(g.program);
        auto r = parse_qasm2(g.program);
        if (g.expected == nullptr) continue;
        ASSERT_TRUE(r.ok()) << r.status().to_string();
        EXPECT_EQ(summarize(*r), g.expected);
        EXPECT_TRUE(r->validate().ok()) << r->validate().to_string();
    }
}

TEST(Qasm2Reader, maps_qelib1_gates_to_qiskit_gates) {
    auto r = parse_qasm2(kGood[2].program);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(summarize(*r),
              "q4 c0 | u3(0.1,0.2,0.3) 0 | u2(0.1,0.2) 1 | u1(0.5) 0 | id 0 | cu1(0.5) 0,1 | "
              "cu3(0.1,0.2,0.3) 0,1 | c3sx 0,1,2,3");
}

struct Bad {
    const char* program;
    ErrorCode code;
    const char* message;
};

const Bad kBad[] = {
    {"qreg q[1];\n", ErrorCode::kInvalidArgument, "1:1: expected 'OPENQASM 2.0;' at the start"},
    {"OPENQASM 3.0;\n", ErrorCode::kInvalidArgument, "1:1: unsupported OpenQASM version 3.0"},
    {"OPENQASM 2.0;\ninclude \"stdgates.inc\";\n", ErrorCode::kInvalidArgument,
     "2:9: cannot include \"stdgates.inc\": only \"qelib1.inc\""},
    {"OPENQASM 2.0;\nqubit[2] q;\n", ErrorCode::kInvalidArgument, "2:1: 'qubit' is OpenQASM 3, not OpenQASM 2"},
    {"OPENQASM 2.0;\nopaque g a;\n", ErrorCode::kUnimplemented, "2:1: opaque gates are not supported"},
    {"OPENQASM 2.0;\nqreg q[1];\ncreg c[1];\nc[0] = measure q[0];\n", ErrorCode::kInvalidArgument,
     "4:1: expected a statement"},
    {"OPENQASM 2.0;\nqreg q[1];\nh $0;\n", ErrorCode::kInvalidArgument, "3:3: physical qubits are OpenQASM 3"},
    {"OPENQASM 2.0;\nqreg q[1];\nfoo q[0];\n", ErrorCode::kInvalidArgument, "3:1: unknown gate 'foo'"},
    {"OPENQASM 2.0;\nqreg q;\n", ErrorCode::kInvalidArgument, "2:7: expected '[' after the register name"},
    {"OPENQASM 2.0;\nqreg q[1];\ncreg c[1];\nif (c) x q[0];\n", ErrorCode::kInvalidArgument,
     "4:6: expected '==' in the condition"},
    {"OPENQASM 2.0;\nqreg q[1];\necr q[0], q[0];\n", ErrorCode::kInvalidArgument, "3:1: unknown gate 'ecr'"},
    {"OPENQASM 2.0;\nqreg q[1];\ncreg c[1];\nmeasure q[0];\n", ErrorCode::kUnimplemented,
     "4:13: a measurement without a target bit"},
    {"OPENQASM 2.0;\nqreg q[1];\nx q[0];\nelse x q[0];\n", ErrorCode::kInvalidArgument, "4:1: 'else' is OpenQASM 3"},
};

TEST(Qasm2Reader, refuses_bad_programs_naming_what_and_where) {
    for (const Bad& b : kBad) {
        SCOPED_TRACE(b.program);
        auto r = parse_qasm2(b.program);
        ASSERT_FALSE(r.ok()) << summarize(*r);
        EXPECT_EQ(r.status().code(), b.code) << r.status().to_string();
        EXPECT_NE(r.status().message().find(b.message), std::string::npos)
            << "message: " << r.status().message() << "\nwanted: " << b.message;
    }
}

}  // namespace
}  // namespace qrt::formats
