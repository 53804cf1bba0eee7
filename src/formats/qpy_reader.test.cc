#include "formats/qpy_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>

#include "formats/qpy_test_support.h"

namespace qrt::formats {
namespace {

using circuit::Circuit;
using circuit::Condition;
using circuit::GateKind;
using namespace testing;  // NOLINT(google-build-using-namespace): the builder vocabulary

constexpr double kPi = std::numbers::pi;

Circuit read_one(const std::string& bytes) {
    auto r = read_qpy_circuit(bytes);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? *r : Circuit();
}

Status read_error(const std::string& bytes) {
    auto r = read_qpy(bytes);
    EXPECT_FALSE(r.ok());
    return r.status();
}

bool contains(const std::string& s, std::string_view part) {
    return s.find(part) != std::string::npos;
}

Inst gate(std::string name, std::vector<std::uint32_t> q, std::vector<std::string> params = {}) {
    Inst i;
    i.name = std::move(name);
    i.qargs = std::move(q);
    i.params = std::move(params);
    return i;
}

Inst cx(std::uint32_t c, std::uint32_t t) {
    Inst i = gate("CXGate", {c, t});
    i.num_ctrl_qubits = 1;
    i.ctrl_state = 1;
    return i;
}

Inst measure(std::uint32_t q, std::uint32_t c) {
    Inst i = gate("Measure", {q});
    i.cargs = {c};
    return i;
}

// A Bell circuit with an rz, measured into a register "c", at any version.
Circ bell(int version) {
    Circ c;
    c.name = "bell";
    c.num_qubits = 2;
    c.num_clbits = 2;
    c.registers = {{'q', "q", {0, 1}}, {'c', "c", {0, 1}}};
    c.instructions = {instruction(gate("HGate", {0})), instruction(cx(0, 1)),
                      instruction(gate("RZGate", {1}, {param_f(version, kPi / 2)})),
                      instruction(measure(0, 0)), instruction(measure(1, 1))};
    return c;
}

TEST(QpyReader, decodes_the_reference_rz_instruction_bytes_of_v17) {
    // docs/formats/qpy.md: rz(pi/2) q[0] in v17, with the little-endian float of pitfall P1.
    const std::string rz =
        std::string(
            "\x00\x06\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"
            "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
            33) +
        "RZGate" + std::string("q\x00\x00\x00\x00", 5) +
        std::string("f\x00\x00\x00\x00\x00\x00\x00\x08", 9) +
        std::string("\x18\x2d\x44\x54\xfb\x21\xf9\x3f", 8);
    EXPECT_EQ(rz, instruction(gate("RZGate", {0}, {param_f(17, kPi / 2)})));
    Circ c;
    c.num_qubits = 1;
    c.instructions = {rz};
    const Circuit out = read_one(qpy_file(17, c));
    ASSERT_EQ(out.instructions.size(), 1u);
    EXPECT_EQ(out.instructions[0].kind, GateKind::kRZ);
    EXPECT_EQ(out.instructions[0].qubits, std::vector<std::uint32_t>{0});
    ASSERT_EQ(out.instructions[0].params.size(), 1u);
    EXPECT_EQ(out.instructions[0].params[0].value(), kPi / 2);
}

TEST(QpyReader, reads_instruction_floats_big_endian_from_v18) {
    for (int version : {13, 14, 15, 16, 17, 18}) {
        Circ c;
        c.num_qubits = 1;
        c.instructions = {instruction(gate("RXGate", {0}, {param_f(version, 0.125)})),
                          instruction(gate("Delay", {0}, {param_i(version, 160)}))};
        const Circuit out = read_one(qpy_file(version, c));
        ASSERT_EQ(out.instructions.size(), 2u) << version;
        EXPECT_EQ(out.instructions[0].params[0].value(), 0.125) << version;
        EXPECT_EQ(out.instructions[1].kind, GateKind::kDelay);
        EXPECT_EQ(out.instructions[1].params[0].value(), 160.0) << version;
        EXPECT_EQ(out.instructions[1].delay_unit, "dt");
    }
}

TEST(QpyReader, decodes_a_bell_circuit_at_every_version) {
    for (int version = kQpyMinVersion; version <= kQpyMaxVersion; ++version) {
        const Circuit out = read_one(qpy_file(version, bell(version)));
        EXPECT_EQ(out.name, "bell");
        EXPECT_EQ(out.num_qubits(), 2u);
        EXPECT_EQ(out.num_clbits(), 2u);
        ASSERT_EQ(out.qregs.size(), 1u);
        ASSERT_EQ(out.cregs.size(), 1u);
        EXPECT_EQ(out.cregs[0].name, "c");
        EXPECT_EQ(out.cregs[0].bits, (std::vector<std::int64_t>{0, 1}));
        ASSERT_EQ(out.instructions.size(), 5u);
        EXPECT_EQ(out.instructions[0].kind, GateKind::kH);
        EXPECT_EQ(out.instructions[1].kind, GateKind::kCX);
        EXPECT_EQ(out.instructions[1].qubits, (std::vector<std::uint32_t>{0, 1}));
        EXPECT_EQ(out.instructions[2].params[0].value(), kPi / 2);
        EXPECT_EQ(out.instructions[3].kind, GateKind::kMeasure);
        EXPECT_EQ(out.instructions[4].clbits, std::vector<std::uint32_t>{1});
        EXPECT_TRUE(out.validate().ok()) << out.validate().to_string();
    }
}

TEST(QpyReader, reads_every_circuit_of_a_multi_program_file) {
    for (int version : {13, 16, 18}) {
        Circ a = bell(version);
        Circ b = bell(version);
        b.name = "second";
        auto r =
            read_qpy(qpy_file(version, {circuit_payload(version, a), circuit_payload(version, b)}));
        ASSERT_TRUE(r.ok()) << r.status().to_string();
        ASSERT_EQ(r->size(), 2u);
        EXPECT_EQ((*r)[1].name, "second");
        EXPECT_FALSE(read_qpy_circuit(qpy_file(version, {circuit_payload(version, a),
                                                         circuit_payload(version, b)}))
                         .ok());
    }
}

TEST(QpyReader, replays_a_parameter_expression_two_theta_plus_one) {
    // The reference example: [mul 2 theta] then [add <stack> 1].
    const auto theta = make_uuid(1);
    const std::string expr = parameter_expr({replay_entry(2, Operand::i(2), Operand::sym(theta)),
                                             replay_entry(0, Operand::none(), Operand::i(1))},
                                            {{'p', parameter_struct("theta", theta)}});
    Circ c;
    c.num_qubits = 1;
    c.instructions = {instruction(gate("RZGate", {0}, {param('e', expr)}))};
    const Circuit out = read_one(qpy_file(17, c));
    const auto& e = out.instructions[0].params[0];
    auto v = e.evaluate({{"theta", 0.25}});
    ASSERT_TRUE(v.ok()) << v.status().to_string();
    EXPECT_DOUBLE_EQ(*v, 1.5);
    ASSERT_EQ(out.parameters().size(), 1u);
    EXPECT_EQ(out.parameters()[0].name, "theta");
    EXPECT_EQ(out.parameters()[0].uuid, theta);
}

TEST(QpyReader, applies_reversed_operations_with_swapped_operands) {
    const auto a = make_uuid(2);
    // op 18 (RSUB): b - a with a = theta, b = 10 -> 10 - theta; then op 19 (RDIV): 1 / that;
    // then op 20 (RPOW): 2 ** that.
    const std::string expr = parameter_expr({replay_entry(18, Operand::sym(a), Operand::f(10.0)),
                                             replay_entry(19, Operand::none(), Operand::f(1.0)),
                                             replay_entry(20, Operand::none(), Operand::f(2.0))},
                                            {{'p', parameter_struct("theta", a)}});
    Circ c;
    c.num_qubits = 1;
    c.instructions = {instruction(gate("RZGate", {0}, {param('e', expr)}))};
    const Circuit out = read_one(qpy_file(18, c));
    auto v = out.instructions[0].params[0].evaluate({{"theta", 6.0}});
    ASSERT_TRUE(v.ok()) << v.status().to_string();
    EXPECT_DOUBLE_EQ(*v, std::pow(2.0, 1.0 / (10.0 - 6.0)));
}

TEST(QpyReader, skips_nested_expression_markers_and_applies_unary_ops) {
    const auto x = make_uuid(3);
    // Python writers bracket a nested operand with 's'/'e' marker entries (op 255).
    const std::string expr =
        parameter_expr({replay_entry(255, Operand::marker('s'), Operand::none()),
                        replay_entry(5, Operand::sym(x), Operand::none()),  // sin(x)
                        replay_entry(255, Operand::marker('e'), Operand::none()),
                        replay_entry(2, Operand::f(3.0), Operand::none())},  // 3 * sin(x)
                       {{'v', vector_element_struct("x", 4, x, 2)}});
    Circ c;
    c.num_qubits = 1;
    c.instructions = {instruction(gate("RYGate", {0}, {param('e', expr)}))};
    const Circuit out = read_one(qpy_file(16, c));
    auto v = out.instructions[0].params[0].evaluate({{"x[2]", 0.5}});
    ASSERT_TRUE(v.ok()) << v.status().to_string();
    EXPECT_DOUBLE_EQ(*v, 3.0 * std::sin(0.5));
    ASSERT_EQ(out.parameters().size(), 1u);
    EXPECT_EQ(out.parameters()[0].name, "x[2]");
    EXPECT_EQ(out.parameters()[0].vector, "x");
    EXPECT_EQ(out.parameters()[0].index, 2u);
}

// A legacy subs() record (Qiskit 2.0 writes them for rebound custom-gate parameters): theta + pi
// with theta substituted by 2*phi (by name before v15, by uuid from v15).
std::string subs_expression(int version) {
    const auto theta = make_uuid(30), phi = make_uuid(31);
    const std::string value = parameter_expr({replay_entry(2, Operand::i(2), Operand::sym(phi))},
                                             {{'p', parameter_struct("phi", phi)}});
    const std::string key = version >= 15 ? uuid_bytes(theta) : std::string("theta");
    const std::string mapping =
        Bytes().u64(1).u16(key.size()).ch('e').u16(value.size()).raw(key).raw(value).out;
    Operand u;
    u.type = 'u';
    u.data = Bytes().u64(mapping.size()).u64(0).out;
    std::string replay = replay_entry(0, Operand::sym(theta), Operand::f(kPi)) +
                         replay_entry(15, u, Operand::none()) + mapping;
    Bytes b;
    b.u64(2).u64(replay.size()).raw(replay);
    b.ch('p').ch('p').u64(0).raw(parameter_struct("theta", theta));
    b.ch('e').ch('e').u64(0).raw(value);
    return b.out;
}

TEST(QpyReader, applies_legacy_subs_records) {
    for (int version : {13, 14, 15, 17}) {
        Circ c;
        c.num_qubits = 1;
        c.instructions = {instruction(gate("RZGate", {0}, {param('e', subs_expression(version))}))};
        const Circuit out = read_one(qpy_file(version, c));
        ASSERT_EQ(out.parameters().size(), 1u) << version;
        EXPECT_EQ(out.parameters()[0].name, "phi");
        auto v = out.instructions[0].params[0].evaluate({{"phi", 0.25}});
        ASSERT_TRUE(v.ok()) << v.status().to_string();
        EXPECT_DOUBLE_EQ(*v, 0.5 + kPi) << version;
    }
}

TEST(QpyReader, orders_parameters_like_qiskit) {
    Circ c;
    c.num_qubits = 1;
    c.instructions = {
        instruction(gate("RZGate", {0}, {param_v("x", 12, make_uuid(10), 10)})),
        instruction(gate("RZGate", {0}, {param_p("theta", make_uuid(11))})),
        instruction(gate("RZGate", {0}, {param_v("x", 12, make_uuid(12), 2)})),
        instruction(gate("RZGate", {0}, {param_p("alpha", make_uuid(13))})),
    };
    const Circuit out = read_one(qpy_file(17, c));
    std::vector<std::string> names;
    for (const auto& s : out.parameters()) names.push_back(s.name);
    EXPECT_EQ(names, (std::vector<std::string>{"alpha", "theta", "x[2]", "x[10]"}));
}

TEST(QpyReader, reads_a_symbolic_global_phase_big_endian) {
    Circ c;
    c.num_qubits = 1;
    c.global_phase = Bytes().f64(0.75).out;
    EXPECT_EQ(read_one(qpy_file(17, c)).global_phase.value(), 0.75);
    c.global_phase_type = 'p';
    c.global_phase = parameter_struct("phi", make_uuid(4));
    const Circuit out = read_one(qpy_file(17, c));
    ASSERT_EQ(out.parameters().size(), 1u);
    EXPECT_EQ(out.parameters()[0].name, "phi");
}

TEST(QpyReader, keeps_metadata_json_and_aliasing_registers) {
    Circ c;
    c.num_qubits = 3;
    c.num_clbits = 3;
    c.metadata = R"({"experiment":"x"})";
    // "b" aliases clbits 2 and 0; "ghost" owns a bit outside the circuit and is not in it.
    c.registers = {{'q', "q", {0, 1, 2}},
                   {'c', "a", {0, 1, 2}},
                   {'c', "b", {2, 0}, true, false},
                   {'c', "ghost", {-1, 1}, false}};
    const Circuit out = read_one(qpy_file(15, c));
    EXPECT_EQ(out.metadata_json, R"({"experiment":"x"})");
    ASSERT_EQ(out.cregs.size(), 3u);
    EXPECT_EQ(out.cregs[1].bits, (std::vector<std::int64_t>{2, 0}));
    EXPECT_EQ(out.cregs[2].bits, (std::vector<std::int64_t>{-1, 1}));
    EXPECT_FALSE(out.cregs[2].in_circuit);
}

TEST(QpyReader, parses_a_full_layout_and_ignores_it) {
    for (int version : {13, 16, 17, 18}) {
        Bytes layout;
        layout.u8(1).u32(2).u32(2).u32(2).u32(1).u32(2);
        // one extra register "ancilla" of 1 bit, index 1
        layout.raw(register_record(version, {'q', "ancilla", {1}, false}));
        // initial layout: (0, "q"), then an anonymous qubit (v18 drops its name size)
        layout.u32(0).u32(1).raw("q").u32(static_cast<std::uint32_t>(-1));
        if (version < 18) layout.u32(static_cast<std::uint32_t>(-1));
        layout.u32(0).u32(1);  // input mapping
        layout.u32(1).u32(0);  // final layout
        Circ c = bell(version);
        c.layout = layout.out;
        EXPECT_EQ(read_one(qpy_file(version, c)).instructions.size(), 5u) << version;
    }
}

TEST(QpyReader, reads_v18_registers_contiguous_listed_and_ancilla) {
    Circ c;
    c.num_qubits = 4;
    c.num_clbits = 3;
    c.registers = {{'q', "q", {0, 1}, true, true, true},
                   {'a', "anc", {2, 3}, true, true, true},
                   {'c', "c", {2, -1, 0}, true, false, false}};
    const Circuit out = read_one(qpy_file(18, c));
    ASSERT_EQ(out.qregs.size(), 2u);
    EXPECT_EQ(out.qregs[1].name, "anc");
    EXPECT_EQ(out.qregs[1].bits, (std::vector<std::int64_t>{2, 3}));
    ASSERT_EQ(out.cregs.size(), 1u);
    EXPECT_EQ(out.cregs[0].bits, (std::vector<std::int64_t>{2, -1, 0}));

    c.registers = {{'q', "q", {3, 4}, true, true, true}};  // runs past the 4 qubits
    const Status s = read_error(qpy_file(18, c));
    EXPECT_TRUE(contains(s.message(), "covers bits 3 to 4")) << s.message();
}

TEST(QpyReader, resolves_v18_vector_elements_through_the_vector_table) {
    Circ c;
    c.num_qubits = 1;
    circuit::Uuid root = make_uuid(20);
    root[15] = 0xFF;  // element 1 carries into the next byte
    c.vectors = {{"alpha", 3, make_uuid(21)}, {"x", 4, root}};
    c.global_phase_type = 'v';
    c.global_phase = vector_element_ref(0, 2);
    c.instructions = {instruction(gate("RZGate", {0}, {param_v18(1, 1)}))};
    const Circuit out = read_one(qpy_file(18, c));
    const auto params = out.parameters();
    ASSERT_EQ(params.size(), 2u);
    EXPECT_EQ(params[0].name, "alpha[2]");
    EXPECT_EQ(params[1].name, "x[1]");
    EXPECT_EQ(params[1].vector_size, 4u);
    circuit::Uuid want = root;
    want[15] = 0x00;
    want[14] = static_cast<std::uint8_t>(want[14] + 1);
    EXPECT_EQ(params[1].uuid, want);

    c.instructions = {instruction(gate("RZGate", {0}, {param_v18(2, 0)}))};
    const Status s = read_error(qpy_file(18, c));
    EXPECT_TRUE(contains(s.message(), "refers to vector 2")) << s.message();
}

TEST(QpyReader, strips_the_v18_counter_suffix_of_custom_names) {
    Circ def;
    def.num_qubits = 1;
    def.instructions = {instruction(gate("XGate", {0}))};
    Circ c;
    c.num_qubits = 1;
    c.customs = {{"flip_gate_12", 'g', 1, 0, true, circuit_payload(18, def)}};
    c.instructions = {instruction(gate("flip_gate_12", {0}))};
    const Circuit out = read_one(qpy_file(18, c));
    ASSERT_TRUE(out.instructions[0].custom);
    EXPECT_EQ(out.instructions[0].custom->name, "flip_gate");
}

TEST(QpyReader, decodes_mcx_and_c3x_with_their_controls) {
    Inst mcx = gate("MCXGate", {0, 1, 2, 3, 4});
    mcx.num_ctrl_qubits = 4;
    mcx.ctrl_state = 15;
    Inst c3x = gate("C3XGate", {0, 1, 2, 3});
    c3x.num_ctrl_qubits = 3;
    c3x.ctrl_state = 7;
    Circ c;
    c.num_qubits = 5;
    c.instructions = {instruction(mcx), instruction(c3x)};
    const Circuit out = read_one(qpy_file(17, c));
    EXPECT_EQ(out.instructions[0].kind, GateKind::kMCX);
    EXPECT_EQ(out.instructions[0].qubits.size(), 5u);
    EXPECT_EQ(out.instructions[1].kind, GateKind::kC3X);
}

TEST(QpyReader, reads_the_delay_unit_parameter_of_v18) {
    Circ c;
    c.num_qubits = 1;
    c.instructions = {instruction(gate("Delay", {0}, {param_f(18, 2.5), param('s', "us")}))};
    const Circuit out = read_one(qpy_file(18, c));
    EXPECT_EQ(out.instructions[0].delay_unit, "us");
    EXPECT_EQ(out.instructions[0].params[0].value(), 2.5);
}

TEST(QpyReader, decodes_a_custom_gate_through_its_definition) {
    // A 2-qubit gate "mygate"(theta) = rz(theta) on 1, then cx 0,1; used with theta symbolic.
    const auto theta = make_uuid(5);
    Circ def;
    def.name = "mygate";
    def.num_qubits = 2;
    def.instructions = {instruction(gate("RZGate", {1}, {param_p("theta", theta)})),
                        instruction(cx(0, 1))};
    const std::string name = "mygate_0123456789abcdef0123456789abcdef";
    Circ c;
    c.num_qubits = 3;
    c.customs = {{name, 'g', 2, 0, true, circuit_payload(17, def)}};
    Inst use = gate(name, {2, 0}, {param_p("theta", theta)});
    c.instructions = {instruction(use)};
    const Circuit out = read_one(qpy_file(17, c));
    ASSERT_EQ(out.instructions.size(), 1u);
    const auto& inst = out.instructions[0];
    EXPECT_EQ(inst.kind, GateKind::kCustom);
    ASSERT_TRUE(inst.custom);
    EXPECT_EQ(inst.custom->name, "mygate");
    EXPECT_EQ(inst.custom->num_qubits, 2u);
    EXPECT_EQ(inst.qubits, (std::vector<std::uint32_t>{2, 0}));
    EXPECT_TRUE(out.validate().ok()) << out.validate().to_string();
    ASSERT_EQ(out.parameters().size(), 1u);
    auto bound = out.bind(std::vector<double>{0.3});
    ASSERT_TRUE(bound.ok()) << bound.status().to_string();
    auto u = circuit::circuit_unitary(*bound);
    ASSERT_TRUE(u.ok()) << u.status().to_string();
    // Reference: the same circuit with the gate inlined.
    Circuit inlined(3, 0);
    ASSERT_TRUE(inlined.append(GateKind::kRZ, {0}, {0.3}).ok());
    ASSERT_TRUE(inlined.append(GateKind::kCX, {2, 0}).ok());
    auto want = circuit::circuit_unitary(inlined);
    ASSERT_TRUE(want.ok());
    for (std::size_t i = 0; i < want->data.size(); ++i) {
        EXPECT_LT(std::abs(want->data[i] - u->data[i]), 1e-12) << i;
    }
}

// ---- if_else

Circ if_else_circuit(int version, Inst head, bool with_else) {
    Circ then_body;
    then_body.name = "then";
    then_body.num_qubits = 1;
    then_body.num_clbits = 1;
    then_body.instructions = {instruction(gate("XGate", {0}))};
    head.name = "IfElseOp";
    head.qargs = {1};
    head.cargs = {0};
    head.params = {param('q', circuit_payload(version, then_body))};
    if (with_else) {
        Circ else_body = then_body;
        else_body.instructions = {instruction(gate("ZGate", {0}))};
        head.params.push_back(param('q', circuit_payload(version, else_body)));
    } else {
        head.params.push_back(param('z', ""));
    }
    Circ c;
    c.num_qubits = 2;
    c.num_clbits = 2;
    c.registers = {{'q', "q", {0, 1}}, {'c', "c", {0, 1}}};
    c.instructions = {instruction(gate("HGate", {0})), instruction(measure(0, 0)),
                      instruction(head)};
    return c;
}

TEST(QpyReader, decodes_if_else_on_a_clbit_tuple_condition) {
    Inst head;
    head.extras = 1;
    head.condition_register = std::string(
        "\x00"
        "0",
        2);
    head.condition_value = 1;
    const Circuit out = read_one(qpy_file(17, if_else_circuit(17, head, true)));
    ASSERT_EQ(out.instructions.size(), 3u);
    const auto& inst = out.instructions[2];
    EXPECT_EQ(inst.kind, GateKind::kIfElse);
    ASSERT_TRUE(inst.condition);
    EXPECT_EQ(inst.condition->kind, Condition::Kind::kClbit);
    EXPECT_EQ(inst.condition->clbit, 0u);
    EXPECT_EQ(inst.condition->value, 1u);
    ASSERT_TRUE(inst.then_body);
    ASSERT_TRUE(inst.else_body);
    EXPECT_EQ(inst.else_body->instructions[0].kind, GateKind::kZ);
    EXPECT_TRUE(out.validate().ok()) << out.validate().to_string();
}

TEST(QpyReader, decodes_if_else_on_a_register_value_and_v18_tagged_registers) {
    Inst head;
    head.extras = 1;
    head.condition_register = "c";
    head.condition_value = 2;
    Circuit out = read_one(qpy_file(17, if_else_circuit(17, head, false)));
    ASSERT_TRUE(out.instructions[2].condition);
    EXPECT_EQ(out.instructions[2].condition->kind, Condition::Kind::kRegister);
    EXPECT_EQ(out.instructions[2].condition->register_name, "c");
    EXPECT_EQ(out.instructions[2].condition->value, 2u);
    EXPECT_FALSE(out.instructions[2].else_body);

    head.condition_register = std::string(
        "\x01"
        "c",
        2);
    out = read_one(qpy_file(18, if_else_circuit(18, head, false)));
    EXPECT_EQ(out.instructions[2].condition->register_name, "c");

    head.condition_register = std::string("\x00\x00\x00\x00\x01", 5);
    head.condition_value = 0;
    out = read_one(qpy_file(18, if_else_circuit(18, head, false)));
    EXPECT_EQ(out.instructions[2].condition->kind, Condition::Kind::kClbit);
    EXPECT_EQ(out.instructions[2].condition->clbit, 1u);
    EXPECT_EQ(out.instructions[2].condition->value, 0u);
}

std::string expr_param(const std::string& tree) { return param('x', tree); }

TEST(QpyReader, decodes_if_else_on_classical_expressions) {
    struct Case {
        const char* what;
        std::string tree;
        Condition::Kind kind;
        std::uint32_t clbit;
        std::string reg;
        std::uint64_t value;
    };
    const std::string clbit1 = Bytes().ch('x').ch('b').ch('C').u32(1).out;
    const std::string reg_c = Bytes().ch('x').ch('u').u32(2).ch('R').u16(1).raw("c").out;
    const std::vector<Case> cases = {
        {"if (c[1])", clbit1, Condition::Kind::kClbit, 1, "", 1},
        {"if (!c[1])", Bytes().ch('u').ch('b').u8(2).raw(clbit1).out, Condition::Kind::kClbit, 1,
         "", 0},
        {"if (c == 3)",
         Bytes().ch('b').ch('b').u8(6).raw(reg_c).ch('v').ch('u').u32(2).ch('i').u8(1).u8(3).out,
         Condition::Kind::kRegister, 0, "c", 3},
        {"if (3 == c)",
         Bytes().ch('b').ch('b').u8(6).ch('v').ch('u').u32(2).ch('i').u8(1).u8(3).raw(reg_c).out,
         Condition::Kind::kRegister, 0, "c", 3},
        {"if (c == 0)",
         Bytes().ch('b').ch('b').u8(6).raw(reg_c).ch('v').ch('u').u32(2).ch('i').u8(0).out,
         Condition::Kind::kRegister, 0, "c", 0},
        {"if (c[1] != true)",
         Bytes().ch('b').ch('b').u8(7).raw(clbit1).ch('v').ch('b').ch('b').u8(1).out,
         Condition::Kind::kClbit, 1, "", 0},
        {"if (c[0]) via index",
         Bytes().ch('i').ch('b').raw(reg_c).ch('v').ch('u').u32(8).ch('i').u8(1).u8(0).out,
         Condition::Kind::kClbit, 0, "", 1},
        {"if (bool(c[1]))", Bytes().ch('c').ch('b').u8(1).raw(clbit1).out, Condition::Kind::kClbit,
         1, "", 1},
    };
    for (const auto& k : cases) {
        for (int version : {13, 17, 18}) {
            Inst head;
            head.extras = 2;
            head.condition_expr = expr_param(k.tree);
            const Circuit out = read_one(qpy_file(version, if_else_circuit(version, head, true)));
            ASSERT_EQ(out.instructions.size(), 3u) << k.what;
            const auto& cond = out.instructions[2].condition;
            ASSERT_TRUE(cond) << k.what;
            EXPECT_EQ(cond->kind, k.kind) << k.what;
            EXPECT_EQ(cond->clbit, k.clbit) << k.what;
            EXPECT_EQ(cond->register_name, k.reg) << k.what;
            EXPECT_EQ(cond->value, k.value) << k.what;
        }
    }
}

TEST(QpyReader, refuses_classical_expressions_it_cannot_express) {
    const std::string clbit0 = Bytes().ch('x').ch('b').ch('C').u32(0).out;
    const std::string clbit1 = Bytes().ch('x').ch('b').ch('C').u32(1).out;
    const std::string reg_c = Bytes().ch('x').ch('u').u32(2).ch('R').u16(1).raw("c").out;
    for (
        const std::string& tree : {
            Bytes().ch('b').ch('b').u8(4).raw(clbit0).raw(clbit1).out,  // c[0] && c[1]
            Bytes().ch('b').ch('b').u8(8).raw(reg_c).ch('v').ch('u').u32(2).ch('i').u8(1).u8(2).out,
            Bytes().ch('b').ch('b').u8(7).raw(reg_c).ch('v').ch('u').u32(2).ch('i').u8(1).u8(2).out,
            Bytes().ch('v').ch('b').ch('b').u8(1).out,  // if (true)
        }) {
        Inst head;
        head.extras = 2;
        head.condition_expr = expr_param(tree);
        const Status s = read_error(qpy_file(17, if_else_circuit(17, head, false)));
        EXPECT_EQ(s.code(), ErrorCode::kUnimplemented) << s.to_string();
        EXPECT_TRUE(contains(s.message(), "condition is not supported")) << s.message();
    }
}

TEST(QpyReader, wraps_a_legacy_c_if_in_an_if_else) {
    Inst x = gate("XGate", {1});
    x.extras = 1;
    x.condition_register = "c";
    x.condition_value = 1;
    Circ c = bell(13);
    c.instructions.push_back(instruction(x));
    const Circuit out = read_one(qpy_file(13, c));
    const auto& inst = out.instructions.back();
    EXPECT_EQ(inst.kind, GateKind::kIfElse);
    EXPECT_EQ(inst.qubits, std::vector<std::uint32_t>{1});
    ASSERT_TRUE(inst.then_body);
    EXPECT_EQ(inst.then_body->instructions[0].kind, GateKind::kX);
    EXPECT_EQ(inst.then_body->instructions[0].qubits, std::vector<std::uint32_t>{0});
    EXPECT_TRUE(out.validate().ok()) << out.validate().to_string();
}

// ---- errors

TEST(QpyReader, refuses_versions_outside_13_to_18_naming_them) {
    for (int version : {3, 12, 19, 255}) {
        std::string bytes = qpy_file(17, bell(17));
        bytes[6] = static_cast<char>(version);
        const Status s = read_error(bytes);
        EXPECT_EQ(s.code(), ErrorCode::kUnimplemented);
        EXPECT_TRUE(
            contains(s.message(), "QPY version " + std::to_string(version) + " is not supported"))
            << s.message();
    }
}

TEST(QpyReader, every_truncation_is_an_error_naming_the_byte) {
    for (int version : {13, 15, 16, 17, 18}) {
        Inst head;
        head.extras = 1;
        head.condition_register = version >= 18 ? std::string(
                                                      "\x01"
                                                      "c",
                                                      2)
                                                : std::string("c");
        head.condition_value = 1;
        Circ c = if_else_circuit(version, head, true);
        const auto theta = make_uuid(7);
        c.instructions.push_back(instruction(
            gate("RZGate", {0},
                 {param('e', parameter_expr({replay_entry(2, Operand::i(2), Operand::sym(theta))},
                                            {{'p', parameter_struct("theta", theta)}}))})));
        const std::string full = qpy_file(version, c);
        ASSERT_TRUE(read_qpy(full).ok()) << read_qpy(full).status().to_string();
        for (std::size_t n = 0; n < full.size(); ++n) {
            auto r = read_qpy(std::string_view(full).substr(0, n));
            ASSERT_FALSE(r.ok()) << "version " << version << " length " << n;
            EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << r.status().to_string();
            EXPECT_TRUE(contains(r.status().message(), "QPY: ")) << r.status().message();
            EXPECT_TRUE(contains(r.status().message(), "byte")) << r.status().message();
        }
    }
}

TEST(QpyReader, truncation_message_names_the_record_offset_and_sizes) {
    const std::string full = qpy_file(17, bell(17));
    auto r = read_qpy(std::string_view(full).substr(0, full.size() - 60));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(contains(r.status().message(), "QPY: truncated ")) << r.status().message();
    EXPECT_TRUE(
        contains(r.status().message(), "QPY: truncated INSTRUCTION #4 of CIRCUIT #0 at byte "))
        << r.status().message();
    EXPECT_TRUE(contains(r.status().message(), "need ")) << r.status().message();
    auto head = read_qpy(std::string_view(full).substr(0, 100));
    EXPECT_TRUE(contains(head.status().message(), "REGISTER #0 of CIRCUIT #0"))
        << head.status().message();
    EXPECT_FALSE(contains(head.status().message(), "FILE_HEADER")) << head.status().message();
}

struct Corrupt {
    const char* what;
    std::string bytes;
    ErrorCode code;
    const char* message_part;
};

std::vector<Corrupt> corrupt_inputs() {
    std::vector<Corrupt> out;
    const std::string good = qpy_file(17, bell(17));
    auto patched = [&](std::size_t at, char v) {
        std::string s = good;
        s[at] = v;
        return s;
    };
    out.push_back({"empty input", "", ErrorCode::kInvalidArgument, "truncated FILE_HEADER"});
    out.push_back({"bad magic", patched(0, 'X'), ErrorCode::kInvalidArgument, "not a QPY file"});
    out.push_back(
        {"schedule blocks", patched(19, 's'), ErrorCode::kUnimplemented, "pulse schedules"});
    out.push_back({"bad type key", patched(19, 'Z'), ErrorCode::kInvalidArgument,
                   "unknown program type key"});
    out.push_back({"trailing bytes", good + "x", ErrorCode::kInvalidArgument, "unexpected bytes"});
    {
        std::string s = good;
        s[17] = 9;  // num_programs = 9 (low byte): the offsets table cannot fit
        out.push_back({"too many programs", s, ErrorCode::kInvalidArgument, "programs"});
    }
    {
        std::string s = good;
        s[27] = static_cast<char>(s[27] + 1);  // first circuit offset off by one
        out.push_back({"bad offset", s, ErrorCode::kInvalidArgument, "CIRCUIT_OFFSETS"});
    }
    {
        Circ c = bell(17);
        c.instructions = {instruction(gate("HGate", {7}))};
        out.push_back(
            {"qubit out of range", qpy_file(17, c), ErrorCode::kInvalidArgument, "qarg 0 at byte"});
    }
    {
        Circ c = bell(17);
        c.registers[1].indices = {0, 5};
        out.push_back({"register index out of range", qpy_file(17, c), ErrorCode::kInvalidArgument,
                       "register 'c' bit 1 has index 5"});
    }
    {
        Circ c = bell(17);
        c.calibrations = 1;
        out.push_back({"calibrations", qpy_file(17, c), ErrorCode::kUnimplemented,
                       "pulse calibrations are not supported"});
    }
    {
        Circ c = bell(17);
        c.num_vars = 2;
        out.push_back({"standalone vars", qpy_file(17, c), ErrorCode::kUnimplemented,
                       "2 standalone classical variables"});
    }
    {
        Circ c = bell(17);
        c.annotation_namespaces = 1;
        out.push_back({"annotations", qpy_file(17, c), ErrorCode::kUnimplemented, "annotation"});
    }
    {
        Circ c = bell(17);
        c.instructions = {instruction(gate("ForLoopOp", {0}))};
        out.push_back({"for loop", qpy_file(17, c), ErrorCode::kUnimplemented,
                       "operation 'ForLoopOp' at byte"});
    }
    {
        Circ c = bell(17);
        c.instructions = {instruction(gate("NoSuchGate", {0}))};
        out.push_back(
            {"unknown class", qpy_file(17, c), ErrorCode::kUnimplemented, "'NoSuchGate'"});
    }
    {
        Circ c = bell(17);
        Inst open = cx(0, 1);
        open.ctrl_state = 0;
        c.instructions = {instruction(open)};
        out.push_back({"open control", qpy_file(17, c), ErrorCode::kUnimplemented, "ctrl_state 0"});
    }
    {
        Circ c = bell(17);
        c.customs = {{"measure_2_0123456789abcdef0123456789abcdef", 'i', 1, 1, false, ""}};
        out.push_back({"opaque instruction", qpy_file(17, c), ErrorCode::kUnimplemented,
                       "opaque custom instruction 'measure_2'"});
    }
    {
        Circ c = bell(17);
        c.instructions = {instruction(gate("RZGate", {0}, {param('n', "\x93NUMPY")}))};
        out.push_back(
            {"numpy parameter", qpy_file(17, c), ErrorCode::kUnimplemented, "'n' (numpy array)"});
    }
    {
        Circ c = bell(17);
        c.instructions = {instruction(gate("RZGate", {0}))};
        out.push_back({"missing parameter", qpy_file(17, c), ErrorCode::kInvalidArgument,
                       "has 0 parameters, expected 1"});
    }
    {
        Circ c = bell(17);
        c.instructions = {instruction(gate("RZGate", {0}, {param('f', "abc")}))};
        out.push_back({"short float", qpy_file(17, c), ErrorCode::kInvalidArgument,
                       "has 3 bytes, expected 8"});
    }
    {
        const auto theta = make_uuid(1);
        Circ c = bell(17);
        c.instructions = {instruction(gate(
            "RZGate", {0},
            {param('e', parameter_expr({replay_entry(2, Operand::i(2), Operand::sym(make_uuid(9)))},
                                       {{'p', parameter_struct("theta", theta)}}))}))};
        out.push_back({"unknown symbol", qpy_file(17, c), ErrorCode::kInvalidArgument,
                       "missing from the symbol table"});
    }
    {
        Circ c = bell(17);
        c.instructions = {instruction(gate(
            "RZGate", {0},
            {param('e', parameter_expr({replay_entry(0, Operand::i(2), Operand::none())}, {}))}))};
        out.push_back(
            {"stack underflow", qpy_file(17, c), ErrorCode::kInvalidArgument, "too few operands"});
    }
    {
        Circ c = bell(17);
        Operand subs;
        subs.type = 'u';
        subs.data = Bytes().u64(1000).u64(0).out;  // mapping longer than the replay
        c.instructions = {instruction(
            gate("RZGate", {0},
                 {param('e', parameter_expr({replay_entry(15, subs, Operand::none())}, {}))}))};
        out.push_back({"subs mapping overrun", qpy_file(17, c), ErrorCode::kInvalidArgument,
                       "subs() mapping of replay entry 0"});
    }
    {
        Circ c = bell(17);
        c.instructions = {instruction(gate(
            "RZGate", {0},
            {param('e', parameter_expr({replay_entry(13, Operand::i(1), Operand::i(2))}, {}))}))};
        out.push_back({"gradient", qpy_file(17, c), ErrorCode::kUnimplemented, "gradient"});
    }
    {
        // 2**32-1 instructions declared in a small file.
        Circ c = bell(17);
        std::string s = qpy_file(17, c);
        const std::size_t num_instructions_at = 28 + 25;
        for (int i = 0; i < 8; ++i) s[num_instructions_at + i] = static_cast<char>(0x7F);
        out.push_back(
            {"absurd instruction count", s, ErrorCode::kInvalidArgument, "cannot fit in the"});
    }
    {
        Circ c = bell(17);
        std::string s = qpy_file(17, c);
        const std::size_t metadata_size_at = 28 + 13;
        s[metadata_size_at] = static_cast<char>(0x7F);
        out.push_back(
            {"absurd metadata size", s, ErrorCode::kInvalidArgument, "truncated metadata"});
    }
    return out;
}

TEST(QpyReader, corrupt_and_unsupported_inputs_give_clear_errors) {
    for (const auto& k : corrupt_inputs()) {
        auto r = read_qpy(k.bytes);
        ASSERT_FALSE(r.ok()) << k.what;
        EXPECT_EQ(r.status().code(), k.code) << k.what << ": " << r.status().to_string();
        EXPECT_TRUE(contains(r.status().message(), k.message_part))
            << k.what << ": " << r.status().message();
        EXPECT_EQ(r.status().message().rfind("QPY: ", 0), 0u) << r.status().message();
    }
}

TEST(QpyReader, refuses_deep_nesting_without_overflowing_the_stack) {
    // if_else bodies nested 40 deep.
    std::string body;
    {
        Circ leaf;
        leaf.num_qubits = 1;
        leaf.num_clbits = 1;
        body = circuit_payload(17, leaf);
    }
    for (int depth = 0; depth < 40; ++depth) {
        Inst head;
        head.name = "IfElseOp";
        head.extras = 1;
        head.condition_register = std::string(
            "\x00"
            "0",
            2);
        head.condition_value = 1;
        head.qargs = {0};
        head.cargs = {0};
        head.params = {param('q', body)};
        Circ c;
        c.num_qubits = 1;
        c.num_clbits = 1;
        c.instructions = {instruction(head)};
        body = circuit_payload(17, c);
    }
    const Status s = read_error(qpy_file(17, std::vector<std::string>{body}));
    EXPECT_TRUE(contains(s.message(), "nest deeper")) << s.message();

    // A parameter expression 10 000 multiplications deep.
    const auto theta = make_uuid(1);
    std::vector<std::string> entries = {replay_entry(2, Operand::i(2), Operand::sym(theta))};
    for (int i = 0; i < 10000; ++i)
        entries.push_back(replay_entry(2, Operand::none(), Operand::i(2)));
    Circ c;
    c.num_qubits = 1;
    c.instructions = {instruction(
        gate("RZGate", {0},
             {param('e', parameter_expr(entries, {{'p', parameter_struct("theta", theta)}}))}))};
    const Status e = read_error(qpy_file(17, c));
    EXPECT_TRUE(contains(e.message(), "nests deeper")) << e.message();
}

}  // namespace
}  // namespace qrt::formats
