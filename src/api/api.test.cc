// Api in-process, against FakeRuntime on a virtual clock: every route's happy path and JSON
// shape (the fields the Python client reads), auth, the error table, and that bad input changes
// nothing. The socket-level behaviour is in server.test.cc.
#include "api/api.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/api_internal.h"
#include "api/auth.h"
#include "api/fake_runtime.h"
#include "base/log.h"

namespace qrt::api {
namespace {

using testing::FakeRuntime;
using testing::kInstanceA;
using testing::kInstanceB;

constexpr std::string_view kAlice = "apikey alice-key";
constexpr std::string_view kBob = "apikey bob-key";
constexpr std::string_view kAdmin = "apikey admin-key";

constexpr std::string_view kParams =
    R"({"pubs":[[{"__type__":"QuantumCircuit","__value__":"eJzLSM3JyQcABiwCFQ=="},null,8]],)"
    R"("options":{},"version":2,"support_qiskit":true})";

std::string submit_body(std::string_view backend = "emu_small5", std::string_view extra = "") {
    return fmt::format(R"({{"program_id":"sampler","backend":"{}","params":{}{}}})", backend,
                       kParams, extra);
}

class ApiTest : public ::testing::Test {
protected:
    ApiTest() { config_.rate_limit_per_s = 0; }

    Api& api() {
        if (!api_) api_ = std::make_unique<Api>(config_, runtime_, clock_);
        return *api_;
    }

    HttpResponse call(Method method, const std::string& target, const std::string& body = "",
                      std::string_view auth = kAlice, const std::string& crn = "",
                      const std::string& version = "", const std::string& request_id = "") {
        HttpRequest r;
        r.method = method;
        r.target = target;
        r.body = body;
        r.authorization = auth;
        r.service_crn = crn;
        r.api_version = version;
        r.request_id = request_id;
        r.peer = "127.0.0.1";
        return api().handle(r);
    }

    static boost::json::value json(const HttpResponse& r) {
        EXPECT_EQ(r.content_type, kJsonType) << r.body;
        return boost::json::parse(r.body);
    }

    static std::string message(const HttpResponse& r) {
        return std::string(boost::json::parse(r.body).at("error").at("message").as_string());
    }

    std::string submit(std::string_view auth = kAlice, const std::string& extra = "") {
        HttpResponse r =
            call(Method::kPost, "/api/v1/jobs", submit_body("emu_small5", extra), auth);
        EXPECT_EQ(r.status, 200) << r.body;
        return std::string(json(r).at("id").as_string());
    }

    std::string token_for(std::string_view key) {
        HttpResponse r = call(Method::kPost, "/identity/token",
                              fmt::format("grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3A"
                                          "apikey&apikey={}&response_type=cloud_iam",
                                          key),
                              "");
        EXPECT_EQ(r.status, 200) << r.body;
        return std::string(json(r).at("access_token").as_string());
    }

    VirtualClock clock_;
    FakeRuntime runtime_{clock_};
    ServerConfig config_;
    std::unique_ptr<Api> api_;
};

// ------------------------------------------------------------------ routing, auth, errors

TEST_F(ApiTest, health_needs_no_credentials) {
    HttpResponse r = call(Method::kGet, "/health", "", "");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "ok");
    EXPECT_EQ(r.content_type, kTextType);
}

TEST_F(ApiTest, unknown_route_is_404_and_wrong_method_405_with_allow) {
    HttpResponse r = call(Method::kGet, "/api/v1/nothing");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(json(r).at("errors").at(0).at("code").as_string(), "not_found");
    r = call(Method::kPost, "/api/v1/backends");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.allow, "GET");
    r = call(Method::kOther, "/api/v1/jobs/x");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.allow, "GET, DELETE");
}

TEST_F(ApiTest, missing_credentials_are_401_with_the_error_body) {
    HttpResponse r = call(Method::kGet, "/api/v1/backends", "", "", "", "", "my-trace-1");
    EXPECT_EQ(r.status, 401);
    const boost::json::value v = json(r);
    EXPECT_EQ(v.at("errors").at(0).at("code").as_string(), "unauthenticated");
    EXPECT_EQ(v.at("status_code").as_int64(), 401);
    EXPECT_EQ(v.at("trace").as_string(), "my-trace-1");
    EXPECT_EQ(r.request_id, "my-trace-1");
    EXPECT_NE(message(r).find("Authorization"), std::string::npos);
}

TEST_F(ApiTest, unsafe_request_ids_are_replaced) {
    HttpResponse r = call(Method::kGet, "/health", "", "", "", "", "bad id\r\nX-Evil: 1");
    EXPECT_EQ(r.request_id.find(' '), std::string::npos);
    EXPECT_EQ(r.request_id.rfind("req_", 0), 0U) << r.request_id;
    HttpResponse r2 = call(Method::kGet, "/health", "", "");
    EXPECT_NE(r.request_id, r2.request_id);
}

TEST_F(ApiTest, bad_api_key_and_bad_scheme_are_401) {
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", "apikey nope").status, 401);
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", "Basic YTpi").status, 401);
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", "Bearer a.b.c").status, 401);
}

TEST_F(ApiTest, service_crn_selects_an_instance_the_user_must_belong_to) {
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", kAlice, kInstanceA).status, 200);
    HttpResponse r = call(Method::kGet, "/api/v1/backends", "", kAlice, kInstanceB);
    EXPECT_EQ(r.status, 403) << r.body;
    r = call(Method::kGet, "/api/v1/backends", "", kAlice, "crn\r\nx");
    EXPECT_EQ(r.status, 400);
}

// ------------------------------------------------------------------ token endpoint

