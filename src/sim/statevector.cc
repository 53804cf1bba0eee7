#include "sim/statevector.h"

#include <fmt/format.h>
#include <immintrin.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

// The kernels exist three times: portable (whatever the build's baseline ISA is, auto-vectorised
// by the compiler), AVX2+FMA and AVX-512F. The SIMD copies are compiled with `#pragma GCC target`
// so the binary needs no -mavx flags and runs on any x86-64; the level is chosen at run time.

namespace qrt::sim {
namespace {

namespace portable {
template <typename R>
struct Vec {
    using Real = R;
    struct T {
        R re, im;
    };
    static constexpr unsigned kWidth = 1;
    static T load(const R* p) { return {p[0], p[1]}; }
    static void store(R* p, T a) {
        p[0] = a.re;
        p[1] = a.im;
    }
    static T mul(T a, T b) { return {a.re * b.re, a.im * b.im}; }
    static T fmadd(T a, T b, T c) { return {a.re * b.re + c.re, a.im * b.im + c.im}; }
    static T swap(T a) { return {a.im, a.re}; }
    template <unsigned Q>
    static T perm(T a) {
        return a;  // never called: one complex per register has no lower qubit
    }
};
#include "sim/statevector_kernels.inc"
}  // namespace portable

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
struct VecD {
    using Real = double;
    using T = __m256d;
    static constexpr unsigned kWidth = 2;
    static T load(const double* p) { return _mm256_loadu_pd(p); }
    static void store(double* p, T a) { _mm256_storeu_pd(p, a); }
    static T mul(T a, T b) { return _mm256_mul_pd(a, b); }
    static T fmadd(T a, T b, T c) { return _mm256_fmadd_pd(a, b, c); }
    static T swap(T a) { return _mm256_permute_pd(a, 0x5); }
    template <unsigned Q>
    static T perm(T a) {
        return _mm256_permute2f128_pd(a, a, 1);  // Q = 0: exchange the two complex lanes
    }
};
struct VecF {
    using Real = float;
    using T = __m256;
    static constexpr unsigned kWidth = 4;
    static T load(const float* p) { return _mm256_loadu_ps(p); }
    static void store(float* p, T a) { _mm256_storeu_ps(p, a); }
    static T mul(T a, T b) { return _mm256_mul_ps(a, b); }
    static T fmadd(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
    static T swap(T a) { return _mm256_permute_ps(a, 0xB1); }
    template <unsigned Q>
    static T perm(T a) {
        if constexpr (Q == 0) {
            return _mm256_castpd_ps(_mm256_permute_pd(_mm256_castps_pd(a), 0x5));
        } else {
            return _mm256_permute2f128_ps(a, a, 1);
        }
    }
};
#include "sim/statevector_kernels.inc"
}  // namespace avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f")
namespace avx512 {
struct VecD {
    using Real = double;
    using T = __m512d;
    static constexpr unsigned kWidth = 4;
    static T load(const double* p) { return _mm512_loadu_pd(p); }
    static void store(double* p, T a) { _mm512_storeu_pd(p, a); }
    static T mul(T a, T b) { return _mm512_mul_pd(a, b); }
    static T fmadd(T a, T b, T c) { return _mm512_fmadd_pd(a, b, c); }
    static T swap(T a) { return _mm512_shuffle_pd(a, a, 0x55); }
    template <unsigned Q>
    static T perm(T a) {
        if constexpr (Q == 0) {
            return _mm512_mask_shuffle_f64x2(a, 0xFF, a, a, 0xB1);  // 128-bit lanes (1, 0, 3, 2)
        } else {
            return _mm512_mask_shuffle_f64x2(a, 0xFF, a, a, 0x4E);  // 128-bit lanes (2, 3, 0, 1)
        }
    }
};
struct VecF {
    using Real = float;
    using T = __m512;
    static constexpr unsigned kWidth = 8;
    static T load(const float* p) { return _mm512_loadu_ps(p); }
    static void store(float* p, T a) { _mm512_storeu_ps(p, a); }
    static T mul(T a, T b) { return _mm512_mul_ps(a, b); }
    static T fmadd(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
    static T swap(T a) { return _mm512_shuffle_ps(a, a, 0xB1); }
    template <unsigned Q>
    static T perm(T a) {
        if constexpr (Q == 0) {
            const __m512d d = _mm512_castps_pd(a);
            return _mm512_castpd_ps(_mm512_shuffle_pd(d, d, 0x55));
        } else if constexpr (Q == 1) {
            return _mm512_mask_shuffle_f32x4(a, 0xFFFF, a, a, 0xB1);
        } else {
            return _mm512_mask_shuffle_f32x4(a, 0xFFFF, a, a, 0x4E);
        }
    }
};
#include "sim/statevector_kernels.inc"
}  // namespace avx512
#pragma GCC pop_options

enum class Level : int { kPortable = 0, kAvx2 = 1, kAvx512 = 2 };

Level detect_level() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return Level::kAvx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Level::kAvx2;
    return Level::kPortable;
}

const Level kBestLevel = detect_level();
std::atomic<Level> g_level{kBestLevel};

std::string_view level_name(Level l) {
    switch (l) {
        case Level::kAvx512:
            return "avx512";
        case Level::kAvx2:
            return "avx2";
        case Level::kPortable:
            break;
    }
    return "portable";
}

// Below this many amplitudes a pass stays on the calling thread: the OpenMP fork costs more.
constexpr std::size_t kParallelMinAmps = std::size_t{1} << 14;

// Runs f(g0, g1) over [0, groups), split across threads when the state is large enough.
template <typename F>
void for_ranges(std::size_t groups, std::size_t amps, const F& f) {
    const int threads = amps >= kParallelMinAmps ? omp_get_max_threads() : 1;
    if (threads <= 1 || groups < static_cast<std::size_t>(threads)) {
        f(std::size_t{0}, groups);
        return;
    }
    // 16 chunks per thread, handed out dynamically: when another process takes a core from one
    // of the threads (a shared machine), the others take over its chunks instead of waiting at
    // the barrier.
    const std::size_t per_thread = groups >= std::size_t{16} * static_cast<std::size_t>(threads) ? 16 : 1;
    const auto chunks = static_cast<std::int64_t>(per_thread * static_cast<std::size_t>(threads));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (std::int64_t c = 0; c < chunks; ++c) {
        const auto uc = static_cast<std::size_t>(c);
        f(groups * uc / static_cast<std::size_t>(chunks),
          groups * (uc + 1) / static_cast<std::size_t>(chunks));
    }
}

// Sum over [0, n) of term(i), in parallel for large n.
template <typename F>
double sum_over(std::size_t n, std::size_t amps, const F& term) {
    const int threads = amps >= kParallelMinAmps ? omp_get_max_threads() : 1;
    double total = 0;
    const auto sn = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) reduction(+ : total) num_threads(threads) if (threads > 1)
    for (std::int64_t i = 0; i < sn; ++i) total += term(static_cast<std::size_t>(i));
    return total;
}

template <typename Real>
unsigned width_of(Level l) {
    switch (l) {
        case Level::kAvx512:
            return 64 / (2 * sizeof(Real));
        case Level::kAvx2:
            return 32 / (2 * sizeof(Real));
        case Level::kPortable:
            break;
    }
    return 1;
}

// The widest enabled level whose register fits below the lowest target qubit.
template <typename Real>
Level pick_level(unsigned min_qubit) {
    const auto top = static_cast<int>(g_level.load(std::memory_order_relaxed));
    for (int l = top; l > 0; --l) {
        if ((std::size_t{width_of<Real>(static_cast<Level>(l))}) <= (std::size_t{1} << min_qubit)) {
            return static_cast<Level>(l);
        }
    }
    return Level::kPortable;
}

template <typename Real>
using DenseFn = void (*)(Real*, const Real*, const std::size_t*, const unsigned*, std::size_t,
                         std::size_t);
template <typename Real>
using DiagFn = void (*)(Real*, const Real*, const std::size_t*, const unsigned*, unsigned,
                        std::size_t, std::size_t);

template <typename Real>
DenseFn<Real> dense_fn(Level l, unsigned k) {
    if constexpr (std::is_same_v<Real, double>) {
        switch (l) {
            case Level::kAvx512:
                return avx512::KernelTable<avx512::VecD>::dense[k];
            case Level::kAvx2:
                return avx2::KernelTable<avx2::VecD>::dense[k];
            case Level::kPortable:
                break;
        }
        return portable::KernelTable<portable::Vec<double>>::dense[k];
    } else {
        switch (l) {
            case Level::kAvx512:
                return avx512::KernelTable<avx512::VecF>::dense[k];
            case Level::kAvx2:
                return avx2::KernelTable<avx2::VecF>::dense[k];
            case Level::kPortable:
                break;
        }
        return portable::KernelTable<portable::Vec<float>>::dense[k];
    }
}

template <typename Real>
DiagFn<Real> diag_fn(Level l) {
    if constexpr (std::is_same_v<Real, double>) {
        switch (l) {
            case Level::kAvx512:
                return avx512::KernelTable<avx512::VecD>::diag;
            case Level::kAvx2:
                return avx2::KernelTable<avx2::VecD>::diag;
            case Level::kPortable:
                break;
        }
        return portable::KernelTable<portable::Vec<double>>::diag;
    } else {
        switch (l) {
            case Level::kAvx512:
                return avx512::KernelTable<avx512::VecF>::diag;
            case Level::kAvx2:
                return avx2::KernelTable<avx2::VecF>::diag;
            case Level::kPortable:
                break;
        }
        return portable::KernelTable<portable::Vec<float>>::diag;
    }
}

template <typename Real>
DenseFn<Real> lanes_fn(Level l, unsigned lane_mask, unsigned high) {
    if constexpr (std::is_same_v<Real, double>) {
        if (l == Level::kAvx512) return avx512::KernelTable<avx512::VecD>::lanes(lane_mask, high);
        if (l == Level::kAvx2) return avx2::KernelTable<avx2::VecD>::lanes(lane_mask, high);
    } else {
        if (l == Level::kAvx512) return avx512::KernelTable<avx512::VecF>::lanes(lane_mask, high);
        if (l == Level::kAvx2) return avx2::KernelTable<avx2::VecF>::lanes(lane_mask, high);
    }
    return nullptr;
}

template <typename Real>
using SparseFn = void (*)(Real*, const Real*, const std::size_t*, const unsigned*,
                          const std::uint32_t*, std::size_t, std::size_t);

template <typename Real>
SparseFn<Real> sparse_fn(Level l, unsigned lane_mask, unsigned high) {
    if constexpr (std::is_same_v<Real, double>) {
        if (l == Level::kAvx512) return avx512::KernelTable<avx512::VecD>::sparse(lane_mask, high);
        if (l == Level::kAvx2) return avx2::KernelTable<avx2::VecD>::sparse(lane_mask, high);
        return portable::KernelTable<portable::Vec<double>>::sparse(lane_mask, high);
    } else {
        if (l == Level::kAvx512) return avx512::KernelTable<avx512::VecF>::sparse(lane_mask, high);
        if (l == Level::kAvx2) return avx2::KernelTable<avx2::VecF>::sparse(lane_mask, high);
        return portable::KernelTable<portable::Vec<float>>::sparse(lane_mask, high);
    }
}

template <typename Real>
using Low1qFn = void (*)(Real*, const Real*, std::size_t, std::size_t);

template <typename Real>
Low1qFn<Real> low1q_fn(Level l, unsigned q) {
    if constexpr (std::is_same_v<Real, double>) {
        if (l == Level::kAvx512) return avx512::KernelTable<avx512::VecD>::low1q[q];
        return avx2::KernelTable<avx2::VecD>::low1q[q];
    } else {
        if (l == Level::kAvx512) return avx512::KernelTable<avx512::VecF>::low1q[q];
        return avx2::KernelTable<avx2::VecF>::low1q[q];
    }
}

// Appends the two coefficient vectors of one complex entry (see statevector_kernels.inc).
template <typename Real>
void push_coef(std::vector<Real>& out, std::complex<double> c, unsigned width) {
    for (unsigned w = 0; w < width; ++w) {
        out.push_back(static_cast<Real>(c.real()));
        out.push_back(static_cast<Real>(c.real()));
    }
    for (unsigned w = 0; w < width; ++w) {
        out.push_back(static_cast<Real>(-c.imag()));
        out.push_back(static_cast<Real>(c.imag()));
    }
}

// Target geometry shared by the dense and diagonal kernels.
struct Targets {
    unsigned k = 0;
    unsigned pos[10] = {};       // ascending
    std::size_t off[1024] = {};  // in Reals, indexed by the basis state of the targets
};

Targets make_targets(std::span<const unsigned> qubits) {
    Targets t;
    t.k = static_cast<unsigned>(qubits.size());
    assert(t.k <= 10);
    std::copy(qubits.begin(), qubits.end(), t.pos);
    std::sort(t.pos, t.pos + t.k);
    for (unsigned j = 0; j < (1u << t.k); ++j) {
        std::size_t o = 0;
        for (unsigned b = 0; b < t.k; ++b) {
            if ((j >> b) & 1u) o |= std::size_t{1} << qubits[b];
        }
        t.off[j] = 2 * o;
    }
    return t;
}

inline std::size_t expand(std::size_t idx, const unsigned* pos, unsigned k) {
    for (unsigned b = 0; b < k; ++b) {
        const std::size_t low = (std::size_t{1} << pos[b]) - 1;
        idx = ((idx & ~low) << 1) | (idx & low);
    }
    return idx;
}

// Targets split for the in-register kernels: lane qubits (2^q < width, inside one register) and
// register qubits (the rest), with the matrix index of (register bits, lane bits).
struct LaneSplit {
    unsigned lane_mask = 0;  // bit q set: qubit q is a lane target
    unsigned high = 0;       // number of register targets
    unsigned pos[10] = {};   // register targets, ascending
    std::size_t off[1024] = {};  // in Reals, by register bits (bit i <-> pos[i])
    unsigned lanes = 0;
    unsigned lq[3] = {};     // lane targets, ascending
    unsigned k = 0;
    bool is_high[10] = {};
    unsigned rank[10] = {};  // qubits[b]'s index in pos or lq

