#include "sim/stabilizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <string>

namespace qrt::sim {

namespace {

using circuit::GateKind;
using circuit::Instruction;

inline bool get_bit(const std::uint64_t* v, std::size_t i) { return (v[i >> 6] >> (i & 63)) & 1U; }
inline void set_bit(std::uint64_t* v, std::size_t i, bool b) {
    const std::uint64_t m = std::uint64_t{1} << (i & 63);
    v[i >> 6] = b ? (v[i >> 6] | m) : (v[i >> 6] & ~m);
}

// A primitive tableau operation: what apply() lowers every instruction to.
enum class Op : std::uint8_t { kH, kS, kSdg, kX, kY, kZ, kSX, kSXdg, kCX, kCY, kCZ, kSwap };
struct PrimOp {
    Op op;
    unsigned a, b;
};

// The number of quarter turns k (0..3) with angle = k*pi/2 (mod 2*pi), or nullopt.
std::optional<int> quarter_turns(double angle) {
    const double q = angle / (std::numbers::pi / 2);
    const double r = std::round(q);
    if (!std::isfinite(q) || std::abs(q - r) > 1e-9 * std::max(1.0, std::abs(q))) {
        return std::nullopt;
    }
    return static_cast<int>(((static_cast<long long>(r) % 4) + 4) % 4);
}

class Lowering {
public:
    explicit Lowering(std::vector<PrimOp>& out) : out_(out) {}

