// ISA validation: does a circuit use only what a backend's Target runs, on the qubits where it
// runs it? The rules and the error wording are those of qiskit-ibm-runtime's client-side check
// (`utils.is_isa_circuit` + `validations.validate_isa_circuits`, and `is_valid_rzz_pub` for
// rzz angles), so a REST user gets the words a Qiskit user would have seen before submitting.
//
// Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "circuit/circuit.h"
#include "circuit/target.h"

namespace qrt::circuit {

// What the client appends to every ISA failure message.
inline constexpr std::string_view kIsaAdvice =
    " Circuits that do not match the target hardware definition are no longer supported after "
    "March 4, 2024. See the transpilation documentation "
    "(https://quantum.cloud.ibm.com/docs/guides/transpile) for instructions to transform "
    "circuits and the primitive examples "
    "(https://quantum.cloud.ibm.com/docs/guides/primitives-examples) to see this coupled with "
    "operator transformations.";

// Checks, in the client's order: the circuit has no more qubits than the target; every
// instruction (recursing into if_else bodies, whose qubits map onto the instruction's) is
// supported by the target on its qubits (barrier exempt); every numeric rzz angle is in
// [0, pi/2] (+1e-10). The circuit's qubit i is physical qubit i. Returns invalid_argument with
// the client's message for the first fault, kIsaAdvice appended:
//   "The circuit has 8 qubits but the target system requires 5 qubits."
//   "The instruction h on qubits (0,) is not supported by the target system."
//   "The instruction rzz on qubits (0, 1) is supported only for angles in the range [0, pi/2],
//    but an angle (2.0) outside of this range has been requested."
Status validate_isa(const Circuit& circuit, const Target& target);

// The rzz angle check the client runs on each PUB after validate_isa: with `parameter_values`
// (one row, in circuit.parameters() order) bound, every rzz angle must be in [0, pi/2] (+1e-10).
// Numeric angles are checked too. Returns invalid_argument with the client's wording.
Status validate_rzz_angles(const Circuit& circuit, std::span<const double> parameter_values);

// Python's repr of a float ("2.0", "0.1", "1e-05", "1.5707963267948966"), for messages that
// must read as the client's.
std::string python_float_repr(double value);

// Python's repr of a tuple of ints: "()", "(3,)", "(0, 1)".
std::string python_tuple_repr(const Qargs& qargs);

}  // namespace qrt::circuit
