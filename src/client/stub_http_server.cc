#include "client/stub_http_server.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <future>
#include <mutex>
#include <thread>

namespace qrt::client::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

struct StubHttpServer::Impl {
    Handler handler;
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::uint16_t port = 0;
    std::thread thread;

    mutable std::mutex mu;
    std::vector<StubRequest> requests;
    int connections = 0;
    std::vector<std::weak_ptr<tcp::socket>> sockets;  // server thread only

    struct Conn : std::enable_shared_from_this<Conn> {
        Impl& server;
        std::shared_ptr<tcp::socket> socket;
        beast::flat_buffer buffer;
        http::request<http::string_body> req;
        http::response<http::string_body> res;

        Conn(Impl& s, tcp::socket sock)
            : server(s), socket(std::make_shared<tcp::socket>(std::move(sock))) {}

        void read() {
            req = {};
            http::async_read(*socket, buffer, req,
                             [self = shared_from_this()](error_code ec, std::size_t) {
                                 if (!ec) self->answer();
                             });
        }

        void answer() {
            StubRequest r;
            r.method = std::string(req.method_string());
            r.target = std::string(req.target());
            for (const auto& f : req) {
                std::string name(f.name_string());
                std::transform(name.begin(), name.end(), name.begin(),
                               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                r.headers[name] = std::string(f.value());
            }
            r.body = req.body();
            {
                std::lock_guard lock(server.mu);
                server.requests.push_back(r);
            }
            StubResponse out = server.handler(r);
            if (out.drop) {
                error_code ignored;
                socket->shutdown(tcp::socket::shutdown_both, ignored);
                socket->close(ignored);
                return;
            }
            if (out.hang) {
                // Keep the connection (and this object) alive until the server stops.
                http::async_read(*socket, buffer, req,
                                 [self = shared_from_this()](error_code, std::size_t) {});
                return;
            }
            res = {};
            res.version(11);
            res.result(static_cast<unsigned>(out.status));
            if (!out.content_type.empty()) res.set(http::field::content_type, out.content_type);
            res.body() = out.body;
            res.keep_alive(req.keep_alive() && !out.close);
            res.prepare_payload();
            http::async_write(*socket, res,
                              [self = shared_from_this()](error_code ec, std::size_t) {
                                  if (ec) return;
                                  if (self->res.keep_alive()) {
                                      self->read();
                                  } else {
                                      error_code ignored;
                                      self->socket->shutdown(tcp::socket::shutdown_send, ignored);
                                      self->socket->close(ignored);
                                  }
                              });
        }
    };

    void accept() {
        acceptor.async_accept([this](error_code ec, tcp::socket socket) {
            if (ec) return;
            {
                std::lock_guard lock(mu);
                ++connections;
            }
            auto conn = std::make_shared<Conn>(*this, std::move(socket));
            sockets.push_back(conn->socket);
            conn->read();
            accept();
        });
    }
};

StubHttpServer::StubHttpServer(Handler handler) : impl_(std::make_unique<Impl>()) {
    impl_->handler = std::move(handler);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    impl_->accept();
    impl_->thread = std::thread([im = impl_.get()] { im->ioc.run(); });
}

StubHttpServer::~StubHttpServer() {
    impl_->ioc.stop();
    impl_->thread.join();
}

std::uint16_t StubHttpServer::port() const { return impl_->port; }

std::string StubHttpServer::url() const {
    return "http://127.0.0.1:" + std::to_string(impl_->port);
}

std::vector<StubRequest> StubHttpServer::requests() const {
    std::lock_guard lock(impl_->mu);
    return impl_->requests;
}

int StubHttpServer::connections() const {
    std::lock_guard lock(impl_->mu);
    return impl_->connections;
}

void StubHttpServer::close_connections() {
    std::promise<void> done;
    asio::post(impl_->ioc, [this, &done] {
        for (auto& weak : impl_->sockets) {
            if (auto s = weak.lock()) {
                error_code ignored;
                s->shutdown(tcp::socket::shutdown_both, ignored);
                s->close(ignored);
            }
        }
        impl_->sockets.clear();
        done.set_value();
    });
    done.get_future().wait();
}

}  // namespace qrt::client::testing
