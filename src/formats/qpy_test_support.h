// Test support: writes QPY byte streams by hand, record by record, following the layout in
// docs/formats/qpy.md, so tests, benchmarks and fuzz seeds need no Python. Not a QPY writer for
// production: it encodes exactly the fields it is given. Header-only; thread-compatible.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "circuit/param.h"

namespace qrt::formats::testing {

// Big-endian (and, where QPY needs it, little-endian) field writers.
struct Bytes {
    std::string out;

    Bytes& u8(std::uint8_t v) {
        out.push_back(static_cast<char>(v));
        return *this;
    }
    Bytes& ch(char c) {
        out.push_back(c);
        return *this;
    }
    Bytes& be(std::uint64_t v, int n) {
        for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
        return *this;
    }
    Bytes& le(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
        return *this;
    }
    Bytes& u16(std::uint64_t v) { return be(v, 2); }
    Bytes& u32(std::uint64_t v) { return be(v, 4); }
    Bytes& u64(std::uint64_t v) { return be(v, 8); }
    Bytes& f64(double v) { return be(std::bit_cast<std::uint64_t>(v), 8); }
    Bytes& raw(std::string_view s) {
        out.append(s);
        return *this;
    }
};

inline circuit::Uuid make_uuid(std::uint8_t seed) {
    circuit::Uuid u{};
    for (std::size_t i = 0; i < u.size(); ++i) u[i] = static_cast<std::uint8_t>(seed * 17 + i);
    return u;
}

inline std::string uuid_bytes(const circuit::Uuid& u) {
    return std::string(reinterpret_cast<const char*>(u.data()), u.size());
}

// ---- INSTRUCTION_PARAM payloads: each returns the full record (type, size, payload).
inline std::string param(char type, std::string_view payload) {
    return Bytes().ch(type).u64(payload.size()).raw(payload).out;
}
// f/i parameters are little-endian up to v17 and big-endian from v18 (pitfall P1).
inline std::string param_f(int version, double v) {
    Bytes b;
    if (version <= 17)
        b.le(std::bit_cast<std::uint64_t>(v), 8);
    else
        b.f64(v);
    return param('f', b.out);
}
inline std::string param_i(int version, std::int64_t v) {
    Bytes b;
    if (version <= 17)
        b.le(static_cast<std::uint64_t>(v), 8);
    else
        b.u64(static_cast<std::uint64_t>(v));
    return param('i', b.out);
}
inline std::string parameter_struct(std::string_view name, const circuit::Uuid& u) {
    return Bytes().u16(name.size()).raw(uuid_bytes(u)).raw(name).out;
}
inline std::string vector_element_struct(std::string_view vector, std::uint64_t size,
                                         const circuit::Uuid& element_uuid, std::uint64_t index) {
    return Bytes()
        .u16(vector.size())
        .u64(size)
        .raw(uuid_bytes(element_uuid))
        .u64(index)
        .raw(vector)
        .out;
}
inline std::string param_p(std::string_view name, const circuit::Uuid& u) {
    return param('p', parameter_struct(name, u));
}
inline std::string param_v(std::string_view vector, std::uint64_t size, const circuit::Uuid& u,
                           std::uint64_t index) {
    return param('v', vector_element_struct(vector, size, u, index));
}
// v18: a vector element is (index into the circuit's PARAMETER_VECTOR_TABLE, element index).
inline std::string vector_element_ref(std::uint16_t vector_index, std::uint64_t index) {
    return Bytes().u16(vector_index).u64(index).out;
}
inline std::string param_v18(std::uint16_t vector_index, std::uint64_t index) {
    return param('v', vector_element_ref(vector_index, index));
}

// One 35-byte replay entry. Operands: 'p' + uuid, 'f'/'i' + value, 'n' none.
struct Operand {
    char type = 'n';
    std::string data = std::string(16, '\0');

