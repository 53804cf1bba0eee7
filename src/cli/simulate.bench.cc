// Benchmarks of `qrt simulate` on small workloads (bench/simulate_million.sh times the big one).
#include "cli/simulate.h"

#include <benchmark/benchmark.h>

#include <string>

#include "cli/report.h"
#include "cli/workload.h"

namespace qrt::cli {
namespace {

Workload load(const char* name) {
    auto w = load_workload(std::string(QRT_SOURCE_DIR) + "/examples/workloads/" + name);
    if (!w.ok()) std::abort();
    return *w;
}

// A week of a saturated backend shared 1:2:4 (about 20 000 jobs, 10 000 run).
void BM_SimulateFairnessWeek(benchmark::State& state) {
    Workload w = load("fairness_window.json");
    std::uint64_t jobs = 0;
    for (auto _ : state) {
        auto r = simulate(w);
        benchmark::DoNotOptimize(r);
        jobs += r->submitted;
    }
    state.counters["jobs/s"] =
        benchmark::Counter(static_cast<double>(jobs), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulateFairnessWeek)->Unit(benchmark::kMillisecond);

// Many jobs on 10 backends and 300 instances, cut to `range(0)` simulated days.
void BM_SimulateMillionPrefix(benchmark::State& state) {
    Workload w = load("million_jobs.json");
    w.horizon = std::chrono::hours(24) * state.range(0);
    std::uint64_t jobs = 0;
    for (auto _ : state) {
        auto r = simulate(w);
        benchmark::DoNotOptimize(r);
        jobs += r->submitted;
    }
    state.counters["jobs/s"] =
        benchmark::Counter(static_cast<double>(jobs), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulateMillionPrefix)->Arg(2)->Arg(8)->Unit(benchmark::kMillisecond);

void BM_ParseAndReport(benchmark::State& state) {
    Workload w = load("session_vs_job_session.json");
    auto r = simulate(w);
    for (auto _ : state) {
        std::string json = format_json(*r);
        std::string table = format_table(*r);
        benchmark::DoNotOptimize(json);
        benchmark::DoNotOptimize(table);
    }
}
BENCHMARK(BM_ParseAndReport);

}  // namespace
}  // namespace qrt::cli
