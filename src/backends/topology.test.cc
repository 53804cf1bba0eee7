#include "backends/topology.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

namespace qrt::backends {
namespace {

using EdgeSet = std::set<std::pair<std::uint32_t, std::uint32_t>>;

EdgeSet undirected(const std::vector<Edge>& edges) {
    EdgeSet s;
    for (const auto& [a, b] : edges) s.insert(std::minmax(a, b));
    return s;
}

// The coupling map of a configuration JSON in tests/corpus/backends, as undirected edges.
EdgeSet corpus_coupling(const std::string& file, std::uint32_t* num_qubits = nullptr) {
    std::ifstream in(std::string(QRT_CORPUS_DIR) + "/backends/" + file);
    EXPECT_TRUE(in) << file;
    std::stringstream ss;
    ss << in.rdbuf();
    const boost::json::object o = boost::json::parse(ss.str()).as_object();
    if (num_qubits != nullptr) {
        *num_qubits = static_cast<std::uint32_t>(o.at("n_qubits").to_number<std::int64_t>());
    }
    EdgeSet s;
    for (const auto& e : o.at("coupling_map").as_array()) {
        const auto& pair = e.as_array();
        s.insert(std::minmax(static_cast<std::uint32_t>(pair[0].to_number<std::int64_t>()),
                             static_cast<std::uint32_t>(pair[1].to_number<std::int64_t>())));
    }
    return s;
}

std::vector<Edge> edges_of(Topology t, std::uint32_t n, std::uint32_t cols = 0) {
    auto e = coupling_edges(t, n, cols);
    EXPECT_TRUE(e.ok()) << e.status().to_string();
    return e.ok() ? *e : std::vector<Edge>{};
}

TEST(HeavyHex, twenty_seven_qubits_is_ibm_falcon_layout) {
    // ibm_kolkata / ibmq_montreal (qiskit-ibm-runtime fake_provider conf_kolkata.json).
    const EdgeSet falcon = {{0, 1},   {1, 2},   {1, 4},   {2, 3},   {3, 5},   {4, 7},   {5, 8},
                            {6, 7},   {7, 10},  {8, 9},   {8, 11},  {10, 12}, {11, 14}, {12, 13},
                            {12, 15}, {13, 14}, {14, 16}, {15, 18}, {16, 19}, {17, 18}, {18, 21},
                            {19, 20}, {19, 22}, {21, 23}, {22, 25}, {23, 24}, {24, 25}, {25, 26}};
    EXPECT_EQ(undirected(edges_of(Topology::kHeavyHex, 27)), falcon);
}

TEST(HeavyHex, one_hundred_twenty_seven_qubits_is_ibm_brisbane_layout) {
    std::uint32_t n = 0;
    const EdgeSet brisbane = corpus_coupling("fake_brisbane.configuration.json", &n);
    ASSERT_EQ(n, 127u);
    ASSERT_EQ(brisbane.size(), 144u);
    EXPECT_EQ(undirected(edges_of(Topology::kHeavyHex, 127)), brisbane);
}

TEST(HeavyHex, one_hundred_thirty_three_qubits_is_ibm_torino_layout) {
    std::uint32_t n = 0;
    const EdgeSet torino = corpus_coupling("fake_torino.configuration.json", &n);
    ASSERT_EQ(n, 133u);
    ASSERT_EQ(torino.size(), 150u);
    EXPECT_EQ(undirected(edges_of(Topology::kHeavyHex, 133)), torino);
}

TEST(HeavyHex, other_sizes_are_connected_heavy_hex_pieces) {
    for (std::uint32_t n : {1u, 2u, 7u, 16u, 20u, 50u, 65u, 100u, 200u, 433u}) {
        const auto edges = edges_of(Topology::kHeavyHex, n);
        EXPECT_TRUE(is_connected(n, edges)) << n;
        std::vector<int> degree(n, 0);
        for (const auto& [a, b] : edges) {
            ASSERT_LT(a, n);
            ASSERT_LT(b, n);
            ++degree[a];
            ++degree[b];
        }
        for (std::uint32_t q = 0; q < n; ++q) EXPECT_LE(degree[q], 3) << n << " qubit " << q;
    }
}

TEST(HeavyHex, ibm_layouts_have_degree_at_most_three_and_bipartite_orientation) {
    for (std::uint32_t n : {27u, 127u, 133u}) {
        const auto edges = edges_of(Topology::kHeavyHex, n);
        ASSERT_TRUE(is_connected(n, edges));
        // One direction per edge; every qubit is only a control or only a target.
        std::vector<int> role(n, 0);  // 1 control, 2 target
        for (const auto& [a, b] : edges) {
            EXPECT_NE(role[a], 2) << n << ": " << a;
            EXPECT_NE(role[b], 1) << n << ": " << b;
            role[a] = 1;
            role[b] = 2;
        }
        EXPECT_EQ(undirected(edges).size(), edges.size());
    }
}

TEST(Topology, line_ring_and_grid) {
    EXPECT_EQ(undirected(edges_of(Topology::kLine, 5)), (EdgeSet{{0, 1}, {1, 2}, {2, 3}, {3, 4}}));
    EXPECT_EQ(undirected(edges_of(Topology::kRing, 4)), (EdgeSet{{0, 1}, {1, 2}, {2, 3}, {0, 3}}));
    // An odd ring is not bipartite; every edge still has one direction.
    const auto ring5 = edges_of(Topology::kRing, 5);
    EXPECT_EQ(ring5.size(), 5u);
    EXPECT_EQ(undirected(ring5).size(), 5u);
    // 3 x 3 grid.
    EXPECT_EQ(undirected(edges_of(Topology::kGrid, 9)), (EdgeSet{{0, 1},
                                                                 {1, 2},
                                                                 {3, 4},
                                                                 {4, 5},
                                                                 {6, 7},
                                                                 {7, 8},
                                                                 {0, 3},
                                                                 {1, 4},
                                                                 {2, 5},
                                                                 {3, 6},
                                                                 {4, 7},
                                                                 {5, 8}}));
    // 7 qubits in rows of 3: the last row has one qubit.
    EXPECT_EQ(undirected(edges_of(Topology::kGrid, 7, 3)),
              (EdgeSet{{0, 1}, {1, 2}, {3, 4}, {4, 5}, {0, 3}, {1, 4}, {2, 5}, {3, 6}}));
    EXPECT_TRUE(is_connected(10, edges_of(Topology::kGrid, 10)));
}

TEST(Topology, line_orientation_alternates_from_qubit_zero) {
    EXPECT_EQ(edges_of(Topology::kLine, 4), (std::vector<Edge>{{0, 1}, {2, 1}, {2, 3}}));
}

TEST(Topology, symmetric_edges_lists_both_directions) {
    EXPECT_EQ(symmetric_edges({{0, 1}, {2, 1}}),
              (std::vector<Edge>{{0, 1}, {1, 0}, {1, 2}, {2, 1}}));
}

TEST(Topology, bad_sizes_are_refused_with_reasons) {
    auto zero = coupling_edges(Topology::kLine, 0);
    ASSERT_FALSE(zero.ok());
    EXPECT_EQ(zero.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(zero.status().message().find("num_qubits"), std::string::npos);
    auto ring = coupling_edges(Topology::kRing, 2);
    ASSERT_FALSE(ring.ok());
    EXPECT_NE(ring.status().message().find("ring"), std::string::npos);
    EXPECT_FALSE(coupling_edges(Topology::kGrid, 200000).ok());
}

}  // namespace
}  // namespace qrt::backends
