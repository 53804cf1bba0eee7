#include "web/job_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "base/base64.h"
#include "base/npy.h"
#include "base/zlib.h"
#include "primitives/job_codec.h"

namespace qrt::web {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxObservablesShown = 4;
constexpr std::size_t kMaxTermsShown = 6;
constexpr std::size_t kMaxArrayBytes = std::size_t{64} << 20;

std::size_t circuit_depth(const circuit::Circuit& c) {
    std::vector<std::size_t> qubit_level(c.num_qubits(), 0), clbit_level(c.num_clbits(), 0);
    std::size_t depth = 0;
    for (const auto& inst : c.instructions) {
        if (inst.kind == circuit::GateKind::kBarrier) continue;
        std::size_t level = 0;
        for (auto q : inst.qubits) {
            if (q < qubit_level.size()) level = std::max(level, qubit_level[q]);
        }
        for (auto b : inst.clbits) {
            if (b < clbit_level.size()) level = std::max(level, clbit_level[b]);
        }
        ++level;
        for (auto q : inst.qubits) {
            if (q < qubit_level.size()) qubit_level[q] = level;
        }
        for (auto b : inst.clbits) {
            if (b < clbit_level.size()) clbit_level[b] = level;
        }
        depth = std::max(depth, level);
    }
    return depth;
}

void fill_circuit(PubSummary& s, const circuit::Circuit& c) {
    s.num_qubits = c.num_qubits();
    s.num_clbits = c.num_clbits();
    s.depth = circuit_depth(c);
    s.operations = static_cast<std::size_t>(
        std::count_if(c.instructions.begin(), c.instructions.end(),
                      [](const auto& i) { return i.kind != circuit::GateKind::kBarrier; }));
    s.parameters = c.parameters().size();
    s.circuit_name = c.name;
}

std::size_t parameter_sets(const primitives::NdArray& values) {
    if (values.shape.size() <= 1) return 1;
    std::size_t n = 1;
    for (std::size_t i = 0; i + 1 < values.shape.size(); ++i) n *= values.shape[i];
    return n;
}

std::string pauli_sum_text(const sim::PauliSum& sum) {
    std::string out;
    for (std::size_t i = 0; i < sum.terms.size() && i < kMaxTermsShown; ++i) {
        if (i > 0) out += " + ";
        out += fmt::format("{:g}*{}", sum.terms[i].second, sum.terms[i].first);
    }
    if (sum.terms.size() > kMaxTermsShown) {
        out += fmt::format(" + ... ({} terms)", sum.terms.size());
    }
    return out;
}

const json::value* at_key(const json::value& v, std::string_view key) {
    if (!v.is_object()) return nullptr;
    return v.get_object().if_contains(key);
}

// {"__type__": T, "__value__": V} -> V when T matches (or any T when `type` is empty).
const json::value* typed_value(const json::value& v, std::string_view type) {
    const json::value* t = at_key(v, "__type__");
    if (t == nullptr || !t->is_string()) return nullptr;
    if (!type.empty() && t->get_string() != type) return nullptr;
    return at_key(v, "__value__");
}

Result<NpyArray> ndarray_of(const json::value& v) {
    const json::value* inner = typed_value(v, "ndarray");
    if (inner == nullptr || !inner->is_string()) {
        return invalid_argument("result: expected an ndarray value");
    }
    auto compressed = base64_decode(std::string_view(inner->get_string()));
    if (!compressed.ok()) return compressed.status();
    auto raw = zlib_decompress(*compressed, kMaxArrayBytes);
    if (!raw.ok()) return raw.status();
    return npy_decode(*raw);
}

// Flattened doubles of a plain value: a number or nested lists of numbers.
void flatten_numbers(const json::value& v, std::vector<double>& out) {
    if (v.is_array()) {
        for (const auto& e : v.get_array()) flatten_numbers(e, out);
    } else if (v.is_number()) {
        out.push_back(v.to_number<double>());
    } else if (v.is_null()) {
        out.push_back(std::numeric_limits<double>::quiet_NaN());
    }
}

Result<std::vector<double>> doubles_of(const json::value& v) {
    if (v.is_object()) {
        auto arr = ndarray_of(v);
        if (!arr.ok()) return arr.status();
        return npy_to_doubles(*arr);
    }
    std::vector<double> out;
    flatten_numbers(v, out);
    return out;
}

std::string bits_text(std::uint64_t value, std::uint32_t num_bits) {
    std::string s(num_bits, '0');
    for (std::uint32_t k = 0; k < num_bits && k < 64; ++k) {
        if ((value >> k) & 1U) s[num_bits - 1 - k] = '1';
    }
    return s;
}

RegisterCounts finish_counts(std::string name, std::uint32_t num_bits,
                             const std::map<std::string, std::uint64_t>& counts,
                             std::size_t max_bars) {
    RegisterCounts r;
    r.name = std::move(name);
    r.num_bits = num_bits;
    std::vector<std::pair<std::string, std::uint64_t>> sorted(counts.begin(), counts.end());
    for (const auto& [k, c] : sorted) r.shots += c;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (sorted.size() > max_bars) {
        for (std::size_t i = max_bars; i < sorted.size(); ++i) r.other += sorted[i].second;
        sorted.resize(max_bars);
    }
    // Shown in bitstring order when they all fit, which reads best for small registers.
    if (r.other == 0) std::sort(sorted.begin(), sorted.end());
    for (auto& [k, c] : sorted) r.counts.push_back(Bar{k, static_cast<double>(c)});
    return r;
}

// A typed BitArray: uint8 array (*shape, shots, bytes), big-endian rows.
Result<RegisterCounts> typed_bitarray(const std::string& name, const json::value& v,
                                      std::size_t max_bars) {
    const json::value* inner = typed_value(v, "BitArray");
    if (inner == nullptr)
        return invalid_argument(fmt::format("result field '{}' is no BitArray", name));
    const json::value* array = at_key(*inner, "array");
    const json::value* bits = at_key(*inner, "num_bits");
    if (array == nullptr || bits == nullptr || !bits->is_number()) {
        return invalid_argument(
            fmt::format("result field '{}': BitArray without array/num_bits", name));
    }
    auto arr = ndarray_of(*array);
    if (!arr.ok()) return arr.status();
    const auto num_bits = static_cast<std::uint32_t>(bits->to_number<double>());
    const std::size_t row = (num_bits + 7) / 8;
    if (row == 0 || arr->data.size() % row != 0) {
        return invalid_argument(
            fmt::format("result field '{}': bytes do not match num_bits", name));
    }
    std::map<std::string, std::uint64_t> counts;
    for (std::size_t off = 0; off < arr->data.size(); off += row) {
        std::string key(num_bits, '0');
        for (std::uint32_t k = 0; k < num_bits; ++k) {
            // bit k lives in byte (row - 1 - k / 8), bit k % 8
            const auto byte = static_cast<unsigned char>(arr->data[off + row - 1 - k / 8]);
            if ((byte >> (k % 8)) & 1U) key[num_bits - 1 - k] = '1';
        }
        ++counts[key];
    }
    return finish_counts(name, num_bits, counts, max_bars);
}

// A plain register: {"samples": ["0x3", ...], "num_bits": 2}.
Result<RegisterCounts> plain_register(const std::string& name, const json::value& v,
                                      std::size_t max_bars) {
    const json::value* samples = at_key(v, "samples");
    const json::value* bits = at_key(v, "num_bits");
    if (samples == nullptr || bits == nullptr || !bits->is_number()) {
        return invalid_argument(fmt::format("result field '{}' has no samples/num_bits", name));
    }
    const auto num_bits = static_cast<std::uint32_t>(bits->to_number<double>());
    std::vector<const json::value*> flat;
    std::vector<const json::value*> stack{samples};
    while (!stack.empty()) {
        const json::value* x = stack.back();
        stack.pop_back();
        if (x->is_array()) {
            for (const auto& e : x->get_array()) stack.push_back(&e);
        } else if (x->is_string()) {
            flat.push_back(x);
        }
    }
    std::map<std::string, std::uint64_t> counts;
    for (const json::value* s : flat) {
        const std::string_view hex = s->get_string();
        std::uint64_t value = 0;
        std::string key;
        if (num_bits <= 64 && hex.substr(0, 2) == "0x") {
            for (char c : hex.substr(2)) {
                const int d = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
                if (d < 0) break;
                value = (value << 4) | static_cast<std::uint64_t>(d);
            }
            key = bits_text(value, num_bits);
        } else {
            key = std::string(hex);
        }
        ++counts[key];
    }
    return finish_counts(name, num_bits, counts, max_bars);
}

std::vector<ErrorBar> error_bars(const std::vector<double>& evs, const std::vector<double>& stds) {
    std::vector<ErrorBar> out;
    for (std::size_t i = 0; i < evs.size(); ++i) {
        out.push_back(ErrorBar{evs.size() == 1 ? "ev" : fmt::format("[{}]", i), evs[i],
                               i < stds.size() ? stds[i] : 0.0});
    }
    return out;
}

}  // namespace

