// The transpiler: maps any circuit onto a backend's Target so that validate_isa (isa.h) accepts
// it. What the C++ client and `qrt run` use instead of Qiskit's preset pass manager.
//
// Passes, in order (docs/transpiler.md has the details and the numbers):
//   1. a circuit that already passes validate_isa comes back unchanged (identity layouts);
//   2. unroll: custom gates are inlined and every gate the target does not run on any qubits is
//      decomposed into one-qubit gates and cx, exactly (global phase included), symbolic
//      parameters kept symbolic;
//   3. layout: the virtual qubits go onto a connected region of working physical qubits with low
//      error rates, the most-interacting pairs on edges (several candidates, each refined by a
//      forward-backward routing pass, the cheapest kept);
//   4. routing: SWAPs inserted by a SABRE-like lookahead heuristic so every two-qubit gate acts
//      on a coupled pair; measurements follow their qubit;
//   5. basis translation: cx and swap onto the target's native two-qubit gate and direction
//      (ecr, cz or cx), one-qubit gates onto rz/sx/x (or u/u3 where those are native);
//   6. optimization_level >= 1: runs of one-qubit gates are merged into one unitary and
//      re-synthesised (rz·sx·rz·sx·rz at most, x or sx alone when possible), adjacent inverse
//      two-qubit pairs cancel.
// The result's unitary equals the input's, global phase included, once the layout permutation
// (initial_layout in, final_layout out) is applied.
//
// Pure function of its arguments (and the seed): thread-safe, deterministic.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "circuit/circuit.h"
#include "circuit/target.h"

namespace qrt::circuit {

struct TranspileOptions {
    // 0: translate only (each one-qubit gate synthesised alone, no cancellation);
    // 1 and above: merge one-qubit runs, cancel adjacent inverse two-qubit pairs.
    int optimization_level = 1;
    // Breaks ties in layout and routing; the same seed gives the same circuit.
    std::uint64_t seed = 0;
};

struct TranspileResult {
    Circuit circuit;                            // over target.num_qubits physical qubits
    std::vector<std::uint32_t> initial_layout;  // virtual qubit i -> physical qubit
    std::vector<std::uint32_t> final_layout;    // virtual qubit i -> physical qubit at the end
    int swaps = 0;                              // SWAPs the router inserted
};

// Maps `circuit` onto `target`. The result has target.num_qubits qubits in one register "q",
// the input's classical bits and registers, name and metadata.
// Errors:
//   invalid_argument: the circuit is invalid (Circuit::validate), wider than the target, or
//     the target has no connected set of enough working qubits;
//   unimplemented: if_else that the target does not already accept, an mcx with more than 12
//     qubits, a target without a universal one-qubit basis (rz+sx, u or u3) or without
//     cx/ecr/cz while the circuit needs a two-qubit gate, an operation (reset, delay, measure)
//     the target lacks.
Result<TranspileResult> transpile(const Circuit& circuit, const Target& target,
                                  const TranspileOptions& options = {});

}  // namespace qrt::circuit
