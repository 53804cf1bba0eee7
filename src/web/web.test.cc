// WebUi over the real runtime (SQLite store in a temporary directory, the emulated 5-qubit
// device and the ideal simulator), without sockets: login, the pages, the live-status JSON, XSS
// escaping of user strings, CSRF and cross-site checks on cancel, per-user visibility, and the
// runtime views the pages read (list_sessions, fair_share).
#include "web/web.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "base/log.h"
#include "web/html.h"

namespace qrt::web {
namespace {

// ISA on both test backends (x, sx and measure are in every gate family).
constexpr std::string_view kCircuit =
    R"(OPENQASM 3.0; include \"stdgates.inc\"; bit[2] c; x $0; sx $1; c[0] = measure $0; c[1] = measure $1;)";
constexpr std::string_view kHost = "127.0.0.1:8000";
constexpr std::string_view kXss = "<script>alert('x')</script>";

std::string header(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
        if (k == name) return v;
    }
    return "";
}

class WebTest : public ::testing::Test {
protected:
    void SetUp() override {
        previous_level_ = log_level();
        set_log_level(LogLevel::kWarn);
        dir_ = std::filesystem::temp_directory_path() /
               ("qrt-web-test-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
        runtime::Config config;
        config.data_dir = dir_.string();
        config.calibrations = false;
        config.devices.clear();
        for (const backends::DeviceSpec& spec : backends::default_device_specs()) {
            if (spec.name == "emu_small5" || spec.name == "sim_ideal") {
                config.devices.push_back(spec);
            }
        }
        auto rt = runtime::Runtime::open(config, clock_);
        ASSERT_TRUE(rt.ok()) << rt.status().message();
        runtime_ = std::move(rt).value();
        ASSERT_TRUE(runtime_->start().ok());
        admin_key_ = runtime_->first_start_admin_key().value();
        auto admin = runtime_->authenticate_api_key(admin_key_, "");
        ASSERT_TRUE(admin.ok());
        admin_ = *admin;
        web_ = std::make_unique<WebUi>(*runtime_, clock_);
    }

    void TearDown() override {
        web_.reset();
        if (runtime_) runtime_->stop();
        runtime_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
        set_log_level(previous_level_);
    }

    Response get(std::string_view target, const std::string& cookie) {
        Request r;
        r.method = "GET";
        r.target = target;
        r.cookie = cookie;
        r.host = kHost;
        return web_->handle(r);
    }

    Response post(std::string_view target, const std::string& cookie, const std::string& body,
                  std::string_view origin = "http://127.0.0.1:8000",
                  std::string_view fetch_site = "same-origin") {
        Request r;
        r.method = "POST";
        r.target = target;
        r.cookie = cookie;
        r.body = body;
        r.content_type = "application/x-www-form-urlencoded";
        r.host = kHost;
        r.origin = origin;
        r.sec_fetch_site = fetch_site;
        return web_->handle(r);
    }

    // Logs in with `key`; returns the Cookie header value to send.
    std::string login(const std::string& key) {
        Response r = post("/ui/login", "", "apikey=" + url_encode(key) + "&next=%2Fui%2Fjobs");
        EXPECT_EQ(r.status, 303) << r.body;
        const std::string set = header(r, "Set-Cookie");
        EXPECT_NE(set.find("HttpOnly"), std::string::npos);
        EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
        return set.substr(0, set.find(';'));
    }

    // The CSRF token in a page's forms.
    static std::string csrf_of(const std::string& html) {
        const std::string marker = "name=\"csrf\" value=\"";
        const std::size_t at = html.find(marker);
        if (at == std::string::npos) return "";
        const std::size_t start = at + marker.size();
        return html.substr(start, html.find('"', start) - start);
    }

    std::string submit(const runtime::Caller& who, std::string_view backend,
                       std::vector<std::string> tags = {}) {
        runtime::SubmitRequest req;
        req.program_id = "sampler";
        req.backend = std::string(backend);
        req.params_json = fmt::format(R"({{"pubs":[["{}",null,64]],"version":2}})", kCircuit);
        req.tags = std::move(tags);
        auto v = runtime_->submit_job(who, req);
        EXPECT_TRUE(v.ok()) << v.status().message();
        return v.ok() ? v->record.id : "";
    }

    SystemClock clock_;
    std::filesystem::path dir_;
    std::unique_ptr<runtime::Runtime> runtime_;
    std::unique_ptr<WebUi> web_;
    std::string admin_key_;
    runtime::Caller admin_;
    LogLevel previous_level_ = LogLevel::kInfo;
};

TEST_F(WebTest, pages_need_a_login_and_carry_the_security_headers) {
    Response r = get("/ui/jobs?status=Queued", "");
    EXPECT_EQ(r.status, 303);
    EXPECT_EQ(header(r, "Location"), "/ui/login?next=%2Fui%2Fjobs%3Fstatus%3DQueued");
    const std::string csp = header(r, "Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe"), std::string::npos);
    EXPECT_EQ(csp.find("http"), std::string::npos);  // no external source
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(get("/", "").status, 303);
    EXPECT_EQ(get("/ui/login", "").status, 200);
    EXPECT_EQ(get("/ui/api/jobs?ids=x", "").status, 401);
    EXPECT_EQ(get("/ui/static/qrt.css", "").status, 200);
    EXPECT_EQ(get("/ui/static/qrt.js", "").content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(get("/ui/jobs", "qrt_session=forged.cookie").status, 303);
}

TEST_F(WebTest, a_wrong_key_does_not_log_in) {
    Response r = post("/ui/login", "", "apikey=nope");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(header(r, "Set-Cookie"), "");
    EXPECT_NE(r.body.find("not valid"), std::string::npos);
}

TEST_F(WebTest, login_redirects_only_to_our_own_pages) {
    Response r =
        post("/ui/login", "",
             "apikey=" + url_encode(admin_key_) + "&next=" + url_encode("https://evil.example/"));
    EXPECT_EQ(header(r, "Location"), "/ui/jobs");
    r = post("/ui/login", "",
             "apikey=" + url_encode(admin_key_) + "&next=" + url_encode("/ui//evil.example"));
    EXPECT_EQ(header(r, "Location"), "/ui/jobs");
    r = post("/ui/login", "",
             "apikey=" + url_encode(admin_key_) + "&next=" + url_encode("/ui/backends"));
    EXPECT_EQ(header(r, "Location"), "/ui/backends");
}

TEST_F(WebTest, a_login_from_another_site_is_refused) {
    Response r = post("/ui/login", "", "apikey=" + url_encode(admin_key_), "http://evil.example",
                      "cross-site");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(header(r, "Set-Cookie"), "");
}

TEST_F(WebTest, jobs_page_lists_jobs_with_escaped_tags_and_the_job_page_draws_the_result) {
    const std::string cookie = login(admin_key_);
    const std::string id = submit(admin_, "sim_ideal", {std::string(kXss)});
    ASSERT_FALSE(id.empty());
    auto status = runtime_->wait_job(id, std::chrono::seconds(60));
    ASSERT_TRUE(status.ok());
    ASSERT_EQ(*status, "Completed");

    Response list = get("/ui/jobs", cookie);
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_NE(list.body.find(id), std::string::npos);
    EXPECT_EQ(list.body.find(kXss), std::string::npos);
    EXPECT_NE(list.body.find(escape_html(kXss)), std::string::npos);
    EXPECT_NE(list.body.find("st-Completed"), std::string::npos);

    Response filtered = get("/ui/jobs?status=Queued", cookie);
    EXPECT_EQ(filtered.body.find("data-job=\"" + id), std::string::npos);
    Response by_tag = get("/ui/jobs?tag=" + url_encode(kXss), cookie);
    EXPECT_NE(by_tag.body.find("data-job=\"" + id), std::string::npos);
    EXPECT_EQ(get("/ui/jobs?from=bad", cookie).status, 400);

    Response page = get("/ui/jobs/" + id, cookie);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find("<svg"), std::string::npos);
    EXPECT_NE(page.body.find("chart histogram"), std::string::npos);
    EXPECT_NE(page.body.find("id=\"pubs\""), std::string::npos);
    EXPECT_EQ(page.body.find(kXss), std::string::npos);

