// A backend's Target: what a quantum processor can run and how well. Qubits, instructions with the
// qubit tuples each may act on (directed for two-qubit gates), per-(instruction, qubits) error
// and duration, per-qubit T1/T2/readout figures, and the configuration-level facts the Qiskit
// client reads (dt, processor type, limits, flags).
//
// Built from, and exported to, the two JSON documents IBM's REST API serves and
// qiskit-ibm-runtime turns into a `qiskit.transpiler.Target` (`GET /backends/{name}/configuration`
// and `.../properties`), following the client's `convert_to_target` rules so that our Target says
// "supported" exactly where the client's does. docs/formats/backend-json.md has the field list.
//
// Units inside a Target are SI: seconds and hertz. A Target is a plain value; share a const one
// between threads freely, never a mutable one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace qrt::circuit {

// The physical qubits an instruction acts on, in order (a two-qubit gate's first qubit is its
// control/first operand, so (1, 0) and (0, 1) are different edges).
using Qargs = std::vector<std::uint32_t>;

// Calibration data of one instruction on one qubit tuple. Both empty: ideal (Qiskit's `None`).
struct InstructionProperties {
    std::optional<double> error;     // gate_error (measure: readout_error), a probability
    std::optional<double> duration;  // gate_length (measure: readout_length), seconds

    friend bool operator==(const InstructionProperties&, const InstructionProperties&) = default;
};

// One instruction the target knows, and where it may be applied.
struct TargetInstruction {
    std::string name;    // "ecr", "rz", "measure", "if_else", "measure_2", ...
    int num_qubits = 0;  // -1: any number (control flow)
    int num_clbits = 0;  // measure: 1
    // Parameter names as the configuration lists them (`gates[].parameters`, e.g. ["theta"]).
    std::vector<std::string> parameters;
    // Supported on any qubit tuple of the right length (Qiskit's `properties=None`). When false,
    // only on the tuples in `qargs`.
    bool global = false;
    std::map<Qargs, InstructionProperties> qargs;
    // Declared in the configuration's `instruction_signatures` (e.g. measure_2), not a Qiskit
    // standard instruction.
    bool from_signature = false;
    std::string return_type;  // signatures only: "Bool", ...
    std::string description;  // signatures only

    friend bool operator==(const TargetInstruction&, const TargetInstruction&) = default;
};

// Calibration data of one qubit (properties `qubits[i]`). Empty fields were not reported.
struct QubitProperties {
    std::optional<double> t1;             // seconds
    std::optional<double> t2;             // seconds
    std::optional<double> frequency;      // Hz
    std::optional<double> anharmonicity;  // Hz
    std::optional<double> readout_error;
    std::optional<double> prob_meas0_prep1;
    std::optional<double> prob_meas1_prep0;
    std::optional<double> readout_length;  // seconds
    bool operational = true;               // `operational: 0` marks a faulty qubit

    friend bool operator==(const QubitProperties&, const QubitProperties&) = default;
};

struct ProcessorType {
    std::string family;    // "Eagle", "Heron"
    std::string revision;  // "3", "2" (IBM sends a number or a string; kept as text)
    std::string segment;   // optional

    friend bool operator==(const ProcessorType&, const ProcessorType&) = default;
};

// In units of dt (configuration `timing_constraints`).
struct TimingConstraints {
    int granularity = 1;
    int min_length = 1;
    int pulse_alignment = 1;
    int acquire_alignment = 1;

    friend bool operator==(const TimingConstraints&, const TimingConstraints&) = default;
};

