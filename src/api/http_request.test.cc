#include "api/http_request.h"

#include <gtest/gtest.h>

namespace qrt::api {
namespace {

TEST(RouteTable, matches_every_route_the_client_uses) {
    struct Case {
        std::string_view path;
        std::string_view param;
        Method method;
        Route route;
    };
    const Case cases[] = {
        {"/health", "", Method::kGet, Route::kHealth},
        {"/identity/token", "", Method::kPost, Route::kToken},
        {"/api/v1/backends", "", Method::kGet, Route::kBackends},
        {"/api/v1/backends/emu_small5/configuration", "emu_small5", Method::kGet,
         Route::kBackendConfiguration},
        {"/api/v1/backends/b/properties", "b", Method::kGet, Route::kBackendProperties},
        {"/api/v1/backends/b/status", "b", Method::kGet, Route::kBackendStatus},
        {"/api/v1/backends/b/defaults", "b", Method::kGet, Route::kBackendDefaults},
        {"/api/v1/instances/usage", "", Method::kGet, Route::kInstancesUsage},
        {"/api/v1/jobs", "", Method::kGet, Route::kJobs},
        {"/api/v1/jobs", "", Method::kPost, Route::kJobs},
        {"/api/v1/jobs/job_1", "job_1", Method::kGet, Route::kJob},
        {"/api/v1/jobs/job_1", "job_1", Method::kDelete, Route::kJob},
        {"/api/v1/jobs/j/results", "j", Method::kGet, Route::kJobResults},
        {"/api/v1/jobs/j/cancel", "j", Method::kPost, Route::kJobCancel},
        {"/api/v1/jobs/j/logs", "j", Method::kGet, Route::kJobLogs},
        {"/api/v1/jobs/j/metrics", "j", Method::kGet, Route::kJobMetrics},
        {"/api/v1/jobs/j/tags", "j", Method::kPut, Route::kJobTags},
        {"/api/v1/sessions", "", Method::kPost, Route::kSessions},
        {"/api/v1/sessions/s", "s", Method::kGet, Route::kSession},
        {"/api/v1/sessions/s", "s", Method::kPatch, Route::kSession},
        {"/api/v1/sessions/s/close", "s", Method::kDelete, Route::kSessionClose},
        {"/api/v1/admin/users", "", Method::kPost, Route::kAdminUsers},
        {"/api/v1/admin/users", "", Method::kGet, Route::kAdminUsers},
        {"/api/v1/admin/users/u/keys", "u", Method::kPost, Route::kAdminUserKeys},
        {"/api/v1/admin/keys/k", "k", Method::kDelete, Route::kAdminKey},
        {"/api/v1/admin/instances", "", Method::kGet, Route::kAdminInstances},
        {"/api/v1/admin/instances", "", Method::kPut, Route::kAdminInstances},
        {"/api/v1/admin/backends/b/pause", "b", Method::kPost, Route::kAdminBackendPause},
        {"/api/v1/admin/backends/b/resume", "b", Method::kPost, Route::kAdminBackendResume},
        {"/api/v1/admin/reservations", "", Method::kPost, Route::kAdminReservations},
    };
    for (const Case& c : cases) {
        const RouteMatch m = match_route(c.method, c.path);
        EXPECT_EQ(m.kind, RouteMatch::Kind::kFound) << c.path;
        EXPECT_EQ(m.route, c.route) << c.path;
        EXPECT_EQ(m.param, c.param) << c.path;
    }
}

TEST(RouteTable, metrics_route_and_templates_name_every_parameter) {
    const RouteMatch m = match_route(Method::kGet, "/metrics");
    EXPECT_EQ(m.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(m.route, Route::kMetrics);
    EXPECT_EQ(route_template(Route::kJob), "/api/v1/jobs/{id}");
    EXPECT_EQ(route_template(Route::kBackendStatus), "/api/v1/backends/{name}/status");
    // A template with its parameter filled in matches its own route.
    for (Route r : {Route::kHealth, Route::kJob, Route::kJobResults, Route::kSessionClose,
                    Route::kAdminBackendPause, Route::kMetrics}) {
        std::string path(route_template(r));
        for (std::string_view p : {"{id}", "{name}"}) {
            if (auto at = path.find(p); at != std::string::npos) path.replace(at, p.size(), "x1");
        }
        const RouteMatch found = match_route(
            r == Route::kSessionClose ? Method::kDelete
            : r == Route::kAdminBackendPause ? Method::kPost
                                             : Method::kGet,
            path);
        EXPECT_EQ(found.route, r) << path;
    }
}

TEST(RouteTable, unknown_paths_are_not_found) {
    for (std::string_view path :
         {"/", "", "/api", "/api/v1", "/api/v1/", "/api/v1/jobs/", "/api/v1//jobs",
          "/api/v1/jobs//results", "/api/v1/jobs/a/b/c", "/api/v2/jobs", "/API/v1/jobs",
          "/api/v1/jobs/x/result", "/healthz", "/health/"}) {
        EXPECT_EQ(match_route(Method::kGet, path).kind, RouteMatch::Kind::kNotFound) << path;
    }
}

TEST(RouteTable, wrong_method_lists_the_allowed_ones) {
    RouteMatch m = match_route(Method::kPut, "/api/v1/jobs/abc");
    EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
    EXPECT_EQ(m.allow, "GET, DELETE");
    m = match_route(Method::kGet, "/api/v1/jobs/abc/tags");
    EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
    EXPECT_EQ(m.allow, "PUT");
    m = match_route(Method::kOther, "/api/v1/jobs");
    EXPECT_EQ(m.allow, "GET, POST");
}

TEST(Methods, only_upper_case_names_are_known) {
    EXPECT_EQ(parse_method("GET"), Method::kGet);
    EXPECT_EQ(parse_method("PATCH"), Method::kPatch);
    EXPECT_EQ(parse_method("get"), Method::kOther);
    EXPECT_EQ(parse_method("HEAD"), Method::kOther);
}

TEST(Target, splits_path_and_query) {
    Result<Target> t = split_target("/api/v1/jobs?limit=5&x");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->path, "/api/v1/jobs");
    EXPECT_EQ(t->query, "limit=5&x");
    t = split_target("/health");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->query, "");
}

TEST(Target, refuses_non_origin_forms) {
    for (std::string_view bad : {"", "*", "http://x/api/v1/jobs", "api/v1", "/a#frag"}) {
        EXPECT_FALSE(split_target(bad).ok()) << bad;
    }
}

TEST(PercentDecode, decodes_escapes_and_plus) {
    EXPECT_EQ(percent_decode("a%20b+c%2B", true).value(), "a b c+");
    EXPECT_EQ(percent_decode("a+b", false).value(), "a+b");
    EXPECT_EQ(percent_decode("%e2%82%ac", true).value(), "\xe2\x82\xac");
}

TEST(PercentDecode, refuses_bad_escapes_naming_the_position) {
    Result<std::string> r = percent_decode("abc%4", true);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("position 3"), std::string::npos) << r.status().message();
    EXPECT_FALSE(percent_decode("%", true).ok());
    EXPECT_FALSE(percent_decode("%zz", true).ok());
    EXPECT_FALSE(percent_decode("a%00b", true).ok());
}

