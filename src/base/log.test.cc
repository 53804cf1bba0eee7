#include "base/log.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace qrt {
namespace {

struct Captured {
    LogLevel level;
    std::string file;
    int line;
    std::string message;
};

// Captures messages and restores the level and sink when the test ends.
class LogTest : public ::testing::Test {
public:
    LogTest()
        : saved_level_(log_level()), sink_([this](const LogRecord& r) {
              records_.push_back({r.level, std::string(r.file), r.line, std::string(r.message)});
          }) {}
    ~LogTest() override { set_log_level(saved_level_); }

protected:
    LogLevel saved_level_;
    std::vector<Captured> records_;
    ScopedLogSink sink_;
};

TEST_F(LogTest, formats_messages_with_fmt_and_records_file_and_line) {
    set_log_level(LogLevel::kInfo);
    QRT_LOG_INFO("session {} closed after {}s", "s_1", 42);
    const int line = __LINE__ - 1;
    ASSERT_EQ(records_.size(), 1u);
    EXPECT_EQ(records_[0].level, LogLevel::kInfo);
    EXPECT_EQ(records_[0].message, "session s_1 closed after 42s");
    EXPECT_EQ(records_[0].file, "log.test.cc");
    EXPECT_EQ(records_[0].line, line);
}

TEST_F(LogTest, drops_messages_below_the_level_without_evaluating_arguments) {
    set_log_level(LogLevel::kWarn);
    int evaluated = 0;
    auto count = [&evaluated] { return ++evaluated; };
    QRT_LOG_DEBUG("debug {}", count());
    QRT_LOG_INFO("info {}", count());
    QRT_LOG_WARN("warn {}", count());
    log_error("error {}", 7);
    log_info("dropped");
    ASSERT_EQ(records_.size(), 2u);
    EXPECT_EQ(evaluated, 1);
    EXPECT_EQ(records_[0].message, "warn 1");
    EXPECT_EQ(records_[1].level, LogLevel::kError);
    EXPECT_EQ(records_[1].message, "error 7");
}

TEST_F(LogTest, off_silences_everything) {
    set_log_level(LogLevel::kOff);
    QRT_LOG_ERROR("nothing");
    log_message(LogLevel::kOff, "x.cc", 1, "nothing either");
    EXPECT_TRUE(records_.empty());
}

TEST_F(LogTest, delivers_every_message_from_many_threads) {
    set_log_level(LogLevel::kInfo);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t] {
            for (int i = 0; i < 250; ++i) QRT_LOG_INFO("thread {} message {}", t, i);
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(records_.size(), 1000u);
}

TEST(LogLevel, names_parse_back) {
    for (LogLevel level :
         {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError, LogLevel::kOff}) {
        auto parsed = parse_log_level(log_level_name(level));
        ASSERT_TRUE(parsed.ok());
        EXPECT_EQ(*parsed, level);
    }
    EXPECT_EQ(*parse_log_level("warning"), LogLevel::kWarn);
    EXPECT_EQ(parse_log_level("loud").status().message(),
              "unknown log level 'loud' (use debug, info, warn, error or off)");
}

TEST(Log, default_sink_writes_a_line_to_stderr) {
    const LogLevel saved = log_level();
    set_log_level(LogLevel::kInfo);
    ::testing::internal::CaptureStderr();
    QRT_LOG_WARN("disk {}% full", 91);
    const std::string out = ::testing::internal::GetCapturedStderr();
    set_log_level(saved);
    EXPECT_NE(out.find(" W log.test.cc:"), std::string::npos) << out;
    EXPECT_NE(out.find("] disk 91% full\n"), std::string::npos) << out;
    EXPECT_EQ(out[4], '-') << out;  // starts with an ISO-8601 date
}

}  // namespace
}  // namespace qrt
