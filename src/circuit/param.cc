#include "circuit/param.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <tuple>
#include <utility>
#include <variant>

namespace qrt::circuit {

// A node of the expression tree. Never mutated after construction, so trees are shared freely.
struct Expr::Node {
    Kind kind = Kind::kConstant;
    bool has_symbols = false;
    std::complex<double> constant;
    Symbol symbol;
    ExprOp op = ExprOp::kAdd;
    Expr a, b;
};

namespace {

constexpr double kRealTolerance = 1e-12;

bool is_real(std::complex<double> z) { return z.imag() == 0.0; }

std::string format_double(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0.0) return "0";  // also -0.0: OpenQASM has no use for the sign of zero
    char buf[64];
    // Shortest text that reads back to the same double (at most 17 significant digits).
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    if (ec != std::errc()) return "nan";
    std::string text(buf, end);
    // Long integral forms ("9151742125555788800") would read as out-of-range integer literals.
    if (text.size() > 15 && text.find_first_of(".e") == std::string::npos) {
        auto [end2, ec2] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
        if (ec2 == std::errc()) text.assign(buf, end2);
    }
    return text;
}

std::string op_name(ExprOp op) {
    switch (op) {
        case ExprOp::kAdd:
            return "+";
        case ExprOp::kSub:
            return "-";
        case ExprOp::kMul:
            return "*";
        case ExprOp::kDiv:
            return "/";
        case ExprOp::kPow:
            return "**";
        case ExprOp::kSin:
            return "sin";
        case ExprOp::kCos:
            return "cos";
        case ExprOp::kTan:
            return "tan";
        case ExprOp::kAsin:
            return "arcsin";  // OpenQASM 3 spelling (Qiskit prints "asin")
        case ExprOp::kAcos:
            return "arccos";
        case ExprOp::kExp:
            return "exp";
        case ExprOp::kLog:
            return "log";
        case ExprOp::kSign:
            return "sign";
        case ExprOp::kConj:
            return "conj";
        case ExprOp::kAbs:
            return "abs";
        case ExprOp::kAtan:
            return "arctan";
        case ExprOp::kNeg:
            return "-";
    }
    return "?";
}

// Applies one operation to constant operands. Real operands use real arithmetic where the result
// is real (exact for simple cases, e.g. 2**3 == 8); otherwise complex arithmetic. Returns an error
// message for a domain error or a non-finite result.
std::variant<std::complex<double>, std::string> apply_op(ExprOp op, std::complex<double> a,
                                                         std::complex<double> b) {
    using C = std::complex<double>;
    const bool real = is_real(a) && (!is_binary(op) || is_real(b));
    const double x = a.real();
    const double y = b.real();
    C r;
    switch (op) {
        case ExprOp::kAdd:
            r = real ? C(x + y) : a + b;
            break;
        case ExprOp::kSub:
            r = real ? C(x - y) : a - b;
            break;
        case ExprOp::kMul:
            r = real ? C(x * y) : a * b;
            break;
        case ExprOp::kDiv:
            if (b == C(0.0)) return std::string("division by zero");
            r = real ? C(x / y) : a / b;
            break;
        case ExprOp::kPow:
            if (a == C(0.0) && (b.real() < 0.0 || !is_real(b))) {
                return std::string("0 raised to a negative or complex power");
            }
            if (real && (x >= 0.0 || y == std::floor(y))) {
                r = C(std::pow(x, y));
            } else {
                r = std::pow(a, b);
            }
            break;
        case ExprOp::kSin:
            r = real ? C(std::sin(x)) : std::sin(a);
            break;
        case ExprOp::kCos:
            r = real ? C(std::cos(x)) : std::cos(a);
            break;
        case ExprOp::kTan:
            r = real ? C(std::tan(x)) : std::tan(a);
            break;
        case ExprOp::kAsin:
            if (real && std::fabs(x) > 1.0) {
                return "asin of " + format_double(x) + " (outside [-1, 1])";
            }
            r = real ? C(std::asin(x)) : std::asin(a);
            break;
        case ExprOp::kAcos:
            if (real && std::fabs(x) > 1.0) {
                return "acos of " + format_double(x) + " (outside [-1, 1])";
            }
            r = real ? C(std::acos(x)) : std::acos(a);
            break;
        case ExprOp::kExp:
            r = real ? C(std::exp(x)) : std::exp(a);
            break;
        case ExprOp::kLog:
            if (a == C(0.0)) return std::string("log of 0");
            if (real && x < 0.0) return "log of the negative number " + format_double(x);
            r = real ? C(std::log(x)) : std::log(a);
            break;
        case ExprOp::kSign:
            if (real) {
                r = C(x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0));
            } else {
                r = a / std::abs(a);  // a != 0 here: a non-real number
            }
            break;
        case ExprOp::kConj:
            r = std::conj(a);
            break;
        case ExprOp::kAbs:
            r = C(std::abs(a));
            break;
        case ExprOp::kAtan:
            r = real ? C(std::atan(x)) : std::atan(a);
            break;
        case ExprOp::kNeg:
            r = -a;
            break;
    }
    if (!std::isfinite(r.real()) || !std::isfinite(r.imag())) {
        return op_name(op) + " gives a non-finite result";
    }
    return r;
}