    // The matrix index (bit b <-> qubits[b]) of register bits hb and lane-target bits lb.
    unsigned index(unsigned hb, unsigned lb) const {
        unsigned idx = 0;
        for (unsigned b = 0; b < k; ++b) idx |= (((is_high[b] ? hb : lb) >> rank[b]) & 1u) << b;
        return idx;
    }
    // Lane l's bits on the lane targets (bit j <-> lq[j]).
    unsigned lane_bits(unsigned l) const {
        unsigned lb = 0;
        for (unsigned j = 0; j < lanes; ++j) lb |= ((l >> lq[j]) & 1u) << j;
        return lb;
    }
};

unsigned lane_mask_of(std::span<const unsigned> qubits, unsigned width) {
    unsigned lm = 0;
    for (unsigned q : qubits) {
        if (q < 3 && (1u << q) < width) lm |= 1u << q;
    }
    return lm;
}

LaneSplit split_lanes(std::span<const unsigned> qubits, unsigned width) {
    LaneSplit s;
    s.k = static_cast<unsigned>(qubits.size());
    s.lane_mask = lane_mask_of(qubits, width);
    for (unsigned q : qubits) {
        if (((s.lane_mask >> q) & 1u) != 0 && q < 3) {
            s.lq[s.lanes++] = q;
        } else {
            s.pos[s.high++] = q;
        }
    }
    std::sort(s.pos, s.pos + s.high);
    std::sort(s.lq, s.lq + s.lanes);
    for (unsigned b = 0; b < s.k; ++b) {
        const unsigned q = qubits[b];
        s.is_high[b] = !(q < 3 && ((s.lane_mask >> q) & 1u) != 0);
        const unsigned* first = s.is_high[b] ? s.pos : s.lq;
        const unsigned count = s.is_high[b] ? s.high : s.lanes;
        s.rank[b] = static_cast<unsigned>(std::find(first, first + count, q) - first);
    }
    for (unsigned h = 0; h < (1u << s.high); ++h) {
        std::size_t o = 0;
        for (unsigned i = 0; i < s.high; ++i) {
            if ((h >> i) & 1u) o |= std::size_t{1} << s.pos[i];
        }
        s.off[h] = 2 * o;
    }
    return s;
}

std::size_t physical_memory_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return SIZE_MAX;
    return static_cast<std::size_t>(pages) * static_cast<std::size_t>(page);
}

}  // namespace

