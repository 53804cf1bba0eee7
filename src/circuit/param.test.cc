#include "circuit/param.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

namespace qrt::circuit {
namespace {

constexpr double kPi = 3.14159265358979323846;

Symbol plain(std::string name, std::uint8_t uuid_byte = 0) {
    Symbol s;
    s.name = std::move(name);
    s.uuid[15] = uuid_byte;
    return s;
}

Symbol element(const std::string& vector, std::uint64_t index, std::uint64_t size = 16) {
    Symbol s;
    s.name = vector + "[" + std::to_string(index) + "]";
    s.vector = vector;
    s.index = index;
    s.vector_size = size;
    s.uuid[0] = 0x77;
    s.uuid[15] = static_cast<std::uint8_t>(index);  // root + index
    return s;
}

Expr sym(const std::string& name) { return Expr::symbol(plain(name)); }

std::vector<std::string> names_of(const std::vector<Symbol>& symbols) {
    std::vector<std::string> out;
    for (const Symbol& s : symbols) out.push_back(s.name);
    return out;
}

// A small reader for the text to_string writes (OpenQASM 3 precedence: ** binds tighter than
// unary minus, which binds tighter than * and /), building trees through the Expr factories.
class Reader {
public:
    explicit Reader(std::string text) : text_(std::move(text)) {}