    Response json = get("/ui/api/jobs?ids=" + id + ",job_unknown", cookie);
    ASSERT_EQ(json.status, 200);
    EXPECT_NE(json.body.find("\"status\":\"Completed\""), std::string::npos);
    EXPECT_EQ(json.body.find("job_unknown"), std::string::npos);
}

TEST_F(WebTest, cancel_needs_the_csrf_token_and_a_same_origin_request) {
    ASSERT_TRUE(runtime_->pause_backend(admin_, "emu_small5").ok());
    const std::string cookie = login(admin_key_);
    const std::string id = submit(admin_, "emu_small5");
    Response list = get("/ui/jobs", cookie);
    ASSERT_EQ(list.status, 200);
    EXPECT_NE(list.body.find("Why not running"), std::string::npos);
    const std::string csrf = csrf_of(list.body);
    ASSERT_FALSE(csrf.empty());
    const std::string target = "/ui/jobs/" + id + "/cancel";

    EXPECT_EQ(post(target, cookie, "next=%2Fui%2Fjobs").status, 403);   // no token
    EXPECT_EQ(post(target, cookie, "csrf=" + csrf + "x").status, 403);  // wrong token
    EXPECT_EQ(post(target, cookie, "csrf=" + csrf, "http://evil.example", "").status, 403);
    EXPECT_EQ(post(target, cookie, "csrf=" + csrf, "", "cross-site").status, 403);
    EXPECT_EQ(post(target, "", "csrf=" + csrf).status, 303);  // no cookie: to the login page
    ASSERT_FALSE(id.empty());
    EXPECT_EQ(runtime_->get_job(admin_, id, false)->record.status, "Queued");

    Response ok = post(target, cookie, "csrf=" + url_encode(csrf) + "&next=%2Fui%2Fjobs");
    EXPECT_EQ(ok.status, 303) << ok.body;
    EXPECT_EQ(header(ok, "Location"), "/ui/jobs");
    EXPECT_EQ(runtime_->get_job(admin_, id, false)->record.status, "Cancelled");
    EXPECT_EQ(post(target, cookie, "csrf=" + url_encode(csrf)).status, 409);  // already final
}

TEST_F(WebTest, logout_ends_the_cookie) {
    const std::string cookie = login(admin_key_);
    const std::string csrf = csrf_of(get("/ui/jobs", cookie).body);
    Response out = post("/ui/logout", cookie, "csrf=" + url_encode(csrf));
    EXPECT_EQ(out.status, 303);
    EXPECT_NE(header(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
    EXPECT_EQ(get("/ui/jobs", cookie).status, 303);
}

TEST_F(WebTest, a_user_sees_only_their_instances) {
    store::InstanceRecord other;
    other.name = "other";
    auto in = runtime_->put_instance(admin_, other);
    ASSERT_TRUE(in.ok()) << in.status().message();
    auto bob = runtime_->create_user(admin_, "bob", false, {in->crn});
    ASSERT_TRUE(bob.ok()) << bob.status().message();
    auto key = runtime_->create_api_key(admin_, bob->id, "web");
    ASSERT_TRUE(key.ok());
    const std::string admin_job = submit(admin_, "sim_ideal");
    auto admin_session =
        runtime_->create_session(admin_, "sim_ideal", sched::SessionMode::kBatch, std::nullopt);
    ASSERT_TRUE(admin_session.ok());

    const std::string cookie = login(key->secret);
    Response jobs = get("/ui/jobs", cookie);
    ASSERT_EQ(jobs.status, 200);
    EXPECT_EQ(jobs.body.find(admin_job), std::string::npos);
    EXPECT_NE(jobs.body.find("<span id=\"user\">bob</span>"), std::string::npos);
    EXPECT_EQ(get("/ui/jobs/" + admin_job, cookie).status, 404);
    EXPECT_EQ(get("/ui/api/jobs?ids=" + admin_job, cookie).body, "{\"jobs\":[]}");
    Response workloads = get("/ui/workloads", cookie);
    EXPECT_EQ(workloads.body.find(admin_session->record.id), std::string::npos);
    EXPECT_EQ(get("/ui/workloads/" + admin_session->record.id, cookie).status, 404);
    EXPECT_EQ(get("/ui/jobs?instance=" + url_encode(admin_.instance), cookie).status, 403);

    auto mine = runtime_->authenticate_api_key(key->secret, "");
    ASSERT_TRUE(mine.ok());
    auto sessions = runtime_->list_sessions(*mine, {});
    ASSERT_TRUE(sessions.ok());
    EXPECT_TRUE(sessions->empty());
    store::SessionFilter theirs;
    theirs.instances = {admin_.instance};
    EXPECT_EQ(runtime_->list_sessions(*mine, theirs).status().code(), ErrorCode::kPermissionDenied);
    auto shares = runtime_->fair_share(*mine);
    ASSERT_TRUE(shares.ok());
    ASSERT_EQ(shares->size(), 1u);  // only bob's instance, ranked among both
    EXPECT_EQ((*shares)[0].usage.instance, in->crn);
    EXPECT_EQ((*shares)[0].of, 2);
}

TEST_F(WebTest, workloads_page_shows_sessions_with_a_timeline) {
    const std::string cookie = login(admin_key_);
    auto session = runtime_->create_session(admin_, "emu_small5", sched::SessionMode::kDedicated,
                                            std::nullopt);
    ASSERT_TRUE(session.ok());
    auto listed = runtime_->list_sessions(admin_, {});
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].record.id, session->record.id);

    Response page = get("/ui/workloads", cookie);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find(session->record.id), std::string::npos);
    EXPECT_NE(page.body.find("chart timeline"), std::string::npos);
    Response one = get("/ui/workloads/" + session->record.id, cookie);
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_NE(one.body.find("chart usage"), std::string::npos);
    EXPECT_NE(one.body.find("chart timeline"), std::string::npos);
}

