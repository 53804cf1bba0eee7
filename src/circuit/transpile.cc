#include "circuit/transpile.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <complex>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <numbers>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>

#include "circuit/isa.h"

namespace qrt::circuit {

namespace {

using C = std::complex<double>;
using K = GateKind;
constexpr double kPi = std::numbers::pi;
// Angles and matrix entries closer than this are equal (synthesis and identity checks).
constexpr double kTol = 1e-10;
// The largest multi-controlled gate unrolled (its phase network has 2^n cx).
constexpr std::size_t kMaxMcxQubits = 12;
constexpr int kMaxDepth = 64;
// Layout candidates tried, forward-backward refinements of each, routing seeds per start.
constexpr std::size_t kTrials = 4;
constexpr int kLayoutIterations = 1;
constexpr std::uint64_t kRoutingSeeds = 2;

Status unimplemented(std::string m) { return {ErrorCode::kUnimplemented, std::move(m)}; }

// ---------------------------------------------------------------- expressions

bool is_zero(const Expr& e) {
    auto v = e.value();
    return v && *v == 0.0;
}

Expr add(const Expr& a, const Expr& b) {
    if (is_zero(b)) return a;
    if (is_zero(a)) return b;
    return a + b;
}

Expr scale(const Expr& a, double k) {
    if (k == 1.0) return a;
    if (auto v = a.value()) return *v * k;
    return a * Expr(k);
}

// Replaces symbols by expressions (a custom gate's formal parameters by its actual ones).
Expr substitute(const Expr& e, const std::map<std::string, Expr>& m) {
    if (m.empty() || e.is_constant()) return e;
    switch (e.kind()) {
        case Expr::Kind::kConstant:
            return e;
        case Expr::Kind::kSymbol: {
            auto it = m.find(e.symbol_ref().name);
            return it == m.end() ? e : it->second;
        }
        case Expr::Kind::kUnary:
            return Expr::unary(e.op(), substitute(e.lhs(), m));
        case Expr::Kind::kBinary:
            return Expr::binary(e.op(), substitute(e.lhs(), m), substitute(e.rhs(), m));
    }
    return e;
}

// ---------------------------------------------------------------- 2x2 matrices

struct Mat2 {
    std::array<C, 4> m{1.0, 0.0, 0.0, 1.0};  // row-major
};

Mat2 mul(const Mat2& x, const Mat2& y) {
    return {{x.m[0] * y.m[0] + x.m[1] * y.m[2], x.m[0] * y.m[1] + x.m[1] * y.m[3],
             x.m[2] * y.m[0] + x.m[3] * y.m[2], x.m[2] * y.m[1] + x.m[3] * y.m[3]}};
}

Mat2 to_mat2(const Matrix& g) { return {{g(0, 0), g(0, 1), g(1, 0), g(1, 1)}}; }

// The phase g with a = e^{ig} b, or nullopt when a and b differ by more than a phase.
std::optional<double> phase_between(const Mat2& a, const Mat2& b) {
    std::size_t k = 0;
    for (std::size_t i = 1; i < 4; ++i) {
        if (std::abs(b.m[i]) > std::abs(b.m[k])) k = i;
    }
    if (std::abs(b.m[k]) < 1e-6) return std::nullopt;
    const C ratio = a.m[k] / b.m[k];
    if (!(std::abs(std::abs(ratio) - 1.0) < 1e-6)) return std::nullopt;
    const C unit = ratio / std::abs(ratio);
    for (std::size_t i = 0; i < 4; ++i) {
        if (std::abs(a.m[i] - unit * b.m[i]) > 1e-9) return std::nullopt;
    }
    return std::arg(unit);
}

// Into (-pi, pi].
double wrap_angle(double a) {
    a = std::remainder(a, 2 * kPi);
    if (a <= -kPi) a += 2 * kPi;
    return a;
}

std::optional<std::vector<double>> numeric_params(const Instruction& inst) {
    std::vector<double> out;
    out.reserve(inst.params.size());
    for (const Expr& e : inst.params) {
        auto v = e.value();
        if (!v) return std::nullopt;
        out.push_back(*v);
    }
    return out;
}

bool is_one_qubit_gate(K k) {
    return gate_info(k).unitary && gate_info(k).num_qubits == 1;
}

// ---------------------------------------------------------------- target facts

// What the transpiler needs to know about a target, precomputed once.
struct TargetModel {
    const Target* target = nullptr;
    std::uint32_t n = 0;
    // Two-qubit natives this transpiler can aim cx at, by name.
    std::vector<std::string> natives;  // subset of {"cx", "ecr", "cz"}
    bool all_to_all = false;           // some native is global: no routing needed
    std::vector<bool> usable;          // physical qubit can hold a virtual qubit
    std::vector<std::vector<std::uint32_t>> adj;  // undirected coupling among usable qubits
    std::vector<std::vector<int>> dist;           // hop distance, -1 when unreachable
    std::vector<double> qubit_error;              // readout + one-qubit error
    std::map<std::pair<std::uint32_t, std::uint32_t>, double> edge_error;  // min over natives

    bool supports(std::string_view name, std::uint32_t q) const {
        return target->instruction_supported(name, Qargs{q});
    }
    bool supports(std::string_view name, std::uint32_t a, std::uint32_t b) const {
        return target->instruction_supported(name, Qargs{a, b});
    }
    bool global(std::string_view name) const {
        const TargetInstruction* ti = target->find(name);
        return ti != nullptr && ti->global;
    }
    bool adjacent(std::uint32_t a, std::uint32_t b) const {
        if (all_to_all) return true;
        return dist[a][b] == 1;
    }
    double pair_error(std::uint32_t a, std::uint32_t b) const {
        auto it = edge_error.find({std::min(a, b), std::max(a, b)});
        return it == edge_error.end() ? 0.0 : it->second;
    }
};

TargetModel model_target(const Target& t) {
    TargetModel m;
    m.target = &t;
    m.n = t.num_qubits;
    for (const char* name : {"cx", "ecr", "cz"}) {
        if (const TargetInstruction* ti = t.find(name)) {
            m.natives.emplace_back(name);
            if (ti->global) m.all_to_all = true;
        }
    }
    m.usable.assign(m.n, false);
    m.qubit_error.assign(m.n, 0.0);
    const bool has_measure = t.find("measure") != nullptr;
    for (std::uint32_t q = 0; q < m.n; ++q) {
        const bool basis = (m.supports("rz", q) && m.supports("sx", q)) || m.supports("u", q) ||
                           m.supports("u3", q);
        const bool measurable = !has_measure || m.supports("measure", q);
        const bool operational = q >= t.qubits.size() || t.qubits[q].operational;
        m.usable[q] = basis && measurable && operational;
        double err = 0.0;
        if (auto e = t.gate_error("measure", {q})) {
            err += *e;
        } else if (q < t.qubits.size() && t.qubits[q].readout_error) {
            err += *t.qubits[q].readout_error;
        }
        if (auto e = t.gate_error("sx", {q})) err += *e;
        m.qubit_error[q] = err;
    }
    m.adj.assign(m.n, {});
    if (!m.all_to_all) {
        std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
        for (const std::string& name : m.natives) {
            const TargetInstruction* ti = t.find(name);
            for (const auto& [qargs, props] : ti->qargs) {
                if (qargs.size() != 2) continue;
                const std::uint32_t a = qargs[0], b = qargs[1];
                if (a == b || a >= m.n || b >= m.n || !m.usable[a] || !m.usable[b]) continue;
                const auto key = std::make_pair(std::min(a, b), std::max(a, b));
                const double err = props.error.value_or(0.0);
                auto it = m.edge_error.find(key);
                if (it == m.edge_error.end() || err < it->second) m.edge_error[key] = err;
                if (seen.insert(key).second) {
                    m.adj[a].push_back(b);
                    m.adj[b].push_back(a);
                }
            }
        }
        for (auto& v : m.adj) std::sort(v.begin(), v.end());
        m.dist.assign(m.n, std::vector<int>(m.n, -1));
        for (std::uint32_t s = 0; s < m.n; ++s) {
            std::deque<std::uint32_t> queue{s};
            m.dist[s][s] = 0;
            while (!queue.empty()) {
                const std::uint32_t u = queue.front();
                queue.pop_front();
                for (std::uint32_t v : m.adj[u]) {
                    if (m.dist[s][v] < 0) {
                        m.dist[s][v] = m.dist[s][u] + 1;
                        queue.push_back(v);
                    }
                }
            }
        }
    }
    return m;
}

// ---------------------------------------------------------------- unrolling

// Flattens a circuit into one-qubit gates, cx, measure, reset, barrier, delay and the
// multi-qubit gates the target runs on any qubits; collects the global phase.
class Unroller {
public:
    explicit Unroller(const TargetModel& model) : model_(model) {}

