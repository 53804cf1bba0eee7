// `qrt sessions create|show|close|cancel`.
#include <qrt/qrt.h>

#include <boost/json.hpp>
#include <ostream>

#include "cli/exit_codes.h"
#include "cli/table.h"
#include "cli/user_format.h"
#include "cli/user_verbs.h"

namespace qrt::cli {

namespace json = boost::json;

void UserCommands::add_sessions(CLI::App& app) {
    auto* sessions = app.add_subcommand("sessions", "Create, inspect, close and cancel sessions");
    sessions->require_subcommand(1);
    SessionsArgs& a = sessions_args_;

    sessions_create_ = sessions->add_subcommand(
        "create", "Open a session (or with --batch a batch) on a backend; prints its id");
    sessions_create_->add_option("--backend", a.backend, "backend of the session")->required();
    sessions_create_->add_flag("--batch", a.batch, "a batch instead of a dedicated session");
    sessions_create_->add_option("--max-time", a.max_time,
                                 "the session's maximum lifetime, e.g. 25m, 2h 30m (default: the "
                                 "server's; rule S8)");
    sessions_show_ = sessions->add_subcommand("show", "Show a session's state, timeouts and usage");
    sessions_close_ = sessions->add_subcommand(
        "close", "Close a session: no new jobs; the queued ones still run (rule S9)");
    sessions_cancel_ = sessions->add_subcommand(
        "cancel", "Cancel a session: queued jobs are cancelled, the running one finishes (S10)");
    for (CLI::App* verb : {sessions_show_, sessions_close_, sessions_cancel_}) {
        verb->add_option("id", a.id, "session id")->required();
    }
    for (CLI::App* verb : {sessions_create_, sessions_show_, sessions_close_, sessions_cancel_}) {
        verbs_.push_back(verb);
    }
}

int UserCommands::run_sessions(Context& ctx) const {
    const SessionsArgs& a = sessions_args_;
    auto print = [&](const SessionDetails& d) {
        ctx.out << (ctx.json ? pretty_json(session_json(d)) + "\n" : session_text(d));
    };
    if (sessions_create_->parsed()) {
        std::optional<double> max_time;
        if (!a.max_time.empty()) max_time = parse_duration(a.max_time);
        auto open = [&]() -> Session {
            if (a.batch) return Batch(ctx.service, a.backend, max_time);  // a Batch is a Session
            return Session(ctx.service, a.backend, max_time);
        };
        // The session outlives this command (close it with `qrt sessions close ID`).
        Session session = open();
        session.detach();
        if (ctx.json) {
            print(session.details());
        } else {
            ctx.out << session.session_id() << "\n";
        }
        return kExitOk;
    }
    Session session = Session::from_id(ctx.service, a.id);  // borrowed: never closed by leaving
    if (sessions_show_->parsed()) {
        print(session.details());
    } else if (sessions_close_->parsed()) {
        session.close();
        if (ctx.json) {
            print(session.details());
        } else {
            ctx.out << "closed " << a.id << " (queued jobs still run)\n";
        }
    } else if (sessions_cancel_->parsed()) {
        session.cancel();
        if (ctx.json) {
            print(session.details());
        } else {
            ctx.out << "cancelled " << a.id << "\n";
        }
    }
    return kExitOk;
}

}  // namespace qrt::cli
