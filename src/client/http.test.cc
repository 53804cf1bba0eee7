#include "client/http.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/serialize.hpp>

#include "client/stub_http_server.h"

namespace qrt::client {
namespace {

using testing::StubHttpServer;
using testing::StubRequest;
using testing::StubResponse;

Url url_of(const StubHttpServer& server) {
    auto u = parse_url(server.url());
    EXPECT_TRUE(u.ok()) << u.status().to_string();
    return *u;
}

TEST(ParseUrl, takes_host_port_and_prefix) {
    auto u = parse_url("http://127.0.0.1:8000/api/v1/");
    ASSERT_TRUE(u.ok()) << u.status().to_string();
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, 8000);
    EXPECT_EQ(u->base_path, "/api/v1");
    EXPECT_EQ(u->to_string(), "http://127.0.0.1:8000/api/v1");

    auto plain = parse_url("HTTP://localhost");
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->host, "localhost");
    EXPECT_EQ(plain->port, 80);
    EXPECT_EQ(plain->base_path, "");

    auto v6 = parse_url("http://[::1]:9000");
    ASSERT_TRUE(v6.ok());
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, 9000);
    EXPECT_EQ(v6->to_string(), "http://[::1]:9000");
}

TEST(ParseUrl, rejects_what_it_cannot_speak_with_a_reason) {
    struct Case {
        const char* text;
        const char* why;
    };
    for (const Case& c :
         {Case{"https://x", "https is not supported"}, Case{"ftp://x", "scheme must be http"},
          Case{"127.0.0.1:8000", "expected http://"}, Case{"http://", "no host"},
          Case{"http://h:0", "port must be"}, Case{"http://h:70000", "port must be"},
          Case{"http://h:80x", "port must be"}, Case{"http://h:", "empty port"},
          Case{"http://u@h", "user info"}, Case{"http://h/p?q=1", "query or fragment"},
          Case{"http://[::1", "unclosed"}, Case{"http://h h", "character ' '"}}) {
        auto u = parse_url(c.text);
        ASSERT_FALSE(u.ok()) << c.text;
        EXPECT_EQ(u.status().code(), ErrorCode::kInvalidArgument);
        EXPECT_NE(u.status().message().find(c.why), std::string::npos)
            << c.text << ": " << u.status().message();
    }
}

TEST(HttpClient, sends_method_target_headers_and_body) {
    StubHttpServer server([](const StubRequest& r) {
        return StubResponse{201, R"({"echo":")" + r.method + " " + r.target + R"("})"};
    });
    Url base = url_of(server);
    base.base_path = "/api/v1";
    HttpClient client(base);
    client.set_default_header("Authorization", "apikey first");
    client.set_default_header("authorization", "apikey secret");  // replaces, any case

    boost::json::value body = {{"name", "alice"}, {"admin", true}};
    auto res = client.post_json("/admin/users", body);
    ASSERT_TRUE(res.ok()) << res.status().to_string();
    EXPECT_EQ(res->status, 201);
    EXPECT_EQ(res->header("content-type").value_or(""), "application/json");
    auto json = json_body(*res);
    ASSERT_TRUE(json.ok());
    EXPECT_EQ(boost::json::serialize(*json), R"({"echo":"POST /api/v1/admin/users"})");

    auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].headers["authorization"], "apikey secret");
    EXPECT_EQ(seen[0].headers["content-type"], "application/json");
    EXPECT_EQ(seen[0].headers["host"], "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(seen[0].body, R"({"name":"alice","admin":true})");
}

TEST(HttpClient, keeps_the_connection_open_between_requests) {
    StubHttpServer server([](const StubRequest&) { return StubResponse{200, "{}"}; });
    HttpClient client(url_of(server));
    for (int i = 0; i < 5; ++i) {
        auto res = client.get("/health");
        ASSERT_TRUE(res.ok()) << res.status().to_string();
        EXPECT_EQ(res->status, 200);
    }
    EXPECT_EQ(server.connections(), 1);
    EXPECT_EQ(client.connections_opened(), 1);
}

TEST(HttpClient, reconnects_when_the_server_closed_an_idle_connection) {
    StubHttpServer server([](const StubRequest&) { return StubResponse{200, "{}"}; });
    HttpClient client(url_of(server));
    ASSERT_TRUE(client.get("/a").ok());
    server.close_connections();
    auto res = client.get("/b");
    ASSERT_TRUE(res.ok()) << res.status().to_string();
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(client.connections_opened(), 2);
    auto seen = server.requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[1].target, "/b");
}

