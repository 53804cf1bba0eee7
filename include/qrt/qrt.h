// qrt's C++ client library: the public surface. A program talks to a qrt server (`qrt serve`)
// over its HTTP API (docs/http-api.md) through these classes; docs/client.md is the guide.
//
//     #include <qrt/qrt.h>
//
//     auto service = qrt::Service::connect();  // QRT_URL/QRT_TOKEN, or the local admin key
//     qrt::QuantumCircuit qc(2);
//     qc.h(0).cx(0, 1).measure_all();
//     auto backend = service->least_busy(2);
//     {
//         qrt::Session session(service, backend.name, qrt::parse_duration("25m"));
//         qrt::Sampler sampler(session);
//         auto job = sampler.run({qrt::SamplerPub{qrt::transpile(qc, backend)}});
//         auto counts = job.result()[0].counts();               // {"00": 2051, "11": 2045}
//     }                                                        // leaving scope closes (drains, S9)
//
// Errors: every call that fails throws qrt::Error (kind + message, the server's own words when it
// answered). Rationale in docs/adr/0009-client-api.md. Destructors never throw.
// Thread safety: a Service, Session, Batch, Sampler, Estimator or Job may be used by several
// threads at once (seed 004: two optimizer threads in one session). A QuantumCircuit is a plain
// value: share a const one freely, never a mutable one. Moving a Session while another thread uses
// it is not safe.
#pragma once

#include <chrono>
#include <complex>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace qrt {

// ---------------------------------------------------------------- errors
enum class ErrorKind {
    kInvalidArgument,    // 400/422, bad input (also client-side validation)
    kUnauthenticated,    // 401
    kPermissionDenied,   // 403
    kNotFound,           // 404
    kConflict,           // 409: wrong state (closed session, final job) or already exists
    kResourceExhausted,  // 413/429
    kUnavailable,        // cannot connect, 503
    kTimeout,            // a client timeout or 504
    kJobFailed,          // result() of a Failed job (message: the server's reason)
    kJobCancelled,       // result() of a Cancelled job
    kInternal,           // anything else (500, an answer the client cannot read)
};
// 501 (a feature the server recognises but does not support) is reported as kInvalidArgument: the
// request asked for something this server cannot do, and retrying will not help.

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message, int http_status = 0);
    ErrorKind kind() const noexcept;
    int http_status() const noexcept;  // 0 when no answer came

private:
    ErrorKind kind_;
    int http_status_;
};

// Words for a kind: "invalid_argument", "unauthenticated", ..., "internal".
std::string_view to_string(ErrorKind kind);

// "2h 30m", "25m", "90s", "1h", "3600" (seconds) -> seconds; invalid_argument Error otherwise.
// The grammar is the server's (d/h/m/s groups in descending order, a fraction only on seconds).
// (In an inline namespace so that it cannot collide with qrt's internal parse_duration.)
inline namespace api_v1 {
double parse_duration(std::string_view text);
}  // namespace api_v1

// ---------------------------------------------------------------- circuits
// A circuit built in code (or read from OpenQASM 2/3), held as qrt's circuit IR; sent to the
// server as OpenQASM 3. Parameters are named symbols; bind values are given to primitives in
// parameters() order (Qiskit's order: sorted by name, vector elements by index).
// A name is an OpenQASM identifier ("theta", "phi_1"), or a vector element "x[3]" (ordered by
// index: x[2] before x[10], as Qiskit's ParameterVector); anything else is an invalid_argument
// Error, because the server must read the same name back from the OpenQASM text.
class Parameter {
public:
    explicit Parameter(std::string name);
    const std::string& name() const;

private:
    std::string name_;
};
using Angle = std::variant<double, Parameter>;

class QuantumCircuit {
public:
    QuantumCircuit(std::uint32_t num_qubits, std::uint32_t num_clbits = 0);
    static QuantumCircuit from_qasm(std::string_view text);  // OpenQASM 3 or 2 (by header)
    static QuantumCircuit from_qasm_file(const std::string& path);
    ~QuantumCircuit();
    QuantumCircuit(const QuantumCircuit&);
    QuantumCircuit& operator=(const QuantumCircuit&);
    QuantumCircuit(QuantumCircuit&&) noexcept;
    QuantumCircuit& operator=(QuantumCircuit&&) noexcept;

    std::uint32_t num_qubits() const;
    std::uint32_t num_clbits() const;
    std::vector<std::string> parameters() const;  // Qiskit's order
    std::size_t size() const;                     // instructions
    std::size_t depth() const;

