// The pictures of the web pages as inline SVG (no scripts, no external references): a counts
// histogram (sampler), expectation values with error bars (estimator), a workload timeline, a
// busy/idle usage bar and a device map (coupling graph coloured by error rates). Every label is
// escaped; numbers are formatted here.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/time.h"
#include "web/layout.h"

namespace qrt::web {

struct Bar {
    std::string label;
    double value = 0;
};
// Vertical bars with their labels under them and values above; `title` names the chart (also
// the SVG's accessible name).
std::string histogram_svg(const std::vector<Bar>& bars, std::string_view title);

struct ErrorBar {
    std::string label;
    double value = 0;
    double error = 0;  // half-width of the bar (one standard deviation)
};
// Points with ±error whiskers on an axis that covers [-1, 1] and every value ± error.
std::string error_bars_svg(const std::vector<ErrorBar>& points, std::string_view title);

enum class Phase { kPending, kBusy, kActiveIdle, kInactive };
std::string_view to_string(Phase p);  // "pending", "busy", "active, idle", "inactive"

struct Segment {
    Timestamp from{}, to{};
    Phase phase = Phase::kPending;
};
struct TimelineRow {
    std::string label;  // the session id
    std::string href;   // its page ("" for none); a path of ours, escaped anyway
    std::vector<Segment> segments;
    std::optional<Timestamp> closed;  // drawn as a bar end
};
// One row per workload on a common time axis [from, to].
std::string timeline_svg(const std::vector<TimelineRow>& rows, Timestamp from, Timestamp to);

// A horizontal bar split into busy and idle seconds.
std::string usage_split_svg(double busy_s, double idle_s);

struct DeviceMap {
    std::string backend;
    std::uint32_t num_qubits = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;            // undirected, each once
    std::vector<std::optional<double>> readout_error;                      // per qubit
    std::map<std::pair<std::uint32_t, std::uint32_t>, double> edge_error;  // key (min, max)
    std::vector<Point> positions;                                          // layout_graph()
};
// Nodes coloured by readout error and edges by two-qubit gate error (green = best on this
// device, red = worst, on a log scale), a legend, a <title> tooltip per qubit and coupler.
std::string device_map_svg(const DeviceMap& map);

// "#rrggbb" from green (t = 0) through amber to red (t = 1); t clamped.
std::string error_colour(double t);

}  // namespace qrt::web
