#include "sim/simulator.h"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <span>

#include "sim/stabilizer.h"
#include "sim/statevector.h"

namespace qrt::sim {
namespace {

using circuit::Circuit;
using circuit::Condition;
using circuit::GateKind;
using circuit::Instruction;
using circuit::Matrix;
using C = std::complex<double>;

constexpr int kMaxDepth = 64;

Status cancelled() { return {ErrorCode::kCancelled, "simulation cancelled"}; }
Status resource_exhausted(std::string m) { return {ErrorCode::kResourceExhausted, std::move(m)}; }

// ---------------------------------------------------------------------------------------------
// Preparation: the circuit flattened (custom gates inlined, angles evaluated) onto the used
// qubits, renumbered 0..k-1.

struct FlatOp {
    enum class Kind : std::uint8_t { kGate, kMeasure, kReset, kDelay, kIfElse };
    Kind kind = Kind::kGate;
    GateKind gate = GateKind::kI;
    std::vector<unsigned> qubits;  // compacted
    std::vector<double> params;
    unsigned clbit = 0;  // measure: the circuit's clbit
    double seconds = 0;  // delay
    // if_else: the clbits read (bit i = 2^i; -1: a register bit the circuit lacks, reads 0)
    std::vector<std::int64_t> cond_bits;
    std::uint64_t cond_value = 0;
    std::shared_ptr<std::vector<FlatOp>> then_ops, else_ops;
};
using FlatOps = std::vector<FlatOp>;

struct Prepared {
    unsigned num_qubits = 0;              // simulated
    std::vector<std::uint32_t> physical;  // simulated qubit -> circuit qubit
    std::uint32_t circuit_qubits = 0;
    std::uint32_t num_clbits = 0;
    FlatOps ops;
    double global_phase = 0;
};

std::string where(const std::string& prefix, std::size_t i, const Instruction& inst) {
    return prefix + "instruction " + std::to_string(i) + " (" +
           std::string(circuit::gate_info(inst.kind).name) + ")";
}

Result<double> delay_seconds(const Instruction& inst, double value, double dt) {
    const std::string& u = inst.delay_unit;
    if (u == "s") return value;
    if (u == "ms") return value * 1e-3;
    if (u == "us") return value * 1e-6;
    if (u == "ns") return value * 1e-9;
    if (u == "ps") return value * 1e-12;
    if (u == "dt" || u.empty()) return value * dt;  // unknown dt: no relaxation
    return invalid_argument("delay unit '" + u + "' is not known");
}

struct Flattener {
    double dt = 0;

