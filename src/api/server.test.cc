// The server over real sockets on 127.0.0.1, port 0, with FakeRuntime: keep-alive, the
// transport-level limits (413, 431, malformed HTTP, bad Content-Length, slow bodies), 100-continue,
// concurrency, and a graceful stop. Route semantics are covered in-process by api.test.cc.
#include "api/server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <thread>

#include "api/fake_runtime.h"
#include "base/log.h"

namespace qrt::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Reply {
    int status = 0;
    std::string body;
    http::response<http::string_body> raw;
};

// A blocking HTTP/1.1 client on one keep-alive connection.
class Client {
public:
    explicit Client(std::uint16_t port) : socket_(ioc_) {
        socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    }

    Reply send(http::verb method, const std::string& target, std::string body = "",
               const std::string& auth = "apikey alice-key",
               const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        if (!auth.empty()) req.set(http::field::authorization, auth);
        for (const auto& [k, v] : headers) req.set(k, v);
        req.body() = std::move(body);
        req.prepare_payload();
        http::write(socket_, req);
        return read();
    }

    Reply read() {
        Reply r;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 << 20);
        http::read(socket_, buffer_, parser);
        r.raw = parser.release();
        r.status = static_cast<int>(r.raw.result_int());
        r.body = r.raw.body();
        return r;
    }

    // Errors are ignored: the server may close while a test is still sending.
    void write_raw(std::string_view bytes) {
        beast::error_code ec;
        net::write(socket_, net::buffer(bytes), ec);
    }

    // Everything the server sends until it closes the connection.
    std::string read_until_close() {
        std::string out;
        beast::error_code ec;
        std::array<char, 4096> buf{};
        while (true) {
            const std::size_t n = socket_.read_some(net::buffer(buf), ec);
            out.append(buf.data(), n);
            if (ec) break;
        }
        return out;
    }

    // True when the server has closed the connection (a read sees EOF or a reset).
    bool closed_by_server() {
        beast::error_code ec;
        std::array<char, 64> buf{};
        socket_.read_some(net::buffer(buf), ec);
        return ec == net::error::eof || ec == net::error::connection_reset;
    }

private:
    net::io_context ioc_;
    tcp::socket socket_;
    beast::flat_buffer buffer_;
};

class ServerTest : public ::testing::Test {
protected:
    void start(ServerConfig config = {}) {
        config.port = 0;
        config.rate_limit_per_s = 0;
        config.idle_timeout = std::chrono::seconds(2);
        config.max_body_bytes = 64 << 10;
        config.max_header_bytes = 4 << 10;
        Result<std::unique_ptr<Server>> s = Server::start(config, runtime_, clock_);
        ASSERT_TRUE(s.ok()) << s.status().message();
        server_ = std::move(s).value();
        ASSERT_NE(server_->port(), 0);
    }

    void SetUp() override {
        previous_level_ = log_level();
        set_log_level(LogLevel::kWarn);  // no access lines in test output
        start();
    }
    void TearDown() override {
        if (server_) server_->stop();
        set_log_level(previous_level_);
    }

    std::uint16_t port() const { return server_->port(); }

    VirtualClock clock_;
    testing::FakeRuntime runtime_{clock_};
    std::unique_ptr<Server> server_;
    LogLevel previous_level_ = LogLevel::kInfo;
};

constexpr std::string_view kJob =
    R"({"program_id":"sampler","backend":"emu_small5","params":{"pubs":[[1]],"version":2}})";

TEST_F(ServerTest, serves_health_and_keeps_the_connection_alive) {
    Client c(port());
    for (int i = 0; i < 3; ++i) {
        Reply r = c.send(http::verb::get, "/health", "", "");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "ok");
        EXPECT_TRUE(r.raw.keep_alive());
        EXPECT_EQ(r.raw[http::field::server], "qrt");
    }
}