TEST_F(ApiTest, token_endpoint_returns_a_jwt_pyjwt_can_read) {
    HttpResponse r = call(Method::kPost, "/identity/token",
                          "grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey&apikey="
                          "alice-key&response_type=cloud_iam",
                          "");
    ASSERT_EQ(r.status, 200) << r.body;
    const boost::json::value v = json(r);
    EXPECT_EQ(v.at("token_type").as_string(), "Bearer");
    EXPECT_EQ(v.at("expires_in").as_int64(), 3600);
    EXPECT_FALSE(v.at("refresh_token").as_string().empty());
    const std::string token(v.at("access_token").as_string());
    Result<TokenClaims> claims = verify_token(token, testing::kTokenSecret, clock_.now());
    ASSERT_TRUE(claims.ok()) << claims.status().message();
    EXPECT_EQ(claims->subject, "usr_alice");
    EXPECT_EQ(
        v.at("expiration").as_int64(),
        std::chrono::floor<std::chrono::seconds>(claims->expires_at.time_since_epoch()).count());
    // The payload carries iat and exp as numbers (ibm-cloud-sdk-core reads both).
    const std::string payload =
        base64url_decode(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1))
            .value();
    const boost::json::value p = boost::json::parse(payload);
    EXPECT_TRUE(p.at("iat").is_int64());
    EXPECT_TRUE(p.at("exp").is_int64());
}

TEST_F(ApiTest, token_endpoint_accepts_json_bodies) {
    HttpResponse r = call(Method::kPost, "/identity/token", R"({"apikey":"bob-key"})", "");
    EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ApiTest, token_endpoint_refuses_bad_keys_like_iam) {
    HttpResponse r = call(Method::kPost, "/identity/token", "apikey=wrong", "");
    EXPECT_EQ(r.status, 400);
    const boost::json::value v = json(r);
    EXPECT_EQ(v.at("errorCode").as_string(), "BXNIM0415E");
    EXPECT_EQ(v.at("error").at("message").as_string(), "Provided API key could not be found.");
    EXPECT_EQ(
        call(Method::kPost, "/identity/token", "grant_type=password&apikey=alice-key", "").status,
        400);
    EXPECT_EQ(call(Method::kPost, "/identity/token", "", "").status, 400);
    EXPECT_EQ(call(Method::kPost, "/identity/token", "apikey=%zz", "").status, 400);
    EXPECT_EQ(call(Method::kPost, "/identity/token", "{\"apikey\": 5}", "").status, 400);
}

TEST_F(ApiTest, bearer_tokens_authenticate_until_they_expire) {
    const std::string token = token_for("alice-key");
    const std::string bearer = "Bearer " + token;
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", bearer).status, 200);
    clock_.advance(std::chrono::minutes(59));
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", bearer).status, 200);
    clock_.advance(std::chrono::minutes(2));
    HttpResponse r = call(Method::kGet, "/api/v1/backends", "", bearer);
    EXPECT_EQ(r.status, 401);
    EXPECT_NE(message(r).find("expired"), std::string::npos) << r.body;
}

TEST_F(ApiTest, a_cached_token_is_not_served_past_its_expiry) {
    const std::string bearer = "Bearer " + token_for("alice-key");
    clock_.advance(std::chrono::minutes(60) - std::chrono::milliseconds(500));
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", bearer).status, 200);  // cached now
    clock_.advance(std::chrono::milliseconds(600));  // within the cache second, past exp
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", bearer).status, 401);
}

TEST_F(ApiTest, tampered_tokens_are_refused) {
    std::string token = token_for("alice-key");
    token[token.size() - 3] = token[token.size() - 3] == 'x' ? 'y' : 'x';
    HttpResponse r = call(Method::kGet, "/api/v1/backends", "", "Bearer " + token);
    EXPECT_EQ(r.status, 401);
}

TEST_F(ApiTest, bearer_without_dots_is_an_api_key) {
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", "Bearer alice-key").status, 200);
}

TEST_F(ApiTest, callers_are_cached_for_a_second) {
    const int before = runtime_.auth_calls.load();
    for (int i = 0; i < 5; ++i) ASSERT_EQ(call(Method::kGet, "/api/v1/backends").status, 200);
    EXPECT_EQ(runtime_.auth_calls.load(), before + 1);
    clock_.advance(std::chrono::seconds(2));
    ASSERT_EQ(call(Method::kGet, "/api/v1/backends").status, 200);
    EXPECT_EQ(runtime_.auth_calls.load(), before + 2);
}

TEST_F(ApiTest, rate_limit_answers_429_with_retry_after) {
    config_.rate_limit_per_s = 1;
    config_.rate_burst = 2;
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends").status, 200);
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends").status, 200);
    HttpResponse r = call(Method::kGet, "/api/v1/backends");
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.retry_after_s, 1);
    EXPECT_EQ(json(r).at("errors").at(0).at("code").as_string(), "resource_exhausted");
    // Another user has their own bucket.
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", kBob).status, 200);
    clock_.advance(std::chrono::seconds(1));
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends").status, 200);
}

TEST_F(ApiTest, failed_credentials_are_rate_limited_by_peer) {
    config_.rate_limit_per_s = 1;
    config_.rate_burst = 2;
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", "apikey guess1").status, 401);
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", "apikey guess2").status, 401);
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", "apikey guess3").status, 429);
}

// ------------------------------------------------------------------ backends and usage

TEST_F(ApiTest, backends_list_has_device_objects) {
    HttpResponse r = call(Method::kGet, "/api/v1/backends", "", kAlice, "", "2026-04-15");
    ASSERT_EQ(r.status, 200);
    const boost::json::value body = json(r);
    const boost::json::array& devices = body.at("devices").as_array();
    ASSERT_EQ(devices.size(), 2U);
    const boost::json::value& d = devices[0];
    EXPECT_EQ(d.at("name").as_string(), "emu_small5");
    EXPECT_EQ(d.at("status").at("name").as_string(), "online");
    EXPECT_EQ(d.at("qubits").as_int64(), 5);
    EXPECT_EQ(d.at("physical_qubits").as_int64(), 5);
    EXPECT_EQ(d.at("queue_length").as_int64(), 3);
    EXPECT_FALSE(d.as_object().contains("class"));  // "mock" would hide it from the client
}

