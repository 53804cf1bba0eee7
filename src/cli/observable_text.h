// Observables as written on the command line (`qrt run --observable`): a sum of Pauli strings
// with real coefficients, Qiskit's labels (qubit 0 rightmost):
//
//     ZZ          -ZI          0.5*XX - 0.5*YY + 0.25 ZZ          1e-3*IZ
//
//     observable := sign? term (sign term)*       sign := "+" | "-"
//     term       := (number "*"?)? pauli          pauli := ("I" | "X" | "Y" | "Z")+
//
// Spaces are allowed between tokens. Every term has the same number of qubits.
//
// Thread-safety: pure functions.
#pragma once

#include <qrt/qrt.h>

#include <string_view>

namespace qrt::cli {

// Parses `text`. Throws qrt::Error kInvalidArgument naming the position and what was expected
// ("expected a Pauli string (I, X, Y, Z) at position 4 in \"0.5*\"").
Observable parse_observable(std::string_view text);

}  // namespace qrt::cli
