#include "circuit/isa.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace qrt::circuit {
namespace {

constexpr double kPi = std::numbers::pi;

Symbol named(std::string name) {
    Symbol s;
    s.name = std::move(name);
    return s;
}

// 0 -> 1 <- 2 -> 3 <- 4, ECR one way per pair, if_else supported.
Target line5(bool dynamic = true) {
    auto t = make_target("line5", 5, {"id", "rz", "sx", "x"}, "ecr",
                         {{0, 1}, {2, 1}, {2, 3}, {4, 3}}, false, dynamic);
    EXPECT_TRUE(t.ok());
    return *t;
}

// 4 qubits in a line with cz both ways and the fractional rx, rzz (on 0-1 only).
Target fractional4() {
    auto t = make_target("frac4", 4, {"id", "rz", "sx", "x", "rx"}, "cz", {{0, 1}, {1, 2}, {2, 3}},
                         true, false);
    EXPECT_TRUE(t.ok());
    EXPECT_TRUE(t->add_instruction("rzz", {0, 1}).ok());
    EXPECT_TRUE(t->add_instruction("rzz", {1, 0}).ok());
    return *t;
}

std::string not_supported(std::string_view what) {
    return std::string(what) + std::string(kIsaAdvice);
}

Circuit good_isa_circuit() {
    Circuit c(5, 2);
    EXPECT_TRUE(c.append(GateKind::kRZ, {0}, {kPi / 2}).ok());
    EXPECT_TRUE(c.append(GateKind::kSX, {0}).ok());
    EXPECT_TRUE(c.append(GateKind::kX, {2}).ok());
    EXPECT_TRUE(c.append(GateKind::kECR, {0, 1}).ok());
    EXPECT_TRUE(c.append(GateKind::kECR, {2, 1}).ok());
    EXPECT_TRUE(c.append(GateKind::kRZ, {1}, {Expr::symbol(named("theta"))}).ok());
    EXPECT_TRUE(c.append(GateKind::kBarrier, {0, 1, 2, 3, 4}).ok());
    Instruction delay;
    delay.kind = GateKind::kDelay;
    delay.qubits = {3};
    delay.params = {Expr(160.0)};
    delay.delay_unit = "dt";
    c.append(delay);
    EXPECT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());
    EXPECT_TRUE(c.append(GateKind::kReset, {4}).ok());
    EXPECT_TRUE(c.append(GateKind::kMeasure, {1}, {}, {1}).ok());
    EXPECT_TRUE(c.validate().ok()) << c.validate().to_string();
    return c;
}

// if (c[0]) { <body on (q_a, q_b)> } as an if_else on the circuit's qubits (a, b).
Instruction if_else_on(std::uint32_t a, std::uint32_t b, Circuit body) {
    Instruction inst;
    inst.kind = GateKind::kIfElse;
    inst.qubits = {a, b};
    inst.condition = Condition{Condition::Kind::kClbit, 0, "", 1};
    inst.then_body = std::make_shared<const Circuit>(std::move(body));
    return inst;
}

TEST(Isa, a_transpiled_circuit_passes) {
    EXPECT_TRUE(validate_isa(good_isa_circuit(), line5()).ok());
}

TEST(Isa, a_circuit_with_fewer_qubits_than_the_target_passes) {
    Circuit c(2, 0);
    ASSERT_TRUE(c.append(GateKind::kECR, {0, 1}).ok());
    EXPECT_TRUE(validate_isa(c, line5()).ok());
}

TEST(Isa, if_else_bodies_are_checked_on_the_instructions_physical_qubits) {
    Circuit body(2, 0);
    ASSERT_TRUE(body.append(GateKind::kECR, {1, 0}).ok());  // body (1, 0) = physical (2, 1)
    ASSERT_TRUE(body.append(GateKind::kSX, {0}).ok());
    Circuit c(5, 1);
    ASSERT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());
    c.append(if_else_on(1, 2, body));
    ASSERT_TRUE(c.validate().ok()) << c.validate().to_string();
    EXPECT_TRUE(validate_isa(c, line5()).ok());

    // The same body on (2, 1) puts its ecr on physical (1, 2): the wrong direction.
    Circuit bad(5, 1);
    ASSERT_TRUE(bad.append(GateKind::kMeasure, {0}, {}, {0}).ok());
    bad.append(if_else_on(2, 1, body));
    EXPECT_EQ(validate_isa(bad, line5()).message(),
              not_supported("The instruction ecr on qubits (1, 2) is not supported by the target "
                            "system."));
}