std::string_view simd_level() { return level_name(g_level.load()); }

Status set_simd_level_for_testing(std::string_view level) {
    Level want;
    if (level == "auto") {
        want = kBestLevel;
    } else if (level == "portable") {
        want = Level::kPortable;
    } else if (level == "avx2") {
        want = Level::kAvx2;
    } else if (level == "avx512") {
        want = Level::kAvx512;
    } else {
        return invalid_argument(fmt::format("unknown SIMD level '{}'", level));
    }
    if (static_cast<int>(want) > static_cast<int>(kBestLevel)) {
        return failed_precondition(fmt::format("this CPU does not support '{}' (best: {})", level,
                                               level_name(kBestLevel)));
    }
    g_level.store(want);
    return Status::ok_status();
}

std::size_t state_bytes(unsigned num_qubits, bool single_precision) {
    return (single_precision ? std::size_t{8} : std::size_t{16}) << num_qubits;
}

template <typename Real>
void StateVector<Real>::Free::operator()(Amp* p) const {
    std::free(p);
}

template <typename Real>
StateVector<Real>::StateVector(unsigned n) : num_qubits_(n) {}

template <typename Real>
Result<StateVector<Real>> StateVector<Real>::create(unsigned num_qubits) {
    constexpr bool kSingle = std::is_same_v<Real, float>;
    if (num_qubits > 40) {
        return Status{
            ErrorCode::kResourceExhausted,
            fmt::format("a state of {} qubits is beyond the limit of 40 qubits", num_qubits)};
    }
    const std::size_t bytes = state_bytes(num_qubits, kSingle);
    const std::size_t rounded = std::max<std::size_t>(64, (bytes + 63) / 64 * 64);
    if (rounded > physical_memory_bytes()) {
        return Status{ErrorCode::kResourceExhausted,
                      fmt::format("a state of {} qubits needs {} bytes, more than this machine's "
                                  "{} bytes of memory",
                                  num_qubits, bytes, physical_memory_bytes())};
    }
    // No MADV_HUGEPAGE: on the shared dev box the first huge-page allocation of a process took
    // 3-7 s for 1 GiB (4 KiB pages: 1.7 s), although later ones took 0.3 s; see
    // docs/performance.md. The pages are first touched in parallel by set_zero_state.
    void* p = std::aligned_alloc(64, rounded);
    if (p == nullptr) {
        return Status{
            ErrorCode::kResourceExhausted,
            fmt::format("cannot allocate {} bytes for a state of {} qubits", bytes, num_qubits)};
    }
    StateVector sv(num_qubits);
    sv.amps_.reset(static_cast<Amp*>(p));
    sv.set_zero_state();
    return sv;
}

