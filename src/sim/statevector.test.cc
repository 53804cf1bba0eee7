#include "sim/statevector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <complex>
#include <cstdint>
#include <string>
#include <vector>

#include "base/rng.h"
#include "circuit/gates.h"

namespace qrt::sim {
namespace {

using C = std::complex<double>;
using Naive = std::vector<C>;
using circuit::Matrix;

// ---- naive references -------------------------------------------------------------------------

// new[i] = sum_j M[r(i)][j] * old[i with the target bits set to j].
Naive naive_apply(const Naive& s, const Matrix& m, const std::vector<unsigned>& qubits) {
    Naive out(s.size());
    const auto k = qubits.size();
    for (std::size_t i = 0; i < s.size(); ++i) {
        std::size_t r = 0;
        std::size_t cleared = i;
        for (std::size_t b = 0; b < k; ++b) {
            r |= ((i >> qubits[b]) & 1u) << b;
            cleared &= ~(std::size_t{1} << qubits[b]);
        }
        C acc = 0;
        for (std::size_t j = 0; j < (std::size_t{1} << k); ++j) {
            std::size_t src = cleared;
            for (std::size_t b = 0; b < k; ++b) src |= ((j >> b) & 1u) << qubits[b];
            acc += m(static_cast<int>(r), static_cast<int>(j)) * s[src];
        }
        out[i] = acc;
    }
    return out;
}

Matrix diag_matrix(const std::vector<C>& d) {
    Matrix m = Matrix::identity(static_cast<int>(d.size()));
    for (std::size_t i = 0; i < d.size(); ++i) m(static_cast<int>(i), static_cast<int>(i)) = d[i];
    return m;
}

Matrix random_matrix(int dim, Rng& rng) {
    Matrix m;
    m.dim = dim;
    m.data.resize(static_cast<std::size_t>(dim * dim));
    for (auto& c : m.data) c = C(rng.normal(0, 1), rng.normal(0, 1)) / std::sqrt(2.0 * dim);
    return m;
}

Naive random_state(unsigned n, Rng& rng) {
    Naive s(std::size_t{1} << n);
    double norm = 0;
    for (auto& c : s) {
        c = C(rng.normal(0, 1), rng.normal(0, 1));
        norm += std::norm(c);
    }
    for (auto& c : s) c /= std::sqrt(norm);
    return s;
}

template <typename Real>
StateVector<Real> make_state(const Naive& s, unsigned n) {
    auto r = StateVector<Real>::create(n);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    StateVector<Real> sv = std::move(r.value());
    for (std::size_t i = 0; i < s.size(); ++i) {
        sv.data()[i] =
            std::complex<Real>(static_cast<Real>(s[i].real()), static_cast<Real>(s[i].imag()));
    }
    return sv;
}

template <typename Real>
double tolerance() {
    return std::is_same_v<Real, double> ? 1e-12 : 1e-5;
}

template <typename Real>
void expect_near(const StateVector<Real>& sv, const Naive& want, const std::string& what) {
    ASSERT_EQ(sv.size(), want.size());
    double worst = 0;
    std::size_t at = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const C got(sv.data()[i].real(), sv.data()[i].imag());
        const double err = std::abs(got - want[i]);
        if (err > worst) {
            worst = err;
            at = i;
        }
    }
    EXPECT_LE(worst, tolerance<Real>() * 10) << what << ": largest error at index " << at;
}

std::vector<std::vector<unsigned>> ordered_pairs(unsigned n) {
    std::vector<std::vector<unsigned>> out;
    for (unsigned a = 0; a < n; ++a) {
        for (unsigned b = 0; b < n; ++b) {
            if (a != b) out.push_back({a, b});
        }
    }
    return out;
}

// ---- every SIMD level runs the same body ------------------------------------------------------

class StateVectorKernels : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        const Status s = set_simd_level_for_testing(GetParam());
        if (!s.ok()) GTEST_SKIP() << s.to_string();
    }
    void TearDown() override { ASSERT_TRUE(set_simd_level_for_testing("auto").ok()); }
};

