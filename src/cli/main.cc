// qrt: the command-line entry point. Subcommands:
//
//     qrt serve [--config FILE] [--data-dir DIR] [--host H] [--port P] [--port-file F]
//               [--log-level L]                                  (cli/serve.h)
//     qrt admin users|keys|instances|backends|reservations ...  (cli/admin.h)
//     qrt simulate WORKLOAD [--seed N] [--format table|json] [--out FILE]
//     qrt backends | run FILE | jobs ... | sessions ...           (cli/user_verbs.h, docs/cli.md)
//
// Exit codes (cli/exit_codes.h, docs/operations.md): 0 ok, 1 runtime or server error, 2 usage
// or configuration error, 3 not found, 4 unauthenticated or not allowed, 5 the job ended Failed
// or Cancelled, 6 a timeout ran out.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "cli/admin.h"
#include "cli/exit_codes.h"
#include "cli/report.h"
#include "cli/serve.h"
#include "cli/simulate.h"
#include "cli/user_verbs.h"
#include "cli/workload.h"

#ifndef QRT_VERSION
#define QRT_VERSION "0.0.0"
#endif

namespace {

using qrt::cli::kExitError;
using qrt::cli::kExitUsage;

struct SimulateArgs {
    std::string workload;
    std::optional<std::uint64_t> seed;
    std::string format = "table";
    std::string out;
};

int run_simulate(const SimulateArgs& args) {
    auto workload = qrt::cli::load_workload(args.workload);
    if (!workload.ok()) {
        std::cerr << "qrt simulate: " << workload.status().message() << "\n";
        return kExitUsage;
    }
    qrt::cli::SimulateOptions options;
    options.seed = args.seed;
    auto report = qrt::cli::simulate(*workload, options);
    if (!report.ok()) {
        std::cerr << "qrt simulate: " << args.workload << ": " << report.status().message() << "\n";
        return report.status().code() == qrt::ErrorCode::kInvalidArgument ? kExitUsage : kExitError;
    }
    std::string json = qrt::cli::format_json(*report);
    if (!args.out.empty()) {
        std::ofstream f(args.out, std::ios::binary | std::ios::trunc);
        f << json;
        f.close();
        if (!f) {
            std::cerr << "qrt simulate: cannot write " << args.out << "\n";
            return kExitError;
        }
    }
    std::cout << (args.format == "json" ? json : qrt::cli::format_table(*report));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"qrt: a session-aware quantum runtime service"};
    app.set_version_flag("--version", std::string("qrt ") + QRT_VERSION);
    app.require_subcommand(1);

    qrt::cli::ServeOptions serve_options;
    auto* serve = qrt::cli::add_serve_command(app, serve_options);
    qrt::cli::AdminCommand admin(app);
    qrt::cli::UserCommands user(app);

    SimulateArgs sim;
    auto* simulate = app.add_subcommand(
        "simulate",
        "Replay a workload file through the scheduler on a virtual clock and print "
        "metrics (docs/workload-format.md)");
    simulate->add_option("workload", sim.workload, "workload file (JSON)")->required();
    simulate->add_option("--seed", sim.seed, "random seed (overrides the file's seed)");
    simulate->add_option("--format", sim.format, "output format")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
    simulate->add_option("--out", sim.out, "also write the JSON report to this file");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : kExitUsage;
    }
    if (serve->parsed()) return qrt::cli::run_serve(serve_options);
    if (admin.parsed()) return admin.run(std::cout, std::cerr, qrt::cli::process_env());
    if (simulate->parsed()) return run_simulate(sim);
    if (user.parsed()) {
        return user.run(std::cout, std::cerr, qrt::cli::process_env(),
                        qrt::cli::process_terminal());
    }
    return kExitUsage;
}
