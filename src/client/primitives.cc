// qrt::Sampler, qrt::Estimator (POST /api/v1/jobs), qrt::Job (status, wait, results, cancel,
// tags) and the decoding of the plain result form (docs/formats/runtime-json.md, "Plain").
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <map>
#include <thread>
#include <utility>

#include "base/base64.h"
#include "base/npy.h"
#include "base/zlib.h"
#include "client/client_internal.h"
#include "formats/qasm3_reader.h"

namespace qrt {

namespace json = boost::json;

std::string_view to_string(JobStatus s) {
    switch (s) {
        case JobStatus::kQueued:
            return "QUEUED";
        case JobStatus::kRunning:
            return "RUNNING";
        case JobStatus::kCompleted:
            return "DONE";
        case JobStatus::kFailed:
            return "ERROR";
        case JobStatus::kCancelled:
            return "CANCELLED";
    }
    return "QUEUED";
}

// ---------------------------------------------------------------- results

namespace client {

namespace {

// Leaves of a nested list in row-major order, and its shape (a bare leaf: shape ()).
template <typename Leaf>
void flatten(const json::value& v, std::size_t depth, std::vector<std::size_t>& shape,
             const Leaf& leaf) {
    if (!v.is_array()) {
        leaf(v);
        return;
    }
    const json::array& a = v.as_array();
    if (shape.size() <= depth) shape.push_back(a.size());
    for (const json::value& x : a) flatten(x, depth + 1, shape, leaf);
}

double number_or_nan(const json::value& v) {
    if (v.is_double()) return v.as_double();
    if (v.is_int64()) return static_cast<double>(v.as_int64());
    if (v.is_uint64()) return static_cast<double>(v.as_uint64());
    return std::numeric_limits<double>::quiet_NaN();  // null: NaN or infinity on the server
}

// Python's hex() of a register value -> its bits, highest first, `num_bits` wide.
std::string hex_to_bits(std::string_view hex, std::size_t num_bits) {
    if (hex.starts_with("0x") || hex.starts_with("0X")) hex.remove_prefix(2);
    std::string bits(num_bits, '0');
    std::size_t bit = 0;  // from the least significant
    for (auto it = hex.rbegin(); it != hex.rend() && bit < num_bits; ++it) {
        int d = 0;
        char c = *it;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            d = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            d = c - 'A' + 10;
        } else {
            throw_error(ErrorKind::kInternal, fmt::format("bad sample \"{}\" in the results", hex));
        }
        for (int k = 0; k < 4 && bit < num_bits; ++k, ++bit) {
            if ((d >> k) & 1) bits[num_bits - 1 - bit] = '1';
        }
    }
    return bits;
}

// ---- the typed (RuntimeEncoder) form, what jobs sent by the Python client answer

constexpr std::size_t kMaxArrayBytes = std::size_t{1} << 30;

// {"__type__": type, "__value__": v} -> v; nullptr when the type differs.
const json::value* typed(const json::value& v, std::string_view type) {
    if (json_string(v, "__type__") != type) return nullptr;
    return json_field(v, "__value__");
}

NpyArray ndarray(const json::value& v, std::string_view what) {
    const json::value* b64 = typed(v, "ndarray");
    if (b64 == nullptr || !b64->is_string()) {
        throw_error(ErrorKind::kInternal, fmt::format("results: {} is not an ndarray", what));
    }
    Result<std::string> bytes = base64_decode(b64->as_string());
    if (!bytes.ok()) throw_status(bytes.status(), 0, fmt::format("results: {}", what));
    // The client compresses with zlib; an uncompressed .npy starts with its magic.
    std::string npy = std::move(bytes).value();
    if (!npy.starts_with("\x93NUMPY")) {
        Result<std::string> raw = zlib_decompress(npy, kMaxArrayBytes);
        if (!raw.ok()) throw_status(raw.status(), 0, fmt::format("results: {}", what));
        npy = std::move(raw).value();
    }
    Result<NpyArray> a = npy_decode(npy);
    if (!a.ok()) throw_status(a.status(), 0, fmt::format("results: {}", what));
    return std::move(a).value();
}

std::vector<double> doubles(const NpyArray& a, std::string_view what) {
    Result<std::vector<double>> d = npy_to_doubles(a);
    if (!d.ok()) throw_status(d.status(), 0, fmt::format("results: {}", what));
    return std::move(d).value();
}

// A BitArray: uint8 (*shape, shots, nbytes), each shot a big-endian integer whose bit k is
// register bit k.
std::vector<std::string> bit_array_shots(const json::value& v, std::string_view what,
                                         std::vector<std::size_t>& shape) {
    const json::value* ba = typed(v, "BitArray");
    if (ba == nullptr)
        throw_error(ErrorKind::kInternal, fmt::format("results: {} is not a BitArray", what));
    const json::value* arr = json_field(*ba, "array");
    if (arr == nullptr)
        throw_error(ErrorKind::kInternal, fmt::format("results: {} has no array", what));
    NpyArray a = ndarray(*arr, what);
    const auto num_bits = static_cast<std::size_t>(json_number(*ba, "num_bits"));
    if (a.descr != "|u1" || a.shape.size() < 2 || a.shape.back() != (num_bits + 7) / 8) {
        throw_error(
            ErrorKind::kInternal,
            fmt::format("results: {} is not a uint8 array of {} bits per shot", what, num_bits));
    }
    shape.assign(a.shape.begin(), a.shape.end() - 2);
    const std::size_t nbytes = a.shape.back();
    const std::size_t rows = nbytes == 0 ? 0 : a.data.size() / nbytes;
    std::vector<std::string> out;
    out.reserve(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        std::string bits;
        bits.reserve(nbytes * 8);
        for (std::size_t b = 0; b < nbytes; ++b) {
            auto byte = static_cast<unsigned char>(a.data[r * nbytes + b]);
            for (int k = 7; k >= 0; --k) bits += ((byte >> k) & 1) ? '1' : '0';
        }
        out.push_back(bits.substr(bits.size() - num_bits));
    }
    return out;
}

PrimitiveResult decode_typed_results(const json::value& value, std::string body) {
    PrimitiveResult out;
    const json::value* pubs = json_field(value, "pub_results");
    if (pubs == nullptr || !pubs->is_array()) {
        throw_error(ErrorKind::kInternal, "results: a PrimitiveResult without pub_results");
    }
    for (const json::value& pub : pubs->as_array()) {
        const json::value* pv = json_field(pub, "__value__");
        const json::value* bin = pv ? json_field(*pv, "data") : nullptr;
        const json::value* fields = bin ? typed(*bin, "DataBin") : nullptr;
        const json::value* f = fields ? json_field(*fields, "fields") : nullptr;
        if (f == nullptr || !f->is_object()) {
            throw_error(ErrorKind::kInternal, "results: a PUB result without a DataBin");
        }
        auto data = std::make_shared<PubResult::Data>();
        if (const json::value* m = json_field(*pv, "metadata"))
            data->metadata = json::serialize(*m);
        const json::object& obj = f->as_object();
        if (const json::value* evs = obj.if_contains("evs")) {
            data->estimator = true;
            NpyArray a = ndarray(*evs, "evs");
            data->shape = a.shape;
            data->evs = doubles(a, "evs");
            if (const json::value* stds = obj.if_contains("stds")) {
                data->stds = doubles(ndarray(*stds, "stds"), "stds");
            }
        } else {
            for (const auto& [name, field] : obj) {
                std::vector<std::size_t> shape;
                std::vector<std::string> shots = bit_array_shots(field, name, shape);
                data->shape = shape;
                data->registers.emplace_back(std::string(name), std::move(shots));
            }
        }
        out.pubs.emplace_back(std::move(data));
    }
    if (const json::value* m = json_field(value, "metadata")) out.metadata = json::serialize(*m);
    out.raw = std::move(body);
    return out;
}

}  // namespace

PrimitiveResult decode_results(std::string body) {
    auto parsed = parse_json(body);
    if (!parsed.ok()) {
        throw_error(ErrorKind::kInternal,
                    fmt::format("the results are not JSON: {}", parsed.status().message()));
    }
    const json::value& doc = *parsed;
    if (const json::value* v = typed(doc, "PrimitiveResult")) {
        return decode_typed_results(*v, std::move(body));
    }
    const json::value* results = json_field(doc, "results");
    if (results == nullptr || !results->is_array()) {
        throw_error(ErrorKind::kInternal,
                    "the results have no \"results\" list (was the job sent by another client?)");
    }
    PrimitiveResult out;
    for (const json::value& r : results->as_array()) {
        auto data = std::make_shared<PubResult::Data>();
        if (const json::value* m = json_field(r, "metadata")) data->metadata = json::serialize(*m);
        const json::value* d = json_field(r, "data");
        if (d != nullptr && d->is_object()) {
            const json::object& obj = d->as_object();
            if (const json::value* evs = obj.if_contains("evs")) {
                data->estimator = true;
                flatten(*evs, 0, data->shape,
                        [&](const json::value& x) { data->evs.push_back(number_or_nan(x)); });
                if (const json::value* stds = obj.if_contains("stds")) {
                    std::vector<std::size_t> ignored;
                    flatten(*stds, 0, ignored,
                            [&](const json::value& x) { data->stds.push_back(number_or_nan(x)); });
                }
            } else {
                for (const auto& [name, reg] : obj) {
                    const json::value* samples = json_field(reg, "samples");
                    if (samples == nullptr) continue;
                    auto num_bits = static_cast<std::size_t>(json_number(reg, "num_bits"));
                    std::vector<std::string> shots;
                    flatten(*samples, 0, data->shape, [&](const json::value& x) {
                        if (!x.is_string()) {
                            throw_error(ErrorKind::kInternal, "a sample is not a hex string");
                        }
                        shots.push_back(hex_to_bits(x.as_string(), num_bits));
                    });
                    data->registers.emplace_back(std::string(name), std::move(shots));
                }
                // The sample lists' last axis is shots, not part of the PUB's shape.
                if (!data->shape.empty()) data->shape.pop_back();
            }
        }
        out.pubs.emplace_back(std::move(data));
    }
    if (const json::value* m = json_field(doc, "metadata")) out.metadata = json::serialize(*m);
    out.raw = std::move(body);
    return out;
}

}  // namespace client

