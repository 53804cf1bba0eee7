// OpenQASM 3 read (and write) throughput on an ISA-like program: 127 physical qubits, 20 000
// instructions of rz/sx/ecr/measure, generated with a fixed seed. Also reads
// build/bench-inputs/isa_127q_20k.qasm (Qiskit's export of the same shape, from
// scripts/gen-corpus) when it exists (relative to the working directory, or $QRT_BENCH_INPUTS).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "formats/qasm2_reader.h"
#include "formats/qasm3_reader.h"
#include "formats/qasm3_writer.h"

namespace {

std::string generated_isa_program() {
    std::mt19937_64 rng(127);
    std::string s = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\n"
                    "gate ecr _gate_q_0, _gate_q_1 {\n  s _gate_q_0;\n  sx _gate_q_1;\n"
                    "  cx _gate_q_0, _gate_q_1;\n  x _gate_q_0;\n}\nbit[127] meas;\n";
    std::uniform_real_distribution<double> angle(-3.14159, 3.14159);
    int n = 0;
    for (; n < 20000 - 127; ++n) {
        const int q = static_cast<int>(rng() % 127);
        switch (rng() % 4) {
            case 0:
            case 1: s += "rz(" + std::to_string(angle(rng)).substr(0, 12) + ") $" + std::to_string(q) + ";\n"; break;
            case 2: s += "sx $" + std::to_string(q) + ";\n"; break;
            default: s += "ecr $" + std::to_string(q) + ", $" + std::to_string((q + 1) % 127) + ";\n";
        }
    }
    for (int q = 0; q < 127; ++q) s += "meas[" + std::to_string(q) + "] = measure $" + std::to_string(q) + ";\n";
    return s;
}

std::string file_input(const char* name) {
    std::string dir = "build/bench-inputs";
    if (const char* env = std::getenv("QRT_BENCH_INPUTS")) dir = env;
    std::ifstream f(dir + "/" + name, std::ios::binary);
    if (!f) return {};
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void run_parse3(benchmark::State& state, const std::string& text) {
    if (text.empty()) {
        state.SkipWithError("input file not found (run scripts/gen-corpus)");
        return;
    }
    std::size_t instructions = 0;
    for (auto _ : state) {
        auto c = qrt::formats::parse_qasm3(text);
        if (!c.ok()) {
            state.SkipWithError(c.status().to_string().c_str());
            return;
        }
        instructions = c->instructions.size();
        benchmark::DoNotOptimize(c);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
    state.counters["instructions"] = static_cast<double>(instructions);
}

void BM_Qasm3ParseGeneratedIsa(benchmark::State& state) {
    static const std::string text = generated_isa_program();
    run_parse3(state, text);
}
BENCHMARK(BM_Qasm3ParseGeneratedIsa)->Unit(benchmark::kMillisecond);

void BM_Qasm3ParseQiskitIsaFile(benchmark::State& state) {
    static const std::string text = file_input("isa_127q_20k.qasm");
    run_parse3(state, text);
}
BENCHMARK(BM_Qasm3ParseQiskitIsaFile)->Unit(benchmark::kMillisecond);

void BM_Qasm2ParseQiskitIsaFile(benchmark::State& state) {
    static const std::string text = file_input("isa_127q_20k.qasm2");
    if (text.empty()) {
        state.SkipWithError("input file not found (run scripts/gen-corpus)");
        return;
    }
    for (auto _ : state) {
        auto c = qrt::formats::parse_qasm2(text);
        if (!c.ok()) {
            state.SkipWithError(c.status().to_string().c_str());
            return;
        }
        benchmark::DoNotOptimize(c);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Qasm2ParseQiskitIsaFile)->Unit(benchmark::kMillisecond);

void BM_Qasm3WriteGeneratedIsa(benchmark::State& state) {
    static const std::string text = generated_isa_program();
    auto c = qrt::formats::parse_qasm3(text);
    std::size_t bytes = 0;
    for (auto _ : state) {
        std::string out = qrt::formats::write_qasm3(*c);
        bytes = out.size();
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_Qasm3WriteGeneratedIsa)->Unit(benchmark::kMillisecond);

}  // namespace
