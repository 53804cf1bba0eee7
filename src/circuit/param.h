// Parameters and parameter expressions of circuits (Qiskit's Parameter, ParameterVector element
// and ParameterExpression), with every operation QPY can carry, binding and evaluation, and
// Qiskit's parameter order (so that a PUB's parameter-value arrays bind to the right symbols).
//
// Expr is an immutable value (a shared, never-mutated tree): cheap to copy, safe to share and
// read between threads.
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace qrt::circuit {

using Uuid = std::array<std::uint8_t, 16>;

// A free symbol: a Parameter ("theta") or a ParameterVector element ("x[3]" of vector "x").
struct Symbol {
    std::string name;    // as Qiskit prints it: "theta", or "x[3]" for a vector element
    Uuid uuid{};         // identity in QPY (vector element: vector root uuid + index)
    std::string vector;  // the vector's name; empty for a plain Parameter
    std::uint64_t index = 0;        // element index (vector elements only)
    std::uint64_t vector_size = 0;  // the vector's length (vector elements only)

    bool is_vector_element() const { return !vector.empty(); }
    friend bool operator==(const Symbol& a, const Symbol& b) {
        return a.name == b.name && a.uuid == b.uuid;
    }
};

// Qiskit's QuantumCircuit.parameters order: by (base name, plain before element, index, uuid),
// names compared by code point. Returns the symbols sorted and deduplicated.
std::vector<Symbol> qiskit_order(std::vector<Symbol> symbols);

// Operations. Numbers are QPY's replay op codes where QPY has one; QPY's reversed forms
// (RSUB 18, RDIV 19, RPOW 20) are decoded by swapping operands, so they never appear here.
enum class ExprOp : std::uint8_t {
    kAdd = 0,
    kSub = 1,
    kMul = 2,
    kDiv = 3,
    kPow = 4,
    kSin = 5,
    kCos = 6,
    kTan = 7,
    kAsin = 8,
    kAcos = 9,
    kExp = 10,
    kLog = 11,
    kSign = 12,
    kConj = 14,
    kAbs = 16,
    kAtan = 17,
    kNeg = 100,  // not in QPY (it writes x * -1); OpenQASM's unary minus
};

bool is_binary(ExprOp op);

class Expr {
public:
    Expr();  // the constant 0
    Expr(double value);  // NOLINT(google-explicit-constructor): angles are written as numbers
    static Expr constant(std::complex<double> value);
    static Expr symbol(Symbol s);
    static Expr unary(ExprOp op, Expr a);
    static Expr binary(ExprOp op, Expr a, Expr b);

    enum class Kind : std::uint8_t { kConstant, kSymbol, kUnary, kBinary };
    Kind kind() const;
    bool is_constant() const;  // no free symbols anywhere in the tree
    // The value when the expression has no free symbols and a real value (imaginary part below
    // 1e-12); nullopt otherwise.
    std::optional<double> value() const;

    // Node access (valid for the matching kind only).
    std::complex<double> constant_value() const;
    const Symbol& symbol_ref() const;
    ExprOp op() const;
    const Expr& lhs() const;  // unary: the operand
    const Expr& rhs() const;

    // Evaluates with symbol values looked up by name. Errors: an unbound symbol (named), a
    // non-real result, a domain error (log of 0, ...).
    Result<double> evaluate(const std::map<std::string, double>& values) const;
    // Replaces the named symbols by constants and folds what became constant.
    Expr bind(const std::map<std::string, double>& values) const;
    // Appends the free symbols (possibly repeated).
    void collect_symbols(std::vector<Symbol>& out) const;
    // OpenQASM 3 / Qiskit-like infix text: "2*theta + 1", "sin(x[0])", "pi/2" stays numeric.
    std::string to_string() const;

private:
    struct Node;
    explicit Expr(std::shared_ptr<const Node> n) : node_(std::move(n)) {}
    std::shared_ptr<const Node> node_;
};

Expr operator+(const Expr& a, const Expr& b);
Expr operator-(const Expr& a, const Expr& b);
Expr operator*(const Expr& a, const Expr& b);
Expr operator/(const Expr& a, const Expr& b);
Expr operator-(const Expr& a);

}  // namespace qrt::circuit
