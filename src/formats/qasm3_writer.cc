#include "formats/qasm3_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numbers>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "formats/qasm_gates.h"

namespace qrt::formats {

using circuit::Circuit;
using circuit::Condition;
using circuit::CustomGate;
using circuit::Expr;
using circuit::ExprOp;
using circuit::GateKind;
using circuit::Instruction;
using circuit::Register;
using circuit::Symbol;

namespace {

// Words a declaration may not take (OpenQASM keywords, built-in constants and functions).
bool is_reserved(std::string_view w) {
    static const std::unordered_set<std::string_view> kWords = {
        "OPENQASM", "U", "CX", "angle", "array", "barrier", "bit", "bool", "box", "break", "cal",
        "complex", "const", "continue", "creg", "ctrl", "def", "defcal", "defcalgrammar",
        "delay", "duration", "durationof", "else", "end", "extern", "false", "float", "for",
        "gate", "gphase", "if", "in", "include", "input", "int", "inv", "let", "measure",
        "mutable", "negctrl", "opaque", "output", "pow", "qreg", "qubit", "reset", "return",
        "sizeof", "stretch", "switch", "true", "uint", "while", "pi", "tau", "euler", "sin",
        "cos", "tan", "arcsin", "arccos", "arctan", "asin", "acos", "atan", "exp", "ln", "log",
        "sqrt", "abs", "sign", "conj", "pragma", "dt", "ns", "us", "ms", "s",
        "\xCF\x80", "\xCF\x84", "\xE2\x84\x87",
    };
    return kWords.count(w) != 0;
}

bool ident_char(unsigned char c, bool first) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80) return true;
    return !first && c >= '0' && c <= '9';
}

// Qiskit's escaping: an invalid or reserved name gets a leading '_' and '_' for each bad char.
std::string escape(std::string_view name) {
    bool ok = !name.empty() && !is_reserved(name);
    for (std::size_t i = 0; ok && i < name.size(); ++i) {
        ok = ident_char(static_cast<unsigned char>(name[i]), i == 0);
    }
    if (ok) return std::string(name);
    std::string out = "_";
    for (char c : name) out += ident_char(static_cast<unsigned char>(c), false) ? c : '_';
    return out;
}

void append_double(std::string& out, double v) {
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// Shortest text that reads back to exactly v: "pi/2" where the reader's arithmetic gives v
// bit for bit, else the shortest round-trip decimal.
void append_number(std::string& out, double v);

std::string number_text(double v) {
    std::string s;
    append_number(s, v);
    return s;
}

void append_number(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out += "0 /* not a finite number */";
        return;
    }
    constexpr double pi = std::numbers::pi;
    if (v != 0 && std::fabs(v) <= 64 * pi) {
        for (int d = 1; d <= 16; ++d) {
            const double n = std::round(v * d / pi);
            if (n == 0 || std::fabs(n) > 64) continue;
            const double candidate = d == 1 ? n * pi : (n * pi) / d;
            if (candidate != v) continue;
            if (n == -1) out += "-";
            if (std::fabs(n) != 1) {
                append_double(out, n);
                out += "*";
            }
            out += "pi";
            if (d != 1) {
                out += "/";
                out += std::to_string(d);
            }
            return;
        }
    }
    append_double(out, v);
}

int precedence(const Expr& e) {
    switch (e.kind()) {
        case Expr::Kind::kConstant: {
            // "pi/2" is a division for the reader, "-0.5" a negation.
            const std::string t = number_text(e.constant_value().real());
            if (t.find_first_of("*/") != std::string::npos) return 2;
            return t[0] == '-' ? 3 : 5;
        }
        case Expr::Kind::kSymbol: return 5;
        case Expr::Kind::kUnary: return e.op() == ExprOp::kNeg ? 3 : 5;
        case Expr::Kind::kBinary:
            switch (e.op()) {
                case ExprOp::kAdd:
                case ExprOp::kSub: return 1;
                case ExprOp::kMul:
                case ExprOp::kDiv: return 2;
                default: return 4;
            }
    }
    return 5;
}

std::string_view function_name(ExprOp op) {
    switch (op) {
        case ExprOp::kSin: return "sin";
        case ExprOp::kCos: return "cos";
        case ExprOp::kTan: return "tan";
        case ExprOp::kAsin: return "arcsin";
        case ExprOp::kAcos: return "arccos";
        case ExprOp::kAtan: return "arctan";
        case ExprOp::kExp: return "exp";
        case ExprOp::kLog: return "log";
        case ExprOp::kSign: return "sign";
        case ExprOp::kConj: return "conj";
        case ExprOp::kAbs: return "abs";
        default: return "";
    }
}

class Writer {
public:
    Writer(const Circuit& c, const Qasm3WriteOptions& o) : top_(c), options_(o) {}

