// Sampler and Estimator: broadcasting, option parsing, BitArray layout, sampling statistics,
// exact expectation values against hand values and Qiskit's statevectors (tests/corpus), and
// shot-based estimates with readout mitigation and ZNE on hand-built noise models.
#include "primitives/primitives.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <cmath>
#include <complex>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>

#include "formats/qpy_reader.h"

namespace qrt::primitives {
namespace {

using circuit::Circuit;
using circuit::Expr;
using circuit::GateKind;
using Shape = std::vector<std::size_t>;

const std::filesystem::path kCorpus = QRT_CORPUS_DIR;

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

NdArray array(Shape shape, std::vector<double> data) {
    return NdArray{std::move(shape), std::move(data)};
}

// Bell pair on (0, 1), measured into c[0], c[1] when `measure`.
Circuit bell(bool measure = true) {
    Circuit c;
    c.add_qreg("q", 2);
    if (measure) c.add_creg("c", 2);
    EXPECT_TRUE(c.append(GateKind::kH, {0}).ok());
    EXPECT_TRUE(c.append(GateKind::kCX, {0, 1}).ok());
    if (measure) {
        EXPECT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());
        EXPECT_TRUE(c.append(GateKind::kMeasure, {1}, {}, {1}).ok());
    }
    return c;
}

ExecutionContext ideal() { return {}; }

Expr sym(std::string name) {
    circuit::Symbol s;
    s.name = std::move(name);
    return Expr::symbol(s);
}

SamplerOptions seeded_sampler(std::uint64_t shots = 4096) {
    SamplerOptions o;
    o.default_shots = shots;
    o.seed = 1234;
    return o;
}

sim::PauliSum pauli(std::string label, double coeff = 1.0) {
    return sim::PauliSum{{{std::move(label), coeff}}};
}

// <psi|P|psi> on a statevector, label rightmost = qubit 0: an independent reference.
double expectation(const std::vector<std::complex<double>>& psi, const std::string& label) {
    const std::size_t n = label.size();
    std::complex<double> acc = 0;
    for (std::size_t i = 0; i < psi.size(); ++i) {
        std::size_t j = i;
        std::complex<double> phase = 1;
        for (std::size_t q = 0; q < n; ++q) {
            const char p = label[n - 1 - q];
            const bool bit = (i >> q) & 1u;
            if (p == 'X' || p == 'Y') j ^= std::size_t{1} << q;
            if (p == 'Z' && bit) phase = -phase;
            if (p == 'Y') phase *= bit ? std::complex<double>(0, -1) : std::complex<double>(0, 1);
        }
        // P|i> = phase |j>, so <psi|P|psi> = sum_i conj(psi_j) phase psi_i
        acc += std::conj(psi[j]) * phase * psi[i];
    }
    return acc.real();
}

// ---------------------------------------------------------------------------------------------
// Broadcasting

TEST(Broadcast, follows_numpy_rules) {
    struct Case {
        Shape a, b, want;
    };
    const std::vector<Case> cases = {
        {{}, {}, {}},
        {{}, {5}, {5}},
        {{3, 1}, {100}, {3, 100}},  // the reference example: observables (3,1), bindings (100,)
        {{1}, {4}, {4}},
        {{2, 1, 4}, {3, 1}, {2, 3, 4}},
        {{1, 1}, {}, {1, 1}},
        {{0}, {1}, {0}},
    };
    for (const auto& c : cases) {
        auto got = broadcast_shapes(c.a, c.b);
        ASSERT_TRUE(got.ok()) << got.status().to_string();
        EXPECT_EQ(*got, c.want);
    }
}

TEST(Broadcast, error_names_both_shapes) {
    auto got = broadcast_shapes({3}, {4});
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find("(3,)"), std::string::npos);
    EXPECT_NE(got.status().message().find("(4,)"), std::string::npos);
    EXPECT_FALSE(broadcast_shapes({2, 3}, {3, 3}).ok());
}

TEST(NdArray, size_is_product_of_shape_and_one_for_a_scalar) {
    EXPECT_EQ(NdArray{}.size(), 1u);
    EXPECT_EQ(array({2, 3}, {}).size(), 6u);
    EXPECT_EQ(array({0}, {}).size(), 0u);
}

// ---------------------------------------------------------------------------------------------
// Options

TEST(SamplerOptions, accepts_known_options_and_reads_shots_and_seed) {
    auto o = parse_sampler_options(R"({"default_shots": 100, "simulator": {"seed_simulator": 7},
        "dynamical_decoupling": {"enable": true, "sequence_type": "XY4"},
        "twirling": {"enable_gates": true, "num_randomizations": "auto", "strategy": "all"},
        "execution": {"init_qubits": true, "rep_delay": 0.00025, "meas_type": "classified"},
        "environment": {"job_tags": ["a", "b"], "log_level": "INFO", "private": false},
        "experimental": {"anything": [1, 2]}, "max_execution_time": 300})");
    ASSERT_TRUE(o.ok()) << o.status().to_string();
    EXPECT_EQ(o->default_shots, 100u);
    EXPECT_EQ(o->seed, 7u);

    auto empty = parse_sampler_options("");
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty->default_shots, 4096u);
    EXPECT_FALSE(empty->seed.has_value());
    auto nulls = parse_sampler_options(R"({"default_shots": null, "seed": 3})");
    ASSERT_TRUE(nulls.ok());
    EXPECT_EQ(nulls->default_shots, 4096u);
    EXPECT_EQ(nulls->seed, 3u);
}

