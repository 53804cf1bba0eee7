// Tests of the SQLite store: the conformance suite on SQLite, then what only SQLite has: the file
// format (WAL, application id, schema migrations), refusal of foreign, newer and corrupt files,
// group commit, and durability across a simulated power cut (fault_vfs.h).
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "store/fault_vfs.h"
#include "store/job_store.h"
#include "store/schema.h"
#include "store/sqlite_db.h"
#include "store/sqlite_store.h"
#include "store/store_conformance.h"

namespace qrt::store::testing {
namespace {

Result<std::unique_ptr<JobStore>> open_in(const std::string& dir) {
    return open_sqlite_store(dir + "/qrt.db");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
                         ::testing::Values(StoreFactory{"sqlite", open_in}),
                         StoreFactory::test_name);

// A temporary directory with a store path in it; removed at the end of the test.
class SqliteStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "qrt-sqlite-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir = pattern;
        path = dir + "/qrt.db";
    }
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    // A raw SQLite connection to the file, for looking behind the store's back.
    std::unique_ptr<sqlite::Connection> raw() {
        auto c = sqlite::Connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "");
        EXPECT_TRUE(c.ok()) << c.status().to_string();
        return c.ok() ? std::move(*c) : nullptr;
    }

    std::string file_bytes() const {
        std::ifstream in(path, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    static JobRecord job(const std::string& id, std::int64_t created_us = 0) {
        JobRecord j;
        j.id = id;
        j.user_id = "usr_a";
        j.instance = "crn:a";
        j.backend = "emu_small5";
        j.program_id = "sampler";
        j.params_json = "{}";
        j.created = from_micros(created_us);
        return j;
    }

    std::string dir;
    std::string path;
};

// Collects log messages instead of printing them (expected errors stay out of the test output).
struct LogCapture {
    std::mutex mu;
    std::vector<std::string> lines;
    ScopedLogSink sink{[this](const LogRecord& r) {
        std::lock_guard lock(mu);
        lines.emplace_back(r.message);
    }};
};

TEST(HashApiKey, is_lowercase_hex_sha256) {
    EXPECT_EQ(hash_api_key("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hash_api_key(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_NE(hash_api_key("secret-1"), hash_api_key("secret-2"));
}

TEST_F(SqliteStoreTest, the_file_is_a_wal_mode_qrt_store_at_the_newest_schema) {
    {
        auto store = open_sqlite_store(path);
        QRT_ASSERT_OK(store);
        QRT_ASSERT_OK((*store)->insert_job(job("job_1")));
        auto c = raw();
        ASSERT_TRUE(c);
        EXPECT_EQ(*c->query_text("PRAGMA journal_mode"), "wal");
        EXPECT_EQ(*c->query_int("PRAGMA application_id"), sqlite::kApplicationId);
        EXPECT_EQ(*c->query_int("PRAGMA user_version"), sqlite::latest_schema_version());
        EXPECT_EQ(*c->query_text("PRAGMA integrity_check"), "ok");
        EXPECT_EQ(*c->query_int("SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
    }
    // Opening again does not migrate again, and the data is there.
    auto again = open_sqlite_store(path);
    QRT_ASSERT_OK(again);
    QRT_EXPECT_OK((*again)->get_job("job_1"));
}

// A file made by the first schema version (tags as a JSON column) is migrated on open, its tags
// copied to the tag table in their order.
TEST_F(SqliteStoreTest, a_version_1_file_is_migrated_and_keeps_its_data) {
    {
        auto c = raw();
        ASSERT_TRUE(c);
        QRT_ASSERT_OK(sqlite::migrate(*c, 1));
        ASSERT_EQ(*c->query_int("PRAGMA user_version"), 1);
        QRT_ASSERT_OK(c->exec(
            "INSERT INTO users(id, name, admin, created) VALUES ('usr_a', 'alice', 1, 5);"
            "INSERT INTO jobs(id, user_id, instance, backend, program_id, tags_json, status, "
            "created, log_level, usage_s, estimated_running_time_s, metrics_json) VALUES "
            "('job_1', 'usr_a', 'crn:a', 'emu_small5', 'sampler', '[\"zeta\",\"alpha\"]', "
            "'Queued', 7, 'WARNING', 0, 0, '{}'),"
            "('job_2', 'usr_a', 'crn:a', 'emu_small5', 'sampler', '[]', 'Completed', 8, "
            "'WARNING', 1.5, 0, '{}');"
            "INSERT INTO job_payloads(job_id, params_json) VALUES ('job_1', '{\"p\":1}'), "
            "('job_2', '{}');",
            "fill a version 1 file"));
    }
    auto store = open_sqlite_store(path);
    QRT_ASSERT_OK(store);
    auto j1 = (*store)->get_job("job_1");
    QRT_ASSERT_OK(j1);
    EXPECT_EQ(j1->tags, (std::vector<std::string>{"zeta", "alpha"}));
    EXPECT_EQ(j1->params_json, "{\"p\":1}");
    EXPECT_EQ(j1->created, from_micros(7));
    EXPECT_TRUE((*store)->get_job("job_2")->tags.empty());
    JobFilter f;
    f.tags = {"alpha"};
    EXPECT_EQ((*store)->list_jobs(f)->count, 1u);
    EXPECT_EQ((*store)->get_user("usr_a")->name, "alice");
    EXPECT_EQ((*store)->pending_jobs().size(), 1u);
    QRT_EXPECT_OK((*store)->set_job_tags("job_2", {"new"}));

    auto c = raw();
    ASSERT_TRUE(c);
    EXPECT_EQ(*c->query_int("PRAGMA user_version"), sqlite::latest_schema_version());
    EXPECT_EQ(*c->query_int("SELECT COUNT(*) FROM pragma_table_info('jobs') "
                            "WHERE name = 'tags_json'"),
              0);
}

TEST_F(SqliteStoreTest, a_file_from_a_newer_qrt_is_refused_and_left_untouched) {
    {
        auto store = open_sqlite_store(path);
        QRT_ASSERT_OK(store);
        QRT_ASSERT_OK((*store)->insert_job(job("job_1")));
    }
    {
        auto c = raw();
        ASSERT_TRUE(c);
        std::string bump =
            "PRAGMA user_version = " + std::to_string(sqlite::latest_schema_version() + 1);
        QRT_ASSERT_OK(c->exec(bump.c_str(), "bump version"));
        QRT_ASSERT_OK(c->exec("PRAGMA journal_mode = DELETE", "leave WAL"));
    }
    std::string before = file_bytes();
    auto store = open_sqlite_store(path);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(store.status().message().find("newer"), std::string::npos)
        << store.status().message();
    EXPECT_TRUE(file_bytes() == before) << "the refused file was modified";
}

TEST_F(SqliteStoreTest, a_file_that_is_not_a_database_gives_data_loss) {
    {
        std::ofstream out(path, std::ios::binary);
        for (int i = 0; i < 500; ++i) out << "this is not an SQLite database\n";
    }
    std::string before = file_bytes();
    auto store = open_sqlite_store(path);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), ErrorCode::kDataLoss) << store.status().to_string();
    EXPECT_TRUE(file_bytes() == before);
}

TEST_F(SqliteStoreTest, another_applications_database_is_refused) {
    {
        auto c = raw();
        ASSERT_TRUE(c);
        QRT_ASSERT_OK(c->exec("CREATE TABLE photos(id INTEGER PRIMARY KEY)", "foreign schema"));
    }
    auto store = open_sqlite_store(path);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(store.status().message().find("not a qrt store"), std::string::npos);
    auto c = raw();
    ASSERT_TRUE(c);
    EXPECT_EQ(*c->query_int("SELECT COUNT(*) FROM sqlite_master"), 1);
}

TEST_F(SqliteStoreTest, an_unopenable_path_gives_a_clear_error) {
    auto store = open_sqlite_store(dir + "/missing-dir/qrt.db");
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), ErrorCode::kFailedPrecondition) << store.status().to_string();
    EXPECT_NE(store.status().message().find("missing-dir/qrt.db"), std::string::npos)
        << store.status().message();
}

// A damaged page of the jobs table: reads and writes that touch it report data_loss, nothing
// crashes, and the rest of the store keeps working.
TEST_F(SqliteStoreTest, a_corrupt_jobs_table_gives_data_loss_not_a_crash) {
    std::int64_t page_size = 0;
    std::int64_t root = 0;
    {
        auto store = open_sqlite_store(path);
        QRT_ASSERT_OK(store);
        for (int i = 0; i < 300; ++i) {
            QRT_ASSERT_OK((*store)->insert_job(job("job_" + std::to_string(1000 + i), i)));
        }
    }
    {
        auto c = raw();
        ASSERT_TRUE(c);
        page_size = *c->query_int("PRAGMA page_size");
        root = *c->query_int("SELECT rootpage FROM sqlite_master WHERE name = 'jobs'");
        QRT_ASSERT_OK(c->exec("PRAGMA wal_checkpoint(TRUNCATE)", "checkpoint"));
    }
    {
        std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp((root - 1) * page_size);
        std::string garbage(static_cast<std::size_t>(page_size), '\x5a');
        f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    LogCapture logs;
    auto store = open_sqlite_store(path);  // the open reads only the schema page
    QRT_ASSERT_OK(store);
    auto got = (*store)->get_job("job_1000");
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), ErrorCode::kDataLoss) << got.status().to_string();
    auto page = (*store)->list_jobs(JobFilter{});
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.status().code(), ErrorCode::kDataLoss);
    EXPECT_TRUE((*store)->pending_jobs().empty());
    EXPECT_FALSE(logs.lines.empty()) << "the failed pending_jobs read is logged";
    // Writes to the damaged table fail too, with the same code; other tables still work.
    EXPECT_EQ((*store)->insert_job(job("job_new")).code(), ErrorCode::kDataLoss);
    QRT_EXPECT_OK((*store)->put_setting("still", "works"));
}

