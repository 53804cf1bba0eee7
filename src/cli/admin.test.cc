#include "cli/admin.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "base/time.h"
#include "cli/exit_codes.h"
#include "client/stub_http_server.h"

namespace qrt::cli {
namespace {

namespace json = boost::json;
using client::testing::StubHttpServer;
using client::testing::StubRequest;
using client::testing::StubResponse;

const std::string kLab = instance_crn("lab");

struct Ran {
    int rc = -1;
    std::string out, err;
};

Ran run_admin(std::vector<std::string> args, const std::map<std::string, std::string>& vars = {}) {
    CLI::App app{"qrt"};
    app.require_subcommand(1);
    AdminCommand admin(app);
    args.insert(args.begin(), "qrt");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    Ran ran;
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
        ran.rc = kExitUsage;
        ran.err = e.what();
        return ran;
    }
    EXPECT_TRUE(admin.parsed());
    EnvLookup env = [vars](const char* name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
    std::ostringstream out, err;
    ran.rc = admin.run(out, err, env);
    ran.out = out.str();
    ran.err = err.str();
    return ran;
}

// A fake server with one user, two instances, and the admin routes' answers.
StubResponse fake_admin(const StubRequest& r) {
    const std::string users =
        R"({"users":[{"id":"usr_1","name":"admin","admin":true,)"
        R"("created":"2026-01-01T00:00:00.123456Z","instances":["crn:a::"]},)"
        R"({"id":"usr_2","name":"alice","admin":false,"created":"2026-01-02T00:00:00Z",)"
        R"("instances":[]}]})";
    const std::string instances =
        R"({"instances":[{"crn":"crn:a::","name":"local","plan":"paid","share":1,)"
        R"("hard_limit_s":null,"interactive_ttl_s":null,"created":"2026-01-01T00:00:00Z"},)"
        R"({"crn":")" +
        kLab +
        R"(","name":"lab","plan":"open","share":1,"hard_limit_s":null,)"
        R"("interactive_ttl_s":30}]})";
    if (r.headers.count("authorization") == 0 || r.headers.at("authorization") != "apikey secret") {
        return {401, R"({"errors":[{"code":"unauthenticated","message":"bad API key"}]})"};
    }
    if (r.method == "GET" && r.target == "/api/v1/admin/users") return {200, users};
    if (r.method == "GET" && r.target == "/api/v1/admin/instances") return {200, instances};
    if (r.method == "POST" && r.target == "/api/v1/admin/users") {
        json::value req = json::parse(r.body);
        json::object res = req.as_object();
        res["id"] = "usr_3";
        res["created"] = "2026-01-03T00:00:00Z";
        return {201, json::serialize(res)};
    }
    if (r.method == "POST" && r.target == "/api/v1/admin/users/usr_2/keys") {
        return {201, R"({"id":"key_9","user_id":"usr_2","label":"ci","created":"x",)"
                     R"("api_key":"SECRET-ONCE"})"};
    }
    if (r.method == "DELETE" && r.target == "/api/v1/admin/keys/key_9") return {204, ""};
    if (r.method == "PUT" && r.target == "/api/v1/admin/instances") return {200, r.body};
    if (r.method == "POST" && (r.target == "/api/v1/admin/backends/emu_small5/pause" ||
                               r.target == "/api/v1/admin/backends/emu_small5/resume")) {
        return {204, ""};
    }
    if (r.method == "POST" && r.target == "/api/v1/admin/reservations") return {201, r.body};
    return {404, R"({"errors":[{"code":"not_found","message":"no such thing"}]})"};
}

std::vector<std::string> with_server(const StubHttpServer& s, std::vector<std::string> args) {
    args.insert(args.end(), {"--url", s.url(), "--token", "secret"});
    return args;
}