TEST(SamplerOptions, refuses_bad_values_naming_the_path) {
    struct Case {
        const char* json;
        const char* path;
        ErrorCode code;
    };
    const std::vector<Case> cases = {
        {R"({"default_shots": 0})", "default_shots", ErrorCode::kInvalidArgument},
        {R"({"default_shots": -5})", "default_shots", ErrorCode::kInvalidArgument},
        {R"({"default_shots": 1.5})", "default_shots", ErrorCode::kInvalidArgument},
        {R"({"default_shots": "10"})", "default_shots", ErrorCode::kInvalidArgument},
        {R"({"shots": 10})", "shots: unknown option", ErrorCode::kInvalidArgument},
        {R"({"twirling": {"num_randomizations": 0}})", "twirling.num_randomizations",
         ErrorCode::kInvalidArgument},
        {R"({"twirling": {"bogus": 1}})", "twirling.bogus: unknown option",
         ErrorCode::kInvalidArgument},
        {R"({"dynamical_decoupling": {"sequence_type": "YY"}})",
         "dynamical_decoupling.sequence_type", ErrorCode::kInvalidArgument},
        {R"({"environment": {"job_tags": [1]}})", "environment.job_tags",
         ErrorCode::kInvalidArgument},
        {R"({"simulator": {"seed_simulator": -1}})", "simulator.seed_simulator",
         ErrorCode::kInvalidArgument},
        {R"({"execution": {"meas_type": "kerneled"}})", "execution.meas_type",
         ErrorCode::kUnimplemented},
        {R"({"seed": 1, "simulator": {"seed_simulator": 2}})", "seed", ErrorCode::kInvalidArgument},
        {R"([1, 2])", "options", ErrorCode::kInvalidArgument},
        {R"({"default_shots": )", "options: not valid JSON", ErrorCode::kInvalidArgument},
    };
    for (const auto& c : cases) {
        auto o = parse_sampler_options(c.json);
        ASSERT_FALSE(o.ok()) << c.json;
        EXPECT_EQ(o.status().code(), c.code) << c.json << " -> " << o.status().to_string();
        EXPECT_EQ(o.status().message().rfind(c.path, 0), 0u)
            << c.json << " -> " << o.status().to_string();
    }
}

TEST(EstimatorOptions, resolves_levels_and_explicit_resilience_choices) {
    auto o = parse_estimator_options("{}", 1);
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(o->resilience_level, 1);
    EXPECT_TRUE(o->measure_mitigation_on());
    EXPECT_FALSE(o->zne_on());
    EXPECT_DOUBLE_EQ(o->default_precision, 0.015625);

    o = parse_estimator_options(R"({"default_precision": 0.01, "seed_estimator": 5,
        "default_shots": 2000, "resilience": {"measure_mitigation": false,
        "zne_mitigation": true, "zne": {"noise_factors": [1, 2, 3], "extrapolator": "linear",
        "amplifier": "gate_folding"}}, "twirling": {"enable_measure": true,
        "shots_per_randomization": 100, "num_randomizations": 8},
        "dynamical_decoupling": {"enable": false}})",
                                0);
    ASSERT_TRUE(o.ok()) << o.status().to_string();
    EXPECT_EQ(o->resilience_level, 0);
    EXPECT_DOUBLE_EQ(o->default_precision, 0.01);
    EXPECT_EQ(o->seed, 5u);
    EXPECT_EQ(o->default_shots, 2000u);
    EXPECT_FALSE(o->measure_mitigation_on());
    EXPECT_TRUE(o->zne_on());
    EXPECT_TRUE(o->twirl_measure_on());
    EXPECT_EQ(o->zne_noise_factors, (std::vector<double>{1, 2, 3}));
    EXPECT_EQ(o->zne_extrapolators, (std::vector<std::string>{"linear"}));
    EXPECT_EQ(o->num_randomizations, 8u);
    EXPECT_EQ(o->shots_per_randomization, 100u);

    o = parse_estimator_options(R"({"resilience_level": 2})", 1);
    ASSERT_TRUE(o.ok());
    EXPECT_TRUE(o->zne_on());
    EXPECT_TRUE(o->measure_mitigation_on());
}

