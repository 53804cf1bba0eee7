// Transpiler throughput: a 20-qubit, 1000-gate random circuit (every standard gate of up to three
// qubits, seeded) onto fake_brisbane (127 qubits, ECR) and fake_torino (133 qubits, CZ) from
// tests/corpus/backends.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "circuit/transpile.h"

namespace {

using namespace qrt::circuit;

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Target corpus_target(const std::string& name) {
    const std::filesystem::path dir = std::filesystem::path(QRT_CORPUS_DIR) / "backends";
    auto t = target_from_backend_json(slurp(dir / (name + ".configuration.json")),
                                      slurp(dir / (name + ".properties.json")));
    return t.ok() ? *t : Target{};
}

Circuit random_circuit(std::uint32_t n, std::size_t gates, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> angle(-3.14159, 3.14159);
    std::vector<const GateInfo*> pool;
    for (const GateInfo& g : all_gates()) {
        if (g.unitary && g.num_qubits >= 1 && g.num_qubits <= 3) pool.push_back(&g);
    }
    Circuit c(n, n);
    for (std::size_t i = 0; i < gates; ++i) {
        const GateInfo& g = *pool[rng() % pool.size()];
        std::vector<std::uint32_t> qs(n);
        for (std::uint32_t q = 0; q < n; ++q) qs[q] = q;
        std::shuffle(qs.begin(), qs.end(), rng);
        qs.resize(static_cast<std::size_t>(g.num_qubits));
        std::vector<Expr> params;
        for (int p = 0; p < g.num_params; ++p) params.emplace_back(angle(rng));
        (void)c.append(g.kind, qs, params);
    }
    for (std::uint32_t q = 0; q < n; ++q) (void)c.append(GateKind::kMeasure, {q}, {}, {q});
    return c;
}

void run(benchmark::State& state, const char* backend) {
    const Target target = corpus_target(backend);
    const Circuit c = random_circuit(20, 1000, 1);
    int swaps = 0;
    std::size_t size = 0, two_qubit = 0;
    for (auto _ : state) {
        auto r = transpile(c, target);
        if (!r.ok()) {
            state.SkipWithError(r.status().to_string().c_str());
            return;
        }
        swaps = r->swaps;
        size = r->circuit.size();
        two_qubit = 0;
        for (const Instruction& i : r->circuit.instructions) two_qubit += i.qubits.size() == 2;
        benchmark::DoNotOptimize(r);
    }
    state.counters["swaps"] = swaps;
    state.counters["out_ops"] = static_cast<double>(size);
    state.counters["out_2q"] = static_cast<double>(two_qubit);
}

void BM_Transpile20q1000gBrisbane(benchmark::State& state) { run(state, "fake_brisbane"); }
void BM_Transpile20q1000gTorino(benchmark::State& state) { run(state, "fake_torino"); }
BENCHMARK(BM_Transpile20q1000gBrisbane)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Transpile20q1000gTorino)->Unit(benchmark::kMillisecond);

}  // namespace
