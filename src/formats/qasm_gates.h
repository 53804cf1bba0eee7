// Gate names of the OpenQASM readers and writer: which names a program may call without a
// definition (stdgates.inc, qelib1.inc and the rest of qrt's gate table), how each GateKind is
// written, and the definitions the writer emits for gates outside stdgates.inc.
// Static tables; thread-safe.
#pragma once

#include <string_view>

#include "circuit/gates.h"

namespace qrt::formats::qasm {

enum class Dialect : unsigned char { kQasm3, kQasm2 };

// A callable built-in gate.
struct BuiltinGate {
    circuit::GateKind kind;
    int num_qubits;  // -1: variable (mcx)
    int num_params;
    bool drop_params = false;  // qelib1's u0(γ): an identity whose argument is ignored
};

// Looks up a gate name ("rz", "CX", "U", "cphase", "c3sqrtx", ...). nullptr when unknown.
const BuiltinGate* find_builtin(std::string_view name, Dialect dialect);

// The name the writer uses for a kind ("U" for Qiskit's u, "rcccx" for RC3X); empty for kinds
// that are not written as a plain gate call (mcx, measure, if_else, custom, ...).
std::string_view qasm3_name(circuit::GateKind kind);

// True for the gates stdgates.inc defines (and U, gphase): no definition is emitted for them.
bool in_stdgates(circuit::GateKind kind);

// The `gate ... { ... }` definition the writer emits before use for a gate outside stdgates.inc
// (Qiskit's decomposition, global phase dropped as Qiskit's exporter does). Empty when none.
std::string_view standard_definition(circuit::GateKind kind);

}  // namespace qrt::formats::qasm