TEST_F(ServerTest, submits_and_reads_a_job_over_http) {
    Client c(port());
    Reply r = c.send(http::verb::post, "/api/v1/jobs", std::string(kJob), "apikey alice-key",
                     {{"Content-Type", "application/json"}, {"X-Request-Id", "trace-42"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.raw["X-Request-Id"], "trace-42");
    EXPECT_EQ(r.raw[http::field::content_type], "application/json");
    const std::string id(boost::json::parse(r.body).at("id").as_string());
    r = c.send(http::verb::get, "/api/v1/jobs/" + id + "?exclude_params=true");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(boost::json::parse(r.body).at("state").at("status").as_string(), "Queued");
    EXPECT_FALSE(r.raw["X-Request-Id"].empty());
}

TEST_F(ServerTest, no_content_responses_have_no_body) {
    Client c(port());
    Reply r = c.send(http::verb::post, "/api/v1/jobs", std::string(kJob));
    const std::string id(boost::json::parse(r.body).at("id").as_string());
    r = c.send(http::verb::put, "/api/v1/jobs/" + id + "/tags", R"({"tags":["a"]})");
    EXPECT_EQ(r.status, 204);
    EXPECT_TRUE(r.body.empty());
    // The connection is still usable afterwards.
    EXPECT_EQ(c.send(http::verb::get, "/health", "", "").status, 200);
}

TEST_F(ServerTest, errors_carry_the_json_body_and_allow_header) {
    Client c(port());
    Reply r = c.send(http::verb::get, "/api/v1/jobs", "", "");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(boost::json::parse(r.body).at("status_code").as_int64(), 401);
    r = c.send(http::verb::delete_, "/api/v1/backends");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.raw[http::field::allow], "GET");
    r = c.send(http::verb::head, "/health");
    EXPECT_EQ(r.status, 405);
}

TEST_F(ServerTest, body_over_the_limit_is_413_before_it_is_read) {
    Client c(port());
    // Only the header: the server must answer without waiting for 10 MB.
    c.write_raw(
        "POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: apikey alice-key\r\n"
        "Content-Length: 10000000\r\n\r\n");
    Reply r = c.read();
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(boost::json::parse(r.body).at("errors").at(0).at("code").as_string(),
              "payload_too_large");
    EXPECT_FALSE(r.raw.keep_alive());
    EXPECT_TRUE(c.closed_by_server());
    EXPECT_EQ(runtime_.job_count(), 0U);
}

TEST_F(ServerTest, chunked_body_over_the_limit_is_413) {
    Client c(port());
    c.write_raw("POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk = fmt::format("{:x}\r\n{}\r\n", 32 << 10, std::string(32 << 10, 'a'));
    for (int i = 0; i < 3; ++i) c.write_raw(chunk);
    Reply r = c.read();
    EXPECT_EQ(r.status, 413);
}

TEST_F(ServerTest, header_over_the_limit_is_431) {
    Client c(port());
    c.write_raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8 << 10, 'a') +
                "\r\n\r\n");
    Reply r = c.read();
    EXPECT_EQ(r.status, 431);
}

TEST_F(ServerTest, malformed_http_is_400_and_closes) {
    for (std::string_view bad :
         {"GARBAGE\r\n\r\n", "GET /health HTTP/9.9\r\n\r\n",
          "GET /health HTTP/1.1\r\nBad Header\r\n\r\n",
          "POST /api/v1/jobs HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
          "POST /api/v1/jobs HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello"}) {
        Client c(port());
        c.write_raw(bad);
        const std::string out = c.read_until_close();
        EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0U) << bad << " -> " << out;
        EXPECT_NE(out.find("malformed HTTP request"), std::string::npos) << out;
    }
    EXPECT_EQ(runtime_.job_count(), 0U);
}

TEST_F(ServerTest, non_origin_targets_are_400) {
    Client c(port());
    Reply r = c.send(http::verb::get, "http://evil/api/v1/jobs");
    EXPECT_EQ(r.status, 400);
}

TEST_F(ServerTest, a_body_that_never_arrives_times_out_and_closes) {
    Client c(port());
    c.write_raw("POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":");
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.closed_by_server());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
    EXPECT_EQ(runtime_.job_count(), 0U);
}

TEST_F(ServerTest, answers_expect_100_continue_before_the_body) {
    Client c(port());
    c.write_raw(
        fmt::format("POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: apikey alice-key\r\n"
                    "Expect: 100-continue\r\nContent-Length: {}\r\n\r\n",
                    kJob.size()));
    Reply interim = c.read();  // sent before any body byte
    EXPECT_EQ(interim.status, 100);
    c.write_raw(kJob);
    Reply r = c.read();
    EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ServerTest, many_clients_at_once) {
    constexpr int kThreads = 8, kRequests = 40;
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            Client c(port());
            for (int i = 0; i < kRequests; ++i) {
                Reply r = (i % 4 == 0) ? c.send(http::verb::post, "/api/v1/jobs", std::string(kJob))
                                       : c.send(http::verb::get, "/api/v1/backends");
                if (r.status == 200) ++ok;
            }
            (void)t;
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), kThreads * kRequests);
    EXPECT_EQ(runtime_.job_count(), static_cast<std::size_t>(kThreads * kRequests / 4));
}

TEST_F(ServerTest, stop_closes_idle_connections_and_is_idempotent) {
    Client idle(port());
    ASSERT_EQ(idle.send(http::verb::get, "/health", "", "").status, 200);
    server_->stop();
    EXPECT_TRUE(idle.closed_by_server());
    server_->stop();
    beast::error_code ec;
    net::io_context ioc;
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port()), ec);
    EXPECT_TRUE(ec) << "still accepting after stop";
}

TEST_F(ServerTest, a_taken_port_is_unavailable) {
    ServerConfig config;
    config.port = port();
    Result<std::unique_ptr<Server>> s = Server::start(config, runtime_, clock_);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), ErrorCode::kUnavailable);
    EXPECT_NE(s.status().message().find("cannot listen"), std::string::npos);
}

TEST_F(ServerTest, a_bad_host_is_refused) {
    ServerConfig config;
    config.host = "no.such.host.invalid";
    config.port = 0;
    EXPECT_FALSE(Server::start(config, runtime_, clock_).ok());
}

}  // namespace
}  // namespace qrt::api
