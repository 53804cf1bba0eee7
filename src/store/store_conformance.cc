// The JobStore conformance suite (see store_conformance.h). Every test here runs against every
// implementation instantiated with INSTANTIATE_TEST_SUITE_P(..., StoreConformance, ...).
#include "store/store_conformance.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/rng.h"
#include "base/time.h"

namespace qrt::store::testing {
namespace {

constexpr Timestamp kT0 = VirtualClock::kDefaultStart;
Timestamp at(double seconds) { return kT0 + seconds_d(seconds); }

const std::string kCrnA = "crn:v1:bluemix:public:quantum-computing:us-east:a/local:a::";
const std::string kCrnB = "crn:v1:bluemix:public:quantum-computing:us-east:a/local:b::";
const std::string kCrnC = "crn:v1:bluemix:public:quantum-computing:us-east:a/local:c::";

JobRecord make_job(const std::string& id, double created_s, const std::string& instance = kCrnA) {
    JobRecord j;
    j.id = id;
    j.user_id = "usr_alice";
    j.instance = instance;
    j.backend = "emu_small5";
    j.program_id = "sampler";
    j.params_json = R"({"pubs":[["OPENQASM 3.0;"]],"version":2})";
    j.created = at(created_s);
    return j;
}

// A job with every field away from its default.
JobRecord full_job(const std::string& id) {
    JobRecord j = make_job(id, 12.5, kCrnB);
    j.user_id = "usr_bob";
    j.backend = "emu_falcon27";
    j.program_id = "estimator";
    j.params_json = R"({"pubs":[],"note":"quote ' and \" and \\ and ü"})";
    j.session_id = "ses_1";
    j.tags = {"zeta", "alpha", "with space", "ünïcode"};
    j.status = "Completed";
    j.reason = "done";
    j.reason_code = 1305;
    j.started = at(13.25);
    j.finished = at(20.000001);
    j.max_execution_time_s = 300.5;
    j.is_private = true;
    j.system = true;
    j.log_level = "DEBUG";
    j.usage_s = 6.75;
    j.estimated_running_time_s = 4.5;
    j.attempts = 2;
    j.result_json = std::string(100'000, 'r');  // large enough to spill out of a page
    j.logs = "line 1\nline 2";
    j.metrics_json = R"({"qiskit_version":"2.6.2"})";
    return j;
}

void expect_same_meta(const JobRecord& a, const JobRecord& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.user_id, b.user_id);
    EXPECT_EQ(a.instance, b.instance);
    EXPECT_EQ(a.backend, b.backend);
    EXPECT_EQ(a.program_id, b.program_id);
    EXPECT_EQ(a.session_id, b.session_id);
    EXPECT_EQ(a.tags, b.tags);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.reason, b.reason);
    EXPECT_EQ(a.reason_code, b.reason_code);
    EXPECT_EQ(a.created, b.created);
    EXPECT_EQ(a.started, b.started);
    EXPECT_EQ(a.finished, b.finished);
    EXPECT_EQ(a.max_execution_time_s, b.max_execution_time_s);
    EXPECT_EQ(a.is_private, b.is_private);
    EXPECT_EQ(a.system, b.system);
    EXPECT_EQ(a.log_level, b.log_level);
    EXPECT_EQ(a.usage_s, b.usage_s);
    EXPECT_EQ(a.estimated_running_time_s, b.estimated_running_time_s);
    EXPECT_EQ(a.attempts, b.attempts);
    EXPECT_EQ(a.metrics_json, b.metrics_json);
}

void expect_same_job(const JobRecord& a, const JobRecord& b) {
    expect_same_meta(a, b);
    EXPECT_EQ(a.params_json, b.params_json);
    EXPECT_EQ(a.result_json.size(), b.result_json.size());
    EXPECT_TRUE(a.result_json == b.result_json);  // no 100 kB diff on failure
    EXPECT_EQ(a.logs, b.logs);
}

std::vector<std::string> ids_of(const std::vector<JobRecord>& jobs) {
    std::vector<std::string> ids;
    for (const auto& j : jobs) ids.push_back(j.id);
    return ids;
}

UserRecord user(const std::string& id, const std::string& name, double created_s = 0) {
    UserRecord u;
    u.id = id;
    u.name = name;
    u.created = at(created_s);
    return u;
}

InstanceRecord instance(const std::string& crn, const std::string& name, double created_s = 0) {
    InstanceRecord in;
    in.crn = crn;
    in.name = name;
    in.created = at(created_s);
    return in;
}

ApiKeyRecord key(const std::string& id, const std::string& user_id, const std::string& secret,
                 double created_s = 0) {
    ApiKeyRecord k;
    k.id = id;
    k.user_id = user_id;
    k.hash = hash_api_key(secret);
    k.label = "label of " + id;
    k.created = at(created_s);
    return k;
}

}  // namespace

void StoreConformance::SetUp() {
    std::string pattern = (std::filesystem::temp_directory_path() / "qrt-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr) << "mkdtemp: " << std::strerror(errno);
    location = pattern;
    auto opened = GetParam().open(location);
    QRT_ASSERT_OK(opened);
    store = std::move(*opened);
}

void StoreConformance::TearDown() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(location, ec);
}

void StoreConformance::reopen() {
    store.reset();
    auto opened = GetParam().open(location);
    QRT_ASSERT_OK(opened);
    store = std::move(*opened);
}

// --- users and keys

