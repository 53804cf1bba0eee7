#include "formats/qpy_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace qrt::formats {
namespace {

using circuit::Circuit;
using circuit::Condition;
using circuit::CustomGate;
using circuit::Expr;
using circuit::ExprOp;
using circuit::GateInfo;
using circuit::GateKind;
using circuit::Instruction;
using circuit::Register;
using circuit::Symbol;
using circuit::Uuid;

// Nesting limits: if_else bodies and custom definitions inside each other, classical condition
// expressions, and parameter-expression trees (deep trees would overflow the stack later, when an
// Expr is printed, evaluated or destroyed).
constexpr int kMaxCircuitNesting = 16;
constexpr int kMaxConditionDepth = 64;
constexpr int kMaxExprDepth = 256;
constexpr int kMaxExprNesting = 8;

constexpr std::size_t kInstructionHeaderSize = 33;
constexpr std::size_t kCircuitHeaderSize = 37;
constexpr std::size_t kRegisterHeaderSize = 9;
constexpr std::size_t kCustomInstructionSize = 36;
constexpr std::size_t kParamHeaderSize = 9;
constexpr std::size_t kArgSize = 5;
constexpr std::size_t kReplayEntrySize = 35;
constexpr std::size_t kLayoutHeaderSize = 21;

// Thrown inside the reader, converted to a Status at the entry point.
struct QpyError {
    Status status;
};

std::string printable(std::string_view s) {
    std::string out;
    for (unsigned char c : s.substr(0, 80)) {
        if (c >= 0x20 && c < 0x7F) {
            out.push_back(static_cast<char>(c));
        } else {
            out += fmt::format("\\x{:02x}", c);
        }
    }
    if (s.size() > 80) out += "...";
    return out;
}

std::string type_name(char t) {
    switch (t) {
        case 'f':
            return "'f' (float)";
        case 'i':
            return "'i' (integer)";
        case 'p':
            return "'p' (Parameter)";
        case 'v':
            return "'v' (ParameterVector element)";
        case 'e':
            return "'e' (ParameterExpression)";
        case 'q':
            return "'q' (circuit)";
        case 'x':
            return "'x' (classical expression)";
        case 'z':
            return "'z' (None)";
        case 's':
            return "'s' (string)";
        case 'R':
            return "'R' (register)";
        case 'c':
            return "'c' (complex)";
        case 'n':
            return "'n' (numpy array)";
        case 't':
            return "'t' (tuple)";
        case 'r':
            return "'r' (range)";
        case 'd':
            return "'d' (switch default case)";
        case 'm':
            return "'m' (modifier)";
        default: {
            const auto u = static_cast<unsigned char>(t);
            if (u >= 0x20 && u < 0x7F) return fmt::format("'{}'", t);
            return fmt::format("0x{:02x}", u);
        }
    }
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// "rzx_0123...cdef" -> "rzx": QPY 11-17 append a per-instance uuid (32 hex digits, or 36
// characters with hyphens) to custom operation names (pitfall P7), QPY 18 a counter ("rzx_0").
std::string strip_uuid_suffix(std::string_view name, int version) {
    const auto cut = name.rfind('_');
    if (cut == std::string_view::npos || cut == 0) return std::string(name);
    const std::string_view tail = name.substr(cut + 1);
    // From v18 the suffix is a per-dump counter ("my_gate_0").
    const bool counter =
        version >= 18 && !tail.empty() && tail.size() <= 20 &&
        std::all_of(tail.begin(), tail.end(), [](char c) { return c >= '0' && c <= '9'; });
    const bool plain =
        counter || (tail.size() == 32 && std::all_of(tail.begin(), tail.end(), is_hex));
    const bool hyphenated = tail.size() == 36 && std::all_of(tail.begin(), tail.end(), [](char c) {
                                return c == '-' || is_hex(c);
                            });
    if (!plain && !hyphenated) return std::string(name);
    std::string_view head = name.substr(0, cut);
    while (!head.empty() && head.front() == '#') head.remove_prefix(1);  // "###PauliEvolution..."
    return std::string(head);
}

// A decoded INSTRUCTION_PARAM.
struct Param {
    char type = 0;
    Expr expr;                            // f i p v e c
    std::shared_ptr<const Circuit> body;  // q
    std::string text;                     // s
};

struct CustomDef {
    char type = 0;
    std::uint32_t num_qubits = 0;
    std::uint32_t num_clbits = 0;
    std::shared_ptr<const CustomGate> gate;  // built on first use
    std::shared_ptr<const Circuit> definition;
};

// One subs() mapping of a legacy replay: symbol (by name before v15, by uuid from v15) -> value.
struct Substitution {
    std::string key;
    Expr value;
};

// An entry of a v18 PARAMETER_VECTOR_TABLE.
struct VectorEntry {
    std::string name;
    std::uint64_t size = 0;
    Uuid root{};
};

// root + index as 128-bit big-endian integers: a vector element's uuid.
Uuid element_uuid(const Uuid& root, std::uint64_t index) {
    Uuid u = root;
    unsigned carry = 0;
    for (int i = 15; i >= 0; --i) {
        const unsigned add = i >= 8 ? static_cast<unsigned>((index >> (8 * (15 - i))) & 0xFF) : 0;
        const unsigned sum = u[static_cast<std::size_t>(i)] + add + carry;
        u[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(sum & 0xFF);
        carry = sum >> 8;
    }
    return u;
}

// The scope of one circuit being read: what instructions refer to.
struct Scope {
    std::uint32_t num_qubits = 0;
    std::uint32_t num_clbits = 0;
    const std::vector<Register>* cregs = nullptr;
    std::map<std::string, CustomDef, std::less<>> customs;
};

// A parsed classical expression node (only what an if_else condition needs to be matched).
struct CNode {
    char kind = 0;  // x v c u b i s
    char type = 0;  // b u f d
    std::uint32_t width = 0;
    char var_kind = 0;  // C R U (kind x)
    std::uint32_t clbit = 0;
    std::string reg;
    char value_kind = 0;  // b i f t (kind v)
    bool bool_value = false;
    bool int_fits = true;  // the integer value fits in an int64
    std::int64_t int_value = 0;
    std::uint8_t op = 0;  // kind u / b
    std::vector<CNode> children;
};

class Parser {
public:
    explicit Parser(std::span<const std::uint8_t> bytes)
        : data_(bytes.data()), end_(bytes.size()) {}

    std::vector<Circuit> read_file();

private:
    struct Frame {
        const char* record;
        std::int64_t index;
    };
    // Names the record being read for error messages; index -1 for unnumbered records.
    class Context {
    public:
        Context(Parser& p, const char* record, std::int64_t index = -1) : p_(p) {
            if (p_.depth_ < p_.frames_.size()) p_.frames_[p_.depth_] = {record, index};
            ++p_.depth_;
        }
        ~Context() { --p_.depth_; }
        Context(const Context&) = delete;
        Context& operator=(const Context&) = delete;

    private:
        Parser& p_;
    };
    // Limits reading to the next `size` bytes (a length-prefixed payload), and checks on exit
    // that they were all consumed.
    class Limit {
    public:
        Limit(Parser& p, std::uint64_t size, const char* what) : p_(p), saved_end_(p.end_) {
            p_.need(size, what);
            p_.end_ = p_.pos_ + static_cast<std::size_t>(size);
        }
        ~Limit() { p_.end_ = saved_end_; }
        void finish(const char* what) {
            if (p_.pos_ != p_.end_) {
                p_.fail_invalid(fmt::format("{} has {} unexpected bytes at its end (byte {})", what,
                                            p_.end_ - p_.pos_, p_.pos_));
            }
        }
        Limit(const Limit&) = delete;
        Limit& operator=(const Limit&) = delete;

    private:
        Parser& p_;
        std::size_t saved_end_;
    };

    // ---- errors
    std::string where() const {
        std::string s;
        for (std::size_t i = std::min(depth_, frames_.size()); i-- > 0;) {
            if (!s.empty()) s += " of ";
            s += frames_[i].record;
            if (frames_[i].index >= 0) s += fmt::format(" #{}", frames_[i].index);
        }
        return s.empty() ? std::string("FILE_HEADER") : s;
    }
    [[noreturn]] void fail(ErrorCode code, const std::string& what) const {
        throw QpyError{Status(code, fmt::format("QPY: {}: {}", where(), what))};
    }
    [[noreturn]] void fail_invalid(const std::string& what) const {
        fail(ErrorCode::kInvalidArgument, what);
    }
    [[noreturn]] void fail_unsupported(const std::string& what) const {
        fail(ErrorCode::kUnimplemented, what);
    }
    [[noreturn]] void refuse_condition() const {
        fail_unsupported(
            "this if_else condition is not supported: conditions must be a clbit, a register "
            "bit, their negation, or a clbit or register compared with == or != to a constant");
    }

    // ---- primitive reads (all bounds-checked against end_)
    std::size_t remaining() const { return end_ - pos_; }
    void need(std::uint64_t n, const char* field = nullptr) const {
        if (n > remaining()) {
            throw QpyError{invalid_argument(fmt::format(
                "QPY: truncated {}{} at byte {}: need {} bytes, have {}", where(),
                field ? fmt::format(" ({})", field) : std::string(), pos_, n, remaining()))};
        }
    }
    const std::uint8_t* take(std::size_t n, const char* field = nullptr) {
        need(n, field);
        const std::uint8_t* p = data_ + pos_;
        pos_ += n;
        return p;
    }
    static std::uint64_t be(const std::uint8_t* p, int n) {
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
        return v;
    }
    static std::uint64_t le(const std::uint8_t* p, int n) {
        std::uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
        return v;
    }
    std::uint8_t u8(const char* f = nullptr) { return *take(1, f); }
    char ch(const char* f = nullptr) { return static_cast<char>(*take(1, f)); }
    bool boolean(const char* f = nullptr) { return *take(1, f) != 0; }
    std::uint16_t u16(const char* f = nullptr) {
        return static_cast<std::uint16_t>(be(take(2, f), 2));
    }
    std::uint32_t u32(const char* f = nullptr) {
        return static_cast<std::uint32_t>(be(take(4, f), 4));
    }
    std::int32_t i32(const char* f = nullptr) { return static_cast<std::int32_t>(u32(f)); }
    std::uint64_t u64(const char* f = nullptr) { return be(take(8, f), 8); }
    std::int64_t i64(const char* f = nullptr) { return static_cast<std::int64_t>(u64(f)); }
    double f64(const char* f = nullptr) { return std::bit_cast<double>(u64(f)); }
    std::string_view bytes(std::uint64_t n, const char* f = nullptr) {
        need(n, f);
        const auto* p = reinterpret_cast<const char*>(data_ + pos_);
        pos_ += static_cast<std::size_t>(n);
        return {p, static_cast<std::size_t>(n)};
    }
    Uuid uuid(const char* f = nullptr) {
        Uuid u{};
        std::memcpy(u.data(), take(16, f), 16);
        return u;
    }
    // Refuses a count whose records (at least `min_size` bytes each) cannot fit in what remains,
    // before anything is allocated for them.
    void check_count(std::uint64_t count, std::size_t min_size, const char* what) const {
        if (min_size > 0 && count > remaining() / min_size) {
            fail_invalid(fmt::format(
                "truncated or corrupt: {} {} declared at byte {} cannot fit in the {} bytes that "
                "remain (at least {} bytes each)",
                count, what, pos_, remaining(), min_size));
        }
    }

    // ---- records
    Circuit read_circuit(int nesting);
    void read_registers(Circuit& c, std::uint32_t num_registers);
    void read_custom_definitions(Scope& scope, int nesting);
    Instruction read_instruction(Scope& scope, std::int64_t index, int nesting);
    Param read_param(std::int64_t index, bool instruction_endianness, int nesting,
                     std::string_view op_name);
    Expr read_global_phase(char type, std::uint16_t size);
    Symbol read_parameter();
    Symbol read_parameter_vector_element();
    Expr read_parameter_expression();
    std::vector<Substitution> read_substitutions();
    Condition read_register_condition(const Scope& scope, std::uint16_t size, std::int64_t value);
    Condition read_expression_condition(const Scope& scope);
    CNode read_cnode(int depth);
    Condition reduce_condition(const Scope& scope, const CNode& n);
    void read_layout();
    const GateInfo* lookup_class(std::string_view name);

    const std::uint8_t* data_;
    std::size_t pos_ = 0;
    std::size_t end_;
    int version_ = 0;
    // The records being read, outermost first (a fixed stack: this is on every record's path).
    std::array<Frame, 512> frames_{};
    std::size_t depth_ = 0;
    std::vector<std::pair<std::string, const GateInfo*>> class_cache_;
    const std::vector<VectorEntry>* vectors_ = nullptr;  // v18: the current circuit's table
    int expr_nesting_ = 0;  // parameter expressions inside subs() mappings and symbol tables
};

std::vector<Circuit> Parser::read_file() {
    {
        Context ctx(*this, "FILE_HEADER");
        const std::string_view magic = bytes(6, "magic");
        if (magic != "QISKIT") {
            fail_invalid(fmt::format(
                "not a QPY file: expected magic 'QISKIT' at byte 0, found '{}'", printable(magic)));
        }
        version_ = u8("qpy_version");
        if (version_ < kQpyMinVersion || version_ > kQpyMaxVersion) {
            fail_unsupported(fmt::format("QPY version {} is not supported (supported: {} to {})",
                                         version_, kQpyMinVersion, kQpyMaxVersion));
        }
    }
    std::optional<Context> header;
    header.emplace(*this, "FILE_HEADER");
    take(3, "qiskit_version");
    const std::uint64_t num_programs = u64("num_programs");
    ch("symbolic_encoding");  // meaningless from v13: expressions use the replay encoding
    const char type_key = ch("type_key");
    if (type_key == 's') {
        fail_unsupported("the file holds pulse schedules (type key 's'), not circuits");
    }
    if (type_key != 'q') {
        fail_invalid(fmt::format("unknown program type key {} at byte {} (expected 'q')",
                                 type_name(type_key), pos_ - 1));
    }
    check_count(num_programs, version_ >= 16 ? 8 + kCircuitHeaderSize : kCircuitHeaderSize,
                "programs");
    std::vector<std::uint64_t> offsets;
    if (version_ >= 16) {
        Context table(*this, "CIRCUIT_OFFSETS");
        offsets.reserve(static_cast<std::size_t>(num_programs));
        for (std::uint64_t i = 0; i < num_programs; ++i) offsets.push_back(u64());
    }
    header.reset();
    std::vector<Circuit> circuits;
    circuits.reserve(static_cast<std::size_t>(num_programs));
    const std::size_t file_end = end_;
    for (std::uint64_t i = 0; i < num_programs; ++i) {
        Context c(*this, "CIRCUIT", static_cast<std::int64_t>(i));
        if (version_ >= 16) {
            const std::uint64_t at = offsets[i];
            const std::uint64_t next = i + 1 < num_programs ? offsets[i + 1] : file_end;
            if (at != pos_ || next < at || next > file_end) {
                fail_invalid(fmt::format(
                    "CIRCUIT_OFFSETS gives offset {} (next {}), but the circuit starts at byte {} "
                    "and the file has {} bytes",
                    at, next, pos_, file_end));
            }
            end_ = static_cast<std::size_t>(next);
        }
        circuits.push_back(read_circuit(0));
        end_ = file_end;
    }
    if (pos_ != end_) {
        fail_invalid(
            fmt::format("{} unexpected bytes after the last circuit (byte {})", end_ - pos_, pos_));
    }
    return circuits;
}

Circuit Parser::read_circuit(int nesting) {
    if (nesting > kMaxCircuitNesting) {
        fail_unsupported(fmt::format("circuits nest deeper than {} levels", kMaxCircuitNesting));
    }
    std::uint16_t name_size, gp_size;
    char gp_type;
    std::uint32_t num_qubits, num_clbits, num_registers, num_vars;
    std::uint64_t metadata_size, num_instructions;
    {
        Context ctx(*this, "CIRCUIT_HEADER");
        need(kCircuitHeaderSize);
        name_size = u16();
        gp_type = ch();
        gp_size = u16();
        num_qubits = u32();
        num_clbits = u32();
        metadata_size = u64();
        num_registers = u32();
        num_instructions = u64();
        num_vars = u32();
    }
    Circuit c(num_qubits, num_clbits);
    {
        Context ctx(*this, "CIRCUIT_HEADER");
        c.name = std::string(bytes(name_size, "name"));
    }
    // v18 vector elements refer to the PARAMETER_VECTOR_TABLE, which follows the registers, so a
    // v18 global phase is decoded once that table is read.
    const std::size_t gp_at = pos_;
    {
        Context ctx(*this, "global phase");
        if (version_ < 18) {
            c.global_phase = read_global_phase(gp_type, gp_size);
        } else {
            bytes(gp_size, "value");
        }
    }
    {
        Context ctx(*this, "metadata");
        c.metadata_json = std::string(bytes(metadata_size, "metadata JSON"));
        if (c.metadata_json.empty()) c.metadata_json = "{}";
    }
    read_registers(c, num_registers);
    if (num_vars > 0) {
        fail_unsupported(fmt::format(
            "circuit '{}' declares {} standalone classical variables (expr.Var/Stretch), which are "
            "not supported",
            printable(c.name), num_vars));
    }
    if (version_ >= 15) {
        Context ctx(*this, "ANNOTATION_HEADER");
        const std::uint32_t namespaces = u32("num_namespaces");
        if (namespaces != 0) {
            fail_unsupported(fmt::format(
                "circuit '{}' has {} annotation namespaces; annotations (on box) are not supported",
                printable(c.name), namespaces));
        }
    }
    std::vector<VectorEntry> vectors;
    struct Restore {
        Parser& p;
        const std::vector<VectorEntry>* saved;
        ~Restore() { p.vectors_ = saved; }
    } restore{*this, vectors_};
    if (version_ >= 18) {
        {
            Context ctx(*this, "PARAMETER_VECTOR_TABLE");
            const std::uint16_t num_vectors = u16("num_vectors");
            check_count(num_vectors, 26, "parameter vectors");
            vectors.reserve(num_vectors);
            for (std::uint16_t v = 0; v < num_vectors; ++v) {
                need(26, "entry");
                const std::uint16_t vector_name_size = u16();
                VectorEntry e;
                e.size = u64();
                e.root = uuid();
                e.name = std::string(bytes(vector_name_size, "vector name"));
                if (e.name.empty()) fail_invalid(fmt::format("vector {} has an empty name", v));
                vectors.push_back(std::move(e));
            }
        }
        vectors_ = &vectors;
        const std::size_t saved = pos_;
        pos_ = gp_at;
        {
            Context ctx(*this, "global phase");
            c.global_phase = read_global_phase(gp_type, gp_size);
        }
        pos_ = saved;
    }
    Scope scope;
    scope.num_qubits = num_qubits;
    scope.num_clbits = num_clbits;
    scope.cregs = &c.cregs;
    read_custom_definitions(scope, nesting);

    check_count(num_instructions, kInstructionHeaderSize, "instructions");
    c.instructions.reserve(static_cast<std::size_t>(num_instructions));
    for (std::uint64_t i = 0; i < num_instructions; ++i) {
        c.instructions.push_back(read_instruction(scope, static_cast<std::int64_t>(i), nesting));
    }
    if (version_ < 18) {
        Context ctx(*this, "CALIBRATIONS");
        const std::uint16_t num_cals = u16("num_cals");
        if (num_cals != 0) {
            fail_unsupported(fmt::format(
                "circuit '{}' carries {} pulse calibrations; pulse calibrations are not supported",
                printable(c.name), num_cals));
        }
    }
    read_layout();
    return c;
}

void Parser::read_registers(Circuit& c, std::uint32_t num_registers) {
    check_count(num_registers, kRegisterHeaderSize, "registers");
    for (std::uint32_t r = 0; r < num_registers; ++r) {
        Context ctx(*this, "REGISTER", r);
        const std::size_t header_size = kRegisterHeaderSize + (version_ >= 18 ? 1 : 0);
        need(header_size);
        const char type = ch();
        boolean();  // standalone: whether the register owns its bits; indices say all we need
        const std::uint32_t size = u32();
        const std::uint16_t name_size = u16();
        const bool in_circuit = boolean();
        // v18: 1 = a contiguous register, stored as its first index only.
        const bool contiguous = version_ >= 18 && u8() == 1;
        // v18 adds 'a' (AncillaRegister), a quantum register.
        if (type != 'q' && type != 'c' && !(type == 'a' && version_ >= 18)) {
            fail_invalid(fmt::format("register type {} at byte {} is not 'q' or 'c'{}",
                                     type_name(type), pos_ - header_size,
                                     version_ >= 18 ? " or 'a'" : ""));
        }
        const bool quantum = type != 'c';
        Register reg;
        reg.name = std::string(bytes(name_size, "name"));
        reg.in_circuit = in_circuit;
        const std::uint32_t limit = quantum ? c.num_qubits() : c.num_clbits();
        const char* bits_name = quantum ? "qubits" : "clbits";
        if (contiguous) {
            const std::uint32_t first = u32("first index");
            if (std::uint64_t{first} + size > limit) {
                fail_invalid(fmt::format(
                    "register '{}' covers bits {} to {} (byte {}), but the circuit has {} {}",
                    printable(reg.name), first, std::uint64_t{first} + size - 1, pos_ - 4, limit,
                    bits_name));
            }
            reg.bits.resize(size);
            for (std::uint32_t b = 0; b < size; ++b) reg.bits[b] = std::int64_t{first} + b;
        } else {
            const std::size_t width = version_ >= 18 ? 4 : 8;
            check_count(size, width, "register bits");
            reg.bits.reserve(size);
            for (std::uint32_t b = 0; b < size; ++b) {
                std::int64_t index;
                if (version_ >= 18) {
                    const std::uint32_t raw = u32("bit index");
                    index = raw == 0xFFFFFFFFu ? -1 : std::int64_t{raw};  // v18's "not in circuit"
                } else {
                    index = i64("bit index");
                }
                if (index < -1 || index >= static_cast<std::int64_t>(limit)) {
                    fail_invalid(fmt::format(
                        "register '{}' bit {} has index {} at byte {}, but the circuit has {} {}",
                        printable(reg.name), b, index, pos_ - width, limit, bits_name));
                }
                reg.bits.push_back(index);
            }
        }
        (quantum ? c.qregs : c.cregs).push_back(std::move(reg));
    }
}

void Parser::read_custom_definitions(Scope& scope, int nesting) {
    Context ctx(*this, "CUSTOM_DEFINITIONS");
    const std::uint64_t count = u64("count");
    check_count(count, kCustomInstructionSize, "custom definitions");
    for (std::uint64_t i = 0; i < count; ++i) {
        Context item(*this, "CUSTOM_INSTRUCTION", static_cast<std::int64_t>(i));
        need(kCustomInstructionSize);
        const std::uint16_t name_size = u16();
        const char type = ch();
        const std::uint32_t num_qubits = u32();
        const std::uint32_t num_clbits = u32();
        const bool has_definition = boolean();
        const std::uint64_t size = u64();
        u32();  // num_ctrl_qubits (controlled gates only; refused below)
        u32();  // ctrl_state
        const std::uint64_t base_gate_size = u64();
        const std::string name(bytes(name_size, "name"));
        const std::string shown = strip_uuid_suffix(name, version_);
        switch (type) {
            case 'g':
            case 'i':
                break;
            case 'c':
                fail_unsupported(fmt::format(
                    "custom controlled gate '{}' is not supported (controlled custom gates)",
                    printable(shown)));
            case 'a':
                fail_unsupported(fmt::format(
                    "annotated operation '{}' (inverse/control/power modifiers) is not supported",
                    printable(shown)));
            case 'p':
                fail_unsupported(
                    fmt::format("PauliEvolutionGate '{}' is not supported", printable(shown)));
            default:
                fail_invalid(fmt::format("custom instruction '{}' has unknown type {}",
                                         printable(shown), type_name(type)));
        }
        if (!has_definition) {
            fail_unsupported(fmt::format(
                "opaque custom {} '{}' ({} qubits, {} clbits) has no definition, so it cannot be "
                "simulated",
                type == 'g' ? "gate" : "instruction", printable(shown), num_qubits, num_clbits));
        }
        if (num_clbits != 0) {
            fail_unsupported(fmt::format(
                "custom instruction '{}' acts on {} clbits; only custom gates (qubits only) are "
                "supported",
                printable(shown), num_clbits));
        }
        CustomDef def;
        def.type = type;
        def.num_qubits = num_qubits;
        def.num_clbits = num_clbits;
        {
            Context body(*this, "definition CIRCUIT");
            Limit limit(*this, size, "definition");
            Circuit d = read_circuit(nesting + 1);
            limit.finish("the definition");
            if (d.num_qubits() != num_qubits || d.num_clbits() != num_clbits) {
                fail_invalid(fmt::format(
                    "definition of '{}' has {} qubits and {} clbits, but the gate has {} and {}",
                    printable(shown), d.num_qubits(), d.num_clbits(), num_qubits, num_clbits));
            }
            def.definition = std::make_shared<const Circuit>(std::move(d));
        }
        bytes(base_gate_size, "base gate");  // only for controlled/annotated ops (refused)
        scope.customs.insert_or_assign(name, std::move(def));
    }
}

const GateInfo* Parser::lookup_class(std::string_view name) {
    for (const auto& [n, info] : class_cache_) {
        if (n == name) return info;
    }
    const GateInfo* info = circuit::find_gate_by_qpy_class(name);
    if (class_cache_.size() < 32) class_cache_.emplace_back(std::string(name), info);
    return info;
}

bool is_mcx_class(std::string_view name) {
    return name == "MCXGate" || name == "MCXGrayCode" || name == "MCXRecursive" ||
           name == "MCXVChain" || name == "C4XGate";
}

std::string unsupported_class_reason(std::string_view name) {
    if (name == "ForLoopOp" || name == "WhileLoopOp" || name == "SwitchCaseOp" ||
        name == "BreakLoopOp" || name == "ContinueLoopOp" || name == "BoxOp") {
        return "control flow other than if_else is not supported";
    }
    if (name == "Store") return "classical variables (Store) are not supported";
    if (name == "UnitaryGate" || name == "HamiltonianGate" || name == "Isometry" ||
        name == "Initialize" || name == "StatePreparation" || name == "Clifford" ||
        name == "PauliProductMeasurement") {
        return "operations defined by data (matrices, states, tableaux) are not supported";
    }
    if (name == "Gate" || name == "Instruction" || name == "ControlledGate") {
        return "it names a custom operation but the circuit has no definition for it";
    }
    return "unknown operation class";
}

Instruction Parser::read_instruction(Scope& scope, std::int64_t index, int nesting) {
    Context ctx(*this, "INSTRUCTION", index);
    const std::size_t start = pos_;
    need(kInstructionHeaderSize);
    const std::uint16_t name_size = u16();
    const std::uint16_t label_size = u16();
    const std::uint16_t num_params = u16();
    const std::uint32_t num_qargs = u32();
    const std::uint32_t num_cargs = u32();
    const std::uint8_t extras = u8();
    const std::uint16_t cond_size = u16();
    const std::int64_t cond_value = i64();
    const std::uint32_t num_ctrl = u32();
    const std::uint32_t ctrl_state = u32();
    const std::string_view name = bytes(name_size, "name");

    // Resolve the operation before reading its operands, so that an unsupported one is named as
    // such rather than by the first parameter it cannot read.
    Instruction inst;
    const CustomDef* custom = nullptr;
    const GateInfo* info = nullptr;
    int mcx_controls = -1;
    if (auto it = scope.customs.find(name); it != scope.customs.end()) {
        custom = &it->second;
        inst.kind = GateKind::kCustom;
    } else if (is_mcx_class(name)) {
        if (num_ctrl == 0 || num_ctrl > 64 || num_qargs != num_ctrl + 1) {
            fail_unsupported(fmt::format(
                "'{}' at byte {} with {} controls on {} qubits is not supported (only MCX without "
                "ancilla qubits)",
                printable(name), start, num_ctrl, num_qargs));
        }
        inst.kind = GateKind::kMCX;
        mcx_controls = static_cast<int>(num_ctrl);
    } else {
        info = lookup_class(name);
        if (info == nullptr) {
            fail_unsupported(fmt::format("operation '{}' at byte {} is not supported: {}",
                                         printable(name), start, unsupported_class_reason(name)));
        }
        inst.kind = info->kind;
    }
    if (num_ctrl > 0 && custom == nullptr) {
        const std::uint64_t default_state =
            num_ctrl >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << num_ctrl) - 1;
        if (ctrl_state != default_state) {
            fail_unsupported(fmt::format(
                "'{}' at byte {} has ctrl_state {} for {} controls; open controls (a control "
                "state other than all ones) are not supported",
                printable(name), start, ctrl_state, num_ctrl));
        }
    }
    inst.label = std::string(bytes(label_size, "label"));

    const int cond_kind = extras & 0x3;
    if ((extras & 0x7C) != 0 || cond_kind == 3) {
        fail_invalid(fmt::format("unknown extras bits 0x{:02x} at byte {}", extras, start + 14));
    }
    if (extras & 0x80) {
        fail_unsupported(
            fmt::format("'{}' carries annotations, which are not supported", printable(name)));
    }
    std::optional<Condition> condition;
    if (cond_kind == 1) {
        Context cctx(*this, "condition register");
        condition = read_register_condition(scope, cond_size, cond_value);
    } else {
        if (cond_size != 0) bytes(cond_size, "condition register");  // unused unless kind 1
        if (cond_kind == 2) {
            Context cctx(*this, "condition EXPRESSION");
            condition = read_expression_condition(scope);
        }
    }

    check_count(static_cast<std::uint64_t>(num_qargs) + num_cargs, kArgSize, "operands");
    inst.qubits.reserve(num_qargs);
    for (std::uint32_t q = 0; q < num_qargs; ++q) {
        const char t = ch("qarg");
        const std::uint32_t i = u32("qarg");
        if (t != 'q') {
            fail_invalid(fmt::format("qarg {} at byte {} has type {} (expected 'q')", q,
                                     pos_ - kArgSize, type_name(t)));
        }
        if (i >= scope.num_qubits) {
            fail_invalid(fmt::format("qarg {} at byte {} is qubit {}, but the circuit has {}", q,
                                     pos_ - kArgSize, i, scope.num_qubits));
        }
        inst.qubits.push_back(i);
    }
    inst.clbits.reserve(num_cargs);
    for (std::uint32_t q = 0; q < num_cargs; ++q) {
        const char t = ch("carg");
        const std::uint32_t i = u32("carg");
        if (t != 'c') {
            fail_invalid(fmt::format("carg {} at byte {} has type {} (expected 'c')", q,
                                     pos_ - kArgSize, type_name(t)));
        }
        if (i >= scope.num_clbits) {
            fail_invalid(fmt::format("carg {} at byte {} is clbit {}, but the circuit has {}", q,
                                     pos_ - kArgSize, i, scope.num_clbits));
        }
        inst.clbits.push_back(i);
    }

    check_count(num_params, kParamHeaderSize, "parameters");
    std::vector<Param> params;
    params.reserve(num_params);
    for (std::uint16_t p = 0; p < num_params; ++p) {
        params.push_back(read_param(p, true, nesting, name));
    }

    auto bad_arity = [&](const std::string& what) {
        fail_invalid(fmt::format("'{}' at byte {} {}", printable(name), start, what));
    };
    auto numeric_params = [&]() {
        inst.params.reserve(params.size());
        for (std::size_t p = 0; p < params.size(); ++p) {
            const char t = params[p].type;
            if (t != 'f' && t != 'i' && t != 'p' && t != 'v' && t != 'e' && t != 'c') {
                fail_unsupported(
                    fmt::format("'{}' parameter {} has type {}, which is not supported "
                                "for this operation",
                                printable(name), p, type_name(t)));
            }
            inst.params.push_back(std::move(params[p].expr));
        }
    };

    if (inst.kind == GateKind::kIfElse) {
        if (!condition) bad_arity("has no condition");
        if (params.empty() || params.size() > 2 || params[0].type != 'q' ||
            (params.size() == 2 && params[1].type != 'q' && params[1].type != 'z')) {
            bad_arity(
                fmt::format("has {} parameters; expected a true body and an optional false "
                            "body",
                            params.size()));
        }
        inst.then_body = params[0].body;
        if (params.size() == 2 && params[1].type == 'q') inst.else_body = params[1].body;
        for (const auto& body : {inst.then_body, inst.else_body}) {
            if (body && (body->num_qubits() != num_qargs || body->num_clbits() != num_cargs)) {
                bad_arity(
                    fmt::format("has a body with {} qubits and {} clbits for {} qargs and {} "
                                "cargs",
                                body->num_qubits(), body->num_clbits(), num_qargs, num_cargs));
            }
        }
        inst.condition = std::move(condition);
        return inst;
    }

    if (custom != nullptr) {
        if (num_qargs != custom->num_qubits || num_cargs != custom->num_clbits) {
            bad_arity(fmt::format("has {} qargs and {} cargs, but its definition has {} and {}",
                                  num_qargs, num_cargs, custom->num_qubits, custom->num_clbits));
        }
        // The definition is written per instance with the instance's parameters substituted, so
        // its free symbols are the circuit's: the gate takes those as its parameters.
        auto gate = std::make_shared<CustomGate>();
        gate->name = strip_uuid_suffix(name, version_);
        gate->num_qubits = custom->num_qubits;
        gate->body = custom->definition;
        gate->params = custom->definition->parameters();
        for (const Symbol& s : gate->params) inst.params.push_back(Expr::symbol(s));
        inst.custom = std::move(gate);
    } else if (inst.kind == GateKind::kDelay) {
        inst.delay_unit = "dt";
        for (std::size_t p = 0; p < params.size(); ++p) {
            if (params[p].type == 's') {
                const std::string& u = params[p].text;
                if (u != "dt" && u != "s" && u != "ms" && u != "us" && u != "ns" && u != "ps") {
                    fail_unsupported(fmt::format("Delay unit '{}' is not supported", printable(u)));
                }
                inst.delay_unit = u;
                params.erase(params.begin() + static_cast<std::ptrdiff_t>(p));
                break;
            }
        }
        numeric_params();
        if (inst.params.size() != 1) bad_arity(fmt::format("has {} durations", inst.params.size()));
        if (num_qargs != 1 || num_cargs != 0) bad_arity("must act on exactly one qubit");
    } else {
        numeric_params();
        if (mcx_controls >= 0) {
            if (!inst.params.empty()) bad_arity("takes no parameters");
        } else {
            if (info->num_params >= 0 &&
                inst.params.size() != static_cast<std::size_t>(info->num_params)) {
                bad_arity(fmt::format("has {} parameters, expected {}", inst.params.size(),
                                      info->num_params));
            }
            if (info->num_qubits >= 0 &&
                num_qargs != static_cast<std::uint32_t>(info->num_qubits)) {
                bad_arity(fmt::format("has {} qubits, expected {}", num_qargs, info->num_qubits));
            }
            const std::uint32_t want_cargs = inst.kind == GateKind::kMeasure ? 1 : 0;
            if (num_cargs != want_cargs) {
                bad_arity(fmt::format("has {} clbits, expected {}", num_cargs, want_cargs));
            }
        }
    }

    if (condition) {
        // A legacy c_if (QPY written by Qiskit 1.x): run the operation inside an if_else, as
        // Qiskit's own reader does.
        Instruction wrap;
        wrap.kind = GateKind::kIfElse;
        wrap.qubits = inst.qubits;
        wrap.clbits = inst.clbits;
        wrap.condition = std::move(condition);
        auto body = std::make_shared<Circuit>(num_qargs, num_cargs);
        for (std::uint32_t q = 0; q < num_qargs; ++q) inst.qubits[q] = q;
        for (std::uint32_t q = 0; q < num_cargs; ++q) inst.clbits[q] = q;
        body->instructions.push_back(std::move(inst));
        wrap.then_body = std::move(body);
        return wrap;
    }
    return inst;
}

Param Parser::read_param(std::int64_t index, bool instruction_endianness, int nesting,
                         std::string_view op_name) {
    Context ctx(*this, "INSTRUCTION_PARAM", index);
    need(kParamHeaderSize);
    Param p;
    p.type = ch();
    const std::uint64_t size = u64();
    Limit limit(*this, size, "payload");
    // Pitfall P1: instruction float/int parameters are little-endian up to v17.
    const bool little = instruction_endianness && version_ <= 17;
    auto fixed_size = [&](std::uint64_t want) {
        if (size != want) {
            fail_invalid(fmt::format("parameter of type {} has {} bytes, expected {}",
                                     type_name(p.type), size, want));
        }
    };
    switch (p.type) {
        case 'f': {
            fixed_size(8);
            const std::uint8_t* raw = take(8);
            p.expr = Expr(std::bit_cast<double>(little ? le(raw, 8) : be(raw, 8)));
            break;
        }
        case 'i': {
            fixed_size(8);
            const std::uint8_t* raw = take(8);
            p.expr = Expr(
                static_cast<double>(static_cast<std::int64_t>(little ? le(raw, 8) : be(raw, 8))));
            break;
        }
        case 'c': {
            fixed_size(16);
            const double re = f64();
            const double im = f64();
            p.expr = Expr::constant({re, im});
            break;
        }
        case 'p':
            p.expr = Expr::symbol(read_parameter());
            break;
        case 'v':
            p.expr = Expr::symbol(read_parameter_vector_element());
            break;
        case 'e':
            p.expr = read_parameter_expression();
            break;
        case 'q': {
            Context body(*this, "block CIRCUIT");
            p.body = std::make_shared<const Circuit>(read_circuit(nesting + 1));
            break;
        }
        case 'z':
            break;
        case 's':
            p.text = std::string(bytes(size));
            break;
        case 'x':
            fail_unsupported(
                fmt::format("'{}' parameter {} is a classical expression, which is "
                            "supported only as an if_else condition",
                            printable(op_name), index));
        case 'n':
        case 'm':
        case 't':
        case 'r':
        case 'd':
        case 'R':
            fail_unsupported(fmt::format("'{}' parameter {} has type {}, which is not supported",
                                         printable(op_name), index, type_name(p.type)));
        default:
            fail_invalid(fmt::format("unknown parameter type {} at byte {}", type_name(p.type),
                                     pos_ - kParamHeaderSize));
    }
    limit.finish("the parameter");
    return p;
}

Expr Parser::read_global_phase(char type, std::uint16_t size) {
    Limit limit(*this, size, "value");
    Expr e;
    switch (type) {
        case 'f':
            if (size != 8) fail_invalid(fmt::format("float global phase has {} bytes", size));
            e = Expr(f64());
            break;
        case 'i':
            if (size != 8) fail_invalid(fmt::format("integer global phase has {} bytes", size));
            e = Expr(static_cast<double>(i64()));
            break;
        case 'p':
            e = Expr::symbol(read_parameter());
            break;
        case 'v':
            e = Expr::symbol(read_parameter_vector_element());
            break;
        case 'e':
            e = read_parameter_expression();
            break;
        default:
            fail_invalid(fmt::format("global phase has unknown type {}", type_name(type)));
    }
    limit.finish("the global phase");
    return e;
}

Symbol Parser::read_parameter() {
    Context ctx(*this, "PARAMETER");
    need(18);
    const std::uint16_t name_size = u16();
    Symbol s;
    s.uuid = uuid();
    s.name = std::string(bytes(name_size, "name"));
    return s;
}

Symbol Parser::read_parameter_vector_element() {
    Context ctx(*this, "PARAMETER_VECTOR_ELEMENT");
    if (version_ >= 18) {
        // v18: a reference into the circuit's PARAMETER_VECTOR_TABLE.
        need(10);
        const std::uint16_t vector_index = u16();
        const std::uint64_t index = u64();
        if (vectors_ == nullptr || vector_index >= vectors_->size()) {
            fail_invalid(
                fmt::format("vector element refers to vector {}, but the circuit's table "
                            "has {}",
                            vector_index, vectors_ ? vectors_->size() : 0));
        }
        const VectorEntry& v = (*vectors_)[vector_index];
        Symbol s;
        s.vector = v.name;
        s.vector_size = v.size;
        s.index = index;
        if (s.index >= s.vector_size) {
            fail_invalid(fmt::format("element {} of vector '{}' is out of its size {}", s.index,
                                     printable(s.vector), s.vector_size));
        }
        s.uuid = element_uuid(v.root, index);
        s.name = fmt::format("{}[{}]", s.vector, s.index);
        return s;
    }
    need(34);
    const std::uint16_t name_size = u16();
    Symbol s;
    s.vector_size = u64();
    s.uuid = uuid();
    s.index = u64();
    s.vector = std::string(bytes(name_size, "vector name"));
    if (s.index >= s.vector_size) {
        fail_invalid(fmt::format("element {} of vector '{}' is out of its size {}", s.index,
                                 printable(s.vector), s.vector_size));
    }
    if (s.vector.empty()) fail_invalid("vector element with an empty vector name");
    s.name = fmt::format("{}[{}]", s.vector, s.index);
    return s;
}

// The depth of an expression tree (bounded: every tree built here is checked on construction).
int expr_depth(const Expr& e) {
    switch (e.kind()) {
        case Expr::Kind::kUnary:
            return 1 + expr_depth(e.lhs());
        case Expr::Kind::kBinary:
            return 1 + std::max(expr_depth(e.lhs()), expr_depth(e.rhs()));
        default:
            return 1;
    }
}

Expr substitute(const Expr& e, const std::vector<Substitution>& subs, bool by_uuid) {
    switch (e.kind()) {
        case Expr::Kind::kSymbol: {
            const Symbol& s = e.symbol_ref();
            for (const Substitution& sub : subs) {
                const bool match = by_uuid ? sub.key.size() == 16 &&
                                                 std::memcmp(sub.key.data(), s.uuid.data(), 16) == 0
                                           : sub.key == s.name;
                if (match) return sub.value;
            }
            return e;
        }
        case Expr::Kind::kUnary:
            return Expr::unary(e.op(), substitute(e.lhs(), subs, by_uuid));
        case Expr::Kind::kBinary:
            return Expr::binary(e.op(), substitute(e.lhs(), subs, by_uuid),
                                substitute(e.rhs(), subs, by_uuid));
        default:
            return e;
    }
}

Expr Parser::read_parameter_expression() {
    Context ctx(*this, "PARAMETER_EXPR");
    if (++expr_nesting_ > kMaxExprNesting) {
        fail_unsupported(
            fmt::format("parameter expressions nest deeper than {} levels", kMaxExprNesting));
    }
    struct Unnest {
        int& n;
        ~Unnest() { --n; }
    } unnest{expr_nesting_};
    need(16);
    const std::uint64_t map_elements = u64();
    const std::uint64_t expr_size = u64();
    need(expr_size, "replay");
    const std::size_t replay_at = pos_;
    const std::size_t replay_end = replay_at + static_cast<std::size_t>(expr_size);

    // Index the 35-byte entries; a legacy subs() entry ('u') is followed by its MAPPING blob.
    struct Entry {
        std::size_t at;
        std::size_t mapping_at = 0;
        std::size_t mapping_size = 0;
    };
    std::vector<Entry> entries;
    entries.reserve(static_cast<std::size_t>(expr_size) / kReplayEntrySize);
    for (std::size_t at = replay_at; at < replay_end;) {
        if (replay_end - at < kReplayEntrySize) {
            fail_invalid(fmt::format("replay entry {} at byte {} is cut short: {} of {} bytes",
                                     entries.size(), at, replay_end - at, kReplayEntrySize));
        }
        const std::uint8_t* e = data_ + at;
        Entry entry{at};
        at += kReplayEntrySize;
        if (e[0] == 13) {
            fail_unsupported(
                fmt::format("replay entry {} at byte {} is a legacy gradient "
                            "operation, which is not supported",
                            entries.size(), entry.at));
        }
        if (e[1] == 'u') {
            const std::uint64_t size = be(e + 2, 8);
            if (size > replay_end - at) {
                fail_invalid(
                    fmt::format("subs() mapping of replay entry {} at byte {} has {} "
                                "bytes, but only {} remain",
                                entries.size(), entry.at, size, replay_end - at));
            }
            entry.mapping_at = at;
            entry.mapping_size = static_cast<std::size_t>(size);
            at += entry.mapping_size;
        }
        entries.push_back(entry);
    }
    pos_ = replay_end;

    check_count(map_elements, 10 + 10, "symbol table entries");
    std::map<Uuid, Symbol> table;
    for (std::uint64_t i = 0; i < map_elements; ++i) {
        Context item(*this, "symbol", static_cast<std::int64_t>(i));
        need(10);
        const char symbol_type = ch();
        ch();  // value type: the symbol's own, or what a legacy subs() mapped it to
        const std::uint64_t value_size = u64();
        if (symbol_type == 'p' || symbol_type == 'v') {
            Symbol s = symbol_type == 'p' ? read_parameter() : read_parameter_vector_element();
            table.insert_or_assign(s.uuid, std::move(s));
        } else if (symbol_type == 'e') {
            read_parameter_expression();  // a subs() target: its symbols have their own entries
        } else {
            fail_invalid(fmt::format("symbol table entry has type {} (expected 'p', 'v' or 'e')",
                                     type_name(symbol_type)));
        }
        bytes(value_size, "value");
    }
    const std::size_t after = pos_;

    struct Item {
        Expr expr;
        int depth = 1;
        int mapping = -1;  // index into `mappings` for a subs() mapping operand
    };
    std::vector<std::vector<Substitution>> mappings;
    std::vector<Item> stack;
    for (std::size_t k = 0; k < entries.size(); ++k) {
        const std::size_t at = entries[k].at;
        const std::uint8_t* e = data_ + at;
        const std::uint8_t op = e[0];
        const char lt = static_cast<char>(e[1]);
        const char rt = static_cast<char>(e[18]);
        if (lt == 's' || lt == 'e' || rt == 's' || rt == 'e') continue;  // nesting markers
        auto push = [&](char t, const std::uint8_t* v, const char* side) {
            switch (t) {
                case 'n':
                    return;
                case 'p': {
                    Uuid u{};
                    std::memcpy(u.data(), v, 16);
                    auto it = table.find(u);
                    if (it == table.end()) {
                        fail_invalid(
                            fmt::format("replay entry {} at byte {} refers ({}) to a symbol "
                                        "missing from the symbol table",
                                        k, at, side));
                    }
                    stack.push_back({Expr::symbol(it->second)});
                    return;
                }
                case 'f':
                    stack.push_back({Expr(std::bit_cast<double>(be(v + 8, 8)))});
                    return;
                case 'i':
                    stack.push_back(
                        {Expr(static_cast<double>(static_cast<std::int64_t>(be(v + 8, 8))))});
                    return;
                case 'c':
                    stack.push_back({Expr::constant(
                        {std::bit_cast<double>(be(v, 8)), std::bit_cast<double>(be(v + 8, 8))})});
                    return;
                case 'u': {
                    if (std::string_view(side) != "lhs") break;
                    const std::size_t saved_pos = pos_, saved_end = end_;
                    pos_ = entries[k].mapping_at;
                    end_ = entries[k].mapping_at + entries[k].mapping_size;
                    {
                        Context m(*this, "subs() MAPPING", static_cast<std::int64_t>(k));
                        mappings.push_back(read_substitutions());
                        if (pos_ != end_) {
                            fail_invalid(fmt::format(
                                "{} unexpected bytes at the end of the mapping", end_ - pos_));
                        }
                    }
                    pos_ = saved_pos;
                    end_ = saved_end;
                    Item it;
                    it.mapping = static_cast<int>(mappings.size() - 1);
                    stack.push_back(std::move(it));
                    return;
                }
                default:
                    break;
            }
            fail_invalid(fmt::format("replay entry {} at byte {} has unknown {} operand type {}", k,
                                     at, side, type_name(t)));
        };
        push(lt, e + 2, "lhs");
        push(rt, e + 19, "rhs");
        if (op == 255) continue;
        auto pop = [&](bool want_mapping) {
            if (stack.empty()) {
                fail_invalid(fmt::format("replay entry {} at byte {} (op {}) has too few operands",
                                         k, at, op));
            }
            Item it = std::move(stack.back());
            stack.pop_back();
            if ((it.mapping >= 0) != want_mapping) {
                fail_invalid(fmt::format("replay entry {} at byte {} (op {}) has {} operand", k, at,
                                         op, want_mapping ? "a non-mapping" : "a mapping as an"));
            }
            return it;
        };
        auto result_depth = [&](int d) {
            if (d > kMaxExprDepth) {
                fail_unsupported(
                    fmt::format("parameter expression nests deeper than {} levels", kMaxExprDepth));
            }
            return d;
        };
        switch (op) {
            case 0:
            case 1:
            case 2:
            case 3:
            case 4:
            case 18:
            case 19:
            case 20: {
                Item b = pop(false);
                Item a = pop(false);
                const int d = result_depth(std::max(a.depth, b.depth) + 1);
                Expr r;
                switch (op) {
                    case 0:
                        r = Expr::binary(ExprOp::kAdd, a.expr, b.expr);
                        break;
                    case 1:
                        r = Expr::binary(ExprOp::kSub, a.expr, b.expr);
                        break;
                    case 2:
                        r = Expr::binary(ExprOp::kMul, a.expr, b.expr);
                        break;
                    case 3:
                        r = Expr::binary(ExprOp::kDiv, a.expr, b.expr);
                        break;
                    case 4:
                        r = Expr::binary(ExprOp::kPow, a.expr, b.expr);
                        break;
                    case 18:
                        r = Expr::binary(ExprOp::kSub, b.expr, a.expr);
                        break;
                    case 19:
                        r = Expr::binary(ExprOp::kDiv, b.expr, a.expr);
                        break;
                    default:
                        r = Expr::binary(ExprOp::kPow, b.expr, a.expr);
                        break;
                }
                stack.push_back({std::move(r), d});
                break;
            }
            case 15: {  // subs(mapping)
                Item b = pop(true);
                Item a = pop(false);
                Expr r = substitute(a.expr, mappings[static_cast<std::size_t>(b.mapping)],
                                    version_ >= 15);
                const int d = result_depth(expr_depth(r));
                stack.push_back({std::move(r), d});
                break;
            }
            case 5:
            case 6:
            case 7:
            case 8:
            case 9:
            case 10:
            case 11:
            case 12:
            case 14:
            case 16:
            case 17: {
                Item a = pop(false);
                const int d = result_depth(a.depth + 1);
                stack.push_back({Expr::unary(static_cast<ExprOp>(op), a.expr), d});
                break;
            }
            default:
                fail_invalid(
                    fmt::format("replay entry {} at byte {} has unknown op code {}", k, at, op));
        }
    }
    if (stack.empty() || stack.back().mapping >= 0) {
        fail_invalid(fmt::format("replay at byte {} leaves no value", replay_at));
    }
    pos_ = after;
    return std::move(stack.back().expr);
}

std::vector<Substitution> Parser::read_substitutions() {
    const std::uint64_t count = u64("count");
    check_count(count, 5, "mapping items");
    std::vector<Substitution> out;
    out.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) {
        need(5, "item");
        const std::uint16_t key_size = u16();
        const char type = ch();
        const std::uint16_t size = u16();
        Substitution sub;
        sub.key = std::string(bytes(key_size, "key"));
        Limit limit(*this, size, "value");
        switch (type) {
            case 'p':
                sub.value = Expr::symbol(read_parameter());
                break;
            case 'v':
                sub.value = Expr::symbol(read_parameter_vector_element());
                break;
            case 'e':
                sub.value = read_parameter_expression();
                break;
            case 'f':
                if (size != 8) fail_invalid("float mapping value must have 8 bytes");
                sub.value = Expr(f64());
                break;
            case 'i':
                if (size != 8) fail_invalid("integer mapping value must have 8 bytes");
                sub.value = Expr(static_cast<double>(i64()));
                break;
            case 'c': {
                if (size != 16) fail_invalid("complex mapping value must have 16 bytes");
                const double re = f64();
                const double im = f64();
                sub.value = Expr::constant({re, im});
                break;
            }
            default:
                fail_invalid(fmt::format("mapping value has unsupported type {}", type_name(type)));
        }
        limit.finish("the mapping value");
        out.push_back(std::move(sub));
    }
    return out;
}

Condition Parser::read_register_condition(const Scope& scope, std::uint16_t size,
                                          std::int64_t value) {
    const std::size_t at = pos_;
    const std::string_view payload = bytes(size, "payload");
    bool is_clbit = false;
    std::uint64_t clbit = 0;
    std::string_view reg;
    if (payload.empty()) fail_invalid(fmt::format("empty condition register at byte {}", at));
    if (version_ >= 18) {
        // v18 tags the payload: 0 + u32 clbit index, or 1 + register name.
        const auto tag = static_cast<std::uint8_t>(payload[0]);
        if (tag == 0) {
            if (payload.size() != 5) {
                fail_invalid(fmt::format("clbit condition at byte {} has {} bytes, expected 5", at,
                                         payload.size()));
            }
            is_clbit = true;
            clbit = be(reinterpret_cast<const std::uint8_t*>(payload.data()) + 1, 4);
        } else if (tag == 1) {
            reg = payload.substr(1);
        } else {
            fail_invalid(fmt::format("condition register at byte {} has unknown tag {}", at, tag));
        }
    } else if (payload[0] == '\0') {
        // "\x00" + the clbit index in decimal digits.
        const std::string_view digits = payload.substr(1);
        if (digits.empty() || digits.size() > 10 ||
            !std::all_of(digits.begin(), digits.end(),
                         [](char c) { return c >= '0' && c <= '9'; })) {
            fail_invalid(fmt::format("clbit condition at byte {} is not a decimal index: '{}'", at,
                                     printable(digits)));
        }
        is_clbit = true;
        for (char c : digits) clbit = clbit * 10 + static_cast<std::uint64_t>(c - '0');
    } else {
        reg = payload;
    }
    Condition c;
    if (is_clbit) {
        if (clbit >= scope.num_clbits) {
            fail_invalid(fmt::format("condition on clbit {} at byte {}, but the circuit has {}",
                                     clbit, at, scope.num_clbits));
        }
        if (value != 0 && value != 1) {
            fail_invalid(fmt::format("condition compares clbit {} with {}", clbit, value));
        }
        c.kind = Condition::Kind::kClbit;
        c.clbit = static_cast<std::uint32_t>(clbit);
        c.value = static_cast<std::uint64_t>(value);
        return c;
    }
    const auto* cregs = scope.cregs;
    const bool found =
        std::any_of(cregs->begin(), cregs->end(), [&](const Register& r) { return r.name == reg; });
    if (!found) {
        fail_invalid(
            fmt::format("condition at byte {} names register '{}', which the circuit does "
                        "not have",
                        at, printable(reg)));
    }
    if (value < 0) {
        fail_invalid(
            fmt::format("condition compares register '{}' with {}", printable(reg), value));
    }
    c.kind = Condition::Kind::kRegister;
    c.register_name = std::string(reg);
    c.value = static_cast<std::uint64_t>(value);
    return c;
}

Condition Parser::read_expression_condition(const Scope& scope) {
    need(kParamHeaderSize);
    const char type = ch();
    const std::uint64_t size = u64();
    if (type != 'x') {
        fail_invalid(fmt::format("condition parameter at byte {} has type {}, expected 'x'",
                                 pos_ - kParamHeaderSize, type_name(type)));
    }
    Limit limit(*this, size, "expression");
    const CNode n = read_cnode(0);
    limit.finish("the expression");
    return reduce_condition(scope, n);
}

CNode Parser::read_cnode(int depth) {
    if (depth > kMaxConditionDepth) {
        fail_unsupported(
            fmt::format("classical expression nests deeper than {} levels", kMaxConditionDepth));
    }
    CNode n;
    const std::size_t at = pos_;
    n.kind = ch("expression kind");
    n.type = ch("expression type");
    switch (n.type) {
        case 'b':
        case 'f':
        case 'd':
            break;
        case 'u':
            n.width = u32("uint width");
            break;
        default:
            fail_invalid(fmt::format("expression node at byte {} has unknown type {}", at,
                                     type_name(n.type)));
    }
    switch (n.kind) {
        case 'x':
            n.var_kind = ch("var kind");
            if (n.var_kind == 'C') {
                n.clbit = u32("clbit");
            } else if (n.var_kind == 'R') {
                const std::uint16_t len = u16("register name size");
                n.reg = std::string(bytes(len, "register name"));
            } else if (n.var_kind == 'U') {
                fail_unsupported("conditions on standalone classical variables are not supported");
            } else {
                fail_invalid(fmt::format("expression variable at byte {} has unknown kind {}", at,
                                         type_name(n.var_kind)));
            }
            break;
        case 'v':
            n.value_kind = ch("value kind");
            switch (n.value_kind) {
                case 'b':
                    n.bool_value = boolean("bool value");
                    break;
                case 'i': {
                    const std::uint8_t len = u8("int size");
                    const std::string_view raw = bytes(len, "int value");
                    if (len > 8) {
                        n.int_fits = false;
                    } else if (len > 0) {
                        std::uint64_t v =
                            be(reinterpret_cast<const std::uint8_t*>(raw.data()), len);
                        if (len < 8 && (static_cast<std::uint8_t>(raw[0]) & 0x80)) {
                            v |= ~std::uint64_t{0} << (8 * len);  // sign-extend
                        }
                        n.int_value = static_cast<std::int64_t>(v);
                    }
                    break;
                }
                case 'f':
                    f64("float value");
                    break;
                case 't': {
                    const char unit = ch("duration unit");
                    if (unit == 't') {
                        u64("duration");
                    } else if (unit == 'p' || unit == 'n' || unit == 'u' || unit == 'm' ||
                               unit == 's') {
                        f64("duration");
                    } else {
                        fail_invalid(fmt::format("duration at byte {} has unknown unit {}", at,
                                                 type_name(unit)));
                    }
                    break;
                }
                default:
                    fail_invalid(fmt::format("expression value at byte {} has unknown kind {}", at,
                                             type_name(n.value_kind)));
            }
            break;
        case 'c':
            boolean("implicit");
            n.children.push_back(read_cnode(depth + 1));
            break;
        case 'u':
            n.op = u8("unary op");
            n.children.push_back(read_cnode(depth + 1));
            break;
        case 'b':
            n.op = u8("binary op");
            n.children.push_back(read_cnode(depth + 1));
            n.children.push_back(read_cnode(depth + 1));
            break;
        case 'i':
            n.children.push_back(read_cnode(depth + 1));
            n.children.push_back(read_cnode(depth + 1));
            break;
        case 's':
            fail_unsupported("stretch expressions are not supported");
        default:
            fail_invalid(fmt::format("expression node at byte {} has unknown kind {}", at,
                                     type_name(n.kind)));
    }
    return n;
}

Condition Parser::reduce_condition(const Scope& scope, const CNode& n) {
    auto find_reg = [&](const std::string& name) -> const Register& {
        for (const Register& r : *scope.cregs) {
            if (r.name == name) return r;
        }
        fail_invalid(fmt::format("condition names register '{}', which the circuit does not have",
                                 printable(name)));
    };
    auto clbit_condition = [&](std::uint64_t clbit, bool value) {
        if (clbit >= scope.num_clbits) {
            fail_invalid(fmt::format("condition on clbit {}, but the circuit has {}", clbit,
                                     scope.num_clbits));
        }
        Condition c;
        c.kind = Condition::Kind::kClbit;
        c.clbit = static_cast<std::uint32_t>(clbit);
        c.value = value ? 1 : 0;
        return c;
    };
    // A condition is a single clbit (possibly negated) or a register compared with a value.
    auto bool_operand = [&](const CNode& x) -> std::optional<Condition> {
        if (x.type != 'b') return std::nullopt;
        if (x.kind == 'x' || x.kind == 'i' || x.kind == 'c' || x.kind == 'u') {
            return reduce_condition(scope, x);
        }
        return std::nullopt;
    };
    switch (n.kind) {
        case 'x':
            if (n.var_kind == 'C' && n.type == 'b') return clbit_condition(n.clbit, true);
            refuse_condition();
        case 'i': {
            const CNode& target = n.children[0];
            const CNode& index = n.children[1];
            if (target.kind != 'x' || target.var_kind != 'R' || index.kind != 'v' ||
                index.value_kind != 'i' || !index.int_fits) {
                refuse_condition();
            }
            const Register& r = find_reg(target.reg);
            if (index.int_value < 0 ||
                static_cast<std::uint64_t>(index.int_value) >= r.bits.size()) {
                fail_invalid(fmt::format("condition indexes bit {} of register '{}' of size {}",
                                         index.int_value, printable(r.name), r.bits.size()));
            }
            const std::int64_t bit = r.bits[static_cast<std::size_t>(index.int_value)];
            if (bit < 0) {
                fail_invalid(
                    fmt::format("condition reads bit {} of register '{}', which is not in "
                                "the circuit",
                                index.int_value, printable(r.name)));
            }
            return clbit_condition(static_cast<std::uint64_t>(bit), true);
        }
        case 'c': {
            if (n.type != 'b') refuse_condition();
            const CNode& x = n.children[0];
            if (x.type == 'b') return reduce_condition(scope, x);
            if (x.kind == 'x' && x.var_kind == 'R' && find_reg(x.reg).bits.size() == 1) {
                Condition c;
                c.kind = Condition::Kind::kRegister;
                c.register_name = x.reg;
                c.value = 1;
                return c;
            }
            refuse_condition();
        }
        case 'u': {
            if (n.type != 'b' || (n.op != 1 && n.op != 2)) refuse_condition();
            Condition c = reduce_condition(scope, n.children[0]);
            if (c.kind == Condition::Kind::kRegister &&
                find_reg(c.register_name).bits.size() != 1) {
                refuse_condition();
            }
            if (c.value > 1) refuse_condition();
            c.value ^= 1;
            return c;
        }
        case 'b': {
            if (n.op != 6 && n.op != 7) refuse_condition();
            const bool negate = n.op == 7;
            const CNode* var = &n.children[0];
            const CNode* val = &n.children[1];
            if (var->kind == 'v') std::swap(var, val);
            if (val->kind != 'v') refuse_condition();
            if (var->kind == 'x' && var->var_kind == 'R') {
                if (val->value_kind != 'i' || !val->int_fits || val->int_value < 0)
                    refuse_condition();
                const Register& r = find_reg(var->reg);
                auto v = static_cast<std::uint64_t>(val->int_value);
                if (negate) {
                    if (r.bits.size() != 1 || v > 1) refuse_condition();
                    v ^= 1;
                }
                Condition c;
                c.kind = Condition::Kind::kRegister;
                c.register_name = var->reg;
                c.value = v;
                return c;
            }
            std::optional<Condition> c = bool_operand(*var);
            if (!c || c->kind != Condition::Kind::kClbit) refuse_condition();
            bool v;
            if (val->value_kind == 'b') {
                v = val->bool_value;
            } else if (val->value_kind == 'i' && val->int_fits &&
                       (val->int_value == 0 || val->int_value == 1)) {
                v = val->int_value == 1;
            } else {
                refuse_condition();
            }
            if (negate) v = !v;
            if (!v) c->value ^= 1;
            return *c;
        }
        default:
            refuse_condition();
    }
}

void Parser::read_layout() {
    Context ctx(*this, "LAYOUT");
    need(kLayoutHeaderSize);
    const bool exists = boolean();
    const std::int32_t initial_size = i32();
    const std::int32_t input_mapping_size = i32();
    const std::int32_t final_size = i32();
    const std::uint32_t extra_registers = u32();
    i32();  // input_qubit_count
    if (!exists) return;
    // Pitfall P5: parsed only to find the end of the circuit; the body already uses physical
    // qubit indices.
    check_count(extra_registers, kRegisterHeaderSize, "layout registers");
    for (std::uint32_t r = 0; r < extra_registers; ++r) {
        Context reg(*this, "layout REGISTER", r);
        need(kRegisterHeaderSize + (version_ >= 18 ? 1 : 0));
        ch();
        boolean();
        const std::uint32_t size = u32();
        const std::uint16_t name_size = u16();
        boolean();
        const bool contiguous = version_ >= 18 && u8() == 1;
        bytes(name_size, "name");
        if (contiguous) {
            u32("first index");
        } else {
            const std::size_t width = version_ >= 18 ? 4 : 8;
            check_count(size, width, "register bits");
            bytes(std::uint64_t{size} * width, "bit indices");
        }
    }
    if (initial_size > 0) {
        check_count(static_cast<std::uint64_t>(initial_size), 4, "initial layout entries");
        for (std::int32_t i = 0; i < initial_size; ++i) {
            const std::int32_t index = i32("initial layout index");
            // v18 omits the name size of anonymous qubits (index -1).
            if (version_ >= 18 && index == -1) continue;
            const std::int32_t name_size = i32("initial layout register name size");
            if (name_size > 0) bytes(static_cast<std::uint64_t>(name_size), "register name");
        }
    }
    if (input_mapping_size > 0) {
        bytes(std::uint64_t{static_cast<std::uint32_t>(input_mapping_size)} * 4, "input mapping");
    }
    if (final_size > 0) {
        bytes(std::uint64_t{static_cast<std::uint32_t>(final_size)} * 4, "final layout");
    }
}

template <typename Fn>
auto guarded(Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const QpyError& e) {
        return e.status;
    } catch (const std::bad_alloc&) {
        return Status(ErrorCode::kResourceExhausted, "QPY: out of memory while decoding");
    } catch (const std::exception& e) {
        return internal_error(fmt::format("QPY: unexpected error while decoding: {}", e.what()));
    }
}

}  // namespace

Result<std::vector<Circuit>> read_qpy(std::span<const std::uint8_t> bytes) {
    return guarded([&]() -> Result<std::vector<Circuit>> {
        Parser p(bytes);
        return p.read_file();
    });
}

Result<std::vector<Circuit>> read_qpy(std::string_view bytes) {
    return read_qpy(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

Result<Circuit> read_qpy_circuit(std::span<const std::uint8_t> bytes) {
    auto all = read_qpy(bytes);
    if (!all.ok()) return all.status();
    if (all->size() != 1) {
        return invalid_argument(
            fmt::format("QPY: expected exactly one circuit, found {}", all->size()));
    }
    return std::move(all->front());
}

Result<Circuit> read_qpy_circuit(std::string_view bytes) {
    return read_qpy_circuit(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace qrt::formats
