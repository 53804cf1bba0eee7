#include "backends/topology.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <tuple>

namespace qrt::backends {

namespace {

constexpr std::uint32_t kMaxQubits = 100000;

// A heavy-hex lattice: rows of qubits joined by "bridge" qubits. Gap g lies between row g and
// row g + 1 (gap -1 above row 0, gap R-1 below the last row: bridges there hang off one row) and
// has a bridge at every column c of the rows it touches with c == first_offset + 2 g (mod 4).
struct HeavyHexLayout {
    std::vector<std::pair<int, int>> rows;  // [first column, last column] of each row
    int first_offset = 0;
    int first_gap = 0, last_gap = 0;  // the gaps that have bridges, inclusive
    bool column_major = false;        // numbering: IBM's Falcon counts down the columns
};

// A site of the lattice: a row qubit (gap == false) or a bridge of gap `level`.
struct Site {
    bool bridge = false;
    int level = 0;  // the row, or the gap
    int col = 0;
};

bool row_has(const HeavyHexLayout& l, int row, int col) {
    if (row < 0 || row >= static_cast<int>(l.rows.size())) return false;
    return col >= l.rows[static_cast<std::size_t>(row)].first &&
           col <= l.rows[static_cast<std::size_t>(row)].second;
}

bool gap_has(const HeavyHexLayout& l, int gap, int col) {
    if (gap < l.first_gap || gap > l.last_gap) return false;
    if ((((col - l.first_offset - 2 * gap) % 4) + 4) % 4 != 0) return false;
    const bool above = row_has(l, gap, col), below = row_has(l, gap + 1, col);
    const bool above_exists = gap >= 0, below_exists = gap + 1 < static_cast<int>(l.rows.size());
    // Between two rows a bridge needs both ends; a dangling gap needs its one row.
    if (above_exists && below_exists) return above && below;
    return above || below;
}

// The lattice's qubits in IBM's numbering, and its undirected edges.
std::pair<std::uint32_t, std::vector<Edge>> build_heavy_hex(const HeavyHexLayout& l) {
    int min_col = 0, max_col = 0;
    for (const auto& [lo, hi] : l.rows) {
        min_col = std::min(min_col, lo);
        max_col = std::max(max_col, hi);
    }
    const int num_rows = static_cast<int>(l.rows.size());
    std::vector<Site> order;
    auto add_row = [&](int r) {
        for (int c = l.rows[static_cast<std::size_t>(r)].first;
             c <= l.rows[static_cast<std::size_t>(r)].second; ++c) {
            order.push_back({false, r, c});
        }
    };
    auto add_gap = [&](int g) {
        for (int c = min_col; c <= max_col; ++c) {
            if (gap_has(l, g, c)) order.push_back({true, g, c});
        }
    };
    if (l.column_major) {
        for (int c = min_col; c <= max_col; ++c) {
            for (int level = -1; level < num_rows; ++level) {
                if (gap_has(l, level, c)) order.push_back({true, level, c});
                if (level + 1 < num_rows && row_has(l, level + 1, c)) {
                    order.push_back({false, level + 1, c});
                }
            }
        }
    } else {
        add_gap(-1);
        for (int r = 0; r < num_rows; ++r) {
            add_row(r);
            add_gap(r);
        }
    }
    std::map<std::tuple<bool, int, int>, std::uint32_t> index;
    for (std::size_t i = 0; i < order.size(); ++i) {
        index[{order[i].bridge, order[i].level, order[i].col}] = static_cast<std::uint32_t>(i);
    }
    auto find = [&](bool bridge, int level, int col) -> std::optional<std::uint32_t> {
        auto it = index.find({bridge, level, col});
        if (it == index.end()) return std::nullopt;
        return it->second;
    };
    std::vector<Edge> edges;
    for (const Site& s : order) {
        const std::uint32_t a = index.at({s.bridge, s.level, s.col});
        if (!s.bridge) {
            if (auto b = find(false, s.level, s.col + 1)) edges.emplace_back(a, *b);
        } else {
            if (auto b = find(false, s.level, s.col)) edges.emplace_back(a, *b);
            if (auto b = find(false, s.level + 1, s.col)) edges.emplace_back(a, *b);
        }
    }
    return {static_cast<std::uint32_t>(order.size()), std::move(edges)};
}

// IBM Falcon r4/r5 (27 qubits): two rows and bridges at odd columns, numbered down columns.
HeavyHexLayout falcon27() { return {{{0, 9}, {1, 10}}, 1, -1, 1, true}; }
// IBM Eagle r3 (127 qubits): seven rows; the first and last one qubit short.
HeavyHexLayout eagle127() {
    HeavyHexLayout l;
    l.rows = {{0, 13}, {0, 14}, {0, 14}, {0, 14}, {0, 14}, {0, 14}, {1, 14}};
    l.first_gap = 0;
    l.last_gap = 5;
    return l;
}
// IBM Heron r1 (133 qubits): seven rows of 15 and a row of bridges hanging below the last.
// With more rows it is also the lattice other sizes are cut from.
HeavyHexLayout heron(int rows, bool dangling_last) {
    HeavyHexLayout l;
    l.rows.assign(static_cast<std::size_t>(rows), {0, 14});
    l.first_gap = 0;
    l.last_gap = dangling_last ? rows - 1 : rows - 2;
    return l;
}

// The n qubits grown from qubit 0, always taking the lowest-numbered neighbour of the set so far,
// renumbered in their original order.
std::vector<Edge> connected_prefix(std::uint32_t total, const std::vector<Edge>& edges,
                                   std::uint32_t n) {
    std::vector<std::vector<std::uint32_t>> adj(total);
    for (const auto& [a, b] : edges) {
        adj[a].push_back(b);
        adj[b].push_back(a);
    }
    std::vector<bool> taken(total, false), queued(total, false);
    std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<>> frontier;
    frontier.push(0);
    queued[0] = true;
    std::uint32_t count = 0;
    while (count < n && !frontier.empty()) {
        const std::uint32_t q = frontier.top();
        frontier.pop();
        taken[q] = true;
        ++count;
        for (std::uint32_t r : adj[q]) {
            if (!queued[r]) {
                queued[r] = true;
                frontier.push(r);
            }
        }
    }
    std::vector<std::uint32_t> renumber(total, 0);
    std::uint32_t next = 0;
    for (std::uint32_t q = 0; q < total; ++q) {
        if (taken[q]) renumber[q] = next++;
    }
    std::vector<Edge> out;
    for (const auto& [a, b] : edges) {
        if (taken[a] && taken[b]) out.emplace_back(renumber[a], renumber[b]);
    }
    return out;
}

std::vector<Edge> heavy_hex(std::uint32_t n) {
    if (n == 27) return build_heavy_hex(falcon27()).second;
    if (n == 127) return build_heavy_hex(eagle127()).second;
    if (n == 133) return build_heavy_hex(heron(7, true)).second;
    const int rows = static_cast<int>(n / 19) + 2;
    auto [total, edges] = build_heavy_hex(heron(rows, false));
    return connected_prefix(total, edges, n);
}

// Orients each edge from colour 0 to colour 1 of a BFS 2-colouring from qubit 0 (per component);
// same-colour edges (odd cycles) point from the higher index to the lower.
std::vector<Edge> orient(std::uint32_t n, std::vector<Edge> edges) {
    std::vector<std::vector<std::uint32_t>> adj(n);
    for (const auto& [a, b] : edges) {
        adj[a].push_back(b);
        adj[b].push_back(a);
    }
    std::vector<int> colour(n, -1);
    for (std::uint32_t start = 0; start < n; ++start) {
        if (colour[start] >= 0) continue;
        colour[start] = 0;
        std::deque<std::uint32_t> queue{start};
        while (!queue.empty()) {
            const std::uint32_t q = queue.front();
            queue.pop_front();
            for (std::uint32_t r : adj[q]) {
                if (colour[r] < 0) {
                    colour[r] = 1 - colour[q];
                    queue.push_back(r);
                }
            }
        }
    }
    for (auto& [a, b] : edges) {
        const bool flip = colour[a] == colour[b] ? a < b : colour[a] == 1;
        if (flip) std::swap(a, b);
    }
    std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
        return std::minmax(x.first, x.second) < std::minmax(y.first, y.second);
    });
    return edges;
}

}  // namespace

