// The emulated device: calibration drawing (device.h) and the Backend that runs jobs on the
// simulator with the device's noise, checks ISA, charges the QPU timing model and drifts on
// calibrate().
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <numeric>
#include <thread>

#include "backends/device.h"
#include "backends/execution.h"
#include "backends/topology.h"
#include "base/rng.h"
#include "base/time.h"
#include "sim/noise.h"

namespace qrt::backends {

namespace {

using circuit::InstructionProperties;
using circuit::QubitProperties;
using circuit::Target;

constexpr std::uint32_t kMaxDeviceQubits = 1000;
constexpr std::uint32_t kMaxSimulatorQubits = 64;
// Separates the drift stream from the fabric stream when both come from the same number.
constexpr std::uint64_t kDriftSalt = 0x9e3779b97f4a7c15ULL;

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '_' || ch == '-';
    });
}

// The factors one figure draws: the fabric's (fixed for the device) and the calibration's drift.
struct FigureRng {
    Rng fabric;
    Rng drift;
    double spread;
    double factor() {
        const double zf = fabric.normal(0, 1), zd = drift.normal(0, 1);
        return std::exp(spread * zf) * std::exp(spread / 3 * zd);
    }
};

double round_to(double value, double quantum) {
    if (!(quantum > 0)) return value;
    return std::max(quantum, std::round(value / quantum) * quantum);
}

const char* family_gate(GateFamily f) { return f == GateFamily::kEcr ? "ecr" : "cz"; }

}  // namespace

Status check_device_spec(const DeviceSpec& s) {
    auto bad = [&](std::string_view field, const std::string& why) {
        return invalid_argument(
            fmt::format("{}.{}: {}", s.name.empty() ? "backend" : s.name, field, why));
    };
    if (!valid_name(s.name)) {
        return invalid_argument(
            fmt::format("backend name \"{}\": use 1 to 64 letters, digits, '_' or '-'", s.name));
    }
    const std::uint32_t max_q = s.simulator ? kMaxSimulatorQubits : kMaxDeviceQubits;
    if (s.num_qubits == 0 || s.num_qubits > max_q) {
        return bad("num_qubits", fmt::format("must be in 1..{}, got {}", max_q, s.num_qubits));
    }
    if (s.topology == Topology::kRing && !s.simulator && s.num_qubits < 3) {
        return bad("num_qubits", "a ring needs at least 3 qubits");
    }
    auto rate = [&](std::string_view field, double v) -> Status {
        if (!(v >= 0 && v < 1)) return bad(field, fmt::format("must be in [0, 1), got {}", v));
        return {};
    };
    auto positive = [&](std::string_view field, double v) -> Status {
        if (!(v > 0) || !std::isfinite(v)) {
            return bad(field, fmt::format("must be a positive number, got {}", v));
        }
        return {};
    };
    auto non_negative = [&](std::string_view field, double v) -> Status {
        if (!(v >= 0) || !std::isfinite(v)) {
            return bad(field, fmt::format("must be a number >= 0, got {}", v));
        }
        return {};
    };
    QRT_RETURN_IF_ERROR(rate("error_1q", s.error_1q));
    QRT_RETURN_IF_ERROR(rate("error_2q", s.error_2q));
    QRT_RETURN_IF_ERROR(rate("readout_error", s.readout_error));
    QRT_RETURN_IF_ERROR(rate("faulty_fraction", s.faulty_fraction));
    QRT_RETURN_IF_ERROR(positive("t1_us", s.t1_us));
    QRT_RETURN_IF_ERROR(positive("t2_us", s.t2_us));
    QRT_RETURN_IF_ERROR(positive("duration_1q_ns", s.duration_1q_ns));
    QRT_RETURN_IF_ERROR(positive("duration_2q_ns", s.duration_2q_ns));
    QRT_RETURN_IF_ERROR(positive("readout_ns", s.readout_ns));
    QRT_RETURN_IF_ERROR(positive("dt_ns", s.dt_ns));
    QRT_RETURN_IF_ERROR(non_negative("rep_delay_us", s.rep_delay_us));
    if (s.rep_delay_us > 500) return bad("rep_delay_us", "must be at most 500 (rep_delay_range)");
    QRT_RETURN_IF_ERROR(non_negative("job_overhead_s", s.job_overhead_s));
    QRT_RETURN_IF_ERROR(non_negative("circuit_overhead_s", s.circuit_overhead_s));
    QRT_RETURN_IF_ERROR(non_negative("time_scale", s.time_scale));
    if (!(s.spread >= 0 && s.spread <= 2)) {
        return bad("spread", fmt::format("must be in [0, 2], got {}", s.spread));
    }
    if (s.calibration_interval && s.calibration_interval->count() <= 0) {
        return bad("calibration_interval", "must be positive (or absent: never)");
    }
    if (s.max_memory_bytes == 0) return bad("max_memory_bytes", "must be positive");
    if (s.threads < 0) return bad("threads", fmt::format("must be >= 0, got {}", s.threads));
    return {};
}

