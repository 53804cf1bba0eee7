// A readable 2-D drawing of a coupling graph, computed once per backend (device map).
//
// Lines (a path) are drawn as a row, snaking when long; rings as a circle; every other graph
// (grid, heavy-hex, anything a configuration gives) by stress majorization (Gansner, Koren and
// North, "Graph drawing by stress majorization", 2004) from a classical MDS start: positions
// whose distances match the graph distances as well as possible, which draws grids as grids and
// heavy-hex lattices as their hexagons. Deterministic: the same graph gives the same drawing.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace qrt::web {

struct Point {
    double x = 0, y = 0;
};

// Positions of nodes 0..n-1 (edges name nodes < n; others are ignored), scaled so that the
// shortest edge is about 1 unit long and the drawing starts at (0, 0). Graphs of more than
// 2000 nodes are drawn as rows of 40 (stress majorization is quadratic).
std::vector<Point> layout_graph(std::uint32_t n,
                                const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges);

}  // namespace qrt::web