    std::vector<Instruction> ops;
    Expr phase;

    Status run(const Circuit& c, const std::vector<std::uint32_t>& qmap,
               const std::vector<std::uint32_t>& cmap, const std::map<std::string, Expr>& subst,
               int depth, const std::string& prefix) {
        phase = add(phase, substitute(c.global_phase, subst));
        for (std::size_t i = 0; i < c.instructions.size(); ++i) {
            const Instruction& src = c.instructions[i];
            const std::string what =
                fmt::format("{}instruction {} ({})", prefix, i,
                            src.kind == K::kCustom && src.custom ? src.custom->name
                                                                 : std::string(gate_info(src.kind).name));
            std::vector<std::uint32_t> q;
            q.reserve(src.qubits.size());
            for (std::uint32_t x : src.qubits) q.push_back(qmap[x]);
            std::vector<Expr> p;
            p.reserve(src.params.size());
            for (const Expr& e : src.params) p.push_back(substitute(e, subst));
            switch (src.kind) {
                case K::kIfElse:
                    return unimplemented(
                        what + ": control flow (if_else) is not supported by the transpiler on "
                               "a target that does not already accept the circuit; transpile it "
                               "with Qiskit or without the condition");
                case K::kCustom: {
                    if (depth >= kMaxDepth) {
                        return invalid_argument(what + ": definitions nested too deeply");
                    }
                    const CustomGate& g = *src.custom;
                    std::map<std::string, Expr> inner;
                    for (std::size_t k = 0; k < g.params.size(); ++k) inner[g.params[k].name] = p[k];
                    std::vector<std::uint32_t> no_clbits;
                    QRT_RETURN_IF_ERROR(
                        run(*g.body, q, no_clbits, inner, depth + 1, what + " definition: "));
                    continue;
                }
                case K::kMeasure:
                case K::kReset:
                case K::kBarrier:
                case K::kDelay: {
                    Instruction out = src;
                    out.qubits = std::move(q);
                    for (std::uint32_t& b : out.clbits) b = cmap[b];
                    out.params = std::move(p);
                    out.label.clear();
                    ops.push_back(std::move(out));
                    continue;
                }
                case K::kI:
                    continue;
                case K::kGlobalPhase:
                    phase = add(phase, p[0]);
                    continue;
                default:
                    break;
            }
            if (is_one_qubit_gate(src.kind) || src.kind == K::kCX) {
                emit(src.kind, q, std::move(p));
                continue;
            }
            // A multi-qubit gate the target runs on any qubits stays whole.
            if (model_.global(gate_info(src.kind).name) && src.kind != K::kMCX) {
                emit(src.kind, q, std::move(p));
                continue;
            }
            QRT_RETURN_IF_ERROR(decompose(src.kind, q, p, what));
        }
        return {};
    }

private:
    const TargetModel& model_;

    void emit(K kind, std::vector<std::uint32_t> q, std::vector<Expr> p = {}) {
        Instruction inst;
        inst.kind = kind;
        inst.qubits = std::move(q);
        inst.params = std::move(p);
        ops.push_back(std::move(inst));
    }
    void g1(K kind, std::uint32_t q, std::vector<Expr> p = {}) { emit(kind, {q}, std::move(p)); }
    void cx(std::uint32_t c, std::uint32_t t) { emit(K::kCX, {c, t}); }
    void add_phase(const Expr& e) { phase = add(phase, e); }

    // exp(i * scale * sum_S coef(S) * parity_S(x)) over the nonempty subsets S of `q` (bit k of
    // S = q[k]), as a cx/phase network: for each top qubit h the subsets {h} u T, T among
    // q[0..h-1], are visited in Gray-code order so each step costs one cx.
    template <typename Coef>
    void phase_network(const std::vector<std::uint32_t>& q, const Expr& scale_by, Coef coef) {
        const std::size_t m = q.size();
        for (std::size_t h = 0; h < m; ++h) {
            const std::size_t count = std::size_t{1} << h;
            for (std::size_t i = 0; i < count; ++i) {
                if (i > 0) cx(q[static_cast<std::size_t>(std::countr_zero(i))], q[h]);
                const std::size_t gray = i ^ (i >> 1);
                const double a = coef(gray | count);
                if (a != 0.0) g1(K::kP, q[h], {scale(scale_by, a)});
            }
            if (h > 0) cx(q[h - 1], q[h]);  // the last Gray code is the single bit h-1
        }
    }

    // diag(1, ..., 1, e^{i lambda}) on `q`: phase lambda when every qubit is 1.
    void mcphase(const Expr& lambda, const std::vector<std::uint32_t>& q) {
        const double denom = std::ldexp(1.0, static_cast<int>(q.size()) - 1);
        phase_network(q, lambda, [&](std::size_t s) {
            return (std::popcount(s) % 2 == 1 ? 1.0 : -1.0) / denom;
        });
    }

