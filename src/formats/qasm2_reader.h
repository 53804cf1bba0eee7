// The OpenQASM 2 reader: OpenQASM 2.0 with qelib1.inc (as Qiskit ships it) built in, into the
// circuit IR. docs/formats/openqasm2.md lists what is accepted and refused.
// Pure function of its input; thread-safe.
#pragma once

#include <string_view>

#include "base/status.h"
#include "circuit/circuit.h"

namespace qrt::formats {

// Parses an OpenQASM 2.0 program (`OPENQASM 2.0;` required; `include "qelib1.inc";` is built
// in). qelib1's u1/u2/u3 are Qiskit's U1Gate/U2Gate/U3Gate exactly, `U` is Qiskit's UGate and
// `CX` is cx. Errors: kInvalidArgument for malformed programs, kUnimplemented for `opaque`;
// every message starts with "line:column: ".
Result<circuit::Circuit> parse_qasm2(std::string_view text);

}  // namespace qrt::formats
