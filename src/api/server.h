// The HTTP server: the Qiskit Runtime REST API under /api/v1 (what qiskit-ibm-runtime sends, see
// docs/http-api.md), the token endpoint (POST /identity/token: API key -> signed, expiring JWT),
// qrt's admin routes (/api/v1/admin/...), auth (Bearer JWT or `apikey` header), one error table
// (ErrorCode -> HTTP status, body {"errors":[{"code","message","more_info"}],"error":{...}}),
// request size and rate limits. Thin: decode, call runtime::Runtime, encode.
//
// Boost.Beast over Asio (docs/adr/0006-http-server.md): `threads` I/O threads, HTTP/1.1 keep-alive.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "base/time.h"
#include "runtime/runtime.h"

namespace qrt::api {

struct ServerConfig {
    std::string host = "127.0.0.1";  // listen address; 0.0.0.0 only when configured
    std::uint16_t port = 8000;       // 0: any free port (tests); port() tells which
    int threads = 2;                 // I/O threads: accept, parse, read-only handlers, write
    int worker_threads = 16;  // handlers that change state (they wait for the store's commit)
    std::size_t max_body_bytes = std::size_t{64} << 20;  // 413 beyond
    std::size_t max_header_bytes = 16 << 10;
    double rate_limit_per_s = 2000;  // per credential (or peer address), token bucket; 429 beyond
    double rate_burst = 4000;
    Duration token_ttl = std::chrono::hours(1);
    Duration idle_timeout = std::chrono::seconds(60);  // keep-alive connections
    bool metrics_require_auth = false;  // [metrics] require_auth: GET /metrics for admins only
};

class Server {
public:
    // Binds and starts serving on background threads. Errors: unavailable (address in use, ...).
    static Result<std::unique_ptr<Server>> start(const ServerConfig& config,
                                                 runtime::Runtime& runtime, Clock& clock);
    virtual ~Server() = default;
    virtual std::uint16_t port() const = 0;
    // Stops accepting, finishes in-flight requests, joins the threads. Idempotent.
    virtual void stop() = 0;
};

}  // namespace qrt::api
