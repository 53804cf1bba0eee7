#include "circuit/target.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace qrt::circuit {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

using Edges = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

Target line5_ecr() {
    auto t = make_target("line5", 5, {"id", "rz", "sx", "x"}, "ecr",
                         {{0, 1}, {2, 1}, {2, 3}, {4, 3}}, /*symmetric=*/false, /*dynamic=*/true);
    EXPECT_TRUE(t.ok()) << t.status().to_string();
    return *t;
}

// A heavy-hex fragment: a 12-qubit ring (0..11) and qubit 12 bridging 4 and 8, as on Heron
// devices; native cz (both directions) and fractional rx.
Target heavy_hex_fragment() {
    Edges edges;
    for (std::uint32_t i = 0; i < 11; ++i) edges.emplace_back(i, i + 1);
    edges.emplace_back(11, 0);
    edges.emplace_back(4, 12);
    edges.emplace_back(12, 8);
    auto t = make_target("hex13", 13, {"id", "rz", "sx", "x", "rx"}, "cz", edges,
                         /*symmetric=*/true, /*dynamic=*/false);
    EXPECT_TRUE(t.ok()) << t.status().to_string();
    return *t;
}

// The first difference between two targets, for failure messages ("" when equal).
std::string difference(const Target& a, const Target& b) {
#define QRT_CMP(f) \
    if (!(a.f == b.f)) return #f;
    QRT_CMP(backend_name)
    QRT_CMP(backend_version)
    QRT_CMP(num_qubits) QRT_CMP(dt) QRT_CMP(coupling_map) QRT_CMP(basis_gates)
        QRT_CMP(supported_instructions) QRT_CMP(processor_type) QRT_CMP(timing_constraints)
            QRT_CMP(max_shots) QRT_CMP(max_experiments) QRT_CMP(simulator) QRT_CMP(local)
                QRT_CMP(conditional) QRT_CMP(open_pulse) QRT_CMP(memory) QRT_CMP(online_date)
                    QRT_CMP(description) QRT_CMP(supported_features) QRT_CMP(rep_delay_range)
                        QRT_CMP(default_rep_delay) QRT_CMP(meas_levels) QRT_CMP(meas_map)
                            QRT_CMP(last_update_date)
#undef QRT_CMP
                                if (a.qubits.size() != b.qubits.size()) return "qubits.size()";
    for (std::size_t q = 0; q < a.qubits.size(); ++q) {
        if (!(a.qubits[q] == b.qubits[q])) {
            const QubitProperties &x = a.qubits[q], &y = b.qubits[q];
            auto v = [](std::optional<double> d) { return d ? fmt::format("{}", *d) : "-"; };
            return fmt::format(
                "qubits[{}]: t1 {} {} t2 {} {} f {} {} anh {} {} ro {} {} p01 {} {} "
                "p10 {} {} len {} {} op {} {}",
                q, v(x.t1), v(y.t1), v(x.t2), v(y.t2), v(x.frequency), v(y.frequency),
                v(x.anharmonicity), v(y.anharmonicity), v(x.readout_error), v(y.readout_error),
                v(x.prob_meas0_prep1), v(y.prob_meas0_prep1), v(x.prob_meas1_prep0),
                v(y.prob_meas1_prep0), v(x.readout_length), v(y.readout_length), x.operational,
                y.operational);
        }
    }
    for (const auto& [name, ti] : a.instructions) {
        const TargetInstruction* o = b.find(name);
        if (o == nullptr) return "instructions[" + name + "] missing on the right";
        if (!(ti == *o)) {
            std::string d = "instructions[" + name + "]";
            if (ti.global != o->global) return d + ".global";
            if (ti.parameters != o->parameters) return d + ".parameters";
            for (const auto& [q, p] : ti.qargs) {
                auto it = o->qargs.find(q);
                if (it == o->qargs.end()) return d + ".qargs missing a tuple";
                if (!(it->second == p)) {
                    return d + fmt::format(".qargs: {} vs {} / {} vs {}", p.error.value_or(-1),
                                           it->second.error.value_or(-1), p.duration.value_or(-1),
                                           it->second.duration.value_or(-1));
                }
            }
            return d;
        }
    }
    if (a.instructions.size() != b.instructions.size()) return "instructions missing on the left";
    return "";
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The reference's minimal configuration (runtime-rest-protocol.md §2.3).
constexpr std::string_view kBell2Configuration = R"({"backend_name":"local_bell2",
 "backend_version":"1.0.0","n_qubits":2,
 "basis_gates":["cz","id","rz","sx","x"],
 "gates":[{"name":"cz","parameters":[],"qasm_def":"","coupling_map":[[0,1],[1,0]]},
          {"name":"id","parameters":[],"qasm_def":"","coupling_map":[[0],[1]]},
          {"name":"rz","parameters":["theta"],"qasm_def":"","coupling_map":[[0],[1]]},
          {"name":"sx","parameters":[],"qasm_def":"","coupling_map":[[0],[1]]},
          {"name":"x","parameters":[],"qasm_def":"","coupling_map":[[0],[1]]}],
 "supported_instructions":["cz","id","rz","sx","x","measure","reset","delay"],
 "local":false,"simulator":false,"conditional":false,"open_pulse":false,"memory":true,
 "coupling_map":[[0,1],[1,0]],"online_date":"2024-01-01T00:00:00Z","max_shots":100000,
 "meas_levels":[1,2],"dt":0.5,"processor_type":{"family":"Local","revision":"1"},
 "supported_features":["qasm3"]})";