    Status run(const Circuit& c, const std::vector<int>& qmap,
               const std::vector<std::int64_t>& cmap, const std::map<std::string, double>& values,
               const std::string& prefix, int depth, FlatOps& out, double* phase) const {
        if (depth > kMaxDepth) return invalid_argument(prefix + "definitions nested too deeply");
        if (phase != nullptr) {
            auto gp = c.global_phase.evaluate(values);
            if (!gp.ok())
                return invalid_argument(prefix + "global phase: " + gp.status().message());
            *phase += *gp;
        }
        for (std::size_t i = 0; i < c.instructions.size(); ++i) {
            const Instruction& inst = c.instructions[i];
            if (inst.kind == GateKind::kBarrier) continue;
            const std::string what = where(prefix, i, inst);
            std::vector<double> params;
            for (const circuit::Expr& e : inst.params) {
                auto v = e.evaluate(values);
                if (!v.ok()) return invalid_argument(what + ": " + v.status().message());
                params.push_back(*v);
            }
            std::vector<int> mapped;
            for (std::uint32_t q : inst.qubits) {
                if (q >= qmap.size()) return invalid_argument(what + ": qubit out of range");
                mapped.push_back(qmap[q]);
            }
            auto map_clbit = [&](std::uint32_t b) -> Result<std::int64_t> {
                if (b >= cmap.size()) return invalid_argument(what + ": clbit out of range");
                return cmap[b];
            };
            FlatOp op;
            switch (inst.kind) {
                case GateKind::kDelay: {
                    if (params.size() != 1) return invalid_argument(what + ": needs a duration");
                    auto s = delay_seconds(inst, params[0], dt);
                    if (!s.ok()) return invalid_argument(what + ": " + s.status().message());
                    op.kind = FlatOp::Kind::kDelay;
                    op.seconds = *s;
                    for (int q : mapped) {
                        if (q >= 0) op.qubits.push_back(static_cast<unsigned>(q));
                    }
                    if (!op.qubits.empty()) out.push_back(std::move(op));
                    continue;
                }
                case GateKind::kGlobalPhase:
                    if (phase != nullptr && !params.empty()) *phase += params[0];
                    continue;
                case GateKind::kCustom: {
                    const circuit::CustomGate* g = inst.custom.get();
                    if (g == nullptr || !g->body) {
                        return invalid_argument(what + ": custom gate without a body");
                    }
                    if (params.size() != g->params.size() || mapped.size() != g->num_qubits) {
                        return invalid_argument(what + ": operands do not match the definition");
                    }
                    std::map<std::string, double> formal;
                    for (std::size_t p = 0; p < params.size(); ++p) {
                        formal[g->params[p].name] = params[p];
                    }
                    QRT_RETURN_IF_ERROR(run(*g->body, mapped, cmap, formal,
                                            what + " definition: ", depth + 1, out, phase));
                    continue;
                }
                case GateKind::kIfElse: {
                    if (!inst.condition || !inst.then_body) {
                        return invalid_argument(what + ": if_else without condition or body");
                    }
                    const Condition& cond = *inst.condition;
                    op.kind = FlatOp::Kind::kIfElse;
                    op.cond_value = cond.value;
                    if (cond.kind == Condition::Kind::kClbit) {
                        auto b = map_clbit(cond.clbit);
                        if (!b.ok()) return b.status();
                        op.cond_bits.push_back(*b);
                    } else {
                        const circuit::Register* r = c.find_creg(cond.register_name);
                        if (r == nullptr) {
                            return invalid_argument(what + ": unknown register '" +
                                                    cond.register_name + "'");
                        }
                        for (std::int64_t b : r->bits) {
                            if (b < 0) {
                                op.cond_bits.push_back(-1);
                                continue;
                            }
                            auto m = map_clbit(static_cast<std::uint32_t>(b));
                            if (!m.ok()) return m.status();
                            op.cond_bits.push_back(*m);
                        }
                    }
                    std::vector<std::int64_t> body_cmap;
                    for (std::uint32_t b : inst.clbits) {
                        auto m = map_clbit(b);
                        if (!m.ok()) return m.status();
                        body_cmap.push_back(*m);
                    }
                    op.then_ops = std::make_shared<FlatOps>();
                    QRT_RETURN_IF_ERROR(run(*inst.then_body, mapped, body_cmap, values,
                                            what + " then: ", depth + 1, *op.then_ops, nullptr));
                    if (inst.else_body) {
                        op.else_ops = std::make_shared<FlatOps>();
                        QRT_RETURN_IF_ERROR(run(*inst.else_body, mapped, body_cmap, values,
                                                what + " else: ", depth + 1, *op.else_ops,
                                                nullptr));
                    }
                    out.push_back(std::move(op));
                    continue;
                }
                default:
                    break;
            }
            for (int q : mapped) {
                if (q < 0) return internal_error(what + ": acts on a qubit that was dropped");
                op.qubits.push_back(static_cast<unsigned>(q));
            }
            if (inst.kind == GateKind::kMeasure) {
                if (op.qubits.size() != 1 || inst.clbits.size() != 1) {
                    return invalid_argument(what + ": measure takes one qubit and one clbit");
                }
                auto b = map_clbit(inst.clbits[0]);
                if (!b.ok()) return b.status();
                if (*b < 0) return invalid_argument(what + ": clbit not in the circuit");
                op.kind = FlatOp::Kind::kMeasure;
                op.clbit = static_cast<unsigned>(*b);
            } else if (inst.kind == GateKind::kReset) {
                op.kind = FlatOp::Kind::kReset;
            } else if (circuit::gate_info(inst.kind).unitary) {
                op.kind = FlatOp::Kind::kGate;
                op.gate = inst.kind;
                op.params = std::move(params);
            } else {
                return Status(ErrorCode::kUnimplemented, what + ": not supported by the simulator");
            }
            out.push_back(std::move(op));
        }
        return {};
    }
};

Result<Prepared> prepare(const Circuit& c, const RunOptions& options) {
    const auto free = c.parameters();
    if (!free.empty()) {
        std::string names;
        for (std::size_t i = 0; i < free.size() && i < 10; ++i) {
            names += (i ? ", " : "") + free[i].name;
        }
        if (free.size() > 10) names += ", ...";
        return invalid_argument("the circuit has " + std::to_string(free.size()) +
                                " unbound parameter" + (free.size() == 1 ? "" : "s") + " (" +
                                names + "); bind values before simulating");
    }
    Prepared p;
    p.circuit_qubits = c.num_qubits();
    p.num_clbits = c.num_clbits();
    p.physical = c.used_qubits();
    p.num_qubits = static_cast<unsigned>(p.physical.size());
    std::vector<int> qmap(c.num_qubits(), -1);
    for (std::size_t i = 0; i < p.physical.size(); ++i) qmap[p.physical[i]] = static_cast<int>(i);
    std::vector<std::int64_t> cmap(c.num_clbits());
    std::iota(cmap.begin(), cmap.end(), 0);
    Flattener f;
    if (options.noise != nullptr) f.dt = options.noise->dt;
    QRT_RETURN_IF_ERROR(f.run(c, qmap, cmap, {}, "", 0, p.ops, &p.global_phase));
    return p;
}

// The unitary part of a circuit whose measurements are all final (no operation on a qubit after
// its measurement; resets only on qubits not yet touched, i.e. on |0>; no if_else).
struct Terminal {
    bool ok = true;
    FlatOps unitary;                                      // gates (and delays)
    std::vector<std::pair<unsigned, unsigned>> measures;  // (qubit, clbit) in program order
};

Terminal split_terminal(const FlatOps& ops, unsigned k) {
    Terminal t;
    std::vector<bool> touched(k, false), measured(k, false);
    for (const FlatOp& op : ops) {
        switch (op.kind) {
            case FlatOp::Kind::kIfElse:
                t.ok = false;
                return t;
            case FlatOp::Kind::kReset:
                if (touched[op.qubits[0]]) {
                    t.ok = false;
                    return t;
                }
                break;
            case FlatOp::Kind::kMeasure:
                touched[op.qubits[0]] = measured[op.qubits[0]] = true;
                t.measures.emplace_back(op.qubits[0], op.clbit);
                break;
            case FlatOp::Kind::kGate:
            case FlatOp::Kind::kDelay:
                for (unsigned q : op.qubits) {
                    if (measured[q]) {
                        t.ok = false;
                        return t;
                    }
                    touched[q] = true;
                }
                t.unitary.push_back(op);
                break;
        }
    }
    return t;
}

bool fits(unsigned k, const RunOptions& o) {
    return k <= 40 && state_bytes(k, o.single_precision) <= o.max_memory_bytes;
}

double gib(double bytes) { return bytes / double(std::size_t{1} << 30); }

Status memory_error(unsigned k, const RunOptions& o, bool clifford_note) {
    const double bytes = std::ldexp(o.single_precision ? 8.0 : 16.0, static_cast<int>(k));
    return resource_exhausted(fmt::format(
        "the circuit needs a statevector of {} qubits ({:.4g} GiB) but the limit is {:.4g} GiB{}",
        k, gib(bytes), gib(static_cast<double>(o.max_memory_bytes)),
        clifford_note ? ", and it is not a Clifford circuit" : ""));
}

bool has_relaxation(const NoiseModel* noise) {
    if (noise == nullptr || !noise->relaxation) return false;
    return std::any_of(noise->qubits.begin(), noise->qubits.end(),
                       [](const QubitNoise& q) { return q.t1 > 0 || q.t2 > 0; });
}

Result<Method> choose_method(const Circuit& c, unsigned k, const RunOptions& o) {
    switch (o.method) {
        case Method::kStabilizer:
            if (!is_clifford(c)) {
                return invalid_argument(
                    "method 'stabilizer' needs a Clifford circuit; this one is not");
            }
            return Method::kStabilizer;
        case Method::kStatevector:
            if (!fits(k, o)) return memory_error(k, o, false);
            return Method::kStatevector;
        case Method::kAutomatic:
            break;
    }
    if (is_clifford(c)) {
        const bool noisy = o.noise != nullptr && !o.noise->empty();
        if (noisy && has_relaxation(o.noise) && k <= 24 && fits(k, o)) return Method::kStatevector;
        return Method::kStabilizer;
    }
    if (!fits(k, o)) return memory_error(k, o, true);
    return Method::kStatevector;
}

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// Shot s's generator depends on (seed, s) only: results do not depend on the thread count.
Rng shot_rng(std::uint64_t seed, std::uint64_t shot) {
    return Rng(splitmix(seed) ^ splitmix(shot ^ 0x632BE59BD9B4E019ULL));
}

int num_threads(const RunOptions& o) { return o.threads > 0 ? o.threads : omp_get_max_threads(); }

ShotMemory empty_memory(std::uint64_t shots, std::uint32_t num_clbits) {
    ShotMemory m;
    m.shots = shots;
    m.num_clbits = num_clbits;
    m.words_per_shot = (num_clbits + 63) / 64;
    m.words.assign(shots * m.words_per_shot, 0);
    return m;
}

void set_bit(std::uint64_t* words, unsigned clbit, bool v) {
    const std::uint64_t mask = std::uint64_t{1} << (clbit % 64);
    if (v) {
        words[clbit / 64] |= mask;
    } else {
        words[clbit / 64] &= ~mask;
    }
}

bool condition_holds(const FlatOp& op, const std::uint64_t* words) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < op.cond_bits.size() && i < 64; ++i) {
        const std::int64_t b = op.cond_bits[i];
        if (b >= 0 && ((words[b / 64] >> (b % 64)) & 1u)) v |= std::uint64_t{1} << i;
    }
    return v == op.cond_value;
}

// Readout: the recorded bit flips with the qubit's confusion probabilities.
struct Readout {
    double p1_given_0 = 0, p0_given_1 = 0;
    int apply(int b, Rng& rng) const {
        const double p = b ? p0_given_1 : p1_given_0;
        if (p > 0 && rng.bernoulli(p)) return 1 - b;
        return b;
    }
};

// The noise after one operation, resolved to simulated qubits.
struct NoiseOp {
    double depolarizing = 0;
    double seconds = 0;
    std::vector<QubitNoise> qubit_noise;  // per operand
};

struct NoiseContext {
    const NoiseModel* model = nullptr;  // null or empty: ideal
    const std::vector<std::uint32_t>* physical = nullptr;

