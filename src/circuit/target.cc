#include "circuit/target.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "circuit/gates.h"
#include "base/json_path.h"

namespace qrt::circuit {

namespace json = boost::json;

namespace {

constexpr std::uint32_t kMaxQubits = 1u << 20;
constexpr std::array<std::string_view, 3> kNonUnitaryIsa = {"measure", "delay", "reset"};
// The control flow the client's convert_to_target maps to Qiskit classes (others are dropped).
constexpr std::array<std::string_view, 4> kControlFlow = {"if_else", "while_loop", "for_loop",
                                                          "switch_case"};

bool contains(const auto& range, std::string_view name) {
    return std::find(std::begin(range), std::end(range), name) != std::end(range);
}

// A Qiskit standard instruction (`get_standard_gate_name_mapping`): the gate table without our
// internal kinds.
const GateInfo* standard_instruction(std::string_view name) {
    const GateInfo* g = find_gate(name);
    if (g == nullptr) return nullptr;
    switch (g->kind) {
        case GateKind::kMCX:
        case GateKind::kIfElse:
        case GateKind::kCustom:
            return nullptr;
        default:
            return g;
    }
}

// ---------------------------------------------------------------- JSON reading helpers

// Thrown inside this file only; the entry points turn it into a Status.
using ParseError = jsonpath::PathError;

using jsonpath::as_array;
using jsonpath::as_object;
using jsonpath::element;
using jsonpath::fail;
using jsonpath::field;
using jsonpath::kind_name;
using jsonpath::wrong_type;

std::string as_string(const json::value& v, const std::string& path) {
    if (!v.is_string()) wrong_type(path, "a string", v);
    return std::string(v.get_string());
}

bool as_bool(const json::value& v, const std::string& path) {
    if (!v.is_bool()) wrong_type(path, "true or false", v);
    return v.get_bool();
}

double as_number(const json::value& v, const std::string& path) {
    double d = 0;
    if (v.is_int64()) {
        d = static_cast<double>(v.get_int64());
    } else if (v.is_uint64()) {
        d = static_cast<double>(v.get_uint64());
    } else if (v.is_double()) {
        d = v.get_double();
    } else {
        wrong_type(path, "a number", v);
    }
    if (!std::isfinite(d)) fail(path, "expected a finite number");
    return d;
}

std::int64_t as_int(const json::value& v, const std::string& path, std::int64_t min,
                    std::int64_t max) {
    std::int64_t n = 0;
    if (v.is_int64()) {
        n = v.get_int64();
    } else if (v.is_uint64()) {
        if (v.get_uint64() > static_cast<std::uint64_t>(max)) {
            fail(path, fmt::format("must be at most {}, got {}", max, v.get_uint64()));
        }
        n = static_cast<std::int64_t>(v.get_uint64());
    } else if (v.is_double() && std::floor(v.get_double()) == v.get_double() &&
               std::abs(v.get_double()) < 9e15) {
        n = static_cast<std::int64_t>(v.get_double());
    } else {
        wrong_type(path, "a whole number", v);
    }
    if (n < min) fail(path, fmt::format("must be at least {}, got {}", min, n));
    if (n > max) fail(path, fmt::format("must be at most {}, got {}", max, n));
    return n;
}

const json::value* get(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->value();
}

// Present and not null.
const json::value* get_present(const json::object& o, std::string_view key) {
    const json::value* v = get(o, key);
    return v == nullptr || v->is_null() ? nullptr : v;
}

const json::value& require(const json::object& o, const std::string& path, std::string_view key) {
    const json::value* v = get(o, key);
    if (v == nullptr) fail(field(path, key), "missing (the Qiskit client requires it)");
    return *v;
}

std::vector<std::string> as_string_list(const json::value& v, const std::string& path) {
    std::vector<std::string> out;
    const json::array& a = as_array(v, path);
    for (std::size_t i = 0; i < a.size(); ++i) out.push_back(as_string(a[i], element(path, i)));
    return out;
}

std::uint32_t as_qubit(const json::value& v, const std::string& path, std::uint32_t num_qubits) {
    std::int64_t q = as_int(v, path, 0, std::numeric_limits<std::int64_t>::max());
    if (q >= num_qubits) {
        fail(path,
             fmt::format("qubit {} is out of range (the backend has {} qubits)", q, num_qubits));
    }
    return static_cast<std::uint32_t>(q);
}

Qargs as_qargs(const json::value& v, const std::string& path, std::uint32_t num_qubits) {
    const json::array& a = as_array(v, path);
    Qargs q;
    for (std::size_t i = 0; i < a.size(); ++i) {
        q.push_back(as_qubit(a[i], element(path, i), num_qubits));
    }
    for (std::size_t i = 0; i < q.size(); ++i) {
        for (std::size_t j = i + 1; j < q.size(); ++j) {
            if (q[i] == q[j]) fail(path, fmt::format("qubit {} appears twice", q[i]));
        }
    }
    return q;
}

// ---------------------------------------------------------------- units

// The power of ten of a unit's SI prefix, as qiskit.utils.units.apply_prefix reads it: a unit of
// zero or one character has none ("s", ""); nullopt for an unknown prefix.
std::optional<int> prefix_pow10(std::string_view unit) {
    if (unit.size() >= 2 && unit.substr(0, 2) == "\xC2\xB5") {  // µ, two bytes in UTF-8
        return unit.size() == 2 ? 0 : -6;
    }
    if (unit.size() <= 1) return 0;
    switch (unit[0]) {
        case 'f':
            return -15;
        case 'p':
            return -12;
        case 'n':
            return -9;
        case 'u':
            return -6;
        case 'm':
            return -3;
        case 'k':
            return 3;
        case 'M':
            return 6;
        case 'G':
            return 9;
        case 'T':
            return 12;
        case 'P':
            return 15;
        default:
            return std::nullopt;
    }
}

// apply_prefix: "ns" -> value / 1e9, "GHz" -> value * 1e9 (it divides for negative powers to
// avoid the rounding of 1e-9).
double with_prefix(double value, int pow10) {
    double scale = std::pow(10.0, std::abs(pow10));
    return pow10 < 0 ? value / scale : value * scale;
}

double apply_prefix(double value, std::string_view unit, const std::string& path) {
    std::optional<int> p = prefix_pow10(unit);
    if (!p) fail(path, fmt::format("could not understand unit \"{}\"", unit));
    return with_prefix(value, *p);
}

// The number to write so that `reader` (the client's conversion) gives back exactly `si`: the
// plain conversion, nudged by a few ulps where rounding would otherwise drift. nullopt when no
// nearby number does (division is not onto).
template <typename Reader>
std::optional<double> exact_inverse(double si, double approx, Reader reader) {
    if (reader(approx) == si) return approx;
    double up = approx, down = approx;
    for (int i = 0; i < 8; ++i) {
        up = std::nextafter(up, std::numeric_limits<double>::infinity());
        down = std::nextafter(down, -std::numeric_limits<double>::infinity());
        if (reader(up) == si) return up;
        if (reader(down) == si) return down;
    }
    return std::nullopt;
}

struct Scaled {
    double value;
    std::string_view unit;
};

// `si` in the first of `units` (IBM's usual one first) that reads back exactly; in the bare SI
// unit ("s", or "" for hertz) when none does.
Scaled express(double si, std::initializer_list<std::string_view> units, std::string_view bare) {
    for (std::string_view unit : units) {
        int p = *prefix_pow10(unit);
        auto v =
            exact_inverse(si, with_prefix(si, -p), [&](double x) { return with_prefix(x, p); });
        if (v) return {*v, unit};
    }
    return {si, bare};
}

Scaled express_time(double s, std::string_view unit) {
    if (unit == "us") return express(s, {"us", "ns", "ms", "ps"}, "s");
    return express(s, {"ns", "us", "ps", "ms"}, "s");
}

Scaled express_frequency(double hz) { return express(hz, {"GHz", "MHz", "kHz"}, ""); }

// Configuration times: the client multiplies (dt * 1e-9, rep delays * 1e-6), and there is no
// unit to switch to, so the nearest number is written when none reads back exactly.
double to_ns_mul(double s) {
    return exact_inverse(s, s * 1e9, [](double v) { return v * 1e-9; }).value_or(s * 1e9);
}
double to_us_mul(double s) {
    return exact_inverse(s, s * 1e6, [](double v) { return v * 1e-6; }).value_or(s * 1e6);
}

// ---------------------------------------------------------------- JSON writing

// Numbers as the shortest text that reads back exactly ("660", "0.0123", "1.5e-07"), which
// Boost.JSON's serializer does not do ("6.6E2").
void write_json(std::string& out, const json::value& v) {
    switch (v.kind()) {
        case json::kind::double_: {
            double d = v.get_double();
            if (!std::isfinite(d)) {
                out += "null";
            } else if (d == std::floor(d) && std::abs(d) < 1e15) {
                out += fmt::format("{}", static_cast<std::int64_t>(d));
            } else {
                out += fmt::format("{}", d);
            }
            return;
        }
        case json::kind::array: {
            out += '[';
            bool first = true;
            for (const json::value& e : v.get_array()) {
                if (!first) out += ", ";
                first = false;
                write_json(out, e);
            }
            out += ']';
            return;
        }
        case json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& kv : v.get_object()) {
                if (!first) out += ", ";
                first = false;
                out += json::serialize(json::string(kv.key()));
                out += ": ";
                write_json(out, kv.value());
            }
            out += '}';
            return;
        }
        default:
            out += json::serialize(v);
    }
}