constexpr std::string_view kBell2Properties = R"({"backend_name":"local_bell2",
 "backend_version":"1.0.0","last_update_date":"2026-01-01T00:00:00Z","general":[],
 "qubits":[
  [{"date":"d","name":"T1","unit":"us","value":200},
   {"date":"d","name":"T2","unit":"us","value":150.5},
   {"date":"d","name":"frequency","unit":"GHz","value":4.75},
   {"date":"d","name":"readout_error","unit":"","value":0.02},
   {"date":"d","name":"prob_meas0_prep1","unit":"","value":0.03},
   {"date":"d","name":"prob_meas1_prep0","unit":"","value":0.01},
   {"date":"d","name":"readout_length","unit":"ns","value":1300}],
  [{"date":"d","name":"T1","unit":"us","value":100},
   {"date":"d","name":"readout_error","unit":"","value":0.05},
   {"date":"d","name":"readout_length","unit":"ns","value":1300}]],
 "gates":[
  {"qubits":[0,1],"gate":"cz","name":"cz0_1","parameters":[
    {"date":"d","name":"gate_error","unit":"","value":0.004},
    {"date":"d","name":"gate_length","unit":"ns","value":68}]},
  {"qubits":[0],"gate":"sx","parameters":[
    {"date":"d","name":"gate_error","unit":"","value":0.0002},
    {"date":"d","name":"gate_length","unit":"ns","value":32}]},
  {"qubits":[0],"gate":"reset","parameters":[
    {"date":"d","name":"gate_length","unit":"ns","value":1200}]},
  {"qubits":[0,1],"gate":"rzz","parameters":[
    {"date":"d","name":"gate_error","unit":"","value":0.01}]}
 ]})";

TEST(Target, line_supports_ecr_only_on_its_directed_edges) {
    Target t = line5_ecr();
    EXPECT_TRUE(t.instruction_supported("ecr", {0, 1}));
    EXPECT_FALSE(t.instruction_supported("ecr", {1, 0}));
    EXPECT_TRUE(t.instruction_supported("ecr", {2, 1}));
    EXPECT_FALSE(t.instruction_supported("ecr", {0, 2}));
    EXPECT_TRUE(t.has_edge(4, 3));
    EXPECT_FALSE(t.has_edge(3, 4));
    EXPECT_TRUE(t.instruction_supported("rz", {4}));
    EXPECT_FALSE(t.instruction_supported("rz", {5}));
    EXPECT_FALSE(t.instruction_supported("h", {0}));
    EXPECT_TRUE(t.instruction_supported("measure", {3}));
    EXPECT_TRUE(t.instruction_supported("if_else", {0, 3, 4}));
}

