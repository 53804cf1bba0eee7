// job_codec: params that the real qiskit-ibm-runtime client POSTs (tests/fixtures/job_codec,
// written by generate.py through the client's own run path), REST-style params (OpenQASM strings,
// name-keyed values), a table of bad input, and result encodings checked against the protocol
// reference's examples. With QRT_WRITE_RESULTS=<dir>, JobCodecClient writes result files that
// tests/fixtures/job_codec/check_results.py decodes with the real client (a ctest, label python).
#include "primitives/job_codec.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "base/base64.h"
#include "base/npy.h"
#include "base/zlib.h"
// The fuzz target's body (qrt::primitives::fuzz::run_one), to replay tests/fuzz/job_codec/*.
#include "primitives/job_codec.fuzz.cc"  // NOLINT(bugprone-suspicious-include)

namespace qrt::primitives {
namespace {

namespace json = boost::json;
using Shape = std::vector<std::size_t>;

const std::filesystem::path kFixtures = QRT_JOB_CODEC_FIXTURES;

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Shape to_shape(const json::value& v) {
    Shape s;
    for (const auto& d : v.as_array()) s.push_back(static_cast<std::size_t>(d.to_number<double>()));
    return s;
}

std::vector<double> to_doubles(const json::value& v) {
    std::vector<double> out;
    for (const auto& d : v.as_array()) out.push_back(d.to_number<double>());
    return out;
}

std::string ndarray_b64(const NpyArray& a) { return base64_encode(zlib_compress(npy_encode(a))); }

std::string ndarray_json(const NpyArray& a) {
    return R"({"__type__": "ndarray", "__value__": ")" + ndarray_b64(a) + "\"}";
}

// A JSON string literal of `s`.
std::string quoted(const std::string& s) { return json::serialize(json::string(s)); }

const char* kBellQasm3 =
    "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nbit[2] c;\nqubit[2] q;\nh q[0];\ncx q[0], "
    "q[1];\nc[0] = measure q[0];\nc[1] = measure q[1];\n";
const char* kParamQasm3 =
    "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] theta;\ninput float[64] "
    "phi;\nbit[2] c;\nqubit[2] q;\nry(theta) q[0];\nrz(phi) q[1];\ncx q[0], q[1];\nc = measure "
    "q;\n";

Result<PrimitiveJob> decode_sampler(const std::string& params, const DecodeLimits& l = {}) {
    return decode_job_params(Program::kSampler, params, l);
}
Result<PrimitiveJob> decode_estimator(const std::string& params, const DecodeLimits& l = {}) {
    return decode_job_params(Program::kEstimator, params, l);
}

// ---------------------------------------------------------------------------------------------
// Real client payloads

class ClientFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ClientFixture, decodes_what_qiskit_ibm_runtime_posts) {
    const std::string name = GetParam();
    const std::string params = slurp(kFixtures / (name + ".params.json"));
    ASSERT_FALSE(params.empty()) << "missing fixture " << name;
    const json::value expect = json::parse(slurp(kFixtures / (name + ".expect.json")));
    auto program = parse_program_id(std::string(expect.at("program").as_string()));
    ASSERT_TRUE(program.ok());
    auto job = decode_job_params(*program, params);
    ASSERT_TRUE(job.ok()) << job.status().to_string();
    EXPECT_TRUE(job->support_qiskit);
    EXPECT_EQ(job->version, 2);

    const auto& pubs = expect.at("pubs").as_array();
    const bool sampler = *program == Program::kSampler;
    ASSERT_EQ(sampler ? job->sampler_pubs.size() : job->estimator_pubs.size(), pubs.size());
    for (std::size_t i = 0; i < pubs.size(); ++i) {
        SCOPED_TRACE(i);
        const auto& e = pubs[i].as_object();
        const circuit::Circuit& c =
            sampler ? job->sampler_pubs[i].circuit : job->estimator_pubs[i].circuit;
        const NdArray& values = sampler ? job->sampler_pubs[i].parameter_values
                                        : job->estimator_pubs[i].parameter_values;
        EXPECT_EQ(c.num_qubits(), e.at("num_qubits").to_number<std::uint32_t>());
        EXPECT_EQ(c.num_clbits(), e.at("num_clbits").to_number<std::uint32_t>());
        std::vector<std::string> names;
        for (const auto& p : c.parameters()) names.push_back(p.name);
        std::vector<std::string> want_names;
        for (const auto& p : e.at("parameters").as_array()) want_names.emplace_back(p.as_string());
        EXPECT_EQ(names, want_names);
        ASSERT_EQ(c.cregs.size(), e.at("cregs").as_array().size());
        for (std::size_t r = 0; r < c.cregs.size(); ++r) {
            EXPECT_EQ(c.cregs[r].name, e.at("cregs").as_array()[r].as_array()[0].as_string());
        }
        EXPECT_EQ(values.shape, to_shape(e.at("param_shape")));
        // (Boost 1.81 may read the expect file's 17-digit numbers one ulp off.)
        const std::vector<double> want_values = to_doubles(e.at("param_values"));
        ASSERT_EQ(values.data.size(), want_values.size());
        for (std::size_t k = 0; k < want_values.size(); ++k) {
            EXPECT_DOUBLE_EQ(values.data[k], want_values[k]) << k;
        }
        Shape pub_shape = values.shape;
        pub_shape.pop_back();
        if (sampler) {
            EXPECT_EQ(pub_shape, to_shape(e.at("pub_shape")));
            if (e.at("shots").is_null()) {
                EXPECT_FALSE(job->sampler_pubs[i].shots.has_value());
            } else {
                EXPECT_EQ(job->sampler_pubs[i].shots, e.at("shots").to_number<std::uint64_t>());
            }
            continue;
        }
        const EstimatorPub& pub = job->estimator_pubs[i];
        EXPECT_EQ(pub.observables_shape, to_shape(e.at("observables_shape")));
        auto broadcast = broadcast_shapes(pub.observables_shape, pub_shape);
        ASSERT_TRUE(broadcast.ok());
        EXPECT_EQ(*broadcast, to_shape(e.at("pub_shape")));
        const auto& obs = e.at("observables").as_array();
        ASSERT_EQ(pub.observables.size(), obs.size());
        for (std::size_t o = 0; o < obs.size(); ++o) {
            const auto& terms = obs[o].as_array();
            ASSERT_EQ(pub.observables[o].terms.size(), terms.size());
            for (std::size_t t = 0; t < terms.size(); ++t) {
                EXPECT_EQ(pub.observables[o].terms[t].first, terms[t].as_array()[0].as_string());
                EXPECT_DOUBLE_EQ(pub.observables[o].terms[t].second,
                                 terms[t].as_array()[1].to_number<double>());
            }
        }
        if (e.at("precision").is_null()) {
            EXPECT_FALSE(pub.precision.has_value());
        } else {
            EXPECT_EQ(pub.precision, e.at("precision").to_number<double>());
        }
    }

