#include "base/id.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

namespace qrt {
namespace {

bool is_lower_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

TEST(Id, has_prefix_time_counter_and_random_part) {
    const Timestamp t = from_micros(1767225600LL * 1'000'000 + 123'456);
    const std::string id = new_id("job_", t);
    ASSERT_EQ(id.size(), 4 + kIdBodyLength);
    EXPECT_EQ(id.substr(0, 4), "job_");
    EXPECT_TRUE(is_lower_hex(id.substr(4))) << id;
    // 1767225600123 ms = 0x019b76daa87b
    EXPECT_EQ(id.substr(4, 12), "019b76daa87b");
    EXPECT_EQ(id_timestamp(id, "job_"), from_micros(1767225600LL * 1'000'000 + 123'000));
}

TEST(Id, sorts_by_creation_time) {
    const std::string a = new_id("s_", from_micros(1'000'000));
    const std::string b = new_id("s_", from_micros(2'000'000));
    const std::string c = new_id("s_", from_micros(2'000'000));
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
}

TEST(Id, random_parts_differ) {
    const Timestamp t = from_micros(5'000'000);
    EXPECT_NE(new_id("j", t).substr(1 + 16), new_id("j", t).substr(1 + 16));
}

TEST(Id, timestamp_rejects_malformed_ids) {
    const std::string good = new_id("job_", from_micros(0));
    EXPECT_TRUE(id_timestamp(good, "job_").has_value());
    EXPECT_FALSE(id_timestamp(good, "session_").has_value());
    EXPECT_FALSE(id_timestamp(good.substr(0, good.size() - 1), "job_").has_value());
    std::string upper = good;
    upper.back() = 'A';
    EXPECT_FALSE(id_timestamp(upper, "job_").has_value());
    EXPECT_FALSE(id_timestamp("", "").has_value());
}

TEST(IdGenerator, ids_in_the_same_millisecond_sort_in_creation_order) {
    VirtualClock clock;
    IdGenerator gen(clock);
    std::vector<std::string> ids;
    for (int i = 0; i < 1000; ++i) ids.push_back(gen.next("job_"));
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

TEST(IdGenerator, counter_overflow_borrows_the_next_millisecond) {
    VirtualClock clock;
    IdGenerator gen(clock, 1);
    std::string prev = gen.next("");
    for (int i = 0; i < 70'000; ++i) {
        std::string id = gen.next("");
        ASSERT_LT(prev, id) << i;
        prev = std::move(id);
    }
    EXPECT_EQ(id_timestamp(prev, ""), clock.now() + std::chrono::milliseconds(1));
}

TEST(IdGenerator, follows_the_clock) {
    VirtualClock clock;
    IdGenerator gen(clock, 1);
    const std::string a = gen.next("b_");
    clock.advance(std::chrono::hours(1));
    const std::string b = gen.next("b_");
    EXPECT_LT(a, b);
    EXPECT_EQ(id_timestamp(b, "b_"), clock.now());
}

TEST(IdGenerator, seeded_generators_repeat_their_ids) {
    VirtualClock c1;
    VirtualClock c2;
    IdGenerator a(c1, 42);
    IdGenerator b(c2, 42);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(a.next("j_"), b.next("j_"));
    IdGenerator c(c1, 43);
    EXPECT_NE(a.next("j_").substr(2 + 16), c.next("j_").substr(2 + 16));
}

TEST(IdGenerator, is_thread_safe_and_never_repeats) {
    SystemClock clock;
    IdGenerator gen(clock);
    std::vector<std::vector<std::string>> per_thread(4);
    std::vector<std::thread> threads;
    for (auto& out : per_thread) {
        threads.emplace_back([&gen, &out] {
            for (int i = 0; i < 500; ++i) out.push_back(gen.next("x"));
        });
    }
    for (auto& t : threads) t.join();
    std::set<std::string> all;
    for (const auto& out : per_thread) {
        EXPECT_TRUE(std::is_sorted(out.begin(), out.end()));
        all.insert(out.begin(), out.end());
    }
    EXPECT_EQ(all.size(), 2000u);
}

}  // namespace
}  // namespace qrt