INSTANTIATE_TEST_SUITE_P(Levels, StateVectorKernels,
                         ::testing::Values("portable", "avx2", "avx512"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

template <typename Real>
void check_1q_every_position(unsigned n, std::uint64_t seed) {
    Rng rng(seed);
    for (unsigned q = 0; q < n; ++q) {
        const Naive s = random_state(n, rng);
        const Matrix m = random_matrix(2, rng);
        auto sv = make_state<Real>(s, n);
        sv.apply_1q(m, q);
        expect_near(sv, naive_apply(s, m, {q}), "1q on qubit " + std::to_string(q));
    }
}

TEST_P(StateVectorKernels, one_qubit_matrix_matches_naive_on_every_qubit) {
    check_1q_every_position<double>(8, 1);
    check_1q_every_position<float>(8, 2);
    // Large enough for the OpenMP path.
    check_1q_every_position<double>(14, 3);
    check_1q_every_position<float>(14, 4);
}

template <typename Real>
void check_2q_every_pair(unsigned n, std::uint64_t seed) {
    Rng rng(seed);
    for (const auto& qs : ordered_pairs(n)) {
        const Naive s = random_state(n, rng);
        const Matrix m = random_matrix(4, rng);
        auto sv = make_state<Real>(s, n);
        sv.apply_2q(m, qs[0], qs[1]);
        expect_near(sv, naive_apply(s, m, qs),
                    "2q on " + std::to_string(qs[0]) + "," + std::to_string(qs[1]));
    }
}

TEST_P(StateVectorKernels, two_qubit_matrix_matches_naive_on_every_ordered_pair) {
    check_2q_every_pair<double>(7, 5);
    check_2q_every_pair<float>(7, 6);
}

TEST_P(StateVectorKernels, two_qubit_matrix_matches_naive_on_a_large_state) {
    Rng rng(7);
    const unsigned n = 14;
    for (const auto& qs : std::vector<std::vector<unsigned>>{{0, 13}, {13, 3}, {5, 6}, {1, 0}}) {
        const Naive s = random_state(n, rng);
        const Matrix m = random_matrix(4, rng);
        auto sv = make_state<double>(s, n);
        sv.apply_2q(m, qs[0], qs[1]);
        expect_near(sv, naive_apply(s, m, qs), "2q large");
        auto sf = make_state<float>(s, n);
        sf.apply_2q(m, qs[0], qs[1]);
        expect_near(sf, naive_apply(s, m, qs), "2q large float");
    }
}

template <typename Real>
void check_k_qubit_matrices(std::uint64_t seed) {
    Rng rng(seed);
    const unsigned n = 9;
    for (unsigned k = 1; k <= 6; ++k) {
        for (int trial = 0; trial < 6; ++trial) {
            // Distinct random qubits in random order, sometimes including 0 and the top one.
            std::vector<unsigned> all(n);
            for (unsigned i = 0; i < n; ++i) all[i] = i;
            for (unsigned i = n - 1; i > 0; --i) {
                std::swap(all[i], all[static_cast<unsigned>(rng.uniform_int(0, i))]);
            }
            std::vector<unsigned> qs(all.begin(), all.begin() + k);
            if (trial == 0) std::sort(qs.begin(), qs.end());
            if (trial == 1) std::sort(qs.rbegin(), qs.rend());
            const Naive s = random_state(n, rng);
            const Matrix m = random_matrix(1 << k, rng);
            auto sv = make_state<Real>(s, n);
            sv.apply_matrix(m, qs);
            expect_near(sv, naive_apply(s, m, qs), "k=" + std::to_string(k));
        }
    }
}

TEST_P(StateVectorKernels, k_qubit_matrices_match_naive) {
    check_k_qubit_matrices<double>(8);
    check_k_qubit_matrices<float>(9);
}

// Every set of k targets (k = 1..5) on n qubits, each in a random order: covers the in-register
// kernels (targets below the register width) with every mix of lane and register qubits.
// A random permutation matrix with random phases (fused CX/SWAP chains), optionally with rows
// mixed pairwise (H next to them): the sparse kernel's inputs.
Matrix random_monomial(int dim, Rng& rng, bool pairs) {
    std::vector<int> perm(static_cast<std::size_t>(dim));
    for (int i = 0; i < dim; ++i) perm[static_cast<std::size_t>(i)] = i;
    for (int i = dim - 1; i > 0; --i) {
        std::swap(perm[static_cast<std::size_t>(i)],
                  perm[static_cast<std::size_t>(rng.uniform_int(0, i))]);
    }
    Matrix m{dim, std::vector<C>(static_cast<std::size_t>(dim) * dim, C(0))};
    for (int r = 0; r < dim; ++r) {
        m(r, perm[static_cast<std::size_t>(r)]) = std::polar(1.0, rng.uniform() * 6.28);
    }
    if (!pairs) return m;
    Matrix h{dim, std::vector<C>(static_cast<std::size_t>(dim) * dim, C(0))};
    const double s = 1 / std::sqrt(2.0);
    for (int r = 0; r < dim; ++r) {
        for (int c = 0; c < dim; ++c) {
            h(r, c) = s * (m(r, c) + ((r & 1) ? -m(r ^ 1, c) : m(r ^ 1, c)));
        }
    }
    return h;
}

enum class MatrixKind { kDense, kDiagonal, kMonomial, kPairs };

template <typename Real>
void check_every_target_set(unsigned n, std::uint64_t seed, MatrixKind kind) {
    const bool diagonal = kind == MatrixKind::kDiagonal;
    Rng rng(seed);
    for (unsigned set = 1; set < (1u << n); ++set) {
        const auto k = static_cast<unsigned>(std::popcount(set));
        if (k > 5) continue;
        std::vector<unsigned> qs;
        for (unsigned q = 0; q < n; ++q) {
            if ((set >> q) & 1u) qs.push_back(q);
        }
        for (unsigned i = k - 1; i > 0; --i) {
            std::swap(qs[i], qs[static_cast<unsigned>(rng.uniform_int(0, i))]);
        }
        const Naive s = random_state(n, rng);
        auto sv = make_state<Real>(s, n);
        Matrix m;
        if (diagonal) {
            std::vector<C> d(std::size_t{1} << k);
            for (auto& c : d) c = std::polar(1.0, rng.uniform() * 6.28);
            sv.apply_diagonal(d, qs);
            m = diag_matrix(d);
        } else {
            m = kind == MatrixKind::kDense      ? random_matrix(1 << k, rng)
                : kind == MatrixKind::kMonomial ? random_monomial(1 << k, rng, false)
                                                : random_monomial(1 << k, rng, true);
            sv.apply_matrix(m, qs);
        }
        std::string what = diagonal ? "diagonal on" : "matrix on";
        for (unsigned q : qs) {
            what += ' ';
            what += std::to_string(q);
        }
        expect_near(sv, naive_apply(s, m, qs), what);
    }
}

TEST_P(StateVectorKernels, matrices_match_naive_on_every_target_set) {
    check_every_target_set<double>(6, 21, MatrixKind::kDense);
    check_every_target_set<float>(6, 22, MatrixKind::kDense);
}

TEST_P(StateVectorKernels, diagonals_match_naive_on_every_target_set) {
    check_every_target_set<double>(6, 23, MatrixKind::kDiagonal);
    check_every_target_set<float>(6, 24, MatrixKind::kDiagonal);
}

TEST_P(StateVectorKernels, sparse_matrices_match_naive_on_every_target_set) {
    check_every_target_set<double>(6, 26, MatrixKind::kMonomial);
    check_every_target_set<float>(6, 27, MatrixKind::kMonomial);
    check_every_target_set<double>(6, 28, MatrixKind::kPairs);
    check_every_target_set<float>(6, 29, MatrixKind::kPairs);
}

TEST_P(StateVectorKernels, lane_target_matrices_match_naive_on_a_large_state) {
    Rng rng(25);
    const unsigned n = 15;  // above the OpenMP threshold
    for (const auto& qs : std::vector<std::vector<unsigned>>{
             {0, 1, 2}, {2, 0, 14, 7}, {1, 9, 0, 3, 2}, {0, 5, 6}, {13, 1}}) {
        const Naive s = random_state(n, rng);
        const Matrix m = random_matrix(1 << qs.size(), rng);
        auto sv = make_state<double>(s, n);
        sv.apply_matrix(m, qs);
        expect_near(sv, naive_apply(s, m, qs), "lanes large");
        auto sf = make_state<float>(s, n);
        sf.apply_matrix(m, qs);
        expect_near(sf, naive_apply(s, m, qs), "lanes large float");
        const Matrix p = random_monomial(1 << qs.size(), rng, qs.size() % 2 == 0);
        auto sp = make_state<double>(s, n);
        sp.apply_matrix(p, qs);
        expect_near(sp, naive_apply(s, p, qs), "sparse large");
    }
}

template <typename Real>
void check_diagonals(unsigned n, std::uint64_t seed) {
    Rng rng(seed);
    for (unsigned k = 1; k <= 3; ++k) {
        for (unsigned first = 0; first + k <= n; ++first) {
            std::vector<unsigned> qs;
            for (unsigned b = 0; b < k; ++b) qs.push_back((first + b * 2) % n);
            std::sort(qs.begin(), qs.end());
            qs.erase(std::unique(qs.begin(), qs.end()), qs.end());
            if (first % 2 == 1) std::reverse(qs.begin(), qs.end());
            std::vector<C> d(std::size_t{1} << qs.size());
            for (auto& c : d) c = std::polar(1.0, rng.uniform() * 6.28);
            const Naive s = random_state(n, rng);
            auto sv = make_state<Real>(s, n);
            sv.apply_diagonal(d, qs);
            expect_near(sv, naive_apply(s, diag_matrix(d), qs), "diagonal");
        }
    }
}

TEST_P(StateVectorKernels, diagonals_match_naive) {
    check_diagonals<double>(8, 10);
    check_diagonals<float>(8, 11);
    check_diagonals<double>(14, 12);
}

TEST_P(StateVectorKernels, every_standard_gate_matches_its_matrix) {
    Rng rng(13);
    const unsigned n = 6;
    for (const auto& info : circuit::all_gates()) {
        if (!info.unitary || info.num_qubits < 1 || info.num_qubits > 4) continue;
        std::vector<double> params;
        for (int p = 0; p < info.num_params; ++p) params.push_back(rng.uniform() * 6 - 3);
        auto m = circuit::gate_matrix(info.kind, params, info.num_qubits);
        ASSERT_TRUE(m.ok()) << info.name << ": " << m.status().to_string();
        const auto k = static_cast<unsigned>(info.num_qubits);
        for (const std::vector<unsigned>& qs :
             std::vector<std::vector<unsigned>>{{5, 0, 3, 1}, {0, 1, 2, 3}, {2, 5, 4, 0}}) {
            std::vector<unsigned> use(qs.begin(), qs.begin() + k);
            const Naive s = random_state(n, rng);
            const Naive want = naive_apply(s, m.value(), use);
            auto sd = make_state<double>(s, n);
            auto sf = make_state<float>(s, n);
            if (k == 1) {
                sd.apply_1q(m.value(), use[0]);
                sf.apply_1q(m.value(), use[0]);
            } else if (k == 2) {
                sd.apply_2q(m.value(), use[0], use[1]);
                sf.apply_2q(m.value(), use[0], use[1]);
            } else {
                sd.apply_matrix(m.value(), use);
                sf.apply_matrix(m.value(), use);
            }
            expect_near(sd, want, std::string(info.name));
            expect_near(sf, want, std::string(info.name) + " (float)");
        }
    }
}

TEST_P(StateVectorKernels, fused_matrix_equals_sequential_gates) {
    Rng rng(14);
    const unsigned n = 10;
    // Three gates on qubits {7, 2, 4}: fuse by applying them to every basis column.
    const std::vector<unsigned> qs = {7, 2, 4};
    const Matrix g1 = random_matrix(2, rng);  // on local 1 (qubit 2)
    const Matrix g2 = random_matrix(4, rng);  // on local (0, 2) = qubits (7, 4)
    const Matrix g3 = random_matrix(4, rng);  // on local (1, 0) = qubits (2, 7)
    Matrix fused;
    fused.dim = 8;
    fused.data.resize(64);
    for (unsigned c = 0; c < 8; ++c) {
        Naive col(8, 0.0);
        col[c] = 1;
        col = naive_apply(col, g1, {1});
        col = naive_apply(col, g2, {0, 2});
        col = naive_apply(col, g3, {1, 0});
        for (unsigned r = 0; r < 8; ++r) fused(static_cast<int>(r), static_cast<int>(c)) = col[r];
    }
    const Naive s = random_state(n, rng);
    auto a = make_state<double>(s, n);
    auto b = make_state<double>(s, n);
    a.apply_matrix(fused, qs);
    b.apply_1q(g1, 2);
    b.apply_2q(g2, 7, 4);
    b.apply_2q(g3, 2, 7);
    Naive bn(b.data(), b.data() + b.size());
    expect_near(a, bn, "fused vs sequential");
}

template <typename Real>
void check_mcx_and_swap(unsigned n, std::uint64_t seed) {
    Rng rng(seed);
    const Matrix x = circuit::gate_matrix(circuit::GateKind::kX, {}).value();
    for (unsigned t = 0; t < n; ++t) {
        for (unsigned c = 0; c < n; ++c) {
            const Naive s = random_state(n, rng);
            if (c == t) {
                auto sv = make_state<Real>(s, n);
                sv.apply_mcx({}, t);
                expect_near(sv, naive_apply(s, x, {t}), "x");
                continue;
            }
            const unsigned ctl[1] = {c};
            auto sv = make_state<Real>(s, n);
            sv.apply_mcx(ctl, t);
            auto cx = circuit::gate_matrix(circuit::GateKind::kCX, {}).value();
            expect_near(sv, naive_apply(s, cx, {c, t}), "cx");

            auto sw = make_state<Real>(s, n);
            sw.apply_swap(c, t);
            auto swm = circuit::gate_matrix(circuit::GateKind::kSwap, {}).value();
            expect_near(sw, naive_apply(s, swm, {c, t}), "swap");
        }
    }
    // ccx and a 3-control mcx.
    const Naive s = random_state(n, rng);
    auto sv = make_state<Real>(s, n);
    const unsigned ctl2[2] = {n - 1, 0};
    sv.apply_mcx(ctl2, 2);
    auto ccx = circuit::gate_matrix(circuit::GateKind::kCCX, {}).value();
    expect_near(sv, naive_apply(s, ccx, {n - 1, 0, 2}), "ccx");
    auto s3 = make_state<Real>(s, n);
    const unsigned ctl3[3] = {1, 4, 3};
    s3.apply_mcx(ctl3, 0);
    auto mcx = circuit::gate_matrix(circuit::GateKind::kMCX, {}, 4).value();
    expect_near(s3, naive_apply(s, mcx, {1, 4, 3, 0}), "mcx");
}

TEST_P(StateVectorKernels, mcx_and_swap_match_naive) {
    check_mcx_and_swap<double>(6, 15);
    check_mcx_and_swap<float>(6, 16);
}

// The same random circuit under this level and under the portable kernels.
template <typename Real>
void check_level_agrees_with_portable(const std::string& level, std::uint64_t seed) {
    Rng rng(seed);
    const unsigned n = 14;  // 2^14 amplitudes: the smallest state on the OpenMP path
    const Naive s = random_state(n, rng);
    struct Op {
        int kind;
        Matrix m;
        std::vector<unsigned> qs;
    };
    std::vector<Op> ops;
    for (int i = 0; i < 20; ++i) {
        const int kind = static_cast<int>(rng.uniform_int(0, 3));
        const unsigned k = kind == 0 ? 1 : kind == 1 ? 2 : kind == 2 ? 3 : 1;
        std::vector<unsigned> qs;
        while (qs.size() < k) {
            const auto q = static_cast<unsigned>(rng.uniform_int(0, n - 1));
            if (std::find(qs.begin(), qs.end(), q) == qs.end()) qs.push_back(q);
        }
        Matrix m = random_matrix(1 << k, rng);
        if (kind == 3) {
            std::vector<C> d = {std::polar(1.0, rng.uniform()), std::polar(1.0, rng.uniform())};
            m = diag_matrix(d);
        }
        ops.push_back({kind, m, qs});
    }
    auto run = [&](const std::string& lvl) {
        EXPECT_TRUE(set_simd_level_for_testing(lvl).ok());
        auto sv = make_state<Real>(s, n);
        for (const auto& op : ops) {
            if (op.kind == 3) {
                const std::vector<C> d = {op.m(0, 0), op.m(1, 1)};
                sv.apply_diagonal(d, op.qs);
            } else {
                sv.apply_matrix(op.m, op.qs);
            }
        }
        return Naive(sv.data(), sv.data() + sv.size());
    };
    const Naive want = run("portable");
    const Naive got = run(level);
    double worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i)
        worst = std::max(worst, std::abs(got[i] - want[i]));
    // The ops are not unitary, so scale the tolerance by the state's size.
    double scale = 0;
    for (const auto& c : want) scale = std::max(scale, std::abs(c));
    EXPECT_LE(worst, tolerance<Real>() * std::max(1.0, scale)) << level;
}

TEST_P(StateVectorKernels, level_agrees_with_portable_on_a_random_circuit) {
    check_level_agrees_with_portable<double>(GetParam(), 17);
    check_level_agrees_with_portable<float>(GetParam(), 18);
}

// ---- level-independent behaviour --------------------------------------------------------------

TEST(StateVector, create_gives_the_zero_state_aligned_to_64_bytes) {
    for (unsigned n : {0u, 1u, 3u, 16u}) {
        auto r = StateVector<double>::create(n);
        ASSERT_TRUE(r.ok());
        const auto& sv = r.value();
        EXPECT_EQ(sv.size(), std::size_t{1} << n);
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(sv.data()) % 64, 0u);
        EXPECT_EQ(sv.data()[0], std::complex<double>(1, 0));
        EXPECT_DOUBLE_EQ(sv.norm_squared(), 1.0);
    }
    auto f = StateVector<float>::create(5);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(f.value().data()) % 64, 0u);
}