template <typename Real>
void StateVector<Real>::set_zero_state() {
    Amp* a = data();
    // Parallel first touch spreads the pages over the threads that will use them.
    for_ranges(size(), size(), [a](std::size_t g0, std::size_t g1) {
        std::memset(static_cast<void*>(a + g0), 0, (g1 - g0) * sizeof(Amp));
    });
    a[0] = Amp(1, 0);
}

template <typename Real>
void StateVector<Real>::apply_1q(const circuit::Matrix& m, unsigned q) {
    const Level top = g_level.load(std::memory_order_relaxed);
    const unsigned width = width_of<Real>(top);
    if (top == Level::kPortable || (std::size_t{1} << q) >= width || width > size()) {
        const unsigned qs[1] = {q};
        apply_matrix(m, qs);
        return;
    }
    // The target lies inside one register: the in-register kernel keeps the wide SIMD level.
    std::vector<Real> coef;
    coef.reserve(std::size_t{8} * width);
    std::complex<double> d[8], o[8];
    for (unsigned c = 0; c < width; ++c) {
        const int b = static_cast<int>((c >> q) & 1u);
        d[c] = m(b, b);
        o[c] = m(b, 1 - b);
    }
    for (const auto* src : {d, o}) {
        for (unsigned c = 0; c < width; ++c) {
            coef.push_back(static_cast<Real>(src[c].real()));
            coef.push_back(static_cast<Real>(src[c].real()));
        }
        for (unsigned c = 0; c < width; ++c) {
            coef.push_back(static_cast<Real>(-src[c].imag()));
            coef.push_back(static_cast<Real>(src[c].imag()));
        }
    }
    const Low1qFn<Real> fn = low1q_fn<Real>(top, q);
    Real* dd = reinterpret_cast<Real*>(data());
    for_ranges(size() / width, size(),
               [&](std::size_t g0, std::size_t g1) { fn(dd, coef.data(), g0, g1); });
}

