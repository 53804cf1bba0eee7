#include "formats/qasm_parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "formats/qasm_lexer.h"

namespace qrt::formats::qasm {

using circuit::Circuit;
using circuit::Condition;
using circuit::CustomGate;
using circuit::Expr;
using circuit::ExprOp;
using circuit::GateKind;
using circuit::Instruction;
using circuit::Symbol;

namespace {

// Limits that keep hostile input from exhausting memory or the stack.
constexpr std::uint32_t kMaxBits = 1u << 20;
constexpr int kMaxDepth = 200;

struct SvHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using NameMap = std::unordered_map<std::string, V, SvHash, std::equal_to<>>;

// An expression under construction: constants stay plain doubles until they are stored.
struct Val {
    bool is_const = true;
    double v = 0;
    Expr e;
    Expr expr() const { return is_const ? Expr(v) : e; }
};

// An operand: `size` consecutive bits from `first`; a register when is_reg.
struct Bits {
    std::uint32_t first = 0;
    std::uint32_t size = 1;
    bool is_reg = false;
    std::uint32_t offset = 0;
    std::string_view text;  // for messages
};

struct RegInfo {
    bool quantum = true;
    bool scalar = false;  // `qubit a;` / `bit b;`: a loose bit, not a register
    std::uint32_t first = 0;
    std::uint32_t size = 0;
};

struct UserGate {
    GateKind kind = GateKind::kCustom;  // or the standard kind a definition was matched to
    int num_qubits = 0;
    int num_params = 0;
    std::shared_ptr<const CustomGate> custom;
};

// Names visible inside `gate name(params) qargs { ... }`.
struct GateScope {
    std::string_view gate_name;
    NameMap<std::uint32_t> qubits;
    NameMap<Expr> params;
};

enum class Kw : std::uint8_t {
    kNone, kOpenqasm, kInclude, kQubit, kQreg, kBit, kCreg, kInput, kOutput, kConst, kGate,
    kOpaque, kMeasure, kReset, kBarrier, kDelay, kIf, kGphase, kCtrl, kNegctrl, kInv, kPow,
    kCalibration, kLoop, kClassical, kUnsupportedStmt, kElse,
};

Kw keyword(std::string_view w) {
    static const std::unordered_map<std::string_view, Kw> kMap = {
        {"OPENQASM", Kw::kOpenqasm}, {"include", Kw::kInclude}, {"qubit", Kw::kQubit},
        {"qreg", Kw::kQreg}, {"bit", Kw::kBit}, {"creg", Kw::kCreg}, {"input", Kw::kInput},
        {"output", Kw::kOutput}, {"const", Kw::kConst}, {"gate", Kw::kGate},
        {"opaque", Kw::kOpaque}, {"measure", Kw::kMeasure}, {"reset", Kw::kReset},
        {"barrier", Kw::kBarrier}, {"delay", Kw::kDelay}, {"if", Kw::kIf},
        {"gphase", Kw::kGphase}, {"ctrl", Kw::kCtrl}, {"negctrl", Kw::kNegctrl},
        {"inv", Kw::kInv}, {"pow", Kw::kPow}, {"else", Kw::kElse},
        {"defcalgrammar", Kw::kCalibration}, {"defcal", Kw::kCalibration},
        {"cal", Kw::kCalibration}, {"for", Kw::kLoop}, {"while", Kw::kLoop},
        {"switch", Kw::kLoop}, {"break", Kw::kLoop}, {"continue", Kw::kLoop},
        {"int", Kw::kClassical}, {"uint", Kw::kClassical}, {"float", Kw::kClassical},
        {"angle", Kw::kClassical}, {"bool", Kw::kClassical}, {"duration", Kw::kClassical},
        {"stretch", Kw::kClassical}, {"complex", Kw::kClassical}, {"array", Kw::kClassical},
        {"box", Kw::kUnsupportedStmt}, {"def", Kw::kUnsupportedStmt},
        {"extern", Kw::kUnsupportedStmt}, {"let", Kw::kUnsupportedStmt},
        {"return", Kw::kUnsupportedStmt}, {"end", Kw::kUnsupportedStmt},
        {"pragma", Kw::kUnsupportedStmt},
    };
    auto it = kMap.find(w);
    return it == kMap.end() ? Kw::kNone : it->second;
}

bool is_qasm3_only(Kw k) {
    switch (k) {
        case Kw::kQubit: case Kw::kBit: case Kw::kInput: case Kw::kOutput: case Kw::kConst:
        case Kw::kDelay: case Kw::kGphase: case Kw::kCtrl: case Kw::kNegctrl: case Kw::kInv:
        case Kw::kPow: case Kw::kCalibration: case Kw::kLoop: case Kw::kClassical:
        case Kw::kUnsupportedStmt: case Kw::kElse:
            return true;
        default:
            return false;
    }
}

std::string quoted(std::string_view s) {
    if (s.size() > 40) return "'" + std::string(s.substr(0, 40)) + "...'";
    return "'" + std::string(s) + "'";
}

std::string plural(std::size_t n, std::string_view word) {
    return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

class Parser {
public:
    Parser(std::string_view text, Dialect d) : text_(text), lex_(text), dialect_(d) {}

    Circuit parse() {
        prescan_inputs();
        // Growing the instruction vector dominates large programs; most statements end in ';'.
        const auto semicolons = static_cast<std::size_t>(std::count(text_.begin(), text_.end(), ';'));
        top_.instructions.reserve(std::min<std::size_t>(semicolons, std::size_t{1} << 22));
        advance();
        header();
        while (cur_.kind != Tok::kEnd) statement(top_, nullptr);
        finish();
        return std::move(top_);
    }

private:
    // ---- tokens and errors ----

    void advance() { cur_ = lex_.next(); }
    bool at(Tok k) const { return cur_.kind == k; }
    bool accept(Tok k) {
        if (cur_.kind != k) return false;
        advance();
        return true;
    }
    bool at_word(std::string_view w) const { return cur_.kind == Tok::kIdent && cur_.text == w; }

    std::string found() const {
        switch (cur_.kind) {
            case Tok::kEnd: return "end of input";
            case Tok::kString: return "\"" + std::string(cur_.text.substr(0, 40)) + "\"";
            default: return quoted(cur_.text);
        }
    }

    [[noreturn]] void fail(std::uint32_t offset, std::string message) const {
        throw ParseError{offset, std::move(message)};
    }
    [[noreturn]] void refuse(std::uint32_t offset, std::string message) const {
        throw ParseError{offset, std::move(message), true};
    }
    [[noreturn]] void fail_expected(std::string_view what, std::string_view context) const {
        std::string m = "expected " + std::string(what);
        if (!context.empty()) m += " " + std::string(context);
        fail(cur_.offset, m + ", found " + found());
    }
    Token expect(Tok k, std::string_view context) {
        if (cur_.kind != k) fail_expected(tok_name(k), context);
        Token t = cur_;
        advance();
        return t;
    }
    Token expect_ident(std::string_view what) {
        if (cur_.kind != Tok::kIdent) fail_expected(what, "");
        Token t = cur_;
        advance();
        return t;
    }

    struct DepthGuard {
        explicit DepthGuard(Parser& p, std::uint32_t offset) : p_(p) {
            if (++p_.depth_ > kMaxDepth) p_.fail(offset, "program nested too deeply");
        }
        ~DepthGuard() { --p_.depth_; }
        Parser& p_;
    };

    // ---- program structure ----

    void prescan_inputs() {
        if (text_.find("input") == std::string_view::npos) return;
        try {
            Lexer lx(text_);
            for (Token t = lx.next(); t.kind != Tok::kEnd; t = lx.next()) {
                if (t.kind != Tok::kIdent || t.text != "input") continue;
                Token name;
                for (Token u = lx.next(); u.kind != Tok::kEnd && u.kind != Tok::kSemicolon;
                     u = lx.next()) {
                    if (u.kind == Tok::kIdent) name = u;
                }
                if (name.kind != Tok::kIdent) continue;
                Symbol s = symbol_for_input(name.text);
                if (s.is_vector_element()) {
                    auto& size = vector_sizes_[s.vector];
                    size = std::max<std::uint64_t>(size, s.index + 1);
                }
            }
        } catch (const ParseError&) {
            // The real parse reports it.
        }
    }

    void header() {
        if (at_word("OPENQASM")) {
            const std::uint32_t off = cur_.offset;
            advance();
            if (!at(Tok::kInt) && !at(Tok::kFloat)) fail_expected("a version number", "after 'OPENQASM'");
            const double v = cur_.num;
            const std::string vt(cur_.text);
            advance();
            const int major = static_cast<int>(v);
            if (dialect_ == Dialect::kQasm3 && major != 3) {
                fail(off, "unsupported OpenQASM version " + vt +
                              (major == 2 ? " (this is the OpenQASM 3 reader; OpenQASM 2 programs "
                                            "go to the OpenQASM 2 reader)"
                                          : " (expected 3 or 3.0)"));
            }
            if (dialect_ == Dialect::kQasm2 && major != 2) {
                fail(off, "unsupported OpenQASM version " + vt +
                              (major == 3 ? " (this is the OpenQASM 2 reader; OpenQASM 3 programs "
                                            "go to the OpenQASM 3 reader)"
                                          : " (expected 2.0)"));
            }
            expect(Tok::kSemicolon, "after the version");
        } else if (dialect_ == Dialect::kQasm2) {
            fail_expected("'OPENQASM 2.0;'", "at the start of an OpenQASM 2 program");
        }
    }

    void finish() {
        if (hw_used_) {
            top_.set_num_qubits(max_hw_ + 1);
            for (std::size_t i : barrier_all_) {
                auto& q = top_.instructions[i].qubits;
                q.resize(max_hw_ + 1);
                for (std::uint32_t k = 0; k <= max_hw_; ++k) q[k] = k;
            }
        }
    }

    std::uint32_t num_qubits_now() const {
        return hw_used_ ? max_hw_ + 1 : top_.num_qubits();
    }

    void check_top_level(const Token& t, GateScope* scope, std::string_view what) const {
        if (scope != nullptr) fail(t.offset, std::string(what) + " is not allowed in a gate body");
        if (block_depth_ > 0) fail(t.offset, std::string(what) + " must be at the top level");
    }

    void check_new_name(const Token& name) const {
        auto where = [&](std::uint32_t off) { return " (declared at " + line_col(text_, off) + ")"; };
        if (auto it = regs_decl_.find(name.text); it != regs_decl_.end()) {
            fail(name.offset, quoted(name.text) + " is already declared" + where(it->second));
        }
        if (gates_.count(name.text) != 0) {
            fail(name.offset, quoted(name.text) + " is already declared as a gate");
        }
        if (name.text == "pi" || name.text == "tau" || name.text == "euler" ||
            name.text == "\xCF\x80" || name.text == "\xCF\x84" || name.text == "\xE2\x84\x87") {
            fail(name.offset, quoted(name.text) + " is a built-in constant and cannot be redeclared");
        }
        if (keyword(name.text) != Kw::kNone) {
            fail(name.offset, quoted(name.text) + " is a keyword and cannot name a declaration");
        }
    }

    void statement(Circuit& out, GateScope* scope) {
        const Token t = cur_;
        if (t.kind == Tok::kLBrace && scope == nullptr && dialect_ == Dialect::kQasm3) {
            DepthGuard g(*this, t.offset);
            advance();
            while (!at(Tok::kRBrace)) {
                if (at(Tok::kEnd)) fail_expected("'}'", "to close the block");
                statement(out, scope);
            }
            advance();
            return;
        }
        if (t.kind == Tok::kSemicolon) {  // empty statement
            advance();
            return;
        }
        if (t.kind != Tok::kIdent) fail_expected("a statement", "");
        const Kw kw = keyword(t.text);
        if (dialect_ == Dialect::kQasm2 && is_qasm3_only(kw)) {
            fail(t.offset, quoted(t.text) + " is OpenQASM 3, not OpenQASM 2");
        }
        switch (kw) {
            case Kw::kNone:
                advance();
                if (at(Tok::kAssign) || at(Tok::kLBracket)) {
                    assignment(out, scope, t);
                } else {
                    gate_call(out, scope, &t);
                }
                return;
            case Kw::kGphase:
            case Kw::kCtrl:
            case Kw::kNegctrl:
            case Kw::kInv:
            case Kw::kPow:
                gate_call(out, scope);
                return;
            case Kw::kOpenqasm:
                fail(t.offset, "'OPENQASM' must be the first statement");
            case Kw::kInclude: include(scope); return;
            case Kw::kQubit:
            case Kw::kBit: declare_new_style(scope, kw == Kw::kQubit); return;
            case Kw::kQreg:
            case Kw::kCreg: declare_old_style(scope, kw == Kw::kQreg); return;
            case Kw::kInput: input(scope); return;
            case Kw::kOutput:
                refuse(t.offset, "'output' declarations are not supported");
            case Kw::kConst: constant(scope); return;
            case Kw::kGate: gate_definition(scope); return;
            case Kw::kOpaque:
                refuse(t.offset, "opaque gates are not supported (a gate needs a definition)");
            case Kw::kMeasure: measure_arrow(out, scope); return;
            case Kw::kReset: reset(out, scope); return;
            case Kw::kBarrier: barrier(out, scope); return;
            case Kw::kDelay: delay(out, scope); return;
            case Kw::kIf: if_statement(out, scope); return;
            case Kw::kElse: fail(t.offset, "'else' without a matching 'if'");
            case Kw::kCalibration:
                refuse(t.offset, quoted(t.text) +
                                     " is not supported: pulse-level calibrations are refused");
            case Kw::kLoop:
                refuse(t.offset, quoted(t.text) + " is not supported (only 'if'/'else' control "
                                                  "flow is)");
            case Kw::kClassical:
                refuse(t.offset, "classical variable declarations ('" + std::string(t.text) +
                                     "') are not supported; use 'const' or 'input'");
            case Kw::kUnsupportedStmt:
                refuse(t.offset, quoted(t.text) + " is not supported");
        }
    }

    void include(GateScope* scope) {
        const Token kw = cur_;
        check_top_level(kw, scope, "'include'");
        advance();
        const Token s = expect(Tok::kString, "after 'include'");
        const std::string_view want = dialect_ == Dialect::kQasm3 ? "stdgates.inc" : "qelib1.inc";
        if (s.text != want) {
            fail(s.offset, "cannot include \"" + std::string(s.text.substr(0, 60)) +
                               "\": only \"" + std::string(want) + "\" is available (built in)");
        }
        expect(Tok::kSemicolon, "after the include");
    }

    std::uint32_t const_size(std::string_view what) {
        const std::uint32_t off = cur_.offset;
        const Val v = expression(nullptr);
        if (!v.is_const || v.v != std::floor(v.v) || v.v < 0) {
            fail(off, std::string(what) + " must be a non-negative integer constant");
        }
        if (v.v > kMaxBits) {
            fail(off, std::string(what) + " " + std::to_string(static_cast<std::uint64_t>(v.v)) +
                          " is too large (at most " + std::to_string(kMaxBits) + ")");
        }
        return static_cast<std::uint32_t>(v.v);
    }

    void declare(const Token& name, bool quantum, bool scalar, std::uint32_t size) {
        check_new_name(name);
        if (quantum && hw_used_) {
            fail(name.offset, "qubit declarations cannot be mixed with physical qubits ($n)");
        }
        RegInfo r;
        r.quantum = quantum;
        r.scalar = scalar;
        r.size = scalar ? 1 : size;
        const std::uint64_t now = quantum ? top_.num_qubits() : top_.num_clbits();
        if (now + r.size > kMaxBits) {
            fail(name.offset, std::string("too many ") + (quantum ? "qubits" : "clbits") +
                                  " (at most " + std::to_string(kMaxBits) + ")");
        }
        std::string reg_name(name.text);
        if (scalar) {
            r.first = static_cast<std::uint32_t>(now);
            if (quantum) {
                top_.set_num_qubits(r.first + 1);
            } else {
                top_.set_num_clbits(r.first + 1);
            }
        } else {
            r.first = quantum ? top_.add_qreg(reg_name, size) : top_.add_creg(reg_name, size);
        }
        if (quantum) declared_qubits_ = true;
        regs_.emplace(reg_name, r);
        regs_decl_.emplace(std::move(reg_name), name.offset);
    }

    // qubit[n] q;  qubit q;  bit[n] c;  bit c;
    void declare_new_style(GateScope* scope, bool quantum) {
        check_top_level(cur_, scope, "a declaration");
        advance();
        bool scalar = true;
        std::uint32_t size = 1;
        if (accept(Tok::kLBracket)) {
            scalar = false;
            size = const_size("the register size");
            expect(Tok::kRBracket, "after the register size");
        }
        const Token name = expect_ident(quantum ? "a qubit register name" : "a bit register name");
        if (at(Tok::kAssign)) {
            refuse(cur_.offset, "initialising a declaration is not supported");
        }
        expect(Tok::kSemicolon, "after the declaration");
        declare(name, quantum, scalar, size);
    }

    // qreg q[n];  creg c[n];  (OpenQASM 3 also allows qreg q;)
    void declare_old_style(GateScope* scope, bool quantum) {
        check_top_level(cur_, scope, "a declaration");
        advance();
        const Token name = expect_ident(quantum ? "a qubit register name" : "a bit register name");
        bool scalar = true;
        std::uint32_t size = 1;
        if (accept(Tok::kLBracket)) {
            scalar = false;
            size = const_size("the register size");
            expect(Tok::kRBracket, "after the register size");
        } else if (dialect_ == Dialect::kQasm2) {
            fail_expected("'['", "after the register name");
        }
        expect(Tok::kSemicolon, "after the declaration");
        declare(name, quantum, scalar, size);
    }

    // float[64] / angle[32] / float / angle
    void float_type(std::string_view context) {
        const Token ty = cur_;
        if (!at_word("float") && !at_word("angle")) {
            if (cur_.kind == Tok::kIdent &&
                (keyword(cur_.text) == Kw::kClassical || cur_.text == "bit")) {
                refuse(ty.offset, std::string(context) + " of type " + quoted(ty.text) +
                                      " is not supported (only float and angle)");
            }
            fail_expected("a type (float[64] or angle)", context);
        }
        advance();
        if (accept(Tok::kLBracket)) {
            const Token w = expect(Tok::kInt, "as the type width");
            (void)w;
            expect(Tok::kRBracket, "after the type width");
        }
    }

    void input(GateScope* scope) {
        check_top_level(cur_, scope, "'input'");
        advance();
        float_type("for 'input'");
        const Token name = expect_ident("a parameter name");
        expect(Tok::kSemicolon, "after the input declaration");
        check_new_name(name);
        Symbol s = symbol_for_input(name.text);
        if (s.is_vector_element()) s.vector_size = vector_sizes_[s.vector];
        for (const auto& [other, e] : inputs_) {
            if (e.symbol_ref().name == s.name) {
                fail(name.offset, quoted(name.text) + " names the same parameter " +
                                      quoted(s.name) + " as '" + other + "'");
            }
        }
        inputs_.emplace(std::string(name.text), Expr::symbol(std::move(s)));
        regs_decl_.emplace(std::string(name.text), name.offset);
    }

    void constant(GateScope* scope) {
        check_top_level(cur_, scope, "'const'");
        advance();
        const Token ty = cur_;
        if (!(at_word("float") || at_word("angle") || at_word("int") || at_word("uint"))) {
            fail_expected("a type (float, angle, int or uint)", "after 'const'");
        }
        advance();
        if (accept(Tok::kLBracket)) {
            expect(Tok::kInt, "as the type width");
            expect(Tok::kRBracket, "after the type width");
        }
        const Token name = expect_ident("a constant name");
        expect(Tok::kAssign, "after the constant name");
        const std::uint32_t off = cur_.offset;
        Val v = expression(nullptr);
        if (!v.is_const) fail(off, "the value of const " + quoted(name.text) + " is not constant");
        if ((ty.text == "int" || ty.text == "uint") && v.v != std::trunc(v.v)) {
            v.v = std::trunc(v.v);
        }
        expect(Tok::kSemicolon, "after the constant");
        check_new_name(name);
        consts_.emplace(std::string(name.text), v.v);
        regs_decl_.emplace(std::string(name.text), name.offset);
    }

    // gate name(p0, p1) a, b { body }
    void gate_definition(GateScope* scope) {
        check_top_level(cur_, scope, "a gate definition");
        advance();
        const Token name = expect_ident("a gate name");
        check_new_name(name);
        std::vector<Token> params;
        if (accept(Tok::kLParen)) {
            if (!at(Tok::kRParen)) {
                params.push_back(expect_ident("a parameter name"));
                while (accept(Tok::kComma)) params.push_back(expect_ident("a parameter name"));
            }
            expect(Tok::kRParen, "after the gate parameters");
        }
        std::vector<Token> qargs;
        qargs.push_back(expect_ident("a qubit argument name"));
        while (accept(Tok::kComma)) qargs.push_back(expect_ident("a qubit argument name"));
        if (!at(Tok::kLBrace)) fail_expected("'{'", "to open the gate body");

        const int nq = static_cast<int>(qargs.size());
        const int np = static_cast<int>(params.size());
        // Qiskit's OpenQASM 2 exporter also defines the standard gates qelib1.inc lacks (r, cs,
        // ecr, ...): match definitions against the whole table in both dialects.
        const BuiltinGate* b = find_builtin(name.text, Dialect::kQasm3);
        if (b == nullptr) b = find_builtin(name.text, dialect_);
        if (b != nullptr && b->num_params == np && !b->drop_params &&
            (b->num_qubits == nq || (b->num_qubits < 0 && nq >= 2))) {
            // A definition of a standard gate (Qiskit emits them for ecr, rzz, ... outside
            // stdgates.inc): use the native gate; the body is not interpreted.
            skip_block();
            gates_.emplace(std::string(name.text), UserGate{b->kind, nq, np, nullptr});
            return;
        }

        GateScope inner;
        inner.gate_name = name.text;
        auto cg = std::make_shared<CustomGate>();
        cg->name = std::string(name.text);
        cg->num_qubits = static_cast<std::uint32_t>(nq);
        for (const Token& p : params) {
            Symbol s;
            s.name = std::string(p.text);
            if (!inner.params.emplace(s.name, Expr::symbol(s)).second) {
                fail(p.offset, "duplicate parameter " + quoted(p.text) + " in gate " +
                                   quoted(name.text));
            }
            cg->params.push_back(std::move(s));
        }
        for (std::size_t i = 0; i < qargs.size(); ++i) {
            if (!inner.qubits.emplace(std::string(qargs[i].text), static_cast<std::uint32_t>(i))
                     .second) {
                fail(qargs[i].offset, "duplicate qubit argument " + quoted(qargs[i].text) +
                                          " in gate " + quoted(name.text));
            }
        }
        Circuit body(static_cast<std::uint32_t>(nq), 0);
        DepthGuard g(*this, cur_.offset);
        advance();  // '{'
        while (!at(Tok::kRBrace)) {
            if (at(Tok::kEnd)) fail_expected("'}'", "to close the body of gate " + quoted(name.text));
            statement(body, &inner);
        }
        advance();
        cg->body = std::make_shared<const Circuit>(std::move(body));
        gates_.emplace(std::string(name.text),
                       UserGate{GateKind::kCustom, nq, np, std::shared_ptr<const CustomGate>(cg)});
    }

    void skip_block() {
        const std::uint32_t open = cur_.offset;
        int depth = 0;
        do {
            if (at(Tok::kEnd)) fail(open, "unterminated gate body (missing '}')");
            if (at(Tok::kLBrace)) ++depth;
            if (at(Tok::kRBrace)) --depth;
            advance();
        } while (depth > 0);
    }

    // ---- operands ----

    // `ident`: the operand's identifier when the caller has consumed it already.
    Bits operand(bool quantum, GateScope* scope, const Token* ident = nullptr) {
        const Token t = ident != nullptr ? *ident : cur_;
        Bits b;
        b.offset = t.offset;
        if (t.kind == Tok::kHwQubit) {
            if (!quantum) fail(t.offset, "expected a classical bit, found physical qubit " + quoted(t.text));
            if (scope != nullptr) {
                fail(t.offset, "physical qubits cannot be used inside a gate body");
            }
            if (dialect_ == Dialect::kQasm2) fail(t.offset, "physical qubits are OpenQASM 3");
            if (declared_qubits_) {
                fail(t.offset, "physical qubits ($n) cannot be mixed with declared qubits");
            }
            if (t.ival >= kMaxBits) {
                fail(t.offset, "physical qubit " + quoted(t.text) + " is too large (at most $" +
                                   std::to_string(kMaxBits - 1) + ")");
            }
            hw_used_ = true;
            max_hw_ = std::max(max_hw_, static_cast<std::uint32_t>(t.ival));
            advance();
            b.first = static_cast<std::uint32_t>(t.ival);
            b.text = t.text;
            return b;
        }
        if (t.kind != Tok::kIdent) {
            fail_expected(quantum ? "a qubit operand" : "a classical bit operand", "");
        }
        if (ident == nullptr) advance();
        b.text = t.text;
        if (scope != nullptr) {
            auto it = scope->qubits.find(t.text);
            if (it == scope->qubits.end()) {
                fail(t.offset, quoted(t.text) + " is not a qubit argument of gate " +
                                   quoted(scope->gate_name));
            }
            if (at(Tok::kLBracket)) fail(cur_.offset, "gate arguments cannot be indexed");
            b.first = it->second;
            return b;
        }
        auto it = regs_.find(t.text);
        if (it == regs_.end()) {
            fail(t.offset, std::string(quantum ? "undeclared qubit register " : "undeclared bit register ") +
                               quoted(t.text));
        }
        const RegInfo& r = it->second;
        if (r.quantum != quantum) {
            fail(t.offset, quoted(t.text) + (r.quantum ? " is a qubit register, expected classical bits"
                                                       : " is a classical register, expected qubits"));
        }
        if (at(Tok::kLBracket)) {
            if (r.scalar) fail(cur_.offset, quoted(t.text) + " is a single bit and cannot be indexed");
            advance();
            const std::uint32_t off = cur_.offset;
            const Val v = expression(nullptr);
            if (at(Tok::kColon)) refuse(cur_.offset, "register slices are not supported");
            if (!v.is_const || v.v != std::floor(v.v)) fail(off, "an index must be an integer constant");
            if (v.v < 0 || v.v >= r.size) {
                fail(off, "index " + (std::isfinite(v.v) ? std::to_string(static_cast<long long>(v.v)) : std::string("?")) +
                              " out of range for register " + quoted(t.text) + " of size " +
                              std::to_string(r.size));
            }
            expect(Tok::kRBracket, "after the index");
            b.first = r.first + static_cast<std::uint32_t>(v.v);
            return b;
        }
        b.first = r.first;
        b.size = r.size;
        b.is_reg = !r.scalar;
        return b;
    }

    std::vector<Bits> operand_list(GateScope* scope, std::string_view context) {
        std::vector<Bits> ops;
        if (at(Tok::kSemicolon)) return ops;
        ops.push_back(operand(true, scope));
        while (accept(Tok::kComma)) ops.push_back(operand(true, scope));
        if (!at(Tok::kSemicolon)) fail_expected("';'", context);
        advance();
        return ops;
    }

    // The number of calls a broadcast over these operands makes (registers must agree).
    std::uint32_t broadcast_width(const std::vector<Bits>& ops, std::string_view what,
                                  std::string_view name = {}) const {
        std::uint32_t width = 1;
        const Bits* first_reg = nullptr;
        for (const Bits& b : ops) {
            if (!b.is_reg) continue;
            if (first_reg == nullptr) {
                first_reg = &b;
                width = b.size;
            } else if (b.size != width) {
                fail(b.offset, std::string(what) + std::string(name) + ": register " + quoted(b.text) + " has " +
                                   std::to_string(b.size) + " bits but " + quoted(first_reg->text) +
                                   " has " + std::to_string(width));
            }
        }
        return width;
    }

    static std::uint32_t bit_at(const Bits& b, std::uint32_t i) { return b.is_reg ? b.first + i : b.first; }

    // ---- statements ----

    void push_gate(Circuit& out, GateKind kind, std::vector<std::uint32_t> qubits, const std::vector<Val>& params) {
        Instruction inst;
        inst.kind = kind;
        inst.qubits = std::move(qubits);
        inst.params.reserve(params.size());
        for (const Val& v : params) inst.params.push_back(v.expr());
        out.instructions.push_back(std::move(inst));
    }

    struct Modifier {
        Kw kind;
        std::uint32_t count = 1;  // ctrl / negctrl
        double exponent = 1;      // pow
        std::uint32_t offset = 0;
    };

    // `name_token`: the gate name when the caller has consumed it already.
    void gate_call(Circuit& out, GateScope* scope, const Token* name_token = nullptr) {
        std::vector<Modifier> mods;
        while (name_token == nullptr && cur_.kind == Tok::kIdent) {
            const Kw k = keyword(cur_.text);
            if (k != Kw::kCtrl && k != Kw::kNegctrl && k != Kw::kInv && k != Kw::kPow) break;
            Modifier m;
            m.kind = k;
            m.offset = cur_.offset;
            advance();
            if (k == Kw::kPow) {
                expect(Tok::kLParen, "after 'pow'");
                const std::uint32_t off = cur_.offset;
                const Val v = expression(scope);
                if (!v.is_const) refuse(off, "pow(k) @ needs a constant exponent");
                m.exponent = v.v;
                expect(Tok::kRParen, "after the exponent");
            } else if ((k == Kw::kCtrl || k == Kw::kNegctrl) && accept(Tok::kLParen)) {
                const std::uint32_t off = cur_.offset;
                const Val v = expression(scope);
                if (!v.is_const || v.v < 1 || v.v != std::floor(v.v) || v.v > 64) {
                    fail(off, "the control count must be a positive integer constant");
                }
                m.count = static_cast<std::uint32_t>(v.v);
                expect(Tok::kRParen, "after the control count");
            }
            expect(Tok::kAt, "after the gate modifier");
            mods.push_back(m);
        }
        const Token name = name_token != nullptr ? *name_token : expect_ident("a gate name");

        std::vector<Val> params;
        std::vector<std::uint32_t> param_offsets;
        if (accept(Tok::kLParen)) {
            if (!at(Tok::kRParen)) {
                param_offsets.push_back(cur_.offset);
                params.push_back(expression(scope));
                while (accept(Tok::kComma)) {
                    param_offsets.push_back(cur_.offset);
                    params.push_back(expression(scope));
                }
            }
            expect(Tok::kRParen, "after the gate parameters");
        }
        std::vector<Bits> ops;
        if (!at(Tok::kSemicolon)) {
            ops.push_back(operand(true, scope));
            while (accept(Tok::kComma)) ops.push_back(operand(true, scope));
        }
        if (!at(Tok::kSemicolon)) fail_expected("';'", "after gate call");
        advance();

        // Resolve the name.
        GateKind kind;
        int nq;
        int np;
        std::shared_ptr<const CustomGate> custom;
        bool drop_params = false;
        if (name.text == "gphase" && dialect_ == Dialect::kQasm3) {
            kind = GateKind::kGlobalPhase;
            nq = 0;
            np = 1;
        } else if (auto it = gates_.find(name.text); it != gates_.end()) {
            kind = it->second.kind;
            nq = it->second.num_qubits;
            np = it->second.num_params;
            custom = it->second.custom;
        } else if (const BuiltinGate* b = find_builtin(name.text, dialect_)) {
            kind = b->kind;
            nq = b->num_qubits;
            np = b->num_params;
            drop_params = b->drop_params;
        } else {
            fail(name.offset, "unknown gate " + quoted(name.text) +
                                  (dialect_ == Dialect::kQasm2 ? "" : " (not in stdgates.inc, not a "
                                                                      "standard gate and not defined)"));
        }
        if (static_cast<int>(params.size()) != np) {
            fail(name.offset, "gate " + quoted(name.text) + " takes " + plural(np, "parameter") +
                                  ", got " + std::to_string(params.size()));
        }
        if (drop_params) params.clear();

        if (kind == GateKind::kCustom && !mods.empty()) {
            refuse(mods[0].offset, "gate modifiers on the user-defined gate " + quoted(name.text) +
                                       " are not supported");
        }

        // Modifiers apply innermost first; controls are the leading operands, outermost first.
        std::uint32_t total_controls = 0;
        for (const Modifier& m : mods) {
            if (m.kind == Kw::kCtrl || m.kind == Kw::kNegctrl) total_controls += m.count;
        }
        const int base_nq = nq < 0 ? static_cast<int>(ops.size()) - static_cast<int>(total_controls) : nq;
        if (nq < 0 && base_nq < 2) {
            fail(name.offset, "gate " + quoted(name.text) + " needs at least 2 qubits");
        }
        int cur_nq = base_nq;
        for (auto m = mods.rbegin(); m != mods.rend(); ++m) {
            switch (m->kind) {
                case Kw::kInv: apply_inverse(kind, params, m->offset, name.text); break;
                case Kw::kPow: apply_power(kind, params, m->exponent, m->offset, name.text); break;
                default: apply_controls(kind, params, cur_nq, m->count, m->offset, name.text); break;
            }
        }
        if (kind == GateKind::kGlobalPhase) {
            if (!ops.empty()) fail(ops[0].offset, "gphase takes no qubit operands");
            add_global_phase(out, params[0]);
            return;
        }
        const std::uint32_t want = static_cast<std::uint32_t>(cur_nq);
        if (ops.size() != want) {
            fail(ops.empty() ? name.offset : ops[0].offset,
                 "gate " + quoted(name.text) + (mods.empty() ? "" : " with its modifiers") +
                     " acts on " + plural(want, "qubit") + ", got " + std::to_string(ops.size()));
        }
        std::vector<bool> negated;
        for (const Modifier& m : mods) {
            if (m.kind == Kw::kCtrl || m.kind == Kw::kNegctrl) {
                negated.insert(negated.end(), m.count, m.kind == Kw::kNegctrl);
            }
        }
        const std::uint32_t width = broadcast_width(ops, "gate ", name.text);
        for (std::uint32_t i = 0; i < width; ++i) {
            std::vector<std::uint32_t> qs(ops.size());
            for (std::size_t k = 0; k < ops.size(); ++k) {
                qs[k] = bit_at(ops[k], i);
                for (std::size_t j = 0; j < k; ++j) {
                    if (qs[j] == qs[k]) {
                        fail(ops[k].offset, "qubit " + quoted(ops[k].text) +
                                                " is used twice in one call of gate " + quoted(name.text));
                    }
                }
            }
            for (std::size_t c = 0; c < negated.size(); ++c) {
                if (negated[c]) push_gate(out, GateKind::kX, {qs[c]}, {});
            }
            if (kind == GateKind::kCustom) {
                Instruction inst;
                inst.kind = GateKind::kCustom;
                inst.custom = custom;
                inst.qubits = qs;
                for (const Val& v : params) inst.params.push_back(v.expr());
                out.instructions.push_back(std::move(inst));
            } else {
                push_gate(out, kind, qs, params);
            }
            for (std::size_t c = 0; c < negated.size(); ++c) {
                if (negated[c]) push_gate(out, GateKind::kX, {qs[c]}, {});
            }
        }
    }

    void add_global_phase(Circuit& out, const Val& v) {
        const auto cur = out.global_phase.value();
        if (cur && *cur == 0) {
            out.global_phase = v.expr();
        } else if (cur && v.is_const) {
            out.global_phase = Expr(*cur + v.v);
        } else {
            out.global_phase = Expr::binary(ExprOp::kAdd, out.global_phase, v.expr());
        }
    }

    [[noreturn]] void modifier_unsupported(std::uint32_t offset, std::string_view mod,
                                           std::string_view gate) const {
        refuse(offset, std::string(mod) + " applied to " + quoted(gate) +
                           " is not supported (it has no standard-gate equivalent)");
    }

    Val neg(const Val& a) const {
        if (a.is_const) return Val{true, -a.v, {}};
        return Val{false, 0, Expr::unary(ExprOp::kNeg, a.e)};
    }

    void apply_inverse(GateKind& k, std::vector<Val>& p, std::uint32_t off, std::string_view gate) {
        switch (k) {
            case GateKind::kI: case GateKind::kX: case GateKind::kY: case GateKind::kZ:
            case GateKind::kH: case GateKind::kCX: case GateKind::kCY: case GateKind::kCZ:
            case GateKind::kCH: case GateKind::kSwap: case GateKind::kCCX: case GateKind::kCCZ:
            case GateKind::kCSwap: case GateKind::kC3X: case GateKind::kMCX: case GateKind::kECR:
                return;
            case GateKind::kS: k = GateKind::kSdg; return;
            case GateKind::kSdg: k = GateKind::kS; return;
            case GateKind::kT: k = GateKind::kTdg; return;
            case GateKind::kTdg: k = GateKind::kT; return;
            case GateKind::kSX: k = GateKind::kSXdg; return;
            case GateKind::kSXdg: k = GateKind::kSX; return;
            case GateKind::kCS: k = GateKind::kCSdg; return;
            case GateKind::kCSdg: k = GateKind::kCS; return;
            case GateKind::kRX: case GateKind::kRY: case GateKind::kRZ: case GateKind::kP:
            case GateKind::kU1: case GateKind::kRXX: case GateKind::kRYY: case GateKind::kRZZ:
            case GateKind::kRZX: case GateKind::kCRX: case GateKind::kCRY: case GateKind::kCRZ:
            case GateKind::kCP: case GateKind::kCU1: case GateKind::kGlobalPhase:
                p[0] = neg(p[0]);
                return;
            case GateKind::kR:
            case GateKind::kXXMinusYY:
            case GateKind::kXXPlusYY:
                p[0] = neg(p[0]);
                return;
            case GateKind::kU: case GateKind::kU3: case GateKind::kCU3: {
                Val t = neg(p[0]), ph = neg(p[2]), la = neg(p[1]);
                p = {t, ph, la};
                return;
            }
            case GateKind::kU2: {  // u2(φ,λ) = u3(π/2,φ,λ)
                k = GateKind::kU3;
                Val ph = neg(p[1]), la = neg(p[0]);
                p = {Val{true, -std::numbers::pi / 2, {}}, ph, la};
                return;
            }
            case GateKind::kCU: {
                Val t = neg(p[0]), ph = neg(p[2]), la = neg(p[1]), g = neg(p[3]);
                p = {t, ph, la, g};
                return;
            }
            default: modifier_unsupported(off, "inv @", gate);
        }
    }

    void apply_power(GateKind& k, std::vector<Val>& p, double x, std::uint32_t off, std::string_view gate) {
        if (x == 1) return;
        if (x == -1) {
            apply_inverse(k, p, off, gate);
            return;
        }
        switch (k) {
            case GateKind::kRX: case GateKind::kRY: case GateKind::kRZ: case GateKind::kP:
            case GateKind::kU1: case GateKind::kRXX: case GateKind::kRYY: case GateKind::kRZZ:
            case GateKind::kRZX: case GateKind::kCRX: case GateKind::kCRY: case GateKind::kCRZ:
            case GateKind::kCP: case GateKind::kCU1: case GateKind::kGlobalPhase:
            case GateKind::kR: case GateKind::kXXMinusYY: case GateKind::kXXPlusYY:
                p[0] = p[0].is_const ? Val{true, p[0].v * x, {}}
                                     : Val{false, 0, Expr::binary(ExprOp::kMul, p[0].e, Expr(x))};
                return;
            case GateKind::kI: case GateKind::kX: case GateKind::kY: case GateKind::kZ:
            case GateKind::kH: case GateKind::kCX: case GateKind::kCY: case GateKind::kCZ:
            case GateKind::kCH: case GateKind::kSwap: case GateKind::kCCX: case GateKind::kCCZ:
            case GateKind::kCSwap: case GateKind::kC3X: case GateKind::kMCX: case GateKind::kECR:
                if (x == std::floor(x) && std::fmod(std::fabs(x), 2.0) == 1.0) return;  // odd power
                break;
            default: break;
        }
        auto to = [&](GateKind from, double e, GateKind result) {
            if (k == from && x == e) {
                k = result;
                return true;
            }
            return false;
        };
        if (to(GateKind::kZ, 0.5, GateKind::kS) || to(GateKind::kZ, -0.5, GateKind::kSdg) ||
            to(GateKind::kZ, 0.25, GateKind::kT) || to(GateKind::kZ, -0.25, GateKind::kTdg) ||
            to(GateKind::kS, 0.5, GateKind::kT) || to(GateKind::kSdg, 0.5, GateKind::kTdg) ||
            to(GateKind::kS, 2, GateKind::kZ) || to(GateKind::kSdg, 2, GateKind::kZ) ||
            to(GateKind::kT, 2, GateKind::kS) || to(GateKind::kTdg, 2, GateKind::kSdg) ||
            to(GateKind::kX, 0.5, GateKind::kSX) || to(GateKind::kX, -0.5, GateKind::kSXdg) ||
            to(GateKind::kSX, 2, GateKind::kX) || to(GateKind::kSXdg, 2, GateKind::kX)) {
            return;
        }
        modifier_unsupported(off, "pow(" + format_number(x) + ") @", gate);
    }

    static std::string format_number(double x) {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, x);
        return std::string(buf, r.ptr);
    }

    void apply_controls(GateKind& k, std::vector<Val>& p, int& nq, std::uint32_t n, std::uint32_t off,
                        std::string_view gate) {
        if ((k == GateKind::kSX && n == 3) || (k == GateKind::kCSX && n == 2)) {
            k = GateKind::kC3SX;
            nq += static_cast<int>(n);
            return;
        }
        for (std::uint32_t i = 0; i < n; ++i) {
            switch (k) {
                case GateKind::kX: k = GateKind::kCX; break;
                case GateKind::kCX: k = GateKind::kCCX; break;
                case GateKind::kCCX: case GateKind::kC3X: case GateKind::kMCX: k = GateKind::kMCX; break;
                case GateKind::kY: k = GateKind::kCY; break;
                case GateKind::kZ: k = GateKind::kCZ; break;
                case GateKind::kCZ: k = GateKind::kCCZ; break;
                case GateKind::kH: k = GateKind::kCH; break;
                case GateKind::kS: k = GateKind::kCS; break;
                case GateKind::kSdg: k = GateKind::kCSdg; break;
                case GateKind::kSX: k = GateKind::kCSX; break;
                case GateKind::kP: k = GateKind::kCP; break;
                case GateKind::kU1: k = GateKind::kCU1; break;
                case GateKind::kRX: k = GateKind::kCRX; break;
                case GateKind::kRY: k = GateKind::kCRY; break;
                case GateKind::kRZ: k = GateKind::kCRZ; break;
                case GateKind::kU3: k = GateKind::kCU3; break;
                case GateKind::kSwap: k = GateKind::kCSwap; break;
                case GateKind::kGlobalPhase: k = GateKind::kP; break;
                case GateKind::kU: {
                    // OpenQASM's U is e^{iθ/2}·Qiskit's U: under a control that phase is real.
                    k = GateKind::kCU;
                    Val half = p[0].is_const ? Val{true, p[0].v / 2, {}}
                                             : Val{false, 0, Expr::binary(ExprOp::kDiv, p[0].e, Expr(2.0))};
                    p.push_back(half);
                    break;
                }
                default: modifier_unsupported(off, "ctrl @", gate);
            }
            ++nq;
        }
    }

    // c[0] = measure q[0];  c = measure q;
    void assignment(Circuit& out, GateScope* scope, const Token& t) {
        if (scope != nullptr) fail(t.offset, "measurement is not allowed in a gate body");
        if (dialect_ == Dialect::kQasm2) {
            fail(t.offset, "expected a statement, found " + quoted(t.text) +
                               " followed by an assignment (OpenQASM 2 measures with 'measure q -> c;')");
        }
        const Bits target = operand(false, nullptr, &t);
        expect(Tok::kAssign, "in the assignment");
        if (!at_word("measure")) {
            refuse(cur_.offset, "classical assignment is not supported (only 'c = measure q;')");
        }
        advance();
        const Bits source = operand(true, nullptr);
        expect(Tok::kSemicolon, "after the measurement");
        emit_measure(out, source, target);
    }

    // measure q -> c;
    void measure_arrow(Circuit& out, GateScope* scope) {
        const Token t = cur_;
        if (scope != nullptr) fail(t.offset, "measurement is not allowed in a gate body");
        advance();
        const Bits source = operand(true, nullptr);
        if (at(Tok::kSemicolon)) {
            refuse(cur_.offset, "a measurement without a target bit is not supported "
                                "(write 'c[0] = measure q[0];')");
        }
        expect(Tok::kArrow, "after the measured qubits");
        const Bits target = operand(false, nullptr);
        expect(Tok::kSemicolon, "after the measurement");
        emit_measure(out, source, target);
    }

    void emit_measure(Circuit& out, const Bits& q, const Bits& c) {
        const std::uint32_t nq = q.is_reg ? q.size : 1;
        const std::uint32_t nc = c.is_reg ? c.size : 1;
        if (nq != nc || q.is_reg != c.is_reg) {
            fail(q.offset, "measure: " + quoted(q.text) + " has " + plural(nq, "qubit") + " but " +
                               quoted(c.text) + " has " + plural(nc, "bit"));
        }
        for (std::uint32_t i = 0; i < nq; ++i) {
            Instruction inst;
            inst.kind = GateKind::kMeasure;
            inst.qubits = {bit_at(q, i)};
            inst.clbits = {bit_at(c, i)};
            out.instructions.push_back(std::move(inst));
        }
    }

    void reset(Circuit& out, GateScope* scope) {
        const Token t = cur_;
        if (scope != nullptr) fail(t.offset, "'reset' is not allowed in a gate body");
        advance();
        if (at(Tok::kSemicolon)) fail_expected("a qubit operand", "after 'reset'");
        for (const Bits& b : operand_list(nullptr, "after the reset operands")) {
            for (std::uint32_t i = 0; i < (b.is_reg ? b.size : 1); ++i) {
                push_gate(out, GateKind::kReset, {bit_at(b, i)}, {});
            }
        }
    }

    void barrier(Circuit& out, GateScope* scope) {
        advance();
        const std::vector<Bits> ops = operand_list(scope, "after the barrier operands");
        Instruction inst;
        inst.kind = GateKind::kBarrier;
        if (ops.empty()) {
            const std::uint32_t n = scope != nullptr ? static_cast<std::uint32_t>(scope->qubits.size())
                                                     : num_qubits_now();
            for (std::uint32_t q = 0; q < n; ++q) inst.qubits.push_back(q);
            if (scope == nullptr && block_depth_ == 0 && !declared_qubits_) {
                barrier_all_.push_back(out.instructions.size());
            }
        } else {
            for (const Bits& b : ops) {
                for (std::uint32_t i = 0; i < (b.is_reg ? b.size : 1); ++i) {
                    const std::uint32_t q = bit_at(b, i);
                    if (std::find(inst.qubits.begin(), inst.qubits.end(), q) != inst.qubits.end()) {
                        fail(b.offset, "qubit " + quoted(b.text) + " appears twice in the barrier");
                    }
                    inst.qubits.push_back(q);
                }
            }
        }
        out.instructions.push_back(std::move(inst));
    }

    void delay(Circuit& out, GateScope* scope) {
        const Token t = cur_;
        if (scope != nullptr) fail(t.offset, "'delay' is not allowed in a gate body");
        advance();
        expect(Tok::kLBracket, "after 'delay'");
        if (!at(Tok::kTiming)) {
            if (at(Tok::kInt) || at(Tok::kFloat)) {
                fail(cur_.offset, "a delay needs a unit: dt, ns, us, ms or s (e.g. 100dt)");
            }
            fail_expected("a duration such as 100dt", "in the delay");
        }
        const Token d = cur_;
        advance();
        expect(Tok::kRBracket, "after the duration");
        std::vector<Bits> ops = operand_list(nullptr, "after the delay operands");
        auto one = [&](std::uint32_t q) {
            Instruction inst;
            inst.kind = GateKind::kDelay;
            inst.qubits = {q};
            inst.params = {Expr(d.num)};
            inst.delay_unit = std::string(d.unit);
            out.instructions.push_back(std::move(inst));
        };
        if (ops.empty()) {
            for (std::uint32_t q = 0; q < num_qubits_now(); ++q) one(q);
        }
        for (const Bits& b : ops) {
            for (std::uint32_t i = 0; i < (b.is_reg ? b.size : 1); ++i) one(bit_at(b, i));
        }
    }

    // ---- if / else ----

    struct ParsedCondition {
        Condition cond;
        std::vector<std::uint32_t> bits;  // the clbits it reads
    };

    ParsedCondition condition() {
        ParsedCondition pc;
        const bool negate = accept(Tok::kBang);
        const Token name = cur_;
        if (name.kind != Tok::kIdent) fail_expected("a classical bit or register", "in the condition");
        advance();
        auto it = regs_.find(name.text);
        if (it == regs_.end() || it->second.quantum) {
            fail(name.offset, (it == regs_.end() ? "undeclared bit register " : "a qubit register cannot be a condition: ") +
                                  quoted(name.text));
        }
        const RegInfo& r = it->second;
        bool is_bit = r.scalar;
        std::uint32_t bit = r.first;
        if (at(Tok::kLBracket)) {
            if (r.scalar) fail(cur_.offset, quoted(name.text) + " is a single bit and cannot be indexed");
            advance();
            const std::uint32_t off = cur_.offset;
            const Val v = expression(nullptr);
            if (!v.is_const || v.v != std::floor(v.v) || v.v < 0 || v.v >= r.size) {
                fail(off, "index out of range for register " + quoted(name.text) + " of size " +
                              std::to_string(r.size));
            }
            expect(Tok::kRBracket, "after the index");
            is_bit = true;
            bit = r.first + static_cast<std::uint32_t>(v.v);
        }
        std::optional<std::uint64_t> value;
        if (at(Tok::kEq) || at(Tok::kNe)) {
            const bool ne = at(Tok::kNe);
            if (negate) fail(cur_.offset, "'!' cannot be combined with a comparison");
            advance();
            std::uint64_t v = 0;
            if (at(Tok::kInt)) {
                v = cur_.ival;
            } else if (at_word("true")) {
                v = 1;
            } else if (at_word("false")) {
                v = 0;
            } else {
                fail_expected("an integer", "in the comparison");
            }
            advance();
            if (ne) {
                if (!is_bit || v > 1) refuse(name.offset, "'!=' is supported on single bits only");
                v = 1 - v;
            }
            value = v;
        } else if (dialect_ == Dialect::kQasm2) {
            fail_expected("'=='", "in the condition");
        } else if (is_bit) {
            value = negate ? 0 : 1;
        } else if (negate) {
            value = 0;
        } else {
            refuse(name.offset, "a condition on a whole register needs a comparison, as in 'c == 3'");
        }
        if (is_bit) {
            if (*value > 1) fail(name.offset, "a single bit compares with 0 or 1, not " + std::to_string(*value));
            pc.cond.kind = Condition::Kind::kClbit;
            pc.cond.clbit = bit;
            pc.bits = {bit};
        } else {
            pc.cond.kind = Condition::Kind::kRegister;
            pc.cond.register_name = std::string(name.text);
            for (std::uint32_t i = 0; i < r.size; ++i) pc.bits.push_back(r.first + i);
        }
        pc.cond.value = *value;
        return pc;
    }

    Circuit branch(GateScope* scope) {
        Circuit block;
        ++block_depth_;
        if (at(Tok::kLBrace)) {
            DepthGuard g(*this, cur_.offset);
            advance();
            while (!at(Tok::kRBrace)) {
                if (at(Tok::kEnd)) fail_expected("'}'", "to close the block");
                statement(block, scope);
            }
            advance();
        } else {
            DepthGuard g(*this, cur_.offset);
            statement(block, scope);
        }
        --block_depth_;
        return block;
    }

    void if_statement(Circuit& out, GateScope* scope) {
        const Token t = cur_;
        if (scope != nullptr) fail(t.offset, "'if' is not allowed in a gate body");
        advance();
        expect(Tok::kLParen, "after 'if'");
        ParsedCondition pc = condition();
        expect(Tok::kRParen, "after the condition");
        Circuit then_block = branch(scope);
        std::optional<Circuit> else_block;
        if (at_word("else")) {
            if (dialect_ == Dialect::kQasm2) fail(cur_.offset, "'else' is OpenQASM 3, not OpenQASM 2");
            advance();
            else_block = branch(scope);
        }
        out.instructions.push_back(make_if(std::move(pc), std::move(then_block), std::move(else_block)));
    }

    // Bodies were parsed with the enclosing circuit's bit numbers; an if_else's bodies act on
    // its own qubits and clbits positionally, so renumber them.
    Instruction make_if(ParsedCondition pc, Circuit then_b, std::optional<Circuit> else_b) {
        std::vector<std::uint32_t> qs;
        std::vector<std::uint32_t> cs = pc.bits;
        std::vector<std::string> regs_read;
        auto collect = [&](const Circuit& c) {
            for (const Instruction& in : c.instructions) {
                qs.insert(qs.end(), in.qubits.begin(), in.qubits.end());
                cs.insert(cs.end(), in.clbits.begin(), in.clbits.end());
                if (in.condition && in.condition->kind == Condition::Kind::kRegister) {
                    regs_read.push_back(in.condition->register_name);
                    const RegInfo& r = regs_.find(in.condition->register_name)->second;
                    for (std::uint32_t i = 0; i < r.size; ++i) cs.push_back(r.first + i);
                } else if (in.condition) {
                    cs.push_back(in.condition->clbit);
                }
            }
        };
        collect(then_b);
        if (else_b) collect(*else_b);
        auto uniq = [](std::vector<std::uint32_t>& v) {
            std::sort(v.begin(), v.end());
            v.erase(std::unique(v.begin(), v.end()), v.end());
        };
        uniq(qs);
        uniq(cs);
        std::sort(regs_read.begin(), regs_read.end());
        regs_read.erase(std::unique(regs_read.begin(), regs_read.end()), regs_read.end());
        auto index_of = [](const std::vector<std::uint32_t>& v, std::uint32_t x) {
            return static_cast<std::uint32_t>(std::lower_bound(v.begin(), v.end(), x) - v.begin());
        };
        auto renumber = [&](Circuit& c) {
            Circuit r(static_cast<std::uint32_t>(qs.size()), static_cast<std::uint32_t>(cs.size()));
            r.global_phase = c.global_phase;
            for (const std::string& name : regs_read) {
                const RegInfo& info = regs_.find(name)->second;
                circuit::Register reg;
                reg.name = name;
                for (std::uint32_t i = 0; i < info.size; ++i) reg.bits.push_back(index_of(cs, info.first + i));
                r.cregs.push_back(std::move(reg));
            }
            for (Instruction& in : c.instructions) {
                for (auto& q : in.qubits) q = index_of(qs, q);
                for (auto& b : in.clbits) b = index_of(cs, b);
                if (in.condition && in.condition->kind == Condition::Kind::kClbit) {
                    in.condition->clbit = index_of(cs, in.condition->clbit);
                }
                r.instructions.push_back(std::move(in));
            }
            return r;
        };
        Instruction inst;
        inst.kind = GateKind::kIfElse;
        inst.condition = pc.cond;
        inst.then_body = std::make_shared<const Circuit>(renumber(then_b));
        if (else_b) inst.else_body = std::make_shared<const Circuit>(renumber(*else_b));
        inst.qubits = std::move(qs);
        inst.clbits = std::move(cs);
        return inst;
    }

    // ---- expressions ----

    Val expression(GateScope* scope) {
        DepthGuard g(*this, cur_.offset);
        Val l = term(scope);
        while (at(Tok::kPlus) || at(Tok::kMinus)) {
            const Token op = cur_;
            advance();
            Val r = term(scope);
            l = binary(op.kind == Tok::kPlus ? ExprOp::kAdd : ExprOp::kSub, l, r, op.offset);
        }
        return l;
    }

    Val term(GateScope* scope) {
        Val l = unary(scope);
        while (at(Tok::kStar) || at(Tok::kSlash) || at(Tok::kPercent)) {
            const Token op = cur_;
            advance();
            Val r = unary(scope);
            if (op.kind == Tok::kPercent) {
                if (!l.is_const || !r.is_const) refuse(op.offset, "'%' needs constant operands");
                l = checked(std::fmod(l.v, r.v), op.offset);
            } else {
                l = binary(op.kind == Tok::kStar ? ExprOp::kMul : ExprOp::kDiv, l, r, op.offset);
            }
        }
        return l;
    }

    Val unary(GateScope* scope) {
        if (at(Tok::kMinus)) {
            DepthGuard g(*this, cur_.offset);
            advance();
            return neg(unary(scope));
        }
        if (at(Tok::kPlus)) {
            DepthGuard g(*this, cur_.offset);
            advance();
            return unary(scope);
        }
        return power(scope);
    }

    Val power(GateScope* scope) {
        Val base = primary(scope);
        if (at(Tok::kStarStar) || (dialect_ == Dialect::kQasm2 && at(Tok::kCaret))) {  // OQ2: ^
            const Token op = cur_;
            DepthGuard g(*this, op.offset);
            advance();
            Val e = unary(scope);  // right associative; the exponent may be negated
            return binary(ExprOp::kPow, base, e, op.offset);
        }
        return base;
    }

    Val checked(double v, std::uint32_t offset) const {
        if (!std::isfinite(v)) fail(offset, "this expression does not evaluate to a finite number");
        return Val{true, v, {}};
    }

    Val binary(ExprOp op, const Val& a, const Val& b, std::uint32_t offset) const {
        if (a.is_const && b.is_const) {
            switch (op) {
                case ExprOp::kAdd: return checked(a.v + b.v, offset);
                case ExprOp::kSub: return checked(a.v - b.v, offset);
                case ExprOp::kMul: return checked(a.v * b.v, offset);
                case ExprOp::kDiv:
                    if (b.v == 0) fail(offset, "division by zero");
                    return checked(a.v / b.v, offset);
                default: return checked(std::pow(a.v, b.v), offset);
            }
        }
        return Val{false, 0, Expr::binary(op, a.expr(), b.expr())};
    }

    Val primary(GateScope* scope) {
        const Token t = cur_;
        switch (t.kind) {
            case Tok::kInt:
            case Tok::kFloat:
                advance();
                return Val{true, t.num, {}};
            case Tok::kLParen: {
                advance();
                Val v = expression(scope);
                expect(Tok::kRParen, "to close the parenthesis");
                return v;
            }
            case Tok::kTiming:
                fail(t.offset, "a duration is not allowed in this expression");
            case Tok::kIdent: break;
            default: fail_expected("an expression", "");
        }
        advance();
        const std::string_view w = t.text;
        if (w == "pi" || w == "\xCF\x80") return Val{true, std::numbers::pi, {}};
        if (w == "tau" || w == "\xCF\x84") return Val{true, 2 * std::numbers::pi, {}};
        if (w == "euler" || w == "\xE2\x84\x87") return Val{true, std::numbers::e, {}};
        if (at(Tok::kLParen)) return function_call(t, scope);
        if (scope != nullptr) {
            if (auto it = scope->params.find(w); it != scope->params.end()) {
                return Val{false, 0, it->second};
            }
        }
        if (auto it = consts_.find(w); it != consts_.end()) return Val{true, it->second, {}};
        if (auto it = inputs_.find(w); it != inputs_.end()) return Val{false, 0, it->second};
        if (scope != nullptr) {
            fail(t.offset, quoted(w) + " is not a parameter of gate " + quoted(scope->gate_name));
        }
        fail(t.offset, "unknown identifier " + quoted(w) + " (not a declared input or constant)");
    }

    Val function_call(const Token& name, GateScope* scope) {
        struct Fn {
            std::string_view name;
            ExprOp op;
            double (*f)(double);
        };
        static constexpr Fn kFns[] = {
            {"sin", ExprOp::kSin, [](double x) { return std::sin(x); }},
            {"cos", ExprOp::kCos, [](double x) { return std::cos(x); }},
            {"tan", ExprOp::kTan, [](double x) { return std::tan(x); }},
            {"arcsin", ExprOp::kAsin, [](double x) { return std::asin(x); }},
            {"asin", ExprOp::kAsin, [](double x) { return std::asin(x); }},
            {"arccos", ExprOp::kAcos, [](double x) { return std::acos(x); }},
            {"acos", ExprOp::kAcos, [](double x) { return std::acos(x); }},
            {"arctan", ExprOp::kAtan, [](double x) { return std::atan(x); }},
            {"atan", ExprOp::kAtan, [](double x) { return std::atan(x); }},
            {"exp", ExprOp::kExp, [](double x) { return std::exp(x); }},
            {"ln", ExprOp::kLog, [](double x) { return std::log(x); }},
            {"log", ExprOp::kLog, [](double x) { return std::log(x); }},
            {"abs", ExprOp::kAbs, [](double x) { return std::fabs(x); }},
            {"Abs", ExprOp::kAbs, [](double x) { return std::fabs(x); }},  // symengine's spelling
            {"conjugate", ExprOp::kConj, [](double x) { return x; }},
            {"sign", ExprOp::kSign,
             [](double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }},
            {"conj", ExprOp::kConj, [](double x) { return x; }},
            {"sqrt", ExprOp::kPow, [](double x) { return std::sqrt(x); }},
        };
        const Fn* fn = nullptr;
        for (const Fn& f : kFns) {
            if (f.name == name.text) fn = &f;
        }
        if (fn == nullptr) {
            fail(name.offset, "unknown function " + quoted(name.text) +
                                  " (known: sin cos tan arcsin arccos arctan exp ln log sqrt abs "
                                  "sign conj)");
        }
        advance();  // '('
        Val arg = expression(scope);
        if (at(Tok::kComma)) fail(cur_.offset, "function " + quoted(name.text) + " takes one argument");
        expect(Tok::kRParen, "after the function argument");
        if (arg.is_const) return checked(fn->f(arg.v), name.offset);
        if (fn->op == ExprOp::kPow) {
            return Val{false, 0, Expr::binary(ExprOp::kPow, arg.e, Expr(0.5))};
        }
        return Val{false, 0, Expr::unary(fn->op, arg.e)};
    }

    std::string_view text_;
    Lexer lex_;
    Dialect dialect_;
    Token cur_;
    Circuit top_;
    int depth_ = 0;
    int block_depth_ = 0;
    bool hw_used_ = false;
    bool declared_qubits_ = false;
    std::uint32_t max_hw_ = 0;
    std::vector<std::size_t> barrier_all_;
    NameMap<RegInfo> regs_;
    NameMap<std::uint32_t> regs_decl_;  // every declared non-gate name -> offset
    NameMap<UserGate> gates_;
    NameMap<Expr> inputs_;
    NameMap<double> consts_;
    NameMap<std::uint64_t> vector_sizes_;
};

}  // namespace

Symbol symbol_for_input(std::string_view name) {
    Symbol s;
    s.name = std::string(name);
    // Qiskit's exporter escapes the vector element "x[3]" as "_x_3_".
    if (name.size() >= 5 && name.front() == '_' && name.back() == '_') {
        const std::string_view inner = name.substr(1, name.size() - 2);
        const std::size_t sep = inner.rfind('_');
        if (sep != std::string_view::npos && sep > 0 && sep + 1 < inner.size()) {
            const std::string_view digits = inner.substr(sep + 1);
            const bool all_digits = std::all_of(digits.begin(), digits.end(),
                                                [](char c) { return c >= '0' && c <= '9'; });
            if (all_digits && (digits.size() == 1 || digits[0] != '0') && digits.size() < 10) {
                s.vector = std::string(inner.substr(0, sep));
                s.index = std::stoull(std::string(digits));
                s.name = s.vector + "[" + std::string(digits) + "]";
            }
        }
    }
    return s;
}

Result<Circuit> parse_program(std::string_view text, Dialect dialect) {
    if (text.size() >= std::numeric_limits<std::uint32_t>::max() - 16) {
        return Status(ErrorCode::kResourceExhausted, "program too large (4 GiB or more)");
    }
    try {
        Parser p(text, dialect);
        return p.parse();
    } catch (const ParseError& e) {
        return Status(e.unimplemented ? ErrorCode::kUnimplemented : ErrorCode::kInvalidArgument,
                      line_col(text, e.offset) + ": " + e.message);
    } catch (const std::bad_alloc&) {
        return Status(ErrorCode::kResourceExhausted, "out of memory while parsing the program");
    }
}

}  // namespace qrt::formats::qasm
