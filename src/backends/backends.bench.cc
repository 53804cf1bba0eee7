// What a calibration and a timing estimate cost: drawing (and round-tripping through JSON) the
// calibration of the default 127- and 133-qubit devices, and the critical path of a layered
// 127-qubit ISA circuit (100 layers of sx on every qubit and ecr on every edge).
#include <benchmark/benchmark.h>

#include "backends/device.h"
#include "backends/timing.h"
#include "backends/topology.h"

namespace {

using namespace qrt;
using namespace qrt::backends;

DeviceSpec spec_named(std::string_view name) {
    for (const DeviceSpec& s : default_device_specs()) {
        if (s.name == name) return s;
    }
    return {};
}

void BM_draw_calibration(benchmark::State& state, std::string_view name) {
    const DeviceSpec spec = spec_named(name);
    std::uint64_t seed = 1;
    for (auto _ : state) {
        auto t = draw_device_target(spec, seed++, SystemClock().now());
        benchmark::DoNotOptimize(t);
    }
}
BENCHMARK_CAPTURE(BM_draw_calibration, eagle127, "emu_eagle127")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_draw_calibration, heron133, "emu_heron133")->Unit(benchmark::kMillisecond);

void BM_critical_path_eagle_layers(benchmark::State& state) {
    const DeviceSpec spec = spec_named("emu_eagle127");
    auto target = draw_device_target(spec, 1, SystemClock().now());
    auto edges = coupling_edges(Topology::kHeavyHex, 127);
    if (!target.ok() || !edges.ok()) {
        state.SkipWithError("no target");
        return;
    }
    circuit::Circuit c(127, 0);
    for (int layer = 0; layer < 100; ++layer) {
        for (std::uint32_t q = 0; q < 127; ++q) (void)c.append(circuit::GateKind::kSX, {q});
        for (const auto& [a, b] : *edges) (void)c.append(circuit::GateKind::kECR, {a, b});
    }
    for (auto _ : state) benchmark::DoNotOptimize(critical_path_seconds(c, *target));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(c.size()));
}
BENCHMARK(BM_critical_path_eagle_layers)->Unit(benchmark::kMillisecond);

}  // namespace