struct Target {
    // --- configuration
    std::string backend_name;
    std::string backend_version = "1.0.0";
    std::uint32_t num_qubits = 0;
    std::optional<double> dt;  // seconds (configuration `dt` is in ns)
    // Directed edges (configuration `coupling_map`). Informational: what an instruction supports
    // is in `instructions`. derive_lists() recomputes it from the two-qubit instructions.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> coupling_map;
    // Unitary gates the backend runs natively ("ecr", "id", "rz", "sx", "x").
    std::vector<std::string> basis_gates;
    // Everything the backend runs: basis gates, measure, reset, delay, control flow, ...
    std::vector<std::string> supported_instructions;
    ProcessorType processor_type;
    TimingConstraints timing_constraints;
    std::uint64_t max_shots = 100000;
    std::uint64_t max_experiments = 300;
    bool simulator = false;
    bool local = false;
    bool conditional = false;
    bool open_pulse = false;
    bool memory = true;
    std::string online_date = "2024-01-01T00:00:00Z";  // ISO-8601; the client requires it
    std::string description;
    std::vector<std::string> supported_features;               // "qasm3", "dynamic_circuits", ...
    std::optional<std::pair<double, double>> rep_delay_range;  // seconds (JSON: µs)
    std::optional<double> default_rep_delay;                   // seconds (JSON: µs)
    std::vector<int> meas_levels;
    std::vector<std::vector<std::uint32_t>> meas_map;

    // --- the model: instruction name -> where it is supported and how well
    std::map<std::string, TargetInstruction> instructions;

    // --- properties (empty `qubits`: the backend reports none)
    std::vector<QubitProperties> qubits;
    std::string last_update_date;  // properties `last_update_date`, as received

    friend bool operator==(const Target&, const Target&) = default;

    // Whether `name` is supported on `qargs`, by Qiskit's `Target.instruction_supported(name,
    // qargs)` rule: a listed tuple, or a global instruction with the right qubit count and
    // indices below num_qubits. Barrier and store are not special here (validate_isa exempts them).
    bool instruction_supported(std::string_view name, const Qargs& qargs) const;
    // Whether some two-qubit instruction acts on (a, b) in this direction.
    bool has_edge(std::uint32_t a, std::uint32_t b) const;
    // Calibrated error / duration (seconds) of `name` on `qargs`; nullopt when the instruction is
    // not there or ideal.
    std::optional<double> gate_error(std::string_view name, const Qargs& qargs) const;
    std::optional<double> duration(std::string_view name, const Qargs& qargs) const;
    const TargetInstruction* find(std::string_view name) const;

    // Adds `name` (a Qiskit standard gate or operation; its qubit count comes from the gate table)
    // on `qargs`, or updates its properties there. Errors: unknown name, wrong qubit count, qubit
    // out of range.
    Status add_instruction(std::string_view name, const Qargs& qargs,
                           InstructionProperties props = {});
    // Adds `name` on every qubit tuple (control flow: any qubits).
    Status add_global_instruction(std::string_view name);
    // Recomputes basis_gates, supported_instructions and coupling_map from `instructions`.
    void derive_lists();
};

// A hand-built target: `one_qubit_gates` and measure, reset, delay on every qubit,
// `two_qubit_gate` on each directed edge in `edges` (both directions when `symmetric`), if_else
// when `dynamic`. Ideal (no errors), dt = 0.5 ns. For tests and the simulator's default backends.
Result<Target> make_target(std::string name, std::uint32_t num_qubits,
                           const std::vector<std::string>& one_qubit_gates,
                           std::string_view two_qubit_gate,
                           const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges,
                           bool symmetric, bool dynamic);

// Builds the Target the Qiskit client would build (`convert_to_target`) from the configuration
// JSON and, when `properties_json` is not empty (and not `{}`), the properties JSON. Faulty qubits
// and gates (`operational: 0`) are left out of `instructions`. Errors (invalid_argument) name the
// field path: "properties.qubits[3][1].value: expected a number".
Result<Target> target_from_backend_json(std::string_view configuration_json,
                                        std::string_view properties_json);

// The configuration JSON for this target, with every key the client requires. Values
// round-trip exactly through target_from_backend_json.
std::string target_to_configuration_json(const Target& target);
// The properties JSON (`last_update` stamps every value's date; `last_update_date` too when the
// target has none). `{}`-free: always a full document, `qubits` empty when the target has none.
std::string target_to_properties_json(const Target& target, Timestamp last_update);

}  // namespace qrt::circuit
