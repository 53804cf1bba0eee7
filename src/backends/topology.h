// Coupling graphs of emulated devices: line, ring, grid and IBM's heavy-hex lattice.
//
// Heavy-hex reproduces IBM's layouts and qubit numbering exactly for 27 qubits (Falcon r4/r5,
// ibm_kolkata / ibmq_montreal), 127 (Eagle r3, ibm_brisbane) and 133 (Heron r1, ibm_torino); any
// other size is the connected set of the n lowest-numbered qubits (grown from qubit 0) of a
// Heron-r1-style lattice, renumbered 0..n-1 in the same order.
//
// Edges come oriented (first = control of an ECR gate): the graph is 2-coloured from qubit 0
// (every graph here but an odd ring is bipartite) and each edge points from colour 0 to colour 1;
// an odd ring's closing edge points from the higher to the lower index. IBM's own directions
// come from measured qubit frequencies and follow no rule; ours is deterministic and documented
// in docs/backends.md. CZ devices use both directions of each edge.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "backends/backend.h"
#include "base/status.h"

namespace qrt::backends {

using Edge = std::pair<std::uint32_t, std::uint32_t>;

// The undirected edges of the layout, each once, oriented as described above, sorted by
// (min, max) of the pair. `grid_columns` (grid only; 0: the smallest c with c*c >= n) sets the row
// length; the last row may be partial. Errors (invalid_argument): n == 0, n > 100000, a ring of
// fewer than 3 qubits.
Result<std::vector<Edge>> coupling_edges(Topology topology, std::uint32_t num_qubits,
                                         std::uint32_t grid_columns = 0);

// Both directions of every edge (CZ devices), sorted.
std::vector<Edge> symmetric_edges(const std::vector<Edge>& edges);

// Whether the undirected graph on 0..n-1 is connected (a device must be; qubits of degree 0
// count only when n == 1).
bool is_connected(std::uint32_t num_qubits, const std::vector<Edge>& edges);

}  // namespace qrt::backends