    bool active() const { return model != nullptr; }
    std::vector<unsigned> physical_of(const std::vector<unsigned>& qs) const {
        std::vector<unsigned> out;
        for (unsigned q : qs) out.push_back((*physical)[q]);
        return out;
    }
    // Noise after a gate or during a delay; nullopt when there is none.
    std::optional<NoiseOp> after(const FlatOp& op) const {
        if (!active()) return std::nullopt;
        NoiseOp n;
        const auto phys = physical_of(op.qubits);
        if (op.kind == FlatOp::Kind::kGate) {
            const GateNoise g = model->gate(std::string(circuit::gate_info(op.gate).name), phys);
            n.depolarizing = g.depolarizing;
            n.seconds = g.duration;
        } else {
            n.seconds = op.seconds;
        }
        bool relax = false;
        if (model->relaxation && n.seconds > 0) {
            for (unsigned p : phys) {
                QubitNoise qn = model->qubit(p);
                if (qn.t1 > 0 || qn.t2 > 0) relax = true;
                n.qubit_noise.push_back(qn);
            }
        }
        if (!relax) n.seconds = 0;
        if (n.depolarizing <= 0 && n.seconds <= 0) return std::nullopt;
        return n;
    }
    Readout readout(unsigned q) const {
        if (!active() || !model->readout) return {};
        const QubitNoise qn = model->qubit((*physical)[q]);
        return {qn.p1_given_0, qn.p0_given_1};
    }
};