PubResult::PubResult(std::shared_ptr<const Data> data) : data_(std::move(data)) {}

namespace {

const std::vector<std::string>& register_shots(const PubResult::Data& d, std::string_view reg) {
    if (d.estimator) {
        client::throw_error(ErrorKind::kInvalidArgument,
                            "an estimator result has no counts or bitstrings (use evs/stds)");
    }
    if (d.registers.empty()) {
        client::throw_error(ErrorKind::kInvalidArgument, "the result has no classical registers");
    }
    if (reg.empty()) {
        for (const auto& [name, shots] : d.registers) {
            if (name == "meas") return shots;
        }
        return d.registers.front().second;
    }
    std::string names;
    for (const auto& [name, shots] : d.registers) {
        if (name == reg) return shots;
        names += names.empty() ? name : ", " + name;
    }
    client::throw_error(ErrorKind::kInvalidArgument,
                        fmt::format("no register \"{}\" in the result (it has: {})", reg, names));
}

}  // namespace

std::map<std::string, std::uint64_t> PubResult::counts(std::string_view reg) const {
    std::map<std::string, std::uint64_t> out;
    for (const std::string& s : register_shots(*data_, reg)) ++out[s];
    return out;
}

std::vector<std::string> PubResult::bitstrings(std::string_view reg) const {
    return register_shots(*data_, reg);
}