TimingModel timing_model(const DeviceSpec& spec) {
    return {spec.rep_delay_us * 1e-6, spec.job_overhead_s, spec.circuit_overhead_s};
}

Result<Target> draw_device_target(const DeviceSpec& spec, std::uint64_t drift_seed,
                                  Timestamp calibrated_at) {
    QRT_RETURN_IF_ERROR(check_device_spec(spec));
    if (spec.simulator) return invalid_argument(spec.name + ": a simulator has no calibration");
    auto edges = coupling_edges(spec.topology, spec.num_qubits, spec.grid_columns);
    if (!edges.ok()) {
        return invalid_argument(fmt::format("{}: {}", spec.name, edges.status().message()));
    }
    const std::uint32_t n = spec.num_qubits;
    const double dt = spec.dt_ns * 1e-9;
    const char* gate2 = family_gate(spec.family);
    const std::vector<Edge> directed =
        spec.family == GateFamily::kCz ? symmetric_edges(*edges) : *edges;

    Target t;
    t.backend_name = spec.name;
    t.num_qubits = n;
    t.dt = dt;
    t.processor_type = {spec.processor_family, spec.processor_revision, ""};
    t.max_shots = 100000;
    t.max_experiments = 300;
    t.simulator = false;
    t.conditional = false;  // IBM reports false and gates dynamic circuits on the instructions
    t.memory = true;
    t.online_date = "2024-01-01T00:00:00Z";
    t.description = fmt::format("{} qubit {} device (qrt emulation)", n, spec.processor_family);
    t.supported_features = {"qasm3"};
    t.rep_delay_range = std::pair{0.0, 500e-6};
    t.default_rep_delay = spec.rep_delay_us * 1e-6;
    t.meas_levels = {1, 2};
    t.last_update_date = format_iso8601(calibrated_at);

    // Fabric draws come from the spec's seed in a fixed order, so a qubit stays as good or as bad
    // as it is across calibrations; drift draws from the calibration's seed.
    FigureRng qrng{Rng(spec.seed), Rng(drift_seed ^ kDriftSalt), spec.spread};
    FigureRng erng{Rng(spec.seed).fork(), Rng(drift_seed ^ kDriftSalt).fork(), spec.spread};
    Rng fabric_misc(spec.seed ^ 0x5851f42d4c957f2dULL);

    std::vector<bool> faulty(n, false);
    {
        auto count = static_cast<std::uint32_t>(std::llround(spec.faulty_fraction * n));
        count = std::min(count, n - 1);  // a device keeps at least one working qubit
        std::vector<std::uint32_t> order(n);
        std::iota(order.begin(), order.end(), 0u);
        for (std::uint32_t i = n; i > 1; --i) {  // Fisher-Yates with the fabric stream
            const auto j = static_cast<std::uint32_t>(fabric_misc.uniform_int(0, i - 1));
            std::swap(order[i - 1], order[j]);
        }
        for (std::uint32_t i = 0; i < count; ++i) faulty[order[i]] = true;
    }

    t.qubits.resize(n);
    const double base_frequency = spec.family == GateFamily::kEcr ? 4.9e9 : 4.6e9;
    for (std::uint32_t q = 0; q < n; ++q) {
        QubitProperties& p = t.qubits[q];
        const double t1 = spec.t1_us * 1e-6 * qrng.factor();
        const double t2 = std::min(spec.t2_us * 1e-6 * qrng.factor(), 2 * t1);
        const double readout = std::clamp(spec.readout_error * qrng.factor(), 0.0, 0.4);
        // Relaxation during readout makes P(0|1) the larger of the two.
        const double asym = 0.1 + 0.5 * fabric_misc.uniform();
        const double error_1q = std::clamp(spec.error_1q * qrng.factor(), 0.0, 0.1);
        p.t1 = t1;
        p.t2 = t2;
        p.frequency = base_frequency + 0.12e9 * fabric_misc.normal(0, 1);
        p.anharmonicity = -0.31e9 + 0.005e9 * fabric_misc.normal(0, 1);
        p.prob_meas0_prep1 = readout * (1 + asym);
        p.prob_meas1_prep0 = readout * (1 - asym);
        p.readout_error = readout;
        p.readout_length = spec.readout_ns * 1e-9;
        p.operational = !faulty[q];
        if (faulty[q]) continue;
        const InstructionProperties one{error_1q, spec.duration_1q_ns * 1e-9};
        for (const char* g : {"id", "sx", "x"}) QRT_RETURN_IF_ERROR(t.add_instruction(g, {q}, one));
        QRT_RETURN_IF_ERROR(t.add_instruction("rz", {q}, {0.0, 0.0}));  // virtual (frame change)
        QRT_RETURN_IF_ERROR(t.add_instruction("measure", {q}, {p.readout_error, p.readout_length}));
        QRT_RETURN_IF_ERROR(t.add_instruction(
            "reset", {q}, {std::nullopt, (spec.readout_ns + 10 * spec.duration_1q_ns) * 1e-9}));
        QRT_RETURN_IF_ERROR(t.add_instruction("delay", {q}));
    }
    // One draw per undirected edge; a CZ device's two directions are the same gate.
    std::map<std::pair<std::uint32_t, std::uint32_t>, InstructionProperties> edge_props;
    for (const auto& [a, b] : *edges) {
        const double error = std::clamp(spec.error_2q * erng.factor(), 0.0, 0.5);
        const double length =
            round_to(spec.duration_2q_ns * 1e-9 * std::exp(0.05 * fabric_misc.normal(0, 1)), dt);
        edge_props[std::minmax(a, b)] = {error, length};
    }
    for (const auto& [a, b] : directed) {
        if (faulty[a] || faulty[b]) continue;
        QRT_RETURN_IF_ERROR(t.add_instruction(gate2, {a, b}, edge_props.at(std::minmax(a, b))));
    }
    if (spec.dynamic_circuits) {
        for (const char* cf : {"if_else", "for_loop", "switch_case"}) {
            QRT_RETURN_IF_ERROR(t.add_global_instruction(cf));
        }
    }
    t.derive_lists();
    // The figures exactly as they come back from our own JSON (unit scaling is not exact in
    // binary floating point): the Target we check against is the one the client builds.
    auto canonical =
        circuit::target_from_backend_json(circuit::target_to_configuration_json(t),
                                          circuit::target_to_properties_json(t, calibrated_at));
    if (!canonical.ok()) {
        return internal_error(fmt::format("{}: our own backend JSON does not read back: {}",
                                          spec.name, canonical.status().message()));
    }
    return std::move(*canonical);
}