    Status decompose(K kind, const std::vector<std::uint32_t>& q, const std::vector<Expr>& p,
                     const std::string& what) {
        const Expr half_pi = kPi / 2;
        switch (kind) {
            case K::kCY:
                g1(K::kSdg, q[1]);
                cx(q[0], q[1]);
                g1(K::kS, q[1]);
                return {};
            case K::kCZ: {
                // Symmetric: one orientation for both operand orders, so pairs can cancel.
                const std::uint32_t lo = std::min(q[0], q[1]), hi = std::max(q[0], q[1]);
                g1(K::kH, hi);
                cx(lo, hi);
                g1(K::kH, hi);
                return {};
            }
            case K::kCH:
                g1(K::kS, q[1]);
                g1(K::kH, q[1]);
                g1(K::kT, q[1]);
                cx(q[0], q[1]);
                g1(K::kTdg, q[1]);
                g1(K::kH, q[1]);
                g1(K::kSdg, q[1]);
                return {};
            case K::kCS:
                mcphase(kPi / 2, q);
                return {};
            case K::kCSdg:
                mcphase(-kPi / 2, q);
                return {};
            case K::kCSX:  // SX = H S H
                g1(K::kH, q[1]);
                mcphase(kPi / 2, q);
                g1(K::kH, q[1]);
                return {};
            case K::kCRX:  // RX = H RZ H
                g1(K::kH, q[1]);
                g1(K::kRZ, q[1], {scale(p[0], 0.5)});
                cx(q[0], q[1]);
                g1(K::kRZ, q[1], {scale(p[0], -0.5)});
                cx(q[0], q[1]);
                g1(K::kH, q[1]);
                return {};
            case K::kCRY:
                g1(K::kRY, q[1], {scale(p[0], 0.5)});
                cx(q[0], q[1]);
                g1(K::kRY, q[1], {scale(p[0], -0.5)});
                cx(q[0], q[1]);
                return {};
            case K::kCRZ:
                g1(K::kRZ, q[1], {scale(p[0], 0.5)});
                cx(q[0], q[1]);
                g1(K::kRZ, q[1], {scale(p[0], -0.5)});
                cx(q[0], q[1]);
                return {};
            case K::kCP:
            case K::kCU1:
                mcphase(p[0], q);
                return {};
            case K::kCU:
            case K::kCU3: {
                // Qiskit's CUGate definition (A·X·B·X·C with ABC = I).
                const Expr& theta = p[0];
                const Expr& phi = p[1];
                const Expr& lam = p[2];
                if (kind == K::kCU) g1(K::kP, q[0], {p[3]});
                g1(K::kP, q[0], {scale(add(lam, phi), 0.5)});
                g1(K::kP, q[1], {scale(add(lam, scale(phi, -1.0)), 0.5)});
                cx(q[0], q[1]);
                g1(K::kU, q[1], {scale(theta, -0.5), 0.0, scale(add(phi, lam), -0.5)});
                cx(q[0], q[1]);
                g1(K::kU, q[1], {scale(theta, 0.5), phi, 0.0});
                return {};
            }
            case K::kSwap:
                cx(q[0], q[1]);
                cx(q[1], q[0]);
                cx(q[0], q[1]);
                return {};
            case K::kISwap:
                g1(K::kS, q[0]);
                g1(K::kS, q[1]);
                g1(K::kH, q[0]);
                cx(q[0], q[1]);
                cx(q[1], q[0]);
                g1(K::kH, q[1]);
                return {};
            case K::kECR:  // ECR = e^{-i pi/4} (X ⊗ I) CX (S ⊗ SX)
                g1(K::kS, q[0]);
                g1(K::kSX, q[1]);
                cx(q[0], q[1]);
                g1(K::kX, q[0]);
                add_phase(-kPi / 4);
                return {};
            case K::kDCX:
                cx(q[0], q[1]);
                cx(q[1], q[0]);
                return {};
            case K::kRXX:
                g1(K::kH, q[0]);
                g1(K::kH, q[1]);
                cx(q[0], q[1]);
                g1(K::kRZ, q[1], {p[0]});
                cx(q[0], q[1]);
                g1(K::kH, q[1]);
                g1(K::kH, q[0]);
                return {};
            case K::kRYY:
                g1(K::kRX, q[0], {half_pi});
                g1(K::kRX, q[1], {half_pi});
                cx(q[0], q[1]);
                g1(K::kRZ, q[1], {p[0]});
                cx(q[0], q[1]);
                g1(K::kRX, q[0], {-kPi / 2});
                g1(K::kRX, q[1], {-kPi / 2});
                return {};
            case K::kRZZ:
                cx(q[0], q[1]);
                g1(K::kRZ, q[1], {p[0]});
                cx(q[0], q[1]);
                return {};
            case K::kRZX:
                g1(K::kH, q[1]);
                cx(q[0], q[1]);
                g1(K::kRZ, q[1], {p[0]});
                cx(q[0], q[1]);
                g1(K::kH, q[1]);
                return {};
            case K::kXXMinusYY: {
                const Expr& theta = p[0];
                const Expr& beta = p[1];
                g1(K::kRZ, q[1], {scale(beta, -1.0)});
                g1(K::kRZ, q[0], {-kPi / 2});
                g1(K::kSX, q[0]);
                g1(K::kRZ, q[0], {half_pi});
                g1(K::kS, q[1]);
                cx(q[0], q[1]);
                g1(K::kRY, q[0], {scale(theta, 0.5)});
                g1(K::kRY, q[1], {scale(theta, -0.5)});
                cx(q[0], q[1]);
                g1(K::kSdg, q[1]);
                g1(K::kRZ, q[0], {-kPi / 2});
                g1(K::kSXdg, q[0]);
                g1(K::kRZ, q[0], {half_pi});
                g1(K::kRZ, q[1], {beta});
                return {};
            }
            case K::kXXPlusYY: {
                const Expr& theta = p[0];
                const Expr& beta = p[1];
                g1(K::kRZ, q[0], {beta});
                g1(K::kRZ, q[1], {-kPi / 2});
                g1(K::kSX, q[1]);
                g1(K::kRZ, q[1], {half_pi});
                g1(K::kS, q[0]);
                cx(q[1], q[0]);
                g1(K::kRY, q[1], {scale(theta, -0.5)});
                g1(K::kRY, q[0], {scale(theta, -0.5)});
                cx(q[1], q[0]);
                g1(K::kSdg, q[0]);
                g1(K::kRZ, q[1], {-kPi / 2});
                g1(K::kSXdg, q[1]);
                g1(K::kRZ, q[1], {half_pi});
                g1(K::kRZ, q[0], {scale(beta, -1.0)});
                return {};
            }
            case K::kCCX:
            case K::kC3X:
            case K::kMCX: {
                if (q.size() > kMaxMcxQubits) {
                    return unimplemented(fmt::format(
                        "{}: multi-controlled X on {} qubits; the transpiler unrolls at most {} "
                        "(no ancilla synthesis yet)",
                        what, q.size(), kMaxMcxQubits));
                }
                g1(K::kH, q.back());
                mcphase(kPi, q);
                g1(K::kH, q.back());
                return {};
            }
            case K::kC3SX:
                g1(K::kH, q.back());
                mcphase(kPi / 2, q);
                g1(K::kH, q.back());
                return {};
            case K::kCCZ:
                mcphase(kPi, q);
                return {};
            case K::kCSwap:
                cx(q[2], q[1]);
                g1(K::kH, q[2]);
                mcphase(kPi, q);
                g1(K::kH, q[2]);
                cx(q[2], q[1]);
                return {};
            case K::kRCCX:
                g1(K::kH, q[2]);
                g1(K::kT, q[2]);
                cx(q[1], q[2]);
                g1(K::kTdg, q[2]);
                cx(q[0], q[2]);
                g1(K::kT, q[2]);
                cx(q[1], q[2]);
                g1(K::kTdg, q[2]);
                g1(K::kH, q[2]);
                return {};
            case K::kRC3X: {
                const std::uint32_t a = q[0], b = q[1], c = q[2], d = q[3];
                g1(K::kH, d);
                g1(K::kT, d);
                cx(c, d);
                g1(K::kTdg, d);
                g1(K::kH, d);
                cx(a, d);
                g1(K::kT, d);
                cx(b, d);
                g1(K::kTdg, d);
                cx(a, d);
                g1(K::kT, d);
                cx(b, d);
                g1(K::kTdg, d);
                g1(K::kH, d);
                g1(K::kT, d);
                cx(c, d);
                g1(K::kTdg, d);
                g1(K::kH, d);
                return {};
            }
            default:
                return unimplemented(what + ": no decomposition for this operation");
        }
    }
};

// ---------------------------------------------------------------- layout

struct Layout {
    std::vector<std::uint32_t> v2p;  // virtual -> physical
};

// Interaction weights between virtual qubits (number of two-qubit gates on each pair).
using Interactions = std::map<std::pair<std::uint32_t, std::uint32_t>, int>;

Interactions interactions_of(const std::vector<Instruction>& ops) {
    Interactions w;
    for (const Instruction& op : ops) {
        if (op.kind != K::kCX) continue;
        const std::uint32_t a = op.qubits[0], b = op.qubits[1];
        ++w[{std::min(a, b), std::max(a, b)}];
    }
    return w;
}

// Greedy region growth from `start` (cheapest neighbour first), then places the virtual qubits
// so the heaviest-interacting ones sit close together. Empty when the component is too small.
std::optional<Layout> grow_layout(const TargetModel& m, std::uint32_t start, std::uint32_t n,
                                  const std::vector<std::vector<int>>& weight) {
    std::vector<std::uint32_t> region{start};
    std::vector<bool> in(m.n, false);
    in[start] = true;
    while (region.size() < n) {
        std::optional<std::uint32_t> best;
        double best_cost = 0;
        for (std::uint32_t r : region) {
            for (std::uint32_t v : m.adj[r]) {
                if (in[v]) continue;
                const double cost = m.qubit_error[v] + m.pair_error(r, v);
                if (!best || cost < best_cost || (cost == best_cost && v < *best)) {
                    best = v;
                    best_cost = cost;
                }
            }
        }
        if (!best) return std::nullopt;
        in[*best] = true;
        region.push_back(*best);
    }
    // Virtual order: the heaviest qubit, then repeatedly the one most tied to those placed.
    std::vector<int> total(n, 0);
    for (std::uint32_t a = 0; a < n; ++a) {
        for (std::uint32_t b = 0; b < n; ++b) total[a] += weight[a][b];
    }
    std::vector<bool> placed(n, false), used(m.n, false);
    Layout layout;
    layout.v2p.assign(n, 0);
    std::vector<std::uint32_t> order;
    for (std::uint32_t k = 0; k < n; ++k) {
        std::optional<std::uint32_t> pick;
        int pick_tie = -1, pick_total = -1;
        for (std::uint32_t v = 0; v < n; ++v) {
            if (placed[v]) continue;
            int tie = 0;
            for (std::uint32_t u : order) tie += weight[u][v];
            if (!pick || tie > pick_tie || (tie == pick_tie && total[v] > pick_total)) {
                pick = v;
                pick_tie = tie;
                pick_total = total[v];
            }
        }
        placed[*pick] = true;
        order.push_back(*pick);
    }
    std::vector<int> region_degree(m.n, 0);
    for (std::uint32_t r : region) {
        for (std::uint32_t v : m.adj[r]) region_degree[r] += in[v] ? 1 : 0;
    }
    std::vector<std::uint32_t> done;
    for (std::uint32_t v : order) {
        std::optional<std::uint32_t> best;
        double best_cost = 0;
        for (std::uint32_t p : region) {
            if (used[p]) continue;
            double cost = 0;
            for (std::uint32_t u : done) {
                if (weight[u][v] == 0) continue;
                cost += weight[u][v] * (m.dist[layout.v2p[u]][p] - 1) * 3.0;
            }
            // Prefer well-connected, low-error qubits at equal distance cost.
            cost += -0.01 * region_degree[p] + m.qubit_error[p];
            if (!best || cost < best_cost) {
                best = p;
                best_cost = cost;
            }
        }
        layout.v2p[v] = *best;
        used[*best] = true;
        done.push_back(v);
    }
    return layout;
}

// ---------------------------------------------------------------- routing

struct Routed {
    std::vector<Instruction> ops;  // over physical qubits; cx and swap as two-qubit gates
    std::vector<std::uint32_t> final_v2p;
    int swaps = 0;
    double error = 0;  // expected error of the two-qubit gates and measurements
};

// SABRE-style routing (Li, Ding, Xie 2019): execute what the front layer allows, otherwise
// insert the SWAP that most reduces the distances of the front layer and (half weighted) of the
// next gates, with a decay that spreads SWAPs over qubits. `emit` false: count only.
class Router {
public:
    Router(const TargetModel& m, const std::vector<Instruction>& ops, std::uint32_t num_clbits)
        : m_(m), ops_(ops) {
        const std::size_t count = ops.size();
        succ_.assign(count, {});
        indeg_.assign(count, 0);
        std::vector<std::optional<std::size_t>> last_c(num_clbits);
        std::vector<std::optional<std::size_t>> last_q(m.n);
        std::vector<std::size_t> preds;
        for (std::size_t i = 0; i < count; ++i) {
            preds.clear();
            for (std::uint32_t q : ops[i].qubits) {
                if (last_q[q]) preds.push_back(*last_q[q]);
                last_q[q] = i;
            }
            for (std::uint32_t c : ops[i].clbits) {
                if (last_c[c]) preds.push_back(*last_c[c]);
                last_c[c] = i;
            }
            std::sort(preds.begin(), preds.end());
            preds.erase(std::unique(preds.begin(), preds.end()), preds.end());
            for (std::size_t p : preds) succ_[p].push_back(i);
            indeg_[i] = static_cast<int>(preds.size());
        }
    }

