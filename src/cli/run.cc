// `qrt run FILE`: an OpenQASM circuit through the Sampler (no --observable) or the Estimator,
// transpiled for the chosen backend first unless --no-transpile.
#include <qrt/qrt.h>

#include <boost/json.hpp>
#include <fstream>
#include <ostream>

#include "cli/exit_codes.h"
#include "cli/observable_text.h"
#include "cli/table.h"
#include "cli/user_verbs.h"

namespace qrt::cli {

namespace json = boost::json;

void UserCommands::add_run(CLI::App& app) {
    run_ = app.add_subcommand(
        "run",
        "Run an OpenQASM 3 or 2 circuit: counts with the Sampler, or expectation values with the "
        "Estimator when observables are given");
    verbs_.push_back(run_);
    run_->add_option("file", run_args_.file, "OpenQASM 3 or 2 file")->required();
    auto* backend = run_->add_option("--backend", run_args_.backend, "backend to run on");
    auto* least_busy = run_->add_flag(
        "--least-busy", run_args_.least_busy,
        "run on the operational device with the fewest pending jobs and enough qubits (rule K1)");
    backend->excludes(least_busy);
    run_->add_option("--shots", run_args_.shots, "shots (Sampler; default: the server's, 4096)")
        ->check(CLI::Range(1U, 10'000'000U));
    run_->add_option("--observable", run_args_.observables,
                     "observable for the Estimator, e.g. ZZ or \"0.5*XX - 0.5*YY\" (qubit 0 "
                     "rightmost; repeatable)");
    run_->add_option("--precision", run_args_.precision,
                     "target precision of the expectation values (Estimator)")
        ->check(CLI::PositiveNumber);
    run_->add_option("--session", run_args_.session,
                     "run in this session or batch (its backend unless --backend is given)");
    run_->add_option("--tag", run_args_.tags, "job tag (repeatable)");
    run_->add_flag("--no-transpile", run_args_.no_transpile,
                   "send the circuit as it is (it must already be valid for the backend)");
    run_->add_flag("--wait", run_args_.wait,
                   "wait for the result, showing the job's status line; otherwise print the job "
                   "id and exit");
    run_->add_option("--timeout", timeout_,
                     "with --wait: give up waiting after this long (e.g. 90s, 10m; exit 6, the "
                     "job goes on)");
}

int UserCommands::run_circuit(Context& ctx) const {
    const RunArgs& a = run_args_;
    if (!std::ifstream(a.file)) {
        throw Error(ErrorKind::kInvalidArgument, "cannot read " + a.file);
    }
    QuantumCircuit circuit = QuantumCircuit::from_qasm_file(a.file);
    std::vector<Observable> observables;
    for (const auto& text : a.observables) observables.push_back(parse_observable(text));
    for (const auto& o : observables) {
        if (o.front().first.size() != circuit.num_qubits()) {
            throw Error(ErrorKind::kInvalidArgument,
                        fmt::format("--observable {}: {} qubits, the circuit has {}",
                                    o.front().first, o.front().first.size(), circuit.num_qubits()));
        }
    }
    if (!observables.empty() && a.shots) {
        throw Error(ErrorKind::kInvalidArgument,
                    "--shots is for the Sampler; the Estimator takes --precision");
    }
    if (observables.empty() && a.precision) {
        throw Error(ErrorKind::kInvalidArgument,
                    "--precision is for the Estimator (give --observable)");
    }

    // Which backend: --backend, --least-busy, or the session's.
    std::string backend_name = a.backend;
    if (backend_name.empty() && a.least_busy) {
        backend_name = ctx.service->least_busy(circuit.num_qubits()).name;
    }
    if (backend_name.empty() && !a.session.empty()) {
        backend_name = Session::from_id(ctx.service, a.session).backend();  // borrowed: stays open
    }
    if (backend_name.empty()) {
        throw Error(ErrorKind::kInvalidArgument,
                    "choose a backend: --backend NAME, --least-busy or --session ID (see: qrt "
                    "backends)");
    }
    if (!a.no_transpile) circuit = transpile(circuit, ctx.service->backend(backend_name));

    RunOptions options;
    options.tags = a.tags;
    options.session_id = a.session;
    std::string id;
    if (observables.empty()) {
        Sampler sampler(ctx.service, backend_name, options);
        id = sampler.run({SamplerPub{circuit, {}, a.shots}}).job_id();
    } else {
        // Observables are written for the circuit's own qubits: Estimator::run maps them
        // through the transpiled circuit's final layout.
        Estimator estimator(ctx.service, backend_name, options);
        id = estimator.run({EstimatorPub{circuit, observables, {}, a.precision}}).job_id();
    }

    if (!a.wait) {
        if (ctx.json) {
            ctx.out << pretty_json(json::object{{"job_id", id}, {"backend", backend_name}}) << "\n";
        } else {
            ctx.out << id << "\n";
        }
        return kExitOk;
    }
    if (!ctx.json) ctx.err << "job " << id << " on " << backend_name << "\n";
    return wait_and_print(ctx, id, a.observables);
}

}  // namespace qrt::cli
