// ISA validation over the fixture corpus (tests/corpus): circuits Qiskit transpiled onto a fake
// backend validate against our Target of that backend; untranspiled circuits that use gates the
// backend lacks are refused with the client's wording. Lives in formats because it decodes QPY.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "circuit/isa.h"
#include "circuit/target.h"
#include "formats/qpy_reader.h"

namespace qrt::formats {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using circuit::Circuit;
using circuit::Target;

const fs::path kCorpus = QRT_CORPUS_DIR;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Corpus {
    std::vector<json::object> cases;
    std::map<std::string, Target> targets;  // by backend file name ("fake_brisbane")
};

const Corpus& corpus() {
    static const Corpus c = [] {
        Corpus out;
        if (!fs::exists(kCorpus / "manifest.json")) return out;
        json::value m = json::parse(slurp(kCorpus / "manifest.json"));
        for (const json::value& v : m.at("cases").as_array()) out.cases.push_back(v.as_object());
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(kCorpus / "backends", ec)) {
            std::string f = e.path().filename().string();
            const std::string suffix = ".configuration.json";
            if (!f.ends_with(suffix)) continue;
            std::string name = f.substr(0, f.size() - suffix.size());
            fs::path props = kCorpus / "backends" / (name + ".properties.json");
            auto t = circuit::target_from_backend_json(
                slurp(e.path()), fs::exists(props) ? slurp(props) : std::string());
            EXPECT_TRUE(t.ok()) << name << ": " << t.status().to_string();
            if (t.ok()) out.targets.emplace(name, std::move(*t));
        }
        return out;
    }();
    return c;
}

// The circuit of a case, decoded from its QPY v17 file (what current clients send), or the
// newest one when there is no v17.
Result<Circuit> load(const json::object& c) {
    const json::object& qpy = c.at("qpy").as_object();
    int best = -1;
    std::string file;
    for (const auto& kv : qpy) {
        int v = std::stoi(std::string(kv.key()));
        if (best != 17 && (v == 17 || v > best)) {
            best = v;
            file = std::string(kv.value().as_string());
        }
    }
    return read_qpy_circuit(slurp(kCorpus / file));
}

bool transpiled(const json::object& c) {
    const json::value* t = c.if_contains("transpiled");
    return t != nullptr && t->is_bool() && t->get_bool();
}

void collect_names(const Circuit& c, std::set<std::string>& out) {
    for (const circuit::Instruction& inst : c.instructions) {
        out.insert(inst.kind == circuit::GateKind::kCustom && inst.custom
                       ? inst.custom->name
                       : std::string(circuit::gate_info(inst.kind).name));
        if (inst.then_body) collect_names(*inst.then_body, out);
        if (inst.else_body) collect_names(*inst.else_body, out);
    }
}

TEST(IsaCorpus, transpiled_circuits_validate_against_their_backend) {
    const Corpus& k = corpus();
    int checked = 0;
    for (const json::object& c : k.cases) {
        if (!transpiled(c)) continue;
        std::string name(c.at("name").as_string());
        std::string backend(c.at("target").as_string());
        SCOPED_TRACE(name);
        auto t = k.targets.find(backend);
        ASSERT_NE(t, k.targets.end()) << "no backend " << backend;
        auto circ = load(c);
        if (!circ.ok()) {
            // Decoding is the QPY reader's tests' business; say so and go on.
            std::cout << "[ note     ] " << name << " not decoded: " << circ.status().to_string()
                      << "\n";
            continue;
        }
        Status s = circuit::validate_isa(*circ, t->second);
        EXPECT_TRUE(s.ok()) << s.message();
        ++checked;
    }
    if (checked == 0) GTEST_SKIP() << "no transpiled cases in " << kCorpus;
}

TEST(IsaCorpus, untranspiled_circuits_with_foreign_gates_fail_on_a_127_qubit_ecr_backend) {
    const Corpus& k = corpus();
    const Target* eagle = nullptr;
    for (const auto& [name, t] : k.targets) {
        if (t.num_qubits == 127 && t.find("ecr") != nullptr) eagle = &t;
    }
    if (eagle == nullptr) GTEST_SKIP() << "no 127-qubit ECR backend in " << kCorpus;
    const std::set<std::string> native = {"ecr",     "id",    "rz",    "sx",      "x",
                                          "measure", "reset", "delay", "barrier", "if_else"};
    int checked = 0;
    for (const json::object& c : k.cases) {
        if (transpiled(c)) continue;
        std::string name(c.at("name").as_string());
        SCOPED_TRACE(name);
        auto circ = load(c);
        if (!circ.ok()) continue;  // the QPY reader's tests report decoding failures
        std::set<std::string> used;
        collect_names(*circ, used);
        bool foreign = false;
        for (const auto& n : used) foreign = foreign || !native.count(n);
        Status s = circuit::validate_isa(*circ, *eagle);
        if (!foreign) continue;  // native gates only: may pass or fail on direction
        ++checked;
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
        EXPECT_TRUE(s.message().starts_with("The instruction ")) << s.message();
        EXPECT_TRUE(s.message().ends_with(circuit::kIsaAdvice)) << s.message();
    }
    EXPECT_GT(checked, 10);
}

TEST(IsaCorpus, an_h_gate_is_named_in_the_refusal) {
    const Corpus& k = corpus();
    auto t = k.targets.find("fake_brisbane");
    if (t == k.targets.end()) GTEST_SKIP() << "no fake_brisbane in " << kCorpus;
    for (const json::object& c : k.cases) {
        if (c.at("name").as_string() != "gate_h") continue;
        auto circ = load(c);
        ASSERT_TRUE(circ.ok()) << circ.status().to_string();
        EXPECT_EQ(circuit::validate_isa(*circ, t->second).message(),
                  std::string("The instruction h on qubits (0,) is not supported by the target "
                              "system.") +
                      std::string(circuit::kIsaAdvice));
        return;
    }
    GTEST_SKIP() << "no gate_h case";
}

}  // namespace
}  // namespace qrt::formats
