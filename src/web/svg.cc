#include "web/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "web/html.h"

namespace qrt::web {
namespace {

std::string open_svg(double width, double height, std::string_view title, std::string_view cls) {
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{}\" viewBox=\"0 0 {:.0f} {:.0f}\" "
        "width=\"{:.0f}\" height=\"{:.0f}\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        cls, width, height, width, height, escape_html(title), escape_html(title));
}

// A "nice" axis step for a range.
double nice_step(double range, int ticks) {
    if (!(range > 0)) return 1;
    const double raw = range / ticks;
    const double mag = std::pow(10, std::floor(std::log10(raw)));
    const double r = raw / mag;
    const double nice = r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10;
    return nice * mag;
}

double seconds_between(Timestamp a, Timestamp b) { return to_seconds(b - a); }

}  // namespace

std::string error_colour(double t) {
    if (!std::isfinite(t)) t = 0;
    t = std::clamp(t, 0.0, 1.0);
    // green (46,160,67) -> amber (219,171,9) -> red (207,34,46)
    auto lerp = [](double a, double b, double u) { return a + (b - a) * u; };
    double r, g, b;
    if (t < 0.5) {
        const double u = t / 0.5;
        r = lerp(46, 219, u);
        g = lerp(160, 171, u);
        b = lerp(67, 9, u);
    } else {
        const double u = (t - 0.5) / 0.5;
        r = lerp(219, 207, u);
        g = lerp(171, 34, u);
        b = lerp(9, 46, u);
    }
    return fmt::format("#{:02x}{:02x}{:02x}", static_cast<int>(std::lround(r)),
                       static_cast<int>(std::lround(g)), static_cast<int>(std::lround(b)));
}

std::string histogram_svg(const std::vector<Bar>& bars, std::string_view title) {
    const double bar_w = bars.size() > 24 ? 18 : 36, gap = 6;
    const double left = 48, top = 24, plot_h = 180, label_h = bars.size() > 8 ? 70 : 30;
    const double width =
        std::max(240.0, left + static_cast<double>(bars.size()) * (bar_w + gap) + 16);
    const double height = top + plot_h + label_h;
    double max_v = 0;
    for (const Bar& b : bars) max_v = std::max(max_v, b.value);
    if (!(max_v > 0)) max_v = 1;
    const double step = nice_step(max_v, 4);
    const double axis_max = std::ceil(max_v / step) * step;

    std::string out = open_svg(width, height, title, "chart histogram");
    for (double v = 0; v <= axis_max + step / 2; v += step) {
        const double y = top + plot_h - v / axis_max * plot_h;
        out += fmt::format(
            "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>"
            "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\" text-anchor=\"end\" "
            "fill=\"#555\">{}</text>",
            left, y, width - 8, y, left - 4, y + 3, format_number(v));
    }
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const Bar& b = bars[i];
        const double x = left + gap + static_cast<double>(i) * (bar_w + gap);
        const double h = std::max(0.0, b.value) / axis_max * plot_h;
        const double y = top + plot_h - h;
        const std::string label = escape_html(b.label);
        out += fmt::format(
            "<g class=\"bar\"><title>{}: {}</title><rect x=\"{:.1f}\" y=\"{:.1f}\" "
            "width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#4a6fd1\"/>",
            label, format_number(b.value), x, y, bar_w, h);
        if (bars.size() <= 24) {
            out += fmt::format(
                "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\" text-anchor=\"middle\" "
                "fill=\"#333\">{}</text>",
                x + bar_w / 2, y - 3, format_number(b.value));
        }
        const double lx = x + bar_w / 2, ly = top + plot_h + 12;
        if (bars.size() > 8) {
            out += fmt::format(
                "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\" font-family=\"monospace\" "
                "text-anchor=\"end\" transform=\"rotate(-60 {:.1f} {:.1f})\">{}</text></g>",
                lx, ly, lx, ly, label);
        } else {
            out += fmt::format(
                "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" font-family=\"monospace\" "
                "text-anchor=\"middle\">{}</text></g>",
                lx, ly, label);
        }
    }
    out += "</svg>";
    return out;
}

