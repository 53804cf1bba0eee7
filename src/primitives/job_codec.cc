#include "primitives/job_codec.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <cassert>
#include <cctype>
#include <charconv>
#include <cmath>
#include <complex>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "base/base64.h"
#include "base/json_path.h"
#include "base/npy.h"
#include "base/zlib.h"
#include "formats/qasm2_reader.h"
#include "formats/qasm3_reader.h"
#include "formats/runtime_json.h"

namespace qrt::primitives {
namespace {

namespace json = boost::json;
using jsonpath::element;
using jsonpath::fail;
using jsonpath::field;
using jsonpath::kind_name;
using jsonpath::PathError;
using jsonpath::wrong_type;

// Errors other than invalid_argument, thrown inside the decoder and turned into a Status at
// decode_job_params (jsonpath::PathError carries invalid_argument).
struct CodecError {
    ErrorCode code;
    std::string message;
};

std::string at(const std::string& path, const std::string& message) {
    return path.empty() ? message : fmt::format("{}: {}", path, message);
}

[[noreturn]] void fail_code(ErrorCode code, const std::string& path, const std::string& message) {
    throw CodecError{code, at(path, message)};
}

[[noreturn]] void exhausted(const std::string& path, const std::string& message) {
    fail_code(ErrorCode::kResourceExhausted, path, message);
}

// Rethrows a lower layer's error under `path` (its message after `prefix`), keeping its code.
[[noreturn]] void fail_status(const std::string& path, const Status& s,
                              std::string_view prefix = {}) {
    fail_code(s.code(), path, fmt::format("{}{}", prefix, s.message()));
}

std::string shape_text(const std::vector<std::size_t>& shape) {
    if (shape.size() == 1) return fmt::format("({},)", shape[0]);
    return fmt::format("({})", fmt::join(shape, ", "));
}

// Product of `shape`, or nullopt when it overflows.
std::optional<std::size_t> checked_size(const std::vector<std::size_t>& shape) {
    std::size_t n = 1;
    for (std::size_t d : shape) {
        if (d != 0 && n > std::numeric_limits<std::size_t>::max() / d) return std::nullopt;
        n *= d;
    }
    return n;
}

std::size_t shape_size(const std::vector<std::size_t>& shape) {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    return n;
}

std::optional<double> as_number(const json::value& v) {
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    if (v.is_double()) return v.get_double();
    return std::nullopt;
}

// A non-negative integer (an integral double is accepted, as numpy would).
std::optional<std::uint64_t> as_count(const json::value& v) {
    if (v.is_int64()) {
        if (v.get_int64() < 0) return std::nullopt;
        return static_cast<std::uint64_t>(v.get_int64());
    }
    if (v.is_uint64()) return v.get_uint64();
    if (v.is_double()) {
        const double d = v.get_double();
        if (d >= 0 && d < 18446744073709551616.0 && std::floor(d) == d) {
            return static_cast<std::uint64_t>(d);
        }
    }
    return std::nullopt;
}

std::string_view str(const json::string& s) { return {s.data(), s.size()}; }

// The "__type__" of a RuntimeEncoder object, or empty.
std::string_view type_tag(const json::object& o) {
    const auto* t = o.if_contains("__type__");
    return t != nullptr && t->is_string() ? str(t->get_string()) : std::string_view{};
}

const json::value& type_value(const json::object& o, const std::string& path) {
    const auto* v = o.if_contains("__value__");
    if (v == nullptr) fail(path, fmt::format("a \"{}\" object needs \"__value__\"", type_tag(o)));
    return *v;
}

// ---------------------------------------------------------------------------------------------
// Circuits

// True when the program's first token (after comments and blanks) is OPENQASM 2.x.
bool is_openqasm2(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        if (std::isspace(static_cast<unsigned char>(text[i]))) {
            ++i;
        } else if (text.substr(i, 2) == "//") {
            const auto nl = text.find('\n', i);
            i = nl == std::string_view::npos ? text.size() : nl + 1;
        } else if (text.substr(i, 2) == "/*") {
            const auto end = text.find("*/", i + 2);
            i = end == std::string_view::npos ? text.size() : end + 2;
        } else {
            break;
        }
    }
    if (text.substr(i, 8) != "OPENQASM") return false;
    i += 8;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    return i < text.size() && text[i] == '2';
}

circuit::Circuit decode_circuit(const json::value& v, const std::string& path,
                                const DecodeLimits& limits) {
    Result<circuit::Circuit> c = invalid_argument("unreachable");
    if (v.is_string()) {
        const std::string_view text = str(v.get_string());
        if (is_openqasm2(text)) {
            c = formats::parse_qasm2(text);
            if (!c.ok()) fail_status(path, c.status(), "OpenQASM 2: ");
        } else {
            c = formats::parse_qasm3(text);
            if (!c.ok()) fail_status(path, c.status(), "OpenQASM 3: ");
        }
    } else if (v.is_object()) {
        c = formats::decode_runtime_circuit_value(v, limits.max_qpy_bytes);
        if (!c.ok()) fail_status(path, c.status());
    } else {
        wrong_type(
            path, "a circuit ({\"__type__\": \"QuantumCircuit\", ...} or an OpenQASM 3 string)", v);
    }
    if (c->num_qubits() > limits.max_qubits) {
        exhausted(path, fmt::format("the circuit has {} qubits; the limit is {}", c->num_qubits(),
                                    limits.max_qubits));
    }
    if (c->num_clbits() > limits.max_clbits) {
        exhausted(path, fmt::format("the circuit has {} classical bits; the limit is {}",
                                    c->num_clbits(), limits.max_clbits));
    }
    if (Status s = c->validate(); !s.ok()) fail_status(path, s, "invalid circuit: ");
    return std::move(*c);
}

// ---------------------------------------------------------------------------------------------
// Real arrays: ndarray objects, nested lists, numbers

struct RealArray {
    std::vector<std::size_t> shape;
    std::vector<double> data;
};

constexpr std::size_t kMaxAxes = 64;

// The shape of a nested list, read along its first elements; `leaf` says what ends the descent.
template <typename IsLeaf>
std::vector<std::size_t> nested_shape(const json::value& v, const std::string& path,
                                      IsLeaf is_leaf) {
    std::vector<std::size_t> shape;
    const json::value* cur = &v;
    while (cur->is_array() && !is_leaf(*cur)) {
        if (shape.size() == kMaxAxes)
            fail(path, fmt::format("more than {} nested lists", kMaxAxes));
        const auto& a = cur->get_array();
        shape.push_back(a.size());
        if (a.empty()) break;
        cur = &a[0];
    }
    return shape;
}

// Visits the leaves of a nested list in C order, checking that it is rectangular with `shape`.
template <typename IsLeaf, typename Visit>
void visit_nested(const json::value& v, const std::vector<std::size_t>& shape, std::size_t depth,
                  const std::string& path, IsLeaf is_leaf, Visit& visit) {
    if (depth == shape.size()) {
        if (v.is_array() && !is_leaf(v)) {
            fail(path, fmt::format("the nested lists are ragged: expected an element here, got a "
                                   "list (shape {} from the first elements)",
                                   shape_text(shape)));
        }
        visit(v, path);
        return;
    }
    if (!v.is_array() || is_leaf(v) || v.get_array().size() != shape[depth]) {
        fail(path, fmt::format("the nested lists are ragged: expected a list of {} here, got {} "
                               "(shape {} from the first elements)",
                               shape[depth],
                               v.is_array() ? fmt::format("a list of {}", v.get_array().size())
                                            : std::string(kind_name(v)),
                               shape_text(shape)));
    }
    const auto& a = v.get_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
        visit_nested(a[i], shape, depth + 1, element(path, i), is_leaf, visit);
    }
}