TEST(Query, keeps_repeated_names_in_order) {
    Result<QueryParams> q = parse_query("tags=a&limit=5&tags=b%20c&&flag&empty=");
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(q->get("limit").value(), "5");
    ASSERT_EQ(q->get_all("tags").size(), 2U);
    EXPECT_EQ(q->get_all("tags")[1], "b c");
    EXPECT_EQ(q->get("flag").value(), "");
    EXPECT_EQ(q->get("empty").value(), "");
    EXPECT_FALSE(q->has("missing"));
}

TEST(Query, limits_the_number_of_pairs) {
    std::string query;
    for (std::size_t i = 0; i <= kMaxQueryParams; ++i) query += "a=1&";
    EXPECT_FALSE(parse_query(query).ok());
}

TEST(Query, parses_the_token_form_body) {
    Result<QueryParams> q = parse_query(
        "grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey&apikey=k-1&response_type="
        "cloud_iam");
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(q->get("grant_type").value(), "urn:ibm:params:oauth:grant-type:apikey");
    EXPECT_EQ(q->get("apikey").value(), "k-1");
}

TEST(SafeId, accepts_ids_and_names) {
    for (std::string_view ok : {"job_019a8f3c2b1000005f1c09ab33d2e871", "emu_small5", "a", "_x",
                                "ses-1.2", "0123456789"}) {
        EXPECT_TRUE(is_safe_id(ok)) << ok;
    }
    EXPECT_TRUE(is_safe_id(std::string(kMaxIdLength, 'a')));
}