TEST(Target, make_target_derives_the_configuration_lists) {
    Target t = line5_ecr();
    EXPECT_EQ(t.basis_gates, (std::vector<std::string>{"ecr", "id", "rz", "sx", "x"}));
    EXPECT_EQ(t.supported_instructions,
              (std::vector<std::string>{"delay", "ecr", "id", "if_else", "measure", "reset", "rz",
                                        "sx", "x"}));
    EXPECT_EQ(t.coupling_map, (Edges{{0, 1}, {2, 1}, {2, 3}, {4, 3}}));
    EXPECT_EQ(t.dt, 0.5e-9);
}

TEST(Target, heavy_hex_fragment_has_symmetric_cz) {
    Target t = heavy_hex_fragment();
    EXPECT_TRUE(t.instruction_supported("cz", {4, 12}));
    EXPECT_TRUE(t.instruction_supported("cz", {12, 4}));
    EXPECT_TRUE(t.instruction_supported("cz", {0, 11}));
    EXPECT_FALSE(t.instruction_supported("cz", {0, 12}));
    EXPECT_FALSE(t.instruction_supported("if_else", {0}));
    EXPECT_EQ(t.coupling_map.size(), 28u);
}

TEST(Target, global_instruction_checks_qubit_count_and_range) {
    Target t;
    t.num_qubits = 3;
    ASSERT_TRUE(t.add_global_instruction("cx").ok());
    EXPECT_TRUE(t.instruction_supported("cx", {2, 0}));
    EXPECT_FALSE(t.instruction_supported("cx", {0}));
    EXPECT_FALSE(t.instruction_supported("cx", {0, 3}));
}

TEST(Target, add_instruction_refuses_bad_arguments) {
    Target t;
    t.num_qubits = 2;
    EXPECT_EQ(t.add_instruction("nonsense", {0}).message(), "unknown instruction \"nonsense\"");
    EXPECT_EQ(t.add_instruction("cz", {0}).message(), "cz acts on 2 qubit(s), got 1");
    EXPECT_EQ(t.add_instruction("x", {2}).message(), "qubit 2 is out of range (the target has 2)");
}

TEST(Target, error_and_duration_lookups) {
    Target t = line5_ecr();
    ASSERT_TRUE(t.add_instruction("ecr", {0, 1}, {0.007, 660e-9}).ok());
    EXPECT_EQ(t.gate_error("ecr", {0, 1}), 0.007);
    EXPECT_EQ(t.duration("ecr", {0, 1}), 660e-9);
    EXPECT_EQ(t.gate_error("ecr", {2, 1}), std::nullopt);  // ideal
    EXPECT_EQ(t.gate_error("ecr", {1, 0}), std::nullopt);  // not there
    EXPECT_EQ(t.gate_error("h", {0}), std::nullopt);
}

TEST(TargetJson, reads_the_reference_configuration_without_properties) {
    auto t = target_from_backend_json(kBell2Configuration, "");
    ASSERT_TRUE(t.ok()) << t.status().to_string();
    EXPECT_EQ(t->backend_name, "local_bell2");
    EXPECT_EQ(t->num_qubits, 2u);
    EXPECT_EQ(t->dt, 0.5 * 1e-9);
    EXPECT_EQ(t->processor_type.family, "Local");
    EXPECT_EQ(t->processor_type.revision, "1");
    EXPECT_TRUE(t->instruction_supported("cz", {1, 0}));
    EXPECT_TRUE(t->instruction_supported("measure", {1}));
    EXPECT_TRUE(t->instruction_supported("delay", {0}));
    EXPECT_FALSE(t->instruction_supported("if_else", {0}));
    EXPECT_EQ(t->find("rz")->parameters, std::vector<std::string>{"theta"});
    EXPECT_TRUE(t->qubits.empty());
    // `{}` is the API's "no properties".
    auto same = target_from_backend_json(kBell2Configuration, "{}");
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(*same, *t);
}