    Expr read() {
        Expr e = additive();
        skip_space();
        if (pos_ != text_.size()) fail("trailing text");
        return e;
    }

private:
    void skip_space() {
        while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
    }
    bool eat(std::string_view token) {
        skip_space();
        if (text_.compare(pos_, token.size(), token) != 0) return false;
        pos_ += token.size();
        return true;
    }
    [[noreturn]] void fail(const std::string& what) {
        throw std::runtime_error(what + " at " + std::to_string(pos_) + " in '" + text_ + "'");
    }
    Expr additive() {
        Expr e = multiplicative();
        for (;;) {
            if (eat("+")) {
                e = Expr::binary(ExprOp::kAdd, e, multiplicative());
            } else if (eat("-")) {
                e = Expr::binary(ExprOp::kSub, e, multiplicative());
            } else {
                return e;
            }
        }
    }
    Expr multiplicative() {
        Expr e = unary();
        for (;;) {
            skip_space();
            if (text_.compare(pos_, 2, "**") == 0) fail("unexpected **");
            if (eat("*")) {
                e = Expr::binary(ExprOp::kMul, e, unary());
            } else if (eat("/")) {
                e = Expr::binary(ExprOp::kDiv, e, unary());
            } else {
                return e;
            }
        }
    }
    Expr unary() {
        if (eat("-")) return Expr::unary(ExprOp::kNeg, unary());
        return power();
    }
    Expr power() {
        Expr base = atom();
        if (eat("**")) return Expr::binary(ExprOp::kPow, base, unary());
        return base;
    }
    Expr atom() {
        skip_space();
        if (eat("(")) {
            Expr e = additive();
            if (!eat(")")) fail("expected )");
            return e;
        }
        if (pos_ < text_.size() &&
            (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.')) {
            const char* start = text_.c_str() + pos_;
            char* end = nullptr;
            const double v = std::strtod(start, &end);
            pos_ += static_cast<std::size_t>(end - start);
            if (text_.compare(pos_, 2, "im") == 0) {
                pos_ += 2;
                return Expr::constant({0.0, v});
            }
            return Expr(v);
        }
        std::size_t start = pos_;
        while (pos_ < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
            ++pos_;
        }
        if (start == pos_) fail("expected an operand");
        const std::string name = text_.substr(start, pos_ - start);
        static const std::pair<const char*, ExprOp> kFunctions[] = {
            {"sin", ExprOp::kSin},     {"cos", ExprOp::kCos},     {"tan", ExprOp::kTan},
            {"arcsin", ExprOp::kAsin}, {"arccos", ExprOp::kAcos}, {"arctan", ExprOp::kAtan},
            {"exp", ExprOp::kExp},     {"log", ExprOp::kLog},     {"sign", ExprOp::kSign},
            {"conj", ExprOp::kConj},   {"abs", ExprOp::kAbs},
        };
        for (const auto& [fname, op] : kFunctions) {
            if (name == fname) {
                if (!eat("(")) fail("expected (");
                Expr arg = additive();
                if (!eat(")")) fail("expected )");
                return Expr::unary(op, arg);
            }
        }
        if (pos_ < text_.size() && text_[pos_] == '[') {
            const std::size_t close = text_.find(']', pos_);
            if (close == std::string::npos) fail("expected ]");
            pos_ = close + 1;
            return Expr::symbol(
                element(name, std::stoull(text_.substr(start + name.size() + 1)), 16));
        }
        return sym(name);
    }

    std::string text_;
    std::size_t pos_ = 0;
};

::testing::AssertionResult same_tree(const Expr& a, const Expr& b) {
    if (a.kind() != b.kind()) return ::testing::AssertionFailure() << "kinds differ";
    switch (a.kind()) {
        case Expr::Kind::kConstant:
            if (a.constant_value() != b.constant_value()) {
                return ::testing::AssertionFailure() << "constants differ: " << a.constant_value()
                                                     << " vs " << b.constant_value();
            }
            return ::testing::AssertionSuccess();
        case Expr::Kind::kSymbol:
            if (a.symbol_ref().name != b.symbol_ref().name) {
                return ::testing::AssertionFailure() << "symbols differ";
            }
            return ::testing::AssertionSuccess();
        case Expr::Kind::kUnary:
            if (a.op() != b.op()) return ::testing::AssertionFailure() << "ops differ";
            return same_tree(a.lhs(), b.lhs());
        case Expr::Kind::kBinary: {
            if (a.op() != b.op()) return ::testing::AssertionFailure() << "ops differ";
            auto l = same_tree(a.lhs(), b.lhs());
            if (!l) return l;
            return same_tree(a.rhs(), b.rhs());
        }
    }
    return ::testing::AssertionFailure() << "bad kind";
}

TEST(QiskitOrder, sorts_names_by_code_point_and_vector_elements_by_index) {
    std::vector<Symbol> in = {plain("b"),      plain("a"),        element("x", 10),
                              element("x", 2), plain("angle_10"), plain("angle_2")};
    EXPECT_EQ(names_of(qiskit_order(in)),
              (std::vector<std::string>{"a", "angle_10", "angle_2", "b", "x[2]", "x[10]"}));
}

TEST(QiskitOrder, matches_qiskit_on_mixed_names) {
    // [str(p) for p in qc.parameters] from qiskit 2.6 for these symbols.
    std::vector<Symbol> in = {
        plain("b"),       plain("a"),   element("x", 10), element("x", 2), plain("angle_10"),
        plain("angle_2"), plain("x_0"), plain("X"),       plain("\u00e9"), plain("z")};
    EXPECT_EQ(names_of(qiskit_order(in)),
              (std::vector<std::string>{"X", "a", "angle_10", "angle_2", "b", "x[2]", "x[10]",
                                        "x_0", "z", "\u00e9"}));
}

TEST(QiskitOrder, puts_a_plain_parameter_before_elements_of_a_vector_with_its_name) {
    std::vector<Symbol> in = {element("x", 0), plain("x_0"), plain("x"), plain("X"),
                              element("x", 1)};
    EXPECT_EQ(names_of(qiskit_order(in)),
              (std::vector<std::string>{"X", "x", "x[0]", "x[1]", "x_0"}));
}

TEST(QiskitOrder, removes_duplicates_but_keeps_same_name_with_other_uuid) {
    std::vector<Symbol> in = {plain("t", 2), plain("a"),      plain("t", 1),
                              plain("t", 2), element("v", 3), element("v", 3)};
    std::vector<Symbol> out = qiskit_order(in);
    ASSERT_EQ(names_of(out), (std::vector<std::string>{"a", "t", "t", "v[3]"}));
    EXPECT_EQ(out[1].uuid[15], 1);
    EXPECT_EQ(out[2].uuid[15], 2);
    EXPECT_TRUE(qiskit_order({}).empty());
}

TEST(Expr, default_is_the_constant_zero) {
    Expr e;
    EXPECT_EQ(e.kind(), Expr::Kind::kConstant);
    EXPECT_TRUE(e.is_constant());
    EXPECT_EQ(e.value(), 0.0);
    EXPECT_EQ(e.to_string(), "0");
    EXPECT_EQ(Expr(0.0).value(), 0.0);
    EXPECT_EQ((e + 1.5).value(), 1.5);
}

TEST(Expr, folds_constant_operands_exactly) {
    EXPECT_EQ((Expr(2.0) * Expr(3.0)).kind(), Expr::Kind::kConstant);
    EXPECT_EQ((Expr(2.0) * Expr(3.0)).value(), 6.0);
    EXPECT_EQ(Expr::binary(ExprOp::kPow, 2.0, 10.0).value(), 1024.0);
    EXPECT_EQ(Expr::binary(ExprOp::kPow, -2.0, 3.0).value(), -8.0);
    EXPECT_EQ(Expr::unary(ExprOp::kSin, 0.0).value(), 0.0);
    EXPECT_EQ(Expr::unary(ExprOp::kCos, 0.0).value(), 1.0);
    EXPECT_EQ((Expr(kPi) / 2.0).value(), kPi / 2);
    EXPECT_EQ((-Expr(1.5)).value(), -1.5);
    EXPECT_EQ(Expr::unary(ExprOp::kSign, -3.0).value(), -1.0);
    EXPECT_EQ(Expr::unary(ExprOp::kAbs, -3.0).value(), 3.0);
    EXPECT_EQ(Expr::unary(ExprOp::kAbs, Expr::constant({3.0, 4.0})).value(), 5.0);
    EXPECT_EQ(Expr::unary(ExprOp::kConj, 2.0).value(), 2.0);
    EXPECT_EQ(Expr::unary(ExprOp::kLog, 1.0).value(), 0.0);
    EXPECT_EQ(Expr::unary(ExprOp::kExp, 0.0).value(), 1.0);
    EXPECT_EQ(Expr::unary(ExprOp::kAtan, 0.0).value(), 0.0);
    // i * i = -1 folds to a real value.
    EXPECT_EQ((Expr::constant({0, 1}) * Expr::constant({0, 1})).value(), -1.0);
    // Symbols stop folding; the tree keeps its shape.
    Expr e = 2.0 * sym("theta") + 1.0;
    EXPECT_EQ(e.kind(), Expr::Kind::kBinary);
    EXPECT_FALSE(e.is_constant());
    EXPECT_EQ(e.value(), std::nullopt);
}

TEST(Expr, leaves_domain_errors_unfolded_so_evaluation_reports_them) {
    Expr div = Expr(1.0) / Expr(0.0);
    EXPECT_EQ(div.kind(), Expr::Kind::kBinary);
    EXPECT_TRUE(div.is_constant());
    EXPECT_EQ(div.value(), std::nullopt);
    auto r = div.evaluate({});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "cannot evaluate '1/0': division by zero");
}

TEST(Expr, evaluates_with_values_by_name) {
    Expr e = 2.0 * sym("theta") + Expr::unary(ExprOp::kCos, Expr::symbol(element("x", 3)));
    auto r = e.evaluate({{"theta", 0.25}, {"x[3]", 0.0}});
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_DOUBLE_EQ(*r, 1.5);
}

TEST(Expr, evaluation_errors_name_the_problem) {
    struct Case {
        Expr expr;
        std::map<std::string, double> values;
        std::string message;
    };
    const Case cases[] = {
        {2.0 * sym("theta"),
         {{"phi", 1.0}},
         "cannot evaluate '2*theta': parameter 'theta' is not bound"},
        {Expr::unary(ExprOp::kLog, sym("a")), {{"a", 0.0}}, "cannot evaluate 'log(a)': log of 0"},
        {Expr::unary(ExprOp::kLog, sym("a")),
         {{"a", -2.0}},
         "cannot evaluate 'log(a)': log of the negative number -2"},
        {Expr::unary(ExprOp::kAsin, sym("a")),
         {{"a", 2.0}},
         "cannot evaluate 'arcsin(a)': asin of 2 (outside [-1, 1])"},
        {Expr::unary(ExprOp::kAcos, sym("a")),
         {{"a", -1.5}},
         "cannot evaluate 'arccos(a)': acos of -1.5 (outside [-1, 1])"},
        {sym("a") / sym("b"), {{"a", 1.0}, {"b", 0.0}}, "cannot evaluate 'a/b': division by zero"},
        {Expr::binary(ExprOp::kPow, sym("a"), 0.5),
         {{"a", -4.0}},
         "expression 'a**0.5' has the non-real value (1.2246467991473532e-16 + 2im)"},
        {Expr::binary(ExprOp::kPow, sym("a"), -1.0),
         {{"a", 0.0}},
         "cannot evaluate 'a**(-1)': 0 raised to a negative or complex power"},
        {Expr::unary(ExprOp::kExp, sym("a")),
         {{"a", 1000.0}},
         "cannot evaluate 'exp(a)': exp gives a non-finite result"},
    };
    for (const Case& c : cases) {
        auto r = c.expr.evaluate(c.values);
        ASSERT_FALSE(r.ok()) << c.message;
        EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
        EXPECT_EQ(r.status().message(), c.message);
    }
}

TEST(Expr, refuses_non_finite_constants) {
    EXPECT_EQ(Expr(std::nan("")).value(), std::nullopt);
    auto r = Expr(INFINITY).evaluate({});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "expression 'inf' is not a finite number");
    EXPECT_FALSE((sym("a") * std::nan("")).evaluate({{"a", 1.0}}).ok());
}

TEST(Expr, value_is_absent_for_complex_constants) {
    EXPECT_EQ(Expr::constant({1.0, 0.5}).value(), std::nullopt);
    EXPECT_EQ(Expr::constant({1.0, 1e-13}).value(), 1.0);
    EXPECT_EQ(sym("a").value(), std::nullopt);
}

TEST(Expr, binds_some_symbols_and_folds_what_became_constant) {
    Expr e = sym("a") * sym("b") + Expr::unary(ExprOp::kSin, sym("a"));
    Expr half = e.bind({{"a", 0.0}});
    EXPECT_FALSE(half.is_constant());
    EXPECT_EQ(half.to_string(), "0*b + 0");
    Expr full = half.bind({{"b", 5.0}, {"unused", 1.0}});
    EXPECT_EQ(full.kind(), Expr::Kind::kConstant);
    EXPECT_EQ(full.value(), 0.0);
    // The original is untouched (expressions are immutable values).
    EXPECT_EQ(e.to_string(), "a*b + sin(a)");
}

TEST(Expr, collects_every_occurrence_of_each_symbol) {
    Expr e = sym("a") * sym("b") + sym("a");
    std::vector<Symbol> out;
    e.collect_symbols(out);
    EXPECT_EQ(names_of(out), (std::vector<std::string>{"a", "b", "a"}));
    out.clear();
    Expr(2.0).collect_symbols(out);
    EXPECT_TRUE(out.empty());
}

TEST(Expr, prints_infix_with_only_the_parentheses_needed) {
    Expr a = sym("a"), b = sym("b"), c = sym("c");
    auto pow = [](Expr x, Expr y) { return Expr::binary(ExprOp::kPow, x, y); };
    struct Case {
        Expr expr;
        const char* text;
    };
    const Case cases[] = {
        {2.0 * sym("theta") + 1.0, "2*theta + 1"},
        {a - (b - c), "a - (b - c)"},
        {(a - b) - c, "a - b - c"},
        {(a + b) * c, "(a + b)*c"},
        {a * (b * c), "a*(b*c)"},
        {a * b * c, "a*b*c"},
        {a / (b * c), "a/(b*c)"},
        {a + b * c, "a + b*c"},
        {-(a + b), "-(a + b)"},
        {-pow(a, 2.0), "-a**2"},
        {pow(-a, 2.0), "(-a)**2"},
        {pow(a, pow(b, c)), "a**b**c"},
        {pow(pow(a, b), c), "(a**b)**c"},
        {pow(a, -b), "a**(-b)"},
        {pow(a * b, c), "(a*b)**c"},
        {a * -b, "a*(-b)"},
        {-(-a), "-(-a)"},
        {a + Expr(-1.5), "a + (-1.5)"},
        {Expr(-1.5) * a, "-1.5*a"},
        {Expr::unary(ExprOp::kSin, Expr::symbol(element("x", 0))), "sin(x[0])"},
        {Expr::unary(ExprOp::kAsin, a + b), "arcsin(a + b)"},
        {Expr::unary(ExprOp::kAcos, a), "arccos(a)"},
        {Expr::unary(ExprOp::kAtan, a), "arctan(a)"},
        {Expr::unary(ExprOp::kConj, a) + Expr::unary(ExprOp::kAbs, a) +
             Expr::unary(ExprOp::kSign, a),
         "conj(a) + abs(a) + sign(a)"},
        {Expr(kPi / 2), "1.5707963267948966"},
        {Expr(0.1), "0.1"},
        {Expr(1e-20), "1e-20"},
        {Expr(1e20), "1e+20"},
        {Expr(9151742125555788800.0), "9.151742125555789e+18"},
        {Expr(123456789012345.0), "123456789012345"},
        {Expr(-0.0), "0"},
        {Expr::constant({1.0, 2.0}), "(1 + 2im)"},
        {Expr::constant({1.0, -2.0}), "(1 - 2im)"},
        {Expr::constant({0.0, -0.5}), "-0.5im"},
    };
    for (const Case& cs : cases) EXPECT_EQ(cs.expr.to_string(), cs.text);
}

TEST(Expr, prints_numbers_that_read_back_to_the_same_double) {
    std::mt19937_64 rng(20240611);
    std::uniform_real_distribution<double> angle(-10.0, 10.0);
    std::uniform_int_distribution<int> exponent(-300, 300);
    for (int i = 0; i < 2000; ++i) {
        const double v = i % 2 ? angle(rng) : angle(rng) * std::pow(10.0, exponent(rng));
        const std::string text = Expr(v).to_string();
        EXPECT_EQ(std::strtod(text.c_str(), nullptr), v) << text;
        // At most 17 significant digits, and never a long integer literal.
        std::string digits;
        for (char ch : text.substr(0, text.find('e'))) {
            if (std::isdigit(static_cast<unsigned char>(ch))) digits += ch;
        }
        digits.erase(0, digits.find_first_not_of('0'));
        if (text.find('.') == std::string::npos) digits.erase(digits.find_last_not_of('0') + 1);
        EXPECT_LE(digits.size(), 17u) << text;
        if (text.find_first_of(".e") == std::string::npos) {
            EXPECT_LE(text.size(), 16u) << text;
        }
    }
}

Expr random_expr(std::mt19937_64& rng, int depth) {
    static const ExprOp kOps[] = {
        ExprOp::kAdd,  ExprOp::kSub,  ExprOp::kMul,  ExprOp::kDiv,  ExprOp::kPow, ExprOp::kSin,
        ExprOp::kCos,  ExprOp::kTan,  ExprOp::kAsin, ExprOp::kAcos, ExprOp::kExp, ExprOp::kLog,
        ExprOp::kSign, ExprOp::kConj, ExprOp::kAbs,  ExprOp::kAtan, ExprOp::kNeg};
    std::uniform_int_distribution<int> pick(0, 99);
    if (depth == 0 || pick(rng) < 25) {
        const int r = pick(rng);
        if (r < 15) return Expr(2.0);
        if (r < 25) return Expr(-1.5);
        if (r < 30) return Expr(kPi);
        if (r < 35) return Expr(1e-20);
        if (r < 40) return Expr::constant({0.0, 3.0});
        if (r < 60) return sym("a");
        if (r < 75) return sym("theta");
        if (r < 88) return Expr::symbol(element("x", 0));
        return Expr::symbol(element("x", 12));
    }
    const ExprOp op = kOps[static_cast<std::size_t>(pick(rng)) % std::size(kOps)];
    if (is_binary(op)) {
        return Expr::binary(op, random_expr(rng, depth - 1), random_expr(rng, depth - 1));
    }
    return Expr::unary(op, random_expr(rng, depth - 1));
}

TEST(Expr, text_reads_back_to_the_same_tree) {
    const std::uint64_t seed = 7;
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 3000; ++i) {
        Expr e = random_expr(rng, 5);
        const std::string text = e.to_string();
        Expr back;
        try {
            back = Reader(text).read();
        } catch (const std::exception& ex) {
            FAIL() << ex.what() << " (seed " << seed << ", case " << i << ")";
        }
        ASSERT_TRUE(same_tree(e, back)) << text << " reads back as " << back.to_string()
                                        << " (seed " << seed << ", case " << i << ")";
    }
}