    const auto& o = expect.at("options").as_object();
    if (sampler) {
        EXPECT_EQ(job->sampler_options.default_shots,
                  o.at("default_shots").to_number<std::uint64_t>());
        if (o.contains("seed")) {
            EXPECT_EQ(job->sampler_options.seed, o.at("seed").to_number<std::uint64_t>());
        }
        return;
    }
    const EstimatorOptions& eo = job->estimator_options;
    EXPECT_EQ(eo.resilience_level, o.at("resilience_level").to_number<int>());
    EXPECT_EQ(eo.default_precision, o.at("default_precision").to_number<double>());
    if (o.contains("seed")) {
        EXPECT_EQ(eo.seed, o.at("seed").to_number<std::uint64_t>());
    }
    if (o.contains("num_randomizations")) {
        EXPECT_EQ(eo.num_randomizations, o.at("num_randomizations").to_number<std::uint64_t>());
    }
    if (o.contains("zne_noise_factors")) {
        EXPECT_EQ(eo.zne_noise_factors, to_doubles(o.at("zne_noise_factors")));
        std::vector<std::string> ex;
        for (const auto& x : o.at("zne_extrapolators").as_array()) ex.emplace_back(x.as_string());
        EXPECT_EQ(eo.zne_extrapolators, ex);
    }
}

INSTANTIATE_TEST_SUITE_P(JobCodec, ClientFixture,
                         ::testing::Values("sampler_bell", "sampler_params", "estimator_spo",
                                           "estimator_broadcast", "estimator_options"));

TEST(JobCodec, client_parameter_array_is_numpys_npy_bytes) {
    // The empty (0,) float64 array the client sends for a circuit without parameters is the
    // reference's §3.4 string, and our encoder writes the same bytes.
    const json::value params = json::parse(slurp(kFixtures / "sampler_bell.params.json"));
    const auto& pub = params.at("pubs").as_array()[0].as_array();
    const std::string sent(pub[1].at("__value__").as_string());
    EXPECT_EQ(sent,
              "eJyb7BfqGxDJyFDGUK2eklqcXKRupaBuk2ahrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RoGOpo6"
              "CrUKFAAuAFOzG1s=");
    EXPECT_EQ(ndarray_b64(npy_from_doubles({0}, {})), sent);
}

TEST(JobCodec, reads_plain_json_numbers_exactly) {
    // Boost 1.81's parser rounds some 17-digit numbers one ulp off; parameter values must not be.
    std::mt19937_64 rng(7);
    std::string list = "[";
    std::vector<double> want;
    for (int i = 0; i < 2000; ++i) {
        const double x = std::ldexp(static_cast<double>(rng() >> 11), -53) *
                         std::pow(10.0, static_cast<int>(rng() % 12) - 6);
        const std::string text = fmt::format("{:.17g}", x);
        list += (i ? ", [" : "[") + text + ", 0.5]";
        want.push_back(std::strtod(text.c_str(), nullptr));
        want.push_back(0.5);
    }
    list += "]";
    auto job = decode_sampler(R"({"pubs": [[)" + quoted(kParamQasm3) + ", " + list + "]]}");
    ASSERT_TRUE(job.ok()) << job.status().to_string();
    EXPECT_EQ(job->sampler_pubs[0].parameter_values.data, want);
}

TEST(JobCodec, ignores_unknown_top_level_keys) {
    std::string params = slurp(kFixtures / "sampler_bell.params.json");
    params.insert(1, R"("some_future_key": {"x": [1, 2]}, )");
    auto job = decode_sampler(params);
    ASSERT_TRUE(job.ok()) << job.status().to_string();
    EXPECT_EQ(job->sampler_pubs.size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// REST-style params (IBM's sampler-rest-api / estimator-rest-api guides)

TEST(JobCodec, decodes_rest_qasm_pubs_without_support_qiskit) {
    const std::string q = quoted(kBellQasm3);
    auto job = decode_sampler(R"({"pubs": [[)" + q + "], [" + q + R"(, null, 500]]})");
    ASSERT_TRUE(job.ok()) << job.status().to_string();
    EXPECT_FALSE(job->support_qiskit);
    ASSERT_EQ(job->sampler_pubs.size(), 2u);
    EXPECT_EQ(job->sampler_pubs[0].circuit.num_qubits(), 2u);
    EXPECT_FALSE(job->sampler_pubs[0].shots.has_value());
    EXPECT_EQ(job->sampler_pubs[1].shots, 500u);
    EXPECT_EQ(job->sampler_pubs[0].parameter_values.shape, Shape{0});
    EXPECT_EQ(job->sampler_options.default_shots, 4096u);
    EXPECT_EQ(job->total_shots(), 4096u + 500u);
}

TEST(JobCodec, accepts_a_bare_circuit_as_a_pub_and_openqasm2) {
    const std::string q2 = quoted(
        "// a comment first\nOPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\ncreg c[1];\nx "
        "q[0];\nmeasure q[0] -> c[0];\n");
    auto job = decode_sampler(R"({"pubs": [)" + q2 + "]}");
    ASSERT_TRUE(job.ok()) << job.status().to_string();
    EXPECT_EQ(job->sampler_pubs[0].circuit.num_qubits(), 1u);
    EXPECT_EQ(job->sampler_pubs[0].circuit.cregs.at(0).name, "c");
}

struct ValuesCase {
    std::string values;  // JSON of the parameter-values slot (circuit: theta, phi)
    Shape shape;         // (*bindings, 2) in the order phi, theta
    std::vector<double> data;
};

TEST(JobCodec, binds_parameter_values_by_qiskits_rules) {
    const ValuesCase cases[] = {
        // docs: a name-keyed dict of scalars
        {R"({"theta": 1.57, "phi": 3.14})", {2}, {3.14, 1.57}},
        // a plain list over circuit.parameters() (phi, theta)
        {"[0.5, 0.25]", {2}, {0.5, 0.25}},
        {"[[0.5, 0.25], [1, 2], [3, 4]]", {3, 2}, {0.5, 0.25, 1, 2, 3, 4}},
        // name-keyed arrays: each has the bindings shape
        {R"({"theta": [0.1, 0.2, 0.3], "phi": [1, 2, 3]})", {3, 2}, {1, 0.1, 2, 0.2, 3, 0.3}},
        // a trailing axis of 1 over a single parameter is that parameter's axis
        {R"({"theta": [[0.1], [0.2]], "phi": [[1], [2]]})", {2, 2}, {1, 0.1, 2, 0.2}},
        // tuple keys (Python's str of a tuple) and JSON-list keys (RuntimeEncoder's)
        {R"j({"(theta, phi)": [[1, 2], [3, 4]]})j", {2, 2}, {2, 1, 4, 3}},
        {R"j({"('theta', 'phi')": [1, 2]})j", {2}, {2, 1}},
        {R"({"[\"theta\", \"phi\"]": [[1, 2]]})", {1, 2}, {2, 1}},
        // typed BindingsArray (RuntimeEncoder) with an explicit shape
        {R"({"__type__": "BindingsArray", "__value__": {"shape": [2], "data": {"[\"theta\"]": )"
         R"([5, 6], "[\"phi\"]": [[7], [8]]}}})",
         {2, 2},
         {7, 5, 8, 6}},
        // an ndarray object
        {ndarray_json(npy_from_doubles({2, 1, 2}, {1, 2, 3, 4})), {2, 1, 2}, {1, 2, 3, 4}},
        // RuntimeEncoder's list form of an ndarray
        {R"({"__type__": "ndarray", "__value__": [[1, 2]]})", {1, 2}, {1, 2}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.values);
        auto job = decode_sampler(R"({"pubs": [[)" + quoted(kParamQasm3) + ", " + c.values + "]]}");
        ASSERT_TRUE(job.ok()) << job.status().to_string();
        const NdArray& v = job->sampler_pubs[0].parameter_values;
        EXPECT_EQ(v.shape, c.shape);
        EXPECT_EQ(v.data, c.data);
    }
}

