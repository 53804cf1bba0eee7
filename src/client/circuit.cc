// qrt::Parameter, qrt::QuantumCircuit (a builder over circuit::Circuit) and qrt::transpile.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "circuit/isa.h"
#include "circuit/transpile.h"
#include "client/client_internal.h"
#include "formats/qasm2_reader.h"
#include "formats/qasm3_reader.h"
#include "formats/qasm3_writer.h"

namespace qrt {

using circuit::Expr;
using circuit::GateKind;
using circuit::Symbol;

namespace {

bool identifier(std::string_view s) {
    if (s.empty()) return false;
    auto c0 = static_cast<unsigned char>(s.front());
    if (!(std::isalpha(c0) || c0 == '_')) return false;
    return std::all_of(s.begin(), s.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return std::isalnum(c) || c == '_';
    });
}

// "x[3]" -> ("x", 3); a plain name -> nullopt.
std::optional<std::pair<std::string, std::uint64_t>> vector_element(std::string_view name) {
    if (name.size() < 4 || name.back() != ']') return std::nullopt;
    std::size_t open = name.find('[');
    if (open == std::string_view::npos || open == 0) return std::nullopt;
    std::string_view digits = name.substr(open + 1, name.size() - open - 2);
    if (digits.empty() || digits.size() > 9 || (digits.size() > 1 && digits[0] == '0')) {
        return std::nullopt;
    }
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    return std::pair{std::string(name.substr(0, open)), std::stoull(std::string(digits))};
}

Symbol symbol_of(const Parameter& p) {
    Symbol s;
    s.name = p.name();
    if (auto element = vector_element(p.name())) {
        s.vector = element->first;
        s.index = element->second;
        s.vector_size = element->second + 1;
    }
    return s;
}

Expr expr_of(Angle a) {
    if (const auto* d = std::get_if<double>(&a)) return {*d};
    return Expr::symbol(symbol_of(std::get<Parameter>(a)));
}

void check(const Status& s) {
    if (!s.ok()) client::throw_status(s);
}

}  // namespace

// ---------------------------------------------------------------- Parameter

Parameter::Parameter(std::string name) : name_(std::move(name)) {
    bool ok = identifier(name_);
    if (!ok) {
        auto element = vector_element(name_);
        ok = element && identifier(element->first);
    }
    if (!ok) {
        client::throw_error(ErrorKind::kInvalidArgument,
                            fmt::format("parameter name \"{}\": expected an identifier (letters, "
                                        "digits, '_', not starting with a digit) or a vector "
                                        "element like \"x[3]\"",
                                        name_));
    }
}

const std::string& Parameter::name() const { return name_; }

// ---------------------------------------------------------------- QuantumCircuit

QuantumCircuit::QuantumCircuit(std::uint32_t num_qubits, std::uint32_t num_clbits)
    : impl_(std::make_unique<Impl>()) {
    if (num_qubits > 0) impl_->circuit.add_qreg("q", num_qubits);
    if (num_clbits > 0) impl_->circuit.add_creg("c", num_clbits);
    impl_->num_virtual_qubits = num_qubits;
}

QuantumCircuit::QuantumCircuit(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
QuantumCircuit::~QuantumCircuit() = default;
QuantumCircuit::QuantumCircuit(const QuantumCircuit& other)
    : impl_(std::make_unique<Impl>(other.impl())) {}
QuantumCircuit& QuantumCircuit::operator=(const QuantumCircuit& other) {
    if (this != &other) impl_ = std::make_unique<Impl>(other.impl());
    return *this;
}
// A moved-from circuit is left empty (0 qubits), still usable.
QuantumCircuit::QuantumCircuit(QuantumCircuit&& other) noexcept
    : impl_(std::exchange(other.impl_, nullptr)) {}
QuantumCircuit& QuantumCircuit::operator=(QuantumCircuit&& other) noexcept {
    if (this != &other) impl_ = std::exchange(other.impl_, nullptr);
    return *this;
}

const QuantumCircuit::Impl& QuantumCircuit::impl() const {
    static const Impl empty;  // what a moved-from circuit reads as
    return impl_ ? *impl_ : empty;
}
QuantumCircuit::Impl& QuantumCircuit::impl() {
    if (!impl_) impl_ = std::make_unique<Impl>();
    return *impl_;
}

QuantumCircuit QuantumCircuit::from_qasm(std::string_view text) {
    // The version line decides, after blank lines and comments.
    std::size_t i = 0;
    while (i < text.size()) {
        if (std::isspace(static_cast<unsigned char>(text[i]))) {
            ++i;
        } else if (text.substr(i, 2) == "//") {
            std::size_t nl = text.find('\n', i);
            i = nl == std::string_view::npos ? text.size() : nl + 1;
        } else if (text.substr(i, 2) == "/*") {
            std::size_t end = text.find("*/", i + 2);
            i = end == std::string_view::npos ? text.size() : end + 2;
        } else {
            break;
        }
    }
    std::string_view rest = text.substr(i);
    bool v2 = false;
    if (rest.starts_with("OPENQASM")) {
        std::size_t v = rest.find_first_not_of(" \t", 8);
        v2 = v != std::string_view::npos && rest[v] == '2';
    }
    Result<circuit::Circuit> c = v2 ? formats::parse_qasm2(text) : formats::parse_qasm3(text);
    if (!c.ok()) client::throw_status(c.status(), 0, v2 ? "OpenQASM 2" : "OpenQASM 3");
    auto impl = std::make_unique<Impl>();
    impl->circuit = std::move(c).value();
    impl->num_virtual_qubits = impl->circuit.num_qubits();
    return QuantumCircuit(std::move(impl));
}

QuantumCircuit QuantumCircuit::from_qasm_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        client::throw_error(ErrorKind::kInvalidArgument, fmt::format("cannot read {}", path));
    }
    std::ostringstream text;
    text << f.rdbuf();
    if (f.bad()) {
        client::throw_error(ErrorKind::kInvalidArgument, fmt::format("cannot read {}", path));
    }
    try {
        return from_qasm(text.str());
    } catch (const Error& e) {
        throw Error(e.kind(), fmt::format("{}: {}", path, e.what()));
    }
}

