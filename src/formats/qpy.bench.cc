// QPY decoding speed on an ISA-shaped circuit: 127 physical qubits, 20 000 instructions of
// rz/sx/x/ecr/measure, as qiskit-ibm-runtime sends it (JSON + base64 + zlib + QPY v17). The goal
// is under 5 ms for the whole decode_runtime_circuit. Generated here with a fixed seed; also reads
// build/bench-inputs/isa_127q_20k.runtime.json and .qpy (Qiskit's own output, from
// bench/compare_qiskit_formats.py) when present (relative to the working directory, or
// $QRT_BENCH_INPUTS).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <numbers>
#include <random>
#include <sstream>
#include <string>

#include "base/base64.h"
#include "base/zlib.h"
#include "formats/qpy_reader.h"
#include "formats/qpy_test_support.h"
#include "formats/runtime_json.h"

namespace qrt::formats {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the QPY builder vocabulary

std::string generated_qpy(int version) {
    std::mt19937_64 rng(127);
    std::uniform_real_distribution<double> angle(-std::numbers::pi, std::numbers::pi);
    Circ c;
    c.name = "isa_127q_20k";
    c.num_qubits = 127;
    c.num_clbits = 127;
    Reg meas{'c', "meas", {}};
    for (int i = 0; i < 127; ++i) meas.indices.push_back(i);
    c.registers = {meas};
    for (int n = 0; n < 20000 - 127; ++n) {
        const auto q = static_cast<std::uint32_t>(rng() % 127);
        switch (rng() % 5) {
            case 0:
            case 1:
                c.instructions.push_back(
                    instruction(make_inst("RZGate", {q}, {}, {param_f(version, angle(rng))})));
                break;
            case 2:
                c.instructions.push_back(instruction(make_inst("SXGate", {q})));
                break;
            case 3:
                c.instructions.push_back(instruction(make_inst("XGate", {q})));
                break;
            default:
                c.instructions.push_back(instruction(make_inst("ECRGate", {q, (q + 1) % 127})));
        }
    }
    for (std::uint32_t q = 0; q < 127; ++q)
        c.instructions.push_back(instruction(make_inst("Measure", {q}, {q})));
    return qpy_file(version, c);
}

std::string file_input(const char* name) {
    const char* env = std::getenv("QRT_BENCH_INPUTS");
    std::ifstream in(std::string(env ? env : "build/bench-inputs") + "/" + name, std::ios::binary);
    if (!in) return {};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void BM_DecodeRuntimeCircuit_Generated(benchmark::State& state) {
    const std::string qpy = generated_qpy(17);
    const std::string json = encode_runtime_qpy(qpy);
    for (auto _ : state) {
        auto c = decode_runtime_circuit(json);
        if (!c.ok()) state.SkipWithError(c.status().to_string().c_str());
        benchmark::DoNotOptimize(c);
    }
    state.counters["json_bytes"] = static_cast<double>(json.size());
    state.counters["qpy_bytes"] = static_cast<double>(qpy.size());
}
BENCHMARK(BM_DecodeRuntimeCircuit_Generated)->Unit(benchmark::kMillisecond);

void BM_DecodeRuntimeCircuit_Qiskit(benchmark::State& state) {
    const std::string json = file_input("isa_127q_20k.runtime.json");
    if (json.empty()) {
        state.SkipWithError("no build/bench-inputs/isa_127q_20k.runtime.json");
        return;
    }
    for (auto _ : state) {
        auto c = decode_runtime_circuit(json);
        if (!c.ok()) state.SkipWithError(c.status().to_string().c_str());
        benchmark::DoNotOptimize(c);
    }
    state.counters["json_bytes"] = static_cast<double>(json.size());
}
BENCHMARK(BM_DecodeRuntimeCircuit_Qiskit)->Unit(benchmark::kMillisecond);

// The layers apart: base64 + zlib, then QPY alone (per version from Qiskit when present).
void BM_Base64AndZlib(benchmark::State& state) {
    const std::string b64 = base64_encode(zlib_compress(generated_qpy(17)));
    for (auto _ : state) {
        auto z = base64_decode(b64);
        auto q = zlib_decompress(*z, 1 << 28);
        benchmark::DoNotOptimize(q);
    }
}
BENCHMARK(BM_Base64AndZlib)->Unit(benchmark::kMillisecond);

void BM_ReadQpy(benchmark::State& state) {
    const int version = static_cast<int>(state.range(0));
    std::string qpy =
        file_input(version == 17 ? "isa_127q_20k.qpy"
                                 : ("isa_127q_20k.v" + std::to_string(version) + ".qpy").c_str());
    if (qpy.empty()) qpy = generated_qpy(version);
    for (auto _ : state) {
        auto c = read_qpy_circuit(qpy);
        if (!c.ok()) state.SkipWithError(c.status().to_string().c_str());
        benchmark::DoNotOptimize(c);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * qpy.size()));
}
BENCHMARK(BM_ReadQpy)->Arg(13)->Arg(16)->Arg(17)->Arg(18)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace qrt::formats