TEST(JobCodec, binds_single_parameter_lists_along_the_pub_shape) {
    const std::string q = quoted(
        "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit[1] q;\nbit[1] "
        "c;\nrx(a) q[0];\nc[0] = measure q[0];\n");
    auto job = decode_sampler(R"({"pubs": [[)" + q + ", [0.1, 0.2, 0.3], 10], [" + q + ", 0.5], [" +
                              q + ", [[0.1], [0.2]]]]}");
    ASSERT_TRUE(job.ok()) << job.status().to_string();
    EXPECT_EQ(job->sampler_pubs[0].parameter_values.shape, (Shape{3, 1}));
    EXPECT_EQ(job->sampler_pubs[1].parameter_values.shape, (Shape{1}));
    EXPECT_EQ(job->sampler_pubs[2].parameter_values.shape, (Shape{2, 1}));
    EXPECT_EQ(job->total_shots(), 3u * 10 + 4096 + 2 * 4096);
}

TEST(JobCodec, decodes_rest_estimator_observables) {
    const std::string q5 =
        quoted("OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[5] q;\nh q[0];\ncx q[0], q[1];\n");
    auto job =
        decode_estimator(R"({"pubs": [[)" + q5 + R"(, {"IIZII": 1, "XIZZZ": 2.3}, null], [)" + q5 +
                         R"(, ["ZZIII", "IIIXX"], null, 0.1]]})");
    ASSERT_TRUE(job.ok()) << job.status().to_string();
    const auto& p0 = job->estimator_pubs[0];
    EXPECT_TRUE(p0.observables_shape.empty());
    ASSERT_EQ(p0.observables.size(), 1u);
    EXPECT_EQ(p0.observables[0].terms,
              (std::vector<std::pair<std::string, double>>{{"IIZII", 1.0}, {"XIZZZ", 2.3}}));
    const auto& p1 = job->estimator_pubs[1];
    EXPECT_EQ(p1.observables_shape, Shape{2});
    EXPECT_EQ(p1.precision, 0.1);
    EXPECT_EQ(job->estimator_options.resilience_level, 1);
}

std::vector<std::pair<std::string, double>> observable_terms(const std::string& obs) {
    const std::string q = quoted("OPENQASM 3.0;\nqubit[2] q;\n");
    auto job = decode_estimator(R"({"pubs": [[)" + q + ", " + obs + "]]}");
    EXPECT_TRUE(job.ok()) << job.status().to_string();
    if (!job.ok()) return {};
    EXPECT_EQ(job->estimator_pubs[0].observables.size(), 1u);
    return job->estimator_pubs[0].observables[0].terms;
}

TEST(JobCodec, decodes_observable_forms) {
    using Terms = std::vector<std::pair<std::string, double>>;
    EXPECT_EQ(observable_terms(R"("XZ")"), (Terms{{"XZ", 1.0}}));
    // SparsePauliOp(["ZZ", "XI"], [1.0, 0.5]) as RuntimeEncoder writes it outside a PUB
    EXPECT_EQ(
        observable_terms(
            R"({"__type__": "settings", "__module__": "qiskit.quantum_info.operators.symplectic.sparse_pauli_op", "__class__": "SparsePauliOp", "__value__": {"data": {"__type__": "settings", "__module__": "qiskit.quantum_info.operators.symplectic.pauli_list", "__class__": "PauliList", "__value__": {"data": ["ZZ", "XI"]}}, "coeffs": {"__type__": "ndarray", "__value__": "eJyb7BfqGxDJyFDGUK2eklqcXKRupaBuk2xopq6joJ6WX1RSlJgXn1+UkgqScEvMKU4FihdnJBakAvkaRjqaOgq1CuQDLgYw+GDPgAIewPkA6D0dtw=="}}})"),
        (Terms{{"XI", 0.5}, {"ZZ", 1.0}}));
    EXPECT_EQ(
        observable_terms(
            R"({"__type__": "settings", "__module__": "qiskit.quantum_info.operators.symplectic.pauli", "__class__": "Pauli", "__value__": {"data": "-XZ"}})"),
        (Terms{{"XZ", -1.0}}));
    // Projectors expand: |0><0| (x) |+><+| = (I+Z)/2 (x) (I+X)/2
    EXPECT_EQ(observable_terms(R"({"0+": 2.0})"),
              (Terms{{"II", 0.5}, {"IX", 0.5}, {"ZI", 0.5}, {"ZX", 0.5}}));
    EXPECT_EQ(observable_terms(R"("1I")"), (Terms{{"II", 0.5}, {"ZI", -0.5}}));
    // A real-valued complex coefficient; an empty dict is the zero observable.
    EXPECT_EQ(observable_terms(R"({"YY": {"__type__": "complex", "__value__": [0.5, 0.0]}})"),
              (Terms{{"YY", 0.5}}));
    EXPECT_EQ(observable_terms("{}"), (Terms{{"II", 0.0}}));
    // Duplicate labels are summed (SparsePauliOp.simplify-like).
    EXPECT_EQ(observable_terms(R"({"0I": 1, "ZI": 1})"), (Terms{{"II", 0.5}, {"ZI", 1.5}}));
}