// Whether any gate or delay (bodies included) is followed by depolarizing or relaxation.
bool has_quantum_noise(const FlatOps& ops, const NoiseContext& noise) {
    if (!noise.active()) return false;
    for (const FlatOp& op : ops) {
        if ((op.kind == FlatOp::Kind::kGate || op.kind == FlatOp::Kind::kDelay) &&
            noise.after(op)) {
            return true;
        }
        if (op.then_ops && has_quantum_noise(*op.then_ops, noise)) return true;
        if (op.else_ops && has_quantum_noise(*op.else_ops, noise)) return true;
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// Statevector programs: gates converted to matrices, classified and fused.

struct SvOp;
using SvProgram = std::vector<SvOp>;

struct SvOp {
    enum class Kind : std::uint8_t {
        k1q,
        k2q,
        kMatrix,
        kDiagonal,
        kMcx,
        kSwap,  // unitary
        kMeasure,
        kReset,
        kIfElse,
        kNoise,
    };
    Kind kind = Kind::k1q;
    std::vector<unsigned> qubits;
    Matrix m;
    std::vector<C> diag;
    unsigned clbit = 0;
    Readout readout;
    const FlatOp* cond = nullptr;  // if_else: its condition
    std::shared_ptr<SvProgram> then_p, else_p;
    NoiseOp noise;

    bool unitary() const { return kind <= Kind::kSwap; }
};

bool is_diagonal(const Matrix& m) {
    for (int r = 0; r < m.dim; ++r) {
        for (int c = 0; c < m.dim; ++c) {
            if (r != c && m(r, c) != C(0)) return false;
        }
    }
    return true;
}

// `g` over `gq` (subset of `u`) as a matrix over `u` (u[0] least significant).
Matrix expand(const Matrix& g, const std::vector<unsigned>& gq, const std::vector<unsigned>& u) {
    if (gq == u) return g;
    std::vector<int> pos;
    for (unsigned q : gq) {
        pos.push_back(static_cast<int>(std::find(u.begin(), u.end(), q) - u.begin()));
    }
    const int dim = 1 << u.size();
    unsigned mask = 0;
    for (int p : pos) mask |= 1u << p;
    auto sub = [&](unsigned i) {
        unsigned s = 0;
        for (std::size_t j = 0; j < pos.size(); ++j) s |= ((i >> pos[j]) & 1u) << j;
        return static_cast<int>(s);
    };
    Matrix out;
    out.dim = dim;
    out.data.assign(static_cast<std::size_t>(dim) * dim, C(0));
    for (int r = 0; r < dim; ++r) {
        for (int c = 0; c < dim; ++c) {
            if ((static_cast<unsigned>(r) & ~mask) != (static_cast<unsigned>(c) & ~mask)) continue;
            out(r, c) = g(sub(static_cast<unsigned>(r)), sub(static_cast<unsigned>(c)));
        }
    }
    return out;
}

Matrix multiply(const Matrix& a, const Matrix& b) {
    Matrix out;
    out.dim = a.dim;
    out.data.assign(a.data.size(), C(0));
    for (int r = 0; r < a.dim; ++r) {
        for (int k = 0; k < a.dim; ++k) {
            const C x = a(r, k);
            if (x == C(0)) continue;
            for (int c = 0; c < a.dim; ++c) out(r, c) += x * b(k, c);
        }
    }
    return out;
}

struct GateItem {
    enum class Kind : std::uint8_t { kDense, kDiagonal, kMcx, kSwap };
    Kind kind = Kind::kDense;
    std::vector<unsigned> qubits;
    Matrix m;
};

// The widest matrix the statevector applies (StateVector::apply_matrix).
constexpr unsigned kMaxMatrixQubits = 6;

Result<GateItem> gate_item(const FlatOp& op) {
    GateItem g;
    g.qubits = op.qubits;
    switch (op.gate) {
        case GateKind::kCX:
        case GateKind::kCCX:
        case GateKind::kC3X:
        case GateKind::kMCX:
            g.kind = GateItem::Kind::kMcx;
            break;
        case GateKind::kSwap:
            g.kind = GateItem::Kind::kSwap;
            break;
        default:
            break;
    }
    // A wide mcx has its own kernel and is never fused: no 2^k x 2^k matrix for it.
    if (g.kind == GateItem::Kind::kMcx && op.qubits.size() > kMaxMatrixQubits) return g;
    auto m = circuit::gate_matrix(op.gate, op.params, static_cast<int>(op.qubits.size()));
    if (!m.ok()) return m.status();
    g.m = std::move(*m);
    if (g.kind == GateItem::Kind::kDense && is_diagonal(g.m)) g.kind = GateItem::Kind::kDiagonal;
    if (g.kind == GateItem::Kind::kDense && op.qubits.size() > kMaxMatrixQubits) {
        return invalid_argument(
            fmt::format("gate {} on {} qubits is wider than the simulator's "
                        "{}-qubit matrices",
                        circuit::gate_info(op.gate).name, op.qubits.size(), kMaxMatrixQubits));
    }
    return g;
}

// Gate fusion across commuting blocks. Blocks stay open until a non-unitary operation (or the
// end) flushes them, in creation order, which is a valid order: a gate joins the latest block
// among those it depends on (the last block on each of its qubits), so nothing after that block
// touches the gate's qubits. A dependency block that is the last block on all of its qubits
// ("movable") can also be merged into the block the gate joins (blocks on disjoint qubits
// commute). Whether to fuse is a cost model: a block whose rows have at most r nonzero entries
// costs max(1, (r / 2^kb)^2) state passes, where 2^kb is the row length at which a dense kernel
// turns from memory- to compute-bound (kernel_balance_qubits; a dense k-qubit block has
// r = 2^k, and beyond kb each qubit doubles the flops and, measured, more than doubles the
// time); permutation blocks (CX, SWAP chains) have r = 1 and stay one pass at any width. A join
// or merge is taken when it costs no more passes than leaving the parts apart.
class Fuser {
public:
    Fuser(SvProgram& out, unsigned max_qubits, unsigned balance)
        : out_(out), max_(std::min(max_qubits, kMaxMatrixQubits)), balance_(balance) {}

    void add(GateItem g) {
        const bool fusable = max_ > 0 && g.qubits.size() <= max_ && g.m.dim != 0;
        int latest = -1;
        for (unsigned q : g.qubits) latest = std::max(latest, last(q));
        if (fusable && latest >= 0 && blocks_[static_cast<std::size_t>(latest)].fusable) {
            if (try_join(g, latest)) return;
        }
        // A new block at the end; movable fusable dependencies may be merged into it.
        Block b;
        b.fusable = fusable;
        b.qubits = g.qubits;
        b.m = g.m;
        b.diagonal = g.kind == GateItem::Kind::kDiagonal;
        b.row_nonzeros = fusable ? row_nonzeros(g.m) : 0;
        b.first = std::move(g);
        b.count = 1;
        blocks_.push_back(std::move(b));
        const int id = static_cast<int>(blocks_.size()) - 1;
        if (fusable) {
            const std::vector<int> deps = movable_deps(blocks_.back().qubits, id);
            merge_deps(id, deps, {}, 0);
        }
        for (unsigned q : blocks_[static_cast<std::size_t>(id)].qubits) set_last(q, id);
    }

    void flush() {
        for (Block& b : blocks_) {
            if (b.dead) continue;
            if (b.count == 1) {
                emit(std::move(b.first));
                continue;
            }
            GateItem g;
            g.kind = b.diagonal ? GateItem::Kind::kDiagonal : GateItem::Kind::kDense;
            g.qubits = std::move(b.qubits);
            g.m = std::move(b.m);
            emit(std::move(g));
        }
        blocks_.clear();
        last_.clear();
    }

private:
    struct Block {
        std::vector<unsigned> qubits;
        Matrix m;
        bool diagonal = false;
        bool fusable = true;
        bool dead = false;  // merged into a later block
        int row_nonzeros = 0;  // the most nonzero entries in one row of m
        GateItem first;     // the gate itself while count == 1
        int count = 0;
    };

    int last(unsigned q) const { return q < last_.size() ? last_[q] : -1; }
    void set_last(unsigned q, int id) {
        if (q >= last_.size()) last_.resize(q + 1, -1);
        last_[q] = id;
    }

    // Passes a block of k qubits with at most `nonzeros` entries per row costs: the kernels do
    // work in proportion to the nonzeros (the sparse kernel skips zero terms).
    double cost(std::size_t k, int nonzeros) const {
        if (k <= balance_ || std::min(nonzeros, 1 << k) <= 2) return 1.0;
        return std::ldexp(1.0, 2 * static_cast<int>(k - balance_));
    }
    double cost(const Block& b) const { return cost(b.qubits.size(), b.row_nonzeros); }

    static int row_nonzeros(const Matrix& m) {
        int most = 0;
        for (int r = 0; r < m.dim; ++r) {
            int n = 0;
            for (int c = 0; c < m.dim; ++c) n += m(r, c) != C(0) ? 1 : 0;
            most = std::max(most, n);
        }
        return most;
    }

    static void add_qubits(std::vector<unsigned>& u, const std::vector<unsigned>& qs) {
        for (unsigned q : qs) {
            if (std::find(u.begin(), u.end(), q) == u.end()) u.push_back(q);
        }
    }

    // Fusable blocks other than `except` that are the last block on each of their qubits and
    // touch one of `qs`.
    std::vector<int> movable_deps(const std::vector<unsigned>& qs, int except) const {
        std::vector<int> deps;
        for (unsigned q : qs) {
            const int d = last(q);
            if (d < 0 || d == except || std::find(deps.begin(), deps.end(), d) != deps.end()) {
                continue;
            }
            const Block& b = blocks_[static_cast<std::size_t>(d)];
            if (!b.fusable) continue;
            bool movable = true;
            for (unsigned bq : b.qubits) movable = movable && last(bq) == d;
            if (movable) deps.push_back(d);
        }
        return deps;
    }

    // Merges the dependency blocks `deps` into block `id` while the cost model allows, keeping
    // room for the qubits `extra` of a gate about to join.
    void merge_deps(int id, const std::vector<int>& deps, const std::vector<unsigned>& extra,
                    int extra_nonzeros) {
        Block& b = blocks_[static_cast<std::size_t>(id)];
        for (int d : deps) {
            Block& a = blocks_[static_cast<std::size_t>(d)];
            std::vector<unsigned> with_extra = b.qubits;
            add_qubits(with_extra, extra);
            std::vector<unsigned> all = with_extra;
            add_qubits(all, a.qubits);
            // Row counts multiply at most (exactly, for disjoint blocks).
            const int with_extra_nnz = b.row_nonzeros * std::max(extra_nonzeros, 1);
            if (all.size() > max_ || cost(all.size(), with_extra_nnz * a.row_nonzeros) >
                                         cost(with_extra.size(), with_extra_nnz) + cost(a)) {
                continue;
            }
            std::vector<unsigned> u = b.qubits;
            add_qubits(u, a.qubits);
            // Disjoint qubits: the two commute, the order of the product is free.
            b.m = multiply(expand(b.m, b.qubits, u), expand(a.m, a.qubits, u));
            b.qubits = std::move(u);
            b.diagonal = b.diagonal && a.diagonal;
            b.row_nonzeros = row_nonzeros(b.m);
            b.count += a.count;
            a.dead = true;
            for (unsigned q : a.qubits) set_last(q, id);
        }
    }

    bool try_join(GateItem& g, int id) {
        Block& b = blocks_[static_cast<std::size_t>(id)];
        std::vector<unsigned> u = b.qubits;
        add_qubits(u, g.qubits);
        // Joining saves the pass the gate would cost as a block of its own. The product has at
        // most the product of the row counts.
        const int g_nonzeros = row_nonzeros(g.m);
        if (u.size() > max_ || cost(u.size(), b.row_nonzeros * g_nonzeros) >
                                   cost(b) + cost(g.qubits.size(), g_nonzeros)) {
            return false;
        }
        const std::vector<int> deps = movable_deps(g.qubits, id);
        merge_deps(id, deps, g.qubits, g_nonzeros);
        Block& bb = blocks_[static_cast<std::size_t>(id)];
        u = bb.qubits;
        add_qubits(u, g.qubits);
        bb.m = multiply(expand(g.m, g.qubits, u), expand(bb.m, bb.qubits, u));
        bb.qubits = std::move(u);
        bb.diagonal = bb.diagonal && g.kind == GateItem::Kind::kDiagonal;
        bb.row_nonzeros = row_nonzeros(bb.m);
        ++bb.count;
        // Only the gate's qubits: a later block may be the last on the block's other qubits.
        for (unsigned q : g.qubits) set_last(q, id);
        return true;
    }

    void emit(GateItem g) {
        SvOp op;
        op.qubits = std::move(g.qubits);
        switch (g.kind) {
            case GateItem::Kind::kMcx:
                op.kind = SvOp::Kind::kMcx;
                break;
            case GateItem::Kind::kSwap:
                op.kind = SvOp::Kind::kSwap;
                break;
            case GateItem::Kind::kDiagonal:
                op.kind = SvOp::Kind::kDiagonal;
                for (int i = 0; i < g.m.dim; ++i) op.diag.push_back(g.m(i, i));
                break;
            case GateItem::Kind::kDense:
                op.kind = op.qubits.size() == 1   ? SvOp::Kind::k1q
                          : op.qubits.size() == 2 ? SvOp::Kind::k2q
                                                  : SvOp::Kind::kMatrix;
                op.m = std::move(g.m);
                break;
        }
        out_.push_back(std::move(op));
    }

    SvProgram& out_;
    unsigned max_;
    unsigned balance_;
    std::vector<Block> blocks_;
    std::vector<int> last_;  // per qubit: the last block on it, -1 if none
};

// The fused-block width up to which a dense kernel pass stays about memory-bound (one pass of
// cost): with 2 AVX-512 cores at ~66 GB/s, a 3-qubit block (64 flops per amplitude) streams
// near the bandwidth and 4-qubit blocks made QV and random circuits slower
// (docs/performance.md); AVX2 has half the flops, the portable kernels less still.
unsigned kernel_balance_qubits() {
    const std::string_view level = simd_level();
    return level == "avx512" ? 3 : level == "avx2" ? 2 : 1;
}

Status compile_sv(const FlatOps& ops, const NoiseContext& noise, unsigned max_fused,
                  SvProgram& out) {
    Fuser fuser(out, max_fused, kernel_balance_qubits());
    for (const FlatOp& op : ops) {
        switch (op.kind) {
            case FlatOp::Kind::kGate: {
                if (op.gate != GateKind::kI) {
                    auto g = gate_item(op);
                    if (!g.ok()) return g.status();
                    fuser.add(std::move(*g));
                }
                if (auto n = noise.after(op)) {
                    fuser.flush();
                    SvOp s;
                    s.kind = SvOp::Kind::kNoise;
                    s.qubits = op.qubits;
                    s.noise = std::move(*n);
                    out.push_back(std::move(s));
                }
                break;
            }
            case FlatOp::Kind::kDelay:
                if (auto n = noise.after(op)) {
                    fuser.flush();
                    SvOp s;
                    s.kind = SvOp::Kind::kNoise;
                    s.qubits = op.qubits;
                    s.noise = std::move(*n);
                    out.push_back(std::move(s));
                }
                break;
            case FlatOp::Kind::kMeasure:
            case FlatOp::Kind::kReset: {
                fuser.flush();
                SvOp s;
                s.kind =
                    op.kind == FlatOp::Kind::kMeasure ? SvOp::Kind::kMeasure : SvOp::Kind::kReset;
                s.qubits = op.qubits;
                s.clbit = op.clbit;
                s.readout = noise.readout(op.qubits[0]);
                out.push_back(std::move(s));
                break;
            }
            case FlatOp::Kind::kIfElse: {
                fuser.flush();
                SvOp s;
                s.kind = SvOp::Kind::kIfElse;
                s.cond = &op;
                s.then_p = std::make_shared<SvProgram>();
                QRT_RETURN_IF_ERROR(compile_sv(*op.then_ops, noise, max_fused, *s.then_p));
                if (op.else_ops) {
                    s.else_p = std::make_shared<SvProgram>();
                    QRT_RETURN_IF_ERROR(compile_sv(*op.else_ops, noise, max_fused, *s.else_p));
                }
                out.push_back(std::move(s));
                break;
            }
        }
    }
    fuser.flush();
    return {};
}

const Matrix& pauli_matrix(int p) {  // 1 = X, 2 = Y, 3 = Z
    static const Matrix kX{2, {0, 1, 1, 0}};
    static const Matrix kY{2, {0, C(0, -1), C(0, 1), 0}};
    static const Matrix kZ{2, {1, 0, 0, -1}};
    return p == 1 ? kX : p == 2 ? kY : kZ;
}

// Pure-dephasing rate beyond what amplitude damping already causes: 1/T2 - 1/(2 T1).
double dephasing_rate(const QubitNoise& qn) {
    double rate = qn.t2 > 0 ? 1 / qn.t2 : 0;
    if (qn.t1 > 0) rate -= 1 / (2 * qn.t1);
    return std::max(rate, 0.0);
}

template <typename Real>
class SvRunner {
public:
    SvRunner(const RunOptions& o) : o_(o) {}

    // Runs `prog` on `sv`; measurement results go to `words` (one shot's clbits).
    Status run(StateVector<Real>& sv, const SvProgram& prog, Rng* rng, std::uint64_t* words) const {
        for (const SvOp& op : prog) {
            if (o_.stop.stop_requested()) return cancelled();
            switch (op.kind) {
                case SvOp::Kind::k1q:
                    sv.apply_1q(op.m, op.qubits[0]);
                    break;
                case SvOp::Kind::k2q:
                    sv.apply_2q(op.m, op.qubits[0], op.qubits[1]);
                    break;
                case SvOp::Kind::kMatrix:
                    sv.apply_matrix(op.m, op.qubits);
                    break;
                case SvOp::Kind::kDiagonal:
                    sv.apply_diagonal(op.diag, op.qubits);
                    break;
                case SvOp::Kind::kMcx:
                    sv.apply_mcx(std::span<const unsigned>(op.qubits.data(), op.qubits.size() - 1),
                                 op.qubits.back());
                    break;
                case SvOp::Kind::kSwap:
                    sv.apply_swap(op.qubits[0], op.qubits[1]);
                    break;
                case SvOp::Kind::kMeasure: {
                    const int b = op.readout.apply(sv.measure(op.qubits[0], *rng), *rng);
                    set_bit(words, op.clbit, b != 0);
                    break;
                }
                case SvOp::Kind::kReset:
                    sv.reset(op.qubits[0], *rng);
                    break;
                case SvOp::Kind::kIfElse: {
                    const SvProgram* body =
                        condition_holds(*op.cond, words) ? op.then_p.get() : op.else_p.get();
                    if (body != nullptr) QRT_RETURN_IF_ERROR(run(sv, *body, rng, words));
                    break;
                }
                case SvOp::Kind::kNoise:
                    apply_noise(sv, op, *rng);
                    break;
            }
        }
        return {};
    }

private:
    static void apply_noise(StateVector<Real>& sv, const SvOp& op, Rng& rng) {
        const NoiseOp& n = op.noise;
        const std::size_t nq = op.qubits.size();
        if (n.depolarizing > 0 && nq < 32 && rng.bernoulli(n.depolarizing)) {
            const std::int64_t count = (std::int64_t{1} << (2 * nq)) - 1;
            const std::uint64_t pauli = static_cast<std::uint64_t>(rng.uniform_int(1, count));
            for (std::size_t j = 0; j < nq; ++j) {
                const int p = static_cast<int>((pauli >> (2 * j)) & 3u);
                if (p != 0) sv.apply_1q(pauli_matrix(p), op.qubits[j]);
            }
        }
        if (n.seconds <= 0) return;
        for (std::size_t j = 0; j < nq && j < n.qubit_noise.size(); ++j) {
            const QubitNoise& qn = n.qubit_noise[j];
            const unsigned q = op.qubits[j];
            if (qn.t1 > 0) {
                // Amplitude damping by quantum trajectories: jump with probability gamma P(1).
                const double gamma = 1 - std::exp(-n.seconds / qn.t1);
                const double jump = gamma * sv.probability_one(q);
                if (rng.uniform() < jump) {
                    sv.apply_1q(Matrix{2, {0, 1, 0, 0}}, q);
                    sv.scale(1 / std::sqrt(jump));
                } else {
                    sv.apply_1q(Matrix{2, {1, 0, 0, std::sqrt(1 - gamma)}}, q);
                    sv.scale(1 / std::sqrt(1 - jump));
                }
            }
            const double rate = dephasing_rate(qn);
            if (rate > 0) {
                const double pz = (1 - std::exp(-n.seconds * rate)) / 2;
                if (rng.bernoulli(pz)) sv.apply_1q(pauli_matrix(3), q);
            }
        }
    }

    const RunOptions& o_;
};

// Leading unitary operations (run once, shared by all shots) and the rest.
std::size_t unitary_prefix(const SvProgram& prog) {
    std::size_t i = 0;
    while (i < prog.size() && prog[i].unitary()) ++i;
    return i;
}

// Basis indices of `shots` samples of |amplitude|^2 (unnormalised states are normalised): sorted
// uniforms matched to one parallel pass over the amplitudes, then shuffled.
template <typename Real>
std::vector<std::uint64_t> sample_basis(const StateVector<Real>& sv, std::uint64_t shots, Rng& rng,
                                        int threads) {
    const std::size_t n = sv.size();
    const auto* a = sv.data();
    const std::size_t chunks = std::min<std::size_t>(n, 4096);
    const std::size_t len = n / chunks;
    std::vector<double> prefix(chunks + 1, 0.0);
#pragma omp parallel for num_threads(threads) schedule(static) if (n >= (1u << 16))
    for (std::size_t c = 0; c < chunks; ++c) {
        double s = 0;
        for (std::size_t i = c * len; i < (c + 1) * len; ++i) s += std::norm(a[i]);
        prefix[c + 1] = s;
    }
    for (std::size_t c = 0; c < chunks; ++c) prefix[c + 1] += prefix[c];
    const double total = prefix[chunks];
    std::vector<double> u(shots);
    for (auto& x : u) x = rng.uniform() * total;
    std::sort(u.begin(), u.end());
    std::vector<std::uint64_t> out(shots, 0);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 16) if (n >= (1u << 16))
    for (std::size_t c = 0; c < chunks; ++c) {
        auto lo = std::lower_bound(u.begin(), u.end(), prefix[c]) - u.begin();
        auto hi = c + 1 == chunks ? static_cast<std::ptrdiff_t>(shots)
                                  : std::lower_bound(u.begin(), u.end(), prefix[c + 1]) - u.begin();
        if (lo >= hi) continue;
        double acc = prefix[c];
        std::size_t i = c * len, last_nonzero = c * len;
        for (auto s = lo; s < hi; ++s) {
            while (i < (c + 1) * len) {
                const double p = std::norm(a[i]);
                if (p > 0) last_nonzero = i;
                if (u[s] < acc + p && p > 0) break;
                acc += p;
                ++i;
            }
            out[s] = i < (c + 1) * len ? i : last_nonzero;
        }
    }
    for (std::uint64_t s = shots; s > 1; --s) {
        const auto j =
            static_cast<std::uint64_t>(rng.uniform_int(0, static_cast<std::int64_t>(s - 1)));
        std::swap(out[s - 1], out[j]);
    }
    return out;
}

template <typename Real>
Result<ShotMemory> run_statevector(const Prepared& p, const RunOptions& o, RunInfo* info) {
    ShotMemory mem = empty_memory(o.shots, p.num_clbits);
    const unsigned k = p.num_qubits;
    NoiseContext noise{o.noise != nullptr && !o.noise->empty() ? o.noise : nullptr, &p.physical};
    const int threads = num_threads(o);
    SvRunner<Real> runner(o);

    const Terminal term = split_terminal(p.ops, k);
    if (term.ok && !has_quantum_noise(p.ops, noise)) {
        // All measurements final: one state, all shots sampled from it.
        if (info) info->per_shot = false;
        SvProgram prog;
        QRT_RETURN_IF_ERROR(compile_sv(term.unitary, {}, o.max_fused_qubits, prog));
        auto sv = StateVector<Real>::create(k);
        if (!sv.ok()) return sv.status();
        QRT_RETURN_IF_ERROR(runner.run(*sv, prog, nullptr, nullptr));
        if (term.measures.empty() || o.shots == 0) return mem;
        Rng rng(o.seed);
        const auto samples = sample_basis(*sv, o.shots, rng, threads);
        std::vector<Readout> readouts;
        for (const auto& [q, b] : term.measures) readouts.push_back(noise.readout(q));
        for (std::uint64_t s = 0; s < o.shots; ++s) {
            std::uint64_t* w = mem.words.data() + s * mem.words_per_shot;
            for (std::size_t m = 0; m < term.measures.size(); ++m) {
                const auto [q, b] = term.measures[m];
                const int bit = readouts[m].apply(static_cast<int>((samples[s] >> q) & 1u), rng);
                set_bit(w, b, bit != 0);
            }
        }
        return mem;
    }

    // Per-shot trajectories from a shared state after the leading unitary part.
    if (info) info->per_shot = true;
    SvProgram full;
    QRT_RETURN_IF_ERROR(compile_sv(p.ops, noise, o.max_fused_qubits, full));
    const std::size_t np = unitary_prefix(full);
    const SvProgram prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(np));
    const SvProgram rest(full.begin() + static_cast<std::ptrdiff_t>(np), full.end());
    auto base = StateVector<Real>::create(k);
    if (!base.ok()) return base.status();
    QRT_RETURN_IF_ERROR(runner.run(*base, prefix, nullptr, nullptr));

    // Threads over shots only while one state per thread is small; otherwise the kernels
    // parallelise inside.
    const int shot_threads =
        (k <= 18 && o.shots > 1) ? static_cast<int>(std::min<std::uint64_t>(threads, o.shots)) : 1;
    Status first_error;
    std::mutex error_mutex;
    std::atomic<bool> failed{false};
#pragma omp parallel num_threads(shot_threads)
    {
        auto sv = StateVector<Real>::create(k);
        if (!sv.ok()) {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (first_error.ok()) first_error = sv.status();
            failed = true;
        }
#pragma omp for schedule(dynamic, 8)
        for (std::uint64_t s = 0; s < o.shots; ++s) {
            if (failed.load(std::memory_order_relaxed) || !sv.ok()) continue;
            Status st;
            if (o.stop.stop_requested()) {
                st = cancelled();
            } else {
                std::copy(base->data(), base->data() + base->size(), sv->data());
                Rng rng = shot_rng(o.seed, s);
                st = runner.run(*sv, rest, &rng, mem.words.data() + s * mem.words_per_shot);
            }
            if (!st.ok()) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (first_error.ok()) first_error = st;
                failed = true;
            }
        }
    }
    if (!first_error.ok()) return first_error;
    return mem;
}

