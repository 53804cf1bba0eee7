// The circuit IR every other module speaks: qubits and clbits (by index), quantum and classical
// registers, instructions with operands and parameters, global phase, metadata; if_else on a
// clbit or a register value; user-defined gates by definition.
//
// A Circuit is a plain value (copyable; bodies and definitions are shared immutable pointers).
// Not synchronised: share a const Circuit between threads, never a mutable one.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "circuit/gates.h"
#include "circuit/param.h"

namespace qrt::circuit {

class Circuit;

// A register: its bits as indices into the circuit's qubits or clbits. -1 marks a bit that the
// register owns but the circuit does not hold (QPY allows it).
struct Register {
    std::string name;
    std::vector<std::int64_t> bits;
    bool in_circuit = true;
};

// The condition of an if_else: a single clbit equal to a value (0/1), or a classical register
// read as an unsigned integer (bit i of the register = 2^i) equal to a value.
struct Condition {
    enum class Kind : std::uint8_t { kClbit, kRegister };
    Kind kind = Kind::kClbit;
    std::uint32_t clbit = 0;    // kClbit
    std::string register_name;  // kRegister: a classical register of the circuit
    std::uint64_t value = 1;
};

// A user-defined gate: parameters (as symbols, in declaration order), qubit count, body. The
// body's qubits 0..n-1 are the gate's arguments; its instructions use the parameter symbols.
struct CustomGate {
    std::string name;
    std::vector<Symbol> params;
    std::uint32_t num_qubits = 0;
    std::shared_ptr<const Circuit> body;
};

struct Instruction {
    GateKind kind = GateKind::kI;
    std::vector<std::uint32_t> qubits;  // indices into the circuit's qubits (controls first)
    std::vector<std::uint32_t> clbits;  // measure: the target clbit
    std::vector<Expr> params;           // angles; delay: the duration
    std::string delay_unit;             // delay only: "dt", "s", "ms", "us", "ns", "ps"
    std::string label;
    // if_else only: the bodies act on this instruction's qubits/clbits positionally.
    std::optional<Condition> condition;
    std::shared_ptr<const Circuit> then_body, else_body;  // else_body may be null
    std::shared_ptr<const CustomGate> custom;             // kCustom only
};

class Circuit {
public:
    Circuit() = default;
    Circuit(std::uint32_t num_qubits, std::uint32_t num_clbits)
        : num_qubits_(num_qubits), num_clbits_(num_clbits) {}

    std::string name;
    std::string metadata_json = "{}";
    Expr global_phase;
    std::vector<Register> qregs;
    std::vector<Register> cregs;
    std::vector<Instruction> instructions;

    std::uint32_t num_qubits() const { return num_qubits_; }
    std::uint32_t num_clbits() const { return num_clbits_; }
    void set_num_qubits(std::uint32_t n) { num_qubits_ = n; }
    void set_num_clbits(std::uint32_t n) { num_clbits_ = n; }

    // Adds a register with fresh bits appended to the circuit; returns its first bit index.
    std::uint32_t add_qreg(std::string reg_name, std::uint32_t size);
    std::uint32_t add_creg(std::string reg_name, std::uint32_t size);
    const Register* find_creg(std::string_view reg_name) const;

    // Appends a standard gate or operation after checking arity and parameter count.
    Status append(GateKind kind, std::vector<std::uint32_t> qubits, std::vector<Expr> params = {},
                  std::vector<std::uint32_t> clbits = {});
    void append(Instruction inst) { instructions.push_back(std::move(inst)); }

    // Checks every instruction (recursively): operand indices in range and distinct, arity and
    // parameter counts match the gate table, conditions name existing bits/registers, bodies fit.
    // Errors name the instruction index and what is wrong.
    Status validate() const;

    // Free symbols of instructions (recursively), global phase included, in Qiskit's order.
    std::vector<Symbol> parameters() const;
    // Binds values given in parameters() order. Errors: wrong count.
    Result<Circuit> bind(const std::vector<double>& values) const;
    Result<Circuit> bind(const std::map<std::string, double>& by_name) const;

    // Qubits that any instruction touches (sorted), so a simulator can drop idle ones.
    std::vector<std::uint32_t> used_qubits() const;
    // Number of top-level instructions (bodies and definitions not counted).
    std::size_t size() const { return instructions.size(); }

private:
    std::uint32_t num_qubits_ = 0;
    std::uint32_t num_clbits_ = 0;
};

// The unitary of a circuit of unitary gates, custom gates and barriers only (global phase
// included), for checks and tests. Errors: a non-unitary operation, free parameters, more than
// `max_qubits` qubits.
Result<Matrix> circuit_unitary(const Circuit& c, std::uint32_t max_qubits = 10);

}  // namespace qrt::circuit