TEST_F(ApiTest, old_api_versions_get_a_list_of_names) {
    HttpResponse r = call(Method::kGet, "/api/v1/backends", "", kAlice, "", "2024-01-01");
    EXPECT_EQ(boost::json::serialize(json(r)), R"({"devices":["emu_small5","sim_ideal"]})");
}

TEST_F(ApiTest, backend_configuration_and_properties_are_passed_through) {
    HttpResponse r = call(Method::kGet, "/api/v1/backends/emu_small5/configuration");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(json(r).at("backend_name").as_string(), "emu_small5");
    r = call(Method::kGet,
             "/api/v1/backends/emu_small5/properties?updated_before=2026-01-01T00:00:00Z");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(json(r).as_object().contains("qubits"));
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends/sim_ideal/properties").body, "{}");
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends/nope/configuration").status, 404);
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends/emu_small5/properties?updated_before=x").status,
              400);
    r = call(Method::kGet, "/api/v1/backends/emu_small5/configuration?calibration_id=c1");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(message(r).find("current calibration"), std::string::npos);
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends/emu_small5/defaults").body, "{}");
}

TEST_F(ApiTest, backend_names_with_odd_characters_are_400) {
    for (const std::string& name :
         std::vector<std::string>{"..", "a%2F..", "%2e%2e", "-x", std::string(200, 'a')}) {
        HttpResponse r = call(Method::kGet, "/api/v1/backends/" + name + "/status");
        EXPECT_EQ(r.status, 400) << name;
    }
}

TEST_F(ApiTest, backend_status_shape_follows_pause) {
    HttpResponse r = call(Method::kGet, "/api/v1/backends/emu_small5/status");
    ASSERT_EQ(r.status, 200);
    boost::json::value v = json(r);
    EXPECT_EQ(v.at("state").as_bool(), true);
    EXPECT_EQ(v.at("status").as_string(), "active");
    EXPECT_EQ(v.at("length_queue").as_int64(), 3);
    EXPECT_EQ(v.at("backend_version").as_string(), "1.0.0");
    EXPECT_TRUE(v.at("message").is_string());
    ASSERT_EQ(call(Method::kPost, "/api/v1/admin/backends/emu_small5/pause", "", kAdmin).status,
              204);
    v = json(call(Method::kGet, "/api/v1/backends/emu_small5/status"));
    EXPECT_EQ(v.at("state").as_bool(), false);
    EXPECT_EQ(v.at("status").as_string(), "paused");
    v = json(call(Method::kGet, "/api/v1/backends"));
    EXPECT_EQ(v.at("devices").at(0).at("status").at("name").as_string(), "paused");
    ASSERT_EQ(call(Method::kPost, "/api/v1/admin/backends/emu_small5/resume", "", kAdmin).status,
              204);
    EXPECT_FALSE(runtime_.backend_paused("emu_small5"));
}

TEST_F(ApiTest, instance_usage_omits_the_limit_when_there_is_none) {
    boost::json::value v = json(call(Method::kGet, "/api/v1/instances/usage"));
    EXPECT_EQ(v.at("instance_id").as_string(), kInstanceA);
    EXPECT_EQ(v.at("usage_consumed_seconds").as_double(), 12.5);
    EXPECT_FALSE(v.as_object().contains("usage_limit_seconds"));
    EXPECT_FALSE(v.at("usage_limit_reached").as_bool());
    v = json(call(Method::kGet, "/api/v1/instances/usage", "", kBob));
    EXPECT_EQ(v.at("usage_limit_seconds").as_double(), 100.0);
    EXPECT_EQ(v.at("usage_remaining_seconds").as_double(), 87.5);
}

// ------------------------------------------------------------------ jobs

TEST_F(ApiTest, submit_answers_id_and_backend) {
    HttpResponse r = call(Method::kPost, "/api/v1/jobs", submit_body());
    ASSERT_EQ(r.status, 200) << r.body;
    const boost::json::value v = json(r);
    EXPECT_EQ(v.at("id").as_string(), "job_0001");
    EXPECT_EQ(v.at("backend").as_string(), "emu_small5");
    const store::JobRecord job = runtime_.job("job_0001");
    EXPECT_EQ(job.program_id, "sampler");
    EXPECT_EQ(job.log_level, "WARNING");
    EXPECT_EQ(boost::json::parse(job.params_json), boost::json::parse(kParams));
}