TEST(TargetJson, reads_properties_in_si_units) {
    auto t = target_from_backend_json(kBell2Configuration, kBell2Properties);
    ASSERT_TRUE(t.ok()) << t.status().to_string();
    ASSERT_EQ(t->qubits.size(), 2u);
    EXPECT_DOUBLE_EQ(*t->qubits[0].t1, 200e-6);
    EXPECT_DOUBLE_EQ(*t->qubits[0].t2, 150.5e-6);
    EXPECT_DOUBLE_EQ(*t->qubits[0].frequency, 4.75e9);
    EXPECT_EQ(t->qubits[0].prob_meas0_prep1, 0.03);
    EXPECT_EQ(t->qubits[1].t2, std::nullopt);
    EXPECT_EQ(t->gate_error("cz", {0, 1}), 0.004);
    EXPECT_DOUBLE_EQ(*t->duration("cz", {0, 1}), 68e-9);
    EXPECT_EQ(t->gate_error("cz", {1, 0}), std::nullopt);  // configured, no properties: ideal
    EXPECT_TRUE(t->instruction_supported("cz", {1, 0}));
    // measure takes readout_error / readout_length of each qubit
    EXPECT_EQ(t->gate_error("measure", {1}), 0.05);
    EXPECT_DOUBLE_EQ(*t->duration("measure", {0}), 1300e-9);
    // reset: only qubit 0 is listed in properties, so only qubit 0 supports it (Qiskit's rule)
    EXPECT_TRUE(t->instruction_supported("reset", {0}));
    EXPECT_FALSE(t->instruction_supported("reset", {1}));
    // rzz is not in basis_gates: its properties are ignored
    EXPECT_EQ(t->find("rzz"), nullptr);
    EXPECT_EQ(t->last_update_date, "2026-01-01T00:00:00Z");
}

TEST(TargetJson, drops_faulty_qubits_and_gates) {
    std::string props(kBell2Properties);
    // qubit 1 faulty
    auto pos = props.find(R"({"date":"d","name":"T1","unit":"us","value":100})");
    props.insert(pos, R"({"date":"d","name":"operational","unit":"","value":0},)");
    auto t = target_from_backend_json(kBell2Configuration, props);
    ASSERT_TRUE(t.ok()) << t.status().to_string();
    EXPECT_FALSE(t->qubits[1].operational);
    EXPECT_FALSE(t->instruction_supported("measure", {1}));
    EXPECT_TRUE(t->instruction_supported("measure", {0}));
    EXPECT_FALSE(
        t->instruction_supported("cz", {0, 1}));  // listed in properties, on a faulty qubit
    EXPECT_FALSE(t->instruction_supported("delay", {1}));
    // a faulty gate
    std::string props2(kBell2Properties);
    pos = props2.find(R"({"date":"d","name":"gate_error","unit":"","value":0.004})");
    props2.insert(pos, R"({"date":"d","name":"operational","unit":"","value":0},)");
    auto t2 = target_from_backend_json(kBell2Configuration, props2);
    ASSERT_TRUE(t2.ok()) << t2.status().to_string();
    EXPECT_FALSE(t2->instruction_supported("cz", {0, 1}));
    EXPECT_TRUE(t2->instruction_supported("cz", {1, 0}));
}