RealArray decode_nested_numbers(const json::value& v, const std::string& path) {
    RealArray out;
    auto never_leaf = [](const json::value&) { return false; };
    out.shape = nested_shape(v, path, never_leaf);
    auto visit = [&](const json::value& leaf, const std::string& p) {
        auto d = as_number(leaf);
        if (!d) wrong_type(p, "a number", leaf);
        out.data.push_back(*d);
    };
    visit_nested(v, out.shape, 0, path, never_leaf, visit);
    return out;
}

// The npy array inside an ndarray object's base64 "__value__".
NpyArray decode_npy_payload(std::string_view b64, const std::string& path,
                            const DecodeLimits& limits) {
    auto compressed = base64_decode(b64);
    if (!compressed.ok())
        fail_status(path, compressed.status(), "ndarray: __value__ is not valid ");
    auto raw = zlib_decompress(*compressed, limits.max_array_bytes);
    if (!raw.ok()) fail_status(path, raw.status(), "ndarray: __value__ does not hold a valid ");
    auto arr = npy_decode(*raw);
    if (!arr.ok()) fail_status(path, arr.status(), "ndarray: ");
    return std::move(*arr);
}

bool is_ndarray_object(const json::value& v) {
    return v.is_object() && type_tag(v.get_object()) == "ndarray";
}

// An ndarray object, a (nested) list or a number, as float64 values.
RealArray decode_real_array(const json::value& v, const std::string& path,
                            const DecodeLimits& limits) {
    if (v.is_object()) {
        const auto& o = v.get_object();
        if (type_tag(o) != "ndarray") {
            fail(path,
                 fmt::format("expected an array ({{\"__type__\": \"ndarray\", ...}}, a list "
                             "or a number), got an object{}",
                             type_tag(o).empty() ? std::string()
                                                 : fmt::format(" of type \"{}\"", type_tag(o))));
        }
        const json::value& payload = type_value(o, path);
        if (!payload.is_string()) return decode_nested_numbers(payload, field(path, "__value__"));
        NpyArray arr = decode_npy_payload(str(payload.get_string()), path, limits);
        auto values = npy_to_doubles(arr);
        if (!values.ok()) fail_status(path, values.status(), "ndarray: ");
        return {std::move(arr.shape), std::move(*values)};
    }
    if (v.is_array() || as_number(v)) return decode_nested_numbers(v, path);
    wrong_type(path, "an array ({\"__type__\": \"ndarray\", ...}, a list or a number)", v);
}

// ---------------------------------------------------------------------------------------------
// Parameter values (Qiskit's BindingsArray rules)

struct BindingEntry {
    std::vector<std::string> names;
    RealArray values;
    std::string path;
};

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

// A binding key: "theta", a JSON list '["a", "b"]' (RuntimeEncoder's BindingsArray keys) or a
// Python tuple "(a, b)" / "('a', 'b')".
std::vector<std::string> parse_key(std::string_view key, const std::string& path) {
    const std::string k = trim(key);
    std::vector<std::string> names;
    if (!k.empty() && k.front() == '[') {
        boost::system::error_code ec;
        json::value v = json::parse(k, ec);
        if (ec || !v.is_array()) fail(path, fmt::format("key {:?} is not a JSON list of names", k));
        for (const auto& e : v.get_array()) {
            if (!e.is_string()) fail(path, fmt::format("key {:?} must list names (strings)", k));
            names.emplace_back(str(e.get_string()));
        }
    } else if (!k.empty() && k.front() == '(') {
        if (k.back() != ')') fail(path, fmt::format("key {:?}: unbalanced parentheses", k));
        std::string_view inner(k);
        inner = inner.substr(1, inner.size() - 2);
        while (!inner.empty()) {
            const auto comma = inner.find(',');
            std::string name = trim(inner.substr(0, comma));
            if (name.size() >= 2 && (name.front() == '\'' || name.front() == '"') &&
                name.back() == name.front()) {
                name = name.substr(1, name.size() - 2);
            }
            if (name.empty()) {
                if (comma == std::string_view::npos) break;  // "(a,)"
                fail(path, fmt::format("key {:?} has an empty name", k));
            }
            names.push_back(std::move(name));
            if (comma == std::string_view::npos) break;
            inner.remove_prefix(comma + 1);
        }
    } else {
        if (k.empty()) fail(path, "an empty parameter name");
        names.push_back(k);
    }
    return names;
}

// The leading (bindings) shape Qiskit infers for one entry (bindings_array._infer_shape).
std::vector<std::size_t> inferred_shape(const BindingEntry& e) {
    std::vector<std::size_t> s = e.values.shape;
    if (e.names.size() != 1) {
        if (!s.empty()) s.pop_back();
    } else if (!s.empty() && s.back() == 1) {
        s.pop_back();
    }
    return s;
}

std::string names_text(const std::vector<circuit::Symbol>& params) {
    std::vector<std::string> names;
    for (const auto& p : params) names.push_back(p.name);
    return names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "));
}

