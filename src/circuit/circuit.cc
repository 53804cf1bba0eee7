#include "circuit/circuit.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace qrt::circuit {

namespace {

using C = std::complex<double>;

// Nesting limit for if_else bodies and custom-gate definitions (a guard against cycles, which
// shared pointers to const data make unlikely but not impossible).
constexpr int kMaxDepth = 64;

std::string instruction_name(const Instruction& inst) {
    if (inst.kind == GateKind::kCustom && inst.custom) return inst.custom->name;
    return std::string(gate_info(inst.kind).name);
}

std::string where(std::size_t index, const Instruction& inst) {
    return "instruction " + std::to_string(index) + " (" + instruction_name(inst) + ")";
}

std::string plural(std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

// Delay units; empty means "dt" (QPY does not store the unit).
constexpr std::string_view kDelayUnits[] = {"", "dt", "s", "ms", "us", "ns", "ps"};

bool valid_delay_unit(const std::string& unit) {
    return std::any_of(std::begin(kDelayUnits), std::end(kDelayUnits),
                       [&](std::string_view u) { return unit == u; });
}

// Checks operand counts against the gate table; `what` prefixes the message.
Status check_arity(const std::string& what, const Instruction& inst) {
    const GateInfo& info = gate_info(inst.kind);
    const std::size_t nq = inst.qubits.size();
    const std::size_t nc = inst.clbits.size();
    switch (inst.kind) {
        case GateKind::kMCX:
            if (nq < 2) {
                return invalid_argument(what +
                                        ": takes at least 2 qubits (controls and a target), got " +
                                        std::to_string(nq));
            }
            break;
        case GateKind::kBarrier:
        case GateKind::kIfElse:
            break;
        case GateKind::kCustom:
            if (!inst.custom) return invalid_argument(what + ": custom gate without a definition");
            if (nq != inst.custom->num_qubits) {
                return invalid_argument(what + ": takes " +
                                        plural(inst.custom->num_qubits, "qubit") + ", got " +
                                        std::to_string(nq));
            }
            break;
        default:
            if (static_cast<int>(nq) != info.num_qubits) {
                return invalid_argument(what + ": takes " +
                                        plural(static_cast<std::size_t>(info.num_qubits), "qubit") +
                                        ", got " + std::to_string(nq));
            }
    }
    const std::size_t want_clbits = inst.kind == GateKind::kMeasure ? 1 : 0;
    if (inst.kind != GateKind::kIfElse && nc != want_clbits) {
        return invalid_argument(what + ": takes " + plural(want_clbits, "clbit") + ", got " +
                                std::to_string(nc));
    }
    const std::size_t want_params = inst.kind == GateKind::kCustom
                                        ? inst.custom->params.size()
                                        : static_cast<std::size_t>(info.num_params);
    if (inst.params.size() != want_params) {
        return invalid_argument(what + ": takes " + plural(want_params, "parameter") + ", got " +
                                std::to_string(inst.params.size()));
    }
    return {};
}

Status check_operands(const std::string& what, const std::vector<std::uint32_t>& bits,
                      std::uint32_t limit, const char* kind) {
    for (std::size_t i = 0; i < bits.size(); ++i) {
        if (bits[i] >= limit) {
            return invalid_argument(what + ": " + kind + " " + std::to_string(bits[i]) +
                                    " out of range (circuit has " + plural(limit, kind) + ")");
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (bits[j] == bits[i]) {
                return invalid_argument(what + ": " + kind + " " + std::to_string(bits[i]) +
                                        " appears twice among the operands");
            }
        }
    }
    return {};
}

Status validate_circuit(const Circuit& c, const std::string& prefix, int depth,
                        std::set<const CustomGate*>& checked);

Status validate_body(const std::string& what, const char* body_name, const Circuit& body,
                     const Instruction& inst, int depth, std::set<const CustomGate*>& checked) {
    if (body.num_qubits() != inst.qubits.size() || body.num_clbits() != inst.clbits.size()) {
        return invalid_argument(
            what + ": " + body_name + " body has " + plural(body.num_qubits(), "qubit") + " and " +
            plural(body.num_clbits(), "clbit") + ", the instruction has " +
            plural(inst.qubits.size(), "qubit") + " and " + plural(inst.clbits.size(), "clbit"));
    }
    return validate_circuit(body, what + " " + body_name + " body: ", depth + 1, checked);
}

Status validate_instruction(const Circuit& c, std::size_t index, const Instruction& inst,
                            const std::string& prefix, int depth,
                            std::set<const CustomGate*>& checked) {
    const std::string what = prefix + where(index, inst);
    if (static_cast<std::size_t>(inst.kind) > static_cast<std::size_t>(GateKind::kCustom)) {
        return invalid_argument(what + ": unknown gate kind " +
                                std::to_string(static_cast<int>(inst.kind)));
    }
    QRT_RETURN_IF_ERROR(check_arity(what, inst));
    QRT_RETURN_IF_ERROR(check_operands(what, inst.qubits, c.num_qubits(), "qubit"));
    QRT_RETURN_IF_ERROR(check_operands(what, inst.clbits, c.num_clbits(), "clbit"));
    if (inst.kind == GateKind::kDelay && !valid_delay_unit(inst.delay_unit)) {
        return invalid_argument(what + ": unknown delay unit '" + inst.delay_unit +
                                "' (expected dt, s, ms, us, ns or ps)");
    }
    if (inst.kind != GateKind::kIfElse) {
        if (inst.condition || inst.then_body || inst.else_body) {
            return invalid_argument(what + ": only if_else carries a condition and bodies");
        }
    } else {
        if (!inst.condition) return invalid_argument(what + ": if_else without a condition");
        const Condition& cond = *inst.condition;
        if (cond.kind == Condition::Kind::kClbit) {
            if (cond.clbit >= c.num_clbits()) {
                return invalid_argument(what + ": condition clbit " + std::to_string(cond.clbit) +
                                        " out of range (circuit has " +
                                        plural(c.num_clbits(), "clbit") + ")");
            }
            if (cond.value > 1) {
                return invalid_argument(what + ": condition compares a clbit with " +
                                        std::to_string(cond.value) + " (expected 0 or 1)");
            }
        } else {
            const Register* reg = c.find_creg(cond.register_name);
            if (!reg) {
                return invalid_argument(what + ": condition names unknown classical register '" +
                                        cond.register_name + "'");
            }
            if (reg->bits.size() < 64 && (cond.value >> reg->bits.size()) != 0) {
                return invalid_argument(what + ": condition value " + std::to_string(cond.value) +
                                        " does not fit register '" + reg->name + "' of " +
                                        plural(reg->bits.size(), "bit"));
            }
        }
        if (!inst.then_body) return invalid_argument(what + ": if_else without a then body");
        if (depth >= kMaxDepth) return invalid_argument(what + ": bodies nested too deeply");
        QRT_RETURN_IF_ERROR(validate_body(what, "then", *inst.then_body, inst, depth, checked));
        if (inst.else_body) {
            QRT_RETURN_IF_ERROR(validate_body(what, "else", *inst.else_body, inst, depth, checked));
        }
    }
    if (inst.kind == GateKind::kCustom) {
        const CustomGate& g = *inst.custom;
        if (!g.body) return invalid_argument(what + ": custom gate '" + g.name + "' has no body");
        if (g.body->num_qubits() != g.num_qubits) {
            return invalid_argument(what + ": the body of '" + g.name + "' has " +
                                    plural(g.body->num_qubits(), "qubit") + ", the gate " +
                                    std::to_string(g.num_qubits));
        }
        if (depth >= kMaxDepth) return invalid_argument(what + ": definitions nested too deeply");
        if (checked.insert(&g).second) {
            QRT_RETURN_IF_ERROR(
                validate_circuit(*g.body, what + " definition: ", depth + 1, checked));
        }
    }
    return {};
}

Status validate_circuit(const Circuit& c, const std::string& prefix, int depth,
                        std::set<const CustomGate*>& checked) {
    for (const Register& r : c.qregs) {
        for (std::int64_t b : r.bits) {
            if (b < -1 || b >= static_cast<std::int64_t>(c.num_qubits())) {
                return invalid_argument(prefix + "quantum register '" + r.name + "' holds qubit " +
                                        std::to_string(b) + " (circuit has " +
                                        plural(c.num_qubits(), "qubit") + ")");
            }
        }
    }
    for (const Register& r : c.cregs) {
        for (std::int64_t b : r.bits) {
            if (b < -1 || b >= static_cast<std::int64_t>(c.num_clbits())) {
                return invalid_argument(prefix + "classical register '" + r.name +
                                        "' holds clbit " + std::to_string(b) + " (circuit has " +
                                        plural(c.num_clbits(), "clbit") + ")");
            }
        }
    }
    for (std::size_t i = 0; i < c.instructions.size(); ++i) {
        QRT_RETURN_IF_ERROR(validate_instruction(c, i, c.instructions[i], prefix, depth, checked));
    }
    return {};
}

void collect_parameters(const Circuit& c, std::vector<Symbol>& out, int depth) {
    c.global_phase.collect_symbols(out);
    for (const Instruction& inst : c.instructions) {
        for (const Expr& e : inst.params) e.collect_symbols(out);
        // Control-flow bodies share the circuit's parameters; custom-gate bodies use their own
        // formal parameters, which are bound by the instruction's params above.
        if (depth < kMaxDepth) {
            if (inst.then_body) collect_parameters(*inst.then_body, out, depth + 1);
            if (inst.else_body) collect_parameters(*inst.else_body, out, depth + 1);
        }
    }
}

Result<Expr> bind_expr(const Expr& e, const std::map<std::string, double>& values,
                       const std::string& what) {
    if (e.is_constant()) return e;
    Expr bound = e.bind(values);
    if (bound.is_constant()) {
        // Surface domain errors (log of 0, ...) at binding time, not in a simulator later.
        auto v = bound.evaluate({});
        if (!v.ok()) return invalid_argument(what + ": " + v.status().message());
    }
    return bound;
}

Result<Circuit> bind_circuit(const Circuit& c, const std::map<std::string, double>& values,
                             const std::string& prefix, int depth) {
    if (depth > kMaxDepth) return invalid_argument(prefix + "bodies nested too deeply");
    Circuit out = c;
    auto gp = bind_expr(c.global_phase, values, prefix + "global phase");
    if (!gp.ok()) return gp.status();
    out.global_phase = std::move(*gp);
    for (std::size_t i = 0; i < out.instructions.size(); ++i) {
        Instruction& inst = out.instructions[i];
        const std::string what = prefix + where(i, inst);
        for (std::size_t p = 0; p < inst.params.size(); ++p) {
            auto b = bind_expr(inst.params[p], values, what + " parameter " + std::to_string(p));
            if (!b.ok()) return b.status();
            inst.params[p] = std::move(*b);
        }
        if (inst.then_body) {
            auto body = bind_circuit(*inst.then_body, values, what + " then body: ", depth + 1);
            if (!body.ok()) return body.status();
            inst.then_body = std::make_shared<const Circuit>(std::move(*body));
        }
        if (inst.else_body) {
            auto body = bind_circuit(*inst.else_body, values, what + " else body: ", depth + 1);
            if (!body.ok()) return body.status();
            inst.else_body = std::make_shared<const Circuit>(std::move(*body));
        }
    }
    return out;
}

// Applies a k-qubit gate matrix `g` to the rows of the dim x dim matrix `u` (u <- G u), where gate
// qubit j is circuit qubit qubits[j].
void apply_matrix(const Matrix& g, const std::vector<std::uint32_t>& qubits, Matrix& u) {
    const int k = static_cast<int>(qubits.size());
    const int gd = 1 << k;
    const std::size_t dim = static_cast<std::size_t>(u.dim);
    std::vector<std::size_t> offset(static_cast<std::size_t>(gd), 0);
    std::size_t mask = 0;
    for (int j = 0; j < gd; ++j) {
        for (int b = 0; b < k; ++b) {
            if ((j >> b) & 1) offset[static_cast<std::size_t>(j)] |= std::size_t{1} << qubits[b];
        }
    }
    for (std::uint32_t q : qubits) mask |= std::size_t{1} << q;
    std::vector<C> in(static_cast<std::size_t>(gd));
    for (std::size_t base = 0; base < dim; ++base) {
        if (base & mask) continue;
        for (std::size_t col = 0; col < dim; ++col) {
            for (int j = 0; j < gd; ++j) {
                in[static_cast<std::size_t>(j)] =
                    u.data[(base | offset[static_cast<std::size_t>(j)]) * dim + col];
            }
            for (int r = 0; r < gd; ++r) {
                C acc = 0.0;
                for (int j = 0; j < gd; ++j) acc += g(r, j) * in[static_cast<std::size_t>(j)];
                u.data[(base | offset[static_cast<std::size_t>(r)]) * dim + col] = acc;
            }
        }
    }
}

Result<double> eval_param(const Expr& e, const std::map<std::string, double>& values,
                          const std::string& what) {
    if (auto v = e.value()) return *v;
    auto r = e.evaluate(values);
    if (!r.ok()) return invalid_argument(what + ": " + r.status().message());
    return r;
}

// Applies circuit `c` (its qubit i is qubits[i] of the full matrix) with its symbols taking
// `values` (the formal parameters of an enclosing custom gate; empty at the top).
Status apply_circuit(const Circuit& c, const std::vector<std::uint32_t>& qubits,
                     const std::map<std::string, double>& values, const std::string& prefix,
                     int depth, Matrix& u, C& phase) {
    auto gp = eval_param(c.global_phase, values, prefix + "global phase");
    if (!gp.ok()) return gp.status();
    phase *= std::polar(1.0, *gp);
    for (std::size_t i = 0; i < c.instructions.size(); ++i) {
        const Instruction& inst = c.instructions[i];
        const std::string what = prefix + where(i, inst);
        std::vector<std::uint32_t> mapped;
        mapped.reserve(inst.qubits.size());
        for (std::uint32_t q : inst.qubits) {
            if (q >= qubits.size()) {
                return invalid_argument(what + ": qubit " + std::to_string(q) +
                                        " out of range (circuit has " +
                                        plural(qubits.size(), "qubit") + ")");
            }
            mapped.push_back(qubits[q]);
        }
        std::vector<double> params;
        params.reserve(inst.params.size());
        for (std::size_t p = 0; p < inst.params.size(); ++p) {
            auto v = eval_param(inst.params[p], values, what + " parameter " + std::to_string(p));
            if (!v.ok()) return v.status();
            params.push_back(*v);
        }
        switch (inst.kind) {
            case GateKind::kBarrier:
            case GateKind::kDelay:
                continue;
            case GateKind::kMeasure:
            case GateKind::kReset:
            case GateKind::kIfElse:
                return invalid_argument(what + ": not a unitary operation");
            case GateKind::kGlobalPhase:
                if (params.size() != 1 || !mapped.empty()) {
                    return invalid_argument(what + ": takes no qubits and 1 parameter");
                }
                phase *= std::polar(1.0, params[0]);
                continue;
            case GateKind::kCustom: {
                const CustomGate* g = inst.custom.get();
                if (!g || !g->body) return invalid_argument(what + ": custom gate without a body");
                if (depth >= kMaxDepth) {
                    return invalid_argument(what + ": definitions nested too deeply");
                }
                if (params.size() != g->params.size() || mapped.size() != g->num_qubits) {
                    return invalid_argument(what + ": operands do not match the definition");
                }
                std::map<std::string, double> formal;
                for (std::size_t p = 0; p < params.size(); ++p) {
                    formal[g->params[p].name] = params[p];
                }
                QRT_RETURN_IF_ERROR(apply_circuit(*g->body, mapped, formal,
                                                  what + " definition: ", depth + 1, u, phase));
                continue;
            }
            default:
                break;
        }
        for (std::size_t a = 0; a < mapped.size(); ++a) {
            for (std::size_t b = 0; b < a; ++b) {
                if (mapped[a] == mapped[b]) {
                    return invalid_argument(what + ": qubit " + std::to_string(mapped[a]) +
                                            " appears twice among the operands");
                }
            }
        }
        auto m = gate_matrix(inst.kind, params, static_cast<int>(mapped.size()));
        if (!m.ok()) return invalid_argument(what + ": " + m.status().message());
        const int want_qubits = gate_info(inst.kind).num_qubits;
        if (want_qubits >= 0 && mapped.size() != static_cast<std::size_t>(want_qubits)) {
            return invalid_argument(what + ": takes " +
                                    plural(static_cast<std::size_t>(want_qubits), "qubit") +
                                    ", got " + std::to_string(mapped.size()));
        }
        apply_matrix(*m, mapped, u);
    }
    return {};
}

}  // namespace

std::uint32_t Circuit::add_qreg(std::string reg_name, std::uint32_t size) {
    const std::uint32_t first = num_qubits_;
    Register r{std::move(reg_name), {}, true};
    r.bits.reserve(size);
    for (std::uint32_t i = 0; i < size; ++i) r.bits.push_back(first + i);
    num_qubits_ += size;
    qregs.push_back(std::move(r));
    return first;
}

std::uint32_t Circuit::add_creg(std::string reg_name, std::uint32_t size) {
    const std::uint32_t first = num_clbits_;
    Register r{std::move(reg_name), {}, true};
    r.bits.reserve(size);
    for (std::uint32_t i = 0; i < size; ++i) r.bits.push_back(first + i);
    num_clbits_ += size;
    cregs.push_back(std::move(r));
    return first;
}

const Register* Circuit::find_creg(std::string_view reg_name) const {
    for (const Register& r : cregs) {
        if (r.name == reg_name) return &r;
    }
    return nullptr;
}

Status Circuit::append(GateKind kind, std::vector<std::uint32_t> qubits, std::vector<Expr> params,
                       std::vector<std::uint32_t> clbits) {
    const std::string what = "instruction " + std::to_string(instructions.size()) + " (" +
                             std::string(gate_info(kind).name) + ")";
    if (kind == GateKind::kIfElse || kind == GateKind::kCustom ||
        static_cast<std::size_t>(kind) > static_cast<std::size_t>(GateKind::kCustom)) {
        return invalid_argument(what + ": needs append(Instruction) with its bodies or definition");
    }
    Instruction inst;
    inst.kind = kind;
    inst.qubits = std::move(qubits);
    inst.clbits = std::move(clbits);
    inst.params = std::move(params);
    if (kind == GateKind::kDelay) inst.delay_unit = "dt";
    QRT_RETURN_IF_ERROR(check_arity(what, inst));
    QRT_RETURN_IF_ERROR(check_operands(what, inst.qubits, num_qubits_, "qubit"));
    QRT_RETURN_IF_ERROR(check_operands(what, inst.clbits, num_clbits_, "clbit"));
    instructions.push_back(std::move(inst));
    return {};
}

Status Circuit::validate() const {
    std::set<const CustomGate*> checked;
    return validate_circuit(*this, "", 0, checked);
}

std::vector<Symbol> Circuit::parameters() const {
    std::vector<Symbol> all;
    collect_parameters(*this, all, 0);
    return qiskit_order(std::move(all));
}

Result<Circuit> Circuit::bind(const std::vector<double>& values) const {
    const std::vector<Symbol> params = parameters();
    if (values.size() != params.size()) {
        std::string names;
        for (std::size_t i = 0; i < params.size() && i < 10; ++i) {
            names += (i ? ", " : "") + params[i].name;
        }
        if (params.size() > 10) names += ", ...";
        return invalid_argument("expected " + plural(params.size(), "parameter value") +
                                (params.empty() ? "" : " (for " + names + ")") + ", got " +
                                std::to_string(values.size()));
    }
    std::map<std::string, double> by_name;
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (!std::isfinite(values[i])) {
            return invalid_argument("parameter '" + params[i].name +
                                    "' bound to a non-finite value");
        }
        if (!by_name.emplace(params[i].name, values[i]).second) {
            return invalid_argument("two different parameters are named '" + params[i].name +
                                    "'; cannot bind by position");
        }
    }
    return bind_circuit(*this, by_name, "", 0);
}

