#include "cli/serve.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "api/server.h"
#include "base/log.h"
#include "base/time.h"
#include "cli/exit_codes.h"
#include "runtime/runtime.h"

namespace qrt::cli {

namespace {

void say(const std::string& line) { std::cerr << "qrt: " << line << std::endl; }

std::string url_host(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// Creates the data directory (and its parents) if missing; a new one gets mode 0700: it holds
// the admin key and every user's jobs.
Status prepare_data_dir(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) {
            return failed_precondition(fmt::format("data directory {} is not a directory", dir));
        }
        return {};
    }
    if (!fs::create_directories(dir, ec) && ec) {
        return failed_precondition(
            fmt::format("cannot create the data directory {}: {}", dir, ec.message()));
    }
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) {
        return failed_precondition(
            fmt::format("cannot set the mode of the data directory {}: {}", dir, ec.message()));
    }
    return {};
}

// The admin key file must stay private; say so loudly if someone loosened it.
void check_admin_key_mode(const std::string& dir) {
    std::string path = dir + "/admin.key";
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        QRT_LOG_WARN("{} is readable by other users (mode {:o}); run: chmod 600 {}", path,
                     st.st_mode & 0777, path);
    }
}

// Writes the port atomically (write, then rename), so that a waiting test never reads half.
Status write_port_file(const std::string& path, std::uint16_t port) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::trunc);
        f << port << "\n";
        f.close();
        if (!f) return internal_error(fmt::format("cannot write the port file {}", tmp));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        return internal_error(fmt::format("cannot write the port file {}: {}", path, ec.message()));
    }
    return {};
}

const char* signal_name(int sig) {
    switch (sig) {
        case SIGINT:
            return "SIGINT";
        case SIGTERM:
            return "SIGTERM";
        default:
            return "a signal";
    }
}

Result<std::string> checked_host(std::string host) {
    if (host == "localhost") host = "127.0.0.1";
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (ec) {
        return invalid_argument(fmt::format(
            "--host: \"{}\" is not an IP address (use 127.0.0.1, ::1, or 0.0.0.0 to listen on "
            "every interface)",
            host));
    }
    return host;
}

}  // namespace

CLI::App* add_serve_command(CLI::App& app, ServeOptions& options) {
    auto* serve = app.add_subcommand(
        "serve",
        "Run the qrt server (Qiskit Runtime REST API) until SIGINT or SIGTERM. With no "
        "configuration it listens on http://127.0.0.1:8000 with the embedded defaults "
        "(docs/operations.md)");
    serve->add_option("--config", options.config_path,
                      "configuration file (TOML; docs/operations.md lists every key)");
    serve->add_option("--data-dir", options.data_dir,
                      "data directory (default: $QRT_DATA_DIR, else [store] data_dir, else "
                      "$HOME/.local/share/qrt)");
    serve->add_option("--host", options.host,
                      "listen address (default 127.0.0.1; 0.0.0.0 listens on every interface)");
    serve->add_option("--port", options.port, "listen port (default 8000; 0: any free port)")
        ->check(CLI::Range(0, 65535));
    serve->add_option("--port-file", options.port_file,
                      "write the bound port to this file once listening (for --port 0)");
    serve->add_option("--log-level", options.log_level,
                      "debug, info, warn, error or off (default: [log] level, else info)");
    serve->add_option("--log-format", options.log_format,
                      "json (one object per line) or text (default: [log] format, else json)");
    return serve;
}