TEST_P(StoreConformance, a_user_is_found_by_id_and_by_name) {
    UserRecord alice = user("usr_alice", "alice", 3);
    alice.admin = true;
    QRT_ASSERT_OK(store->put_user(alice));
    auto by_id = store->get_user("usr_alice");
    QRT_ASSERT_OK(by_id);
    EXPECT_EQ(by_id->name, "alice");
    EXPECT_TRUE(by_id->admin);
    EXPECT_EQ(by_id->created, at(3));
    auto by_name = store->find_user_by_name("alice");
    QRT_ASSERT_OK(by_name);
    EXPECT_EQ(by_name->id, "usr_alice");
    EXPECT_EQ(store->get_user("usr_nobody").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store->find_user_by_name("nobody").status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, put_user_updates_by_id_and_keeps_keys_and_memberships) {
    QRT_ASSERT_OK(store->put_user(user("usr_alice", "alice")));
    QRT_ASSERT_OK(store->put_instance(instance(kCrnA, "a")));
    QRT_ASSERT_OK(store->add_member(kCrnA, "usr_alice"));
    QRT_ASSERT_OK(store->put_api_key(key("key_1", "usr_alice", "secret-1")));

    UserRecord renamed = user("usr_alice", "alice2");
    renamed.admin = true;
    QRT_ASSERT_OK(store->put_user(renamed));
    EXPECT_EQ(store->get_user("usr_alice")->name, "alice2");
    EXPECT_TRUE(store->get_user("usr_alice")->admin);
    EXPECT_EQ(store->find_user_by_name("alice").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store->list_users().size(), 1u);
    // An update must not be a delete + insert that cascades to the user's keys and members.
    EXPECT_EQ(store->list_api_keys("usr_alice").size(), 1u);
    EXPECT_EQ(store->instances_of("usr_alice"), std::vector<std::string>{kCrnA});
}

TEST_P(StoreConformance, a_user_name_belongs_to_one_user) {
    QRT_ASSERT_OK(store->put_user(user("usr_alice", "alice")));
    Status s = store->put_user(user("usr_other", "alice"));
    EXPECT_EQ(s.code(), ErrorCode::kAlreadyExists) << s.to_string();
    EXPECT_NE(s.message().find("alice"), std::string::npos) << s.message();
    EXPECT_EQ(store->get_user("usr_other").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store->find_user_by_name("alice")->id, "usr_alice");
}

TEST_P(StoreConformance, empty_ids_are_refused) {
    EXPECT_EQ(store->put_user(user("", "x")).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(store->put_user(user("usr_x", "")).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(store->put_instance(instance("", "x")).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(store->insert_job(make_job("", 0)).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(store->put_session(SessionRecord{}).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(store->put_setting("", "v").code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(store->list_users().empty());
}

TEST_P(StoreConformance, users_are_listed_in_creation_order) {
    QRT_ASSERT_OK(store->put_user(user("usr_c", "carol", 3)));
    QRT_ASSERT_OK(store->put_user(user("usr_a", "alice", 1)));
    QRT_ASSERT_OK(store->put_user(user("usr_b", "bob", 2)));
    auto users = store->list_users();
    ASSERT_EQ(users.size(), 3u);
    EXPECT_EQ(users[0].name, "alice");
    EXPECT_EQ(users[1].name, "bob");
    EXPECT_EQ(users[2].name, "carol");
}

TEST_P(StoreConformance, an_api_key_is_found_by_the_hash_of_its_secret_until_revoked) {
    QRT_ASSERT_OK(store->put_user(user("usr_alice", "alice")));
    QRT_ASSERT_OK(store->put_api_key(key("key_1", "usr_alice", "secret-1", 1)));
    auto found = store->find_api_key(hash_api_key("secret-1"));
    QRT_ASSERT_OK(found);
    EXPECT_EQ(found->id, "key_1");
    EXPECT_EQ(found->user_id, "usr_alice");
    EXPECT_EQ(found->label, "label of key_1");
    EXPECT_EQ(found->created, at(1));
    EXPECT_FALSE(found->revoked);
    EXPECT_EQ(store->find_api_key(hash_api_key("secret-2")).status().code(),
              ErrorCode::kUnauthenticated);

    QRT_ASSERT_OK(store->revoke_api_key("key_1"));
    EXPECT_EQ(store->find_api_key(hash_api_key("secret-1")).status().code(),
              ErrorCode::kUnauthenticated);
    QRT_EXPECT_OK(store->revoke_api_key("key_1"));  // again: still revoked, not an error
    auto keys = store->list_api_keys("usr_alice");
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_TRUE(keys[0].revoked);
    EXPECT_EQ(store->revoke_api_key("key_nope").code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, api_keys_need_a_user_and_a_unique_secret) {
    QRT_ASSERT_OK(store->put_user(user("usr_alice", "alice")));
    QRT_ASSERT_OK(store->put_user(user("usr_bob", "bob", 1)));
    EXPECT_EQ(store->put_api_key(key("key_0", "usr_nobody", "s0")).code(), ErrorCode::kNotFound);
    QRT_ASSERT_OK(store->put_api_key(key("key_1", "usr_alice", "s1", 1)));
    QRT_ASSERT_OK(store->put_api_key(key("key_2", "usr_alice", "s2", 2)));
    QRT_ASSERT_OK(store->put_api_key(key("key_3", "usr_bob", "s3", 3)));
    EXPECT_EQ(store->put_api_key(key("key_4", "usr_bob", "s1")).code(), ErrorCode::kAlreadyExists);
    auto keys = store->list_api_keys("usr_alice");
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0].id, "key_1");
    EXPECT_EQ(keys[1].id, "key_2");
    EXPECT_EQ(keys[1].hash, hash_api_key("s2"));
    EXPECT_EQ(store->list_api_keys("usr_bob").size(), 1u);
    EXPECT_TRUE(store->list_api_keys("usr_nobody").empty());
}

// --- instances and members

TEST_P(StoreConformance, instances_round_trip_with_and_without_optional_limits) {
    InstanceRecord a = instance(kCrnA, "a", 1);
    a.plan = "open";
    a.share = 2.5;
    a.hard_limit_s = 3600;
    a.interactive_ttl_s = 30;
    QRT_ASSERT_OK(store->put_instance(a));
    QRT_ASSERT_OK(store->put_instance(instance(kCrnB, "b", 2)));
    auto got = store->get_instance(kCrnA);
    QRT_ASSERT_OK(got);
    EXPECT_EQ(got->name, "a");
    EXPECT_EQ(got->plan, "open");
    EXPECT_EQ(got->share, 2.5);
    EXPECT_EQ(got->hard_limit_s, 3600);
    EXPECT_EQ(got->interactive_ttl_s, 30);
    EXPECT_EQ(got->created, at(1));
    auto b = store->get_instance(kCrnB);
    QRT_ASSERT_OK(b);
    EXPECT_EQ(b->plan, "paid");
    EXPECT_EQ(b->hard_limit_s, std::nullopt);
    EXPECT_EQ(b->interactive_ttl_s, std::nullopt);
    EXPECT_EQ(store->get_instance(kCrnC).status().code(), ErrorCode::kNotFound);

    a.share = 0.5;
    a.hard_limit_s.reset();
    QRT_ASSERT_OK(store->put_instance(a));  // update by CRN
    auto list = store->list_instances();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].crn, kCrnA);
    EXPECT_EQ(list[0].share, 0.5);
    EXPECT_EQ(list[0].hard_limit_s, std::nullopt);
    EXPECT_EQ(list[1].crn, kCrnB);
}

TEST_P(StoreConformance, members_are_listed_in_the_order_granted_and_added_once) {
    QRT_ASSERT_OK(store->put_user(user("usr_alice", "alice")));
    for (const auto& crn : {kCrnA, kCrnB, kCrnC}) {
        QRT_ASSERT_OK(store->put_instance(instance(crn, crn.substr(crn.size() - 3))));
    }
    QRT_ASSERT_OK(store->add_member(kCrnC, "usr_alice"));
    QRT_ASSERT_OK(store->add_member(kCrnA, "usr_alice"));
    QRT_ASSERT_OK(store->add_member(kCrnC, "usr_alice"));            // again: no change
    QRT_ASSERT_OK(store->put_instance(instance(kCrnC, "renamed")));  // keeps its members
    EXPECT_EQ(store->instances_of("usr_alice"), (std::vector<std::string>{kCrnC, kCrnA}));
    EXPECT_TRUE(store->instances_of("usr_nobody").empty());
    EXPECT_EQ(store->add_member(kCrnB, "usr_nobody").code(), ErrorCode::kNotFound);
    EXPECT_EQ(store->add_member("crn:none", "usr_alice").code(), ErrorCode::kNotFound);
}

// --- jobs

TEST_P(StoreConformance, a_job_round_trips_every_field) {
    JobRecord j = full_job("job_full");
    QRT_ASSERT_OK(store->insert_job(j));
    auto got = store->get_job("job_full");
    QRT_ASSERT_OK(got);
    expect_same_job(*got, j);

    JobRecord plain = make_job("job_plain", 1);
    QRT_ASSERT_OK(store->insert_job(plain));
    auto got_plain = store->get_job("job_plain", true);
    QRT_ASSERT_OK(got_plain);
    expect_same_job(*got_plain, plain);
    EXPECT_EQ(got_plain->started, std::nullopt);
    EXPECT_EQ(got_plain->max_execution_time_s, std::nullopt);
}

TEST_P(StoreConformance, get_job_without_params_leaves_the_payloads_empty) {
    JobRecord j = full_job("job_1");
    QRT_ASSERT_OK(store->insert_job(j));
    auto got = store->get_job("job_1", false);
    QRT_ASSERT_OK(got);
    expect_same_meta(*got, j);
    EXPECT_TRUE(got->params_json.empty());
    EXPECT_TRUE(got->result_json.empty());
    EXPECT_TRUE(got->logs.empty());
}

TEST_P(StoreConformance, a_duplicate_job_id_is_refused_and_changes_nothing) {
    QRT_ASSERT_OK(store->insert_job(make_job("job_1", 1)));
    JobRecord other = full_job("job_1");
    Status s = store->insert_job(other);
    EXPECT_EQ(s.code(), ErrorCode::kAlreadyExists) << s.to_string();
    EXPECT_NE(s.message().find("job_1"), std::string::npos) << s.message();
    auto got = store->get_job("job_1");
    QRT_ASSERT_OK(got);
    expect_same_job(*got, make_job("job_1", 1));
    JobFilter all;
    all.include_system = true;
    EXPECT_EQ(store->list_jobs(all)->count, 1u);
}

TEST_P(StoreConformance, unknown_jobs_are_not_found) {
    EXPECT_EQ(store->get_job("job_x").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store->get_job("job_x", false).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store->update_job(make_job("job_x", 0)).code(), ErrorCode::kNotFound);
    EXPECT_EQ(store->delete_job("job_x").code(), ErrorCode::kNotFound);
    EXPECT_EQ(store->set_job_tags("job_x", {"a"}).code(), ErrorCode::kNotFound);
    // A failed update must not leave tags behind for a job that does not exist.
    JobFilter f;
    f.tags = {"a"};
    EXPECT_EQ(store->list_jobs(f)->count, 0u);
}

TEST_P(StoreConformance, update_job_replaces_the_mutable_fields_only) {
    JobRecord j = make_job("job_1", 1);
    j.tags = {"a", "b"};
    QRT_ASSERT_OK(store->insert_job(j));

    JobRecord u = full_job("job_1");  // different immutable fields too
    QRT_ASSERT_OK(store->update_job(u));
    auto got = store->get_job("job_1");
    QRT_ASSERT_OK(got);
    // Changed: state, times, usage, result, logs, tags, attempts and the other runtime fields.
    EXPECT_EQ(got->status, "Completed");
    EXPECT_EQ(got->reason, "done");
    EXPECT_EQ(got->reason_code, 1305);
    EXPECT_EQ(got->started, u.started);
    EXPECT_EQ(got->finished, u.finished);
    EXPECT_EQ(got->usage_s, 6.75);
    EXPECT_EQ(got->estimated_running_time_s, 4.5);
    EXPECT_EQ(got->attempts, 2);
    EXPECT_EQ(got->max_execution_time_s, 300.5);
    EXPECT_EQ(got->log_level, "DEBUG");
    EXPECT_TRUE(got->is_private);
    EXPECT_EQ(got->metrics_json, u.metrics_json);
    EXPECT_TRUE(got->result_json == u.result_json);
    EXPECT_EQ(got->logs, u.logs);
    EXPECT_EQ(got->tags, u.tags);
    // Kept: what the job is and where it came from.
    EXPECT_EQ(got->user_id, j.user_id);
    EXPECT_EQ(got->instance, j.instance);
    EXPECT_EQ(got->backend, j.backend);
    EXPECT_EQ(got->program_id, j.program_id);
    EXPECT_EQ(got->session_id, j.session_id);
    EXPECT_EQ(got->params_json, j.params_json);
    EXPECT_EQ(got->created, j.created);
    EXPECT_EQ(got->system, j.system);

    // Tags follow the update in the tag filter as well.
    JobFilter by_old;
    by_old.tags = {"a"};
    EXPECT_EQ(store->list_jobs(by_old)->count, 0u);
}

TEST_P(StoreConformance, delete_job_removes_it_everywhere) {
    JobRecord j = make_job("job_1", 1);
    j.tags = {"t"};
    QRT_ASSERT_OK(store->insert_job(j));
    QRT_ASSERT_OK(store->insert_job(make_job("job_2", 2)));
    QRT_ASSERT_OK(store->delete_job("job_1"));
    EXPECT_EQ(store->get_job("job_1").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store->delete_job("job_1").code(), ErrorCode::kNotFound);
    JobFilter by_tag;
    by_tag.tags = {"t"};
    EXPECT_EQ(store->list_jobs(by_tag)->count, 0u);
    EXPECT_EQ(ids_of(store->pending_jobs()), std::vector<std::string>{"job_2"});
    // The id can be used again: nothing of the old job is left over.
    QRT_ASSERT_OK(store->insert_job(make_job("job_1", 3)));
    EXPECT_TRUE(store->get_job("job_1")->tags.empty());
}

TEST_P(StoreConformance, set_job_tags_replaces_them_in_the_given_order) {
    JobRecord j = make_job("job_1", 1);
    j.tags = {"x", "y"};
    QRT_ASSERT_OK(store->insert_job(j));
    QRT_ASSERT_OK(store->set_job_tags("job_1", {"c", "a", "b"}));
    EXPECT_EQ(store->get_job("job_1")->tags, (std::vector<std::string>{"c", "a", "b"}));
    QRT_ASSERT_OK(store->set_job_tags("job_1", {}));
    EXPECT_TRUE(store->get_job("job_1")->tags.empty());
}

TEST_P(StoreConformance, list_jobs_orders_by_creation_then_id_and_pages) {
    // Three jobs share one creation time: the id breaks the tie.
    for (auto [id, t] : std::vector<std::pair<std::string, double>>{
             {"job_b", 5}, {"job_a", 5}, {"job_c", 5}, {"job_0", 9}, {"job_z", 1}}) {
        QRT_ASSERT_OK(store->insert_job(make_job(id, t)));
    }
    JobFilter f;
    f.limit = 100;
    auto newest_first = store->list_jobs(f);
    QRT_ASSERT_OK(newest_first);
    EXPECT_EQ(ids_of(newest_first->jobs),
              (std::vector<std::string>{"job_0", "job_c", "job_b", "job_a", "job_z"}));
    EXPECT_EQ(newest_first->count, 5u);
    f.ascending = true;
    EXPECT_EQ(ids_of(store->list_jobs(f)->jobs),
              (std::vector<std::string>{"job_z", "job_a", "job_b", "job_c", "job_0"}));

    f.limit = 2;
    f.offset = 1;
    auto page = store->list_jobs(f);
    QRT_ASSERT_OK(page);
    EXPECT_EQ(ids_of(page->jobs), (std::vector<std::string>{"job_a", "job_b"}));
    EXPECT_EQ(page->count, 5u);
    f.offset = 5;
    page = store->list_jobs(f);
    EXPECT_TRUE(page->jobs.empty());
    EXPECT_EQ(page->count, 5u);
    f.limit = 0;
    f.offset = 0;
    page = store->list_jobs(f);
    EXPECT_TRUE(page->jobs.empty());
    EXPECT_EQ(page->count, 5u);
}

TEST_P(StoreConformance, list_results_carry_tags_but_no_payloads) {
    QRT_ASSERT_OK(store->insert_job(full_job("job_1")));
    JobFilter f;
    f.include_system = true;
    auto page = store->list_jobs(f);
    QRT_ASSERT_OK(page);
    ASSERT_EQ(page->jobs.size(), 1u);
    expect_same_meta(page->jobs[0], full_job("job_1"));
    EXPECT_TRUE(page->jobs[0].params_json.empty());
    EXPECT_TRUE(page->jobs[0].result_json.empty());
    EXPECT_TRUE(page->jobs[0].logs.empty());
}

TEST_P(StoreConformance, each_list_filter_selects_its_jobs) {
    auto add = [&](const std::string& id, double t, auto&& edit) {
        JobRecord j = make_job(id, t);
        edit(j);
        QRT_ASSERT_OK(store->insert_job(j));
    };
    add("j1", 1, [](JobRecord& j) { j.instance = kCrnB; });
    add("j2", 2, [](JobRecord& j) { j.user_id = "usr_bob"; });
    add("j3", 3, [](JobRecord& j) { j.backend = "emu_heron133"; });
    add("j4", 4, [](JobRecord& j) { j.program_id = "estimator"; });
    add("j5", 5, [](JobRecord& j) { j.session_id = "ses_1"; });
    add("j6", 6, [](JobRecord& j) { j.status = "Running"; });
    add("j7", 7, [](JobRecord& j) { j.status = "Failed"; });
    add("j8", 8, [](JobRecord& j) { j.tags = {"x", "y"}; });
    add("j9", 9, [](JobRecord& j) { j.tags = {"y"}; });
    add("j10", 10, [](JobRecord& j) {
        j.system = true;
        j.program_id = "calibrate";
    });
    add("j11", 11, [](JobRecord& j) { j.instance = kCrnC; });

    auto ids = [&](JobFilter f) {
        f.limit = 100;
        f.ascending = true;
        auto page = store->list_jobs(f);
        EXPECT_TRUE(page.ok()) << page.status().to_string();
        if (!page.ok()) return std::vector<std::string>{};
        EXPECT_EQ(page->count, page->jobs.size());
        return ids_of(page->jobs);
    };
    using V = std::vector<std::string>;
    JobFilter f;
    f.instances = {kCrnB, kCrnC};
    EXPECT_EQ(ids(f), (V{"j1", "j11"}));
    f = {};
    f.user_id = "usr_bob";
    EXPECT_EQ(ids(f), (V{"j2"}));
    f = {};
    f.backend = "emu_heron133";
    EXPECT_EQ(ids(f), (V{"j3"}));
    f = {};
    f.program_id = "estimator";
    EXPECT_EQ(ids(f), (V{"j4"}));
    f = {};
    f.session_id = "ses_1";
    EXPECT_EQ(ids(f), (V{"j5"}));
    f = {};
    f.pending = false;
    EXPECT_EQ(ids(f), (V{"j7"}));
    f.pending = true;
    EXPECT_EQ(ids(f).size(), 9u);
    f = {};
    f.statuses = {"Running", "Failed"};
    EXPECT_EQ(ids(f), (V{"j6", "j7"}));
    f = {};
    f.tags = {"y"};
    EXPECT_EQ(ids(f), (V{"j8", "j9"}));
    f.tags = {"y", "x"};
    EXPECT_EQ(ids(f), (V{"j8"}));
    f.tags = {"x", "x"};
    EXPECT_EQ(ids(f), (V{"j8"}));
    f.tags = {"x", "z"};
    EXPECT_EQ(ids(f), V{});
    f = {};
    f.created_after = at(3);   // inclusive
    f.created_before = at(5);  // exclusive
    EXPECT_EQ(ids(f), (V{"j3", "j4"}));
    f = {};
    EXPECT_EQ(ids(f).size(), 10u);  // the system job is hidden by default
    f.include_system = true;
    EXPECT_EQ(ids(f).size(), 11u);
    f.program_id = "calibrate";
    EXPECT_EQ(ids(f), (V{"j10"}));
    f = {};
    f.instances = {kCrnA};
    f.pending = true;
    f.tags = {"y"};
    f.created_before = at(9);
    EXPECT_EQ(ids(f), (V{"j8"}));
}

TEST_P(StoreConformance, hostile_filter_values_are_data_not_sql) {
    JobRecord j = make_job("job_1", 1);
    j.tags = {"' OR 1=1 --"};
    j.backend = "b'); DROP TABLE jobs; --";
    QRT_ASSERT_OK(store->insert_job(j));
    QRT_ASSERT_OK(store->insert_job(make_job("job_2", 2)));
    JobFilter f;
    f.backend = "x' OR '1'='1";
    EXPECT_EQ(store->list_jobs(f)->count, 0u);
    f = {};
    f.backend = j.backend;
    EXPECT_EQ(ids_of(store->list_jobs(f)->jobs), std::vector<std::string>{"job_1"});
    f = {};
    f.tags = {"' OR 1=1 --"};
    EXPECT_EQ(store->list_jobs(f)->count, 1u);
    EXPECT_EQ(store->get_job("' OR '1'='1").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store->list_jobs(JobFilter{})->count, 2u);
}

// The list filters against a reference model on random jobs: the same ids in the same order,
// and a count that agrees with the pages (the client pages until it has `count` jobs).
TEST_P(StoreConformance, list_jobs_agrees_with_a_reference_model_on_random_filters) {
    Rng rng(20260515);
    SCOPED_TRACE("seed 20260515");
    const std::vector<std::string> crns = {kCrnA, kCrnB, kCrnC};
    const std::vector<std::string> users = {"u1", "u2", "u3"};
    const std::vector<std::string> backends = {"b1", "b2", "b3"};
    const std::vector<std::string> programs = {"sampler", "estimator"};
    const std::vector<std::string> sessions = {"", "", "s1", "s2"};
    const std::vector<std::string> statuses = {"Queued", "Running", "Completed", "Failed",
                                               "Cancelled"};
    const std::vector<std::string> tag_pool = {"a", "b", "c"};
    auto pick = [&](const std::vector<std::string>& v) {
        return v[static_cast<std::size_t>(
            rng.uniform_int(0, static_cast<std::int64_t>(v.size()) - 1))];
    };
    std::vector<JobRecord> jobs;
    for (int i = 0; i < 240; ++i) {
        JobRecord j = make_job(
            "job_" + std::to_string(1000 + rng.uniform_int(0, 8999)) + "_" + std::to_string(i),
            static_cast<double>(rng.uniform_int(0, 40)),  // many ties
            pick(crns));
        j.user_id = pick(users);
        j.backend = pick(backends);
        j.program_id = pick(programs);
        j.session_id = pick(sessions);
        j.status = pick(statuses);
        for (const auto& t : tag_pool) {
            if (rng.bernoulli(0.4)) j.tags.push_back(t);
        }
        j.system = rng.bernoulli(0.1);
        jobs.push_back(j);
        QRT_ASSERT_OK(store->insert_job(j));
    }
    auto matches = [&](const JobRecord& j, const JobFilter& f) {
        auto has = [](const std::vector<std::string>& v, const std::string& x) {
            return std::find(v.begin(), v.end(), x) != v.end();
        };
        bool pending = j.status == "Queued" || j.status == "Running";
        return (f.instances.empty() || has(f.instances, j.instance)) &&
               (!f.user_id || *f.user_id == j.user_id) && (!f.backend || *f.backend == j.backend) &&
               (!f.program_id || *f.program_id == j.program_id) &&
               (!f.session_id || *f.session_id == j.session_id) &&
               (!f.pending || *f.pending == pending) &&
               (f.statuses.empty() || has(f.statuses, j.status)) &&
               std::all_of(f.tags.begin(), f.tags.end(),
                           [&](const std::string& t) { return has(j.tags, t); }) &&
               (!f.created_after || j.created >= *f.created_after) &&
               (!f.created_before || j.created < *f.created_before) &&
               (f.include_system || !j.system);
    };
    for (int round = 0; round < 150; ++round) {
        JobFilter f;
        if (rng.bernoulli(0.4)) f.instances = {pick(crns)};
        if (rng.bernoulli(0.2)) f.instances.push_back(pick(crns));
        if (rng.bernoulli(0.2)) f.user_id = pick(users);
        if (rng.bernoulli(0.3)) f.backend = pick(backends);
        if (rng.bernoulli(0.2)) f.program_id = pick(programs);
        if (rng.bernoulli(0.2)) f.session_id = pick(sessions);
        if (rng.bernoulli(0.3)) f.pending = rng.bernoulli(0.5);
        if (rng.bernoulli(0.2)) f.statuses = {pick(statuses), pick(statuses)};
        if (rng.bernoulli(0.3)) f.tags = {pick(tag_pool)};
        if (rng.bernoulli(0.2)) f.tags.push_back(pick(tag_pool));
        if (rng.bernoulli(0.3)) f.created_after = at(static_cast<double>(rng.uniform_int(0, 40)));
        if (rng.bernoulli(0.3)) f.created_before = at(static_cast<double>(rng.uniform_int(0, 40)));
        f.include_system = rng.bernoulli(0.3);
        f.ascending = rng.bernoulli(0.5);
        f.limit = static_cast<std::size_t>(rng.uniform_int(1, 30));

        std::vector<JobRecord> expected;
        for (const auto& j : jobs) {
            if (matches(j, f)) expected.push_back(j);
        }
        std::sort(expected.begin(), expected.end(), [&](const JobRecord& a, const JobRecord& b) {
            if (a.created != b.created)
                return f.ascending ? a.created < b.created : a.created > b.created;
            return f.ascending ? a.id < b.id : a.id > b.id;
        });
        // Walk every page, as the client does.
        std::vector<std::string> walked;
        for (f.offset = 0;; f.offset += f.limit) {
            auto page = store->list_jobs(f);
            QRT_ASSERT_OK(page);
            ASSERT_EQ(page->count, expected.size()) << "round " << round;
            for (const auto& j : page->jobs) walked.push_back(j.id);
            if (page->jobs.size() < f.limit) break;
        }
        ASSERT_EQ(walked, ids_of(expected)) << "round " << round;
    }
}

TEST_P(StoreConformance, pending_jobs_are_the_queued_and_running_ones_oldest_first) {
    JobRecord running = full_job("job_run");
    running.status = "Running";
    running.created = at(5);
    QRT_ASSERT_OK(store->insert_job(running));
    QRT_ASSERT_OK(store->insert_job(make_job("job_q2", 7)));
    QRT_ASSERT_OK(store->insert_job(make_job("job_q1", 2)));
    JobRecord done = make_job("job_done", 1);
    done.status = "Completed";
    QRT_ASSERT_OK(store->insert_job(done));
    JobRecord cancelled = make_job("job_cancelled", 3);
    cancelled.status = "Cancelled";
    QRT_ASSERT_OK(store->insert_job(cancelled));

    auto pending = store->pending_jobs();
    ASSERT_EQ(ids_of(pending), (std::vector<std::string>{"job_q1", "job_run", "job_q2"}));
    // With params (needed to run them again) and tags; without result and logs.
    EXPECT_EQ(pending[1].params_json, running.params_json);
    EXPECT_EQ(pending[1].tags, running.tags);
    EXPECT_EQ(pending[1].attempts, 2);
    EXPECT_TRUE(pending[1].system);  // system jobs are recovered too
    EXPECT_TRUE(pending[1].result_json.empty());
    EXPECT_TRUE(pending[1].logs.empty());

    running.status = "Completed";
    QRT_ASSERT_OK(store->update_job(running));
    EXPECT_EQ(ids_of(store->pending_jobs()), (std::vector<std::string>{"job_q1", "job_q2"}));
}

// --- sessions, usage, settings

TEST_P(StoreConformance, sessions_round_trip_and_closed_ones_are_not_open) {
    SessionRecord s;
    s.id = "ses_1";
    s.mode = "batch";
    s.backend = "emu_small5";
    s.instance = kCrnA;
    s.user_id = "usr_alice";
    s.state = "active";
    s.accepting_jobs = false;
    s.interactive_ttl_s = 42.5;
    s.max_ttl_s = 600;
    s.created = at(1);
    s.started_at = at(2);
    s.activated_at = at(3);
    s.last_job_started = at(4);
    s.last_job_completed = at(5);
    s.busy_s = 1.25;
    s.idle_s = 0.5;
    QRT_ASSERT_OK(store->put_session(s));
    SessionRecord other;
    other.id = "ses_0";
    other.created = at(0);
    QRT_ASSERT_OK(store->put_session(other));

    auto got = store->get_session("ses_1");
    QRT_ASSERT_OK(got);
    EXPECT_EQ(got->mode, "batch");
    EXPECT_EQ(got->backend, "emu_small5");
    EXPECT_EQ(got->instance, kCrnA);
    EXPECT_EQ(got->user_id, "usr_alice");
    EXPECT_EQ(got->state, "active");
    EXPECT_FALSE(got->accepting_jobs);
    EXPECT_EQ(got->interactive_ttl_s, 42.5);
    EXPECT_EQ(got->max_ttl_s, 600);
    EXPECT_EQ(got->created, at(1));
    EXPECT_EQ(got->started_at, at(2));
    EXPECT_EQ(got->activated_at, at(3));
    EXPECT_EQ(got->closed_at, std::nullopt);
    EXPECT_EQ(got->last_job_started, at(4));
    EXPECT_EQ(got->last_job_completed, at(5));
    EXPECT_EQ(got->busy_s, 1.25);
    EXPECT_EQ(got->idle_s, 0.5);
    EXPECT_EQ(store->get_session("ses_x").status().code(), ErrorCode::kNotFound);

    auto open = store->open_sessions();
    ASSERT_EQ(open.size(), 2u);
    EXPECT_EQ(open[0].id, "ses_0");
    EXPECT_EQ(open[1].id, "ses_1");

    s.state = "closed";
    s.closed_at = at(9);
    s.close_reason = "drained";
    QRT_ASSERT_OK(store->put_session(s));
    EXPECT_EQ(store->get_session("ses_1")->close_reason, "drained");
    EXPECT_EQ(store->get_session("ses_1")->closed_at, at(9));
    open = store->open_sessions();
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].id, "ses_0");
}

TEST_P(StoreConformance, usage_is_read_back_since_a_time_and_summed_per_instance) {
    auto charge = [&](const std::string& crn, double at_s, double seconds,
                      const std::string& job = "") {
        UsageRecord u;
        u.instance = crn;
        u.user_id = "usr_alice";
        u.job_id = job;
        u.session_id = job.empty() ? "ses_1" : "";
        u.mode = job.empty() ? "session" : "job";
        u.at = at(at_s);
        u.seconds = seconds;
        QRT_ASSERT_OK(store->add_usage(u));
    };
    charge(kCrnA, 10, 1.5, "j1");
    charge(kCrnB, 5, 2.0, "j2");
    charge(kCrnA, 20, 4.0);
    charge(kCrnA, 10, 0.25, "j3");  // same instant as j1: kept in insertion order
    auto since = store->usage_since(at(10));
    ASSERT_EQ(since.size(), 3u);
    EXPECT_EQ(since[0].job_id, "j1");
    EXPECT_EQ(since[1].job_id, "j3");
    EXPECT_EQ(since[2].mode, "session");
    EXPECT_EQ(since[2].session_id, "ses_1");
    EXPECT_EQ(since[2].at, at(20));
    EXPECT_EQ(since[2].seconds, 4.0);
    EXPECT_EQ(store->usage_since(at(0)).size(), 4u);
    EXPECT_DOUBLE_EQ(store->usage_seconds(kCrnA, at(0)), 5.75);
    EXPECT_DOUBLE_EQ(store->usage_seconds(kCrnA, at(11)), 4.0);
    EXPECT_DOUBLE_EQ(store->usage_seconds(kCrnB, at(0)), 2.0);
    EXPECT_DOUBLE_EQ(store->usage_seconds(kCrnC, at(0)), 0.0);
}

TEST_P(StoreConformance, settings_are_put_overwritten_and_missing_ones_absent) {
    EXPECT_EQ(store->get_setting("token_secret"), std::nullopt);
    QRT_ASSERT_OK(store->put_setting("token_secret", "s1"));
    EXPECT_EQ(store->get_setting("token_secret"), "s1");
    QRT_ASSERT_OK(store->put_setting("token_secret", std::string("with\0nul", 8)));
    EXPECT_EQ(store->get_setting("token_secret"), std::string("with\0nul", 8));
}

// --- concurrency and durability

TEST_P(StoreConformance, concurrent_inserts_from_many_threads_are_all_stored) {
    constexpr int kThreads = 8;
    constexpr int kPerThread = 60;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                std::string id = "job_" + std::to_string(t) + "_" + std::to_string(i);
                JobRecord j = make_job(id, t * 1000 + i);
                j.tags = {"thread" + std::to_string(t)};
                if (!store->insert_job(j).ok()) ++failures;
                // A write is visible to the next read, from any thread.
                auto got = store->get_job(id, false);
                if (!got.ok() || got->tags != j.tags) ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    JobFilter all;
    EXPECT_EQ(store->list_jobs(all)->count, std::size_t{kThreads * kPerThread});
    JobFilter one;
    one.tags = {"thread3"};
    EXPECT_EQ(store->list_jobs(one)->count, std::size_t{kPerThread});
}

TEST_P(StoreConformance, concurrent_readers_see_consistent_pages_while_writers_insert) {
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0};
    std::thread writer([&] {
        for (int i = 0; i < 150; ++i) {
            if (!store->insert_job(make_job("job_" + std::to_string(1000 + i), i)).ok()) ++bad;
        }
        stop = true;
    });
    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r) {
        readers.emplace_back([&] {
            std::size_t last = 0;
            while (!stop) {
                JobFilter f;
                f.limit = 1000;
                auto page = store->list_jobs(f);
                // One snapshot: the count matches the rows, and never goes backwards.
                if (!page.ok() || page->count != page->jobs.size() || page->count < last) ++bad;
                if (page.ok()) last = page->count;
            }
        });
    }
    writer.join();
    for (auto& th : readers) th.join();
    EXPECT_EQ(bad.load(), 0);
}

