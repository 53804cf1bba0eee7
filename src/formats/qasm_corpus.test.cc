// The OpenQASM readers against the fixture corpus written by real Qiskit (tests/corpus): every
// .qasm (qiskit.qasm3.dumps) and .qasm2 (qiskit.qasm2.dumps) parses, has Qiskit's parameters in
// Qiskit's order, and after binding gives Qiskit's unitary (or statevector) over the case's
// reduced qubits. Qiskit's exporters drop the global phase (and round angles within 1e-9 of a
// multiple of pi to it), so the comparison is up to a global phase with a 1e-8 tolerance.
// Also: QASM3 -> IR -> QASM3 -> IR is the identity on every fixture, and a few thousand
// deterministic mutations of the fixtures never crash a reader.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <complex>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "formats/qasm2_reader.h"
#include "formats/qasm3_reader.h"
#include "formats/qasm3_writer.h"
#include "formats/qasm_testing.h"

namespace qrt::formats {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using circuit::Circuit;
using circuit::GateKind;
using circuit::Instruction;

const fs::path kCorpus = QRT_CORPUS_DIR;

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::optional<json::value> manifest() {
    const fs::path p = kCorpus / "manifest.json";
    if (!fs::exists(p)) return std::nullopt;
    return json::parse(slurp(p));
}

std::vector<std::complex<double>> load_data(const fs::path& p) {
    const json::value v = json::parse(slurp(p));
    std::vector<std::complex<double>> out;
    for (const auto& e : v.at("data").as_array()) {
        out.emplace_back(json::value_to<double>(e.at(0)), json::value_to<double>(e.at(1)));
    }
    return out;
}

// The circuit on `reduced` qubits only: measurements, delays and barriers dropped (the corpus
// matrices are of the circuit with final measurements removed); resets before any other
// operation on their qubit dropped (they act trivially on |0>, statevector cases only).
Result<Circuit> reduce(const Circuit& c, const std::vector<std::uint32_t>& reduced) {
    std::vector<int> pos(c.num_qubits(), -1);
    for (std::size_t i = 0; i < reduced.size(); ++i) {
        if (reduced[i] < pos.size()) pos[reduced[i]] = static_cast<int>(i);
    }
    Circuit r(static_cast<std::uint32_t>(reduced.size()), 0);
    r.global_phase = c.global_phase;
    std::vector<bool> touched(c.num_qubits(), false);
    for (const Instruction& in : c.instructions) {
        if (in.kind == GateKind::kMeasure || in.kind == GateKind::kDelay || in.kind == GateKind::kBarrier) {
            continue;
        }
        if (in.kind == GateKind::kReset && !touched[in.qubits[0]]) continue;
        Instruction out = in;
        for (auto& q : out.qubits) {
            touched[q] = true;
            if (pos[q] < 0) return invalid_argument("instruction on qubit " + std::to_string(q) + " outside the reduced set");
            q = static_cast<std::uint32_t>(pos[q]);
        }
        r.append(std::move(out));
    }
    return r;
}

// max |a - e^{iφ} b| over the best φ (taken from the largest entry of b).
double distance_up_to_phase(const std::vector<std::complex<double>>& a,
                            const std::vector<std::complex<double>>& b) {
    if (a.size() != b.size()) return 1e9;
    std::size_t k = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (std::abs(b[i]) > std::abs(b[k])) k = i;
    }
    std::complex<double> phase = a[k] / b[k];
    phase /= std::abs(phase);
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - phase * b[i]));
    return worst;
}

struct Tally {
    int parsed = 0;
    int compared = 0;
};

