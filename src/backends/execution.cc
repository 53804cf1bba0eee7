#include "backends/execution.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "circuit/isa.h"

namespace qrt::backends::detail {

namespace {

Status cancelled_status() { return {ErrorCode::kCancelled, "job cancelled"}; }

bool stop_raised(const std::atomic<bool>* stop) {
    return stop != nullptr && stop->load(std::memory_order_relaxed);
}

std::size_t rows_of(const primitives::NdArray& values, std::size_t num_params) {
    if (num_params == 0 || values.shape.empty()) return 0;
    return values.data.size() / num_params;
}

Status check_circuit(const circuit::Target& target, const circuit::Circuit& c,
                     const primitives::NdArray& values, std::size_t pub, bool check_isa) {
    if (check_isa) {
        QRT_RETURN_IF_ERROR(circuit::validate_isa(c, target));
    } else if (c.num_qubits() > target.num_qubits) {
        return invalid_argument(
            fmt::format("pubs[{}]: the circuit has {} qubits but {} simulates at most {}", pub,
                        c.num_qubits(), target.backend_name, target.num_qubits));
    }
    if (target.find("rzz") == nullptr) return {};
    const std::size_t num_params = c.parameters().size();
    const std::size_t rows = rows_of(values, num_params);
    for (std::size_t r = 0; r < rows; ++r) {
        std::span<const double> row(values.data.data() + r * num_params, num_params);
        QRT_RETURN_IF_ERROR(circuit::validate_rzz_angles(c, row));
    }
    return {};
}

Status shots_error(const circuit::Target& target, std::string_view where, std::uint64_t shots) {
    return invalid_argument(
        fmt::format("{}: {} shots requested, but {} runs at most {} shots per circuit", where,
                    shots, target.backend_name, target.max_shots));
}

}  // namespace

Result<primitives::PrimitiveJob> decode_and_check(const circuit::Target& target,
                                                  std::string_view program_id,
                                                  std::string_view params_json, bool check_isa) {
    auto program = primitives::parse_program_id(program_id);
    if (!program.ok()) return program.status();
    auto job = primitives::decode_job_params(*program, params_json);
    if (!job.ok()) return job.status();
    if (job->program == primitives::Program::kSampler) {
        const std::uint64_t default_shots = job->sampler_options.default_shots;
        for (std::size_t i = 0; i < job->sampler_pubs.size(); ++i) {
            const primitives::SamplerPub& pub = job->sampler_pubs[i];
            QRT_RETURN_IF_ERROR(
                check_circuit(target, pub.circuit, pub.parameter_values, i, check_isa));
            const std::uint64_t shots = pub.shots.value_or(default_shots);
            if (shots > target.max_shots) {
                return shots_error(target,
                                   pub.shots ? fmt::format("pubs[{}]", i) : "options.default_shots",
                                   shots);
            }
        }
    } else {
        const auto& options = job->estimator_options;
        if (options.default_shots && *options.default_shots > target.max_shots) {
            return shots_error(target, "options.default_shots", *options.default_shots);
        }
        for (std::size_t i = 0; i < job->estimator_pubs.size(); ++i) {
            const primitives::EstimatorPub& pub = job->estimator_pubs[i];
            QRT_RETURN_IF_ERROR(
                check_circuit(target, pub.circuit, pub.parameter_values, i, check_isa));
            const double precision = pub.precision.value_or(options.default_precision);
            if (!options.default_shots && precision > 0 &&
                1.0 / (precision * precision) > static_cast<double>(target.max_shots)) {
                return invalid_argument(fmt::format(
                    "pubs[{}]: precision {} needs {:.0f} shots, but {} runs at most {} shots per "
                    "circuit",
                    i, precision, std::ceil(1.0 / (precision * precision)), target.backend_name,
                    target.max_shots));
            }
        }
    }
    return job;
}

Result<RawResults> run_primitives(primitives::PrimitiveJob& job,
                                  const primitives::ExecutionContext& context, std::uint64_t seed) {
    RawResults out;
    Status status;
    if (job.program == primitives::Program::kSampler) {
        if (!job.sampler_options.seed) job.sampler_options.seed = seed;
        auto r = primitives::run_sampler(job.sampler_pubs, job.sampler_options, context);
        if (r.ok()) {
            out.sampler = std::move(*r);
        } else {
            status = r.status();
        }
    } else {
        if (!job.estimator_options.seed) job.estimator_options.seed = seed;
        auto r = primitives::run_estimator(job.estimator_pubs, job.estimator_options, context);
        if (r.ok()) {
            out.estimator = std::move(*r);
        } else {
            status = r.status();
        }
    }
    if (context.stop.stop_requested()) return cancelled_status();
    if (!status.ok()) {
        if (status.code() == ErrorCode::kCancelled) return cancelled_status();
        return status;
    }
    return out;
}

std::vector<PubTiming> as_run(const primitives::PrimitiveJob& job, const RawResults& results,
                              std::vector<PubTiming> planned) {
    if (job.program == primitives::Program::kSampler) {
        for (std::size_t i = 0; i < planned.size() && i < results.sampler.size(); ++i) {
            planned[i].shots = results.sampler[i].shots;
        }
        return planned;
    }
    for (std::size_t i = 0; i < planned.size() && i < results.estimator.size(); ++i) {
        const primitives::EstimatorPubResult& r = results.estimator[i];
        if (r.shots == 0) continue;  // exact (ideal): nothing was sampled
        planned[i].shots = r.shots;
    }
    return planned;
}

std::string encode_results(const primitives::PrimitiveJob& job, const RawResults& results,
                           const primitives::ResultMetadata& meta) {
    if (job.program == primitives::Program::kSampler) {
        return primitives::encode_sampler_results(job, results.sampler, meta);
    }
    return primitives::encode_estimator_results(job, results.estimator, meta);
}

std::uint64_t total_shots(const std::vector<PubTiming>& pubs) {
    std::uint64_t n = 0;
    for (const PubTiming& p : pubs) n += p.executions * p.shots;
    return n;
}

Status sleep_until(std::chrono::steady_clock::time_point until, const std::atomic<bool>* stop) {
    constexpr auto kStep = std::chrono::milliseconds(20);
    for (;;) {
        if (stop_raised(stop)) return cancelled_status();
        const auto now = std::chrono::steady_clock::now();
        if (now >= until) return {};
        std::this_thread::sleep_for(
            std::min<std::chrono::steady_clock::duration>(until - now, kStep));
    }
}

std::string count_noun(std::size_t n, std::string_view noun) {
    return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

}  // namespace qrt::backends::detail
