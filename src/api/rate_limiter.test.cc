#include "api/rate_limiter.h"

#include <gtest/gtest.h>

namespace qrt::api {
namespace {

TEST(RateLimiter, allows_a_burst_then_refuses_with_retry_after) {
    VirtualClock clock;
    RateLimiter limiter(clock, 2.0, 3.0);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire("alice").allowed) << i;
    const RateLimiter::Decision d = limiter.acquire("alice");
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.retry_after_s, 1);  // 0.5 s to the next token, rounded up
}

TEST(RateLimiter, refills_at_the_rate) {
    VirtualClock clock;
    RateLimiter limiter(clock, 2.0, 3.0);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.acquire("k").allowed);
    ASSERT_FALSE(limiter.acquire("k").allowed);
    clock.advance(std::chrono::milliseconds(500));
    EXPECT_TRUE(limiter.acquire("k").allowed);
    EXPECT_FALSE(limiter.acquire("k").allowed);
    clock.advance(std::chrono::seconds(100));  // capped at the burst
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire("k").allowed) << i;
    EXPECT_FALSE(limiter.acquire("k").allowed);
}

TEST(RateLimiter, keys_are_independent) {
    VirtualClock clock;
    RateLimiter limiter(clock, 1.0, 1.0);
    EXPECT_TRUE(limiter.acquire("a").allowed);
    EXPECT_FALSE(limiter.acquire("a").allowed);
    EXPECT_TRUE(limiter.acquire("b").allowed);
}

TEST(RateLimiter, retry_after_counts_whole_seconds_at_slow_rates) {
    VirtualClock clock;
    RateLimiter limiter(clock, 0.1, 1.0);
    ASSERT_TRUE(limiter.acquire("k").allowed);
    EXPECT_EQ(limiter.acquire("k").retry_after_s, 10);
}

TEST(RateLimiter, zero_rate_disables_limiting) {
    VirtualClock clock;
    RateLimiter limiter(clock, 0, 0);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.acquire("k").allowed);
    EXPECT_EQ(limiter.size(), 0U);
}

TEST(RateLimiter, forgets_idle_buckets) {
    VirtualClock clock;
    RateLimiter limiter(clock, 10.0, 10.0);
    for (int i = 0; i < 1000; ++i) (void)limiter.acquire(std::to_string(i));
    EXPECT_EQ(limiter.size(), 1000U);
    clock.advance(std::chrono::seconds(5));  // every bucket is full again
    for (int i = 0; i < 5000; ++i) (void)limiter.acquire("busy");
    EXPECT_LT(limiter.size(), 1000U);
}

}  // namespace
}  // namespace qrt::api