    static Operand none() { return {}; }
    static Operand sym(const circuit::Uuid& u) { return {'p', uuid_bytes(u)}; }
    static Operand f(double v) { return {'f', Bytes().u64(0).f64(v).out}; }
    static Operand i(std::int64_t v) {
        return {'i', Bytes().u64(0).u64(static_cast<std::uint64_t>(v)).out};
    }
    static Operand marker(char m) { return {m, std::string(16, '\0')}; }
};
inline std::string replay_entry(std::uint8_t op, const Operand& lhs, const Operand& rhs) {
    return Bytes().u8(op).ch(lhs.type).raw(lhs.data).ch(rhs.type).raw(rhs.data).out;
}
struct SymbolEntry {
    char type = 'p';            // 'p' or 'v'
    std::string symbol_struct;  // parameter_struct / vector_element_struct
};
inline std::string parameter_expr(const std::vector<std::string>& entries,
                                  const std::vector<SymbolEntry>& symbols) {
    std::string replay;
    for (const auto& e : entries) replay += e;
    Bytes b;
    b.u64(symbols.size()).u64(replay.size()).raw(replay);
    for (const auto& s : symbols) b.ch(s.type).ch(s.type).u64(0).raw(s.symbol_struct);
    return b.out;
}

// ---- records
struct Inst {
    std::string name;  // class name ("RZGate") or custom name
    std::vector<std::uint32_t> qargs, cargs;
    std::vector<std::string> params;  // full INSTRUCTION_PARAM records
    std::string label;
    std::uint8_t extras = 0;         // condition kind in bits 0-1
    std::string condition_register;  // kind 1 payload
    std::int64_t condition_value = 0;
    std::string condition_expr;  // kind 2: the 'x' INSTRUCTION_PARAM record
    std::uint32_t num_ctrl_qubits = 0;
    std::uint32_t ctrl_state = 0;
};

inline Inst make_inst(std::string name, std::vector<std::uint32_t> qargs,
                      std::vector<std::uint32_t> cargs = {}, std::vector<std::string> params = {}) {
    Inst i;
    i.name = std::move(name);
    i.qargs = std::move(qargs);
    i.cargs = std::move(cargs);
    i.params = std::move(params);
    return i;
}

inline std::string instruction(const Inst& in) {
    Bytes b;
    b.u16(in.name.size())
        .u16(in.label.size())
        .u16(in.params.size())
        .u32(in.qargs.size())
        .u32(in.cargs.size())
        .u8(in.extras)
        .u16(in.condition_register.size())
        .u64(static_cast<std::uint64_t>(in.condition_value))
        .u32(in.num_ctrl_qubits)
        .u32(in.ctrl_state);
    b.raw(in.name).raw(in.label).raw(in.condition_register).raw(in.condition_expr);
    for (auto q : in.qargs) b.ch('q').u32(q);
    for (auto c : in.cargs) b.ch('c').u32(c);
    for (const auto& p : in.params) b.raw(p);
    return b.out;
}

struct Reg {
    char type = 'q';
    std::string name;
    std::vector<std::int64_t> indices;
    bool in_circuit = true;
    bool standalone = true;
    bool contiguous = false;  // v18: written as the first index only
};

// One register record (REGISTER_V4 up to v17; v18 adds the attachment byte and u32 indices).
inline std::string register_record(int version, const Reg& r) {
    Bytes b;
    b.ch(r.type).u8(r.standalone).u32(r.indices.size()).u16(r.name.size()).u8(r.in_circuit);
    if (version >= 18) b.u8(r.contiguous);
    b.raw(r.name);
    if (version >= 18 && r.contiguous) {
        b.u32(r.indices.empty() ? 0 : static_cast<std::uint64_t>(r.indices[0]));
    } else {
        for (auto i : r.indices) {
            if (version >= 18)
                b.u32(i < 0 ? 0xFFFFFFFFu : static_cast<std::uint64_t>(i));
            else
                b.u64(static_cast<std::uint64_t>(i));
        }
    }
    return b.out;
}

// A v18 PARAMETER_VECTOR_TABLE entry.
struct Vec {
    std::string name;
    std::uint64_t size = 0;
    circuit::Uuid root{};
};

struct Custom {
    std::string name;
    char type = 'g';
    std::uint32_t num_qubits = 0, num_clbits = 0;
    bool has_definition = true;
    std::string definition;  // a circuit payload
};

struct Circ {
    std::string name = "circuit";
    std::uint32_t num_qubits = 0, num_clbits = 0;
    char global_phase_type = 'f';
    std::string global_phase = Bytes().f64(0.0).out;  // payload
    std::string metadata = "{}";
    std::vector<Reg> registers;
    std::vector<Vec> vectors;  // v18 only
    std::vector<Custom> customs;
    std::vector<std::string> instructions;  // instruction() records
    std::uint32_t num_vars = 0;
    std::uint32_t annotation_namespaces = 0;
    std::uint16_t calibrations = 0;
    std::string layout;  // empty: "no layout"
};

inline std::string no_layout() {
    return Bytes()
        .u8(0)
        .u32(static_cast<std::uint32_t>(-1))
        .u32(static_cast<std::uint32_t>(-1))
        .u32(static_cast<std::uint32_t>(-1))
        .u32(0)
        .u32(0)
        .out;
}

inline std::string circuit_payload(int version, const Circ& c) {
    Bytes b;
    std::uint64_t total_regs = c.registers.size();
    b.u16(c.name.size())
        .ch(c.global_phase_type)
        .u16(c.global_phase.size())
        .u32(c.num_qubits)
        .u32(c.num_clbits)
        .u64(c.metadata.size())
        .u32(total_regs)
        .u64(c.instructions.size())
        .u32(c.num_vars);
    b.raw(c.name).raw(c.global_phase).raw(c.metadata);
    for (const auto& r : c.registers) b.raw(register_record(version, r));
    if (version >= 15) b.u32(c.annotation_namespaces);
    if (version >= 18) {
        b.u16(c.vectors.size());
        for (const auto& v : c.vectors)
            b.u16(v.name.size()).u64(v.size).raw(uuid_bytes(v.root)).raw(v.name);
    }
    b.u64(c.customs.size());
    for (const auto& d : c.customs) {
        const std::string def = d.has_definition ? d.definition : std::string();
        b.u16(d.name.size())
            .ch(d.type)
            .u32(d.num_qubits)
            .u32(d.num_clbits)
            .u8(d.has_definition)
            .u64(def.size())
            .u32(0)
            .u32(0)
            .u64(0);
        b.raw(d.name).raw(def);
    }
    for (const auto& i : c.instructions) b.raw(i);
    if (version < 18) b.u16(c.calibrations);
    b.raw(c.layout.empty() ? no_layout() : c.layout);
    return b.out;
}

inline std::string qpy_file(int version, const std::vector<std::string>& circuits) {
    Bytes b;
    b.raw("QISKIT")
        .u8(static_cast<std::uint8_t>(version))
        .u8(2)
        .u8(5)
        .u8(2)
        .u64(circuits.size())
        .ch('p')
        .ch('q');
    if (version >= 16) {
        std::uint64_t at = b.out.size() + 8 * circuits.size();
        for (const auto& c : circuits) {
            b.u64(at);
            at += c.size();
        }
    }
    for (const auto& c : circuits) b.raw(c);
    return b.out;
}

inline std::string qpy_file(int version, const Circ& c) {
    return qpy_file(version, std::vector<std::string>{circuit_payload(version, c)});
}

}  // namespace qrt::formats::testing