    Routed route(const std::vector<std::uint32_t>& v2p_in, bool emit, std::uint64_t seed) const {
        std::mt19937_64 rng(seed);
        Routed out;
        std::vector<std::uint32_t> v2p = v2p_in;
        std::vector<std::int64_t> p2v(m_.n, -1);
        for (std::size_t v = 0; v < v2p.size(); ++v) p2v[v2p[v]] = static_cast<std::int64_t>(v);
        std::vector<int> indeg = indeg_;
        std::vector<std::size_t> front, work;
        for (std::size_t i = 0; i < ops_.size(); ++i) {
            if (indeg[i] == 0) work.push_back(i);
        }
        std::reverse(work.begin(), work.end());  // pop in program order
        std::vector<double> decay(m_.n, 1.0);
        // Scratch for the extended set: remaining in-degree of gates reached, -1 untouched.
        std::vector<int> remaining(ops_.size(), -1);
        std::vector<std::size_t> touched, extended, queue;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> candidates, best_swaps;
        int swaps_since_progress = 0;
        const int release_after = static_cast<int>(3 * m_.n + 10);
        if (emit) out.ops.reserve(ops_.size() * 2);

        auto needs_route = [&](const Instruction& op) {
            return op.kind == K::kCX && !m_.all_to_all;
        };
        auto apply_swap = [&](std::uint32_t a, std::uint32_t b) {
            const std::int64_t va = p2v[a], vb = p2v[b];
            p2v[a] = vb;
            p2v[b] = va;
            if (va >= 0) v2p[static_cast<std::size_t>(va)] = b;
            if (vb >= 0) v2p[static_cast<std::size_t>(vb)] = a;
            ++out.swaps;
            out.error += 3 * m_.pair_error(a, b);
            if (emit) {
                Instruction s;
                s.kind = K::kSwap;
                s.qubits = {a, b};
                out.ops.push_back(std::move(s));
            }
        };

        for (;;) {
            // Execute everything the current layout allows.
            bool progress = false;
            while (!work.empty()) {
                const std::size_t i = work.back();
                work.pop_back();
                const Instruction& op = ops_[i];
                if (needs_route(op) && !m_.adjacent(v2p[op.qubits[0]], v2p[op.qubits[1]])) {
                    front.push_back(i);
                    continue;
                }
                progress = true;
                if (op.kind == K::kCX) {
                    out.error += m_.pair_error(v2p[op.qubits[0]], v2p[op.qubits[1]]);
                } else if (op.kind == K::kMeasure) {
                    out.error += m_.qubit_error[v2p[op.qubits[0]]];
                }
                if (emit) {
                    Instruction phys = op;
                    for (std::uint32_t& q : phys.qubits) q = v2p[q];
                    out.ops.push_back(std::move(phys));
                }
                const auto& succ = succ_[i];
                for (auto it = succ.rbegin(); it != succ.rend(); ++it) {
                    if (--indeg[*it] == 0) work.push_back(*it);
                }
            }
            if (front.empty()) break;
            if (progress) {
                swaps_since_progress = 0;
                std::fill(decay.begin(), decay.end(), 1.0);
            }

            if (swaps_since_progress >= release_after) {
                // Release valve: walk the first gate's qubits together along a shortest path.
                const Instruction& op = ops_[front.front()];
                std::uint32_t a = v2p[op.qubits[0]];
                const std::uint32_t b = v2p[op.qubits[1]];
                while (m_.dist[a][b] > 1) {
                    for (std::uint32_t nb : m_.adj[a]) {
                        if (m_.dist[nb][b] == m_.dist[a][b] - 1) {
                            apply_swap(a, nb);
                            a = nb;
                            break;
                        }
                    }
                }
                swaps_since_progress = 0;
                work.assign(front.rbegin(), front.rend());
                front.clear();
                continue;
            }

            // The extended set: up to kExtendedSize two-qubit gates after the front layer.
            constexpr std::size_t kExtendedSize = 20;
            extended.clear();
            queue.assign(front.begin(), front.end());
            for (std::size_t head = 0; head < queue.size() && extended.size() < kExtendedSize;
                 ++head) {
                for (std::size_t s : succ_[queue[head]]) {
                    if (remaining[s] < 0) {
                        remaining[s] = indeg[s];
                        touched.push_back(s);
                    }
                    if (--remaining[s] > 0) continue;
                    if (needs_route(ops_[s])) extended.push_back(s);
                    queue.push_back(s);
                }
            }
            for (std::size_t s : touched) remaining[s] = -1;
            touched.clear();

            candidates.clear();
            for (std::size_t i : front) {
                for (std::uint32_t v : ops_[i].qubits) {
                    const std::uint32_t p = v2p[v];
                    for (std::uint32_t nb : m_.adj[p]) {
                        candidates.emplace_back(std::min(p, nb), std::max(p, nb));
                    }
                }
            }
            std::sort(candidates.begin(), candidates.end());
            candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

            auto distance_sum = [&](const std::vector<std::size_t>& gates, std::uint32_t a,
                                    std::uint32_t b) {
                int sum = 0;
                for (std::size_t i : gates) {
                    std::uint32_t pa = v2p[ops_[i].qubits[0]];
                    std::uint32_t pb = v2p[ops_[i].qubits[1]];
                    pa = pa == a ? b : pa == b ? a : pa;
                    pb = pb == a ? b : pb == b ? a : pb;
                    sum += m_.dist[pa][pb];
                }
                return static_cast<double>(sum);
            };
            double best = std::numeric_limits<double>::infinity();
            best_swaps.clear();
            for (const auto& [a, b] : candidates) {
                double h = distance_sum(front, a, b) / static_cast<double>(front.size());
                if (!extended.empty()) {
                    h += 0.5 * distance_sum(extended, a, b) /
                         static_cast<double>(extended.size());
                }
                h *= std::max(decay[a], decay[b]);
                if (h < best - 1e-12) {
                    best = h;
                    best_swaps.assign(1, {a, b});
                } else if (h <= best + 1e-12) {
                    best_swaps.emplace_back(a, b);
                }
            }
            const auto [a, b] = best_swaps[rng() % best_swaps.size()];
            apply_swap(a, b);
            decay[a] += 0.001;
            decay[b] += 0.001;
            if (++swaps_since_progress % 5 == 0) std::fill(decay.begin(), decay.end(), 1.0);
            work.assign(front.rbegin(), front.rend());
            front.clear();
        }
        out.final_v2p = v2p;
        return out;
    }

private:
    const TargetModel& m_;
    const std::vector<Instruction>& ops_;
    std::vector<std::vector<std::size_t>> succ_;
    std::vector<int> indeg_;
};

// Only the operations that constrain routing, reversed: SABRE's backward pass.
std::vector<Instruction> reversed_two_qubit(const std::vector<Instruction>& ops) {
    std::vector<Instruction> out;
    for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
        if (it->kind == K::kCX) out.push_back(*it);
    }
    return out;
}

// ---------------------------------------------------------------- basis translation

// Which one-qubit basis the target offers on a qubit.
enum class OneQubitBasis : std::uint8_t { kZSX, kU, kU3, kNone };

OneQubitBasis basis_on(const TargetModel& m, std::uint32_t q) {
    if (m.supports("rz", q) && m.supports("sx", q)) return OneQubitBasis::kZSX;
    if (m.supports("u", q)) return OneQubitBasis::kU;
    if (m.supports("u3", q)) return OneQubitBasis::kU3;
    return OneQubitBasis::kNone;
}

Mat2 rz_mat(double a) { return {{std::polar(1.0, -a / 2), 0.0, 0.0, std::polar(1.0, a / 2)}}; }
const Mat2 kSxMat{{C(0.5, 0.5), C(0.5, -0.5), C(0.5, -0.5), C(0.5, 0.5)}};
const Mat2 kXMat{{0.0, 1.0, 1.0, 0.0}};

// (theta, phi, lambda) with u = e^{i g} U(theta, phi, lambda) for some g.
std::array<double, 3> u3_angles(const Mat2& u) {
    const C det = u.m[0] * u.m[3] - u.m[1] * u.m[2];
    const C s = std::sqrt(det);
    const C v00 = u.m[0] / s, v10 = u.m[2] / s, v11 = u.m[3] / s;
    const double theta = 2 * std::atan2(std::abs(v10), std::abs(v00));
    const double sum = std::abs(v11) > 1e-12 ? 2 * std::arg(v11) : 0.0;   // phi + lambda
    const double diff = std::abs(v10) > 1e-12 ? 2 * std::arg(v10) : 0.0;  // phi - lambda
    return {theta, (sum + diff) / 2, (sum - diff) / 2};
}

// Emits one-qubit gates for a numeric 2x2 unitary on physical qubit `q`; adds the exact global
// phase. `x_ok`: the target runs x here.
class OneQubitSynth {
public:
    struct Step {
        K kind;
        double angle = 0;
    };

