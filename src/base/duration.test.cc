#include "base/duration.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "base/rng.h"

namespace qrt {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

struct Good {
    const char* text;
    Duration want;
};

struct Bad {
    const char* text;
    const char* message;  // the whole error message
};

TEST(Duration, parses_a_bare_number_as_seconds) {
    const Good cases[] = {
        {"0", Duration(0)},
        {"3600", hours(1)},
        {"007", seconds(7)},
        {"28800", hours(8)},
    };
    for (const Good& c : cases) {
        auto got = parse_duration(c.text);
        ASSERT_TRUE(got.ok()) << c.text << ": " << got.status().to_string();
        EXPECT_EQ(*got, c.want) << c.text;
    }
}

TEST(Duration, parses_hours_minutes_seconds) {
    const Good cases[] = {
        {"25m", minutes(25)},
        {"2h 30m 40s", hours(2) + minutes(30) + seconds(40)},
        {"1h30m", hours(1) + minutes(30)},
        {"1h  5s", hours(1) + seconds(5)},
        {"1d 12h", days(1) + hours(12)},
        {"0s", Duration(0)},
        {"90m", minutes(90)},
        {"8h", hours(8)},
        {"1d2h3m4s", days(1) + hours(2) + minutes(3) + seconds(4)},
    };
    for (const Good& c : cases) {
        auto got = parse_duration(c.text);
        ASSERT_TRUE(got.ok()) << c.text << ": " << got.status().to_string();
        EXPECT_EQ(*got, c.want) << c.text;
    }
}

TEST(Duration, parses_fractional_seconds_to_the_microsecond) {
    const Good cases[] = {
        {"1.5s", Duration(1'500'000)},
        {"0.000001s", Duration(1)},
        {"1m 0.25s", minutes(1) + Duration(250'000)},
        {"2.100s", Duration(2'100'000)},
    };
    for (const Good& c : cases) {
        auto got = parse_duration(c.text);
        ASSERT_TRUE(got.ok()) << c.text << ": " << got.status().to_string();
        EXPECT_EQ(*got, c.want) << c.text;
    }
}

TEST(Duration, rejects_bad_input_naming_what_and_where) {
    const Bad cases[] = {
        {"", "empty duration"},
        {"5x", "unknown unit 'x' (use d, h, m or s) at position 1 in \"5x\""},
        {"5min", "unknown unit 'min' (use d, h, m or s) at position 1 in \"5min\""},
        {"1H", "unknown unit 'H' (use d, h, m or s) at position 1 in \"1H\""},
        {"-5", "negative durations are not allowed at position 0 in \"-5\""},
        {"-5m", "negative durations are not allowed at position 0 in \"-5m\""},
        {"1h -5m", "negative durations are not allowed at position 3 in \"1h -5m\""},
        {"+5", "expected a number, found '+' at position 0 in \"+5\""},
        {"h", "expected a number, found 'h' at position 0 in \"h\""},
        {"1h 30", "missing unit after '30' (use d, h, m or s) at position 5 in \"1h 30\""},
        {"1.5h",
         "a fraction is allowed only on seconds, not on 'h' (write 1h 30m, not 1.5h) at "
         "position 1 in \"1.5h\""},
        {"1.5", "missing unit after '1.5' (use d, h, m or s) at position 3 in \"1.5\""},
        {"1.s", "expected digits after '.' at position 2 in \"1.s\""},
        {"0.0000001s",
         "more than 6 decimals (the resolution is 1 microsecond) at position 8 in "
         "\"0.0000001s\""},
        {"2 h", "unexpected space between '2' and its unit at position 1 in \"2 h\""},
        {" 5m", "unexpected space at position 0 in \" 5m\""},
        {"5m ", "unexpected trailing space at position 2 in \"5m \""},
        {"1h 2h", "unit 'h' appears twice at position 4 in \"1h 2h\""},
        {"30m 1h",
         "unit 'h' comes after 'm'; write units in the order d, h, m, s at position 5 in "
         "\"30m 1h\""},
        {"5m,", "unexpected ',' at position 2 in \"5m,\""},
        {"1h\t30m", "unexpected '\\x09' at position 2 in \"1h\\x0930m\""},
        {"1h30m!", "unexpected '!' at position 5 in \"1h30m!\""},
        {"9223372036854775808",
         "duration \"9223372036854775808\" is too large (the limit is about 292000 years)"},
        {"9999999999999s",
         "duration \"9999999999999s\" is too large (the limit is about 292000 years)"},
        {"106751991d 5h",
         "duration \"106751991d 5h\" is too large (the limit is about 292000 years)"},
    };
    for (const Bad& c : cases) {
        auto got = parse_duration(c.text);
        ASSERT_FALSE(got.ok()) << c.text;
        EXPECT_EQ(got.status().code(), ErrorCode::kInvalidArgument) << c.text;
        EXPECT_EQ(got.status().message(), c.message) << c.text;
    }
}

TEST(Duration, error_messages_shorten_long_input) {
    const std::string text = std::string(100, '1') + "x";
    auto got = parse_duration(text);
    ASSERT_FALSE(got.ok());
    EXPECT_LT(got.status().message().size(), 140u) << got.status().message();
}

TEST(Duration, formats_largest_units_first) {
    const Good cases[] = {
        {"0s", Duration(0)},
        {"2h 30m 40s", hours(2) + minutes(30) + seconds(40)},
        {"25m", minutes(25)},
        {"1h 5s", hours(1) + seconds(5)},
        {"1d 12h", days(1) + hours(12)},
        {"1.5s", Duration(1'500'000)},
        {"0.000001s", Duration(1)},
        {"1m 0.25s", minutes(1) + Duration(250'000)},
    };
    for (const Good& c : cases) EXPECT_EQ(format_duration(c.want), c.text);
    EXPECT_EQ(format_duration(-minutes(5)), "-5m");
}

TEST(Duration, format_then_parse_is_identity) {
    Rng rng(7);
    std::vector<Duration> values{Duration(0), Duration(1), Duration::max(), days(3),
                                 hours(8) + Duration(999'999)};
    for (int i = 0; i < 2000; ++i) {
        values.emplace_back(rng.uniform_int(0, std::numeric_limits<std::int64_t>::max()));
        values.emplace_back(seconds(rng.uniform_int(0, 1'000'000)));
    }
    for (Duration d : values) {
        const std::string text = format_duration(d);
        auto back = parse_duration(text);
        ASSERT_TRUE(back.ok()) << text << ": " << back.status().to_string() << " seed "
                               << rng.seed();
        ASSERT_EQ(*back, d) << text << " seed " << rng.seed();
    }
}

}  // namespace
}  // namespace qrt