Result<std::vector<PubSummary>> summarize_pubs(std::string_view program_id,
                                               std::string_view params_json) {
    auto program = primitives::parse_program_id(program_id);
    if (!program.ok()) return program.status();
    auto job = primitives::decode_job_params(*program, params_json);
    if (!job.ok()) return job.status();
    std::vector<PubSummary> out;
    if (*program == primitives::Program::kSampler) {
        for (const auto& pub : job->sampler_pubs) {
            PubSummary s;
            fill_circuit(s, pub.circuit);
            s.parameter_sets = parameter_sets(pub.parameter_values);
            s.shots = pub.shots.value_or(job->sampler_options.default_shots);
            out.push_back(std::move(s));
        }
    } else {
        for (const auto& pub : job->estimator_pubs) {
            PubSummary s;
            fill_circuit(s, pub.circuit);
            s.parameter_sets = parameter_sets(pub.parameter_values);
            s.precision = pub.precision.value_or(job->estimator_options.default_precision);
            s.num_observables = pub.observables.size();
            for (std::size_t i = 0; i < pub.observables.size() && i < kMaxObservablesShown; ++i) {
                s.observables.push_back(pauli_sum_text(pub.observables[i]));
            }
            out.push_back(std::move(s));
        }
    }
    return out;
}

