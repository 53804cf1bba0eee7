// Runtime throughput without HTTP, on the real SQLite store (synchronous=FULL) and a FakeBackend
// that finishes jobs at once: durable submissions per second (one thread and many: concurrent
// submitters share commits), reads of a final job, and the submit-to-final latency of a job in
// an active session (what the API adds on top is measured by bench/).
#include "runtime/runtime.h"

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <mutex>

#include "runtime/testing/fake_backend.h"

namespace qrt::runtime {
namespace {

using namespace std::chrono_literals;

struct Env {
    std::string root;
    SystemClock clock;
    std::unique_ptr<Runtime> rt;
    Caller admin;
    testing::FakeBackend* dev = nullptr;

    Env() {
        root = (std::filesystem::temp_directory_path() / "qrt_runtime_bench_XXXXXX").string();
        if (::mkdtemp(root.data()) == nullptr) std::abort();
        Config config;
        config.data_dir = root;
        config.max_pending_jobs_per_user = 100'000'000;
        auto store = store::open_sqlite_store(root + "/qrt.db");
        testing::FakeBackend::Options o;
        o.name = "dev";
        o.blocking = false;
        auto b = std::make_unique<testing::FakeBackend>(o);
        dev = b.get();
        o.name = "held";  // paused: submissions only queue
        std::vector<std::unique_ptr<backends::Backend>> bs;
        bs.push_back(std::move(b));
        bs.push_back(std::make_unique<testing::FakeBackend>(o));
        auto opened = Runtime::open_with(config, clock, std::move(store).value(), std::move(bs));
        if (!opened.ok()) std::abort();
        rt = std::move(opened).value();
        admin = *rt->authenticate_api_key(*rt->first_start_admin_key(), "");
        if (!rt->start().ok() || !rt->pause_backend(admin, "held").ok()) std::abort();
    }
    ~Env() {
        rt.reset();
        std::filesystem::remove_all(root);
    }
};

Env& env() {
    static Env* e = new Env();  // shared by all benchmarks and threads; never destroyed
    return *e;
}

SubmitRequest request(const std::string& session = "", const std::string& backend = "dev") {
    SubmitRequest r;
    r.program_id = "sampler";
    r.params_json = R"({"pubs":[["OPENQASM 3.0;",null,100]],"version":2})";
    r.backend = backend;
    r.session_id = session;
    return r;
}

void BM_SubmitDurable(benchmark::State& state) {
    Env& e = env();
    for (auto _ : state) {
        auto v = e.rt->submit_job(e.admin, request("", "held"));
        if (!v.ok()) state.SkipWithError(v.status().to_string().c_str());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SubmitDurable)->Threads(1)->Threads(4)->Threads(16)->UseRealTime();

void BM_GetFinalJob(benchmark::State& state) {
    Env& e = env();
    static std::once_flag once;
    static std::string id;
    std::call_once(once, [&] {
        id = e.rt->submit_job(e.admin, request())->record.id;
        (void)e.rt->wait_job(id, 60s);
    });
    for (auto _ : state) {
        auto v = e.rt->get_job(e.admin, id, false);
        benchmark::DoNotOptimize(v);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetFinalJob)->Threads(1)->Threads(4)->UseRealTime();

void BM_SessionJobSubmitToFinal(benchmark::State& state) {
    Env& e = env();
    auto s = e.rt->create_session(e.admin, "dev", sched::SessionMode::kDedicated, {});
    const std::string sid = s->record.id;
    (void)e.rt->wait_job(e.rt->submit_job(e.admin, request(sid))->record.id, 60s);  // activate
    for (auto _ : state) {
        auto v = e.rt->submit_job(e.admin, request(sid));
        (void)e.rt->wait_job(v->record.id, 60s);
    }
    (void)e.rt->cancel_session(e.admin, sid);
}
BENCHMARK(BM_SessionJobSubmitToFinal)->UseRealTime();

}  // namespace
}  // namespace qrt::runtime