std::string to_text(const json::value& v) {
    std::string out;
    write_json(out, v);
    return out;
}

json::array qargs_json(const Qargs& q) {
    json::array a;
    for (std::uint32_t x : q) a.emplace_back(static_cast<std::int64_t>(x));
    return a;
}

json::array strings_json(const std::vector<std::string>& v) {
    json::array a;
    for (const auto& s : v) a.emplace_back(json::string(s));
    return a;
}

// Builds a json::value like json::parser, but reads every double from its text with
// std::from_chars: Boost.JSON 1.81 rounds some doubles 1 ulp off ("237.36364020705798"), and the
// values must be the ones the Python client sees and must survive a round trip exactly.
class PreciseHandler {
public:
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    json::value_stack st;
    std::string number;

    bool on_document_begin(boost::system::error_code&) { return true; }
    bool on_document_end(boost::system::error_code&) { return true; }
    bool on_object_begin(boost::system::error_code&) { return true; }
    bool on_object_end(std::size_t n, boost::system::error_code&) {
        st.push_object(n);
        return true;
    }
    bool on_array_begin(boost::system::error_code&) { return true; }
    bool on_array_end(std::size_t n, boost::system::error_code&) {
        st.push_array(n);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, boost::system::error_code&) {
        st.push_key(s);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, boost::system::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, boost::system::error_code&) {
        st.push_string(s);
        return true;
    }
    bool on_number_part(json::string_view s, boost::system::error_code&) {
        number.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, json::string_view, boost::system::error_code&) {
        number.clear();
        st.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, boost::system::error_code&) {
        number.clear();
        st.push_uint64(u);
        return true;
    }
    bool on_double(double d, json::string_view s, boost::system::error_code&) {
        number.append(s.data(), s.size());
        double exact = d;
        auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), exact);
        if (ec != std::errc() || end != number.data() + number.size()) exact = d;
        number.clear();
        st.push_double(exact);
        return true;
    }
    bool on_bool(bool b, boost::system::error_code&) {
        st.push_bool(b);
        return true;
    }
    bool on_null(boost::system::error_code&) {
        st.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
    bool on_comment(json::string_view, boost::system::error_code&) { return true; }
};