std::uint32_t QuantumCircuit::num_qubits() const { return impl().circuit.num_qubits(); }
std::uint32_t QuantumCircuit::num_clbits() const { return impl().circuit.num_clbits(); }

std::vector<std::string> QuantumCircuit::parameters() const {
    std::vector<std::string> out;
    for (const Symbol& s : impl().circuit.parameters()) out.push_back(s.name);
    return out;
}

std::size_t QuantumCircuit::size() const { return impl().circuit.size(); }

std::size_t QuantumCircuit::depth() const {
    // Qiskit's default: every operation but directives (barrier) counts one layer on its bits.
    const circuit::Circuit& c = impl().circuit;
    std::vector<std::size_t> q(c.num_qubits(), 0), b(c.num_clbits(), 0);
    std::size_t depth = 0;
    for (const circuit::Instruction& in : c.instructions) {
        if (in.kind == GateKind::kBarrier) continue;
        std::size_t level = 0;
        for (auto x : in.qubits) level = std::max(level, q[x]);
        for (auto x : in.clbits) level = std::max(level, b[x]);
        if (in.condition) {
            for (auto x : in.clbits) level = std::max(level, b[x]);
        }
        ++level;
        for (auto x : in.qubits) q[x] = level;
        for (auto x : in.clbits) b[x] = level;
        depth = std::max(depth, level);
    }
    return depth;
}

namespace {

QuantumCircuit& add(QuantumCircuit& self, circuit::Circuit& c, GateKind kind,
                    std::vector<std::uint32_t> qubits, std::vector<Expr> params = {},
                    std::vector<std::uint32_t> clbits = {}) {
    check(c.append(kind, std::move(qubits), std::move(params), std::move(clbits)));
    return self;
}

}  // namespace

#define QRT_ONE_QUBIT(method, kind)                             \
    QuantumCircuit& QuantumCircuit::method(std::uint32_t q) {   \
        return add(*this, impl().circuit, GateKind::kind, {q}); \
    }
QRT_ONE_QUBIT(h, kH)
QRT_ONE_QUBIT(x, kX)
QRT_ONE_QUBIT(y, kY)
QRT_ONE_QUBIT(z, kZ)
QRT_ONE_QUBIT(s, kS)
QRT_ONE_QUBIT(sdg, kSdg)
QRT_ONE_QUBIT(t, kT)
QRT_ONE_QUBIT(tdg, kTdg)
QRT_ONE_QUBIT(sx, kSX)
QRT_ONE_QUBIT(reset, kReset)
#undef QRT_ONE_QUBIT