TEST(TargetJson, reads_fractional_gates_and_instruction_signatures) {
    std::string conf(kBell2Configuration);
    auto pos = conf.find(R"("basis_gates":["cz")");
    conf.replace(pos, 19, R"("basis_gates":["rzz","rx","cz")");
    pos = conf.find(R"("supported_instructions")");
    conf.insert(pos,
                R"("instruction_signatures":[{"name":"measure_2","num_qubits":1,"num_clbits":1,)"
                R"("parameters":[],"return_type":"Bool","description":"short"}],)");
    auto t = target_from_backend_json(conf, kBell2Properties);
    ASSERT_TRUE(t.ok()) << t.status().to_string();
    // rzz has no gate config: global until properties list it, then only there
    EXPECT_TRUE(t->instruction_supported("rzz", {0, 1}));
    EXPECT_FALSE(t->instruction_supported("rzz", {1, 0}));
    EXPECT_TRUE(t->instruction_supported("rx", {1}));  // global
    const TargetInstruction* m2 = t->find("measure_2");
    ASSERT_NE(m2, nullptr);
    EXPECT_TRUE(m2->from_signature);
    EXPECT_EQ(m2->num_clbits, 1);
    EXPECT_TRUE(t->instruction_supported("measure_2", {1}));
}

TEST(TargetJson, round_trips_through_configuration_and_properties) {
    for (bool with_props : {false, true}) {
        auto t = target_from_backend_json(kBell2Configuration, with_props ? kBell2Properties : "");
        ASSERT_TRUE(t.ok()) << t.status().to_string();
        std::string conf = target_to_configuration_json(*t);
        std::string props = target_to_properties_json(*t, from_micros(1'700'000'000'000'000));
        if (!with_props) {
            EXPECT_EQ(props, "{}");
        }
        auto back = target_from_backend_json(conf, props);
        ASSERT_TRUE(back.ok()) << back.status().to_string() << "\n" << conf << "\n" << props;
        EXPECT_EQ(difference(*back, *t), "") << conf << "\n" << props;
    }
}

TEST(TargetJson, round_trips_a_hand_built_target_with_calibration_data) {
    Target t = heavy_hex_fragment();
    t.qubits.resize(t.num_qubits);
    for (std::uint32_t q = 0; q < t.num_qubits; ++q) {
        t.qubits[q].t1 = (100 + q) * 1e-6 + 1e-9 / 3;
        t.qubits[q].t2 = (80 + q) * 1e-6 / 7;
        t.qubits[q].frequency = 4.5e9 + q * 1.1e6;
        t.qubits[q].readout_error = 0.01 * (q + 1) / 3;
        t.qubits[q].readout_length = 1.56e-6;
        ASSERT_TRUE(t.add_instruction("measure", {q}, {t.qubits[q].readout_error, 1.56e-6}).ok());
        ASSERT_TRUE(t.add_instruction("sx", {q}, {2.3e-4 + q * 1e-6, 3.2e-8}).ok());
    }
    ASSERT_TRUE(t.add_instruction("cz", {4, 12}, {3.3e-3, 6.8e-8}).ok());
    t.last_update_date = "2026-03-01T00:00:00Z";
    t.processor_type = {"Heron", "2", ""};
    t.rep_delay_range = std::pair(0.0, 500e-6);
    t.default_rep_delay = 250e-6;
    t.meas_levels = {1, 2};
    std::string conf = target_to_configuration_json(t);
    std::string props = target_to_properties_json(t, from_micros(0));
    auto back = target_from_backend_json(conf, props);
    ASSERT_TRUE(back.ok()) << back.status().to_string();
    EXPECT_EQ(difference(*back, t), "");
    // The output is JSON a Python client reads: plain numbers, required keys present.
    json::value c = json::parse(conf);
    for (const char* key :
         {"backend_name", "backend_version", "n_qubits", "basis_gates", "gates", "local",
          "simulator", "conditional", "open_pulse", "memory", "coupling_map", "online_date"}) {
        EXPECT_TRUE(c.as_object().contains(key)) << key;
    }
    EXPECT_NE(props.find(R"("name": "gate_length", "unit": "ns", "value": 68})"), std::string::npos)
        << props;
}

struct BadInput {
    std::string_view what;
    std::string configuration;
    std::string properties;
    std::string error;
};

std::string replaced(std::string_view s, std::string_view from, std::string_view to) {
    std::string out(s);
    auto pos = out.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    if (pos != std::string::npos) out.replace(pos, from.size(), to);
    return out;
}

TEST(TargetJson, malformed_input_gets_an_error_naming_the_field) {
    const std::string c(kBell2Configuration);
    const std::string p(kBell2Properties);
    const std::vector<BadInput> cases = {
        {"not JSON", "{\"backend_name\": ", "",
         "configuration: invalid JSON at byte 17: incomplete JSON"},
        {"not an object", "[1]", "", "configuration: expected an object, got an array"},
        {"missing n_qubits", replaced(c, R"("n_qubits":2,)", ""), "",
         "configuration.n_qubits: missing (the Qiskit client requires it)"},
        {"n_qubits a string", replaced(c, R"("n_qubits":2)", R"("n_qubits":"2")"), "",
         "configuration.n_qubits: expected a whole number, got a string"},
        {"basis gate not a string", replaced(c, R"(["cz","id")", R"(["cz",7)"), "",
         "configuration.basis_gates[1]: expected a string, got a number"},
        {"coupling qubit out of range", replaced(c, R"([[0,1],[1,0]]},)", R"([[0,1],[1,2]]},)"), "",
         "configuration.gates[0].coupling_map[1][1]: qubit 2 is out of range (the backend "
         "has 2 qubits)"},
        {"wrong arity", replaced(c, R"([[0,1],[1,0]]},)", R"([[0,1],[1]]},)"), "",
         "configuration.gates[0].coupling_map: cz acts on 2 qubit(s), got 1"},
        {"top coupling map not pairs",
         replaced(c, R"("coupling_map":[[0,1],[1,0]],"online)", R"("coupling_map":[[0]],"online)"),
         "", "configuration.coupling_map[0]: expected a pair of qubits"},
        {"dt negative", replaced(c, R"("dt":0.5)", R"("dt":-1)"), "",
         "configuration.dt: must be positive"},
        {"qubit value not a number", c,
         replaced(p, R"("unit":"","value":0.05})", R"("unit":"","value":"x"})"),
         "properties.qubits[1][1].value: expected a number, got a string"},
        {"too few qubits", c,
         replaced(p, R"(,
  [{"date":"d","name":"T1","unit":"us","value":100},
   {"date":"d","name":"readout_error","unit":"","value":0.05},
   {"date":"d","name":"readout_length","unit":"ns","value":1300}]])",
                  "]"),
         "properties.qubits: has 1 entries but the configuration has 2 qubits (the client "
         "needs one per qubit)"},
        {"unknown unit", c,
         replaced(p, R"("unit":"us","value":100})", R"("unit":"xs","value":100})"),
         "properties.qubits[1][0].unit: could not understand unit \"xs\""},
        {"extra nduv key", c,
         replaced(p, R"({"date":"d","name":"T1","unit":"us","value":100})",
                  R"({"date":"d","name":"T1","unit":"us","value":100,"x":1})"),
         "properties.qubits[1][0].x: unexpected key (the Qiskit client accepts only date, name, "
         "unit and value)"},
        {"gate qubit out of range", c,
         replaced(p, R"("qubits":[0,1],"gate":"cz")", R"("qubits":[0,5],"gate":"cz")"),
         "properties.gates[0].qubits[1]: qubit 5 is out of range (the backend has 2 qubits)"},
        {"gate wrong arity", c,
         replaced(p, R"("qubits":[0],"gate":"sx")", R"("qubits":[0,1],"gate":"sx")"),
         "properties.gates[1].qubits: sx acts on 1 qubit(s), got 2"},
        {"missing last_update_date", c,
         replaced(p, R"("last_update_date":"2026-01-01T00:00:00Z",)", ""),
         "properties.last_update_date: missing (the Qiskit client requires it)"},
    };
    for (const BadInput& b : cases) {
        auto t = target_from_backend_json(b.configuration, b.properties);
        ASSERT_FALSE(t.ok()) << b.what;
        EXPECT_EQ(t.status().code(), ErrorCode::kInvalidArgument) << b.what;
        EXPECT_EQ(t.status().message(), b.error) << b.what;
    }
}

