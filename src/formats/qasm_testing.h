// Test helpers for the OpenQASM readers and writer: a one-line summary of a circuit (so that
// tables of programs can state their expected IR compactly) and structural IR equality.
// Test-only; header-only; thread-safe (pure functions).
#pragma once

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "circuit/circuit.h"

namespace qrt::formats::testing {

inline std::string number(double v) {
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

inline std::string param_text(const circuit::Expr& e) {
    if (auto v = e.value()) return number(*v);
    return e.to_string();
}

// "q2 c2 | h 0 | cx 0,1 | rz(0.5) 1 | measure 0->0 | if(c0==1){x 1}".
inline std::string summarize(const circuit::Circuit& c, bool header = true) {
    using circuit::GateKind;
    std::string s;
    if (header) s = "q" + std::to_string(c.num_qubits()) + " c" + std::to_string(c.num_clbits());
    if (auto gp = c.global_phase.value(); !gp || *gp != 0) {
        s += (s.empty() ? "" : " ") + std::string("gp=") + param_text(c.global_phase);
    }
    for (const auto& in : c.instructions) {
        if (!s.empty()) s += " | ";
        if (in.kind == GateKind::kCustom) {
            s += in.custom ? in.custom->name : "?";
        } else if (in.kind == GateKind::kIfElse) {
            s += "if(";
            if (in.condition->kind == circuit::Condition::Kind::kClbit) {
                s += "c" + std::to_string(in.condition->clbit);
            } else {
                s += in.condition->register_name;
            }
            s += "==" + std::to_string(in.condition->value) + "){" +
                 summarize(*in.then_body, false) + "}";
            if (in.else_body) s += "else{" + summarize(*in.else_body, false) + "}";
        } else {
            s += std::string(circuit::gate_info(in.kind).name);
        }
        if (in.kind == GateKind::kDelay) {
            s += "[" + param_text(in.params[0]) + in.delay_unit + "]";
        } else if (!in.params.empty()) {
            s += "(";
            for (std::size_t i = 0; i < in.params.size(); ++i) {
                s += (i ? "," : "") + param_text(in.params[i]);
            }
            s += ")";
        }
        for (std::size_t i = 0; i < in.qubits.size(); ++i) {
            s += (i ? "," : " ") + std::to_string(in.qubits[i]);
        }
        for (std::size_t i = 0; i < in.clbits.size(); ++i) {
            s += (i ? "," : "->") + std::to_string(in.clbits[i]);
        }
    }
    return s;
}

inline bool expr_equal(const circuit::Expr& a, const circuit::Expr& b) {
    using K = circuit::Expr::Kind;
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case K::kConstant: {
            const auto x = a.constant_value();
            const auto y = b.constant_value();
            return std::memcmp(&x, &y, sizeof x) == 0;
        }
        case K::kSymbol: return a.symbol_ref().name == b.symbol_ref().name;
        case K::kUnary: return a.op() == b.op() && expr_equal(a.lhs(), b.lhs());
        case K::kBinary:
            return a.op() == b.op() && expr_equal(a.lhs(), b.lhs()) && expr_equal(a.rhs(), b.rhs());
    }
    return false;
}

// Structural equality of two circuits (names of registers, bits, instructions, parameters,
// bodies and definitions); returns "" when equal, else what differs first.
inline std::string ir_difference(const circuit::Circuit& a, const circuit::Circuit& b,
                                 const std::string& where = "circuit") {
    if (a.num_qubits() != b.num_qubits()) return where + ": qubit counts differ";
    if (a.num_clbits() != b.num_clbits()) return where + ": clbit counts differ";
    if (!expr_equal(a.global_phase, b.global_phase)) return where + ": global phases differ";
    if (a.qregs.size() != b.qregs.size() || a.cregs.size() != b.cregs.size()) {
        return where + ": register counts differ";
    }
    for (std::size_t i = 0; i < a.qregs.size(); ++i) {
        if (a.qregs[i].name != b.qregs[i].name || a.qregs[i].bits != b.qregs[i].bits) {
            return where + ": qreg " + std::to_string(i) + " differs";
        }
    }
    for (std::size_t i = 0; i < a.cregs.size(); ++i) {
        if (a.cregs[i].name != b.cregs[i].name || a.cregs[i].bits != b.cregs[i].bits) {
            return where + ": creg " + std::to_string(i) + " differs";
        }
    }
    if (a.instructions.size() != b.instructions.size()) return where + ": instruction counts differ";
    for (std::size_t i = 0; i < a.instructions.size(); ++i) {
        const auto& x = a.instructions[i];
        const auto& y = b.instructions[i];
        const std::string at = where + " instruction " + std::to_string(i);
        if (x.kind != y.kind || x.qubits != y.qubits || x.clbits != y.clbits ||
            x.delay_unit != y.delay_unit || x.params.size() != y.params.size()) {
            return at + " differs";
        }
        for (std::size_t k = 0; k < x.params.size(); ++k) {
            if (!expr_equal(x.params[k], y.params[k])) return at + ": parameter " + std::to_string(k) + " differs";
        }
        if (x.condition.has_value() != y.condition.has_value()) return at + ": condition differs";
        if (x.condition && (x.condition->kind != y.condition->kind || x.condition->clbit != y.condition->clbit ||
                            x.condition->register_name != y.condition->register_name ||
                            x.condition->value != y.condition->value)) {
            return at + ": condition differs";
        }
        if (bool(x.then_body) != bool(y.then_body) || bool(x.else_body) != bool(y.else_body)) {
            return at + ": bodies differ";
        }
        if (x.then_body) {
            if (auto d = ir_difference(*x.then_body, *y.then_body, at + " then"); !d.empty()) return d;
        }
        if (x.else_body) {
            if (auto d = ir_difference(*x.else_body, *y.else_body, at + " else"); !d.empty()) return d;
        }
        if (bool(x.custom) != bool(y.custom)) return at + ": custom gates differ";
        if (x.custom) {
            if (x.custom->name != y.custom->name || x.custom->num_qubits != y.custom->num_qubits ||
                x.custom->params.size() != y.custom->params.size()) {
                return at + ": custom gate signatures differ";
            }
            if (auto d = ir_difference(*x.custom->body, *y.custom->body, at + " definition"); !d.empty()) {
                return d;
            }
        }
    }
    return "";
}

}  // namespace qrt::formats::testing
