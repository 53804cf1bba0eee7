// The gate table: every Qiskit standard gate and the non-unitary operations a circuit carries,
// with their OpenQASM names, QPY class names, arity, parameter counts and matrices.
//
// Matrices follow Qiskit's convention: qubit 0 of the gate is the least significant bit of the
// basis index, so for a 2-qubit gate on (a, b) the index is 2*b + a. Pure functions of static
// tables; thread-safe.
#pragma once

#include <complex>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace qrt::circuit {

enum class GateKind : std::uint16_t {
    // one qubit
    kI, kX, kY, kZ, kH, kS, kSdg, kT, kTdg, kSX, kSXdg,
    kRX, kRY, kRZ, kP, kR, kU, kU1, kU2, kU3,
    // two qubits
    kCX, kCY, kCZ, kCH, kCS, kCSdg, kCSX, kCRX, kCRY, kCRZ, kCP, kCU, kCU1, kCU3,
    kSwap, kISwap, kECR, kDCX, kRXX, kRYY, kRZZ, kRZX, kXXMinusYY, kXXPlusYY,
    // three and more
    kCCX, kCCZ, kCSwap, kRCCX, kC3X, kC3SX, kRC3X,
    kMCX,  // multi-controlled X, any number of controls (QPY MCXGate / MCXGrayCode / ...)
    kGlobalPhase,  // no qubits, one parameter
    // not unitary
    kMeasure, kReset, kBarrier, kDelay,
    kIfElse,  // control flow: condition + one or two bodies
    kCustom,  // a user-defined gate, applied through its definition
};

struct GateInfo {
    GateKind kind;
    std::string_view name;       // OpenQASM / Qiskit name: "cx", "rz", "measure", ...
    std::string_view qpy_class;  // QPY class name: "CXGate", "RZGate", "Measure", ...
    int num_qubits;              // -1: variable (barrier, mcx, if_else, custom)
    int num_params;
    bool unitary;                // has a matrix (gates and global phase)
};

// Every entry of the table, in GateKind order.
std::span<const GateInfo> all_gates();
const GateInfo& gate_info(GateKind kind);
// By OpenQASM/Qiskit name ("cx", "u3", "cnot" is not accepted; "CX" and "U" are handled by the
// QASM readers). nullptr when unknown.
const GateInfo* find_gate(std::string_view name);
// By QPY class name ("RZGate"). nullptr when unknown.
const GateInfo* find_gate_by_qpy_class(std::string_view qpy_class);

// A dense complex matrix, row-major, dim x dim.
struct Matrix {
    int dim = 0;
    std::vector<std::complex<double>> data;

    std::complex<double>& operator()(int r, int c) { return data[static_cast<std::size_t>(r * dim + c)]; }
    std::complex<double> operator()(int r, int c) const { return data[static_cast<std::size_t>(r * dim + c)]; }
    static Matrix identity(int dim);
};

// The matrix of a unitary standard gate with these parameter values. `num_qubits` matters only
// for kMCX (controls + 1). Errors: not unitary, wrong parameter count.
Result<Matrix> gate_matrix(GateKind kind, std::span<const double> params, int num_qubits = 0);

}  // namespace qrt::circuit