NdArray decode_parameter_values(const json::value* v, const circuit::Circuit& c,
                                const std::string& path, const DecodeLimits& limits) {
    const std::vector<circuit::Symbol> params = c.parameters();
    const std::size_t num_params = params.size();
    std::vector<std::string> all_names;
    for (const auto& p : params) all_names.push_back(p.name);

    std::vector<BindingEntry> entries;
    std::optional<std::vector<std::size_t>> explicit_shape;
    auto add_dict = [&](const json::object& data, const std::string& p) {
        for (const auto& [key, val] : data) {
            const std::string kp = fmt::format("{}[{:?}]", p, str(key));
            entries.push_back({parse_key(str(key), kp), decode_real_array(val, kp, limits), kp});
        }
    };
    if (v == nullptr || v->is_null()) {
        // no values
    } else if (v->is_object() && type_tag(v->get_object()) == "BindingsArray") {
        const json::value& val = type_value(v->get_object(), path);
        const std::string vp = field(path, "__value__");
        const auto& o = jsonpath::as_object(val, vp);
        if (const auto* s = o.if_contains("shape"); s != nullptr && !s->is_null()) {
            const std::string sp = field(vp, "shape");
            explicit_shape.emplace();
            for (const auto& d : jsonpath::as_array(*s, sp)) {
                auto n = as_count(d);
                if (!n) wrong_type(sp, "a list of integers >= 0", d);
                explicit_shape->push_back(static_cast<std::size_t>(*n));
            }
        }
        if (const auto* d = o.if_contains("data"); d != nullptr && !d->is_null()) {
            add_dict(jsonpath::as_object(*d, field(vp, "data")), field(vp, "data"));
        }
    } else if (v->is_object() && type_tag(v->get_object()).empty()) {
        add_dict(v->get_object(), path);
    } else {
        entries.push_back({all_names, decode_real_array(*v, path, limits), path});
    }

    // The bindings shape: given, or the one every entry agrees on.
    std::vector<std::size_t> shape;
    if (explicit_shape) {
        shape = *explicit_shape;
    } else if (!entries.empty()) {
        shape = inferred_shape(entries[0]);
        for (const auto& e : entries) {
            if (inferred_shape(e) != shape) {
                fail(path, fmt::format("the parameter values have inconsistent shapes: {} at {} "
                                       "and {} at {}",
                                       shape_text(shape), entries[0].path,
                                       shape_text(inferred_shape(e)), e.path));
            }
        }
    }
    auto size = checked_size(shape);
    if (!size || *size > limits.max_parameter_sets) {
        exhausted(path, fmt::format("{} parameter sets (shape {}); the limit is {}",
                                    size ? fmt::format("{}", *size) : std::string("too many"),
                                    shape_text(shape), limits.max_parameter_sets));
    }

    // Each entry becomes (*shape, len(names)).
    std::size_t given = 0;
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < num_params; ++i) index.emplace(params[i].name, i);
    std::vector<int> seen(num_params, 0);
    for (auto& e : entries) {
        std::vector<std::size_t>& s = e.values.shape;
        if (s == shape) {
            s.push_back(1);
        } else if (s.size() != shape.size() + 1 ||
                   !std::equal(shape.begin(), shape.end(), s.begin())) {
            fail(e.path, fmt::format("an array of shape {} does not fit the bindings shape {}",
                                     shape_text(s), shape_text(shape)));
        }
        if (s.back() != e.names.size()) {
            fail(e.path, fmt::format("the last axis has {} values per binding but {} parameter{} "
                                     "({}); the circuit's parameters are: {}",
                                     s.back(), e.names.size(), e.names.size() == 1 ? "" : "s",
                                     fmt::join(e.names, ", "), names_text(params)));
        }
        given += e.names.size();
        for (const auto& n : e.names) {
            auto it = index.find(n);
            if (it == index.end()) {
                fail(e.path, fmt::format("the circuit has no parameter named {:?} (its parameters: "
                                         "{})",
                                         n, names_text(params)));
            }
            if (seen[it->second]++ != 0) {
                fail(e.path, fmt::format("parameter {:?} is given twice", n));
            }
        }
    }
    if (given != num_params) {
        fail(path, fmt::format("{} parameter values per binding for a circuit with {} parameters "
                               "({})",
                               given, num_params, names_text(params)));
    }

    NdArray out;
    out.shape = shape;
    out.shape.push_back(num_params);
    out.data.assign(*size * num_params, 0.0);
    for (const auto& e : entries) {
        const std::size_t k = e.names.size();
        std::vector<std::size_t> cols;
        for (const auto& n : e.names) cols.push_back(index.at(n));
        for (std::size_t b = 0; b < *size; ++b) {
            for (std::size_t j = 0; j < k; ++j) {
                const double x = e.values.data[b * k + j];
                if (!std::isfinite(x)) {
                    fail(e.path, fmt::format("parameter {:?} has a non-finite value ({}) in "
                                             "binding {}",
                                             e.names[j], x, b));
                }
                out.data[b * num_params + cols[j]] = x;
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Observables

struct ObservableContext {
    std::uint32_t num_qubits;
    const DecodeLimits& limits;
    std::size_t terms = 0;  // running count over the PUB
};

// Adds coeff * label (dense, right-to-left) to `out`, expanding projector letters.
void add_term(std::map<std::string, double>& out, const std::string& label, double coeff,
              const std::string& path, ObservableContext& ctx) {
    if (label.size() != ctx.num_qubits) {
        fail(path, fmt::format("the observable label {:?} has {} characters but the circuit has "
                               "{} qubits (labels are dense, one character per qubit, qubit 0 "
                               "rightmost)",
                               label.substr(0, 80), label.size(), ctx.num_qubits));
    }
    if (!std::isfinite(coeff)) fail(path, fmt::format("label {:?}: non-finite coefficient", label));
    std::size_t projectors = 0;
    for (char ch : label) {
        switch (ch) {
            case 'I':
            case 'X':
            case 'Y':
            case 'Z':
                break;
            case '0':
            case '1':
            case '+':
            case '-':
            case 'r':
            case 'l':
                ++projectors;
                break;
            default:
                fail(path, fmt::format("the observable label {:?} has the character {:?}; "
                                       "expected I, X, Y, Z or a projector 0 1 + - r l",
                                       label.substr(0, 80), ch));
        }
    }
    // |0><0| = (I+Z)/2, |1><1| = (I-Z)/2, |+><+| = (I+X)/2, |-><-| = (I-X)/2, |r><r| = (I+Y)/2,
    // |l><l| = (I-Y)/2: 2^k Pauli terms for k projector letters.
    if (projectors > 20 ||
        ctx.terms + (std::size_t{1} << projectors) > ctx.limits.max_pauli_terms) {
        exhausted(path, fmt::format("the observables expand to more than {} Pauli terms",
                                    ctx.limits.max_pauli_terms));
    }
    std::vector<std::size_t> where;
    for (std::size_t q = 0; q < label.size(); ++q) {
        if (std::string_view("IXYZ").find(label[q]) == std::string_view::npos) where.push_back(q);
    }
    const double scale = std::ldexp(coeff, -static_cast<int>(projectors));
    for (std::size_t mask = 0; mask < (std::size_t{1} << projectors); ++mask) {
        std::string term = label;
        double c = scale;
        for (std::size_t j = 0; j < where.size(); ++j) {
            const char p = label[where[j]];
            if (((mask >> j) & 1u) == 0) {
                term[where[j]] = 'I';
                continue;
            }
            term[where[j]] = (p == '0' || p == '1') ? 'Z' : (p == '+' || p == '-') ? 'X' : 'Y';
            if (p == '1' || p == '-' || p == 'l') c = -c;
        }
        out[term] += c;
        ++ctx.terms;
    }
}

double real_coefficient(const json::value& v, const std::string& path) {
    if (auto d = as_number(v)) return *d;
    if (v.is_object() && type_tag(v.get_object()) == "complex") {
        const json::value& val = type_value(v.get_object(), path);
        const auto* a = val.if_array();
        std::optional<double> re, im;
        if (a != nullptr && a->size() == 2) {
            re = as_number((*a)[0]);
            im = as_number((*a)[1]);
        }
        if (!re || !im) fail(path, "a complex value must be [re, im]");
        if (std::abs(*im) > 1e-12) {
            fail(path, fmt::format("observable coefficients must be real, got {}{:+}j", *re, *im));
        }
        return *re;
    }
    wrong_type(path, "a real coefficient", v);
}

// A Pauli label with Qiskit's optional phase prefix ("-", "i", "-i", "j", ...): the label and
// its real sign. An imaginary phase is refused (observables must be Hermitian).
std::pair<std::string, double> strip_phase(std::string_view label, const std::string& path) {
    double sign = 1;
    bool imaginary = false;
    if (!label.empty() && (label[0] == '+' || label[0] == '-')) {
        // A leading '-' is a phase only when a Pauli letter or 'i' follows; "-" is a projector.
        if (label.size() > 1 &&
            std::string_view("IXYZij").find(label[1]) != std::string_view::npos) {
            if (label[0] == '-') sign = -1;
            label.remove_prefix(1);
        }
    }
    if (!label.empty() && (label[0] == 'i' || label[0] == 'j')) {
        imaginary = true;
        label.remove_prefix(1);
    }
    if (imaginary) fail(path, fmt::format("the Pauli {:?} has an imaginary phase", label));
    return {std::string(label), sign};
}

std::map<std::string, double> decode_settings(const json::object& o, const std::string& path,
                                              ObservableContext& ctx, const DecodeLimits& limits) {
    const auto* cls = o.if_contains("__class__");
    const std::string_view name =
        cls != nullptr && cls->is_string() ? str(cls->get_string()) : std::string_view{};
    const std::string vp = field(path, "__value__");
    const auto& val = jsonpath::as_object(type_value(o, path), vp);
    std::map<std::string, double> out;
    if (name == "Pauli") {
        const auto* d = val.if_contains("data");
        if (d == nullptr || !d->is_string()) fail(vp, "a Pauli needs a label string \"data\"");
        auto [label, sign] = strip_phase(str(d->get_string()), field(vp, "data"));
        add_term(out, label, sign, field(vp, "data"), ctx);
        return out;
    }
    if (name != "SparsePauliOp") {
        fail_code(ErrorCode::kUnimplemented, path,
                  fmt::format("observables of class {:?} are not supported (a label, a dict "
                              "{{label: coeff}}, SparsePauliOp or Pauli are)",
                              name));
    }
    // data: a PauliList in settings form ({"data": [labels]}) or a plain list of labels.
    const std::string dp = field(vp, "data");
    const auto* d = val.if_contains("data");
    if (d == nullptr) fail(vp, "a SparsePauliOp needs \"data\" (its Pauli labels)");
    const json::value* labels = d;
    if (d->is_object() && type_tag(d->get_object()) == "settings") {
        const auto& pl =
            jsonpath::as_object(type_value(d->get_object(), dp), field(dp, "__value__"));
        labels = pl.if_contains("data");
        if (labels == nullptr) fail(dp, "a PauliList needs \"data\" (its labels)");
    }
    const auto& label_list = jsonpath::as_array(*labels, dp);
    std::vector<std::complex<double>> coeffs;
    const std::string cp = field(vp, "coeffs");
    if (const auto* c = val.if_contains("coeffs"); c == nullptr || c->is_null()) {
        coeffs.assign(label_list.size(), 1.0);
    } else if (is_ndarray_object(*c) && type_value(c->get_object(), cp).is_string()) {
        NpyArray arr =
            decode_npy_payload(str(type_value(c->get_object(), cp).get_string()), cp, limits);
        auto z = npy_to_complex(arr);
        if (!z.ok()) fail_status(cp, z.status());
        coeffs = std::move(*z);
    } else {
        const json::value& list_v = is_ndarray_object(*c) ? type_value(c->get_object(), cp) : *c;
        const auto& list = jsonpath::as_array(list_v, cp);
        for (std::size_t i = 0; i < list.size(); ++i) {
            coeffs.emplace_back(real_coefficient(list[i], element(cp, i)));
        }
    }
    if (coeffs.size() != label_list.size()) {
        fail(vp, fmt::format("{} labels but {} coefficients", label_list.size(), coeffs.size()));
    }
    for (std::size_t i = 0; i < label_list.size(); ++i) {
        const std::string lp = element(dp, i);
        if (!label_list[i].is_string()) wrong_type(lp, "a Pauli label", label_list[i]);
        if (std::abs(coeffs[i].imag()) > 1e-12) {
            fail(element(cp, i), fmt::format("observable coefficients must be real, got {}{:+}j",
                                             coeffs[i].real(), coeffs[i].imag()));
        }
        auto [label, sign] = strip_phase(str(label_list[i].get_string()), lp);
        add_term(out, label, sign * coeffs[i].real(), lp, ctx);
    }
    return out;
}

bool is_observable_leaf(const json::value& v) { return !v.is_array(); }

sim::PauliSum decode_observable(const json::value& v, const std::string& path,
                                ObservableContext& ctx, const DecodeLimits& limits) {
    std::map<std::string, double> terms;
    if (v.is_string()) {
        add_term(terms, std::string(str(v.get_string())), 1.0, path, ctx);
    } else if (v.is_object()) {
        const auto& o = v.get_object();
        const std::string_view tag = type_tag(o);
        if (tag == "settings") {
            terms = decode_settings(o, path, ctx, limits);
        } else if (!tag.empty()) {
            fail(path, fmt::format("an observable cannot be a \"{}\"", tag));
        } else {
            for (const auto& [label, coeff] : o) {
                const std::string p = fmt::format("{}[{:?}]", path, str(label));
                add_term(terms, std::string(str(label)), real_coefficient(coeff, p), p, ctx);
            }
        }
    } else {
        wrong_type(path, "an observable (a Pauli label, a dict {label: coeff} or a SparsePauliOp)",
                   v);
    }
    sim::PauliSum out;
    for (auto& [label, coeff] : terms) out.terms.emplace_back(label, coeff);
    if (out.terms.empty()) out.terms.emplace_back(std::string(ctx.num_qubits, 'I'), 0.0);
    return out;
}

void decode_observables(const json::value& v, const std::string& path, EstimatorPub& pub,
                        const DecodeLimits& limits) {
    const json::value* cur = &v;
    if (cur->is_object() && type_tag(cur->get_object()) == "ObservablesArray") {
        cur = &type_value(cur->get_object(), path);
    }
    ObservableContext ctx{pub.circuit.num_qubits(), limits};
    auto is_leaf = [](const json::value& x) { return is_observable_leaf(x); };
    pub.observables_shape = nested_shape(*cur, path, is_leaf);
    auto count = checked_size(pub.observables_shape);
    if (!count || *count > limits.max_observables) {
        exhausted(path, fmt::format("observables of shape {}; the limit is {} observables per PUB",
                                    shape_text(pub.observables_shape), limits.max_observables));
    }
    auto visit = [&](const json::value& leaf, const std::string& p) {
        pub.observables.push_back(decode_observable(leaf, p, ctx, limits));
    };
    visit_nested(*cur, pub.observables_shape, 0, path, is_leaf, visit);
}

// ---------------------------------------------------------------------------------------------
// PUBs

// The PUB's elements (a bare circuit is a PUB of one element).
std::vector<const json::value*> pub_elements(const json::value& v, const std::string& path,
                                             std::size_t min, std::size_t max,
                                             std::string_view layout) {
    std::vector<const json::value*> out;
    if (v.is_array()) {
        for (const auto& e : v.get_array()) out.push_back(&e);
    } else if (v.is_string() || (v.is_object() && type_tag(v.get_object()) == "QuantumCircuit")) {
        out.push_back(&v);
    } else {
        wrong_type(path, fmt::format("a PUB {}", layout), v);
    }
    if (out.size() < min || out.size() > max) {
        fail(path,
             fmt::format("a PUB has {} to {} elements {}, got {}", min, max, layout, out.size()));
    }
    out.resize(max, nullptr);
    return out;
}

std::optional<std::uint64_t> decode_shots(const json::value* v, const std::string& path,
                                          const DecodeLimits& limits) {
    if (v == nullptr || v->is_null()) return std::nullopt;
    auto n = as_count(*v);
    if (!n || *n == 0) {
        fail(path, fmt::format("shots must be a positive integer, got {}",
                               as_number(*v) ? json::serialize(*v) : std::string(kind_name(*v))));
    }
    if (*n > limits.max_shots) {
        exhausted(path, fmt::format("{} shots; the limit is {}", *n, limits.max_shots));
    }
    return n;
}

std::optional<double> decode_precision(const json::value* v, const std::string& path) {
    if (v == nullptr || v->is_null()) return std::nullopt;
    auto d = as_number(*v);
    if (!d || !(*d > 0) || !std::isfinite(*d)) {
        fail(path, fmt::format("precision must be a number > 0, got {}",
                               d ? json::serialize(*v) : std::string(kind_name(*v))));
    }
    return d;
}

// The shots ceil(1/precision^2) that a precision implies (what run_estimator runs).
std::uint64_t shots_for_precision(double precision) {
    const double s = std::ceil(1.0 / (precision * precision) - 1e-9);
    return s >= 1.8e19 ? std::numeric_limits<std::uint64_t>::max()
                       : static_cast<std::uint64_t>(std::max(1.0, s));
}

std::string options_text(const json::object& params) {
    const auto* o = params.if_contains("options");
    if (o == nullptr || o->is_null()) return "{}";
    if (!o->is_object()) wrong_type("options", "an object", *o);
    return json::serialize(*o);
}

// Option errors ("twirling.num_randomizations: ...") under "options.".
[[noreturn]] void fail_options(const Status& s) {
    fail_code(s.code(), "", "options." + s.message());
}

// default_shots is checked against the limit only where a PUB uses it.
void check_default_shots(std::uint64_t shots, const std::string& pub_path,
                         const DecodeLimits& limits) {
    if (shots > limits.max_shots) {
        exhausted("options.default_shots", fmt::format("{} shots (for {}); the limit is {}", shots,
                                                       pub_path, limits.max_shots));
    }
}

// A boost::json value builder whose doubles are exactly rounded (std::from_chars on the number's
// text): Boost 1.81's own parser can be one ulp off for 17-digit numbers, and parameter values
// and coefficients must arrive exactly as the client wrote them.
class PreciseHandler {
public:
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

    json::value_stack stack;

    bool on_document_begin(boost::system::error_code&) {
        stack.reset();
        return true;
    }
    bool on_document_end(boost::system::error_code&) { return true; }
    bool on_array_begin(boost::system::error_code&) { return true; }
    bool on_array_end(std::size_t n, boost::system::error_code&) {
        stack.push_array(n);
        return true;
    }
    bool on_object_begin(boost::system::error_code&) { return true; }
    bool on_object_end(std::size_t n, boost::system::error_code&) {
        stack.push_object(n);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, boost::system::error_code&) {
        stack.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, boost::system::error_code&) {
        stack.push_string(s);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) {
        stack.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, boost::system::error_code&) {
        stack.push_key(s);
        return true;
    }
    bool on_number_part(json::string_view s, boost::system::error_code&) {
        number_.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, json::string_view, boost::system::error_code&) {
        number_.clear();
        stack.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, boost::system::error_code&) {
        number_.clear();
        stack.push_uint64(u);
        return true;
    }
    bool on_double(double d, json::string_view s, boost::system::error_code&) {
        number_.append(s.data(), s.size());
        double exact = 0;
        const auto [end, ec] =
            std::from_chars(number_.data(), number_.data() + number_.size(), exact);
        // from_chars reports out-of-range (1e999) where Boost gives inf; keep Boost's then.
        if (ec == std::errc() && end == number_.data() + number_.size()) d = exact;
        number_.clear();
        stack.push_double(d);
        return true;
    }
    bool on_bool(bool b, boost::system::error_code&) {
        stack.push_bool(b);
        return true;
    }
    bool on_null(boost::system::error_code&) {
        stack.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
    bool on_comment(json::string_view, boost::system::error_code&) { return true; }

private:
    std::string number_;
};

json::value parse_params(std::string_view text) {
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 128;
    json::basic_parser<PreciseHandler> parser(opts);
    const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && used != text.size()) ec = json::error::extra_data;
    if (ec) fail("params", fmt::format("invalid JSON at byte {}: {}", used, ec.message()));
    return parser.handler().stack.release();
}

PrimitiveJob decode(Program program, std::string_view text, const DecodeLimits& limits) {
    const json::value root = parse_params(text);
    if (!root.is_object()) wrong_type("params", "an object", root);
    const json::object& params = root.get_object();

    PrimitiveJob job;
    job.program = program;
    if (const auto* v = params.if_contains("version"); v != nullptr && !v->is_null()) {
        auto n = as_count(*v);
        if (n && *n == 1) {
            fail_code(ErrorCode::kUnimplemented, "version",
                      "version 1 (the V1 primitives) is not supported; SamplerV2 and EstimatorV2 "
                      "send version 2");
        }
        if (!n || *n != 2) {
            fail("version", fmt::format("expected 2, got {}", json::serialize(*v)));
        }
    }
    if (const auto* v = params.if_contains("support_qiskit"); v != nullptr && !v->is_null()) {
        if (!v->is_bool()) wrong_type("support_qiskit", "true or false", *v);
        job.support_qiskit = v->get_bool();
    }
    int resilience_level = 1;
    if (const auto* v = params.if_contains("resilience_level"); v != nullptr && !v->is_null()) {
        if (program == Program::kSampler) {
            fail("resilience_level", "the sampler has no resilience levels (an estimator option)");
        }
        auto n = as_count(*v);
        if (!n || *n > 2) {
            fail("resilience_level",
                 fmt::format("expected 0, 1 or 2, got {}", json::serialize(*v)));
        }
        resilience_level = static_cast<int>(*n);
    }

    const std::string options = options_text(params);
    if (program == Program::kSampler) {
        auto o = parse_sampler_options(options);
        if (!o.ok()) fail_options(o.status());
        job.sampler_options = std::move(*o);
    } else {
        auto o = parse_estimator_options(options, resilience_level);
        if (!o.ok()) fail_options(o.status());
        job.estimator_options = std::move(*o);
    }

    const auto* pubs_v = params.if_contains("pubs");
    if (pubs_v == nullptr) fail("pubs", "missing: params must list the PUBs to run");
    const auto& pubs = jsonpath::as_array(*pubs_v, "pubs");
    if (pubs.empty()) fail("pubs", "expected at least one PUB");
    if (pubs.size() > limits.max_pubs) {
        exhausted("pubs", fmt::format("{} PUBs; the limit is {}", pubs.size(), limits.max_pubs));
    }
    for (std::size_t i = 0; i < pubs.size(); ++i) {
        const std::string path = element("pubs", i);
        if (program == Program::kSampler) {
            auto e = pub_elements(pubs[i], path, 1, 3, "[circuit, parameter_values, shots]");
            SamplerPub pub;
            pub.circuit = decode_circuit(*e[0], element(path, 0), limits);
            pub.parameter_values =
                decode_parameter_values(e[1], pub.circuit, element(path, 1), limits);
            pub.shots = decode_shots(e[2], element(path, 2), limits);
            if (!pub.shots) check_default_shots(job.sampler_options.default_shots, path, limits);
            job.sampler_pubs.push_back(std::move(pub));
        } else {
            auto e = pub_elements(pubs[i], path, 2, 4,
                                  "[circuit, observables, parameter_values, precision]");
            EstimatorPub pub;
            pub.circuit = decode_circuit(*e[0], element(path, 0), limits);
            if (e[1]->is_null()) fail(element(path, 1), "an estimator PUB needs observables");
            decode_observables(*e[1], element(path, 1), pub, limits);
            pub.parameter_values =
                decode_parameter_values(e[2], pub.circuit, element(path, 2), limits);
            pub.precision = decode_precision(e[3], element(path, 3));

            std::vector<std::size_t> bindings = pub.parameter_values.shape;
            bindings.pop_back();
            auto shape = broadcast_shapes(pub.observables_shape, bindings);
            if (!shape.ok()) {
                fail(path,
                     fmt::format("observables and parameter values: {}", shape.status().message()));
            }
            auto size = checked_size(*shape);
            if (!size || *size > limits.max_parameter_sets) {
                exhausted(path, fmt::format("PUB shape {} is larger than the limit of {} "
                                            "elements",
                                            shape_text(*shape), limits.max_parameter_sets));
            }
            if (job.estimator_options.default_shots) {
                check_default_shots(*job.estimator_options.default_shots, path, limits);
            } else {
                const double precision =
                    pub.precision.value_or(job.estimator_options.default_precision);
                const std::uint64_t shots = shots_for_precision(precision);
                if (shots > limits.max_shots) {
                    exhausted(pub.precision ? element(path, 3) : "options.default_precision",
                              fmt::format("precision {} needs {} shots; the limit is {}", precision,
                                          shots, limits.max_shots));
                }
            }
            job.estimator_pubs.push_back(std::move(pub));
        }
    }
    return job;
}

// ---------------------------------------------------------------------------------------------
// total_shots helpers

std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) {
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) {
        return std::numeric_limits<std::uint64_t>::max();
    }
    return a * b;
}

std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) {
    return b > std::numeric_limits<std::uint64_t>::max() - a
               ? std::numeric_limits<std::uint64_t>::max()
               : a + b;
}