struct IsaCase {
    std::string_view what;
    std::function<Circuit()> circuit;
    std::string message;  // without the advice the client appends
};

TEST(Isa, each_fault_gets_the_clients_message) {
    const std::vector<IsaCase> cases = {
        {"non-basis gate",
         [] {
             Circuit c(5, 0);
             EXPECT_TRUE(c.append(GateKind::kRZ, {0}, {0.5}).ok());
             EXPECT_TRUE(c.append(GateKind::kH, {3}).ok());
             return c;
         },
         "The instruction h on qubits (3,) is not supported by the target system."},
        {"uncoupled pair",
         [] {
             Circuit c(5, 0);
             EXPECT_TRUE(c.append(GateKind::kECR, {0, 2}).ok());
             return c;
         },
         "The instruction ecr on qubits (0, 2) is not supported by the target system."},
        {"wrong direction",
         [] {
             Circuit c(5, 0);
             EXPECT_TRUE(c.append(GateKind::kECR, {1, 0}).ok());
             return c;
         },
         "The instruction ecr on qubits (1, 0) is not supported by the target system."},
        {"cx where the target has ecr",
         [] {
             Circuit c(5, 0);
             EXPECT_TRUE(c.append(GateKind::kCX, {0, 1}).ok());
             return c;
         },
         "The instruction cx on qubits (0, 1) is not supported by the target system."},
        {"more qubits than the target",
         [] {
             Circuit c(7, 0);
             EXPECT_TRUE(c.append(GateKind::kX, {0}).ok());
             return c;
         },
         "The circuit has 7 qubits but the target system requires 5 qubits."},
        {"global phase gate",
         [] {
             Circuit c(5, 0);
             EXPECT_TRUE(c.append(GateKind::kGlobalPhase, {}, {0.25}).ok());
             return c;
         },
         "The instruction global_phase on qubits () is not supported by the target system."},
        {"bad gate inside an if_else body",
         [] {
             Circuit body(2, 0);
             EXPECT_TRUE(body.append(GateKind::kH, {1}).ok());
             Circuit c(5, 1);
             EXPECT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());
             c.append(if_else_on(3, 4, body));
             return c;
         },
         "The instruction h on qubits (4,) is not supported by the target system."},
    };
    Target t = line5();
    for (const IsaCase& k : cases) {
        Circuit c = k.circuit();
        Status s = validate_isa(c, t);
        EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << k.what;
        EXPECT_EQ(s.message(), not_supported(k.message)) << k.what;
    }
}

TEST(Isa, if_else_on_a_target_without_dynamic_circuits_is_refused) {
    Circuit body(2, 0);
    ASSERT_TRUE(body.append(GateKind::kX, {0}).ok());
    Circuit c(5, 1);
    ASSERT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());
    c.append(if_else_on(0, 1, body));
    EXPECT_EQ(validate_isa(c, line5(/*dynamic=*/false)).message(),
              not_supported("The instruction if_else on qubits (0, 1) is not supported by the "
                            "target system."));
}

TEST(Isa, barrier_is_exempt_even_where_the_target_lacks_it) {
    Target t = line5();
    ASSERT_EQ(t.find("barrier"), nullptr);
    Circuit c(5, 0);
    ASSERT_TRUE(c.append(GateKind::kBarrier, {0, 3}).ok());
    EXPECT_TRUE(validate_isa(c, t).ok());
}

