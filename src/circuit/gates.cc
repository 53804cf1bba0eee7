#include "circuit/gates.h"

#include <array>
#include <cmath>
#include <string>

namespace qrt::circuit {

namespace {

using C = std::complex<double>;
using K = GateKind;

constexpr GateInfo kGates[] = {
    {K::kI, "id", "IGate", 1, 0, true},
    {K::kX, "x", "XGate", 1, 0, true},
    {K::kY, "y", "YGate", 1, 0, true},
    {K::kZ, "z", "ZGate", 1, 0, true},
    {K::kH, "h", "HGate", 1, 0, true},
    {K::kS, "s", "SGate", 1, 0, true},
    {K::kSdg, "sdg", "SdgGate", 1, 0, true},
    {K::kT, "t", "TGate", 1, 0, true},
    {K::kTdg, "tdg", "TdgGate", 1, 0, true},
    {K::kSX, "sx", "SXGate", 1, 0, true},
    {K::kSXdg, "sxdg", "SXdgGate", 1, 0, true},
    {K::kRX, "rx", "RXGate", 1, 1, true},
    {K::kRY, "ry", "RYGate", 1, 1, true},
    {K::kRZ, "rz", "RZGate", 1, 1, true},
    {K::kP, "p", "PhaseGate", 1, 1, true},
    {K::kR, "r", "RGate", 1, 2, true},
    {K::kU, "u", "UGate", 1, 3, true},
    {K::kU1, "u1", "U1Gate", 1, 1, true},
    {K::kU2, "u2", "U2Gate", 1, 2, true},
    {K::kU3, "u3", "U3Gate", 1, 3, true},
    {K::kCX, "cx", "CXGate", 2, 0, true},
    {K::kCY, "cy", "CYGate", 2, 0, true},
    {K::kCZ, "cz", "CZGate", 2, 0, true},
    {K::kCH, "ch", "CHGate", 2, 0, true},
    {K::kCS, "cs", "CSGate", 2, 0, true},
    {K::kCSdg, "csdg", "CSdgGate", 2, 0, true},
    {K::kCSX, "csx", "CSXGate", 2, 0, true},
    {K::kCRX, "crx", "CRXGate", 2, 1, true},
    {K::kCRY, "cry", "CRYGate", 2, 1, true},
    {K::kCRZ, "crz", "CRZGate", 2, 1, true},
    {K::kCP, "cp", "CPhaseGate", 2, 1, true},
    {K::kCU, "cu", "CUGate", 2, 4, true},
    {K::kCU1, "cu1", "CU1Gate", 2, 1, true},
    {K::kCU3, "cu3", "CU3Gate", 2, 3, true},
    {K::kSwap, "swap", "SwapGate", 2, 0, true},
    {K::kISwap, "iswap", "iSwapGate", 2, 0, true},
    {K::kECR, "ecr", "ECRGate", 2, 0, true},
    {K::kDCX, "dcx", "DCXGate", 2, 0, true},
    {K::kRXX, "rxx", "RXXGate", 2, 1, true},
    {K::kRYY, "ryy", "RYYGate", 2, 1, true},
    {K::kRZZ, "rzz", "RZZGate", 2, 1, true},
    {K::kRZX, "rzx", "RZXGate", 2, 1, true},
    {K::kXXMinusYY, "xx_minus_yy", "XXMinusYYGate", 2, 2, true},
    {K::kXXPlusYY, "xx_plus_yy", "XXPlusYYGate", 2, 2, true},
    {K::kCCX, "ccx", "CCXGate", 3, 0, true},
    {K::kCCZ, "ccz", "CCZGate", 3, 0, true},
    {K::kCSwap, "cswap", "CSwapGate", 3, 0, true},
    {K::kRCCX, "rccx", "RCCXGate", 3, 0, true},
    // Qiskit names C3XGate "mcx" (clashing with MCXGate); we use qelib1.inc's name.
    {K::kC3X, "c3x", "C3XGate", 4, 0, true},
    {K::kC3SX, "c3sx", "C3SXGate", 4, 0, true},
    {K::kRC3X, "rcccx", "RC3XGate", 4, 0, true},
    {K::kMCX, "mcx", "MCXGate", -1, 0, true},
    {K::kGlobalPhase, "global_phase", "GlobalPhaseGate", 0, 1, true},
    {K::kMeasure, "measure", "Measure", 1, 0, false},
    {K::kReset, "reset", "Reset", 1, 0, false},
    {K::kBarrier, "barrier", "Barrier", -1, 0, false},
    {K::kDelay, "delay", "Delay", 1, 1, false},
    {K::kIfElse, "if_else", "IfElseOp", -1, 0, false},
    {K::kCustom, "custom", "", -1, -1, false},
};

constexpr bool table_in_kind_order() {
    for (std::size_t i = 0; i < std::size(kGates); ++i) {
        if (static_cast<std::size_t>(kGates[i].kind) != i) return false;
    }
    return true;
}
static_assert(table_in_kind_order(), "kGates must list every GateKind in order");
static_assert(std::size(kGates) == static_cast<std::size_t>(GateKind::kCustom) + 1);

constexpr double kPi = 3.14159265358979323846;
const double kInvSqrt2 = 1.0 / std::sqrt(2.0);
constexpr C kI1{0.0, 1.0};

C expi(double a) { return {std::cos(a), std::sin(a)}; }

Matrix from_rows(int dim, std::initializer_list<C> values) {
    Matrix m;
    m.dim = dim;
    m.data.assign(values.begin(), values.end());
    return m;
}

Matrix one(C a, C b, C c, C d) { return from_rows(2, {a, b, c, d}); }

// Qiskit's U(θ, φ, λ).
Matrix u_matrix(double theta, double phi, double lam) {
    const double c = std::cos(theta / 2);
    const double s = std::sin(theta / 2);
    return one(c, -expi(lam) * s, expi(phi) * s, expi(phi + lam) * c);
}

// Controlled version of a 2x2 `u`: control = gate qubit 0 (low bit), target = gate qubit 1.
Matrix controlled(const Matrix& u) {
    Matrix m = Matrix::identity(4);
    m(1, 1) = u(0, 0);
    m(1, 3) = u(0, 1);
    m(3, 1) = u(1, 0);
    m(3, 3) = u(1, 1);
    return m;
}

// `u` on the highest qubit of an n-qubit gate, controlled by all the others being 1.
Matrix multi_controlled(const Matrix& u, int num_qubits) {
    const int dim = 1 << num_qubits;
    Matrix m = Matrix::identity(dim);
    const int lo = (dim >> 1) - 1;  // controls all 1, target 0
    const int hi = dim - 1;         // controls all 1, target 1
    m(lo, lo) = u(0, 0);
    m(lo, hi) = u(0, 1);
    m(hi, lo) = u(1, 0);
    m(hi, hi) = u(1, 1);
    return m;
}

Matrix diag(std::initializer_list<C> d) {
    const int dim = static_cast<int>(d.size());
    Matrix m;
    m.dim = dim;
    m.data.assign(static_cast<std::size_t>(dim) * static_cast<std::size_t>(dim), C(0.0));
    int i = 0;
    for (C v : d) {
        m(i, i) = v;
        ++i;
    }
    return m;
}

Matrix x_matrix() { return one(0.0, 1.0, 1.0, 0.0); }
Matrix sx_matrix() { return one(C(0.5, 0.5), C(0.5, -0.5), C(0.5, -0.5), C(0.5, 0.5)); }
Matrix sxdg_matrix() { return one(C(0.5, -0.5), C(0.5, 0.5), C(0.5, 0.5), C(0.5, -0.5)); }
Matrix rx_matrix(double t) {
    const double c = std::cos(t / 2);
    const double s = std::sin(t / 2);
    return one(c, -kI1 * s, -kI1 * s, c);
}
Matrix ry_matrix(double t) {
    const double c = std::cos(t / 2);
    const double s = std::sin(t / 2);
    return one(c, -s, s, c);
}
Matrix rz_matrix(double t) { return diag({expi(-t / 2), expi(t / 2)}); }
Matrix p_matrix(double t) { return diag({1.0, expi(t)}); }

Matrix fixed_matrix(GateKind kind) {
    const double r = kInvSqrt2;
    switch (kind) {
        case K::kI:
            return Matrix::identity(2);
        case K::kX:
            return x_matrix();
        case K::kY:
            return one(0.0, -kI1, kI1, 0.0);
        case K::kZ:
            return diag({1.0, -1.0});
        case K::kH:
            return one(r, r, r, -r);
        case K::kS:
            return diag({1.0, kI1});
        case K::kSdg:
            return diag({1.0, -kI1});
        case K::kT:
            return diag({1.0, C(r, r)});
        case K::kTdg:
            return diag({1.0, C(r, -r)});
        case K::kSX:
            return sx_matrix();
        case K::kSXdg:
            return sxdg_matrix();
        case K::kCX:
            return controlled(x_matrix());
        case K::kCY:
            return controlled(one(0.0, -kI1, kI1, 0.0));
        case K::kCZ:
            return diag({1.0, 1.0, 1.0, -1.0});
        case K::kCH:
            return controlled(one(r, r, r, -r));
        case K::kCS:
            return diag({1.0, 1.0, 1.0, kI1});
        case K::kCSdg:
            return diag({1.0, 1.0, 1.0, -kI1});
        case K::kCSX:
            return controlled(sx_matrix());
        case K::kSwap:
            return from_rows(4, {1, 0, 0, 0,  //
                                 0, 0, 1, 0,  //
                                 0, 1, 0, 0,  //
                                 0, 0, 0, 1});
        case K::kISwap:
            return from_rows(4, {1, 0, 0, 0,    //
                                 0, 0, kI1, 0,  //
                                 0, kI1, 0, 0,  //
                                 0, 0, 0, 1});
        case K::kECR:
            return from_rows(4, {0, r, 0, kI1 * r,   //
                                 r, 0, -kI1 * r, 0,  //
                                 0, kI1 * r, 0, r,   //
                                 -kI1 * r, 0, r, 0});
        case K::kDCX:
            return from_rows(4, {1, 0, 0, 0,  //
                                 0, 0, 0, 1,  //
                                 0, 1, 0, 0,  //
                                 0, 0, 1, 0});
        case K::kCCX:
            return multi_controlled(x_matrix(), 3);
        case K::kCCZ:
            return diag({1, 1, 1, 1, 1, 1, 1, -1});
        case K::kCSwap: {
            Matrix m = Matrix::identity(8);
            m(3, 3) = m(5, 5) = 0.0;
            m(3, 5) = m(5, 3) = 1.0;
            return m;
        }
        case K::kRCCX: {
            Matrix m = Matrix::identity(8);
            m(3, 3) = m(7, 7) = 0.0;
            m(3, 7) = -kI1;
            m(7, 3) = kI1;
            m(5, 5) = -1.0;
            return m;
        }
        case K::kC3X:
            return multi_controlled(x_matrix(), 4);
        case K::kC3SX:
            return multi_controlled(sx_matrix(), 4);
        case K::kRC3X: {
            Matrix m = Matrix::identity(16);
            m(3, 3) = kI1;
            m(11, 11) = -kI1;
            m(7, 7) = m(15, 15) = 0.0;
            m(7, 15) = 1.0;
            m(15, 7) = -1.0;
            return m;
        }
        default:
            return {};
    }
}

Matrix param_matrix(GateKind kind, std::span<const double> p) {
    switch (kind) {
        case K::kRX:
            return rx_matrix(p[0]);
        case K::kRY:
            return ry_matrix(p[0]);
        case K::kRZ:
            return rz_matrix(p[0]);
        case K::kP:
        case K::kU1:
            return p_matrix(p[0]);
        case K::kR: {
            const double c = std::cos(p[0] / 2);
            const double s = std::sin(p[0] / 2);
            return one(c, -kI1 * expi(-p[1]) * s, -kI1 * expi(p[1]) * s, c);
        }
        case K::kU:
        case K::kU3:
            return u_matrix(p[0], p[1], p[2]);
        case K::kU2:
            return u_matrix(kPi / 2, p[0], p[1]);
        case K::kCRX:
            return controlled(rx_matrix(p[0]));
        case K::kCRY:
            return controlled(ry_matrix(p[0]));
        case K::kCRZ:
            return controlled(rz_matrix(p[0]));
        case K::kCP:
        case K::kCU1:
            return diag({1.0, 1.0, 1.0, expi(p[0])});
        case K::kCU: {
            Matrix u = u_matrix(p[0], p[1], p[2]);
            for (C& v : u.data) v *= expi(p[3]);
            return controlled(u);
        }
        case K::kCU3:
            return controlled(u_matrix(p[0], p[1], p[2]));
        case K::kRXX: {
            const C c = std::cos(p[0] / 2);
            const C s = -kI1 * std::sin(p[0] / 2);
            return from_rows(4, {c, 0, 0, s,  //
                                 0, c, s, 0,  //
                                 0, s, c, 0,  //
                                 s, 0, 0, c});
        }
        case K::kRYY: {
            const C c = std::cos(p[0] / 2);
            const C s = kI1 * std::sin(p[0] / 2);
            return from_rows(4, {c, 0, 0, s,   //
                                 0, c, -s, 0,  //
                                 0, -s, c, 0,  //
                                 s, 0, 0, c});
        }
        case K::kRZZ: {
            const C a = expi(-p[0] / 2);
            const C b = expi(p[0] / 2);
            return diag({a, b, b, a});
        }
        case K::kRZX: {
            const C c = std::cos(p[0] / 2);
            const C s = kI1 * std::sin(p[0] / 2);
            return from_rows(4, {c, 0, -s, 0,  //
                                 0, c, 0, s,   //
                                 -s, 0, c, 0,  //
                                 0, s, 0, c});
        }
        case K::kXXMinusYY: {
            const double c = std::cos(p[0] / 2);
            const double s = std::sin(p[0] / 2);
            Matrix m = Matrix::identity(4);
            m(0, 0) = m(3, 3) = c;
            m(0, 3) = -kI1 * s * expi(-p[1]);
            m(3, 0) = -kI1 * s * expi(p[1]);
            return m;
        }
        case K::kXXPlusYY: {
            const double c = std::cos(p[0] / 2);
            const double s = std::sin(p[0] / 2);
            Matrix m = Matrix::identity(4);
            m(1, 1) = m(2, 2) = c;
            m(1, 2) = -kI1 * s * expi(-p[1]);
            m(2, 1) = -kI1 * s * expi(p[1]);
            return m;
        }
        case K::kGlobalPhase:
            return from_rows(1, {expi(p[0])});
        default:
            return fixed_matrix(kind);
    }
}

// Largest kMCX accepted by gate_matrix: 2^12 x 2^12 complex entries is 256 MiB already.
constexpr int kMaxMcxQubits = 12;

}  // namespace

Matrix Matrix::identity(int dim) {
    Matrix m;
    m.dim = dim;
    m.data.assign(static_cast<std::size_t>(dim) * static_cast<std::size_t>(dim), C(0.0));
    for (int i = 0; i < dim; ++i) m(i, i) = 1.0;
    return m;
}

std::span<const GateInfo> all_gates() { return kGates; }

const GateInfo& gate_info(GateKind kind) {
    const auto i = static_cast<std::size_t>(kind);
    return i < std::size(kGates) ? kGates[i] : kGates[static_cast<std::size_t>(K::kCustom)];
}

const GateInfo* find_gate(std::string_view name) {
    if (name.empty() || name == "custom") return nullptr;  // kCustom's name is a placeholder
    for (const GateInfo& g : kGates) {
        if (g.name == name) return &g;
    }
    return nullptr;
}

const GateInfo* find_gate_by_qpy_class(std::string_view qpy_class) {
    if (qpy_class.empty()) return nullptr;
    // Qiskit's synthesis variants of MCXGate are the same gate.
    if (qpy_class == "MCXGrayCode" || qpy_class == "MCXRecursive" || qpy_class == "MCXVChain") {
        return &kGates[static_cast<std::size_t>(K::kMCX)];
    }
    for (const GateInfo& g : kGates) {
        if (g.qpy_class == qpy_class) return &g;
    }
    return nullptr;
}

Result<Matrix> gate_matrix(GateKind kind, std::span<const double> params, int num_qubits) {
    const GateInfo& info = gate_info(kind);
    if (!info.unitary) {
        return invalid_argument("'" + std::string(info.name) +
                                "' has no matrix (not a unitary gate)");
    }
    if (static_cast<int>(params.size()) != info.num_params) {
        return invalid_argument("'" + std::string(info.name) + "' takes " +
                                std::to_string(info.num_params) +
                                (info.num_params == 1 ? " parameter" : " parameters") + ", got " +
                                std::to_string(params.size()));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (!std::isfinite(params[i])) {
            return invalid_argument("'" + std::string(info.name) + "' parameter " +
                                    std::to_string(i) + " is not a finite number");
        }
    }
    if (kind == K::kMCX) {
        if (num_qubits < 2 || num_qubits > kMaxMcxQubits) {
            return invalid_argument("'mcx' needs 2 to " + std::to_string(kMaxMcxQubits) +
                                    " qubits for a matrix, got " + std::to_string(num_qubits));
        }
        return multi_controlled(x_matrix(), num_qubits);
    }
    return param_matrix(kind, params);
}

}  // namespace qrt::circuit