std::string error_bars_svg(const std::vector<ErrorBar>& points, std::string_view title) {
    const double slot = points.size() > 16 ? 24 : 56;
    const double left = 48, top = 16, plot_h = 180, label_h = points.size() > 8 ? 70 : 30;
    const double width = std::max(240.0, left + static_cast<double>(points.size()) * slot + 16);
    const double height = top + plot_h + label_h;
    double lo = -1, hi = 1;
    for (const ErrorBar& p : points) {
        if (!std::isfinite(p.value)) continue;
        const double e = std::isfinite(p.error) ? std::abs(p.error) : 0;
        lo = std::min(lo, p.value - e);
        hi = std::max(hi, p.value + e);
    }
    const double step = nice_step(hi - lo, 4);
    lo = std::floor(lo / step) * step;
    hi = std::ceil(hi / step) * step;
    auto y_of = [&](double v) { return top + (hi - v) / (hi - lo) * plot_h; };

    std::string out = open_svg(width, height, title, "chart errorbars");
    for (double v = lo; v <= hi + step / 2; v += step) {
        const double y = y_of(v);
        const bool zero = std::abs(v) < step / 1000;
        out += fmt::format(
            "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\"/>"
            "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\" text-anchor=\"end\" "
            "fill=\"#555\">{}</text>",
            left, y, width - 8, y, zero ? "#888" : "#ddd", left - 4, y + 3,
            format_number(zero ? 0.0 : v));
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
        const ErrorBar& p = points[i];
        const double x = left + slot * (static_cast<double>(i) + 0.5);
        const std::string label = escape_html(p.label);
        out += fmt::format("<g class=\"point\"><title>{}: {} ± {}</title>", label,
                           format_number(p.value), format_number(p.error));
        if (std::isfinite(p.value)) {
            const double e = std::isfinite(p.error) ? std::abs(p.error) : 0;
            const double y = y_of(p.value), y0 = y_of(p.value - e), y1 = y_of(p.value + e);
            out += fmt::format(
                "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                "stroke=\"#333\" class=\"whisker\"/>"
                "<line x1=\"{3:.1f}\" y1=\"{1:.1f}\" x2=\"{4:.1f}\" y2=\"{1:.1f}\" "
                "stroke=\"#333\"/>"
                "<line x1=\"{3:.1f}\" y1=\"{2:.1f}\" x2=\"{4:.1f}\" y2=\"{2:.1f}\" "
                "stroke=\"#333\"/>"
                "<circle cx=\"{0:.1f}\" cy=\"{5:.1f}\" r=\"4\" fill=\"#4a6fd1\"/>",
                x, y0, y1, x - 5, x + 5, y);
        }
        const double ly = top + plot_h + 12;
        if (points.size() > 8) {
            out += fmt::format(
                "<text x=\"{0:.1f}\" y=\"{1:.1f}\" font-size=\"10\" font-family=\"monospace\" "
                "text-anchor=\"end\" transform=\"rotate(-60 {0:.1f} {1:.1f})\">{2}</text></g>",
                x, ly, label);
        } else {
            out += fmt::format(
                "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" font-family=\"monospace\" "
                "text-anchor=\"middle\">{}</text></g>",
                x, ly, label);
        }
    }
    out += "</svg>";
    return out;
}

std::string_view to_string(Phase p) {
    switch (p) {
        case Phase::kPending:
            return "pending";
        case Phase::kBusy:
            return "busy";
        case Phase::kActiveIdle:
            return "active, idle";
        case Phase::kInactive:
            return "inactive";
    }
    return "pending";
}

namespace {

std::string_view phase_colour(Phase p) {
    switch (p) {
        case Phase::kPending:
            return "#c8ccd4";
        case Phase::kBusy:
            return "#2ea043";
        case Phase::kActiveIdle:
            return "#9be9a8";
        case Phase::kInactive:
            return "#dbab09";
    }
    return "#c8ccd4";
}

}  // namespace