    // Gates (bad qubit index / repeated qubits: invalid_argument Error).
    QuantumCircuit& h(std::uint32_t q);
    QuantumCircuit& x(std::uint32_t q);
    QuantumCircuit& y(std::uint32_t q);
    QuantumCircuit& z(std::uint32_t q);
    QuantumCircuit& s(std::uint32_t q);
    QuantumCircuit& sdg(std::uint32_t q);
    QuantumCircuit& t(std::uint32_t q);
    QuantumCircuit& tdg(std::uint32_t q);
    QuantumCircuit& sx(std::uint32_t q);
    QuantumCircuit& rx(Angle theta, std::uint32_t q);
    QuantumCircuit& ry(Angle theta, std::uint32_t q);
    QuantumCircuit& rz(Angle theta, std::uint32_t q);
    QuantumCircuit& p(Angle theta, std::uint32_t q);
    QuantumCircuit& u(Angle theta, Angle phi, Angle lam, std::uint32_t q);
    QuantumCircuit& cx(std::uint32_t control, std::uint32_t target);
    QuantumCircuit& cz(std::uint32_t a, std::uint32_t b);
    QuantumCircuit& ecr(std::uint32_t a, std::uint32_t b);
    QuantumCircuit& swap(std::uint32_t a, std::uint32_t b);
    QuantumCircuit& rzz(Angle theta, std::uint32_t a, std::uint32_t b);
    QuantumCircuit& ccx(std::uint32_t c1, std::uint32_t c2, std::uint32_t target);
    QuantumCircuit& barrier();
    QuantumCircuit& measure(std::uint32_t qubit, std::uint32_t clbit);
    QuantumCircuit& measure_all();  // adds a "meas" register of num_qubits bits (as Qiskit)
    QuantumCircuit& reset(std::uint32_t q);

    std::string to_qasm3() const;

    // After transpile(): where the circuit's virtual qubit i sits on the device at the start
    // (initial) and at the end (final, after routing SWAPs); empty for a circuit not transpiled
    // (or returned unchanged). Estimator::run maps observables through final_layout().
    std::vector<std::uint32_t> initial_layout() const;
    std::vector<std::uint32_t> final_layout() const;
    std::uint32_t num_virtual_qubits() const;  // the width before transpile()

    struct Impl;
    const Impl& impl() const;  // for the library itself
    Impl& impl();
    explicit QuantumCircuit(std::unique_ptr<Impl> impl);

private:
    std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------- backends
namespace detail {
struct BackendTarget;  // the backend's Target (configuration + properties), fetched on demand
}  // namespace detail

struct BackendInfo {
    std::string name{};
    std::uint32_t num_qubits = 0;
    bool simulator = false;
    bool operational = true;  // false when paused
    int pending_jobs = 0;
    std::string status_message{};
    std::vector<std::string> basis_gates{};  // from the configuration
    std::vector<std::pair<std::uint32_t, std::uint32_t>> coupling_map{};
    std::string raw_json{};  // the backend's entry of GET /backends, as received

    // The library's own: the backend's Target for transpile(), loaded from the server at the first
    // transpile() when backends() made this entry (Service::backend() loads it at once).
    std::shared_ptr<detail::BackendTarget> target{};
};

// Maps `qc` onto the backend's qubits and native gates (layout, SWAP routing, basis
// translation, 1q merging), like Qiskit's preset pass manager at optimization level 1. A circuit
// already valid for the target is returned unchanged. Needs the backend's configuration (fetched
// by Service::backend(), or at the first call for an entry of Service::backends()). The result
// remembers its layout (QuantumCircuit::final_layout) so that Estimator::run can map observables.
// Errors: invalid_argument when the circuit cannot fit the backend (too wide, unsupported
// operation); what fetching the configuration throws.
QuantumCircuit transpile(const QuantumCircuit& qc, const BackendInfo& backend,
                         int optimization_level = 1, std::uint64_t seed = 0);

// ---------------------------------------------------------------- jobs and results
enum class JobStatus { kQueued, kRunning, kCompleted, kFailed, kCancelled };
std::string_view to_string(JobStatus s);  // "QUEUED", "RUNNING", "DONE", "ERROR", "CANCELLED"

struct JobInfo {
    std::string id{};
    std::string program_id{};  // "sampler" | "estimator"
    std::string backend{};
    std::string session_id{};  // empty: job mode
    JobStatus status = JobStatus::kQueued;
    std::string reason{};  // failed/cancelled reason text
    std::vector<std::string> tags{};
    std::string created{}, started{}, finished{};  // ISO 8601, empty when not yet
    double usage_seconds = 0;
    std::optional<int> queue_position{};           // V1, while queued
    std::optional<std::string> estimated_start{};  // V1, ISO 8601
    std::string waiting_reason{};                  // V2: why it is not running
    std::string raw_json{};                        // the job object as received
};

// One PUB's result.
class PubResult {
public:
    // Sampler: counts of one classical register ("meas" / the first register by default),
    // bitstrings as Qiskit prints them (clbit 0 rightmost); flattened over parameter sets.
    std::map<std::string, std::uint64_t> counts(std::string_view reg = {}) const;
    std::vector<std::string> bitstrings(std::string_view reg = {}) const;  // one per shot
    std::vector<std::string> registers() const;
    // Estimator: evs/stds flattened in row-major order of the broadcast shape.
    std::vector<double> evs() const;
    std::vector<double> stds() const;
    std::vector<std::size_t> shape() const;
    std::string metadata_json() const;