// Precedence levels for printing: higher binds tighter.
constexpr int kPrecAdd = 1;
constexpr int kPrecMul = 2;
constexpr int kPrecUnary = 3;
constexpr int kPrecPow = 4;
constexpr int kPrecAtom = 5;

struct Printed {
    std::string text;
    int prec;
};

Printed print_constant(std::complex<double> c) {
    if (c.imag() == 0.0) {
        std::string t = format_double(c.real());
        return {t, t[0] == '-' ? kPrecUnary : kPrecAtom};
    }
    if (c.real() == 0.0) {
        std::string t = format_double(c.imag()) + "im";
        return {t, t[0] == '-' ? kPrecUnary : kPrecAtom};
    }
    std::string im = format_double(std::fabs(c.imag())) + "im";
    return {"(" + format_double(c.real()) + (c.imag() < 0 ? " - " : " + ") + im + ")", kPrecAtom};
}

Printed print(const Expr& e) {
    switch (e.kind()) {
        case Expr::Kind::kConstant:
            return print_constant(e.constant_value());
        case Expr::Kind::kSymbol:
            return {e.symbol_ref().name, kPrecAtom};
        case Expr::Kind::kUnary: {
            Printed inner = print(e.lhs());
            if (e.op() == ExprOp::kNeg) {
                // -x**2 is -(x**2) in OpenQASM and Python, so a power needs no parentheses.
                if (inner.prec <= kPrecUnary) inner.text = "(" + inner.text + ")";
                return {"-" + inner.text, kPrecUnary};
            }
            return {op_name(e.op()) + "(" + inner.text + ")", kPrecAtom};
        }
        case Expr::Kind::kBinary: {
            Printed l = print(e.lhs());
            Printed r = print(e.rhs());
            const ExprOp op = e.op();
            if (op == ExprOp::kPow) {
                // Right-associative: (a**b)**c and (-a)**b need parentheses on the left.
                if (l.prec <= kPrecPow) l.text = "(" + l.text + ")";
                if (r.prec < kPrecPow) r.text = "(" + r.text + ")";
                return {l.text + "**" + r.text, kPrecPow};
            }
            const int prec = (op == ExprOp::kAdd || op == ExprOp::kSub) ? kPrecAdd : kPrecMul;
            if (l.prec < prec) l.text = "(" + l.text + ")";
            // Parenthesise a right operand of equal precedence (keeps the tree: a - (b - c)),
            // and a leading minus on the right for readability: a*(-b), a - (-2).
            if (r.prec <= prec || r.prec == kPrecUnary) r.text = "(" + r.text + ")";
            const std::string sep = prec == kPrecAdd ? " " : "";
            return {l.text + sep + op_name(op) + sep + r.text, prec};
        }
    }
    return {"?", kPrecAtom};
}