std::string timeline_svg(const std::vector<TimelineRow>& rows, Timestamp from, Timestamp to) {
    const double left = 270, right = 16, row_h = 22, top = 28, width = 1100;
    const double height =
        top + row_h * static_cast<double>(std::max<std::size_t>(rows.size(), 1)) + 40;
    const double span = std::max(seconds_between(from, to), 1e-3);
    const double plot_w = width - left - right;
    auto x_of = [&](Timestamp t) {
        return left + std::clamp(seconds_between(from, t) / span, 0.0, 1.0) * plot_w;
    };
    std::string out = open_svg(width, height, "Workload timeline", "chart timeline");
    // time axis: 5 ticks
    for (int k = 0; k <= 4; ++k) {
        const double x = left + plot_w * k / 4;
        const Timestamp t = from + std::chrono::duration_cast<Duration>(
                                       std::chrono::duration<double>(span * k / 4));
        out += fmt::format(
            "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#eee\"/>"
            "<text x=\"{0:.1f}\" y=\"{3:.1f}\" font-size=\"10\" text-anchor=\"{4}\" "
            "fill=\"#555\">{5}</text>",
            x, top - 4, height - 36, top - 8,
            k == 0   ? "start"
            : k == 4 ? "end"
                     : "middle",
            // a short span reads better as offsets from the start
            k == 0 || span >= 60 ? escape_html(format_time(t).substr(11))
                                 : fmt::format("+{}", format_seconds(span * k / 4)));
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const TimelineRow& r = rows[i];
        const double y = top + row_h * static_cast<double>(i);
        const std::string label = escape_html(r.label);
        if (!r.href.empty()) {
            out += fmt::format(
                "<a href=\"{}\"><text x=\"4\" y=\"{:.1f}\" font-size=\"11\" "
                "font-family=\"monospace\" fill=\"#0b5cad\">{}</text></a>",
                escape_html(r.href), y + 14, label);
        } else {
            out += fmt::format(
                "<text x=\"4\" y=\"{:.1f}\" font-size=\"11\" font-family=\"monospace\">{}</text>",
                y + 14, label);
        }
        for (const Segment& s : r.segments) {
            const double x0 = x_of(s.from), x1 = x_of(s.to);
            if (x1 <= x0) continue;
            out += fmt::format(
                "<rect class=\"phase-{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.2f}\" "
                "height=\"{:.1f}\" fill=\"{}\"><title>{}: {} to {}</title></rect>",
                s.phase == Phase::kActiveIdle ? "idle" : std::string(to_string(s.phase)), x0, y + 4,
                std::max(x1 - x0, 0.5), row_h - 8, phase_colour(s.phase), to_string(s.phase),
                escape_html(format_time(s.from)), escape_html(format_time(s.to)));
        }
        if (r.closed) {
            const double x = x_of(*r.closed);
            out += fmt::format(
                "<line class=\"closed\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" "
                "y2=\"{2:.1f}\" stroke=\"#cf222e\" stroke-width=\"2\"><title>closed {3}</title>"
                "</line>",
                x, y + 2, y + row_h - 2, escape_html(format_time(r.closed)));
        }
    }
    // legend
    double lx = left;
    const double ly = height - 18;
    for (Phase p : {Phase::kPending, Phase::kBusy, Phase::kActiveIdle, Phase::kInactive}) {
        out += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
            "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\">{}</text>",
            lx, ly - 10, phase_colour(p), lx + 16, ly, to_string(p));
        lx += 110;
    }
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#cf222e\" "
        "stroke-width=\"2\"/><text x=\"{3:.1f}\" y=\"{4:.1f}\" font-size=\"11\">closed</text>",
        lx + 6, ly - 11, ly + 1, lx + 14, ly);
    out += "</svg>";
    return out;
}

std::string usage_split_svg(double busy_s, double idle_s) {
    const double width = 320, height = 34;
    busy_s = std::isfinite(busy_s) ? std::max(0.0, busy_s) : 0;
    idle_s = std::isfinite(idle_s) ? std::max(0.0, idle_s) : 0;
    const double total = busy_s + idle_s;
    const double busy_w = total > 0 ? width * busy_s / total : 0;
    std::string out = open_svg(width, height, "Usage: busy and idle time", "chart usage");
    out += fmt::format(
        "<rect x=\"0\" y=\"4\" width=\"{:.1f}\" height=\"16\" fill=\"#2ea043\"><title>busy {}"
        "</title></rect><rect x=\"{:.1f}\" y=\"4\" width=\"{:.1f}\" height=\"16\" "
        "fill=\"#9be9a8\"><title>idle {}</title></rect>",
        busy_w, format_seconds(busy_s), busy_w, width - busy_w, format_seconds(idle_s));
    if (total <= 0) {
        out += "<rect x=\"0\" y=\"4\" width=\"320\" height=\"16\" fill=\"#eee\"/>";
    }
    out += fmt::format(
        "<text x=\"0\" y=\"32\" font-size=\"10\">busy {}</text><text x=\"320\" y=\"32\" "
        "font-size=\"10\" text-anchor=\"end\">idle {}</text></svg>",
        format_seconds(busy_s), format_seconds(idle_s));
    return out;
}