TEST(StateVector, create_refuses_more_than_40_qubits_or_more_than_memory) {
    auto r = StateVector<double>::create(41);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kResourceExhausted);
    auto big = StateVector<double>::create(40);  // 16 TiB
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.status().code(), ErrorCode::kResourceExhausted);
    EXPECT_NE(big.status().message().find("17592186044416"), std::string::npos)
        << big.status().message();
}

TEST(StateVector, state_bytes_counts_amplitudes) {
    EXPECT_EQ(state_bytes(10, false), 16384u);
    EXPECT_EQ(state_bytes(10, true), 8192u);
}

TEST(StateVector, simd_level_names_a_known_level) {
    const auto l = simd_level();
    EXPECT_TRUE(l == "portable" || l == "avx2" || l == "avx512") << l;
    EXPECT_EQ(set_simd_level_for_testing("sse9").code(), ErrorCode::kInvalidArgument);
}

TEST(StateVector, scale_and_set_zero_state) {
    Rng rng(20);
    const Naive s = random_state(5, rng);
    auto sv = make_state<double>(s, 5);
    const C f = std::polar(1.0, 0.7);
    sv.scale(f);
    Naive want = s;
    for (auto& c : want) c *= f;
    expect_near(sv, want, "scale");
    sv.set_zero_state();
    Naive zero(32, 0.0);
    zero[0] = 1;
    expect_near(sv, zero, "zero");
}