Result<ServeConfig> effective_config(const ServeOptions& options, const EnvLookup& env) {
    ServeConfig config;
    if (!options.config_path.empty()) {
        auto loaded = load_config_file(options.config_path);
        if (!loaded.ok()) return loaded.status();
        config = std::move(*loaded);
    }
    if (options.host) {
        auto host = checked_host(*options.host);
        if (!host.ok()) return host.status();
        config.server.host = *host;
    }
    if (options.port) config.server.port = static_cast<std::uint16_t>(*options.port);
    if (!options.log_level.empty()) {
        auto level = parse_log_level(options.log_level);
        if (!level.ok()) {
            return invalid_argument(
                fmt::format("--log-level: must be debug, info, warn, error or off, got \"{}\"",
                            options.log_level));
        }
        config.log_level = *level;
    }
    if (!options.log_format.empty()) {
        auto format = parse_log_format(options.log_format);
        if (!format.ok()) {
            return invalid_argument(fmt::format("--log-format: must be json or text, got \"{}\"",
                                                options.log_format));
        }
        config.log_format = *format;
    }
    if (!config.log_format) config.log_format = LogFormat::kJson;  // for log collectors
    auto dir = resolve_data_dir(options.data_dir, config.runtime.data_dir, env);
    if (!dir.ok()) return dir.status();
    // Absolute, so that the logs and the printed admin key path say exactly where.
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(*dir, ec);
    std::string clean = ec ? *dir : abs.lexically_normal().string();
    while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
    config.runtime.data_dir = clean;
    return config;
}

int run_serve(const ServeOptions& options) {
    auto config = effective_config(options, process_env());
    if (!config.ok()) {
        say(config.status().message());
        return kExitUsage;
    }
    if (config->log_level) set_log_level(*config->log_level);
    set_log_format(config->log_format.value_or(LogFormat::kJson));

    // Every thread started from here on inherits this mask; the main thread waits for the
    // signals with sigwait, so no handler runs in the middle of the runtime's work.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is not a reason to die

    const std::string dir = config->runtime.data_dir;  // a copy: the config moves into open()
    if (Status s = prepare_data_dir(dir); !s.ok()) {
        say(s.message());
        return kExitError;
    }
    QRT_LOG_INFO("data directory {}", dir);

    SystemClock clock;
    api::ServerConfig server_config = config->server;
    server_config.metrics_require_auth = config->metrics_require_auth;
    auto opened = runtime::Runtime::open(std::move(config->runtime), clock);
    if (!opened.ok()) {
        say(fmt::format("cannot open the service in {}: {}", dir, opened.status().message()));
        return opened.status().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitError;
    }
    std::unique_ptr<runtime::Runtime> rt = std::move(*opened);
    // Said at once, so that it is seen even if listening fails below (it is in admin.key too).
    if (auto key = rt->first_start_admin_key()) {
        say(fmt::format("admin API key: {} (saved in {}/admin.key)", *key, dir));
    }
    check_admin_key_mode(dir);
    if (Status s = rt->start(); !s.ok()) {
        say(fmt::format("cannot start the service: {}", s.message()));
        rt->stop();
        return kExitError;
    }

    auto started = api::Server::start(server_config, *rt, clock);
    if (!started.ok()) {
        say(fmt::format("cannot start the HTTP server: {}", started.status().message()));
        rt->stop();
        return kExitError;
    }
    std::unique_ptr<api::Server> server = std::move(*started);
    std::uint16_t port = server->port();

    say(fmt::format("listening on http://{}:{}", url_host(server_config.host), port));
    if (!options.port_file.empty()) {
        if (Status s = write_port_file(options.port_file, port); !s.ok()) {
            say(s.message());
            server->stop();
            rt->stop();
            return kExitError;
        }
    }

    int sig = 0;
    while (sigwait(&stop_signals, &sig) != 0) {
    }
    say(fmt::format("{}: stopping (finishing requests; running jobs go back to the queue)",
                    signal_name(sig)));
    // A second signal while stopping: the operator wants out now.
    static std::atomic<bool> stopped{false};
    std::thread([stop_signals] {
        int again = 0;
        if (sigwait(&stop_signals, &again) == 0 && !stopped.load()) {
            std::fputs("qrt: second signal: exiting without a clean stop\n", stderr);
            std::_Exit(kExitError);
        }
    }).detach();

    server->stop();
    rt->stop();
    server.reset();
    rt.reset();
    if (!options.port_file.empty()) {
        std::error_code ec;
        std::filesystem::remove(options.port_file, ec);
    }
    stopped.store(true);
    say("stopped");
    return kExitOk;
}

}  // namespace qrt::cli
