// `qrt admin`: the operator's verbs, sent to a running server over its admin REST routes
// (/api/v1/admin/..., docs/operations.md "Admin verbs"):
//
//     qrt admin users list
//     qrt admin users create NAME [--admin] [--instance NAME|CRN ...]
//     qrt admin keys create USER [--label L]           USER: a user id (usr_...) or name
//     qrt admin keys revoke KEY_ID
//     qrt admin instances list
//     qrt admin instances set NAME|CRN [--plan open|paid] [--share X] [--hard-limit 2h|none]
//                                      [--interactive-ttl 60s|none]
//     qrt admin backends pause|resume NAME
//     qrt admin reservations add BACKEND INSTANCE START END
//
// Every verb takes --url (else $QRT_URL, else http://127.0.0.1:8000), --token (else $QRT_TOKEN,
// else $QRT_API_KEY as the Python package reads it, else the admin key in the data directory:
// --data-dir, $QRT_DATA_DIR, $HOME/.local/share/qrt),
// --json (print the server's JSON instead of a table) and --timeout. Exit codes: exit_codes.h.
//
// Thread-safety: an AdminCommand belongs to the thread that parses and runs it.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cli/config.h"
#include "cli/credentials.h"

namespace qrt::cli {

// The CRN qrt makes from an instance name (as the server does for PUT /admin/instances).
std::string instance_crn(const std::string& name);

class AdminCommand {
public:
    // Adds `admin` and its verbs to `app`.
    explicit AdminCommand(CLI::App& app);
    AdminCommand(const AdminCommand&) = delete;
    AdminCommand& operator=(const AdminCommand&) = delete;

    // Whether the command line chose `admin`.
    bool parsed() const;
    // Runs the chosen verb: results to `out`, errors to `err` (one line, "qrt admin: ...").
    // Returns the exit code.
    int run(std::ostream& out, std::ostream& err, const EnvLookup& env) const;

private:
    struct Common {
        ConnectionFlags connection;
        bool json = false;
        double timeout_s = 30;
    };
    void add_common(CLI::App* verb);

    CLI::App* admin_ = nullptr;
    CLI::App* users_list_ = nullptr;
    CLI::App* users_create_ = nullptr;
    CLI::App* keys_create_ = nullptr;
    CLI::App* keys_revoke_ = nullptr;
    CLI::App* instances_list_ = nullptr;
    CLI::App* instances_set_ = nullptr;
    CLI::App* backends_pause_ = nullptr;
    CLI::App* backends_resume_ = nullptr;
    CLI::App* reservations_add_ = nullptr;

    Common common_;
    std::string name_;  // user, instance or backend name; key id; user for keys create
    bool admin_flag_ = false;
    std::vector<std::string> instances_;
    std::string label_;
    std::optional<std::string> plan_;
    std::optional<double> share_;
    std::optional<std::string> hard_limit_;
    std::optional<std::string> interactive_ttl_;
    std::string instance_, start_, end_;
};

}  // namespace qrt::cli