TEST(StateVector, probabilities_match_naive) {
    Rng rng(21);
    for (unsigned n : {6u, 14u}) {
        const Naive s = random_state(n, rng);
        auto sv = make_state<double>(s, n);
        for (const std::vector<unsigned>& qs :
             std::vector<std::vector<unsigned>>{{0}, {n - 1}, {3, 1}, {1, 3, 5}, {}}) {
            std::vector<double> want(std::size_t{1} << qs.size(), 0.0);
            for (std::size_t i = 0; i < s.size(); ++i) {
                std::size_t idx = 0;
                for (std::size_t b = 0; b < qs.size(); ++b) idx |= ((i >> qs[b]) & 1u) << b;
                want[idx] += std::norm(s[i]);
            }
            const auto got = sv.probabilities(qs);
            ASSERT_EQ(got.size(), want.size());
            for (std::size_t j = 0; j < want.size(); ++j) EXPECT_NEAR(got[j], want[j], 1e-12);
        }
        for (unsigned q = 0; q < n; ++q) {
            const auto p = sv.probabilities(std::vector<unsigned>{q});
            EXPECT_NEAR(sv.probability_one(q), p[1], 1e-12);
        }
    }
}

TEST(StateVector, measurement_frequencies_follow_born_rule_and_collapse_normalises) {
    Rng rng(22);
    const unsigned n = 4;
    const double theta = 2 * std::asin(std::sqrt(0.3));  // P(1) = 0.3
    const Matrix ry =
        circuit::gate_matrix(circuit::GateKind::kRY, std::vector<double>{theta}).value();
    const Matrix h = circuit::gate_matrix(circuit::GateKind::kH, {}).value();
    auto sv = StateVector<double>::create(n).value();
    int ones = 0;
    const int shots = 4000;
    for (int s = 0; s < shots; ++s) {
        sv.set_zero_state();
        sv.apply_1q(h, 0);
        sv.apply_1q(ry, 2);
        const int m = sv.measure(2, rng);
        ones += m;
        EXPECT_NEAR(sv.norm_squared(), 1.0, 1e-12);
        EXPECT_NEAR(sv.probability_one(2), m, 1e-12);
        EXPECT_NEAR(sv.probability_one(0), 0.5, 1e-12);  // other qubits untouched
    }
    const double sigma = std::sqrt(shots * 0.3 * 0.7);
    EXPECT_NEAR(ones, 0.3 * shots, 4 * sigma) << "seed " << rng.seed();
}

