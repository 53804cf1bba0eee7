#include "cli/user_verbs.h"

#include <qrt/qrt.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <ostream>

#include "cli/admin.h"
#include "cli/credentials.h"
#include "cli/exit_codes.h"
#include "cli/status_line.h"
#include "cli/table.h"
#include "cli/user_format.h"

namespace qrt::cli {

namespace json = boost::json;

Terminal process_terminal() {
    Terminal t;
    t.err_is_tty = isatty(STDERR_FILENO) == 1;
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read once at startup, before any thread
    if (const char* cols = std::getenv("COLUMNS"); cols != nullptr && std::atoi(cols) > 0) {
        t.columns = static_cast<std::size_t>(std::atoi(cols));
    } else if (winsize ws{};
               t.err_is_tty && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        t.columns = ws.ws_col;
    }
    return t;
}

UserCommands::UserCommands(CLI::App& app) {
    backends_ = app.add_subcommand(
        "backends", "List the backends: qubits, status (online or paused), pending jobs");
    verbs_.push_back(backends_);
    add_run(app);
    add_jobs(app);
    add_sessions(app);
    for (CLI::App* verb : verbs_) add_common(verb);
}

void UserCommands::add_common(CLI::App* verb) {
    add_connection_flags(verb, common_.connection);
    verb->add_option("--instance", common_.instance,
                     "instance name or CRN to work in (default: the user's first)");
    verb->add_flag("--json", common_.json, "print JSON instead of a table");
}

bool UserCommands::parsed() const {
    for (const CLI::App* verb : verbs_) {
        if (verb->parsed()) return true;
    }
    return false;
}

namespace {

// "qrt jobs show": the words that chose the verb, for error lines.
std::string verb_path(const CLI::App* verb) {
    std::vector<std::string> words;
    for (const CLI::App* a = verb; a != nullptr && a->get_parent() != nullptr;
         a = a->get_parent()) {
        words.push_back(a->get_name());
    }
    std::string path = "qrt";
    for (auto w = words.rbegin(); w != words.rend(); ++w) {
        path += ' ';
        path += *w;
    }
    return path;
}

// A Status from resolving the connection, carried to the one place that prints errors.
struct Failure {
    Status status;
};

}  // namespace

int UserCommands::run(std::ostream& out, std::ostream& err, const EnvLookup& env,
                      const Terminal& terminal) const {
    const CLI::App* chosen = nullptr;
    for (const CLI::App* verb : verbs_) {
        if (verb->parsed()) chosen = verb;
    }
    if (chosen == nullptr) {
        err << "qrt: choose a verb (qrt --help)\n";
        return kExitUsage;
    }
    const std::string who = verb_path(chosen);
    try {
        ServiceOptions options;
        options.url = resolve_url(common_.connection.url, env);
        auto token = resolve_token(common_.connection.token, common_.connection.data_dir, env);
        if (!token.ok()) throw Failure{token.status()};
        options.token = *token;
        options.instance = common_.instance;
        // A name is the instance whose CRN qrt made from it (as `qrt admin instances set NAME`).
        if (!options.instance.empty() && options.instance.rfind("crn:", 0) != 0) {
            options.instance = instance_crn(options.instance);
        }
        Context ctx{Service::connect(options), out, err, terminal, common_.json};

        if (backends_->parsed()) return run_backends(ctx);
        if (run_->parsed()) return run_circuit(ctx);
        if (chosen->get_parent() != nullptr && chosen->get_parent()->get_name() == "sessions") {
            return run_sessions(ctx);
        }
        return run_jobs(ctx);
    } catch (const Failure& f) {
        err << who << ": " << f.status.message() << "\n";
        return exit_code_for(f.status);
    } catch (const Error& e) {
        err << who << ": " << e.what() << "\n";
        return exit_code_for(e.kind());
    }
}

int UserCommands::run_backends(Context& ctx) const {
    auto backends = ctx.service->backends();
    if (ctx.json) {
        json::array list;
        for (const auto& b : backends) list.push_back(backend_json(b));
        ctx.out << pretty_json(json::object{{"backends", list}}) << "\n";
    } else {
        ctx.out << backends_table(backends);
    }
    return kExitOk;
}

int UserCommands::wait_and_print(Context& ctx, const std::string& id,
                                 const std::vector<std::string>& labels) const {
    std::optional<double> timeout;
    if (!timeout_.empty()) timeout = parse_duration(timeout_);
    Job job = ctx.service->job(id);
    JobInfo info;
    {
        LiveStatus live(ctx.err, ctx.terminal.err_is_tty, ctx.terminal.columns);
        info = wait_with_status(real_wait_hooks(job), &live, timeout);
    }
    if (info.status != JobStatus::kCompleted) {
        if (ctx.json) ctx.out << pretty_json(job_json(info)) << "\n";
        throw Error(
            info.status == JobStatus::kFailed ? ErrorKind::kJobFailed : ErrorKind::kJobCancelled,
            "job " + id + " ended " + std::string(to_string(info.status)) +
                (info.reason.empty() ? "" : ": " + info.reason));
    }
    PrimitiveResult result = job.result();
    if (ctx.json) {
        json::object body{{"job_id", id}, {"status", to_string(info.status)}};
        json::value fields = result_json(result, info.program_id);
        for (const auto& [key, value] : fields.as_object()) body[key] = value;
        ctx.out << pretty_json(body) << "\n";
    } else {
        ctx.out << result_text(result, info.program_id, labels);
    }
    return kExitOk;
}

}  // namespace qrt::cli