std::string device_map_svg(const DeviceMap& map) {
    const std::uint32_t n = map.num_qubits;
    double max_x = 0, max_y = 0;
    for (std::uint32_t i = 0; i < n && i < map.positions.size(); ++i) {
        max_x = std::max(max_x, map.positions[i].x);
        max_y = std::max(max_y, map.positions[i].y);
    }
    // Scale so that unit edges are readable and big devices still fit about 860 px.
    const double unit = std::clamp(860.0 / std::max(max_x, 1.0), 14.0, 56.0);
    const double r = std::clamp(unit * 0.32, 5.0, 13.0);
    const double pad = r + 8;
    const double width = std::max(max_x * unit + 2 * pad, 560.0);
    const double legend_h = 30;
    const double height = max_y * unit + 2 * pad + legend_h;
    auto px = [&](std::uint32_t q) {
        const Point p = q < map.positions.size() ? map.positions[q] : Point{};
        return Point{pad + p.x * unit, pad + p.y * unit};
    };
    // Log-scale colour across this device's range.
    auto scale_of = [](auto values) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (double v : values) {
            if (v > 0 && std::isfinite(v)) {
                lo = std::min(lo, std::log(v));
                hi = std::max(hi, std::log(v));
            }
        }
        return std::pair{lo, hi};
    };
    std::vector<double> ro;
    for (const auto& e : map.readout_error) {
        if (e) ro.push_back(*e);
    }
    std::vector<double> ge;
    for (const auto& [k, v] : map.edge_error) ge.push_back(v);
    const auto [ro_lo, ro_hi] = scale_of(ro);
    const auto [ge_lo, ge_hi] = scale_of(ge);
    auto t_of = [](double v, double lo, double hi) {
        if (!(v > 0) || !std::isfinite(lo) || hi - lo < 1e-12) return 0.0;
        return (std::log(v) - lo) / (hi - lo);
    };

    std::string out =
        open_svg(width, height, fmt::format("Device map of {}", map.backend), "chart devicemap");
    out += "<g class=\"edges\">";
    for (auto [a, b] : map.edges) {
        if (a >= n || b >= n) continue;
        const Point p = px(a), q = px(b);
        const auto key = std::pair{std::min(a, b), std::max(a, b)};
        auto it = map.edge_error.find(key);
        const std::string colour =
            it == map.edge_error.end() ? "#999999" : error_colour(t_of(it->second, ge_lo, ge_hi));
        const std::string tip = it == map.edge_error.end() ? fmt::format("{}-{}", a, b)
                                                           : fmt::format("{}-{}: 2q error {}", a, b,
                                                                         format_number(it->second));
        out += fmt::format(
            "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
            "stroke-width=\"{:.1f}\"><title>{}</title></line>",
            p.x, p.y, q.x, q.y, colour, std::max(2.0, r * 0.45), escape_html(tip));
    }
    out += "</g><g class=\"qubits\">";
    for (std::uint32_t qb = 0; qb < n; ++qb) {
        const Point p = px(qb);
        const std::optional<double> e =
            qb < map.readout_error.size() ? map.readout_error[qb] : std::nullopt;
        const std::string colour = e ? error_colour(t_of(*e, ro_lo, ro_hi)) : "#999999";
        const std::string tip = e ? fmt::format("qubit {}: readout error {}", qb, format_number(*e))
                                  : fmt::format("qubit {}", qb);
        out += fmt::format(
            "<g class=\"qubit\"><title>{}</title><circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:.1f}\" "
            "fill=\"{}\" stroke=\"#333\" stroke-width=\"1\"/>",
            escape_html(tip), p.x, p.y, r, colour);
        if (r >= 8) {
            out += fmt::format(
                "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"{:.0f}\" text-anchor=\"middle\" "
                "fill=\"#fff\">{}</text>",
                p.x, p.y + r * 0.35, r * 0.9, qb);
        }
        out += "</g>";
    }
    out += "</g>";
    // legend: a gradient made of five swatches (no <defs> ids, several maps may share a page)
    const double ly = height - legend_h + 8;
    out += fmt::format("<text x=\"4\" y=\"{:.1f}\" font-size=\"11\">error: low</text>", ly + 10);
    for (int k = 0; k < 5; ++k) {
        out +=
            fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"16\" height=\"12\" fill=\"{}\"/>",
                        70.0 + 16 * k, ly, error_colour(k / 4.0));
    }
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\">high (qubits: readout; couplers: 2q "
        "gate; log scale per device)</text>",
        154.0, ly + 10);
    out += "</svg>";
    return out;
}

}  // namespace qrt::web
