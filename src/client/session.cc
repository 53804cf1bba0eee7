// qrt::Session and qrt::Batch: RAII over POST/GET/PATCH/DELETE /api/v1/sessions (docs/sessions.md).
#include <fmt/format.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <utility>

#include "client/client_internal.h"

namespace qrt {

namespace json = boost::json;

struct Session::State {
    std::shared_ptr<Service> service;
    std::string id, backend, mode;
    bool owned = true;  // close on destruction (false: from_id, borrowed)
    std::atomic<bool> closed{false};
};

namespace {

std::string session_path(const std::string& id) {
    return "/api/v1/sessions/" + client::url_encode(id);
}

}  // namespace

Session::Session(std::shared_ptr<Service> service, const std::string& backend,
                 std::optional<double> max_time_s)
    : Session(std::move(service), backend, max_time_s, "dedicated") {}

Session::Session(std::shared_ptr<Service> service, const std::string& backend,
                 std::optional<double> max_time_s, std::string_view mode)
    : state_(std::make_shared<State>()) {
    if (!service) client::throw_error(ErrorKind::kInvalidArgument, "Session: no Service");
    if (max_time_s && !(*max_time_s > 0)) {
        client::throw_error(
            ErrorKind::kInvalidArgument,
            fmt::format("max_time must be a positive number of seconds, got {}", *max_time_s));
    }
    json::object body{{"mode", mode}, {"backend", backend}};
    if (max_time_s) body["max_ttl"] = *max_time_s;
    json::value v = service->impl().call_json(
        "POST", "/api/v1/sessions", json::serialize(body),
        fmt::format("opening a {} on {}", mode == "batch" ? "batch" : "session", backend));
    state_->service = std::move(service);
    state_->id = client::json_string(v, "id");
    state_->backend = client::json_string(v, "backend_name");
    if (state_->backend.empty()) state_->backend = backend;
    state_->mode = std::string(mode);
    if (state_->id.empty()) {
        client::throw_error(ErrorKind::kInternal, "POST /sessions answered without an id");
    }
}

Session Session::from_id(std::shared_ptr<Service> service, const std::string& id) {
    if (!service) client::throw_error(ErrorKind::kInvalidArgument, "Session: no Service");
    json::value v = service->impl().call_json("GET", session_path(id), {}, "session " + id);
    Session s(nullptr);
    s.state_ = std::make_shared<State>();
    s.state_->service = std::move(service);
    s.state_->id = client::json_string(v, "id");
    s.state_->backend = client::json_string(v, "backend_name");
    s.state_->mode = client::json_string(v, "mode");
    s.state_->owned = false;
    s.state_->closed = client::json_string(v, "state") == "closed";
    return s;
}

Session::Session(std::nullptr_t) {}

Session::~Session() {
    if (!state_ || !state_->owned || state_->closed) return;
    try {
        close();     // rule S9: leaving scope drains
    } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; the server's
                     // interactive and max TTLs close a session the client could not reach.
    }
}

void Session::detach() {
    if (state_) state_->owned = false;
}

Session::Session(Session&& other) noexcept : state_(std::move(other.state_)) {}

Session& Session::operator=(Session&& other) noexcept {
    if (this != &other) {
        Session old(std::move(*this));  // closes what this held, as its destructor does
        state_ = std::move(other.state_);
    }
    return *this;
}

Session::State& Session::state() const {
    if (!state_) {
        client::throw_error(ErrorKind::kInvalidArgument, "this Session was moved from");
    }
    return *state_;
}

const std::string& Session::session_id() const { return state().id; }
const std::string& Session::backend() const { return state().backend; }
std::shared_ptr<Service> Session::service() const { return state().service; }

void Session::close() {
    State& s = state();
    s.service->impl().call("PATCH", session_path(s.id), R"({"accepting_jobs":false})",
                           "closing session " + s.id);
    s.closed = true;
}

void Session::cancel() {
    State& s = state();
    s.service->impl().call("DELETE", session_path(s.id) + "/close", {},
                           "cancelling session " + s.id);
    s.closed = true;
}

SessionDetails Session::details() const {
    State& s = state();
    json::value v = s.service->impl().call_json("GET", session_path(s.id), {}, "session " + s.id);
    return client::session_details_from_json(v);
}

std::string Session::status() const { return details().status; }

double Session::usage() const { return details().usage_seconds; }

Batch::Batch(std::shared_ptr<Service> service, const std::string& backend,
             std::optional<double> max_time_s)
    : Session(std::move(service), backend, max_time_s, "batch") {}

}  // namespace qrt