TEST_F(ApiTest, submit_passes_every_option_through) {
    HttpResponse r =
        call(Method::kPost, "/api/v1/jobs",
             submit_body("emu_small5", R"(,"tags":["a","b"],"cost":300,"private":true,)"
                                       R"("log_level":"info","runtime":"img:1","hub":"h",)"
                                       R"("calibration_id":"c","session_id":null)"));
    ASSERT_EQ(r.status, 200) << r.body;
    const store::JobRecord job = runtime_.job("job_0001");
    EXPECT_EQ(job.tags, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(job.max_execution_time_s, 300.0);
    EXPECT_TRUE(job.is_private);
    EXPECT_EQ(job.log_level, "INFO");
    EXPECT_EQ(job.session_id, "");
}

TEST_F(ApiTest, get_job_has_the_fields_the_client_reads) {
    const std::string id = submit(kAlice, R"(,"tags":["t1"])");
    HttpResponse r = call(Method::kGet, "/api/v1/jobs/" + id + "?exclude_params=true");
    ASSERT_EQ(r.status, 200) << r.body;
    const boost::json::value v = json(r);
    EXPECT_EQ(v.at("id").as_string(), id);
    EXPECT_EQ(v.at("backend").as_string(), "emu_small5");
    EXPECT_EQ(v.at("program").at("id").as_string(), "sampler");
    EXPECT_EQ(v.at("state").at("status").as_string(), "Queued");
    EXPECT_TRUE(v.at("state").at("reason").is_null());
    EXPECT_TRUE(v.at("state").at("reason_code").is_null());
    EXPECT_EQ(v.at("status").as_string(), "Queued");
    const std::string created(v.at("created").as_string());
    EXPECT_EQ(created.size(), 27U) << created;  // 2026-01-01T00:00:00.000001Z
    EXPECT_EQ(created.back(), 'Z');
    EXPECT_TRUE(v.at("session_id").is_null());
    EXPECT_EQ(v.at("tags").at(0).as_string(), "t1");
    EXPECT_EQ(v.at("runtime").as_string(), "");
    EXPECT_EQ(v.at("private").as_bool(), false);
    EXPECT_EQ(v.at("estimated_running_time_seconds").as_double(), 1.5);
    EXPECT_TRUE(v.at("cost").is_null());
    EXPECT_FALSE(v.as_object().contains("params"));
    // qrt's extension while Queued.
    EXPECT_EQ(v.at("queue_info").at("position").as_int64(), 1);
    EXPECT_EQ(v.at("queue_info").at("rule").as_string(), "P4");
    EXPECT_TRUE(v.at("queue_info").at("estimated_start").is_string());
}

TEST_F(ApiTest, get_job_with_params_echoes_them) {
    const std::string id = submit();
    HttpResponse r = call(Method::kGet, "/api/v1/jobs/" + id);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(json(r).at("params"), boost::json::parse(kParams));
    EXPECT_EQ(call(Method::kGet, "/api/v1/jobs/" + id + "?exclude_params=maybe").status, 400);
}

TEST_F(ApiTest, final_jobs_carry_reason_and_no_queue_info) {
    const std::string id = submit();
    runtime_.finish_job(id, "Cancelled", "", "ran too long", 1305);
    const boost::json::value v = json(call(Method::kGet, "/api/v1/jobs/" + id));
    EXPECT_EQ(v.at("state").at("status").as_string(), "Cancelled");
    EXPECT_EQ(v.at("state").at("reason").as_string(), "ran too long");
    EXPECT_EQ(v.at("state").at("reason_code").as_int64(), 1305);
    EXPECT_FALSE(v.as_object().contains("queue_info"));
    EXPECT_TRUE(v.at("finished").is_string());
}

TEST_F(ApiTest, other_instances_jobs_are_not_found) {
    const std::string id = submit(kAlice);
    EXPECT_EQ(call(Method::kGet, "/api/v1/jobs/" + id, "", kBob).status, 404);
    EXPECT_EQ(call(Method::kPost, "/api/v1/jobs/" + id + "/cancel", "", kBob).status, 404);
    EXPECT_EQ(call(Method::kDelete, "/api/v1/jobs/" + id, "", kBob).status, 404);
    EXPECT_EQ(runtime_.job(id).status, "Queued");
}

TEST_F(ApiTest, malformed_job_bodies_are_400_and_store_nothing) {
    struct Case {
        std::string body;
        std::string_view expect;  // in the message
    };
    std::string deep = R"({"program_id":"sampler","backend":"emu_small5","params":{"pubs":)";
    for (int i = 0; i < 100; ++i) deep += "[";
    const Case cases[] = {
        {"", "empty"},
        {"{\"program_id\": \"sampler\",", "line 1, column 26"},
        {"{\n  \"a\": tru }", "line 2, column"},
        {"[1,2]", "must be a JSON object"},
        {R"({"program_id":"sampler","backend":"emu_small5","params":{"pubs":[]}} x)", "JSON"},
        {R"({"backend":"emu_small5","params":{"pubs":[]}})", "program_id: required"},
        {R"({"program_id":"qaoa","backend":"emu_small5","params":{"pubs":[]}})",
         "unknown program_id"},
        {R"({"program_id":7,"backend":"emu_small5","params":{}})",
         "program_id: expected a string, got a number"},
        {R"({"program_id":"sampler","backend":"emu_small5"})", "params: required"},
        {R"({"program_id":"sampler","backend":"emu_small5","params":"x"})",
         "params: expected an object"},
        {submit_body("emu_small5", R"(,"tags":["a",2])"), "tags[1]: expected a string"},
        {submit_body("emu_small5", R"(,"tags":"a")"), "tags: expected an array"},
        {submit_body("emu_small5", R"(,"tags":[""])"), "tags[0]: must be 1-256 bytes"},
        {submit_body("emu_small5", R"(,"cost":-1)"), "cost"},
        {submit_body("emu_small5", R"(,"cost":"10")"), "cost: expected a number"},
        {submit_body("emu_small5", R"(,"private":"yes")"), "private: expected a boolean"},
        {submit_body("emu_small5", R"(,"log_level":"LOUD")"), "log_level"},
        {submit_body("../etc"), "backend"},
        {submit_body("emu_small5", R"(,"session_id":"a/b")"), "session_id"},
        {deep, "JSON"},
        {"{\"program_id\":\"sampler\xff\"}", "JSON"},
        {submit_body("emu_small5", R"(,"cost":1e999)"), "cost: must be a finite number"},
    };
    for (const Case& c : cases) {
        HttpResponse r = call(Method::kPost, "/api/v1/jobs", c.body);
        EXPECT_EQ(r.status, 400) << c.body << " -> " << r.body;
        EXPECT_NE(message(r).find(c.expect), std::string::npos) << c.body << " -> " << r.body;
    }
    EXPECT_EQ(runtime_.job_count(), 0U);
}

TEST_F(ApiTest, submit_errors_from_the_runtime_use_the_table) {
    HttpResponse r = call(Method::kPost, "/api/v1/jobs", submit_body("nope"));
    EXPECT_EQ(r.status, 404);
    r = call(Method::kPost, "/api/v1/jobs",
             R"({"program_id":"sampler","backend":"emu_small5","params":{"x":1}})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(message(r), "params.pubs: required");
}

TEST_F(ApiTest, results_are_200_for_completed_and_failed_jobs) {
    const std::string done = submit();
    const std::string failed = submit();
    HttpResponse r = call(Method::kGet, "/api/v1/jobs/" + done + "/results");
    EXPECT_EQ(r.status, 409);  // still Queued
    EXPECT_NE(message(r).find("no results yet"), std::string::npos);
    runtime_.finish_job(done, "Completed", R"({"__type__":"PrimitiveResult","__value__":{}})");
    runtime_.finish_job(failed, "Failed", "", "circuit too wide");
    r = call(Method::kGet, "/api/v1/jobs/" + done + "/results");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, R"({"__type__":"PrimitiveResult","__value__":{}})");
    EXPECT_EQ(r.content_type, kJsonType);
    r = call(Method::kGet, "/api/v1/jobs/" + failed + "/results");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "\"circuit too wide\"");
}

