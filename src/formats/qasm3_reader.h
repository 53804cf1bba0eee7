// The OpenQASM 3 reader: turns the subset of OpenQASM 3 that real (ISA) circuits use into the
// circuit IR. docs/formats/openqasm3.md lists what is accepted, what it means and what is refused.
// Pure function of its input; thread-safe.
#pragma once

#include <string_view>

#include "base/status.h"
#include "circuit/circuit.h"

namespace qrt::formats {

// Parses an OpenQASM 3 program (`OPENQASM 3.0;` optional). Gates named in stdgates.inc, `U`,
// `CX`, `gphase` and every other gate of qrt's table (ecr, rzz, ...) are built in; definitions of
// those names are matched by name, other `gate` definitions become CustomGates. `input float[64]`
// declarations become parameters (Qiskit's `_x_3_` escaping of the vector element x[3] is
// undone). Errors: kInvalidArgument for malformed programs, kUnimplemented for recognised
// features qrt refuses; every message starts with "line:column: ".
Result<circuit::Circuit> parse_qasm3(std::string_view text);

}  // namespace qrt::formats