template <typename Real>
void StateVector<Real>::apply_2q(const circuit::Matrix& m, unsigned q0, unsigned q1) {
    const unsigned qs[2] = {q0, q1};
    apply_matrix(m, qs);
}

template <typename Real>
void StateVector<Real>::apply_matrix(const circuit::Matrix& m, std::span<const unsigned> qubits) {
    const auto k = static_cast<unsigned>(qubits.size());
    assert(k >= 1 && k <= 6 && m.dim == (1 << k) && k <= num_qubits_);
    if (k == 0 || k > 6 || k > num_qubits_) return;
    Level top = g_level.load(std::memory_order_relaxed);
    unsigned top_width = width_of<Real>(top);
    if (top_width > size()) {
        top = Level::kPortable;
        top_width = 1;
    }
    // The matrix as per-register coefficient vectors: for output register ho, input register hi
    // and lane-target subset m, lane l's entry (see dense_lanes_range).
    const LaneSplit ls = split_lanes(qubits, top_width);
    const unsigned nh = 1u << ls.high;
    const unsigned nl = 1u << ls.lanes;
    std::vector<std::complex<double>> entries(std::size_t{nh} * nh * nl * top_width);
    std::size_t nonzero = 0;
    {
        std::size_t at = 0;
        for (unsigned ho = 0; ho < nh; ++ho) {
            for (unsigned hi = 0; hi < nh; ++hi) {
                for (unsigned mm = 0; mm < nl; ++mm) {
                    bool any = false;
                    for (unsigned l = 0; l < top_width; ++l, ++at) {
                        const unsigned lb = ls.lane_bits(l);
                        entries[at] = m(static_cast<int>(ls.index(ho, lb)),
                                        static_cast<int>(ls.index(hi, lb ^ mm)));
                        any = any || entries[at] != std::complex<double>(0);
                    }
                    nonzero += any ? 1 : 0;
                }
            }
        }
    }
    auto push_vectors = [&](std::vector<Real>& coef, std::size_t vec) {
        const std::complex<double>* e = entries.data() + vec * top_width;
        for (unsigned l = 0; l < top_width; ++l) {
            coef.push_back(static_cast<Real>(e[l].real()));
            coef.push_back(static_cast<Real>(e[l].real()));
        }
        for (unsigned l = 0; l < top_width; ++l) {
            coef.push_back(static_cast<Real>(-e[l].imag()));
            coef.push_back(static_cast<Real>(e[l].imag()));
        }
    };
    Real* d = reinterpret_cast<Real*>(data());
    const std::size_t groups = size() / (std::size_t{nh} * top_width);
    if (4 * nonzero <= std::size_t{nh} * nh * nl) {
        // Mostly zero (permutations, CX chains with a few rotations): only the nonzero terms.
        std::vector<Real> coef;
        std::vector<std::uint32_t> plan;
        for (unsigned ho = 0; ho < nh; ++ho) {
            const std::size_t count_at = plan.size();
            plan.push_back(0);
            for (unsigned e = 0; e < nh * nl; ++e) {
                const std::size_t vec = std::size_t{ho} * nh * nl + e;
                bool any = false;
                for (unsigned l = 0; l < top_width; ++l) {
                    any = any || entries[vec * top_width + l] != std::complex<double>(0);
                }
                if (!any) continue;
                plan.push_back(e);
                ++plan[count_at];
                push_vectors(coef, vec);
            }
            if (plan[count_at] == 0) {  // a zero row (not unitary): one zero term
                plan.push_back(0);
                ++plan[count_at];
                push_vectors(coef, std::size_t{ho} * nh * nl);
            }
        }
        const SparseFn<Real> fn = sparse_fn<Real>(top, ls.lane_mask, ls.high);
        assert(fn != nullptr);
        for_ranges(groups, size(), [&](std::size_t g0, std::size_t g1) {
            fn(d, coef.data(), ls.off, ls.pos, plan.data(), g0, g1);
        });
        return;
    }
    if (top != Level::kPortable && k <= 5 && ls.lane_mask != 0) {
        // Targets inside a register: the in-register kernel keeps the wide SIMD level.
        std::vector<Real> coef;
        coef.reserve(std::size_t{4} * nh * nh * nl * top_width);
        for (std::size_t vec = 0; vec < std::size_t{nh} * nh * nl; ++vec) push_vectors(coef, vec);
        const DenseFn<Real> fn = lanes_fn<Real>(top, ls.lane_mask, ls.high);
        assert(fn != nullptr);
        for_ranges(groups, size(), [&](std::size_t g0, std::size_t g1) {
            fn(d, coef.data(), ls.off, ls.pos, g0, g1);
        });
        return;
    }
    const Targets t = make_targets(qubits);
    const Level level = pick_level<Real>(t.pos[0]);
    const unsigned width = width_of<Real>(level);
    const unsigned n = 1u << k;
    std::vector<Real> coef;
    coef.reserve(std::size_t{4} * n * n * width);
    for (unsigned r = 0; r < n; ++r) {
        for (unsigned c = 0; c < n; ++c) {
            push_coef(coef, m(static_cast<int>(r), static_cast<int>(c)), width);
        }
    }
    const DenseFn<Real> fn = dense_fn<Real>(level, k);
    for_ranges(size() / (std::size_t{n} * width), size(),
               [&](std::size_t g0, std::size_t g1) { fn(d, coef.data(), t.off, t.pos, g0, g1); });
}