TEST_F(ApiTest, cancel_is_204_then_409) {
    const std::string id = submit();
    HttpResponse r = call(Method::kPost, "/api/v1/jobs/" + id + "/cancel");
    EXPECT_EQ(r.status, 204);
    EXPECT_TRUE(r.body.empty());
    r = call(Method::kPost, "/api/v1/jobs/" + id + "/cancel");
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(json(r).at("errors").at(0).at("code").as_string(), "failed_precondition");
    EXPECT_EQ(call(Method::kPost, "/api/v1/jobs/nope/cancel").status, 404);
}

TEST_F(ApiTest, delete_is_204_then_404) {
    const std::string id = submit();
    EXPECT_EQ(call(Method::kDelete, "/api/v1/jobs/" + id).status, 204);
    EXPECT_EQ(call(Method::kDelete, "/api/v1/jobs/" + id).status, 404);
    EXPECT_EQ(call(Method::kGet, "/api/v1/jobs/" + id).status, 404);
}

TEST_F(ApiTest, logs_are_text_and_metrics_json) {
    const std::string id = submit();
    runtime_.finish_job(id, "Completed", "{}");
    HttpResponse r = call(Method::kGet, "/api/v1/jobs/" + id + "/logs");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, kTextType);
    EXPECT_EQ(r.body, "line one\nline two");
    r = call(Method::kGet, "/api/v1/jobs/" + id + "/metrics");
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(json(r).as_object().contains("usage"));
}