void check_case(const json::object& cs, const std::string& file, bool qasm2, Tally& tally) {
    SCOPED_TRACE(file);
    const std::string text = slurp(kCorpus / file);
    auto c = qasm2 ? parse_qasm2(text) : parse_qasm3(text);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    ++tally.parsed;
    EXPECT_TRUE(c->validate().ok()) << c->validate().to_string();

    // Round trip: QASM3 -> IR -> QASM3 -> IR is the identity.
    const std::string written = write_qasm3(*c);
    auto back = parse_qasm3(written);
    ASSERT_TRUE(back.ok()) << back.status().to_string() << "\n" << written;
    EXPECT_EQ(testing::ir_difference(*c, *back), "") << written;
    EXPECT_EQ(write_qasm3(*back), written);

    std::vector<std::string> want_params;
    for (const auto& p : cs.at("parameters").as_array()) want_params.emplace_back(p.as_string());
    std::vector<std::string> got_params;
    for (const auto& s : c->parameters()) got_params.push_back(s.name);
    EXPECT_EQ(got_params, want_params);
    if (got_params != want_params) return;

    if (cs.at("dynamic").as_bool()) return;  // no matrix for mid-circuit measurement
    const bool has_unitary = cs.contains("unitary");
    const bool has_sv = cs.contains("statevector");
    if (!has_unitary && !has_sv) return;

    std::vector<double> bind;
    for (const auto& v : cs.at("bind").as_array()) bind.push_back(json::value_to<double>(v));
    auto bound = c->bind(bind);
    ASSERT_TRUE(bound.ok()) << bound.status().to_string();
    std::vector<std::uint32_t> reduced;
    for (const auto& q : cs.at("reduced_qubits").as_array()) reduced.push_back(json::value_to<std::uint32_t>(q));
    if (reduced.size() > 10) return;
    auto r = reduce(*bound, reduced);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    auto u = circuit::circuit_unitary(*r);
    ASSERT_TRUE(u.ok()) << u.status().to_string();
    std::vector<std::complex<double>> ours;
    std::vector<std::complex<double>> theirs;
    if (has_unitary) {
        ours = u->data;
        theirs = load_data(kCorpus / std::string(cs.at("unitary").as_string()));
    } else {
        for (int row = 0; row < u->dim; ++row) ours.push_back((*u)(row, 0));
        theirs = load_data(kCorpus / std::string(cs.at("statevector").as_string()));
    }
    EXPECT_LT(distance_up_to_phase(ours, theirs), 1e-8);
    ++tally.compared;
}

TEST(QasmCorpus, every_fixture_parses_round_trips_and_matches_qiskit) {
    auto m = manifest();
    if (!m) GTEST_SKIP() << "no tests/corpus/manifest.json";
    Tally t3;
    Tally t2;
    for (const auto& v : m->at("cases").as_array()) {
        const json::object& cs = v.as_object();
        if (cs.contains("qasm3")) check_case(cs, std::string(cs.at("qasm3").as_string()), false, t3);
        if (cs.contains("qasm2")) check_case(cs, std::string(cs.at("qasm2").as_string()), true, t2);
    }
    std::cout << "[ corpus ] qasm3: " << t3.parsed << " parsed, " << t3.compared
              << " compared with Qiskit; qasm2: " << t2.parsed << " parsed, " << t2.compared
              << " compared\n";
    EXPECT_GT(t3.compared, 50);
    EXPECT_GT(t2.compared, 30);
}

TEST(QasmCorpus, programs_qiskit_exports_but_its_reference_parser_refuses_are_refused) {
    auto m = manifest();
    if (!m) GTEST_SKIP() << "no tests/corpus/manifest.json";
    for (const auto& v : m->at("cases").as_array()) {
        const json::object& cs = v.as_object();
        if (!cs.contains("qasm3_invalid")) continue;
        const std::string file(cs.at("qasm3_invalid").as_string());
        auto c = parse_qasm3(slurp(kCorpus / file));
        EXPECT_FALSE(c.ok()) << file;
        if (!c.ok()) {
            EXPECT_NE(c.status().message().find(':'), std::string::npos);
        }
    }
}

