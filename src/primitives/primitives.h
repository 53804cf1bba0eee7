// Sampler V2 and Estimator V2: PUBs (circuit, parameter values, shots / observables, precision),
// parameter broadcasting, result containers laid out exactly as Qiskit's (BitArray bytes,
// evs/stds arrays), options with validation, and resilience (readout mitigation, TREX style;
// zero-noise extrapolation) on noisy devices. Runs on `sim` through its method chooser.
//
// Functions are thread-safe (no shared state). Inputs are validated first: a bad PUB or option
// gives invalid_argument naming the PUB index and what is wrong, and nothing runs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "circuit/circuit.h"
#include "sim/noise.h"
#include "sim/simulator.h"

namespace qrt::primitives {

// A C-order n-dimensional array of doubles. A 0-d array has shape {} and one element.
struct NdArray {
    std::vector<std::size_t> shape;
    std::vector<double> data;
    std::size_t size() const;
};

// numpy broadcasting of two shapes (right-aligned; equal or 1). Error names both shapes.
Result<std::vector<std::size_t>> broadcast_shapes(const std::vector<std::size_t>& a,
                                                  const std::vector<std::size_t>& b);

struct SamplerPub {
    circuit::Circuit circuit;
    // Shape (*pub_shape, num_parameters) in circuit.parameters() order; with no parameters,
    // empty data and shape {} or {0} (pub shape ()).
    NdArray parameter_values;
    std::optional<std::uint64_t> shots;
};

struct SamplerOptions {
    std::uint64_t default_shots = 4096;
    std::optional<std::uint64_t> seed;  // simulator seed; none: random
};

// Qiskit's BitArray: bytes of shape (*shape, num_shots, ceil(num_bits / 8)); each shot row is a
// big-endian integer whose bit k is register bit k.
struct BitArray {
    std::vector<std::size_t> shape;
    std::uint64_t num_shots = 0;
    std::uint32_t num_bits = 0;
    std::vector<std::uint8_t> bytes;

    std::size_t bytes_per_shot() const { return (num_bits + 7) / 8; }
    // Counts of bitstrings (most significant = highest register bit first), over all elements
    // of the shape or, given a flat index, for one element.
    std::map<std::string, std::uint64_t> counts() const;
    std::map<std::string, std::uint64_t> counts(std::size_t flat_index) const;
};

struct SamplerPubResult {
    std::vector<std::pair<std::string, BitArray>> data;  // one per classical register, in order
    std::uint64_t shots = 0;
};

struct EstimatorPub {
    circuit::Circuit circuit;
    std::vector<std::size_t> observables_shape;  // {} for a single observable
    std::vector<sim::PauliSum> observables;      // C-order over observables_shape
    NdArray parameter_values;                    // as in SamplerPub
    std::optional<double> precision;
};

struct EstimatorOptions {
    std::optional<std::uint64_t> default_shots;  // overrides precision when set
    double default_precision = 0.015625;
    int resilience_level = 1;                    // 0, 1 (readout mitigation), 2 (+ ZNE)
    std::optional<std::uint64_t> seed;
    std::vector<double> zne_noise_factors = {1, 3, 5};
    // Added by H-prim. Explicit resilience.* / twirling.* choices; unset follows the level
    // (measure mitigation at 1 and 2, ZNE at 2, measurement twirling whenever measure mitigation
    // is on).
    std::optional<bool> measure_mitigation;
    std::optional<bool> zne_mitigation;
    std::optional<bool> twirl_measure;
    // Tried in order per Pauli term; the first whose fit succeeds is used ("exponential" fails
    // on sign changes or values near 0, then "linear" takes over). Each "linear"/"exponential".
    std::vector<std::string> zne_extrapolators = {"exponential", "linear"};
    std::optional<std::uint64_t> num_randomizations;       // twirling; unset: 32
    std::optional<std::uint64_t> shots_per_randomization;  // unset: max(64, ceil(shots / n))

    bool measure_mitigation_on() const {
        return measure_mitigation.value_or(resilience_level >= 1);
    }
    bool zne_on() const { return zne_mitigation.value_or(resilience_level >= 2); }
    bool twirl_measure_on() const { return twirl_measure.value_or(measure_mitigation_on()); }
};

struct EstimatorPubResult {
    NdArray evs, stds, ensemble_standard_error;  // pub shape
    std::uint64_t shots = 0;                     // per configuration (0 when exact)
    double target_precision = 0;
    // Added by H-prim: metadata and ZNE detail. num_randomizations is 0 without measurement
    // twirling. With ZNE, noise_factors are the factors run (after partial folding, the achieved
    // ones) and evs_/stds_noise_factors have shape (*pub shape, noise_factors.size()).
    std::uint64_t num_randomizations = 0;
    std::vector<double> noise_factors;
    NdArray evs_noise_factors, stds_noise_factors;
};

// Where the primitives run: ideal (noise == nullptr: exact expectation values, stds 0) or an
// emulated device's noise.
struct ExecutionContext {
    const sim::NoiseModel* noise = nullptr;
    sim::StopToken stop;
    std::size_t max_memory_bytes = std::size_t{8} << 30;
    int threads = 0;
};

// Options from the `options` object of a job's params (JSON text). Unknown option or bad value ->
// invalid_argument naming the option path ("twirling.num_randomizations: ...").
Result<SamplerOptions> parse_sampler_options(std::string_view json);
Result<EstimatorOptions> parse_estimator_options(std::string_view json, int resilience_level);

Result<std::vector<SamplerPubResult>> run_sampler(const std::vector<SamplerPub>& pubs,
                                                  const SamplerOptions& options,
                                                  const ExecutionContext& context);

Result<std::vector<EstimatorPubResult>> run_estimator(const std::vector<EstimatorPub>& pubs,
                                                      const EstimatorOptions& options,
                                                      const ExecutionContext& context);

}  // namespace qrt::primitives