    static std::vector<Step> zsx(const Mat2& u, bool x_ok, double& phase) {
        const auto [theta, phi, lam] = u3_angles(u);
        std::vector<std::vector<Step>> candidates;
        candidates.push_back({{K::kRZ, phi + lam}});
        if (x_ok) candidates.push_back({{K::kX}, {K::kRZ, phi - lam + kPi}});
        candidates.push_back({{K::kRZ, lam - kPi / 2}, {K::kSX}, {K::kRZ, phi + kPi / 2}});
        candidates.push_back(
            {{K::kRZ, lam}, {K::kSX}, {K::kRZ, theta + kPi}, {K::kSX}, {K::kRZ, phi + kPi}});
        for (std::vector<Step>& steps : candidates) {
            std::vector<Step> kept;
            Mat2 m;
            for (Step s : steps) {
                if (s.kind == K::kRZ) {
                    s.angle = wrap_angle(s.angle);
                    if (std::abs(s.angle) < kTol) continue;
                    m = mul(rz_mat(s.angle), m);
                } else {
                    m = mul(s.kind == K::kSX ? kSxMat : kXMat, m);
                }
                kept.push_back(s);
            }
            if (auto g = phase_between(u, m)) {
                phase += *g;
                return kept;
            }
        }
        return {};  // unreachable: the last candidate is exact for any unitary
    }
};

// The symbolic form U(theta, phi, lambda) * e^{i phase} of a one-qubit gate.
struct SymbolicU {
    Expr theta, phi, lambda, phase;
};

std::optional<SymbolicU> symbolic_u(const Instruction& g) {
    const auto& p = g.params;
    switch (g.kind) {
        case K::kRX:
            return SymbolicU{p[0], -kPi / 2, kPi / 2, 0.0};
        case K::kRY:
            return SymbolicU{p[0], 0.0, 0.0, 0.0};
        case K::kRZ:
            return SymbolicU{0.0, 0.0, p[0], scale(p[0], -0.5)};
        case K::kP:
        case K::kU1:
            return SymbolicU{0.0, 0.0, p[0], 0.0};
        case K::kR:
            return SymbolicU{p[0], add(p[1], -kPi / 2), add(scale(p[1], -1.0), kPi / 2), 0.0};
        case K::kU2:
            return SymbolicU{kPi / 2, p[0], p[1], 0.0};
        case K::kU:
        case K::kU3:
            return SymbolicU{p[0], p[1], p[2], 0.0};
        default:
            return std::nullopt;
    }
}

// Rewrites a physical circuit of one-qubit gates, cx, swap, measure, ... onto the target's
// natives, merging one-qubit runs when optimising.
class Translator {
public:
    Translator(const TargetModel& m, int level) : m_(m), level_(level) {}