    Status lower(const Instruction& inst, std::span<const std::uint32_t> map) {
        const auto& info = circuit::gate_info(inst.kind);
        auto q = [&](std::size_t i) -> unsigned {
            return map.empty() ? inst.qubits[i] : map[inst.qubits[i]];
        };
        std::vector<double> p;
        for (std::size_t i = 0; i < inst.params.size(); ++i) {
            if (inst.kind == GateKind::kDelay) break;
            const auto v = inst.params[i].value();
            if (!v) {
                return invalid_argument(fmt::format(
                    "gate {} has an unbound or non-real parameter '{}': bind the circuit first",
                    info.name, inst.params[i].to_string()));
            }
            p.push_back(*v);
        }
        if (info.num_qubits >= 0 && inst.kind != GateKind::kCustom &&
            inst.qubits.size() != static_cast<std::size_t>(info.num_qubits)) {
            return invalid_argument(fmt::format("gate {} needs {} qubits, got {}", info.name,
                                                info.num_qubits, inst.qubits.size()));
        }
        if (p.size() < static_cast<std::size_t>(std::max(info.num_params, 0)) &&
            inst.kind != GateKind::kDelay) {
            return invalid_argument(fmt::format("gate {} needs {} parameters, got {}", info.name,
                                                info.num_params, p.size()));
        }
        // k quarter turns of parameter i, or an error naming gate and angle.
        int k = 0;
        auto turns = [&](std::size_t i) -> bool {
            const auto t = quarter_turns(p[i]);
            if (!t) return false;
            k = *t;
            return true;
        };
        auto not_clifford = [&](std::size_t i) {
            return invalid_argument(fmt::format(
                "gate {} with angle {} (= {:.6g}*pi) is not Clifford: the stabilizer simulator "
                "needs angles that are multiples of pi/2",
                info.name, p[i], p[i] / std::numbers::pi));
        };
        switch (inst.kind) {
            case GateKind::kI:
            case GateKind::kBarrier:
            case GateKind::kDelay:
            case GateKind::kGlobalPhase:
                return Status::ok_status();
            case GateKind::kX:
                emit(Op::kX, q(0));
                break;
            case GateKind::kY:
                emit(Op::kY, q(0));
                break;
            case GateKind::kZ:
                emit(Op::kZ, q(0));
                break;
            case GateKind::kH:
                emit(Op::kH, q(0));
                break;
            case GateKind::kS:
                emit(Op::kS, q(0));
                break;
            case GateKind::kSdg:
                emit(Op::kSdg, q(0));
                break;
            case GateKind::kSX:
                emit(Op::kSX, q(0));
                break;
            case GateKind::kSXdg:
                emit(Op::kSXdg, q(0));
                break;
            case GateKind::kRZ:
            case GateKind::kP:
            case GateKind::kU1:
                if (!turns(0)) return not_clifford(0);
                rz(k, q(0));
                break;
            case GateKind::kRX:
                if (!turns(0)) return not_clifford(0);
                rx(k, q(0));
                break;
            case GateKind::kRY:
                if (!turns(0)) return not_clifford(0);
                ry(k, q(0));
                break;
            case GateKind::kR: {  // R(theta, phi) = RZ(phi) RX(theta) RZ(-phi)
                if (!turns(0)) return not_clifford(0);
                const int kt = k;
                if (kt == 0) break;
                if (!turns(1)) return not_clifford(1);
                const int kp = k;
                rz((4 - kp) % 4, q(0));
                rx(kt, q(0));
                rz(kp, q(0));
                break;
            }
            case GateKind::kU:
            case GateKind::kU3: {  // U(theta, phi, lambda) = RZ(phi) RY(theta) RZ(lambda)
                if (turns(0) &&
                    k == 0) {  // U(0, phi, lambda) = P(phi + lambda): only the sum counts
                    p[1] += p[2];
                    if (!turns(1)) return not_clifford(1);
                    rz(k, q(0));
                    break;
                }
                int kk[3];
                for (std::size_t i = 0; i < 3; ++i) {
                    if (!turns(i)) return not_clifford(i);
                    kk[i] = k;
                }
                rz(kk[2], q(0));
                ry(kk[0], q(0));
                rz(kk[1], q(0));
                break;
            }
            case GateKind::kU2: {  // U2(phi, lambda) = U(pi/2, phi, lambda)
                int kk[2];
                for (std::size_t i = 0; i < 2; ++i) {
                    if (!turns(i)) return not_clifford(i);
                    kk[i] = k;
                }
                rz(kk[1], q(0));
                ry(1, q(0));
                rz(kk[0], q(0));
                break;
            }
            case GateKind::kCX:
                emit(Op::kCX, q(0), q(1));
                break;
            case GateKind::kCY:
                emit(Op::kCY, q(0), q(1));
                break;
            case GateKind::kCZ:
                emit(Op::kCZ, q(0), q(1));
                break;
            case GateKind::kSwap:
                emit(Op::kSwap, q(0), q(1));
                break;
            case GateKind::kISwap:
                emit(Op::kS, q(0));
                emit(Op::kS, q(1));
                emit(Op::kCZ, q(0), q(1));
                emit(Op::kSwap, q(0), q(1));
                break;
            case GateKind::kDCX:
                emit(Op::kCX, q(0), q(1));
                emit(Op::kCX, q(1), q(0));
                break;
            case GateKind::kECR:
                emit(Op::kS, q(0));
                emit(Op::kSX, q(1));
                emit(Op::kCX, q(0), q(1));
                emit(Op::kX, q(0));
                break;
            case GateKind::kRZZ:
                if (!turns(0)) return not_clifford(0);
                rzz(k, q(0), q(1));
                break;
            case GateKind::kRXX:
                if (!turns(0)) return not_clifford(0);
                emit(Op::kH, q(0));
                emit(Op::kH, q(1));
                rzz(k, q(0), q(1));
                emit(Op::kH, q(0));
                emit(Op::kH, q(1));
                break;
            case GateKind::kRYY:
                if (!turns(0)) return not_clifford(0);
                emit(Op::kSX, q(0));
                emit(Op::kSX, q(1));
                rzz(k, q(0), q(1));
                emit(Op::kSXdg, q(0));
                emit(Op::kSXdg, q(1));
                break;
            case GateKind::kRZX:  // Z on the first qubit, X on the second
                if (!turns(0)) return not_clifford(0);
                emit(Op::kH, q(1));
                rzz(k, q(0), q(1));
                emit(Op::kH, q(1));
                break;
            case GateKind::kCP:
            case GateKind::kCU1: {  // Clifford at multiples of pi
                if (!turns(0) || k % 2 != 0) return not_clifford_controlled(info.name, p[0]);
                if (k == 2) emit(Op::kCZ, q(0), q(1));
                break;
            }
            case GateKind::kCRZ:
            case GateKind::kCRX:
            case GateKind::kCRY: {
                // CRZ(k*pi/2) is Clifford for even k: controlled (-i Z), (-I), (i Z).
                if (!turns(0) || k % 2 != 0) {
                    // turns() gives k mod 4 of theta/(pi/2); theta is 4*pi periodic here, so
                    // recompute mod 8 below.
                    return not_clifford_controlled(info.name, p[0]);
                }
                const double m = std::round(p[0] / std::numbers::pi);
                const int k8 = static_cast<int>(((static_cast<long long>(m) % 4) + 4) % 4);
                const unsigned c = q(0), t = q(1);
                if (inst.kind == GateKind::kCRX) emit(Op::kH, t);
                if (inst.kind == GateKind::kCRY) emit(Op::kSX, t);
                if (k8 == 1) {
                    emit(Op::kCZ, c, t);
                    emit(Op::kSdg, c);
                } else if (k8 == 2) {
                    emit(Op::kZ, c);
                } else if (k8 == 3) {
                    emit(Op::kCZ, c, t);
                    emit(Op::kS, c);
                }
                if (inst.kind == GateKind::kCRX) emit(Op::kH, t);
                if (inst.kind == GateKind::kCRY) emit(Op::kSXdg, t);
                break;
            }
            case GateKind::kCustom:
                return lower_custom(inst, map, p);
            case GateKind::kMeasure:
            case GateKind::kReset:
            case GateKind::kIfElse:
                return invalid_argument(fmt::format(
                    "{} is not a gate: the stabilizer simulator runs it with measure()/reset() "
                    "and classical bits",
                    info.name));
            default:
                return invalid_argument(
                    fmt::format("gate {} is not Clifford: the stabilizer simulator cannot apply it",
                                info.name));
        }
        return Status::ok_status();
    }

private:
    Status not_clifford_controlled(std::string_view name, double angle) {
        return invalid_argument(fmt::format(
            "gate {} with angle {} (= {:.6g}*pi) is not Clifford: the stabilizer simulator needs "
            "a multiple of pi for this controlled rotation",
            name, angle, angle / std::numbers::pi));
    }

