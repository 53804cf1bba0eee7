// Backends taking jobs: validate() against the ISA, run() on the emulated noise and the ideal
// simulator, the timing model's charge, cancellation and errors. Jobs are posted the way a REST
// user posts them: OpenQASM 3 PUBs, plain results.
#include "backends/backend.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <thread>

#include "backends/device.h"
#include "circuit/isa.h"

namespace qrt::backends {
namespace {

namespace json = boost::json;

std::unique_ptr<Backend> backend_named(std::string_view name, double time_scale = 0) {
    for (DeviceSpec s : default_device_specs()) {
        if (s.name != name) continue;
        s.time_scale = time_scale;
        auto b = make_backend(s);
        EXPECT_TRUE(b.ok()) << b.status().to_string();
        return b.ok() ? std::move(*b) : nullptr;
    }
    ADD_FAILURE() << "no default backend " << name;
    return nullptr;
}

// A Bell circuit in emu_small5's ISA (ECR on (0, 1)), as Qiskit transpiles it.
constexpr std::string_view kIsaBell = R"(OPENQASM 3.0;
include "stdgates.inc";
bit[2] c;
rz(pi/2) $0;
sx $0;
rz(-pi) $1;
sx $1;
rz(-pi) $1;
ecr $0, $1;
x $0;
c[0] = measure $0;
c[1] = measure $1;
)";

std::string sampler_params(std::string_view qasm, std::uint64_t shots,
                           std::string_view options = "{}") {
    return json::serialize(
        json::object{{"pubs", json::array{json::array{json::string(qasm), nullptr, shots}}},
                     {"options", json::parse(options)},
                     {"version", 2}});
}

// Counts of the plain sampler result's first PUB, register `reg`.
std::map<std::string, int> plain_counts(const std::string& result_json, std::string_view reg) {
    std::map<std::string, int> counts;
    const json::value v = json::parse(result_json);
    const json::object& data = v.at("results").at(0).at("data").as_object();
    const json::object& r = data.at(reg).as_object();
    const auto bits = static_cast<int>(r.at("num_bits").to_number<std::int64_t>());
    for (const json::value& s : r.at("samples").as_array()) {
        const std::uint64_t x = std::stoull(std::string(s.as_string()).substr(2), nullptr, 16);
        std::string key;
        for (int b = bits - 1; b >= 0; --b) key += ((x >> b) & 1) ? '1' : '0';
        ++counts[key];
    }
    return counts;
}

TEST(Validate, refuses_a_gate_outside_the_isa_with_the_clients_words) {
    auto eagle = backend_named("emu_eagle127");
    ASSERT_NE(eagle, nullptr);
    auto job = eagle->validate("sampler", sampler_params(R"(OPENQASM 3.0;
        include "stdgates.inc";
        bit[1] c;
        h $0;
        c[0] = measure $0;
    )",
                                                         100));
    ASSERT_FALSE(job.ok());
    EXPECT_EQ(job.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(job.status().message(),
              std::string("The instruction h on qubits (0,) is not supported by the target "
                          "system.") +
                  std::string(circuit::kIsaAdvice));
}

TEST(Validate, refuses_a_two_qubit_gate_off_the_coupling_map) {
    auto eagle = backend_named("emu_eagle127");
    ASSERT_NE(eagle, nullptr);
    // 0 and 2 are not neighbours; (1, 0) has the other direction (ECR is one-way).
    for (const char* gate : {"ecr $0, $2;", "ecr $1, $0;", "cx $0, $1;"}) {
        const std::string qasm =
            std::string("OPENQASM 3.0;\ninclude \"stdgates.inc\";\n") + gate + "\n";
        auto job = eagle->validate("sampler", sampler_params(qasm, 100));
        ASSERT_FALSE(job.ok()) << gate;
        EXPECT_NE(job.status().message().find("is not supported by the target system."),
                  std::string::npos)
            << job.status().message();
    }
    EXPECT_TRUE(eagle->validate("sampler", sampler_params("ecr $0, $1;", 100)).ok());
}

TEST(Validate, refuses_too_many_qubits_shots_and_bad_params) {
    auto small = backend_named("emu_small5");
    ASSERT_NE(small, nullptr);
    auto wide = small->validate("sampler", sampler_params("sx $7;", 100));
    ASSERT_FALSE(wide.ok());
    EXPECT_NE(wide.status().message().find("The circuit has 8 qubits but the target system "
                                           "requires 5 qubits."),
              std::string::npos)
        << wide.status().message();

    auto shots = small->validate("sampler", sampler_params(kIsaBell, 200000));
    ASSERT_FALSE(shots.ok());
    EXPECT_EQ(shots.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(shots.status().message().find("pubs[0]: 200000 shots requested"), std::string::npos)
        << shots.status().message();

    auto bad = small->validate("sampler", R"({"pubs": 5, "version": 2})");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
    auto not_json = small->validate("sampler", "{");
    ASSERT_FALSE(not_json.ok());
    EXPECT_EQ(not_json.status().code(), ErrorCode::kInvalidArgument);
    auto program = small->validate("qaoa", sampler_params(kIsaBell, 10));
    ASSERT_FALSE(program.ok());
    EXPECT_EQ(program.status().code(), ErrorCode::kInvalidArgument);

    JobRequest request{"job-bad", "sampler", R"({"pubs": [[]]})", 1, nullptr};
    auto run = small->run(request);
    ASSERT_FALSE(run.ok());
    EXPECT_EQ(run.status().code(), ErrorCode::kInvalidArgument);
}

TEST(Validate, simulator_takes_any_standard_gate_up_to_its_width) {
    auto sim = backend_named("sim_ideal");
    ASSERT_NE(sim, nullptr);
    EXPECT_TRUE(
        sim->validate("sampler", sampler_params("h $0; cx $0, $5; ccx $1, $2, $31;", 10)).ok());
    auto wide = sim->validate("sampler", sampler_params("h $40;", 10));
    ASSERT_FALSE(wide.ok());
    EXPECT_NE(wide.status().message().find("41 qubits"), std::string::npos)
        << wide.status().message();
}

TEST(Run, noisy_bell_on_small5_is_mostly_00_11_with_readout_errors) {
    auto small = backend_named("emu_small5");
    ASSERT_NE(small, nullptr);
    JobRequest request{"job-bell", "sampler", sampler_params(kIsaBell, 4000), 7, nullptr};
    auto run = small->run(request);
    ASSERT_TRUE(run.ok()) << run.status().to_string();
    const auto counts = plain_counts(run->result_json, "c");
    int total = 0;
    for (const auto& [k, n] : counts) total += n;
    ASSERT_EQ(total, 4000);
    const int correlated = counts.count("00") ? counts.at("00") : 0;
    const int both = correlated + (counts.count("11") ? counts.at("11") : 0);
    EXPECT_GT(both, 3600) << "mostly 00 and 11";
    EXPECT_GT(correlated, 1600);
    EXPECT_GT(4000 - both, 40) << "readout errors (~2% per qubit) must show";
    EXPECT_LT(4000 - both, 400);

    // The same seed gives the same samples.
    auto again = small->run(request);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->result_json, run->result_json);

    // Usage is the timing model's, and equals the forecast for the same job.
    auto job = small->validate("sampler", request.params_json);
    ASSERT_TRUE(job.ok());
    EXPECT_EQ(run->qpu_time, small->estimate(*job));
    EXPECT_GT(run->qpu_time, seconds_d(0.5 + 0.05 + 4000 * 250e-6));
    ASSERT_GE(run->log_lines.size(), 2u);
    EXPECT_EQ(run->log_lines.front(), "Running sampler: 1 PUB, 4000 shots on emu_small5");
    EXPECT_NE(run->log_lines.back().find("Finished in"), std::string::npos);
    const json::value meta = json::parse(run->metadata_json);
    EXPECT_EQ(meta.at("shots").to_number<std::int64_t>(), 4000);
}

TEST(Run, ideal_estimator_on_sim_ideal_is_exact) {
    auto sim = backend_named("sim_ideal");
    ASSERT_NE(sim, nullptr);
    const std::string params = json::serialize(json::object{
        {"pubs",
         json::array{json::array{
             "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n",
             json::array{"ZZ", "XX", "IZ", "YY"}, nullptr}}},
        {"version", 2}});
    JobRequest request{"job-est", "estimator", params, 3, nullptr};
    auto run = sim->run(request);
    ASSERT_TRUE(run.ok()) << run.status().to_string();
    const json::value v = json::parse(run->result_json);
    const json::array& evs = v.at("results").at(0).at("data").at("evs").as_array();
    ASSERT_EQ(evs.size(), 4u);
    EXPECT_NEAR(evs[0].to_number<double>(), 1.0, 1e-12);
    EXPECT_NEAR(evs[1].to_number<double>(), 1.0, 1e-12);
    EXPECT_NEAR(evs[2].to_number<double>(), 0.0, 1e-12);
    EXPECT_NEAR(evs[3].to_number<double>(), -1.0, 1e-12);
    const json::array& stds = v.at("results").at(0).at("data").at("stds").as_array();
    EXPECT_EQ(stds[0].to_number<double>(), 0.0);
    EXPECT_GT(run->qpu_time, Duration(0)) << "a simulator charges its wall time";
}

TEST(Run, noisy_estimator_on_a_device_is_close_and_charged_by_the_model) {
    auto heron = backend_named("emu_heron133");
    ASSERT_NE(heron, nullptr);
    // |11> prepared with x gates; <ZZ> = 1, <ZI> = -1, less noise (readout mitigated at level 1).
    const std::string params = json::serialize(json::object{
        {"pubs", json::array{json::array{"OPENQASM 3.0;\ninclude \"stdgates.inc\";\nx $0;\nx $1;\n",
                                         json::array{"ZZ", "ZI"}, nullptr, 0.02}}},
        {"version", 2}});
    JobRequest request{"job-est2", "estimator", params, 5, nullptr};
    auto run = heron->run(request);
    ASSERT_TRUE(run.ok()) << run.status().to_string();
    const json::value v = json::parse(run->result_json);
    const json::array& evs = v.at("results").at(0).at("data").at("evs").as_array();
    EXPECT_NEAR(evs[0].to_number<double>(), 1.0, 0.1);
    EXPECT_NEAR(evs[1].to_number<double>(), -1.0, 0.1);
    auto job = heron->validate("estimator", params);
    ASSERT_TRUE(job.ok()) << job.status().to_string();
    EXPECT_EQ(run->qpu_time, heron->estimate(*job));
}

TEST(Run, a_raised_stop_flag_cancels) {
    auto small = backend_named("emu_small5");
    ASSERT_NE(small, nullptr);
    std::atomic<bool> stop{true};
    JobRequest request{"job-stop", "sampler", sampler_params(kIsaBell, 1000), 1, &stop};
    auto run = small->run(request);
    ASSERT_FALSE(run.ok());
    EXPECT_EQ(run.status().code(), ErrorCode::kCancelled);
}

TEST(Run, emulated_wall_time_sleeps_and_stops_on_cancel) {
    // time_scale 10: the job would take ten times its QPU time (~18 s); cancel after 100 ms.
    auto small = backend_named("emu_small5", 10.0);
    ASSERT_NE(small, nullptr);
    std::atomic<bool> stop{false};
    JobRequest request{"job-slow", "sampler", sampler_params(kIsaBell, 5000), 1, &stop};
    const auto start = std::chrono::steady_clock::now();
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        stop = true;
    });
    auto run = small->run(request);
    canceller.join();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(run.ok());
    EXPECT_EQ(run.status().code(), ErrorCode::kCancelled);
    EXPECT_LT(elapsed, std::chrono::seconds(10));

    // A scaled-down run does take its scaled QPU time.
    auto fast = backend_named("emu_small5", 0.05);
    ASSERT_NE(fast, nullptr);
    JobRequest ok_request{"job-scaled", "sampler", sampler_params(kIsaBell, 1000), 1, nullptr};
    const auto t0 = std::chrono::steady_clock::now();
    auto done = fast->run(ok_request);
    ASSERT_TRUE(done.ok()) << done.status().to_string();
    EXPECT_GE(std::chrono::steady_clock::now() - t0,
              std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                  std::chrono::duration<double>(0.05 * to_seconds(done->qpu_time))));
}

TEST(Run, after_calibrate_the_job_runs_on_the_new_calibration) {
    auto small = backend_named("emu_small5");
    ASSERT_NE(small, nullptr);
    ASSERT_TRUE(small->calibrate(SystemClock().now(), 99).ok());
    JobRequest request{"job-cal", "sampler", sampler_params(kIsaBell, 100), 1, nullptr};
    auto run = small->run(request);
    ASSERT_TRUE(run.ok()) << run.status().to_string();
    EXPECT_NE(run->log_lines.at(1).find(small->target()->last_update_date), std::string::npos);
}

}  // namespace
}  // namespace qrt::backends