std::tuple<const std::string&, int, std::uint64_t, const Uuid&> order_key(const Symbol& s) {
    return {s.is_vector_element() ? s.vector : s.name, s.is_vector_element() ? 1 : 0,
            s.is_vector_element() ? s.index : 0, s.uuid};
}

}  // namespace

bool is_binary(ExprOp op) {
    switch (op) {
        case ExprOp::kAdd:
        case ExprOp::kSub:
        case ExprOp::kMul:
        case ExprOp::kDiv:
        case ExprOp::kPow:
            return true;
        default:
            return false;
    }
}

std::vector<Symbol> qiskit_order(std::vector<Symbol> symbols) {
    std::stable_sort(symbols.begin(), symbols.end(),
                     [](const Symbol& a, const Symbol& b) { return order_key(a) < order_key(b); });
    // Symbols with equal keys are the same (name, uuid), so duplicates are adjacent.
    symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
    return symbols;
}

// A null node_ is the constant 0, so default-constructed expressions cost no allocation.
Expr::Expr() = default;

Expr::Expr(double value) {
    if (value != 0.0 || std::signbit(value)) {
        auto n = std::make_shared<Node>();
        n->constant = value;
        node_ = std::move(n);
    }
}

Expr Expr::constant(std::complex<double> value) {
    auto n = std::make_shared<Node>();
    n->constant = value;
    return Expr(std::shared_ptr<const Node>(std::move(n)));
}

Expr Expr::symbol(Symbol s) {
    auto n = std::make_shared<Node>();
    n->kind = Kind::kSymbol;
    n->has_symbols = true;
    n->symbol = std::move(s);
    return Expr(std::shared_ptr<const Node>(std::move(n)));
}

Expr Expr::unary(ExprOp op, Expr a) {
    if (is_binary(op)) return binary(op, std::move(a), Expr());  // misuse: keep a valid tree
    if (a.kind() == Kind::kConstant) {
        auto r = apply_op(op, a.constant_value(), {});
        if (auto* v = std::get_if<std::complex<double>>(&r)) return constant(*v);
    }
    auto n = std::make_shared<Node>();
    n->kind = Kind::kUnary;
    n->op = op;
    n->has_symbols = !a.is_constant();
    n->a = std::move(a);
    return Expr(std::shared_ptr<const Node>(std::move(n)));
}

Expr Expr::binary(ExprOp op, Expr a, Expr b) {
    if (!is_binary(op)) return unary(op, std::move(a));  // misuse: keep a valid tree
    if (a.kind() == Kind::kConstant && b.kind() == Kind::kConstant) {
        auto r = apply_op(op, a.constant_value(), b.constant_value());
        if (auto* v = std::get_if<std::complex<double>>(&r)) return constant(*v);
    }
    auto n = std::make_shared<Node>();
    n->kind = Kind::kBinary;
    n->op = op;
    n->has_symbols = !a.is_constant() || !b.is_constant();
    n->a = std::move(a);
    n->b = std::move(b);
    return Expr(std::shared_ptr<const Node>(std::move(n)));
}

Expr::Kind Expr::kind() const { return node_ ? node_->kind : Kind::kConstant; }

bool Expr::is_constant() const { return !node_ || !node_->has_symbols; }

std::optional<double> Expr::value() const {
    if (!node_) return 0.0;
    if (node_->has_symbols) return std::nullopt;
    std::complex<double> c;
    if (node_->kind == Kind::kConstant) {
        c = node_->constant;
    } else {
        // A symbol-free tree that did not fold (a domain error somewhere): no value.
        return std::nullopt;
    }
    if (std::fabs(c.imag()) >= kRealTolerance || !std::isfinite(c.real())) return std::nullopt;
    return c.real();
}