TEST_F(WebTest, list_sessions_filters_by_backend_state_and_limit) {
    auto a =
        runtime_->create_session(admin_, "emu_small5", sched::SessionMode::kBatch, std::nullopt);
    auto b =
        runtime_->create_session(admin_, "sim_ideal", sched::SessionMode::kBatch, std::nullopt);
    auto c =
        runtime_->create_session(admin_, "sim_ideal", sched::SessionMode::kDedicated, std::nullopt);
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    ASSERT_TRUE(runtime_->cancel_session(admin_, b->record.id).ok());
    auto ids = [&](store::SessionFilter f) {
        std::vector<std::string> out;
        auto got = runtime_->list_sessions(admin_, std::move(f));
        EXPECT_TRUE(got.ok()) << got.status().message();
        if (got.ok()) {
            for (const auto& v : *got) out.push_back(v.record.id);
        }
        return out;
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(ids({}), (V{c->record.id, b->record.id, a->record.id}));  // newest first
    store::SessionFilter by_backend;
    by_backend.backend = "sim_ideal";
    EXPECT_EQ(ids(by_backend), (V{c->record.id, b->record.id}));
    store::SessionFilter open;
    open.open = true;
    EXPECT_EQ(ids(open), (V{c->record.id, a->record.id}));
    store::SessionFilter closed;
    closed.open = false;
    EXPECT_EQ(ids(closed), (V{b->record.id}));
    store::SessionFilter one;
    one.limit = 1;
    EXPECT_EQ(ids(one), (V{c->record.id}));
    store::SessionFilter mine;
    mine.instances = {admin_.instance};
    EXPECT_EQ(ids(mine).size(), 3u);
}

TEST_F(WebTest, backends_page_shows_status_device_maps_and_fair_share) {
    const std::string cookie = login(admin_key_);
    ASSERT_TRUE(runtime_->pause_backend(admin_, "emu_small5").ok());
    Response page = get("/ui/backends", cookie);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find("paused"), std::string::npos);
    EXPECT_NE(page.body.find("chart devicemap"), std::string::npos);
    EXPECT_NE(page.body.find("id=\"fairshare\""), std::string::npos);
    EXPECT_NE(page.body.find("1 of 1"), std::string::npos);
    Response one = get("/ui/backends/emu_small5", cookie);
    ASSERT_EQ(one.status, 200);
    EXPECT_NE(one.body.find("chart devicemap"), std::string::npos);
    EXPECT_NE(one.body.find("readout error"), std::string::npos);
    EXPECT_EQ(get("/ui/backends/nope", cookie).status, 404);
    EXPECT_EQ(get("/ui/nothing", cookie).status, 404);
}

TEST(WebPaths, the_api_keeps_its_paths) {
    EXPECT_FALSE(is_web_path("/api/v1/jobs"));
    EXPECT_FALSE(is_web_path("/identity/token"));
    EXPECT_FALSE(is_web_path("/health"));
    EXPECT_FALSE(is_web_path("/metrics"));
    EXPECT_TRUE(is_web_path("/"));
    EXPECT_TRUE(is_web_path("/ui/jobs"));
    EXPECT_TRUE(is_web_path("/favicon.ico"));
    EXPECT_FALSE(is_web_path("http://evil/api/v1/jobs"));
    EXPECT_FALSE(is_web_path("*"));
}

}  // namespace
}  // namespace qrt::web