// Qubit-wise commuting groups of the PUB's distinct non-identity terms, greedily in first-seen
// order (as run_estimator groups them).
std::uint64_t measurement_groups(const EstimatorPub& pub) {
    std::vector<std::string> bases;
    std::set<std::string> seen;
    for (const auto& obs : pub.observables) {
        for (const auto& [label, coeff] : obs.terms) {
            if (label.find_first_not_of('I') == std::string::npos) continue;
            if (!seen.insert(label).second) continue;
            bool placed = false;
            for (auto& b : bases) {
                bool ok = b.size() == label.size();
                for (std::size_t q = 0; ok && q < label.size(); ++q) {
                    ok = label[q] == 'I' || b[q] == 'I' || b[q] == label[q];
                }
                if (ok) {
                    for (std::size_t q = 0; q < label.size(); ++q) {
                        if (label[q] != 'I') b[q] = label[q];
                    }
                    placed = true;
                    break;
                }
            }
            if (!placed) bases.push_back(label);
        }
    }
    return bases.size();
}

// ---------------------------------------------------------------------------------------------
// Encoding

// A JSON writer whose numbers read like Python's json.dumps (1.0, 0.5, 1e-07).
class Writer {
public:
    std::string take() { return std::move(s_); }
    // Already-serialised JSON as the next value.
    Writer& raw(std::string_view t) {
        sep();
        s_.append(t);
        return *this;
    }
    Writer& string(std::string_view t) {
        s_.append(json::serialize(json::string_view(t.data(), t.size())));
        return *this;
    }
    Writer& key(std::string_view k) {
        sep();
        string(k);
        s_.append(": ");
        pending_value_ = true;  // the value follows without a separator
        return *this;
    }
    Writer& number(double x) {
        sep();
        if (!std::isfinite(x)) {
            s_.append("null");  // JSON has no NaN/Infinity; plain readers would choke on them
            return *this;
        }
        std::string t = fmt::format("{}", x);
        if (t.find_first_of(".en") == std::string::npos) t += ".0";
        s_.append(t);
        return *this;
    }
    Writer& integer(std::uint64_t n) {
        sep();
        s_.append(fmt::format("{}", n));
        return *this;
    }
    Writer& boolean(bool b) {
        sep();
        s_.append(b ? "true" : "false");
        return *this;
    }
    Writer& str_value(std::string_view t) {
        sep();
        return string(t);
    }
    Writer& begin_object() {
        sep();
        s_.push_back('{');
        first_ = true;
        return *this;
    }
    Writer& end_object() {
        s_.push_back('}');
        first_ = false;
        return *this;
    }
    Writer& begin_array() {
        sep();
        s_.push_back('[');
        first_ = true;
        return *this;
    }
    Writer& end_array() {
        s_.push_back(']');
        first_ = false;
        return *this;
    }
    // {"__type__": T, "__value__": <what follows>}
    Writer& begin_typed(std::string_view type) {
        begin_object();
        key("__type__").str_value(type);
        key("__value__");
        return *this;
    }
    Writer& end_typed() { return end_object(); }
    // A parsed JSON value (circuit metadata), written with this writer's number style.
    Writer& value(const json::value& v) {
        switch (v.kind()) {
            case json::kind::null:
                sep();
                s_.append("null");
                break;
            case json::kind::bool_:
                boolean(v.get_bool());
                break;
            case json::kind::int64:
                sep();
                s_.append(fmt::format("{}", v.get_int64()));
                break;
            case json::kind::uint64:
                integer(v.get_uint64());
                break;
            case json::kind::double_:
                number(v.get_double());
                break;
            case json::kind::string:
                str_value(str(v.get_string()));
                break;
            case json::kind::array:
                begin_array();
                for (const auto& e : v.get_array()) value(e);
                end_array();
                break;
            case json::kind::object:
                begin_object();
                for (const auto& [k, e] : v.get_object()) {
                    key(str(k));
                    value(e);
                }
                end_object();
                break;
        }
        return *this;
    }
    Writer& shape(const std::vector<std::size_t>& s) {
        begin_array();
        for (std::size_t d : s) integer(d);
        return end_array();
    }
    Writer& ndarray(const NpyArray& a) {
        begin_typed("ndarray");
        str_value(base64_encode(zlib_compress(npy_encode(a))));
        return end_typed();
    }

private:
    void sep() {
        if (pending_value_) {
            pending_value_ = false;
            first_ = false;
            return;
        }
        if (!first_) s_.append(", ");
        first_ = false;
    }

