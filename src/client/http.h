// A minimal synchronous HTTP/1.1 client (Boost.Beast underneath, kept out of this header) with
// connect and request timeouts, keep-alive, and JSON helpers that turn a qrt error answer back
// into a Status. The seed of the C++ client library (`client` module): `qrt admin` and the other
// CLI verbs talk to a server through it.
//
// Plain `http://` only: qrt listens on loopback by default; put a TLS proxy in front of it for
// anything else (docs/operations.md).
//
// Thread safety: an HttpClient is used by one thread at a time (it owns one connection); make one
// per thread. The free functions are pure.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace qrt::client {

// "http://host:port/prefix" taken apart.
struct Url {
    std::string host;         // "127.0.0.1", "localhost", "::1" (no brackets)
    std::uint16_t port = 80;  // 80 when the text gives none
    std::string base_path;    // "" or "/prefix" (never a trailing slash)

    // "http://host:port/prefix" (IPv6 hosts in brackets).
    std::string to_string() const;
};

// Parses an http URL: scheme "http" (case-insensitive), a host (name, IPv4, or [IPv6]), an
// optional port 1..65535, an optional path prefix. No user info, query or fragment.
// invalid_argument otherwise ("https" says that TLS is not supported).
Result<Url> parse_url(std::string_view text);

struct Header {
    std::string name;
    std::string value;
};

struct HttpResponse {
    int status = 0;
    std::string body;
    std::vector<Header> headers;

    // The first header with this name (case-insensitive), if any.
    std::optional<std::string> header(std::string_view name) const;
    bool ok() const { return status >= 200 && status < 300; }
};

struct HttpOptions {
    Duration connect_timeout = std::chrono::seconds(5);   // name resolution + TCP connect
    Duration request_timeout = std::chrono::seconds(60);  // sending the request + the whole answer
    std::size_t max_response_bytes = std::size_t{256} << 20;
    std::string user_agent = "qrt-client";
};

class HttpClient {
public:
    explicit HttpClient(Url base, HttpOptions options = {});
    ~HttpClient();
    HttpClient(HttpClient&&) noexcept;
    HttpClient& operator=(HttpClient&&) noexcept;
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    const Url& base() const;

    // A header sent with every request (e.g. Authorization); replaces one of the same name.
    void set_default_header(std::string name, std::string value);

    // Sends one request and reads the whole answer. `target` is appended to the base path and
    // must start with '/' ("/api/v1/backends?limit=5"). A non-2xx answer is a value, not an
    // error (see json_body / http_error_status). Errors: invalid_argument (bad method or
    // target), unavailable (cannot resolve or connect, connection lost, malformed answer),
    // deadline_exceeded (a timeout), resource_exhausted (answer over max_response_bytes).
    //
    // The connection is kept open between requests when the server allows it. If a kept-open
    // connection turns out to be closed by the server before any answer byte arrives, the request
    // is sent once more on a new connection (the server closed it idle, so it never saw the
    // request).
    Result<HttpResponse> request(std::string_view method, std::string_view target,
                                 std::string_view body = {}, std::string_view content_type = {},
                                 const std::vector<Header>& headers = {});

    Result<HttpResponse> get(std::string_view target) { return request("GET", target); }
    Result<HttpResponse> del(std::string_view target) { return request("DELETE", target); }
    Result<HttpResponse> post_json(std::string_view target, const boost::json::value& body);
    Result<HttpResponse> put_json(std::string_view target, const boost::json::value& body);

    // Drops the connection (the next request opens a new one).
    void close();

    // Connections opened so far (keep-alive tests).
    int connections_opened() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Parses JSON text; invalid_argument naming the offset on malformed text.
Result<boost::json::value> parse_json(std::string_view text);

// The Status a non-2xx answer stands for: 400/422 invalid_argument, 401 unauthenticated,
// 403 permission_denied, 404 not_found, 409 failed_precondition (already_exists when the server's
// body says so), 413/429 resource_exhausted, 501 unimplemented, 503 unavailable,
// 504 deadline_exceeded, anything else internal. The message is the server's own
// (errors[0].message, error.message, message, or a short body text), else "HTTP <status>".
// A 2xx answer gives ok.
Status http_error_status(const HttpResponse& response);

// A 2xx answer's body as JSON (null for an empty body); the answer's error otherwise.
Result<boost::json::value> json_body(const HttpResponse& response);

// Percent-encodes one path segment or query value (RFC 3986 unreserved characters stay).
std::string url_encode(std::string_view text);

}  // namespace qrt::client