TEST(JobCodec, broadcasts_observables_against_parameters) {
    const std::string q = quoted(
        "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] t;\nqubit[1] q;\nrx(t) "
        "q[0];\n");
    auto job = decode_estimator(R"({"pubs": [[)" + q + R"(, [["Z"], ["X"], ["Y"]], [1, 2, 3, 4]]],
                                 "resilience_level": 0, "options": {"default_shots": 100}})");
    ASSERT_TRUE(job.ok()) << job.status().to_string();
    EXPECT_EQ(job->estimator_pubs[0].observables_shape, (Shape{3, 1}));
    EXPECT_EQ(job->estimator_pubs[0].parameter_values.shape, (Shape{4, 1}));
    EXPECT_EQ(job->estimator_options.resilience_level, 0);
    // 4 bindings x 3 measurement groups (Z, X, Y) x 100 shots, no twirling at level 0
    EXPECT_EQ(job->total_shots(), 4u * 3 * 100);

    auto bad = decode_estimator(R"({"pubs": [[)" + q + R"(, ["Z", "X", "Y"], [1, 2]]]})");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().message(),
              "pubs[0]: observables and parameter values: shapes (3,) and (2,) cannot be "
              "broadcast together");
}

TEST(JobCodec, total_shots_follows_the_estimators_shot_plan) {
    const std::string q = quoted("OPENQASM 3.0;\nqubit[2] q;\n");
    // Level 1: measurement twirling, 32 randomizations of max(64, ceil(4096/32)) = 128 shots;
    // ZZ and ZI share a basis, XX needs another: 2 groups.
    auto job = decode_estimator(R"({"pubs": [[)" + q + R"(, ["ZZ", "ZI", "XX", "II"]]]})");
    ASSERT_TRUE(job.ok()) << job.status().to_string();
    EXPECT_EQ(job->total_shots(), 2u * 32 * 128);
    // Level 2: ZNE at 3 noise factors; precision 0.01 -> 10000 -> 32 x 313.
    job =
        decode_estimator(R"({"pubs": [[)" + q + R"(, "ZZ", null, 0.01]], "resilience_level": 2})");
    ASSERT_TRUE(job.ok()) << job.status().to_string();
    EXPECT_EQ(job->total_shots(), 3u * 32 * 313);
}

// ---------------------------------------------------------------------------------------------
// Bad input

struct BadCase {
    Program program;
    std::string params;
    ErrorCode code;
    std::string message_part;
};

std::string npy_b64(const std::string& npy_bytes) {
    return base64_encode(zlib_compress(npy_bytes));
}

