// The Qiskit-generated corpus (tests/corpus/manifest.json, docs/formats/corpus.md): every circuit
// at every QPY version decodes, has Qiskit's qubit/clbit counts and parameter order, and (after
// binding) Qiskit's unitary or statevector, global phase included.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <complex>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "formats/qpy_reader.h"
#include "formats/runtime_json.h"

namespace qrt::formats {
namespace {

using circuit::Circuit;
using circuit::GateKind;
using circuit::Instruction;

const std::filesystem::path kCorpus = QRT_CORPUS_DIR;

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Cases this reader refuses on purpose, with the reason it must give. MCXVChain's unitary depends
// on its ancilla qubits through Qiskit's synthesis, which we do not reproduce.
const std::map<std::string, std::string, std::less<>> kRefused = {
    {"mcx_mcxvchain", "only MCX without ancilla qubits"},
};

// True (and checked) when the case is one the reader must refuse.
bool refused_as_expected(const std::string& name, const Status& status) {
    auto it = kRefused.find(name);
    if (it == kRefused.end()) return false;
    EXPECT_EQ(status.code(), ErrorCode::kUnimplemented) << name << ": " << status.to_string();
    EXPECT_NE(status.message().find(it->second), std::string::npos) << status.message();
    return true;
}

bool have_corpus() { return std::filesystem::exists(kCorpus / "manifest.json"); }

boost::json::array cases() {
    return boost::json::parse(slurp(kCorpus / "manifest.json")).at("cases").as_array();
}

// The circuit restricted to `reduced` qubits (renumbered 0..k-1), without final measurements,
// barriers and delays, and (for statevectors) without resets that act on |0>. Fails on anything
// else that touches a dropped qubit.
Result<Circuit> reduce(const Circuit& c, const std::vector<std::uint32_t>& reduced,
                       bool drop_initial_resets) {
    std::map<std::uint32_t, std::uint32_t> to;
    for (std::size_t i = 0; i < reduced.size(); ++i) to[reduced[i]] = static_cast<std::uint32_t>(i);
    Circuit out(static_cast<std::uint32_t>(reduced.size()), 0);
    out.global_phase = c.global_phase;
    std::vector<bool> touched(c.num_qubits(), false);
    std::vector<bool> measured(c.num_qubits(), false);
    for (const Instruction& inst : c.instructions) {
        if (inst.kind == GateKind::kBarrier || inst.kind == GateKind::kDelay) continue;
        if (inst.kind == GateKind::kMeasure) {
            measured[inst.qubits[0]] = true;
            continue;
        }
        if (inst.kind == GateKind::kReset && drop_initial_resets && !touched[inst.qubits[0]])
            continue;
        Instruction copy = inst;
        for (auto& q : copy.qubits) {
            if (measured[q]) return invalid_argument("operation after a measurement");
            touched[q] = true;
            auto it = to.find(q);
            if (it == to.end())
                return invalid_argument("operation on a qubit outside reduced_qubits");
            q = it->second;
        }
        out.instructions.push_back(std::move(copy));
    }
    return out;
}

std::vector<std::complex<double>> read_matrix(const std::filesystem::path& p, std::size_t& dim) {
    const auto v = boost::json::parse(slurp(p));
    dim = static_cast<std::size_t>(v.at("dim").to_number<std::int64_t>());
    std::vector<std::complex<double>> out;
    for (const auto& e : v.at("data").as_array()) {
        out.emplace_back(e.as_array()[0].to_number<double>(), e.as_array()[1].to_number<double>());
    }
    return out;
}

void check_case(const boost::json::object& k, const Circuit& c, const std::string& what) {
    EXPECT_EQ(c.num_qubits(), k.at("num_qubits").to_number<std::uint32_t>()) << what;
    EXPECT_EQ(c.num_clbits(), k.at("num_clbits").to_number<std::uint32_t>()) << what;
    EXPECT_TRUE(c.validate().ok()) << what << ": " << c.validate().to_string();

    std::vector<std::string> want_params;
    for (const auto& p : k.at("parameters").as_array()) want_params.emplace_back(p.as_string());
    std::vector<std::string> got_params;
    for (const auto& s : c.parameters()) got_params.push_back(s.name);
    EXPECT_EQ(got_params, want_params) << what;

    const bool has_unitary = k.contains("unitary");
    const bool has_sv = k.contains("statevector");
    if (!has_unitary && !has_sv) return;

    std::vector<double> bind;
    for (const auto& b : k.at("bind").as_array()) bind.push_back(b.to_number<double>());
    auto bound = c.bind(bind);
    ASSERT_TRUE(bound.ok()) << what << ": " << bound.status().to_string();
    std::vector<std::uint32_t> reduced;
    for (const auto& q : k.at("reduced_qubits").as_array())
        reduced.push_back(q.to_number<std::uint32_t>());
    auto small = reduce(*bound, reduced, has_sv);
    ASSERT_TRUE(small.ok()) << what << ": " << small.status().to_string();
    auto u = circuit::circuit_unitary(*small);
    ASSERT_TRUE(u.ok()) << what << ": " << u.status().to_string();
    std::size_t dim = 0;
    const auto want = read_matrix(
        kCorpus / std::string(k.at(has_unitary ? "unitary" : "statevector").as_string()), dim);
    ASSERT_EQ(static_cast<std::size_t>(u->dim), dim) << what;
    double worst = 0;
    if (has_unitary) {
        ASSERT_EQ(want.size(), dim * dim) << what;
        for (std::size_t i = 0; i < want.size(); ++i)
            worst = std::max(worst, std::abs(want[i] - u->data[i]));
    } else {
        ASSERT_EQ(want.size(), dim) << what;
        for (std::size_t r = 0; r < dim; ++r)
            worst = std::max(worst, std::abs(want[r] - u->data[r * dim]));
    }
    EXPECT_LT(worst, 1e-9) << what << ": max |difference| from Qiskit's "
                           << (has_unitary ? "unitary" : "statevector");
}

TEST(QpyCorpus, every_case_decodes_and_matches_qiskit_at_every_version) {
    if (!have_corpus()) GTEST_SKIP() << "no corpus at " << kCorpus;
    int decoded = 0;
    for (const auto& kv : cases()) {
        const auto& k = kv.as_object();
        const std::string name(k.at("name").as_string());
        for (const auto& [version, file] : k.at("qpy").as_object()) {
            const std::string what = name + " v" + std::string(version);
            auto c = read_qpy_circuit(slurp(kCorpus / std::string(file.as_string())));
            if (refused_as_expected(name, c.status())) continue;
            ASSERT_TRUE(c.ok()) << what << ": " << c.status().to_string();
            check_case(k, *c, what);
            ++decoded;
        }
    }
    EXPECT_GT(decoded, 0);
}

TEST(QpyCorpus, every_runtime_value_decodes_like_its_qpy) {
    if (!have_corpus()) GTEST_SKIP() << "no corpus at " << kCorpus;
    for (const auto& kv : cases()) {
        const auto& k = kv.as_object();
        if (!k.contains("runtime_value")) continue;
        const std::string name(k.at("name").as_string());
        auto c =
            decode_runtime_circuit(slurp(kCorpus / std::string(k.at("runtime_value").as_string())));
        if (refused_as_expected(name, c.status())) continue;
        ASSERT_TRUE(c.ok()) << name << ": " << c.status().to_string();
        check_case(k, *c, name + " runtime");
    }
}

TEST(QpyCorpus, dynamic_cases_keep_their_if_else_structure) {
    if (!have_corpus()) GTEST_SKIP() << "no corpus at " << kCorpus;
    for (const auto& kv : cases()) {
        const auto& k = kv.as_object();
        if (!k.contains("dynamic") || !k.at("dynamic").as_bool()) continue;
        const std::string name(k.at("name").as_string());
        for (const auto& [version, file] : k.at("qpy").as_object()) {
            auto c = read_qpy_circuit(slurp(kCorpus / std::string(file.as_string())));
            ASSERT_TRUE(c.ok()) << name << ": " << c.status().to_string();
            const bool has_if =
                std::any_of(c->instructions.begin(), c->instructions.end(),
                            [](const Instruction& i) { return i.kind == GateKind::kIfElse; });
            const bool has_mid_measure_or_reset =
                std::any_of(c->instructions.begin(), c->instructions.end(),
                            [](const Instruction& i) { return i.kind == GateKind::kReset; });
            EXPECT_TRUE(has_if || has_mid_measure_or_reset) << name << " v" << std::string(version);
            for (const Instruction& i : c->instructions) {
                if (i.kind != GateKind::kIfElse) continue;
                EXPECT_TRUE(i.condition.has_value()) << name;
                EXPECT_TRUE(i.then_body != nullptr) << name;
            }
        }
    }
}

}  // namespace
}  // namespace qrt::formats
