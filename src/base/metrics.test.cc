#include "base/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace qrt::metrics {
namespace {

TEST(Metrics, counter_counts_whole_and_fractional_increments) {
    Registry r;
    Counter& c = r.counter("qrt_things_total", "Things").get();
    c.inc();
    c.inc();
    c.add(0.5);
    c.add(-3);  // ignored: counters never go down
    c.add(std::numeric_limits<double>::quiet_NaN());
    EXPECT_DOUBLE_EQ(c.value(), 2.5);
}

TEST(Metrics, with_returns_the_same_child_for_the_same_labels) {
    Registry r;
    auto& f = r.counter("qrt_x_total", "X", {"a", "b"});
    Counter& one = f.with({"1", "2"});
    Counter& again = f.with(std::vector<std::string>{"1", "2"});
    Counter& other = f.with({"1", "3"});
    EXPECT_EQ(&one, &again);
    EXPECT_NE(&one, &other);
}

TEST(Metrics, wrong_label_count_and_conflicting_registration_are_logic_errors) {
    Registry r;
    auto& f = r.counter("qrt_x_total", "X", {"a"});
    EXPECT_THROW(f.with({"1", "2"}), std::logic_error);
    EXPECT_THROW(f.get(), std::logic_error);
    EXPECT_EQ(&r.counter("qrt_x_total", "X", {"a"}), &f);  // same again: the same family
    EXPECT_THROW(r.gauge("qrt_x_total", "X", {"a"}), std::logic_error);
    EXPECT_THROW(r.counter("qrt_x_total", "X", {"b"}), std::logic_error);
    EXPECT_THROW(r.counter("bad name", "X"), std::logic_error);
    EXPECT_THROW(r.counter("qrt_y_total", "Y", {"le"}), std::logic_error);
    EXPECT_THROW(r.histogram("qrt_h", "H", {}, {1, 1}), std::logic_error);
    EXPECT_THROW(r.histogram("qrt_h", "H", {}, {}), std::logic_error);
}

TEST(Metrics, histogram_buckets_are_inclusive_upper_bounds) {
    Registry r;
    Histogram& h = r.histogram("qrt_h_seconds", "H", {}, {0.1, 1, 10}).get();
    for (double v : {0.05, 0.1, 0.5, 1.0, 5.0, 50.0}) h.observe(v);
    h.observe(std::numeric_limits<double>::quiet_NaN());  // ignored
    Histogram::Snapshot s = h.snapshot();
    ASSERT_EQ(s.cumulative.size(), 4u);
    EXPECT_EQ(s.cumulative[0], 2u);  // 0.05, 0.1 (le is inclusive)
    EXPECT_EQ(s.cumulative[1], 4u);
    EXPECT_EQ(s.cumulative[2], 5u);
    EXPECT_EQ(s.cumulative[3], 6u);  // +Inf
    EXPECT_EQ(s.count, 6u);
    EXPECT_DOUBLE_EQ(s.sum, 56.65);
}

TEST(Metrics, exposition_writes_help_type_and_samples_sorted_by_name) {
    Registry r;
    r.gauge("qrt_b", "B gauge").get().set(3);
    auto& c = r.counter("qrt_a_total", "A counter", {"route", "code"});
    c.with({"/x", "200"}).inc();
    c.with({"/x", "404"}).add(2);
    EXPECT_EQ(r.exposition(),
              "# HELP qrt_a_total A counter\n"
              "# TYPE qrt_a_total counter\n"
              "qrt_a_total{route=\"/x\",code=\"200\"} 1\n"
              "qrt_a_total{route=\"/x\",code=\"404\"} 2\n"
              "# HELP qrt_b B gauge\n"
              "# TYPE qrt_b gauge\n"
              "qrt_b 3\n");
}

TEST(Metrics, exposition_of_a_histogram_has_cumulative_buckets_inf_sum_and_count) {
    Registry r;
    auto& h = r.histogram("qrt_latency_seconds", "Latency", {"op"}, {0.5, 1});
    h.with({"get"}).observe(0.25);
    h.with({"get"}).observe(2);
    EXPECT_EQ(r.exposition(),
              "# HELP qrt_latency_seconds Latency\n"
              "# TYPE qrt_latency_seconds histogram\n"
              "qrt_latency_seconds_bucket{op=\"get\",le=\"0.5\"} 1\n"
              "qrt_latency_seconds_bucket{op=\"get\",le=\"1\"} 1\n"
              "qrt_latency_seconds_bucket{op=\"get\",le=\"+Inf\"} 2\n"
              "qrt_latency_seconds_sum{op=\"get\"} 2.25\n"
              "qrt_latency_seconds_count{op=\"get\"} 2\n");
}

TEST(Metrics, label_values_and_help_are_escaped) {
    EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    EXPECT_EQ(escape_help("line\\one\ntwo \"q\""), "line\\\\one\\ntwo \"q\"");
    Registry r;
    r.gauge("qrt_g", "multi\nline", {"v"}).with({"say \"hi\"\n"}).set(1);
    EXPECT_EQ(r.exposition(),
              "# HELP qrt_g multi\\nline\n"
              "# TYPE qrt_g gauge\n"
              "qrt_g{v=\"say \\\"hi\\\"\\n\"} 1\n");
}

TEST(Metrics, values_are_written_as_prometheus_reads_them) {
    EXPECT_EQ(format_value(0), "0");
    EXPECT_EQ(format_value(42), "42");
    EXPECT_EQ(format_value(-7), "-7");
    EXPECT_EQ(format_value(0.25), "0.25");
    EXPECT_EQ(format_value(1e-4), "0.0001");
    EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
    EXPECT_EQ(std::stod(format_value(0.1 + 0.2)), 0.1 + 0.2);  // round-trips exactly
}

TEST(Metrics, collectors_run_at_scrape_merge_by_name_and_stop_when_their_handle_goes) {
    Registry r;
    int calls = 0;
    CollectorHandle first = r.add_collector([&](std::vector<CollectedFamily>& out) {
        ++calls;
        out.push_back({"qrt_queue_length", "Queued jobs", Type::kGauge, {"backend"}, {{{"a"}, 2}}});
    });
    CollectorHandle second = r.add_collector([](std::vector<CollectedFamily>& out) {
        out.push_back({"qrt_queue_length", "Queued jobs", Type::kGauge, {"backend"}, {{{"b"}, 5}}});
    });
    EXPECT_EQ(r.exposition(),
              "# HELP qrt_queue_length Queued jobs\n"
              "# TYPE qrt_queue_length gauge\n"
              "qrt_queue_length{backend=\"a\"} 2\n"
              "qrt_queue_length{backend=\"b\"} 5\n");
    EXPECT_EQ(calls, 1);
    first.reset();
    second = CollectorHandle();
    EXPECT_EQ(r.exposition(), "");
    EXPECT_EQ(calls, 1);
}

TEST(Metrics, concurrent_increments_are_all_counted) {
    Registry r;
    auto& fam = r.counter("qrt_c_total", "C", {"t"});
    auto& hist = r.histogram("qrt_h_seconds", "H", {}, latency_buckets());
    constexpr int kThreads = 4, kEach = 20'000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            Counter& c = fam.with({"x"});
            Histogram& h = hist.get();
            for (int i = 0; i < kEach; ++i) {
                c.inc();
                c.add(0.5);
                h.observe(0.001);
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_DOUBLE_EQ(fam.with({"x"}).value(), kThreads * kEach * 1.5);
    Histogram::Snapshot s = hist.get().snapshot();
    EXPECT_EQ(s.count, static_cast<std::uint64_t>(kThreads * kEach));
    EXPECT_NEAR(s.sum, kThreads * kEach * 0.001, 1e-6);
}

TEST(Metrics, default_registry_has_build_info_and_process_metrics) {
    const std::string text = default_registry().exposition();
    EXPECT_NE(text.find("# TYPE qrt_build_info gauge\nqrt_build_info{version=\""),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
    EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
    EXPECT_NE(text.find("process_start_time_seconds "), std::string::npos);
}

}  // namespace
}  // namespace qrt::metrics
