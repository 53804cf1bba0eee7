// The OpenQASM 3 writer: prints a circuit in the style of qiskit.qasm3.dumps, such that
// parse_qasm3 reads it back to the same IR. docs/formats/openqasm3.md describes the output.
// Pure function of its input; thread-safe.
#pragma once

#include <string>

#include "circuit/circuit.h"

namespace qrt::formats {

struct Qasm3WriteOptions {
    // Write a nonzero global phase as `gphase(θ);` (exact round trip). Qiskit's exporter drops
    // global phase, and IBM's service refuses `gphase`: turn this off for programs sent there.
    bool global_phase = true;
};

// Returns the program: `OPENQASM 3.0;`, `include "stdgates.inc";`, `input float[64]` for every
// free parameter (in Qiskit's order; the vector element x[3] is written `_x_3_` as Qiskit does),
// definitions of the gates outside stdgates.inc that the circuit uses (ecr, rzz, ...) and of its
// user-defined gates, bit and qubit declarations (`$n` physical qubits when the circuit has no
// quantum register), then the instructions. Numbers are printed so that they read back to the
// same double (a multiple of pi is printed as such only when that is exact). Never fails; what
// OpenQASM 3 cannot express (complex constants, a register whose bits are not consecutive) is
// written as close as possible and noted in a comment.
std::string write_qasm3(const circuit::Circuit& circuit, const Qasm3WriteOptions& options = {});

}  // namespace qrt::formats
