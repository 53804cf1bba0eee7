#include "client/http.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

namespace qrt::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string host_for_url(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// Runs the io_context until `done` is set; the stream's own expiry cancels what overruns.
void run_until(asio::io_context& ioc, const bool& done) {
    ioc.restart();
    while (!done && ioc.run_one() > 0) {
    }
}

}  // namespace

std::string Url::to_string() const {
    return fmt::format("http://{}:{}{}", host_for_url(host), port, base_path);
}

Result<Url> parse_url(std::string_view text) {
    auto bad = [&](std::string_view why) {
        return invalid_argument(fmt::format("bad URL \"{}\": {}", text, why));
    };
    std::size_t sep = text.find("://");
    if (sep == std::string_view::npos) return bad("expected http://HOST[:PORT][/PATH]");
    std::string_view scheme = text.substr(0, sep);
    if (iequals(scheme, "https")) {
        return bad("https is not supported (qrt speaks plain HTTP; put a TLS proxy in front)");
    }
    if (!iequals(scheme, "http")) return bad("the scheme must be http");
    std::string_view rest = text.substr(sep + 3);
    std::size_t path_at = rest.find('/');
    std::string_view authority = rest.substr(0, path_at);
    std::string_view path = path_at == std::string_view::npos ? "" : rest.substr(path_at);
    if (authority.find('@') != std::string_view::npos) return bad("user info is not supported");
    if (path.find_first_of("?#") != std::string_view::npos) {
        return bad("a query or fragment is not allowed");
    }

    Url url;
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return bad("unclosed '[' in the host");
        url.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return bad("expected ':' after the IPv6 address");
            port_text = after.substr(1);
            if (port_text.empty()) return bad("empty port");
        }
    } else {
        std::size_t colon = authority.find(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty()) return bad("empty port");
        }
    }
    if (url.host.empty()) return bad("no host");
    for (char c : url.host) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
              c == '_')) {
            return bad(fmt::format("character '{}' in the host", c));
        }
    }
    if (!port_text.empty()) {
        unsigned value = 0;
        auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
            value > 65535) {
            return bad("the port must be a number in 1..65535");
        }
        url.port = static_cast<std::uint16_t>(value);
    }
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    url.base_path = std::string(path);
    return url;
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    for (const Header& h : headers) {
        if (iequals(h.name, name)) return h.value;
    }
    return std::nullopt;
}

struct HttpClient::Impl {
    Url base;
    HttpOptions options;
    std::vector<Header> default_headers;
    asio::io_context ioc;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    int connections = 0;

    Impl(Url b, HttpOptions o) : base(std::move(b)), options(std::move(o)) {}

    std::string where() const { return base.to_string(); }

    void drop() {
        if (stream) {
            error_code ignored;
            stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
            stream->socket().close(ignored);
            stream.reset();
        }
        buffer.clear();
    }

    Status connect() {
        drop();
        tcp::resolver resolver(ioc);
        bool done = false;
        error_code ec;
        tcp::resolver::results_type endpoints;
        resolver.async_resolve(base.host, std::to_string(base.port),
                               [&](error_code e, tcp::resolver::results_type r) {
                                   ec = e;
                                   endpoints = std::move(r);
                                   done = true;
                               });
        ioc.restart();
        ioc.run_for(options.connect_timeout);
        if (!done) {
            resolver.cancel();
            run_until(ioc, done);
            return {ErrorCode::kDeadlineExceeded,
                    fmt::format("cannot resolve {}: timed out", base.host)};
        }
        if (ec) {
            return {ErrorCode::kUnavailable,
                    fmt::format("cannot resolve {}: {}", base.host, ec.message())};
        }

        stream.emplace(ioc);
        stream->expires_after(options.connect_timeout);
        done = false;
        stream->async_connect(endpoints, [&](error_code e, const tcp::endpoint&) {
            ec = e;
            done = true;
        });
        run_until(ioc, done);
        if (ec) {
            stream.reset();
            if (ec == beast::error::timeout) {
                return {ErrorCode::kDeadlineExceeded,
                        fmt::format("cannot connect to {}: timed out", where())};
            }
            return {ErrorCode::kUnavailable,
                    fmt::format("cannot connect to {}: {}", where(), ec.message())};
        }
        ++connections;
        return {};
    }

