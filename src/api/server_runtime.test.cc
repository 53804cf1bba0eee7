// The server over the real runtime: SQLite store in a temporary directory, the real emulated
// device and simulator, real sockets. One pass through what a REST user does: token, backends,
// a QASM 3 job run to completion, results, listing, tags, cancel of a final job, bad input,
// a session, another user's view, delete. FakeRuntime tests (api.test.cc) pin the shapes; this
// one checks that the contract holds with the runtime the server ships with.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <random>
#include <thread>

#include "api/server.h"
#include "base/log.h"
#include "runtime/runtime.h"

namespace qrt::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Reply {
    int status = 0;
    std::string body;
    boost::json::value json() const { return boost::json::parse(body); }
};

class Http {
public:
    explicit Http(std::uint16_t port) : socket_(ioc_) {
        socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    }
    Reply send(http::verb method, const std::string& target, const std::string& auth,
               std::string body = "") {
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        if (!auth.empty()) req.set(http::field::authorization, auth);
        if (!body.empty()) req.set(http::field::content_type, "application/json");
        req.body() = std::move(body);
        req.prepare_payload();
        http::write(socket_, req);
        http::response<http::string_body> res;
        http::read(socket_, buffer_, res);
        return {static_cast<int>(res.result_int()), res.body()};
    }

private:
    net::io_context ioc_;
    tcp::socket socket_;
    beast::flat_buffer buffer_;
};

class ServerRuntimeTest : public ::testing::Test {
protected:
    void SetUp() override {
        previous_level_ = log_level();
        set_log_level(LogLevel::kWarn);
        dir_ = std::filesystem::temp_directory_path() /
               ("qrt-api-test-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
        runtime::Config config;
        config.data_dir = dir_.string();
        config.calibrations = false;
        config.devices.clear();
        for (const backends::DeviceSpec& spec : backends::default_device_specs()) {
            if (spec.name == "emu_small5" || spec.name == "sim_ideal") {
                config.devices.push_back(spec);
            }
        }
        Result<std::unique_ptr<runtime::Runtime>> rt = runtime::Runtime::open(config, clock_);
        ASSERT_TRUE(rt.ok()) << rt.status().message();
        runtime_ = std::move(rt).value();
        ASSERT_TRUE(runtime_->start().ok());
        ASSERT_TRUE(runtime_->first_start_admin_key().has_value());
        admin_key_ = *runtime_->first_start_admin_key();

        ServerConfig sc;
        sc.port = 0;
        Result<std::unique_ptr<Server>> server = Server::start(sc, *runtime_, clock_);
        ASSERT_TRUE(server.ok()) << server.status().message();
        server_ = std::move(server).value();
    }

    void TearDown() override {
        if (server_) server_->stop();
        if (runtime_) runtime_->stop();
        server_.reset();
        runtime_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
        set_log_level(previous_level_);
    }

    // Polls GET /jobs/{id} until the job is final (or 60 s pass).
    std::string wait_final(Http& http, const std::string& auth, const std::string& id) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < deadline) {
            Reply r =
                http.send(http::verb::get, "/api/v1/jobs/" + id + "?exclude_params=true", auth);
            EXPECT_EQ(r.status, 200) << r.body;
            if (r.status != 200) return "";
            std::string status(r.json().at("state").at("status").as_string());
            if (status != "Queued" && status != "Running") return status;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return "timeout";
    }

    SystemClock clock_;
    std::filesystem::path dir_;
    std::unique_ptr<runtime::Runtime> runtime_;
    std::unique_ptr<Server> server_;
    std::string admin_key_;
    LogLevel previous_level_ = LogLevel::kInfo;
};

constexpr std::string_view kBell =
    R"(OPENQASM 3.0; include \"stdgates.inc\"; bit[2] c; h $0; cx $0, $1; c[0] = measure $0; c[1] = measure $1;)";

std::string qasm_job(std::string_view backend, std::string_view extra = "") {
    return fmt::format(
        R"({{"program_id":"sampler","backend":"{}","params":{{"pubs":[["{}",null,64]],"version":2}}{}}})",
        backend, kBell, extra);
}

