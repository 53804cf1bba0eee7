// Running a bound circuit: the method chooser (Clifford -> stabilizer; otherwise statevector if
// it fits the memory limit; otherwise a clear error), measurement sampling (all shots from one
// final state when the circuit allows it; per-shot trajectories for mid-circuit measurement,
// reset, if_else and noise), final statevectors and exact Pauli expectation values.
//
// Only the qubits a circuit touches are simulated: an ISA circuit on a 127-qubit device that uses
// 5 qubits is a 5-qubit simulation. Functions are thread-safe (no shared state); each call may
// use OpenMP threads internally. A StopToken is checked between gate blocks.
#pragma once

#include <atomic>
#include <complex>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "circuit/circuit.h"
#include "sim/noise.h"
#include "sim/statevector.h"

namespace qrt::sim {

enum class Method { kAutomatic, kStatevector, kStabilizer };

// Cooperative cancellation: simulation stops with ErrorCode::kCancelled when the flag is set.
struct StopToken {
    const std::atomic<bool>* flag = nullptr;
    bool stop_requested() const { return flag != nullptr && flag->load(std::memory_order_relaxed); }
};

struct RunOptions {
    std::uint64_t shots = 1024;
    std::uint64_t seed = 0;
    Method method = Method::kAutomatic;
    bool single_precision = false;
    std::size_t max_memory_bytes = std::size_t{8} << 30;  // statevector limit
    const NoiseModel* noise = nullptr;                    // null: ideal
    StopToken stop;
    int threads = 0;  // 0: OpenMP default
    // Gate fusion on the statevector: gates (commuting past gates on other qubits) become one
    // matrix of at most this many qubits (0: no fusion, every gate applied alone; at most 6).
    // Within this cap a cost model picks the width: a block costs one state pass while its
    // rows have at most 2^kb nonzero entries (kb = 3 with AVX-512, 2 with AVX2: a dense 3-qubit
    // block) and four times as much per doubling beyond (measured on the 2-core dev box: dense
    // 4-qubit blocks were slower than 3-qubit ones on QV and random circuits at 24 qubits);
    // permutation-like blocks (CX chains) stay one pass up to the cap. See
    // docs/adr/0005-simulator-execution.md.
    unsigned max_fused_qubits = 3;
};

// Per-shot classical memory: shots x num_clbits bits, bit k of shot s is
// (words[s * words_per_shot + k / 64] >> (k % 64)) & 1.
struct ShotMemory {
    std::uint64_t shots = 0;
    std::uint32_t num_clbits = 0;
    std::uint32_t words_per_shot = 0;
    std::vector<std::uint64_t> words;
    bool bit(std::uint64_t shot, std::uint32_t clbit) const {
        return (words[shot * words_per_shot + clbit / 64] >> (clbit % 64)) & 1u;
    }
};

struct RunInfo {
    Method method = Method::kStatevector;  // what ran
    unsigned simulated_qubits = 0;         // after dropping idle qubits
    bool per_shot = false;                 // trajectories instead of sampling one final state
};

// Samples `shots` executions of a bound circuit (no free parameters). Errors: free parameters,
// too many qubits for the memory limit (says how many bytes it would need), cancelled.
//
// Method (kAutomatic): the stabilizer for Clifford circuits, except that a Clifford circuit with
// a noise model that has thermal relaxation runs on the statevector when it fits (the stabilizer
// can only approximate relaxation by its Pauli twirl); otherwise the statevector within
// max_memory_bytes. Shot s of a per-shot run draws from an Rng derived from (seed, s) only, so
// results do not depend on the thread count.
Result<ShotMemory> run_shots(const circuit::Circuit& c, const RunOptions& options,
                             RunInfo* info = nullptr);

// The final state of a bound, measurement-free circuit over all its qubits (global phase
// included), for tests and the ideal Estimator.
Result<std::vector<std::complex<double>>> final_statevector(const circuit::Circuit& c,
                                                            const RunOptions& options = {});

// The final state over the simulated qubits only (those the circuit uses, in increasing order;
// qubits[j] is bit j of the amplitude index), global phase included: for circuits too wide for
// final_statevector, such as ISA circuits on a large device.
struct CompactState {
    std::vector<std::uint32_t> qubits;
    std::vector<std::complex<double>> amplitudes;
};
Result<CompactState> final_compact_state(const circuit::Circuit& c, const RunOptions& options = {});

// The final state over the simulated qubits (as in CompactState), global phase included, handed
// over as the simulator holds it: no copy and no conversion, the cheapest way to read a large
// state. Exactly one of `state` (complex128) and `state_single` (options.single_precision) is
// set. Errors: as final_compact_state.
struct SimulatedState {
    std::vector<std::uint32_t> qubits;
    std::optional<StateVector<double>> state;
    std::optional<StateVector<float>> state_single;
};
Result<SimulatedState> simulate_state(const circuit::Circuit& c, const RunOptions& options = {});

// A weighted sum of Pauli strings (SparsePauliOp form); labels use Qiskit's order (rightmost =
// qubit 0) and have the circuit's width.
struct PauliSum {
    std::vector<std::pair<std::string, double>> terms;
};

// Exact <psi|O|psi> for each observable on the final state of a bound circuit (measurements
// ignored). Uses the stabilizer for Clifford circuits of any width.
Result<std::vector<double>> exact_expectations(const circuit::Circuit& c,
                                               const std::vector<PauliSum>& observables,
                                               const RunOptions& options = {});

}  // namespace qrt::sim