    // One exchange on the open stream. `stale`: set when the connection failed before any answer
    // byte came back (a kept-open connection the server had closed; the caller may retry).
    Result<HttpResponse> exchange(http::request<http::string_body>& req, bool& stale) {
        stale = false;
        stream->expires_after(options.request_timeout);
        bool done = false;
        error_code ec;
        http::async_write(*stream, req, [&](error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        run_until(ioc, done);
        if (ec) {
            stale = ec != beast::error::timeout;
            return transport_error("sending the request", ec);
        }

        http::response_parser<http::string_body> parser;
        parser.body_limit(options.max_response_bytes);
        parser.header_limit(64 * 1024);
        done = false;
        std::size_t got = 0;
        http::async_read(*stream, buffer, parser, [&](error_code e, std::size_t n) {
            ec = e;
            got = n;
            done = true;
        });
        run_until(ioc, done);
        if (ec) {
            stale =
                got == 0 && (ec == http::error::end_of_stream || ec == asio::error::eof ||
                             ec == asio::error::connection_reset || ec == asio::error::broken_pipe);
            if (ec == http::error::body_limit) {
                drop();
                return Status{ErrorCode::kResourceExhausted,
                              fmt::format("the answer from {} is over {} bytes", where(),
                                          options.max_response_bytes)};
            }
            return transport_error("reading the answer", ec);
        }
        auto& res = parser.get();
        HttpResponse out;
        out.status = static_cast<int>(res.result_int());
        for (const auto& field : res) {
            out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
        }
        bool keep = res.keep_alive();
        out.body = std::move(res.body());
        if (!keep) drop();
        return out;
    }

    Status transport_error(std::string_view what, error_code ec) {
        drop();
        if (ec == beast::error::timeout) {
            return {ErrorCode::kDeadlineExceeded,
                    fmt::format("{} to/from {}: timed out after {}", what, where(),
                                format_seconds(options.request_timeout))};
        }
        return {ErrorCode::kUnavailable,
                fmt::format("{} to/from {}: {}", what, where(), ec.message())};
    }

    static std::string format_seconds(Duration d) { return fmt::format("{}s", to_seconds(d)); }
};

HttpClient::HttpClient(Url base, HttpOptions options)
    : impl_(std::make_unique<Impl>(std::move(base), std::move(options))) {}
HttpClient::~HttpClient() {
    if (impl_) impl_->drop();
}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

const Url& HttpClient::base() const { return impl_->base; }

void HttpClient::set_default_header(std::string name, std::string value) {
    for (Header& h : impl_->default_headers) {
        if (iequals(h.name, name)) {
            h.value = std::move(value);
            return;
        }
    }
    impl_->default_headers.push_back({std::move(name), std::move(value)});
}

void HttpClient::close() { impl_->drop(); }

int HttpClient::connections_opened() const { return impl_->connections; }

Result<HttpResponse> HttpClient::request(std::string_view method, std::string_view target,
                                         std::string_view body, std::string_view content_type,
                                         const std::vector<Header>& headers) {
    http::verb verb = http::string_to_verb(method);
    if (verb == http::verb::unknown) {
        return invalid_argument(fmt::format("unknown HTTP method \"{}\"", method));
    }
    if (target.empty() || target.front() != '/') {
        return invalid_argument(fmt::format("request target \"{}\" must start with '/'", target));
    }
    for (char c : target) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            return invalid_argument(
                fmt::format("request target \"{}\" has a space or control character", target));
        }
    }
    Impl& im = *impl_;
    http::request<http::string_body> req{verb, im.base.base_path + std::string(target), 11};
    std::string host_header = host_for_url(im.base.host);
    if (im.base.port != 80) host_header += ":" + std::to_string(im.base.port);
    req.set(http::field::host, host_header);
    req.set(http::field::user_agent, im.options.user_agent);
    req.set(http::field::accept, "application/json");
    for (const Header& h : im.default_headers) req.set(h.name, h.value);
    for (const Header& h : headers) req.set(h.name, h.value);
    if (!body.empty() || verb == http::verb::post || verb == http::verb::put ||
        verb == http::verb::patch) {
        req.body() = std::string(body);
        if (!content_type.empty()) req.set(http::field::content_type, content_type);
    }
    req.keep_alive(true);
    req.prepare_payload();