// Deterministic mutations of the corpus programs: no crash, no sanitizer report, and every
// error names a line and column.
TEST(QasmCorpus, mutated_fixtures_never_crash_the_readers) {
    std::vector<std::pair<std::string, bool>> seeds;
    if (fs::exists(kCorpus)) {
        for (const auto& e : fs::directory_iterator(kCorpus)) {
            const auto ext = e.path().extension();
            if (ext == ".qasm" || ext == ".qasm2") seeds.emplace_back(slurp(e.path()), ext == ".qasm2");
        }
    }
    seeds.emplace_back("OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nbit[2] c;\n"
                       "gate g(t) x, y { rz(t) x; cx x, y; }\nrz(pi/2 + a) $0;\ng(a) $0, $1;\n"
                       "c[0] = measure $0;\nif (c[0]) { x $1; } else { delay[10dt] $1; }\n",
                       false);
    std::sort(seeds.begin(), seeds.end());
    if (seeds.size() > 60) seeds.resize(60);
    const std::uint32_t seed = 1234567;
    std::mt19937 rng(seed);
    SCOPED_TRACE("seed " + std::to_string(seed));
    static const char* const kTokens[] = {
        ";", "(", ")", "{", "}", "[", "]", ",", "->", "=", "==", "@", "$", "$99999999", "pi", "-",
        "**", "/", "0", "1e308", "1e-400", "q", "c", "if", "else", "gate", "measure", "ctrl @",
        "inv @", "pow(2) @", "\xCE\xB8", "\xFF", "/*", "//", "\"", "100dt", "qubit[3] z;", "bit b;",
        "input float[64] _v_1_;", "gphase(1);", "barrier;", "reset", "delay[5ns]", "1_0", ".", "U",
    };
    int ok = 0;
    int errors = 0;
    for (int i = 0; i < 3000; ++i) {
        const auto& [base, qasm2] = seeds[rng() % seeds.size()];
        std::string s = base;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits && !s.empty(); ++e) {
            const std::size_t at = rng() % s.size();
            switch (rng() % 4) {
                case 0: s.erase(at, 1 + rng() % 8); break;
                case 1: s.insert(at, kTokens[rng() % std::size(kTokens)]); break;
                case 2: s[at] = static_cast<char>(rng() % 256); break;
                default: {  // duplicate a slice
                    const std::size_t from = rng() % s.size();
                    s.insert(at, s.substr(from, rng() % 40));
                }
            }
        }
        auto r = qasm2 ? parse_qasm2(s) : parse_qasm3(s);
        if (r.ok()) {
            ++ok;
            auto again = parse_qasm3(write_qasm3(*r));
            EXPECT_TRUE(again.ok()) << again.status().to_string() << "\ninput:\n" << s;
        } else {
            ++errors;
            const std::string msg = r.status().message();
            EXPECT_TRUE(!msg.empty() && msg[0] >= '1' && msg[0] <= '9' && msg.find(':') != std::string::npos)
                << msg;
        }
    }
    EXPECT_GT(ok, 0);
    EXPECT_GT(errors, 0);
}

// Inputs that once crashed a fuzz target (tests/fuzz/qasm3, tests/fuzz/qasm2; scripts/fuzz puts
// them there) must keep giving a result or a clear error.
TEST(QasmCorpus, replays_fuzz_regressions) {
    const fs::path root = kCorpus.parent_path() / "fuzz";
    int replayed = 0;
    for (const char* target : {"qasm3", "qasm2"}) {
        const fs::path dir = root / target;
        if (!fs::exists(dir)) continue;
        for (const auto& e : fs::directory_iterator(dir)) {
            const std::string text = slurp(e.path());
            auto r = std::string(target) == "qasm2" ? parse_qasm2(text) : parse_qasm3(text);
            if (r.ok()) {
                EXPECT_TRUE(parse_qasm3(write_qasm3(*r)).ok()) << e.path();
            }
            ++replayed;
        }
    }
    if (replayed == 0) GTEST_SKIP() << "no fuzz regressions recorded";
}

}  // namespace
}  // namespace qrt::formats