std::vector<std::string> PubResult::registers() const {
    std::vector<std::string> out;
    for (const auto& r : data_->registers) out.push_back(r.first);
    return out;
}

std::vector<double> PubResult::evs() const {
    if (!data_->estimator) {
        client::throw_error(ErrorKind::kInvalidArgument,
                            "a sampler result has no evs (use counts/bitstrings)");
    }
    return data_->evs;
}

std::vector<double> PubResult::stds() const {
    if (!data_->estimator) {
        client::throw_error(ErrorKind::kInvalidArgument,
                            "a sampler result has no stds (use counts/bitstrings)");
    }
    return data_->stds;
}

std::vector<std::size_t> PubResult::shape() const { return data_->shape; }
std::string PubResult::metadata_json() const { return data_->metadata; }

std::size_t PrimitiveResult::size() const { return pubs.size(); }
const PubResult& PrimitiveResult::operator[](std::size_t i) const {
    if (i >= pubs.size()) {
        client::throw_error(ErrorKind::kInvalidArgument,
                            fmt::format("PUB result {} of {}", i, pubs.size()));
    }
    return pubs[i];
}
std::vector<PubResult>::const_iterator PrimitiveResult::begin() const { return pubs.begin(); }
std::vector<PubResult>::const_iterator PrimitiveResult::end() const { return pubs.end(); }
std::string PrimitiveResult::metadata_json() const { return metadata; }
std::string PrimitiveResult::raw_json() const { return raw; }

