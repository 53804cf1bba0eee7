#include "web/svg.h"

#include <gtest/gtest.h>

#include <cmath>

#include "web/layout.h"

namespace qrt::web {
namespace {

std::size_t count(const std::string& s, std::string_view what) {
    std::size_t n = 0;
    for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
}

TEST(Svg, histogram_draws_one_bar_per_outcome_with_escaped_labels) {
    const std::string svg =
        histogram_svg({{"00", 48}, {"11", 52}, {"<b>", 1}}, "counts of \"meas\"");
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_EQ(count(svg, "<rect"), 3u);
    EXPECT_NE(svg.find("&lt;b&gt;"), std::string::npos);
    EXPECT_EQ(svg.find("<b>"), std::string::npos);
    EXPECT_NE(svg.find("counts of &quot;meas&quot;"), std::string::npos);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(Svg, histogram_bar_heights_follow_the_values) {
    const std::string svg = histogram_svg({{"0", 10}, {"1", 40}}, "t");
    // bars are 180 px tall at the axis maximum (40 -> 40): the second bar is 4x the first
    auto height_of = [&](std::size_t which) {
        std::size_t at = 0;
        for (std::size_t i = 0; i <= which; ++i) at = svg.find("fill=\"#4a6fd1\"", at + 1);
        const std::size_t h = svg.rfind("height=\"", at);
        return std::stod(svg.substr(h + 8));
    };
    EXPECT_NEAR(height_of(1) / height_of(0), 4.0, 1e-6);
}

TEST(Svg, error_bars_draw_points_and_whiskers) {
    const std::string svg = error_bars_svg({{"ZZ", 0.98, 0.01}, {"XX", -0.5, 0.2}}, "evs");
    EXPECT_EQ(count(svg, "<circle"), 2u);
    EXPECT_EQ(count(svg, "class=\"whisker\""), 2u);
    EXPECT_NE(svg.find("ZZ"), std::string::npos);
    // NaN values still give a valid picture without a point
    const std::string nan = error_bars_svg({{"a", std::nan(""), 0}}, "evs");
    EXPECT_EQ(count(nan, "<circle"), 0u);
    EXPECT_EQ(nan.find("nan"), std::string::npos);
}

TEST(Svg, timeline_draws_each_phase_and_the_close_marker) {
    const Timestamp t0 = Timestamp(std::chrono::seconds(1000));
    TimelineRow row;
    row.label = "ses_<x>";
    row.href = "/ui/workloads/ses_x";
    row.segments = {
        {t0, t0 + std::chrono::seconds(5), Phase::kPending},
        {t0 + std::chrono::seconds(5), t0 + std::chrono::seconds(10), Phase::kBusy},
        {t0 + std::chrono::seconds(10), t0 + std::chrono::seconds(13), Phase::kActiveIdle},
        {t0 + std::chrono::seconds(13), t0 + std::chrono::seconds(20), Phase::kInactive}};
    row.closed = t0 + std::chrono::seconds(20);
    const std::string svg = timeline_svg({row}, t0, t0 + std::chrono::seconds(20));
    EXPECT_NE(svg.find("class=\"phase-busy\""), std::string::npos);
    EXPECT_NE(svg.find("class=\"phase-idle\""), std::string::npos);
    EXPECT_NE(svg.find("class=\"phase-inactive\""), std::string::npos);
    EXPECT_NE(svg.find("class=\"phase-pending\""), std::string::npos);
    EXPECT_NE(svg.find("class=\"closed\""), std::string::npos);
    EXPECT_NE(svg.find("ses_&lt;x&gt;"), std::string::npos);
}

TEST(Svg, usage_split_shows_busy_and_idle) {
    const std::string svg = usage_split_svg(30, 10);
    EXPECT_NE(svg.find("width=\"240.0\""), std::string::npos);  // 3/4 of 320 px busy
    EXPECT_NE(svg.find("busy 30.0 s"), std::string::npos);
    EXPECT_NE(svg.find("idle 10.0 s"), std::string::npos);
}

TEST(Svg, device_map_colours_qubits_and_couplers_by_error) {
    DeviceMap map;
    map.backend = "dev";
    map.num_qubits = 3;
    map.edges = {{0, 1}, {1, 2}};
    map.readout_error = {0.01, 0.1, std::nullopt};
    map.edge_error = {{{0, 1}, 0.001}, {{1, 2}, 0.05}};
    map.positions = layout_graph(3, map.edges);
    const std::string svg = device_map_svg(map);
    EXPECT_EQ(count(svg, "<circle"), 3u);
    EXPECT_EQ(count(svg, "<line"), 2u);
    // best qubit green, worst red, unknown grey; the same for couplers
    EXPECT_NE(svg.find("fill=\"" + error_colour(0) + "\" stroke"), std::string::npos);
    EXPECT_NE(svg.find("fill=\"" + error_colour(1) + "\" stroke"), std::string::npos);
    EXPECT_NE(svg.find("fill=\"#999999\""), std::string::npos);
    EXPECT_NE(svg.find("stroke=\"" + error_colour(0) + "\""), std::string::npos);
    EXPECT_NE(svg.find("stroke=\"" + error_colour(1) + "\""), std::string::npos);
    EXPECT_NE(svg.find("qubit 1: readout error 0.1"), std::string::npos);
}

TEST(Svg, error_colour_runs_from_green_to_red) {
    EXPECT_EQ(error_colour(0), "#2ea043");
    EXPECT_EQ(error_colour(1), "#cf222e");
    EXPECT_EQ(error_colour(-5), error_colour(0));
    EXPECT_EQ(error_colour(std::nan("")), error_colour(0));
}

double dist(Point a, Point b) { return std::hypot(a.x - b.x, a.y - b.y); }

TEST(Layout, a_line_is_drawn_as_a_row_in_path_order) {
    // 0-2-1-3: walking order, not index order
    auto p = layout_graph(4, {{0, 2}, {2, 1}, {1, 3}});
    ASSERT_EQ(p.size(), 4u);
    for (const auto& q : p) EXPECT_DOUBLE_EQ(q.y, 0);
    EXPECT_NEAR(dist(p[0], p[2]), 1, 1e-9);
    EXPECT_NEAR(dist(p[2], p[1]), 1, 1e-9);
    EXPECT_NEAR(dist(p[1], p[3]), 1, 1e-9);
}

TEST(Layout, a_long_line_snakes) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (std::uint32_t i = 0; i + 1 < 40; ++i) edges.emplace_back(i, i + 1);
    auto p = layout_graph(40, edges);
    double max_x = 0;
    for (const auto& q : p) max_x = std::max(max_x, q.x);
    EXPECT_LE(max_x, 15.0 + 1e-9);
    for (auto [a, b] : edges) EXPECT_NEAR(dist(p[a], p[b]), 1, 1e-9);
}

TEST(Layout, a_ring_is_a_circle) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (std::uint32_t i = 0; i < 8; ++i) edges.emplace_back(i, (i + 1) % 8);
    auto p = layout_graph(8, edges);
    Point c{};
    for (const auto& q : p) c = {c.x + q.x / 8, c.y + q.y / 8};
    for (const auto& q : p) EXPECT_NEAR(dist(q, c), dist(p[0], c), 1e-9);
}

TEST(Layout, a_grid_keeps_neighbours_close_and_is_deterministic) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    const std::uint32_t w = 5;
    for (std::uint32_t r = 0; r < w; ++r) {
        for (std::uint32_t c = 0; c < w; ++c) {
            if (c + 1 < w) edges.emplace_back(r * w + c, r * w + c + 1);
            if (r + 1 < w) edges.emplace_back(r * w + c, (r + 1) * w + c);
        }
    }
    auto p = layout_graph(w * w, edges);
    // every edge about one unit, and opposite corners about 4*sqrt(2) apart: a grid, not a ball
    for (auto [a, b] : edges) EXPECT_NEAR(dist(p[a], p[b]), 1.0, 0.25);
    EXPECT_NEAR(dist(p[0], p[24]), 4 * std::sqrt(2.0), 0.6);
    auto again = layout_graph(w * w, edges);
    for (std::size_t i = 0; i < p.size(); ++i) {
        EXPECT_EQ(p[i].x, again[i].x);
        EXPECT_EQ(p[i].y, again[i].y);
    }
}

TEST(Layout, no_two_nodes_of_a_heavy_hex_cell_overlap) {
    // one heavy-hex cell: a 12-ring with 3 pendant... keep it a plain 12-cycle plus a chord path
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (std::uint32_t i = 0; i < 12; ++i) edges.emplace_back(i, (i + 1) % 12);
    edges.emplace_back(0, 12);
    edges.emplace_back(12, 13);
    edges.emplace_back(13, 6);
    auto p = layout_graph(14, edges);
    for (std::size_t i = 0; i < p.size(); ++i) {
        for (std::size_t j = i + 1; j < p.size(); ++j) EXPECT_GT(dist(p[i], p[j]), 0.4) << i << j;
    }
}

TEST(Layout, degenerate_graphs) {
    EXPECT_TRUE(layout_graph(0, {}).empty());
    EXPECT_EQ(layout_graph(1, {}).size(), 1u);
    EXPECT_EQ(layout_graph(3, {{0, 7}, {1, 1}}).size(), 3u);  // bad edges ignored
}

}  // namespace
}  // namespace qrt::web