template <typename Real>
void StateVector<Real>::apply_diagonal(std::span<const std::complex<double>> diag,
                                       std::span<const unsigned> qubits) {
    const auto k = static_cast<unsigned>(qubits.size());
    assert(k <= 10 && diag.size() == (std::size_t{1} << k) && k <= num_qubits_);
    if (k == 0) {
        if (!diag.empty()) scale(diag[0]);
        return;
    }
    if (k > 10 || k > num_qubits_ || diag.size() != (std::size_t{1} << k)) return;
    const Level top = g_level.load(std::memory_order_relaxed);
    const unsigned top_width = width_of<Real>(top);
    if (top != Level::kPortable && top_width <= size() && lane_mask_of(qubits, top_width) != 0) {
        // Lane targets: each register's coefficient vector holds per lane that lane's entry.
        const LaneSplit ls = split_lanes(qubits, top_width);
        std::vector<Real> coef;
        coef.reserve((std::size_t{4} << ls.high) * top_width);
        for (unsigned h = 0; h < (1u << ls.high); ++h) {
            for (unsigned l = 0; l < top_width; ++l) {
                const std::complex<double> e = diag[ls.index(h, ls.lane_bits(l))];
                coef.push_back(static_cast<Real>(e.real()));
                coef.push_back(static_cast<Real>(e.real()));
            }
            for (unsigned l = 0; l < top_width; ++l) {
                const std::complex<double> e = diag[ls.index(h, ls.lane_bits(l))];
                coef.push_back(static_cast<Real>(-e.imag()));
                coef.push_back(static_cast<Real>(e.imag()));
            }
        }
        const DiagFn<Real> fn = diag_fn<Real>(top);
        Real* d = reinterpret_cast<Real*>(data());
        const std::size_t groups = size() / ((std::size_t{1} << ls.high) * top_width);
        for_ranges(groups, size(), [&](std::size_t g0, std::size_t g1) {
            fn(d, coef.data(), ls.off, ls.pos, ls.high, g0, g1);
        });
        return;
    }
    const Targets t = make_targets(qubits);
    const Level level = pick_level<Real>(t.pos[0]);
    const unsigned width = width_of<Real>(level);
    std::vector<Real> coef;
    coef.reserve(std::size_t{4} * diag.size() * width);
    for (const auto& c : diag) push_coef(coef, c, width);
    const DiagFn<Real> fn = diag_fn<Real>(level);
    Real* d = reinterpret_cast<Real*>(data());
    const std::size_t groups = size() / ((std::size_t{1} << k) * width);
    for_ranges(groups, size(), [&](std::size_t g0, std::size_t g1) {
        fn(d, coef.data(), t.off, t.pos, k, g0, g1);
    });
}