    std::string s_;
    bool first_ = true;
    bool pending_value_ = false;
};

// The circuit's metadata as a JSON object ({} when it is empty or not an object).
json::value circuit_metadata(const circuit::Circuit& c) {
    boost::system::error_code ec;
    json::value v = json::parse(c.metadata_json, ec);
    if (ec || !v.is_object()) return json::object();
    return v;
}

std::vector<std::size_t> bindings_shape_of(const NdArray& values) {
    std::vector<std::size_t> s = values.shape;
    if (!s.empty()) s.pop_back();
    return s;
}

// Values of `a` with exactly shape-product elements (a defensive copy: see the header).
std::vector<double> sized(const NdArray& a) {
    std::vector<double> d = a.data;
    assert(d.size() == shape_size(a.shape));
    d.resize(shape_size(a.shape), 0.0);
    return d;
}

std::vector<std::uint8_t> sized_bytes(const BitArray& b) {
    const std::size_t n = shape_size(b.shape) * b.num_shots * b.bytes_per_shot();
    std::vector<std::uint8_t> d = b.bytes;
    assert(d.size() == n);
    d.resize(n, 0);
    return d;
}

// Python's hex() of a big-endian unsigned integer: "0x0", "0x3", "0x1ff".
std::string hex_sample(const std::uint8_t* row, std::size_t nbytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out = "0x";
    bool leading = true;
    for (std::size_t i = 0; i < nbytes; ++i) {
        for (int shift = 4; shift >= 0; shift -= 4) {
            const int nibble = (row[i] >> shift) & 0xF;
            if (leading && nibble == 0) continue;
            leading = false;
            out.push_back(kDigits[nibble]);
        }
    }
    if (leading) out.push_back('0');
    return out;
}

