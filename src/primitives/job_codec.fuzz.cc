// libFuzzer target for job_codec: the input is a job's `params` text, decoded for both programs
// under small limits; whatever decodes is also encoded back (zero results of the decoded shapes,
// both answer formats), so circuit metadata and shapes reach the encoders. Seeds:
// tests/fixtures/job_codec/*.params.json (scripts/fuzz). job_codec.test.cc includes this file to
// replay tests/fuzz/job_codec/* through the same function.
#include "primitives/job_codec.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace qrt::primitives::fuzz {

inline void encode_zero_results(const PrimitiveJob& job) {
    if (job.program == Program::kSampler) {
        std::size_t budget = std::size_t{16}
                             << 20;  // bytes of BitArrays (registers may alias bits)
        std::vector<SamplerPubResult> results;
        for (const auto& pub : job.sampler_pubs) {
            std::vector<std::size_t> shape = pub.parameter_values.shape;
            shape.pop_back();
            std::size_t elements = 1;
            for (std::size_t d : shape) elements *= d;
            SamplerPubResult r;
            r.shots = 2;
            for (const auto& creg : pub.circuit.cregs) {
                BitArray b;
                b.shape = shape;
                b.num_shots = 2;
                b.num_bits = static_cast<std::uint32_t>(creg.bits.size());
                const std::size_t bytes = elements * 2 * b.bytes_per_shot();
                if (bytes > budget) return;
                budget -= bytes;
                b.bytes.assign(bytes, 0);
                r.data.emplace_back(creg.name, std::move(b));
            }
            results.push_back(std::move(r));
        }
        ResultMetadata meta;
        meta.execution_start = meta.execution_stop = "2026-01-01T00:00:00Z";
        (void)encode_sampler_results(job, results, meta);
        return;
    }
    std::vector<EstimatorPubResult> results;
    for (const auto& pub : job.estimator_pubs) {
        std::vector<std::size_t> bindings = pub.parameter_values.shape;
        bindings.pop_back();
        auto shape = broadcast_shapes(pub.observables_shape, bindings);
        if (!shape.ok()) __builtin_trap();  // decode_job_params checked it
        std::size_t elements = 1;
        for (std::size_t d : *shape) elements *= d;
        EstimatorPubResult r;
        r.evs = NdArray{*shape, std::vector<double>(elements, 0.5)};
        r.stds = r.ensemble_standard_error = r.evs;
        results.push_back(std::move(r));
    }
    (void)encode_estimator_results(job, results);
}

inline void run_one(const std::string& text) {
    DecodeLimits limits;
    limits.max_pubs = 8;
    limits.max_qubits = 64;
    limits.max_clbits = 256;
    limits.max_shots = 100'000;
    limits.max_parameter_sets = 4096;
    limits.max_observables = 256;
    limits.max_pauli_terms = 4096;
    limits.max_qpy_bytes = std::size_t{1} << 20;
    limits.max_array_bytes = std::size_t{1} << 20;
    for (Program program : {Program::kSampler, Program::kEstimator}) {
        auto job = decode_job_params(program, text, limits);
        if (!job.ok()) {
            if (job.status().code() == ErrorCode::kInternal) __builtin_trap();
            continue;
        }
        (void)job->total_shots();
        for (bool typed : {true, false}) {
            job->support_qiskit = typed;
            encode_zero_results(*job);
        }
    }
}

}  // namespace qrt::primitives::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    qrt::primitives::fuzz::run_one(std::string(reinterpret_cast<const char*>(data), size));
    return 0;
}
