#include "formats/qasm_gates.h"

#include <unordered_map>

namespace qrt::formats::qasm {

using circuit::GateKind;

namespace {

struct NameRow {
    std::string_view name;
    BuiltinGate gate;
    bool qasm2;  // callable in OpenQASM 2 (qelib1.inc as Qiskit ships it, plus U and CX)
    bool qasm3;  // callable in OpenQASM 3 without a definition
};

// Names both readers accept. OpenQASM 3 is lenient: every gate of qrt's table may be called
// without a definition (IBM ISA programs call ecr/rzz directly); Qiskit's exporter emits
// definitions anyway, which the reader matches by name.
constexpr NameRow kNames[] = {
    {"id", {GateKind::kI, 1, 0}, true, true},
    {"x", {GateKind::kX, 1, 0}, true, true},
    {"y", {GateKind::kY, 1, 0}, true, true},
    {"z", {GateKind::kZ, 1, 0}, true, true},
    {"h", {GateKind::kH, 1, 0}, true, true},
    {"s", {GateKind::kS, 1, 0}, true, true},
    {"sdg", {GateKind::kSdg, 1, 0}, true, true},
    {"t", {GateKind::kT, 1, 0}, true, true},
    {"tdg", {GateKind::kTdg, 1, 0}, true, true},
    {"sx", {GateKind::kSX, 1, 0}, true, true},
    {"sxdg", {GateKind::kSXdg, 1, 0}, true, true},
    {"rx", {GateKind::kRX, 1, 1}, true, true},
    {"ry", {GateKind::kRY, 1, 1}, true, true},
    {"rz", {GateKind::kRZ, 1, 1}, true, true},
    {"p", {GateKind::kP, 1, 1}, true, true},
    {"phase", {GateKind::kP, 1, 1}, false, true},
    {"r", {GateKind::kR, 1, 2}, false, true},
    {"U", {GateKind::kU, 1, 3}, true, true},
    {"u", {GateKind::kU, 1, 3}, true, true},
    {"u1", {GateKind::kU1, 1, 1}, true, true},
    {"u2", {GateKind::kU2, 1, 2}, true, true},
    {"u3", {GateKind::kU3, 1, 3}, true, true},
    {"u0", {GateKind::kI, 1, 1, true}, true, false},
    {"CX", {GateKind::kCX, 2, 0}, true, true},
    {"cx", {GateKind::kCX, 2, 0}, true, true},
    {"cy", {GateKind::kCY, 2, 0}, true, true},
    {"cz", {GateKind::kCZ, 2, 0}, true, true},
    {"ch", {GateKind::kCH, 2, 0}, true, true},
    {"cs", {GateKind::kCS, 2, 0}, false, true},
    {"csdg", {GateKind::kCSdg, 2, 0}, false, true},
    {"csx", {GateKind::kCSX, 2, 0}, true, true},
    {"crx", {GateKind::kCRX, 2, 1}, true, true},
    {"cry", {GateKind::kCRY, 2, 1}, true, true},
    {"crz", {GateKind::kCRZ, 2, 1}, true, true},
    {"cp", {GateKind::kCP, 2, 1}, true, true},
    {"cphase", {GateKind::kCP, 2, 1}, false, true},
    {"cu", {GateKind::kCU, 2, 4}, true, true},
    {"cu1", {GateKind::kCU1, 2, 1}, true, true},
    {"cu3", {GateKind::kCU3, 2, 3}, true, true},
    {"swap", {GateKind::kSwap, 2, 0}, true, true},
    {"iswap", {GateKind::kISwap, 2, 0}, false, true},
    {"ecr", {GateKind::kECR, 2, 0}, false, true},
    {"dcx", {GateKind::kDCX, 2, 0}, false, true},
    {"rxx", {GateKind::kRXX, 2, 1}, true, true},
    {"ryy", {GateKind::kRYY, 2, 1}, false, true},
    {"rzz", {GateKind::kRZZ, 2, 1}, true, true},
    {"rzx", {GateKind::kRZX, 2, 1}, false, true},
    {"xx_minus_yy", {GateKind::kXXMinusYY, 2, 2}, false, true},
    {"xx_plus_yy", {GateKind::kXXPlusYY, 2, 2}, false, true},
    {"ccx", {GateKind::kCCX, 3, 0}, true, true},
    {"ccz", {GateKind::kCCZ, 3, 0}, false, true},
    {"cswap", {GateKind::kCSwap, 3, 0}, true, true},
    {"rccx", {GateKind::kRCCX, 3, 0}, true, true},
    {"c3x", {GateKind::kC3X, 4, 0}, true, true},
    {"c3sx", {GateKind::kC3SX, 4, 0}, false, true},
    {"c3sqrtx", {GateKind::kC3SX, 4, 0}, true, true},
    {"rcccx", {GateKind::kRC3X, 4, 0}, false, true},
    {"rc3x", {GateKind::kRC3X, 4, 0}, true, true},
    {"c4x", {GateKind::kMCX, 5, 0}, true, true},
    {"mcx", {GateKind::kMCX, -1, 0}, false, true},
};

using NameMap = std::unordered_map<std::string_view, BuiltinGate>;

NameMap build(Dialect d) {
    NameMap m;
    for (const auto& row : kNames) {
        if (d == Dialect::kQasm2 ? row.qasm2 : row.qasm3) m.emplace(row.name, row.gate);
    }
    return m;
}

}  // namespace

const BuiltinGate* find_builtin(std::string_view name, Dialect dialect) {
    static const NameMap k3 = build(Dialect::kQasm3);
    static const NameMap k2 = build(Dialect::kQasm2);
    const NameMap& m = dialect == Dialect::kQasm2 ? k2 : k3;
    auto it = m.find(name);
    return it == m.end() ? nullptr : &it->second;
}

std::string_view qasm3_name(GateKind kind) {
    switch (kind) {
        case GateKind::kI: return "id";
        case GateKind::kX: return "x";
        case GateKind::kY: return "y";
        case GateKind::kZ: return "z";
        case GateKind::kH: return "h";
        case GateKind::kS: return "s";
        case GateKind::kSdg: return "sdg";
        case GateKind::kT: return "t";
        case GateKind::kTdg: return "tdg";
        case GateKind::kSX: return "sx";
        case GateKind::kSXdg: return "sxdg";
        case GateKind::kRX: return "rx";
        case GateKind::kRY: return "ry";
        case GateKind::kRZ: return "rz";
        case GateKind::kP: return "p";
        case GateKind::kR: return "r";
        case GateKind::kU: return "U";
        case GateKind::kU1: return "u1";
        case GateKind::kU2: return "u2";
        case GateKind::kU3: return "u3";
        case GateKind::kCX: return "cx";
        case GateKind::kCY: return "cy";
        case GateKind::kCZ: return "cz";
        case GateKind::kCH: return "ch";
        case GateKind::kCS: return "cs";
        case GateKind::kCSdg: return "csdg";
        case GateKind::kCSX: return "csx";
        case GateKind::kCRX: return "crx";
        case GateKind::kCRY: return "cry";
        case GateKind::kCRZ: return "crz";
        case GateKind::kCP: return "cp";
        case GateKind::kCU: return "cu";
        case GateKind::kCU1: return "cu1";
        case GateKind::kCU3: return "cu3";
        case GateKind::kSwap: return "swap";
        case GateKind::kISwap: return "iswap";
        case GateKind::kECR: return "ecr";
        case GateKind::kDCX: return "dcx";
        case GateKind::kRXX: return "rxx";
        case GateKind::kRYY: return "ryy";
        case GateKind::kRZZ: return "rzz";
        case GateKind::kRZX: return "rzx";
        case GateKind::kXXMinusYY: return "xx_minus_yy";
        case GateKind::kXXPlusYY: return "xx_plus_yy";
        case GateKind::kCCX: return "ccx";
        case GateKind::kCCZ: return "ccz";
        case GateKind::kCSwap: return "cswap";
        case GateKind::kRCCX: return "rccx";
        case GateKind::kC3X: return "c3x";
        case GateKind::kC3SX: return "c3sx";
        case GateKind::kRC3X: return "rcccx";
        case GateKind::kGlobalPhase: return "gphase";
        default: return {};
    }
}

bool in_stdgates(GateKind kind) {
    switch (kind) {
        case GateKind::kI: case GateKind::kX: case GateKind::kY: case GateKind::kZ:
        case GateKind::kH: case GateKind::kS: case GateKind::kSdg: case GateKind::kT:
        case GateKind::kTdg: case GateKind::kSX: case GateKind::kRX: case GateKind::kRY:
        case GateKind::kRZ: case GateKind::kP: case GateKind::kU: case GateKind::kU1:
        case GateKind::kU2: case GateKind::kU3: case GateKind::kCX: case GateKind::kCY:
        case GateKind::kCZ: case GateKind::kCH: case GateKind::kCRX: case GateKind::kCRY:
        case GateKind::kCRZ: case GateKind::kCP: case GateKind::kCU: case GateKind::kSwap:
        case GateKind::kCCX: case GateKind::kCSwap: case GateKind::kGlobalPhase:
            return true;
        default:
            return false;
    }
}

std::string_view standard_definition(GateKind kind) {
    // Bodies use stdgates.inc only (sxdg is spelled s; h; s) so the order of emission is free.
    switch (kind) {
        case GateKind::kSXdg:
            return "gate sxdg _gate_q_0 {\n  s _gate_q_0;\n  h _gate_q_0;\n  s _gate_q_0;\n}\n";
        case GateKind::kR:
            return "gate r(_gate_p_0, _gate_p_1) _gate_q_0 {\n"
                   "  U(_gate_p_0, _gate_p_1 - pi/2, -_gate_p_1 + pi/2) _gate_q_0;\n}\n";
        case GateKind::kCS:
            return "gate cs _gate_q_0, _gate_q_1 {\n  cp(pi/2) _gate_q_0, _gate_q_1;\n}\n";
        case GateKind::kCSdg:
            return "gate csdg _gate_q_0, _gate_q_1 {\n  cp(-pi/2) _gate_q_0, _gate_q_1;\n}\n";
        case GateKind::kCSX:
            return "gate csx _gate_q_0, _gate_q_1 {\n  h _gate_q_1;\n"
                   "  cp(pi/2) _gate_q_0, _gate_q_1;\n  h _gate_q_1;\n}\n";
        case GateKind::kCU1:
            return "gate cu1(_gate_p_0) _gate_q_0, _gate_q_1 {\n"
                   "  cp(_gate_p_0) _gate_q_0, _gate_q_1;\n}\n";
        case GateKind::kCU3:
            return "gate cu3(_gate_p_0, _gate_p_1, _gate_p_2) _gate_q_0, _gate_q_1 {\n"
                   "  cu(_gate_p_0, _gate_p_1, _gate_p_2, 0) _gate_q_0, _gate_q_1;\n}\n";
        case GateKind::kISwap:
            return "gate iswap _gate_q_0, _gate_q_1 {\n  s _gate_q_0;\n  s _gate_q_1;\n"
                   "  h _gate_q_0;\n  cx _gate_q_0, _gate_q_1;\n  cx _gate_q_1, _gate_q_0;\n"
                   "  h _gate_q_1;\n}\n";
        case GateKind::kECR:
            return "gate ecr _gate_q_0, _gate_q_1 {\n  s _gate_q_0;\n  sx _gate_q_1;\n"
                   "  cx _gate_q_0, _gate_q_1;\n  x _gate_q_0;\n}\n";
        case GateKind::kDCX:
            return "gate dcx _gate_q_0, _gate_q_1 {\n  cx _gate_q_0, _gate_q_1;\n"
                   "  cx _gate_q_1, _gate_q_0;\n}\n";
        case GateKind::kRXX:
            return "gate rxx(_gate_p_0) _gate_q_0, _gate_q_1 {\n  h _gate_q_0;\n  h _gate_q_1;\n"
                   "  cx _gate_q_0, _gate_q_1;\n  rz(_gate_p_0) _gate_q_1;\n"
                   "  cx _gate_q_0, _gate_q_1;\n  h _gate_q_0;\n  h _gate_q_1;\n}\n";
        case GateKind::kRYY:
            return "gate ryy(_gate_p_0) _gate_q_0, _gate_q_1 {\n  rx(pi/2) _gate_q_0;\n"
                   "  rx(pi/2) _gate_q_1;\n  cx _gate_q_0, _gate_q_1;\n  rz(_gate_p_0) _gate_q_1;\n"
                   "  cx _gate_q_0, _gate_q_1;\n  rx(-pi/2) _gate_q_0;\n  rx(-pi/2) _gate_q_1;\n}\n";
        case GateKind::kRZZ:
            return "gate rzz(_gate_p_0) _gate_q_0, _gate_q_1 {\n  cx _gate_q_0, _gate_q_1;\n"
                   "  rz(_gate_p_0) _gate_q_1;\n  cx _gate_q_0, _gate_q_1;\n}\n";
        case GateKind::kRZX:
            return "gate rzx(_gate_p_0) _gate_q_0, _gate_q_1 {\n  h _gate_q_1;\n"
                   "  cx _gate_q_0, _gate_q_1;\n  rz(_gate_p_0) _gate_q_1;\n"
                   "  cx _gate_q_0, _gate_q_1;\n  h _gate_q_1;\n}\n";
        case GateKind::kXXMinusYY:
            return "gate xx_minus_yy(_gate_p_0, _gate_p_1) _gate_q_0, _gate_q_1 {\n"
                   "  rz(-_gate_p_1) _gate_q_1;\n  rz(-pi/2) _gate_q_0;\n  sx _gate_q_0;\n"
                   "  rz(pi/2) _gate_q_0;\n  s _gate_q_1;\n  cx _gate_q_0, _gate_q_1;\n"
                   "  ry(_gate_p_0/2) _gate_q_0;\n  ry(-_gate_p_0/2) _gate_q_1;\n"
                   "  cx _gate_q_0, _gate_q_1;\n  sdg _gate_q_1;\n  rz(-pi/2) _gate_q_0;\n"
                   "  s _gate_q_0;\n  h _gate_q_0;\n  s _gate_q_0;\n  rz(pi/2) _gate_q_0;\n"
                   "  rz(_gate_p_1) _gate_q_1;\n}\n";
        case GateKind::kXXPlusYY:
            return "gate xx_plus_yy(_gate_p_0, _gate_p_1) _gate_q_0, _gate_q_1 {\n"
                   "  rz(_gate_p_1) _gate_q_0;\n  rz(-pi/2) _gate_q_1;\n  sx _gate_q_1;\n"
                   "  rz(pi/2) _gate_q_1;\n  s _gate_q_0;\n  cx _gate_q_1, _gate_q_0;\n"
                   "  ry(-_gate_p_0/2) _gate_q_1;\n  ry(-_gate_p_0/2) _gate_q_0;\n"
                   "  cx _gate_q_1, _gate_q_0;\n  sdg _gate_q_0;\n  rz(-pi/2) _gate_q_1;\n"
                   "  s _gate_q_1;\n  h _gate_q_1;\n  s _gate_q_1;\n  rz(pi/2) _gate_q_1;\n"
                   "  rz(-_gate_p_1) _gate_q_0;\n}\n";
        case GateKind::kCCZ:
            return "gate ccz _gate_q_0, _gate_q_1, _gate_q_2 {\n  h _gate_q_2;\n"
                   "  ccx _gate_q_0, _gate_q_1, _gate_q_2;\n  h _gate_q_2;\n}\n";
        case GateKind::kRCCX:
            return "gate rccx _gate_q_0, _gate_q_1, _gate_q_2 {\n  h _gate_q_2;\n  t _gate_q_2;\n"
                   "  cx _gate_q_1, _gate_q_2;\n  tdg _gate_q_2;\n  cx _gate_q_0, _gate_q_2;\n"
                   "  t _gate_q_2;\n  cx _gate_q_1, _gate_q_2;\n  tdg _gate_q_2;\n  h _gate_q_2;\n}\n";
        case GateKind::kC3X:
            return "gate c3x _gate_q_0, _gate_q_1, _gate_q_2, _gate_q_3 {\n"
                   "  ctrl(3) @ x _gate_q_0, _gate_q_1, _gate_q_2, _gate_q_3;\n}\n";
        case GateKind::kC3SX:
            return "gate c3sx _gate_q_0, _gate_q_1, _gate_q_2, _gate_q_3 {\n"
                   "  ctrl(3) @ sx _gate_q_0, _gate_q_1, _gate_q_2, _gate_q_3;\n}\n";
        case GateKind::kRC3X:
            return "gate rcccx _gate_q_0, _gate_q_1, _gate_q_2, _gate_q_3 {\n"
                   "  h _gate_q_3;\n  t _gate_q_3;\n  cx _gate_q_2, _gate_q_3;\n  tdg _gate_q_3;\n"
                   "  h _gate_q_3;\n  cx _gate_q_0, _gate_q_3;\n  t _gate_q_3;\n"
                   "  cx _gate_q_1, _gate_q_3;\n  tdg _gate_q_3;\n  cx _gate_q_0, _gate_q_3;\n"
                   "  t _gate_q_3;\n  cx _gate_q_1, _gate_q_3;\n  tdg _gate_q_3;\n  h _gate_q_3;\n"
                   "  t _gate_q_3;\n  cx _gate_q_2, _gate_q_3;\n  tdg _gate_q_3;\n  h _gate_q_3;\n}\n";
        default:
            return {};
    }
}

}  // namespace qrt::formats::qasm