TEST(SafeId, refuses_traversal_and_odd_characters) {
    for (std::string_view bad :
         {"", ".", "..", ".hidden", "-x", "a/b", "a%2e", "a b", "a\nb", "a\"b", "a?b", "ü"}) {
        EXPECT_FALSE(is_safe_id(bad)) << bad;
    }
    EXPECT_FALSE(is_safe_id(std::string(kMaxIdLength + 1, 'a')));
}

Timestamp at(int y, unsigned mo, unsigned d, int h, int mi, int s, std::int64_t us = 0) {
    namespace c = std::chrono;
    return c::time_point_cast<Duration>(c::sys_days{c::year{y} / c::month{mo} / c::day{d}}) +
           c::hours(h) + c::minutes(mi) + c::seconds(s) + Duration(us);
}

TEST(Iso8601, reads_the_forms_clients_send) {
    struct Case {
        std::string_view text;
        Timestamp want;
    };
    const Case cases[] = {
        {"2026-01-02T03:04:05Z", at(2026, 1, 2, 3, 4, 5)},
        {"2026-01-02T03:04:05.123456Z", at(2026, 1, 2, 3, 4, 5, 123456)},
        {"2026-01-02T03:04:05.5+00:00", at(2026, 1, 2, 3, 4, 5, 500000)},
        {"2026-01-02T03:04:05.1234567Z", at(2026, 1, 2, 3, 4, 5, 123456)},
        {"2026-01-02T03:04:05+01:30", at(2026, 1, 2, 1, 34, 5)},
        {"2026-01-02T03:04:05-0500", at(2026, 1, 2, 8, 4, 5)},
        {"2026-01-02 03:04:05", at(2026, 1, 2, 3, 4, 5)},
        {"2026-01-02T03:04", at(2026, 1, 2, 3, 4, 0)},
        {"2026-01-02", at(2026, 1, 2, 0, 0, 0)},
        {"2024-02-29T00:00:00z", at(2024, 2, 29, 0, 0, 0)},
    };
    for (const Case& c : cases) {
        Result<Timestamp> t = parse_iso8601(c.text);
        ASSERT_TRUE(t.ok()) << c.text << ": " << t.status().message();
        EXPECT_EQ(*t, c.want) << c.text;
    }
}

TEST(Iso8601, round_trips_what_the_server_writes) {
    const Timestamp t = at(2026, 8, 21, 12, 0, 1, 42);
    EXPECT_EQ(parse_iso8601(format_iso8601(t)).value(), t);
}

TEST(Iso8601, refuses_malformed_text_naming_the_position) {
    for (std::string_view bad :
         {"", "2026", "2026-1-02", "2026-13-01", "2026-02-30", "2026-01-02T", "2026-01-02T24:00",
          "2026-01-02T03:60", "2026-01-02T03:04:61", "2026-01-02T03:04:05.Z",
          "2026-01-02T03:04:05Zjunk", "2026-01-02T03:04:05+5", "2026-01-02X03:04", "yesterday",
          "2026-01-02T03:04:05 +00:00"}) {
        Result<Timestamp> t = parse_iso8601(bad);
        EXPECT_FALSE(t.ok()) << bad;
    }
    Result<Timestamp> t = parse_iso8601("2026-01-0x");
    EXPECT_NE(t.status().message().find("position 8"), std::string::npos) << t.status().message();
}

TEST(Params, bools_and_numbers) {
    EXPECT_TRUE(parse_bool_param("p", "true").value());
    EXPECT_TRUE(parse_bool_param("p", "TRUE").value());
    EXPECT_FALSE(parse_bool_param("p", "0").value());
    EXPECT_FALSE(parse_bool_param("p", "yes").ok());
    EXPECT_EQ(parse_uint_param("limit", "25", 100).value(), 25U);
    EXPECT_FALSE(parse_uint_param("limit", "101", 100).ok());
    EXPECT_FALSE(parse_uint_param("limit", "-1", 100).ok());
    EXPECT_FALSE(parse_uint_param("limit", "", 100).ok());
    EXPECT_FALSE(parse_uint_param("limit", "1e3", 10000).ok());
    EXPECT_FALSE(parse_uint_param("limit", "99999999999999999999999", UINT64_MAX).ok());
}

}  // namespace
}  // namespace qrt::api
