#include "formats/runtime_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "base/base64.h"
#include "base/zlib.h"
#include "formats/qpy_test_support.h"

namespace qrt::formats {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the QPY builder vocabulary

std::string small_qpy() {
    Circ c;
    c.name = "one";
    c.num_qubits = 2;
    c.instructions = {instruction(make_inst("HGate", {0})), instruction(make_inst("SXGate", {1}))};
    return qpy_file(17, c);
}

bool contains(const std::string& s, std::string_view part) {
    return s.find(part) != std::string::npos;
}

TEST(RuntimeJson, decodes_what_the_runtime_encoder_writes) {
    const std::string json = encode_runtime_qpy(small_qpy());
    EXPECT_TRUE(contains(json, R"("__type__":"QuantumCircuit")")) << json;
    EXPECT_TRUE(contains(json, R"("__value__":"eJ)")) << json;  // zlib's 0x78 0x9C in base64
    auto c = decode_runtime_circuit(json);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    EXPECT_EQ(c->name, "one");
    EXPECT_EQ(c->instructions.size(), 2u);
}

TEST(RuntimeJson, decodes_an_already_parsed_value) {
    const boost::json::value v = boost::json::parse(encode_runtime_qpy(small_qpy()));
    auto c = decode_runtime_circuit_value(v);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    EXPECT_EQ(c->num_qubits(), 2u);
}

struct Bad {
    const char* what;
    std::string json;
    ErrorCode code;
    const char* part;
};

TEST(RuntimeJson, bad_inputs_say_which_layer_failed) {
    const std::vector<Bad> cases = {
        {"not json", "{\"__type__\": ", ErrorCode::kInvalidArgument, "invalid JSON at byte"},
        {"array", "[1, 2]", ErrorCode::kInvalidArgument, "got a JSON array"},
        {"qasm string", "\"OPENQASM 3.0;\"", ErrorCode::kInvalidArgument, "OpenQASM"},
        {"no type", R"({"__value__": "x"})", ErrorCode::kInvalidArgument, "no string \"__type__\""},
        {"wrong type", R"({"__type__": "ndarray", "__value__": "x"})", ErrorCode::kInvalidArgument,
         "\"__type__\" is \"ndarray\""},
        {"no value", R"({"__type__": "QuantumCircuit"})", ErrorCode::kInvalidArgument,
         "\"__value__\" must be a base64 string"},
        {"bad base64", R"({"__type__": "QuantumCircuit", "__value__": "eJ*x"})",
         ErrorCode::kInvalidArgument, "not valid base64: invalid character '*'"},
        {"not zlib",
         R"({"__type__": "QuantumCircuit", "__value__": ")" + base64_encode("QISKIT....") + "\"}",
         ErrorCode::kInvalidArgument, "does not hold a valid zlib"},
        {"truncated zlib",
         R"({"__type__": "QuantumCircuit", "__value__": ")" +
             base64_encode(zlib_compress(small_qpy()).substr(0, 20)) + "\"}",
         ErrorCode::kInvalidArgument, "truncated stream"},
        {"bad qpy",
         R"({"__type__": "QuantumCircuit", "__value__": ")" +
             base64_encode(zlib_compress(small_qpy().substr(0, 40))) + "\"}",
         ErrorCode::kInvalidArgument, "runtime circuit: QPY: "},
    };
    for (const auto& k : cases) {
        auto c = decode_runtime_circuit(k.json);
        ASSERT_FALSE(c.ok()) << k.what;
        EXPECT_EQ(c.status().code(), k.code) << k.what << ": " << c.status().to_string();
        EXPECT_TRUE(contains(c.status().message(), k.part))
            << k.what << ": " << c.status().message();
    }
}

TEST(RuntimeJson, a_zip_bomb_is_refused_at_the_size_limit) {
    const std::string bomb = encode_runtime_qpy(std::string(20'000'000, 'Q'));
    auto c = decode_runtime_circuit(bomb, 1'000'000);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), ErrorCode::kResourceExhausted);
    EXPECT_TRUE(contains(c.status().message(), "limit of 1000000 bytes")) << c.status().message();
}

}  // namespace
}  // namespace qrt::formats