    std::string run() {
        out_.reserve(64 + top_.instructions.size() * 24);
        out_ += "OPENQASM 3.0;\ninclude \"stdgates.inc\";\n";
        scan(top_, 0);
        name_registers();
        for (const Symbol& s : top_.parameters()) {
            std::string base = escape(s.name);
            if (s.is_vector_element()) {  // Qiskit's escaping of "x[3]"
                base.assign(1, '_');
                base += escape(s.vector);
                base += '_';
                base += std::to_string(s.index);
                base += '_';
            }
            const std::string id = unique(std::move(base));
            symbol_names_[s.name] = id;
            out_ += "input float[64] " + id + ";\n";
        }
        for (GateKind k : used_kinds_) {
            if (!qasm::in_stdgates(k)) out_ += qasm::standard_definition(k);
        }
        for (const CustomGate* g : custom_order_) write_definition(*g);
        declarations();
        const auto phase = top_.global_phase.value();
        if (options_.global_phase && !(phase && *phase == 0)) {
            out_ += "gphase(";
            expr(top_.global_phase, symbol_names_);
            out_ += ");\n";
        }
        body(top_, qubit_names_, clbit_names_, symbol_names_, 0);
        return std::move(out_);
    }

private:
    using Names = std::vector<std::string>;
    using SymbolNames = std::unordered_map<std::string, std::string>;

    std::string unique(std::string id) {
        if (used_names_.insert(id).second) return id;
        for (int i = 0;; ++i) {
            std::string alt = id + "__" + std::to_string(i);
            if (used_names_.insert(alt).second) return alt;
        }
    }

    // Collects the kinds and user-defined gates used, definitions before their users.
    void scan(const Circuit& c, int depth) {
        if (depth > 64) return;
        for (const Instruction& in : c.instructions) {
            if (in.kind == GateKind::kCustom && in.custom) {
                if (custom_names_.count(in.custom.get()) != 0) continue;
                custom_names_[in.custom.get()] = "";  // mark before recursing (cycles)
                if (in.custom->body) scan(*in.custom->body, depth + 1);
                custom_order_.push_back(in.custom.get());
            } else if (in.kind == GateKind::kIfElse) {
                if (in.then_body) scan(*in.then_body, depth + 1);
                if (in.else_body) scan(*in.else_body, depth + 1);
            } else if (!qasm::qasm3_name(in.kind).empty()) {
                used_kinds_.insert(in.kind);
            }
        }
    }

    void name_registers() {
        // Names of the program's gates and the standard-gate definitions are taken first.
        for (const CustomGate* g : custom_order_) {
            std::string id = escape(g->name);
            if (qasm::find_builtin(id, qasm::Dialect::kQasm3) != nullptr || id == "mcx") {
                id += "_custom";
            }
            custom_names_[g] = unique(id);
        }
        auto name_bits = [&](const std::vector<Register>& regs, std::uint32_t n, bool quantum,
                             Names& names, std::string& decls) {
            names.assign(n, std::string());
            // Registers whose bits are consecutive, in order and disjoint are declared as such.
            std::vector<const Register*> sorted;
            for (const Register& r : regs) {
                bool ok = r.in_circuit && !r.bits.empty();
                for (std::size_t i = 0; ok && i < r.bits.size(); ++i) {
                    ok = r.bits[i] == r.bits[0] + static_cast<std::int64_t>(i) && r.bits[i] >= 0 &&
                         r.bits[i] < n;
                }
                if (ok) sorted.push_back(&r);
            }
            std::sort(sorted.begin(), sorted.end(),
                      [](const Register* a, const Register* b) { return a->bits[0] < b->bits[0]; });
            std::vector<const Register*> starts(n, nullptr);
            std::uint32_t covered = 0;
            for (const Register* r : sorted) {
                const auto first = static_cast<std::uint32_t>(r->bits[0]);
                if (first < covered) continue;  // overlaps an earlier register
                starts[first] = r;
                covered = first + static_cast<std::uint32_t>(r->bits.size());
            }
            for (std::uint32_t i = 0; i < n;) {
                if (const Register* r = starts[i]) {
                    const std::string id = unique(escape(r->name));
                    (quantum ? qreg_names_ : creg_names_)[r->name] = id;
                    decls += std::string(quantum ? "qubit[" : "bit[") + std::to_string(r->bits.size()) +
                             "] " + id + ";\n";
                    for (std::size_t k = 0; k < r->bits.size(); ++k) {
                        names[i + k] = id + "[" + std::to_string(k) + "]";
                    }
                    i += static_cast<std::uint32_t>(r->bits.size());
                } else {
                    const std::string id = unique((quantum ? "_qubit" : "_bit") + std::to_string(i));
                    decls += std::string(quantum ? "qubit " : "bit ") + id + ";\n";
                    names[i] = id;
                    ++i;
                }
            }
        };
        name_bits(top_.cregs, top_.num_clbits(), false, clbit_names_, creg_decls_);
        if (top_.qregs.empty() && top_.num_qubits() > 0) {
            const auto used = top_.used_qubits();
            if (!used.empty() && used.back() + 1 == top_.num_qubits()) {
                qubit_names_.resize(top_.num_qubits());
                for (std::uint32_t i = 0; i < top_.num_qubits(); ++i) {
                    qubit_names_[i] = "$" + std::to_string(i);
                }
                return;
            }
        }
        name_bits(top_.qregs, top_.num_qubits(), true, qubit_names_, qreg_decls_);
    }