template <typename Real>
void StateVector<Real>::apply_mcx(std::span<const unsigned> controls, unsigned target) {
    unsigned pos[64];
    const auto k = static_cast<unsigned>(controls.size() + 1);
    assert(k <= num_qubits_);
    if (k > num_qubits_) return;
    std::size_t cmask = 0;
    for (unsigned b = 0; b + 1 < k; ++b) {
        pos[b] = controls[b];
        cmask |= std::size_t{1} << controls[b];
    }
    pos[k - 1] = target;
    std::sort(pos, pos + k);
    const std::size_t tbit = std::size_t{1} << target;
    Amp* a = data();
    // Indices below the lowest operand bit are contiguous: swap whole runs (vectorisable)
    // instead of expanding every index.
    // (At least 64 runs, so that threads share the work.)
    const unsigned free_bits = num_qubits_ - k;
    const unsigned low = std::min(pos[0], free_bits >= 6 ? free_bits - 6 : 0u);
    const std::size_t run = std::size_t{1} << low;
    for_ranges(size() >> (k + low), size(), [&](std::size_t h0, std::size_t h1) {
        for (std::size_t h = h0; h < h1; ++h) {
            const std::size_t i = expand(h << low, pos, k) | cmask;
            std::swap_ranges(a + i, a + i + run, a + (i | tbit));
        }
    });
}

template <typename Real>
void StateVector<Real>::apply_swap(unsigned q0, unsigned q1) {
    if (q0 == q1) return;
    unsigned pos[2] = {std::min(q0, q1), std::max(q0, q1)};
    const std::size_t b0 = std::size_t{1} << q0;
    const std::size_t b1 = std::size_t{1} << q1;
    Amp* a = data();
    const unsigned free_bits = num_qubits_ - 2;
    const unsigned low = std::min(pos[0], free_bits >= 6 ? free_bits - 6 : 0u);
    const std::size_t run = std::size_t{1} << low;
    for_ranges(size() >> (2 + low), size(), [&](std::size_t h0, std::size_t h1) {
        for (std::size_t h = h0; h < h1; ++h) {
            const std::size_t i = expand(h << low, pos, 2);
            std::swap_ranges(a + (i | b0), a + (i | b0) + run, a + (i | b1));
        }
    });
}

template <typename Real>
void StateVector<Real>::scale(std::complex<double> factor) {
    const auto fr = static_cast<Real>(factor.real());
    const auto fi = static_cast<Real>(factor.imag());
    Real* d = reinterpret_cast<Real*>(data());
    for_ranges(size(), size(), [&](std::size_t g0, std::size_t g1) {
        for (std::size_t i = g0; i < g1; ++i) {
            const Real re = d[2 * i];
            const Real im = d[2 * i + 1];
            d[2 * i] = re * fr - im * fi;
            d[2 * i + 1] = re * fi + im * fr;
        }
    });
}

template <typename Real>
double StateVector<Real>::norm_squared() const {
    const Real* d = reinterpret_cast<const Real*>(data());
    return sum_over(size(), size(), [d](std::size_t i) {
        const double re = d[2 * i];
        const double im = d[2 * i + 1];
        return re * re + im * im;
    });
}

