// NoiseModel: the noise of an emulated device, derived from its Target: depolarizing error per
// gate (from the gate's error rate), thermal relaxation per gate (from T1, T2 and the gate's
// duration), and readout error per qubit (P(1|0), P(0|1)). Applied by trajectories on the
// statevector and by Pauli channels on the stabilizer. A plain value; thread-safe to share.
//
// The depolarizing probability p of an n-qubit gate with reported error e (Qiskit's gate_error:
// an average gate infidelity) is the one that, composed with the gate's thermal relaxation, gives
// that infidelity: the channel "with probability p a uniformly random non-identity n-qubit Pauli"
// has process fidelity 1 - p; process and average infidelity relate by r_pro = r_avg (d+1)/d
// (d = 2^n); relaxation of qubit q for time t has process fidelity
// (1 + e^{-t/T1} + 2 e^{-t/T2}) / 4; so p = 1 - (1 - e (d+1)/d) / prod_q F_relax(q), clamped to
// [0, 1]. Errors of gates that relaxation alone explains give p = 0 (Aer's rule, same formula).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "circuit/target.h"

namespace qrt::sim {

struct QubitNoise {
    double t1 = 0, t2 = 0;                  // seconds; 0 = no relaxation
    double p1_given_0 = 0, p0_given_1 = 0;  // readout confusion
};

struct GateNoise {
    double depolarizing = 0;  // probability of the depolarizing channel after the gate
    double duration = 0;      // seconds (for relaxation)
};

struct NoiseModel {
    std::vector<QubitNoise> qubits;  // by physical qubit
    // by gate name, then by its physical qubits
    std::map<std::string, std::map<std::vector<unsigned>, GateNoise>> gates;
    bool relaxation = true;
    bool readout = true;
    double dt = 0;  // seconds per "dt" unit of delays (the Target's dt); 0 = unknown

    bool empty() const;
    static NoiseModel from_target(const circuit::Target& target);
    // The noise after gate `name` on these physical qubits (zero when unknown).
    GateNoise gate(const std::string& name, const std::vector<unsigned>& qubits) const;
    // The noise of physical qubit q (zero when out of range).
    QubitNoise qubit(unsigned q) const;
};

// Process fidelity of thermal relaxation for `seconds` on a qubit with these T1, T2 (T2 capped
// at 2 T1; a zero time constant means no decay of that kind).
double relaxation_process_fidelity(double t1, double t2, double seconds);
// The depolarizing probability described above.
double depolarizing_from_error(double gate_error, unsigned num_qubits,
                               double relaxation_fidelity = 1.0);

}  // namespace qrt::sim