// Writes `count(flat)` leaves nested by `shape` (a plain list for shape ()).
template <typename Leaf>
void nested_by_shape(Writer& w, const std::vector<std::size_t>& shape, std::size_t depth,
                     std::size_t& flat, Leaf leaf) {
    if (depth == shape.size()) {
        leaf(flat++);
        return;
    }
    w.begin_array();
    for (std::size_t i = 0; i < shape[depth]; ++i) nested_by_shape(w, shape, depth + 1, flat, leaf);
    w.end_array();
}

void write_plain_array(Writer& w, const NdArray& a) {
    const std::vector<double> d = sized(a);
    std::size_t flat = 0;
    nested_by_shape(w, a.shape, 0, flat, [&](std::size_t i) { w.number(d[i]); });
}

void write_top_metadata(Writer& w, const ResultMetadata& meta, const std::string& spans) {
    w.key("metadata").begin_object();
    if (!spans.empty() || meta.qpu_seconds) {
        w.key("execution").begin_object();
        if (!spans.empty()) w.key("execution_spans").raw(spans);
        if (meta.qpu_seconds) w.key("quantum_seconds").number(*meta.qpu_seconds);
        w.end_object();
    }
    if (!meta.backend.empty()) w.key("backend").str_value(meta.backend);
}

// One DoubleSliceSpan over every sampler PUB: data_slices {i: [[*pub_shape, shots], 0, n, 0,
// shots]}, as RuntimeDecoder reads it.
std::string sampler_spans(const std::vector<SamplerPubResult>& results,
                          const std::vector<std::vector<std::size_t>>& shapes,
                          const ResultMetadata& meta) {
    if (meta.execution_start.empty() || meta.execution_stop.empty()) return {};
    Writer w;
    w.begin_typed("ExecutionSpans").begin_object().key("spans").begin_array();
    w.begin_typed("DoubleSliceSpan").begin_object();
    w.key("start").begin_typed("datetime").str_value(meta.execution_start).end_typed();
    w.key("stop").begin_typed("datetime").str_value(meta.execution_stop).end_typed();
    w.key("data_slices").begin_object();
    for (std::size_t i = 0; i < results.size(); ++i) {
        std::vector<std::size_t> s = shapes[i];
        s.push_back(results[i].shots);
        w.key(fmt::format("{}", i)).begin_array();
        w.shape(s).integer(0).integer(shape_size(shapes[i])).integer(0).integer(results[i].shots);
        w.end_array();
    }
    w.end_object().end_object().end_typed();
    w.end_array().end_object().end_typed();
    return w.take();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API

Result<Program> parse_program_id(std::string_view program_id) {
    if (program_id == "sampler") return Program::kSampler;
    if (program_id == "estimator") return Program::kEstimator;
    return invalid_argument(fmt::format(
        "program_id: unknown program {:?}; this service runs \"sampler\" and \"estimator\"",
        program_id.substr(0, 80)));
}

std::string_view to_string(Program p) { return p == Program::kSampler ? "sampler" : "estimator"; }

Result<PrimitiveJob> decode_job_params(Program program, std::string_view params_json,
                                       const DecodeLimits& limits) {
    try {
        return decode(program, params_json, limits);
    } catch (const PathError& e) {
        return invalid_argument(e.message);
    } catch (const CodecError& e) {
        return Status(e.code, e.message);
    }
}

std::uint64_t PrimitiveJob::total_shots() const {
    std::uint64_t total = 0;
    if (program == Program::kSampler) {
        for (const auto& pub : sampler_pubs) {
            const std::uint64_t elements = shape_size(bindings_shape_of(pub.parameter_values));
            total = sat_add(total,
                            sat_mul(elements, pub.shots.value_or(sampler_options.default_shots)));
        }
        return total;
    }
    const EstimatorOptions& o = estimator_options;
    for (const auto& pub : estimator_pubs) {
        std::uint64_t shots =
            o.default_shots ? *o.default_shots
                            : shots_for_precision(pub.precision.value_or(o.default_precision));
        shots = std::max<std::uint64_t>(shots, 1);
        if (o.twirl_measure_on()) {  // as run_estimator's twirl_plan
            const std::uint64_t r = std::max<std::uint64_t>(1, o.num_randomizations.value_or(32));
            const std::uint64_t each = o.shots_per_randomization.value_or(
                std::max<std::uint64_t>(64, shots / r + (shots % r != 0)));
            shots = sat_mul(r, each);
        }
        std::uint64_t configs =
            sat_mul(shape_size(bindings_shape_of(pub.parameter_values)), measurement_groups(pub));
        if (o.zne_on()) configs = sat_mul(configs, o.zne_noise_factors.size());
        total = sat_add(total, sat_mul(configs, shots));
    }
    return total;
}

std::string encode_sampler_results(const PrimitiveJob& job,
                                   const std::vector<SamplerPubResult>& results,
                                   const ResultMetadata& meta) {
    // PUB shapes: from the job (the results' BitArrays carry the same shape).
    std::vector<std::vector<std::size_t>> shapes;
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (!results[i].data.empty()) {
            shapes.push_back(results[i].data.front().second.shape);
        } else if (i < job.sampler_pubs.size()) {
            shapes.push_back(bindings_shape_of(job.sampler_pubs[i].parameter_values));
        } else {
            shapes.emplace_back();
        }
    }
    auto metadata_of = [&](std::size_t i) {
        return i < job.sampler_pubs.size() ? circuit_metadata(job.sampler_pubs[i].circuit)
                                           : json::value(json::object());
    };

    Writer w;
    if (job.support_qiskit) {
        w.begin_typed("PrimitiveResult").begin_object().key("pub_results").begin_array();
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto& r = results[i];
            w.begin_typed("SamplerPubResult").begin_object();
            w.key("data").begin_typed("DataBin").begin_object();
            w.key("field_names").begin_array();
            for (const auto& [name, bits] : r.data) w.str_value(name);
            w.end_array();
            w.key("field_types").begin_array();
            for (std::size_t f = 0; f < r.data.size(); ++f) w.str_value("BitArray");
            w.end_array();
            w.key("shape").shape(shapes[i]);
            w.key("fields").begin_object();
            for (const auto& [name, bits] : r.data) {
                std::vector<std::size_t> s = bits.shape;
                s.push_back(bits.num_shots);
                s.push_back(bits.bytes_per_shot());
                w.key(name).begin_typed("BitArray").begin_object();
                w.key("array").ndarray(npy_from_uint8(std::move(s), sized_bytes(bits)));
                w.key("num_bits").integer(bits.num_bits);
                w.end_object().end_typed();
            }
            w.end_object();              // fields
            w.end_object().end_typed();  // DataBin
            w.key("metadata").begin_object().key("circuit_metadata").value(metadata_of(i));
            w.end_object();
            w.end_object().end_typed();  // SamplerPubResult
        }
        w.end_array();
        write_top_metadata(w, meta, sampler_spans(results, shapes, meta));
        w.key("version").integer(2).end_object();
        w.end_object().end_typed();
        return w.take();
    }

    w.begin_object().key("results").begin_array();
    for (std::size_t i = 0; i < results.size(); ++i) {
        w.begin_object().key("data").begin_object();
        for (const auto& [name, bits] : results[i].data) {
            const std::vector<std::uint8_t> bytes = sized_bytes(bits);
            const std::size_t nbytes = bits.bytes_per_shot();
            w.key(name).begin_object().key("samples");
            std::size_t flat = 0;
            std::vector<std::size_t> shape = bits.shape;
            shape.push_back(bits.num_shots);
            nested_by_shape(w, shape, 0, flat, [&](std::size_t row) {
                w.str_value(hex_sample(bytes.data() + row * nbytes, nbytes));
            });
            w.key("num_bits").integer(bits.num_bits).end_object();
        }
        w.end_object();
        w.key("metadata").begin_object().key("circuit_metadata").value(metadata_of(i));
        w.end_object().end_object();
    }
    w.end_array();
    write_top_metadata(w, meta, {});
    w.key("version").integer(2).end_object();
    w.end_object();
    return w.take();
}