TEST(StateVector, measure_is_deterministic_for_basis_states_and_reset_clears) {
    Rng rng(23);
    auto sv = StateVector<float>::create(3).value();
    sv.apply_mcx({}, 1);
    EXPECT_EQ(sv.measure(1, rng), 1);
    EXPECT_EQ(sv.measure(0, rng), 0);
    sv.reset(1, rng);
    EXPECT_NEAR(sv.probability_one(1), 0.0, 1e-7);
    EXPECT_NEAR(sv.data()[0].real(), 1.0f, 1e-6);

    const Matrix h = circuit::gate_matrix(circuit::GateKind::kH, {}).value();
    for (int i = 0; i < 20; ++i) {
        sv.apply_1q(h, 2);
        sv.reset(2, rng);
        EXPECT_NEAR(sv.probability_one(2), 0.0, 1e-7);
        EXPECT_NEAR(sv.norm_squared(), 1.0, 1e-5);
    }
}

Naive naive_pauli(const Naive& s, const std::string& label) {
    const auto n = static_cast<unsigned>(label.size());
    Naive out = s;
    for (unsigned c = 0; c < n; ++c) {
        const unsigned q = n - 1 - c;
        circuit::GateKind kind = circuit::GateKind::kI;
        if (label[c] == 'X') kind = circuit::GateKind::kX;
        if (label[c] == 'Y') kind = circuit::GateKind::kY;
        if (label[c] == 'Z') kind = circuit::GateKind::kZ;
        out = naive_apply(out, circuit::gate_matrix(kind, {}).value(), {q});
    }
    return out;
}