TEST_P(StoreConformance, everything_is_still_there_after_reopening) {
    QRT_ASSERT_OK(store->put_user(user("usr_alice", "alice")));
    QRT_ASSERT_OK(store->put_instance(instance(kCrnA, "a")));
    QRT_ASSERT_OK(store->add_member(kCrnA, "usr_alice"));
    QRT_ASSERT_OK(store->put_api_key(key("key_1", "usr_alice", "s1")));
    QRT_ASSERT_OK(store->insert_job(full_job("job_1")));
    SessionRecord s;
    s.id = "ses_1";
    QRT_ASSERT_OK(store->put_session(s));
    UsageRecord u;
    u.instance = kCrnA;
    u.seconds = 3;
    QRT_ASSERT_OK(store->add_usage(u));
    QRT_ASSERT_OK(store->put_setting("k", "v"));

    reopen();
    EXPECT_EQ(store->get_user("usr_alice")->name, "alice");
    EXPECT_EQ(store->instances_of("usr_alice"), std::vector<std::string>{kCrnA});
    EXPECT_EQ(store->find_api_key(hash_api_key("s1"))->id, "key_1");
    auto job = store->get_job("job_1");
    QRT_ASSERT_OK(job);
    expect_same_job(*job, full_job("job_1"));
    EXPECT_TRUE(store->get_session("ses_1").ok());
    EXPECT_DOUBLE_EQ(store->usage_seconds(kCrnA, from_micros(0)), 3);
    EXPECT_EQ(store->get_setting("k"), "v");
}