std::complex<double> Expr::constant_value() const { return node_ ? node_->constant : 0.0; }

const Symbol& Expr::symbol_ref() const { return node_->symbol; }

ExprOp Expr::op() const { return node_->op; }

const Expr& Expr::lhs() const { return node_->a; }

const Expr& Expr::rhs() const { return node_->b; }

namespace {

std::variant<std::complex<double>, std::string> eval(const Expr& e,
                                                     const std::map<std::string, double>& values) {
    switch (e.kind()) {
        case Expr::Kind::kConstant:
            return e.constant_value();
        case Expr::Kind::kSymbol: {
            auto it = values.find(e.symbol_ref().name);
            if (it == values.end()) {
                return "parameter '" + e.symbol_ref().name + "' is not bound";
            }
            return std::complex<double>(it->second);
        }
        case Expr::Kind::kUnary: {
            auto a = eval(e.lhs(), values);
            if (auto* err = std::get_if<std::string>(&a)) return std::move(*err);
            return apply_op(e.op(), std::get<std::complex<double>>(a), {});
        }
        case Expr::Kind::kBinary: {
            auto a = eval(e.lhs(), values);
            if (auto* err = std::get_if<std::string>(&a)) return std::move(*err);
            auto b = eval(e.rhs(), values);
            if (auto* err = std::get_if<std::string>(&b)) return std::move(*err);
            return apply_op(e.op(), std::get<std::complex<double>>(a),
                            std::get<std::complex<double>>(b));
        }
    }
    return std::string("corrupt expression");
}

}  // namespace

Result<double> Expr::evaluate(const std::map<std::string, double>& values) const {
    auto r = eval(*this, values);
    if (auto* err = std::get_if<std::string>(&r)) {
        return invalid_argument("cannot evaluate '" + to_string() + "': " + *err);
    }
    const std::complex<double> c = std::get<std::complex<double>>(r);
    if (!std::isfinite(c.real()) || !std::isfinite(c.imag())) {
        return invalid_argument("expression '" + to_string() + "' is not a finite number");
    }
    if (std::fabs(c.imag()) >= kRealTolerance) {
        return invalid_argument("expression '" + to_string() + "' has the non-real value " +
                                print_constant(c).text);
    }
    return c.real();
}

Expr Expr::bind(const std::map<std::string, double>& values) const {
    if (is_constant()) return *this;
    switch (kind()) {
        case Kind::kConstant:
            return *this;
        case Kind::kSymbol: {
            auto it = values.find(node_->symbol.name);
            return it == values.end() ? *this : Expr(it->second);
        }
        case Kind::kUnary:
            return unary(node_->op, node_->a.bind(values));
        case Kind::kBinary:
            return binary(node_->op, node_->a.bind(values), node_->b.bind(values));
    }
    return *this;
}

void Expr::collect_symbols(std::vector<Symbol>& out) const {
    if (is_constant()) return;
    switch (kind()) {
        case Kind::kConstant:
            return;
        case Kind::kSymbol:
            out.push_back(node_->symbol);
            return;
        case Kind::kUnary:
            node_->a.collect_symbols(out);
            return;
        case Kind::kBinary:
            node_->a.collect_symbols(out);
            node_->b.collect_symbols(out);
            return;
    }
}

std::string Expr::to_string() const { return print(*this).text; }

Expr operator+(const Expr& a, const Expr& b) { return Expr::binary(ExprOp::kAdd, a, b); }
Expr operator-(const Expr& a, const Expr& b) { return Expr::binary(ExprOp::kSub, a, b); }
Expr operator*(const Expr& a, const Expr& b) { return Expr::binary(ExprOp::kMul, a, b); }
Expr operator/(const Expr& a, const Expr& b) { return Expr::binary(ExprOp::kDiv, a, b); }
Expr operator-(const Expr& a) { return Expr::unary(ExprOp::kNeg, a); }

}  // namespace qrt::circuit
