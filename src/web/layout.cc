#include "web/layout.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <numbers>

namespace qrt::web {
namespace {

using Adjacency = std::vector<std::vector<std::uint32_t>>;

constexpr std::uint32_t kMaxStressNodes = 2000;
constexpr std::uint32_t kSnakeWidth = 16;  // a path longer than this snakes
constexpr int kStressIterations = 300;

std::vector<Point> rows(std::uint32_t n, std::uint32_t width) {
    std::vector<Point> p(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        p[i] = {static_cast<double>(i % width), static_cast<double>(i / width)};
    }
    return p;
}

// The nodes of a path or cycle in walking order from `start`.
std::vector<std::uint32_t> walk(const Adjacency& adj, std::uint32_t start) {
    std::vector<std::uint32_t> order{start};
    std::vector<bool> seen(adj.size(), false);
    seen[start] = true;
    std::uint32_t at = start;
    while (true) {
        bool moved = false;
        for (std::uint32_t next : adj[at]) {
            if (!seen[next]) {
                seen[next] = true;
                order.push_back(next);
                at = next;
                moved = true;
                break;
            }
        }
        if (!moved) return order;
    }
}

std::vector<std::vector<double>> graph_distances(const Adjacency& adj) {
    const std::size_t n = adj.size();
    std::vector<std::vector<double>> d(n, std::vector<double>(n, -1));
    double longest = 0;
    for (std::size_t s = 0; s < n; ++s) {
        std::deque<std::uint32_t> q{static_cast<std::uint32_t>(s)};
        d[s][s] = 0;
        while (!q.empty()) {
            const std::uint32_t u = q.front();
            q.pop_front();
            for (std::uint32_t v : adj[u]) {
                if (d[s][v] < 0) {
                    d[s][v] = d[s][u] + 1;
                    longest = std::max(longest, d[s][v]);
                    q.push_back(v);
                }
            }
        }
    }
    for (auto& row : d) {
        for (double& x : row) {
            if (x < 0) x = longest + 1;  // another component: a little apart
        }
    }
    return d;
}

// Top eigenvector of the symmetric matrix `b` orthogonal to `avoid` (power iteration).
std::vector<double> top_eigenvector(const std::vector<std::vector<double>>& b,
                                    const std::vector<double>* avoid, double& eigenvalue) {
    const std::size_t n = b.size();
    std::vector<double> v(n), w(n);
    // A fixed, irregular start vector: deterministic, and not orthogonal to the answer.
    for (std::size_t i = 0; i < n; ++i) v[i] = std::sin(1.0 + 0.7 * static_cast<double>(i));
    eigenvalue = 0;
    for (int it = 0; it < 200; ++it) {
        if (avoid != nullptr) {
            double dot = 0;
            for (std::size_t i = 0; i < n; ++i) dot += v[i] * (*avoid)[i];
            for (std::size_t i = 0; i < n; ++i) v[i] -= dot * (*avoid)[i];
        }
        double norm = 0;
        for (std::size_t i = 0; i < n; ++i) {
            double s = 0;
            for (std::size_t j = 0; j < n; ++j) s += b[i][j] * v[j];
            w[i] = s;
            norm += s * s;
        }
        norm = std::sqrt(norm);
        if (norm < 1e-12) break;
        eigenvalue = norm;
        for (std::size_t i = 0; i < n; ++i) v[i] = w[i] / norm;
    }
    return v;
}

std::vector<Point> stress_layout(const Adjacency& adj) {
    const std::size_t n = adj.size();
    const auto d = graph_distances(adj);
    // Classical MDS: B = -1/2 J D^2 J; the two top eigenvectors give the start.
    std::vector<std::vector<double>> b(n, std::vector<double>(n));
    std::vector<double> row_mean(n, 0);
    double all_mean = 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) row_mean[i] += d[i][j] * d[i][j];
        all_mean += row_mean[i];
        row_mean[i] /= static_cast<double>(n);
    }
    all_mean /= static_cast<double>(n * n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            b[i][j] = -0.5 * (d[i][j] * d[i][j] - row_mean[i] - row_mean[j] + all_mean);
        }
    }
    double l1 = 0, l2 = 0;
    const auto v1 = top_eigenvector(b, nullptr, l1);
    const auto v2 = top_eigenvector(b, &v1, l2);
    std::vector<Point> p(n);
    for (std::size_t i = 0; i < n; ++i) {
        // A tiny deterministic jitter keeps coincident starts apart.
        p[i] = {v1[i] * std::sqrt(l1) + 1e-3 * std::sin(static_cast<double>(i)),
                v2[i] * std::sqrt(l2) + 1e-3 * std::cos(static_cast<double>(i))};
    }
    // Stress majorization, localized (Jacobi-style) update with weights d^-2.
    for (int it = 0; it < kStressIterations; ++it) {
        for (std::size_t i = 0; i < n; ++i) {
            double sx = 0, sy = 0, sw = 0;
            for (std::size_t j = 0; j < n; ++j) {
                if (i == j) continue;
                const double w = 1.0 / (d[i][j] * d[i][j]);
                const double dx = p[i].x - p[j].x, dy = p[i].y - p[j].y;
                const double dist = std::max(std::hypot(dx, dy), 1e-9);
                sx += w * (p[j].x + d[i][j] * dx / dist);
                sy += w * (p[j].y + d[i][j] * dy / dist);
                sw += w;
            }
            if (sw > 0) p[i] = {sx / sw, sy / sw};
        }
    }
    return p;
}

