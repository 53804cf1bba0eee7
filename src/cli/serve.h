// `qrt serve`: runs the service until SIGINT or SIGTERM.
//
//     qrt serve [--config FILE] [--data-dir DIR] [--host H] [--port P] [--port-file F]
//               [--log-level L] [--log-format json|text]
//
// Order of work: read the configuration (file, then flags; a bad one exits 2 before anything is
// touched), resolve and create the data directory (mode 0700), open the runtime (store, backends,
// restart recovery; the first start makes the admin key and prints it once to stderr), start
// it, start the HTTP server, then print `qrt: listening on http://H:P` to stderr and write the
// bound port to --port-file. SIGINT/SIGTERM: stop accepting, finish in-flight
// requests, stop the runtime (running jobs go back to Queued and run again on the next start),
// exit 0. A second signal during the stop exits at once with 1.
//
// Logs go to stderr as JSON lines by default ([log] format, --log-format text for people);
// the `qrt: ...` lines above are plain text for the person at the terminal.
//
// Thread-safety: run_serve() is for the main thread of a process; it blocks SIGINT and SIGTERM
// in the threads it starts and waits for them itself.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "base/status.h"
#include "cli/config.h"

namespace qrt::cli {

struct ServeOptions {
    std::string config_path;
    std::string data_dir;
    std::optional<std::string> host;
    std::optional<int> port;
    std::string port_file;
    std::string log_level;
    std::string log_format;
};

// Adds the `serve` subcommand and its flags (bound to `options`) to `app`.
CLI::App* add_serve_command(CLI::App& app, ServeOptions& options);

// The configuration `qrt serve` would run with: the file (if any), then the flags over it, the
// data directory resolved (config.h, resolve_data_dir; made absolute) into runtime.data_dir, the
// log level into log_level and the log format into log_format (json unless the file or the flag
// says text). invalid_argument for a bad file or flag; failed_precondition
// without any data directory.
Result<ServeConfig> effective_config(const ServeOptions& options, const EnvLookup& env);

// Runs the server to the end (see the header comment). Returns the exit code (exit_codes.h).
int run_serve(const ServeOptions& options);

}  // namespace qrt::cli
