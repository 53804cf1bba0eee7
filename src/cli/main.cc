// qrt: the command-line entry point. Subcommands:
//
//     qrt simulate WORKLOAD [--seed N] [--format table|json] [--out FILE]
//
// Exit codes: 0 success, 1 internal error, 2 bad input (command line or workload file).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "cli/report.h"
#include "cli/simulate.h"
#include "cli/workload.h"

#ifndef QRT_VERSION
#define QRT_VERSION "0.0.0"
#endif

namespace {

constexpr int kExitInternal = 1;
constexpr int kExitBadInput = 2;

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
        return kExitBadInput;
    }
    qrt::cli::SimulateOptions options;
    options.seed = args.seed;
    auto report = qrt::cli::simulate(*workload, options);
    if (!report.ok()) {
        std::cerr << "qrt simulate: " << args.workload << ": " << report.status().message() << "\n";
        return report.status().code() == qrt::ErrorCode::kInvalidArgument ? kExitBadInput
                                                                          : kExitInternal;
    }
    std::string json = qrt::cli::format_json(*report);
    if (!args.out.empty()) {
        std::ofstream f(args.out, std::ios::binary | std::ios::trunc);
        f << json;
        f.close();
        if (!f) {
            std::cerr << "qrt simulate: cannot write " << args.out << "\n";
            return kExitInternal;
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
        return rc == 0 ? 0 : kExitBadInput;
    }
    if (simulate->parsed()) return run_simulate(sim);
    return kExitBadInput;
}