TEST(JobCodec, refuses_bad_params_with_paths) {
    const std::string bell = quoted(kBellQasm3);
    const std::string pq = quoted(kParamQasm3);
    const std::string q2 = quoted("OPENQASM 3.0;\nqubit[2] q;\n");
    const auto S = Program::kSampler;
    const auto E = Program::kEstimator;
    const auto kInvalid = ErrorCode::kInvalidArgument;
    const std::string corrupt_npy =
        R"({"__type__": "ndarray", "__value__": ")" +
        npy_b64(std::string("\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'}", 26)) + "\"}";
    const std::string nan_npy =
        ndarray_json(npy_from_doubles({2}, {std::numeric_limits<double>::quiet_NaN(), 1.0}));
    const std::string fake_zlib = R"({"__type__": "ndarray", "__value__": "AAAA"})";
    const BadCase cases[] = {
        {S, "{", kInvalid, "params: invalid JSON"},
        {S, "{\"pubs\": [" + bell + "]} x", kInvalid, "params: invalid JSON"},
        {S, std::string(200, '[') + std::string(200, ']'), kInvalid, "params: invalid JSON"},
        {S, "[]", kInvalid, "params: expected an object, got an array"},
        {S, "{}", kInvalid, "pubs: missing"},
        {S, R"({"pubs": {}})", kInvalid, "pubs: expected an array, got an object"},
        {S, R"({"pubs": []})", kInvalid, "pubs: expected at least one PUB"},
        {S, R"({"pubs": [5]})", kInvalid,
         "pubs[0]: expected a PUB [circuit, parameter_values, "
         "shots], got a number"},
        {S, R"({"pubs": [[]]})", kInvalid, "pubs[0]: a PUB has 1 to 3 elements"},
        {S, "{\"pubs\": [[" + bell + ", null, 5, 6]]}", kInvalid, "got 4"},
        {S, R"({"pubs": [[5]]})", kInvalid, "pubs[0][0]: expected a circuit"},
        {S, R"({"pubs": [[{"__type__": "QuantumCircuit", "__value__": "###"}]]})", kInvalid,
         "pubs[0][0]: runtime circuit: __value__ is not valid base64"},
        {S, R"({"pubs": [[{"__type__": "ndarray", "__value__": ""}]]})", kInvalid,
         "pubs[0][0]: runtime circuit: \"__type__\" is \"ndarray\""},
        {S, R"({"pubs": [["OPENQASM 3.0; qubit[2] q; bogus q[0];"]]})", kInvalid,
         "pubs[0][0]: OpenQASM 3: 1:"},
        {S, "{\"pubs\": [[" + bell + ", " + corrupt_npy + "]]}", kInvalid,
         "pubs[0][1]: ndarray: npy: the header must have the keys"},
        {S, "{\"pubs\": [[" + bell + ", " + fake_zlib + "]]}", kInvalid,
         "pubs[0][1]: ndarray: __value__ does not hold a valid zlib: corrupt stream"},
        {S, "{\"pubs\": [[" + bell + R"(, {"__type__": "ndarray", "__value__": "a"}]]})", kInvalid,
         "pubs[0][1]: ndarray: __value__ is not valid base64: truncated"},
        {S, "{\"pubs\": [[" + pq + ", [[1, 2, 3]]]]}", kInvalid,
         "pubs[0][1]: the last axis has 3 values per binding but 2 parameters (phi, theta)"},
        {S, "{\"pubs\": [[" + pq + ", [[1, 2], [3]]]]}", kInvalid,
         "pubs[0][1][1]: the nested lists are ragged"},
        {S, "{\"pubs\": [[" + pq + ", [[1, 2], 3]]]}", kInvalid, "pubs[0][1][1]: the nested"},
        {S, "{\"pubs\": [[" + pq + R"(, ["a", 1]]]})", kInvalid,
         "pubs[0][1][0]: expected a number, got a string"},
        {S, "{\"pubs\": [[" + pq + R"(, {"theta": 1, "foo": 2}]]})", kInvalid,
         "pubs[0][1][\"foo\"]: the circuit has no parameter named \"foo\""},
        {S, "{\"pubs\": [[" + pq + R"j(, {"theta": 1, "(theta, phi)": [1, 2]}]]})j", kInvalid,
         "parameter \"theta\" is given twice"},
        {S, "{\"pubs\": [[" + pq + R"(, {"theta": 1}]]})", kInvalid,
         "pubs[0][1]: 1 parameter values per binding for a circuit with 2 parameters"},
        {S, "{\"pubs\": [[" + pq + "]]}", kInvalid, "0 parameter values per binding"},
        {S, "{\"pubs\": [[" + pq + R"(, {"theta": [1, 2], "phi": [1, 2, 3]}]]})", kInvalid,
         "inconsistent shapes: (2,) at pubs[0][1][\"theta\"] and (3,) at pubs[0][1][\"phi\"]"},
        {S, "{\"pubs\": [[" + pq + ", " + nan_npy + "]]}", kInvalid, "non-finite"},
        {S, "{\"pubs\": [[" + pq + R"(, "theta"]]})", kInvalid, "expected an array"},
        {S, "{\"pubs\": [[" + bell + ", 0.5]]}", kInvalid,
         "the last axis has 1 values per binding but 0 parameters"},
        {S, "{\"pubs\": [[" + bell + ", null, 0]]}", kInvalid,
         "pubs[0][2]: shots must be a positive integer, got 0"},
        {S, "{\"pubs\": [[" + bell + ", null, -3]]}", kInvalid, "got -3"},
        {S, "{\"pubs\": [[" + bell + ", null, 1.5]]}", kInvalid, "positive integer"},
        {S, "{\"pubs\": [[" + bell + ", null, \"100\"]]}", kInvalid, "got a string"},
        {S, "{\"pubs\": [[" + bell + ", null, true]]}", kInvalid, "got a boolean"},
        {S, "{\"pubs\": [[" + bell + "]], \"version\": 1}", ErrorCode::kUnimplemented,
         "version: version 1"},
        {S, "{\"pubs\": [[" + bell + "]], \"version\": 3}", kInvalid, "version: expected 2"},
        {S, "{\"pubs\": [[" + bell + "]], \"support_qiskit\": \"yes\"}", kInvalid,
         "support_qiskit: expected true or false"},
        {S, "{\"pubs\": [[" + bell + "]], \"resilience_level\": 1}", kInvalid,
         "resilience_level: the sampler has no resilience levels"},
        {S, "{\"pubs\": [[" + bell + "]], \"options\": {\"bogus\": 1}}", kInvalid,
         "options.bogus: unknown option"},
        {S, "{\"pubs\": [[" + bell + "]], \"options\": {\"default_shots\": 0}}", kInvalid,
         "options.default_shots"},
        {S, "{\"pubs\": [[" + bell + "]], \"options\": 5}", kInvalid,
         "options: expected an object"},
        {E, "{\"pubs\": [[" + q2 + "]]}", kInvalid, "pubs[0]: a PUB has 2 to 4 elements"},
        {E, "{\"pubs\": [[" + q2 + ", null]]}", kInvalid,
         "pubs[0][1]: an estimator PUB needs observables"},
        {E, "{\"pubs\": [[" + q2 + ", \"ZZZ\"]]}", kInvalid,
         "pubs[0][1]: the observable label \"ZZZ\" has 3 characters but the circuit has 2 "
         "qubits"},
        {E, "{\"pubs\": [[" + q2 + ", [\"ZZ\", \"Z\"]]]}", kInvalid,
         "pubs[0][1][1]: the observable label \"Z\" has 1 characters"},
        {E, "{\"pubs\": [[" + q2 + ", {\"ZA\": 1}]]}", kInvalid, "the character 'A'"},
        {E, "{\"pubs\": [[" + q2 + ", {\"ZZ\": \"1\"}]]}", kInvalid,
         "pubs[0][1][\"ZZ\"]: expected a real coefficient, got a string"},
        {E,
         "{\"pubs\": [[" + q2 + ", {\"ZZ\": {\"__type__\": \"complex\", \"__value__\": [1, 1]}}]]}",
         kInvalid, "must be real"},
        {E, "{\"pubs\": [[" + q2 + ", [[\"ZZ\"], \"XX\"]]]}", kInvalid, "ragged"},
        {E, "{\"pubs\": [[" + q2 + ", 5]]}", kInvalid, "expected an observable"},
        {E, "{\"pubs\": [[" + q2 + ", \"ZZ\", null, 0]]}", kInvalid,
         "pubs[0][3]: precision must be a number > 0, got 0"},
        {E, "{\"pubs\": [[" + q2 + ", \"ZZ\", null, \"x\"]]}", kInvalid, "got a string"},
        {E, "{\"pubs\": [[" + q2 + ", \"ZZ\"]], \"resilience_level\": 3}", kInvalid,
         "resilience_level: expected 0, 1 or 2, got 3"},
        {E,
         "{\"pubs\": [[" + q2 +
             R"(, {"__type__": "settings", "__class__": "SparseObservable", "__value__": {}}]]})",
         ErrorCode::kUnimplemented, "SparseObservable"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.params.substr(0, 200));
        auto r = decode_job_params(c.program, c.params);
        ASSERT_FALSE(r.ok()) << c.message_part;
        EXPECT_EQ(r.status().code(), c.code) << r.status().to_string();
        EXPECT_NE(r.status().message().find(c.message_part), std::string::npos)
            << r.status().message();
    }
}