TEST_F(ApiTest, tags_put_is_exactly_204) {
    const std::string id = submit();
    HttpResponse r = call(Method::kPut, "/api/v1/jobs/" + id + "/tags", R"({"tags":["x","y"]})");
    EXPECT_EQ(r.status, 204);
    EXPECT_EQ(runtime_.job(id).tags, (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(call(Method::kPut, "/api/v1/jobs/" + id + "/tags", R"({"tags":[]})").status, 204);
    EXPECT_TRUE(runtime_.job(id).tags.empty());
    EXPECT_EQ(call(Method::kPut, "/api/v1/jobs/" + id + "/tags", R"({})").status, 400);
    EXPECT_EQ(call(Method::kPut, "/api/v1/jobs/" + id + "/tags", R"({"tags":[1]})").status, 400);
    std::string many = R"({"tags":[)";
    for (std::size_t i = 0; i <= kMaxTags; ++i) many += (i ? ",\"t\"" : "\"t\"");
    many += "]}";
    EXPECT_EQ(call(Method::kPut, "/api/v1/jobs/" + id + "/tags", many).status, 400);
    EXPECT_EQ(call(Method::kPut, "/api/v1/jobs/nope/tags", R"({"tags":[]})").status, 404);
}

TEST_F(ApiTest, job_list_pages_with_a_consistent_count) {
    for (int i = 0; i < 5; ++i) submit(kAlice, i % 2 ? R"(,"tags":["odd"])" : "");
    submit(kBob);
    HttpResponse r = call(Method::kGet, "/api/v1/jobs?limit=2&exclude_params=true");
    ASSERT_EQ(r.status, 200) << r.body;
    boost::json::value v = json(r);
    EXPECT_EQ(v.at("count").as_int64(), 5);
    ASSERT_EQ(v.at("jobs").as_array().size(), 2U);
    EXPECT_EQ(v.at("jobs").at(0).at("id").as_string(), "job_0005");  // newest first
    EXPECT_FALSE(v.at("jobs").at(0).as_object().contains("params"));
    v = json(call(Method::kGet, "/api/v1/jobs?limit=2&offset=4"));
    EXPECT_EQ(v.at("jobs").as_array().size(), 1U);
    EXPECT_EQ(v.at("count").as_int64(), 5);
    v = json(call(Method::kGet, "/api/v1/jobs?sort=ASC&limit=1"));
    EXPECT_EQ(v.at("jobs").at(0).at("id").as_string(), "job_0001");
    v = json(call(Method::kGet, "/api/v1/jobs?tags=odd"));
    EXPECT_EQ(v.at("count").as_int64(), 2);
    v = json(call(Method::kGet, "/api/v1/jobs?tags=odd&tags=other"));
    EXPECT_EQ(v.at("count").as_int64(), 0);
    v = json(call(Method::kGet, "/api/v1/jobs?pending=true&backend=emu_small5&program=sampler"));
    EXPECT_EQ(v.at("count").as_int64(), 5);
    v = json(call(Method::kGet, "/api/v1/jobs?pending=false"));
    EXPECT_EQ(v.at("count").as_int64(), 0);
    v = json(call(Method::kGet, "/api/v1/jobs?status=queued"));
    EXPECT_EQ(v.at("count").as_int64(), 5);
    v = json(call(Method::kGet, "/api/v1/jobs?created_after=2030-01-01T00:00:00%2B00:00"));
    EXPECT_EQ(v.at("count").as_int64(), 0);
    v = json(call(Method::kGet, "/api/v1/jobs?created_before=2030-01-01T00:00:00"));
    EXPECT_EQ(v.at("count").as_int64(), 5);
}

TEST_F(ApiTest, job_list_count_never_falls_below_what_the_client_holds) {
    for (int i = 0; i < 3; ++i) submit();
    // The client stops when it holds count - skip jobs; past the end that is offset.
    const boost::json::value v = json(call(Method::kGet, "/api/v1/jobs?limit=10&offset=7"));
    EXPECT_EQ(v.at("jobs").as_array().size(), 0U);
    EXPECT_EQ(v.at("count").as_int64(), 7);
}

TEST_F(ApiTest, job_list_refuses_bad_filters) {
    for (std::string_view q :
         {"limit=-1", "limit=x", "offset=1.5", "pending=maybe", "sort=up",
          "created_after=yesterday", "status=Done", "backend=..", "session_id=a%2Fb", "a=%zz"}) {
        HttpResponse r = call(Method::kGet, fmt::format("/api/v1/jobs?{}", q));
        EXPECT_EQ(r.status, 400) << q << " " << r.body;
    }
    // Too large a limit is clamped, not refused.
    const boost::json::value v = json(call(Method::kGet, "/api/v1/jobs?limit=100000"));
    EXPECT_EQ(v.at("limit").as_int64(), 1000);
}

// ------------------------------------------------------------------ sessions

TEST_F(ApiTest, session_lifecycle_and_shape) {
    HttpResponse r = call(Method::kPost, "/api/v1/sessions",
                          fmt::format(R"({{"mode":"dedicated","backend":"emu_small5",)"
                                      R"("instance":"{}","max_ttl":3600}})",
                                      kInstanceA),
                          kAlice, kInstanceA);
    ASSERT_EQ(r.status, 200) << r.body;
    boost::json::value v = json(r);
    const std::string id(v.at("id").as_string());
    EXPECT_EQ(v.at("backend_name").as_string(), "emu_small5");
    EXPECT_EQ(v.at("mode").as_string(), "dedicated");
    EXPECT_EQ(v.at("state").as_string(), "open");
    EXPECT_EQ(v.at("accepting_jobs").as_bool(), true);
    EXPECT_EQ(v.at("max_ttl").as_int64(), 3600);
    EXPECT_EQ(v.at("interactive_ttl").as_int64(), 60);
    EXPECT_EQ(v.at("active_ttl").as_int64(), 3589);
    EXPECT_EQ(v.at("elapsed_time").as_double(), 10.25);
    for (std::string_view key :
         {"started_at", "activated_at", "closed_at", "last_job_started", "last_job_completed"}) {
        EXPECT_TRUE(v.at(key).is_null()) << key;
    }
    EXPECT_TRUE(v.at("usage").at("busy_seconds").is_double());

    v = json(call(Method::kGet, "/api/v1/sessions/" + id));
    EXPECT_EQ(v.at("id").as_string(), id);

    // A job in the session, then close: new jobs are refused with 409.
    r = call(Method::kPost, "/api/v1/jobs",
             submit_body("emu_small5", fmt::format(R"(,"session_id":"{}")", id)));
    ASSERT_EQ(r.status, 200) << r.body;
    r = call(Method::kPatch, "/api/v1/sessions/" + id, R"({"accepting_jobs": false})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json(r).at("accepting_jobs").as_bool(), false);
    EXPECT_EQ(json(r).at("state").as_string(), "closed");
    r = call(Method::kPost, "/api/v1/jobs",
             submit_body("emu_small5", fmt::format(R"(,"session_id":"{}")", id)));
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(call(Method::kDelete, "/api/v1/sessions/" + id + "/close").status, 204);
}

TEST_F(ApiTest, batch_sessions_and_legacy_ttl) {
    HttpResponse r = call(Method::kPost, "/api/v1/sessions",
                          R"({"mode":"batch","backend":"emu_small5","max_session_ttl":600})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json(r).at("mode").as_string(), "batch");
    EXPECT_EQ(json(r).at("max_ttl").as_int64(), 600);
}

TEST_F(ApiTest, session_cancel_cancels_its_queued_jobs) {
    const std::string sid(
        json(call(Method::kPost, "/api/v1/sessions", R"({"backend":"emu_small5"})"))
            .at("id")
            .as_string());
    const std::string jid = submit(kAlice, fmt::format(R"(,"session_id":"{}")", sid));
    EXPECT_EQ(call(Method::kDelete, "/api/v1/sessions/" + sid + "/close").status, 204);
    EXPECT_EQ(runtime_.job(jid).status, "Cancelled");
}

TEST_F(ApiTest, bad_session_requests_are_4xx) {
    EXPECT_EQ(call(Method::kPost, "/api/v1/sessions", R"({"backend":"sim_ideal"})").status, 400);
    EXPECT_EQ(call(Method::kPost, "/api/v1/sessions", R"({"backend":"nope"})").status, 404);
    EXPECT_EQ(call(Method::kPost, "/api/v1/sessions", R"({"mode":"dedicated"})").status, 400);
    EXPECT_EQ(
        call(Method::kPost, "/api/v1/sessions", R"({"mode":"x","backend":"emu_small5"})").status,
        400);
    EXPECT_EQ(
        call(Method::kPost, "/api/v1/sessions", R"({"backend":"emu_small5","max_ttl":0})").status,
        400);
    HttpResponse r = call(Method::kPost, "/api/v1/sessions",
                          fmt::format(R"({{"backend":"emu_small5","instance":"{}"}})", kInstanceB),
                          kAlice, kInstanceA);
    EXPECT_EQ(r.status, 400);
    // Without the header, the body's instance is the one used (and checked).
    r = call(Method::kPost, "/api/v1/sessions",
             fmt::format(R"({{"backend":"emu_small5","instance":"{}"}})", kInstanceB));
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(call(Method::kGet, "/api/v1/sessions/nope").status, 404);

    const std::string sid(
        json(call(Method::kPost, "/api/v1/sessions", R"({"backend":"emu_small5"})"))
            .at("id")
            .as_string());
    EXPECT_EQ(call(Method::kPatch, "/api/v1/sessions/" + sid, R"({"accepting_jobs": true})").status,
              400);
    EXPECT_EQ(call(Method::kPatch, "/api/v1/sessions/" + sid, R"({"max_ttl": 5})").status, 400);
    EXPECT_EQ(call(Method::kPatch, "/api/v1/sessions/" + sid, R"({})").status, 400);
    EXPECT_EQ(call(Method::kPatch, "/api/v1/sessions/" + sid, "").status, 400);
    EXPECT_EQ(call(Method::kGet, "/api/v1/sessions/" + sid, "", kBob).status, 404);
    EXPECT_EQ(json(call(Method::kGet, "/api/v1/sessions/" + sid)).at("state").as_string(), "open");
}

// ------------------------------------------------------------------ admin

TEST_F(ApiTest, admin_routes_need_an_admin) {
    for (auto [m, path] : std::initializer_list<std::pair<Method, std::string_view>>{
             {Method::kGet, "/api/v1/admin/users"},
             {Method::kPost, "/api/v1/admin/users"},
             {Method::kGet, "/api/v1/admin/instances"},
             {Method::kPost, "/api/v1/admin/backends/emu_small5/pause"},
             {Method::kDelete, "/api/v1/admin/keys/key_alice"}}) {
        HttpResponse r = call(m, std::string(path), "{}", kAlice);
        EXPECT_EQ(r.status, 403) << path;
        EXPECT_EQ(json(r).at("errors").at(0).at("code").as_string(), "permission_denied");
    }
    EXPECT_FALSE(runtime_.backend_paused("emu_small5"));
}

TEST_F(ApiTest, admin_creates_users_and_keys_that_work) {
    HttpResponse r = call(
        Method::kPost, "/api/v1/admin/users",
        fmt::format(R"({{"name":"carol","admin":false,"instances":["{}"]}})", kInstanceB), kAdmin);
    ASSERT_EQ(r.status, 201) << r.body;
    boost::json::value v = json(r);
    EXPECT_EQ(v.at("id").as_string(), "usr_carol");
    EXPECT_EQ(v.at("name").as_string(), "carol");
    EXPECT_EQ(v.at("admin").as_bool(), false);
    EXPECT_EQ(v.at("instances").at(0).as_string(), kInstanceB);
    EXPECT_TRUE(v.at("created").is_string());
    EXPECT_EQ(call(Method::kPost, "/api/v1/admin/users", R"({"name":"carol"})", kAdmin).status,
              409);
    EXPECT_EQ(call(Method::kPost, "/api/v1/admin/users", R"({"name":"a b"})", kAdmin).status, 400);

    r = call(Method::kPost, "/api/v1/admin/users/usr_carol/keys", R"({"label":"laptop"})", kAdmin);
    ASSERT_EQ(r.status, 201) << r.body;
    v = json(r);
    EXPECT_EQ(v.at("user_id").as_string(), "usr_carol");
    EXPECT_EQ(v.at("label").as_string(), "laptop");
    const std::string secret(v.at("api_key").as_string());
    const std::string key_id(v.at("id").as_string());
    const std::string auth = "apikey " + secret;
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", auth).status, 200);

    v = json(call(Method::kGet, "/api/v1/admin/users", "", kAdmin));
    EXPECT_EQ(v.at("users").as_array().size(), 4U);

    // Revocation takes effect at once, cache or not.
    EXPECT_EQ(call(Method::kDelete, "/api/v1/admin/keys/" + key_id, "", kAdmin).status, 204);
    EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", auth).status, 401);
    EXPECT_EQ(call(Method::kDelete, "/api/v1/admin/keys/nope", "", kAdmin).status, 404);
    EXPECT_EQ(call(Method::kPost, "/api/v1/admin/users/nope/keys", "", kAdmin).status, 404);
}

TEST_F(ApiTest, admin_puts_instances_keeping_unnamed_fields) {
    HttpResponse r =
        call(Method::kPut, "/api/v1/admin/instances",
             R"({"name":"research","plan":"open","share":2.5,"hard_limit_s":600})", kAdmin);
    ASSERT_EQ(r.status, 200) << r.body;
    boost::json::value v = json(r);
    EXPECT_EQ(v.at("crn").as_string(),
              "crn:v1:bluemix:public:quantum-computing:us-east:a/local:research::");
    EXPECT_EQ(v.at("plan").as_string(), "open");
    EXPECT_EQ(v.at("share").as_double(), 2.5);
    EXPECT_EQ(v.at("hard_limit_s").as_double(), 600.0);
    EXPECT_TRUE(v.at("interactive_ttl_s").is_null());

    r = call(Method::kPut, "/api/v1/admin/instances", R"({"name":"research","share":1})", kAdmin);
    v = json(r);
    EXPECT_EQ(v.at("plan").as_string(), "open");  // kept
    EXPECT_EQ(v.at("hard_limit_s").as_double(), 600.0);
    r = call(Method::kPut, "/api/v1/admin/instances", R"({"name":"research","hard_limit_s":null})",
             kAdmin);
    EXPECT_TRUE(json(r).at("hard_limit_s").is_null());

    v = json(call(Method::kGet, "/api/v1/admin/instances", "", kAdmin));
    EXPECT_EQ(v.at("instances").as_array().size(), 3U);
    for (std::string_view bad :
         {R"({"plan":"open"})", R"({"name":"x","plan":"gold"})", R"({"name":"x","share":0})",
          R"({"crn":"zzz","name":"x"})", R"({"name":"x","interactive_ttl_s":-1})"}) {
        EXPECT_EQ(call(Method::kPut, "/api/v1/admin/instances", std::string(bad), kAdmin).status,
                  400)
            << bad;
    }
}

TEST_F(ApiTest, admin_adds_reservations) {
    HttpResponse r =
        call(Method::kPost, "/api/v1/admin/reservations",
             fmt::format(R"({{"backend":"emu_small5","instance":"{}",)"
                         R"("start":"2026-01-02T10:00:00Z","end":"2026-01-02T11:00:00Z"}})",
                         kInstanceB),
             kAdmin);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(json(r).at("start").as_string(), "2026-01-02T10:00:00.000000Z");
    ASSERT_EQ(runtime_.reservations().size(), 1U);
    EXPECT_EQ(runtime_.reservations()[0].instance, kInstanceB);
    for (
        std::string_view bad :
        {R"({"backend":"emu_small5","instance":"i","start":"x","end":"2026-01-02T11:00:00Z"})",
         R"({"backend":"emu_small5","instance":"i","start":"2026-01-02T11:00:00Z","end":"2026-01-02T10:00:00Z"})",
         R"({"instance":"i","start":"2026-01-02T10:00:00Z","end":"2026-01-02T11:00:00Z"})"}) {
        EXPECT_EQ(
            call(Method::kPost, "/api/v1/admin/reservations", std::string(bad), kAdmin).status, 400)
            << bad;
    }
    EXPECT_EQ(runtime_.reservations().size(), 1U);
}

// The value of one sample line ("name{labels} value") in an exposition, 0 when absent.
double sample(const std::string& text, const std::string& series) {
    const std::string prefix = series + " ";
    std::size_t at = text.rfind("\n" + prefix);
    if (at == std::string::npos) return 0;
    at += 1 + prefix.size();
    return std::stod(text.substr(at, text.find('\n', at) - at));
}

TEST_F(ApiTest, metrics_are_served_in_the_prometheus_text_format_without_credentials) {
    HttpResponse r = call(Method::kGet, "/metrics", "", "");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(r.body.find("# TYPE qrt_build_info gauge\n"), std::string::npos);
    EXPECT_EQ(call(Method::kPost, "/metrics", "", "").status, 405);
}

TEST_F(ApiTest, requests_and_errors_are_counted_by_route_template_not_path) {
    const std::string id = submit();
    const std::string ok =
        R"(qrt_http_requests_total{route="/api/v1/jobs/{id}",method="GET",code="200"})";
    const std::string missing =
        R"(qrt_http_requests_total{route="/api/v1/jobs/{id}",method="GET",code="404"})";
    const std::string errors = R"(qrt_http_errors_total{route="/api/v1/jobs/{id}",code="not_found"})";
    const std::string unmatched = R"(qrt_http_errors_total{route="unmatched",code="not_found"})";
    const std::string before = call(Method::kGet, "/metrics", "", "").body;
    EXPECT_EQ(call(Method::kGet, "/api/v1/jobs/" + id).status, 200);
    EXPECT_EQ(call(Method::kGet, "/api/v1/jobs/" + id).status, 200);
    EXPECT_EQ(call(Method::kGet, "/api/v1/jobs/job_nope").status, 404);
    EXPECT_EQ(call(Method::kGet, "/no/such/path").status, 404);
    const std::string after = call(Method::kGet, "/metrics", "", "").body;
    EXPECT_EQ(sample(after, ok) - sample(before, ok), 2) << after;
    EXPECT_EQ(sample(after, missing) - sample(before, missing), 1);
    EXPECT_EQ(sample(after, errors) - sample(before, errors), 1);
    EXPECT_EQ(sample(after, unmatched) - sample(before, unmatched), 1);
    EXPECT_EQ(after.find(id), std::string::npos) << "a raw path leaked into a label";
    EXPECT_NE(after.find(R"(qrt_http_request_duration_seconds_count{route="/api/v1/jobs/{id}",)"
                         R"(method="GET"})"),
              std::string::npos);
}

TEST_F(ApiTest, every_request_is_logged_with_its_request_id_and_user) {
    const LogLevel saved = log_level();
    set_log_level(LogLevel::kDebug);
    struct Line {
        std::string message, request_id, user;
    };
    std::vector<Line> lines;
    {
        ScopedLogSink sink([&](const LogRecord& r) {
            lines.push_back({std::string(r.message), std::string(r.fields.request_id),
                             std::string(r.fields.user)});
        });
        EXPECT_EQ(call(Method::kGet, "/api/v1/backends", "", kAlice, "", "", "trace-42").status,
                  200);
        EXPECT_EQ(call(Method::kGet, "/api/v1/jobs/job_nope", "", kAlice, "", "", "trace-43")
                      .status,
                  404);
    }
    set_log_level(saved);
    ASSERT_GE(lines.size(), 2U);
    bool saw_ok = false, saw_missing = false;
    for (const Line& l : lines) {
        EXPECT_FALSE(l.request_id.empty()) << l.message;
        if (l.request_id == "trace-42" && l.message.starts_with("GET /api/v1/backends 200 ")) {
            saw_ok = true;
            EXPECT_FALSE(l.user.empty());
        }
        if (l.request_id == "trace-43" &&
            l.message.starts_with("GET /api/v1/jobs/job_nope 404 ") &&
            l.message.ends_with(" not_found")) {
            saw_missing = true;
        }
    }
    EXPECT_TRUE(saw_ok);
    EXPECT_TRUE(saw_missing);
}

}  // namespace
}  // namespace qrt::api
