#include "sched/usage_ledger.h"

#include <gtest/gtest.h>

#include <cmath>

namespace qrt::sched {
namespace {

constexpr Timestamp kT0 = VirtualClock::kDefaultStart;

TEST(UsageLedger, rolling_window_sums_charges_and_drops_whole_buckets) {
    UsageLedger l(FairSharePolicy::kRollingWindow, 3600s, 3600s, 60s, kT0);
    auto a = l.add_account();
    l.charge(a, 10s, kT0 + 30s);
    l.charge(a, 5s, kT0 + 90s);
    EXPECT_DOUBLE_EQ(l.usage(a, kT0 + 100s), 15);
    ASSERT_TRUE(l.next_expiry().has_value());
    EXPECT_EQ(*l.next_expiry(), kT0 + 60s + 3600s);  // bucket [0, 60) ends at 60
    std::vector<std::uint32_t> changed;
    l.expire(kT0 + 3659s, changed);
    EXPECT_TRUE(changed.empty());
    l.expire(kT0 + 3660s, changed);
    EXPECT_EQ(changed, std::vector<std::uint32_t>{a});
    EXPECT_DOUBLE_EQ(l.usage(a, kT0 + 3660s), 5);
    changed.clear();
    l.expire(kT0 + 3720s, changed);
    EXPECT_DOUBLE_EQ(l.usage(a, kT0 + 3720s), 0);
    EXPECT_FALSE(l.next_expiry().has_value());
}

TEST(UsageLedger, rolling_window_time_below_is_the_expiry_that_gets_under_the_limit) {
    UsageLedger l(FairSharePolicy::kRollingWindow, 3600s, 3600s, 60s, kT0);
    auto a = l.add_account();
    l.charge(a, 60s, kT0 + 10s);
    l.charge(a, 60s, kT0 + 70s);
    EXPECT_EQ(l.time_below(a, 100, kT0 + 80s), kT0 + 60s + 3600s);
    EXPECT_EQ(l.time_below(a, 50, kT0 + 80s), kT0 + 120s + 3600s);
    EXPECT_EQ(l.time_below(a, 500, kT0 + 80s), kT0 + 80s);
}

TEST(UsageLedger, decay_halves_every_half_life_and_keys_keep_their_order) {
    UsageLedger l(FairSharePolicy::kHalfLifeDecay, 3600s, 100s, 60s, kT0);
    auto a = l.add_account();
    auto b = l.add_account();
    l.charge(a, 80s, kT0);
    l.charge(b, 50s, kT0 + 100s);
    EXPECT_NEAR(l.usage(a, kT0 + 100s), 40, 1e-9);
    EXPECT_NEAR(l.usage(b, kT0 + 100s), 50, 1e-9);
    EXPECT_LT(l.key(a), l.key(b));
    EXPECT_NEAR(l.usage(a, kT0 + 300s), 10, 1e-9);
    Timestamp t = l.time_below(b, 25, kT0 + 100s);
    EXPECT_NEAR(to_seconds(t - kT0), 200, 1e-3);
}

TEST(UsageLedger, decay_survives_very_long_runs_without_overflow) {
    UsageLedger l(FairSharePolicy::kHalfLifeDecay, 3600s, 1s, 60s, kT0);
    auto a = l.add_account();
    for (int i = 0; i < 5000; ++i) l.charge(a, 1s, kT0 + std::chrono::seconds(i));
    double u = l.usage(a, kT0 + 4999s);
    EXPECT_TRUE(std::isfinite(u));
    EXPECT_NEAR(u, 2.0, 1e-6);  // geometric series 1 + 1/2 + 1/4 + ...
}

TEST(UsageLedger, ideal_time_matches_window_or_decay_mean_life) {
    UsageLedger w(FairSharePolicy::kRollingWindow, 1000s, 100s, 60s, kT0);
    EXPECT_DOUBLE_EQ(w.ideal_seconds(0.5), 500);
    UsageLedger d(FairSharePolicy::kHalfLifeDecay, 1000s, 100s, 60s, kT0);
    EXPECT_NEAR(d.ideal_seconds(0.5), 0.5 * 100 / std::log(2.0), 1e-9);
}

}  // namespace
}  // namespace qrt::sched