TEST(JobCodec, enforces_limits_as_resource_exhausted) {
    const std::string bell = quoted(kBellQasm3);
    const std::string q2 = quoted("OPENQASM 3.0;\nqubit[2] q;\n");
    DecodeLimits small;
    small.max_pubs = 2;
    small.max_qubits = 1;
    small.max_shots = 100;
    small.max_parameter_sets = 3;
    small.max_observables = 2;
    small.max_pauli_terms = 6;
    struct Case {
        Program program;
        std::string params;
        std::string message_part;
    };
    // A parameterless circuit with bindings shape (10^12,): no data, a huge PUB.
    NpyArray huge;
    huge.descr = "<f8";
    huge.shape = {1000000000000ull, 0};
    DecodeLimits wide = small;
    wide.max_qubits = 10;
    const Case cases[] = {
        {Program::kSampler, "{\"pubs\": [" + bell + "," + bell + "," + bell + "]}",
         "pubs: 3 PUBs; the limit is 2"},
        {Program::kSampler, "{\"pubs\": [[" + bell + ", null, 10]]}",
         "pubs[0][0]: the circuit has 2 qubits; the limit is 1"},
    };
    for (const auto& c : cases) {
        auto r = decode_job_params(c.program, c.params, small);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.status().code(), ErrorCode::kResourceExhausted) << r.status().to_string();
        EXPECT_NE(r.status().message().find(c.message_part), std::string::npos)
            << r.status().message();
    }
    const Case wide_cases[] = {
        {Program::kSampler, "{\"pubs\": [[" + bell + ", null, 101]]}",
         "pubs[0][2]: 101 shots; the limit is 100"},
        {Program::kSampler, "{\"pubs\": [[" + bell + ", null, 100], " + bell + "]}",
         "options.default_shots: 4096 shots (for pubs[1]); the limit is 100"},
        {Program::kSampler, "{\"pubs\": [" + bell + "], \"options\": {\"default_shots\": 200}}",
         "options.default_shots: 200 shots (for pubs[0]); the limit is 100"},
        {Program::kSampler, "{\"pubs\": [[" + bell + ", " + ndarray_json(huge) + ", 10]]}",
         "pubs[0][1]: 1000000000000 parameter sets"},
        {Program::kEstimator, "{\"pubs\": [[" + q2 + ", [\"ZZ\", \"XX\", \"YY\"], null, 0.5]]}",
         "pubs[0][1]: observables of shape (3,)"},
        {Program::kEstimator, "{\"pubs\": [[" + q2 + ", [\"00\", \"++\"], null, 0.5]]}",
         "more than 6 Pauli terms"},
        {Program::kEstimator, "{\"pubs\": [[" + q2 + ", \"ZZ\"]]}",
         "options.default_precision: precision 0.015625 needs 4096 shots"},
        {Program::kEstimator,
         "{\"pubs\": [[" + q2 + ", \"ZZ\", null, 0.5], [" + q2 + ", \"ZZ\", null, 0.001]]}",
         "pubs[1][3]: precision 0.001 needs 1000000 shots"},
    };
    for (const auto& c : wide_cases) {
        auto r = decode_job_params(c.program, c.params, wide);
        ASSERT_FALSE(r.ok()) << c.message_part;
        EXPECT_EQ(r.status().code(), ErrorCode::kResourceExhausted) << r.status().to_string();
        EXPECT_NE(r.status().message().find(c.message_part), std::string::npos)
            << r.status().message();
    }
    // A broadcast PUB larger than the limit: observables (2, 1) x bindings (3,) = 6 > 3.
    const std::string q1p = quoted(
        "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] t;\nqubit[1] q;\nrx(t) "
        "q[0];\n");
    auto r =
        decode_estimator("{\"pubs\": [[" + q1p + ", [[\"Z\"], [\"X\"]], [1, 2, 3], 0.5]]}", wide);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kResourceExhausted);
    EXPECT_NE(r.status().message().find("pubs[0]: PUB shape (2, 3)"), std::string::npos)
        << r.status().message();
}

TEST(JobCodec, fuzz_inputs_that_once_crashed_now_decode_or_fail_cleanly) {
    const std::filesystem::path dir = kFixtures / ".." / ".." / "fuzz" / "job_codec";
    // The seeds too: every fixture goes through decode and both encoders.
    for (const auto& e : std::filesystem::directory_iterator(kFixtures)) {
        if (e.path().string().ends_with(".params.json")) fuzz::run_one(slurp(e.path()));
    }
    if (!std::filesystem::exists(dir)) return;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (!e.is_regular_file() || e.path().extension() == ".md") continue;
        SCOPED_TRACE(e.path().string());
        fuzz::run_one(slurp(e.path()));
    }
}

TEST(JobCodec, names_programs) {
    EXPECT_EQ(*parse_program_id("sampler"), Program::kSampler);
    EXPECT_EQ(*parse_program_id("estimator"), Program::kEstimator);
    auto r = parse_program_id("executor");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("\"sampler\" and \"estimator\""), std::string::npos);
    EXPECT_EQ(to_string(Program::kEstimator), "estimator");
}

// ---------------------------------------------------------------------------------------------
// Results

PrimitiveJob bell_job(bool typed) {
    const std::string params = slurp(kFixtures / "sampler_bell.params.json");
    auto job = decode_sampler(params);
    EXPECT_TRUE(job.ok());
    job->support_qiskit = typed;
    return std::move(*job);
}

SamplerPubResult bell_result() {
    BitArray b;
    b.num_shots = 8;
    b.num_bits = 2;
    b.bytes = {0, 3, 3, 0, 3, 0, 0, 3};
    return SamplerPubResult{{{"meas", b}}, 8};
}

TEST(JobCodecResults, sampler_typed_matches_the_reference_example) {
    const std::string out = encode_sampler_results(bell_job(true), {bell_result()});
    // shared/reference/runtime-rest-protocol.md §3.4, plus field_types.
    const json::value want = json::parse(R"(
{"__type__": "PrimitiveResult", "__value__": {
  "pub_results": [
    {"__type__": "SamplerPubResult", "__value__": {
      "data": {"__type__": "DataBin", "__value__": {
        "field_names": ["meas"], "field_types": ["BitArray"], "shape": [],
        "fields": {"meas": {"__type__": "BitArray", "__value__": {
          "array": {"__type__": "ndarray", "__value__": "eJyb7BfqGxDJyFDGUK2eklqcXKRupaBeU2qorqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RoWOgqGmjoKtQpkAy4GZmYGZgYGZgBVYxvI"},
          "num_bits": 2}}}}},
      "metadata": {"circuit_metadata": {}}}}],
  "metadata": {"version": 2}}})");
    EXPECT_EQ(json::parse(out), want) << out;
}

TEST(JobCodecResults, estimator_typed_matches_the_reference_example) {
    auto job = decode_estimator(slurp(kFixtures / "estimator_spo.params.json"));
    ASSERT_TRUE(job.ok());
    EstimatorPubResult r;
    r.evs = NdArray{{}, {0.9990234375}};
    r.stds = NdArray{{}, {0.0006905339660024879}};
    r.ensemble_standard_error = r.stds;
    r.shots = 4096;
    r.target_precision = 0.015625;
    const std::string out = encode_estimator_results(*job, {r});
    const json::value v = json::parse(out);
    const auto& pub = v.at("__value__").at("pub_results").as_array()[0];
    EXPECT_EQ(pub.at("__type__"), "PubResult");
    const auto& fields = pub.at("__value__").at("data").at("__value__").at("fields");
    // §3.5's strings
    EXPECT_EQ(fields.at("evs").at("__value__"),
              "eJyb7BfqGxDJyFDGUK2eklqcXKRupaBuk2ahrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RqaOgq1"
              "ChQBLgYQ+PHeHgAsWx1l");
    EXPECT_EQ(fields.at("stds").at("__value__"),
              "eJyb7BfqGxDJyFDGUK2eklqcXKRupaBuk2ahrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RqaOgq1"
              "ChQBrrPW9WnzFrjZAwA5dh7v");
    EXPECT_EQ(pub.at("__value__").at("data").at("__value__").at("shape"), json::array());
    EXPECT_EQ(pub.at("__value__").at("metadata"),
              json::parse(R"({"target_precision": 0.015625, "shots": 4096,
                              "circuit_metadata": {}})"));
    EXPECT_EQ(v.at("__value__").at("metadata").at("version"), 2);
    EXPECT_EQ(v.at("__value__").at("metadata").at("resilience").at("measure_mitigation"), true);
    // Python-like number formatting
    EXPECT_NE(out.find("\"target_precision\": 0.015625"), std::string::npos);
    EXPECT_NE(out.find("\"version\": 2"), std::string::npos);
}

