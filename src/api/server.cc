// The transport: Boost.Beast HTTP/1.1 over Asio (docs/adr/0006-http-server.md). Accepts on
// `threads` I/O threads, one strand per connection, keep-alive, reads the header first (so an
// oversized body is refused with 413 before it is read, and `Expect: 100-continue` is
// answered), then the body; read-only requests are handled on the I/O thread, requests that
// change state on the worker pool (they wait for the store's group commit). One access-log line
// per request. Everything about what a request means lives in Api (api.h).
#include "api/server.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/api.h"
#include "api/errors.h"
#include "base/log.h"
#include "web/web.h"

namespace qrt::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr std::size_t kLingerMaxBytes = 1 << 20;
constexpr auto kStopGrace = std::chrono::seconds(10);

class ServerImpl;

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket&& socket, ServerImpl& server);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start();
    // From any thread: close now if idle, else after the response in flight is written.
    void request_stop();

private:
    void do_read();
    void on_header(beast::error_code ec, std::size_t bytes);
    void on_continue_written(beast::error_code ec, std::size_t bytes);
    void read_body();
    void on_read(beast::error_code ec, std::size_t bytes);
    void on_read_error(beast::error_code ec);
    void handle_request();
    void write(HttpResponse response, bool close_after);
    void on_write(beast::error_code ec, std::size_t bytes);
    void transport_error(int status, std::string_view code, std::string_view message);
    void linger();
    void on_linger(beast::error_code ec, std::size_t bytes);
    void close();

    ServerImpl& server_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
    std::string peer_;
    bool busy_ = false;            // a request is being handled or its response written
    bool stop_requested_ = false;  // on the strand
    bool close_after_write_ = false;
    std::size_t lingered_ = 0;
    std::array<char, 4096> scratch_{};
    std::chrono::steady_clock::time_point started_{};
};

class ServerImpl final : public Server {
public:
    ServerImpl(const ServerConfig& config, runtime::Runtime& runtime, Clock& clock)
        : config_(config),
          api_(config, runtime, clock),
          web_(runtime, clock),
          ioc_(std::max(1, config.threads)),
          acceptor_(net::make_strand(ioc_)),
          workers_(static_cast<std::size_t>(std::max(1, config.worker_threads))) {}

    ~ServerImpl() override { stop(); }

    Status listen() {
        beast::error_code ec;
        net::ip::address address = net::ip::make_address(config_.host, ec);
        if (ec) {
            tcp::resolver resolver(ioc_);
            auto results = resolver.resolve(config_.host, std::to_string(config_.port), ec);
            if (ec || results.empty()) {
                return {ErrorCode::kInvalidArgument,
                        fmt::format("cannot resolve listen host \"{}\": {}", config_.host,
                                    ec ? ec.message() : "no address")};
            }
            address = results.begin()->endpoint().address();
        }
        const tcp::endpoint endpoint(address, config_.port);
        auto fail = [&](std::string_view what) {
            return Status{ErrorCode::kUnavailable,
                          fmt::format("cannot listen on {}:{}: {} failed: {}", config_.host,
                                      config_.port, what, ec.message())};
        };
        acceptor_.open(endpoint.protocol(), ec);
        if (ec) return fail("open");
        acceptor_.set_option(net::socket_base::reuse_address(true), ec);
        if (ec) return fail("setsockopt");
        acceptor_.bind(endpoint, ec);
        if (ec) return fail("bind");
        acceptor_.listen(net::socket_base::max_listen_connections, ec);
        if (ec) return fail("listen");
        port_ = acceptor_.local_endpoint(ec).port();
        return {};
    }

    void run() {
        do_accept();
        const int n = std::max(1, config_.threads);
        threads_.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            threads_.emplace_back([this] {
                // An exception here is a bug in a handler chain; log it and keep serving.
                while (true) {
                    try {
                        ioc_.run();
                        return;
                    } catch (const std::exception& e) {
                        QRT_LOG_ERROR("http: unexpected exception on an I/O thread: {}", e.what());
                    }
                }
            });
        }
    }

    std::uint16_t port() const override { return port_; }

    void stop() override {
        if (stopped_.exchange(true)) return;
        stopping_.store(true);
        net::post(acceptor_.get_executor(), [this] {
            beast::error_code ec;
            acceptor_.close(ec);
        });
        {
            std::vector<std::shared_ptr<Connection>> live;
            {
                std::lock_guard lock(conns_mu_);
                for (auto& [ptr, weak] : conns_) {
                    if (auto c = weak.lock()) live.push_back(std::move(c));
                }
            }
            for (auto& c : live) c->request_stop();
        }
        {
            std::unique_lock lock(conns_mu_);
            conns_cv_.wait_for(lock, kStopGrace, [this] { return conns_.empty(); });
        }
        workers_.join();
        ioc_.stop();
        for (std::thread& t : threads_) {
            if (t.joinable()) t.join();
        }
    }

    const ServerConfig& config() const { return config_; }
    Api& api() { return api_; }
    // The web pages: every path the API does not claim (web::is_web_path).
    HttpResponse handle(const HttpRequest& request, std::string_view method);
    net::thread_pool& workers() { return workers_; }
    bool stopping() const { return stopping_.load(); }

    void add(const std::shared_ptr<Connection>& c) {
        std::lock_guard lock(conns_mu_);
        conns_.emplace(c.get(), c);
    }
    void remove(Connection* c) {
        std::lock_guard lock(conns_mu_);
        conns_.erase(c);
        if (conns_.empty()) conns_cv_.notify_all();
    }