    Expr phase;

    // cx/swap onto native two-qubit gates (numeric one-qubit corrections).
    Result<std::vector<Instruction>> two_qubit(const std::vector<Instruction>& in) {
        std::vector<Instruction> out;
        out.reserve(in.size());
        auto g1 = [&](K k, std::uint32_t q) {
            Instruction i;
            i.kind = k;
            i.qubits = {q};
            out.push_back(std::move(i));
        };
        auto g2 = [&](std::string_view name, std::uint32_t a, std::uint32_t b) {
            Instruction i;
            i.kind = find_gate(name)->kind;
            i.qubits = {a, b};
            out.push_back(std::move(i));
        };
        std::function<Status(std::uint32_t, std::uint32_t)> cx;
        cx = [&](std::uint32_t c, std::uint32_t t) -> Status {
            if (m_.supports("cx", c, t)) {
                g2("cx", c, t);
            } else if (m_.supports("ecr", c, t)) {
                // CX = e^{i pi/4} (X ⊗ I) ECR (Sdg ⊗ SXdg)
                g1(K::kSdg, c);
                g1(K::kSXdg, t);
                g2("ecr", c, t);
                g1(K::kX, c);
                phase = add(phase, kPi / 4);
            } else if (m_.supports("cz", c, t) || m_.supports("cz", t, c)) {
                g1(K::kH, t);
                if (m_.supports("cz", c, t)) g2("cz", c, t); else g2("cz", t, c);
                g1(K::kH, t);
            } else if (m_.supports("cx", t, c) || m_.supports("ecr", t, c)) {
                g1(K::kH, c);
                g1(K::kH, t);
                std::swap(c, t);
                if (m_.supports("cx", c, t)) {
                    g2("cx", c, t);
                } else {
                    g1(K::kSdg, c);
                    g1(K::kSXdg, t);
                    g2("ecr", c, t);
                    g1(K::kX, c);
                    phase = add(phase, kPi / 4);
                }
                g1(K::kH, c);
                g1(K::kH, t);
            } else {
                return unimplemented(fmt::format(
                    "the target has no cx, ecr or cz on qubits ({}, {}) in either direction", c,
                    t));
            }
            return {};
        };
        for (const Instruction& op : in) {
            if (op.kind == K::kCX) {
                QRT_RETURN_IF_ERROR(cx(op.qubits[0], op.qubits[1]));
            } else if (op.kind == K::kSwap) {
                const std::uint32_t a = op.qubits[0], b = op.qubits[1];
                // Orient the three cx so the outer two suit the native direction.
                const bool forward = m_.supports("cx", a, b) || m_.supports("ecr", a, b) ||
                                     !(m_.supports("cx", b, a) || m_.supports("ecr", b, a));
                const std::uint32_t x = forward ? a : b, y = forward ? b : a;
                QRT_RETURN_IF_ERROR(cx(x, y));
                QRT_RETURN_IF_ERROR(cx(y, x));
                QRT_RETURN_IF_ERROR(cx(x, y));
            } else {
                out.push_back(op);
            }
        }
        return out;
    }

    // One-qubit gates onto the target's basis; runs merged at level >= 1.
    Result<std::vector<Instruction>> one_qubit(const std::vector<Instruction>& in) {
        std::vector<Instruction> out;
        out.reserve(in.size());
        std::vector<std::vector<Instruction>> runs(m_.n);
        for (const Instruction& op : in) {
            if (is_one_qubit_gate(op.kind)) {
                runs[op.qubits[0]].push_back(op);
                continue;
            }
            for (std::uint32_t q : op.qubits) {
                if (!runs[q].empty()) QRT_RETURN_IF_ERROR(flush(q, runs[q], out));
            }
            if (op.kind == K::kBarrier && op.qubits.empty()) {
                for (std::uint32_t q = 0; q < m_.n; ++q) {
                    if (!runs[q].empty()) QRT_RETURN_IF_ERROR(flush(q, runs[q], out));
                }
            }
            out.push_back(op);
        }
        for (std::uint32_t q = 0; q < m_.n; ++q) {
            if (!runs[q].empty()) QRT_RETURN_IF_ERROR(flush(q, runs[q], out));
        }
        return out;
    }

private:
    const TargetModel& m_;
    int level_;

    void push(std::vector<Instruction>& out, K kind, std::uint32_t q, std::vector<Expr> p = {}) {
        Instruction i;
        i.kind = kind;
        i.qubits = {q};
        i.params = std::move(p);
        out.push_back(std::move(i));
    }

    Status synth_numeric(std::uint32_t q, const Mat2& u, std::vector<Instruction>& out) {
        switch (basis_on(m_, q)) {
            case OneQubitBasis::kZSX: {
                double g = 0;
                auto steps = OneQubitSynth::zsx(u, m_.supports("x", q), g);
                phase = add(phase, g);
                for (const auto& s : steps) {
                    if (s.kind == K::kRZ) push(out, K::kRZ, q, {s.angle}); else push(out, s.kind, q);
                }
                return {};
            }
            case OneQubitBasis::kU:
            case OneQubitBasis::kU3: {
                const auto [theta, phi, lam] = u3_angles(u);
                auto m = gate_matrix(K::kU, std::array<double, 3>{theta, phi, lam});
                auto g = phase_between(u, to_mat2(*m));
                if (!g) return internal_error("one-qubit synthesis lost the unitary");
                if (auto id = phase_between(u, Mat2{})) {
                    phase = add(phase, *id);  // identity up to phase: nothing to emit
                    return {};
                }
                phase = add(phase, *g);
                push(out, basis_on(m_, q) == OneQubitBasis::kU ? K::kU : K::kU3, q,
                     {theta, phi, lam});
                return {};
            }
            case OneQubitBasis::kNone:
                break;
        }
        return unimplemented(fmt::format(
            "the target has no universal one-qubit basis (rz+sx, u or u3) on qubit {}", q));
    }