TEST(EstimatorOptions, refuses_bad_values_naming_the_path) {
    struct Case {
        const char* json;
        int level;
        const char* path;
        ErrorCode code;
    };
    const std::vector<Case> cases = {
        {R"({"default_precision": 0})", 1, "default_precision", ErrorCode::kInvalidArgument},
        {R"({"default_precision": -0.1})", 1, "default_precision", ErrorCode::kInvalidArgument},
        {R"({"default_shots": 0})", 1, "default_shots", ErrorCode::kInvalidArgument},
        {R"({})", 3, "resilience_level", ErrorCode::kInvalidArgument},
        {R"({"resilience_level": -1})", 1, "resilience_level", ErrorCode::kInvalidArgument},
        {R"({"resilience": {"zne": {"noise_factors": [0.5, 1]}}})", 2,
         "resilience.zne.noise_factors", ErrorCode::kInvalidArgument},
        {R"({"resilience": {"zne": {"noise_factors": []}}})", 2, "resilience.zne.noise_factors",
         ErrorCode::kInvalidArgument},
        {R"({"resilience": {"zne": {"noise_factors": [3, 3]}}})", 2, "resilience.zne.noise_factors",
         ErrorCode::kInvalidArgument},
        {R"({"resilience": {"zne": {"extrapolator": "cubic"}}})", 2, "resilience.zne.extrapolator",
         ErrorCode::kInvalidArgument},
        {R"({"resilience": {"zne": {"extrapolator": "double_exponential"}}})", 2,
         "resilience.zne.extrapolator", ErrorCode::kUnimplemented},
        {R"({"resilience": {"zne": {"amplifier": "pea"}}})", 2, "resilience.zne.amplifier",
         ErrorCode::kUnimplemented},
        {R"({"resilience": {"pec_mitigation": true}})", 1, "resilience.pec_mitigation",
         ErrorCode::kUnimplemented},
        {R"({"resilience": {"measure_mitigation": "yes"}})", 1, "resilience.measure_mitigation",
         ErrorCode::kInvalidArgument},
        {R"({"resilience": {"bogus": 1}})", 1, "resilience.bogus", ErrorCode::kInvalidArgument},
        {R"({"execution": {"meas_type": "classified"}})", 1, "execution.meas_type",
         ErrorCode::kInvalidArgument},
    };
    for (const auto& c : cases) {
        auto o = parse_estimator_options(c.json, c.level);
        ASSERT_FALSE(o.ok()) << c.json;
        EXPECT_EQ(o.status().code(), c.code) << c.json << " -> " << o.status().to_string();
        EXPECT_EQ(o.status().message().rfind(c.path, 0), 0u)
            << c.json << " -> " << o.status().to_string();
    }
}

// ---------------------------------------------------------------------------------------------
// BitArray

TEST(BitArray, counts_put_the_highest_register_bit_first) {
    BitArray a;
    a.shape = {2};
    a.num_shots = 2;
    a.num_bits = 3;
    a.bytes = {0x05, 0x01, 0x05, 0x06};
    EXPECT_EQ(a.counts(),
              (std::map<std::string, std::uint64_t>{{"101", 2}, {"001", 1}, {"110", 1}}));
    EXPECT_EQ(a.counts(1), (std::map<std::string, std::uint64_t>{{"101", 1}, {"110", 1}}));
    EXPECT_TRUE(a.counts(2).empty());
}

// X on the qubits set in `ones`, then measure qubit i into clbit i of one register "c".
Circuit basis_state(std::uint32_t n, const std::vector<std::uint32_t>& ones) {
    Circuit c;
    c.add_qreg("q", n);
    c.add_creg("c", n);
    for (auto q : ones) EXPECT_TRUE(c.append(GateKind::kX, {q}).ok());
    for (std::uint32_t q = 0; q < n; ++q)
        EXPECT_TRUE(c.append(GateKind::kMeasure, {q}, {}, {q}).ok());
    return c;
}