// ---------------------------------------------------------------- Job

Job::Job(std::shared_ptr<Service> service, std::string id)
    : service_(std::move(service)), id_(std::move(id)) {
    if (!service_) client::throw_error(ErrorKind::kInvalidArgument, "Job: no Service");
}

const std::string& Job::job_id() const { return id_; }

namespace {

std::string job_path(const std::string& id) { return "/api/v1/jobs/" + client::url_encode(id); }

}  // namespace

JobInfo Job::info() const {
    json::value v =
        service_->impl().call_json("GET", job_path(id_) + "?exclude_params=true", {}, "job " + id_);
    return client::job_info_from_json(v);
}

JobStatus Job::status() const { return info().status; }

namespace {

bool final_status(JobStatus s) {
    return s == JobStatus::kCompleted || s == JobStatus::kFailed || s == JobStatus::kCancelled;
}

// Polls until final; returns the last info.
JobInfo wait_final(const Job& job, std::optional<std::chrono::duration<double>> timeout) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    auto delay = std::chrono::duration<double>(0.05);
    constexpr auto kMaxDelay = std::chrono::duration<double>(2.0);
    for (;;) {
        JobInfo info = job.info();
        if (final_status(info.status)) return info;
        auto elapsed = clock::now() - start;
        auto sleep = delay;
        if (timeout) {
            auto left = *timeout - std::chrono::duration<double>(elapsed);
            if (left <= std::chrono::duration<double>::zero()) {
                client::throw_error(ErrorKind::kTimeout,
                                    fmt::format("job {} is still {} after {:.3g} s", info.id,
                                                to_string(info.status), timeout->count()));
            }
            sleep = std::min(sleep, left);
        }
        std::this_thread::sleep_for(sleep);
        delay = std::min(delay * 1.5, kMaxDelay);
    }
}

}  // namespace

JobStatus Job::wait(std::optional<std::chrono::duration<double>> timeout) const {
    return wait_final(*this, timeout).status;
}

PrimitiveResult Job::result(std::optional<std::chrono::duration<double>> timeout) const {
    JobInfo info = wait_final(*this, timeout);
    if (info.status == JobStatus::kFailed) {
        client::throw_error(ErrorKind::kJobFailed,
                            fmt::format("job {} failed: {}", id_,
                                        info.reason.empty() ? "no reason given" : info.reason));
    }
    if (info.status == JobStatus::kCancelled) {
        client::throw_error(ErrorKind::kJobCancelled,
                            fmt::format("job {} was cancelled{}", id_,
                                        info.reason.empty() ? "" : ": " + info.reason));
    }
    Service::Impl::Reply r =
        service_->impl().call("GET", job_path(id_) + "/results", {}, "results of job " + id_);
    return client::decode_results(std::move(r.body));
}

void Job::cancel() const {
    service_->impl().call("POST", job_path(id_) + "/cancel", {}, "cancelling job " + id_);
}

void Job::update_tags(const std::vector<std::string>& tags) const {
    json::array a;
    for (const std::string& t : tags) a.emplace_back(t);
    service_->impl().call("PUT", job_path(id_) + "/tags",
                          json::serialize(json::object{{"tags", std::move(a)}}),
                          "tagging job " + id_);
}

std::string Job::logs() const {
    return service_->impl().call("GET", job_path(id_) + "/logs", {}, "logs of job " + id_).body;
}

// ---------------------------------------------------------------- Sampler / Estimator