TEST(JobCodecResults, sampler_plain_is_ibms_rest_form) {
    const std::string out = encode_sampler_results(bell_job(false), {bell_result()});
    EXPECT_EQ(json::parse(out), json::parse(R"(
{"results": [{"data": {"meas": {"samples": ["0x0", "0x3", "0x3", "0x0", "0x3", "0x0", "0x0", "0x3"],
                                "num_bits": 2}},
              "metadata": {"circuit_metadata": {}}}],
 "metadata": {"version": 2}})"))
        << out;
}

TEST(JobCodecResults, plain_samples_nest_by_pub_shape_and_span_bytes) {
    PrimitiveJob job = bell_job(false);
    BitArray b;
    b.shape = {2};
    b.num_shots = 2;
    b.num_bits = 10;
    b.bytes = {0x03, 0x01, 0x00, 0x00, 0x02, 0xff, 0x00, 0x10};
    const std::string out = encode_sampler_results(job, {SamplerPubResult{{{"c", b}}, 2}});
    EXPECT_EQ(json::parse(out).at("results").as_array()[0].at("data").at("c"),
              json::parse(R"({"samples": [["0x301", "0x0"], ["0x2ff", "0x10"]], "num_bits": 10})"))
        << out;
}

TEST(JobCodecResults, estimator_plain_writes_numbers_and_nested_lists) {
    auto job = decode_estimator(slurp(kFixtures / "estimator_broadcast.params.json"));
    ASSERT_TRUE(job.ok());
    job->support_qiskit = false;
    EstimatorPubResult r;
    r.evs = NdArray{{2, 2}, {1.0, 0.5, -0.25, 0.0}};
    r.stds = NdArray{{2, 2}, {0.01, 0.02, 0.03, std::numeric_limits<double>::quiet_NaN()}};
    r.ensemble_standard_error = r.stds;
    r.shots = 10016;
    r.target_precision = 0.01;
    r.num_randomizations = 32;
    EstimatorPubResult scalar;
    scalar.evs = NdArray{{}, {1e-7}};
    scalar.stds = NdArray{{}, {0}};
    scalar.ensemble_standard_error = scalar.stds;
    const std::string out = encode_estimator_results(*job, {r, scalar});
    const json::value v = json::parse(out);
    const auto& d0 = v.at("results").as_array()[0].at("data");
    EXPECT_EQ(d0.at("evs"), json::parse("[[1.0, 0.5], [-0.25, 0.0]]"));
    EXPECT_TRUE(d0.at("stds").as_array()[1].as_array()[1].is_null());  // NaN has no JSON form
    EXPECT_EQ(v.at("results").as_array()[0].at("metadata").at("num_randomizations"), 32);
    EXPECT_NE(out.find("\"evs\": [[1.0, 0.5], [-0.25, 0.0]]"), std::string::npos) << out;
    EXPECT_NE(out.find("\"evs\": 1e-07"), std::string::npos) << out;
    EXPECT_NE(out.find("\"stds\": 0.0"), std::string::npos) << out;
}

TEST(JobCodecResults, writes_metadata_circuit_metadata_and_execution_spans) {
    PrimitiveJob job = bell_job(true);
    job.sampler_pubs[0].circuit.metadata_json = R"({"experiment": "x", "n": 3, "f": 1.0})";
    ResultMetadata meta;
    meta.qpu_seconds = 1.5;
    meta.backend = "emu_small5";
    meta.execution_start = "2026-08-21T12:00:00.000000Z";
    meta.execution_stop = "2026-08-21T12:00:01.000000Z";
    const std::string out = encode_sampler_results(job, {bell_result()}, meta);
    const json::value v = json::parse(out);
    EXPECT_EQ(v.at("__value__").at("pub_results").as_array()[0].at("__value__").at("metadata"),
              json::parse(R"({"circuit_metadata": {"experiment": "x", "n": 3, "f": 1.0}})"));
    const auto& m = v.at("__value__").at("metadata");
    EXPECT_EQ(m.at("backend"), "emu_small5");
    EXPECT_EQ(m.at("execution").at("quantum_seconds"), 1.5);
    EXPECT_EQ(m.at("execution").at("execution_spans"), json::parse(R"(
{"__type__": "ExecutionSpans", "__value__": {"spans": [
  {"__type__": "DoubleSliceSpan", "__value__": {
    "start": {"__type__": "datetime", "__value__": "2026-08-21T12:00:00.000000Z"},
    "stop": {"__type__": "datetime", "__value__": "2026-08-21T12:00:01.000000Z"},
    "data_slices": {"0": [[8], 0, 1, 0, 8]}}}]}})"));
}

TEST(JobCodecResults, client_jobs_run_and_encode_with_their_shapes) {
    // Decode what the client sent, run it on the ideal simulator, encode: the shapes line up.
    auto sj = decode_sampler(slurp(kFixtures / "sampler_params.params.json"));
    ASSERT_TRUE(sj.ok());
    auto sr = run_sampler(sj->sampler_pubs, sj->sampler_options, ExecutionContext{});
    ASSERT_TRUE(sr.ok()) << sr.status().to_string();
    const json::value s = json::parse(encode_sampler_results(*sj, *sr));
    const auto& pubs = s.at("__value__").at("pub_results").as_array();
    ASSERT_EQ(pubs.size(), 2u);
    const auto& bin0 = pubs[0].at("__value__").at("data").at("__value__");
    EXPECT_EQ(bin0.at("shape"), json::parse("[2]"));
    const std::string b64(
        bin0.at("fields").at("c").at("__value__").at("array").at("__value__").as_string());
    auto npy = npy_decode(*zlib_decompress(*base64_decode(b64), 1 << 20));
    ASSERT_TRUE(npy.ok());
    EXPECT_EQ(npy->descr, "|u1");
    EXPECT_EQ(npy->shape, (Shape{2, 100, 1}));  // default_shots 100 from the options
    EXPECT_EQ(pubs[1].at("__value__").at("data").at("__value__").at("shape"),
              json::parse("[2, 3]"));

    auto ej = decode_estimator(slurp(kFixtures / "estimator_broadcast.params.json"));
    ASSERT_TRUE(ej.ok());
    auto er = run_estimator(ej->estimator_pubs, ej->estimator_options, ExecutionContext{});
    ASSERT_TRUE(er.ok()) << er.status().to_string();
    const json::value e = json::parse(encode_estimator_results(*ej, *er));
    const auto& bin = e.at("__value__").at("pub_results").as_array()[0].at("__value__").at("data");
    EXPECT_EQ(bin.at("__value__").at("shape"), json::parse("[3, 4]"));
    // <ZZ> of ry(phi)|0> then CX is 1 for every phi (the first row of observables).
    const std::string evs(bin.at("__value__").at("fields").at("evs").at("__value__").as_string());
    auto evs_npy = npy_decode(*zlib_decompress(*base64_decode(evs), 1 << 20));
    ASSERT_TRUE(evs_npy.ok());
    EXPECT_EQ(evs_npy->shape, (Shape{3, 4}));
    const auto values = *npy_to_doubles(*evs_npy);
    for (int k = 0; k < 4; ++k) EXPECT_NEAR(values[k], 1.0, 1e-12) << k;
}

// ---------------------------------------------------------------------------------------------
// Files for check_results.py (the real client decodes them)

// Random shot rows with the unused high bits of the first byte clear.
BitArray random_bits(Shape shape, std::uint64_t shots, std::uint32_t num_bits, std::mt19937& rng) {
    BitArray b;
    b.shape = std::move(shape);
    b.num_shots = shots;
    b.num_bits = num_bits;
    const std::size_t nbytes = b.bytes_per_shot();
    std::size_t rows = shots;
    for (auto d : b.shape) rows *= d;
    b.bytes.resize(rows * nbytes);
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t k = 0; k < nbytes; ++k) {
            std::uint8_t byte = static_cast<std::uint8_t>(rng() & 0xFF);
            if (k == 0 && num_bits % 8 != 0)
                byte &= static_cast<std::uint8_t>((1u << (num_bits % 8)) - 1);
            b.bytes[r * nbytes + k] = byte;
        }
    }
    return b;
}