TEST_F(ServerRuntimeTest, a_rest_user_runs_a_job_end_to_end) {
    Http http(server_->port());
    Reply r = http.send(http::verb::post, "/identity/token", "", "apikey=" + admin_key_);
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string auth = "Bearer " + std::string(r.json().at("access_token").as_string());

    r = http.send(http::verb::get, "/api/v1/backends", auth);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("devices").as_array().size(), 2U);
    r = http.send(http::verb::get, "/api/v1/backends/emu_small5/configuration", auth);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json().at("n_qubits").as_int64(), 5);
    EXPECT_TRUE(r.json().as_object().contains("online_date"));
    r = http.send(http::verb::get, "/api/v1/backends/emu_small5/status", auth);
    EXPECT_EQ(r.json().at("status").as_string(), "active");

    r = http.send(http::verb::post, "/api/v1/jobs", auth,
                  qasm_job("sim_ideal", R"(,"tags":["e2e"])"));
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string id(r.json().at("id").as_string());
    EXPECT_EQ(wait_final(http, auth, id), "Completed");

    r = http.send(http::verb::get, "/api/v1/jobs/" + id + "/results", auth);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(r.json().as_object().contains("results")) << r.body;  // plain REST form

    r = http.send(http::verb::get, "/api/v1/jobs/" + id, auth);
    EXPECT_EQ(r.json().at("params").at("pubs").at(0).at(2).as_int64(), 64);

    r = http.send(http::verb::get, "/api/v1/jobs?tags=e2e&limit=5", auth);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json().at("count").as_int64(), 1);

    r = http.send(http::verb::put, "/api/v1/jobs/" + id + "/tags", auth, R"({"tags":["kept"]})");
    EXPECT_EQ(r.status, 204);
    r = http.send(http::verb::get, "/api/v1/jobs/" + id + "?exclude_params=true", auth);
    EXPECT_EQ(boost::json::serialize(r.json().at("tags")), R"(["kept"])");

    r = http.send(http::verb::post, "/api/v1/jobs/" + id + "/cancel", auth);
    EXPECT_EQ(r.status, 409) << r.body;

    r = http.send(http::verb::get, "/api/v1/jobs/" + id + "/logs", auth);
    EXPECT_EQ(r.status, 200);
    r = http.send(http::verb::get, "/api/v1/jobs/" + id + "/metrics", auth);
    EXPECT_EQ(r.status, 200);
    r = http.send(http::verb::get, "/api/v1/instances/usage", auth);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.json().as_object().contains("usage_consumed_seconds"));

    r = http.send(http::verb::delete_, "/api/v1/jobs/" + id, auth);
    EXPECT_EQ(r.status, 204);
    r = http.send(http::verb::get, "/api/v1/jobs/" + id, auth);
    EXPECT_EQ(r.status, 404) << r.body;
}

TEST_F(ServerRuntimeTest, bad_jobs_are_refused_and_not_stored) {
    Http http(server_->port());
    const std::string auth = "apikey " + admin_key_;
    for (
        const std::string& body :
        {std::string(
             R"({"program_id":"sampler","backend":"sim_ideal","params":{"pubs":"x","version":2}})"),
         std::string(
             R"({"program_id":"sampler","backend":"sim_ideal","params":{"pubs":[["OPENQASM 3.0; nonsense;",null,8]],"version":2}})"),
         qasm_job("no_such_backend")}) {
        Reply r = http.send(http::verb::post, "/api/v1/jobs", auth, body);
        EXPECT_GE(r.status, 400) << body;
        EXPECT_LT(r.status, 500) << body << " -> " << r.body;
    }
    Reply r = http.send(http::verb::get, "/api/v1/jobs", auth);
    EXPECT_EQ(r.json().at("count").as_int64(), 0) << r.body;
}

TEST_F(ServerRuntimeTest, sessions_and_users_through_the_admin_routes) {
    Http http(server_->port());
    const std::string admin = "apikey " + admin_key_;
    Reply r = http.send(http::verb::post, "/api/v1/sessions", admin,
                        R"({"mode":"batch","backend":"emu_small5","max_ttl":600})");
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string sid(r.json().at("id").as_string());
    EXPECT_EQ(r.json().at("mode").as_string(), "batch");
    r = http.send(http::verb::patch, "/api/v1/sessions/" + sid, admin,
                  R"({"accepting_jobs":false})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.json().at("accepting_jobs").as_bool());
    r = http.send(http::verb::delete_, "/api/v1/sessions/" + sid + "/close", admin);
    EXPECT_EQ(r.status, 204) << r.body;

    r = http.send(http::verb::post, "/api/v1/jobs", admin, qasm_job("sim_ideal"));
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string job(r.json().at("id").as_string());

    // A user in another instance sees nothing of the admin's.
    r = http.send(http::verb::put, "/api/v1/admin/instances", admin, R"({"name":"other"})");
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string crn(r.json().at("crn").as_string());
    r = http.send(http::verb::post, "/api/v1/admin/users", admin,
                  fmt::format(R"({{"name":"dana","instances":["{}"]}})", crn));
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string uid(r.json().at("id").as_string());
    r = http.send(http::verb::post, "/api/v1/admin/users/" + uid + "/keys", admin,
                  R"({"label":"t"})");
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string dana = "apikey " + std::string(r.json().at("api_key").as_string());
    EXPECT_EQ(http.send(http::verb::get, "/api/v1/jobs/" + job, dana).status, 404);
    EXPECT_EQ(http.send(http::verb::get, "/api/v1/jobs", dana).json().at("count").as_int64(), 0);
    EXPECT_EQ(http.send(http::verb::get, "/api/v1/admin/users", dana).status, 403);
    r = http.send(http::verb::get, "/api/v1/admin/users", admin);
    EXPECT_EQ(r.json().at("users").as_array().size(), 2U);
}

}  // namespace
}  // namespace qrt::api
