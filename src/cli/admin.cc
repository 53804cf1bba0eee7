#include "cli/admin.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <ostream>
#include <sstream>

#include "base/duration.h"
#include "base/time.h"
#include "cli/credentials.h"
#include "cli/exit_codes.h"
#include "cli/table.h"
#include "client/http.h"

namespace qrt::cli {

namespace json = boost::json;

namespace {

constexpr const char* kAdmin = "/api/v1/admin";

// ---- output

std::string str(const json::value& o, std::string_view key) {
    if (!o.is_object()) return {};
    const json::value* v = o.as_object().if_contains(key);
    if (v == nullptr || v->is_null()) return {};
    if (v->is_string()) return std::string(v->as_string());
    return json::serialize(*v);
}

bool flag(const json::value& o, std::string_view key) {
    const json::value* v = o.is_object() ? o.as_object().if_contains(key) : nullptr;
    return v != nullptr && v->is_bool() && v->as_bool();
}

std::optional<double> num(const json::value& o, std::string_view key) {
    const json::value* v = o.is_object() ? o.as_object().if_contains(key) : nullptr;
    if (v == nullptr || !v->is_number()) return std::nullopt;
    return v->to_number<double>();
}

std::string seconds_text(std::optional<double> s) {
    if (!s) return "-";
    if (*s < 0 || !std::isfinite(*s)) return fmt::format("{}", *s);
    return format_duration(seconds_d(*s));
}

std::string join(const json::value& o, std::string_view key) {
    const json::value* v = o.is_object() ? o.as_object().if_contains(key) : nullptr;
    if (v == nullptr || !v->is_array()) return {};
    std::string out;
    for (const auto& x : v->as_array()) {
        if (!out.empty()) out += ",";
        out += x.is_string() ? std::string(x.as_string()) : json::serialize(x);
    }
    return out;
}

const json::array& array_of(const json::value& body, std::string_view key) {
    static const json::array kEmpty;
    if (body.is_array()) return body.as_array();
    const json::value* v = body.is_object() ? body.as_object().if_contains(key) : nullptr;
    return v != nullptr && v->is_array() ? v->as_array() : kEmpty;
}

std::vector<std::string> user_row(const json::value& u) {
    return {str(u, "id"), str(u, "name"), flag(u, "admin") ? "yes" : "no",
            short_time(str(u, "created")), join(u, "instances")};
}

std::vector<std::string> instance_row(const json::value& i) {
    auto share = num(i, "share");
    return {str(i, "name"),
            str(i, "plan"),
            share ? fmt::format("{}", *share) : "-",
            seconds_text(num(i, "hard_limit_s")),
            seconds_text(num(i, "interactive_ttl_s")),
            str(i, "crn")};
}

const std::vector<std::string> kUserHead = {"ID", "NAME", "ADMIN", "CREATED", "INSTANCES"};
const std::vector<std::string> kInstanceHead = {
    "NAME", "PLAN", "SHARE", "HARD LIMIT", "INTERACTIVE TTL", "CRN"};

// ---- the connection

struct Failure {
    Status status;
};

bool looks_like_jwt(const std::string& token) {
    return token.rfind("eyJ", 0) == 0 && std::count(token.begin(), token.end(), '.') == 2;
}

}  // namespace

std::string instance_crn(const std::string& name) {
    return "crn:v1:bluemix:public:quantum-computing:us-east:a/local:" + name + "::";
}

AdminCommand::AdminCommand(CLI::App& app) {
    admin_ = app.add_subcommand(
        "admin", "Administer a running server: users, API keys, instances, backends, reservations");
    admin_->require_subcommand(1);

    auto* users = admin_->add_subcommand("users", "List and create users");
    users->require_subcommand(1);
    users_list_ = users->add_subcommand("list", "List the users");
    users_create_ = users->add_subcommand("create", "Create a user (then give them a key)");
    users_create_->add_option("name", name_, "user name (unique)")->required();
    users_create_->add_flag("--admin", admin_flag_, "the user may use the admin verbs");
    users_create_->add_option("--instance", instances_,
                              "an instance the user may use (name or CRN; repeatable; default: "
                              "the server's default instance)");

    auto* keys = admin_->add_subcommand("keys", "Create and revoke API keys");
    keys->require_subcommand(1);
    keys_create_ = keys->add_subcommand(
        "create", "Create an API key for a user; the secret is printed once, never again");
    keys_create_->add_option("user", name_, "user id (usr_...) or user name")->required();
    keys_create_->add_option("--label", label_, "a label to recognise the key by");
    keys_revoke_ = keys->add_subcommand("revoke", "Revoke an API key (it stops working at once)");
    keys_revoke_->add_option("key_id", name_, "key id (key_...)")->required();

    auto* instances = admin_->add_subcommand("instances", "List and configure instances");
    instances->require_subcommand(1);
    instances_list_ = instances->add_subcommand("list", "List the instances");
    instances_set_ = instances->add_subcommand(
        "set", "Create an instance or change its plan, share and limits (fields not given stay)");
    instances_set_->add_option("name", name_, "instance name or CRN")->required();
    instances_set_->add_option("--plan", plan_, "open or paid (sessions need paid)")
        ->check(CLI::IsMember({"open", "paid"}));
    instances_set_->add_option("--share", share_, "fair-share weight, > 0 (rule F1)")
        ->check(CLI::PositiveNumber);
    instances_set_->add_option("--hard-limit", hard_limit_,
                               "usage limit in the fair-share window, e.g. 2h; none: no limit "
                               "(rule F5)");
    instances_set_->add_option("--interactive-ttl", interactive_ttl_,
                               "session interactive timeout for this instance, e.g. 60s; none: the "
                               "server's (rule S5)");

    auto* backends = admin_->add_subcommand("backends", "Pause and resume backends");
    backends->require_subcommand(1);
    backends_pause_ = backends->add_subcommand(
        "pause", "Stop starting jobs on a backend (the running one finishes; rule K2)");
    backends_pause_->add_option("name", name_, "backend name")->required();
    backends_resume_ = backends->add_subcommand("resume", "Start jobs on a paused backend again");
    backends_resume_->add_option("name", name_, "backend name")->required();

    auto* reservations = admin_->add_subcommand("reservations", "Reserve backends for instances");
    reservations->require_subcommand(1);
    reservations_add_ = reservations->add_subcommand(
        "add", "Reserve a backend for an instance between two times (rule R1)");
    reservations_add_->add_option("backend", name_, "backend name")->required();
    reservations_add_->add_option("instance", instance_, "instance name or CRN")->required();
    reservations_add_
        ->add_option("start", start_,
                     "start: ISO-8601 (2026-05-01T09:00:00Z), now, or +DURATION "
                     "from now (+1h)")
        ->required();
    reservations_add_->add_option("end", end_, "end: ISO-8601, or +DURATION from the start (+2h)")
        ->required();

    for (CLI::App* verb : {users_list_, users_create_, keys_create_, keys_revoke_, instances_list_,
                           instances_set_, backends_pause_, backends_resume_, reservations_add_}) {
        add_common(verb);
    }
}

void AdminCommand::add_common(CLI::App* verb) {
    add_connection_flags(verb, common_.connection);
    verb->add_flag("--json", common_.json, "print the server's JSON answer");
    verb->add_option("--timeout", common_.timeout_s, "seconds to wait for the server")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
}

bool AdminCommand::parsed() const { return admin_->parsed(); }

namespace {

class Admin {
public:
    Admin(client::HttpClient http, bool as_json, std::ostream& out)
        : http_(std::move(http)), json_(as_json), out_(out) {}

