// make_backend(), the default device set and the configuration words of backend.h.
#include <fmt/format.h>

#include "backends/backend.h"
#include "backends/device.h"

namespace qrt::backends {

Result<Topology> parse_topology(std::string_view text) {
    if (text == "line") return Topology::kLine;
    if (text == "ring") return Topology::kRing;
    if (text == "grid") return Topology::kGrid;
    if (text == "heavy_hex" || text == "heavy-hex") return Topology::kHeavyHex;
    return invalid_argument(fmt::format(
        "topology \"{}\": expected \"line\", \"ring\", \"grid\" or \"heavy_hex\"", text));
}

std::string_view to_string(Topology t) {
    switch (t) {
        case Topology::kLine:
            return "line";
        case Topology::kRing:
            return "ring";
        case Topology::kGrid:
            return "grid";
        case Topology::kHeavyHex:
            return "heavy_hex";
    }
    return "line";
}

Result<GateFamily> parse_gate_family(std::string_view text) {
    if (text == "ecr") return GateFamily::kEcr;
    if (text == "cz") return GateFamily::kCz;
    return invalid_argument(fmt::format("family \"{}\": expected \"ecr\" or \"cz\"", text));
}

std::string_view to_string(GateFamily f) { return f == GateFamily::kEcr ? "ecr" : "cz"; }

Result<std::unique_ptr<Backend>> make_backend(const DeviceSpec& spec) {
    QRT_RETURN_IF_ERROR(check_device_spec(spec));
    if (spec.simulator) {
        auto t = simulator_target(spec);
        if (!t.ok()) return t.status();
        return make_ideal_simulator(spec, std::move(*t));
    }
    const Timestamp now = SystemClock().now();
    auto t = draw_device_target(spec, spec.seed, now);
    if (!t.ok()) return t.status();
    return make_emulated_device(spec, std::move(*t), now);
}

std::vector<DeviceSpec> default_device_specs() {
    std::vector<DeviceSpec> out;
    constexpr double kFalconDt = 2.0 / 9.0;  // ns, as IBM's Falcons report

    // A 5-qubit Falcon r5.11L (ibmq_manila's figures), as a line, with ECR.
    DeviceSpec small;
    small.name = "emu_small5";
    small.topology = Topology::kLine;
    small.num_qubits = 5;
    small.family = GateFamily::kEcr;
    small.processor_family = "Falcon";
    small.processor_revision = "5.11";
    small.error_1q = 3.5e-4;
    small.error_2q = 1.0e-2;
    small.readout_error = 2.2e-2;
    small.t1_us = 145;
    small.t2_us = 55;
    small.duration_1q_ns = 35.5555555556;
    small.duration_2q_ns = 345;
    small.readout_ns = 5350;
    small.dt_ns = kFalconDt;
    small.seed = 5;
    out.push_back(small);

    // A 27-qubit Falcon r5.11 (ibm_kolkata's figures and layout), with ECR.
    DeviceSpec falcon = small;
    falcon.name = "emu_falcon27";
    falcon.topology = Topology::kHeavyHex;
    falcon.num_qubits = 27;
    falcon.error_1q = 2.0e-4;
    falcon.error_2q = 7.5e-3;
    falcon.readout_error = 1.0e-2;
    falcon.t1_us = 110;
    falcon.t2_us = 85;
    falcon.duration_2q_ns = 380;
    falcon.readout_ns = 675;
    falcon.seed = 27;
    out.push_back(falcon);

    // A 127-qubit Eagle r3 (ibm_brisbane's layout, Eagle r3 medians).
    DeviceSpec eagle;
    eagle.name = "emu_eagle127";
    eagle.topology = Topology::kHeavyHex;
    eagle.num_qubits = 127;
    eagle.family = GateFamily::kEcr;
    eagle.processor_family = "Eagle";
    eagle.processor_revision = "3";
    eagle.error_1q = 2.5e-4;
    eagle.error_2q = 7.5e-3;
    eagle.readout_error = 1.5e-2;
    eagle.t1_us = 250;
    eagle.t2_us = 150;
    eagle.duration_1q_ns = 60;
    eagle.duration_2q_ns = 660;
    eagle.readout_ns = 1300;
    eagle.dt_ns = 0.5;
    eagle.seed = 127;
    out.push_back(eagle);

    // A 133-qubit Heron r1 (ibm_torino's layout and figures), with CZ.
    DeviceSpec heron;
    heron.name = "emu_heron133";
    heron.topology = Topology::kHeavyHex;
    heron.num_qubits = 133;
    heron.family = GateFamily::kCz;
    heron.processor_family = "Heron";
    heron.processor_revision = "1";
    heron.error_1q = 2.7e-4;
    heron.error_2q = 3.0e-3;
    heron.readout_error = 1.5e-2;
    heron.t1_us = 180;
    heron.t2_us = 130;
    heron.duration_1q_ns = 32;
    heron.duration_2q_ns = 68;
    heron.readout_ns = 1560;
    heron.dt_ns = 4.0;  // as ibm_torino's configuration reports
    heron.seed = 133;
    out.push_back(heron);

    DeviceSpec sim;
    sim.name = "sim_ideal";
    sim.simulator = true;
    sim.num_qubits = 32;
    sim.processor_family.clear();
    sim.processor_revision.clear();
    sim.calibration_interval = std::nullopt;
    sim.job_overhead_s = 0;
    sim.circuit_overhead_s = 0;
    out.push_back(sim);
    return out;
}

}  // namespace qrt::backends