QuantumCircuit& QuantumCircuit::rx(Angle theta, std::uint32_t q) {
    return add(*this, impl().circuit, GateKind::kRX, {q}, {expr_of(std::move(theta))});
}
QuantumCircuit& QuantumCircuit::ry(Angle theta, std::uint32_t q) {
    return add(*this, impl().circuit, GateKind::kRY, {q}, {expr_of(std::move(theta))});
}
QuantumCircuit& QuantumCircuit::rz(Angle theta, std::uint32_t q) {
    return add(*this, impl().circuit, GateKind::kRZ, {q}, {expr_of(std::move(theta))});
}
QuantumCircuit& QuantumCircuit::p(Angle theta, std::uint32_t q) {
    return add(*this, impl().circuit, GateKind::kP, {q}, {expr_of(std::move(theta))});
}
QuantumCircuit& QuantumCircuit::u(Angle theta, Angle phi, Angle lam, std::uint32_t q) {
    return add(*this, impl().circuit, GateKind::kU, {q},
               {expr_of(std::move(theta)), expr_of(std::move(phi)), expr_of(std::move(lam))});
}
QuantumCircuit& QuantumCircuit::cx(std::uint32_t control, std::uint32_t target) {
    return add(*this, impl().circuit, GateKind::kCX, {control, target});
}
QuantumCircuit& QuantumCircuit::cz(std::uint32_t a, std::uint32_t b) {
    return add(*this, impl().circuit, GateKind::kCZ, {a, b});
}
QuantumCircuit& QuantumCircuit::ecr(std::uint32_t a, std::uint32_t b) {
    return add(*this, impl().circuit, GateKind::kECR, {a, b});
}
QuantumCircuit& QuantumCircuit::swap(std::uint32_t a, std::uint32_t b) {
    return add(*this, impl().circuit, GateKind::kSwap, {a, b});
}
QuantumCircuit& QuantumCircuit::rzz(Angle theta, std::uint32_t a, std::uint32_t b) {
    return add(*this, impl().circuit, GateKind::kRZZ, {a, b}, {expr_of(std::move(theta))});
}
QuantumCircuit& QuantumCircuit::ccx(std::uint32_t c1, std::uint32_t c2, std::uint32_t target) {
    return add(*this, impl().circuit, GateKind::kCCX, {c1, c2, target});
}
QuantumCircuit& QuantumCircuit::barrier() {
    std::vector<std::uint32_t> all(num_qubits());
    for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
    return add(*this, impl().circuit, GateKind::kBarrier, std::move(all));
}
QuantumCircuit& QuantumCircuit::measure(std::uint32_t qubit, std::uint32_t clbit) {
    return add(*this, impl().circuit, GateKind::kMeasure, {qubit}, {}, {clbit});
}
QuantumCircuit& QuantumCircuit::measure_all() {
    // As Qiskit: a barrier, then a new register "meas" with one bit per qubit.
    circuit::Circuit& c = impl().circuit;
    if (c.find_creg("meas") != nullptr) {
        client::throw_error(ErrorKind::kInvalidArgument,
                            "measure_all: the circuit already has a register \"meas\"");
    }
    const std::uint32_t n = c.num_qubits();
    if (n > 0) barrier();
    const std::uint32_t first = c.add_creg("meas", n);
    for (std::uint32_t i = 0; i < n; ++i) measure(i, first + i);
    return *this;
}

std::string QuantumCircuit::to_qasm3() const {
    // IBM's service refuses gphase; the global phase does not change any result.
    formats::Qasm3WriteOptions options;
    options.global_phase = false;
    return formats::write_qasm3(impl().circuit, options);
}

std::vector<std::uint32_t> QuantumCircuit::initial_layout() const { return impl().initial_layout; }
std::vector<std::uint32_t> QuantumCircuit::final_layout() const { return impl().final_layout; }
std::uint32_t QuantumCircuit::num_virtual_qubits() const {
    const Impl& im = impl();
    return im.final_layout.empty() ? im.circuit.num_qubits() : im.num_virtual_qubits;
}

// ---------------------------------------------------------------- transpile

namespace {

std::shared_ptr<const circuit::Target> target_of(const BackendInfo& backend) {
    if (!backend.target) {
        client::throw_error(ErrorKind::kInvalidArgument,
                            fmt::format("transpile: the BackendInfo of \"{}\" did not come from a "
                                        "Service (use Service::backend or least_busy)",
                                        backend.name));
    }
    detail::BackendTarget& holder = *backend.target;
    // A throw leaves the flag unset, so a later transpile() tries again (a passing network error).
    std::call_once(holder.loaded, [&holder] {
        std::shared_ptr<const Service> service = holder.service.lock();
        if (!service) {
            client::throw_error(ErrorKind::kInvalidArgument,
                                "transpile: the Service this backend came from is gone");
        }
        holder.target = service->impl().load_target(holder.name);
    });
    return holder.target;
}

}  // namespace

QuantumCircuit transpile(const QuantumCircuit& qc, const BackendInfo& backend,
                         int optimization_level, std::uint64_t seed) {
    std::shared_ptr<const circuit::Target> target = target_of(backend);
    const QuantumCircuit::Impl& in = qc.impl();
    // A circuit the backend runs as it is stays as it is (no layout to apply later).
    if (circuit::validate_isa(in.circuit, *target).ok()) return qc;
    circuit::TranspileOptions options;
    options.optimization_level = optimization_level;
    options.seed = seed;
    Result<circuit::TranspileResult> r = circuit::transpile(in.circuit, *target, options);
    if (!r.ok()) client::throw_status(r.status(), 0, fmt::format("transpile for {}", backend.name));
    auto out = std::make_unique<QuantumCircuit::Impl>();
    out->circuit = std::move(r->circuit);
    out->initial_layout = std::move(r->initial_layout);
    out->final_layout = std::move(r->final_layout);
    out->num_virtual_qubits = in.circuit.num_qubits();
    if (!in.final_layout.empty() && !out->final_layout.empty()) {
        // Transpiling a transpiled circuit: compose, so that layouts still start from the
        // original virtual qubits.
        std::vector<std::uint32_t> initial, fin;
        for (std::uint32_t v = 0; v < in.num_virtual_qubits; ++v) {
            initial.push_back(out->initial_layout.at(in.initial_layout.at(v)));
            fin.push_back(out->final_layout.at(in.final_layout.at(v)));
        }
        out->initial_layout = std::move(initial);
        out->final_layout = std::move(fin);
        out->num_virtual_qubits = in.num_virtual_qubits;
    }
    return QuantumCircuit(std::move(out));
}

}  // namespace qrt
