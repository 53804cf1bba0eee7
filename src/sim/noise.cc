#include "sim/noise.h"

#include <algorithm>
#include <cmath>

namespace qrt::sim {

namespace {

// Operations that are not gates: their Target entries carry readout or nothing.
bool is_gate_name(const std::string& name) {
    return name != "measure" && name != "reset" && name != "delay" && name != "barrier" &&
           name != "if_else" && name != "for_loop" && name != "while_loop" &&
           name != "switch_case" && name.rfind("measure_", 0) != 0;
}

}  // namespace

double relaxation_process_fidelity(double t1, double t2, double seconds) {
    if (seconds <= 0) return 1.0;
    if (t1 > 0 && (t2 <= 0 || t2 > 2 * t1)) t2 = 2 * t1;
    const double a = t1 > 0 ? std::exp(-seconds / t1) : 1.0;
    const double b = t2 > 0 ? std::exp(-seconds / t2) : 1.0;
    return (1 + a + 2 * b) / 4;
}

double depolarizing_from_error(double gate_error, unsigned num_qubits, double relaxation_fidelity) {
    if (gate_error <= 0) return 0;
    const double d = std::ldexp(1.0, static_cast<int>(num_qubits));
    const double target_fidelity = 1 - gate_error * (d + 1) / d;
    if (relaxation_fidelity <= 0) return 0;
    const double p = 1 - target_fidelity / relaxation_fidelity;
    return std::clamp(p, 0.0, 1.0);
}

bool NoiseModel::empty() const {
    for (const auto& [name, by_qubits] : gates) {
        for (const auto& [qs, g] : by_qubits) {
            if (g.depolarizing > 0) return false;
        }
    }
    for (const QubitNoise& q : qubits) {
        if (relaxation && (q.t1 > 0 || q.t2 > 0)) return false;
        if (readout && (q.p1_given_0 > 0 || q.p0_given_1 > 0)) return false;
    }
    return true;
}

NoiseModel NoiseModel::from_target(const circuit::Target& target) {
    NoiseModel m;
    m.dt = target.dt.value_or(0.0);
    m.qubits.resize(target.num_qubits);
    const circuit::TargetInstruction* measure = target.find("measure");
    for (std::uint32_t q = 0; q < target.num_qubits; ++q) {
        QubitNoise& n = m.qubits[q];
        std::optional<double> readout;
        if (q < target.qubits.size()) {
            const circuit::QubitProperties& p = target.qubits[q];
            n.t1 = p.t1.value_or(0.0);
            n.t2 = p.t2.value_or(0.0);
            if (n.t1 > 0 && n.t2 > 2 * n.t1) n.t2 = 2 * n.t1;  // unphysical reports
            readout = p.readout_error;
            n.p1_given_0 = p.prob_meas1_prep0.value_or(-1);
            n.p0_given_1 = p.prob_meas0_prep1.value_or(-1);
        }
        if (!readout && measure != nullptr) {
            auto it = measure->qargs.find(circuit::Qargs{q});
            if (it != measure->qargs.end()) readout = it->second.error;
        }
        if (n.p1_given_0 < 0) n.p1_given_0 = readout.value_or(0.0);
        if (n.p0_given_1 < 0) n.p0_given_1 = readout.value_or(0.0);
        n.p1_given_0 = std::clamp(n.p1_given_0, 0.0, 1.0);
        n.p0_given_1 = std::clamp(n.p0_given_1, 0.0, 1.0);
    }
    for (const auto& [name, inst] : target.instructions) {
        if (!is_gate_name(name)) continue;
        for (const auto& [qargs, props] : inst.qargs) {
            GateNoise g;
            g.duration = std::max(0.0, props.duration.value_or(0.0));
            double relax = 1.0;
            for (std::uint32_t q : qargs) {
                if (q < m.qubits.size()) {
                    relax *=
                        relaxation_process_fidelity(m.qubits[q].t1, m.qubits[q].t2, g.duration);
                }
            }
            g.depolarizing = depolarizing_from_error(props.error.value_or(0.0),
                                                     static_cast<unsigned>(qargs.size()), relax);
            if (g.depolarizing == 0 && g.duration == 0) continue;
            std::vector<unsigned> key(qargs.begin(), qargs.end());
            m.gates[name][key] = g;
        }
    }
    return m;
}

GateNoise NoiseModel::gate(const std::string& name, const std::vector<unsigned>& qs) const {
    auto it = gates.find(name);
    if (it == gates.end()) return {};
    auto jt = it->second.find(qs);
    if (jt == it->second.end()) return {};
    return jt->second;
}

QubitNoise NoiseModel::qubit(unsigned q) const {
    return q < qubits.size() ? qubits[q] : QubitNoise{};
}

}  // namespace qrt::sim