    Status synth_symbolic(std::uint32_t q, const Instruction& g, std::vector<Instruction>& out) {
        auto su = symbolic_u(g);
        if (!su) return internal_error("symbolic one-qubit gate without a U form");
        const OneQubitBasis basis = basis_on(m_, q);
        if (basis == OneQubitBasis::kZSX) {
            if (g.kind == K::kRZ || g.kind == K::kP || g.kind == K::kU1) {
                // rz stays rz; P(l) = e^{i l/2} RZ(l).
                if (g.kind != K::kRZ) phase = add(phase, scale(g.params[0], 0.5));
                push(out, K::kRZ, q, {g.params[0]});
                return {};
            }
            // U(t, f, l) = e^{i((f + l)/2 + pi/2)} RZ(f + pi) SX RZ(t + pi) SX RZ(l)
            phase = add(phase, add(su->phase, add(scale(add(su->phi, su->lambda), 0.5), kPi / 2)));
            if (!is_zero(su->lambda)) push(out, K::kRZ, q, {su->lambda});
            push(out, K::kSX, q);
            push(out, K::kRZ, q, {add(su->theta, kPi)});
            push(out, K::kSX, q);
            push(out, K::kRZ, q, {add(su->phi, kPi)});
            return {};
        }
        if (basis == OneQubitBasis::kU || basis == OneQubitBasis::kU3) {
            phase = add(phase, su->phase);
            push(out, basis == OneQubitBasis::kU ? K::kU : K::kU3, q,
                 {su->theta, su->phi, su->lambda});
            return {};
        }
        return unimplemented(fmt::format(
            "the target has no universal one-qubit basis (rz+sx, u or u3) on qubit {}", q));
    }

    Status flush(std::uint32_t q, std::vector<Instruction>& run, std::vector<Instruction>& out) {
        std::optional<Mat2> acc;
        std::size_t acc_count = 0;
        const Instruction* acc_single = nullptr;
        auto close = [&]() -> Status {
            if (!acc) return {};
            const Mat2 u = *acc;
            const Instruction* single = acc_count == 1 ? acc_single : nullptr;
            acc.reset();
            acc_count = 0;
            // A lone gate the target runs as it is stays as it is.
            if (single && m_.supports(gate_info(single->kind).name, q) &&
                !(level_ >= 1 && single->kind == K::kRZ && single->params[0].value() &&
                  std::abs(wrap_angle(*single->params[0].value())) < kTol)) {
                out.push_back(*single);
                return {};
            }
            return synth_numeric(q, u, out);
        };
        for (const Instruction& g : run) {
            auto values = numeric_params(g);
            if (values) {
                auto m = gate_matrix(g.kind, *values);
                if (!m.ok()) return m.status();
                if (level_ < 1) QRT_RETURN_IF_ERROR(close());
                acc = acc ? mul(to_mat2(*m), *acc) : to_mat2(*m);
                ++acc_count;
                acc_single = &g;
                if (level_ < 1) QRT_RETURN_IF_ERROR(close());
                continue;
            }
            QRT_RETURN_IF_ERROR(close());
            if (m_.supports(gate_info(g.kind).name, q)) {
                out.push_back(g);
            } else {
                QRT_RETURN_IF_ERROR(synth_symbolic(q, g, out));
            }
        }
        QRT_RETURN_IF_ERROR(close());
        run.clear();
        return {};
    }
};

// Removes adjacent pairs of the same self-inverse two-qubit gate on the same qubits (cz in
// either order). Returns how many pairs went.
int cancel_pairs(std::vector<Instruction>& ops, std::uint32_t num_qubits) {
    std::vector<std::vector<std::size_t>> stack(num_qubits);
    std::vector<bool> removed(ops.size(), false);
    int cancelled = 0;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const Instruction& op = ops[i];
        const bool self_inverse = op.qubits.size() == 2 &&
                                  (op.kind == K::kCX || op.kind == K::kECR || op.kind == K::kCZ ||
                                   op.kind == K::kSwap);
        if (self_inverse) {
            const std::uint32_t a = op.qubits[0], b = op.qubits[1];
            if (!stack[a].empty() && !stack[b].empty() && stack[a].back() == stack[b].back()) {
                const std::size_t j = stack[a].back();
                const Instruction& prev = ops[j];
                const bool same_order = prev.qubits[0] == a && prev.qubits[1] == b;
                const bool symmetric = op.kind == K::kCZ || op.kind == K::kSwap;
                if (prev.kind == op.kind && (same_order || symmetric)) {
                    removed[i] = removed[j] = true;
                    stack[a].pop_back();
                    stack[b].pop_back();
                    ++cancelled;
                    continue;
                }
            }
        }
        if (op.kind == K::kBarrier && op.qubits.empty()) {
            for (auto& s : stack) s.push_back(i);
        }
        for (std::uint32_t q : op.qubits) stack[q].push_back(i);
    }
    if (cancelled == 0) return 0;
    std::vector<Instruction> kept;
    kept.reserve(ops.size());
    for (std::size_t i = 0; i < ops.size(); ++i) {
        if (!removed[i]) kept.push_back(std::move(ops[i]));
    }
    ops = std::move(kept);
    return cancelled;
}

// Level 1 on the unrolled circuit: drops runs of numeric one-qubit gates that multiply to the
// identity (their phase goes to `phase`) and cancels the cx pairs that become adjacent.
void simplify(std::vector<Instruction>& ops, std::uint32_t num_qubits, Expr& phase) {
    for (int round = 0; round < 4; ++round) {
        std::vector<bool> removed(ops.size(), false);
        std::vector<std::vector<std::size_t>> run(num_qubits);
        std::vector<Mat2> product(num_qubits);
        bool changed = false;
        auto close = [&](std::uint32_t q) {
            if (run[q].empty()) return;
            if (auto g = phase_between(product[q], Mat2{})) {
                for (std::size_t i : run[q]) removed[i] = true;
                phase = add(phase, *g);
                changed = true;
            }
            run[q].clear();
            product[q] = Mat2{};
        };
        for (std::size_t i = 0; i < ops.size(); ++i) {
            const Instruction& op = ops[i];
            if (is_one_qubit_gate(op.kind)) {
                if (auto values = numeric_params(op)) {
                    auto m = gate_matrix(op.kind, *values);
                    if (m.ok()) {
                        const std::uint32_t q = op.qubits[0];
                        run[q].push_back(i);
                        product[q] = mul(to_mat2(*m), product[q]);
                        continue;
                    }
                }
            }
            for (std::uint32_t q : op.qubits) close(q);
            if (op.kind == K::kBarrier && op.qubits.empty()) {
                for (std::uint32_t q = 0; q < num_qubits; ++q) close(q);
            }
        }
        for (std::uint32_t q = 0; q < num_qubits; ++q) close(q);
        if (changed) {
            std::vector<Instruction> kept;
            kept.reserve(ops.size());
            for (std::size_t i = 0; i < ops.size(); ++i) {
                if (!removed[i]) kept.push_back(std::move(ops[i]));
            }
            ops = std::move(kept);
        }
        if (cancel_pairs(ops, num_qubits) > 0) changed = true;
        if (!changed) break;
    }
}

Circuit physical_shell(const Circuit& c, std::uint32_t num_qubits) {
    Circuit out(num_qubits, c.num_clbits());
    out.name = c.name;
    out.metadata_json = c.metadata_json;
    out.cregs = c.cregs;
    out.qregs.push_back(Register{"q", {}, true});
    for (std::uint32_t q = 0; q < num_qubits; ++q) out.qregs[0].bits.push_back(q);
    return out;
}

}  // namespace

