// The hot path of the API in-process: GET /api/v1/jobs/{id}?exclude_params=true through
// Api::handle (route, auth, rate limit, runtime call, JSON), against FakeRuntime, with a Bearer
// token and with an API key. The over-the-wire figure (wrk on loopback) is in docs/performance.md.
#include "api/api.h"

#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>

#include "api/fake_runtime.h"

namespace qrt::api {
namespace {

void get_job(benchmark::State& state, bool with_token) {
    SystemClock clock;
    testing::FakeRuntime runtime(clock);
    ServerConfig config;
    config.rate_limit_per_s = 0;  // measure the handler, not the limiter's refusals
    Api api(config, runtime, clock);
    auto call = [&](Method m, std::string_view target, std::string_view body,
                    std::string_view auth) {
        HttpRequest r;
        r.method = m;
        r.target = target;
        r.body = body;
        r.authorization = auth;
        r.peer = "127.0.0.1";
        return api.handle(r);
    };
    const HttpResponse submitted = call(
        Method::kPost, "/api/v1/jobs",
        R"({"program_id":"sampler","backend":"emu_small5","params":{"pubs":[[1]],"version":2}})",
        "apikey alice-key");
    const std::string id(boost::json::parse(submitted.body).at("id").as_string());
    std::string auth = "apikey alice-key";
    if (with_token) {
        const HttpResponse t = call(Method::kPost, "/identity/token", "apikey=alice-key", "");
        auth = "Bearer " + std::string(boost::json::parse(t.body).at("access_token").as_string());
    }
    const std::string target = "/api/v1/jobs/" + id + "?exclude_params=true";
    for (auto _ : state) {
        HttpResponse r = call(Method::kGet, target, "", auth);
        if (r.status != 200) state.SkipWithError("request failed");
        benchmark::DoNotOptimize(r.body.data());
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_GetJobBearer(benchmark::State& state) { get_job(state, true); }
void BM_GetJobApiKey(benchmark::State& state) { get_job(state, false); }
BENCHMARK(BM_GetJobBearer);
BENCHMARK(BM_GetJobApiKey);

}  // namespace
}  // namespace qrt::api