// ---------------------------------------------------------------------------------------------
// Stabilizer programs.

struct StOp;
using StProgram = std::vector<StOp>;

struct StOp {
    enum class Kind : std::uint8_t { kGate, kMeasure, kReset, kIfElse, kNoise };
    Kind kind = Kind::kGate;
    Instruction inst;  // gate: compacted qubits, constant angles
    std::vector<unsigned> qubits;
    unsigned clbit = 0;
    Readout readout;
    const FlatOp* cond = nullptr;
    std::shared_ptr<StProgram> then_p, else_p;
    double depolarizing = 0;
    std::vector<std::array<double, 3>> pauli;  // per operand: px, py, pz (relaxation twirl)
};

void compile_st(const FlatOps& ops, const NoiseContext& noise, StProgram& out) {
    for (const FlatOp& op : ops) {
        StOp s;
        s.qubits = op.qubits;
        switch (op.kind) {
            case FlatOp::Kind::kGate:
                s.kind = StOp::Kind::kGate;
                s.inst.kind = op.gate;
                s.inst.qubits.assign(op.qubits.begin(), op.qubits.end());
                for (double v : op.params) s.inst.params.emplace_back(v);
                out.push_back(s);
                [[fallthrough]];
            case FlatOp::Kind::kDelay:
                if (auto n = noise.after(op)) {
                    StOp ns;
                    ns.kind = StOp::Kind::kNoise;
                    ns.qubits = op.qubits;
                    ns.depolarizing = n->depolarizing;
                    for (const QubitNoise& qn : n->qubit_noise) {
                        // Pauli twirl of thermal relaxation.
                        const double a = qn.t1 > 0 ? std::exp(-n->seconds / qn.t1) : 1.0;
                        double t2 = qn.t2;
                        if (qn.t1 > 0 && (t2 <= 0 || t2 > 2 * qn.t1)) t2 = 2 * qn.t1;
                        const double b = t2 > 0 ? std::exp(-n->seconds / t2) : 1.0;
                        const double pxy = (1 - a) / 4;
                        ns.pauli.push_back({pxy, pxy, std::max(0.0, (1 - b) / 2 - pxy)});
                    }
                    if (n->seconds <= 0) ns.pauli.clear();
                    out.push_back(std::move(ns));
                }
                break;
            case FlatOp::Kind::kMeasure:
            case FlatOp::Kind::kReset:
                s.kind =
                    op.kind == FlatOp::Kind::kMeasure ? StOp::Kind::kMeasure : StOp::Kind::kReset;
                s.clbit = op.clbit;
                s.readout = noise.readout(op.qubits[0]);
                out.push_back(std::move(s));
                break;
            case FlatOp::Kind::kIfElse:
                s.kind = StOp::Kind::kIfElse;
                s.cond = &op;
                s.then_p = std::make_shared<StProgram>();
                compile_st(*op.then_ops, noise, *s.then_p);
                if (op.else_ops) {
                    s.else_p = std::make_shared<StProgram>();
                    compile_st(*op.else_ops, noise, *s.else_p);
                }
                out.push_back(std::move(s));
                break;
        }
    }
}