    struct Data;
    explicit PubResult(std::shared_ptr<const Data> data);

private:
    std::shared_ptr<const Data> data_;
};

class PrimitiveResult {
public:
    std::size_t size() const;
    const PubResult& operator[](std::size_t i) const;
    std::vector<PubResult>::const_iterator begin() const;
    std::vector<PubResult>::const_iterator end() const;
    std::string metadata_json() const;
    std::string raw_json() const;  // the /results body as received

    std::vector<PubResult> pubs;
    std::string metadata;
    std::string raw;
};

class Service;

class Job {
public:
    const std::string& job_id() const;
    JobStatus status() const;  // asks the server
    JobInfo info() const;      // asks the server
    // Waits (polling with backoff 50 ms .. 2 s) until final; timeout: kTimeout Error.
    // Failed: kJobFailed Error with the reason; Cancelled: kJobCancelled.
    PrimitiveResult result(
        std::optional<std::chrono::duration<double>> timeout = std::nullopt) const;
    JobStatus wait(std::optional<std::chrono::duration<double>> timeout = std::nullopt) const;
    void cancel() const;
    void update_tags(const std::vector<std::string>& tags) const;
    std::string logs() const;

    Job(std::shared_ptr<Service> service, std::string id);  // prefer Service::job()

private:
    std::shared_ptr<Service> service_;
    std::string id_;
};

// ---------------------------------------------------------------- service
struct ServiceOptions {
    std::string url{};       // "" : $QRT_URL, else http://127.0.0.1:8000
    std::string token{};     // "" : $QRT_TOKEN, else <default data dir>/admin.key
    std::string instance{};  // "" : the user's first instance (Service-CRN header)
    std::chrono::duration<double> timeout = std::chrono::seconds(60);  // per request
    int retries = 3;  // idempotent requests (GET, PUT tags, DELETE) on network errors/503
    // Where admin.key is read when no token is given: "" : $QRT_DATA_DIR, else
    // $HOME/.local/share/qrt (the server's default data directory).
    std::string data_dir{};
    std::chrono::duration<double> connect_timeout = std::chrono::seconds(5);
};

struct JobFilter {
    std::optional<JobStatus> status{};
    std::string backend{}, session_id{}, tag{}, program_id{};
    int limit = 50;
    int skip = 0;
    bool descending = true;  // newest first
};

struct SessionDetails {
    std::string id{}, backend{}, mode{};  // mode: "dedicated" (session) | "batch"
    std::string state{};                  // "open" | "active" | "inactive" | "closed"
    std::string status{};  // the client's words: "Pending", "In progress, accepting new jobs", ...
    bool accepting_jobs = true;
    std::optional<double> max_time_s{}, interactive_timeout_s{}, active_timeout_s{};
    std::string started_at{}, last_job_started{}, closed_at{};
    double usage_seconds = 0;
    std::string raw_json{};  // the session object as received
};

// Shared state behind Service (copies share one connection pool). Construct with options; the
// credentials are exchanged for a token on first use.
class Service : public std::enable_shared_from_this<Service> {
public:
    // Resolves the URL and credentials (options, then the environment, then the local server's
    // admin key) and checks nothing else yet: the first request exchanges the key for a token.
    // Errors: invalid_argument (bad URL), unauthenticated (no credentials found anywhere).
    static std::shared_ptr<Service> connect(ServiceOptions options = {});