TEST(StateVector, pauli_expectations_match_naive) {
    Rng rng(24);
    for (unsigned n : {1u, 5u, 14u}) {
        const Naive s = random_state(n, rng);
        auto sd = make_state<double>(s, n);
        auto sf = make_state<float>(s, n);
        for (int t = 0; t < 30; ++t) {
            std::string label;
            for (unsigned c = 0; c < n; ++c) label += "IXYZ"[rng.uniform_int(0, 3)];
            const Naive ps = naive_pauli(s, label);
            C want = 0;
            for (std::size_t i = 0; i < s.size(); ++i) want += std::conj(s[i]) * ps[i];
            EXPECT_NEAR(want.imag(), 0.0, 1e-12);
            EXPECT_NEAR(sd.expectation_pauli(label), want.real(), 1e-12) << label;
            EXPECT_NEAR(sf.expectation_pauli(label), want.real(), 1e-5) << label;
        }
    }
    auto sv = StateVector<double>::create(2).value();
    EXPECT_TRUE(std::isnan(sv.expectation_pauli("Z")));   // wrong length
    EXPECT_TRUE(std::isnan(sv.expectation_pauli("ZQ")));  // bad character
    EXPECT_DOUBLE_EQ(sv.expectation_pauli("ZZ"), 1.0);
}

}  // namespace
}  // namespace qrt::sim
