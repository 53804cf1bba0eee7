#include "backends/timing.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace qrt::backends {

namespace {

using circuit::Circuit;
using circuit::GateKind;
using circuit::Instruction;
using circuit::Target;

double delay_seconds(const Instruction& inst, const Target& target) {
    if (inst.params.empty()) return 0;
    const std::optional<double> v = inst.params[0].value();
    if (!v || !(*v > 0)) return 0;
    const std::string& u = inst.delay_unit;
    if (u == "s") return *v;
    if (u == "ms") return *v * 1e-3;
    if (u == "us") return *v * 1e-6;
    if (u == "ns") return *v * 1e-9;
    if (u == "ps") return *v * 1e-12;
    return *v * target.dt.value_or(0.0);  // "dt" (or none)
}

// Walks `c` with its qubit i on physical qubit qmap[i] and clbit j on cmap[j], advancing the
// ready times of those qubits and clbits.
void walk(const Circuit& c, const Target& target, const std::vector<std::uint32_t>& qmap,
          const std::vector<std::uint32_t>& cmap, std::vector<double>& qready,
          std::vector<double>& cready) {
    for (const Instruction& inst : c.instructions) {
        std::vector<std::uint32_t> qs, cs;
        for (std::uint32_t q : inst.qubits) {
            if (q < qmap.size()) qs.push_back(qmap[q]);
        }
        for (std::uint32_t b : inst.clbits) {
            if (b < cmap.size()) cs.push_back(cmap[b]);
        }
        if (inst.kind == GateKind::kIfElse && inst.condition) {
            const circuit::Condition& cond = *inst.condition;
            if (cond.kind == circuit::Condition::Kind::kClbit) {
                if (cond.clbit < cmap.size()) cs.push_back(cmap[cond.clbit]);
            } else if (const circuit::Register* r = c.find_creg(cond.register_name)) {
                for (std::int64_t b : r->bits) {
                    if (b >= 0 && static_cast<std::size_t>(b) < cmap.size()) {
                        cs.push_back(cmap[static_cast<std::size_t>(b)]);
                    }
                }
            }
        }
        double start = 0;
        for (std::uint32_t q : qs) start = std::max(start, qready[q]);
        for (std::uint32_t b : cs) start = std::max(start, cready[b]);

        double length = 0;
        switch (inst.kind) {
            case GateKind::kBarrier:
            case GateKind::kGlobalPhase:
                break;
            case GateKind::kDelay:
                length = delay_seconds(inst, target);
                break;
            case GateKind::kIfElse:
            case GateKind::kCustom: {
                // A body acts on this instruction's operands positionally; it runs on its own
                // clock from `start`, and the operands wait for its longest branch.
                std::vector<const Circuit*> bodies;
                if (inst.kind == GateKind::kIfElse) {
                    if (inst.then_body) bodies.push_back(inst.then_body.get());
                    if (inst.else_body) bodies.push_back(inst.else_body.get());
                } else if (inst.custom && inst.custom->body) {
                    bodies.push_back(inst.custom->body.get());
                }
                for (const Circuit* body : bodies) {
                    std::vector<double> bq(qready.size(), 0.0), bc(cready.size(), 0.0);
                    walk(*body, target, qs, cs, bq, bc);
                    double longest = 0;
                    for (std::uint32_t q : qs) longest = std::max(longest, bq[q]);
                    for (std::uint32_t b : cs) longest = std::max(longest, bc[b]);
                    length = std::max(length, longest);
                }
                break;
            }
            default:
                length = target.duration(circuit::gate_info(inst.kind).name, qs).value_or(0.0);
                break;
        }
        const double end = start + std::max(0.0, length);
        for (std::uint32_t q : qs) qready[q] = end;
        for (std::uint32_t b : cs) cready[b] = end;
    }
}

std::uint64_t bindings(const primitives::NdArray& values, std::size_t num_params) {
    if (values.shape.empty()) return 1;
    if (num_params == 0 && values.shape == std::vector<std::size_t>{0}) return 1;
    std::uint64_t n = 1;
    for (std::size_t i = 0; i + 1 < values.shape.size(); ++i) n *= values.shape[i];
    return n;
}

double max_readout(const Circuit& c, const Target& target) {
    double longest = 0;
    for (std::uint32_t q : c.used_qubits()) {
        longest = std::max(longest, target.duration("measure", {q}).value_or(0.0));
    }
    return longest;
}

bool qubitwise_commute(const std::string& basis, const std::string& label) {
    for (std::size_t i = 0; i < basis.size() && i < label.size(); ++i) {
        if (basis[i] != 'I' && label[i] != 'I' && basis[i] != label[i]) return false;
    }
    return true;
}

}  // namespace