void apply_pauli(Tableau& t, int p, unsigned q) {
    if (p == 1) t.x(q);
    if (p == 2) t.y(q);
    if (p == 3) t.z(q);
}

Status run_st(Tableau& t, const StProgram& prog, Rng* rng, std::uint64_t* words,
              const RunOptions& o) {
    for (const StOp& op : prog) {
        if (o.stop.stop_requested()) return cancelled();
        switch (op.kind) {
            case StOp::Kind::kGate:
                QRT_RETURN_IF_ERROR(t.apply(op.inst));
                break;
            case StOp::Kind::kMeasure: {
                const int b = op.readout.apply(t.measure(op.qubits[0], *rng), *rng);
                set_bit(words, op.clbit, b != 0);
                break;
            }
            case StOp::Kind::kReset:
                t.reset(op.qubits[0], *rng);
                break;
            case StOp::Kind::kIfElse: {
                const StProgram* body =
                    condition_holds(*op.cond, words) ? op.then_p.get() : op.else_p.get();
                if (body != nullptr) QRT_RETURN_IF_ERROR(run_st(t, *body, rng, words, o));
                break;
            }
            case StOp::Kind::kNoise: {
                const std::size_t nq = op.qubits.size();
                if (op.depolarizing > 0 && nq < 32 && rng->bernoulli(op.depolarizing)) {
                    const std::int64_t count = (std::int64_t{1} << (2 * nq)) - 1;
                    const auto pauli = static_cast<std::uint64_t>(rng->uniform_int(1, count));
                    for (std::size_t j = 0; j < nq; ++j) {
                        apply_pauli(t, static_cast<int>((pauli >> (2 * j)) & 3u), op.qubits[j]);
                    }
                }
                for (std::size_t j = 0; j < op.pauli.size() && j < nq; ++j) {
                    const double u = rng->uniform();
                    const auto& pr = op.pauli[j];
                    if (u < pr[0]) {
                        t.x(op.qubits[j]);
                    } else if (u < pr[0] + pr[1]) {
                        t.y(op.qubits[j]);
                    } else if (u < pr[0] + pr[1] + pr[2]) {
                        t.z(op.qubits[j]);
                    }
                }
                break;
            }
        }
    }
    return {};
}

