// The QPU timing model of an emulated device: how long a job holds the processor, which is what
// usage charges and what the scheduler forecasts with.
//
//   qpu_time = job_overhead + sum over executions e of (circuit_overhead + shots_e * shot_time_e)
//   shot_time = critical path of the circuit (+ the readout an Estimator appends) + rep_delay
//
// An execution is one circuit with one set of parameter values: each element of a Sampler PUB;
// for an Estimator PUB each parameter binding x measurement basis (qubit-wise commuting groups of
// the PUB's Pauli terms) x ZNE noise factor. The critical path is the longest chain of
// instructions through the circuit's qubits and clbits, each taking its duration in the Target
// (rz and other virtual gates 0, delays their own length, barriers align, if_else takes its
// longer branch). docs/backends.md works an example by hand.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "base/time.h"
#include "circuit/circuit.h"
#include "circuit/target.h"
#include "primitives/job_codec.h"

namespace qrt::backends {

struct TimingModel {
    double rep_delay_s = 250e-6;
    double job_overhead_s = 0.5;
    double circuit_overhead_s = 0.05;
};

// Seconds along the circuit's critical path on `target` (the circuit's qubit i is physical
// qubit i). Instructions the target has no duration for count 0; a delay whose length is still a
// free parameter counts 0.
double critical_path_seconds(const circuit::Circuit& circuit, const circuit::Target& target);

// What one PUB runs: `executions` circuits of `shots` shots each, every shot `shot_seconds`.
struct PubTiming {
    std::uint64_t executions = 0;
    std::uint64_t shots = 0;
    double shot_seconds = 0;
};

// The PUBs of a decoded job as the device would run them. Estimator shots follow the primitives'
// plan: default_shots, else ceil(1 / precision^2), rounded up to whole twirling randomizations
// when measurement twirling is on (`noisy`: the device applies resilience).
std::vector<PubTiming> plan_job(const primitives::PrimitiveJob& job, const circuit::Target& target,
                                const TimingModel& model, bool noisy = true);

// The formula above.
Duration qpu_time(const std::vector<PubTiming>& pubs, const TimingModel& model);

// Qubit-wise commuting groups of these Pauli labels (greedy, in order; identity terms need no
// basis and are not counted): how many measurement bases an Estimator runs.
std::size_t measurement_bases(const std::vector<std::string>& pauli_labels);

}  // namespace qrt::backends