Result<std::vector<PubResultPicture>> picture_results(std::string_view program_id,
                                                      std::string_view result_json,
                                                      std::size_t max_bars) {
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 64;
    const json::value root = json::parse(result_json, ec, {}, options);
    if (ec) return invalid_argument(fmt::format("result is not JSON: {}", ec.message()));
    const bool sampler = program_id == "sampler";
    std::vector<PubResultPicture> out;

    if (const json::value* typed = typed_value(root, "PrimitiveResult")) {
        const json::value* pubs = at_key(*typed, "pub_results");
        if (pubs == nullptr || !pubs->is_array()) {
            return invalid_argument("result: PrimitiveResult without pub_results");
        }
        for (const auto& pub : pubs->get_array()) {
            PubResultPicture pic;
            const json::value* body = typed_value(pub, "");
            const json::value* data = body ? at_key(*body, "data") : nullptr;
            const json::value* bin = data ? typed_value(*data, "DataBin") : nullptr;
            const json::value* fields = bin ? at_key(*bin, "fields") : nullptr;
            if (fields == nullptr || !fields->is_object()) {
                return invalid_argument("result: a PUB result without data fields");
            }
            if (sampler) {
                for (const auto& [name, value] : fields->get_object()) {
                    auto reg = typed_bitarray(std::string(name), value, max_bars);
                    if (!reg.ok()) return reg.status();
                    pic.registers.push_back(std::move(*reg));
                }
            } else {
                const json::value* evs = at_key(*fields, "evs");
                const json::value* stds = at_key(*fields, "stds");
                if (evs == nullptr) return invalid_argument("result: estimator PUB without evs");
                auto e = doubles_of(*evs);
                if (!e.ok()) return e.status();
                std::vector<double> s;
                if (stds != nullptr) {
                    auto got = doubles_of(*stds);
                    if (!got.ok()) return got.status();
                    s = std::move(*got);
                }
                pic.evs = error_bars(*e, s);
            }
            out.push_back(std::move(pic));
        }
        return out;
    }

    const json::value* results = at_key(root, "results");
    if (results == nullptr || !results->is_array()) {
        return invalid_argument("result: neither a PrimitiveResult nor {\"results\": [...]}");
    }
    for (const auto& pub : results->get_array()) {
        PubResultPicture pic;
        const json::value* data = at_key(pub, "data");
        if (data == nullptr || !data->is_object()) {
            return invalid_argument("result: a PUB result without data");
        }
        if (sampler) {
            for (const auto& [name, value] : data->get_object()) {
                auto reg = plain_register(std::string(name), value, max_bars);
                if (!reg.ok()) return reg.status();
                pic.registers.push_back(std::move(*reg));
            }
        } else {
            const json::value* evs = at_key(*data, "evs");
            const json::value* stds = at_key(*data, "stds");
            if (evs == nullptr) return invalid_argument("result: estimator PUB without evs");
            std::vector<double> e, s;
            flatten_numbers(*evs, e);
            if (stds != nullptr) flatten_numbers(*stds, s);
            pic.evs = error_bars(e, s);
        }
        out.push_back(std::move(pic));
    }
    return out;
}