private:
    void do_accept() {
        acceptor_.async_accept(net::make_strand(ioc_),
                               beast::bind_front_handler(&ServerImpl::on_accept, this));
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || stopping_.load()) return;
        if (ec) {
            QRT_LOG_WARN("http: accept failed: {}", ec.message());
        } else {
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            auto c = std::make_shared<Connection>(std::move(socket), *this);
            add(c);
            c->start();
        }
        do_accept();
    }

    // Declaration order is destruction order reversed: the connection registry and the Api
    // must outlive the io_context, whose destruction destroys the connections still queued in it.
    const ServerConfig config_;
    std::mutex conns_mu_;
    std::condition_variable conns_cv_;
    std::unordered_map<Connection*, std::weak_ptr<Connection>> conns_;
    Api api_;
    web::WebUi web_;
    net::io_context ioc_;
    tcp::acceptor acceptor_;
    net::thread_pool workers_;
    std::vector<std::thread> threads_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> stopped_{false};
};

HttpResponse ServerImpl::handle(const HttpRequest& request, std::string_view method) {
    const std::string_view target = request.target;
    const std::string_view path = target.substr(0, target.find('?'));
    if (!web::is_web_path(path)) return api_.handle(request);
    web::Request w;
    w.method = method;
    w.target = target;
    w.body = request.body;
    w.content_type = request.content_type;
    w.cookie = request.cookie;
    w.origin = request.origin;
    w.sec_fetch_site = request.sec_fetch_site;
    w.host = request.host;
    w.peer = request.peer;
    web::Response r = web_.handle(w);
    HttpResponse out;
    out.status = r.status;
    out.content_type = r.content_type;
    out.body = std::move(r.body);
    out.headers = std::move(r.headers);
    out.request_id = api_.request_id_for(request.request_id);
    return out;
}

// ---------------------------------------------------------------- Connection

Connection::Connection(tcp::socket&& socket, ServerImpl& server)
    : server_(server), stream_(std::move(socket)) {
    beast::error_code ec;
    const tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    peer_ = ec ? "unknown" : remote.address().to_string();
    buffer_.reserve(8192);
}

Connection::~Connection() { server_.remove(this); }

void Connection::start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Connection::do_read, shared_from_this()));
}

void Connection::request_stop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
        self->stop_requested_ = true;
        if (!self->busy_) self->close();
    });
}

void Connection::do_read() {
    if (stop_requested_) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(server_.config().max_header_bytes, UINT32_MAX)));
    parser_->body_limit(server_.config().max_body_bytes);
    stream_.expires_after(server_.config().idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Connection::on_header, shared_from_this()));
}

void Connection::on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    if (parser_->is_done()) return handle_request();
    const auto& req = parser_->get();
    if (beast::iequals(req[http::field::expect], "100-continue")) {
        net::async_write(
            stream_, net::buffer(kContinue.data(), kContinue.size()),
            beast::bind_front_handler(&Connection::on_continue_written, shared_from_this()));
        return;
    }
    read_body();
}

void Connection::on_continue_written(beast::error_code ec, std::size_t) {
    if (ec) return close();
    read_body();
}

void Connection::read_body() {
    stream_.expires_after(server_.config().idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Connection::on_read, shared_from_this()));
}

void Connection::on_read(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    handle_request();
}

void Connection::on_read_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == http::error::partial_message) {
        return close();
    }
    if (ec == http::error::body_limit) {
        return transport_error(413, "payload_too_large",
                               fmt::format("request body is larger than the limit of {} bytes",
                                           server_.config().max_body_bytes));
    }
    if (ec == http::error::header_limit) {
        return transport_error(431, "header_too_large",
                               fmt::format("request header is larger than the limit of {} bytes",
                                           server_.config().max_header_bytes));
    }
    // Every other parser error (bad method, target, version, field, Content-Length, chunk, ...).
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
        return transport_error(400, "invalid_argument",
                               fmt::format("malformed HTTP request: {}", ec.message()));
    }
    close();
}

