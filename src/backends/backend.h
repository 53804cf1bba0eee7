// Backends: what executes a job. The `Backend` interface (target, configuration and properties
// JSON, validate, estimate, run one job), the emulated devices (topologies, calibrated noise from
// a seeded spread, a QPU timing model, calibration drift) and the ideal simulator, and the
// registry built from configuration. A future hardware driver is one more `Backend`.
//
// Thread safety: a Backend is used by one executor thread for run()/calibrate() while API threads
// call the const accessors; implementations guard their mutable calibration state (target,
// properties) with their own lock and hand out copies / shared_ptr snapshots.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "circuit/target.h"
#include "primitives/job_codec.h"

namespace qrt::backends {

// One job as the executor hands it to a backend.
struct JobRequest {
    std::string job_id;
    std::string program_id;   // "sampler" | "estimator"
    std::string params_json;  // the POST body's "params", verbatim
    std::uint64_t seed = 0;   // reproducible noise and sampling (derived from the job id)
    // Cooperative stop (cancel, max_execution_time): checked between gate blocks.
    const std::atomic<bool>* stop = nullptr;
};

struct JobExecution {
    std::string result_json;  // the /results body (typed or plain per the params)
    Duration qpu_time{};  // usage charged: the QPU timing model (device) or wall time (simulator)
    std::vector<std::string> log_lines;  // for GET /jobs/{id}/logs
    std::string metadata_json = "{}";    // extra job metrics (shots, circuits, ...)
};

class Backend {
public:
    virtual ~Backend() = default;

    virtual const std::string& name() const = 0;
    virtual std::uint32_t num_qubits() const = 0;
    // Simulators present `simulator: true` (the client then neither opens sessions nor checks
    // ISA); emulated devices `false`.
    virtual bool simulator() const = 0;
    // The current calibration, as a snapshot (calibrate() replaces it).
    virtual std::shared_ptr<const circuit::Target> target() const = 0;
    // GET /backends/{name}/configuration and /properties bodies ("{}" when none).
    virtual std::string configuration_json() const = 0;
    virtual std::string properties_json() const = 0;

    // Decodes the params and checks them against this backend (ISA, width, shots, options)
    // without running: the runtime calls it before acknowledging a job, so that bad input is
    // refused with 400 and nothing is stored. Returns the decoded job (reused by estimate()).
    virtual Result<primitives::PrimitiveJob> validate(std::string_view program_id,
                                                      std::string_view params_json) const = 0;
    // How long the job would hold the backend (the QPU timing model for a device; a rough guess
    // for a simulator). Used for forecasts (rule V1) and `estimated_running_time_seconds`.
    virtual Duration estimate(const primitives::PrimitiveJob& job) const = 0;

    // Runs one job to completion. Errors: the job's own fault (invalid_argument, unimplemented,
    // resource_exhausted: a user error, reason 1400), cancelled when the stop flag was seen, other
    // codes are service faults (1500).
    virtual Result<JobExecution> run(const JobRequest& request) = 0;

    // A calibration (system job, rule P1): re-draws the drifting figures around the device's
    // nominal ones (seeded by `seed`), stamps last_update_date = now, and returns how long the
    // backend was held. Simulators: no-op with zero duration.
    virtual Result<Duration> calibrate(Timestamp now, std::uint64_t seed) = 0;
    // How often the device wants calibrating; nullopt: never.
    virtual std::optional<Duration> calibration_interval() const = 0;
};

enum class Topology { kLine, kRing, kGrid, kHeavyHex };
enum class GateFamily { kEcr, kCz };  // basis {ecr,id,rz,sx,x} or {cz,id,rz,sx,x}

// The configuration file's words: "line", "ring", "grid", "heavy_hex" (also "heavy-hex");
// "ecr", "cz". invalid_argument naming the accepted words otherwise.
Result<Topology> parse_topology(std::string_view text);
std::string_view to_string(Topology t);
Result<GateFamily> parse_gate_family(std::string_view text);
std::string_view to_string(GateFamily f);

// An emulated device's description (the configuration file's [[backends]] entries).
struct DeviceSpec {
    std::string name;
    Topology topology = Topology::kHeavyHex;
    std::uint32_t num_qubits = 27;   // heavy-hex: 27, 127, 133 give IBM's layouts; others: any
    std::uint32_t grid_columns = 0;  // grid only (0: square-ish)
    GateFamily family = GateFamily::kEcr;
    std::string processor_family = "Eagle";  // configuration processor_type.family
    std::string processor_revision = "3";
    bool simulator = false;        // true: the ideal simulator (no noise, no ISA restriction)
    bool dynamic_circuits = true;  // if_else, measure mid-circuit

    // Nominal calibration (medians); each qubit/edge draws from a seeded log-normal spread.
    double error_1q = 2.5e-4;
    double error_2q = 7.5e-3;
    double readout_error = 1.5e-2;
    double t1_us = 250, t2_us = 150;
    double duration_1q_ns = 60, duration_2q_ns = 660, readout_ns = 1300;
    double dt_ns = 0.5;          // configuration `dt`: the unit of `delay[dt]`
    double spread = 0.3;         // relative (log-normal sigma)
    double faulty_fraction = 0;  // qubits marked non-operational
    std::uint64_t seed = 1;

    // QPU timing model: per-shot time = circuit duration (critical path) + rep_delay + readout;
    // plus a per-job overhead and a per-circuit overhead.
    double rep_delay_us = 250;
    double job_overhead_s = 0.5;
    double circuit_overhead_s = 0.05;
    // Emulate the wall-clock time the device would take (sleep up to the modelled QPU time,
    // scaled). 0: run as fast as the simulator can; usage still charges the modelled time.
    double time_scale = 0;
    std::optional<Duration> calibration_interval = std::chrono::hours(1);
    std::size_t max_memory_bytes = std::size_t{4} << 30;  // statevector limit per job
    int threads = 0;
};

// Checks the spec (name of [A-Za-z0-9_-], 1..1000 qubits (simulator: 1..64), rates in [0, 1),
// positive times, spread in [0, 2], faulty_fraction in [0, 1)) and builds the backend: the
// ideal simulator when `simulator`, otherwise an emulated device with its first calibration
// drawn from `seed`. Errors: invalid_argument naming the field ("emu_x.error_2q: ...").
Result<std::unique_ptr<Backend>> make_backend(const DeviceSpec& spec);

// The default set (`qrt serve` with no configuration): a 5-qubit device, a 27-qubit heavy-hex
// (ECR), a 127-qubit heavy-hex (ECR, Eagle), a 133-qubit heavy-hex (CZ, Heron) and an ideal
// simulator. Names: emu_small5, emu_falcon27, emu_eagle127, emu_heron133, sim_ideal.
std::vector<DeviceSpec> default_device_specs();

}  // namespace qrt::backends