Result<std::vector<Edge>> coupling_edges(Topology topology, std::uint32_t num_qubits,
                                         std::uint32_t grid_columns) {
    if (num_qubits == 0) return invalid_argument("num_qubits: must be at least 1");
    if (num_qubits > kMaxQubits) {
        return invalid_argument(
            fmt::format("num_qubits: must be at most {}, got {}", kMaxQubits, num_qubits));
    }
    std::vector<Edge> edges;
    switch (topology) {
        case Topology::kLine:
            for (std::uint32_t q = 0; q + 1 < num_qubits; ++q) edges.emplace_back(q, q + 1);
            break;
        case Topology::kRing:
            if (num_qubits < 3) {
                return invalid_argument(
                    fmt::format("num_qubits: a ring needs at least 3 qubits, got {}", num_qubits));
            }
            for (std::uint32_t q = 0; q + 1 < num_qubits; ++q) edges.emplace_back(q, q + 1);
            edges.emplace_back(0, num_qubits - 1);
            break;
        case Topology::kGrid: {
            std::uint32_t cols = grid_columns;
            if (cols == 0) {
                cols = static_cast<std::uint32_t>(std::ceil(std::sqrt(num_qubits)));
                while (cols * cols < num_qubits) ++cols;
                while (cols > 1 && (cols - 1) * (cols - 1) >= num_qubits) --cols;
            }
            if (cols > num_qubits) cols = num_qubits;
            for (std::uint32_t q = 0; q < num_qubits; ++q) {
                if ((q % cols) + 1 < cols && q + 1 < num_qubits) edges.emplace_back(q, q + 1);
                if (q + cols < num_qubits) edges.emplace_back(q, q + cols);
            }
            break;
        }
        case Topology::kHeavyHex:
            edges = heavy_hex(num_qubits);
            break;
    }
    return orient(num_qubits, std::move(edges));
}

std::vector<Edge> symmetric_edges(const std::vector<Edge>& edges) {
    std::vector<Edge> out;
    out.reserve(edges.size() * 2);
    for (const auto& [a, b] : edges) {
        out.emplace_back(a, b);
        out.emplace_back(b, a);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool is_connected(std::uint32_t num_qubits, const std::vector<Edge>& edges) {
    if (num_qubits == 0) return false;
    std::vector<std::vector<std::uint32_t>> adj(num_qubits);
    for (const auto& [a, b] : edges) {
        if (a >= num_qubits || b >= num_qubits) return false;
        adj[a].push_back(b);
        adj[b].push_back(a);
    }
    std::vector<bool> seen(num_qubits, false);
    std::deque<std::uint32_t> queue{0};
    seen[0] = true;
    std::uint32_t count = 1;
    while (!queue.empty()) {
        const std::uint32_t q = queue.front();
        queue.pop_front();
        for (std::uint32_t r : adj[q]) {
            if (!seen[r]) {
                seen[r] = true;
                ++count;
                queue.push_back(r);
            }
        }
    }
    return count == num_qubits;
}

}  // namespace qrt::backends