json::value parse_json(std::string_view text, std::string_view what) {
    json::basic_parser<PreciseHandler> p(json::parse_options{});
    p.handler().st.reset();
    boost::system::error_code ec;
    std::size_t n = p.write_some(false, text.data(), text.size(), ec);
    if (!ec && n < text.size()) ec = json::error::extra_data;
    if (ec) {
        throw ParseError{fmt::format("{}: invalid JSON at byte {}: {}", what, n, ec.message())};
    }
    return p.handler().st.release();
}

// ---------------------------------------------------------------- configuration

struct GateConfig {
    std::vector<std::string> parameters;
    std::vector<Qargs> coupling_map;  // empty: none given
    std::string path;                 // "configuration.gates[4]", for errors
};

struct Signature {
    std::string name;
    int num_qubits = 0;
    int num_clbits = 0;
    std::vector<std::string> parameters;
    std::string return_type;
    std::string description;
};

struct ParsedConfiguration {
    Target target;  // configuration fields filled
    std::map<std::string, GateConfig> gate_configs;
    std::vector<Signature> signatures;
};

ParsedConfiguration parse_configuration(const json::value& root) {
    const std::string path = "configuration";
    const json::object& o = as_object(root, path);
    ParsedConfiguration pc;
    Target& t = pc.target;
    t.backend_name = as_string(require(o, path, "backend_name"), field(path, "backend_name"));
    t.backend_version =
        as_string(require(o, path, "backend_version"), field(path, "backend_version"));
    t.num_qubits = static_cast<std::uint32_t>(
        as_int(require(o, path, "n_qubits"), field(path, "n_qubits"), 0, kMaxQubits));
    t.basis_gates = as_string_list(require(o, path, "basis_gates"), field(path, "basis_gates"));
    t.local = as_bool(require(o, path, "local"), field(path, "local"));
    t.simulator = as_bool(require(o, path, "simulator"), field(path, "simulator"));
    t.conditional = as_bool(require(o, path, "conditional"), field(path, "conditional"));
    t.open_pulse = as_bool(require(o, path, "open_pulse"), field(path, "open_pulse"));
    t.memory = as_bool(require(o, path, "memory"), field(path, "memory"));
    t.online_date = as_string(require(o, path, "online_date"), field(path, "online_date"));

    // gates: [{name, parameters, qasm_def, coupling_map}]
    {
        const std::string gp = field(path, "gates");
        const json::array& gates = as_array(require(o, path, "gates"), gp);
        for (std::size_t i = 0; i < gates.size(); ++i) {
            const std::string ep = element(gp, i);
            const json::object& g = as_object(gates[i], ep);
            std::string name = as_string(require(g, ep, "name"), field(ep, "name"));
            GateConfig gc;
            gc.path = ep;
            if (const json::value* v = get_present(g, "parameters")) {
                gc.parameters = as_string_list(*v, field(ep, "parameters"));
            }
            if (const json::value* v = get_present(g, "coupling_map")) {
                const std::string cp = field(ep, "coupling_map");
                const json::array& cm = as_array(*v, cp);
                for (std::size_t k = 0; k < cm.size(); ++k) {
                    gc.coupling_map.push_back(as_qargs(cm[k], element(cp, k), t.num_qubits));
                }
            }
            pc.gate_configs[name] = std::move(gc);
        }
    }

    // coupling_map: [[a, b], ...] (null on some simulators)
    if (const json::value* v = get_present(o, "coupling_map")) {
        const std::string cp = field(path, "coupling_map");
        const json::array& cm = as_array(*v, cp);
        for (std::size_t k = 0; k < cm.size(); ++k) {
            Qargs e = as_qargs(cm[k], element(cp, k), t.num_qubits);
            if (e.size() != 2) fail(element(cp, k), "expected a pair of qubits");
            t.coupling_map.emplace_back(e[0], e[1]);
        }
    } else if (get(o, "coupling_map") == nullptr) {
        fail(field(path, "coupling_map"), "missing (the Qiskit client requires it)");
    }

    if (const json::value* v = get_present(o, "supported_instructions")) {
        t.supported_instructions = as_string_list(*v, field(path, "supported_instructions"));
    } else {
        t.supported_instructions = {"measure", "reset", "delay"};  // the client's default
    }

    if (const json::value* v = get_present(o, "instruction_signatures")) {
        const std::string sp = field(path, "instruction_signatures");
        const json::array& sigs = as_array(*v, sp);
        for (std::size_t i = 0; i < sigs.size(); ++i) {
            const std::string ep = element(sp, i);
            const json::object& s = as_object(sigs[i], ep);
            Signature sig;
            sig.name = as_string(require(s, ep, "name"), field(ep, "name"));
            sig.num_qubits = static_cast<int>(
                as_int(require(s, ep, "num_qubits"), field(ep, "num_qubits"), 0, 64));
            sig.num_clbits = static_cast<int>(
                as_int(require(s, ep, "num_clbits"), field(ep, "num_clbits"), 0, 64));
            sig.parameters = as_string_list(require(s, ep, "parameters"), field(ep, "parameters"));
            if (const json::value* r = get_present(s, "return_type")) {
                sig.return_type = as_string(*r, field(ep, "return_type"));
            }
            if (const json::value* d = get_present(s, "description")) {
                sig.description = as_string(*d, field(ep, "description"));
            }
            pc.signatures.push_back(std::move(sig));
        }
    }

    if (const json::value* v = get_present(o, "dt")) {
        double ns = as_number(*v, field(path, "dt"));
        if (ns <= 0) fail(field(path, "dt"), "must be positive");
        t.dt = ns * 1e-9;
    }
    if (const json::value* v = get_present(o, "timing_constraints")) {
        const std::string tp = field(path, "timing_constraints");
        const json::object& tc = as_object(*v, tp);
        auto one = [&](std::string_view key, int& out) {
            if (const json::value* x = get_present(tc, key)) {
                out = static_cast<int>(as_int(*x, field(tp, key), 1, 1 << 20));
            }
        };
        one("granularity", t.timing_constraints.granularity);
        one("min_length", t.timing_constraints.min_length);
        one("pulse_alignment", t.timing_constraints.pulse_alignment);
        one("acquire_alignment", t.timing_constraints.acquire_alignment);
    }
    if (const json::value* v = get_present(o, "processor_type")) {
        const std::string pp = field(path, "processor_type");
        const json::object& p = as_object(*v, pp);
        auto text = [&](std::string_view key) -> std::string {
            const json::value* x = get_present(p, key);
            if (x == nullptr) return "";
            if (x->is_number()) {
                return fmt::format("{}", as_int(*x, field(pp, key), 0, 1'000'000'000));
            }
            return as_string(*x, field(pp, key));
        };
        t.processor_type.family = text("family");
        t.processor_type.revision = text("revision");
        t.processor_type.segment = text("segment");
    }
    if (const json::value* v = get_present(o, "max_shots")) {
        t.max_shots = static_cast<std::uint64_t>(
            as_int(*v, field(path, "max_shots"), 0, std::numeric_limits<std::int64_t>::max()));
    }
    if (const json::value* v = get_present(o, "max_experiments")) {
        t.max_experiments = static_cast<std::uint64_t>(as_int(
            *v, field(path, "max_experiments"), 0, std::numeric_limits<std::int64_t>::max()));
    }
    if (const json::value* v = get_present(o, "description")) {
        t.description = as_string(*v, field(path, "description"));
    }
    if (const json::value* v = get_present(o, "supported_features")) {
        t.supported_features = as_string_list(*v, field(path, "supported_features"));
    }
    if (const json::value* v = get_present(o, "rep_delay_range")) {
        const std::string rp = field(path, "rep_delay_range");
        const json::array& r = as_array(*v, rp);
        if (r.size() != 2) fail(rp, "expected [min, max] in microseconds");
        t.rep_delay_range = std::pair(as_number(r[0], element(rp, 0)) * 1e-6,
                                      as_number(r[1], element(rp, 1)) * 1e-6);
    }
    if (const json::value* v = get_present(o, "default_rep_delay")) {
        t.default_rep_delay = as_number(*v, field(path, "default_rep_delay")) * 1e-6;
    }
    if (const json::value* v = get_present(o, "meas_levels")) {
        const std::string mp = field(path, "meas_levels");
        const json::array& a = as_array(*v, mp);
        for (std::size_t i = 0; i < a.size(); ++i) {
            t.meas_levels.push_back(static_cast<int>(as_int(a[i], element(mp, i), 0, 2)));
        }
    }
    if (const json::value* v = get_present(o, "meas_map")) {
        const std::string mp = field(path, "meas_map");
        const json::array& a = as_array(*v, mp);
        for (std::size_t i = 0; i < a.size(); ++i) {
            t.meas_map.push_back(as_qargs(a[i], element(mp, i), t.num_qubits));
        }
    }
    return pc;
}

// ---------------------------------------------------------------- properties

struct GateEntry {
    std::string gate;
    Qargs qubits;
    std::optional<double> error, length;
    bool operational = true;
    std::string path;
};

struct ParsedProperties {
    std::vector<QubitProperties> qubits;
    std::vector<GateEntry> gates;
    std::string last_update_date;
};

struct Nduv {
    std::string name;
    double value = 0;  // SI
};

Nduv parse_nduv(const json::value& v, const std::string& path) {
    const json::object& o = as_object(v, path);
    // The client builds Nduv(**data): exactly these four keys.
    for (const auto& kv : o) {
        std::string_view k = kv.key();
        if (k != "date" && k != "name" && k != "unit" && k != "value") {
            fail(field(path, k),
                 "unexpected key (the Qiskit client accepts only date, name, "
                 "unit and value)");
        }
    }
    Nduv n;
    as_string(require(o, path, "date"), field(path, "date"));
    n.name = as_string(require(o, path, "name"), field(path, "name"));
    std::string unit = as_string(require(o, path, "unit"), field(path, "unit"));
    double raw = as_number(require(o, path, "value"), field(path, "value"));
    n.value = apply_prefix(raw, unit, field(path, "unit"));
    return n;
}

ParsedProperties parse_properties(const json::value& root, std::uint32_t num_qubits) {
    const std::string path = "properties";
    const json::object& o = as_object(root, path);
    ParsedProperties pp;
    as_string(require(o, path, "backend_name"), field(path, "backend_name"));
    as_string(require(o, path, "backend_version"), field(path, "backend_version"));
    pp.last_update_date =
        as_string(require(o, path, "last_update_date"), field(path, "last_update_date"));
    as_array(require(o, path, "general"), field(path, "general"));

    const std::string qp = field(path, "qubits");
    const json::array& qubits = as_array(require(o, path, "qubits"), qp);
    if (qubits.size() < num_qubits) {
        fail(qp, fmt::format("has {} entries but the configuration has {} qubits (the client "
                             "needs one per qubit)",
                             qubits.size(), num_qubits));
    }
    for (std::size_t q = 0; q < num_qubits; ++q) {
        const std::string ep = element(qp, q);
        const json::array& nduvs = as_array(qubits[q], ep);
        if (nduvs.empty()) fail(ep, "is empty (the client needs at least one value per qubit)");
        QubitProperties p;
        for (std::size_t k = 0; k < nduvs.size(); ++k) {
            const std::string np = element(ep, k);
            Nduv n = parse_nduv(nduvs[k], np);
            if (n.name == "T1") {
                p.t1 = n.value;
            } else if (n.name == "T2") {
                p.t2 = n.value;
            } else if (n.name == "frequency") {
                p.frequency = n.value;
            } else if (n.name == "anharmonicity") {
                p.anharmonicity = n.value;
            } else if (n.name == "readout_error") {
                p.readout_error = n.value;
            } else if (n.name == "prob_meas0_prep1") {
                p.prob_meas0_prep1 = n.value;
            } else if (n.name == "prob_meas1_prep0") {
                p.prob_meas1_prep0 = n.value;
            } else if (n.name == "readout_length") {
                p.readout_length = n.value;
            } else if (n.name == "operational") {
                p.operational = n.value != 0;
            }
        }
        pp.qubits.push_back(p);
    }

    const std::string gp = field(path, "gates");
    const json::array& gates = as_array(require(o, path, "gates"), gp);
    for (std::size_t i = 0; i < gates.size(); ++i) {
        const std::string ep = element(gp, i);
        const json::object& g = as_object(gates[i], ep);
        GateEntry e;
        e.path = ep;
        e.gate = as_string(require(g, ep, "gate"), field(ep, "gate"));
        e.qubits = as_qargs(require(g, ep, "qubits"), field(ep, "qubits"), num_qubits);
        const std::string pr = field(ep, "parameters");
        const json::array& params = as_array(require(g, ep, "parameters"), pr);
        for (std::size_t k = 0; k < params.size(); ++k) {
            Nduv n = parse_nduv(params[k], element(pr, k));
            if (n.name == "gate_error") {
                e.error = n.value;
            } else if (n.name == "gate_length") {
                e.length = n.value;
            } else if (n.name == "operational") {
                e.operational = n.value != 0;
            }
        }
        pp.gates.push_back(std::move(e));
    }
    return pp;
}

// ---------------------------------------------------------------- convert_to_target

void check_arity(const TargetInstruction& ti, const Qargs& q, const std::string& path) {
    if (ti.num_qubits >= 0 && q.size() != static_cast<std::size_t>(ti.num_qubits)) {
        fail(path, fmt::format("{} acts on {} qubit(s), got {}", ti.name, ti.num_qubits, q.size()));
    }
}

Target build_target(ParsedConfiguration pc, const std::optional<ParsedProperties>& props) {
    Target t = std::move(pc.target);
    const auto& supported = t.supported_instructions;

    std::set<std::string> all(t.basis_gates.begin(), t.basis_gates.end());
    for (const auto& s : supported) {
        if (contains(kNonUnitaryIsa, s) || contains(kControlFlow, s)) all.insert(s);
    }

    for (const std::string& name : all) {
        TargetInstruction ti;
        ti.name = name;
        if (contains(kControlFlow, name)) {
            ti.num_qubits = -1;
            ti.global = true;
            t.instructions[name] = std::move(ti);
            continue;
        }
        auto gc = pc.gate_configs.find(name);
        if (const GateInfo* g = standard_instruction(name)) {
            ti.num_qubits = g->num_qubits;
            ti.num_clbits = g->kind == GateKind::kMeasure ? 1 : 0;
        } else if (gc != pc.gate_configs.end()) {
            // A gate the configuration defines by name only (no Qiskit counterpart).
            ti.num_qubits = gc->second.coupling_map.empty()
                                ? 0
                                : static_cast<int>(gc->second.coupling_map.front().size());
        } else {
            continue;  // the client warns and leaves it out
        }
        if (gc != pc.gate_configs.end()) ti.parameters = gc->second.parameters;
        t.instructions[name] = std::move(ti);
    }
    for (Signature& s : pc.signatures) {
        TargetInstruction ti;
        ti.name = s.name;
        ti.num_qubits = s.num_qubits;
        ti.num_clbits = s.num_clbits;
        ti.parameters = std::move(s.parameters);
        ti.from_signature = true;
        ti.return_type = std::move(s.return_type);
        ti.description = std::move(s.description);
        t.instructions[s.name] = std::move(ti);
    }

    // Placeholders: a configured coupling map ties an instruction to those qubits (ideal);
    // otherwise it is global.
    for (auto& [name, ti] : t.instructions) {
        if (ti.num_qubits < 0) {
            ti.global = true;
            continue;
        }
        auto gc = pc.gate_configs.find(name);
        if (gc != pc.gate_configs.end() && !gc->second.coupling_map.empty()) {
            const std::string path = field(gc->second.path, "coupling_map");
            for (const Qargs& q : gc->second.coupling_map) {
                check_arity(ti, q, path);
                ti.qargs[q] = {};
            }
        } else {
            ti.global = true;
        }
    }

    std::set<std::uint32_t> faulty;
    if (props) {
        t.qubits = props->qubits;
        t.last_update_date = props->last_update_date;
        for (std::uint32_t q = 0; q < t.num_qubits; ++q) {
            if (!t.qubits[q].operational) faulty.insert(q);
        }
        for (const GateEntry& e : props->gates) {
            auto it = t.instructions.find(e.gate);
            if (it == t.instructions.end() || it->second.num_qubits < 0) continue;
            TargetInstruction& ti = it->second;
            check_arity(ti, e.qubits, field(e.path, "qubits"));
            bool bad = !e.operational || std::any_of(e.qubits.begin(), e.qubits.end(),
                                                     [&](auto q) { return faulty.count(q); });
            if (bad) {
                ti.qargs.erase(e.qubits);
                continue;
            }
            if (ti.global) {
                ti.global = false;
                ti.qargs.clear();
            }
            ti.qargs[e.qubits] = InstructionProperties{e.error, e.length};
        }
        // Measure's calibration lives in the qubit properties.
        auto m = t.instructions.find("measure");
        if (m != t.instructions.end()) {
            m->second.global = false;
            m->second.qargs.clear();
            for (std::uint32_t q = 0; q < t.num_qubits; ++q) {
                if (faulty.count(q)) continue;
                m->second.qargs[{q}] = {t.qubits[q].readout_error, t.qubits[q].readout_length};
            }
        }
    }
    // measure, reset and delay without a placement go on every operational qubit.
    for (std::string_view op : kNonUnitaryIsa) {
        if (!contains(supported, op)) continue;
        auto it = t.instructions.find(std::string(op));
        if (it == t.instructions.end() || !it->second.global) continue;
        it->second.global = false;
        for (std::uint32_t q = 0; q < t.num_qubits; ++q) {
            if (!faulty.count(q)) it->second.qargs[{q}] = {};
        }
    }
    return t;
}

bool has_properties(const InstructionProperties& p) { return p.error || p.duration; }

}  // namespace

// ---------------------------------------------------------------- Target methods

const TargetInstruction* Target::find(std::string_view name) const {
    auto it = instructions.find(std::string(name));
    return it == instructions.end() ? nullptr : &it->second;
}

bool Target::instruction_supported(std::string_view name, const Qargs& qargs) const {
    const TargetInstruction* ti = find(name);
    if (ti == nullptr) return false;
    if (ti->qargs.count(qargs)) return true;
    if (!ti->global) return false;
    if (ti->num_qubits < 0) {
        // Qiskit compares with <= here (variadic operations); kept for parity.
        return std::all_of(qargs.begin(), qargs.end(), [&](auto q) { return q <= num_qubits; });
    }
    return qargs.size() == static_cast<std::size_t>(ti->num_qubits) &&
           std::all_of(qargs.begin(), qargs.end(), [&](auto q) { return q < num_qubits; });
}

bool Target::has_edge(std::uint32_t a, std::uint32_t b) const {
    for (const auto& [name, ti] : instructions) {
        if (ti.num_qubits == 2 && ti.qargs.count({a, b})) return true;
    }
    return false;
}

std::optional<double> Target::gate_error(std::string_view name, const Qargs& qargs) const {
    const TargetInstruction* ti = find(name);
    if (ti == nullptr) return std::nullopt;
    auto it = ti->qargs.find(qargs);
    return it == ti->qargs.end() ? std::nullopt : it->second.error;
}

std::optional<double> Target::duration(std::string_view name, const Qargs& qargs) const {
    const TargetInstruction* ti = find(name);
    if (ti == nullptr) return std::nullopt;
    auto it = ti->qargs.find(qargs);
    return it == ti->qargs.end() ? std::nullopt : it->second.duration;
}

namespace {

Result<TargetInstruction> new_instruction(std::string_view name) {
    TargetInstruction ti;
    ti.name = std::string(name);
    if (contains(kControlFlow, name)) {
        ti.num_qubits = -1;
        return ti;
    }
    const GateInfo* g = standard_instruction(name);
    if (g == nullptr) {
        return invalid_argument(fmt::format("unknown instruction \"{}\"", name));
    }
    ti.num_qubits = g->num_qubits;
    ti.num_clbits = g->kind == GateKind::kMeasure ? 1 : 0;
    static constexpr std::array<const char*, 4> kNames = {"theta", "phi", "lam", "gamma"};
    for (int i = 0; i < g->num_params && i < 4; ++i) ti.parameters.emplace_back(kNames[i]);
    return ti;
}

}  // namespace

Status Target::add_instruction(std::string_view name, const Qargs& qargs,
                               InstructionProperties props) {
    auto it = instructions.find(std::string(name));
    if (it == instructions.end()) {
        auto ti = new_instruction(name);
        if (!ti.ok()) return ti.status();
        it = instructions.emplace(std::string(name), std::move(*ti)).first;
    }
    TargetInstruction& ti = it->second;
    if (ti.num_qubits >= 0 && qargs.size() != static_cast<std::size_t>(ti.num_qubits)) {
        return invalid_argument(
            fmt::format("{} acts on {} qubit(s), got {}", name, ti.num_qubits, qargs.size()));
    }
    for (std::uint32_t q : qargs) {
        if (q >= num_qubits) {
            return invalid_argument(
                fmt::format("qubit {} is out of range (the target has {})", q, num_qubits));
        }
    }
    ti.global = false;
    ti.qargs[qargs] = props;
    return {};
}

Status Target::add_global_instruction(std::string_view name) {
    if (instructions.count(std::string(name))) {
        TargetInstruction& ti = instructions[std::string(name)];
        ti.global = true;
        ti.qargs.clear();
        return {};
    }
    auto ti = new_instruction(name);
    if (!ti.ok()) return ti.status();
    ti->global = true;
    instructions.emplace(std::string(name), std::move(*ti));
    return {};
}

void Target::derive_lists() {
    basis_gates.clear();
    supported_instructions.clear();
    std::set<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (const auto& [name, ti] : instructions) {
        const GateInfo* g = standard_instruction(name);
        bool unitary = g != nullptr ? g->unitary : (!ti.from_signature && ti.num_qubits > 0);
        if (unitary && !ti.from_signature) basis_gates.push_back(name);
        if (!ti.from_signature) supported_instructions.push_back(name);
        if (ti.num_qubits == 2) {
            for (const auto& [q, p] : ti.qargs) edges.emplace(q[0], q[1]);
        }
    }
    coupling_map.assign(edges.begin(), edges.end());
}

Result<Target> make_target(std::string name, std::uint32_t num_qubits,
                           const std::vector<std::string>& one_qubit_gates,
                           std::string_view two_qubit_gate,
                           const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges,
                           bool symmetric, bool dynamic) {
    Target t;
    t.backend_name = std::move(name);
    t.num_qubits = num_qubits;
    t.dt = 0.5e-9;
    t.conditional = dynamic;
    t.supported_features = {"qasm3"};
    if (dynamic) t.supported_features.emplace_back("dynamic_circuits");
    for (std::uint32_t q = 0; q < num_qubits; ++q) {
        for (const std::string& g : one_qubit_gates) QRT_RETURN_IF_ERROR(t.add_instruction(g, {q}));
        for (const char* op : {"measure", "reset", "delay"}) {
            QRT_RETURN_IF_ERROR(t.add_instruction(op, {q}));
        }
    }
    if (!two_qubit_gate.empty()) {
        for (const auto& [a, b] : edges) {
            QRT_RETURN_IF_ERROR(t.add_instruction(two_qubit_gate, {a, b}));
            if (symmetric) QRT_RETURN_IF_ERROR(t.add_instruction(two_qubit_gate, {b, a}));
        }
    }
    if (dynamic) QRT_RETURN_IF_ERROR(t.add_global_instruction("if_else"));
    t.derive_lists();
    return t;
}

// ---------------------------------------------------------------- entry points

Result<Target> target_from_backend_json(std::string_view configuration_json,
                                        std::string_view properties_json) {
    try {
        ParsedConfiguration pc =
            parse_configuration(parse_json(configuration_json, "configuration"));
        std::optional<ParsedProperties> props;
        if (!properties_json.empty()) {
            json::value pv = parse_json(properties_json, "properties");
            // `{}` is how the API says "no properties".
            if (!(pv.is_object() && pv.get_object().empty())) {
                props = parse_properties(pv, pc.target.num_qubits);
            }
        }
        return build_target(std::move(pc), props);
    } catch (const ParseError& e) {
        return invalid_argument(e.message);
    } catch (const std::exception& e) {
        return invalid_argument(fmt::format("backend JSON: {}", e.what()));
    }
}

std::string target_to_configuration_json(const Target& t) {
    std::vector<std::string> basis = t.basis_gates;
    std::vector<std::string> supported = t.supported_instructions;
    // Instructions missing from the stored lists would be lost on the way back; add them.
    {
        Target derived;
        derived.instructions = t.instructions;
        derived.derive_lists();
        for (const auto& n : derived.basis_gates) {
            if (!contains(basis, n)) basis.push_back(n);
        }
        for (const auto& n : derived.supported_instructions) {
            if (!contains(supported, n)) supported.push_back(n);
        }
    }

    json::object o;
    o["backend_name"] = t.backend_name;
    o["backend_version"] = t.backend_version;
    o["n_qubits"] = t.num_qubits;
    o["basis_gates"] = strings_json(basis);
    json::array gates;
    std::vector<const TargetInstruction*> sigs;
    for (const auto& [name, ti] : t.instructions) {
        if (ti.from_signature) sigs.push_back(&ti);
        if (ti.num_qubits < 0) continue;  // control flow
        json::object g;
        g["name"] = name;
        g["parameters"] = strings_json(ti.parameters);
        g["qasm_def"] = "";
        if (!ti.global) {
            json::array cm;
            for (const auto& [q, p] : ti.qargs) cm.emplace_back(qargs_json(q));
            g["coupling_map"] = std::move(cm);
        }
        gates.emplace_back(std::move(g));
    }
    o["gates"] = std::move(gates);
    o["local"] = t.local;
    o["simulator"] = t.simulator;
    o["conditional"] = t.conditional;
    o["open_pulse"] = t.open_pulse;
    o["memory"] = t.memory;
    o["max_shots"] = t.max_shots;
    o["max_experiments"] = t.max_experiments;
    json::array cm;
    for (const auto& [a, b] : t.coupling_map) cm.emplace_back(qargs_json({a, b}));
    o["coupling_map"] = std::move(cm);
    o["supported_instructions"] = strings_json(supported);
    if (!sigs.empty()) {
        json::array a;
        for (const TargetInstruction* ti : sigs) {
            json::object s;
            s["name"] = ti->name;
            s["num_qubits"] = ti->num_qubits;
            s["num_clbits"] = ti->num_clbits;
            s["parameters"] = strings_json(ti->parameters);
            s["return_type"] = ti->return_type;
            if (!ti->description.empty()) s["description"] = ti->description;
            a.emplace_back(std::move(s));
        }
        o["instruction_signatures"] = std::move(a);
    }
    o["online_date"] = t.online_date;
    if (!t.description.empty()) o["description"] = t.description;
    if (t.dt) {
        o["dt"] = to_ns_mul(*t.dt);
        o["dtm"] = to_ns_mul(*t.dt);
    }
    o["timing_constraints"] = {{"granularity", t.timing_constraints.granularity},
                               {"min_length", t.timing_constraints.min_length},
                               {"pulse_alignment", t.timing_constraints.pulse_alignment},
                               {"acquire_alignment", t.timing_constraints.acquire_alignment}};
    if (!t.processor_type.family.empty() || !t.processor_type.revision.empty()) {
        json::object p;
        p["family"] = t.processor_type.family;
        p["revision"] = t.processor_type.revision;
        if (!t.processor_type.segment.empty()) p["segment"] = t.processor_type.segment;
        o["processor_type"] = std::move(p);
    }
    o["supported_features"] = strings_json(t.supported_features);
    if (t.rep_delay_range) {
        o["rep_delay_range"] =
            json::array{to_us_mul(t.rep_delay_range->first), to_us_mul(t.rep_delay_range->second)};
    }
    if (t.default_rep_delay) o["default_rep_delay"] = to_us_mul(*t.default_rep_delay);
    if (!t.meas_levels.empty()) {
        json::array a;
        for (int l : t.meas_levels) a.emplace_back(l);
        o["meas_levels"] = std::move(a);
    }
    if (!t.meas_map.empty()) {
        json::array a;
        for (const Qargs& m : t.meas_map) a.emplace_back(qargs_json(m));
        o["meas_map"] = std::move(a);
    }
    return to_text(o);
}

std::string target_to_properties_json(const Target& t, Timestamp last_update) {
    const TargetInstruction* measure = t.find("measure");
    bool any = !t.qubits.empty();
    for (const auto& [name, ti] : t.instructions) {
        for (const auto& [q, p] : ti.qargs) any = any || has_properties(p);
    }
    if (!any) return "{}";  // how the API says "no properties"

    const std::string date = format_iso8601(last_update);
    auto nduv = [&](std::string_view name, std::string_view unit, double value) {
        return json::object{{"date", date}, {"name", name}, {"unit", unit}, {"value", value}};
    };
    auto scaled = [&](std::string_view name, Scaled v) { return nduv(name, v.unit, v.value); };

    json::object o;
    o["backend_name"] = t.backend_name;
    o["backend_version"] = t.backend_version;
    o["last_update_date"] = t.last_update_date.empty() ? date : t.last_update_date;
    json::array qubits;
    for (std::uint32_t q = 0; q < t.num_qubits; ++q) {
        QubitProperties p = q < t.qubits.size() ? t.qubits[q] : QubitProperties{};
        if (measure != nullptr) {
            auto it = measure->qargs.find({q});
            if (it != measure->qargs.end()) {
                if (!p.readout_error) p.readout_error = it->second.error;
                if (!p.readout_length) p.readout_length = it->second.duration;
            }
        }
        json::array a;
        if (p.t1) a.emplace_back(scaled("T1", express_time(*p.t1, "us")));
        if (p.t2) a.emplace_back(scaled("T2", express_time(*p.t2, "us")));
        if (p.frequency) a.emplace_back(scaled("frequency", express_frequency(*p.frequency)));
        if (p.anharmonicity) {
            a.emplace_back(scaled("anharmonicity", express_frequency(*p.anharmonicity)));
        }
        if (p.readout_error) a.emplace_back(nduv("readout_error", "", *p.readout_error));
        if (p.prob_meas0_prep1) a.emplace_back(nduv("prob_meas0_prep1", "", *p.prob_meas0_prep1));
        if (p.prob_meas1_prep0) a.emplace_back(nduv("prob_meas1_prep0", "", *p.prob_meas1_prep0));
        if (p.readout_length) {
            a.emplace_back(scaled("readout_length", express_time(*p.readout_length, "ns")));
        }
        if (!p.operational || a.empty()) {
            a.emplace_back(nduv("operational", "", p.operational ? 1.0 : 0.0));
        }
        qubits.emplace_back(std::move(a));
    }
    o["qubits"] = std::move(qubits);
    json::array gates;
    for (const auto& [name, ti] : t.instructions) {
        if (name == "measure" || ti.num_qubits < 0) continue;
        for (const auto& [q, p] : ti.qargs) {
            if (!has_properties(p)) continue;
            json::array params;
            if (p.error) params.emplace_back(nduv("gate_error", "", *p.error));
            if (p.duration) {
                params.emplace_back(scaled("gate_length", express_time(*p.duration, "ns")));
            }
            std::string label = name;
            for (std::size_t i = 0; i < q.size(); ++i) {
                label += fmt::format("{}{}", i == 0 ? "" : "_", q[i]);
            }
            gates.emplace_back(json::object{{"qubits", qargs_json(q)},
                                            {"gate", name},
                                            {"parameters", std::move(params)},
                                            {"name", label}});
        }
    }
    o["gates"] = std::move(gates);
    o["general"] = json::array{};
    return to_text(o);
}

}  // namespace qrt::circuit