json::value counts_json(const std::map<std::string, std::uint64_t>& counts) {
    json::object o;
    for (const auto& [k, n] : counts) o[k] = n;
    return o;
}

json::value array_json(const NdArray& a) {
    json::object o;
    o["shape"] = json::value_from(a.shape);
    o["data"] = json::value_from(a.data);
    return o;
}

void write_file(const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

TEST(JobCodecClient, writes_results_for_the_python_client) {
    const char* dir_env = std::getenv("QRT_WRITE_RESULTS");
    if (dir_env == nullptr) GTEST_SKIP() << "set QRT_WRITE_RESULTS=<dir> (check_results.py does)";
    const std::filesystem::path dir = dir_env;
    std::filesystem::create_directories(dir);
    std::mt19937 rng(20260821);

    // Sampler: the parametrised fixture (PUB shapes (2,) and (2, 3)), registers of 2 and 10 bits.
    for (bool typed : {true, false}) {
        auto job = decode_sampler(slurp(kFixtures / "sampler_params.params.json"));
        ASSERT_TRUE(job.ok());
        job->support_qiskit = typed;
        std::vector<SamplerPubResult> results = {
            {{{"c", random_bits({2}, 100, 2, rng)}, {"wide", random_bits({2}, 100, 10, rng)}}, 100},
            {{{"meas", random_bits({2, 3}, 100, 1, rng)}}, 100},
        };
        ResultMetadata meta;
        meta.execution_start = "2026-08-21T12:00:00.000000Z";
        meta.execution_stop = "2026-08-21T12:00:02.500000Z";
        meta.backend = "emu_small5";
        json::object expect;
        expect["program"] = "sampler";
        expect["typed"] = typed;
        json::array pubs;
        for (const auto& r : results) {
            json::object fields;
            for (const auto& [name, bits] : r.data) {
                json::object f;
                f["shape"] = json::value_from(bits.shape);
                f["num_shots"] = bits.num_shots;
                f["num_bits"] = bits.num_bits;
                f["counts"] = counts_json(bits.counts());
                json::array per_element;
                std::size_t n = 1;
                for (auto d : bits.shape) n *= d;
                for (std::size_t e = 0; e < n; ++e)
                    per_element.push_back(counts_json(bits.counts(e)));
                f["counts_by_element"] = std::move(per_element);
                fields[name] = std::move(f);
            }
            pubs.push_back(std::move(fields));
        }
        expect["pubs"] = std::move(pubs);
        const std::string stem = typed ? "sampler_typed" : "sampler_plain";
        write_file(dir / (stem + ".json"), encode_sampler_results(*job, results, meta));
        write_file(dir / (stem + ".expect.json"), json::serialize(expect));
    }

    // Estimator: a 0-d PUB and a (3, 4) PUB with ZNE arrays.
    for (bool typed : {true, false}) {
        auto job = decode_estimator(slurp(kFixtures / "estimator_broadcast.params.json"));
        ASSERT_TRUE(job.ok());
        job->support_qiskit = typed;
        EstimatorPubResult a;
        a.evs = NdArray{{}, {0.9990234375}};
        a.stds = NdArray{{}, {0.0006905339660024879}};
        a.ensemble_standard_error = a.stds;
        a.shots = 4096;
        a.target_precision = 0.015625;
        EstimatorPubResult b;
        b.evs = NdArray{{3, 4}, {}};
        for (int i = 0; i < 12; ++i) b.evs.data.push_back(std::cos(0.3 * i));
        b.stds = NdArray{{3, 4}, std::vector<double>(12, 0.02)};
        b.ensemble_standard_error = b.stds;
        b.evs_noise_factors = NdArray{{3, 4, 3}, {}};
        for (int i = 0; i < 36; ++i) b.evs_noise_factors.data.push_back(1.0 / (1 + i));
        b.stds_noise_factors = NdArray{{3, 4, 3}, std::vector<double>(36, 0.05)};
        b.noise_factors = {1, 3, 5};
        b.shots = 10016;
        b.target_precision = 0.01;
        b.num_randomizations = 32;
        json::object expect;
        expect["program"] = "estimator";
        expect["typed"] = typed;
        json::array pubs;
        for (const auto* r : {&a, &b}) {
            json::object f;
            f["evs"] = array_json(r->evs);
            f["stds"] = array_json(r->stds);
            f["ensemble_standard_error"] = array_json(r->ensemble_standard_error);
            if (!r->evs_noise_factors.data.empty()) {
                f["evs_noise_factors"] = array_json(r->evs_noise_factors);
                f["stds_noise_factors"] = array_json(r->stds_noise_factors);
            }
            json::object p;
            p["fields"] = std::move(f);
            p["shots"] = r->shots;
            p["target_precision"] = r->target_precision;
            pubs.push_back(std::move(p));
        }
        expect["pubs"] = std::move(pubs);
        const std::string stem = typed ? "estimator_typed" : "estimator_plain";
        write_file(dir / (stem + ".json"), encode_estimator_results(*job, {a, b}));
        write_file(dir / (stem + ".expect.json"), json::serialize(expect));
    }
}

}  // namespace
}  // namespace qrt::primitives
