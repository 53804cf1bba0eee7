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

TEST(LogFormat, json_line_has_ts_level_msg_fields_and_source) {
    LogRecord r{LogLevel::kWarn, "jobs.cc", 12, "job \"a\" is\nslow"};
    r.fields.for_job("job_1").for_session("ses_2").for_instance("crn:x").for_request("req_3");
    r.fields.for_backend("emu").for_user("u_4");
    const std::string line =
        format_log_line(r, LogFormat::kJson, from_micros(1767225600LL * 1'000'000 + 123'456));
    EXPECT_EQ(line,
              "{\"ts\":\"2026-01-01T00:00:00.123Z\",\"level\":\"warn\",\"msg\":\"job \\\"a\\\" "
              "is\\nslow\",\"job_id\":\"job_1\",\"session_id\":\"ses_2\",\"instance\":\"crn:x\","
              "\"request_id\":\"req_3\",\"backend\":\"emu\",\"user\":\"u_4\",\"src\":\"jobs.cc:12\"}");
}

TEST(LogFormat, json_escapes_control_characters_and_replaces_bad_utf8) {
    LogRecord r{LogLevel::kInfo, "", 0, "a\x01" "b\xff" "c \xc3\xa9 \xed\xa0\x80"};
    const std::string line = format_log_line(r, LogFormat::kJson, from_micros(0));
    EXPECT_EQ(line,
              "{\"ts\":\"1970-01-01T00:00:00.000Z\",\"level\":\"info\",\"msg\":"
              "\"a\\u0001b\xef\xbf\xbd" "c \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
}

TEST(LogFormat, text_line_appends_the_fields) {
    LogRecord r{LogLevel::kInfo, "api.cc", 7, "GET /x 200"};
    r.fields.for_request("req_1").for_user("u_1");
    EXPECT_EQ(format_log_line(r, LogFormat::kText, from_micros(0)),
              "1970-01-01T00:00:00.000000Z I api.cc:7] GET /x 200 request_id=req_1 user=u_1");
}

TEST(LogFormat, names_parse_back) {
    EXPECT_EQ(*parse_log_format("json"), LogFormat::kJson);
    EXPECT_EQ(*parse_log_format("text"), LogFormat::kText);
    EXPECT_FALSE(parse_log_format("xml").ok());
    EXPECT_EQ(log_format_name(LogFormat::kJson), "json");
}

TEST_F(LogTest, scoped_context_adds_its_fields_and_message_fields_win) {
    set_log_level(LogLevel::kInfo);
    std::vector<LogRecord> seen;
    std::vector<std::string> ids;
    ScopedLogSink sink([&](const LogRecord& r) {
        ids.push_back(std::string(r.fields.request_id) + "|" + std::string(r.fields.job_id) + "|" +
                      std::string(r.fields.user));
    });
    {
        ScopedLogContext request(LogFields().for_request("req_1").for_user("u_1"));
        QRT_LOG_INFO("plain");
        QRT_LOG_INFO_F(LogFields().for_job("job_9").for_user("u_2"), "with {}", "fields");
        {
            ScopedLogContext inner(LogFields().for_job("job_7"));
            QRT_LOG_INFO("inner");
        }
        QRT_LOG_INFO("after inner");
    }
    QRT_LOG_INFO("outside");
    std::thread([] { QRT_LOG_INFO("other thread"); }).join();
    EXPECT_EQ(ids, (std::vector<std::string>{"req_1||u_1", "req_1|job_9|u_2", "req_1|job_7|u_1",
                                             "req_1||u_1", "||", "||"}));
}

TEST_F(LogTest, fields_are_not_evaluated_when_the_level_is_off) {
    set_log_level(LogLevel::kWarn);
    int evaluated = 0;
    auto id = [&evaluated] {
        ++evaluated;
        return std::string_view("job_1");
    };
    QRT_LOG_INFO_F(LogFields().for_job(id()), "dropped {}", evaluated);
    EXPECT_EQ(evaluated, 0);
    EXPECT_TRUE(records_.empty());
}

TEST(Log, default_sink_writes_json_lines_when_asked) {
    const LogLevel saved = log_level();
    const LogFormat saved_format = log_format();
    set_log_level(LogLevel::kInfo);
    set_log_format(LogFormat::kJson);
    ::testing::internal::CaptureStderr();
    QRT_LOG_INFO_F(LogFields().for_job("job_1"), "started");
    const std::string out = ::testing::internal::GetCapturedStderr();
    set_log_level(saved);
    set_log_format(saved_format);
    EXPECT_EQ(out.rfind("{\"ts\":\"", 0), 0u) << out;
    EXPECT_NE(out.find("\"msg\":\"started\",\"job_id\":\"job_1\",\"src\":\"log.test.cc:"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.back(), '\n');
}

}  // namespace
}  // namespace qrt
