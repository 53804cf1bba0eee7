// Benchmarks of the scheduler's hot path: one scheduling decision with a deep queue (goal: under
// 5 us with 100 000 queued jobs over 10 000 instances), how that cost grows with the queue, and
// the forecast (rule V1), which replays a copy of the whole queue.
#include "sched/scheduler.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/rng.h"
#include "base/time.h"

namespace qrt::sched {
namespace {

using namespace std::chrono_literals;

constexpr int kJobsPerInstance = 10;
constexpr int kUsersPerInstance = 3;

// One backend, `queued` jobs spread over queued / 10 instances with random shares, one job
// running. Each next() finishes the running job (the backend picks and starts the next one) and
// submits a new job, so the queue keeps its size.
class DeepQueue {
public:
    explicit DeepQueue(int queued) : rng_(20260101) {
        Settings settings;
        settings.retain_final_jobs = false;  // bounded memory over millions of iterations
        sched_ = std::make_unique<Scheduler>(settings, now_);
        (void)sched_->add_backend({"qpu", 127});
        for (int u = 0; u < kUsersPerInstance; ++u) users_.push_back(fmt::format("user-{}", u));
        for (int i = 0; i < queued / kJobsPerInstance; ++i) {
            instances_.push_back(fmt::format("instance-{}", i));
            InstanceSpec in;
            in.name = instances_.back();
            in.share = 0.1 + 10 * rng_.uniform();
            (void)sched_->add_instance(in);
        }
        // submit round-robin so that every instance has a queue; the first job starts at once
        for (int k = 0; k <= queued; ++k) submit();
        (void)sched_->take_decisions();
        running_ = *sched_->running_job("qpu");
    }

    // Reports the running job finished: one scheduling decision.
    void finish() {
        now_ += 1s;
        (void)sched_->job_finished(now_, running_, JobOutcome::kCompleted);
        for (const Decision& d : sched_->take_decisions()) {
            if (d.kind == DecisionKind::kStartJob) running_ = d.job;
        }
    }

    void submit() {
        JobSpec j;
        j.id = fmt::format("job-{}", next_++);
        j.backend = "qpu";
        j.instance = instances_[static_cast<std::size_t>(
            rng_.uniform_int(0, static_cast<std::int64_t>(instances_.size()) - 1))];
        j.user = users_[static_cast<std::size_t>(rng_.uniform_int(0, kUsersPerInstance - 1))];
        j.estimated_duration = seconds_d(10 + 110 * rng_.uniform());
        (void)sched_->submit_job(now_, j);
    }

    Scheduler& sched() { return *sched_; }

private:
    Rng rng_;
    std::vector<std::string> instances_, users_;
    Timestamp now_ = VirtualClock::kDefaultStart;
    std::unique_ptr<Scheduler> sched_;
    std::string running_;
    std::uint64_t next_ = 0;
};

// Built once per size: Google Benchmark calls a benchmark several times while it settles on an
// iteration count, and building 100 000 jobs each time would dominate the run.
DeepQueue& deep_queue(int queued) {
    static std::map<int, std::unique_ptr<DeepQueue>> cache;
    auto& q = cache[queued];
    if (!q) q = std::make_unique<DeepQueue>(queued);
    return *q;
}

// One decision plus one submission per iteration (the queue keeps its size).
void BM_DecisionAndSubmit(benchmark::State& state) {
    DeepQueue& q = deep_queue(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        q.finish();
        q.submit();
    }
    state.SetComplexityN(state.range(0));
    state.counters["queued"] = q.sched().queued_jobs("qpu");
}
BENCHMARK(BM_DecisionAndSubmit)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Complexity();

// The decision alone: the submission that keeps the queue full runs with the timer paused
// (PauseTiming itself costs a few hundred nanoseconds, counted in neither part).
void BM_DecisionOnly(benchmark::State& state) {
    DeepQueue& q = deep_queue(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        q.finish();
        state.PauseTiming();
        q.submit();
        state.ResumeTiming();
    }
    state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_DecisionOnly)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Complexity();

// The submission alone, for the difference.
void BM_SubmitOnly(benchmark::State& state) {
    DeepQueue& q = deep_queue(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        q.submit();
        state.PauseTiming();
        q.finish();
        state.ResumeTiming();
    }
    state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_SubmitOnly)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Complexity();

// rule V1: positions and estimated starts of every queued job (a replay of a copy).
void BM_Forecast(benchmark::State& state) {
    DeepQueue& q = deep_queue(static_cast<int>(state.range(0)));
    std::size_t n = 0;
    for (auto _ : state) {
        auto fc = q.sched().forecast();
        n = fc.size();
        benchmark::DoNotOptimize(fc);
    }
    state.counters["jobs"] = static_cast<double>(n);
    state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_Forecast)->Arg(1'000)->Arg(10'000)->Unit(benchmark::kMillisecond)->Complexity();

}  // namespace
}  // namespace qrt::sched
