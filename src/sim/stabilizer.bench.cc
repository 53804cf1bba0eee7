// Stabilizer tableau throughput: GHZ and random Clifford circuits (depth 100: a layer of random
// single-qubit Cliffords, then CX on a random pairing) of 127 and 1000 qubits, each followed by
// 10 000 shots of all qubits through Tableau::sample_measurements. One iteration = build the
// tableau, run the gates, sample every shot.
#include "sim/stabilizer.h"

#include <benchmark/benchmark.h>

#include <numeric>
#include <vector>

#include "base/rng.h"

namespace {

using qrt::Rng;
using qrt::sim::Tableau;

constexpr std::uint64_t kShots = 10000;

std::vector<unsigned> all_qubits(unsigned n) {
    std::vector<unsigned> q(n);
    std::iota(q.begin(), q.end(), 0U);
    return q;
}

void BM_ghz_sample(benchmark::State& state) {
    const auto n = static_cast<unsigned>(state.range(0));
    const auto qs = all_qubits(n);
    Rng rng(1);
    for (auto _ : state) {
        Tableau t(n);
        t.h(0);
        for (unsigned q = 1; q < n; ++q) t.cx(q - 1, q);
        auto bits = t.sample_measurements(qs, kShots, rng);
        benchmark::DoNotOptimize(bits.data());
    }
    state.SetLabel("10000 shots");
}
BENCHMARK(BM_ghz_sample)->Arg(127)->Arg(1000)->Unit(benchmark::kMillisecond);

// The gates of a random depth-100 circuit, as (op, a, b); op < 6 single-qubit, 6 = cx.
struct Gate {
    unsigned op, a, b;
};
std::vector<Gate> random_circuit(unsigned n, unsigned depth, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<Gate> g;
    auto perm = all_qubits(n);
    for (unsigned d = 0; d < depth; ++d) {
        for (unsigned q = 0; q < n; ++q)
            g.push_back({static_cast<unsigned>(rng.uniform_int(0, 5)), q, 0});
        for (unsigned i = n - 1; i > 0; --i) {
            std::swap(perm[i], perm[static_cast<unsigned>(rng.uniform_int(0, i))]);
        }
        for (unsigned i = 0; i + 1 < n; i += 2) g.push_back({6, perm[i], perm[i + 1]});
    }
    return g;
}

void run(Tableau& t, const std::vector<Gate>& gates) {
    for (const auto& g : gates) {
        switch (g.op) {
            case 0:
                t.h(g.a);
                break;
            case 1:
                t.s(g.a);
                break;
            case 2:
                t.sx(g.a);
                break;
            case 3:
                t.sdg(g.a);
                break;
            case 4:
                t.x(g.a);
                break;
            case 5:
                t.sxdg(g.a);
                break;
            default:
                t.cx(g.a, g.b);
                break;
        }
    }
}

void BM_random_clifford_gates(benchmark::State& state) {
    const auto n = static_cast<unsigned>(state.range(0));
    const auto gates = random_circuit(n, 100, 5);
    for (auto _ : state) {
        Tableau t(n);
        run(t, gates);
        benchmark::DoNotOptimize(&t);
    }
    state.SetLabel("depth 100, gates only");
}
BENCHMARK(BM_random_clifford_gates)->Arg(127)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_random_clifford_sample(benchmark::State& state) {
    const auto n = static_cast<unsigned>(state.range(0));
    const auto gates = random_circuit(n, 100, 5);
    const auto qs = all_qubits(n);
    Rng rng(2);
    for (auto _ : state) {
        Tableau t(n);
        run(t, gates);
        auto bits = t.sample_measurements(qs, kShots, rng);
        benchmark::DoNotOptimize(bits.data());
    }
    state.SetLabel("depth 100 + 10000 shots");
}
BENCHMARK(BM_random_clifford_sample)->Arg(127)->Arg(1000)->Unit(benchmark::kMillisecond);

// Re-measuring every qubit of a copy, shot by shot: what sample_measurements avoids.
void BM_random_clifford_measure_all_once(benchmark::State& state) {
    const auto n = static_cast<unsigned>(state.range(0));
    Tableau t(n);
    run(t, random_circuit(n, 100, 5));
    Rng rng(3);
    for (auto _ : state) {
        Tableau c = t;
        int s = 0;
        for (unsigned q = 0; q < n; ++q) s += c.measure(q, rng);
        benchmark::DoNotOptimize(s);
    }
    state.SetLabel("one shot by measurement");
}
BENCHMARK(BM_random_clifford_measure_all_once)->Arg(127)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