namespace {

struct Target {
    std::shared_ptr<Service> service;
    std::string backend, session_id;
};

// The circuit as the server will read it. With parameters, checks that the server reads the same
// names in the same order (so that values bind to the symbols the user meant).
std::string circuit_text(const QuantumCircuit& qc, std::string_view where) {
    std::string qasm = qc.to_qasm3();
    std::vector<std::string> ours = qc.parameters();
    if (ours.empty()) return qasm;
    Result<circuit::Circuit> back = formats::parse_qasm3(qasm);
    if (!back.ok()) {
        client::throw_status(back.status(), 0, fmt::format("{}: the circuit's OpenQASM 3", where));
    }
    std::vector<std::string> theirs;
    for (const auto& s : back->parameters()) theirs.push_back(s.name);
    if (theirs != ours) {
        client::throw_error(ErrorKind::kInvalidArgument,
                            fmt::format("{}: parameter names [{}] do not survive OpenQASM 3 (read "
                                        "back as [{}]); rename them",
                                        where, fmt::join(ours, ", "), fmt::join(theirs, ", ")));
    }
    return qasm;
}

// One row: a bare list (PUB shape ()); several: a list of rows (shape (n,)).
json::value parameter_values_json(const QuantumCircuit& qc,
                                  const std::vector<std::vector<double>>& rows,
                                  std::string_view where) {
    if (rows.empty()) return nullptr;
    const std::size_t n = qc.parameters().size();
    json::array all;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].size() != n) {
            client::throw_error(ErrorKind::kInvalidArgument,
                                fmt::format("{}: parameter_values[{}] has {} values; the circuit "
                                            "has {} parameters",
                                            where, i, rows[i].size(), n));
        }
        json::array row;
        for (double x : rows[i]) row.emplace_back(x);
        all.emplace_back(std::move(row));
    }
    if (all.size() == 1) return std::move(all[0]);
    return all;
}

// An observable on the circuit's qubits: labels of the circuit's width as they are; labels of the
// pre-transpile width mapped through the final layout (Qiskit's observable.apply_layout).
json::object observable_json(const QuantumCircuit& qc, const Observable& obs,
                             std::string_view where) {
    const std::uint32_t width = qc.num_qubits();
    const std::vector<std::uint32_t> layout = qc.final_layout();
    std::map<std::string, double> terms;
    for (const auto& [label, coeff] : obs) {
        std::string mapped;
        if (label.size() == width) {
            mapped = label;
        } else if (!layout.empty() && label.size() == layout.size()) {
            mapped.assign(width, 'I');
            for (std::size_t v = 0; v < layout.size(); ++v) {
                const char c = label[label.size() - 1 - v];  // qubit 0 is the rightmost
                const std::uint32_t p = layout[v];
                if (p >= width) {
                    client::throw_error(ErrorKind::kInternal,
                                        fmt::format("{}: layout maps qubit {} to {} (width {})",
                                                    where, v, p, width));
                }
                mapped[width - 1 - p] = c;
            }
        } else {
            client::throw_error(
                ErrorKind::kInvalidArgument,
                layout.empty()
                    ? fmt::format("{}: observable \"{}\" has {} qubits; the circuit has {}", where,
                                  label, label.size(), width)
                    : fmt::format("{}: observable \"{}\" has {} qubits; the circuit has {} "
                                  "(before transpile) or {} (on the device)",
                                  where, label, label.size(), layout.size(), width));
        }
        terms[mapped] += coeff;
    }
    json::object o;
    for (const auto& [label, coeff] : terms) o[label] = coeff;
    return o;
}

Job submit(const Target& t, std::string_view program, json::object params,
           const RunOptions& options) {
    json::object body{{"program_id", program}, {"backend", t.backend}};
    std::string session_id = !options.session_id.empty() ? options.session_id : t.session_id;
    if (!session_id.empty()) body["session_id"] = session_id;
    if (options.start_session) {
        if (!session_id.empty()) {
            client::throw_error(ErrorKind::kInvalidArgument,
                                "start_session cannot be combined with a session id");
        }
        body["start_session"] = true;
    }
    if (!options.tags.empty()) {
        json::array tags;
        for (const std::string& tag : options.tags) tags.emplace_back(tag);
        body["tags"] = std::move(tags);
    }
    if (options.max_execution_time_s) body["cost"] = *options.max_execution_time_s;
    params["version"] = 2;
    body["params"] = std::move(params);
    json::value v =
        t.service->impl().call_json("POST", "/api/v1/jobs", json::serialize(body),
                                    fmt::format("submitting a {} job to {}", program, t.backend));
    std::string id = client::json_string(v, "id");
    if (id.empty()) client::throw_error(ErrorKind::kInternal, "POST /jobs answered without an id");
    return Job(t.service, std::move(id));
}