    void declarations() {
        out_ += creg_decls_;
        out_ += qreg_decls_;
    }

    void write_definition(const CustomGate& g) {
        const std::string& id = custom_names_[&g];
        out_ += "gate " + id;
        SymbolNames params;
        std::unordered_set<std::string> local;
        if (!g.params.empty()) {
            out_ += "(";
            for (std::size_t i = 0; i < g.params.size(); ++i) {
                std::string p = escape(g.params[i].name);
                if (!local.insert(p).second) p = "_gate_p_" + std::to_string(i);
                local.insert(p);
                params[g.params[i].name] = p;
                out_ += (i ? ", " : "") + p;
            }
            out_ += ")";
        }
        Names qubits(g.num_qubits);
        for (std::uint32_t i = 0; i < g.num_qubits; ++i) {
            qubits[i] = "_gate_q_" + std::to_string(i);
            out_ += (i ? ", " : " ") + qubits[i];
        }
        out_ += " {\n";
        if (g.body) {
            const auto phase = g.body->global_phase.value();
            if (!(phase && *phase == 0)) {
                out_ += "  gphase(";
                expr(g.body->global_phase, params);
                out_ += ");\n";
            }
            body(*g.body, qubits, {}, params, 1);
        }
        out_ += "}\n";
    }

    void indent(int level) { out_.append(static_cast<std::size_t>(level) * 2, ' '); }

    void operands(const Instruction& in, const Names& qn) {
        for (std::size_t i = 0; i < in.qubits.size(); ++i) {
            out_ += i ? ", " : " ";
            if (in.qubits[i] < qn.size()) {
                out_ += qn[in.qubits[i]];
            } else {
                out_ += '$';
                out_ += std::to_string(in.qubits[i]);
            }
        }
    }

    void param_list(const Instruction& in, const SymbolNames& sn) {
        if (in.params.empty()) return;
        out_ += "(";
        for (std::size_t i = 0; i < in.params.size(); ++i) {
            if (i) out_ += ", ";
            expr(in.params[i], sn);
        }
        out_ += ")";
    }

    static const std::string& name_of(const Names& n, std::uint32_t i) {
        static const std::string kMissing = "_missing_bit";
        return i < n.size() ? n[i] : kMissing;
    }

    void body(const Circuit& c, const Names& qn, const Names& cn, const SymbolNames& sn, int level) {
        for (const Instruction& in : c.instructions) {
            indent(level);
            switch (in.kind) {
                case GateKind::kMeasure:
                    out_ += name_of(cn, in.clbits.empty() ? 0 : in.clbits[0]);
                    out_ += " = measure ";
                    out_ += name_of(qn, in.qubits.empty() ? 0 : in.qubits[0]);
                    out_ += ";\n";
                    break;
                case GateKind::kReset:
                    out_ += "reset";
                    operands(in, qn);
                    out_ += ";\n";
                    break;
                case GateKind::kBarrier:
                    if (in.qubits.empty()) {
                        out_ += "// barrier on no qubits\n";
                        break;
                    }
                    out_ += "barrier";
                    operands(in, qn);
                    out_ += ";\n";
                    break;
                case GateKind::kDelay: {
                    out_ += "delay[";
                    const auto v = in.params.empty() ? std::optional<double>(0) : in.params[0].value();
                    if (in.delay_unit == "ps") {  // OpenQASM has no ps
                        append_double(out_, (v ? *v : 0.0) / 1000);
                        out_ += "ns";
                    } else {
                        append_double(out_, v ? *v : 0.0);
                        out_ += in.delay_unit.empty() ? "dt" : in.delay_unit;
                    }
                    out_ += "]";
                    operands(in, qn);
                    out_ += ";\n";
                    break;
                }
                case GateKind::kGlobalPhase:
                    out_ += "gphase";
                    param_list(in, sn);
                    out_ += ";\n";
                    break;
                case GateKind::kMCX:
                    if (in.qubits.size() >= 4) {
                        out_ += "ctrl(" + std::to_string(in.qubits.size() - 1) + ") @ x";
                    } else {
                        out_ += "mcx";
                    }
                    operands(in, qn);
                    out_ += ";\n";
                    break;
                case GateKind::kCustom:
                    out_ += in.custom ? custom_names_[in.custom.get()] : "_missing_gate";
                    param_list(in, sn);
                    operands(in, qn);
                    out_ += ";\n";
                    break;
                case GateKind::kIfElse:
                    if_else(in, qn, cn, sn, level);
                    break;
                default: {
                    const std::string_view name = qasm::qasm3_name(in.kind);
                    if (name.empty()) {
                        out_ += "// unsupported instruction\n";
                        break;
                    }
                    out_ += name;
                    param_list(in, sn);
                    operands(in, qn);
                    out_ += ";\n";
                }
            }
        }
    }