void Connection::handle_request() {
    busy_ = true;
    started_ = std::chrono::steady_clock::now();
    const auto& req = parser_->get();
    HttpRequest request;
    request.method = parse_method(req.method_string());
    request.target = req.target();
    request.body = req.body();
    request.authorization = req[http::field::authorization];
    request.service_crn = req["Service-CRN"];
    request.api_version = req["IBM-API-Version"];
    request.request_id = req["X-Request-Id"];
    request.peer = peer_;
    request.cookie = req[http::field::cookie];
    request.origin = req[http::field::origin];
    request.sec_fetch_site = req["Sec-Fetch-Site"];
    request.host = req[http::field::host];
    request.content_type = req[http::field::content_type];
    const std::string_view method = req.method_string();
    const bool close_after = !req.keep_alive();
    if (Api::is_mutating(request.method)) {
        net::post(server_.workers(), [self = shared_from_this(), request, method, close_after] {
            HttpResponse response = self->server_.handle(request, method);
            net::post(self->stream_.get_executor(),
                      [self, close_after, response = std::move(response)]() mutable {
                          self->write(std::move(response), close_after);
                      });
        });
        return;
    }
    write(server_.handle(request, method), close_after);
}

void Connection::write(HttpResponse r, bool close_after) {
    const unsigned version = parser_ ? parser_->get().version() : 11;
    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(r.status));
    response_.set(http::field::server, "qrt");
    if (r.status != 204) response_.set(http::field::content_type, r.content_type);
    if (!r.request_id.empty()) response_.set("X-Request-Id", r.request_id);
    if (!r.allow.empty()) response_.set(http::field::allow, r.allow);
    if (r.retry_after_s > 0) {
        response_.set(http::field::retry_after, std::to_string(r.retry_after_s));
    }
    for (const auto& [name, value] : r.headers) response_.insert(name, value);
    response_.body() = std::move(r.body);
    close_after_write_ = close_after || stop_requested_ || server_.stopping();
    response_.keep_alive(!close_after_write_);
    response_.prepare_payload();

    // API requests have their access line from the Api (with user and instance); the web pages
    // get theirs here.
    if (log_enabled(LogLevel::kInfo) && parser_ &&
        web::is_web_path(parser_->get().target().substr(0, parser_->get().target().find('?')))) {
        const auto& req = parser_->get();
        const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - started_)
                                .count();
        const std::string_view target = req.target();
        QRT_LOG_INFO("{} {} {} {} {}us {}", peer_, std::string_view(req.method_string()),
                     target.substr(0, 512), r.status, micros, r.request_id);
    }
    stream_.expires_after(server_.config().idle_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Connection::on_write, shared_from_this()));
}

void Connection::on_write(beast::error_code ec, std::size_t) {
    busy_ = false;
    if (ec) return close();
    if (close_after_write_ || stop_requested_) return linger();
    response_ = {};
    do_read();
}

void Connection::transport_error(int status, std::string_view code, std::string_view message) {
    busy_ = true;
    started_ = std::chrono::steady_clock::now();
    HttpResponse r = server_.api().transport_error(status, code, message);
    QRT_LOG_INFO("{} - - {} 0us {} ({})", peer_, status, r.request_id, message);
    // The request could not be read to its end, so the connection cannot carry another one.
    parser_.reset();
    write(std::move(r), true);
}

// Half-close, then drain what the peer still sends for a moment, so that it reads our error
// response instead of a reset.
void Connection::linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    stream_.expires_after(kLingerTime);
    stream_.async_read_some(net::buffer(scratch_),
                            beast::bind_front_handler(&Connection::on_linger, shared_from_this()));
}

void Connection::on_linger(beast::error_code ec, std::size_t bytes) {
    lingered_ += bytes;
    if (ec || lingered_ > kLingerMaxBytes) return close();
    stream_.async_read_some(net::buffer(scratch_),
                            beast::bind_front_handler(&Connection::on_linger, shared_from_this()));
}

void Connection::close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
}

}  // namespace

Result<std::unique_ptr<Server>> Server::start(const ServerConfig& config, runtime::Runtime& runtime,
                                              Clock& clock) {
    if (config.max_body_bytes == 0 || config.max_header_bytes < 1024) {
        return invalid_argument("server: max_body_bytes must be > 0 and max_header_bytes >= 1024");
    }
    auto server = std::make_unique<ServerImpl>(config, runtime, clock);
    QRT_RETURN_IF_ERROR(server->listen());
    server->run();
    return std::unique_ptr<Server>(std::move(server));
}

}  // namespace qrt::api