void check_bound(const std::shared_ptr<Service>& service, const std::string& backend) {
    if (!service) client::throw_error(ErrorKind::kInvalidArgument, "no Service");
    if (backend.empty()) client::throw_error(ErrorKind::kInvalidArgument, "no backend name");
}

}  // namespace

Sampler::Sampler(std::shared_ptr<Service> service, const std::string& backend,
                 RunOptions run_options)
    : options(std::move(run_options)), service_(std::move(service)), backend_(backend) {
    check_bound(service_, backend_);
}

Sampler::Sampler(const Session& session, RunOptions run_options)
    : options(std::move(run_options)),
      service_(session.service()),
      backend_(session.backend()),
      session_id_(session.session_id()) {}

Job Sampler::run(const std::vector<SamplerPub>& pubs) const {
    if (pubs.empty()) client::throw_error(ErrorKind::kInvalidArgument, "Sampler.run: no PUBs");
    json::array wire;
    for (std::size_t i = 0; i < pubs.size(); ++i) {
        const SamplerPub& pub = pubs[i];
        const std::string where = fmt::format("pubs[{}]", i);
        json::array p;
        p.emplace_back(circuit_text(pub.circuit, where));
        p.emplace_back(parameter_values_json(pub.circuit, pub.parameter_values, where));
        if (pub.shots) {
            p.emplace_back(*pub.shots);
        } else {
            p.emplace_back(nullptr);
        }
        wire.emplace_back(std::move(p));
    }
    json::object opts;
    if (options.default_shots) opts["default_shots"] = *options.default_shots;
    if (options.seed) opts["simulator"] = json::object{{"seed_simulator", *options.seed}};
    json::object params{{"pubs", std::move(wire)}};
    if (!opts.empty()) params["options"] = std::move(opts);
    return submit({service_, backend_, session_id_}, "sampler", std::move(params), options);
}

Estimator::Estimator(std::shared_ptr<Service> service, const std::string& backend,
                     RunOptions run_options)
    : options(std::move(run_options)), service_(std::move(service)), backend_(backend) {
    check_bound(service_, backend_);
}

Estimator::Estimator(const Session& session, RunOptions run_options)
    : options(std::move(run_options)),
      service_(session.service()),
      backend_(session.backend()),
      session_id_(session.session_id()) {}

Job Estimator::run(const std::vector<EstimatorPub>& pubs) const {
    if (pubs.empty()) client::throw_error(ErrorKind::kInvalidArgument, "Estimator.run: no PUBs");
    json::array wire;
    for (std::size_t i = 0; i < pubs.size(); ++i) {
        const EstimatorPub& pub = pubs[i];
        const std::string where = fmt::format("pubs[{}]", i);
        if (pub.observables.empty()) {
            client::throw_error(ErrorKind::kInvalidArgument,
                                fmt::format("{}: no observables", where));
        }
        json::array p;
        p.emplace_back(circuit_text(pub.circuit, where));
        // One observable: shape (); several: shape (n,), broadcast against the parameter rows.
        if (pub.observables.size() == 1) {
            p.emplace_back(observable_json(pub.circuit, pub.observables[0], where));
        } else {
            json::array obs;
            for (const Observable& o : pub.observables) {
                obs.emplace_back(observable_json(pub.circuit, o, where));
            }
            p.emplace_back(std::move(obs));
        }
        p.emplace_back(parameter_values_json(pub.circuit, pub.parameter_values, where));
        if (pub.precision) {
            p.emplace_back(*pub.precision);
        } else {
            p.emplace_back(nullptr);
        }
        wire.emplace_back(std::move(p));
    }
    json::object opts;
    if (options.default_shots) opts["default_shots"] = *options.default_shots;
    if (options.default_precision) opts["default_precision"] = *options.default_precision;
    if (options.resilience_level) opts["resilience_level"] = *options.resilience_level;
    if (options.seed) opts["simulator"] = json::object{{"seed_simulator", *options.seed}};
    json::object params{{"pubs", std::move(wire)}};
    if (!opts.empty()) params["options"] = std::move(opts);
    return submit({service_, backend_, session_id_}, "estimator", std::move(params), options);
}

}  // namespace qrt