TEST(HttpClient, opens_a_new_connection_after_connection_close) {
    StubHttpServer server([](const StubRequest&) {
        StubResponse r{200, "{}"};
        r.close = true;
        return r;
    });
    HttpClient client(url_of(server));
    ASSERT_TRUE(client.get("/a").ok());
    ASSERT_TRUE(client.get("/b").ok());
    EXPECT_EQ(client.connections_opened(), 2);
}

TEST(HttpClient, times_out_when_the_server_never_answers) {
    StubHttpServer server([](const StubRequest&) {
        StubResponse r;
        r.hang = true;
        return r;
    });
    HttpOptions options;
    options.request_timeout = std::chrono::milliseconds(200);
    HttpClient client(url_of(server), options);
    auto res = client.get("/slow");
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.status().code(), ErrorCode::kDeadlineExceeded) << res.status().to_string();
    EXPECT_NE(res.status().message().find("timed out"), std::string::npos);
}

TEST(HttpClient, refused_connection_is_unavailable) {
    // A port that was free a moment ago: bind, read the port, close.
    std::uint16_t port = 0;
    {
        boost::asio::io_context ioc;
        boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
        port = a.local_endpoint().port();
    }
    HttpClient client(*parse_url("http://127.0.0.1:" + std::to_string(port)));
    auto res = client.get("/health");
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.status().code(), ErrorCode::kUnavailable);
    EXPECT_NE(res.status().message().find("cannot connect to http://127.0.0.1:"), std::string::npos)
        << res.status().message();
}

TEST(HttpClient, caps_the_answer_size) {
    StubHttpServer server([](const StubRequest&) {
        return StubResponse{200, std::string(10000, 'x'), "text/plain"};
    });
    HttpOptions options;
    options.max_response_bytes = 1000;
    HttpClient client(url_of(server), options);
    auto res = client.get("/big");
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.status().code(), ErrorCode::kResourceExhausted);
}

TEST(HttpClient, rejects_bad_targets_and_methods_without_sending) {
    StubHttpServer server([](const StubRequest&) { return StubResponse{200, "{}"}; });
    HttpClient client(url_of(server));
    EXPECT_EQ(client.get("health").status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(client.get("/a b").status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(client.get("/a\r\nX: y").status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(client.request("FETCH", "/").status().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(server.requests().empty());
}

TEST(HttpErrorStatus, maps_statuses_and_keeps_the_servers_message) {
    struct Case {
        int status;
        std::string body;
        ErrorCode code;
        std::string message;
    };
    std::vector<Case> cases = {
        {400, R"({"errors":[{"code":"invalid_argument","message":"bad shots"}]})",
         ErrorCode::kInvalidArgument, "bad shots"},
        {401, R"({"error":{"message":"token expired"}})", ErrorCode::kUnauthenticated,
         "token expired"},
        {403, R"({"message":"admins only"})", ErrorCode::kPermissionDenied, "admins only"},
        {404, "", ErrorCode::kNotFound, "HTTP 404"},
        {409, R"({"errors":[{"code":"already_exists","message":"user alice exists"}]})",
         ErrorCode::kAlreadyExists, "user alice exists"},
        {409, R"({"errors":[{"message":"job is final"}]})", ErrorCode::kFailedPrecondition,
         "job is final"},
        {413, "too big\n", ErrorCode::kResourceExhausted, "too big"},
        {429, "{}", ErrorCode::kResourceExhausted, "HTTP 429"},
        {500, "<html>oops</html>", ErrorCode::kInternal, "HTTP 500"},
        {503, R"({"error":"shutting down"})", ErrorCode::kUnavailable, "shutting down"},
    };
    for (const Case& c : cases) {
        HttpResponse r;
        r.status = c.status;
        r.body = c.body;
        Status s = http_error_status(r);
        EXPECT_EQ(s.code(), c.code) << c.status << " " << c.body;
        EXPECT_EQ(s.message(), c.message) << c.status << " " << c.body;
        auto j = json_body(r);
        EXPECT_FALSE(j.ok());
    }
    HttpResponse ok;
    ok.status = 204;
    EXPECT_TRUE(http_error_status(ok).ok());
    auto empty = json_body(ok);
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->is_null());
}

TEST(JsonBody, a_2xx_answer_that_is_not_json_is_an_internal_error) {
    HttpResponse r;
    r.status = 200;
    r.body = "{not json";
    auto j = json_body(r);
    ASSERT_FALSE(j.ok());
    EXPECT_EQ(j.status().code(), ErrorCode::kInternal);
}

TEST(UrlEncode, keeps_unreserved_and_escapes_the_rest) {
    EXPECT_EQ(url_encode("emu_small5"), "emu_small5");
    EXPECT_EQ(url_encode("a b/c:d"), "a%20b%2Fc%3Ad");
    EXPECT_EQ(url_encode("crn:v1::"), "crn%3Av1%3A%3A");
}

}  // namespace
}  // namespace qrt::client