double critical_path_seconds(const Circuit& circuit, const Target& target) {
    const std::uint32_t nq = std::max(circuit.num_qubits(), target.num_qubits);
    std::vector<std::uint32_t> qmap(circuit.num_qubits()), cmap(circuit.num_clbits());
    for (std::uint32_t i = 0; i < qmap.size(); ++i) qmap[i] = i;
    for (std::uint32_t i = 0; i < cmap.size(); ++i) cmap[i] = i;
    std::vector<double> qready(nq, 0.0), cready(circuit.num_clbits(), 0.0);
    walk(circuit, target, qmap, cmap, qready, cready);
    double end = 0;
    for (double t : qready) end = std::max(end, t);
    for (double t : cready) end = std::max(end, t);
    return end;
}

std::size_t measurement_bases(const std::vector<std::string>& pauli_labels) {
    std::vector<std::string> groups;
    for (const std::string& label : pauli_labels) {
        if (label.find_first_not_of('I') == std::string::npos) continue;
        bool placed = false;
        for (std::string& g : groups) {
            if (g.size() == label.size() && qubitwise_commute(g, label)) {
                for (std::size_t i = 0; i < label.size(); ++i) {
                    if (label[i] != 'I') g[i] = label[i];
                }
                placed = true;
                break;
            }
        }
        if (!placed) groups.push_back(label);
    }
    return groups.size();
}

std::vector<PubTiming> plan_job(const primitives::PrimitiveJob& job, const Target& target,
                                const TimingModel& model, bool noisy) {
    std::vector<PubTiming> out;
    if (job.program == primitives::Program::kSampler) {
        for (const primitives::SamplerPub& pub : job.sampler_pubs) {
            PubTiming t;
            t.executions = bindings(pub.parameter_values, pub.circuit.parameters().size());
            t.shots = pub.shots.value_or(job.sampler_options.default_shots);
            t.shot_seconds = critical_path_seconds(pub.circuit, target) + model.rep_delay_s;
            out.push_back(t);
        }
        return out;
    }
    const primitives::EstimatorOptions& o = job.estimator_options;
    for (const primitives::EstimatorPub& pub : job.estimator_pubs) {
        std::vector<std::string> labels;
        for (const auto& obs : pub.observables) {
            for (const auto& [label, coeff] : obs.terms) {
                if (std::find(labels.begin(), labels.end(), label) == labels.end()) {
                    labels.push_back(label);
                }
            }
        }
        const std::uint64_t factors = noisy && o.zne_on() ? o.zne_noise_factors.size() : 1;
        PubTiming t;
        t.executions = bindings(pub.parameter_values, pub.circuit.parameters().size()) *
                       measurement_bases(labels) * factors;
        const double precision = pub.precision.value_or(o.default_precision);
        std::uint64_t shots = 1;
        if (o.default_shots) {
            shots = *o.default_shots;
        } else if (precision > 0 && std::isfinite(precision)) {
            shots = static_cast<std::uint64_t>(std::ceil(1.0 / (precision * precision) - 1e-9));
        }
        shots = std::max<std::uint64_t>(1, shots);
        if (noisy && o.twirl_measure_on()) {
            const std::uint64_t r = std::max<std::uint64_t>(1, o.num_randomizations.value_or(32));
            shots = r * o.shots_per_randomization.value_or(
                            std::max<std::uint64_t>(64, (shots + r - 1) / r));
        }
        t.shots = shots;
        t.shot_seconds = critical_path_seconds(pub.circuit, target) +
                         max_readout(pub.circuit, target) + model.rep_delay_s;
        out.push_back(t);
    }
    return out;
}

Duration qpu_time(const std::vector<PubTiming>& pubs, const TimingModel& model) {
    double seconds = model.job_overhead_s;
    for (const PubTiming& p : pubs) {
        seconds += static_cast<double>(p.executions) *
                   (model.circuit_overhead_s + static_cast<double>(p.shots) * p.shot_seconds);
    }
    return seconds_d(seconds);
}

}  // namespace qrt::backends