    void if_else(const Instruction& in, const Names& qn, const Names& cn, const SymbolNames& sn,
                 int level) {
        out_ += "if (";
        if (in.condition) {
            const Condition& cond = *in.condition;
            if (cond.kind == Condition::Kind::kClbit) {
                if (cond.value == 0) out_ += "!";
                out_ += name_of(cn, cond.clbit);
            } else {
                auto it = creg_names_.find(cond.register_name);
                out_ += it != creg_names_.end() ? it->second : escape(cond.register_name);
                out_ += " == " + std::to_string(cond.value);
            }
        } else {
            out_ += "true";
        }
        out_ += ") {\n";
        Names inner_q;
        Names inner_c;
        for (std::uint32_t q : in.qubits) inner_q.push_back(name_of(qn, q));
        for (std::uint32_t b : in.clbits) inner_c.push_back(name_of(cn, b));
        if (in.then_body) block(*in.then_body, inner_q, inner_c, sn, level + 1);
        indent(level);
        out_ += "}";
        if (in.else_body) {
            out_ += " else {\n";
            block(*in.else_body, inner_q, inner_c, sn, level + 1);
            indent(level);
            out_ += "}";
        }
        out_ += "\n";
    }

    void block(const Circuit& b, const Names& qn, const Names& cn, const SymbolNames& sn, int level) {
        const auto phase = b.global_phase.value();
        if (!(phase && *phase == 0) && options_.global_phase) {
            indent(level);
            out_ += "gphase(";
            expr(b.global_phase, sn);
            out_ += ");\n";
        }
        body(b, qn, cn, sn, level);
    }

    // ---- expressions ----

    void expr(const Expr& e, const SymbolNames& sn) {
        switch (e.kind()) {
            case Expr::Kind::kConstant:
                append_number(out_, e.constant_value().real());
                if (e.constant_value().imag() != 0) out_ += " /* imaginary part dropped */";
                return;
            case Expr::Kind::kSymbol: {
                auto it = sn.find(e.symbol_ref().name);
                out_ += it != sn.end() ? it->second : escape(e.symbol_ref().name);
                return;
            }
            case Expr::Kind::kUnary:
                if (e.op() == ExprOp::kNeg) {
                    out_ += "-";
                    child(e.lhs(), sn, precedence(e.lhs()) < 4);
                    return;
                }
                out_ += function_name(e.op());
                out_ += "(";
                expr(e.lhs(), sn);
                out_ += ")";
                return;
            case Expr::Kind::kBinary: {
                const int p = precedence(e);
                const int lp = precedence(e.lhs());
                const int rp = precedence(e.rhs());
                const bool pow = p == 4;
                child(e.lhs(), sn, pow ? lp <= p : lp < p);
                switch (e.op()) {
                    case ExprOp::kAdd: out_ += " + "; break;
                    case ExprOp::kSub: out_ += " - "; break;
                    case ExprOp::kMul: out_ += "*"; break;
                    case ExprOp::kDiv: out_ += "/"; break;
                    default: out_ += "**"; break;
                }
                child(e.rhs(), sn, pow ? rp < 3 : rp <= p);
                return;
            }
        }
    }

    void child(const Expr& e, const SymbolNames& sn, bool parens) {
        if (parens) out_ += "(";
        expr(e, sn);
        if (parens) out_ += ")";
    }

    const Circuit& top_;
    Qasm3WriteOptions options_;
    std::string out_;
    std::set<GateKind> used_kinds_;
    std::vector<const CustomGate*> custom_order_;
    std::unordered_map<const CustomGate*, std::string> custom_names_;
    std::unordered_set<std::string> used_names_;
    std::unordered_map<std::string, std::string> creg_names_;
    std::unordered_map<std::string, std::string> qreg_names_;
    SymbolNames symbol_names_;
    Names qubit_names_;
    Names clbit_names_;
    std::string creg_decls_;
    std::string qreg_decls_;
};

}  // namespace

std::string write_qasm3(const Circuit& circuit, const Qasm3WriteOptions& options) {
    return Writer(circuit, options).run();
}

}  // namespace qrt::formats