std::string encode_estimator_results(const PrimitiveJob& job,
                                     const std::vector<EstimatorPubResult>& results,
                                     const ResultMetadata& meta) {
    const EstimatorOptions& o = job.estimator_options;
    auto has = [](const NdArray& a) { return !a.data.empty() || !a.shape.empty(); };
    auto write_pub_metadata = [&](Writer& w, std::size_t i) {
        const auto& r = results[i];
        w.key("metadata").begin_object();
        w.key("target_precision").number(r.target_precision);
        w.key("shots").integer(r.shots);
        w.key("circuit_metadata")
            .value(i < job.estimator_pubs.size() ? circuit_metadata(job.estimator_pubs[i].circuit)
                                                 : json::value(json::object()));
        if (r.num_randomizations > 0) w.key("num_randomizations").integer(r.num_randomizations);
        if (!r.noise_factors.empty()) {
            w.key("resilience").begin_object().key("zne").begin_object();
            w.key("noise_factors").begin_array();
            for (double f : r.noise_factors) w.number(f);
            w.end_array().end_object().end_object();
        }
        w.end_object();
    };
    auto fields_of = [&](const EstimatorPubResult& r) {
        std::vector<std::pair<std::string_view, const NdArray*>> f = {
            {"evs", &r.evs},
            {"stds", &r.stds},
            {"ensemble_standard_error", &r.ensemble_standard_error}};
        if (has(r.evs_noise_factors)) f.emplace_back("evs_noise_factors", &r.evs_noise_factors);
        if (has(r.stds_noise_factors)) f.emplace_back("stds_noise_factors", &r.stds_noise_factors);
        return f;
    };
    auto write_top = [&](Writer& w) {
        write_top_metadata(w, meta, {});
        w.key("resilience").begin_object();
        w.key("measure_mitigation").boolean(o.measure_mitigation_on());
        w.key("zne_mitigation").boolean(o.zne_on());
        w.key("pec_mitigation").boolean(false);
        w.end_object();
        w.key("version").integer(2).end_object();
    };

    Writer w;
    if (job.support_qiskit) {
        w.begin_typed("PrimitiveResult").begin_object().key("pub_results").begin_array();
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto& r = results[i];
            const auto fields = fields_of(r);
            w.begin_typed("PubResult").begin_object();
            w.key("data").begin_typed("DataBin").begin_object();
            w.key("field_names").begin_array();
            for (const auto& [name, arr] : fields) w.str_value(name);
            w.end_array();
            w.key("field_types").begin_array();
            for (std::size_t f = 0; f < fields.size(); ++f) w.str_value("ndarray");
            w.end_array();
            w.key("shape").shape(r.evs.shape);
            w.key("fields").begin_object();
            for (const auto& [name, arr] : fields) {
                w.key(name).ndarray(npy_from_doubles(arr->shape, sized(*arr)));
            }
            w.end_object();
            w.end_object().end_typed();  // DataBin
            write_pub_metadata(w, i);
            w.end_object().end_typed();  // PubResult
        }
        w.end_array();
        write_top(w);
        w.end_object().end_typed();
        return w.take();
    }

    w.begin_object().key("results").begin_array();
    for (std::size_t i = 0; i < results.size(); ++i) {
        w.begin_object().key("data").begin_object();
        for (const auto& [name, arr] : fields_of(results[i])) {
            w.key(name);
            write_plain_array(w, *arr);
        }
        w.end_object();
        write_pub_metadata(w, i);
        w.end_object();
    }
    w.end_array();
    write_top(w);
    w.end_object();
    return w.take();
}

}  // namespace qrt::primitives
