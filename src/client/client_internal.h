// The client library's insides, shared by its .cc files (never installed, never included by users):
// the Status -> qrt::Error conversion at the library's boundary, the Impl structs behind the public
// pimpl classes, and the JSON readers the results and infos are built with.
//
// Thread safety: Service::Impl is safe for concurrent use (a pool of HttpClient, one per request
// in flight; the token behind a mutex). The free functions are pure.
#pragma once

#include <qrt/qrt.h>

#include <boost/json/value.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "circuit/circuit.h"
#include "circuit/target.h"
#include "client/http.h"

namespace qrt::client {

// The ErrorKind a Status stands for (the HTTP status refines it when there was one).
ErrorKind error_kind(const Status& status, int http_status = 0);
// Throws the qrt::Error for a non-ok Status; `context` (may be empty) is put before the message.
[[noreturn]] void throw_status(const Status& status, int http_status = 0,
                               std::string_view context = {});
// Throws Error(kind, message).
[[noreturn]] void throw_error(ErrorKind kind, std::string message, int http_status = 0);
// base's duration grammar, in seconds (kept in a file that does not see <qrt/qrt.h>, whose
// public parse_duration has the same parameters).
Result<double> duration_seconds(std::string_view text);

// Where admin.key lives when no token is given: `data_dir`, else $QRT_DATA_DIR, else
// $HOME/.local/share/qrt (the server's default data directory, cli/config.cc resolve_data_dir).
Result<std::string> default_admin_key_path(const std::string& data_dir);

// JSON readers that accept absent and null fields (empty / default values).
std::string json_string(const boost::json::value& v, std::string_view key);
double json_number(const boost::json::value& v, std::string_view key, double fallback = 0);
std::optional<double> json_optional_number(const boost::json::value& v, std::string_view key);
const boost::json::value* json_field(const boost::json::value& v, std::string_view key);

JobStatus parse_job_status(std::string_view text);  // "Queued", ... (unknown: kQueued)
JobInfo job_info_from_json(const boost::json::value& job);
SessionDetails session_details_from_json(const boost::json::value& session);
// The /results body of a Completed job (docs/formats/runtime-json.md): the plain form (what this
// client asks for), or the typed RuntimeEncoder form (jobs sent by the Python client).
PrimitiveResult decode_results(std::string body);

}  // namespace qrt::client

namespace qrt {

struct QuantumCircuit::Impl {
    circuit::Circuit circuit;
    // After transpile(): virtual qubit i -> physical qubit (empty when not transpiled).
    std::vector<std::uint32_t> initial_layout, final_layout;
    std::uint32_t num_virtual_qubits = 0;
};

struct detail::BackendTarget {
    std::weak_ptr<const Service> service;
    std::string name;
    std::once_flag loaded;
    std::shared_ptr<const circuit::Target> target;  // set once loaded
};

struct PubResult::Data {
    // Sampler: one entry per classical register, in the order the server sent them; each shot's
    // bits as Qiskit prints them (the register's highest bit first), flattened over the shape.
    std::vector<std::pair<std::string, std::vector<std::string>>> registers;
    // Estimator.
    std::vector<double> evs, stds;
    std::vector<std::size_t> shape;
    bool estimator = false;
    std::string metadata;  // JSON text
};

struct Service::Impl {
    ServiceOptions options;
    client::Url url;
    std::string url_text;
    std::string api_key;        // exchanged for a token at POST /identity/token
    bool bearer_given = false;  // the credential is already a token (a JWT): sent as it is

    std::mutex token_mu;
    std::string bearer;  // "Bearer ..." once obtained
    std::chrono::steady_clock::time_point refresh_at{};

    std::mutex pool_mu;
    std::vector<std::unique_ptr<client::HttpClient>> idle;

    struct Reply {
        int status = 0;
        std::string body;
    };

    // One API call: `target` starts with '/' and is under the server's root ("/api/v1/jobs").
    // Adds the credential, refreshes the token on 401 once, retries idempotent methods (GET, PUT,
    // PATCH, DELETE) on network errors and 502/503/504/429 with backoff. A non-2xx answer throws
    // the Error it maps to; `context` names the operation in transport errors.
    Reply call(std::string_view method, const std::string& target, std::string_view body = {},
               std::string_view context = {});
    boost::json::value call_json(std::string_view method, const std::string& target,
                                 std::string_view body = {}, std::string_view context = {});

    std::string authorization(bool force_refresh);
    std::unique_ptr<client::HttpClient> acquire();
    void release(std::unique_ptr<client::HttpClient> c);

    std::shared_ptr<const circuit::Target> load_target(const std::string& backend);
};

}  // namespace qrt