Result<ShotMemory> run_stabilizer(const Prepared& p, const RunOptions& o, RunInfo* info) {
    ShotMemory mem = empty_memory(o.shots, p.num_clbits);
    NoiseContext noise{o.noise != nullptr && !o.noise->empty() ? o.noise : nullptr, &p.physical};
    StProgram full;
    compile_st(p.ops, noise, full);
    if (info) {
        info->per_shot = !split_terminal(p.ops, p.num_qubits).ok || has_quantum_noise(p.ops, noise);
    }
    std::size_t np = 0;
    while (np < full.size() && full[np].kind == StOp::Kind::kGate) ++np;
    const StProgram prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(np));
    const StProgram rest(full.begin() + static_cast<std::ptrdiff_t>(np), full.end());
    Tableau base(p.num_qubits);
    QRT_RETURN_IF_ERROR(run_st(base, prefix, nullptr, nullptr, o));
    if (rest.empty()) return mem;
    // Only terminal measurements left: sample every shot from the one stabilizer state (an
    // affine subspace of outcomes) instead of measuring a copy per shot.
    if (std::all_of(rest.begin(), rest.end(),
                    [](const StOp& op) { return op.kind == StOp::Kind::kMeasure; })) {
        std::vector<unsigned> qubits;
        for (const StOp& op : rest) qubits.push_back(op.qubits[0]);
        Rng rng = shot_rng(o.seed, o.shots);
        const std::vector<std::uint64_t> bits = base.sample_measurements(qubits, o.shots, rng);
        const std::size_t w = (qubits.size() + 63) / 64;
        for (std::uint64_t s = 0; s < o.shots; ++s) {
            if ((s & 1023) == 0 && o.stop.stop_requested()) return cancelled();
            std::uint64_t* words = mem.words.data() + s * mem.words_per_shot;
            for (std::size_t i = 0; i < rest.size(); ++i) {
                const int b = static_cast<int>((bits[s * w + i / 64] >> (i % 64)) & 1u);
                set_bit(words, rest[i].clbit, rest[i].readout.apply(b, rng) != 0);
            }
        }
        return mem;
    }
    const int threads = static_cast<int>(
        std::min<std::uint64_t>(num_threads(o), std::max<std::uint64_t>(o.shots, 1)));
    Status first_error;
    std::mutex error_mutex;
    std::atomic<bool> failed{false};
#pragma omp parallel for num_threads(threads) schedule(dynamic, 16)
    for (std::uint64_t s = 0; s < o.shots; ++s) {
        if (failed.load(std::memory_order_relaxed)) continue;
        Status st;
        if (o.stop.stop_requested()) {
            st = cancelled();
        } else {
            Tableau t = base;
            Rng rng = shot_rng(o.seed, s);
            st = run_st(t, rest, &rng, mem.words.data() + s * mem.words_per_shot, o);
        }
        if (!st.ok()) {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (first_error.ok()) first_error = st;
            failed = true;
        }
    }
    if (!first_error.ok()) return first_error;
    return mem;
}

// ---------------------------------------------------------------------------------------------
// Final states and expectation values.

Status no_mid_circuit(const Terminal& t, const char* what) {
    if (t.ok) return {};
    return invalid_argument(std::string(what) +
                            " needs a circuit without mid-circuit measurement, reset after "
                            "other operations, or if_else");
}

// Multiplies the first matrix or diagonal of `prog` by e^{i phase}, so that the global phase
// costs no pass of its own; false when the program has none (then the caller scales).
bool fold_global_phase(SvProgram& prog, double phase) {
    if (phase == 0) return true;
    const C f = std::polar(1.0, phase);
    for (SvOp& op : prog) {
        if (op.kind == SvOp::Kind::k1q || op.kind == SvOp::Kind::k2q ||
            op.kind == SvOp::Kind::kMatrix) {
            for (C& x : op.m.data) x *= f;
            return true;
        }
        if (op.kind == SvOp::Kind::kDiagonal) {
            for (C& x : op.diag) x *= f;
            return true;
        }
    }
    return false;
}

// The final state over the simulated qubits; with_phase: the global phase included.
template <typename Real>
Result<StateVector<Real>> final_state(const Prepared& p, const Terminal& t, const RunOptions& o,
                                      bool with_phase = false) {
    SvProgram prog;
    QRT_RETURN_IF_ERROR(compile_sv(t.unitary, {}, o.max_fused_qubits, prog));
    const bool folded = !with_phase || fold_global_phase(prog, p.global_phase);
    auto sv = StateVector<Real>::create(p.num_qubits);
    if (!sv.ok()) return sv.status();
    QRT_RETURN_IF_ERROR(SvRunner<Real>(o).run(*sv, prog, nullptr, nullptr));
    if (!folded) sv->scale(std::polar(1.0, p.global_phase));
    return sv;
}

