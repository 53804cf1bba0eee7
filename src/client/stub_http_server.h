// Tests only: a tiny HTTP/1.1 server on 127.0.0.1 (port 0) that answers every request through a
// handler the test gives and records what it received. Lets the client and the CLI's admin verbs
// be tested without the real server (method, path, headers and body sent; answers of every
// status; a server that never answers, for timeouts; one that closes kept-open connections; one
// that drops a connection without answering).
//
// Thread safety: the server runs on its own thread; requests() and connections() may be called
// from the test thread at any time. The handler runs on the server thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace qrt::client::testing {

struct StubRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
};

struct StubResponse {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    bool close = false;  // answer, then close the connection
    bool hang = false;   // never answer (the connection stays open until the server stops)
    bool drop = false;   // close the connection without answering (a network failure)
};

class StubHttpServer {
public:
    using Handler = std::function<StubResponse(const StubRequest&)>;

    explicit StubHttpServer(Handler handler);
    ~StubHttpServer();
    StubHttpServer(const StubHttpServer&) = delete;
    StubHttpServer& operator=(const StubHttpServer&) = delete;

    std::uint16_t port() const;
    std::string url() const;  // "http://127.0.0.1:PORT"
    std::vector<StubRequest> requests() const;
    int connections() const;
    // Closes every open connection now (as a server does with idle keep-alive connections).
    void close_connections();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace qrt::client::testing
