// Gate-pass throughput of the statevector kernels, next to a memory-bandwidth probe taken in the
// same binary, so that "GB/s of a gate pass / GB/s of the machine" can be read off one run.
// Bytes per pass = read + write of the whole vector = 2 * size * sizeof(Amp).
// Run: OMP_NUM_THREADS=2 qrt_sim_bench --benchmark_filter=... (Release build).
#include "sim/statevector.h"

#include <benchmark/benchmark.h>
#include <omp.h>

#include <complex>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "circuit/gates.h"

namespace qrt::sim {
namespace {

unsigned pick_qubit(unsigned n, std::int64_t which) {
    // 0: qubit 0, 1: middle, 2: top.
    return which == 0 ? 0u : which == 1 ? n / 2 : n - 1;
}

template <typename Real>
void BM_Apply1q(benchmark::State& state) {
    const auto n = static_cast<unsigned>(state.range(0));
    const unsigned q = pick_qubit(n, state.range(1));
    auto sv = StateVector<Real>::create(n).value();
    const auto m =
        circuit::gate_matrix(circuit::GateKind::kU, std::vector<double>{0.3, 0.2, 0.1}).value();
    for (auto _ : state) {
        sv.apply_1q(m, q);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * 2 * static_cast<std::int64_t>(sv.size()) *
                            static_cast<std::int64_t>(sizeof(std::complex<Real>)));
    state.SetLabel(std::string(simd_level()) + " q=" + std::to_string(q));
}

template <typename Real>
void BM_Apply2q(benchmark::State& state) {
    const auto n = static_cast<unsigned>(state.range(0));
    const unsigned q0 = state.range(1) == 0 ? 0u : n / 2;
    const unsigned q1 = state.range(1) == 0 ? 1u : n - 1;
    auto sv = StateVector<Real>::create(n).value();
    const auto m =
        circuit::gate_matrix(circuit::GateKind::kCU, std::vector<double>{0.3, 0.2, 0.1, 0.4})
            .value();
    for (auto _ : state) {
        sv.apply_2q(m, q0, q1);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * 2 * static_cast<std::int64_t>(sv.size()) *
                            static_cast<std::int64_t>(sizeof(std::complex<Real>)));
    state.SetLabel("q=" + std::to_string(q0) + "," + std::to_string(q1));
}

template <typename Real>
void BM_ApplyMatrix(benchmark::State& state) {
    const auto n = static_cast<unsigned>(state.range(0));
    const auto k = static_cast<unsigned>(state.range(1));
    auto sv = StateVector<Real>::create(n).value();
    circuit::Matrix m = circuit::Matrix::identity(1 << k);
    for (auto& c : m.data) c += std::complex<double>(0.01, 0.02);
    std::vector<unsigned> qs;
    for (unsigned b = 0; b < k; ++b) qs.push_back(n - 1 - 2 * b);
    for (auto _ : state) {
        sv.apply_matrix(m, qs);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * 2 * static_cast<std::int64_t>(sv.size()) *
                            static_cast<std::int64_t>(sizeof(std::complex<Real>)));
}

template <typename Real>
void BM_Diagonal(benchmark::State& state) {
    const auto n = static_cast<unsigned>(state.range(0));
    auto sv = StateVector<Real>::create(n).value();
    const std::vector<std::complex<double>> d = {std::polar(1.0, -0.1), std::polar(1.0, 0.1)};
    const unsigned qs[1] = {n / 2};
    for (auto _ : state) {
        sv.apply_diagonal(d, qs);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * 2 * static_cast<std::int64_t>(sv.size()) *
                            static_cast<std::int64_t>(sizeof(std::complex<Real>)));
}

// STREAM-like probes over 2^26 doubles per array (512 MiB, far beyond L3). range(0): 0 = in-place
// read-modify-write (a gate pass's pattern; counts read + write), 1 = copy, 2 = triad (STREAM
// counting: no write-allocate).
void BM_MemoryBandwidth(benchmark::State& state) {
    const std::size_t n = std::size_t{1} << 26;
    const auto kind = state.range(0);
    auto alloc = [n] {
        auto* p = static_cast<double*>(std::aligned_alloc(64, n * sizeof(double)));
        const auto sn = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static)
        for (std::int64_t i = 0; i < sn; ++i) p[i] = 1.0;
        return p;
    };
    double* a = alloc();
    double* b = kind >= 1 ? alloc() : nullptr;
    double* c = kind >= 2 ? alloc() : nullptr;
    const auto sn = static_cast<std::int64_t>(n);
    for (auto _ : state) {
        if (kind == 0) {
#pragma omp parallel for schedule(static)
            for (std::int64_t i = 0; i < sn; ++i) a[i] = a[i] * 0.999 + 0.001;
        } else if (kind == 1) {
#pragma omp parallel for schedule(static)
            for (std::int64_t i = 0; i < sn; ++i) b[i] = a[i];
        } else {
#pragma omp parallel for schedule(static)
            for (std::int64_t i = 0; i < sn; ++i) a[i] = b[i] + 0.5 * c[i];
        }
        benchmark::ClobberMemory();
    }
    const std::int64_t arrays = kind == 2 ? 3 : 2;
    state.SetBytesProcessed(state.iterations() * arrays * sn *
                            static_cast<std::int64_t>(sizeof(double)));
    state.SetLabel(kind == 0 ? "rmw" : kind == 1 ? "copy" : "triad");
    std::free(a);
    std::free(b);
    std::free(c);
}

BENCHMARK(BM_MemoryBandwidth)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Apply1q, double)
    ->ArgsProduct({{20, 24, 26}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_Apply1q, float)
    ->ArgsProduct({{24, 26}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_Apply2q, double)
    ->ArgsProduct({{20, 24, 26}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_ApplyMatrix, double)
    ->ArgsProduct({{24}, {3, 4, 5}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_Diagonal, double)
    ->Arg(20)
    ->Arg(24)
    ->Arg(26)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_MemoryBandwidth)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Name("BM_MemoryBandwidth_again");

}  // namespace
}  // namespace qrt::sim