template <typename Real>
Result<std::vector<C>> final_statevector_as(const Prepared& p, const Terminal& t,
                                            const RunOptions& o) {
    auto sv = final_state<Real>(p, t, o, true);
    if (!sv.ok()) return sv.status();
    const auto n = static_cast<std::int64_t>(sv->size());
    const int threads = n >= (1 << 16) ? num_threads(o) : 1;
    const auto* a = sv->data();
    bool identity = p.num_qubits == p.circuit_qubits;
    for (unsigned j = 0; j < p.num_qubits && identity; ++j) identity = p.physical[j] == j;
    if (identity) {
        std::vector<C> out(static_cast<std::size_t>(n));
#pragma omp parallel for num_threads(threads) schedule(static)
        for (std::int64_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = C(a[i]);
        return out;
    }
    std::vector<C> out(std::size_t{1} << p.circuit_qubits, C(0));
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
        std::size_t full = 0;
        for (unsigned j = 0; j < p.num_qubits; ++j) {
            full |= ((static_cast<std::size_t>(i) >> j) & 1u) << p.physical[j];
        }
        out[full] = C(a[i]);
    }
    return out;
}

// A label over the circuit's qubits as a label over the simulated ones; nullopt when the term is
// zero (X or Y on an idle qubit, which stays |0>).
Result<std::optional<std::string>> compact_label(const std::string& label, const Prepared& p) {
    const std::size_t n = p.circuit_qubits;
    if (label.size() != n) {
        return invalid_argument("Pauli label '" + label + "' has " + std::to_string(label.size()) +
                                " characters; the circuit has " + std::to_string(n) + " qubits");
    }
    std::vector<bool> used(n, false);
    for (std::uint32_t q : p.physical) used[q] = true;
    for (std::size_t q = 0; q < n; ++q) {
        const char ch = label[n - 1 - q];
        if (ch != 'I' && ch != 'X' && ch != 'Y' && ch != 'Z') {
            return invalid_argument("Pauli label '" + label + "' has '" + std::string(1, ch) +
                                    "'; only I, X, Y, Z are allowed");
        }
        if (!used[q] && (ch == 'X' || ch == 'Y')) return std::optional<std::string>();
    }
    const std::size_t k = p.num_qubits;
    std::string out(k, 'I');
    for (std::size_t j = 0; j < k; ++j) out[k - 1 - j] = label[n - 1 - p.physical[j]];
    return std::optional<std::string>(std::move(out));
}

}  // namespace

Result<ShotMemory> run_shots(const circuit::Circuit& c, const RunOptions& options, RunInfo* info) {
    auto p = prepare(c, options);
    if (!p.ok()) return p.status();
    auto method = choose_method(c, p->num_qubits, options);
    if (!method.ok()) return method.status();
    if (info != nullptr) {
        info->method = *method;
        info->simulated_qubits = p->num_qubits;
    }
    if (options.stop.stop_requested()) return cancelled();
    if (*method == Method::kStabilizer) return run_stabilizer(*p, options, info);
    if (options.single_precision) return run_statevector<float>(*p, options, info);
    return run_statevector<double>(*p, options, info);
}

Result<std::vector<std::complex<double>>> final_statevector(const circuit::Circuit& c,
                                                            const RunOptions& options) {
    auto p = prepare(c, options);
    if (!p.ok()) return p.status();
    const Terminal t = split_terminal(p->ops, p->num_qubits);
    QRT_RETURN_IF_ERROR(no_mid_circuit(t, "final_statevector"));
    if (!fits(p->circuit_qubits, options)) return memory_error(p->circuit_qubits, options, false);
    if (options.single_precision) return final_statevector_as<float>(*p, t, options);
    return final_statevector_as<double>(*p, t, options);
}

Result<CompactState> final_compact_state(const circuit::Circuit& c, const RunOptions& options) {
    auto p = prepare(c, options);
    if (!p.ok()) return p.status();
    const Terminal t = split_terminal(p->ops, p->num_qubits);
    QRT_RETURN_IF_ERROR(no_mid_circuit(t, "final_compact_state"));
    if (!fits(p->num_qubits, options)) return memory_error(p->num_qubits, options, false);
    Prepared compact = *p;
    compact.circuit_qubits = p->num_qubits;
    std::iota(compact.physical.begin(), compact.physical.end(), 0u);
    auto amps = options.single_precision ? final_statevector_as<float>(compact, t, options)
                                         : final_statevector_as<double>(compact, t, options);
    if (!amps.ok()) return amps.status();
    return CompactState{p->physical, std::move(*amps)};
}

Result<SimulatedState> simulate_state(const circuit::Circuit& c, const RunOptions& options) {
    auto p = prepare(c, options);
    if (!p.ok()) return p.status();
    const Terminal t = split_terminal(p->ops, p->num_qubits);
    QRT_RETURN_IF_ERROR(no_mid_circuit(t, "simulate_state"));
    if (!fits(p->num_qubits, options)) return memory_error(p->num_qubits, options, false);
    SimulatedState out;
    out.qubits = p->physical;
    if (options.single_precision) {
        auto sv = final_state<float>(*p, t, options, true);
        if (!sv.ok()) return sv.status();
        out.state_single.emplace(std::move(*sv));
    } else {
        auto sv = final_state<double>(*p, t, options, true);
        if (!sv.ok()) return sv.status();
        out.state.emplace(std::move(*sv));
    }
    return out;
}

Result<std::vector<double>> exact_expectations(const circuit::Circuit& c,
                                               const std::vector<PauliSum>& observables,
                                               const RunOptions& options) {
    auto p = prepare(c, options);
    if (!p.ok()) return p.status();
    const Terminal t = split_terminal(p->ops, p->num_qubits);
    QRT_RETURN_IF_ERROR(no_mid_circuit(t, "exact_expectations"));
    std::vector<std::vector<std::pair<std::optional<std::string>, double>>> terms;
    for (const PauliSum& o : observables) {
        auto& out = terms.emplace_back();
        for (const auto& [label, coeff] : o.terms) {
            auto l = compact_label(label, *p);
            if (!l.ok()) return l.status();
            out.emplace_back(std::move(*l), coeff);
        }
    }
    RunOptions o = options;
    o.noise = nullptr;
    auto method = choose_method(c, p->num_qubits, o);
    if (!method.ok()) return method.status();
    std::vector<double> values;
    if (*method == Method::kStabilizer) {
        Tableau tab(p->num_qubits);
        StProgram prog;
        compile_st(t.unitary, {}, prog);
        QRT_RETURN_IF_ERROR(run_st(tab, prog, nullptr, nullptr, o));
        for (const auto& obs : terms) {
            double v = 0;
            for (const auto& [label, coeff] : obs) {
                if (label) v += coeff * tab.expectation_pauli(*label);
            }
            values.push_back(v);
        }
        return values;
    }
    auto eval = [&](const auto& sv) {
        for (const auto& obs : terms) {
            double v = 0;
            for (const auto& [label, coeff] : obs) {
                if (label) v += coeff * sv.expectation_pauli(*label);
            }
            values.push_back(v);
        }
    };
    if (o.single_precision) {
        auto sv = final_state<float>(*p, t, o);
        if (!sv.ok()) return sv.status();
        eval(*sv);
    } else {
        auto sv = final_state<double>(*p, t, o);
        if (!sv.ok()) return sv.status();
        eval(*sv);
    }
    return values;
}

}  // namespace qrt::sim