    for (int attempt = 0; attempt < 2; ++attempt) {
        bool reused = im.stream.has_value();
        if (!reused) QRT_RETURN_IF_ERROR(im.connect());
        bool stale = false;
        auto response = im.exchange(req, stale);
        if (response.ok() || !(reused && stale)) return response;
        // A kept-open connection the server had closed: it never saw this request.
    }
    return Status{ErrorCode::kUnavailable,
                  fmt::format("the connection to {} closed twice", im.where())};
}

Result<HttpResponse> HttpClient::post_json(std::string_view target,
                                           const boost::json::value& body) {
    return request("POST", target, boost::json::serialize(body), "application/json");
}

Result<HttpResponse> HttpClient::put_json(std::string_view target, const boost::json::value& body) {
    return request("PUT", target, boost::json::serialize(body), "application/json");
}

Result<boost::json::value> parse_json(std::string_view text) {
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    if (ec) return invalid_argument(fmt::format("malformed JSON: {}", ec.message()));
    return v;
}

namespace {

// The message a qrt (or Qiskit Runtime) error body carries, if it has one.
std::string error_message(const boost::json::value& body, std::string* code) {
    if (!body.is_object()) return {};
    const auto& obj = body.as_object();
    auto from = [&](const boost::json::object& o) -> std::string {
        if (const auto* c = o.if_contains("code"); c && c->is_string() && code) {
            *code = std::string(c->as_string());
        }
        if (const auto* m = o.if_contains("message"); m && m->is_string()) {
            return std::string(m->as_string());
        }
        return {};
    };
    if (const auto* errors = obj.if_contains("errors"); errors && errors->is_array() &&
                                                        !errors->as_array().empty() &&
                                                        errors->as_array().front().is_object()) {
        std::string m = from(errors->as_array().front().as_object());
        if (!m.empty()) return m;
    }
    if (const auto* error = obj.if_contains("error"); error && error->is_object()) {
        std::string m = from(error->as_object());
        if (!m.empty()) return m;
    }
    if (const auto* error = obj.if_contains("error"); error && error->is_string()) {
        return std::string(error->as_string());
    }
    return from(obj);
}

}  // namespace

Status http_error_status(const HttpResponse& response) {
    if (response.ok()) return {};
    std::string code;
    std::string message;
    boost::json::error_code ec;
    boost::json::value body = boost::json::parse(response.body, ec);
    if (!ec) message = error_message(body, &code);
    if (message.empty() && ec && !response.body.empty() && response.body.size() <= 300 &&
        response.body.find('<') == std::string::npos) {
        message = response.body;
        while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
            message.pop_back();
        }
    }
    if (message.empty()) message = fmt::format("HTTP {}", response.status);
    ErrorCode c = ErrorCode::kInternal;
    switch (response.status) {
        case 400:
        case 422:
            c = ErrorCode::kInvalidArgument;
            break;
        case 401:
            c = ErrorCode::kUnauthenticated;
            break;
        case 403:
            c = ErrorCode::kPermissionDenied;
            break;
        case 404:
            c = ErrorCode::kNotFound;
            break;
        case 409:
            c = code == "already_exists" ? ErrorCode::kAlreadyExists
                                         : ErrorCode::kFailedPrecondition;
            break;
        case 413:
        case 429:
            c = ErrorCode::kResourceExhausted;
            break;
        case 501:
            c = ErrorCode::kUnimplemented;
            break;
        case 503:
            c = ErrorCode::kUnavailable;
            break;
        case 504:
            c = ErrorCode::kDeadlineExceeded;
            break;
        default:
            break;
    }
    return {c, std::move(message)};
}

Result<boost::json::value> json_body(const HttpResponse& response) {
    if (!response.ok()) return http_error_status(response);
    if (response.body.empty()) return boost::json::value(nullptr);
    auto v = parse_json(response.body);
    if (!v.ok()) {
        return Status{ErrorCode::kInternal, fmt::format("the server answered HTTP {} with {}",
                                                        response.status, v.status().message())};
    }
    return v;
}

std::string url_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

}  // namespace qrt::client
