// The user verbs of `qrt`, built on the C++ client library (<qrt/qrt.h>); docs/cli.md shows each
// with an example:
//
//     qrt backends
//     qrt run FILE [--backend B | --least-busy] [--shots N] [--observable P ...] [--precision X]
//                  [--session ID] [--tag T ...] [--no-transpile] [--wait] [--timeout 10m]
//     qrt jobs list [--status S] [--backend B] [--session ID] [--tag T] [--limit N]
//     qrt jobs show|result|cancel|wait ID       qrt jobs tags ID TAG...
//     qrt sessions create --backend B [--batch] [--max-time 25m]
//     qrt sessions show|close|cancel ID
//
// Every verb takes --url, --token, --instance, --data-dir (credentials.h says where they are
// looked for when not given) and --json (JSON on stdout instead of a table). Results go to `out`,
// errors to `err` as one line ("qrt jobs show: ..."), the live status line of a wait to `err`.
// Exit codes: exit_codes.h.
//
// The verbs are split by group: backends and the connection here (user_verbs.cc), run.cc,
// jobs.cc, sessions.cc.
//
// Thread-safety: a UserCommands belongs to the thread that parses and runs it.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/config.h"
#include "cli/credentials.h"

namespace qrt {
class Service;
}  // namespace qrt

namespace qrt::cli {

// What the verbs know of where they print.
struct Terminal {
    bool err_is_tty = false;  // the live status line rewrites itself in place
    std::size_t columns = 80;
};

// The process's own: isatty(stderr) and the width of that terminal ($COLUMNS, else TIOCGWINSZ).
Terminal process_terminal();

class UserCommands {
public:
    // Adds `backends`, `run`, `jobs` and `sessions` to `app`.
    explicit UserCommands(CLI::App& app);
    UserCommands(const UserCommands&) = delete;
    UserCommands& operator=(const UserCommands&) = delete;

    // Whether the command line chose one of these verbs.
    bool parsed() const;
    // Runs the chosen verb; returns the exit code.
    int run(std::ostream& out, std::ostream& err, const EnvLookup& env,
            const Terminal& terminal) const;

private:
    struct Common {
        ConnectionFlags connection;
        std::string instance;
        bool json = false;
    };
    // What one run of a verb works with.
    struct Context {
        std::shared_ptr<Service> service;
        std::ostream& out;
        std::ostream& err;
        Terminal terminal;
        bool json;
    };

    void add_common(CLI::App* verb);
    void add_run(CLI::App& app);
    void add_jobs(CLI::App& app);
    void add_sessions(CLI::App& app);

    int run_backends(Context& ctx) const;
    int run_circuit(Context& ctx) const;   // run.cc
    int run_jobs(Context& ctx) const;      // jobs.cc
    int run_sessions(Context& ctx) const;  // sessions.cc
    // Waits for job `id` with the live status line; prints the result (or the reason it ended
    // without one). `labels`: the estimator's observables, when known.
    int wait_and_print(Context& ctx, const std::string& id,
                       const std::vector<std::string>& labels) const;

    std::vector<CLI::App*> verbs_;
    Common common_;

    CLI::App* backends_ = nullptr;

    CLI::App* run_ = nullptr;
    struct RunArgs {
        std::string file, backend, session;
        bool least_busy = false;
        std::optional<std::uint32_t> shots;
        std::vector<std::string> observables;
        std::optional<double> precision;
        std::vector<std::string> tags;
        bool no_transpile = false;
        bool wait = false;
    } run_args_;
    std::string timeout_;  // run --wait, jobs wait: "10m", "90", ...

    CLI::App* jobs_list_ = nullptr;
    CLI::App* jobs_show_ = nullptr;
    CLI::App* jobs_result_ = nullptr;
    CLI::App* jobs_cancel_ = nullptr;
    CLI::App* jobs_tags_ = nullptr;
    CLI::App* jobs_wait_ = nullptr;
    struct JobsArgs {
        std::string id, status, backend, session, tag;
        int limit = 20;
        std::vector<std::string> tags;
        bool raw = false;
    } jobs_args_;

    CLI::App* sessions_create_ = nullptr;
    CLI::App* sessions_show_ = nullptr;
    CLI::App* sessions_close_ = nullptr;
    CLI::App* sessions_cancel_ = nullptr;
    struct SessionsArgs {
        std::string id, backend, max_time;
        bool batch = false;
    } sessions_args_;
};

}  // namespace qrt::cli
