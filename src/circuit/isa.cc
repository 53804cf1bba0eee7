#include "circuit/isa.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <cmath>
#include <map>
#include <numbers>
#include <vector>

namespace qrt::circuit {

namespace {

// The client allows a little over pi/2 for rounding (utils.py).
constexpr double kRzzMax = std::numbers::pi / 2 + 1e-10;

bool rzz_angle_ok(double angle) { return !(angle < 0.0 || angle > kRzzMax); }

// The name Qiskit gives the operation (`operation.name`).
std::string_view instruction_name(const Instruction& inst) {
    if (inst.kind == GateKind::kCustom && inst.custom) return inst.custom->name;
    return gate_info(inst.kind).name;
}

Status isa_fault(std::string message) {
    message += kIsaAdvice;
    return invalid_argument(std::move(message));
}

// `qubit_map[i]`: the physical qubit of the circuit's (or body's) qubit i.
Status check_block(const Circuit& c, const Target& target, const Qargs& qubit_map) {
    for (const Instruction& inst : c.instructions) {
        std::string_view name = instruction_name(inst);
        Qargs qargs;
        qargs.reserve(inst.qubits.size());
        for (std::uint32_t q : inst.qubits) {
            if (q >= qubit_map.size()) {
                return invalid_argument(
                    fmt::format("instruction {} uses qubit {} but its circuit has {} qubits", name,
                                q, qubit_map.size()));
            }
            qargs.push_back(qubit_map[q]);
        }
        bool exempt = inst.kind == GateKind::kBarrier || name == "store";
        if (!exempt && !target.instruction_supported(name, qargs)) {
            return isa_fault(
                fmt::format("The instruction {} on qubits {} is not supported by the target "
                            "system.",
                            name, python_tuple_repr(qargs)));
        }
        if (inst.kind == GateKind::kRZZ && !inst.params.empty()) {
            if (auto angle = inst.params[0].value(); angle && !rzz_angle_ok(*angle)) {
                return isa_fault(fmt::format(
                    "The instruction {} on qubits {} is supported only for angles in the range "
                    "[0, pi/2], but an angle ({}) outside of this range has been requested.",
                    name, python_tuple_repr(qargs), python_float_repr(*angle)));
            }
        }
        if (inst.kind == GateKind::kIfElse) {
            for (const auto* body : {inst.then_body.get(), inst.else_body.get()}) {
                if (body == nullptr) continue;
                // Body qubit i is the instruction's qubit i.
                Qargs inner(qargs.begin(),
                            qargs.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(
                                                qargs.size(), body->num_qubits())));
                QRT_RETURN_IF_ERROR(check_block(*body, target, inner));
            }
        }
    }
    return {};
}

void collect_rzz(const Circuit& c, std::vector<Expr>& out) {
    for (const Instruction& inst : c.instructions) {
        if (inst.kind == GateKind::kRZZ && !inst.params.empty()) out.push_back(inst.params[0]);
        if (inst.kind == GateKind::kIfElse) {
            if (inst.then_body) collect_rzz(*inst.then_body, out);
            if (inst.else_body) collect_rzz(*inst.else_body, out);
        }
    }
}

}  // namespace

Status validate_isa(const Circuit& circuit, const Target& target) {
    if (circuit.num_qubits() > target.num_qubits) {
        return isa_fault(
            fmt::format("The circuit has {} qubits but the target system requires {} "
                        "qubits.",
                        circuit.num_qubits(), target.num_qubits));
    }
    Qargs identity(circuit.num_qubits());
    for (std::uint32_t i = 0; i < circuit.num_qubits(); ++i) identity[i] = i;
    return check_block(circuit, target, identity);
}

Status validate_rzz_angles(const Circuit& circuit, std::span<const double> parameter_values) {
    std::vector<Expr> angles;
    collect_rzz(circuit, angles);
    if (angles.empty()) return {};
    std::vector<Symbol> params = circuit.parameters();
    if (params.size() != parameter_values.size()) {
        return invalid_argument(fmt::format("expected {} parameter values, got {}", params.size(),
                                            parameter_values.size()));
    }
    std::map<std::string, double> values;
    for (std::size_t i = 0; i < params.size(); ++i) values[params[i].name] = parameter_values[i];

    for (const Expr& e : angles) {
        if (auto numeric = e.value()) {
            if (!rzz_angle_ok(*numeric)) {
                return invalid_argument(fmt::format(
                    "The instruction rzz is supported only for angles in the range [0, pi/2], but "
                    "an angle ({}) outside of this range has been requested.",
                    python_float_repr(*numeric)));
            }
            continue;
        }
        Result<double> angle = e.evaluate(values);
        if (!angle.ok()) return angle.status();
        if (rzz_angle_ok(*angle)) continue;
        std::vector<Symbol> used;
        e.collect_symbols(used);
        used = qiskit_order(std::move(used));
        std::string vals;
        for (const Symbol& s : used) {
            if (!vals.empty()) vals += ", ";
            vals += fmt::format("{}={}", s.name, python_float_repr(values[s.name]));
        }
        return invalid_argument(fmt::format(
            "The instruction rzz is supported only for angles in the range [0, pi/2], but an "
            "angle ({}) outside of this range has been requested; via parameter value(s) {}, "
            "substituted in parameter expression {}.",
            python_float_repr(*angle), vals, e.to_string()));
    }
    return {};
}

std::string python_float_repr(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    std::string sign = std::signbit(value) ? "-" : "";
    value = std::fabs(value);
    if (value == 0) return sign + "0.0";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    (void)ec;
    std::string_view sci(buf, static_cast<std::size_t>(end - buf));  // "d.ddde+XX"
    std::size_t epos = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, epos)) {
        if (c != '.') digits += c;
    }
    int exp = 0;
    std::from_chars(sci.data() + epos + 1 + (sci[epos + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                    exp);
    int decpt = exp + 1;  // digits d1 d2 ... mean 0.d1d2... * 10^decpt
    int n = static_cast<int>(digits.size());
    std::string out;
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            out = "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
        } else if (decpt >= n) {
            out = digits + std::string(static_cast<std::size_t>(decpt - n), '0') + ".0";
        } else {
            out = digits.substr(0, static_cast<std::size_t>(decpt)) + "." +
                  digits.substr(static_cast<std::size_t>(decpt));
        }
    } else {
        out = digits.substr(0, 1);
        if (n > 1) out += "." + digits.substr(1);
        out += fmt::format("e{}{:02d}", exp < 0 ? '-' : '+', std::abs(exp));
    }
    return sign + out;
}

std::string python_tuple_repr(const Qargs& qargs) {
    if (qargs.size() == 1) return fmt::format("({},)", qargs[0]);
    return fmt::format("({})", fmt::join(qargs, ", "));
}

}  // namespace qrt::circuit