TEST(Isa, rzz_angles_must_be_between_zero_and_half_pi) {
    Target t = fractional4();
    auto with_rzz = [](Expr angle, std::uint32_t a = 0, std::uint32_t b = 1) {
        Circuit c(4, 0);
        EXPECT_TRUE(c.append(GateKind::kRZZ, {a, b}, {angle}).ok());
        return c;
    };
    EXPECT_TRUE(validate_isa(with_rzz(0.0), t).ok());
    EXPECT_TRUE(validate_isa(with_rzz(kPi / 2), t).ok());
    EXPECT_TRUE(validate_isa(with_rzz(kPi / 2 + 5e-11), t).ok());  // rounding allowance
    EXPECT_TRUE(validate_isa(with_rzz(Expr::symbol(named("a"))), t).ok());
    EXPECT_EQ(validate_isa(with_rzz(2.0), t).message(),
              not_supported("The instruction rzz on qubits (0, 1) is supported only for angles in "
                            "the range [0, pi/2], but an angle (2.0) outside of this range has "
                            "been requested."));
    EXPECT_EQ(validate_isa(with_rzz(-0.1, 1, 0), t).message(),
              not_supported("The instruction rzz on qubits (1, 0) is supported only for angles in "
                            "the range [0, pi/2], but an angle (-0.1) outside of this range has "
                            "been requested."));
    // Not calibrated on (2, 3): unsupported, whatever the angle.
    EXPECT_EQ(validate_isa(with_rzz(0.5, 2, 3), t).message(),
              not_supported("The instruction rzz on qubits (2, 3) is not supported by the target "
                            "system."));
    // cz both ways, fractional rx anywhere.
    Circuit c(4, 0);
    ASSERT_TRUE(c.append(GateKind::kCZ, {3, 2}).ok());
    ASSERT_TRUE(c.append(GateKind::kRX, {3}, {0.3}).ok());
    EXPECT_TRUE(validate_isa(c, t).ok());
}

TEST(Isa, rzz_angles_are_checked_after_binding_each_parameter_row) {
    Symbol a = named("a");
    Symbol b = named("b");
    Circuit c(2, 0);
    ASSERT_TRUE(c.append(GateKind::kRZZ, {0, 1}, {Expr::symbol(a) + Expr::symbol(b)}).ok());
    ASSERT_TRUE(c.append(GateKind::kRZZ, {0, 1}, {0.5}).ok());
    const double ok_row[] = {0.25, 0.5};
    EXPECT_TRUE(validate_rzz_angles(c, ok_row).ok());
    const double bad_row[] = {1.0, 1.5};
    Status s = validate_rzz_angles(c, bad_row);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(s.message().substr(0, 137),
              "The instruction rzz is supported only for angles in the range [0, pi/2], but an "
              "angle (2.5) outside of this range has been requested; via");
    EXPECT_NE(s.message().find("parameter value(s) a=1.0, b=1.5, substituted in parameter "
                               "expression "),
              std::string::npos)
        << s.message();
    Circuit numeric(2, 0);
    ASSERT_TRUE(numeric.append(GateKind::kRZZ, {0, 1}, {3.0}).ok());
    EXPECT_EQ(validate_rzz_angles(numeric, {}).message(),
              "The instruction rzz is supported only for angles in the range [0, pi/2], but an "
              "angle (3.0) outside of this range has been requested.");
    const double one[] = {1.0};
    EXPECT_EQ(validate_rzz_angles(c, one).message(), "expected 2 parameter values, got 1");
}

TEST(PythonRepr, floats_print_as_python_prints_them) {
    const std::vector<std::pair<double, std::string>> cases = {
        {2.0, "2.0"},
        {-0.1, "-0.1"},
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {kPi / 2, "1.5707963267948966"},
        {1e-05, "1e-05"},
        {0.0001, "0.0001"},
        {1.5e-7, "1.5e-07"},
        {1e16, "1e+16"},
        {1234567890123456.0, "1234567890123456.0"},
        {123.456, "123.456"},
        {3.0e100, "3e+100"},
        {std::nan(""), "nan"},
        {-INFINITY, "-inf"},
    };
    for (const auto& [v, want] : cases) EXPECT_EQ(python_float_repr(v), want) << want;
}

TEST(PythonRepr, tuples_print_as_python_prints_them) {
    EXPECT_EQ(python_tuple_repr({}), "()");
    EXPECT_EQ(python_tuple_repr({3}), "(3,)");
    EXPECT_EQ(python_tuple_repr({26, 16}), "(26, 16)");
}

}  // namespace
}  // namespace qrt::circuit