// --- group commit

// Holds the writer inside its first group until released, so that the next operations are
// queued together (deterministic groups).
class WriterGate {
public:
    void hold() {  // called on the writer thread, before each commit
        std::unique_lock lock(mu_);
        ++groups_;
        cv_.notify_all();
        if (groups_ == 1) cv_.wait(lock, [&] { return open_; });
    }
    void wait_for_first_group() {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return groups_ >= 1; });
    }
    void release() {
        std::lock_guard lock(mu_);
        open_ = true;
        cv_.notify_all();
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    int groups_ = 0;
    bool open_ = false;
};

void wait_until_queued(const SqliteStore& store, std::uint64_t n) {
    while (store.writer_stats().queued < n) std::this_thread::yield();
}

// Regression: get_job (GET /jobs/{id}) compiled SQL on every call (its read transaction's BEGIN
// and ROLLBACK went through sqlite3_exec), which showed as SQL parsing in a server profile.
TEST_F(SqliteStoreTest, reading_a_job_again_compiles_no_sql) {
    auto store = open_sqlite_store(path);
    QRT_ASSERT_OK(store);
    QRT_ASSERT_OK((*store)->insert_job(job("job_1")));
    for (bool with_params : {false, true}) {  // warm the statement cache
        QRT_ASSERT_OK((*store)->get_job("job_1", with_params));
    }
    const double before = sqlite::statements_compiled();
    for (int i = 0; i < 50; ++i) {
        QRT_ASSERT_OK((*store)->get_job("job_1", i % 2 == 0));
    }
    EXPECT_EQ(sqlite::statements_compiled() - before, 0);
    QRT_ASSERT_OK((*store)->update_job(job("job_1")));  // writes reuse their statements too
    const double after_one_write = sqlite::statements_compiled();
    for (int i = 0; i < 10; ++i) QRT_ASSERT_OK((*store)->update_job(job("job_1")));
    // BEGIN IMMEDIATE and COMMIT of each group are compiled (one per group, not per operation).
    EXPECT_LE(sqlite::statements_compiled() - after_one_write, 20);
}

