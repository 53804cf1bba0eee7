// Benchmarks of the SQLite store on the local disk (the file lives in $TMPDIR, else /tmp):
//   - durable job submissions per second (insert_job, synchronous=FULL), with 1, 8 and 32
//     concurrent submitters: group commit should make many submitters share each fsync (goal:
//     >= 1000 durable submissions/s with concurrent submitters);
//   - get_job latency on a store of 10 000 jobs;
//   - list_jobs on a store of 100 000 jobs, with the filters the API uses.
// Counters: ops_per_commit is the average group size of the writer during the run.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "base/rng.h"
#include "store/sqlite_store.h"

namespace qrt::store {
namespace {

constexpr int kInstances = 100;
// The store logs each file it creates; benchmarks make many.
const bool kQuiet = (set_log_level(LogLevel::kWarn), true);
constexpr int kBackends = 5;

std::string temp_root() {
    static std::string root = [] {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "qrt-store-bench-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) std::abort();
        std::atexit([] { std::filesystem::remove_all(temp_root()); });
        return pattern;
    }();
    return root;
}

std::string crn(int i) {
    return fmt::format("crn:v1:bluemix:public:quantum-computing:us-east:a/b:i{}::", i);
}

// A typical small sampler submission: about 2 kB of params.
JobRecord submission(std::uint64_t n, Rng& rng) {
    JobRecord j;
    j.id = fmt::format("job_{:016x}", n);
    int inst = static_cast<int>(rng.uniform_int(0, kInstances - 1));
    j.user_id = fmt::format("usr_{}", inst);
    j.instance = crn(inst);
    j.backend = fmt::format("emu_{}", rng.uniform_int(0, kBackends - 1));
    j.program_id = "sampler";
    j.params_json = std::string(2000, 'p');
    j.created = from_micros(1'767'225'600'000'000LL + static_cast<std::int64_t>(n) * 1000);
    if (rng.bernoulli(0.3)) j.tags = {"exp-" + std::to_string(rng.uniform_int(0, 20))};
    if (rng.bernoulli(0.1)) j.session_id = fmt::format("ses_{}", rng.uniform_int(0, 500));
    static const char* kStatuses[] = {"Completed", "Completed", "Completed", "Failed",
                                      "Cancelled", "Queued",    "Running"};
    j.status = kStatuses[rng.uniform_int(0, 6)];
    return j;
}

std::unique_ptr<SqliteStore> open_or_die(const std::string& path, bool durable) {
    SqliteOptions options;
    options.durable = durable;
    auto s = open_sqlite_store(path, options);
    if (!s.ok()) {
        fmt::print(stderr, "open {}: {}\n", path, s.status().to_string());
        std::abort();
    }
    return std::move(*s);
}

// Fills a store with `n` jobs quickly (no fsync, many writers), then reopens it durably.
std::unique_ptr<SqliteStore> filled_store(const std::string& name, int n) {
    std::string path = temp_root() + "/" + name;
    {
        auto s = open_or_die(path, /*durable=*/false);
        std::atomic<std::uint64_t> next{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 16; ++t) {
            threads.emplace_back([&, t] {
                Rng rng(static_cast<std::uint64_t>(t) + 1);
                for (std::uint64_t i; (i = next++) < static_cast<std::uint64_t>(n);) {
                    if (!s->insert_job(submission(i, rng)).ok()) std::abort();
                }
            });
        }
        for (auto& th : threads) th.join();
    }
    return open_or_die(path, /*durable=*/true);
}

// --- durable submissions

std::unique_ptr<SqliteStore> g_insert_store;
std::atomic<std::uint64_t> g_next_id{0};
WriterStats g_before;

void BM_durable_insert(benchmark::State& state) {
    if (state.thread_index() == 0) {
        g_insert_store = open_or_die(fmt::format("{}/insert-{}.db", temp_root(), state.threads()),
                                     /*durable=*/true);
        g_before = g_insert_store->writer_stats();
    }
    Rng rng(1000 + static_cast<std::uint64_t>(state.thread_index()));
    for (auto _ : state) {
        if (!g_insert_store->insert_job(submission(g_next_id++, rng)).ok()) {
            state.SkipWithError("insert failed");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0) {
        WriterStats after = g_insert_store->writer_stats();
        double commits = static_cast<double>(after.commits - g_before.commits);
        double ops = static_cast<double>(after.operations - g_before.operations);
        state.counters["ops_per_commit"] = commits > 0 ? ops / commits : 0;
        state.counters["largest_group"] = static_cast<double>(after.largest_group);
        g_insert_store.reset();
    }
}
BENCHMARK(BM_durable_insert)->Threads(1)->Threads(8)->Threads(32)->UseRealTime();

// --- reads

SqliteStore& store_10k() {
    static auto s = filled_store("10k.db", 10'000);
    return *s;
}

void BM_get_job(benchmark::State& state) {
    bool with_params = state.range(0) != 0;
    SqliteStore& s = store_10k();
    Rng rng(7);
    for (auto _ : state) {
        auto j = s.get_job(fmt::format("job_{:016x}", rng.uniform_int(0, 9'999)), with_params);
        if (!j.ok()) {
            state.SkipWithError("get_job failed");
            break;
        }
        benchmark::DoNotOptimize(j);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_get_job)->ArgName("with_params")->Arg(0)->Arg(1);

SqliteStore& store_100k() {
    static auto s = filled_store("100k.db", 100'000);
    return *s;
}

// Filter shapes, by state.range(0).
JobFilter list_filter(int shape, Rng& rng) {
    JobFilter f;
    f.limit = 10;
    switch (shape) {
        case 0:  // a user's default listing: their instance, newest first
            f.instances = {crn(static_cast<int>(rng.uniform_int(0, kInstances - 1)))};
            break;
        case 1:  // an admin listing everything
            break;
        case 2:  // pending jobs on one backend, in three instances
            for (int i = 0; i < 3; ++i) {
                f.instances.push_back(crn(static_cast<int>(rng.uniform_int(0, kInstances - 1))));
            }
            f.backend = fmt::format("emu_{}", rng.uniform_int(0, kBackends - 1));
            f.pending = true;
            break;
        case 3:  // by tag within an instance
            f.instances = {crn(static_cast<int>(rng.uniform_int(0, kInstances - 1)))};
            f.tags = {"exp-" + std::to_string(rng.uniform_int(0, 20))};
            break;
        case 4:  // a deep page (offset 5 000) of everything, oldest first
            f.ascending = true;
            f.offset = 5'000;
            break;
    }
    return f;
}

void BM_list_jobs_100k(benchmark::State& state) {
    SqliteStore& s = store_100k();
    Rng rng(11);
    std::size_t rows = 0;
    for (auto _ : state) {
        auto page = s.list_jobs(list_filter(static_cast<int>(state.range(0)), rng));
        if (!page.ok()) {
            state.SkipWithError("list_jobs failed");
            break;
        }
        rows += page->count;
        benchmark::DoNotOptimize(page);
    }
    state.counters["avg_count"] =
        state.iterations() > 0 ? static_cast<double>(rows) / static_cast<double>(state.iterations())
                               : 0;
    state.SetLabel(std::vector<const char*>{
        "user instance", "admin all", "pending backend 3 inst", "tag in instance",
        "offset 5000 asc"}[static_cast<std::size_t>(state.range(0))]);
}
BENCHMARK(BM_list_jobs_100k)->ArgName("shape")->DenseRange(0, 4)->Unit(benchmark::kMicrosecond);

void BM_pending_jobs_100k(benchmark::State& state) {
    SqliteStore& s = store_100k();
    for (auto _ : state) {
        auto jobs = s.pending_jobs();
        benchmark::DoNotOptimize(jobs);
        state.counters["jobs"] = static_cast<double>(jobs.size());
    }
}
BENCHMARK(BM_pending_jobs_100k)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace qrt::store