Result<DeviceMap> device_map_from_json(std::string_view backend,
                                       std::string_view configuration_json,
                                       std::string_view properties_json) {
    boost::system::error_code ec;
    const json::value config = json::parse(configuration_json, ec);
    if (ec) return invalid_argument(fmt::format("configuration is not JSON: {}", ec.message()));
    DeviceMap map;
    map.backend = std::string(backend);
    const json::value* n = at_key(config, "n_qubits");
    if (n == nullptr || !n->is_number()) return invalid_argument("configuration has no n_qubits");
    const double nq = n->to_number<double>();
    if (!(nq >= 0 && nq <= 100000)) return invalid_argument("configuration: bad n_qubits");
    map.num_qubits = static_cast<std::uint32_t>(nq);
    std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
    if (const json::value* cm = at_key(config, "coupling_map"); cm != nullptr && cm->is_array()) {
        for (const auto& e : cm->get_array()) {
            if (!e.is_array() || e.get_array().size() != 2) continue;
            const auto& pair = e.get_array();
            if (!pair[0].is_number() || !pair[1].is_number()) continue;
            const auto a = static_cast<std::uint32_t>(pair[0].to_number<double>());
            const auto b = static_cast<std::uint32_t>(pair[1].to_number<double>());
            if (a >= map.num_qubits || b >= map.num_qubits || a == b) continue;
            if (seen.insert({std::min(a, b), std::max(a, b)}).second) map.edges.emplace_back(a, b);
        }
    }
    map.readout_error.assign(map.num_qubits, std::nullopt);
    const json::value props = json::parse(properties_json, ec);
    if (!ec) {
        if (const json::value* qubits = at_key(props, "qubits"); qubits && qubits->is_array()) {
            const auto& qs = qubits->get_array();
            for (std::size_t q = 0; q < qs.size() && q < map.num_qubits; ++q) {
                if (!qs[q].is_array()) continue;
                for (const auto& item : qs[q].get_array()) {
                    const json::value* name = at_key(item, "name");
                    const json::value* value = at_key(item, "value");
                    if (name && name->is_string() && name->get_string() == "readout_error" &&
                        value && value->is_number()) {
                        map.readout_error[q] = value->to_number<double>();
                    }
                }
            }
        }
        if (const json::value* gates = at_key(props, "gates"); gates && gates->is_array()) {
            for (const auto& g : gates->get_array()) {
                const json::value* qs = at_key(g, "qubits");
                const json::value* params = at_key(g, "parameters");
                if (!qs || !qs->is_array() || qs->get_array().size() != 2 || !params ||
                    !params->is_array()) {
                    continue;
                }
                const auto& pair = qs->get_array();
                if (!pair[0].is_number() || !pair[1].is_number()) continue;
                const auto a = static_cast<std::uint32_t>(pair[0].to_number<double>());
                const auto b = static_cast<std::uint32_t>(pair[1].to_number<double>());
                for (const auto& p : params->get_array()) {
                    const json::value* name = at_key(p, "name");
                    const json::value* value = at_key(p, "value");
                    if (name && name->is_string() && name->get_string() == "gate_error" && value &&
                        value->is_number()) {
                        const auto key = std::pair{std::min(a, b), std::max(a, b)};
                        // Both directions of a CZ coupler: keep the worse.
                        auto [it, fresh] = map.edge_error.emplace(key, value->to_number<double>());
                        if (!fresh) it->second = std::max(it->second, value->to_number<double>());
                    }
                }
            }
        }
    }
    return map;
}

std::vector<Segment> workload_phases(const store::SessionRecord& session,
                                     const std::vector<store::JobRecord>& jobs, Timestamp now) {
    const Timestamp end = std::max(session.closed_at.value_or(now), session.created);
    std::vector<Segment> out;
    auto add = [&](Timestamp a, Timestamp b, Phase p) {
        if (b <= a) return;
        if (!out.empty() && out.back().phase == p && out.back().to == a) {
            out.back().to = b;
        } else {
            out.push_back(Segment{a, b, p});
        }
    };
    if (!session.started_at) {
        add(session.created, end, Phase::kPending);
        return out;
    }
    const Timestamp start = std::clamp(*session.started_at, session.created, end);
    add(session.created, start, Phase::kPending);
    std::vector<std::pair<Timestamp, Timestamp>> busy;
    for (const auto& j : jobs) {
        if (!j.started) continue;
        const Timestamp a = std::max(*j.started, start);
        const Timestamp b = std::min(j.finished.value_or(end), end);
        if (b > a) busy.emplace_back(a, b);
    }
    std::sort(busy.begin(), busy.end());
    const Duration ttl = seconds_d(std::max(0.0, session.interactive_ttl_s));
    Timestamp t = start;
    auto idle_until = [&](Timestamp until) {
        if (until <= t) return;
        const Timestamp active_end = std::min(until, t + ttl);
        add(t, active_end, Phase::kActiveIdle);
        add(active_end, until, Phase::kInactive);
        t = until;
    };
    for (const auto& [a, b] : busy) {
        idle_until(a);
        if (b > t) {
            add(std::max(a, t), b, Phase::kBusy);
            t = b;
        }
    }
    idle_until(end);
    return out;
}

}  // namespace qrt::web