TEST(Sampler, packs_register_bits_big_endian_like_qiskit) {
    auto r = run_sampler({{basis_state(3, {0, 2}), {}, 4}}, seeded_sampler(), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    const BitArray& a = (*r)[0].data.at(0).second;
    EXPECT_EQ(a.num_bits, 3u);
    EXPECT_EQ(a.num_shots, 4u);
    EXPECT_EQ(a.bytes, (std::vector<std::uint8_t>(4, 0x05)));  // c = [1, 0, 1] -> 0b101
    EXPECT_EQ(a.counts(), (std::map<std::string, std::uint64_t>{{"101", 4}}));

    // 10 bits: c[0], c[8], c[9] set -> 0x301 -> bytes {0x03, 0x01}.
    r = run_sampler({{basis_state(10, {0, 8, 9}), {}, 2}}, seeded_sampler(), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    const BitArray& b = (*r)[0].data.at(0).second;
    EXPECT_EQ(b.bytes_per_shot(), 2u);
    EXPECT_EQ(b.bytes, (std::vector<std::uint8_t>{0x03, 0x01, 0x03, 0x01}));
    EXPECT_EQ(b.counts(), (std::map<std::string, std::uint64_t>{{"1100000001", 2}}));
}

// ---------------------------------------------------------------------------------------------
// Sampler

TEST(Sampler, bell_gives_only_00_and_11_in_equal_proportion) {
    auto r = run_sampler({{bell(), {}, std::nullopt}}, seeded_sampler(4096), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    ASSERT_EQ((*r)[0].data.size(), 1u);
    EXPECT_EQ((*r)[0].data[0].first, "c");
    EXPECT_EQ((*r)[0].shots, 4096u);
    const auto counts = (*r)[0].data[0].second.counts();
    for (const auto& [k, v] : counts) EXPECT_TRUE(k == "00" || k == "11") << k;
    const double n00 = static_cast<double>(counts.count("00") ? counts.at("00") : 0);
    const double n11 = static_cast<double>(counts.count("11") ? counts.at("11") : 0);
    const double chi2 = (n00 - 2048) * (n00 - 2048) / 2048 + (n11 - 2048) * (n11 - 2048) / 2048;
    EXPECT_LT(chi2, 10.83) << "p < 0.001 for 1 degree of freedom (seed 1234)";
}

TEST(Sampler, ghz_from_the_corpus_gives_all_zeros_or_all_ones) {
    auto c = formats::read_qpy_circuit(slurp(kCorpus / "ghz_5.v17.qpy"));
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    auto r = run_sampler({{*c, {}, 1000}}, seeded_sampler(), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    ASSERT_FALSE((*r)[0].data.empty());
    const auto counts = (*r)[0].data[0].second.counts();
    const std::size_t n = (*r)[0].data[0].second.num_bits;
    EXPECT_EQ(counts.size(), 2u);
    EXPECT_TRUE(counts.count(std::string(n, '0')) && counts.count(std::string(n, '1')));
}

TEST(Sampler, gives_one_field_per_register_in_circuit_order) {
    Circuit c;
    c.add_qreg("q", 3);
    c.add_creg("first", 1);
    c.add_creg("second", 2);
    ASSERT_TRUE(c.append(GateKind::kX, {1}).ok());
    ASSERT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());  // first[0] = 0
    ASSERT_TRUE(c.append(GateKind::kMeasure, {1}, {}, {1}).ok());  // second[0] = 1
    ASSERT_TRUE(c.append(GateKind::kMeasure, {2}, {}, {2}).ok());  // second[1] = 0
    auto r = run_sampler({{c, {}, 10}}, seeded_sampler(), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    const auto& data = (*r)[0].data;
    ASSERT_EQ(data.size(), 2u);
    EXPECT_EQ(data[0].first, "first");
    EXPECT_EQ(data[1].first, "second");
    EXPECT_EQ(data[0].second.counts(), (std::map<std::string, std::uint64_t>{{"0", 10}}));
    EXPECT_EQ(data[1].second.counts(), (std::map<std::string, std::uint64_t>{{"01", 10}}));
}

TEST(Sampler, circuit_without_registers_gives_no_data_fields) {
    auto r = run_sampler({{bell(false), {}, 5}}, seeded_sampler(), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_TRUE((*r)[0].data.empty());
}

TEST(Sampler, runs_every_element_of_a_parameter_array) {
    Circuit c;
    c.add_qreg("q", 1);
    c.add_creg("meas", 1);
    ASSERT_TRUE(c.append(GateKind::kRY, {0}, {sym("theta")}).ok());
    ASSERT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());
    ASSERT_EQ(c.parameters().size(), 1u);
    const double pi = std::numbers::pi;
    // shape (2, 3, 1): element (i, j) is theta = pi when (i + j) is odd
    NdArray values = array({2, 3, 1}, {0, pi, 0, pi, 0, pi});
    auto r = run_sampler({{c, values, 50}}, seeded_sampler(), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    const BitArray& a = (*r)[0].data[0].second;
    EXPECT_EQ(a.shape, (Shape{2, 3}));
    EXPECT_EQ(a.bytes.size(), 6u * 50u);
    for (std::size_t e = 0; e < 6; ++e) {
        const std::string want = e % 2 == 1 ? "1" : "0";
        EXPECT_EQ(a.counts(e), (std::map<std::string, std::uint64_t>{{want, 50}})) << e;
    }
}

TEST(Sampler, same_seed_gives_same_bits) {
    auto a = run_sampler({{bell(), {}, 200}}, seeded_sampler(), ideal());
    auto b = run_sampler({{bell(), {}, 200}}, seeded_sampler(), ideal());
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ((*a)[0].data[0].second.bytes, (*b)[0].data[0].second.bytes);
}

TEST(Sampler, refuses_bad_pubs_naming_the_pub) {
    Circuit c;
    c.add_qreg("q", 1);
    c.add_creg("c", 1);
    ASSERT_TRUE(c.append(GateKind::kRX, {0}, {sym("a")}).ok());
    ASSERT_TRUE(c.append(GateKind::kMeasure, {0}, {}, {0}).ok());
    const SamplerPub good{c, array({1}, {0.5}), std::nullopt};
    struct Case {
        SamplerPub pub;
        const char* needle;
    };
    const std::vector<Case> cases = {
        {{c, array({2}, {0.5, 0.5}), std::nullopt}, "last axis must be 1"},
        {{c, array({}, {}), std::nullopt}, "last axis"},
        {{c, array({3, 1}, {1, 2}), std::nullopt}, "shape (3, 1) but 2 numbers"},
        {{c, array({1}, {0.5}), 0}, "shots must be > 0"},
        {{bell(), array({1}, {0.5}), std::nullopt}, "last axis must be 0"},
    };
    for (const auto& k : cases) {
        auto r = run_sampler({good, k.pub}, seeded_sampler(), ideal());
        ASSERT_FALSE(r.ok()) << k.needle;
        EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
        EXPECT_EQ(r.status().message().rfind("PUB 1: ", 0), 0u) << r.status().message();
        EXPECT_NE(r.status().message().find(k.needle), std::string::npos) << r.status().message();
    }
}

// ---------------------------------------------------------------------------------------------
// Estimator, exact

EstimatorOptions seeded_estimator(int level) {
    EstimatorOptions o;
    o.resilience_level = level;
    o.seed = 99;
    return o;
}

TEST(Estimator, bell_exact_values_match_hand_computation) {
    EstimatorPub pub{bell(), {4}, {pauli("ZZ"), pauli("XX"), pauli("YY"), pauli("ZI")}, {}, {}};
    auto r = run_estimator({pub}, seeded_estimator(1), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    const auto& res = (*r)[0];
    EXPECT_EQ(res.evs.shape, (Shape{4}));
    const std::vector<double> want = {1, 1, -1, 0};
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_NEAR(res.evs.data[i], want[i], 1e-12) << i;
        EXPECT_EQ(res.stds.data[i], 0.0);
        EXPECT_EQ(res.ensemble_standard_error.data[i], 0.0);
    }
    EXPECT_EQ(res.shots, 0u);
    EXPECT_DOUBLE_EQ(res.target_precision, 0.015625);

    // A weighted sum and a scalar observable shape ().
    EstimatorPub sum{
        bell(false), {}, {sim::PauliSum{{{"ZZ", 0.5}, {"XX", 2}, {"II", -1}}}}, {}, {}};
    r = run_estimator({sum}, seeded_estimator(0), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_TRUE((*r)[0].evs.shape.empty());
    EXPECT_NEAR((*r)[0].evs.data.at(0), 1.5, 1e-12);
}

struct CorpusCase {
    Circuit circuit;
    std::vector<double> bind;
    std::vector<std::complex<double>> statevector;  // Qiskit's, from the unitary's column 0
};

CorpusCase load_case(const std::string& name) {
    CorpusCase out;
    const auto manifest = boost::json::parse(slurp(kCorpus / "manifest.json"));
    for (const auto& k : manifest.at("cases").as_array()) {
        if (k.at("name").as_string() != name) continue;
        for (const auto& b : k.at("bind").as_array()) out.bind.push_back(b.to_number<double>());
        const auto u =
            boost::json::parse(slurp(kCorpus / std::string(k.at("unitary").as_string())));
        const auto dim = u.at("dim").to_number<std::size_t>();
        const auto& data = u.at("data").as_array();
        for (std::size_t r = 0; r < dim; ++r) {
            const auto& e = data[r * dim].as_array();
            out.statevector.emplace_back(e[0].to_number<double>(), e[1].to_number<double>());
        }
    }
    auto c = formats::read_qpy_circuit(slurp(kCorpus / (name + ".v17.qpy")));
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    if (c.ok()) out.circuit = *c;
    return out;
}

TEST(Estimator, efficient_su2_matches_qiskits_statevector_and_exact_expectations) {
    const CorpusCase k = load_case("efficient_su2_3");
    ASSERT_EQ(k.circuit.parameters().size(), k.bind.size());
    ASSERT_EQ(k.statevector.size(), 8u);
    const std::vector<std::string> labels = {"ZII", "IXI", "IIY", "XYZ", "ZZZ", "YYX", "III"};
    std::vector<sim::PauliSum> obs;
    for (const auto& l : labels) obs.push_back(pauli(l));
    EstimatorPub pub{k.circuit, {labels.size()}, obs, array({k.bind.size()}, k.bind), {}};
    auto r = run_estimator({pub}, seeded_estimator(1), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    auto bound = k.circuit.bind(k.bind);
    ASSERT_TRUE(bound.ok());
    auto exact = sim::exact_expectations(*bound, obs);
    ASSERT_TRUE(exact.ok()) << exact.status().to_string();
    for (std::size_t i = 0; i < labels.size(); ++i) {
        EXPECT_NEAR((*r)[0].evs.data[i], expectation(k.statevector, labels[i]), 1e-10) << labels[i];
        EXPECT_NEAR((*r)[0].evs.data[i], (*exact)[i], 1e-12) << labels[i];
    }
}

TEST(Estimator, broadcasts_observables_3x1_against_100_bindings_to_3x100) {
    Circuit c;
    c.add_qreg("q", 1);
    ASSERT_TRUE(c.append(GateKind::kRY, {0}, {sym("a")}).ok());
    ASSERT_TRUE(c.append(GateKind::kRZ, {0}, {sym("b")}).ok());
    std::vector<double> values;
    for (int i = 0; i < 100; ++i) {
        values.push_back(0.03 * i);
        values.push_back(0.05 * i);
    }
    EstimatorPub pub{c, {3, 1}, {pauli("X"), pauli("Y"), pauli("Z")}, array({100, 2}, values), {}};
    auto r = run_estimator({pub}, seeded_estimator(1), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    const auto& evs = (*r)[0].evs;
    ASSERT_EQ(evs.shape, (Shape{3, 100}));
    for (int i = 0; i < 100; ++i) {
        const double a = 0.03 * i, b = 0.05 * i;
        // RZ(b) RY(a)|0>: Bloch vector (sin a cos b, sin a sin b, cos a)
        EXPECT_NEAR(evs.data[0 * 100 + i], std::sin(a) * std::cos(b), 1e-12);
        EXPECT_NEAR(evs.data[1 * 100 + i], std::sin(a) * std::sin(b), 1e-12);
        EXPECT_NEAR(evs.data[2 * 100 + i], std::cos(a), 1e-12);
    }
}

TEST(Estimator, refuses_bad_pubs_naming_pub_and_label) {
    Circuit with_mid = bell();
    ASSERT_TRUE(with_mid.append(GateKind::kH, {0}).ok());  // after the measurement of qubit 0
    struct Case {
        EstimatorPub pub;
        const char* needle;
    };
    const std::vector<Case> cases = {
        {{bell(), {}, {pauli("ZZZ")}, {}, {}}, "label 'ZZZ' has 3 characters"},
        {{bell(), {}, {pauli("ZQ")}, {}, {}}, "label 'ZQ' may contain only"},
        {{bell(), {2}, {pauli("ZZ")}, {}, {}}, "observables have shape (2,) but 1 entries"},
        {{bell(), {}, {pauli("ZZ")}, {}, 0.0}, "precision must be > 0"},
        {{with_mid, {}, {pauli("ZZ")}, {}, {}}, "mid-circuit"},
    };
    for (const auto& k : cases) {
        EstimatorPub good{bell(), {}, {pauli("ZZ")}, {}, {}};
        auto r = run_estimator({good, k.pub}, seeded_estimator(1), ideal());
        ASSERT_FALSE(r.ok()) << k.needle;
        EXPECT_EQ(r.status().message().rfind("PUB 1: ", 0), 0u) << r.status().message();
        EXPECT_NE(r.status().message().find(k.needle), std::string::npos) << r.status().message();
    }
    // Shapes that do not broadcast.
    Circuit c;
    c.add_qreg("q", 1);
    ASSERT_TRUE(c.append(GateKind::kRY, {0}, {sym("a")}).ok());
    EstimatorPub mismatch{
        c, {3}, {pauli("X"), pauli("Y"), pauli("Z")}, array({4, 1}, {1, 2, 3, 4}), {}};
    auto r = run_estimator({mismatch}, seeded_estimator(1), ideal());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("(3,) and (4,)"), std::string::npos)
        << r.status().message();
}

// ---------------------------------------------------------------------------------------------
// Estimator, shot-based

sim::NoiseModel readout_only(std::uint32_t n, double p1_given_0, double p0_given_1) {
    sim::NoiseModel m;
    m.qubits.assign(n, sim::QubitNoise{});
    for (auto& q : m.qubits) {
        q.p1_given_0 = p1_given_0;
        q.p0_given_1 = p0_given_1;
    }
    m.relaxation = false;
    return m;
}

TEST(Estimator, precision_sets_shots_per_configuration) {
    const sim::NoiseModel quiet = readout_only(2, 0, 0);
    ExecutionContext ctx;
    ctx.noise = &quiet;
    EstimatorPub pub{bell(false), {}, {pauli("ZZ")}, {}, 0.01};
    auto r = run_estimator({pub}, seeded_estimator(0), ctx);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ((*r)[0].shots, 10000u);
    EXPECT_EQ((*r)[0].num_randomizations, 0u);
    EXPECT_DOUBLE_EQ((*r)[0].target_precision, 0.01);
    // With measurement twirling: 32 randomizations x max(64, ceil(10000 / 32)) = 10016, as IBM.
    r = run_estimator({pub}, seeded_estimator(1), ctx);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ((*r)[0].shots, 10016u);
    EXPECT_EQ((*r)[0].num_randomizations, 32u);
    // default_shots overrides precision.
    EstimatorOptions o = seeded_estimator(0);
    o.default_shots = 300;
    r = run_estimator({pub}, o, ctx);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ((*r)[0].shots, 300u);
}

TEST(Estimator, shot_estimates_lie_within_four_sigma_of_exact) {
    const CorpusCase k = load_case("efficient_su2_3");
    const std::vector<std::string> labels = {"ZII", "IXI", "IIY", "XYZ", "ZZZ", "ZZI", "XXX"};
    std::vector<sim::PauliSum> obs;
    for (const auto& l : labels) obs.push_back(pauli(l));
    obs.push_back(sim::PauliSum{{{"ZII", 0.5}, {"IZI", -1.5}, {"XXI", 2.0}, {"III", 0.25}}});
    const sim::NoiseModel quiet = readout_only(3, 0, 0);
    ExecutionContext ctx;
    ctx.noise = &quiet;
    EstimatorPub pub{k.circuit, {obs.size()}, obs, array({k.bind.size()}, k.bind), 0.02};
    auto r = run_estimator({pub}, seeded_estimator(0), ctx);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    auto bound = k.circuit.bind(k.bind);
    ASSERT_TRUE(bound.ok());
    auto exact = sim::exact_expectations(*bound, obs);
    ASSERT_TRUE(exact.ok());
    EXPECT_EQ((*r)[0].shots, 2500u);
    for (std::size_t i = 0; i < obs.size(); ++i) {
        const double sigma = (*r)[0].stds.data[i];
        EXPECT_GT(sigma, 0.0) << i;
        EXPECT_LT(sigma, 0.1) << i;
        EXPECT_LT(std::abs((*r)[0].evs.data[i] - (*exact)[i]), 4 * sigma + 1e-12)
            << "observable " << i << " seed 99";
    }
}

TEST(Estimator, readout_mitigation_removes_readout_bias) {
    // RY(pi/3)|0>: <Z> = 0.5. Asymmetric readout: P(1|0) = 0.02, P(0|1) = 0.2.
    Circuit c;
    c.add_qreg("q", 1);
    ASSERT_TRUE(c.append(GateKind::kRY, {0}, {Expr(std::numbers::pi / 3)}).ok());
    const sim::NoiseModel noise = readout_only(1, 0.02, 0.2);
    ExecutionContext ctx;
    ctx.noise = &noise;
    EstimatorPub pub{c, {}, {pauli("Z")}, {}, 0.005};
    auto raw = run_estimator({pub}, seeded_estimator(0), ctx);
    auto mitigated = run_estimator({pub}, seeded_estimator(1), ctx);
    ASSERT_TRUE(raw.ok()) << raw.status().to_string();
    ASSERT_TRUE(mitigated.ok()) << mitigated.status().to_string();
    const double ideal_z = 0.5;
    const double raw_z = (*raw)[0].evs.data[0];
    const double mit_z = (*mitigated)[0].evs.data[0];
    // Unmitigated: P(0) = 0.75 * 0.98 + 0.25 * 0.2 = 0.785, so <Z> = 0.57.
    EXPECT_NEAR(raw_z, 0.57, 4 * (*raw)[0].stds.data[0]);
    EXPECT_GT(std::abs(raw_z - ideal_z), 0.0);
    EXPECT_LT(std::abs(mit_z - ideal_z), std::abs(raw_z - ideal_z) + 1e-12);
    EXPECT_LT(std::abs(mit_z - ideal_z), 4 * (*mitigated)[0].stds.data[0]);
    EXPECT_GT((*mitigated)[0].ensemble_standard_error.data[0], 0.0);

    // A symmetric readout error biases <Z> towards 0 by (1 - 2p); TREX undoes it.
    const sim::NoiseModel symmetric = readout_only(1, 0.1, 0.1);
    ctx.noise = &symmetric;
    raw = run_estimator({pub}, seeded_estimator(0), ctx);
    mitigated = run_estimator({pub}, seeded_estimator(1), ctx);
    ASSERT_TRUE(raw.ok() && mitigated.ok());
    EXPECT_NEAR((*raw)[0].evs.data[0], 0.4, 4 * (*raw)[0].stds.data[0]);
    EXPECT_LT(std::abs((*mitigated)[0].evs.data[0] - 0.5), std::abs((*raw)[0].evs.data[0] - 0.5));
    EXPECT_LT(std::abs((*mitigated)[0].evs.data[0] - 0.5), 4 * (*mitigated)[0].stds.data[0]);
}

TEST(Estimator, zne_extrapolates_depolarized_bell_correlations_toward_ideal) {
    sim::NoiseModel noise = readout_only(2, 0, 0);
    noise.gates["cx"][{0, 1}] = sim::GateNoise{0.08, 0};
    ExecutionContext ctx;
    ctx.noise = &noise;
    EstimatorPub pub{bell(false), {2}, {pauli("ZZ"), pauli("XX")}, {}, 0.01};
    auto raw = run_estimator({pub}, seeded_estimator(0), ctx);
    EstimatorOptions zne = seeded_estimator(2);
    zne.zne_extrapolators = {"exponential", "linear"};
    auto mitigated = run_estimator({pub}, zne, ctx);
    ASSERT_TRUE(raw.ok()) << raw.status().to_string();
    ASSERT_TRUE(mitigated.ok()) << mitigated.status().to_string();
    const auto& m = (*mitigated)[0];
    EXPECT_EQ(m.noise_factors, (std::vector<double>{1, 3, 5}));
    EXPECT_EQ(m.evs_noise_factors.shape, (Shape{2, 3}));
    for (std::size_t i = 0; i < 2; ++i) {
        const double raw_ev = (*raw)[0].evs.data[i];
        // Depolarizing with p = 0.08 scales both correlators by 1 - 16p/15 per CX.
        EXPECT_LT(raw_ev, 0.96) << i;
        // More folding, more noise.
        EXPECT_GT(m.evs_noise_factors.data[i * 3 + 0], m.evs_noise_factors.data[i * 3 + 2]) << i;
        EXPECT_LT(std::abs(m.evs.data[i] - 1.0), std::abs(raw_ev - 1.0)) << i;
        EXPECT_LT(std::abs(m.evs.data[i] - 1.0), 4 * m.stds.data[i]) << i;
    }
}

TEST(Estimator, ignores_final_measurements) {
    EstimatorPub measured{bell(true), {}, {pauli("XX")}, {}, {}};
    auto r = run_estimator({measured}, seeded_estimator(1), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_NEAR((*r)[0].evs.data[0], 1.0, 1e-12);
}

TEST(Estimator, gate_folding_keeps_the_ideal_state_for_every_supported_two_qubit_gate) {
    Circuit c;
    c.add_qreg("q", 2);
    ASSERT_TRUE(c.append(GateKind::kH, {0}).ok());
    ASSERT_TRUE(c.append(GateKind::kRY, {1}, {Expr(0.3)}).ok());
    ASSERT_TRUE(c.append(GateKind::kRZZ, {0, 1}, {Expr(0.9)}).ok());
    ASSERT_TRUE(c.append(GateKind::kCP, {1, 0}, {Expr(0.4)}).ok());
    ASSERT_TRUE(c.append(GateKind::kCS, {0, 1}).ok());
    ASSERT_TRUE(c.append(GateKind::kDCX, {0, 1}).ok());
    ASSERT_TRUE(c.append(GateKind::kECR, {1, 0}).ok());
    ASSERT_TRUE(c.append(GateKind::kRX, {0}, {Expr(0.2)}).ok());
    const std::vector<sim::PauliSum> obs = {pauli("XX"), pauli("YI"), pauli("IZ"), pauli("XY"),
                                            pauli("ZZ")};
    auto exact = sim::exact_expectations(c, obs);
    ASSERT_TRUE(exact.ok()) << exact.status().to_string();
    const sim::NoiseModel quiet = readout_only(2, 0, 0);
    ExecutionContext ctx;
    ctx.noise = &quiet;
    EstimatorOptions o = seeded_estimator(2);
    o.zne_extrapolators = {"linear"};
    auto r = run_estimator({{c, {obs.size()}, obs, {}, 0.03}}, o, ctx);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    const auto& res = (*r)[0];
    ASSERT_EQ(res.noise_factors, (std::vector<double>{1, 3, 5}));
    for (std::size_t i = 0; i < obs.size(); ++i) {
        for (std::size_t f = 0; f < 3; ++f) {
            const double ev = res.evs_noise_factors.data[i * 3 + f];
            const double sd = res.stds_noise_factors.data[i * 3 + f];
            EXPECT_LT(std::abs(ev - (*exact)[i]), 4 * sd + 1e-9)
                << "observable " << i << " f " << f;
        }
    }

    Circuit iswap;
    iswap.add_qreg("q", 2);
    ASSERT_TRUE(iswap.append(GateKind::kISwap, {0, 1}).ok());
    r = run_estimator({{iswap, {}, {pauli("ZZ")}, {}, 0.1}}, o, ctx);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("'iswap'"), std::string::npos) << r.status().message();
}

TEST(Estimator, accepts_resets_of_fresh_qubits_and_refuses_later_ones) {
    Circuit c;
    c.add_qreg("q", 1);
    ASSERT_TRUE(c.append(GateKind::kReset, {0}).ok());
    ASSERT_TRUE(c.append(GateKind::kX, {0}).ok());
    auto r = run_estimator({{c, {}, {pauli("Z")}, {}, {}}}, seeded_estimator(0), ideal());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_NEAR((*r)[0].evs.data[0], -1.0, 1e-12);
    ASSERT_TRUE(c.append(GateKind::kReset, {0}).ok());
    r = run_estimator({{c, {}, {pauli("Z")}, {}, {}}}, seeded_estimator(0), ideal());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("mid-circuit resets"), std::string::npos);
}

TEST(Primitives, stop_token_cancels_before_running) {
    std::atomic<bool> stop{true};
    ExecutionContext ctx;
    ctx.stop.flag = &stop;
    auto s = run_sampler({{bell(), {}, 10}}, seeded_sampler(), ctx);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), ErrorCode::kCancelled);
    auto e = run_estimator({{bell(), {}, {pauli("ZZ")}, {}, {}}}, seeded_estimator(0), ctx);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), ErrorCode::kCancelled);
}

}  // namespace
}  // namespace qrt::primitives
