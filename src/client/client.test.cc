// The client library against a real server (api::Server over runtime::Runtime, SQLite in a
// temporary directory, real sockets, port 0) and, for transport faults, against the stub server.
#include <gtest/gtest.h>
#include <qrt/qrt.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "api/server.h"
#include "base/log.h"
#include "client/client_internal.h"
#include "client/stub_http_server.h"
#include "primitives/job_codec.h"
#include "runtime/runtime.h"

namespace qrt {
namespace {

using client::testing::StubHttpServer;
using client::testing::StubRequest;
using client::testing::StubResponse;

// Runs `f` and returns the kind of the qrt::Error it threw (fails the test if none).
template <typename F>
std::optional<ErrorKind> error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.kind();
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- no server

TEST(ParseDuration, reads_the_session_api_grammar_in_seconds) {
    EXPECT_DOUBLE_EQ(parse_duration("2h 30m"), 9000);
    EXPECT_DOUBLE_EQ(parse_duration("25m"), 1500);
    EXPECT_DOUBLE_EQ(parse_duration("90s"), 90);
    EXPECT_DOUBLE_EQ(parse_duration("1h"), 3600);
    EXPECT_DOUBLE_EQ(parse_duration("3600"), 3600);
    EXPECT_DOUBLE_EQ(parse_duration("1d 12h"), 129600);
    EXPECT_DOUBLE_EQ(parse_duration("0.25s"), 0.25);
}

TEST(ParseDuration, refuses_anything_else_with_invalid_argument) {
    for (const char* bad : {"", "1.5h", "5x", "-3", "30m 2h", " 1h", "h", "1 h"}) {
        try {
            parse_duration(bad);
            ADD_FAILURE() << "accepted \"" << bad << "\"";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument) << bad;
            EXPECT_NE(std::string(e.what()), "") << bad;
        }
    }
}

TEST(QuantumCircuit, builds_a_bell_circuit_and_writes_openqasm3) {
    QuantumCircuit qc(2);
    qc.h(0).cx(0, 1).measure_all();
    EXPECT_EQ(qc.num_qubits(), 2U);
    EXPECT_EQ(qc.num_clbits(), 2U);
    EXPECT_EQ(qc.size(), 5U);  // h, cx, barrier, 2 measures
    EXPECT_EQ(qc.depth(), 3U);
    std::string text = qc.to_qasm3();
    EXPECT_NE(text.find("OPENQASM 3.0;"), std::string::npos) << text;
    EXPECT_NE(text.find("bit[2] meas;"), std::string::npos) << text;
    // Read back: the same shape.
    QuantumCircuit back = QuantumCircuit::from_qasm(text);
    EXPECT_EQ(back.num_qubits(), 2U);
    EXPECT_EQ(back.size(), 5U);
}

TEST(QuantumCircuit, refuses_bad_qubits_and_names) {
    QuantumCircuit qc(2, 1);
    EXPECT_EQ(error_of([&] { qc.h(2); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(error_of([&] { qc.cx(1, 1); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(error_of([&] { qc.measure(0, 1); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(error_of([] { Parameter p("1x"); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(error_of([] { Parameter p("a b"); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(error_of([] { Parameter p("x[01]"); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(qc.size(), 0U);  // nothing was added by the failed calls
    EXPECT_EQ(error_of([] { QuantumCircuit::from_qasm("OPENQASM 3.0; qubit q; h r;"); }),
              ErrorKind::kInvalidArgument);
    EXPECT_EQ(error_of([] { QuantumCircuit::from_qasm_file("/nonexistent/x.qasm"); }),
              ErrorKind::kInvalidArgument);
}

TEST(QuantumCircuit, orders_parameters_as_qiskit) {
    QuantumCircuit qc(1);
    qc.rz(Parameter("x[10]"), 0).rz(Parameter("x[2]"), 0).rx(Parameter("b"), 0);
    qc.ry(Parameter("theta"), 0).p(0.5, 0).u(Parameter("b"), 0.1, Parameter("a"), 0);
    EXPECT_EQ(qc.parameters(), (std::vector<std::string>{"a", "b", "theta", "x[2]", "x[10]"}));
    // The server reads the same names back from the OpenQASM 3 text.
    QuantumCircuit back = QuantumCircuit::from_qasm(qc.to_qasm3());
    EXPECT_EQ(back.parameters(), qc.parameters());
}

TEST(QuantumCircuit, reads_openqasm2_by_its_header) {
    QuantumCircuit qc = QuantumCircuit::from_qasm(
        "// a comment\nOPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c[3];\n"
        "h q[0];\ncx q[0],q[1];\nmeasure q -> c;\n");
    EXPECT_EQ(qc.num_qubits(), 3U);
    EXPECT_EQ(qc.num_clbits(), 3U);
    EXPECT_EQ(qc.size(), 5U);
}

TEST(Results, decode_the_plain_sampler_form_with_qiskits_bit_order) {
    PrimitiveResult r = client::decode_results(
        R"({"results":[{"data":{"meas":{"samples":["0x0","0x3","0x1","0x3"],"num_bits":2},)"
        R"("c":{"samples":["0x4","0x0","0x4","0x0"],"num_bits":3}},"metadata":{"shots":4}}],)"
        R"("metadata":{"version":2}})");
    ASSERT_EQ(r.size(), 1U);
    EXPECT_EQ(r[0].registers(), (std::vector<std::string>{"meas", "c"}));
    EXPECT_EQ(r[0].bitstrings(), (std::vector<std::string>{"00", "11", "01", "11"}));
    EXPECT_EQ(r[0].counts(),
              (std::map<std::string, std::uint64_t>{{"00", 1}, {"01", 1}, {"11", 2}}));
    EXPECT_EQ(r[0].counts("c"), (std::map<std::string, std::uint64_t>{{"000", 2}, {"100", 2}}));
    EXPECT_EQ(r[0].shape(), std::vector<std::size_t>{});
    EXPECT_EQ(error_of([&] { (void)r[0].counts("nope"); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(error_of([&] { (void)r[0].evs(); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(error_of([&] { (void)r[1]; }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(r.metadata_json(), R"({"version":2})");
}

TEST(Results, decode_wide_registers_and_shaped_samples) {
    // 70 bits: more than a 64-bit integer holds; shape (2,) with 1 shot each.
    PrimitiveResult r = client::decode_results(
        R"({"results":[{"data":{"meas":{"samples":[["0x200000000000000001"],["0x2"]],)"
        R"("num_bits":70}}}]})");
    std::vector<std::string> bits = r[0].bitstrings();
    ASSERT_EQ(bits.size(), 2U);
    EXPECT_EQ(bits[0], "1" + std::string(68, '0') + "1");  // 2^69 + 1
    EXPECT_EQ(bits[1], std::string(68, '0') + "10");
    EXPECT_EQ(r[0].shape(), std::vector<std::size_t>{2});
}

TEST(Results, decode_the_plain_estimator_form_with_its_shape) {
    PrimitiveResult r = client::decode_results(
        R"({"results":[{"data":{"evs":[[0.5,1.0],[-1,null]],"stds":[[0.1,0.2],[0.3,0.4]],)"
        R"("ensemble_standard_error":[[0,0],[0,0]]}},{"data":{"evs":0.25,"stds":0.0}}]})");
    ASSERT_EQ(r.size(), 2U);
    EXPECT_EQ(r[0].shape(), (std::vector<std::size_t>{2, 2}));
    std::vector<double> evs = r[0].evs();
    ASSERT_EQ(evs.size(), 4U);
    EXPECT_EQ(evs[0], 0.5);
    EXPECT_EQ(evs[2], -1.0);
    EXPECT_TRUE(std::isnan(evs[3]));
    EXPECT_EQ(r[0].stds()[3], 0.4);
    EXPECT_EQ(r[1].shape(), std::vector<std::size_t>{});
    EXPECT_EQ(r[1].evs(), std::vector<double>{0.25});
    EXPECT_EQ(error_of([&] { (void)r[1].counts(); }), ErrorKind::kInvalidArgument);
}

// Both answer forms the server writes (primitives/job_codec.h) decode to the same result.
TEST(Results, decode_the_typed_form_of_python_jobs_like_the_plain_one) {
    circuit::Circuit c(10, 0);
    c.add_creg("meas", 10);
    primitives::PrimitiveJob job;
    job.program = primitives::Program::kSampler;
    primitives::SamplerPub pub;
    pub.circuit = c;
    job.sampler_pubs.push_back(pub);
    primitives::SamplerPubResult r;
    r.shots = 3;
    primitives::BitArray bits;
    bits.num_shots = 3;
    bits.num_bits = 10;
    bits.bytes = {0x02, 0x01, 0x00, 0x03, 0x03, 0xff};  // big-endian rows of 2 bytes
    r.data.emplace_back("meas", bits);
    for (bool typed : {false, true}) {
        job.support_qiskit = typed;
        PrimitiveResult decoded =
            client::decode_results(primitives::encode_sampler_results(job, {r}));
        EXPECT_EQ(decoded[0].bitstrings(),
                  (std::vector<std::string>{"1000000001", "0000000011", "1111111111"}))
            << (typed ? "typed" : "plain");
        EXPECT_EQ(decoded[0].shape(), std::vector<std::size_t>{});
    }

    primitives::PrimitiveJob ejob;
    ejob.program = primitives::Program::kEstimator;
    primitives::EstimatorPub epub;
    epub.circuit = circuit::Circuit(2, 0);
    epub.observables_shape = {2};
    ejob.estimator_pubs.push_back(epub);
    primitives::EstimatorPubResult er;
    er.evs = {{2}, {0.5, -0.25}};
    er.stds = {{2}, {0.01, 0.02}};
    er.ensemble_standard_error = {{2}, {0.01, 0.02}};
    for (bool typed : {false, true}) {
        ejob.support_qiskit = typed;
        PrimitiveResult decoded =
            client::decode_results(primitives::encode_estimator_results(ejob, {er}));
        EXPECT_EQ(decoded[0].evs(), (std::vector<double>{0.5, -0.25})) << typed;
        EXPECT_EQ(decoded[0].stds(), (std::vector<double>{0.01, 0.02})) << typed;
        EXPECT_EQ(decoded[0].shape(), std::vector<std::size_t>{2}) << typed;
    }
}

TEST(Results, refuse_what_is_not_a_result_with_internal) {
    for (const char* bad :
         {"", "[]", R"({"results":5})", R"("job failed")",
          R"({"__type__":"PrimitiveResult","__value__":{}})",
          R"({"results":[{"data":{"meas":{"samples":["0xZ"],"num_bits":2}}}]})"}) {
        EXPECT_EQ(error_of([&] { client::decode_results(bad); }), ErrorKind::kInternal) << bad;
    }
}

TEST(Service, finds_no_credentials_with_unauthenticated) {
    ServiceOptions o;
    o.url = "http://127.0.0.1:1";
    o.data_dir = "/nonexistent-qrt-data-dir";
    ::unsetenv("QRT_TOKEN");  // NOLINT(concurrency-mt-unsafe): single-threaded here
    EXPECT_EQ(error_of([&] { Service::connect(o); }), ErrorKind::kUnauthenticated);
    o.url = "https://example.com";
    o.token = "k";
    EXPECT_EQ(error_of([&] { Service::connect(o); }), ErrorKind::kInvalidArgument);
}

// ---------------------------------------------------------------- stub server: transport

// A token that looks like a JWT is sent as it is (no /identity/token round trip).
constexpr const char* kJwt = "h.p.s";

TEST(Transport, retries_an_idempotent_request_when_the_connection_drops) {
    std::atomic<int> seen{0};
    StubHttpServer stub([&](const StubRequest& r) {
        StubResponse out;
        if (r.target == "/api/v1/backends" && seen++ == 0) {
            out.drop = true;
        } else {
            out.body = R"({"devices":[{"name":"emu_x","qubits":5,"simulator":false,)"
                       R"("queue_length":2,"status":{"name":"online","reason":"available"}}]})";
        }
        return out;
    });
    auto service = Service::connect({.url = stub.url(), .token = kJwt});
    std::vector<BackendInfo> all = service->backends();
    ASSERT_EQ(all.size(), 1U);
    EXPECT_EQ(all[0].name, "emu_x");
    EXPECT_EQ(all[0].pending_jobs, 2);
    EXPECT_EQ(seen.load(), 2);
    EXPECT_EQ(stub.requests().at(0).headers.at("authorization"), std::string("Bearer ") + kJwt);
}

TEST(Transport, retries_503_for_get_but_never_resends_a_post) {
    std::atomic<int> gets{0}, posts{0};
    StubHttpServer stub([&](const StubRequest& r) {
        StubResponse out;
        if (r.method == "POST") {
            ++posts;
            out.drop = true;
        } else if (gets++ < 2) {
            out.status = 503;
            out.body = R"({"errors":[{"code":"unavailable","message":"shutting down"}]})";
        } else {
            out.body = R"({"usage_consumed_seconds":12.5})";
        }
        return out;
    });
    auto service = Service::connect({.url = stub.url(), .token = kJwt});
    EXPECT_DOUBLE_EQ(service->usage_seconds(), 12.5);
    EXPECT_EQ(gets.load(), 3);
    QuantumCircuit qc(1);
    qc.x(0).measure_all();
    // On a new connection (HttpClient resends a request once when a kept-open connection turns
    // out closed before any answer byte: the server's idle close, which never saw the request).
    auto fresh = Service::connect({.url = stub.url(), .token = kJwt});
    Sampler sampler(fresh, "emu_x");
    EXPECT_EQ(error_of([&] { sampler.run({{qc}}); }), ErrorKind::kUnavailable);
    EXPECT_EQ(posts.load(), 1);
}

TEST(Transport, gives_up_after_the_retries_with_the_servers_words) {
    StubHttpServer stub([](const StubRequest&) {
        return StubResponse{503,
                            R"({"errors":[{"code":"unavailable","message":"shutting down"}]})"};
    });
    ServiceOptions o{.url = stub.url(), .token = kJwt};
    o.retries = 1;
    auto service = Service::connect(o);
    try {
        service->backends();
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kUnavailable);
        EXPECT_EQ(e.http_status(), 503);
        EXPECT_NE(std::string(e.what()).find("shutting down"), std::string::npos) << e.what();
    }
    EXPECT_EQ(stub.requests().size(), 2U);
}

TEST(Transport, exchanges_the_api_key_and_asks_again_after_a_401) {
    std::atomic<int> tokens{0};
    StubHttpServer stub([&](const StubRequest& r) {
        StubResponse out;
        if (r.target == "/identity/token") {
            EXPECT_NE(r.body.find("apikey=my-key"), std::string::npos) << r.body;
            int n = ++tokens;
            out.body = fmt::format(R"({{"access_token":"tok{}","expires_in":3600}})", n);
            return out;
        }
        // The first token "expired" (a restarted server).
        if (r.headers.at("authorization") != "Bearer tok2") {
            return StubResponse{401,
                                R"({"errors":[{"code":"unauthenticated","message":"expired"}]})"};
        }
        out.body = R"({"devices":[]})";
        return out;
    });
    auto service = Service::connect({.url = stub.url(), .token = "my-key"});
    EXPECT_TRUE(service->backends().empty());
    EXPECT_EQ(tokens.load(), 2);
    service->backends();  // the new token is kept
    EXPECT_EQ(tokens.load(), 2);
}

TEST(Session, the_destructor_swallows_a_failed_close) {
    std::atomic<int> patches{0};
    StubHttpServer stub([&](const StubRequest& r) {
        if (r.method == "PATCH") {
            ++patches;
            StubResponse dropped;
            dropped.drop = true;
            return dropped;
        }
        return StubResponse{200, R"({"id":"ses_1","backend_name":"emu_x","mode":"dedicated"})"};
    });
    auto service = Service::connect({.url = stub.url(), .token = kJwt, .retries = 1});
    {
        Session session(service, "emu_x");
        EXPECT_EQ(session.session_id(), "ses_1");
    }  // the close fails (and its retry, and HttpClient's resend on a reused connection)
    EXPECT_EQ(patches.load(), 3);
    // An explicit close says so.
    Session again(service, "emu_x");
    EXPECT_EQ(error_of([&] { again.close(); }), ErrorKind::kUnavailable);
}

TEST(Estimator, maps_observables_through_the_transpiled_layout) {
    std::string posted;
    StubHttpServer stub([&](const StubRequest& r) {
        if (r.method == "POST") posted = r.body;
        return StubResponse{200, R"({"id":"job_1","backend":"emu_big"})"};
    });
    auto service = Service::connect({.url = stub.url(), .token = kJwt});
    // A 2-qubit circuit as transpile() leaves it on a 127-qubit device: virtual 0 -> physical 13,
    // virtual 1 -> physical 14, swapped by routing at the end.
    auto impl = std::make_unique<QuantumCircuit::Impl>();
    impl->circuit.add_qreg("q", 127);
    impl->initial_layout = {13, 14};
    impl->final_layout = {14, 13};
    impl->num_virtual_qubits = 2;
    QuantumCircuit qc(std::move(impl));
    Estimator estimator(service, "emu_big");
    Job job = estimator.run({{qc, {{{"IY", 1.0}, {"ZX", -0.5}}}}});
    EXPECT_EQ(job.job_id(), "job_1");
    std::string iy(127, 'I'), zx(127, 'I');
    iy[126 - 14] = 'Y';  // virtual 0 (Y) ends on physical 14 (qubit 0 is the rightmost)
    zx[126 - 14] = 'X';
    zx[126 - 13] = 'Z';
    EXPECT_NE(posted.find("\"" + iy + "\":1"), std::string::npos) << posted;
    EXPECT_NE(posted.find("\"" + zx + "\":-5E-1"), std::string::npos) << posted;
    // A label of neither width is refused before anything is sent.
    EXPECT_EQ(error_of([&] {
                  estimator.run({{qc, {{{"XYZ", 1.0}}}}});
              }),
              ErrorKind::kInvalidArgument);
}

TEST(Transpile, maps_a_two_qubit_observable_onto_a_127_qubit_device) {
    // A line of 127 qubits (ecr one way), as a BackendInfo from Service::backend() holds it.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (std::uint32_t i = 0; i + 1 < 127; ++i) edges.emplace_back(i, i + 1);
    Result<circuit::Target> target =
        circuit::make_target("line127", 127, {"rz", "sx", "x"}, "ecr", edges, false, false);
    ASSERT_TRUE(target.ok()) << target.status().message();
    BackendInfo device;
    device.name = "line127";
    device.num_qubits = 127;
    device.target = std::make_shared<detail::BackendTarget>();
    device.target->target = std::make_shared<const circuit::Target>(std::move(target).value());
    std::call_once(device.target->loaded, [] {});

    QuantumCircuit qc(2);
    qc.h(0).cx(0, 1).swap(0, 1).rx(Parameter("theta"), 1);
    QuantumCircuit isa = transpile(qc, device);
    EXPECT_EQ(isa.num_qubits(), 127U);
    EXPECT_EQ(isa.num_virtual_qubits(), 2U);
    ASSERT_EQ(isa.final_layout().size(), 2U);
    ASSERT_EQ(isa.initial_layout().size(), 2U);
    EXPECT_EQ(isa.parameters(), std::vector<std::string>{"theta"});
    // Transpiling again changes nothing (it is ISA now) and keeps the layout.
    EXPECT_EQ(transpile(isa, device).final_layout(), isa.final_layout());

    std::string posted;
    StubHttpServer stub([&](const StubRequest& r) {
        if (r.method == "POST") posted = r.body;
        return StubResponse{200, R"({"id":"job_1","backend":"line127"})"};
    });
    auto service = Service::connect({.url = stub.url(), .token = kJwt});
    Estimator estimator(service, "line127");
    estimator.run({{isa, {{{"IY", 1.0}}}, {{0.5}}}});
    std::string label(127, 'I');
    label[126 - isa.final_layout()[0]] = 'Y';
    EXPECT_NE(posted.find("\"" + label + "\""), std::string::npos) << posted;
    // The circuit's own width is taken as it is.
    estimator.run({{isa, {{{label, 1.0}}}, {{0.5}}}});
    EXPECT_NE(posted.find("\"" + label + "\""), std::string::npos) << posted;
}

// ---------------------------------------------------------------- a real server

class ClientServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        previous_level_ = log_level();
        set_log_level(LogLevel::kWarn);
        dir_ = std::filesystem::temp_directory_path() /
               ("qrt-client-test-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
        runtime::Config config;
        config.data_dir = dir_.string();
        config.calibrations = false;
        config.devices.clear();
        for (const backends::DeviceSpec& spec : backends::default_device_specs()) {
            if (spec.name == "emu_small5" || spec.name == "sim_ideal") {
                config.devices.push_back(spec);
            }
        }
        Result<std::unique_ptr<runtime::Runtime>> rt = runtime::Runtime::open(config, clock_);
        ASSERT_TRUE(rt.ok()) << rt.status().message();
        runtime_ = std::move(rt).value();
        ASSERT_TRUE(runtime_->start().ok());
        ASSERT_TRUE(runtime_->first_start_admin_key().has_value());
        admin_key_ = *runtime_->first_start_admin_key();

        api::ServerConfig sc;
        sc.port = 0;
        Result<std::unique_ptr<api::Server>> server = api::Server::start(sc, *runtime_, clock_);
        ASSERT_TRUE(server.ok()) << server.status().message();
        server_ = std::move(server).value();
        url_ = "http://127.0.0.1:" + std::to_string(server_->port());
        service_ = Service::connect({.url = url_, .token = admin_key_});
    }

    void TearDown() override {
        service_.reset();
        if (server_) server_->stop();
        if (runtime_) runtime_->stop();
        server_.reset();
        runtime_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
        set_log_level(previous_level_);
    }

    static QuantumCircuit bell() {
        QuantumCircuit qc(2);
        qc.h(0).cx(0, 1).measure_all();
        return qc;
    }

    // Valid as it is on emu_small5 (x, sx, rz, ecr on 0-1; measure).
    static QuantumCircuit isa_circuit() {
        QuantumCircuit qc(2);
        qc.x(0).sx(1).ecr(0, 1).measure_all();
        return qc;
    }

    SystemClock clock_;
    std::filesystem::path dir_;
    std::unique_ptr<runtime::Runtime> runtime_;
    std::unique_ptr<api::Server> server_;
    std::string admin_key_, url_;
    std::shared_ptr<Service> service_;
    LogLevel previous_level_ = LogLevel::kInfo;
};

TEST_F(ClientServerTest, lists_backends_and_reads_a_configuration) {
    std::vector<BackendInfo> all = service_->backends();
    std::set<std::string> names;
    for (const BackendInfo& b : all) names.insert(b.name);
    EXPECT_EQ(names, (std::set<std::string>{"emu_small5", "sim_ideal"}));

    BackendInfo small = service_->backend("emu_small5");
    EXPECT_EQ(small.num_qubits, 5U);
    EXPECT_FALSE(small.simulator);
    EXPECT_TRUE(small.operational);
    EXPECT_NE(std::find(small.basis_gates.begin(), small.basis_gates.end(), "ecr"),
              small.basis_gates.end());
    EXPECT_FALSE(small.coupling_map.empty());

    BackendInfo least = service_->least_busy(2);
    EXPECT_EQ(least.name, "emu_small5");
    EXPECT_EQ(service_->least_busy(2, true).name, "sim_ideal");
    EXPECT_EQ(error_of([&] { service_->least_busy(1000); }), ErrorKind::kNotFound);
}

TEST_F(ClientServerTest, samples_a_bell_state_on_the_ideal_simulator) {
    Sampler sampler(service_, "sim_ideal", {.tags = {"bell"}, .seed = 7});
    Job job = sampler.run({{bell(), {}, 1000}});
    PrimitiveResult result = job.result(std::chrono::seconds(60));
    ASSERT_EQ(result.size(), 1U);
    std::map<std::string, std::uint64_t> counts = result[0].counts();
    std::uint64_t total = 0;
    for (const auto& [bits, n] : counts) {
        EXPECT_TRUE(bits == "00" || bits == "11") << bits;
        total += n;
    }
    EXPECT_EQ(total, 1000U);
    EXPECT_GT(counts["00"], 400U);
    EXPECT_GT(counts["11"], 400U);
    EXPECT_EQ(result[0].bitstrings().size(), 1000U);
    EXPECT_EQ(job.status(), JobStatus::kCompleted);

    JobInfo info = job.info();
    EXPECT_EQ(info.program_id, "sampler");
    EXPECT_EQ(info.backend, "sim_ideal");
    EXPECT_EQ(info.tags, std::vector<std::string>{"bell"});
    EXPECT_FALSE(info.finished.empty());

    job.update_tags({"a", "b"});
    EXPECT_EQ(job.info().tags, (std::vector<std::string>{"a", "b"}));
    std::vector<JobInfo> listed = service_->jobs({.tag = "a"});
    ASSERT_EQ(listed.size(), 1U);
    EXPECT_EQ(listed[0].id, job.job_id());
    EXPECT_EQ(service_->job(job.job_id()).job_id(), job.job_id());
    // Cancelling a final job is a conflict.
    EXPECT_EQ(error_of([&] { job.cancel(); }), ErrorKind::kConflict);
}

TEST_F(ClientServerTest, estimates_exact_expectation_values_on_the_ideal_simulator) {
    // ry(theta) on qubit 0, then cx: cos(t/2)|00> + sin(t/2)|11>.
    QuantumCircuit qc(2);
    qc.ry(Parameter("theta"), 0).cx(0, 1);
    const std::vector<double> thetas{0.3, 1.2, 2.5};
    std::vector<std::vector<double>> rows;
    for (double t : thetas) rows.push_back({t});
    Estimator estimator(service_, "sim_ideal");
    Job job = estimator.run({
        {qc, {{{"ZI", 1.0}}}, rows},  // <Z1> = cos t, shape (3,)
        {qc, {{{"XX", 1.0}}, {{"IY", 1.0}}, {{"ZZ", 2.0}, {"II", -1.0}}}, {{1.2}}},
    });
    PrimitiveResult r = job.result(std::chrono::seconds(60));
    ASSERT_EQ(r.size(), 2U);
    EXPECT_EQ(r[0].shape(), std::vector<std::size_t>{3});
    std::vector<double> evs = r[0].evs();
    ASSERT_EQ(evs.size(), 3U);
    for (std::size_t i = 0; i < thetas.size(); ++i) EXPECT_NEAR(evs[i], std::cos(thetas[i]), 1e-9);
    std::vector<double> evs2 = r[1].evs();
    ASSERT_EQ(evs2.size(), 3U);
    EXPECT_NEAR(evs2[0], std::sin(1.2), 1e-9);  // <XX>
    EXPECT_NEAR(evs2[1], 0.0, 1e-9);            // <IY>
    EXPECT_NEAR(evs2[2], 1.0, 1e-9);            // 2<ZZ> - 1
    for (double s : r[1].stds()) EXPECT_NEAR(s, 0.0, 1e-12);
}

TEST_F(ClientServerTest, maps_server_errors_to_kinds) {
    EXPECT_EQ(error_of([&] { service_->backend("no_such_backend"); }), ErrorKind::kNotFound);
    EXPECT_EQ(error_of([&] { service_->job("job_nonexistent"); }), ErrorKind::kNotFound);
    auto bad = Service::connect({.url = url_, .token = "not-a-key"});
    EXPECT_EQ(error_of([&] { bad->backends(); }), ErrorKind::kUnauthenticated);
    // A non-ISA circuit on a device: the server's words, 400.
    QuantumCircuit h(1);
    h.h(0).measure_all();
    Sampler sampler(service_, "emu_small5");
    try {
        sampler.run({{h}});
        FAIL() << "accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
        EXPECT_EQ(e.http_status(), 400);
        EXPECT_NE(std::string(e.what()).find("not supported by the target"), std::string::npos)
            << e.what();
    }
    // Unreachable server.
    auto gone = Service::connect({.url = "http://127.0.0.1:1", .token = kJwt, .retries = 0});
    EXPECT_EQ(error_of([&] { gone->backends(); }), ErrorKind::kUnavailable);
}

TEST_F(ClientServerTest, a_session_closes_when_it_leaves_scope) {
    std::string id;
    {
        Session session(service_, "emu_small5", parse_duration("10m"));
        id = session.session_id();
        EXPECT_EQ(session.backend(), "emu_small5");
        SessionDetails d = session.details();
        EXPECT_EQ(d.mode, "dedicated");
        EXPECT_TRUE(d.accepting_jobs);
        EXPECT_EQ(d.max_time_s, 600);
        Sampler sampler(session, {.seed = 1});
        Job job = sampler.run({{isa_circuit(), {}, 100}});
        EXPECT_FALSE(job.result(std::chrono::seconds(60))[0].counts().empty());
        EXPECT_EQ(job.info().session_id, id);
    }
    Session seen = Session::from_id(service_, id);
    SessionDetails d = seen.details();
    EXPECT_FALSE(d.accepting_jobs);
    // A closed session takes no more jobs.
    Sampler late(seen);
    EXPECT_EQ(error_of([&] { late.run({{isa_circuit()}}); }), ErrorKind::kConflict);
}

TEST_F(ClientServerTest, a_borrowed_session_stays_open_and_cancel_closes_it) {
    Session owner(service_, "emu_small5");
    {
        Session borrowed = Session::from_id(service_, owner.session_id());
        EXPECT_EQ(borrowed.backend(), "emu_small5");
    }
    EXPECT_TRUE(owner.details().accepting_jobs);
    owner.cancel();
    SessionDetails d = owner.details();
    EXPECT_FALSE(d.accepting_jobs);
    EXPECT_EQ(d.state, "closed");
    EXPECT_EQ(owner.status(), "Closed");
    Sampler sampler(owner);
    EXPECT_EQ(error_of([&] { sampler.run({{isa_circuit()}}); }), ErrorKind::kConflict);
}

TEST_F(ClientServerTest, a_batch_and_a_moved_session) {
    Batch batch(service_, "emu_small5");
    EXPECT_EQ(batch.details().mode, "batch");
    Session moved(std::move(batch));
    EXPECT_EQ(moved.details().mode, "batch");
    EXPECT_EQ(error_of([&] { (void)batch.session_id(); }),  // NOLINT(bugprone-use-after-move)
              ErrorKind::kInvalidArgument);
    std::string id = moved.session_id();
    moved.close();
    EXPECT_FALSE(Session::from_id(service_, id).details().accepting_jobs);
}

TEST_F(ClientServerTest, two_threads_submit_in_one_session) {
    Session session(service_, "emu_small5");
    constexpr int kJobsPerThread = 3;
    std::vector<std::string> errors(2);
    auto optimizer = [&](int k) {
        try {
            Sampler sampler(session, {.tags = {"thread-" + std::to_string(k)}});
            for (int i = 0; i < kJobsPerThread; ++i) {
                Job job = sampler.run({{isa_circuit(), {}, 50}});
                std::uint64_t total = 0;
                for (const auto& [bits, n] : job.result(std::chrono::seconds(60))[0].counts()) {
                    total += n;
                }
                if (total != 50) errors[k] = "wrong total";
            }
        } catch (const Error& e) {
            errors[k] = e.what();
        }
    };
    std::thread a(optimizer, 0), b(optimizer, 1);
    a.join();
    b.join();
    EXPECT_EQ(errors[0], "");
    EXPECT_EQ(errors[1], "");
    EXPECT_EQ(service_->jobs({.session_id = session.session_id()}).size(), 2U * kJobsPerThread);
    EXPECT_EQ(service_->jobs({.tag = "thread-1"}).size(), std::size_t{kJobsPerThread});
}

TEST_F(ClientServerTest, the_jobs_api_starts_a_session_with_a_job) {
    Sampler sampler(service_, "emu_small5", {.start_session = true});
    Job first = sampler.run({{isa_circuit(), {}, 10}});
    std::string session_id = first.info().session_id;
    ASSERT_FALSE(session_id.empty());
    Sampler next(service_, "emu_small5", {.session_id = session_id});
    Job second = next.run({{isa_circuit(), {}, 10}});
    EXPECT_EQ(second.info().session_id, session_id);
    second.wait(std::chrono::seconds(60));
    Session::from_id(service_, session_id).close();
}

TEST_F(ClientServerTest, a_cancelled_job_says_so_from_result) {
    // A session on the device holds it, so a job in job mode waits (rule S4) and can be cancelled.
    Session holder(service_, "emu_small5");
    Sampler in_session(holder);
    in_session.run({{isa_circuit(), {}, 10}}).wait(std::chrono::seconds(60));
    Sampler sampler(service_, "emu_small5");
    Job job = sampler.run({{isa_circuit(), {}, 10}});
    job.cancel();
    EXPECT_EQ(job.wait(std::chrono::seconds(60)), JobStatus::kCancelled);
    EXPECT_EQ(error_of([&] { job.result(); }), ErrorKind::kJobCancelled);
}

TEST_F(ClientServerTest, result_times_out_with_kTimeout) {
    Session holder(service_, "emu_small5");
    Sampler in_session(holder);
    in_session.run({{isa_circuit(), {}, 10}}).wait(std::chrono::seconds(60));
    Sampler sampler(service_, "emu_small5");
    Job waiting = sampler.run({{isa_circuit(), {}, 10}});
    EXPECT_EQ(error_of([&] { waiting.result(std::chrono::milliseconds(200)); }),
              ErrorKind::kTimeout);
    JobInfo info = waiting.info();
    EXPECT_EQ(info.status, JobStatus::kQueued);
    waiting.cancel();
}

TEST_F(ClientServerTest, transpile_keeps_a_circuit_that_is_already_isa) {
    BackendInfo small = service_->backend("emu_small5");
    QuantumCircuit qc = isa_circuit();
    QuantumCircuit t = transpile(qc, small);
    EXPECT_EQ(t.to_qasm3(), qc.to_qasm3());
    EXPECT_TRUE(t.final_layout().empty());
    // An entry of backends() loads its configuration at the first transpile.
    for (const BackendInfo& b : service_->backends()) {
        if (b.name == "emu_small5") {
            EXPECT_EQ(transpile(qc, b).to_qasm3(), qc.to_qasm3());
        }
    }
    BackendInfo hand_made;
    hand_made.name = "emu_small5";
    EXPECT_EQ(error_of([&] { transpile(qc, hand_made); }), ErrorKind::kInvalidArgument);
}

TEST_F(ClientServerTest, a_transpiled_circuit_runs_on_the_emulated_device) {
    BackendInfo small = service_->least_busy(2);
    ASSERT_EQ(small.name, "emu_small5");
    QuantumCircuit isa = transpile(bell(), small);
    EXPECT_EQ(isa.num_qubits(), 5U);
    EXPECT_EQ(isa.final_layout().size(), 2U);

    Sampler sampler(service_, small.name, {.seed = 11});
    std::map<std::string, std::uint64_t> counts =
        sampler.run({{isa, {}, 2000}}).result(std::chrono::seconds(60))[0].counts();
    EXPECT_GT(counts["00"] + counts["11"], 1700U);  // a noisy device, but a Bell state

    // The estimator maps 2-qubit observables through the layout: <ZZ> near 1, <IY> near 0.
    QuantumCircuit unmeasured(2);
    unmeasured.h(0).cx(0, 1);
    QuantumCircuit isa2 = transpile(unmeasured, small);
    Estimator estimator(service_, small.name,
                        {.default_precision = 0.03, .resilience_level = 0, .seed = 5});
    PrimitiveResult r =
        estimator.run({{isa2, {{{"ZZ", 1.0}}, {{"IY", 1.0}}}}}).result(std::chrono::seconds(60));
    std::vector<double> evs = r[0].evs();
    ASSERT_EQ(evs.size(), 2U);
    EXPECT_GT(evs[0], 0.8);
    EXPECT_LT(std::abs(evs[1]), 0.2);
}

TEST_F(ClientServerTest, usage_and_logs) {
    Sampler sampler(service_, "sim_ideal");
    Job job = sampler.run({{bell(), {}, 10}});
    job.wait(std::chrono::seconds(60));
    EXPECT_GE(service_->usage_seconds(), 0.0);
    EXPECT_NE(service_->usage_json().find("usage_consumed_seconds"), std::string::npos);
    (void)job.logs();
}

}  // namespace
}  // namespace qrt