namespace {

// One calibration: the target and what is derived from it, replaced as a whole.
struct Calibration {
    std::shared_ptr<const Target> target;
    std::shared_ptr<const sim::NoiseModel> noise;
    std::string configuration_json;
    std::string properties_json;
};

std::shared_ptr<const Calibration> make_calibration(Target t, Timestamp calibrated_at) {
    auto c = std::make_shared<Calibration>();
    c->configuration_json = circuit::target_to_configuration_json(t);
    c->properties_json = circuit::target_to_properties_json(t, calibrated_at);
    c->noise = std::make_shared<const sim::NoiseModel>(sim::NoiseModel::from_target(t));
    c->target = std::make_shared<const Target>(std::move(t));
    return c;
}

class EmulatedDevice final : public Backend {
public:
    EmulatedDevice(const DeviceSpec& spec, Target first, Timestamp calibrated_at)
        : spec_(spec),
          model_(timing_model(spec)),
          calibration_(make_calibration(std::move(first), calibrated_at)) {}

    const std::string& name() const override { return spec_.name; }
    std::uint32_t num_qubits() const override { return spec_.num_qubits; }
    bool simulator() const override { return false; }
    std::shared_ptr<const Target> target() const override { return snapshot()->target; }
    std::string configuration_json() const override { return snapshot()->configuration_json; }
    std::string properties_json() const override { return snapshot()->properties_json; }