    // Sends a request; a non-2xx answer or a transport failure throws Failure.
    json::value call(std::string_view method, const std::string& target,
                     const std::optional<json::value>& body = std::nullopt) {
        std::string text = body ? json::serialize(*body) : std::string();
        auto res = http_.request(method, target, text, body ? "application/json" : "");
        if (!res.ok()) throw Failure{res.status()};
        auto parsed = client::json_body(*res);
        if (!parsed.ok()) throw Failure{parsed.status()};
        return std::move(*parsed);
    }

    void print_json(const json::value& v) { out_ << pretty_json(v) << "\n"; }
    bool json_output() const { return json_; }
    std::ostream& out() { return out_; }

    // A user id from an id or a name.
    std::string user_id(const std::string& user) {
        if (user.rfind("usr_", 0) == 0) return user;
        json::value body = call("GET", std::string(kAdmin) + "/users");
        for (const auto& u : array_of(body, "users")) {
            if (str(u, "name") == user) return str(u, "id");
        }
        throw Failure{
            not_found(fmt::format("no user named \"{}\" (see: qrt admin users list)", user))};
    }

    // The instances as the server lists them.
    json::array instances() {
        json::value body = call("GET", std::string(kAdmin) + "/instances");
        return array_of(body, "instances");
    }

    // A CRN from a CRN or an instance name.
    std::string instance_crn_of(const std::string& instance) {
        if (instance.rfind("crn:", 0) == 0) return instance;
        for (const auto& i : instances()) {
            if (str(i, "name") == instance) return str(i, "crn");
        }
        throw Failure{not_found(
            fmt::format("no instance named \"{}\" (create it first: qrt admin instances set {})",
                        instance, instance))};
    }

private:
    client::HttpClient http_;
    bool json_;
    std::ostream& out_;
};

// Whole numbers as JSON integers ("hard_limit_s":7200, not 7.2E3): easier to read in logs.
json::value number(double x) {
    if (std::trunc(x) == x && std::fabs(x) < 9e15) return static_cast<std::int64_t>(x);
    return x;
}

// "none" -> null; a duration ("2h", "90") -> seconds.
json::value duration_or_none(const std::string& option, const std::string& text) {
    if (text == "none") return nullptr;
    auto d = parse_duration(text);
    if (!d.ok()) {
        throw Failure{invalid_argument(fmt::format("{}: {}", option, d.status().message()))};
    }
    if (*d <= Duration::zero()) {
        throw Failure{invalid_argument(fmt::format("{}: must be more than 0 seconds", option))};
    }
    return number(to_seconds(*d));
}

// "+DURATION" -> the duration; nullopt for anything else (an ISO-8601 time, checked by the
// server).
std::optional<Duration> relative_time(const std::string& option, const std::string& text) {
    if (text.empty() || text.front() != '+') return std::nullopt;
    auto d = parse_duration(text.substr(1));
    if (!d.ok()) {
        throw Failure{invalid_argument(fmt::format("{}: {}", option, d.status().message()))};
    }
    return *d;
}

}  // namespace

int AdminCommand::run(std::ostream& out, std::ostream& err, const EnvLookup& env) const {
    try {
        // Where and who.
        auto parsed_url = client::parse_url(resolve_url(common_.connection.url, env));
        if (!parsed_url.ok()) throw Failure{parsed_url.status()};
        // A URL copied from the client's settings may end in /api/v1: the routes add it.
        client::Url base = *parsed_url;
        if (base.base_path.size() >= 7 &&
            base.base_path.compare(base.base_path.size() - 7, 7, "/api/v1") == 0) {
            base.base_path.resize(base.base_path.size() - 7);
        }
        auto resolved_token =
            resolve_token(common_.connection.token, common_.connection.data_dir, env);
        if (!resolved_token.ok()) throw Failure{resolved_token.status()};
        const std::string& token = *resolved_token;

        client::HttpOptions options;
        options.request_timeout = seconds_d(common_.timeout_s);
        options.connect_timeout =
            std::min(options.request_timeout, Duration(std::chrono::seconds(10)));
        options.user_agent = "qrt-admin";
        client::HttpClient http(base, options);
        http.set_default_header("Authorization",
                                (looks_like_jwt(token) ? "Bearer " : "apikey ") + token);
        Admin admin(std::move(http), common_.json, out);
        const std::string root = kAdmin;

        if (users_list_->parsed()) {
            json::value body = admin.call("GET", root + "/users");
            if (admin.json_output()) {
                admin.print_json(body);
            } else {
                std::vector<std::vector<std::string>> rows;
                for (const auto& u : array_of(body, "users")) rows.push_back(user_row(u));
                out << text_table(kUserHead, rows);
            }
        } else if (users_create_->parsed()) {
            json::array crns;
            for (const auto& i : instances_) crns.emplace_back(admin.instance_crn_of(i));
            json::value req = {{"name", name_}, {"admin", admin_flag_}, {"instances", crns}};
            json::value body = admin.call("POST", root + "/users", req);
            if (admin.json_output()) {
                admin.print_json(body);
            } else {
                out << text_table(kUserHead, {user_row(body)});
                out << fmt::format("Next: qrt admin keys create {}\n", str(body, "id"));
            }
        } else if (keys_create_->parsed()) {
            std::string id = admin.user_id(name_);
            json::value req = {{"label", label_}};
            json::value body =
                admin.call("POST", root + "/users/" + client::url_encode(id) + "/keys", req);
            if (admin.json_output()) {
                admin.print_json(body);
            } else {
                out << fmt::format("key id:  {}\nuser id: {}\nlabel:   {}\napi key: {}\n",
                                   str(body, "id"), str(body, "user_id"), str(body, "label"),
                                   str(body, "api_key"));
                out << "The API key is shown only this once: store it now.\n";
            }
        } else if (keys_revoke_->parsed()) {
            admin.call("DELETE", root + "/keys/" + client::url_encode(name_));
            if (admin.json_output()) {
                admin.print_json({{"id", name_}, {"revoked", true}});
            } else {
                out << fmt::format("revoked key {}\n", name_);
            }
        } else if (instances_list_->parsed()) {
            json::array list = admin.instances();
            if (admin.json_output()) {
                admin.print_json(json::value{{"instances", list}});
            } else {
                std::vector<std::vector<std::string>> rows;
                for (const auto& i : list) rows.push_back(instance_row(i));
                out << text_table(kInstanceHead, rows);
            }
        } else if (instances_set_->parsed()) {
            // The server keeps the fields left out (PUT merges). A name is looked up first, so
            // that an instance whose CRN is not the one made from its name is found too.
            json::object req;
            if (name_.rfind("crn:", 0) == 0) {
                req["crn"] = name_;
            } else {
                for (const auto& i : admin.instances()) {
                    if (str(i, "name") == name_) req["crn"] = str(i, "crn");
                }
                req["name"] = name_;
            }
            if (plan_) req["plan"] = *plan_;
            if (share_) req["share"] = number(*share_);
            if (hard_limit_) req["hard_limit_s"] = duration_or_none("--hard-limit", *hard_limit_);
            if (interactive_ttl_) {
                req["interactive_ttl_s"] = duration_or_none("--interactive-ttl", *interactive_ttl_);
            }
            json::value body = admin.call("PUT", root + "/instances", json::value(req));
            if (admin.json_output()) {
                admin.print_json(body);
            } else {
                out << text_table(kInstanceHead, {instance_row(body)});
            }
        } else if (backends_pause_->parsed() || backends_resume_->parsed()) {
            bool pause = backends_pause_->parsed();
            admin.call("POST", root + "/backends/" + client::url_encode(name_) +
                                   (pause ? "/pause" : "/resume"));
            if (admin.json_output()) {
                admin.print_json({{"backend", name_}, {"paused", pause}});
            } else {
                out << fmt::format("{} {}\n", pause ? "paused" : "resumed", name_);
            }
        } else if (reservations_add_->parsed()) {
            // START: ISO-8601, "now" or "+DURATION" from now; END: ISO-8601 or "+DURATION"
            // from START.
            std::optional<Timestamp> start_at;
            if (start_ == "now") {
                start_at = SystemClock().now();
            } else if (auto ahead = relative_time("START", start_)) {
                start_at = SystemClock().now() + *ahead;
            }
            std::string start = start_at ? format_iso8601(*start_at) : start_;
            std::string end = end_;
            if (auto length = relative_time("END", end_)) {
                if (!start_at) {
                    throw Failure{invalid_argument(
                        fmt::format("END: \"{}\" is relative, but START is not (give END as "
                                    "ISO-8601 too)",
                                    end_))};
                }
                end = format_iso8601(*start_at + *length);
            }
            std::string crn = admin.instance_crn_of(instance_);
            json::value req = {
                {"backend", name_}, {"instance", crn}, {"start", start}, {"end", end}};
            json::value body = admin.call("POST", root + "/reservations", req);
            if (admin.json_output()) {
                admin.print_json(body.is_null() ? req : body);
            } else {
                out << fmt::format("reserved {} for {} from {} to {}\n", name_, crn, start, end);
            }
        } else {
            err << "qrt admin: choose a verb (qrt admin --help)\n";
            return kExitUsage;
        }
        return kExitOk;
    } catch (const Failure& f) {
        err << "qrt admin: " << f.status.message() << "\n";
        return exit_code_for(f.status);
    }
}

}  // namespace qrt::cli