TEST_F(SqliteStoreTest, concurrent_writes_share_one_commit) {
    WriterGate gate;
    SqliteOptions options;
    options.before_commit = [&] { gate.hold(); };
    auto opened = open_sqlite_store(path, options);
    QRT_ASSERT_OK(opened);
    SqliteStore& store = **opened;

    std::thread first([&] { EXPECT_TRUE(store.insert_job(job("job_first")).ok()); });
    gate.wait_for_first_group();
    std::vector<std::thread> others;
    for (int i = 0; i < 7; ++i) {
        others.emplace_back(
            [&, i] { EXPECT_TRUE(store.insert_job(job("job_" + std::to_string(i))).ok()); });
    }
    wait_until_queued(store, 7);
    gate.release();
    first.join();
    for (auto& t : others) t.join();

    WriterStats stats = store.writer_stats();
    EXPECT_EQ(stats.operations, 8u);
    EXPECT_EQ(stats.commits, 2u);
    EXPECT_EQ(stats.largest_group, 7u);
    JobFilter all;
    EXPECT_EQ(store.list_jobs(all)->count, 8u);
}

TEST_F(SqliteStoreTest, a_failing_operation_does_not_fail_the_rest_of_its_group) {
    WriterGate gate;
    SqliteOptions options;
    options.before_commit = [&] { gate.hold(); };
    auto opened = open_sqlite_store(path, options);
    QRT_ASSERT_OK(opened);
    SqliteStore& store = **opened;

    std::thread first([&] { EXPECT_TRUE(store.insert_job(job("job_dup")).ok()); });
    gate.wait_for_first_group();
    Status dup, missing, good_a, good_b;
    std::vector<std::thread> group;
    group.emplace_back([&] { good_a = store.insert_job(job("job_a")); });
    group.emplace_back([&] {
        JobRecord j = job("job_dup");
        j.tags = {"must-not-stay"};
        dup = store.insert_job(j);
    });
    group.emplace_back([&] { missing = store.update_job(job("job_missing")); });
    group.emplace_back([&] { good_b = store.insert_job(job("job_b")); });
    wait_until_queued(store, 4);
    gate.release();
    first.join();
    for (auto& t : group) t.join();

    QRT_EXPECT_OK(good_a);
    QRT_EXPECT_OK(good_b);
    EXPECT_EQ(dup.code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
    EXPECT_EQ(store.writer_stats().commits, 2u);
    QRT_EXPECT_OK(store.get_job("job_a"));
    QRT_EXPECT_OK(store.get_job("job_b"));
    EXPECT_TRUE(store.get_job("job_dup")->tags.empty());  // the failed insert left nothing
}

TEST_F(SqliteStoreTest, a_failed_commit_fails_every_operation_of_the_group_and_stores_none) {
    FaultVfs& vfs = FaultVfs::instance();
    vfs.reset();
    std::atomic<int> group{0};
    WriterGate gate;
    SqliteOptions options;
    options.vfs = FaultVfs::kName;
    options.before_commit = [&] {
        gate.hold();
        // The second group's commit cannot write the WAL.
        vfs.fail_wal_writes(++group == 2);
    };
    LogCapture logs;
    {
        auto opened = open_sqlite_store(path, options);
        QRT_ASSERT_OK(opened);
        SqliteStore& store = **opened;
        std::thread first([&] { EXPECT_TRUE(store.insert_job(job("job_first")).ok()); });
        gate.wait_for_first_group();
        std::vector<Status> results(5);
        std::vector<std::thread> threads;
        for (int i = 0; i < 5; ++i) {
            threads.emplace_back(
                [&, i] { results[i] = store.insert_job(job("job_" + std::to_string(i))); });
        }
        wait_until_queued(store, 5);
        gate.release();
        first.join();
        for (auto& t : threads) t.join();
        for (const Status& s : results) {
            EXPECT_FALSE(s.ok());
            EXPECT_NE(s.message().find("commit failed"), std::string::npos) << s.to_string();
        }
        for (int i = 0; i < 5; ++i) {
            EXPECT_EQ(store.get_job("job_" + std::to_string(i)).status().code(),
                      ErrorCode::kNotFound);
        }
        // The store recovers: later writes work.
        QRT_EXPECT_OK(store.insert_job(job("job_later")));
    }
    vfs.fail_wal_writes(false);
    auto store = open_sqlite_store(path);
    QRT_ASSERT_OK(store);
    JobFilter all;
    auto page = (*store)->list_jobs(all);
    QRT_ASSERT_OK(page);
    EXPECT_EQ(page->count, 2u);  // job_first and job_later
    EXPECT_FALSE(logs.lines.empty());
}

// --- durability across a power cut

// Inserts and updates jobs through the fault VFS, cuts the power (every write since each file's
// last fsync is lost), and reopens: returns how many of the acknowledged jobs survived.
int survivors_of_power_cut(const std::string& path, bool durable, int jobs) {
    FaultVfs& vfs = FaultVfs::instance();
    vfs.reset();
    SqliteOptions options;
    options.vfs = FaultVfs::kName;
    options.durable = durable;
    {
        auto opened = open_sqlite_store(path, options);
        EXPECT_TRUE(opened.ok()) << opened.status().to_string();
        if (!opened.ok()) return -1;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = t; i < jobs; i += 4) {
                    JobRecord j;
                    j.id = "job_" + std::to_string(i);
                    j.params_json = std::string(3000, 'p');  // spill into more WAL pages
                    EXPECT_TRUE((*opened)->insert_job(j).ok());
                    j.status = "Completed";
                    j.result_json = "{\"ok\":true}";
                    EXPECT_TRUE((*opened)->update_job(j).ok());
                }
            });
        }
        for (auto& th : threads) th.join();
        vfs.power_cut();
    }
    vfs.restore_synced_state();

    auto store = open_sqlite_store(path);  // the default VFS: a normal restart
    EXPECT_TRUE(store.ok()) << store.status().to_string();
    if (!store.ok()) return -1;
    int found = 0;
    for (int i = 0; i < jobs; ++i) {
        auto j = (*store)->get_job("job_" + std::to_string(i));
        if (j.ok()) {
            ++found;
            EXPECT_EQ(j->status, "Completed");
            EXPECT_EQ(j->result_json, "{\"ok\":true}");
        }
    }
    auto c = sqlite::Connection::open(path, SQLITE_OPEN_READWRITE, "");
    EXPECT_TRUE(c.ok());
    if (c.ok()) {
        EXPECT_EQ(*(*c)->query_text("PRAGMA integrity_check"), "ok");
    }
    return found;
}

TEST_F(SqliteStoreTest, acknowledged_writes_survive_a_power_cut) {
    EXPECT_EQ(survivors_of_power_cut(path, /*durable=*/true, 120), 120);
    EXPECT_GT(FaultVfs::instance().syncs(), 0);
}

// The control: without fsync the same power cut loses acknowledged jobs, so the test above
// would notice a store that acknowledged before syncing.
TEST_F(SqliteStoreTest, without_fsync_a_power_cut_loses_acknowledged_writes) {
    EXPECT_LT(survivors_of_power_cut(path, /*durable=*/false, 120), 120);
}

}  // namespace
}  // namespace qrt::store::testing
