// Sampler V2 / Estimator V2 on the simulators: PUB validation and broadcasting, option parsing
// against IBM's option schema, BitArray packing, exact and shot-based expectation values, TREX
// readout mitigation and ZNE by 2-qubit gate folding. See docs/primitives.md.
#include "primitives/primitives.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <set>
#include <string_view>

#include "base/rng.h"

namespace qrt::primitives {

namespace json = boost::json;
using circuit::Circuit;
using circuit::GateKind;
using circuit::Instruction;

// ---------------------------------------------------------------------------------------------
// Arrays and broadcasting

std::size_t NdArray::size() const {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    return n;
}

namespace {

std::size_t shape_size(const std::vector<std::size_t>& shape) {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    return n;
}

std::string shape_text(const std::vector<std::size_t>& shape) {
    if (shape.size() == 1) return fmt::format("({},)", shape[0]);
    return fmt::format("({})", fmt::join(shape, ", "));
}

// The flat index into an array of `shape` (right-aligned against `out_shape`, broadcast axes of
// size 1) for the element of `out_shape` with multi-index `index`.
std::size_t broadcast_index(const std::vector<std::size_t>& out_index,
                            const std::vector<std::size_t>& shape) {
    const std::size_t offset = out_index.size() - shape.size();
    std::size_t flat = 0;
    for (std::size_t a = 0; a < shape.size(); ++a) {
        const std::size_t i = shape[a] == 1 ? 0 : out_index[offset + a];
        flat = flat * shape[a] + i;
    }
    return flat;
}

std::vector<std::size_t> unravel(std::size_t flat, const std::vector<std::size_t>& shape) {
    std::vector<std::size_t> index(shape.size());
    for (std::size_t a = shape.size(); a-- > 0;) {
        index[a] = flat % shape[a];
        flat /= shape[a];
    }
    return index;
}

Status with_pub(std::size_t pub, const Status& s) {
    return {s.code(), fmt::format("PUB {}: {}", pub, s.message())};
}

}  // namespace

Result<std::vector<std::size_t>> broadcast_shapes(const std::vector<std::size_t>& a,
                                                  const std::vector<std::size_t>& b) {
    const std::size_t n = std::max(a.size(), b.size());
    std::vector<std::size_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
        const std::size_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
        if (da != db && da != 1 && db != 1) {
            return invalid_argument(fmt::format("shapes {} and {} cannot be broadcast together",
                                                shape_text(a), shape_text(b)));
        }
        out[n - 1 - i] = da == 1 ? db : da;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// BitArray

namespace {

std::string row_bitstring(const std::uint8_t* row, std::uint32_t num_bits, std::size_t nbytes) {
    std::string s(num_bits, '0');
    for (std::uint32_t k = 0; k < num_bits; ++k) {
        if ((row[nbytes - 1 - k / 8] >> (k % 8)) & 1u) s[num_bits - 1 - k] = '1';
    }
    return s;
}

}  // namespace

std::map<std::string, std::uint64_t> BitArray::counts() const {
    std::map<std::string, std::uint64_t> out;
    const std::size_t nbytes = bytes_per_shot();
    const std::size_t rows = shape_size(shape) * num_shots;
    for (std::size_t r = 0; r < rows; ++r)
        ++out[row_bitstring(&bytes[r * nbytes], num_bits, nbytes)];
    return out;
}

std::map<std::string, std::uint64_t> BitArray::counts(std::size_t flat_index) const {
    std::map<std::string, std::uint64_t> out;
    if (flat_index >= shape_size(shape)) return out;
    const std::size_t nbytes = bytes_per_shot();
    for (std::uint64_t s = 0; s < num_shots; ++s) {
        const std::size_t r = flat_index * num_shots + s;
        ++out[row_bitstring(&bytes[r * nbytes], num_bits, nbytes)];
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Options

namespace {

// A node of the option schema: what a JSON value at some path may be.
struct Spec {
    enum class Kind {
        kObject,  // children by key; unknown keys refused
        kBool,
        kPositiveInt,
        kNonNegativeInt,
        kPositiveNumber,
        kNonNegativeNumber,
        kEnum,          // one of `choices`
        kIntOrAuto,     // positive int or "auto"
        kNumberOrAuto,  // non-negative number or "auto"
        kStringList,
        kIntList,         // non-negative ints
        kNumberList,      // numbers >= `min`
        kEnumOrEnumList,  // one of `choices` or a non-empty list of them
        kAny,             // accepted as is (free-form groups)
    };
    Kind kind = Kind::kAny;
    std::vector<std::string> choices;
    double min = 0;
    std::map<std::string, Spec> children;
};

Spec leaf(Spec::Kind k) { return Spec{k, {}, 0, {}}; }
Spec choice(std::vector<std::string> c) { return Spec{Spec::Kind::kEnum, std::move(c), 0, {}}; }
Spec object(std::map<std::string, Spec> children) {
    return Spec{Spec::Kind::kObject, {}, 0, std::move(children)};
}

std::optional<std::int64_t> as_integer(const json::value& v) {
    if (v.is_int64()) return v.as_int64();
    if (v.is_uint64()) {
        if (v.as_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(v.as_uint64());
    }
    if (v.is_double()) {
        const double d = v.as_double();
        if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.0e18) {
            return static_cast<std::int64_t>(d);
        }
    }
    return std::nullopt;
}

std::optional<double> as_number(const json::value& v) {
    if (v.is_int64()) return static_cast<double>(v.as_int64());
    if (v.is_uint64()) return static_cast<double>(v.as_uint64());
    if (v.is_double() && std::isfinite(v.as_double())) return v.as_double();
    return std::nullopt;
}

std::string value_text(const json::value& v) {
    std::string s = json::serialize(v);
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

Status bad(const std::string& path, const json::value& v, std::string_view expected) {
    return invalid_argument(fmt::format("{}: expected {}, got {}", path, expected, value_text(v)));
}

std::string choices_text(const std::vector<std::string>& c) {
    std::string out;
    for (std::size_t i = 0; i < c.size(); ++i) {
        out += (i == 0 ? "" : i + 1 == c.size() ? " or " : ", ") + fmt::format("\"{}\"", c[i]);
    }
    return out;
}

Status validate(const json::value& v, const Spec& spec, const std::string& path) {
    using K = Spec::Kind;
    if (v.is_null()) return {};  // null means "the default" for every option
    switch (spec.kind) {
        case K::kAny:
            return {};
        case K::kObject: {
            if (!v.is_object()) return bad(path, v, "an object");
            for (const auto& [key, child] : v.as_object()) {
                const std::string p =
                    path.empty() ? std::string(key) : path + "." + std::string(key);
                auto it = spec.children.find(std::string(key));
                if (it == spec.children.end()) {
                    return invalid_argument(fmt::format("{}: unknown option", p));
                }
                QRT_RETURN_IF_ERROR(validate(child, it->second, p));
            }
            return {};
        }
        case K::kBool:
            return v.is_bool() ? Status{} : bad(path, v, "true or false");
        case K::kPositiveInt: {
            auto i = as_integer(v);
            return i && *i > 0 ? Status{} : bad(path, v, "an integer > 0");
        }
        case K::kNonNegativeInt: {
            auto i = as_integer(v);
            return i && *i >= 0 ? Status{} : bad(path, v, "an integer >= 0");
        }
        case K::kPositiveNumber: {
            auto d = as_number(v);
            return d && *d > 0 ? Status{} : bad(path, v, "a number > 0");
        }
        case K::kNonNegativeNumber: {
            auto d = as_number(v);
            return d && *d >= 0 ? Status{} : bad(path, v, "a number >= 0");
        }
        case K::kEnum: {
            if (v.is_string()) {
                const std::string s(v.as_string());
                if (std::find(spec.choices.begin(), spec.choices.end(), s) != spec.choices.end()) {
                    return {};
                }
            }
            return bad(path, v, choices_text(spec.choices));
        }
        case K::kIntOrAuto: {
            if (v.is_string() && v.as_string() == "auto") return {};
            auto i = as_integer(v);
            return i && *i > 0 ? Status{} : bad(path, v, "an integer > 0 or \"auto\"");
        }
        case K::kNumberOrAuto: {
            if (v.is_string() && v.as_string() == "auto") return {};
            auto d = as_number(v);
            return d && *d >= 0 ? Status{} : bad(path, v, "a number >= 0 or \"auto\"");
        }
        case K::kStringList: {
            if (!v.is_array()) return bad(path, v, "a list of strings");
            for (const auto& e : v.as_array()) {
                if (!e.is_string()) return bad(path, v, "a list of strings");
            }
            return {};
        }
        case K::kIntList: {
            if (!v.is_array()) return bad(path, v, "a list of integers >= 0");
            for (const auto& e : v.as_array()) {
                auto i = as_integer(e);
                if (!i || *i < 0) return bad(path, v, "a list of integers >= 0");
            }
            return {};
        }
        case K::kNumberList: {
            const std::string expected = fmt::format("a non-empty list of numbers >= {}", spec.min);
            if (!v.is_array() || v.as_array().empty()) return bad(path, v, expected);
            for (const auto& e : v.as_array()) {
                auto d = as_number(e);
                if (!d || *d < spec.min) return bad(path, v, expected);
            }
            return {};
        }
        case K::kEnumOrEnumList: {
            const std::string expected =
                fmt::format("{} or a non-empty list of them", choices_text(spec.choices));
            auto ok = [&](const json::value& e) {
                return e.is_string() && std::find(spec.choices.begin(), spec.choices.end(),
                                                  std::string(e.as_string())) != spec.choices.end();
            };
            if (v.is_string()) return ok(v) ? Status{} : bad(path, v, expected);
            if (!v.is_array() || v.as_array().empty()) return bad(path, v, expected);
            for (const auto& e : v.as_array()) {
                if (!ok(e)) return bad(path, v, expected);
            }
            return {};
        }
    }
    return {};
}

// The option groups both primitives accept and (mostly) ignore on a simulator.
std::map<std::string, Spec> common_groups() {
    using K = Spec::Kind;
    std::map<std::string, Spec> g;
    g["dynamical_decoupling"] = object({
        {"enable", leaf(K::kBool)},
        {"sequence_type", choice({"XX", "XpXm", "XY4"})},
        {"extra_slack_distribution", choice({"middle", "edges"})},
        {"scheduling_method", choice({"alap", "asap"})},
        {"skip_reset_qubits", leaf(K::kBool)},
    });
    g["twirling"] = object({
        {"enable_gates", leaf(K::kBool)},
        {"enable_measure", leaf(K::kBool)},
        {"num_randomizations", leaf(K::kIntOrAuto)},
        {"shots_per_randomization", leaf(K::kIntOrAuto)},
        {"strategy", choice({"active", "active-circuit", "active-accum", "all"})},
    });
    g["environment"] = object({
        {"job_tags", leaf(K::kStringList)},
        {"log_level", choice({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})},
        {"private", leaf(K::kBool)},
        {"callback", leaf(K::kAny)},
    });
    g["experimental"] = leaf(K::kAny);
    g["max_execution_time"] = leaf(K::kPositiveInt);
    g["simulator"] = object({
        {"seed_simulator", leaf(K::kNonNegativeInt)},
        {"noise_model", leaf(K::kAny)},
        {"coupling_map", leaf(K::kAny)},
        {"basis_gates", leaf(K::kStringList)},
    });
    return g;
}

Result<json::value> parse_options_json(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return json::value(json::object());
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) return invalid_argument(fmt::format("options: not valid JSON ({})", ec.message()));
    if (v.is_null()) return json::value(json::object());
    if (!v.is_object()) return invalid_argument("options: expected a JSON object");
    return v;
}

// The value at a dotted path, or nullptr when absent or null.
const json::value* at_path(const json::value& root, std::string_view path) {
    const json::value* cur = &root;
    while (!path.empty()) {
        const auto dot = path.find('.');
        const std::string_view key = path.substr(0, dot);
        if (!cur->is_object()) return nullptr;
        const auto* next = cur->as_object().if_contains(key);
        if (next == nullptr) return nullptr;
        cur = next;
        path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    }
    return cur->is_null() ? nullptr : cur;
}

std::optional<std::uint64_t> uint_at(const json::value& root, std::string_view path) {
    const json::value* v = at_path(root, path);
    if (v == nullptr) return std::nullopt;
    auto i = as_integer(*v);
    if (!i) return std::nullopt;  // "auto"
    return static_cast<std::uint64_t>(*i);
}

std::optional<bool> bool_at(const json::value& root, std::string_view path) {
    const json::value* v = at_path(root, path);
    if (v == nullptr) return std::nullopt;
    return v->as_bool();
}

Status unimplemented(std::string m) { return {ErrorCode::kUnimplemented, std::move(m)}; }

}  // namespace

Result<SamplerOptions> parse_sampler_options(std::string_view text) {
    auto parsed = parse_options_json(text);
    if (!parsed.ok()) return parsed.status();
    const json::value& root = *parsed;

    using K = Spec::Kind;
    auto groups = common_groups();
    groups["default_shots"] = leaf(K::kPositiveInt);
    groups["seed"] = leaf(K::kNonNegativeInt);
    groups["execution"] = object({
        {"init_qubits", leaf(K::kBool)},
        {"rep_delay", leaf(K::kNonNegativeNumber)},
        {"meas_type", choice({"classified", "kerneled", "avg_kerneled"})},
    });
    QRT_RETURN_IF_ERROR(validate(root, object(std::move(groups)), ""));

    if (const auto* m = at_path(root, "execution.meas_type"); m && m->as_string() != "classified") {
        return unimplemented(fmt::format(
            "execution.meas_type: \"{}\" needs a physical readout; a simulator returns only "
            "\"classified\" results",
            std::string(m->as_string())));
    }
    SamplerOptions out;
    if (auto s = uint_at(root, "default_shots")) out.default_shots = *s;
    const auto seed = uint_at(root, "seed");
    const auto seed_simulator = uint_at(root, "simulator.seed_simulator");
    if (seed && seed_simulator && *seed != *seed_simulator) {
        return invalid_argument(
            fmt::format("seed: {} differs from simulator.seed_simulator: {}; give one", *seed,
                        *seed_simulator));
    }
    out.seed = seed_simulator ? seed_simulator : seed;
    return out;
}

Result<EstimatorOptions> parse_estimator_options(std::string_view text, int resilience_level) {
    auto parsed = parse_options_json(text);
    if (!parsed.ok()) return parsed.status();
    const json::value& root = *parsed;

    using K = Spec::Kind;
    auto groups = common_groups();
    groups["default_shots"] = leaf(K::kPositiveInt);
    groups["default_precision"] = leaf(K::kPositiveNumber);
    groups["seed_estimator"] = leaf(K::kNonNegativeInt);
    groups["resilience_level"] = choice({});  // checked below: an integer 0..2
    groups["resilience_level"].kind = K::kAny;
    groups["execution"] = object({
        {"init_qubits", leaf(K::kBool)},
        {"rep_delay", leaf(K::kNonNegativeNumber)},
    });
    Spec noise_factors = leaf(K::kNumberList);
    noise_factors.min = 1;
    Spec extrapolated = leaf(K::kNumberList);
    extrapolated.min = 0;
    Spec extrapolator{
        K::kEnumOrEnumList,
        {"linear", "exponential", "double_exponential", "polynomial_degree_1",
         "polynomial_degree_2", "polynomial_degree_3", "polynomial_degree_4", "polynomial_degree_5",
         "polynomial_degree_6", "polynomial_degree_7", "fallback"},
        0,
        {}};
    groups["resilience"] = object({
        {"measure_mitigation", leaf(K::kBool)},
        {"measure_noise_learning", object({{"num_randomizations", leaf(K::kPositiveInt)},
                                           {"shots_per_randomization", leaf(K::kIntOrAuto)}})},
        {"zne_mitigation", leaf(K::kBool)},
        {"zne", object({{"noise_factors", noise_factors},
                        {"extrapolator", extrapolator},
                        {"amplifier", choice({"gate_folding", "gate_folding_front",
                                              "gate_folding_back", "pea"})},
                        {"extrapolated_noise_factors", extrapolated}})},
        {"pec_mitigation", leaf(K::kBool)},
        {"pec", object({{"max_overhead", leaf(K::kPositiveNumber)},
                        {"noise_gain", leaf(K::kNumberOrAuto)}})},
        {"layer_noise_learning", object({{"max_layers_to_learn", leaf(K::kNonNegativeInt)},
                                         {"shots_per_randomization", leaf(K::kPositiveInt)},
                                         {"num_randomizations", leaf(K::kPositiveInt)},
                                         {"layer_pair_depths", leaf(K::kIntList)}})},
    });
    QRT_RETURN_IF_ERROR(validate(root, object(std::move(groups)), ""));

    EstimatorOptions out;
    if (const auto* v = at_path(root, "resilience_level")) {
        auto i = as_integer(*v);
        if (!i || *i < 0 || *i > 2) return bad("resilience_level", *v, "0, 1 or 2");
        resilience_level = static_cast<int>(*i);
    }
    if (resilience_level < 0 || resilience_level > 2) {
        return invalid_argument(
            fmt::format("resilience_level: expected 0, 1 or 2, got {}", resilience_level));
    }
    out.resilience_level = resilience_level;
    out.default_shots = uint_at(root, "default_shots");
    if (const auto* v = at_path(root, "default_precision")) out.default_precision = *as_number(*v);
    out.seed = uint_at(root, "seed_estimator");
    if (!out.seed) out.seed = uint_at(root, "simulator.seed_simulator");
    out.measure_mitigation = bool_at(root, "resilience.measure_mitigation");
    out.zne_mitigation = bool_at(root, "resilience.zne_mitigation");
    out.twirl_measure = bool_at(root, "twirling.enable_measure");
    out.num_randomizations = uint_at(root, "twirling.num_randomizations");
    if (!out.num_randomizations) {
        out.num_randomizations =
            uint_at(root, "resilience.measure_noise_learning.num_randomizations");
    }
    out.shots_per_randomization = uint_at(root, "twirling.shots_per_randomization");
    if (const auto* v = at_path(root, "resilience.zne.noise_factors")) {
        out.zne_noise_factors.clear();
        for (const auto& e : v->as_array()) out.zne_noise_factors.push_back(*as_number(e));
    }
    if (const auto* v = at_path(root, "resilience.zne.extrapolator")) {
        out.zne_extrapolators.clear();
        if (v->is_string()) {
            out.zne_extrapolators.emplace_back(v->as_string());
        } else {
            for (const auto& e : v->as_array()) out.zne_extrapolators.emplace_back(e.as_string());
        }
        for (const auto& e : out.zne_extrapolators) {
            if (e != "linear" && e != "exponential") {
                return unimplemented(fmt::format(
                    "resilience.zne.extrapolator: \"{}\" is not supported; use \"linear\" or "
                    "\"exponential\"",
                    e));
            }
        }
    }
    if (const auto* v = at_path(root, "resilience.zne.amplifier"); v && v->as_string() == "pea") {
        return unimplemented(
            "resilience.zne.amplifier: \"pea\" needs layer noise learning, which this service "
            "does not run; use \"gate_folding\"");
    }
    if (bool_at(root, "resilience.pec_mitigation").value_or(false)) {
        return unimplemented(
            "resilience.pec_mitigation: probabilistic error cancellation is not supported");
    }
    if (out.zne_on()) {
        std::set<double> distinct(out.zne_noise_factors.begin(), out.zne_noise_factors.end());
        if (distinct.size() < 2) {
            return invalid_argument(
                "resilience.zne.noise_factors: extrapolation needs at least two distinct factors");
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Shared PUB plumbing

namespace {

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// A seed for one run, fixed by the job's seed and the run's coordinates.
std::uint64_t derive_seed(std::uint64_t base, std::initializer_list<std::uint64_t> parts) {
    std::uint64_t h = splitmix(base);
    for (std::uint64_t p : parts) h = splitmix(h ^ splitmix(p + 0x632BE59BD9B4E019ull));
    return h;
}

// Pub shape of a parameter array: its shape without the last axis; with no parameters, shape ()
// or (0,) means a single binding.
Result<std::vector<std::size_t>> bindings_shape(const NdArray& values, std::size_t num_params) {
    if (num_params == 0 && values.data.empty() &&
        (values.shape.empty() || values.shape == std::vector<std::size_t>{0})) {
        return std::vector<std::size_t>{};
    }
    if (values.shape.empty() || values.shape.back() != num_params) {
        return invalid_argument(fmt::format(
            "parameter values have shape {}; the circuit has {} parameters, so the last axis "
            "must be {}",
            shape_text(values.shape), num_params, num_params));
    }
    if (values.data.size() != values.size()) {
        return invalid_argument(fmt::format("parameter values have shape {} but {} numbers",
                                            shape_text(values.shape), values.data.size()));
    }
    for (double d : values.data) {
        if (!std::isfinite(d)) return invalid_argument("parameter values must be finite numbers");
    }
    return std::vector<std::size_t>(values.shape.begin(), values.shape.end() - 1);
}

Result<Circuit> bind_row(const Circuit& c, const NdArray& values, std::size_t num_params,
                         std::size_t row) {
    if (num_params == 0) return c;
    std::vector<double> v(
        values.data.begin() + static_cast<std::ptrdiff_t>(row * num_params),
        values.data.begin() + static_cast<std::ptrdiff_t>((row + 1) * num_params));
    return c.bind(v);
}

sim::RunOptions run_options(const ExecutionContext& context, std::uint64_t shots,
                            std::uint64_t seed, const sim::NoiseModel* noise) {
    sim::RunOptions o;
    o.shots = shots;
    o.seed = seed;
    o.noise = noise;
    o.stop = context.stop;
    o.max_memory_bytes = context.max_memory_bytes;
    o.threads = context.threads;
    return o;
}

Status cancelled() { return {ErrorCode::kCancelled, "cancelled"}; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Sampler

Result<std::vector<SamplerPubResult>> run_sampler(const std::vector<SamplerPub>& pubs,
                                                  const SamplerOptions& options,
                                                  const ExecutionContext& context) {
    struct Plan {
        std::size_t num_params;
        std::vector<std::size_t> shape;
        std::uint64_t shots;
    };
    std::vector<Plan> plans;
    for (std::size_t i = 0; i < pubs.size(); ++i) {
        const SamplerPub& pub = pubs[i];
        if (Status s = pub.circuit.validate(); !s.ok()) return with_pub(i, s);
        const std::size_t num_params = pub.circuit.parameters().size();
        auto shape = bindings_shape(pub.parameter_values, num_params);
        if (!shape.ok()) return with_pub(i, shape.status());
        const std::uint64_t shots = pub.shots.value_or(options.default_shots);
        if (shots == 0) return with_pub(i, invalid_argument("shots must be > 0"));
        for (const auto& reg : pub.circuit.cregs) {
            if (reg.bits.empty()) {
                return with_pub(i, invalid_argument(fmt::format(
                                       "classical register '{}' has no bits", reg.name)));
            }
        }
        plans.push_back({num_params, std::move(*shape), shots});
    }

    const std::uint64_t base_seed = options.seed ? *options.seed : os_random_u64();
    std::vector<SamplerPubResult> results;
    for (std::size_t i = 0; i < pubs.size(); ++i) {
        const SamplerPub& pub = pubs[i];
        const Plan& plan = plans[i];
        SamplerPubResult result;
        result.shots = plan.shots;
        const std::size_t elements = shape_size(plan.shape);
        for (const auto& reg : pub.circuit.cregs) {
            BitArray a;
            a.shape = plan.shape;
            a.num_shots = plan.shots;
            a.num_bits = static_cast<std::uint32_t>(reg.bits.size());
            a.bytes.assign(elements * plan.shots * a.bytes_per_shot(), 0);
            result.data.emplace_back(reg.name, std::move(a));
        }
        if (result.data.empty()) {  // nothing to record: no data fields, nothing to run
            results.push_back(std::move(result));
            continue;
        }
        for (std::size_t e = 0; e < elements; ++e) {
            if (context.stop.stop_requested()) return cancelled();
            auto bound = bind_row(pub.circuit, pub.parameter_values, plan.num_params, e);
            if (!bound.ok()) return with_pub(i, bound.status());
            auto memory = sim::run_shots(
                *bound,
                run_options(context, plan.shots, derive_seed(base_seed, {i, e}), context.noise));
            if (!memory.ok()) return with_pub(i, memory.status());
            for (std::size_t r = 0; r < pub.circuit.cregs.size(); ++r) {
                const auto& bits = pub.circuit.cregs[r].bits;
                BitArray& a = result.data[r].second;
                const std::size_t nbytes = a.bytes_per_shot();
                for (std::uint64_t s = 0; s < plan.shots; ++s) {
                    std::uint8_t* row = &a.bytes[(e * plan.shots + s) * nbytes];
                    for (std::size_t k = 0; k < bits.size(); ++k) {
                        const std::int64_t clbit = bits[k];
                        if (clbit < 0 || clbit >= static_cast<std::int64_t>(memory->num_clbits)) {
                            continue;  // a register bit the circuit does not hold reads 0
                        }
                        if (memory->bit(s, static_cast<std::uint32_t>(clbit))) {
                            row[nbytes - 1 - k / 8] |= static_cast<std::uint8_t>(1u << (k % 8));
                        }
                    }
                }
            }
        }
        results.push_back(std::move(result));
    }
    return results;
}

// ---------------------------------------------------------------------------------------------
// Estimator

namespace {

// The circuit without its final measurements. Mid-circuit measurements, resets after a gate and
// if_else are refused: the Estimator computes expectation values of the final state.
Result<Circuit> strip_measurements(const Circuit& c) {
    const std::size_t n = c.instructions.size();
    std::vector<bool> keep(n, true);
    std::vector<bool> used_later(c.num_qubits(), false);
    for (std::size_t j = n; j-- > 0;) {
        const Instruction& inst = c.instructions[j];
        if (inst.kind == GateKind::kBarrier || inst.kind == GateKind::kDelay) continue;
        if (inst.kind == GateKind::kIfElse) {
            return invalid_argument(fmt::format(
                "instruction {} is an if_else; the Estimator runs only circuits without "
                "classical control flow",
                j));
        }
        if (inst.kind == GateKind::kMeasure) {
            const std::uint32_t q = inst.qubits.at(0);
            if (used_later[q]) {
                return invalid_argument(fmt::format(
                    "instruction {} measures qubit {} mid-circuit; the Estimator ignores final "
                    "measurements but cannot run circuits with mid-circuit measurements",
                    j, q));
            }
            keep[j] = false;
            continue;
        }
        for (std::uint32_t q : inst.qubits) used_later[q] = true;
    }
    std::vector<bool> touched(c.num_qubits(), false);
    Circuit out = c;
    out.instructions.clear();
    for (std::size_t j = 0; j < n; ++j) {
        const Instruction& inst = c.instructions[j];
        if (inst.kind == GateKind::kReset) {
            if (touched[inst.qubits.at(0)]) {
                return invalid_argument(fmt::format(
                    "instruction {} resets qubit {} after it was used; the Estimator cannot run "
                    "mid-circuit resets",
                    j, inst.qubits.at(0)));
            }
            continue;  // a reset of a fresh qubit does nothing
        }
        if (!keep[j]) continue;
        if (inst.kind != GateKind::kBarrier) {
            for (std::uint32_t q : inst.qubits) touched[q] = true;
        }
        out.instructions.push_back(inst);
    }
    return out;
}

// One Pauli string on the circuit's qubits: ops[q] in {'I','X','Y','Z'} for qubit q.
struct Pauli {
    std::string ops;
    bool operator<(const Pauli& o) const { return ops < o.ops; }
    bool is_identity() const { return ops.find_first_not_of('I') == std::string::npos; }
};

Pauli from_label(const std::string& label) {
    Pauli p;
    p.ops.assign(label.rbegin(), label.rend());  // rightmost character is qubit 0
    return p;
}

std::string to_label(const Pauli& p) { return std::string(p.ops.rbegin(), p.ops.rend()); }

// A measurement basis shared by qubit-wise commuting terms.
struct Group {
    std::string basis;                    // per qubit: 'I' (unmeasured), 'X', 'Y', 'Z'
    std::vector<std::size_t> terms;       // indices into the PUB's unique terms
    std::vector<std::uint32_t> measured;  // qubits with a basis letter, ascending
};

bool commutes_qubitwise(const std::string& basis, const std::string& ops) {
    for (std::size_t q = 0; q < ops.size(); ++q) {
        if (ops[q] != 'I' && basis[q] != 'I' && ops[q] != basis[q]) return false;
    }
    return true;
}

// Greedy grouping in first-seen order: each term joins the first group it commutes with.
std::vector<Group> group_terms(const std::vector<Pauli>& terms, std::uint32_t num_qubits) {
    std::vector<Group> groups;
    for (std::size_t t = 0; t < terms.size(); ++t) {
        if (terms[t].is_identity()) continue;
        Group* home = nullptr;
        for (Group& g : groups) {
            if (commutes_qubitwise(g.basis, terms[t].ops)) {
                home = &g;
                break;
            }
        }
        if (home == nullptr) {
            groups.push_back({std::string(num_qubits, 'I'), {}, {}});
            home = &groups.back();
        }
        for (std::size_t q = 0; q < num_qubits; ++q) {
            if (terms[t].ops[q] != 'I') home->basis[q] = terms[t].ops[q];
        }
        home->terms.push_back(t);
    }
    for (Group& g : groups) {
        for (std::uint32_t q = 0; q < num_qubits; ++q) {
            if (g.basis[q] != 'I') g.measured.push_back(q);
        }
    }
    return groups;
}

// G† for the 2-qubit gates gate folding supports (those of IBM's ISAs and their relatives).
Result<Instruction> inverse_2q(const Instruction& g) {
    Instruction inv = g;
    switch (g.kind) {
        case GateKind::kCX:
        case GateKind::kCY:
        case GateKind::kCZ:
        case GateKind::kCH:
        case GateKind::kSwap:
        case GateKind::kECR:
            return inv;
        case GateKind::kCS:
            inv.kind = GateKind::kCSdg;
            return inv;
        case GateKind::kCSdg:
            inv.kind = GateKind::kCS;
            return inv;
        case GateKind::kDCX:
            std::swap(inv.qubits[0], inv.qubits[1]);
            return inv;
        case GateKind::kCRX:
        case GateKind::kCRY:
        case GateKind::kCRZ:
        case GateKind::kCP:
        case GateKind::kCU1:
        case GateKind::kRXX:
        case GateKind::kRYY:
        case GateKind::kRZZ:
        case GateKind::kRZX: {
            auto theta = g.params.at(0).value();
            if (!theta) return invalid_argument("gate folding needs bound parameters");
            inv.params[0] = circuit::Expr(-*theta);
            return inv;
        }
        default:
            return invalid_argument(
                fmt::format("ZNE gate folding does not support the 2-qubit gate '{}'",
                            circuit::gate_info(g.kind).name));
    }
}

bool is_two_qubit_gate(const Instruction& inst) {
    const auto& info = circuit::gate_info(inst.kind);
    return info.unitary && inst.qubits.size() == 2 && inst.kind != GateKind::kCustom;
}

// Gate folding: each 2-qubit gate G becomes G (G† G)^k, with k chosen so that the number of
// 2-qubit gates grows by `factor` (the first gates get one more fold when factor is not of the
// form 1 + 2k). Returns the factor achieved.
Result<std::pair<Circuit, double>> fold_two_qubit_gates(const Circuit& c, double factor) {
    std::size_t n2 = 0;
    for (const auto& inst : c.instructions) n2 += is_two_qubit_gate(inst) ? 1 : 0;
    if (n2 == 0 || factor == 1) return std::pair{c, 1.0};
    const auto total_folds =
        static_cast<std::size_t>(std::llround((factor - 1) / 2 * static_cast<double>(n2)));
    const std::size_t each = total_folds / n2;
    const std::size_t extra = total_folds % n2;
    Circuit out = c;
    out.instructions.clear();
    std::size_t seen = 0;
    for (const auto& inst : c.instructions) {
        out.instructions.push_back(inst);
        if (!is_two_qubit_gate(inst)) continue;
        auto inv = inverse_2q(inst);
        if (!inv.ok()) return inv.status();
        const std::size_t folds = each + (seen < extra ? 1 : 0);
        ++seen;
        for (std::size_t f = 0; f < folds; ++f) {
            out.instructions.push_back(*inv);
            out.instructions.push_back(inst);
        }
    }
    return std::pair{std::move(out),
                     1.0 + 2.0 * static_cast<double>(total_folds) / static_cast<double>(n2)};
}

// `base` (measurement-free) followed by optional X flips, the basis change of `basis` and a
// measurement of each measured qubit into clbit 0, 1, ... in ascending qubit order.
Circuit with_measurements(const Circuit& base, const std::string& basis,
                          const std::vector<std::uint32_t>& measured,
                          const std::vector<bool>& flips) {
    Circuit c = base;
    c.cregs.clear();
    c.set_num_clbits(static_cast<std::uint32_t>(measured.size()));
    auto gate = [&](GateKind k, std::uint32_t q) {
        Instruction inst;
        inst.kind = k;
        inst.qubits = {q};
        c.append(std::move(inst));
    };
    for (std::uint32_t q : measured) {
        if (basis[q] == 'X') {
            gate(GateKind::kH, q);
        } else if (basis[q] == 'Y') {
            gate(GateKind::kSdg, q);
            gate(GateKind::kH, q);
        }
    }
    for (std::size_t m = 0; m < measured.size(); ++m) {
        if (!flips.empty() && flips[m]) gate(GateKind::kX, measured[m]);
    }
    for (std::size_t m = 0; m < measured.size(); ++m) {
        Instruction inst;
        inst.kind = GateKind::kMeasure;
        inst.qubits = {measured[m]};
        inst.clbits = {static_cast<std::uint32_t>(m)};
        c.append(std::move(inst));
    }
    return c;
}

// Shot-based estimate of one Pauli term: mean and standard error, plus the per-randomization
// means for the ensemble error.
struct TermEstimate {
    double mean = 0;
    double sem = 0;
    std::vector<double> per_randomization;
};

// The twirling plan: R randomizations of S shots (R = 1, no flips, when twirling is off).
struct TwirlPlan {
    std::uint64_t randomizations = 1;
    std::uint64_t shots_each = 0;
    bool twirl = false;
    std::uint64_t total() const { return randomizations * shots_each; }
};

TwirlPlan twirl_plan(const EstimatorOptions& options, std::uint64_t shots) {
    TwirlPlan p;
    p.twirl = options.twirl_measure_on();
    if (!p.twirl) {
        p.shots_each = shots;
        return p;
    }
    p.randomizations = options.num_randomizations.value_or(32);
    p.shots_each = options.shots_per_randomization.value_or(
        std::max<std::uint64_t>(64, (shots + p.randomizations - 1) / p.randomizations));
    return p;
}

// Runs `base` in the basis of each group, R randomizations each, and estimates every term of
// `terms` (identity terms get 1 exactly). `seed_parts` fixes the seeds.
Result<std::vector<TermEstimate>> measure_terms(const Circuit& base,
                                                const std::vector<Pauli>& terms,
                                                const std::vector<Group>& groups,
                                                const TwirlPlan& plan,
                                                const ExecutionContext& context, std::uint64_t seed,
                                                std::initializer_list<std::uint64_t> seed_parts) {
    std::vector<TermEstimate> out(terms.size());
    for (std::size_t t = 0; t < terms.size(); ++t) {
        if (terms[t].is_identity()) {
            out[t].mean = 1;
            out[t].per_randomization.assign(plan.randomizations, 1.0);
        }
    }
    std::vector<std::uint64_t> parts(seed_parts);
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        const Group& g = groups[gi];
        // Per term: the measured-bit positions of its support.
        std::vector<std::vector<std::size_t>> support(g.terms.size());
        for (std::size_t k = 0; k < g.terms.size(); ++k) {
            for (std::size_t m = 0; m < g.measured.size(); ++m) {
                if (terms[g.terms[k]].ops[g.measured[m]] != 'I') support[k].push_back(m);
            }
        }
        std::vector<double> sum(g.terms.size(), 0.0);
        std::vector<std::vector<double>> per_r(g.terms.size(),
                                               std::vector<double>(plan.randomizations, 0.0));
        for (std::uint64_t r = 0; r < plan.randomizations; ++r) {
            if (context.stop.stop_requested()) return cancelled();
            auto key = [&](std::uint64_t index, std::uint64_t salt) {
                std::uint64_t h = seed;
                for (std::uint64_t p : parts) h = derive_seed(h, {p});
                return derive_seed(h, {gi, index, salt});
            };
            // Randomizations come in complementary pairs, so every qubit is flipped in exactly
            // half of them: with asymmetric readout errors an unbalanced draw would bias the
            // twirled average differently in the calibration and the main circuits.
            std::vector<bool> flips;
            if (plan.twirl) {
                Rng rng(key(r / 2, 1));
                flips.resize(g.measured.size());
                for (std::size_t m = 0; m < flips.size(); ++m) {
                    flips[m] = ((rng.next() & 1u) != 0) != (r % 2 == 1);
                }
            }
            const Circuit c = with_measurements(base, g.basis, g.measured, flips);
            auto mem =
                sim::run_shots(c, run_options(context, plan.shots_each, key(r, 2), context.noise));
            if (!mem.ok()) return mem.status();
            for (std::size_t k = 0; k < g.terms.size(); ++k) {
                std::int64_t acc = 0;
                for (std::uint64_t s = 0; s < plan.shots_each; ++s) {
                    bool parity = false;
                    for (std::size_t m : support[k]) {
                        parity ^= mem->bit(s, static_cast<std::uint32_t>(m)) ^
                                  (flips.empty() ? false : static_cast<bool>(flips[m]));
                    }
                    acc += parity ? -1 : 1;
                }
                sum[k] += static_cast<double>(acc);
                per_r[k][r] = static_cast<double>(acc) / static_cast<double>(plan.shots_each);
            }
        }
        const double n = static_cast<double>(plan.total());
        for (std::size_t k = 0; k < g.terms.size(); ++k) {
            TermEstimate& e = out[g.terms[k]];
            e.mean = sum[k] / n;
            // Sample variance of +-1 outcomes: (1 - mean^2) * n / (n - 1).
            const double var = n > 1 ? std::max(0.0, 1 - e.mean * e.mean) * n / (n - 1) : 1.0;
            e.sem = std::sqrt(var / n);
            e.per_randomization = std::move(per_r[k]);
        }
    }
    return out;
}

// TREX: |0> with random X flips before measurement, flipped back, gives per term the factor by
// which readout scales its expectation value (its Z-string on the same qubits).
Result<std::vector<double>> readout_factors(std::uint32_t num_qubits,
                                            const std::vector<Pauli>& terms,
                                            const std::vector<Group>& groups, const TwirlPlan& plan,
                                            const ExecutionContext& context, std::uint64_t seed,
                                            std::size_t pub) {
    std::vector<Pauli> z_terms(terms.size());
    for (std::size_t t = 0; t < terms.size(); ++t) {
        z_terms[t].ops = terms[t].ops;
        for (char& ch : z_terms[t].ops) ch = ch == 'I' ? 'I' : 'Z';
    }
    // The calibration measures every qubit any group measures, in the Z basis.
    Group all{std::string(num_qubits, 'I'), {}, {}};
    for (const Group& g : groups) {
        for (std::uint32_t q : g.measured) all.basis[q] = 'Z';
    }
    for (std::uint32_t q = 0; q < num_qubits; ++q) {
        if (all.basis[q] == 'Z') all.measured.push_back(q);
    }
    for (std::size_t t = 0; t < z_terms.size(); ++t) {
        if (!z_terms[t].is_identity()) all.terms.push_back(t);
    }
    if (all.terms.empty()) return std::vector<double>(terms.size(), 1.0);
    Circuit blank(num_qubits, 0);
    TwirlPlan calibration = plan;
    if (!calibration.twirl) {  // the calibration is always twirled, the main circuits may not be
        calibration.twirl = true;
        calibration.randomizations = 32;
        calibration.shots_each = std::max<std::uint64_t>(64, (plan.total() + 31) / 32);
    }
    auto est = measure_terms(blank, z_terms, {all}, calibration, context, seed, {pub, 0xCA11B});
    if (!est.ok()) return est.status();
    std::vector<double> f(terms.size(), 1.0);
    for (std::size_t t : all.terms) {
        f[t] = (*est)[t].mean;
        if (f[t] < 0.05) {
            return failed_precondition(fmt::format(
                "readout calibration of {} gave a factor of {:.3g}; the readout is too noisy to "
                "mitigate",
                to_label(z_terms[t]), f[t]));
        }
    }
    return f;
}

struct Fit {
    double value = 0, sem = 0;
};

// Extrapolation to noise factor 0 by least squares; exponential fits log|E| and fails (nullopt)
// when the values change sign, come near 0, or the result leaves [-1, 1].
std::optional<Fit> extrapolate(const std::string& method, const std::vector<double>& x,
                               const std::vector<double>& y, const std::vector<double>& sem) {
    const std::size_t n = x.size();
    double xbar = 0;
    for (double v : x) xbar += v / static_cast<double>(n);
    double sxx = 0;
    for (double v : x) sxx += (v - xbar) * (v - xbar);
    if (sxx <= 0) return std::nullopt;
    // value at 0 = sum_i w_i y_i (intercept of the least-squares line)
    std::vector<double> w(n);
    for (std::size_t i = 0; i < n; ++i) {
        w[i] = 1.0 / static_cast<double>(n) - xbar * (x[i] - xbar) / sxx;
    }
    if (method == "linear") {
        Fit f;
        double var = 0;
        for (std::size_t i = 0; i < n; ++i) {
            f.value += w[i] * y[i];
            var += w[i] * w[i] * sem[i] * sem[i];
        }
        f.sem = std::sqrt(var);
        return f;
    }
    const double sign = y[0] < 0 ? -1.0 : 1.0;
    double log0 = 0, rel_var = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (sign * y[i] < 1e-3) return std::nullopt;
        log0 += w[i] * std::log(sign * y[i]);
        rel_var += w[i] * w[i] * sem[i] * sem[i] / (y[i] * y[i]);
    }
    Fit f;
    f.value = sign * std::exp(log0);
    if (!std::isfinite(f.value) || std::abs(f.value) > 1.0) return std::nullopt;
    f.sem = std::abs(f.value) * std::sqrt(rel_var);
    return f;
}

struct PubPlan {
    std::size_t num_params = 0;
    std::vector<std::size_t> bindings_shape, shape;
    Circuit stripped;
    double precision = 0;
};

Result<PubPlan> plan_estimator_pub(const EstimatorPub& pub, const EstimatorOptions& options) {
    PubPlan plan;
    QRT_RETURN_IF_ERROR(pub.circuit.validate());
    plan.num_params = pub.circuit.parameters().size();
    auto bshape = bindings_shape(pub.parameter_values, plan.num_params);
    if (!bshape.ok()) return bshape.status();
    plan.bindings_shape = std::move(*bshape);
    if (pub.observables.size() != shape_size(pub.observables_shape)) {
        return invalid_argument(fmt::format("observables have shape {} but {} entries",
                                            shape_text(pub.observables_shape),
                                            pub.observables.size()));
    }
    const std::uint32_t n = pub.circuit.num_qubits();
    for (std::size_t o = 0; o < pub.observables.size(); ++o) {
        for (const auto& [label, coeff] : pub.observables[o].terms) {
            if (label.size() != n) {
                return invalid_argument(fmt::format(
                    "observable {}: label '{}' has {} characters; the circuit has {} qubits", o,
                    label, label.size(), n));
            }
            if (label.find_first_not_of("IXYZ") != std::string::npos) {
                return invalid_argument(fmt::format(
                    "observable {}: label '{}' may contain only the characters I, X, Y, Z", o,
                    label));
            }
            if (!std::isfinite(coeff)) {
                return invalid_argument(
                    fmt::format("observable {}: coefficient of '{}' is not finite", o, label));
            }
        }
    }
    auto shape = broadcast_shapes(pub.observables_shape, plan.bindings_shape);
    if (!shape.ok()) {
        return invalid_argument(
            fmt::format("observables and parameter values: {}", shape.status().message()));
    }
    plan.shape = std::move(*shape);
    plan.precision = pub.precision.value_or(options.default_precision);
    if (!(plan.precision > 0) || !std::isfinite(plan.precision)) {
        return invalid_argument(fmt::format("precision must be > 0, got {}", plan.precision));
    }
    auto stripped = strip_measurements(pub.circuit);
    if (!stripped.ok()) return stripped.status();
    plan.stripped = std::move(*stripped);
    return plan;
}

NdArray zeros(const std::vector<std::size_t>& shape) {
    NdArray a;
    a.shape = shape;
    a.data.assign(shape_size(shape), 0.0);
    return a;
}

}  // namespace

Result<std::vector<EstimatorPubResult>> run_estimator(const std::vector<EstimatorPub>& pubs,
                                                      const EstimatorOptions& options,
                                                      const ExecutionContext& context) {
    if (options.resilience_level < 0 || options.resilience_level > 2) {
        return invalid_argument(
            fmt::format("resilience_level: expected 0, 1 or 2, got {}", options.resilience_level));
    }
    if (!(options.default_precision > 0)) {
        return invalid_argument("default_precision: must be > 0");
    }
    if (options.default_shots && *options.default_shots == 0) {
        return invalid_argument("default_shots: must be > 0");
    }
    const bool noisy = context.noise != nullptr;
    if (noisy && options.zne_on()) {
        for (double f : options.zne_noise_factors) {
            if (!(f >= 1) || !std::isfinite(f)) {
                return invalid_argument(
                    fmt::format("resilience.zne.noise_factors: {} is not a number >= 1", f));
            }
        }
        if (std::set<double>(options.zne_noise_factors.begin(), options.zne_noise_factors.end())
                .size() < 2) {
            return invalid_argument(
                "resilience.zne.noise_factors: extrapolation needs at least two distinct factors");
        }
    }
    std::vector<PubPlan> plans;
    for (std::size_t i = 0; i < pubs.size(); ++i) {
        auto plan = plan_estimator_pub(pubs[i], options);
        if (!plan.ok()) return with_pub(i, plan.status());
        plans.push_back(std::move(*plan));
    }

    const std::uint64_t base_seed = options.seed ? *options.seed : os_random_u64();
    std::vector<EstimatorPubResult> results;
    for (std::size_t i = 0; i < pubs.size(); ++i) {
        const EstimatorPub& pub = pubs[i];
        const PubPlan& plan = plans[i];
        EstimatorPubResult result;
        result.evs = zeros(plan.shape);
        result.stds = zeros(plan.shape);
        result.ensemble_standard_error = zeros(plan.shape);
        result.target_precision = plan.precision;
        const std::size_t elements = shape_size(plan.shape);
        const std::size_t num_bindings = shape_size(plan.bindings_shape);

        // Which observables each binding needs, and where each pub element reads from.
        std::vector<std::size_t> elem_obs(elements), elem_bind(elements);
        std::vector<std::set<std::size_t>> needed(num_bindings);
        for (std::size_t e = 0; e < elements; ++e) {
            const auto index = unravel(e, plan.shape);
            elem_obs[e] = broadcast_index(index, pub.observables_shape);
            elem_bind[e] = broadcast_index(index, plan.bindings_shape);
            needed[elem_bind[e]].insert(elem_obs[e]);
        }

        if (!noisy) {
            for (std::size_t b = 0; b < num_bindings; ++b) {
                if (needed[b].empty()) continue;
                if (context.stop.stop_requested()) return cancelled();
                auto bound = bind_row(plan.stripped, pub.parameter_values, plan.num_params, b);
                if (!bound.ok()) return with_pub(i, bound.status());
                std::vector<std::size_t> order(needed[b].begin(), needed[b].end());
                std::vector<sim::PauliSum> obs;
                for (std::size_t o : order) obs.push_back(pub.observables[o]);
                auto evs = sim::exact_expectations(
                    *bound, obs, run_options(context, 0, derive_seed(base_seed, {i, b}), nullptr));
                if (!evs.ok()) return with_pub(i, evs.status());
                std::map<std::size_t, double> by_obs;
                for (std::size_t k = 0; k < order.size(); ++k) by_obs[order[k]] = (*evs)[k];
                for (std::size_t e = 0; e < elements; ++e) {
                    if (elem_bind[e] == b) result.evs.data[e] = by_obs.at(elem_obs[e]);
                }
            }
            results.push_back(std::move(result));
            continue;
        }

        // Shot-based: unique Pauli terms of the PUB, grouped into shared measurement bases.
        std::vector<Pauli> terms;
        std::map<Pauli, std::size_t> term_index;
        std::vector<std::vector<std::pair<std::size_t, double>>> obs_terms(pub.observables.size());
        for (std::size_t o = 0; o < pub.observables.size(); ++o) {
            for (const auto& [label, coeff] : pub.observables[o].terms) {
                Pauli p = from_label(label);
                auto [it, inserted] = term_index.emplace(p, terms.size());
                if (inserted) terms.push_back(p);
                obs_terms[o].emplace_back(it->second, coeff);
            }
        }
        const std::vector<Group> groups = group_terms(terms, pub.circuit.num_qubits());
        const std::uint64_t target_shots =
            options.default_shots ? *options.default_shots
                                  : static_cast<std::uint64_t>(
                                        std::ceil(1.0 / (plan.precision * plan.precision) - 1e-9));
        const TwirlPlan twirl = twirl_plan(options, std::max<std::uint64_t>(1, target_shots));
        result.shots = twirl.total();
        result.num_randomizations = twirl.twirl ? twirl.randomizations : 0;

        std::vector<double> factors(terms.size(), 1.0);
        if (options.measure_mitigation_on()) {
            auto f = readout_factors(pub.circuit.num_qubits(), terms, groups, twirl, context,
                                     base_seed, i);
            if (!f.ok()) return with_pub(i, f.status());
            factors = std::move(*f);
        }
        const bool zne = options.zne_on();
        const std::vector<double> nominal = zne ? options.zne_noise_factors : std::vector{1.0};
        if (zne) {
            result.evs_noise_factors = zeros(plan.shape);
            result.evs_noise_factors.shape.push_back(nominal.size());
            result.evs_noise_factors.data.assign(elements * nominal.size(), 0.0);
            result.stds_noise_factors = result.evs_noise_factors;
        }

        for (std::size_t b = 0; b < num_bindings; ++b) {
            if (needed[b].empty()) continue;
            auto bound = bind_row(plan.stripped, pub.parameter_values, plan.num_params, b);
            if (!bound.ok()) return with_pub(i, bound.status());
            // per noise factor, per term
            std::vector<std::vector<TermEstimate>> at_factor;
            std::vector<double> achieved;
            for (std::size_t fi = 0; fi < nominal.size(); ++fi) {
                auto folded = fold_two_qubit_gates(*bound, nominal[fi]);
                if (!folded.ok()) return with_pub(i, folded.status());
                achieved.push_back(folded->second);
                auto est = measure_terms(folded->first, terms, groups, twirl, context, base_seed,
                                         {i, b, fi});
                if (!est.ok()) return with_pub(i, est.status());
                for (std::size_t t = 0; t < terms.size(); ++t) {
                    TermEstimate& te = (*est)[t];
                    te.mean /= factors[t];
                    te.sem /= factors[t];
                    for (double& v : te.per_randomization) v /= factors[t];
                }
                at_factor.push_back(std::move(*est));
            }
            if (b == 0 || result.noise_factors.empty()) result.noise_factors = achieved;

            // Term values at zero noise (or at factor 1 without ZNE).
            std::vector<TermEstimate> final_terms = at_factor[0];
            if (zne) {
                for (std::size_t t = 0; t < terms.size(); ++t) {
                    if (terms[t].is_identity()) continue;
                    std::vector<double> y, sem;
                    for (const auto& est : at_factor) {
                        y.push_back(est[t].mean);
                        sem.push_back(est[t].sem);
                    }
                    std::optional<Fit> fit;
                    for (const auto& method : options.zne_extrapolators) {
                        fit = extrapolate(method, achieved, y, sem);
                        if (fit) break;
                    }
                    if (!fit) fit = extrapolate("linear", achieved, y, sem);
                    if (!fit) {
                        return with_pub(
                            i, invalid_argument("ZNE: the noise factors achieved are all equal; "
                                                "the circuit has no 2-qubit gates to fold"));
                    }
                    final_terms[t].mean = fit->value;
                    final_terms[t].sem = fit->sem;
                    final_terms[t].per_randomization.clear();
                }
            }

            auto combine = [&](const std::vector<TermEstimate>& est, std::size_t o) {
                Fit f;
                double var = 0;
                for (const auto& [t, c] : obs_terms[o]) {
                    f.value += c * est[t].mean;
                    var += c * c * est[t].sem * est[t].sem;
                }
                f.sem = std::sqrt(var);
                return f;
            };
            for (std::size_t e = 0; e < elements; ++e) {
                if (elem_bind[e] != b) continue;
                const std::size_t o = elem_obs[e];
                const Fit f = combine(final_terms, o);
                result.evs.data[e] = f.value;
                result.stds.data[e] = f.sem;
                result.ensemble_standard_error.data[e] = f.sem;
                if (zne) {
                    for (std::size_t fi = 0; fi < nominal.size(); ++fi) {
                        const Fit g = combine(at_factor[fi], o);
                        result.evs_noise_factors.data[e * nominal.size() + fi] = g.value;
                        result.stds_noise_factors.data[e * nominal.size() + fi] = g.sem;
                    }
                } else if (twirl.twirl && twirl.randomizations > 1) {
                    // Spread of the per-randomization estimates.
                    const std::size_t r_count = twirl.randomizations;
                    std::vector<double> per_r(r_count, 0.0);
                    for (const auto& [t, c] : obs_terms[o]) {
                        for (std::size_t r = 0; r < r_count; ++r) {
                            per_r[r] += c * final_terms[t].per_randomization[r];
                        }
                    }
                    double mean = 0;
                    for (double v : per_r) mean += v / static_cast<double>(r_count);
                    double ss = 0;
                    for (double v : per_r) ss += (v - mean) * (v - mean);
                    const double rc = static_cast<double>(r_count);
                    result.ensemble_standard_error.data[e] = std::sqrt(ss / (rc - 1) / rc);
                }
            }
        }
        results.push_back(std::move(result));
    }
    return results;
}

}  // namespace qrt::primitives