template <typename Real>
double StateVector<Real>::probability_one(unsigned q) const {
    assert(q < num_qubits_);
    const Real* d = reinterpret_cast<const Real*>(data());
    const unsigned pos[1] = {q};
    const std::size_t bit = std::size_t{1} << q;
    return sum_over(size() / 2, size(), [&](std::size_t g) {
        const std::size_t i = expand(g, pos, 1) | bit;
        const double re = d[2 * i];
        const double im = d[2 * i + 1];
        return re * re + im * im;
    });
}

template <typename Real>
std::vector<double> StateVector<Real>::probabilities(std::span<const unsigned> qubits) const {
    const auto k = static_cast<unsigned>(qubits.size());
    assert(k <= num_qubits_);
    if (k > num_qubits_) return {};
    std::vector<double> out(std::size_t{1} << k, 0.0);
    const Real* d = reinterpret_cast<const Real*>(data());
    auto index_of = [&](std::size_t i) {
        std::size_t idx = 0;
        for (unsigned b = 0; b < k; ++b) idx |= ((i >> qubits[b]) & 1u) << b;
        return idx;
    };
    const int threads = size() >= kParallelMinAmps && k <= 16 ? omp_get_max_threads() : 1;
    if (threads <= 1) {
        for (std::size_t i = 0; i < size(); ++i) {
            const double re = d[2 * i];
            const double im = d[2 * i + 1];
            out[index_of(i)] += re * re + im * im;
        }
        return out;
    }
    std::vector<std::vector<double>> partial(static_cast<std::size_t>(threads),
                                             std::vector<double>(out.size(), 0.0));
    const auto n = static_cast<std::int64_t>(size());
#pragma omp parallel num_threads(threads)
    {
        std::vector<double>& mine = partial[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(static)
        for (std::int64_t si = 0; si < n; ++si) {
            const auto i = static_cast<std::size_t>(si);
            const double re = d[2 * i];
            const double im = d[2 * i + 1];
            mine[index_of(i)] += re * re + im * im;
        }
    }
    for (const auto& p : partial) {
        for (std::size_t j = 0; j < out.size(); ++j) out[j] += p[j];
    }
    return out;
}

template <typename Real>
int StateVector<Real>::measure(unsigned q, Rng& rng) {
    const double p1 = probability_one(q);
    const double total = norm_squared();
    const double p0 = std::max(0.0, total - p1);
    const int outcome = rng.uniform() * total < p1 ? 1 : 0;
    const double kept = outcome == 1 ? p1 : p0;
    const double f = kept > 0 ? 1.0 / std::sqrt(kept) : 0.0;
    const std::complex<double> diag[2] = {outcome == 0 ? f : 0.0, outcome == 1 ? f : 0.0};
    const unsigned qs[1] = {q};
    apply_diagonal(diag, qs);
    return outcome;
}

template <typename Real>
void StateVector<Real>::reset(unsigned q, Rng& rng) {
    if (measure(q, rng) == 1) apply_mcx({}, q);
}

template <typename Real>
double StateVector<Real>::expectation_pauli(std::string_view label) const {
    if (label.size() != num_qubits_) return std::nan("");
    std::size_t xmask = 0;
    std::size_t zmask = 0;
    unsigned ny = 0;
    for (std::size_t c = 0; c < label.size(); ++c) {
        const std::size_t bit = std::size_t{1} << (label.size() - 1 - c);
        switch (label[c]) {
            case 'I':
                break;
            case 'X':
                xmask |= bit;
                break;
            case 'Z':
                zmask |= bit;
                break;
            case 'Y':
                xmask |= bit;
                zmask |= bit;
                ++ny;
                break;
            default:
                return std::nan("");
        }
    }
    // P = i^ny X^xmask Z^zmask, so <psi|P|psi> = i^ny sum_i conj(a[i^x]) a[i] (-1)^|i & z|.
    const Real* d = reinterpret_cast<const Real*>(data());
    auto term = [&](std::size_t i, bool imag_part) {
        const std::size_t j = i ^ xmask;
        const double ar = d[2 * i], ai = d[2 * i + 1];
        const double br = d[2 * j], bi = d[2 * j + 1];
        const double v = imag_part ? br * ai - bi * ar : br * ar + bi * ai;
        return (std::popcount(i & zmask) & 1) ? -v : v;
    };
    switch (ny % 4) {
        case 0:
            return sum_over(size(), size(), [&](std::size_t i) { return term(i, false); });
        case 1:
            return -sum_over(size(), size(), [&](std::size_t i) { return term(i, true); });
        case 2:
            return -sum_over(size(), size(), [&](std::size_t i) { return term(i, false); });
        default:
            return sum_over(size(), size(), [&](std::size_t i) { return term(i, true); });
    }
}

template class StateVector<double>;
template class StateVector<float>;

}  // namespace qrt::sim
