// The parser engine behind parse_qasm3 and parse_qasm2: one recursive-descent parser over the
// shared lexer, with the dialect deciding which statements, names and includes are accepted.
// Pure function of its input; thread-safe.
#pragma once

#include <string_view>

#include "base/status.h"
#include "circuit/circuit.h"
#include "formats/qasm_gates.h"

namespace qrt::formats::qasm {

// Parses a whole program. Errors: kInvalidArgument for malformed or inconsistent programs,
// kUnimplemented for recognised features qrt refuses (defcal, loops, classical variables, ...);
// messages start with "line:column: ".
Result<circuit::Circuit> parse_program(std::string_view text, Dialect dialect);

// The name a reader gives an `input` called `name`: Qiskit's exporter writes the ParameterVector
// element x[3] as `_x_3_`, which is read back as the vector element (vector "x", index 3).
circuit::Symbol symbol_for_input(std::string_view name);

}  // namespace qrt::formats::qasm