void normalize(std::vector<Point>& p,
               const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges) {
    if (p.empty()) return;
    double shortest = std::numeric_limits<double>::infinity();
    for (auto [a, b] : edges) {
        if (a >= p.size() || b >= p.size() || a == b) continue;
        shortest = std::min(shortest, std::hypot(p[a].x - p[b].x, p[a].y - p[b].y));
    }
    const double scale = std::isfinite(shortest) && shortest > 1e-9 ? 1.0 / shortest : 1.0;
    double min_x = std::numeric_limits<double>::infinity(), min_y = min_x;
    for (const Point& q : p) {
        min_x = std::min(min_x, q.x);
        min_y = std::min(min_y, q.y);
    }
    for (Point& q : p) q = {(q.x - min_x) * scale, (q.y - min_y) * scale};
}

}  // namespace

std::vector<Point> layout_graph(std::uint32_t n,
                                const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges) {
    if (n == 0) return {};
    if (n > kMaxStressNodes) return rows(n, 40);
    Adjacency adj(n);
    std::size_t undirected = 0;
    for (auto [a, b] : edges) {
        if (a >= n || b >= n || a == b) continue;
        if (std::find(adj[a].begin(), adj[a].end(), b) != adj[a].end()) continue;
        adj[a].push_back(b);
        adj[b].push_back(a);
        ++undirected;
    }
    for (auto& list : adj) std::sort(list.begin(), list.end());
    std::size_t max_degree = 0;
    for (const auto& list : adj) max_degree = std::max(max_degree, list.size());

    std::vector<Point> p;
    if (n == 1) {
        p = {Point{}};
    } else if (max_degree <= 2 && undirected == n - 1) {
        // A path (connected: n - 1 edges and no cycle of degree <= 2 otherwise): a row, snaking.
        std::uint32_t start = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            if (adj[i].size() == 1) {
                start = i;
                break;
            }
        }
        const auto order = walk(adj, start);
        if (order.size() == n) {
            p.resize(n);
            const std::uint32_t width = std::min(n, kSnakeWidth);
            for (std::uint32_t k = 0; k < n; ++k) {
                const std::uint32_t r = k / width, c = k % width;
                p[order[k]] = {static_cast<double>(r % 2 == 0 ? c : width - 1 - c),
                               static_cast<double>(r)};
            }
        }
    } else if (max_degree == 2 && undirected == n) {
        const auto order = walk(adj, 0);
        if (order.size() == n) {
            p.resize(n);
            for (std::uint32_t k = 0; k < n; ++k) {
                const double a = 2 * std::numbers::pi * k / n - std::numbers::pi / 2;
                p[order[k]] = {std::cos(a), std::sin(a)};
            }
        }
    }
    if (p.empty()) p = stress_layout(adj);
    normalize(p, edges);
    return p;
}

}  // namespace qrt::web