// A writer process is killed (SIGKILL) in the middle of concurrent inserts. Every insert that
// returned ok before the kill must be there afterwards, and the store must open cleanly.
TEST_P(StoreConformance, acknowledged_inserts_survive_a_killed_writer_process) {
    close_store();  // the child opens the store itself; nothing of ours may be open across fork()
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0) << std::strerror(errno);
    if (child == 0) {
        close(fds[0]);
        auto opened = GetParam().open(location);
        if (!opened.ok()) _exit(2);
        JobStore* s = opened->get();
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([s, t, fd = fds[1]] {
                for (int i = 0; i < 100'000; ++i) {
                    char id[32];
                    int n = std::snprintf(id, sizeof id, "job_%d_%06d\n", t, i);
                    JobRecord j = make_job(std::string(id, static_cast<std::size_t>(n - 1)), i);
                    if (!s->insert_job(j).ok()) _exit(3);
                    // One write per id, smaller than PIPE_BUF: never interleaved.
                    if (write(fd, id, static_cast<std::size_t>(n)) != n) _exit(4);
                }
            });
        }
        for (auto& th : threads) th.join();
        _exit(0);
    }
    close(fds[1]);
    std::string acked;
    char buf[4096];
    auto lines = [&] { return std::count(acked.begin(), acked.end(), '\n'); };
    while (lines() < 300) {
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        acked.append(buf, static_cast<std::size_t>(n));
    }
    kill(child, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(waitpid(child, &wstatus, 0), child);
    for (;;) {  // acknowledgements written before the kill are still in the pipe
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        acked.append(buf, static_cast<std::size_t>(n));
    }
    close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the child stopped by itself, status " << wstatus;
    ASSERT_GE(lines(), 300);

    auto opened = GetParam().open(location);
    QRT_ASSERT_OK(opened);
    store = std::move(*opened);
    std::set<std::string> stored;
    JobFilter all;
    all.limit = 1'000'000;
    auto page = store->list_jobs(all);
    QRT_ASSERT_OK(page);
    for (const auto& j : page->jobs) stored.insert(j.id);
    std::size_t missing = 0;
    std::size_t start = 0;
    for (std::size_t end; (end = acked.find('\n', start)) != std::string::npos; start = end + 1) {
        std::string id = acked.substr(start, end - start);
        if (!stored.count(id)) {
            ++missing;
            ADD_FAILURE() << "acknowledged job " << id << " is missing";
            if (missing > 5) break;
        }
    }
    EXPECT_EQ(missing, 0u);
    EXPECT_GE(stored.size(), static_cast<std::size_t>(lines()));
    // The store still works after the crash.
    QRT_EXPECT_OK(store->insert_job(make_job("job_after", 0)));
}

}  // namespace qrt::store::testing