    Status lower_custom(const Instruction& inst, std::span<const std::uint32_t> map,
                        const std::vector<double>& p) {
        if (!inst.custom || !inst.custom->body) {
            return invalid_argument("custom gate without a definition");
        }
        const auto& g = *inst.custom;
        if (++depth_ > 64)
            return invalid_argument(fmt::format("custom gate {} nests too deeply", g.name));
        std::map<std::string, double> values;
        for (std::size_t i = 0; i < g.params.size() && i < p.size(); ++i) {
            values[g.params[i].name] = p[i];
        }
        circuit::Circuit body = *g.body;
        if (!values.empty()) {
            auto bound = g.body->bind(values);
            if (!bound.ok()) return bound.status();
            body = std::move(*bound);
        }
        std::vector<std::uint32_t> sub(body.num_qubits());
        for (std::size_t i = 0; i < sub.size(); ++i) {
            if (i >= inst.qubits.size()) {
                return invalid_argument(
                    fmt::format("custom gate {}: body wider than its operands", g.name));
            }
            sub[i] = map.empty() ? inst.qubits[i] : map[inst.qubits[i]];
        }
        for (const auto& bi : body.instructions) {
            for (auto bq : bi.qubits) {
                if (bq >= sub.size())
                    return invalid_argument(
                        fmt::format("custom gate {}: qubit out of range", g.name));
            }
            if (Status st = lower(bi, sub); !st.ok()) {
                return invalid_argument(fmt::format("in custom gate {}: {}", g.name, st.message()));
            }
        }
        --depth_;
        return Status::ok_status();
    }