Result<TranspileResult> transpile(const Circuit& circuit, const Target& target,
                                  const TranspileOptions& options) {
    QRT_RETURN_IF_ERROR(circuit.validate());
    const std::uint32_t n = circuit.num_qubits();
    if (n > target.num_qubits) {
        return invalid_argument(fmt::format(
            "the circuit has {} qubits but the target '{}' has only {}", n,
            target.backend_name, target.num_qubits));
    }
    TranspileResult result;
    result.initial_layout.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) result.initial_layout[i] = i;
    result.final_layout = result.initial_layout;
    if (validate_isa(circuit, target).ok()) {
        result.circuit = circuit;
        if (n < target.num_qubits) {
            Circuit wide = physical_shell(circuit, target.num_qubits);
            wide.global_phase = circuit.global_phase;
            wide.instructions = circuit.instructions;
            result.circuit = std::move(wide);
        }
        return result;
    }

    const TargetModel model = model_target(target);

    // 2. unroll
    Unroller unroller(model);
    {
        std::vector<std::uint32_t> qmap(n), cmap(circuit.num_clbits());
        for (std::uint32_t i = 0; i < n; ++i) qmap[i] = i;
        for (std::uint32_t i = 0; i < circuit.num_clbits(); ++i) cmap[i] = i;
        QRT_RETURN_IF_ERROR(unroller.run(circuit, qmap, cmap, {}, 0, ""));
    }
    std::vector<Instruction>& ops = unroller.ops;
    if (options.optimization_level >= 1) simplify(ops, n, unroller.phase);
    const bool has_two_qubit = std::any_of(ops.begin(), ops.end(),
                                           [](const Instruction& op) { return op.kind == K::kCX; });
    if (has_two_qubit && model.natives.empty()) {
        return unimplemented(fmt::format(
            "the target '{}' has no cx, ecr or cz gate, which the transpiler needs for the "
            "circuit's two-qubit gates",
            target.backend_name));
    }

    // 3. layout
    std::vector<std::uint32_t> usable;
    for (std::uint32_t q = 0; q < model.n; ++q) {
        if (model.usable[q]) usable.push_back(q);
    }
    if (usable.size() < n) {
        return invalid_argument(fmt::format(
            "the circuit has {} qubits but the target '{}' has only {} working qubits", n,
            target.backend_name, usable.size()));
    }
    std::vector<Layout> candidates;
    if (model.all_to_all || !has_two_qubit) {
        // Best qubits by error, in index order (no coupling constraint).
        std::vector<std::uint32_t> best = usable;
        std::stable_sort(best.begin(), best.end(), [&](std::uint32_t a, std::uint32_t b) {
            return model.qubit_error[a] < model.qubit_error[b];
        });
        best.resize(n);
        bool identity_ok = true;
        for (std::uint32_t i = 0; i < n; ++i) identity_ok = identity_ok && model.usable[i];
        Layout l;
        if (identity_ok && std::all_of(usable.begin(), usable.end(), [&](std::uint32_t q) {
                return model.qubit_error[q] == model.qubit_error[usable[0]];
            })) {
            l.v2p = result.initial_layout;
        } else {
            std::sort(best.begin(), best.end());
            l.v2p = best;
        }
        candidates.push_back(l);
    } else {
        std::vector<std::vector<int>> weight(n, std::vector<int>(n, 0));
        for (const auto& [pair, w] : interactions_of(ops)) {
            weight[pair.first][pair.second] += w;
            weight[pair.second][pair.first] += w;
        }
        struct Scored {
            double score;
            Layout layout;
        };
        std::vector<Scored> scored;
        for (std::uint32_t s : usable) {
            auto l = grow_layout(model, s, n, weight);
            if (!l) continue;
            double score = 0;
            for (std::uint32_t a = 0; a < n; ++a) {
                score += model.qubit_error[l->v2p[a]];
                for (std::uint32_t b = a + 1; b < n; ++b) {
                    if (weight[a][b] == 0) continue;
                    const int d = model.dist[l->v2p[a]][l->v2p[b]];
                    score += weight[a][b] * ((d - 1) * 3 * 0.01 +
                                             (d == 1 ? model.pair_error(l->v2p[a], l->v2p[b])
                                                     : 0.01));
                }
            }
            scored.push_back({score, std::move(*l)});
        }
        if (scored.empty()) {
            return invalid_argument(fmt::format(
                "the target '{}' has no connected set of {} working qubits", target.backend_name,
                n));
        }
        std::stable_sort(scored.begin(), scored.end(),
                         [](const Scored& a, const Scored& b) { return a.score < b.score; });
        for (std::size_t i = 0; i < scored.size() && candidates.size() < kTrials; ++i) {
            candidates.push_back(scored[i].layout);
        }
    }

    // 4. routing: each candidate refined by a backward pass; the cheapest result kept.
    std::optional<Routed> best;
    std::vector<std::uint32_t> best_initial;
    double best_cost = 0;
    std::uint64_t best_seed = 0;
    const std::vector<Instruction> backward = reversed_two_qubit(ops);
    const Router forward(model, ops, circuit.num_clbits());
    const Router backward_router(model, backward, 0);
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        std::vector<std::vector<std::uint32_t>> starts{candidates[i].v2p};
        const std::uint64_t seed = options.seed * 1000003 + i;
        if (has_two_qubit && !model.all_to_all) {
            std::vector<std::uint32_t> layout = candidates[i].v2p;
            for (int it = 0; it < kLayoutIterations; ++it) {
                Routed f = forward.route(layout, false, seed);
                Routed b = backward_router.route(f.final_v2p, false, seed);
                layout = b.final_v2p;
                starts.push_back(layout);
            }
        }
        for (const auto& start : starts) {
            for (std::uint64_t trial = 0; trial < kRoutingSeeds; ++trial) {
                Routed r = forward.route(start, false, seed + 7919 * trial);
                // Expected error first; the swap count breaks ties on ideal targets.
                const double cost = r.error + 1e-4 * r.swaps;
                if (!best || cost < best_cost - 1e-12) {
                    best = std::move(r);
                    best_cost = cost;
                    best_initial = start;
                    best_seed = seed + 7919 * trial;
                }
            }
        }
    }

    best = forward.route(best_initial, true, best_seed);

    // 5./6. translation and optimization
    Translator translator(model, options.optimization_level);
    std::vector<Instruction> phys = std::move(best->ops);
    if (options.optimization_level >= 1) cancel_pairs(phys, model.n);
    auto native = translator.two_qubit(phys);
    if (!native.ok()) return native.status();
    auto translated = translator.one_qubit(*native);
    if (!translated.ok()) return translated.status();
    std::vector<Instruction> final_ops = std::move(*translated);
    if (options.optimization_level >= 1) {
        for (int round = 0; round < 3 && cancel_pairs(final_ops, model.n) > 0; ++round) {
            auto again = translator.one_qubit(final_ops);
            if (!again.ok()) return again.status();
            final_ops = std::move(*again);
        }
    }

    Circuit out = physical_shell(circuit, target.num_qubits);
    // The unroller's phase starts from the circuit's own.
    out.global_phase = add(unroller.phase, translator.phase);
    out.instructions = std::move(final_ops);
    if (auto v = out.global_phase.value()) out.global_phase = wrap_angle(*v);

    if (Status s = validate_isa(out, target); !s.ok()) {
        std::string why = s.message();
        if (why.ends_with(kIsaAdvice)) why.resize(why.size() - kIsaAdvice.size());
        return unimplemented(fmt::format("the transpiled circuit does not fit the target '{}': {}",
                                         target.backend_name, why));
    }
    result.circuit = std::move(out);
    result.initial_layout = best_initial;
    result.final_layout = best->final_v2p;
    result.swaps = best->swaps;
    return result;
}

}  // namespace qrt::circuit
