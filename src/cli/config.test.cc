#include "cli/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace qrt::cli {
namespace {

using namespace std::chrono_literals;

ServeConfig parse_ok(std::string_view text) {
    auto c = parse_config(text, "/etc/qrt/qrt.toml");
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    return c.ok() ? *c : ServeConfig{};
}

std::string parse_error(std::string_view text) {
    auto c = parse_config(text, "qrt.toml");
    EXPECT_FALSE(c.ok()) << "accepted:\n" << text;
    if (c.ok()) return {};
    EXPECT_EQ(c.status().code(), ErrorCode::kInvalidArgument);
    return c.status().message();
}

TEST(Config, an_empty_file_gives_the_embedded_defaults) {
    ServeConfig c = parse_ok("");
    api::ServerConfig server_defaults;
    runtime::Config runtime_defaults;
    EXPECT_EQ(c.server.host, "127.0.0.1");
    EXPECT_EQ(c.server.port, 8000);
    EXPECT_EQ(c.server.threads, server_defaults.threads);
    EXPECT_EQ(c.server.token_ttl, server_defaults.token_ttl);
    EXPECT_EQ(c.runtime.data_dir, "");
    EXPECT_EQ(c.runtime.devices.size(), runtime_defaults.devices.size());
    EXPECT_EQ(c.runtime.scheduler.interactive_ttl, 60s);
    EXPECT_TRUE(c.runtime.calibrations);
    EXPECT_FALSE(c.log_level.has_value());
    // Comments and blank lines only: the same.
    EXPECT_EQ(parse_ok("# nothing here\n\n").server.port, 8000);
}

TEST(Config, reads_every_section) {
    ServeConfig c = parse_ok(R"(
[server]
host = "0.0.0.0"
port = 9000
threads = 4
max_body_mb = 8
max_header_kb = 32
rate_limit_per_s = 100.5
rate_burst = 200
token_ttl_s = "2h"
idle_timeout_s = 30

[store]
data_dir = "data"

[scheduler]
interactive_ttl_s = 90
max_ttl_s = "4h 30m"
open_plan_batch_max_ttl_s = 300
unused_session_timeout_s = "10m"
job_time_cap_s = 0.5
policy = "half_life"
fair_share_window_s = "7d"
half_life_s = "1d"

[runtime]
calibrations = false
max_pending_jobs_per_user = 50
max_params_mb = 0.5
default_instance = "crn:v1:bluemix:public:quantum-computing:us-east:a/local:lab::"

[log]
level = "debug"
)");
    EXPECT_EQ(c.server.host, "0.0.0.0");
    EXPECT_EQ(c.server.port, 9000);
    EXPECT_EQ(c.server.threads, 4);
    EXPECT_EQ(c.server.max_body_bytes, 8u << 20);
    EXPECT_EQ(c.server.max_header_bytes, 32u << 10);
    EXPECT_DOUBLE_EQ(c.server.rate_limit_per_s, 100.5);
    EXPECT_DOUBLE_EQ(c.server.rate_burst, 200);
    EXPECT_EQ(c.server.token_ttl, 2h);
    EXPECT_EQ(c.server.idle_timeout, 30s);
    // Relative to the configuration file's directory.
    EXPECT_EQ(c.runtime.data_dir, "/etc/qrt/data");
    EXPECT_EQ(c.runtime.scheduler.interactive_ttl, 90s);
    EXPECT_EQ(c.runtime.scheduler.max_ttl, 4h + 30min);
    EXPECT_EQ(c.runtime.scheduler.open_plan_batch_max_ttl, 300s);
    EXPECT_EQ(c.runtime.scheduler.unused_session_timeout, 10min);
    EXPECT_EQ(c.runtime.scheduler.job_time_cap, 500ms);
    EXPECT_EQ(c.runtime.scheduler.policy, sched::FairSharePolicy::kHalfLifeDecay);
    EXPECT_EQ(c.runtime.scheduler.fair_share_window, 24h * 7);
    EXPECT_EQ(c.runtime.scheduler.half_life, 24h);
    EXPECT_FALSE(c.runtime.calibrations);
    EXPECT_EQ(c.runtime.max_pending_jobs_per_user, 50u);
    EXPECT_EQ(c.runtime.max_params_bytes, std::size_t{1} << 19);
    EXPECT_EQ(c.runtime.default_instance,
              "crn:v1:bluemix:public:quantum-computing:us-east:a/local:lab::");
    ASSERT_TRUE(c.log_level.has_value());
    EXPECT_EQ(*c.log_level, LogLevel::kDebug);
}

TEST(Config, log_format_and_metrics_auth) {
    ServeConfig c = parse_ok("[log]\nformat = \"text\"\n[metrics]\nrequire_auth = true\n");
    ASSERT_TRUE(c.log_format.has_value());
    EXPECT_EQ(*c.log_format, LogFormat::kText);
    EXPECT_TRUE(c.metrics_require_auth);
    ServeConfig d = parse_ok("");
    EXPECT_FALSE(d.log_format.has_value());
    EXPECT_FALSE(d.metrics_require_auth);
}

TEST(Config, absolute_data_dir_and_localhost_are_taken_as_they_are) {
    ServeConfig c =
        parse_ok("[store]\ndata_dir = \"/var/lib/qrt/\"\n[server]\nhost = \"localhost\"\n");
    EXPECT_EQ(c.runtime.data_dir, "/var/lib/qrt/");
    EXPECT_EQ(c.server.host, "127.0.0.1");
    EXPECT_EQ(parse_ok("[server]\nhost = \"::1\"\n").server.host, "::1");
}

TEST(Config, backends_replace_the_default_set) {
    ServeConfig c = parse_ok(R"(
[[backends]]
name = "lab_line7"
topology = "line"
num_qubits = 7
family = "cz"
error_1q = 1e-4
error_2q = 0.01
readout_error = 0.02
t1_us = 100
t2_us = 80.5
seed = 42
time_scale = 1
calibration_interval_s = 0
job_overhead_s = "2s"
processor_revision = 2

[[backends]]
name = "lab_grid"
topology = "grid"
num_qubits = 12
grid_columns = 4
simulator = false
calibration_interval_s = "30m"
max_memory_mb = 512
threads = 2

[[backends]]
name = "ideal"
simulator = true
num_qubits = 20
)");
    ASSERT_EQ(c.runtime.devices.size(), 3u);
    const auto& a = c.runtime.devices[0];
    EXPECT_EQ(a.name, "lab_line7");
    EXPECT_EQ(a.topology, backends::Topology::kLine);
    EXPECT_EQ(a.num_qubits, 7u);
    EXPECT_EQ(a.family, backends::GateFamily::kCz);
    EXPECT_DOUBLE_EQ(a.error_1q, 1e-4);
    EXPECT_DOUBLE_EQ(a.error_2q, 0.01);
    EXPECT_DOUBLE_EQ(a.readout_error, 0.02);
    EXPECT_DOUBLE_EQ(a.t1_us, 100);
    EXPECT_DOUBLE_EQ(a.t2_us, 80.5);
    EXPECT_EQ(a.seed, 42u);
    EXPECT_DOUBLE_EQ(a.time_scale, 1);
    EXPECT_FALSE(a.calibration_interval.has_value());
    EXPECT_DOUBLE_EQ(a.job_overhead_s, 2);
    EXPECT_EQ(a.processor_revision, "2");
    const auto& b = c.runtime.devices[1];
    EXPECT_EQ(b.topology, backends::Topology::kGrid);
    EXPECT_EQ(b.grid_columns, 4u);
    ASSERT_TRUE(b.calibration_interval.has_value());
    EXPECT_EQ(*b.calibration_interval, 30min);
    EXPECT_EQ(b.max_memory_bytes, std::size_t{512} << 20);
    EXPECT_EQ(b.threads, 2);
    // Keys not given keep DeviceSpec's defaults.
    backends::DeviceSpec defaults;
    EXPECT_DOUBLE_EQ(b.error_2q, defaults.error_2q);
    EXPECT_EQ(b.family, defaults.family);
    EXPECT_TRUE(c.runtime.devices[2].simulator);
}

TEST(Config, a_backend_can_start_from_a_default_device) {
    ServeConfig c = parse_ok(R"(
[[backends]]
time_scale = 1
base = "emu_small5"

[[backends]]
base = "emu_falcon27"
name = "falcon_fast"
calibration_interval_s = 0
dt_ns = 0.25
)");
    ASSERT_EQ(c.runtime.devices.size(), 2u);
    backends::DeviceSpec small;
    backends::DeviceSpec falcon;
    for (const auto& spec : backends::default_device_specs()) {
        if (spec.name == "emu_small5") small = spec;
        if (spec.name == "emu_falcon27") falcon = spec;
    }
    EXPECT_EQ(c.runtime.devices[0].name, "emu_small5");
    EXPECT_EQ(c.runtime.devices[0].num_qubits, small.num_qubits);
    EXPECT_DOUBLE_EQ(c.runtime.devices[0].error_2q, small.error_2q);
    EXPECT_DOUBLE_EQ(c.runtime.devices[0].time_scale, 1);
    EXPECT_EQ(c.runtime.devices[1].name, "falcon_fast");
    EXPECT_EQ(c.runtime.devices[1].num_qubits, falcon.num_qubits);
    EXPECT_EQ(c.runtime.devices[1].seed, falcon.seed);
    EXPECT_FALSE(c.runtime.devices[1].calibration_interval.has_value());
    EXPECT_DOUBLE_EQ(c.runtime.devices[1].dt_ns, 0.25);

    std::string m = parse_error("[[backends]]\nbase = \"emu_tiny\"\n");
    EXPECT_NE(m.find("qrt.toml:2: backends[0].base: \"emu_tiny\" is not a default backend (one of "
                     "\"emu_small5\""),
              std::string::npos)
        << m;
}

// Every error names the file, the line and the key, and says what is wrong.
TEST(Config, bad_values_name_file_line_and_key) {
    struct Case {
        const char* text;
        const char* expected;  // a substring of the message
    };
    const Case cases[] = {
        {"[server]\nport = 70000\n", "qrt.toml:2: server.port: must be in 0..65535, got 70000"},
        {"[server]\nport = \"8000\"\n",
         "qrt.toml:2: server.port: expected an integer, got a string"},
        {"[server]\n\nthreads = 0\n", "qrt.toml:3: server.threads: must be in 1..256"},
        {"[server]\nhost = \"my host\"\n",
         "qrt.toml:2: server.host: \"my host\" is not an IP address"},
        {"[server]\nmax_body_mb = 0\n", "qrt.toml:2: server.max_body_mb: must be more than 0"},
        {"[server]\nrate_limit_per_s = -1\n", "server.rate_limit_per_s: must be more than 0"},
        {"[server]\ntoken_ttl_s = \"5x\"\n", "qrt.toml:2: server.token_ttl_s: unknown unit 'x'"},
        {"[server]\ntoken_ttl_s = 0\n", "server.token_ttl_s: must be more than 0 seconds"},
        {"[server]\ntoken_ttl_s = \"31d\"\n", "server.token_ttl_s: must be at most 30 days"},
        {"[server]\ntoken_ttl_s = true\n", "server.token_ttl_s: expected seconds (a number)"},
        {"[store]\ndata_dir = 3\n",
         "qrt.toml:2: store.data_dir: expected a string, got an integer"},
        {"[store]\ndata_dir = \"\"\n", "store.data_dir: must not be empty"},
        {"[scheduler]\npolicy = \"fifo\"\n",
         "qrt.toml:2: scheduler.policy: must be one of \"rolling_window\", \"half_life\", got "
         "\"fifo\""},
        {"[scheduler]\nmax_ttl_s = -5\n", "scheduler.max_ttl_s: must be a number of seconds"},
        {"[runtime]\ncalibrations = \"yes\"\n",
         "qrt.toml:2: runtime.calibrations: expected true or false, got a string"},
        {"[runtime]\ndefault_instance = \"lab\"\n", "runtime.default_instance: must be a CRN"},
        {"[log]\nlevel = \"loud\"\n", "qrt.toml:2: log.level: must be one of \"debug\""},
        {"[log]\nformat = \"xml\"\n",
         "qrt.toml:2: log.format: must be one of \"json\", \"text\", got \"xml\""},
        {"[metrics]\nrequire_auth = 1\n",
         "qrt.toml:2: metrics.require_auth: expected true or false, got an integer"},
        {"[metrics]\nrequire = true\n", "metrics.require"},
        {"[[backends]]\nname = \"a\"\nerror_2q = 1.5\n",
         "qrt.toml:3: backends[0].error_2q: must be at least 0 and at most 0.999999, got 1.5"},
        {"[[backends]]\nname = \"a\"\ntopology = \"torus\"\n",
         "backends[0].topology: must be one of \"line\", \"ring\", \"grid\", \"heavy_hex\""},
        {"[[backends]]\nname = \"a\"\nfamily = \"iswap\"\n", "backends[0].family: must be one of"},
        {"[[backends]]\nname = \"a/b\"\n", "qrt.toml:2: backends[0].name: \"a/b\": a name is"},
        {"[[backends]]\nnum_qubits = 5\n",
         "qrt.toml:1: backends[0].name: every [[backends]] entry needs a name"},
        {"[[backends]]\nname = \"a\"\n[[backends]]\nname = \"a\"\n",
         "qrt.toml:4: backends[1].name: \"a\" is already the name of backends[0]"},
        {"[[backends]]\nname = \"a\"\ngrid_columns = 3\n",
         "backends[0].grid_columns: only a grid topology has columns"},
        {"[[backends]]\nname = \"a\"\nnum_qubits = 0\n",
         "backends[0].num_qubits: must be in 1..10000"},
        {"[[backends]]\nname = \"a\"\nt1_us = 0\n", "backends[0].t1_us: must be more than 0"},
        {"backends = []\n", "qrt.toml:1: backends: needs at least one backend"},
        {"backends = [1]\n", "backends[0]: expected a table, got an integer"},
        {"server = 1\n", "[server]: expected a table, got an integer"},
    };
    for (const Case& c : cases) {
        std::string message = parse_error(c.text);
        EXPECT_NE(message.find(c.expected), std::string::npos)
            << "input:\n"
            << c.text << "\nmessage: " << message << "\nexpected: " << c.expected;
    }
}

// Typos must not pass silently.
TEST(Config, unknown_keys_and_sections_are_errors_with_a_hint) {
    EXPECT_NE(parse_error("[server]\nprot = 8000\n")
                  .find("qrt.toml:2: server.prot: unknown key in [server] (did you mean 'port'?)"),
              std::string::npos);
    EXPECT_NE(parse_error("[sever]\nport = 8000\n")
                  .find("[sever]: unknown section (did you mean "
                        "'server'?)"),
              std::string::npos);
    EXPECT_NE(parse_error("[server]\nport = 1\ncolour = \"red\"\n")
                  .find("qrt.toml:3: server.colour: unknown key in [server] (known: host, port"),
              std::string::npos);
    EXPECT_NE(parse_error("[[backends]]\nname = \"a\"\nnum_qubit = 5\n")
                  .find("qrt.toml:3: backends[0].num_qubit: unknown key in [[backends]] (did you "
                        "mean 'num_qubits'?)"),
              std::string::npos);
    EXPECT_NE(parse_error("port = 8000\n").find("qrt.toml:1: port: unknown top-level key"),
              std::string::npos);
    EXPECT_NE(
        parse_error("[server.tls]\ncert = \"x\"\n").find("server.tls: unknown key in [server]"),
        std::string::npos);
}

TEST(Config, the_first_error_in_file_order_is_reported) {
    std::string m = parse_error("[server]\nthreads = 0\nport = -1\n");
    EXPECT_NE(m.find("qrt.toml:2: server.threads"), std::string::npos) << m;
}

TEST(Config, syntax_errors_give_the_line) {
    std::string m = parse_error("[server]\nport = = 8000\n");
    EXPECT_NE(m.find("qrt.toml:2: TOML syntax error"), std::string::npos) << m;
    m = parse_error("[server]\nport = 1\nport = 2\n");
    EXPECT_NE(m.find("qrt.toml:3: TOML syntax error"), std::string::npos) << m;
    EXPECT_NE(m.find("already exists"), std::string::npos) << m;
}

TEST(Config, load_config_file_reads_a_file_and_names_a_missing_one) {
    auto missing = load_config_file("/nonexistent/qrt.toml");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(missing.status().message().find("/nonexistent/qrt.toml: no such file"),
              std::string::npos);

    auto dir =
        std::filesystem::temp_directory_path() /
        ("qrt_config_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    std::filesystem::create_directories(dir);
    auto path = (dir / "serve.toml").string();
    {
        std::ofstream f(path);
        f << "[server]\nport = 8123\n[store]\ndata_dir = \"state\"\n";
    }
    auto c = load_config_file(path);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    EXPECT_EQ(c->server.port, 8123);
    EXPECT_EQ(c->runtime.data_dir, (dir / "state").lexically_normal().string());
    std::filesystem::remove_all(dir);
}

TEST(Config, the_shipped_example_parses_and_matches_the_defaults_it_documents) {
    auto c = load_config_file(std::string(QRT_SOURCE_DIR) + "/examples/qrt.toml");
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    api::ServerConfig server;
    EXPECT_EQ(c->server.host, server.host);
    EXPECT_EQ(c->server.port, server.port);
    EXPECT_EQ(c->server.threads, server.threads);
    EXPECT_EQ(c->server.max_body_bytes, server.max_body_bytes);
    EXPECT_EQ(c->server.max_header_bytes, server.max_header_bytes);
    EXPECT_DOUBLE_EQ(c->server.rate_limit_per_s, server.rate_limit_per_s);
    EXPECT_DOUBLE_EQ(c->server.rate_burst, server.rate_burst);
    EXPECT_EQ(c->server.token_ttl, server.token_ttl);
    EXPECT_EQ(c->server.idle_timeout, server.idle_timeout);
    sched::Settings sched;
    const sched::Settings& got = c->runtime.scheduler;
    EXPECT_EQ(got.interactive_ttl, sched.interactive_ttl);
    EXPECT_EQ(got.max_ttl, sched.max_ttl);
    EXPECT_EQ(got.open_plan_batch_max_ttl, sched.open_plan_batch_max_ttl);
    EXPECT_EQ(got.unused_session_timeout, sched.unused_session_timeout);
    EXPECT_EQ(got.job_time_cap, sched.job_time_cap);
    EXPECT_EQ(got.policy, sched.policy);
    EXPECT_EQ(got.fair_share_window, sched.fair_share_window);
    EXPECT_EQ(got.half_life, sched.half_life);
    runtime::Config rt;
    EXPECT_EQ(c->runtime.calibrations, rt.calibrations);
    EXPECT_EQ(c->runtime.max_pending_jobs_per_user, rt.max_pending_jobs_per_user);
    EXPECT_EQ(c->runtime.max_params_bytes, rt.max_params_bytes);
    EXPECT_EQ(c->runtime.default_instance, rt.default_instance);
    EXPECT_EQ(c->runtime.data_dir, "");
    EXPECT_EQ(c->runtime.devices.size(), rt.devices.size());
    ASSERT_TRUE(c->log_level.has_value());
    EXPECT_EQ(*c->log_level, LogLevel::kInfo);
}

// The commented-out backends of the example are valid too.
TEST(Config, the_examples_commented_backends_parse) {
    std::ifstream f(std::string(QRT_SOURCE_DIR) + "/examples/qrt.toml");
    std::string line, text;
    bool in_backends = false;
    while (std::getline(f, line)) {
        if (line.rfind("# [[backends]]", 0) == 0) in_backends = true;
        if (in_backends && line.rfind("# ", 0) == 0) text += line.substr(2) + "\n";
        if (in_backends && line == "#") text += "\n";
    }
    ASSERT_FALSE(text.empty());
    auto c = parse_config(text, "example-backends.toml");
    ASSERT_TRUE(c.ok()) << c.status().to_string() << "\n" << text;
    ASSERT_EQ(c->runtime.devices.size(), 3u);
    EXPECT_EQ(c->runtime.devices[0].name, "emu_small5");
    EXPECT_EQ(c->runtime.devices[1].name, "lab_grid16");
    EXPECT_TRUE(c->runtime.devices[2].simulator);
}

TEST(DataDir, flag_then_environment_then_config_then_home) {
    std::map<std::string, std::string> vars = {{"HOME", "/home/ada"}};
    EnvLookup env = [&](const char* name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
    EXPECT_EQ(*resolve_data_dir("", "", env), "/home/ada/.local/share/qrt");
    EXPECT_EQ(*resolve_data_dir("", "/srv/qrt", env), "/srv/qrt");
    vars["QRT_DATA_DIR"] = "/tmp/q";
    EXPECT_EQ(*resolve_data_dir("", "/srv/qrt", env), "/tmp/q");
    EXPECT_EQ(*resolve_data_dir("/data", "/srv/qrt", env), "/data");
    EXPECT_EQ(*resolve_data_dir("~/state", "", env), "/home/ada/state");
    vars.clear();
    auto none = resolve_data_dir("", "", env);
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.status().code(), ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace qrt::cli