TEST(Admin, users_list_prints_a_table) {
    StubHttpServer server(fake_admin);
    Ran ran = run_admin(with_server(server, {"admin", "users", "list"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    EXPECT_NE(ran.out.find("ID     NAME   ADMIN  CREATED               INSTANCES"),
              std::string::npos)
        << ran.out;
    EXPECT_NE(ran.out.find("usr_1  admin  yes    2026-01-01T00:00:00Z  crn:a::"), std::string::npos)
        << ran.out;
    EXPECT_NE(ran.out.find("usr_2  alice  no"), std::string::npos) << ran.out;
    auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "GET");
    EXPECT_EQ(seen[0].headers["authorization"], "apikey secret");
}

TEST(Admin, json_prints_the_servers_answer) {
    StubHttpServer server(fake_admin);
    Ran ran = run_admin(with_server(server, {"admin", "users", "list", "--json"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    json::value v = json::parse(ran.out);
    EXPECT_EQ(v.at("users").as_array().size(), 2u);
}

TEST(Admin, users_create_resolves_instance_names_to_crns) {
    StubHttpServer server(fake_admin);
    Ran ran = run_admin(with_server(server, {"admin", "users", "create", "bob", "--admin",
                                             "--instance", "lab", "--instance", "crn:other::"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    auto seen = server.requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].target, "/api/v1/admin/instances");
    EXPECT_EQ(seen[1].method, "POST");
    json::value body = json::parse(seen[1].body);
    EXPECT_EQ(body.at("name"), "bob");
    EXPECT_EQ(body.at("admin"), true);
    EXPECT_EQ(json::serialize(body.at("instances")), "[\"" + kLab + "\",\"crn:other::\"]");
    EXPECT_NE(ran.out.find("usr_3  bob"), std::string::npos) << ran.out;
    EXPECT_NE(ran.out.find("qrt admin keys create usr_3"), std::string::npos) << ran.out;
}

TEST(Admin, users_create_with_an_unknown_instance_is_not_found_and_creates_nothing) {
    StubHttpServer server(fake_admin);
    Ran ran =
        run_admin(with_server(server, {"admin", "users", "create", "bob", "--instance", "nope"}));
    EXPECT_EQ(ran.rc, kExitNotFound);
    EXPECT_NE(ran.err.find("no instance named \"nope\""), std::string::npos) << ran.err;
    for (const auto& r : server.requests()) EXPECT_NE(r.method, "POST");
}

TEST(Admin, keys_create_by_user_name_prints_the_secret_once) {
    StubHttpServer server(fake_admin);
    Ran ran = run_admin(with_server(server, {"admin", "keys", "create", "alice", "--label", "ci"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    EXPECT_NE(ran.out.find("api key: SECRET-ONCE"), std::string::npos) << ran.out;
    EXPECT_NE(ran.out.find("key id:  key_9"), std::string::npos) << ran.out;
    auto seen = server.requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[1].target, "/api/v1/admin/users/usr_2/keys");
    EXPECT_EQ(seen[1].body, R"({"label":"ci"})");

    // By id: no lookup.
    StubHttpServer again(fake_admin);
    ran = run_admin(with_server(again, {"admin", "keys", "create", "usr_2", "--json"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    EXPECT_EQ(json::parse(ran.out).at("api_key"), "SECRET-ONCE");
    EXPECT_EQ(again.requests().size(), 1u);
}

TEST(Admin, keys_create_for_an_unknown_user_is_not_found) {
    StubHttpServer server(fake_admin);
    Ran ran = run_admin(with_server(server, {"admin", "keys", "create", "mallory"}));
    EXPECT_EQ(ran.rc, kExitNotFound);
    EXPECT_NE(ran.err.find("no user named \"mallory\""), std::string::npos) << ran.err;
}

TEST(Admin, keys_revoke_sends_delete) {
    StubHttpServer server(fake_admin);
    Ran ran = run_admin(with_server(server, {"admin", "keys", "revoke", "key_9"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    EXPECT_EQ(ran.out, "revoked key key_9\n");
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(server.requests()[0].method, "DELETE");
}

TEST(Admin, instances_set_sends_only_the_fields_given) {
    StubHttpServer server(fake_admin);
    Ran ran = run_admin(with_server(
        server, {"admin", "instances", "set", "lab", "--share", "2.5", "--hard-limit", "2h"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    auto seen = server.requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[1].method, "PUT");
    json::value body = json::parse(seen[1].body);
    // Only what was given (the server keeps the rest), and the instance's own CRN.
    EXPECT_EQ(body, json::parse(R"({"crn":")" + kLab +
                                R"(","name":"lab","share":2.5,"hard_limit_s":7200})"));
    EXPECT_NE(ran.out.find("2.5    2h"), std::string::npos) << ran.out;
}

TEST(Admin, instances_set_creates_a_new_instance_and_none_clears_a_limit) {
    StubHttpServer server(fake_admin);
    Ran ran = run_admin(with_server(server, {"admin", "instances", "set", "team", "--plan", "paid",
                                             "--interactive-ttl", "none"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    json::value body = json::parse(server.requests().back().body);
    EXPECT_EQ(json::serialize(body), R"({"name":"team","plan":"paid","interactive_ttl_s":null})");
}

TEST(Admin, instances_set_rejects_bad_values_before_sending) {
    StubHttpServer server(fake_admin);
    Ran ran =
        run_admin(with_server(server, {"admin", "instances", "set", "lab", "--hard-limit", "5x"}));
    EXPECT_EQ(ran.rc, kExitUsage);
    EXPECT_NE(ran.err.find("--hard-limit: unknown unit 'x'"), std::string::npos) << ran.err;
    for (const auto& r : server.requests()) EXPECT_NE(r.method, "PUT");

    ran = run_admin(with_server(server, {"admin", "instances", "set", "lab", "--plan", "gold"}));
    EXPECT_EQ(ran.rc, kExitUsage);
    ran = run_admin(with_server(server, {"admin", "instances", "set", "lab", "--share", "-1"}));
    EXPECT_EQ(ran.rc, kExitUsage);
}

TEST(Admin, instances_list_prints_durations) {
    StubHttpServer server(fake_admin);
    Ran ran = run_admin(with_server(server, {"admin", "instances", "list"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    EXPECT_NE(ran.out.find("NAME   PLAN  SHARE  HARD LIMIT  INTERACTIVE TTL  CRN"),
              std::string::npos)
        << ran.out;
    EXPECT_NE(ran.out.find("lab    open  1      -           30s              " + kLab),
              std::string::npos)
        << ran.out;
}

TEST(Admin, backends_pause_and_resume) {
    StubHttpServer server(fake_admin);
    Ran ran = run_admin(with_server(server, {"admin", "backends", "pause", "emu_small5"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    EXPECT_EQ(ran.out, "paused emu_small5\n");
    ran = run_admin(with_server(server, {"admin", "backends", "resume", "emu_small5"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    EXPECT_EQ(ran.out, "resumed emu_small5\n");
    auto seen = server.requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].target, "/api/v1/admin/backends/emu_small5/pause");
    EXPECT_EQ(seen[1].target, "/api/v1/admin/backends/emu_small5/resume");
}

TEST(Admin, reservations_add_with_absolute_and_relative_times) {
    StubHttpServer server(fake_admin);
    Ran ran = run_admin(with_server(server, {"admin", "reservations", "add", "emu_small5", "lab",
                                             "2026-05-01T09:00:00Z", "2026-05-01T11:00:00Z"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    json::value body = json::parse(server.requests().back().body);
    EXPECT_EQ(json::serialize(body),
              R"({"backend":"emu_small5","instance":")" + kLab +
                  R"(","start":"2026-05-01T09:00:00Z","end":"2026-05-01T11:00:00Z"})");

    ran = run_admin(
        with_server(server, {"admin", "reservations", "add", "emu_small5", "lab", "+1h", "+30m"}));
    ASSERT_EQ(ran.rc, 0) << ran.err;
    body = json::parse(server.requests().back().body);
    std::string start(body.at("start").as_string()), end(body.at("end").as_string());
    EXPECT_LT(start, end);
    EXPECT_GT(start, format_iso8601(SystemClock().now()));

    ran = run_admin(with_server(server, {"admin", "reservations", "add", "emu_small5", "lab",
                                         "2026-05-01T09:00:00Z", "+2h"}));
    EXPECT_EQ(ran.rc, kExitUsage);
    EXPECT_NE(ran.err.find("relative, but START is not"), std::string::npos) << ran.err;
}

TEST(Admin, server_errors_map_to_exit_codes) {
    struct Case {
        int status;
        int rc;
    };
    for (Case c : {Case{400, kExitUsage}, Case{401, kExitDenied}, Case{403, kExitDenied},
                   Case{404, kExitNotFound}, Case{409, kExitUsage}, Case{500, kExitError},
                   Case{503, kExitError}}) {
        StubHttpServer server([&](const StubRequest&) {
            return StubResponse{c.status, R"({"errors":[{"message":"the server said no"}]})"};
        });
        Ran ran = run_admin(with_server(server, {"admin", "backends", "pause", "x"}));
        EXPECT_EQ(ran.rc, c.rc) << c.status;
        EXPECT_EQ(ran.err, "qrt admin: the server said no\n") << c.status;
    }
}

TEST(Admin, an_unreachable_server_exits_1) {
    Ran ran = run_admin({"admin", "users", "list", "--url", "http://127.0.0.1:1", "--token", "t",
                         "--timeout", "2"});
    EXPECT_EQ(ran.rc, kExitError);
    EXPECT_NE(ran.err.find("cannot connect to http://127.0.0.1:1"), std::string::npos) << ran.err;
}

TEST(Admin, credentials_from_the_environment_and_the_admin_key_file) {
    StubHttpServer server(fake_admin);
    // QRT_URL (with the client's /api/v1 suffix) and QRT_TOKEN.
    Ran ran = run_admin({"admin", "users", "list"},
                        {{"QRT_URL", server.url() + "/api/v1"}, {"QRT_TOKEN", "secret"}});
    EXPECT_EQ(ran.rc, 0) << ran.err;
    ran = run_admin({"admin", "users", "list", "--url", server.url()}, {{"QRT_API_KEY", "secret"}});
    EXPECT_EQ(ran.rc, 0) << ran.err;

    // No token anywhere: the admin key in the data directory.
    auto dir =
        std::filesystem::temp_directory_path() /
        ("qrt_admin_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + std::to_string(server.port()));
    std::filesystem::create_directories(dir);
    { std::ofstream(dir / "admin.key") << "secret\n"; }
    ran = run_admin({"admin", "users", "list"},
                    {{"QRT_URL", server.url()}, {"QRT_DATA_DIR", dir.string()}});
    EXPECT_EQ(ran.rc, 0) << ran.err;
    ran = run_admin({"admin", "users", "list", "--url", server.url(), "--data-dir", dir.string()});
    EXPECT_EQ(ran.rc, 0) << ran.err;

    // A wrong key: the server's 401 is exit 4.
    ran = run_admin({"admin", "users", "list", "--url", server.url(), "--token", "wrong"});
    EXPECT_EQ(ran.rc, kExitDenied);
    EXPECT_NE(ran.err.find("bad API key"), std::string::npos) << ran.err;

    // No key file: exit 4 without asking the server.
    std::filesystem::remove(dir / "admin.key");
    std::size_t before = server.requests().size();
    ran = run_admin({"admin", "users", "list", "--url", server.url()},
                    {{"QRT_DATA_DIR", dir.string()}});
    EXPECT_EQ(ran.rc, kExitDenied);
    EXPECT_NE(ran.err.find("no credentials"), std::string::npos) << ran.err;
    EXPECT_EQ(server.requests().size(), before);
    std::filesystem::remove_all(dir);
}

TEST(Admin, a_bad_url_is_a_usage_error) {
    Ran ran = run_admin({"admin", "users", "list", "--url", "https://example.com", "--token", "t"});
    EXPECT_EQ(ran.rc, kExitUsage);
    EXPECT_NE(ran.err.find("https is not supported"), std::string::npos) << ran.err;
}

TEST(Admin, a_verb_is_required) {
    EXPECT_EQ(run_admin({"admin"}).rc, kExitUsage);
    EXPECT_EQ(run_admin({"admin", "users"}).rc, kExitUsage);
    EXPECT_EQ(run_admin({"admin", "keys", "create"}).rc, kExitUsage);
}

}  // namespace
}  // namespace qrt::cli