// ---------------------------------------------------------------- corpus backends

fs::path backends_dir() {
    if (const char* d = std::getenv("QRT_TEST_BACKENDS_DIR")) return d;
    return fs::path(QRT_CORPUS_DIR) / "backends";
}

struct CorpusBackend {
    std::string name;
    std::string configuration, properties;
};

std::vector<CorpusBackend> corpus_backends() {
    std::vector<CorpusBackend> out;
    std::error_code ec;
    if (!fs::is_directory(backends_dir(), ec)) return out;
    for (const auto& e : fs::directory_iterator(backends_dir())) {
        std::string file = e.path().filename().string();
        const std::string suffix = ".configuration.json";
        if (file.size() <= suffix.size() || !file.ends_with(suffix)) continue;
        CorpusBackend b;
        b.name = file.substr(0, file.size() - suffix.size());
        b.configuration = read_file(e.path());
        fs::path props = backends_dir() / (b.name + ".properties.json");
        if (fs::exists(props)) b.properties = read_file(props);
        out.push_back(std::move(b));
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
    return out;
}

TEST(TargetCorpus, every_backend_parses_and_round_trips) {
    auto backends = corpus_backends();
    if (backends.empty()) GTEST_SKIP() << "no backends in " << backends_dir();
    for (const CorpusBackend& b : backends) {
        SCOPED_TRACE(b.name);
        auto t = target_from_backend_json(b.configuration, b.properties);
        ASSERT_TRUE(t.ok()) << t.status().to_string();
        EXPECT_GT(t->num_qubits, 0u);
        // The configuration's coupling map is reflected in the two-qubit instructions.
        json::object conf = json::parse(b.configuration).as_object();
        EXPECT_EQ(t->backend_name, std::string(conf["backend_name"].as_string()));
        auto back = target_from_backend_json(target_to_configuration_json(*t),
                                             target_to_properties_json(*t, from_micros(0)));
        ASSERT_TRUE(back.ok()) << back.status().to_string();
        EXPECT_EQ(difference(*back, *t), "");
    }
}

TEST(TargetCorpus, a_127_qubit_ecr_backend_has_directed_edges_and_calibration) {
    bool found = false;
    for (const CorpusBackend& b : corpus_backends()) {
        auto t = target_from_backend_json(b.configuration, b.properties);
        ASSERT_TRUE(t.ok()) << b.name << ": " << t.status().to_string();
        if (t->num_qubits != 127 || t->find("ecr") == nullptr) continue;
        SCOPED_TRACE(b.name);
        found = true;
        const TargetInstruction& ecr = *t->find("ecr");
        EXPECT_FALSE(ecr.global);
        EXPECT_GE(ecr.qargs.size(), 100u);
        for (const auto& [q, p] : ecr.qargs) {
            // ECR is directional: one direction per pair.
            EXPECT_FALSE(t->instruction_supported("ecr", {q[1], q[0]})) << q[0] << "," << q[1];
            EXPECT_TRUE(t->has_edge(q[0], q[1]));
        }
        if (!b.properties.empty()) {
            ASSERT_EQ(t->qubits.size(), 127u);
            int with_t1 = 0;
            for (const QubitProperties& qp : t->qubits) {
                if (qp.t1) {
                    EXPECT_GT(*qp.t1, 0);
                    EXPECT_LT(*qp.t1, 1.0);  // seconds, not microseconds
                    ++with_t1;
                }
            }
            EXPECT_GT(with_t1, 100);
            int calibrated = 0;
            for (const auto& [q, p] : ecr.qargs) calibrated += p.error.has_value();
            EXPECT_GT(calibrated, 100);
            EXPECT_TRUE(t->dt.has_value());
        }
    }
    if (!found) GTEST_SKIP() << "no 127-qubit ECR backend in " << backends_dir();
}

}  // namespace
}  // namespace qrt::circuit