TEST(Expr, bound_expressions_evaluate_like_direct_evaluation) {
    std::mt19937_64 rng(11);
    const std::map<std::string, double> values = {
        {"a", 0.3}, {"theta", -0.8}, {"x[0]", 0.45}, {"x[12]", 2.5}};
    int compared = 0;
    for (int i = 0; i < 2000; ++i) {
        Expr e = random_expr(rng, 4);
        auto direct = e.evaluate(values);
        Expr bound = e.bind(values);
        EXPECT_TRUE(bound.is_constant()) << e.to_string();
        auto folded = bound.evaluate({});
        ASSERT_EQ(direct.ok(), folded.ok()) << e.to_string();
        if (!direct.ok()) continue;
        ++compared;
        EXPECT_NEAR(*direct, *folded, 1e-9 * (1 + std::fabs(*direct))) << e.to_string();
        if (bound.value()) {
            EXPECT_EQ(*bound.value(), *folded) << e.to_string();
        }
    }
    EXPECT_GT(compared, 100);
}

TEST(Expr, operators_build_the_expected_ops) {
    Expr a = sym("a"), b = sym("b");
    EXPECT_EQ((a + b).op(), ExprOp::kAdd);
    EXPECT_EQ((a - b).op(), ExprOp::kSub);
    EXPECT_EQ((a * b).op(), ExprOp::kMul);
    EXPECT_EQ((a / b).op(), ExprOp::kDiv);
    EXPECT_EQ((-a).op(), ExprOp::kNeg);
    EXPECT_EQ((-a).kind(), Expr::Kind::kUnary);
    EXPECT_EQ((a + b).lhs().symbol_ref().name, "a");
    EXPECT_EQ((a + b).rhs().symbol_ref().name, "b");
    EXPECT_TRUE(is_binary(ExprOp::kPow));
    EXPECT_FALSE(is_binary(ExprOp::kNeg));
    EXPECT_FALSE(is_binary(ExprOp::kAtan));
}

}  // namespace
}  // namespace qrt::circuit