    Result<primitives::PrimitiveJob> validate(std::string_view program_id,
                                              std::string_view params_json) const override {
        return detail::decode_and_check(*snapshot()->target, program_id, params_json, true);
    }

    Duration estimate(const primitives::PrimitiveJob& job) const override {
        return qpu_time(plan_job(job, *snapshot()->target, model_), model_);
    }

    Result<JobExecution> run(const JobRequest& request) override {
        const auto started = std::chrono::steady_clock::now();
        const std::shared_ptr<const Calibration> cal = snapshot();
        auto job =
            detail::decode_and_check(*cal->target, request.program_id, request.params_json, true);
        if (!job.ok()) return job.status();
        const std::vector<PubTiming> planned = plan_job(*job, *cal->target, model_);

        JobExecution out;
        const std::size_t num_pubs = job->program == primitives::Program::kSampler
                                         ? job->sampler_pubs.size()
                                         : job->estimator_pubs.size();
        out.log_lines.push_back(fmt::format(
            "Running {}: {}, {} shots on {}", primitives::to_string(job->program),
            detail::count_noun(num_pubs, "PUB"), detail::total_shots(planned), spec_.name));
        out.log_lines.push_back(fmt::format("Calibration of {}", cal->target->last_update_date));

        primitives::ExecutionContext context;
        context.noise = cal->noise.get();
        context.stop = sim::StopToken{request.stop};
        context.max_memory_bytes = spec_.max_memory_bytes;
        context.threads = spec_.threads;
        auto raw = detail::run_primitives(*job, context, request.seed);
        if (!raw.ok()) return raw.status();

        const std::vector<PubTiming> ran = detail::as_run(*job, *raw, planned);
        out.qpu_time = qpu_time(ran, model_);
        if (spec_.time_scale > 0) {
            const auto wall = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                std::chrono::duration<double>(to_seconds(out.qpu_time) * spec_.time_scale));
            QRT_RETURN_IF_ERROR(detail::sleep_until(started + wall, request.stop));
        }
        const double wall_s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const std::uint64_t shots = detail::total_shots(ran);
        std::uint64_t executions = 0;
        for (const PubTiming& p : ran) executions += p.executions;

        primitives::ResultMetadata meta;
        meta.qpu_seconds = to_seconds(out.qpu_time);
        meta.backend = spec_.name;
        out.result_json = detail::encode_results(*job, *raw, meta);
        out.log_lines.push_back(fmt::format("Finished in {:.3f} s (QPU time {:.3f} s, {} circuits)",
                                            wall_s, to_seconds(out.qpu_time), executions));
        out.metadata_json = fmt::format(
            R"({{"backend":"{}","shots":{},"circuits":{},"qpu_seconds":{},"wall_seconds":{}}})",
            spec_.name, shots, executions, to_seconds(out.qpu_time), wall_s);
        return out;
    }

    Result<Duration> calibrate(Timestamp now, std::uint64_t seed) override {
        const auto started = std::chrono::steady_clock::now();
        auto t = draw_device_target(spec_, seed, now);
        if (!t.ok()) return t.status();
        auto next = make_calibration(std::move(*t), now);
        {
            std::lock_guard lock(mu_);
            calibration_ = std::move(next);
        }
        if (spec_.time_scale > 0) {
            const auto wall = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                std::chrono::duration<double>(to_seconds(kCalibrationDuration) * spec_.time_scale));
            std::this_thread::sleep_until(started + wall);
        }
        return kCalibrationDuration;
    }

    std::optional<Duration> calibration_interval() const override {
        return spec_.calibration_interval;
    }

private:
    std::shared_ptr<const Calibration> snapshot() const {
        std::lock_guard lock(mu_);
        return calibration_;
    }

    const DeviceSpec spec_;
    const TimingModel model_;
    mutable std::mutex mu_;
    std::shared_ptr<const Calibration> calibration_;  // guarded by mu_
};

}  // namespace

std::unique_ptr<Backend> make_emulated_device(const DeviceSpec& spec, Target first,
                                              Timestamp calibrated_at) {
    return std::make_unique<EmulatedDevice>(spec, std::move(first), calibrated_at);
}

}  // namespace qrt::backends