    const std::string& url() const;  // "http://127.0.0.1:8000"

    std::vector<BackendInfo> backends() const;
    BackendInfo backend(const std::string& name) const;  // with basis gates and coupling map
    BackendInfo least_busy(std::uint32_t min_qubits = 1, bool simulator = false) const;
    Job job(const std::string& id);
    std::vector<JobInfo> jobs(const JobFilter& filter = {}) const;
    double usage_seconds() const;    // this instance's usage (GET /instances/usage)
    std::string usage_json() const;  // the whole GET /instances/usage answer

    struct Impl;
    Impl& impl() const;
    explicit Service(ServiceOptions options);
    ~Service();

private:
    std::unique_ptr<Impl> impl_;
};

// A session (mode "dedicated") or batch ("batch"). Created on the server at construction (POST
// /sessions); the destructor closes it (PATCH accepting_jobs=false: queued jobs still run, rule
// S9) unless close()/cancel() already ran. A Session from from_id() is borrowed: its destructor
// leaves the session as it is (close() and cancel() still work). Movable, not copyable.
// max_time_s: the session's max_ttl in seconds (parse_duration("2h 30m")); none: the server's.
class Session {
public:
    Session(std::shared_ptr<Service> service, const std::string& backend,
            std::optional<double> max_time_s = std::nullopt);
    static Session from_id(std::shared_ptr<Service> service, const std::string& id);
    ~Session();
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const std::string& session_id() const;
    const std::string& backend() const;
    void close();   // drain: no new jobs, queued ones run (S9)
    void cancel();  // abort: queued jobs fail (S10)
    // Forgets the session without closing it: the destructor then leaves it open (a CLI that
    // creates a session for later commands). close()/cancel()/details() still work.
    void detach();
    SessionDetails details() const;
    std::string status() const;  // SessionDetails::status
    double usage() const;        // seconds

    std::shared_ptr<Service> service() const;

protected:
    Session(std::shared_ptr<Service> service, const std::string& backend,
            std::optional<double> max_time_s, std::string_view mode);

private:
    struct State;
    explicit Session(std::nullptr_t);
    State& state() const;  // kInvalidArgument Error when moved from
    std::shared_ptr<State> state_;
};

class Batch : public Session {
public:
    Batch(std::shared_ptr<Service> service, const std::string& backend,
          std::optional<double> max_time_s = std::nullopt);
};

// ---------------------------------------------------------------- primitives
struct SamplerPub {
    QuantumCircuit circuit;
    std::vector<std::vector<double>> parameter_values{};  // one row per parameter set; {} if none
    std::optional<std::uint32_t> shots{};
};

// An observable: Pauli terms with coefficients ({"IY", 1.0}, {"ZZ", -0.5}); labels are Qiskit's
// (qubit 0 rightmost).
using Observable = std::vector<std::pair<std::string, double>>;

struct EstimatorPub {
    QuantumCircuit circuit;
    std::vector<Observable> observables{};                // broadcast against parameter_values
    std::vector<std::vector<double>> parameter_values{};  // {} if none
    std::optional<double> precision{};
};

struct RunOptions {
    std::vector<std::string> tags{};  // job tags (POST /jobs "tags")
    std::optional<double> max_execution_time_s{};
    std::optional<std::uint32_t> default_shots{};  // sampler
    std::optional<double> default_precision{};     // estimator
    std::optional<int> resilience_level{};         // estimator
    std::optional<std::uint64_t> seed{};           // simulator seed
    // Jobs API (seed 003): start a session with this job (POST /jobs start_session=true; the
    // job's JobInfo::session_id names it), or join an existing one by id.
    bool start_session = false;
    std::string session_id{};
};

// Bound to a backend (job mode), a Session or a Batch.
class Sampler {
public:
    Sampler(std::shared_ptr<Service> service, const std::string& backend,
            RunOptions run_options = {});
    explicit Sampler(const Session& session, RunOptions run_options = {});
    Job run(const std::vector<SamplerPub>& pubs) const;
    RunOptions options;

private:
    std::shared_ptr<Service> service_;
    std::string backend_, session_id_;
};

class Estimator {
public:
    Estimator(std::shared_ptr<Service> service, const std::string& backend,
              RunOptions run_options = {});
    explicit Estimator(const Session& session, RunOptions run_options = {});
    Job run(const std::vector<EstimatorPub>& pubs) const;
    RunOptions options;

private:
    std::shared_ptr<Service> service_;
    std::string backend_, session_id_;
};

}  // namespace qrt