Result<Circuit> Circuit::bind(const std::map<std::string, double>& by_name) const {
    const std::vector<Symbol> params = parameters();
    for (const auto& entry : by_name) {
        const std::string& pname = entry.first;  // not a structured binding: clang 14 lambdas
        const double value = entry.second;
        const bool known = std::any_of(params.begin(), params.end(),
                                       [&](const Symbol& s) { return s.name == pname; });
        if (!known) return invalid_argument("the circuit has no parameter named '" + pname + "'");
        if (!std::isfinite(value)) {
            return invalid_argument("parameter '" + pname + "' bound to a non-finite value");
        }
    }
    return bind_circuit(*this, by_name, "", 0);
}

std::vector<std::uint32_t> Circuit::used_qubits() const {
    std::vector<bool> used(num_qubits_, false);
    for (const Instruction& inst : instructions) {
        // Barriers and delays act as identity, so they do not make a qubit used.
        if (inst.kind == GateKind::kBarrier || inst.kind == GateKind::kDelay) continue;
        for (std::uint32_t q : inst.qubits) {
            if (q < num_qubits_) used[q] = true;
        }
    }
    std::vector<std::uint32_t> out;
    for (std::uint32_t q = 0; q < num_qubits_; ++q) {
        if (used[q]) out.push_back(q);
    }
    return out;
}

Result<Matrix> circuit_unitary(const Circuit& c, std::uint32_t max_qubits) {
    if (c.num_qubits() > max_qubits) {
        return invalid_argument("circuit has " + plural(c.num_qubits(), "qubit") +
                                "; the unitary is computed for at most " +
                                std::to_string(max_qubits));
    }
    if (c.num_qubits() > 14) {
        return invalid_argument("circuit has " + plural(c.num_qubits(), "qubit") +
                                "; a dense unitary is limited to 14");
    }
    Matrix u = Matrix::identity(1 << c.num_qubits());
    std::vector<std::uint32_t> qubits(c.num_qubits());
    for (std::uint32_t q = 0; q < c.num_qubits(); ++q) qubits[q] = q;
    C phase = 1.0;
    QRT_RETURN_IF_ERROR(apply_circuit(c, qubits, {}, "", 0, u, phase));
    if (phase != C(1.0)) {
        for (C& v : u.data) v *= phase;
    }
    return u;
}

}  // namespace qrt::circuit
