#include "base/time.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace qrt {
namespace {

TEST(Time, formats_iso8601_with_microseconds) {
    struct Case {
        std::int64_t micros;
        const char* text;
    };
    const Case cases[] = {
        {0, "1970-01-01T00:00:00.000000Z"},
        {1, "1970-01-01T00:00:00.000001Z"},
        {1767225600LL * 1'000'000, "2026-01-01T00:00:00.000000Z"},
        {1767225600LL * 1'000'000 + 3'723'456'789LL, "2026-01-01T01:02:03.456789Z"},
        {951782400LL * 1'000'000, "2000-02-29T00:00:00.000000Z"},  // leap day
        {-1, "1969-12-31T23:59:59.999999Z"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(format_iso8601(from_micros(c.micros)), c.text) << c.micros;
    }
}

TEST(Time, seconds_convert_both_ways) {
    EXPECT_EQ(seconds_d(1.5), Duration(1'500'000));
    EXPECT_EQ(seconds_d(-0.000001), Duration(-1));
    EXPECT_DOUBLE_EQ(to_seconds(Duration(2'500'000)), 2.5);
}

TEST(VirtualClock, starts_at_2026_and_moves_only_when_told) {
    VirtualClock clock;
    EXPECT_EQ(format_iso8601(clock.now()), "2026-01-01T00:00:00.000000Z");
    clock.advance(std::chrono::seconds(90));
    EXPECT_EQ(format_iso8601(clock.now()), "2026-01-01T00:01:30.000000Z");
}

TEST(VirtualClock, never_goes_back) {
    VirtualClock clock(from_micros(1000));
    clock.set(from_micros(500));
    EXPECT_EQ(clock.now(), from_micros(1000));
    clock.advance(Duration(-10));
    EXPECT_EQ(clock.now(), from_micros(1000));
    clock.set(from_micros(2000));
    EXPECT_EQ(clock.now(), from_micros(2000));
}

TEST(VirtualClock, concurrent_setters_leave_the_latest_time) {
    VirtualClock clock(from_micros(0));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&clock, t] {
            for (int i = 0; i < 1000; ++i) clock.set(from_micros(i * 4 + t));
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(clock.now(), from_micros(3999));
}

TEST(SystemClock, reads_a_time_after_2024) {
    const SystemClock clock;
    EXPECT_GT(clock.now(), from_micros(1704067200LL * 1'000'000));
}

}  // namespace
}  // namespace qrt
