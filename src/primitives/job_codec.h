// The wire form of a primitive job: decoding a job's `params` (what qiskit-ibm-runtime's
// RuntimeEncoder or a plain REST user posts to `POST /jobs`) into PUBs and options, and encoding
// the results back, in both answer formats:
//   - typed (`"support_qiskit": true`): a `PrimitiveResult` in RuntimeEncoder form, with npy
//     ndarrays (base64 of zlib of .npy bytes) that the Python client decodes into Qiskit objects;
//   - plain (no `support_qiskit`): IBM's REST form, `{"results":[{"data":{...},"metadata":{...}}],
//     "metadata":{"version":2}}` with hex sample strings for the sampler and plain numbers (nested
//     lists for PUB shapes other than ()) for the estimator.
// Layouts are in shared/reference/runtime-rest-protocol.md §3 and docs/formats/runtime-json.md.
//
// Params: top-level keys `pubs` (required), `options`, `version` (2 when present),
// `support_qiskit`, `resilience_level` (estimator only); other keys are ignored, so that newer
// clients keep working. Sampler PUBs are [circuit, parameter_values?, shots?], estimator PUBs
// [circuit, observables, parameter_values?, precision?] (a bare circuit is a 1-element PUB).
//
// Circuits arrive as `{"__type__":"QuantumCircuit","__value__":...}` (QPY) or as OpenQASM 3
// strings (REST users; a string starting `OPENQASM 2` is read as OpenQASM 2.0). Parameter values
// follow Qiskit's BindingsArray rules: an ndarray object, a plain (nested) list or a number (last
// axis over circuit.parameters(); with one parameter the axis may be left off), a dict keyed by a
// parameter name, a tuple "(a, b)" or a JSON list '["a", "b"]' of names, or a typed
// BindingsArray; `null` or absent means none. They are returned as one array of shape
// (*pub_shape, num_parameters) in circuit.parameters() order. Observables (estimator): a label
// string, a dict {label: coeff}, a SparsePauliOp / Pauli in RuntimeEncoder "settings" form, or
// (nested) lists of those (an ObservablesArray); labels are dense and right-to-left (qubit 0 is
// the last character), one character per circuit qubit, over I X Y Z and Qiskit's projectors
// 0 1 + - r l (expanded into Pauli terms); coefficients must be real.
//
// Errors: invalid_argument with a path ("pubs[1][2]: shots must be a positive integer"),
// resource_exhausted past the limits, unimplemented for valid but unsupported content (version 1,
// a QPY feature the reader refuses). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "primitives/primitives.h"

namespace qrt::primitives {

enum class Program { kSampler, kEstimator };
// "sampler" / "estimator"; anything else: invalid_argument naming the supported programs.
Result<Program> parse_program_id(std::string_view program_id);
std::string_view to_string(Program p);

struct DecodeLimits {
    std::size_t max_pubs = 1000;
    std::size_t max_qubits = 1000;         // circuit width as declared
    std::size_t max_clbits = 100'000;      // classical bits (the sampler's output width)
    std::uint64_t max_shots = 10'000'000;  // per PUB element
    std::size_t max_parameter_sets = 1'000'000;
    std::size_t max_observables = 100'000;
    std::size_t max_qpy_bytes = std::size_t{256} << 20;
    std::size_t max_array_bytes = std::size_t{256} << 20;  // one decompressed npy array
    std::size_t max_pauli_terms = 1'000'000;               // per PUB, after projector expansion
};

struct PrimitiveJob {
    Program program = Program::kSampler;
    bool support_qiskit = false;  // answer in the typed format
    int version = 2;
    std::vector<SamplerPub> sampler_pubs;  // program == kSampler
    SamplerOptions sampler_options;
    std::vector<EstimatorPub> estimator_pubs;  // program == kEstimator
    EstimatorOptions estimator_options;

    // Total shots the job will run, for the QPU timing model and limits. Sampler: the sum over
    // PUBs of (PUB elements x shots). Estimator, as run_estimator runs it on a noisy device: per
    // PUB, parameter bindings x qubit-wise-commuting measurement groups x shots per
    // configuration (default_shots, else ceil(1/precision^2), rounded up by measurement twirling)
    // x ZNE noise factors; readout-calibration shots are not counted. Saturates at UINT64_MAX.
    std::uint64_t total_shots() const;
};

// Decodes `params` (the JSON text of the POST body's "params" object) for `program`.
Result<PrimitiveJob> decode_job_params(Program program, std::string_view params_json,
                                       const DecodeLimits& limits = {});

// Extra metadata the executor adds to the result (per job), in the top-level "metadata".
struct ResultMetadata {
    std::optional<double> qpu_seconds;  // "execution": {"quantum_seconds": ...}
    std::string backend;                // "backend": ... (when not empty)
    // ISO-8601 UTC times ("2026-08-21T12:00:00.123456Z") the job ran between. With both set, the
    // sampler's typed result carries "execution": {"execution_spans": ExecutionSpans} with one
    // DoubleSliceSpan covering every PUB, as IBM's does.
    std::string execution_start, execution_stop;
};

// The /results body for a finished job, in the format `job.support_qiskit` asks for.
// `results[i]` answers `job.*_pubs[i]`. Arrays whose sizes disagree with their shapes (a bug in
// the caller, asserted in debug builds) are zero-padded or cut so that the output stays decodable.
std::string encode_sampler_results(const PrimitiveJob& job,
                                   const std::vector<SamplerPubResult>& results,
                                   const ResultMetadata& meta = {});
std::string encode_estimator_results(const PrimitiveJob& job,
                                     const std::vector<EstimatorPubResult>& results,
                                     const ResultMetadata& meta = {});

}  // namespace qrt::primitives