    void emit(Op op, unsigned a, unsigned b = 0) { out_.push_back({op, a, b}); }
    void rz(int k, unsigned a) {
        if (k == 1) emit(Op::kS, a);
        if (k == 2) emit(Op::kZ, a);
        if (k == 3) emit(Op::kSdg, a);
    }
    void rx(int k, unsigned a) {
        if (k == 1) emit(Op::kSX, a);
        if (k == 2) emit(Op::kX, a);
        if (k == 3) emit(Op::kSXdg, a);
    }
    void ry(int k, unsigned a) {
        if (k == 1) {
            emit(Op::kH, a);
            emit(Op::kX, a);
        }
        if (k == 2) emit(Op::kY, a);
        if (k == 3) {
            emit(Op::kX, a);
            emit(Op::kH, a);
        }
    }
    void rzz(int k, unsigned a, unsigned b) {
        if (k == 2) {
            emit(Op::kZ, a);
            emit(Op::kZ, b);
        } else if (k != 0) {
            const Op s = k == 1 ? Op::kS : Op::kSdg;
            emit(Op::kCZ, a, b);
            emit(s, a);
            emit(s, b);
        }
    }

    std::vector<PrimOp>& out_;
    int depth_ = 0;
};

// One qubit column of "row_i = row_p * row_i for every row i in m": P_p's letter on this qubit
// is (kXp, kZp). The i-exponent of each product letter goes into the bit-sliced mod-4 counter
// (lo, hi) of row i.
template <bool kXp, bool kZp>
void rowsum_column(std::uint64_t* __restrict xj, std::uint64_t* __restrict zj,
                   const std::uint64_t* __restrict m, std::uint64_t* __restrict lo,
                   std::uint64_t* __restrict hi, std::size_t begin, std::size_t end) {
    for (std::size_t w = begin; w < end; ++w) {
        const std::uint64_t mw = m[w];
        const std::uint64_t x2 = xj[w], z2 = zj[w];
        std::uint64_t plus, minus;
        if constexpr (kXp && !kZp) {  // X * Y = iZ, X * Z = -iY
            plus = x2 & z2;
            minus = z2 & ~x2;
        } else if constexpr (kXp && kZp) {  // Y * Z = iX, Y * X = -iZ
            plus = z2 & ~x2;
            minus = x2 & ~z2;
        } else {  // Z * X = iY, Z * Y = -iX
            plus = x2 & ~z2;
            minus = x2 & z2;
        }
        plus &= mw;
        minus &= mw;
        hi[w] ^= lo[w] & plus;
        lo[w] ^= plus;
        lo[w] ^= minus;
        hi[w] ^= lo[w] & minus;
        if constexpr (kXp) xj[w] ^= mw;
        if constexpr (kZp) zj[w] ^= mw;
    }
}

Status lower(const Instruction& inst, std::vector<PrimOp>& out) {
    Lowering l(out);
    return l.lower(inst, {});
}

}  // namespace

Tableau::Tableau(unsigned num_qubits)
    : n_(num_qubits), words_((2 * std::size_t{num_qubits} + 63) / 64) {
    x_.assign(std::size_t{n_} * words_, 0);
    z_.assign(std::size_t{n_} * words_, 0);
    r_.assign(words_, 0);
    stab_mask_.assign(words_, 0);
    for (unsigned q = 0; q < n_; ++q) {
        set_bit(col_x(q), q, true);       // destabilizer q = X_q
        set_bit(col_z(q), n_ + q, true);  // stabilizer q = Z_q
        set_bit(stab_mask_.data(), n_ + q, true);
    }
}

void Tableau::h(unsigned q) {
    auto* xq = col_x(q);
    auto* zq = col_z(q);
    for (std::size_t w = 0; w < words_; ++w) {
        r_[w] ^= xq[w] & zq[w];
        std::swap(xq[w], zq[w]);
    }
}

void Tableau::s(unsigned q) {
    auto* xq = col_x(q);
    auto* zq = col_z(q);
    for (std::size_t w = 0; w < words_; ++w) {
        r_[w] ^= xq[w] & zq[w];
        zq[w] ^= xq[w];
    }
}

void Tableau::sdg(unsigned q) {
    auto* xq = col_x(q);
    auto* zq = col_z(q);
    for (std::size_t w = 0; w < words_; ++w) {
        r_[w] ^= xq[w] & ~zq[w];
        zq[w] ^= xq[w];
    }
}

void Tableau::x(unsigned q) {
    const auto* zq = col_z(q);
    for (std::size_t w = 0; w < words_; ++w) r_[w] ^= zq[w];
}

void Tableau::y(unsigned q) {
    const auto* xq = col_x(q);
    const auto* zq = col_z(q);
    for (std::size_t w = 0; w < words_; ++w) r_[w] ^= xq[w] ^ zq[w];
}

void Tableau::z(unsigned q) {
    const auto* xq = col_x(q);
    for (std::size_t w = 0; w < words_; ++w) r_[w] ^= xq[w];
}

void Tableau::sx(unsigned q) {  // Z -> -Y, Y -> Z, X -> X
    auto* xq = col_x(q);
    auto* zq = col_z(q);
    for (std::size_t w = 0; w < words_; ++w) {
        r_[w] ^= zq[w] & ~xq[w];
        xq[w] ^= zq[w];
    }
}

void Tableau::sxdg(unsigned q) {  // Z -> Y, Y -> -Z, X -> X
    auto* xq = col_x(q);
    auto* zq = col_z(q);
    for (std::size_t w = 0; w < words_; ++w) {
        r_[w] ^= xq[w] & zq[w];
        xq[w] ^= zq[w];
    }
}

void Tableau::cx(unsigned c, unsigned t) {
    auto* xc = col_x(c);
    auto* zc = col_z(c);
    auto* xt = col_x(t);
    auto* zt = col_z(t);
    for (std::size_t w = 0; w < words_; ++w) {
        r_[w] ^= xc[w] & zt[w] & ~(xt[w] ^ zc[w]);
        xt[w] ^= xc[w];
        zc[w] ^= zt[w];
    }
}

void Tableau::cy(unsigned c, unsigned t) {
    sdg(t);
    cx(c, t);
    s(t);
}

void Tableau::cz(unsigned a, unsigned b) {
    auto* xa = col_x(a);
    auto* za = col_z(a);
    auto* xb = col_x(b);
    auto* zb = col_z(b);
    for (std::size_t w = 0; w < words_; ++w) {
        r_[w] ^= xa[w] & xb[w] & (za[w] ^ zb[w]);
        za[w] ^= xb[w];
        zb[w] ^= xa[w];
    }
}

void Tableau::swap(unsigned a, unsigned b) {
    std::swap_ranges(col_x(a), col_x(a) + words_, col_x(b));
    std::swap_ranges(col_z(a), col_z(a) + words_, col_z(b));
}

Status Tableau::apply(const circuit::Instruction& inst) {
    for (auto q : inst.qubits) {
        if (q >= n_) {
            return invalid_argument(fmt::format("gate {} on qubit {} of a {}-qubit tableau",
                                                circuit::gate_info(inst.kind).name, q, n_));
        }
    }
    std::vector<PrimOp> ops;
    if (Status st = lower(inst, ops); !st.ok()) return st;
    for (const auto& o : ops) {
        switch (o.op) {
            case Op::kH:
                h(o.a);
                break;
            case Op::kS:
                s(o.a);
                break;
            case Op::kSdg:
                sdg(o.a);
                break;
            case Op::kX:
                x(o.a);
                break;
            case Op::kY:
                y(o.a);
                break;
            case Op::kZ:
                z(o.a);
                break;
            case Op::kSX:
                sx(o.a);
                break;
            case Op::kSXdg:
                sxdg(o.a);
                break;
            case Op::kCX:
                cx(o.a, o.b);
                break;
            case Op::kCY:
                cy(o.a, o.b);
                break;
            case Op::kCZ:
                cz(o.a, o.b);
                break;
            case Op::kSwap:
                swap(o.a, o.b);
                break;
        }
    }
    return Status::ok_status();
}

int Tableau::product_phase(const std::vector<std::uint64_t>& mask) const {
    // Row = (-1)^r (x)_j i^{x z} X^x Z^z. The ordered product collects i^{sum x z}, (-1)^r per
    // row and (-1) for every Z of an earlier row moved past an X of a later row; turning
    // X^1 Z^1 back into Y costs i^-1.
    std::uint64_t e = 0;
    std::vector<std::size_t> live;  // words of the mask with rows in them
    for (std::size_t w = 0; w < words_; ++w) {
        e += 2 * static_cast<unsigned>(std::popcount(r_[w] & mask[w]));
        if (mask[w]) live.push_back(w);
    }
    if (live.empty()) return 0;
    for (unsigned j = 0; j < n_; ++j) {
        const auto* xj = col_x(j);
        const auto* zj = col_z(j);
        std::uint64_t carry = 0;  // parity of zM in earlier words, as all-ones or zero
        unsigned ypop = 0, pairs = 0, a = 0, b = 0;
        for (const std::size_t w : live) {
            const std::uint64_t xm = xj[w] & mask[w];
            const std::uint64_t zm = zj[w] & mask[w];
            if ((xm | zm) == 0) continue;
            ypop += std::popcount(xm & zm);
            std::uint64_t pre = zm;
            pre ^= pre << 1;
            pre ^= pre << 2;
            pre ^= pre << 4;
            pre ^= pre << 8;
            pre ^= pre << 16;
            pre ^= pre << 32;
            const std::uint64_t excl = (pre << 1) ^ carry;
            pairs += std::popcount(excl & xm);
            carry ^= (pre >> 63) ? ~std::uint64_t{0} : 0;
            a ^= std::popcount(xm) & 1U;
            b ^= std::popcount(zm) & 1U;
        }
        e += ypop + 2 * (pairs & 1U) + 3 * (a & b);
    }
    return static_cast<int>(e & 3U);
}

int Tableau::measure(unsigned a, Rng& rng) {
    const std::uint64_t* xa = col_x(a);
    std::size_t p = SIZE_MAX;
    for (std::size_t w = 0; w < words_; ++w) {
        const std::uint64_t m = xa[w] & stab_mask_[w];
        if (m) {
            p = w * 64 + static_cast<std::size_t>(std::countr_zero(m));
            break;
        }
    }
    if (p == SIZE_MAX) {  // deterministic: Z_a = +-(product of stabilizers i+n, x_ia = 1)
        std::vector<std::uint64_t> mask(words_, 0);
        for (unsigned i = 0; i < n_; ++i) {
            if (get_bit(xa, i)) set_bit(mask.data(), std::size_t{i} + n_, true);
        }
        return product_phase(mask) == 2 ? 1 : 0;
    }
    // Random: every other row with x_a = 1 becomes row_p * row.
    std::vector<std::uint64_t> m(xa, xa + words_);
    set_bit(m.data(), p, false);
    std::vector<std::uint64_t> lo(words_, 0), hi(words_, 0);
    // The words of m with rows in them (a range, so that the loops vectorise).
    std::size_t begin = 0, end = words_;
    while (begin < end && m[begin] == 0) ++begin;
    while (end > begin && m[end - 1] == 0) --end;
    for (unsigned j = 0; j < n_; ++j) {
        std::uint64_t* xj = col_x(j);
        std::uint64_t* zj = col_z(j);
        const bool xp = get_bit(xj, p), zp = get_bit(zj, p);
        if (!xp && !zp) continue;
        if (xp && !zp) {
            rowsum_column<true, false>(xj, zj, m.data(), lo.data(), hi.data(), begin, end);
        } else if (xp) {
            rowsum_column<true, true>(xj, zj, m.data(), lo.data(), hi.data(), begin, end);
        } else {
            rowsum_column<false, true>(xj, zj, m.data(), lo.data(), hi.data(), begin, end);
        }
    }
    const std::uint64_t rp = get_bit(r_.data(), p) ? ~std::uint64_t{0} : 0;
    for (std::size_t w = 0; w < words_; ++w) r_[w] ^= m[w] & (rp ^ hi[w]);
    // Destabilizer p-n takes the old row p; row p becomes +-Z_a.
    const std::size_t d = p - n_;
    const int outcome = static_cast<int>(rng.next() >> 63);
    for (unsigned j = 0; j < n_; ++j) {
        std::uint64_t* xj = col_x(j);
        std::uint64_t* zj = col_z(j);
        set_bit(xj, d, get_bit(xj, p));
        set_bit(zj, d, get_bit(zj, p));
        set_bit(xj, p, false);
        set_bit(zj, p, j == a);
    }
    set_bit(r_.data(), d, get_bit(r_.data(), p));
    set_bit(r_.data(), p, outcome != 0);
    return outcome;
}

void Tableau::reset(unsigned q, Rng& rng) {
    if (measure(q, rng)) x(q);
}

int Tableau::expectation_pauli(std::string_view label) const {
    int sign = 1;
    if (!label.empty() && (label.front() == '+' || label.front() == '-')) {
        if (label.front() == '-') sign = -1;
        label.remove_prefix(1);
    }
    if (label.size() > n_) {
        throw std::invalid_argument(
            fmt::format("Pauli label '{}' has {} letters for {} qubits", label, label.size(), n_));
    }
    std::vector<std::uint64_t> acc(words_, 0);  // bit i: row i anticommutes with P
    const std::size_t len = label.size();
    for (std::size_t i = 0; i < len; ++i) {
        const unsigned q = static_cast<unsigned>(len - 1 - i);
        const char c = label[i];
        bool px = false, pz = false;
        switch (c) {
            case 'I':
                break;
            case 'X':
                px = true;
                break;
            case 'Y':
                px = pz = true;
                break;
            case 'Z':
                pz = true;
                break;
            default:
                throw std::invalid_argument(
                    fmt::format("Pauli label '{}': bad letter '{}' (want I, X, Y or Z)", label, c));
        }
        const auto* xq = col_x(q);
        const auto* zq = col_z(q);
        for (std::size_t w = 0; w < words_; ++w) {
            acc[w] ^= (pz ? xq[w] : 0) ^ (px ? zq[w] : 0);
        }
    }
    for (std::size_t w = 0; w < words_; ++w) {
        if (acc[w] & stab_mask_[w]) return 0;
    }
    std::vector<std::uint64_t> mask(words_, 0);
    for (unsigned i = 0; i < n_; ++i) {
        if (get_bit(acc.data(), i)) set_bit(mask.data(), std::size_t{i} + n_, true);
    }
    // Product of stabilizers = i^e P and it fixes the state, so <P> = i^-e.
    const int e = product_phase(mask);
    return e == 0 ? sign : -sign;
}

std::vector<std::uint64_t> Tableau::sample_measurements(std::span<const unsigned> qubits,
                                                        std::uint64_t shots, Rng& rng) const {
    const std::size_t k = qubits.size();
    const std::size_t W = (k + 63) / 64;
    std::vector<std::uint64_t> out(W * shots, 0);
    if (k == 0 || shots == 0) return out;
    // A reference outcome.
    std::vector<std::uint64_t> ref(W, 0);
    {
        Tableau t = *this;
        for (std::size_t i = 0; i < k; ++i) {
            if (t.measure(qubits[i], rng)) ref[i / 64] |= std::uint64_t{1} << (i % 64);
        }
    }
    // Outcomes are uniform over ref + span{X part of stabilizer g restricted to qubits}.
    std::vector<std::uint64_t> rows(std::size_t{n_} * W, 0);
    for (std::size_t i = 0; i < k; ++i) {
        const auto* xq = col_x(qubits[i]);
        for (std::size_t w = 0; w < words_; ++w) {
            std::uint64_t m = xq[w] & stab_mask_[w];
            while (m) {
                const std::size_t row = w * 64 + static_cast<std::size_t>(std::countr_zero(m)) - n_;
                m &= m - 1;
                rows[row * W + i / 64] |= std::uint64_t{1} << (i % 64);
            }
        }
    }
    // Gaussian elimination to a basis.
    std::size_t rank = 0;
    for (std::size_t col = 0; col < k && rank < n_; ++col) {
        const std::size_t cw = col / 64;
        const std::uint64_t cb = std::uint64_t{1} << (col % 64);
        std::size_t piv = rank;
        while (piv < n_ && !(rows[piv * W + cw] & cb)) ++piv;
        if (piv == n_) continue;
        if (piv != rank) {
            std::swap_ranges(rows.begin() + static_cast<std::ptrdiff_t>(piv * W),
                             rows.begin() + static_cast<std::ptrdiff_t>(piv * W + W),
                             rows.begin() + static_cast<std::ptrdiff_t>(rank * W));
        }
        for (std::size_t r = rank + 1; r < n_; ++r) {
            if (rows[r * W + cw] & cb) {
                for (std::size_t w = cw; w < W; ++w) rows[r * W + w] ^= rows[rank * W + w];
            }
        }
        ++rank;
    }
    // Four Russians: tables of all 256 combinations of 8 basis vectors.
    const std::size_t chunks = (rank + 7) / 8;
    std::vector<std::uint64_t> table(chunks * 256 * W, 0);
    for (std::size_t c = 0; c < chunks; ++c) {
        std::uint64_t* t = table.data() + c * 256 * W;
        for (unsigned b = 1; b < 256; ++b) {
            const unsigned low = static_cast<unsigned>(std::countr_zero(b));
            const std::size_t v = c * 8 + low;
            const std::uint64_t* prev = t + std::size_t{b & (b - 1)} * W;
            std::uint64_t* cur = t + std::size_t{b} * W;
            for (std::size_t w = 0; w < W; ++w) {
                cur[w] = prev[w] ^ (v < rank ? rows[v * W + w] : 0);
            }
        }
    }
    for (std::uint64_t s = 0; s < shots; ++s) {
        std::uint64_t* o = out.data() + s * W;
        std::copy(ref.begin(), ref.end(), o);
        std::uint64_t bits = 0;
        for (std::size_t c = 0; c < chunks; ++c) {
            if (c % 8 == 0) bits = rng.next();
            const std::uint64_t* t = table.data() + (c * 256 + ((bits >> (8 * (c % 8))) & 255)) * W;
            for (std::size_t w = 0; w < W; ++w) o[w] ^= t[w];
        }
    }
    return out;
}

Status check_clifford(const circuit::Instruction& inst) {
    switch (inst.kind) {
        case GateKind::kMeasure:
        case GateKind::kReset:
            return Status::ok_status();
        case GateKind::kIfElse:
            for (const auto* body : {inst.then_body.get(), inst.else_body.get()}) {
                if (!body) continue;
                for (const auto& bi : body->instructions) {
                    if (Status st = check_clifford(bi); !st.ok()) return st;
                }
            }
            return Status::ok_status();
        default: {
            std::vector<PrimOp> ops;
            return lower(inst, ops);
        }
    }
}

bool is_clifford(const circuit::Circuit& c) {
    return std::all_of(c.instructions.begin(), c.instructions.end(),
                       [](const circuit::Instruction& i) { return check_clifford(i).ok(); });
}

}  // namespace qrt::sim
