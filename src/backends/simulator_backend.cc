// The ideal simulator backend (`simulator: true`): every standard gate on any qubits, no noise,
// no calibration; usage is the wall time of the run.
#include <fmt/format.h>

#include <chrono>

#include "backends/device.h"
#include "backends/execution.h"
#include "circuit/gates.h"

namespace qrt::backends {

Result<circuit::Target> simulator_target(const DeviceSpec& spec) {
    QRT_RETURN_IF_ERROR(check_device_spec(spec));
    circuit::Target t;
    t.backend_name = spec.name;
    t.num_qubits = spec.num_qubits;
    t.dt = spec.dt_ns * 1e-9;
    t.simulator = true;
    t.local = false;
    t.conditional = true;
    t.memory = true;
    t.max_shots = 100000;
    t.max_experiments = 300;
    t.online_date = "2024-01-01T00:00:00Z";
    t.description = fmt::format("ideal {} qubit simulator (qrt)", spec.num_qubits);
    t.supported_features = {"qasm3"};
    t.processor_type = {};
    for (const circuit::GateInfo& g : circuit::all_gates()) {
        switch (g.kind) {
            case circuit::GateKind::kMCX:
            case circuit::GateKind::kIfElse:
            case circuit::GateKind::kCustom:
            case circuit::GateKind::kGlobalPhase:
            case circuit::GateKind::kBarrier:
                continue;
            default:
                break;
        }
        if (g.num_qubits < 0 || static_cast<std::uint32_t>(g.num_qubits) > spec.num_qubits) {
            continue;
        }
        QRT_RETURN_IF_ERROR(t.add_global_instruction(g.name));
    }
    QRT_RETURN_IF_ERROR(t.add_global_instruction("if_else"));
    t.derive_lists();
    // As the client reads it back (measure, reset and delay become per-qubit entries).
    auto canonical =
        circuit::target_from_backend_json(circuit::target_to_configuration_json(t), "{}");
    if (!canonical.ok()) {
        return internal_error(fmt::format("{}: our own backend JSON does not read back: {}",
                                          spec.name, canonical.status().message()));
    }
    return std::move(*canonical);
}

namespace {

class IdealSimulator final : public Backend {
public:
    IdealSimulator(const DeviceSpec& spec, circuit::Target target)
        : spec_(spec),
          target_(std::make_shared<const circuit::Target>(std::move(target))),
          configuration_json_(circuit::target_to_configuration_json(*target_)) {}

    const std::string& name() const override { return spec_.name; }
    std::uint32_t num_qubits() const override { return spec_.num_qubits; }
    bool simulator() const override { return true; }
    std::shared_ptr<const circuit::Target> target() const override { return target_; }
    std::string configuration_json() const override { return configuration_json_; }
    std::string properties_json() const override { return "{}"; }

    Result<primitives::PrimitiveJob> validate(std::string_view program_id,
                                              std::string_view params_json) const override {
        return detail::decode_and_check(*target_, program_id, params_json, false);
    }

    // A rough guess: 10 ms plus 1 µs per shot.
    Duration estimate(const primitives::PrimitiveJob& job) const override {
        const TimingModel model{0, 0.01, 0};
        const std::uint64_t shots = detail::total_shots(plan_job(job, *target_, model, false));
        return seconds_d(0.01 + 1e-6 * static_cast<double>(shots));
    }

    Result<JobExecution> run(const JobRequest& request) override {
        const auto started = std::chrono::steady_clock::now();
        auto job =
            detail::decode_and_check(*target_, request.program_id, request.params_json, false);
        if (!job.ok()) return job.status();
        const TimingModel model{0, 0, 0};
        const std::vector<PubTiming> planned = plan_job(*job, *target_, model, false);
        JobExecution out;
        const std::size_t num_pubs = job->program == primitives::Program::kSampler
                                         ? job->sampler_pubs.size()
                                         : job->estimator_pubs.size();
        out.log_lines.push_back(fmt::format("Running {}: {} on {} (ideal)",
                                            primitives::to_string(job->program),
                                            detail::count_noun(num_pubs, "PUB"), spec_.name));
        primitives::ExecutionContext context;
        context.noise = nullptr;
        context.stop = sim::StopToken{request.stop};
        context.max_memory_bytes = spec_.max_memory_bytes;
        context.threads = spec_.threads;
        auto raw = detail::run_primitives(*job, context, request.seed);
        if (!raw.ok()) return raw.status();
        const std::vector<PubTiming> ran = detail::as_run(*job, *raw, planned);
        const auto elapsed = std::chrono::steady_clock::now() - started;
        out.qpu_time = std::max(Duration(1), std::chrono::duration_cast<Duration>(elapsed));
        primitives::ResultMetadata meta;
        meta.qpu_seconds = to_seconds(out.qpu_time);
        meta.backend = spec_.name;
        out.result_json = detail::encode_results(*job, *raw, meta);
        std::uint64_t executions = 0;
        for (const PubTiming& p : ran) executions += p.executions;
        const std::uint64_t shots =
            job->program == primitives::Program::kSampler ? detail::total_shots(ran) : 0;
        out.log_lines.push_back(fmt::format("Finished in {:.3f} s", to_seconds(out.qpu_time)));
        out.metadata_json = fmt::format(
            R"({{"backend":"{}","shots":{},"circuits":{},"qpu_seconds":{},"wall_seconds":{}}})",
            spec_.name, shots, executions, to_seconds(out.qpu_time), to_seconds(out.qpu_time));
        return out;
    }

    Result<Duration> calibrate(Timestamp, std::uint64_t) override { return Duration(0); }
    std::optional<Duration> calibration_interval() const override { return std::nullopt; }

private:
    const DeviceSpec spec_;
    const std::shared_ptr<const circuit::Target> target_;
    const std::string configuration_json_;
};

}  // namespace

std::unique_ptr<Backend> make_ideal_simulator(const DeviceSpec& spec, circuit::Target target) {
    return std::make_unique<IdealSimulator>(spec, std::move(target));
}

}  // namespace qrt::backends
